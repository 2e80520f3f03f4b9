#!/usr/bin/env python3
"""Write large benchmark inputs (generated on demand, never committed).

Usage: python testdata/make_bench_data.py OUT_DIR [ROWS=1000000]

Writes OUT_DIR/bench_lz4.arrow (IPC file, lz4), OUT_DIR/bench_plain.arrow
(IPC file, uncompressed), OUT_DIR/bench_zstd.parquet and OUT_DIR/bench_snappy.parquet
(pyarrow's defaults otherwise), batches of 65536 rows, columns:
  id: int64 (sequential), value: float64 (normal, seed 42),
  name: utf8 (f"name-{i % 10000}"), ts: timestamp[us]
OUT_DIR/bench.done records the row count; if it matches and both files exist,
nothing is rewritten. OUT_DIR/bench_10m.arrows is a 10M-row IPC stream (LZ4) of the same
columns, written batch by batch, for the streaming-conversion benchmark, and
OUT_DIR/bench_10m.parquet the same rows as zstd Parquet in row groups of 524,288 rows (20 of
them), for the worker-pool benchmark; each is written once.
"""

import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

BATCH = 65536
TS0 = 1_700_000_000_000_000  # 2023-11-14T22:13:20Z in microseconds

SCHEMA = pa.schema([
    pa.field("id", pa.int64()),
    pa.field("value", pa.float64()),
    pa.field("name", pa.utf8()),
    pa.field("ts", pa.timestamp("us")),
])


def batches(rows):
    rng = np.random.default_rng(42)
    names = pa.array([f"name-{i}" for i in range(10000)], type=pa.utf8())
    for start in range(0, rows, BATCH):
        n = min(BATCH, rows - start)
        ids = np.arange(start, start + n, dtype=np.int64)
        yield pa.record_batch([
            pa.array(ids),
            pa.array(rng.standard_normal(n)),
            names.take(pa.array(ids % 10000)),
            pa.array(TS0 + ids * 1_000, type=pa.timestamp("us")),
        ], schema=SCHEMA)


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    out = argv[1]
    rows = int(argv[2]) if len(argv) == 3 else 1_000_000
    os.makedirs(out, exist_ok=True)
    targets = {
        os.path.join(out, "bench_lz4.arrow"): pa.ipc.IpcWriteOptions(compression="lz4"),
        os.path.join(out, "bench_plain.arrow"): pa.ipc.IpcWriteOptions(),
        os.path.join(out, "bench_zstd.parquet"): "zstd",
        os.path.join(out, "bench_snappy.parquet"): "snappy",
    }
    done = os.path.join(out, "bench.done")
    if all(os.path.exists(p) for p in targets) and os.path.exists(done):
        with open(done, encoding="utf-8") as f:
            if f.read().strip() == str(rows):
                print(f"bench data with {rows} rows already in {out}; skipping")
                write_10m(out)
                return 0
    if os.path.exists(done):
        os.remove(done)
    for path, opts in targets.items():
        tmp = path + ".tmp"
        if path.endswith(".parquet"):
            with pq.ParquetWriter(tmp, SCHEMA, compression=opts) as w:
                w.write_table(pa.Table.from_batches(list(batches(rows)), schema=SCHEMA))
        else:
            with pa.ipc.new_file(tmp, SCHEMA, options=opts) as w:
                for b in batches(rows):
                    w.write_batch(b)
        os.replace(tmp, path)
        print(f"wrote {path} ({os.path.getsize(path)} bytes)")
    with open(done, "w", encoding="utf-8") as f:
        f.write(f"{rows}\n")
    write_10m(out)


def write_10m(out):
    write_stream(os.path.join(out, "bench_10m.arrows"), 10_000_000)
    write_row_groups(os.path.join(out, "bench_10m.parquet"), 10_000_000, 8 * BATCH)


def write_row_groups(path, rows, group):
    if os.path.exists(path):
        return
    tmp = path + ".tmp"
    with pq.ParquetWriter(tmp, SCHEMA, compression="zstd") as w:
        pending = []
        for b in batches(rows):
            pending.append(b)
            if len(pending) * BATCH >= group:
                w.write_table(pa.Table.from_batches(pending, schema=SCHEMA), row_group_size=group)
                pending = []
        if pending:
            w.write_table(pa.Table.from_batches(pending, schema=SCHEMA), row_group_size=group)
    os.replace(tmp, path)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def write_stream(path, rows):
    if os.path.exists(path):
        return
    tmp = path + ".tmp"
    with pa.ipc.new_stream(tmp, SCHEMA, options=pa.ipc.IpcWriteOptions(compression="lz4")) as w:
        for b in batches(rows):
            w.write_batch(b)
    os.replace(tmp, path)
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
