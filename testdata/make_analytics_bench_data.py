#!/usr/bin/env python3
"""Inputs of the analytics benchmarks (generated on demand, never committed).

Usage: python testdata/make_analytics_bench_data.py BENCH_DIR TPCH_DIR

BENCH_DIR (the folder of make_bench_data.py) gets the bench rows of make_bench_data.py (id,
value, name with 10,000 distinct values, ts) plus `key`: int32 with 1,000 distinct values drawn
uniformly (seed 7), the group-by's key, at 1M and 10M rows, and the 10,000-row dimension table the
join reads (name as in the bench rows, weight: float64 uniform in [0, 1) (seed 11), category: int32
name's number mod 50):

  bench_analytics_1m.parquet, bench_analytics_dim.parquet   zstd, row groups of 524,288 rows
  bench_analytics_1m.arrows, bench_analytics_dim.arrows     the same rows as uncompressed IPC
                                                            streams (batches of 65,536 rows)
  bench_analytics_10m.parquet, bench_analytics_10m.arrows   the same at 10M rows (the pool's
                                                            parallel group-by, bench/pool-query.mjs)

TPCH_DIR (a scale factor's folder of testdata/sql/make_tpch.sh) gets ipc/lineitem.arrows,
ipc/orders.arrows and ipc/customer.arrows: the columns TPC-H Q1, Q3 and Q6 read, as uncompressed
IPC streams with `utf8` strings (tpchgen-cli writes `string_view`, which DuckDB-wasm's and
Arquero's IPC readers are not all sure to take); decimals and dates as tpchgen-cli wrote them.

The JS benchmarks give every engine the IPC streams (DuckDB-wasm 1.32 loads its Parquet reader
as an extension from the network, which a benchmark cannot count on); the native benchmark and
DuckDB's Python package read the Parquet files. Each file is written once.
"""

import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_bench_data import BATCH, SCHEMA, batches  # noqa: E402

SCHEMA_WITH_KEY = SCHEMA.append(pa.field("key", pa.int32()))
ROW_GROUP = 8 * BATCH

# The columns of lineitem, orders and customer that TPC-H Q1, Q3 and Q6 read.
TPCH_COLUMNS = {
    "lineitem": ["l_orderkey", "l_quantity", "l_extendedprice", "l_discount", "l_tax",
                 "l_returnflag", "l_linestatus", "l_shipdate"],
    "orders": ["o_orderkey", "o_custkey", "o_orderdate", "o_shippriority"],
    "customer": ["c_custkey", "c_mktsegment"],
}


def keyed_batches(rows):
    keys = np.random.default_rng(7)
    for b in batches(rows):
        key = pa.array(keys.integers(0, 1000, b.num_rows, dtype=np.int32))
        yield pa.record_batch(b.columns + [key], schema=SCHEMA_WITH_KEY)


DIM_SCHEMA = pa.schema([
    pa.field("name", pa.utf8()),
    pa.field("weight", pa.float64()),
    pa.field("category", pa.int32()),
])


def dim_batches():
    n = 10000
    weights = np.random.default_rng(11).random(n)
    yield pa.record_batch([
        pa.array([f"name-{i}" for i in range(n)], type=pa.utf8()),
        pa.array(weights),
        pa.array(np.arange(n, dtype=np.int32) % 50),
    ], schema=DIM_SCHEMA)


def write_parquet(path, schema, batch_iter):
    if os.path.exists(path):
        return
    tmp = path + ".tmp"
    with pq.ParquetWriter(tmp, schema, compression="zstd") as w:
        pending = []
        for b in batch_iter:
            pending.append(b)
            if len(pending) * BATCH >= ROW_GROUP:
                w.write_table(pa.Table.from_batches(pending, schema=schema), row_group_size=ROW_GROUP)
                pending = []
        if pending:
            w.write_table(pa.Table.from_batches(pending, schema=schema), row_group_size=ROW_GROUP)
    os.replace(tmp, path)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def write_stream(path, schema, batch_iter):
    if os.path.exists(path):
        return
    tmp = path + ".tmp"
    with pa.ipc.new_stream(tmp, schema) as w:
        for b in batch_iter:
            w.write_batch(b)
    os.replace(tmp, path)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def plain_strings(schema):
    return pa.schema([f.with_type(pa.utf8()) if f.type == pa.string_view() else f for f in schema])


def write_tpch(tpch_dir):
    out = os.path.join(tpch_dir, "ipc")
    os.makedirs(out, exist_ok=True)
    for table, columns in TPCH_COLUMNS.items():
        src = pq.ParquetFile(os.path.join(tpch_dir, f"{table}.parquet"))
        schema = plain_strings(src.schema_arrow.remove_metadata())
        schema = pa.schema([schema.field(c).remove_metadata() for c in columns])
        parts = (b.cast(schema) for b in src.iter_batches(batch_size=BATCH, columns=columns))
        write_stream(os.path.join(out, f"{table}.arrows"), schema, parts)


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    bench_dir, tpch_dir = argv[1], argv[2]
    os.makedirs(bench_dir, exist_ok=True)
    rows = 1_000_000
    write_parquet(os.path.join(bench_dir, "bench_analytics_1m.parquet"), SCHEMA_WITH_KEY, keyed_batches(rows))
    write_stream(os.path.join(bench_dir, "bench_analytics_1m.arrows"), SCHEMA_WITH_KEY, keyed_batches(rows))
    write_parquet(os.path.join(bench_dir, "bench_analytics_10m.parquet"), SCHEMA_WITH_KEY, keyed_batches(10 * rows))
    write_stream(os.path.join(bench_dir, "bench_analytics_10m.arrows"), SCHEMA_WITH_KEY, keyed_batches(10 * rows))
    write_parquet(os.path.join(bench_dir, "bench_analytics_dim.parquet"), DIM_SCHEMA, dim_batches())
    write_stream(os.path.join(bench_dir, "bench_analytics_dim.arrows"), DIM_SCHEMA, dim_batches())
    write_tpch(tpch_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
