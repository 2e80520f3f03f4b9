"""DuckDB's answers to the TPC-H queries of testdata/sql/tpch/, over the Parquet tables that
make_tpch.sh writes: each answer as an Arrow IPC file (q<N>.arrow), or its error as q<N>.error.

Usage: python tpch_oracle.py --data DIR --out OUT [--sql-dir DIR] [q1 q3 ...]
"""

import argparse
import os
import sys

import duckdb
import pyarrow as pa
import pyarrow.ipc as ipc

TABLES = ["region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem"]
HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--sql-dir", default=os.path.join(HERE, "tpch"))
    ap.add_argument("queries", nargs="*")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    for t in TABLES:
        path = os.path.join(args.data, f"{t}.parquet").replace("'", "''")
        con.execute(f"CREATE VIEW {t} AS SELECT * FROM read_parquet('{path}')")
    names = args.queries or sorted(
        (f[:-4] for f in os.listdir(args.sql_dir) if f.endswith(".sql")), key=lambda q: int(q[1:])
    )
    for q in names:
        with open(os.path.join(args.sql_dir, f"{q}.sql")) as f:
            sql = f.read()
        try:
            table = con.sql(sql).to_arrow_table()
        except duckdb.Error as e:
            with open(os.path.join(args.out, f"{q}.error"), "w") as f:
                f.write(str(e))
            continue
        with pa.OSFile(os.path.join(args.out, f"{q}.arrow"), "wb") as sink:
            with ipc.new_file(sink, table.schema) as w:
                w.write_table(table)
    print(f"DuckDB answered {len(names)} TPC-H queries into {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
