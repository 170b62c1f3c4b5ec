#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Independent check of the sample county register in sites/ against sites/README.md.

Reads the files the way an importer would (encodings, Chinese header aliases, DMS, per-row CRS), takes the
column names and aliases from the README's own tables, inverts the EPSG:4524 rows with cs2cs and compares
them with the coordinates tools/gen_sample_county.py intended (imported from its build()). Prints every
problem and exits non-zero if there is one.

    tools/check_sample_county.py [DIR]     # default: sites/ of this repository
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import gen_sample_county as gen  # noqa: E402  (only for the intended coordinates and village centres)

problems: list[str] = []


def fail(msg: str) -> None:
    problems.append(msg)


# ---------------------------------------------------------------------------------------------------
# Column names and aliases, from the README tables

def readme_tables(path: str) -> dict[str, dict[str, tuple[str, str]]]:
    """section heading -> {column: (alias, required-text)} for every `| `col` | `alias` | req |` row."""
    tables: dict[str, dict[str, tuple[str, str]]] = {}
    section = ""
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or line.startswith("**"):
            section = line.strip("#* \n")
            continue
        m = re.match(r"\|\s*(`[^|]+`)\s*\|\s*(`[^|]+`)\s*\|\s*([^|]+)\|", line)
        if not m:
            continue
        cols = re.findall(r"`([^`]+)`", m.group(1))
        aliases = re.findall(r"`([^`]+)`", m.group(2))
        for c, a in zip(cols, aliases):
            tables.setdefault(section, {})[c] = (a, m.group(3).strip())
    return tables


TABLES = readme_tables(os.path.join(ROOT, "sites", "README.md"))


def columns_for(*sections: str) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for want in sections:
        hits = [k for k in TABLES if k.startswith(want)]
        if len(hits) != 1:
            raise SystemExit(f"README section {want!r}: found {hits}")
        out.update(TABLES[hits[0]])
    return out


COMMON = columns_for("Site files: columns every kind has")
COLS = {
    "villages": columns_for("`villages.csv`"),
    "geohazard": {**COMMON, **columns_for("Geohazard points")},
    "flash_flood": {**COMMON, **columns_for("Flash-flood points")},
    "dangerous_rock": {**COMMON, **columns_for("Dangerous-rock sites")},
    "devices": columns_for("`devices.csv`"),
}


def read_csv(path: str, kind: str, expect: str) -> list[dict]:
    raw = open(path, "rb").read()
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8-sig")
        enc = "utf-8-bom" if bom else "utf-8"
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
        enc = "gb18030"
    if enc != expect:
        fail(f"{path}: encoding {enc}, expected {expect}")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [h.strip() for h in rows[0]]
    allowed = {}
    for col, (alias, _) in COLS[kind].items():
        allowed[col.lower()] = col
        allowed[alias.lower()] = col
    names = []
    for h in header:
        if h.lower() not in allowed:
            fail(f"{path}: unknown column {h!r}")
        names.append(allowed.get(h.lower(), h))
    if len(set(names)) != len(names):
        fail(f"{path}: a column appears twice: {names}")
    out = []
    for n, r in enumerate(rows[1:], start=2):
        if len(r) != len(names):
            fail(f"{path}:{n}: {len(r)} fields, header has {len(names)}")
        d = dict(zip(names, (v.strip() for v in r)))
        d["_where"] = f"{os.path.basename(path)}:{n}"
        for col, (_, req) in COLS[kind].items():
            if req == "yes" and not d.get(col):
                fail(f"{d['_where']}: {col}: missing required field")
        out.append(d)
    return out


# ---------------------------------------------------------------------------------------------------

ENUM = {
    "scale": {"small": "small", "medium": "medium", "large": "large", "huge": "huge",
              "小型": "small", "中型": "medium", "大型": "large", "特大型": "huge"},
    "risk_level": {"low": "low", "medium": "medium", "high": "high", "very_high": "very_high",
                   "低": "low", "中": "medium", "高": "high", "极高": "very_high"},
    "hazard_type": {"landslide": "landslide", "collapse": "collapse", "debris_flow": "debris_flow",
                    "subsidence": "subsidence", "滑坡": "landslide", "崩塌": "collapse", "泥石流": "debris_flow",
                    "地面塌陷": "subsidence"},
}
UNITS = {"rain": {"mm"}, "crack": {"mm"}, "gnss": {"mm"}, "deep_displacement": {"mm"}, "water_level": {"m"},
         "mud_level": {"m"}, "groundwater": {"m"}, "tilt": {"°", "deg"}, "acceleration": {"mg"},
         "soil_moisture": {"%"}, "pore_pressure": {"kPa"}, "earth_pressure": {"kPa"}, "vibration": {"Hz"},
         "temperature": {"℃", "°C", "degC"}}
DMS = re.compile(r"""^(\d+)°(\d+)'(\d+(?:\.\d+)?)"$""")


def parse_deg(text: str) -> tuple[float, bool]:
    m = DMS.match(text)
    if m:
        d, mi, s = m.groups()
        return int(d) + int(mi) / 60 + float(s) / 3600, True
    return float(text), False


def dist_m(lon1, lat1, lon2, lat2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


def cs2cs_inverse(xy: list[tuple[str, str]]) -> list[tuple[float, float]]:
    if not xy:
        return []
    out = subprocess.run(["cs2cs", "-f", "%.10f", "EPSG:4524", "EPSG:4490"],
                         input="".join(f"{x} {y}\n" for x, y in xy), capture_output=True, text=True,
                         check=True).stdout.splitlines()
    nan = float("nan")  # cs2cs prints "*" for a point it cannot transform
    return [(float(l.split()[1]), float(l.split()[0])) if "*" not in l else (nan, nan) for l in out]  # lon, lat


def main() -> int:
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "sites")
    w, s, e, n = gen.EXTENT
    inside = lambda lon, lat: w <= lon <= e and s <= lat <= n  # noqa: E731
    model = gen.build()
    intended = {x["code"]: x for x in model["sites"]}
    centres = {v["code"]: v for v in model["villages"]}

    files = sorted(f for f in os.listdir(d) if not f.startswith("."))
    expected = {"README.md", "county.yaml", "villages.csv", "geohazard.csv", "flash_flood.csv",
                "dangerous_rock.geojson", "devices.csv"}
    if set(files) != expected:
        fail(f"{d}: files {files}, expected {sorted(expected)}")

    # county.yaml: flat keys only, so a line parser is enough here
    y = {}
    for line in open(os.path.join(d, "county.yaml"), encoding="utf-8"):
        line = line.split("#", 1)[0].strip()
        if line:
            k, v = line.split(":", 1)
            y[k.strip()] = v.strip().strip('"')
    want = {"name": "青岩县（示例）", "region_code": "500999", "working_crs": "EPSG:4545",
            "time_zone": "Asia/Shanghai", "extent": "[107.6, 29.6, 108.6, 30.6]"}
    if y != want:
        fail(f"county.yaml: {y} != {want}")

    villages = read_csv(os.path.join(d, "villages.csv"), "villages", "utf-8")
    vil = {}
    townships: dict[str, set] = {}
    for v in villages:
        if not re.fullmatch(r"500999\d{6}", v["code"]):
            fail(f"{v['_where']}: code {v['code']}")
        if v["code"] in vil:
            fail(f"{v['_where']}: duplicate village code")
        vil[v["code"]] = v
        townships.setdefault(v["township"], set()).add(v["code"][:9])
    if len(townships) != 9 or not 50 <= len(villages) <= 65:
        fail(f"villages: {len(townships)} townships, {len(villages)} villages")
    per_tship = {t: sum(1 for v in villages if v["township"] == t) for t in townships}
    if any(not 5 <= c <= 8 for c in per_tship.values()):
        fail(f"villages per township: {per_tship}")
    if any(len(c) != 1 for c in townships.values()) or len({next(iter(c)) for c in townships.values()}) != 9:
        fail(f"township codes not one per township: {townships}")
    for v in model["villages"]:
        t = next(t for t in model["townships"] if t["name"] == v["township"])
        if math.hypot(v["lon"] - t["lon"], v["lat"] - t["lat"]) > 0.08 + 1e-9:
            fail(f"village {v['code']} centre {v['lon']},{v['lat']} > 0.08° from its township")
        for p in (v, t):
            if not (w + 0.05 <= p["lon"] <= e - 0.05 and s + 0.05 <= p["lat"] <= n - 0.05):
                fail(f"centre of {p['name']} within 0.05° of the extent's edge")

    sites = read_csv(os.path.join(d, "geohazard.csv"), "geohazard", "utf-8-bom")
    sites += read_csv(os.path.join(d, "flash_flood.csv"), "flash_flood", "gb18030")
    gj_raw = open(os.path.join(d, "dangerous_rock.geojson"), "rb").read()
    gj = json.loads(gj_raw.decode("utf-8"))
    if gj_raw.startswith(b"\xef\xbb\xbf") or gj.get("type") != "FeatureCollection" or "crs" in gj:
        fail("dangerous_rock.geojson: not a plain RFC 7946 FeatureCollection")
    allowed_props = set(COLS["dangerous_rock"]) - {"crs", "lon", "lat", "x", "y"}
    for i, f in enumerate(gj["features"]):
        g = f["geometry"]
        if f.get("type") != "Feature" or g.get("type") != "Point" or len(g["coordinates"]) != 2:
            fail(f"dangerous_rock.geojson:feature {i}: not a Point feature")
        extra = set(f["properties"]) - allowed_props
        if extra:
            fail(f"dangerous_rock.geojson:feature {i}: unknown properties {extra}")
        row = {k: str(v) for k, v in f["properties"].items()}
        row.update(_where=f"dangerous_rock.geojson:feature {i}", crs="EPSG:4326",
                   _lonlat=tuple(g["coordinates"]))
        sites.append(row)

    codes = set()
    survey_rows, n_geo, n_dms, n_csv = [], 0, 0, 0
    kinds = {"DZ": "geohazard", "SH": "flash_flood", "WY": "dangerous_rock"}
    count = {k: 0 for k in kinds.values()}
    for r in sites:
        wh, code = r["_where"], r["code"]
        kind = kinds.get(code[:2])
        if not re.fullmatch(r"(DZ|SH|WY)500999-\d{4}", code) or not wh.startswith(kind):
            fail(f"{wh}: code {code} does not fit the scheme or its file")
        count[kind] += 1
        if code in codes:
            fail(f"{wh}: duplicate site code {code}")
        codes.add(code)
        v = vil.get(r["village_code"])
        if v is None:
            fail(f"{wh}: unknown village {r['village_code']}")
        elif v["township"] != r["township"]:
            fail(f"{wh}: township {r['township']} != village's {v['township']}")
        for col, table in ENUM.items():
            if r.get(col) and r[col] not in table:
                fail(f"{wh}: {col}: bad value {r[col]!r}")
        want = intended[code]
        if r["crs"] == "EPSG:4490":
            n_geo += 1
            lon, dms1 = parse_deg(r["lon"])
            lat, dms2 = parse_deg(r["lat"])
            n_dms += dms1
            if dms1 != dms2:
                fail(f"{wh}: lon and lat in different notations")
            if r["x"] or r["y"]:
                fail(f"{wh}: x/y filled on a geographic row")
            if abs(lon - want["lon"]) > 1e-6 or abs(lat - want["lat"]) > 1e-6:
                fail(f"{wh}: lon/lat {lon},{lat} != intended {want['lon']},{want['lat']}")
        elif r["crs"] == "EPSG:4524":
            if r["lon"] or r["lat"]:
                fail(f"{wh}: lon/lat filled on a projected row")
            if not (re.fullmatch(r"\d{7}\.\d{3}", r["x"]) and re.fullmatch(r"36\d{6}\.\d{3}", r["y"])):
                fail(f"{wh}: X {r['x']} Y {r['y']} not a zone-36 survey pair to the millimetre")
            survey_rows.append(r)
            lon, lat = want["lon"], want["lat"]  # replaced after the batch inversion below
        elif r["crs"] == "EPSG:4326":
            lon, lat = r["_lonlat"]
            if abs(lon - want["lon"]) > 1e-9 or abs(lat - want["lat"]) > 1e-9:
                fail(f"{wh}: coordinates differ from intended")
        else:
            fail(f"{wh}: crs {r['crs']}")
            continue
        if r["crs"] != "EPSG:4326":
            n_csv += 1
        r["_lon"], r["_lat"] = lon, lat

    for r, (lon, lat) in zip(survey_rows, cs2cs_inverse([(r["x"], r["y"]) for r in survey_rows])):
        want = intended[r["code"]]
        if not (abs(lon - want["lon"]) <= 1e-6 and abs(lat - want["lat"]) <= 1e-6):
            fail(f"{r['_where']}: X/Y invert to {lon:.9f},{lat:.9f}, intended {want['lon']},{want['lat']}")
        r["_lon"], r["_lat"] = lon, lat

    worst_inv = 0.0
    for r in survey_rows:
        want = intended[r["code"]]
        worst_inv = max(worst_inv, abs(r["_lon"] - want["lon"]), abs(r["_lat"] - want["lat"]))

    for r in sites:
        wh = r["_where"]
        lon, lat = r["_lon"], r["_lat"]
        if not inside(lon, lat):
            fail(f"{wh}: site outside the extent")
            continue
        c = centres.get(r["village_code"])
        if c and dist_m(lon, lat, c["lon"], c["lat"]) > 3000:
            fail(f"{wh}: {dist_m(lon, lat, c['lon'], c['lat']):.0f} m from its village centre")
        slon, slat = float(r["shelter_lon"]), float(r["shelter_lat"])
        if not r["shelter_name"] or not inside(slon, slat):
            fail(f"{wh}: shelter missing or outside the extent")
        sd = dist_m(lon, lat, slon, slat)
        if not 300 <= sd <= 1500:
            fail(f"{wh}: shelter {sd:.0f} m from the site")
        hh, people = int(r["households"]), int(r["people"])
        if not (2 <= hh <= 60 and 3 * hh - 1 <= people <= 4 * hh + 1):
            fail(f"{wh}: households {hh} people {people}")
        if not 10 <= float(r["property"]) <= 800 or not 300 <= float(r["elevation"]) <= 1800:
            fail(f"{wh}: property or elevation out of range")
        if not re.fullmatch(r"1\d{10}", r["monitor_phone"]) or not r["monitor_name"]:
            fail(f"{wh}: monitor {r['monitor_name']} {r['monitor_phone']}")
        if int(r["shelter_capacity"]) < people:
            fail(f"{wh}: shelter smaller than the threatened population")
        if r["shelter_name"] not in r["evacuation_route"]:
            fail(f"{wh}: the route does not lead to the shelter")

    if count != {"geohazard": 60, "flash_flood": 40, "dangerous_rock": 20}:
        fail(f"site counts {count}")
    if not (0.5 <= n_geo / n_csv <= 0.7 and 5 <= n_dms <= 10):
        fail(f"CSV CRS mix: {n_geo}/{n_csv} in EPSG:4490, {n_dms} in DMS")

    # devices.csv
    devs = read_csv(os.path.join(d, "devices.csv"), "devices", "utf-8")
    by_site = {r["code"]: r for r in sites}
    device_home: dict[str, tuple] = {}
    channels: set[tuple[str, str]] = set()
    points: dict[tuple[str, str], tuple] = {}
    site_kinds: dict[str, set] = {}
    site_devs: dict[str, dict[str, str]] = {}
    for r in devs:
        wh = r["_where"]
        if r["site_code"] not in by_site:
            fail(f"{wh}: unknown site {r['site_code']}")
        if not re.fullmatch(r"\d{8}", r["device_id"]):
            fail(f"{wh}: device id {r['device_id']}")
        home = (r["site_code"], r["point_code"], r["device_model"])
        if device_home.setdefault(r["device_id"], home) != home:
            fail(f"{wh}: device {r['device_id']} on two points or with two models")
        pt = (r["point_name"], r["point_lon"], r["point_lat"])
        if points.setdefault((r["site_code"], r["point_code"]), pt) != pt:
            fail(f"{wh}: point {r['point_code']} described two ways")
        if (r["device_id"], r["channel"]) in channels:
            fail(f"{wh}: duplicate channel")
        channels.add((r["device_id"], r["channel"]))
        if r["unit"] not in UNITS.get(r["kind"], ()):
            fail(f"{wh}: unit {r['unit']} for kind {r['kind']}")
        if not 1 <= int(r["interval_s"]) <= 259200 or not float(r["min"]) < float(r["max"]):
            fail(f"{wh}: interval or range")
        if r["point_lon"] and not inside(float(r["point_lon"]), float(r["point_lat"])):
            fail(f"{wh}: point outside the extent")
        site_kinds.setdefault(r["site_code"], set()).add(r["kind"])
        site_devs.setdefault(r["site_code"], {})[r["kind"]] = r["device_id"]
    for code, site in by_site.items():
        np = sum(1 for (sc, _) in points if sc == code)
        if not 1 <= np <= 3:
            fail(f"{code}: {np} monitoring points")
        k = site_kinds.get(code, set())
        if code.startswith("DZ") and not ("rain" in k and k & {"crack", "gnss", "mud_level"}):
            fail(f"{code}: geohazard devices {k}")
        if code.startswith("SH"):
            if k != {"rain", "water_level"}:
                fail(f"{code}: flash-flood devices {k}")
            if (site["rain_station"], site["water_level_station"]) != \
                    (site_devs[code].get("rain"), site_devs[code].get("water_level")):
                fail(f"{code}: station codes do not match its devices")
        if code.startswith("WY") and not {"tilt", "crack"} <= k:
            fail(f"{code}: dangerous-rock devices {k}")

    for p in problems:
        print(p)
    n_dev = len(device_home)
    print(f"{'FAIL' if problems else 'OK'}: {len(villages)} villages, {len(sites)} sites "
          f"({n_geo} of {n_csv} CSV rows in EPSG:4490, {n_dms} DMS, {len(survey_rows)} in EPSG:4524, "
          f"worst X/Y inversion error {worst_inv:.1e}°), {len(points)} points, {n_dev} devices, "
          f"{len(devs)} channels; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
