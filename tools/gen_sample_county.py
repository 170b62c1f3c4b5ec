#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
'''Generate the bundled sample county register (sites/) or a large benchmark register.

    tools/gen_sample_county.py                     # writes sites/ next to this script's repo root
    tools/gen_sample_county.py --out DIR           # writes the sample county into DIR
    tools/gen_sample_county.py --bench N --out DIR # N geohazard sites for benchmarks, plus DIR/../ogr_points.csv

Everything here is SYNTHETIC: 青岩县（示例）, region code 500999, every name, code, person and phone
number. The output is deterministic: each part draws from its own random.Random seeded with a fixed string
(str seeds hash with SHA-512, so PYTHONHASHSEED does not matter), and the survey X/Y of the EPSG:4524 rows
come from PROJ's cs2cs, called once per run on a batch of points, printed to the millimetre.

File formats follow sites/README.md. Choices the README leaves open:

* Site codes (统一编号): <kind prefix><region code>-<serial>, prefix DZ (地灾, geohazard), SH (山洪,
  flash_flood), WY (危岩, dangerous_rock); serial 4 digits (wider in --bench mode when N > 9999),
  numbered in village-code order, e.g. DZ500999-0001, SH500999-0040, WY500999-0020.
* Village codes: 500999 + township (3) + village (3) per GB/T 10114 practice: towns (镇) 101.., townships
  (乡) 201..; villagers' committees (村委会) 201.. within each township.
* Channel codes are the CGS field codes of domain.md §2, `<layer>_<method>_<n>`, one channel per measured
  quantity. Multi-axis sensors get one channel per axis, the axis letter replacing the sensor number
  (each of these devices carries exactly one such sensor):
      GNSS  L1_GP_X, L1_GP_Y, L1_GP_Z   (wire: L1_GP_1 gpsTotalX/Y/Z), gnss, mm, 3600 s, -5000..5000
      tilt  L1_QJ_X, L1_QJ_Y            (wire: L1_QJ_1 X/Y),           tilt, °,  600 s,  -90..90
  Single-quantity channels: L3_YL_1 rain mm 300 s 0..300 (rain per report interval), L1_LF_1 crack mm
  600 s 0..2000, L3_HS_1 soil_moisture % 600 s 0..100, L3_DB_1 water_level m 300 s 0..30,
  L4_NW_1 mud_level m 60 s 0..20.
* Device ids: 8-digit numeric strings, unique in the county. A flash-flood site's rain_station and
  water_level_station are the device ids of its own rain gauge and water-level gauge.
* Point codes: JC01, JC02, JC03 within each site (1-3 points a site). A soil-moisture probe shares the
  rain gauge's point (two devices on one point).
* Header styles are mixed on purpose, as real registers are: geohazard.csv (UTF-8 with BOM) and
  devices.csv / villages.csv (UTF-8) use the English column names with English enumerations;
  flash_flood.csv (GB18030, CRLF, as Chinese Excel saves "CSV (逗号分隔)") uses the Chinese aliases and
  Chinese enumerations (小型, 高 …); dangerous_rock.geojson uses the English keys.
* A CSV row in EPSG:4490 fills lon/lat and leaves x/y empty; a row in EPSG:4524 fills x/y and leaves lon/lat
  empty. DMS values such as 108°12'30.5" contain a double quote, so the CSV writer quotes them
  ("108°12'30.5""") as Excel does.
'''

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import random
import subprocess
import time

# ----------------------------------------------------------------------------------------------------
# County constants

COUNTY_NAME = "青岩县（示例）"
REGION = "500999"
WORKING_CRS = "EPSG:4545"
TIME_ZONE = "Asia/Shanghai"
EXTENT = (107.6, 29.6, 108.6, 30.6)  # west, south, east, north
MARGIN = 0.05  # township and village centres stay this far inside the extent
GEO_CRS = "EPSG:4490"
SURVEY_CRS = "EPSG:4524"  # CGCS2000 3-degree GK zone 36 (CM 108E), Y with the 36 prefix
SEED = "hazardmon-sample-county-v1"

N_GEOHAZARD = 60
N_FLASH_FLOOD = 40
N_DANGEROUS_ROCK = 20
HAZARD_TYPE_COUNTS = {"landslide": 38, "collapse": 10, "debris_flow": 8, "subsidence": 4}
# Of the 100 CSV sites: 60 in EPSG:4490 (8 of them in DMS), 40 in EPSG:4524.
GEO_ROWS = {"geohazard": 36, "flash_flood": 24}
DMS_ROWS = {"geohazard": 5, "flash_flood": 3}

CODE_PREFIX = {"geohazard": "DZ", "flash_flood": "SH", "dangerous_rock": "WY"}

# (name, is_town) — towns get township codes 101.., townships 201..
TOWNSHIPS = [
    ("青岩镇", True), ("龙潭乡", False), ("黄水镇", True), ("石门乡", False), ("桃源镇", True),
    ("白岩乡", False), ("双河镇", True), ("清溪乡", False), ("木叶乡", False),
]

VILLAGE_STEMS = [
    "红岩", "向阳", "金竹", "杨柳", "大坪", "新华", "凉水", "茶园", "长岭", "关口", "马鞍", "松林",
    "高峰", "桂花", "水井", "石桥", "柏杨", "大湾", "中心", "团结", "双龙", "花园", "青山", "竹林",
    "红星", "光明", "龙井", "三合", "万家", "田坝", "岩口", "枫香", "桐梓", "狮子", "仙鹤", "铜鼓",
    "大河", "鱼泉", "洞口", "新场", "黄桷", "梨子", "核桃", "杉木", "麻柳", "金星", "太平", "永安",
    "坪坝", "龙塘", "石龙", "观音", "白果", "楠木", "火石", "回龙", "天池", "月亮", "上坝", "下坝",
    "官渡", "长坝", "乌龙", "青杠", "板桥", "联合", "民主", "兴隆",
]

SURNAMES = list("张王李刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程冉谭向秦")
GIVEN = list("国建明华军平志强文光德永学成春海兴红英秀芳玉兰桂琴金福贵忠富友发才云德洪林勇家仁")
TERRAIN = ["湾", "坡", "沟", "岩", "坪", "院子", "坎", "垭口", "梁子", "槽", "屋基", "岩脚"]
RIVER_STEMS = [
    "龙潭", "黄水", "清溪", "白岩", "桃花", "石门", "双河", "木叶", "大溪", "小河", "马蹄", "鸭池",
    "板桥", "泉水", "长滩", "乌江", "杉树", "沙坝", "响水", "落鹰",
]
STABILITY = ["欠稳定", "欠稳定", "欠稳定", "基本稳定", "基本稳定", "不稳定"]
FAILURE_MODES = ["倾倒", "滑移", "坠落"]
PHONE_PREFIXES = ["139", "138", "137", "135", "150", "151", "152", "158", "159", "187", "188", "182",
                  "130", "132", "155", "156", "185", "133", "153", "180", "189", "177", "199"]
SCALE_ZH = {"small": "小型", "medium": "中型", "large": "大型", "huge": "特大型"}
RISK_ZH = {"low": "低", "medium": "中", "high": "高", "very_high": "极高"}
HAZARD_ZH = {"landslide": "滑坡", "collapse": "崩塌", "debris_flow": "泥石流", "subsidence": "地面塌陷"}

# Channel templates: (channel, kind, unit, interval_s, min, max)
CH_RAIN = ("L3_YL_1", "rain", "mm", 300, 0, 300)
CH_CRACK = ("L1_LF_1", "crack", "mm", 600, 0, 2000)
CH_GNSS = [("L1_GP_" + a, "gnss", "mm", 3600, -5000, 5000) for a in "XYZ"]
CH_SOIL = ("L3_HS_1", "soil_moisture", "%", 600, 0, 100)
CH_WATER = ("L3_DB_1", "water_level", "m", 300, 0, 30)
CH_MUD = ("L4_NW_1", "mud_level", "m", 60, 0, 20)
CH_TILT = [("L1_QJ_" + a, "tilt", "°", 600, -90, 90) for a in "XY"]

MODEL_RAIN = "YL-01 翻斗雨量计"
MODEL_CRACK = "LF-300 拉线式裂缝计"
MODEL_GNSS = "GNSS-R20 北斗/GNSS监测站"
MODEL_SOIL = "HS-3 管式含水率仪"
MODEL_WATER = "SW-10 雷达水位计"
MODEL_MUD = "NW-20 雷达泥位计"
MODEL_TILT = "QJ-2 倾角计"

# ----------------------------------------------------------------------------------------------------
# Geometry helpers (local spherical approximations; distances of a few km)

EARTH_R = 6371008.8


def offset(lon: float, lat: float, dist_m: float, bearing_deg: float) -> tuple[float, float]:
    """The point dist_m from (lon, lat) on a bearing (0 = north, 90 = east)."""
    b = math.radians(bearing_deg)
    dlat = dist_m * math.cos(b) / EARTH_R
    dlon = dist_m * math.sin(b) / (EARTH_R * math.cos(math.radians(lat)))
    return lon + math.degrees(dlon), lat + math.degrees(dlat)


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_R * math.asin(math.sqrt(h))


def bearing_deg(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.sin(dl) * math.cos(p2)
    x = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(y, x)) + 360) % 360


def compass(bearing: float) -> str:
    return ["北", "东北", "东", "东南", "南", "西南", "西", "西北"][int(((bearing + 22.5) % 360) // 45)]


def inside(lon: float, lat: float, margin: float = 0.0) -> bool:
    w, s, e, n = EXTENT
    return w + margin <= lon <= e - margin and s + margin <= lat <= n - margin


def to_dms(value: float, decimals: int = 1) -> tuple[str, float]:
    """Degrees-minutes-seconds text like 108°12'30.5" and the value that text denotes."""
    scale = 10 ** decimals
    total = round(value * 3600 * scale)  # in units of 1/scale seconds; value > 0 here
    deg, rem = divmod(total, 3600 * scale)
    minutes, secs = divmod(rem, 60 * scale)
    text = f"{deg}°{minutes:02d}'{secs / scale:0{3 + decimals}.{decimals}f}\""
    return text, total / (3600 * scale)


def cs2cs_forward(lonlats: list[tuple[float, float]]) -> list[tuple[str, str]]:
    """EPSG:4490 lon/lat -> EPSG:4524 (X northing, Y easting with the 36 prefix), as mm-rounded strings."""
    if not lonlats:
        return []
    text = "".join(f"{lat:.9f} {lon:.9f}\n" for lon, lat in lonlats)  # EPSG:4490 axis order is lat, lon
    out = subprocess.run(["cs2cs", "-f", "%.3f", GEO_CRS, SURVEY_CRS], input=text, capture_output=True,
                         text=True, check=True).stdout.splitlines()
    if len(out) != len(lonlats):
        raise SystemExit(f"cs2cs returned {len(out)} lines for {len(lonlats)} points")
    result = []
    for line in out:
        parts = line.split()
        if len(parts) < 2 or "*" in parts[0]:
            raise SystemExit(f"cs2cs failed: {line!r}")
        result.append((parts[0], parts[1]))  # northing, easting
    return result


# ----------------------------------------------------------------------------------------------------
# Model


def rng(part: str) -> random.Random:
    return random.Random(f"{SEED}:{part}")


def person_name(r: random.Random) -> str:
    return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2, 2))))


def phone(r: random.Random) -> str:
    return r.choice(PHONE_PREFIXES) + f"{r.randrange(10 ** 8):08d}"


def build_villages() -> tuple[list[dict], list[dict]]:
    """9 townships on a jittered 3x3 grid over the extent, 5-8 villages each near their centre."""
    r = rng("villages")
    w, s, e, n = EXTENT
    stems = VILLAGE_STEMS[:]
    r.shuffle(stems)
    townships, villages = [], []
    town_no, xiang_no = 101, 201
    cells = [(i, j) for j in range(3) for i in range(3)]
    for (name, is_town), (i, j) in zip(TOWNSHIPS, cells):
        if is_town:
            tcode, town_no = town_no, town_no + 1
        else:
            tcode, xiang_no = xiang_no, xiang_no + 1
        cw = (e - w - 2 * MARGIN) / 3
        ch = (n - s - 2 * MARGIN) / 3
        lon = w + MARGIN + cw * (i + r.uniform(0.3, 0.7))
        lat = s + MARGIN + ch * (j + r.uniform(0.3, 0.7))
        t = {"name": name, "code": f"{REGION}{tcode:03d}", "lon": round(lon, 6), "lat": round(lat, 6)}
        townships.append(t)
        for k in range(r.randint(5, 8)):
            while True:  # within 0.08° of the township centre, and MARGIN inside the extent
                vlon = lon + r.uniform(-0.08, 0.08)
                vlat = lat + r.uniform(-0.08, 0.08)
                if math.hypot(vlon - lon, vlat - lat) <= 0.08 and inside(vlon, vlat, MARGIN):
                    break
            villages.append({
                "code": f"{t['code']}{201 + k:03d}", "name": stems.pop() + "村", "township": name,
                "lon": round(vlon, 6), "lat": round(vlat, 6),
            })
    return townships, villages


def place_name(r: random.Random) -> str:
    return r.choice(SURNAMES) + "家" + r.choice(TERRAIN)


def pick_site_location(r: random.Random, village: dict) -> tuple[float, float]:
    """A point 150-2900 m from the village centre (inside the ~3 km the brief allows)."""
    while True:
        lon, lat = offset(village["lon"], village["lat"], r.uniform(150, 2900), r.uniform(0, 360))
        lon, lat = round(lon, 7), round(lat, 7)
        if inside(lon, lat):
            return lon, lat


def pick_shelter(r: random.Random, site: dict, village: dict) -> None:
    """A shelter 350-1450 m from the site (a little inside 300-1500 m), plus the evacuation route to it."""
    stem = village["name"][:-1]
    kind = r.choice(["村委会", "村委会", "小学", "文化广场", "便民服务中心", "安置点"])
    name = {"村委会": f"{village['name']}村委会", "小学": f"{stem}小学", "文化广场": f"{village['name']}文化广场",
            "便民服务中心": f"{village['name']}便民服务中心", "安置点": f"{village['name']}{place_name(r)}安置点"}[kind]
    while True:
        lon, lat = offset(site["lon"], site["lat"], r.uniform(350, 1450), r.uniform(0, 360))
        lon, lat = round(lon, 6), round(lat, 6)
        if inside(lon, lat):
            break
    way = r.choice(["村道", "通组公路", "机耕道", "人行便道", "乡道"])
    direction = compass(bearing_deg(site["lon"], site["lat"], lon, lat))
    site.update(shelter_name=name, shelter_lon=lon, shelter_lat=lat,
                evacuation_route=f"沿{way}向{direction}撤离至{name}")
    cap = max(site["people"] + 20, int(site["people"] * r.uniform(1.3, 2.5)))
    site["shelter_capacity"] = int(math.ceil(cap / 10) * 10)


def common_fields(r: random.Random, site: dict, village: dict, monitors: dict, elev: tuple[int, int]) -> None:
    hh = r.randint(2, 60)
    people = round(hh * r.uniform(3.0, 4.0))
    prop = min(800.0, max(10.0, hh * r.uniform(6, 14)))
    if people >= 150:
        risk = r.choice(["high", "very_high"])
    elif people >= 60:
        risk = r.choice(["medium", "high", "high"])
    else:
        risk = r.choice(["low", "medium", "medium"])
    site.update(elevation=r.randint(elev[0], elev[1]), households=hh, people=people,
                property=round(prop, 1), risk_level=risk)
    if village["code"] not in monitors:
        monitors[village["code"]] = (person_name(r), phone(r))
    site["monitor_name"], site["monitor_phone"] = monitors[village["code"]]
    pick_shelter(r, site, village)


def distribute(r: random.Random, villages: list[dict], n: int) -> list[dict]:
    chosen = [r.choice(villages) for _ in range(n)]
    return sorted(chosen, key=lambda v: v["code"])


def build_sites(villages: list[dict]) -> list[dict]:
    monitors: dict[str, tuple[str, str]] = {}
    rivers: dict[str, list[str]] = {}
    r = rng("rivers")
    river_pool = RIVER_STEMS[:]
    r.shuffle(river_pool)
    for name, _ in TOWNSHIPS:
        rivers[name] = [river_pool.pop() + r.choice(["河", "河", "沟", "溪"]) for _ in range(2)]
    sites: list[dict] = []
    names: set[str] = set()

    def unique_name(make) -> str:
        while True:
            n = make()
            if n not in names:
                names.add(n)
                return n

    # Geohazard points
    r = rng("geohazard")
    types = [t for t, c in HAZARD_TYPE_COUNTS.items() for _ in range(c)]
    r.shuffle(types)
    for i, (v, ht) in enumerate(zip(distribute(r, villages, N_GEOHAZARD), types), start=1):
        lon, lat = pick_site_location(r, v)
        s = {"kind": "geohazard", "code": f"DZ{REGION}-{i:04d}", "township": v["township"],
             "village_code": v["code"], "lon": lon, "lat": lat, "hazard_type": ht,
             "name": unique_name(lambda: f"{v['name']}{place_name(r)}{HAZARD_ZH[ht]}")}
        common_fields(r, s, v, monitors, (420, 1800))
        if ht == "landslide":
            vol = round(r.lognormvariate(math.log(12), 1.1), 1)
            vol = min(max(vol, 0.5), 600.0)
            scale = "small" if vol < 10 else "medium" if vol < 100 else "large" if vol < 1000 else "huge"
        elif ht == "collapse":
            vol = round(r.uniform(0.05, 12), 2)
            scale = "small" if vol < 1 else "medium" if vol < 10 else "large"
        elif ht == "debris_flow":
            vol = round(r.uniform(0.8, 35), 1)
            scale = "small" if vol < 2 else "medium" if vol < 20 else "large"
        else:
            vol = round(r.uniform(0.1, 6), 2)
            scale = r.choice(["small", "small", "medium"])
        s.update(volume=vol, scale=scale, stability=r.choice(STABILITY))
        sites.append(s)

    # Flash-flood points
    r = rng("flash_flood")
    for i, v in enumerate(distribute(r, villages, N_FLASH_FLOOD), start=1):
        lon, lat = pick_site_location(r, v)
        river = r.choice(rivers[v["township"]])
        s = {"kind": "flash_flood", "code": f"SH{REGION}-{i:04d}", "township": v["township"],
             "village_code": v["code"], "lon": lon, "lat": lat, "river": river,
             "name": unique_name(lambda: f"{river}{v['name']}{place_name(r)}段山洪危险区")}
        common_fields(r, s, v, monitors, (300, 900))
        s["section"] = r.choice([f"{v['name']}大桥断面", f"{v['name']}{place_name(r)}河段断面",
                                 f"{v['name'][:-1]}场镇上游断面", f"{place_name(r)}漫水桥断面"])
        s["catchment_km2"] = round(r.uniform(2.5, 120), 2)
        s["scale"] = r.choice(["small", "small", "medium", "large"])
        sites.append(s)

    # Dangerous-rock sites
    r = rng("dangerous_rock")
    for i, v in enumerate(distribute(r, villages, N_DANGEROUS_ROCK), start=1):
        lon, lat = pick_site_location(r, v)
        s = {"kind": "dangerous_rock", "code": f"WY{REGION}-{i:04d}", "township": v["township"],
             "village_code": v["code"], "lon": lon, "lat": lat,
             "name": unique_name(lambda: f"{v['name']}{place_name(r)}{r.choice(['危岩', '危岩体', '危岩带'])}")}
        common_fields(r, s, v, monitors, (500, 1800))
        vol = round(r.lognormvariate(math.log(800), 1.2))
        vol = min(max(vol, 30), 50000)
        s.update(volume_m3=vol, height_m=round(r.uniform(8, 120), 1), failure_mode=r.choice(FAILURE_MODES),
                 scale="small" if vol < 1000 else "medium" if vol < 10000 else "large")
        sites.append(s)

    assign_coordinates(sites)
    return sites


def assign_coordinates(sites: list[dict]) -> None:
    """Decide how each CSV row writes its coordinate; fill x/y for the EPSG:4524 rows through cs2cs."""
    r = rng("coordinates")
    survey = []
    for kind in ("geohazard", "flash_flood"):
        rows = [s for s in sites if s["kind"] == kind]
        order = list(range(len(rows)))
        r.shuffle(order)
        n_geo, n_dms = GEO_ROWS[kind], DMS_ROWS[kind]
        for rank, idx in enumerate(order):
            s = rows[idx]
            if rank < n_dms:
                lon_txt, lon = to_dms(s["lon"], r.choice((1, 1, 2)))
                lat_txt, lat = to_dms(s["lat"], r.choice((1, 1, 2)))
                s.update(crs=GEO_CRS, lon=lon, lat=lat, lon_text=lon_txt, lat_text=lat_txt)
            elif rank < n_geo:
                d = r.choice((6, 7, 7))
                s.update(crs=GEO_CRS, lon=round(s["lon"], d), lat=round(s["lat"], d),
                         lon_text=f"{s['lon']:.{d}f}", lat_text=f"{s['lat']:.{d}f}")
            else:
                s["crs"] = SURVEY_CRS
                survey.append(s)
    for s, (x, y) in zip(survey, cs2cs_forward([(s["lon"], s["lat"]) for s in survey])):
        s["x"], s["y"] = x, y
    for s in sites:
        if s["kind"] == "dangerous_rock":
            s["crs"] = "EPSG:4326"


def build_devices(sites: list[dict]) -> list[dict]:
    """Monitoring points and devices; one dict per channel row of devices.csv."""
    r = rng("devices")
    n_dev = sum(4 for _ in sites)  # upper bound on devices a site gets
    ids = iter(f"{d:08d}" for d in r.sample(range(10_000_000, 100_000_000), n_dev))
    rows = []
    for s in sites:
        points: list[tuple[str, list[tuple[str, list[tuple]]]]] = []  # (point name, [(model, channels)])
        if s["kind"] == "geohazard":
            rain = [(MODEL_RAIN, [CH_RAIN])]
            if r.random() < 0.35:
                rain.append((MODEL_SOIL, [CH_SOIL]))
            points.append(("1号雨量监测点", rain))
            ht = s["hazard_type"]
            if ht == "debris_flow":
                if r.random() < 0.75:
                    points.append(("1号泥位监测点", [(MODEL_MUD, [CH_MUD])]))
                if len(points) == 1 or r.random() < 0.3:
                    points.append(("物源区1号裂缝", [(MODEL_CRACK, [CH_CRACK])]))
            else:
                choice = r.choice(["crack", "crack2", "gnss", "crack+gnss"] if ht == "landslide"
                                  else ["crack", "crack2"])
                if choice.startswith("crack"):
                    points.append(("1号裂缝", [(MODEL_CRACK, [CH_CRACK])]))
                if choice == "crack2":
                    points.append(("2号裂缝", [(MODEL_CRACK, [CH_CRACK])]))
                if "gnss" in choice:
                    points.append(("1号GNSS监测点", [(MODEL_GNSS, CH_GNSS)]))
        elif s["kind"] == "flash_flood":
            points.append(("雨量站", [(MODEL_RAIN, [CH_RAIN])]))
            points.append(("水位站", [(MODEL_WATER, [CH_WATER])]))
        else:
            points.append(("1号倾角监测点", [(MODEL_TILT, CH_TILT)]))
            points.append(("1号裂缝", [(MODEL_CRACK, [CH_CRACK])]))
            if r.random() < 0.4:
                points.append(("2号裂缝", [(MODEL_CRACK, [CH_CRACK])]))
        s["points"] = []
        for pno, (pname, devices) in enumerate(points, start=1):
            surveyed = r.random() < 0.85
            plon, plat = offset(s["lon"], s["lat"], r.uniform(20, 180), r.uniform(0, 360))
            point = {"code": f"JC{pno:02d}", "name": pname,
                     "lon": f"{plon:.6f}" if surveyed else "", "lat": f"{plat:.6f}" if surveyed else "",
                     "devices": []}
            s["points"].append(point)
            for model, channels in devices:
                dev_id = next(ids)
                point["devices"].append({"id": dev_id, "model": model, "channels": channels})
                if s["kind"] == "flash_flood":
                    s["rain_station" if channels[0][1] == "rain" else "water_level_station"] = dev_id
                for ch, kind, unit, interval, lo, hi in channels:
                    rows.append({"site_code": s["code"], "point_code": point["code"], "point_name": pname,
                                 "point_lon": point["lon"], "point_lat": point["lat"], "device_id": dev_id,
                                 "device_model": model, "channel": ch, "kind": kind, "unit": unit,
                                 "interval_s": interval, "min": lo, "max": hi})
    return rows


def build() -> dict:
    """The whole sample county in memory (the checker imports this to know the intended coordinates)."""
    townships, villages = build_villages()
    sites = build_sites(villages)
    devices = build_devices(sites)
    return {"townships": townships, "villages": villages, "sites": sites, "devices": devices}


# ----------------------------------------------------------------------------------------------------
# Writers

COMMON_COLS = ["code", "name", "township", "village_code", "crs", "lon", "lat", "x", "y", "elevation",
               "scale", "households", "people", "property", "risk_level", "shelter_name", "shelter_lon",
               "shelter_lat", "shelter_capacity", "evacuation_route", "monitor_name", "monitor_phone"]
GEOHAZARD_COLS = COMMON_COLS[:5] + ["hazard_type"] + COMMON_COLS[5:] + ["volume", "stability"]
FLASH_COLS = COMMON_COLS + ["river", "section", "catchment_km2", "rain_station", "water_level_station"]
ROCK_PROPS = [c for c in COMMON_COLS if c not in ("crs", "lon", "lat", "x", "y")] + \
    ["volume_m3", "height_m", "failure_mode"]
DEVICE_COLS = ["site_code", "point_code", "point_name", "point_lon", "point_lat", "device_id", "device_model",
               "channel", "kind", "unit", "interval_s", "min", "max"]
# Chinese aliases (sites/README.md), used for flash_flood.csv as a Chinese Excel sheet would have them.
ALIASES = {
    "code": "统一编号", "name": "名称", "township": "乡镇", "village_code": "村代码", "crs": "坐标系",
    "lon": "经度", "lat": "纬度", "x": "X", "y": "Y", "elevation": "高程", "scale": "规模",
    "households": "威胁户数", "people": "威胁人数", "property": "威胁财产", "risk_level": "风险等级",
    "shelter_name": "避险点", "shelter_lon": "避险点经度", "shelter_lat": "避险点纬度",
    "shelter_capacity": "避险点容量", "evacuation_route": "撤离路线", "monitor_name": "监测员",
    "monitor_phone": "监测员电话", "hazard_type": "灾种", "volume": "体积", "stability": "稳定性",
    "river": "河流", "section": "控制断面", "catchment_km2": "集雨面积", "rain_station": "雨量站",
    "water_level_station": "水位站", "volume_m3": "体积", "height_m": "高度", "failure_mode": "破坏模式",
}


def csv_text(header: list[str], rows: list[list], newline: str = "\n") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def write_bytes(path: str, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)


def county_yaml() -> str:
    w, s, e, n = EXTENT
    return (
        "# SYNTHETIC sample county, generated by tools/gen_sample_county.py; do not edit by hand.\n"
        "# 青岩县 does not exist: region code 500999 is not a real GB/T 2260 code, and every name, code,\n"
        "# person and phone number in this folder is made up.\n"
        f"name: {COUNTY_NAME}\n"
        f"region_code: \"{REGION}\"\n"
        f"working_crs: \"{WORKING_CRS}\"   # CGCS2000 3-degree Gauss-Kruger, CM 108E, no zone prefix\n"
        f"time_zone: {TIME_ZONE}\n"
        f"extent: [{w}, {s}, {e}, {n}]   # west, south, east, north (degrees)\n"
    )


def villages_csv(villages: list[dict]) -> bytes:
    return csv_text(["code", "name", "township"],
                    [[v["code"], v["name"], v["township"]] for v in villages]).encode("utf-8")


def site_row(s: dict, cols: list[str], chinese_enums: bool) -> list:
    out = []
    for c in cols:
        if c == "lon":
            v = s.get("lon_text", "") if s["crs"] == GEO_CRS else ""
        elif c == "lat":
            v = s.get("lat_text", "") if s["crs"] == GEO_CRS else ""
        elif c in ("x", "y"):
            v = s.get(c, "") if s["crs"] == SURVEY_CRS else ""
        elif c in ("shelter_lon", "shelter_lat"):
            v = f"{s[c]:.6f}"
        else:
            v = s.get(c, "")
        if chinese_enums:
            v = {"scale": SCALE_ZH, "risk_level": RISK_ZH, "hazard_type": HAZARD_ZH}.get(c, {}).get(v, v)
        out.append(v)
    return out


def write_sample(out_dir: str) -> dict:
    model = build()
    sites = model["sites"]
    os.makedirs(out_dir, exist_ok=True)
    write_bytes(os.path.join(out_dir, "county.yaml"), county_yaml().encode("utf-8"))
    write_bytes(os.path.join(out_dir, "villages.csv"), villages_csv(model["villages"]))

    geo = [s for s in sites if s["kind"] == "geohazard"]
    text = csv_text(GEOHAZARD_COLS, [site_row(s, GEOHAZARD_COLS, False) for s in geo])
    write_bytes(os.path.join(out_dir, "geohazard.csv"), text.encode("utf-8-sig"))

    ff = [s for s in sites if s["kind"] == "flash_flood"]
    text = csv_text([ALIASES[c] for c in FLASH_COLS], [site_row(s, FLASH_COLS, True) for s in ff], "\r\n")
    write_bytes(os.path.join(out_dir, "flash_flood.csv"), text.encode("gb18030"))

    features = []
    for s in (s for s in sites if s["kind"] == "dangerous_rock"):
        props = {}
        for c in ROCK_PROPS:
            v = s.get(c)
            if v is None or v == "":
                continue
            props[c] = v
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]},
                         "properties": props})
    # One feature a line, as GDAL writes GeoJSON: readable, and diffs stay per site.
    text = '{"type": "FeatureCollection", "features": [\n' + ",\n".join(
        json.dumps(f, ensure_ascii=False) for f in features) + "\n]}\n"
    write_bytes(os.path.join(out_dir, "dangerous_rock.geojson"), text.encode("utf-8"))

    text = csv_text(DEVICE_COLS, [[d[c] for c in DEVICE_COLS] for d in model["devices"]])
    write_bytes(os.path.join(out_dir, "devices.csv"), text.encode("utf-8"))

    counts = {k: sum(1 for s in sites if s["kind"] == k) for k in CODE_PREFIX}
    n_devices = len({d["device_id"] for d in model["devices"]})
    n_points = sum(len(s["points"]) for s in sites)
    n_survey = sum(1 for s in sites if s.get("crs") == SURVEY_CRS)
    print(f"{out_dir}: geohazard {counts['geohazard']}, flash_flood {counts['flash_flood']}, "
          f"dangerous_rock {counts['dangerous_rock']}; {len(model['villages'])} villages in "
          f"{len(model['townships'])} townships; {n_points} points, {n_devices} devices, "
          f"{len(model['devices'])} channels; {n_survey} CSV sites in {SURVEY_CRS}")
    return model


# ----------------------------------------------------------------------------------------------------
# Benchmark mode


class NearestVillage:
    """Exact nearest village (equirectangular metric at the county's mid-latitude) via a candidate grid."""

    def __init__(self, villages: list[dict], cells: int = 50):
        w, s, e, n = EXTENT
        self.w, self.s = w, s
        self.k = math.cos(math.radians((s + n) / 2))
        self.cells = cells
        self.dx, self.dy = (e - w) / cells, (n - s) / cells
        self.v = [(vv["lon"] * self.k, vv["lat"], i) for i, vv in enumerate(villages)]
        self.grid = []
        for j in range(cells):
            for i in range(cells):
                x0, x1 = (w + i * self.dx) * self.k, (w + (i + 1) * self.dx) * self.k
                y0, y1 = s + j * self.dy, s + (j + 1) * self.dy
                near, far = [], []
                for vx, vy, idx in self.v:
                    ddx = max(x0 - vx, 0.0, vx - x1)
                    ddy = max(y0 - vy, 0.0, vy - y1)
                    near.append(ddx * ddx + ddy * ddy)
                    fx = max(abs(vx - x0), abs(vx - x1))
                    fy = max(abs(vy - y0), abs(vy - y1))
                    far.append(fx * fx + fy * fy)
                bound = min(far)
                self.grid.append([self.v[t] for t in range(len(self.v)) if near[t] <= bound])

    def __call__(self, lon: float, lat: float) -> int:
        i = min(int((lon - self.w) / self.dx), self.cells - 1)
        j = min(int((lat - self.s) / self.dy), self.cells - 1)
        x = lon * self.k
        best, best_d = -1, float("inf")
        for vx, vy, idx in self.grid[j * self.cells + i]:
            d = (vx - x) ** 2 + (vy - lat) ** 2
            if d < best_d:
                best, best_d = idx, d
        return best


def write_bench(n: int, out_dir: str) -> None:
    t0 = time.monotonic()
    _, villages = build_villages()
    nearest = NearestVillage(villages)
    r = rng(f"bench:{n}")
    os.makedirs(out_dir, exist_ok=True)
    write_bytes(os.path.join(out_dir, "county.yaml"), county_yaml().encode("utf-8"))
    write_bytes(os.path.join(out_dir, "villages.csv"), villages_csv(villages))
    write_bytes(os.path.join(out_dir, "devices.csv"), (",".join(DEVICE_COLS) + "\n").encode("utf-8"))
    width = max(4, len(str(n)))
    w, s, e, nn = EXTENT
    types = ["landslide"] * 6 + ["collapse"] * 2 + ["debris_flow", "subsidence"]
    scales = ["small"] * 6 + ["medium"] * 3 + ["large"]
    risks = ["low", "medium", "medium", "high", "very_high"]
    header = ["code", "name", "township", "village_code", "crs", "lon", "lat", "hazard_type", "elevation",
              "scale", "households", "people", "risk_level"]
    site_buf = io.StringIO()
    sw = csv.writer(site_buf, lineterminator="\n")
    sw.writerow(header)
    ogr_buf = io.StringIO()
    ow = csv.writer(ogr_buf, lineterminator="\n")
    ow.writerow(["code", "name", "x", "y"])
    rand, randint, choice = r.random, r.randint, r.choice
    for k in range(1, n + 1):
        lon = w + (e - w) * rand()
        lat = s + (nn - s) * rand()
        lon_t, lat_t = f"{lon:.7f}", f"{lat:.7f}"
        v = villages[nearest(float(lon_t), float(lat_t))]
        ht = choice(types)
        code = f"DZ{REGION}-{k:0{width}d}"
        name = f"{v['name']}{k}号{HAZARD_ZH[ht]}"
        hh = randint(0, 60)
        sw.writerow([code, name, v["township"], v["code"], GEO_CRS, lon_t, lat_t, ht, randint(300, 1800),
                     choice(scales), hh, hh * 3 + randint(0, hh), choice(risks)])
        ow.writerow([code, name, lon_t, lat_t])
    write_bytes(os.path.join(out_dir, "geohazard.csv"), site_buf.getvalue().encode("utf-8"))
    ogr_path = os.path.join(os.path.dirname(os.path.abspath(out_dir)), "ogr_points.csv")
    write_bytes(ogr_path, ogr_buf.getvalue().encode("utf-8"))
    print(f"{out_dir}: bench geohazard {n}, flash_flood 0, dangerous_rock 0; {len(villages)} villages in "
          f"{len(TOWNSHIPS)} townships; 0 devices, 0 channels; {ogr_path}: {n} points; "
          f"{time.monotonic() - t0:.2f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", help="output folder (default: sites/ of this repository)")
    ap.add_argument("--bench", type=int, metavar="N", help="write N uniform geohazard sites for benchmarks")
    a = ap.parse_args()
    if a.bench is not None:
        if not a.out:
            ap.error("--bench needs --out DIR")
        if a.bench < 1:
            ap.error("--bench N needs N >= 1")
        write_bench(a.bench, a.out)
    else:
        out = a.out or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sites")
        write_sample(out)


if __name__ == "__main__":
    main()
