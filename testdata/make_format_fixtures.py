#!/usr/bin/env python3
"""Write the Parquet, pandas, CSV and NDJSON fixtures (deterministic, pyarrow 26.0.1, pandas 3.1.1).

Usage: python testdata/make_format_fixtures.py

Writes beside this script:
  parquet/  one file per codec (pyarrow's "lz4" is LZ4_RAW) and per writer option, each of the
            primitives+nested table of make_fixtures.py or a 2000-row table with a dictionary
            column; MANIFEST.json lists them with what pyarrow reports.
  pandas/   DataFrame.to_parquet and DataFrame.to_feather outputs of one frame.
  csv/      CSV text and, per file, NAME.expected.arrow: pyarrow's read of it with explicit column
            types, the oracle for reads given the same schema.
  ndjson/   NDJSON events with nested objects and arrays, and NAME.expected.arrow likewise.
"""

import datetime
import json
import os
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.json as pjson
import pyarrow.parquet as pq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import combined_table, compressible_table  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def out(*parts):
    p = os.path.join(HERE, *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def write_expected(table, path):
    with pa.ipc.new_file(path, table.schema) as w:
        w.write_table(table)


def with_dictionary(t):
    colors = ["red", "green", "blue", "白", ""]
    idx = pa.array(np.arange(t.num_rows) % len(colors), type=pa.int32())
    mask = pa.array((np.arange(t.num_rows) % 11) == 5)
    d = pa.DictionaryArray.from_arrays(pa.compute.if_else(mask, pa.scalar(None, pa.int32()), idx),
                                       pa.array(colors))
    return t.append_column(pa.field("color", d.type), d)


def parquet_fixtures():
    combined = combined_table()
    big = with_dictionary(compressible_table())
    files = {}

    def put(name, table, **kw):
        path = out("parquet", name)
        pq.write_table(table, path, **kw)
        md = pq.ParquetFile(path).metadata
        files[name] = {
            "rows": table.num_rows,
            "row_groups": md.num_row_groups,
            "codecs": sorted({md.row_group(0).column(i).compression
                              for i in range(md.num_columns)}) if md.num_row_groups else [],
            "options": {k: str(v) for k, v in kw.items()},
        }

    for codec in ["none", "snappy", "gzip", "brotli", "lz4", "zstd"]:
        put(f"codec_{codec}.parquet", combined, compression=codec)
    put("gzip_level9.parquet", combined, compression="gzip", compression_level=9)
    put("zstd_level19.parquet", combined, compression="zstd", compression_level=19)
    put("row_groups.parquet", big, compression="snappy", row_group_size=300, data_page_size=4096)
    put("no_dictionary.parquet", big, compression="zstd", use_dictionary=False)
    put("no_statistics.parquet", big, compression="snappy", write_statistics=False)
    put("data_page_v2.parquet", big, compression="lz4", data_page_version="2.0")
    put("format_1_0.parquet", combined.select([c for c in combined.column_names
                                                if not c.startswith(("float16", "uint", "timestamp_ns",
                                                                     "duration", "time64", "large", "fixed"))]),
        compression="snappy", version="1.0")
    kv = combined.replace_schema_metadata({"fixture": "kv", "owner": "ünïcode ✓"})
    put("kv_metadata.parquet", kv, compression="snappy")
    put("empty.parquet", combined.slice(0, 0), compression="snappy")
    with open(out("parquet", "MANIFEST.json"), "w") as f:
        json.dump(files, f, indent=1, sort_keys=True)
        f.write("\n")


def pandas_fixtures():
    n = 200
    rng = np.random.default_rng(7)
    df = pd.DataFrame({
        "id": np.arange(n, dtype=np.int64),
        "value": np.where(np.arange(n) % 9 == 4, np.nan, rng.standard_normal(n)),
        "count": pd.array([None if i % 13 == 6 else int(i * 3) for i in range(n)], dtype="Int64"),
        "flag": rng.random(n) < 0.5,
        "name": [None if i % 17 == 3 else f"name-{i}-ü" for i in range(n)],
        "category": pd.Categorical([["low", "mid", "high"][i % 3] for i in range(n)],
                                   categories=["low", "mid", "high"], ordered=True),
        "when": pd.date_range("2024-01-01", periods=n, freq="37min", tz="Europe/Paris"),
        "day": pd.date_range("2020-02-28", periods=n, freq="D"),
    }, index=pd.Index([f"r{i}" for i in range(n)], name="row"))
    df.to_parquet(out("pandas", "frame.parquet"), engine="pyarrow")
    df.reset_index().to_feather(out("pandas", "frame.feather"))


CSV_TEXT = """id,name,score,passed,day,note
1,alice,93.5,true,2024-01-05,"likes ""quotes"", commas"
2,bob,,false,2024-02-29,
3,"carol, jr.",71.25,true,,"multi
line"
4,dave,-0.5,,2023-12-31,plain
5,,100,false,2024-07-04,ünïcödé ✓
"""

CSV_TYPES = {"id": pa.int64(), "name": pa.utf8(), "score": pa.float64(), "passed": pa.bool_(),
             "day": pa.date32(), "note": pa.utf8()}


def csv_fixtures():
    path = out("csv", "basic.csv")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(CSV_TEXT)
    t = pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(
        column_types=CSV_TYPES, null_values=[""], strings_can_be_null=True,
        quoted_strings_can_be_null=False))
    write_expected(t, out("csv", "basic.expected.arrow"))
    tsv = out("csv", "semicolon.csv")
    with open(tsv, "w", encoding="utf-8", newline="") as f:
        f.write("a;b\n1;x\n2;NA\n3;z\n")


def ndjson_fixtures():
    rows = []
    for i in range(40):
        rows.append({
            "id": i,
            "user": {"name": f"u{i % 7}", "tags": [f"t{j}" for j in range(i % 3)]},
            "value": None if i % 5 == 2 else i * 1.5,
            "kind": ["click", "view", "buy"][i % 3],
            "items": [{"sku": f"s{i}-{j}", "qty": j + 1} for j in range(i % 4)],
            "ok": i % 2 == 0,
        })
    path = out("ndjson", "events.ndjson")
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    t = pjson.read_json(path)
    write_expected(t, out("ndjson", "events.expected.arrow"))


def main():
    parquet_fixtures()
    pandas_fixtures()
    csv_fixtures()
    ndjson_fixtures()


if __name__ == "__main__":
    main()
