#!/usr/bin/env python3
"""Write small, deterministic legacy Feather v1 (``FEA1``) fixtures.

Usage: python testdata/make_feather_v1.py [OUT_DIR]

OUT_DIR defaults to the ``feather_v1`` folder beside this script. Every file is
``pyarrow.feather.write_feather(table, path, version=1)`` of a table built from
fixed seeds and constants, so re-running gives byte-identical files with the
same pyarrow (26.0.1 wrote the committed ones). ``MANIFEST.json`` lists each
file with its row count and columns as ``pyarrow.feather.read_table`` reports
them (that read is the oracle the Rust tests compare against).

What pyarrow refuses to write as v1 (checked at the end of this script, so a
pyarrow that starts writing one of them is noticed): float16, date64, time64,
duration, decimal, fixed_size_binary, the view types, nested types, tables
with a column in more than one chunk, and duplicate column names. A null-type
column is written as an all-null utf8 column and reads back as ``string``.
"""

import datetime
import decimal
import json
import os
import sys
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather

# Writing and reading v1 warns that the format is deprecated: that is the point here.
warnings.simplefilter("ignore", DeprecationWarning)

N = 64  # rows in most fixtures
N_ALL = 24  # rows in all_types, which has a column of every kind

WORDS = [
    "", "alpha", "héllo wörld", "日本語", "😀 emoji", "Ωmega", "naïve café",
    "tab\there", "new\nline", "zero\x00byte", "ß",
]


def mask(n, period, offset):
    """True = null; every column gets a different pattern, rows 0..2 always valid."""
    i = np.arange(n)
    return (i % period == offset) & (i >= 3)


def with_nulls(values, period, offset):
    return [None if m else v for v, m in zip(values, mask(len(values), period, offset))]


# --------------------------------------------------------------------------
# columns by family
# --------------------------------------------------------------------------

def bool_columns(n, rng):
    vals = rng.integers(0, 2, size=n).astype(bool).tolist()
    return {
        "bool": pa.array(with_nulls(vals, 5, 1), pa.bool_()),
        "bool_no_nulls": pa.array(vals, pa.bool_()),
    }


def integer_columns(n, rng):
    cols = {}
    for k, (name, np_t, pa_t) in enumerate([
        ("int8", np.int8, pa.int8()), ("int16", np.int16, pa.int16()),
        ("int32", np.int32, pa.int32()), ("int64", np.int64, pa.int64()),
        ("uint8", np.uint8, pa.uint8()), ("uint16", np.uint16, pa.uint16()),
        ("uint32", np.uint32, pa.uint32()), ("uint64", np.uint64, pa.uint64()),
    ]):
        info = np.iinfo(np_t)
        vals = rng.integers(info.min, info.max, size=n, dtype=np_t, endpoint=True).tolist()
        vals[0], vals[1] = int(info.min), int(info.max)
        cols[name] = pa.array(with_nulls(vals, 4 + k % 5, k % 4), pa_t)
    cols["int32_no_nulls"] = pa.array(list(range(-n // 2, n - n // 2)), pa.int32())
    return cols


def float_columns(n, rng):
    special = [float("inf"), float("-inf"), -0.0, 0.0, 1e-300, 3.4e38]
    f64 = special + rng.normal(size=n - len(special)).tolist()
    f32 = special[:4] + rng.normal(size=n - 4).astype(np.float32).tolist()
    return {
        "float32": pa.array(with_nulls(f32, 6, 2), pa.float32()),
        "float64": pa.array(with_nulls(f64, 7, 3), pa.float64()),
    }


def string_columns(n, rng):
    words = [WORDS[i] for i in rng.integers(0, len(WORDS), size=n)]
    blobs = [bytes(rng.integers(0, 256, size=i % 9, dtype=np.uint8)) for i in range(n)]
    return {
        "utf8": pa.array(with_nulls(words, 5, 4), pa.string()),
        "large_utf8": pa.array(with_nulls(words[::-1], 6, 0), pa.large_string()),
        "binary": pa.array(with_nulls(blobs, 7, 1), pa.binary()),
        "large_binary": pa.array(with_nulls(blobs[::-1], 4, 2), pa.large_binary()),
        "utf8_no_nulls": pa.array(words, pa.string()),
    }


def dictionary_columns(n, rng):
    levels = pa.array(["red", "green", "blue", "ünïcode", ""])
    codes = rng.integers(0, len(levels), size=n).tolist()

    def dict_col(index_type, values, period, offset, ordered=False):
        idx = pa.array(with_nulls(codes, period, offset), index_type)
        return pa.DictionaryArray.from_arrays(idx, values, ordered=ordered)

    return {
        "dict_int32_utf8": dict_col(pa.int32(), levels, 5, 0),
        "dict_int8_utf8_ordered": dict_col(pa.int8(), levels, 6, 1, ordered=True),
        "dict_int16_utf8": dict_col(pa.int16(), levels, 7, 2),
        "dict_int64_utf8": dict_col(pa.int64(), levels, 4, 3),
        "dict_uint8_utf8": dict_col(pa.uint8(), levels, 5, 2),
        "dict_uint32_large_utf8": dict_col(pa.uint32(), levels.cast(pa.large_string()), 6, 5),
        "dict_int32_int64": dict_col(pa.int32(), pa.array([10, -20, 30, 2**40, 0], pa.int64()), 8, 7),
        "dict_int8_binary": dict_col(pa.int8(), pa.array([b"\x00", b"ab", b"", b"\xff\xfe", b"z"]), 5, 3),
        "dict_no_nulls": pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), levels),
    }


def temporal_columns(n, rng):
    cols = {}
    base = {"s": 1_700_000_000, "ms": 1_700_000_000_000, "us": 1_700_000_000_000_000,
            "ns": 1_700_000_000_000_000_000}
    for k, unit in enumerate(["s", "ms", "us", "ns"]):
        vals = (base[unit] + rng.integers(-10**6, 10**6, size=n) * (k + 1)).tolist()
        vals[0] = -base[unit]  # before the epoch
        cols[f"timestamp_{unit}"] = pa.array(with_nulls(vals, 5 + k, k), pa.timestamp(unit))
        for tz in ["UTC", "Europe/Paris", "+05:30"]:
            name = f"timestamp_{unit}_{tz.replace('/', '_').replace('+', 'plus').replace(':', '')}"
            cols[name] = pa.array(with_nulls(vals[::-1], 6 + k, k + 1), pa.timestamp(unit, tz))
    days = rng.integers(-100_000, 100_000, size=n).tolist()
    cols["date32"] = pa.array(with_nulls(days, 5, 2), pa.date32())
    cols["time32_s"] = pa.array(with_nulls(rng.integers(0, 86_400, size=n).tolist(), 6, 3), pa.time32("s"))
    cols["time32_ms"] = pa.array(with_nulls(rng.integers(0, 86_400_000, size=n).tolist(), 7, 4),
                                 pa.time32("ms"))
    return cols


def null_columns(n):
    return {
        "null": pa.nulls(n, pa.null()),
        "all_null_int64": pa.nulls(n, pa.int64()),
        "all_null_utf8": pa.nulls(n, pa.string()),
        "all_null_bool": pa.nulls(n, pa.bool_()),
        "all_null_dict": pa.DictionaryArray.from_arrays(pa.nulls(n, pa.int32()), pa.array(["a", "b"])),
        "all_null_timestamp": pa.nulls(n, pa.timestamp("ms", "UTC")),
    }


# --------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------

def table_of(cols):
    return pa.table(cols)


def sliced_table(rng):
    """Arrays that are slices of larger ones: the writer shifts validity bitmaps and writes
    string offsets that do not start at zero."""
    n = 50
    full = {}
    full.update(integer_columns(n, rng))
    full.update(string_columns(n, rng))
    full.update(bool_columns(n, rng))
    full.update(dictionary_columns(n, rng))
    return pa.table({k: v.slice(5, 37) for k, v in full.items()})


def empty_table():
    return pa.table({
        "int64": pa.array([], pa.int64()),
        "utf8": pa.array([], pa.string()),
        "large_binary": pa.array([], pa.large_binary()),
        "bool": pa.array([], pa.bool_()),
        "dict": pa.DictionaryArray.from_arrays(pa.array([], pa.int8()), pa.array([], pa.string())),
        "timestamp": pa.array([], pa.timestamp("us", "UTC")),
        "null": pa.array([], pa.null()),
    })


def pandas_frame():
    """A DataFrame as pandas users write it: categoricals (one ordered), datetimes with and
    without a time zone, strings, nullable and plain numbers, booleans."""
    n = 40
    rng = np.random.default_rng(7)
    fruit = ["apple", "banana", "cherry", None]
    return pd.DataFrame({
        "category": pd.Categorical([fruit[i] for i in rng.integers(0, 4, size=n)]),
        "ordered_category": pd.Categorical(
            [["low", "mid", "high"][i] for i in rng.integers(0, 3, size=n)],
            categories=["low", "mid", "high"], ordered=True),
        "int_category": pd.Categorical([int(i) * 10 for i in rng.integers(0, 5, size=n)]),
        "datetime": pd.to_datetime(1_600_000_000 + rng.integers(0, 10**7, size=n), unit="s"),
        "datetime_tz": pd.to_datetime(1_600_000_000_000 + rng.integers(0, 10**10, size=n),
                                      unit="ms").tz_localize("UTC").tz_convert("America/New_York"),
        "datetime_nat": pd.to_datetime([None if i % 4 == 3 else 1_600_000_000 + i * 3600
                                        for i in range(n)], unit="s"),
        "string": [None if i % 5 == 4 else f"row {i} ü" for i in range(n)],
        "int64": rng.integers(-1000, 1000, size=n),
        "nullable_int": pd.array([None if i % 6 == 5 else i for i in range(n)], dtype="Int32"),
        "float": [None if i % 7 == 6 else i / 4 for i in range(n)],
        "bool": rng.integers(0, 2, size=n).astype(bool),
    })


def no_columns_with_rows():
    return pa.table({"x": pa.array([1, 2, 3])}).drop_columns(["x"])


def duplicate_names(path):
    """pyarrow refuses to write duplicate names in v1; rename ``dup_b`` to ``dup_a`` in the bytes
    (same length, so the flatbuffer stays valid). pyarrow still reads the result."""
    t = pa.table({"dup_a": pa.array([1, 2, 3], pa.int32()), "other": pa.array(["x", "y", "z"]),
                  "dup_b": pa.array([4.5, None, 6.5])})
    feather.write_feather(t, path, version=1)
    with open(path, "rb") as f:
        data = f.read()
    assert data.count(b"dup_b") == 1
    with open(path, "wb") as f:
        f.write(data.replace(b"dup_b", b"dup_a"))


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def refused_types():
    """What pyarrow's v1 writer refuses, as {type: error}; asserted so a change is noticed."""
    out = {}
    cases = {
        "float16": pa.array([1.0], pa.float16()),
        "date64": pa.array([1], pa.date64()),
        "time64[us]": pa.array([1], pa.time64("us")),
        "time64[ns]": pa.array([1], pa.time64("ns")),
        "duration[s]": pa.array([1], pa.duration("s")),
        "decimal128(5, 2)": pa.array([decimal.Decimal("1.50")], pa.decimal128(5, 2)),
        "fixed_size_binary[2]": pa.array([b"ab"], pa.binary(2)),
        "string_view": pa.array(["a"], pa.string_view()),
        "list<int64>": pa.array([[1]]),
        "struct": pa.array([{"a": 1}]),
    }
    path = os.devnull
    for name, arr in cases.items():
        try:
            feather.write_feather(pa.table({"c": arr}), path, version=1)
        except (pa.ArrowException, ValueError, TypeError) as e:
            out[name] = f"{type(e).__name__}: {e}"
    chunked = pa.Table.from_batches([pa.record_batch({"a": [1]}), pa.record_batch({"a": [2]})])
    try:
        feather.write_feather(chunked, path, version=1)
    except pa.ArrowException as e:
        out["chunked column"] = f"{type(e).__name__}: {e}"
    try:
        feather.write_feather(pa.table([[1], [2]], names=["a", "a"]), path, version=1)
    except ValueError as e:
        out["duplicate names"] = f"{type(e).__name__}: {e}"
    missing = set(cases) | {"chunked column", "duplicate names"}
    missing -= set(out)
    assert not missing, f"pyarrow now writes {missing} as Feather v1: add fixtures for them"
    return out


def main(argv):
    out_dir = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                         "feather_v1")
    os.makedirs(out_dir, exist_ok=True)
    rng = lambda seed: np.random.default_rng(seed)  # noqa: E731

    tables = {
        "bool": table_of(bool_columns(N, rng(1))),
        "integers": table_of(integer_columns(N, rng(2))),
        "floats": table_of(float_columns(N, rng(3))),
        "strings": table_of(string_columns(N, rng(4))),
        "dictionary": table_of(dictionary_columns(N, rng(5))),
        "temporal": table_of(temporal_columns(32, rng(6))),
        "nulls": table_of(null_columns(N)),
        "sliced": sliced_table(rng(8)),
        "empty": empty_table(),
        "no_columns": pa.table({}),
        "no_columns_with_rows": no_columns_with_rows(),
        "one_row": table_of({k: v.slice(0, 1) for k, v in {
            **integer_columns(4, rng(9)), **string_columns(4, rng(9)), **dictionary_columns(4, rng(9))}.items()}),
    }
    all_cols = {}
    for i, fam in enumerate([bool_columns, integer_columns, float_columns, string_columns,
                             dictionary_columns, temporal_columns]):
        all_cols.update(fam(N_ALL, rng(100 + i)))
    all_cols.update(null_columns(N_ALL))
    tables["all_types"] = table_of(all_cols)

    written = []
    for name, table in tables.items():
        path = os.path.join(out_dir, f"{name}.feather")
        feather.write_feather(table, path, version=1)
        written.append(f"{name}.feather")
    feather.write_feather(pandas_frame(), os.path.join(out_dir, "pandas.feather"), version=1)
    written.append("pandas.feather")
    duplicate_names(os.path.join(out_dir, "duplicate_names.feather"))
    written.append("duplicate_names.feather")

    manifest = []
    for file in written:
        path = os.path.join(out_dir, file)
        with open(path, "rb") as f:
            data = f.read()
        assert data[:4] == b"FEA1" and data[-4:] == b"FEA1", file
        t = feather.read_table(path)
        manifest.append({
            "file": file,
            "bytes": len(data),
            "num_rows": t.num_rows,
            "columns": [{"name": f.name, "type": str(f.type), "nullable": f.nullable} for f in t.schema],
        })
    with open(os.path.join(out_dir, "MANIFEST.json"), "w", encoding="utf-8") as f:
        json.dump({"pyarrow": pa.__version__, "refused_by_pyarrow_v1_writer": refused_types(),
                   "files": manifest}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    for m in manifest:
        print(f"{m['file']:28} {m['bytes']:6} bytes {m['num_rows']:4} rows {len(m['columns']):3} columns")


if __name__ == "__main__":
    main(sys.argv)
