#!/usr/bin/env python3
"""Write the GeoArrow fixtures of the geometry plugin (deterministic; pyarrow 26.0.1, shapely 2.1.2).

Usage: python testdata/make_geo_fixtures.py

Writes testdata/geo/:
  geo.arrow         an IPC file of 12 rows: `wkb` (geoarrow.wkb with a crs, every geometry type
                    mixed), one native column per type (geoarrow.point ... multipolygon, interleaved
                    coordinates) and `point_sep`, `polygon_sep` (separated coordinates). Row 5 is
                    null in every geometry column, row 7 empty (a NaN point for points).
  expected.json     shapely's per-row bounds, area, length and centroid of every geometry column,
                    and its total bounds: the independent answers the plugin is checked against.
  invalid_wkb.arrow a geoarrow.wkb column whose row 3 is truncated WKB.
  spherical.arrow   a geoarrow.wkb column whose metadata says "edges": "spherical".

The extension metadata is set by hand (ARROW:extension:name / ARROW:extension:metadata), as the
GeoArrow specification lays it out, so no GeoArrow Python package is needed.
"""

import json
import math
import os

import numpy as np
import pyarrow as pa
import shapely
from shapely import wkt

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "geo")
CRS = json.dumps({"crs": "OGC:CRS84", "crs_type": "authority_code"})
N = 12
NULL_ROW, EMPTY_ROW = 5, 7


def rng_shapes(seed):
    """Per type, 12 deterministic shapes with holes, several parts and negative coordinates."""
    rng = np.random.default_rng(seed)

    def pt():
        return [round(float(v), 3) for v in rng.uniform(-50, 50, 2)]

    def ring(cx, cy, r, n):
        angles = np.sort(rng.uniform(0, 2 * math.pi, n))
        pts = [[round(cx + r * math.cos(a), 3), round(cy + r * math.sin(a), 3)] for a in angles]
        return pts + [pts[0]]

    def poly():
        cx, cy = pt()
        r = float(rng.uniform(2, 10))
        rings = [ring(cx, cy, r, int(rng.integers(4, 9)))]
        if rng.uniform() < 0.5:
            rings.append(ring(cx, cy, r / 4, 4)[::-1])
        return shapely.Polygon(rings[0], rings[1:])

    def line():
        return shapely.LineString([pt() for _ in range(int(rng.integers(2, 6)))])

    return {
        "point": [shapely.Point(pt()) for _ in range(N)],
        "linestring": [line() for _ in range(N)],
        "polygon": [poly() for _ in range(N)],
        "multipoint": [shapely.MultiPoint([pt() for _ in range(int(rng.integers(1, 5)))]) for _ in range(N)],
        "multilinestring": [shapely.MultiLineString([line() for _ in range(int(rng.integers(1, 4)))]) for _ in range(N)],
        "multipolygon": [shapely.MultiPolygon([poly() for _ in range(int(rng.integers(1, 4)))]) for _ in range(N)],
    }


EMPTY = {
    "point": shapely.Point(),
    "linestring": wkt.loads("LINESTRING EMPTY"),
    "polygon": wkt.loads("POLYGON EMPTY"),
    "multipoint": wkt.loads("MULTIPOINT EMPTY"),
    "multilinestring": wkt.loads("MULTILINESTRING EMPTY"),
    "multipolygon": wkt.loads("MULTIPOLYGON EMPTY"),
}


def xy(c):
    return [float(c[0]), float(c[1])]


def nested(g, kind):
    """A shapely geometry as the Python lists of its GeoArrow native layout."""
    if g is None:
        return None
    if kind == "point":
        return [math.nan, math.nan] if g.is_empty else xy(g.coords[0])
    if kind == "linestring":
        return [xy(c) for c in g.coords]
    if kind == "multipoint":
        return [xy(p.coords[0]) for p in g.geoms]
    rings = lambda p: [] if p.is_empty else [[xy(c) for c in r.coords] for r in [p.exterior, *p.interiors]]
    if kind == "polygon":
        return rings(g)
    if kind == "multilinestring":
        return [[xy(c) for c in l.coords] for l in g.geoms]
    return [rings(p) for p in g.geoms]


def native_type(kind, separated=False):
    coord = (
        pa.struct([pa.field("x", pa.float64(), False), pa.field("y", pa.float64(), False)])
        if separated
        else pa.list_(pa.field("xy", pa.float64(), False), 2)
    )
    lst = lambda name, t: pa.list_(pa.field(name, t, False))
    return {
        "point": coord,
        "linestring": lst("vertices", coord),
        "polygon": lst("rings", lst("vertices", coord)),
        "multipoint": lst("points", coord),
        "multilinestring": lst("linestrings", lst("vertices", coord)),
        "multipolygon": lst("polygons", lst("rings", lst("vertices", coord))),
    }[kind]


def separate(value, depth):
    """Interleaved [x, y] pairs to {x, y} structs, `depth` list levels down."""
    if value is None:
        return None
    if depth == 0:
        return {"x": value[0], "y": value[1]}
    return [separate(v, depth - 1) for v in value]


def geo_field(name, storage, extension, metadata=CRS):
    return pa.field(name, storage, True, {"ARROW:extension:name": extension, "ARROW:extension:metadata": metadata})


def measures(geoms):
    def num(v):
        return None if v is None or math.isnan(v) else float(v)

    rows = []
    for g in geoms:
        if g is None:
            rows.append(None)
            continue
        b = [num(v) for v in shapely.bounds(g)]
        c = shapely.centroid(g)
        rows.append({
            "bounds": None if b[0] is None else b,
            "area": float(shapely.area(g)),
            "length": float(shapely.length(g)),
            "centroid": None if c.is_empty else [float(c.x), float(c.y)],
        })
    present = [g for g in geoms if g is not None and not g.is_empty]
    total = [float(v) for v in shapely.total_bounds(present)] if present else None
    return {"rows": rows, "total_bounds": total}


def write(path, table):
    with pa.ipc.new_file(path, table.schema) as w:
        w.write_table(table)


def main():
    os.makedirs(OUT, exist_ok=True)
    shapes = rng_shapes(20261121)
    columns, fields, expected = [], [], {}
    for kind, geoms in shapes.items():
        geoms = list(geoms)
        geoms[NULL_ROW] = None
        geoms[EMPTY_ROW] = EMPTY[kind]
        shapes[kind] = geoms
    # The WKB column mixes every type, row by row.
    kinds = list(shapes)
    mixed = [shapes[kinds[i % len(kinds)]][i] for i in range(N)]
    fields.append(pa.field("id", pa.int32(), False))
    columns.append(pa.array(range(N), pa.int32()))
    fields.append(geo_field("wkb", pa.binary(), "geoarrow.wkb"))
    columns.append(pa.array([None if g is None else shapely.to_wkb(g, byte_order=1) for g in mixed], pa.binary()))
    expected["wkb"] = measures(mixed)
    for kind, geoms in shapes.items():
        t = native_type(kind)
        fields.append(geo_field(kind, t, f"geoarrow.{kind}"))
        columns.append(pa.array([nested(g, kind) for g in geoms], t))
        expected[kind] = measures(geoms)
    depth = {"point": 0, "polygon": 2}
    for kind in ["point", "polygon"]:
        t = native_type(kind, separated=True)
        fields.append(geo_field(f"{kind}_sep", t, f"geoarrow.{kind}"))
        columns.append(pa.array([separate(nested(g, kind), depth[kind]) for g in shapes[kind]], t))
        expected[f"{kind}_sep"] = expected[kind]
    write(os.path.join(OUT, "geo.arrow"), pa.Table.from_arrays(columns, schema=pa.schema(fields)))
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)

    wkbs = [shapely.to_wkb(g, byte_order=1) for g in shapes["polygon"] if g is not None][:6]
    wkbs[3] = wkbs[3][: len(wkbs[3]) // 2]
    bad = pa.table([pa.array(wkbs, pa.binary())], schema=pa.schema([geo_field("geometry", pa.binary(), "geoarrow.wkb")]))
    write(os.path.join(OUT, "invalid_wkb.arrow"), bad)
    spherical = pa.table(
        [pa.array(wkbs[:2], pa.binary())],
        schema=pa.schema([geo_field("geometry", pa.binary(), "geoarrow.wkb", json.dumps({"edges": "spherical"}))]),
    )
    write(os.path.join(OUT, "spherical.arrow"), spherical)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
