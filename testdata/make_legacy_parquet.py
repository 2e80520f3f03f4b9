#!/usr/bin/env python3
"""Write Parquet files whose repeated fields use the legacy (pre-LIST) layouts.

Usage: python testdata/make_legacy_parquet.py [OUT_DIR]

OUT_DIR defaults to ``parquet/legacy`` beside this script.

The Parquet format's LogicalTypes.md ("Lists" -> "Backward-compatibility
rules") says how a reader must interpret a repeated field that is not wrapped
in the modern 3-level ``LIST`` structure: a bare ``repeated`` primitive or
group (1-level, as Thrift / parquet-protobuf / old Hive and Spark writers
produce it) is a required list of required elements, and inside a
``LIST``-annotated group the 2-level forms (repeated primitive, repeated group
named ``array`` or ``<name>_tuple``, repeated group with several fields) make
the repeated field itself the element. ``MAP_KEY_VALUE`` is the old
annotation of a map's repeated key/value group. The Rust parquet crate has
read such files as 0 rows or wrongly, while pyarrow reads them, so these
fixtures pin the layouts down with pyarrow's read as the expected answer.

pyarrow's writer only produces the modern 3-level layout, so the files are
written here byte by byte: Thrift compact protocol for the page headers and the
``FileMetaData`` footer, PLAIN values, no compression, no statistics,
repetition/definition levels in the RLE/bit-packing hybrid, data page v1
(two extra files use data page v2, one splits column chunks into several
pages). Schema elements carry only ``converted_type`` annotations, no
``logicalType``, as the old writers did.

For every ``X.parquet`` the script writes ``X.expected.json``
(``{"pyarrow_schema", "rows"}`` from ``pyarrow.parquet.read_table``) and
records in ``MANIFEST.json`` the Parquet schema as declared, pyarrow's Arrow
schema, whether that schema has the shape the spec's rules imply, the row
groups, and DuckDB's read of the same file as a second opinion.

It asserts that pyarrow reads every file, that the column levels pyarrow
derives from the footer match the writer's, that the values equal the
generated rows (mapped to the Arrow shape the spec implies), that building the
files twice gives the same bytes, and that the folder stays under 300 KB.
Nothing depends on the clock or on random state, so re-running it gives
byte-identical files (the JSON files also record the pyarrow and DuckDB
versions, so those change with the libraries).
"""

import json
import math
import os
import struct
import sys

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

CREATED_BY = "arrow-rs-wasm testdata/make_legacy_parquet.py"
MAX_FOLDER_BYTES = 300 * 1024

# ---------------------------------------------------------------------------
# Thrift compact protocol (only what parquet.thrift's structs here need)

T_TRUE, T_FALSE, T_I32, T_I64, T_BINARY, T_LIST, T_STRUCT = 1, 2, 5, 6, 8, 9, 12


def varint(n):
    assert n >= 0
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag(n):
    return (n << 1) ^ (n >> 63)


def thrift_struct(fields):
    """Encode a struct from ``[(field_id, kind, value), ...]``.

    kind is "i32", "i64", "bool", "bin", "struct" (value = nested field list)
    or ("list", elem_kind). None values are left out, which is how an unset
    optional field is written.
    """
    out = bytearray()
    last = 0
    for fid, kind, value in fields:
        if value is None:
            continue
        # Field ids must ascend for the short (delta) header form to be valid.
        assert fid > last
        if kind == "bool":
            ttype = T_TRUE if value else T_FALSE
        elif isinstance(kind, tuple):
            ttype = T_LIST
        else:
            ttype = {"i32": T_I32, "i64": T_I64, "bin": T_BINARY, "struct": T_STRUCT}[kind]
        delta = fid - last
        if delta <= 15:
            out.append((delta << 4) | ttype)
        else:
            out.append(ttype)
            out += varint(zigzag(fid))
        last = fid
        if kind != "bool":
            out += thrift_value(kind, value)
    out.append(0)  # field stop
    return bytes(out)


def thrift_value(kind, value):
    if kind in ("i32", "i64"):
        return varint(zigzag(value))
    if kind == "bin":
        if isinstance(value, str):
            value = value.encode("utf-8")
        return varint(len(value)) + value
    if kind == "struct":
        return thrift_struct(value)
    assert isinstance(kind, tuple) and kind[0] == "list"
    elem = kind[1]
    etype = {"i32": T_I32, "i64": T_I64, "bin": T_BINARY, "struct": T_STRUCT}[elem]
    head = bytes([(len(value) << 4) | etype]) if len(value) < 15 else bytes([0xF0 | etype]) + varint(len(value))
    return head + b"".join(thrift_value(elem, v) for v in value)


# parquet.thrift enum values
INT32, DOUBLE, BYTE_ARRAY = 1, 5, 6
REQUIRED, OPTIONAL, REPEATED = 0, 1, 2
UTF8, MAP, MAP_KEY_VALUE, LIST = 0, 1, 2, 3
ENC_PLAIN, ENC_RLE = 0, 3
UNCOMPRESSED = 0
DATA_PAGE, DATA_PAGE_V2 = 0, 3

TYPE_NAMES = {INT32: "int32", DOUBLE: "double", BYTE_ARRAY: "binary"}
REP_NAMES = {REQUIRED: "required", OPTIONAL: "optional", REPEATED: "repeated"}
CONVERTED_NAMES = {UTF8: "UTF8", MAP: "MAP", MAP_KEY_VALUE: "MAP_KEY_VALUE", LIST: "LIST"}

# ---------------------------------------------------------------------------
# RLE / bit-packing hybrid


def bit_width(max_level):
    return max_level.bit_length()  # == ceil(log2(max_level + 1))


def rle_hybrid(values, width):
    """Encode levels the way parquet-mr does: runs of 8+ equal values as RLE
    runs, everything between them as bit-packed groups of 8, so both run kinds
    occur in the fixtures. The last bit-packed group is zero-padded; readers
    stop after the page's num_values levels."""
    out = bytearray()
    n = len(values)
    nbytes = (width + 7) // 8

    def run_at(i):
        j = i
        while j < n and values[j] == values[i]:
            j += 1
        return j - i

    i = 0
    while i < n:
        run = run_at(i)
        if run >= 8:
            out += varint(run << 1) + values[i].to_bytes(nbytes, "little")
            i += run
            continue
        groups = []
        while i < n and not (groups and run_at(i) >= 8):
            group = values[i:i + 8]
            groups.append(group + [0] * (8 - len(group)))
            i += 8
        out += varint((len(groups) << 1) | 1)
        for group in groups:
            acc = 0
            for k, v in enumerate(group):
                acc |= v << (k * width)
            out += acc.to_bytes(width, "little")  # 8 values * width bits = width bytes
    return bytes(out)


# ---------------------------------------------------------------------------
# Schema


class Field:
    def __init__(self, name, repetition, ptype=None, children=None, converted=None):
        self.name, self.repetition, self.ptype = name, repetition, ptype
        self.children, self.converted = children, converted


def required(name, ptype, converted=None):
    return Field(name, REQUIRED, ptype, converted=converted)


def optional(name, ptype, converted=None):
    return Field(name, OPTIONAL, ptype, converted=converted)


def repeated(name, ptype, converted=None):
    return Field(name, REPEATED, ptype, converted=converted)


def group(name, repetition, children, converted=None):
    return Field(name, repetition, children=children, converted=converted)


def schema_text(fields):
    lines = ["message m {"]

    def walk(f, indent):
        pad = "  " * indent
        ann = f" ({CONVERTED_NAMES[f.converted]})" if f.converted is not None else ""
        if f.children is None:
            lines.append(f"{pad}{REP_NAMES[f.repetition]} {TYPE_NAMES[f.ptype]} {f.name}{ann};")
        else:
            lines.append(f"{pad}{REP_NAMES[f.repetition]} group {f.name}{ann} {{")
            for c in f.children:
                walk(c, indent + 1)
            lines.append(pad + "}")

    for f in fields:
        walk(f, 1)
    lines.append("}")
    return "\n".join(lines)


def schema_elements(fields):
    """Flatten the tree depth-first into thrift SchemaElements (root first)."""
    elems = [[(4, "bin", "m"), (5, "i32", len(fields))]]

    def walk(f):
        if f.children is None:
            elems.append([(1, "i32", f.ptype), (3, "i32", f.repetition), (4, "bin", f.name),
                          (6, "i32", f.converted)])
        else:
            elems.append([(3, "i32", f.repetition), (4, "bin", f.name), (5, "i32", len(f.children)),
                          (6, "i32", f.converted)])
            for c in f.children:
                walk(c)

    for f in fields:
        walk(f)
    return elems


def leaves(fields):
    """Leaf columns as (path, field, max_rep, max_def), in schema order."""
    out = []

    def walk(f, path, rep, dfn):
        rep += f.repetition == REPEATED
        dfn += f.repetition != REQUIRED
        if f.children is None:
            out.append((path + [f.name], f, rep, dfn))
        else:
            for c in f.children:
                walk(c, path + [f.name], rep, dfn)

    for f in fields:
        walk(f, [], 0, 0)
    return out


# ---------------------------------------------------------------------------
# Record shredding (Dremel): rows are given in Parquet shape, i.e. a group is a
# dict of its children, a repeated field a Python list, an absent optional None.


def shred(fields, rows):
    cols = {tuple(p): [] for p, _, _, _ in leaves(fields)}

    def nulls_below(f, path, r, d):
        if f.children is None:
            cols[tuple(path + [f.name])].append((r, d, None))
        else:
            for c in f.children:
                nulls_below(c, path + [f.name], r, d)

    def present(f, path, value, r, d, rep_depth):
        if f.children is None:
            cols[tuple(path + [f.name])].append((r, d, value))
        else:
            assert set(value) == {c.name for c in f.children}, (f.name, value)
            for c in f.children:
                write(c, path + [f.name], value[c.name], r, d, rep_depth)

    def write(f, path, value, r, d, rep_depth):
        if f.repetition == REPEATED:
            assert isinstance(value, list), (f.name, value)
            if not value:
                nulls_below(f, path, r, d)
            for i, item in enumerate(value):
                # The first item continues the enclosing repetition; later
                # ones repeat at this field's own level.
                present(f, path, item, r if i == 0 else rep_depth + 1, d + 1, rep_depth + 1)
        elif f.repetition == OPTIONAL:
            if value is None:
                nulls_below(f, path, r, d)
            else:
                present(f, path, value, r, d + 1, rep_depth)
        else:
            assert value is not None, f.name
            present(f, path, value, r, d, rep_depth)

    for row in rows:
        assert set(row) == {f.name for f in fields}, row
        for f in fields:
            write(f, [], row[f.name], 0, 0, 0)
    return cols


def plain(ptype, values):
    if ptype == INT32:
        return b"".join(struct.pack("<i", v) for v in values)
    if ptype == DOUBLE:
        return b"".join(struct.pack("<d", v) for v in values)
    assert ptype == BYTE_ARRAY
    out = bytearray()
    for v in values:
        b = v.encode("utf-8")
        out += struct.pack("<I", len(b)) + b
    return bytes(out)


# ---------------------------------------------------------------------------
# File writer


def data_page(entries, field, max_rep, max_def, version):
    reps = [r for r, _, _ in entries]
    defs = [d for _, d, _ in entries]
    values = [v for _, d, v in entries if d == max_def]
    rep_bytes = rle_hybrid(reps, bit_width(max_rep)) if max_rep else b""
    def_bytes = rle_hybrid(defs, bit_width(max_def)) if max_def else b""
    value_bytes = plain(field.ptype, values)
    if version == 1:
        # v1 levels carry a 4-byte length prefix; a level with max 0 is absent.
        body = b""
        if max_rep:
            body += struct.pack("<I", len(rep_bytes)) + rep_bytes
        if max_def:
            body += struct.pack("<I", len(def_bytes)) + def_bytes
        body += value_bytes
        header = thrift_struct([
            (1, "i32", DATA_PAGE), (2, "i32", len(body)), (3, "i32", len(body)),
            (5, "struct", [(1, "i32", len(entries)), (2, "i32", ENC_PLAIN),
                           (3, "i32", ENC_RLE), (4, "i32", ENC_RLE)]),
        ])
    else:
        body = rep_bytes + def_bytes + value_bytes
        header = thrift_struct([
            (1, "i32", DATA_PAGE_V2), (2, "i32", len(body)), (3, "i32", len(body)),
            (8, "struct", [(1, "i32", len(entries)), (2, "i32", len(entries) - len(values)),
                           (3, "i32", reps.count(0)), (4, "i32", ENC_PLAIN),
                           (5, "i32", len(def_bytes)), (6, "i32", len(rep_bytes)),
                           (7, "bool", False)]),
        ])
    return header + body


def split_rows(rows, sizes):
    assert sum(sizes) == len(rows), (sizes, len(rows))
    out, start = [], 0
    for n in sizes:
        out.append(rows[start:start + n])
        start += n
    return out


def write_parquet(fields, rows, row_groups, page_version=1, page_rows=None):
    buf = bytearray(b"PAR1")
    rg_meta = []
    for rg_rows in split_rows(rows, row_groups):
        # Pages hold whole rows (required for v2, what every writer does for v1).
        pages = [rg_rows[i:i + page_rows] for i in range(0, len(rg_rows), page_rows)] if page_rows else [rg_rows]
        page_cols = [shred(fields, p) for p in pages]
        chunks, rg_bytes = [], 0
        for path, field, max_rep, max_def in leaves(fields):
            start = len(buf)
            num_values = 0
            for cols in page_cols:
                entries = cols[tuple(path)]
                buf += data_page(entries, field, max_rep, max_def, page_version)
                num_values += len(entries)
            size = len(buf) - start
            rg_bytes += size
            encodings = [ENC_PLAIN] + ([ENC_RLE] if max_rep or max_def else [])
            chunks.append([
                (2, "i64", start),
                (3, "struct", [
                    (1, "i32", field.ptype), (2, ("list", "i32"), encodings),
                    (3, ("list", "bin"), path), (4, "i32", UNCOMPRESSED),
                    (5, "i64", num_values), (6, "i64", size), (7, "i64", size),
                    (9, "i64", start),
                ]),
            ])
        rg_meta.append([(1, ("list", "struct"), chunks), (2, "i64", rg_bytes), (3, "i64", len(rg_rows))])
    footer = thrift_struct([
        (1, "i32", 1),
        (2, ("list", "struct"), schema_elements(fields)),
        (3, "i64", len(rows)),
        (4, ("list", "struct"), rg_meta),
        (6, "bin", CREATED_BY),
    ])
    buf += footer + struct.pack("<I", len(footer)) + b"PAR1"
    return bytes(buf)


# ---------------------------------------------------------------------------
# Fixtures. Each has its rows in Parquet shape, the Arrow schema the spec's
# rules imply, and a function from a source row to that Arrow shape's Python
# value (what pyarrow's to_pylist should give).


def nn(name, typ):
    return pa.field(name, typ, nullable=False)


def strict_list(typ):
    return pa.list_(nn("element", typ))


def identity(row):
    return row


def unwrap(name, inner):
    """Drop the repeated wrapper of a LIST-annotated group: {name: {inner: [..]}} -> {name: [..]}."""
    def conv(row):
        out = dict(row)
        out[name] = None if row[name] is None else row[name][inner]
        return out
    return conv


def map_conv(row):
    m = row["m"]
    return {"id": row["id"], "m": None if m is None else [(kv["key"], kv["value"]) for kv in m["map"]]}


A_LISTS = [
    [1, 2, 3], [], [4], [], [], [5, 6],
    [], [-2147483648, 2147483647, 0], list(range(100, 120)), [7], [], [8, 9],
]
REPEATED_PRIMITIVE = dict(
    fields=[required("id", INT32), repeated("a", INT32)],
    rows=[{"id": i, "a": a} for i, a in enumerate(A_LISTS)],
    row_groups=[6, 6],
    arrow=pa.schema([nn("id", pa.int32()), nn("a", strict_list(pa.int32()))]),
    to_arrow=identity,
)

NESTED_OUTER = [
    [], [{"inner": []}], [{"inner": [1, 2]}, {"inner": []}, {"inner": [3]}],
    [{"inner": [4, 5, 6]}], [], [{"inner": []}, {"inner": []}],
    [{"inner": [7]}, {"inner": [8, 9, 10, 11, 12, 13, 14, 15, 16, 17]}], [{"inner": [18]}],
    [], [{"inner": [19, 20]}], [{"inner": []}, {"inner": [21]}], [{"inner": [22]}, {"inner": [23]}],
]
REPEATED_NESTED = dict(
    fields=[required("id", INT32), group("outer", REPEATED, [repeated("inner", INT32)])],
    rows=[{"id": i, "outer": o} for i, o in enumerate(NESTED_OUTER)],
    row_groups=[5, 7],
    arrow=pa.schema([nn("id", pa.int32()),
                     nn("outer", strict_list(pa.struct([nn("inner", strict_list(pa.int32()))])))]),
    to_arrow=identity,
)

FIXTURES = {
    "repeated_primitive": dict(
        REPEATED_PRIMITIVE,
        about="1-level: a top-level repeated int32 with no LIST annotation",
    ),
    "repeated_primitive_v2": dict(
        REPEATED_PRIMITIVE,
        about="repeated_primitive's schema and rows in data page v2 pages",
        page_version=2,
    ),
    "repeated_primitive_multipage": dict(
        REPEATED_PRIMITIVE,
        about="repeated_primitive's schema and rows, each column chunk split into pages of at most 4 rows",
        page_rows=4,
    ),
    "repeated_only": dict(
        about="1-level: a repeated int32 as the only column, so only its levels mark the rows",
        fields=[repeated("a", INT32)],
        rows=[{"a": a} for a in A_LISTS],
        row_groups=[6, 6],
        arrow=pa.schema([nn("a", strict_list(pa.int32()))]),
        to_arrow=identity,
    ),
    "repeated_group_only": dict(
        about="1-level: a repeated group as the only column (older Thrift/Hive writers' shape)",
        fields=[group("points", REPEATED, [required("x", DOUBLE), optional("y", DOUBLE)])],
        rows=[{"points": p} for p in [
            [{"x": 1.0, "y": 2.0}, {"x": 1.5, "y": None}], [], [{"x": -3.25, "y": 0.5}], [], [],
            [{"x": 0.0, "y": None}], [{"x": 2.0, "y": 3.0}], [],
        ]],
        row_groups=[3, 5],
        arrow=pa.schema([nn("points", strict_list(pa.struct([nn("x", pa.float64()),
                                                             pa.field("y", pa.float64())])))]),
        to_arrow=identity,
    ),
    "repeated_string": dict(
        about="1-level: a top-level repeated UTF8 binary",
        fields=[required("id", INT32), repeated("s", BYTE_ARRAY, UTF8)],
        rows=[{"id": i, "s": s} for i, s in enumerate([
            ["a", "bb"], [], [""], ["héllo", "wörld", "日本語"], [], ["x", "", "x"],
            ["😀"], [], ["only"], ["p", "q", "r", "s", "t", "u", "v", "w", "x", "y"],
        ])],
        row_groups=[4, 6],
        arrow=pa.schema([nn("id", pa.int32()), nn("s", strict_list(pa.string()))]),
        to_arrow=identity,
    ),
    "repeated_group": dict(
        about="1-level: a top-level repeated group -> list of required structs",
        fields=[required("id", INT32),
                group("points", REPEATED, [required("x", DOUBLE), optional("y", DOUBLE)])],
        rows=[{"id": i, "points": p} for i, p in enumerate([
            [{"x": 1.0, "y": 2.0}, {"x": 1.5, "y": None}], [], [{"x": -3.25, "y": 0.5}],
            [], [{"x": 0.0, "y": None}, {"x": 10.0, "y": 20.0}, {"x": 1e300, "y": -1e-300}],
            [{"x": 2.0, "y": None}], [], [{"x": 4.5, "y": 4.5}, {"x": 5.5, "y": None}],
            [{"x": 6.0, "y": 7.0}], [],
        ])],
        row_groups=[5, 5],
        arrow=pa.schema([nn("id", pa.int32()),
                         nn("points", strict_list(pa.struct([nn("x", pa.float64()),
                                                             pa.field("y", pa.float64())])))]),
        to_arrow=identity,
    ),
    "repeated_in_group": dict(
        about="a repeated int32 (no LIST) inside an optional group",
        fields=[required("id", INT32),
                group("s", OPTIONAL, [required("w", INT32), repeated("v", INT32)])],
        rows=[{"id": i, "s": s} for i, s in enumerate([
            None, {"w": 1, "v": []}, {"w": 2, "v": [1, 2, 3]}, None, {"w": 3, "v": [4]},
            {"w": 4, "v": []}, {"w": 5, "v": [5, 6]}, None, {"w": 6, "v": [7, 8, 9, 10, 11, 12, 13, 14, 15]},
            {"w": 7, "v": [16]},
        ])],
        row_groups=[6, 4],
        arrow=pa.schema([nn("id", pa.int32()),
                         pa.field("s", pa.struct([nn("w", pa.int32()),
                                                  nn("v", strict_list(pa.int32()))]))]),
        to_arrow=identity,
    ),
    "repeated_nested": dict(
        REPEATED_NESTED,
        about="1-level nested: a repeated group holding a repeated int32, neither annotated",
    ),
    "repeated_nested_v2": dict(
        REPEATED_NESTED,
        about="repeated_nested's schema and rows in data page v2 pages",
        page_version=2,
    ),
    "repeated_two_columns": dict(
        about="two independent top-level repeated fields (int32, UTF8) of different lengths per row; "
              "in the second row group every b is empty",
        fields=[required("id", INT32), repeated("a", INT32), repeated("b", BYTE_ARRAY, UTF8)],
        rows=[{"id": i, "a": a, "b": b} for i, (a, b) in enumerate([
            ([1], ["x", "y", "z"]), ([], ["only b"]), ([2, 3, 4], []), ([], []),
            ([5, 6], ["p", "q"]), ([7], [""]),
            ([8, 9], []), ([], []), ([10], []), ([11, 12, 13], []),
        ])],
        row_groups=[6, 4],
        arrow=pa.schema([nn("id", pa.int32()), nn("a", strict_list(pa.int32())),
                         nn("b", strict_list(pa.string()))]),
        to_arrow=identity,
    ),
    "list_two_level": dict(
        about="2-level LIST: the repeated field is a primitive, so it is the element",
        fields=[required("id", INT32),
                group("a", OPTIONAL, [repeated("element", INT32)], LIST)],
        rows=[{"id": i, "a": None if a is None else {"element": a}} for i, a in enumerate([
            None, [], [1], [2, 3], None, [4, 5, 6], [], [7, 8, 9, 10, 11, 12, 13, 14, 15], None, [16],
        ])],
        row_groups=[5, 5],
        arrow=pa.schema([nn("id", pa.int32()), pa.field("a", strict_list(pa.int32()))]),
        to_arrow=unwrap("a", "element"),
    ),
    "list_array_name": dict(
        about="2-level LIST: a repeated group named 'array' with one field, so the group is the element",
        fields=[required("id", INT32),
                group("a", OPTIONAL, [group("array", REPEATED, [required("str", BYTE_ARRAY, UTF8)])], LIST)],
        rows=[{"id": i, "a": None if a is None else {"array": [{"str": s} for s in a]}}
              for i, a in enumerate([["x", "y"], None, [], ["héllo"], ["", "z"], None, ["last"]])],
        row_groups=[7],
        arrow=pa.schema([nn("id", pa.int32()),
                         pa.field("a", strict_list(pa.struct([nn("str", pa.string())])))]),
        to_arrow=unwrap("a", "array"),
    ),
    "list_tuple_name": dict(
        about="2-level LIST: a repeated group named '<list name>_tuple' with one field, so the group is the element",
        fields=[required("id", INT32),
                group("my_list", OPTIONAL,
                      [group("my_list_tuple", REPEATED, [required("str", BYTE_ARRAY, UTF8)])], LIST)],
        rows=[{"id": i, "my_list": None if a is None else {"my_list_tuple": [{"str": s} for s in a]}}
              for i, a in enumerate([["a"], [], None, ["b", "c", "d"], ["日本"], None, []])],
        row_groups=[7],
        arrow=pa.schema([nn("id", pa.int32()),
                         pa.field("my_list", strict_list(pa.struct([nn("str", pa.string())])))]),
        to_arrow=unwrap("my_list", "my_list_tuple"),
    ),
    "list_multi_field": dict(
        about="2-level LIST: the repeated group has two fields, so the group is the element",
        fields=[required("id", INT32),
                group("a", OPTIONAL,
                      [group("element", REPEATED, [required("x", INT32), required("y", INT32)])], LIST)],
        rows=[{"id": i, "a": None if a is None else {"element": [{"x": x, "y": y} for x, y in a]}}
              for i, a in enumerate([
                  [(1, 2)], None, [], [(3, 4), (5, 6)], [(7, 8), (9, 10), (11, 12)], None, [(13, 14)], [],
              ])],
        row_groups=[4, 4],
        arrow=pa.schema([nn("id", pa.int32()),
                         pa.field("a", strict_list(pa.struct([nn("x", pa.int32()), nn("y", pa.int32())])))]),
        to_arrow=unwrap("a", "element"),
    ),
    "map_key_value": dict(
        about="legacy MAP: the repeated key/value group annotated MAP_KEY_VALUE",
        fields=[required("id", INT32),
                group("m", OPTIONAL,
                      [group("map", REPEATED, [required("key", BYTE_ARRAY, UTF8), optional("value", INT32)],
                             MAP_KEY_VALUE)], MAP)],
        rows=[{"id": i, "m": None if m is None else {"map": [{"key": k, "value": v} for k, v in m]}}
              for i, m in enumerate([
                  None, [], [("a", 1)], [("b", None), ("c", 3)], None, [("d", 4), ("e", 5), ("f", None)],
                  [], [("ключ", -1)],
              ])],
        row_groups=[4, 4],
        arrow=pa.schema([nn("id", pa.int32()), pa.field("m", pa.map_(pa.string(), pa.int32()))]),
        to_arrow=map_conv,
    ),
}


# ---------------------------------------------------------------------------
# Checks and outputs


def shape(typ):
    """Render a type ignoring list item and map entry names (which the spec
    leaves to the reader) but keeping nullability."""
    def fld(f):
        return shape(f.type) + ("" if f.nullable else " not null")
    if pa.types.is_map(typ):
        return f"map<{fld(typ.key_field)}, {fld(typ.item_field)}>"
    if pa.types.is_list(typ) or pa.types.is_large_list(typ):
        return f"list<{fld(typ.value_field)}>"
    if pa.types.is_struct(typ):
        return "struct<" + ", ".join(f"{typ.field(i).name}: {fld(typ.field(i))}"
                                      for i in range(typ.num_fields)) + ">"
    return str(typ)


def schema_shape(schema):
    return "; ".join(f"{f.name}: {shape(f.type)}{'' if f.nullable else ' not null'}" for f in schema)


def json_safe(v):
    if isinstance(v, float):
        assert math.isfinite(v)
        return v
    if isinstance(v, (list, tuple)):
        return [json_safe(x) for x in v]
    if isinstance(v, dict):
        return {k: json_safe(x) for k, x in v.items()}
    return v


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1, ensure_ascii=False)
        f.write("\n")


def unwrap_one_field_structs(v):
    if isinstance(v, dict):
        if len(v) == 1:
            return unwrap_one_field_structs(next(iter(v.values())))
        return {k: unwrap_one_field_structs(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [unwrap_one_field_structs(x) for x in v]
    return v


def duckdb_read(path, pyarrow_rows):
    try:
        rel = duckdb.sql(f"select * from read_parquet('{path}')")
        types = {c: str(t) for c, t in zip(rel.columns, rel.types)}
        rows = rel.to_arrow_table().to_pylist()
    except Exception as e:  # noqa: BLE001 - the refusal is what gets recorded
        return {"error": f"{type(e).__name__}: {e}"}
    out = {"num_rows": len(rows), "types": types, "agrees_with_pyarrow": rows == pyarrow_rows}
    if rows != pyarrow_rows:
        # DuckDB collapses a one-field repeated group into its field (list<int>
        # instead of list<struct<inner: int>>); say whether that is the only
        # difference.
        out["agrees_after_unwrapping_one_field_structs"] = (
            [{k: unwrap_one_field_structs(v) for k, v in r.items()} for r in rows]
            == [{k: unwrap_one_field_structs(v) for k, v in r.items()} for r in pyarrow_rows])
        bad = next((i for i, (a, b) in enumerate(zip(rows, pyarrow_rows)) if a != b), min(len(rows), len(pyarrow_rows)))
        out["first_difference"] = {"row": bad,
                                   "duckdb": json_safe(rows[bad]) if bad < len(rows) else None,
                                   "pyarrow": json_safe(pyarrow_rows[bad]) if bad < len(pyarrow_rows) else None}
    return out


def build(fx):
    return write_parquet(fx["fields"], fx["rows"], fx["row_groups"],
                         fx.get("page_version", 1), fx.get("page_rows"))


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "parquet", "legacy")
    os.makedirs(out_dir, exist_ok=True)
    manifest = {
        "about": "Parquet files with legacy (1-level / 2-level / MAP_KEY_VALUE) repeated layouts, "
                 "written byte by byte by testdata/make_legacy_parquet.py; X.expected.json is pyarrow's read",
        "pyarrow_version": pa.__version__,
        "duckdb_version": duckdb.__version__,
        "files": [],
    }
    for name, fx in FIXTURES.items():
        data = build(fx)
        assert build(fx) == data, f"{name}: two builds differ"
        path = os.path.join(out_dir, name + ".parquet")
        with open(path, "wb") as f:
            f.write(data)

        pf = pq.ParquetFile(path)
        for i, (p, _, max_rep, max_def) in enumerate(leaves(fx["fields"])):
            col = pf.schema.column(i)
            assert col.path == ".".join(p), (name, col.path, p)
            assert (col.max_repetition_level, col.max_definition_level) == (max_rep, max_def), (name, col.path)
        assert [pf.metadata.row_group(i).num_rows for i in range(pf.metadata.num_row_groups)] == fx["row_groups"]

        table = pq.read_table(path)
        rows = table.to_pylist()
        assert table.num_rows == len(fx["rows"]), (name, table.num_rows)
        want = [fx["to_arrow"](r) for r in fx["rows"]]
        assert rows == want, f"{name}: pyarrow's values differ from the generated rows"

        spec_shape = schema_shape(fx["arrow"])
        got_shape = schema_shape(table.schema)
        notes = []
        if got_shape != spec_shape:
            notes.append(f"pyarrow's schema differs from the spec's rules: spec {spec_shape!r}, pyarrow {got_shape!r}")

        write_json(os.path.join(out_dir, name + ".expected.json"),
                   {"pyarrow_schema": str(table.schema), "rows": json_safe(rows)})
        manifest["files"].append({
            "file": name + ".parquet",
            "about": fx["about"],
            "parquet_schema": schema_text(fx["fields"]),
            "data_page_version": fx.get("page_version", 1),
            "rows_per_page": fx.get("page_rows"),
            "num_rows": table.num_rows,
            "row_groups": fx["row_groups"],
            "pyarrow_schema": str(table.schema),
            "spec_arrow_shape": spec_shape,
            "pyarrow_matches_spec": got_shape == spec_shape,
            "notes": notes,
            "duckdb": duckdb_read(path, rows),
        })
    write_json(os.path.join(out_dir, "MANIFEST.json"), manifest)

    total = sum(os.path.getsize(os.path.join(out_dir, f)) for f in os.listdir(out_dir))
    assert total < MAX_FOLDER_BYTES, total
    for entry in manifest["files"]:
        d = entry["duckdb"]
        print(f"{entry['file']:36} rows={entry['num_rows']:3} pyarrow_matches_spec={entry['pyarrow_matches_spec']!s:5} "
              f"duckdb={'ERROR' if 'error' in d else ('agrees' if d['agrees_with_pyarrow'] else 'DIFFERS')}")
    print(f"{len(manifest['files'])} files, {total} bytes in {out_dir}")


if __name__ == "__main__":
    main()
