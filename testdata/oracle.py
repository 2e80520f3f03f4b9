#!/usr/bin/env python3
"""pyarrow-backed test oracle for the Rust / Node test suites.

Subcommands (all print JSON to stdout; exit 0 whenever the command ran, 2 on
usage errors; per-file read errors and mismatches are reported as data):

  oracle.py describe FILE [FILE...]
      -> [{"file", "format": "arrow-file"|"arrow-stream"|"parquet"|"feather-v1"|"csv"|"ndjson", "num_rows",
           "num_batches", "columns": [{"name", "type", "nullable", "metadata"}],
           "metadata"}]            or {"file", "error"} for unreadable files

  oracle.py compare MANIFEST_JSON
      MANIFEST_JSON holds [{"expected": path, "actual": path}, ...]
      -> [{"expected", "actual", "equal": bool, "logically_equal": bool,
           "detail": str}]
      equal == schemas equal including metadata AND Table.equals (chunk
      layout is ignored). logically_equal also holds when only the
      dictionary encoding differs (values equal once dictionaries are decoded).
      equal_but_nested_names holds when only the names of list items and map
      entries differ (readers disagree on those; pyarrow names a Parquet map's
      entries after its column).

  oracle.py verify FILE [FILE...]
      -> [{"file", "ok": bool, "error": str}]: each Parquet file read whole by
      pyarrow with page_checksum_verification=True (a page whose header has a
      CRC that does not match its bytes is an error; pages without one pass).
"""

import json
import sys

import pyarrow as pa

DETAIL_MAX = 500


def usage(msg=None):
    if msg:
        print(f"oracle.py: {msg}", file=sys.stderr)
    print(__doc__, file=sys.stderr)
    sys.exit(2)


def clip(s, n=DETAIL_MAX):
    return s if len(s) <= n else s[: n - 3] + "..."


def decode_md(md):
    if not md:
        return {}
    return {k.decode("utf-8", errors="replace"): v.decode("utf-8", errors="replace")
            for k, v in md.items()}


def read_arrow(path):
    """Return (format, schema, batches). Parquet and Feather v1 are told by their magic, CSV and
    NDJSON by the extension (.csv, .ndjson/.jsonl) and read with pyarrow's default options; any
    other file is tried as an IPC file, then as an IPC stream."""
    with open(path, "rb") as f:
        head = f.read(4)
    other = None
    if head == b"PAR1":
        import pyarrow.parquet as pq
        other = "parquet", pq.read_table(path)
    elif head == b"FEA1":
        import pyarrow.feather as feather
        other = "feather-v1", feather.read_table(path)
    elif path.endswith(".csv"):
        import pyarrow.csv as pcsv
        other = "csv", pcsv.read_csv(path)
    elif path.endswith((".ndjson", ".jsonl")):
        import pyarrow.json as pjson
        other = "ndjson", pjson.read_json(path)
    if other is not None:
        fmt, table = other
        return fmt, table.schema, table.to_batches()
    with pa.memory_map(path, "r") as src:
        try:
            reader = pa.ipc.open_file(src)
        except Exception as file_err:  # noqa: BLE001
            src.seek(0)
            try:
                reader = pa.ipc.open_stream(src)
            except Exception as stream_err:  # noqa: BLE001
                raise ValueError(f"not a readable Arrow IPC file ({file_err}) "
                                 f"nor stream ({stream_err})") from None
            batches = list(reader)
            return "arrow-stream", reader.schema, batches
        batches = [reader.get_batch(i) for i in range(reader.num_record_batches)]
        return "arrow-file", reader.schema, batches


def describe_one(path):
    try:
        fmt, schema, batches = read_arrow(path)
    except Exception as e:  # noqa: BLE001
        return {"file": path, "error": f"{type(e).__name__}: {e}"}
    return {
        "file": path,
        "format": fmt,
        "num_rows": sum(b.num_rows for b in batches),
        "num_batches": len(batches),
        "columns": [{"name": f.name, "type": str(f.type), "nullable": f.nullable,
                     "metadata": decode_md(f.metadata)} for f in schema],
        "metadata": decode_md(schema.metadata),
    }


def schema_diff(exp, act):
    if len(exp) != len(act):
        return (f"schema: expected {len(exp)} columns {exp.names}, "
                f"actual {len(act)} columns {act.names}")
    for i, (fe, fa) in enumerate(zip(exp, act)):
        where = f"column {i} {fe.name!r}"
        if fe.name != fa.name:
            return f"schema: column {i} name: expected {fe.name!r}, actual {fa.name!r}"
        if not fe.type.equals(fa.type):
            return f"schema: {where} type: expected {fe.type}, actual {fa.type}"
        if fe.nullable != fa.nullable:
            return f"schema: {where} nullable: expected {fe.nullable}, actual {fa.nullable}"
        if decode_md(fe.metadata) != decode_md(fa.metadata):
            return (f"schema: {where} field metadata: expected {decode_md(fe.metadata)!r}, "
                    f"actual {decode_md(fa.metadata)!r}")
        if not fe.equals(fa, check_metadata=True):
            return f"schema: {where} field differs: expected {fe}, actual {fa}"
    if decode_md(exp.metadata) != decode_md(act.metadata):
        return (f"schema metadata: expected {decode_md(exp.metadata)!r}, "
                f"actual {decode_md(act.metadata)!r}")
    return "schema differs"


def first_diff_row(ca, cb):
    """First differing row index of two equal-length ChunkedArrays (or None)."""
    a, b = ca.combine_chunks(), cb.combine_chunks()
    n, step = len(a), 1024
    for start in range(0, n, step):
        sa, sb = a.slice(start, step), b.slice(start, step)
        if sa.equals(sb):
            continue
        for j in range(len(sa)):
            if not sa.slice(j, 1).equals(sb.slice(j, 1)):
                return start + j, sa[j], sb[j]
    return None


def table_diff(ta, tb):
    if ta.num_rows != tb.num_rows:
        return f"num_rows: expected {ta.num_rows}, actual {tb.num_rows}"
    for i, name in enumerate(ta.column_names):
        ca, cb = ta.column(i), tb.column(i)
        if ca.equals(cb):
            continue
        hit = first_diff_row(ca, cb)
        if hit is None:
            return f"column {i} {name!r}: arrays differ (no single differing row found)"
        row, va, vb = hit
        return clip(f"column {i} {name!r} row {row}: expected {va!r}, actual {vb!r}")
    return "tables differ"


def decode_dictionaries(t):
    """The table with top-level dictionary columns cast to their value type: equal values no
    matter how they are dictionary-encoded (the IPC file format forces one dictionary per
    column, so a writer may have to unify per-batch dictionaries)."""
    fields, cols = [], []
    for f, c in zip(t.schema, t.columns):
        if pa.types.is_dictionary(f.type):
            c = c.cast(f.type.value_type)
            f = f.with_type(f.type.value_type)
        fields.append(f)
        cols.append(c)
    return pa.Table.from_arrays(cols, schema=pa.schema(fields, metadata=t.schema.metadata))


def unnamed(t):
    """The type with the names of list items and map entries reset to Arrow's defaults: readers
    disagree on them (pyarrow names a Parquet map's entries after the column)."""
    if pa.types.is_map(t):
        return pa.map_(unnamed(t.key_type), pa.field("value", unnamed(t.item_type), t.item_field.nullable),
                       keys_sorted=t.keys_sorted)
    if pa.types.is_large_list(t):
        return pa.large_list(pa.field("item", unnamed(t.value_type), t.value_field.nullable))
    if pa.types.is_fixed_size_list(t):
        return pa.list_(pa.field("item", unnamed(t.value_type), t.value_field.nullable), t.list_size)
    if pa.types.is_list(t):
        return pa.list_(pa.field("item", unnamed(t.value_type), t.value_field.nullable))
    if pa.types.is_struct(t):
        return pa.struct([f.with_type(unnamed(f.type)) for f in t])
    return t


def unnamed_schema(schema):
    return pa.schema([f.with_type(unnamed(f.type)) for f in schema], metadata=schema.metadata)


def compare_one(exp_path, act_path):
    out = {"expected": exp_path, "actual": act_path, "equal": False,
           "logically_equal": False, "equal_but_nested_names": False, "detail": ""}
    tables = []
    for label, path in (("expected", exp_path), ("actual", act_path)):
        try:
            _, schema, batches = read_arrow(path)
            tables.append(pa.Table.from_batches(batches, schema=schema))
        except Exception as e:  # noqa: BLE001
            out["detail"] = clip(f"cannot read {label} {path}: {type(e).__name__}: {e}")
            return out
    ta, tb = tables
    try:
        if not ta.schema.equals(tb.schema, check_metadata=True):
            out["detail"] = clip(schema_diff(ta.schema, tb.schema))
            ua, ub = unnamed_schema(ta.schema), unnamed_schema(tb.schema)
            if ua.equals(ub, check_metadata=True):
                out["equal_but_nested_names"] = ta.cast(ua).equals(tb.cast(ub))
        elif not ta.equals(tb):
            out["detail"] = clip(table_diff(ta, tb))
            out["logically_equal"] = decode_dictionaries(ta).equals(decode_dictionaries(tb))
        else:
            out["equal"] = True
            out["logically_equal"] = True
    except Exception as e:  # noqa: BLE001
        out["detail"] = clip(f"comparison failed: {type(e).__name__}: {e}")
    return out


def verify_one(path):
    import pyarrow.parquet as pq
    try:
        pq.read_table(path, page_checksum_verification=True)
        return {"file": path, "ok": True, "error": ""}
    except Exception as e:  # noqa: BLE001
        return {"file": path, "ok": False, "error": clip(f"{type(e).__name__}: {e}")}


def main(argv):
    if len(argv) < 2:
        usage("missing subcommand")
    cmd, args = argv[1], argv[2:]
    if cmd == "describe":
        if not args:
            usage("describe needs at least one FILE")
        result = [describe_one(p) for p in args]
    elif cmd == "compare":
        if len(args) != 1:
            usage("compare needs exactly one MANIFEST_JSON")
        try:
            with open(args[0], encoding="utf-8") as f:
                pairs = json.load(f)
            if not isinstance(pairs, list) or not all(
                    isinstance(p, dict) and "expected" in p and "actual" in p for p in pairs):
                raise ValueError('expected a JSON list of {"expected": ..., "actual": ...}')
        except (OSError, ValueError) as e:
            usage(f"bad manifest {args[0]}: {e}")
        result = [compare_one(p["expected"], p["actual"]) for p in pairs]
    elif cmd == "verify":
        if not args:
            usage("verify needs at least one FILE")
        result = [verify_one(p) for p in args]
    elif cmd in ("-h", "--help", "help"):
        print(__doc__)
        return 0
    else:
        usage(f"unknown subcommand {cmd!r}")
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
