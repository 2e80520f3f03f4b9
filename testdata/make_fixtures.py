#!/usr/bin/env python3
"""Write small, deterministic Arrow IPC fixtures for the test suites.

Usage: python testdata/make_fixtures.py [OUT_DIR]

OUT_DIR defaults to the ``ipc`` folder beside this script. Every value is
derived from fixed seeds / constants, so re-running produces byte-identical
files (verify with ``sha256sum testdata/ipc/*``).
"""

import decimal
import json
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

N_PRIM = 128  # rows in primitives / nested tables

WORDS = [
    "", "alpha", "héllo wörld", "日本語テキスト", "😀 emoji", "Ωmega", "naïve café",
    "Привет", "مرحبا", "tab\there", "new\nline", "zero\x00byte", "ascii", "ß",
]


def null_mask(n, period, offset):
    """Boolean mask (True = null); rows 0..3 are always valid."""
    i = np.arange(n)
    return (i % period == offset) & (i >= 4)


def apply_mask(values, mask):
    return [None if m else v for v, m in zip(values, mask)]


# --------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------

def primitives_table(n=N_PRIM, seed=1):
    rng = np.random.default_rng(seed)
    cols = {}
    k = [0]

    def nm():
        # a different null pattern per column, each with some nulls
        k[0] += 1
        return null_mask(n, 5 + (k[0] % 7), k[0] % 5)

    for name, np_t, pa_t in [
        ("int8", np.int8, pa.int8()), ("int16", np.int16, pa.int16()),
        ("int32", np.int32, pa.int32()), ("int64", np.int64, pa.int64()),
        ("uint8", np.uint8, pa.uint8()), ("uint16", np.uint16, pa.uint16()),
        ("uint32", np.uint32, pa.uint32()), ("uint64", np.uint64, pa.uint64()),
    ]:
        info = np.iinfo(np_t)
        vals = rng.integers(info.min, info.max, size=n, dtype=np_t, endpoint=True)
        vals[0], vals[1], vals[2] = info.min, info.max, 0
        cols[name] = pa.array(vals, type=pa_t, mask=nm())

    f16 = rng.standard_normal(n).astype(np.float16) * np.float16(100)
    f16[0], f16[1], f16[2], f16[3] = np.inf, -np.inf, -0.0, np.finfo(np.float16).max
    cols["float16"] = pa.array(f16, type=pa.float16(), mask=nm())
    f32 = (rng.standard_normal(n) * 1e6).astype(np.float32)
    f32[0], f32[1], f32[2], f32[3] = np.inf, -np.inf, -0.0, np.finfo(np.float32).max
    cols["float32"] = pa.array(f32, type=pa.float32(), mask=nm())
    f64 = rng.standard_normal(n) * 1e12
    f64[0], f64[1], f64[2], f64[3] = np.inf, -np.inf, -0.0, np.finfo(np.float64).tiny
    cols["float64"] = pa.array(f64, type=pa.float64(), mask=nm())

    cols["bool"] = pa.array(rng.random(n) < 0.5, type=pa.bool_(), mask=nm())

    def words():
        idx = rng.integers(0, len(WORDS), size=(n, 2))
        out = [WORDS[a] + ("" if b % 3 else " " + WORDS[b]) for a, b in idx]
        out[0] = ""
        return out

    cols["utf8"] = pa.array(apply_mask(words(), nm()), type=pa.utf8())
    cols["large_utf8"] = pa.array(apply_mask(words(), nm()), type=pa.large_utf8())

    def blobs():
        lens = rng.integers(0, 17, size=n)
        out = [rng.bytes(int(l)) for l in lens]
        out[0] = b""
        return out

    cols["binary"] = pa.array(apply_mask(blobs(), nm()), type=pa.binary())
    cols["large_binary"] = pa.array(apply_mask(blobs(), nm()), type=pa.large_binary())
    cols["fixed_size_binary4"] = pa.array(
        apply_mask([rng.bytes(4) for _ in range(n)], nm()), type=pa.binary(4))

    days = rng.integers(-50_000, 50_000, size=n).astype(np.int32)
    cols["date32"] = pa.array(days, type=pa.date32(), mask=nm())
    days64 = rng.integers(-50_000, 50_000, size=n).astype(np.int64) * 86_400_000
    cols["date64"] = pa.array(days64, type=pa.date64(), mask=nm())
    cols["time32_ms"] = pa.array(
        rng.integers(0, 86_400_000, size=n).astype(np.int32), type=pa.time32("ms"), mask=nm())
    cols["time64_us"] = pa.array(
        rng.integers(0, 86_400_000_000, size=n).astype(np.int64), type=pa.time64("us"), mask=nm())

    secs = rng.integers(-2_000_000_000, 4_000_000_000, size=n).astype(np.int64)
    cols["timestamp_s"] = pa.array(secs, type=pa.timestamp("s"), mask=nm())
    cols["timestamp_ms"] = pa.array(secs * 1000 + rng.integers(0, 1000, size=n),
                                    type=pa.timestamp("ms"), mask=nm())
    cols["timestamp_us"] = pa.array(secs * 1_000_000 + rng.integers(0, 1_000_000, size=n),
                                    type=pa.timestamp("us"), mask=nm())
    cols["timestamp_ns"] = pa.array(secs * 1_000_000_000 + rng.integers(0, 1_000_000_000, size=n),
                                    type=pa.timestamp("ns"), mask=nm())
    cols["timestamp_us_utc"] = pa.array(secs * 1_000_000 + rng.integers(0, 1_000_000, size=n),
                                        type=pa.timestamp("us", tz="UTC"), mask=nm())
    cols["timestamp_ns_paris"] = pa.array(secs * 1_000_000_000 + rng.integers(0, 1_000_000_000, size=n),
                                          type=pa.timestamp("ns", tz="Europe/Paris"), mask=nm())
    cols["duration_ms"] = pa.array(rng.integers(-10**12, 10**12, size=n).astype(np.int64),
                                   type=pa.duration("ms"), mask=nm())

    # build from strings: Decimal arithmetic would round to the 28-digit context
    d1 = [decimal.Decimal(f"{int(v)}E-2") for v in rng.integers(-10**10 + 1, 10**10, size=n)]
    d1[0], d1[1] = decimal.Decimal("99999999.99"), decimal.Decimal("-99999999.99")
    cols["decimal128_10_2"] = pa.array(apply_mask(d1, nm()), type=pa.decimal128(10, 2))
    d2 = [decimal.Decimal(f"{int(a) * 10**19 + int(b)}E-10")
          for a, b in zip(rng.integers(-10**18, 10**18, size=n), rng.integers(0, 10**19, size=n,
                                                                              dtype=np.uint64))]
    d2[0] = decimal.Decimal("9" * 28 + "." + "9" * 10)
    d2[1] = decimal.Decimal("-" + "9" * 28 + "." + "9" * 10)
    cols["decimal128_38_10"] = pa.array(apply_mask(d2, nm()), type=pa.decimal128(38, 10))

    fields = []
    for name, arr in cols.items():
        assert arr.null_count > 0, name
        md = None
        if name == "int32":
            md = {"description": "a 32-bit signed integer", "unit": "count", "note": "ünïcödé"}
        fields.append(pa.field(name, arr.type, nullable=True, metadata=md))
    schema = pa.schema(fields, metadata={"fixture": "primitives",
                                         "generator": "testdata/make_fixtures.py"})
    return pa.Table.from_arrays(list(cols.values()), schema=schema)


def nested_table(n=N_PRIM, seed=2):
    rng = np.random.default_rng(seed)

    def maybe(p=0.1):
        return rng.random() < p

    list_i32, large_list_s, fsl, structs, maps = [], [], [], [], []
    for i in range(n):
        # list<int32>
        if i >= 4 and maybe():
            list_i32.append(None)
        else:
            list_i32.append([None if maybe() else int(v)
                             for v in rng.integers(-2**31, 2**31, size=int(rng.integers(0, 5)))])
        # large_list<utf8>
        if i >= 4 and maybe():
            large_list_s.append(None)
        else:
            large_list_s.append([None if maybe() else WORDS[int(j)]
                                 for j in rng.integers(0, len(WORDS), size=int(rng.integers(0, 4)))])
        # fixed_size_list<float64, 3>
        if i >= 4 and maybe():
            fsl.append(None)
        else:
            fsl.append([None if maybe() else float(v) for v in rng.standard_normal(3)])
        # struct<a: int32, b: utf8, c: list<bool>>
        if i >= 4 and maybe():
            structs.append(None)
        else:
            c = None if maybe(0.15) else [None if maybe() else bool(v)
                                          for v in rng.random(int(rng.integers(0, 4))) < 0.5]
            structs.append({
                "a": None if maybe(0.15) else int(rng.integers(-1000, 1000)),
                "b": None if maybe(0.15) else WORDS[int(rng.integers(0, len(WORDS)))],
                "c": c,
            })
        # map<utf8, int64>
        if i >= 4 and maybe():
            maps.append(None)
        else:
            nkeys = int(rng.integers(0, 4))
            maps.append([(f"k{j}", None if maybe() else int(rng.integers(-10**15, 10**15)))
                         for j in range(nkeys)])

    # make sure every level has at least one null
    list_i32[0] = [1, None, 3]
    large_list_s[0] = ["ä", None, ""]
    fsl[0] = [1.0, None, -0.0]
    structs[0] = {"a": None, "b": "x", "c": [True, None, False]}
    structs[1] = {"a": 1, "b": None, "c": None}
    structs[2] = {"a": 2, "b": "", "c": []}
    maps[0] = [("k0", None), ("ключ", 7)]
    maps[1] = []

    struct_t = pa.struct([pa.field("a", pa.int32()), pa.field("b", pa.utf8()),
                          pa.field("c", pa.list_(pa.bool_()))])
    cols = {
        "list_int32": pa.array(list_i32, type=pa.list_(pa.int32())),
        "large_list_utf8": pa.array(large_list_s, type=pa.large_list(pa.utf8())),
        "fixed_size_list_float64_3": pa.array(fsl, type=pa.list_(pa.float64(), 3)),
        "struct": pa.array(structs, type=struct_t),
        "map_utf8_int64": pa.array(maps, type=pa.map_(pa.utf8(), pa.int64())),
    }
    for name, arr in cols.items():
        assert arr.null_count > 0, name
    schema = pa.schema([pa.field(k, v.type) for k, v in cols.items()],
                       metadata={"fixture": "nested"})
    return pa.Table.from_arrays(list(cols.values()), schema=schema)


DICT_WORDS = ["red", "green", "blue", "cyan", "magenta", "yellow", "black", "白", "ünïcode", ""]


def dict_batch(schema, n, rng, dict32, dict8, batch_no):
    m32 = null_mask(n, 7, batch_no % 7)
    m8 = null_mask(n, 9, (batch_no + 3) % 9)
    i32 = pa.array(rng.integers(0, len(dict32), size=n).astype(np.int32), mask=m32)
    i8 = pa.array(rng.integers(0, len(dict8), size=n).astype(np.int8), mask=m8)
    ids = pa.array(np.arange(n, dtype=np.int64) + batch_no * 1000)
    return pa.record_batch([
        ids,
        pa.DictionaryArray.from_arrays(i32, dict32),
        pa.DictionaryArray.from_arrays(i8, dict8),
    ], schema=schema)


def dict_schema(name):
    return pa.schema([
        pa.field("id", pa.int64()),
        pa.field("dict_int32_utf8", pa.dictionary(pa.int32(), pa.utf8())),
        pa.field("dict_int8_utf8", pa.dictionary(pa.int8(), pa.utf8())),
    ], metadata={"fixture": name})


def multibatch_batches():
    rng = np.random.default_rng(5)
    schema = pa.schema([
        pa.field("i64", pa.int64()), pa.field("f64", pa.float64()),
        pa.field("s", pa.utf8()), pa.field("ts", pa.timestamp("us")),
    ], metadata={"fixture": "multibatch"})
    batches = []
    start = 0
    for b, n in enumerate([37, 128, 0, 1, 90]):
        m = null_mask(n, 6, b % 6) if n > 4 else np.zeros(n, dtype=bool)
        if n > 4:
            m[n - 1] = True  # guarantee at least one null per non-trivial batch
        idx = np.arange(start, start + n, dtype=np.int64)
        batches.append(pa.record_batch([
            pa.array(idx, mask=m),
            pa.array(rng.standard_normal(n), mask=np.roll(m, 1)),
            pa.array(apply_mask([f"row-{i}-{WORDS[i % len(WORDS)]}" for i in idx], np.roll(m, 2)),
                     type=pa.utf8()),
            pa.array(1_600_000_000_000_000 + idx * 1_234_567, type=pa.timestamp("us"),
                     mask=np.roll(m, 3)),
        ], schema=schema))
        start += n
    return schema, batches


def empty_schema():
    return pa.schema([
        pa.field("i64", pa.int64()), pa.field("s", pa.utf8()),
        pa.field("l", pa.list_(pa.int32())),
    ], metadata={"fixture": "empty"})


def compressible_table():
    """primitives + rows cycling through its first 40 rows, 2000 rows in all.

    Repetitive enough that compression actually shrinks buffers.
    Returned as a single chunk so batches can span the repeats.
    """
    prim = primitives_table()
    rep = prim.take(pa.array(np.arange(2000 - prim.num_rows) % 40))
    return pa.concat_tables([prim, rep]).combine_chunks()


def combined_table():
    prim, nested = primitives_table(), nested_table()
    assert prim.num_rows == nested.num_rows
    names = set(prim.column_names)
    assert not names & set(nested.column_names)
    fields = list(prim.schema) + list(nested.schema)
    md = {"fixture": "primitives+nested", "generator": "testdata/make_fixtures.py"}
    return pa.Table.from_arrays(prim.columns + nested.columns,
                                schema=pa.schema(fields, metadata=md))


# --------------------------------------------------------------------------
# writers
# --------------------------------------------------------------------------

def write_file(path, schema, batches, options=None):
    with pa.ipc.new_file(path, schema, options=options) as w:
        for b in batches:
            w.write_batch(b)


def write_stream(path, schema, batches, options=None):
    with pa.ipc.new_stream(path, schema, options=options) as w:
        for b in batches:
            w.write_batch(b)


def write_both(out, stem, schema, batches, options=None):
    write_file(os.path.join(out, stem + ".arrow"), schema, batches, options)
    write_stream(os.path.join(out, stem + ".arrows"), schema, batches, options)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "ipc")
    os.makedirs(out, exist_ok=True)
    P = lambda name: os.path.join(out, name)  # noqa: E731
    compression = {}  # file name -> compression codec for MANIFEST

    # primitives / nested: one batch each
    prim = primitives_table()
    write_both(out, "primitives", prim.schema, prim.to_batches())
    assert len(prim.to_batches()) == 1
    nested = nested_table()
    write_both(out, "nested", nested.schema, nested.to_batches())
    assert len(nested.to_batches()) == 1

    # dictionary: same dictionary across 3 batches
    schema = dict_schema("dictionary")
    rng = np.random.default_rng(3)
    d32 = pa.array(DICT_WORDS, type=pa.utf8())
    d8 = pa.array(["low", "mid", "high", "ünïcode"], type=pa.utf8())
    batches = [dict_batch(schema, n, rng, d32, d8, b) for b, n in enumerate([100, 60, 140])]
    write_both(out, "dictionary", schema, batches)
    with pa.ipc.open_file(P("dictionary.arrow")) as r:
        [r.get_batch(i) for i in range(r.num_record_batches)]
        assert r.stats.num_replaced_dictionaries == 0 and r.stats.num_dictionary_deltas == 0

    # dictionary replacement stream: a different dictionary in every batch
    schema = dict_schema("dictionary_replacement")
    rng = np.random.default_rng(4)
    batches = []
    for b, n in enumerate([50, 80, 70]):
        d32 = pa.array([f"{w}#{b}" for w in DICT_WORDS[b:b + 6]], type=pa.utf8())
        d8 = pa.array([f"v{b}-{j}" for j in range(3 + b)], type=pa.utf8())
        batches.append(dict_batch(schema, n, rng, d32, d8, b))
    write_stream(P("dictionary_replacement.arrows"), schema, batches)
    with pa.ipc.open_stream(P("dictionary_replacement.arrows")) as r:
        list(r)
        assert r.stats.num_replaced_dictionaries > 0, r.stats
        assert r.stats.num_dictionary_deltas == 0, r.stats

    # dictionary delta stream: each dictionary extends the previous one
    schema = dict_schema("dictionary_delta")
    rng = np.random.default_rng(5)
    batches = []
    for b, n in enumerate([40, 90, 60]):
        d32 = pa.array(DICT_WORDS[:4 + 3 * b], type=pa.utf8())
        d8 = pa.array([f"level-{j}" for j in range(2 + 2 * b)], type=pa.utf8())
        batches.append(dict_batch(schema, n, rng, d32, d8, b))
    write_stream(P("dictionary_delta.arrows"), schema, batches,
                 pa.ipc.IpcWriteOptions(emit_dictionary_deltas=True))
    with pa.ipc.open_stream(P("dictionary_delta.arrows")) as r:
        got = pa.Table.from_batches(list(r), schema=schema)
        assert r.stats.num_dictionary_deltas > 0, r.stats
        assert r.stats.num_replaced_dictionaries == 0, r.stats
    assert got.equals(pa.Table.from_batches(batches, schema=schema))

    # multibatch: 5 batches of differing sizes, one empty
    schema, batches = multibatch_batches()
    write_both(out, "multibatch", schema, batches)

    # empty: zero batches; empty_batch: one 0-row batch
    schema = empty_schema()
    write_both(out, "empty", schema, [])
    write_file(P("empty_batch.arrow"), schema,
               [pa.record_batch([pa.array([], type=f.type) for f in schema], schema=schema)])

    # compressed IPC (3 batches: 800 + 800 + 400 rows)
    comp = compressible_table()
    comp_batches = comp.to_batches(max_chunksize=800)
    assert len(comp_batches) >= 2
    for codec in ("lz4", "zstd"):
        write_both(out, codec, comp.schema, comp_batches,
                   pa.ipc.IpcWriteOptions(compression=codec))
        compression[codec + ".arrow"] = compression[codec + ".arrows"] = codec

    # feather v2
    comb = combined_table()
    for codec, name in (("lz4", "feather_lz4.feather"), ("zstd", "feather_zstd.feather"),
                        ("uncompressed", "feather_uncompressed.feather")):
        feather.write_feather(comb, P(name), compression=codec, version=2)
        compression[name] = "none" if codec == "uncompressed" else codec

    # legacy / V4 metadata
    v4 = pa.ipc.MetadataVersion.V4
    write_stream(P("legacy_v4.arrows"), prim.schema, prim.to_batches(),
                 pa.ipc.IpcWriteOptions(metadata_version=v4, use_legacy_format=True))
    write_file(P("v4.arrow"), prim.schema, prim.to_batches(),
               pa.ipc.IpcWriteOptions(metadata_version=v4))

    # not-arrow inputs
    small = pa.table({"x": pa.array([1, 2, None], type=pa.int64()),
                      "y": pa.array(["a", None, "c"])})
    pq.write_table(small, P("not_arrow.parquet"), compression="snappy")
    with open(P("not_arrow.bin"), "wb") as f:
        f.write(b"HELLO" + np.random.default_rng(99).bytes(59))

    # MANIFEST.json
    manifest = []
    for name in sorted(os.listdir(out)):
        if name.startswith("not_arrow") or not name.endswith((".arrow", ".arrows", ".feather")):
            continue
        path = P(name)
        if name.endswith(".arrows"):
            with pa.ipc.open_stream(path) as r:
                batches = list(r)
            fmt, nb, nr = "arrow-stream", len(batches), sum(b.num_rows for b in batches)
        else:
            with pa.ipc.open_file(path) as r:
                nb = r.num_record_batches
                nr = sum(r.get_batch(i).num_rows for i in range(nb))
            fmt = "arrow-file"
        manifest.append({"file": name, "format": fmt, "num_rows": nr, "num_batches": nb,
                         "compression": compression.get(name, "none")})
    with open(P("MANIFEST.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
