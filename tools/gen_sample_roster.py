#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
'''Generate the sample county's contact roster, roster/contacts.csv, from the register in sites/.

    tools/gen_sample_roster.py                 # reads sites/villages.csv, writes roster/contacts.csv
    tools/gen_sample_roster.py --sites DIR --out FILE

Everything here is SYNTHETIC: every name is drawn at random (seeded, so the output is deterministic) and
every mobile number is 1380000xxxx, numbered in file order, obviously fake but shaped like a real one.

What it writes (roster/README.md gives the numbers):
* every village: one monitor (群测群防员) and one village head (村主任), and one grid worker (网格员), except
  that in every fifth village the head is also the grid worker (role `village_head;grid_worker`);
* every township: two township duty officers (乡镇值班员) and one maintainer (运维人员);
* the county: two county duty officers (县值班员) and two maintainers, one of whom reads English.
Channels name the gateways of roster/policy.yaml: sms and voice for people in villages and townships, with
the file gateway `journal` added for the county.
'''
import argparse
import csv
import pathlib
import random

ROOT = pathlib.Path(__file__).resolve().parent.parent
SURNAMES = list("张王李刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程冉谭向秦")
GIVEN = list("明华建国平军红英芳勇强伟丽敏静洪志春秋成兴德富贵玉兰桂梅林海燕霞云")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", default=str(ROOT / "sites"))
    parser.add_argument("--out", default=str(ROOT / "roster" / "contacts.csv"))
    args = parser.parse_args()

    with open(pathlib.Path(args.sites) / "villages.csv", encoding="utf-8-sig", newline="") as f:
        villages = list(csv.DictReader(f))
    r = random.Random("hazardmon sample roster")
    used = set()

    def name():
        while True:
            n = r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2, 2))))
            if n not in used:
                used.add(n)
                return n

    rows = []

    def add(scope, role, channels, language="zh"):
        mobile = "1380000%04d" % (len(rows) + 1)
        rows.append([scope, name(), role, mobile, channels, language])

    for index, village in enumerate(villages):
        add(village["code"], "monitor", "sms;voice")
        if index % 5 == 4:
            add(village["code"], "village_head;grid_worker", "voice;sms")
        else:
            add(village["code"], "village_head", "voice;sms")
            add(village["code"], "grid_worker", "sms")
    townships = list(dict.fromkeys(v["township"] for v in villages))
    for township in townships:
        add(township, "township_duty", "voice;sms")
        add(township, "township_duty", "sms;voice")
        add(township, "maintainer", "sms")
    add("county", "county_duty", "voice;sms;journal")
    add("county", "county_duty", "voice;sms;journal")
    add("county", "maintainer", "sms;journal")
    add("county", "maintainer", "sms;journal", "en")

    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["scope", "name", "role", "mobile", "channels", "language"])
        w.writerows(rows)
    print(f"{out}: {len(rows)} contacts, {len(villages)} villages, {len(townships)} townships")


if __name__ == "__main__":
    main()
