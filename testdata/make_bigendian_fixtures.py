#!/usr/bin/env python3
"""Big-endian Arrow IPC files and streams, converted from little-endian ones, for the core's
big-endian reader (which swaps buffers to native order like Arrow C++'s ensure_native_endian).

Usage: python testdata/make_bigendian_fixtures.py   (writes testdata/ipc/bigendian/)

pyarrow cannot write big-endian IPC and the Arrow project's 1.0.0-bigendian integration files
are not available offline, so this script makes them: it rewrites the Schema's `endianness` to
Big (in the Schema message and, for files, in the footer) and byte-swaps every buffer of every
record batch and dictionary batch according to its Arrow type.

  X.be.arrow_file, X.be.stream   for every generated_*.arrow_file / .stream of
                                 $ARROW_TESTING/arrow-ipc-integration/1.0.0-littleendian/
                                 (the Rust test reads the little-endian originals from there)
  extras.{arrow_file,stream}     little-endian, written here by pyarrow, two batches of 6 rows:
                                 types the gold files lack (list views, float16, decimal32/64,
                                 large strings, month_day_nano, duration, time32/64, date64,
                                 sparse and dense unions, int16 dictionary keys, uint16/32/64,
                                 fixed-size list and binary)
  extras_ree_view.{arrow_file,stream}  the same, for run-end encoded (int16/32/64 run ends over
                                 int64 and utf8) and utf8/binary views (inline and not): apart
                                 because pyarrow 26 cannot swap these (NotImplemented)
  extras*.be.{arrow_file,stream} their big-endian versions
  generated_lz4.be.stream        from 2.0.0-compression/generated_lz4.stream: every buffer is
                                 LZ4-frame decompressed, swapped and recompressed
  MANIFEST.json                  every output: source, rows, batches, str(schema), and whether
                                 pyarrow itself reads it back

Every output is checked before it is written. Read with ensure_native_endian=False, its schema
must be flagged big-endian (the file's Schema message too) and each of its buffers must be the
source's, swapped as pyarrow's type says (swapped here a second way, value by value). Read
normally (pyarrow swapping to native) it must give the source's batches, metadata included,
and without swapping it must not, when there is anything to swap; the extras_ree_view outputs
have only the first checks. Outputs depend only on the inputs and pyarrow's writer, so
re-running gives the same bytes.
"""

import json
import os
import struct
import sys
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "ipc", "bigendian")
TESTING = os.environ.get("ARROW_TESTING", "/work/shared/testing")
GOLD = "arrow-ipc-integration/1.0.0-littleendian"
LZ4_SOURCE = "arrow-ipc-integration/2.0.0-compression/generated_lz4.stream"

CONTINUATION = 0xFFFFFFFF
FILE_MAGIC = b"ARROW1"

# Schema.fbs / Message.fbs enums
(T_NULL, T_INT, T_FLOAT, T_BINARY, T_UTF8, T_BOOL, T_DECIMAL, T_DATE, T_TIME, T_TIMESTAMP,
 T_INTERVAL, T_LIST, T_STRUCT, T_UNION, T_FSB, T_FSL, T_MAP, T_DURATION, T_LARGE_BINARY,
 T_LARGE_UTF8, T_LARGE_LIST, T_REE, T_BINARY_VIEW, T_UTF8_VIEW, T_LIST_VIEW,
 T_LARGE_LIST_VIEW) = range(1, 27)
H_SCHEMA, H_DICTIONARY_BATCH, H_RECORD_BATCH = 1, 2, 3
V5 = 4
BIG = 1

# How a buffer is swapped: an int n reverses every n-byte value (n = 1 leaves it alone: bitmaps,
# byte data, int8 and union type ids); the strings name values made of several fields.
NO_SWAP = 1
MONTH_DAY_NANO = "month_day_nano"
VIEWS = "views"


# --------------------------------------------------------------------------
# reading flatbuffers
# --------------------------------------------------------------------------

def u16(b, p):
    return struct.unpack_from("<H", b, p)[0]


def u32(b, p):
    return struct.unpack_from("<I", b, p)[0]


def i32(b, p):
    return struct.unpack_from("<i", b, p)[0]


def i64(b, p):
    return struct.unpack_from("<q", b, p)[0]


class Table:
    def __init__(self, buf, pos):
        self.buf, self.pos = buf, pos
        self.vt = pos - i32(buf, pos)
        self.vt_size = u16(buf, self.vt)

    def field_pos(self, slot):
        o = 4 + 2 * slot
        off = u16(self.buf, self.vt + o) if o < self.vt_size else 0
        return self.pos + off if off else None

    def scalar(self, slot, fmt, default=0):
        p = self.field_pos(slot)
        return default if p is None else struct.unpack_from("<" + fmt, self.buf, p)[0]

    def target(self, slot):
        """Absolute position of the table, vector or string a reference slot points at."""
        p = self.field_pos(slot)
        return None if p is None else p + u32(self.buf, p)

    def table(self, slot):
        p = self.target(slot)
        return None if p is None else Table(self.buf, p)

    def vector(self, slot):
        """(position of element 0, element count), or None."""
        p = self.target(slot)
        return None if p is None else (p + 4, u32(self.buf, p))

    def tables(self, slot):
        v = self.vector(slot)
        if v is None:
            return []
        start, n = v
        return [Table(self.buf, start + 4 * i + u32(self.buf, start + 4 * i)) for i in range(n)]

    def structs(self, slot, fmt):
        v = self.vector(slot)
        if v is None:
            return []
        start, n = v
        size = struct.calcsize("<" + fmt)
        return [struct.unpack_from("<" + fmt, self.buf, start + size * i) for i in range(n)]


def root(buf):
    return Table(buf, u32(buf, 0))


# --------------------------------------------------------------------------
# writing flatbuffers: new tables in front of the old bytes
# --------------------------------------------------------------------------

class Prefix:
    """New tables and vectors placed before an unchanged old flatbuffer.

    A flatbuffer reference is an unsigned offset, so it can only point forward; vtable offsets
    are signed. Tables written here therefore come first and may point at later ones or into
    the old bytes, which keep their alignment because they start at a multiple of 8.
    """

    def __init__(self):
        self.buf = bytearray(4)  # the root offset
        self.fixups = []  # (position of a reference, ("new", index) | ("old", position))
        self.items = []

    def align(self, modulo, rest=0):
        while len(self.buf) % modulo != rest:
            self.buf.append(0)

    def table(self, fields):
        """fields: (slot, fmt, value) where fmt is a struct code or "ref" (value = a target)."""
        nslots = max(slot for slot, _, _ in fields) + 1
        sizes = {"ref": 4}
        by_size = sorted(fields, key=lambda f: -(sizes.get(f[1]) or struct.calcsize(f[1])))
        vtable = [0] * nslots
        body = bytearray(4)
        layout = []
        for slot, fmt, value in by_size:
            vtable[slot] = len(body)
            layout.append((len(body), fmt, value))
            body += bytes(sizes.get(fmt) or struct.calcsize(fmt))
        while len(body) % 4:
            body.append(0)
        self.align(2)
        vt_pos = len(self.buf)
        self.buf += struct.pack("<%dH" % (2 + nslots), 4 + 2 * nslots, len(body), *vtable)
        self.align(8, 4)  # so the 8-byte fields, first after the 4-byte soffset, are aligned
        pos = len(self.buf)
        struct.pack_into("<i", body, 0, pos - vt_pos)
        self.buf += body
        for off, fmt, value in layout:
            if fmt == "ref":
                self.fixups.append((pos + off, value))
            else:
                struct.pack_into("<" + fmt, self.buf, pos + off, value)
        self.items.append(pos)
        return ("new", len(self.items) - 1)

    def struct_vector(self, fmt, rows):
        self.align(8, 4)  # the elements, after the 4-byte count, hold int64s
        pos = len(self.buf)
        self.buf += struct.pack("<I", len(rows))
        for row in rows:
            self.buf += struct.pack("<" + fmt, *row)
        self.items.append(pos)
        return ("new", len(self.items) - 1)

    def finish(self, root_ref, old):
        self.align(8)
        base = len(self.buf)
        self.buf += old
        for at, (kind, value) in self.fixups + [(0, root_ref)]:
            target = self.items[value] if kind == "new" else base + value
            assert target > at
            struct.pack_into("<I", self.buf, at, target - at)
        return bytes(self.buf)


def copy_fields(table, spec, overrides):
    """The fields of an old table that are present, as Prefix.table fields; references point
    into the old bytes unless overridden."""
    out = []
    for slot, fmt in spec.items():
        if slot in overrides:
            out.append((slot, fmt, overrides[slot]))
        elif table.field_pos(slot) is not None:
            value = ("old", table.target(slot)) if fmt == "ref" else table.scalar(slot, fmt)
            out.append((slot, fmt, value))
    return out


MESSAGE = {0: "h", 1: "B", 2: "ref", 3: "q", 4: "ref"}
SCHEMA = {0: "h", 1: "ref", 2: "ref", 3: "ref"}
FOOTER = {0: "h", 1: "ref", 2: "ref", 3: "ref", 4: "ref"}
BLOCK = "qi4xq"


def big_schema(prefix, schema):
    return prefix.table(copy_fields(schema, SCHEMA, {0: BIG}))


def big_schema_message(meta):
    msg = root(meta)
    assert msg.scalar(1, "B") == H_SCHEMA
    schema = msg.table(2)
    assert schema.scalar(0, "h") == 0, "already big-endian"
    p = Prefix()
    header = ("new", 1)  # the schema table, written right after the message
    m = p.table(copy_fields(msg, MESSAGE, {2: header}))
    assert big_schema(p, schema) == header
    return p.finish(m, meta)


def big_footer(footer_bytes, dict_blocks, batch_blocks):
    footer = root(footer_bytes)
    p = Prefix()
    refs = {1: ("new", 1)}  # the schema, then the block vectors, follow the footer table
    nxt = 2
    for slot, blocks in ((2, dict_blocks), (3, batch_blocks)):
        if footer.field_pos(slot) is not None or blocks:
            refs[slot] = ("new", nxt)
            nxt += 1
    f = p.table(copy_fields(footer, FOOTER, refs))
    assert big_schema(p, footer.table(1)) == ("new", 1)
    for slot, blocks in ((2, dict_blocks), (3, batch_blocks)):
        if slot in refs:
            assert p.struct_vector(BLOCK, blocks) == refs[slot]
    return p.finish(f, footer_bytes)


# --------------------------------------------------------------------------
# the schema: which buffers a field has, and how each is swapped
# --------------------------------------------------------------------------

class Field:
    def __init__(self, t):
        self.type_type = t.scalar(2, "B")
        self.type = t.table(3)
        self.children = [Field(c) for c in t.tables(5)]
        d = t.table(4)
        self.dict_id = None
        if d is not None:
            self.dict_id = d.scalar(0, "q")
            index = d.table(1)
            self.index_width = (index.scalar(0, "i") if index else 32) // 8


def schema_fields(schema):
    return [Field(t) for t in schema.tables(1)]


def dictionary_fields(fields, out=None):
    out = {} if out is None else out
    for f in fields:
        if f.dict_id is not None:
            out[f.dict_id] = f
        dictionary_fields(f.children, out)
    return out


def value_width(f):
    """Byte width of a fixed-width value type (its swap unit), or None."""
    tt, t = f.type_type, f.type
    if tt == T_INT:
        return t.scalar(0, "i") // 8
    if tt == T_FLOAT:
        return {0: 2, 1: 4, 2: 8}[t.scalar(0, "h")]
    if tt == T_DECIMAL:
        return t.scalar(2, "i", 128) // 8  # a decimal is one integer: reverse all of it
    if tt == T_DATE:
        return 4 if t.scalar(0, "h", 1) == 0 else 8
    if tt == T_TIME:
        return t.scalar(1, "i", 32) // 8
    if tt in (T_TIMESTAMP, T_DURATION):
        return 8
    if tt == T_INTERVAL:
        # year_month is one int32, day_time two
        return {0: 4, 1: 4, 2: MONTH_DAY_NANO}[t.scalar(0, "h")]
    return None


def buffer_plan(f, version, variadic, out, as_value=False):
    """Append one swap kind per buffer of field f (and its children), in IPC order; return
    the number of field nodes used. as_value: f is a dictionary's value type, not indices."""
    nodes = 1
    if f.dict_id is not None and not as_value:
        out += [NO_SWAP, f.index_width]
        return nodes
    tt = f.type_type
    if tt == T_NULL:
        return nodes
    if tt == T_UNION:
        if version < V5:
            out.append(NO_SWAP)
        out.append(NO_SWAP)  # int8 type ids
        if f.type.scalar(0, "h") == 1:  # dense
            out.append(4)
    elif tt == T_REE:
        pass
    else:
        out.append(NO_SWAP)  # validity
        w = value_width(f)
        if w is not None:
            out.append(w)
        elif tt in (T_BINARY, T_UTF8):
            out += [4, NO_SWAP]
        elif tt in (T_LARGE_BINARY, T_LARGE_UTF8):
            out += [8, NO_SWAP]
        elif tt in (T_BOOL, T_FSB):
            out.append(NO_SWAP)
        elif tt in (T_LIST, T_MAP):
            out.append(4)
        elif tt == T_LARGE_LIST:
            out.append(8)
        elif tt == T_LIST_VIEW:
            out += [4, 4]
        elif tt == T_LARGE_LIST_VIEW:
            out += [8, 8]
        elif tt in (T_BINARY_VIEW, T_UTF8_VIEW):
            out.append(VIEWS)
            out += [NO_SWAP] * next(variadic)
        elif tt in (T_STRUCT, T_FSL):
            pass
        else:
            raise NotImplementedError("type %d" % tt)
    for c in f.children:
        nodes += buffer_plan(c, version, variadic, out)
    return nodes


# --------------------------------------------------------------------------
# swapping
# --------------------------------------------------------------------------

def swap(data, kind):
    if kind == NO_SWAP or not data:
        return bytes(data)
    if kind == MONTH_DAY_NANO:
        le = np.frombuffer(data, dtype=[("m", "<i4"), ("d", "<i4"), ("n", "<i8")])
        return le.astype([("m", ">i4"), ("d", ">i4"), ("n", ">i8")]).tobytes()
    if kind == VIEWS:
        le = np.frombuffer(data, dtype="<i4").reshape(-1, 4)
        be = le.byteswap()
        inline = le[:, 0] <= 12  # the length decides, so read it before swapping
        be[inline, 1:] = le[inline, 1:]
        be[:, 1] = le[:, 1]  # the 4-byte prefix (or inline bytes) is data
        return be.tobytes()
    assert len(data) % kind == 0, (len(data), kind)
    return np.frombuffer(data, dtype=np.uint8).reshape(-1, kind)[:, ::-1].tobytes()


def message_plan(msg, version, schema):
    """(RecordBatch table, swap kinds) of a record batch or dictionary batch message."""
    kind = msg.scalar(1, "B")
    if kind == H_RECORD_BATCH:
        batch, fields, as_value = msg.table(2), schema["fields"], False
    else:
        dictionary = msg.table(2)
        batch = dictionary.table(1)
        fields, as_value = [schema["dicts"][dictionary.scalar(0, "q")]], True
    counts = [c for (c,) in batch.structs(4, "q")]
    variadic = iter(counts)
    kinds, nodes = [], 0
    for f in fields:
        nodes += buffer_plan(f, version, variadic, kinds, as_value)
    assert next(variadic, None) is None, "unused variadic buffer counts"
    assert nodes == len(batch.structs(1, "qq")), "field nodes"
    assert len(kinds) == len(batch.structs(2, "qq")), "buffers"
    return batch, kinds


def swap_body(meta, body, schema):
    """The big-endian body; meta (a bytearray) gets new buffer offsets and body length when
    recompression changes sizes."""
    msg = root(meta)
    batch, kinds = message_plan(msg, msg.scalar(0, "h"), schema)
    buffers = batch.structs(2, "qq")
    compression = batch.table(3)
    assert all(off + length <= len(body) for off, length in buffers), "buffer past the body"
    if compression is None:
        out = bytearray(body)
        for (off, length), kind in zip(buffers, kinds):
            out[off:off + length] = swap(body[off:off + length], kind)
        return bytes(out)
    assert compression.scalar(0, "b") == 0, "only lz4 frame"
    out = bytearray()
    start, _ = batch.vector(2)
    for i, ((off, length), kind) in enumerate(zip(buffers, kinds)):
        raw = body[off:off + length]
        if length:
            # the uncompressed length stays little-endian: the format says so for both orders
            size = i64(raw, 0)
            if size == -1:
                raw = raw[:8] + swap(raw[8:], kind)
            else:
                plain = pa.decompress(raw[8:], size, codec="lz4", asbytes=True)
                raw = raw[:8] + pa.compress(swap(plain, kind), codec="lz4", asbytes=True)
        new_off = len(out)
        out += raw
        while len(out) % 8:
            out.append(0)
        struct.pack_into("<qq", meta, start + 16 * i, new_off, len(raw))
    body_length = msg.field_pos(3)
    assert body_length is not None
    struct.pack_into("<q", meta, body_length, len(out))
    return bytes(out)


# --------------------------------------------------------------------------
# messages, streams and files
# --------------------------------------------------------------------------

def read_messages(data, pos, end):
    """[(offset, metadata, body)] from pos up to an end-of-stream marker or end; and whether
    the marker was there."""
    out = []
    while pos < end:
        size = u32(data, pos)
        assert size == CONTINUATION, "legacy framing is not handled"
        size = i32(data, pos + 4)
        if size == 0:
            return out, True
        meta = bytearray(data[pos + 8:pos + 8 + size])
        body_len = root(meta).scalar(3, "q")
        body = data[pos + 8 + size:pos + 8 + size + body_len]
        assert len(body) == body_len
        out.append((pos, meta, body))
        pos += 8 + size + body_len
    return out, False


def frame(meta):
    meta = bytes(meta) + bytes(-len(meta) % 8)
    return struct.pack("<Ii", CONTINUATION, len(meta)) + meta


def convert_messages(messages):
    """[(old offset, framed metadata, body)] big-endian, in the same order."""
    schema_meta = messages[0][1]
    schema_root = root(schema_meta).table(2)
    fields = schema_fields(schema_root)
    schema = {"fields": fields, "dicts": dictionary_fields(fields)}
    out = [(messages[0][0], frame(big_schema_message(bytes(schema_meta))), b"")]
    for offset, meta, body in messages[1:]:
        assert root(meta).scalar(1, "B") in (H_RECORD_BATCH, H_DICTIONARY_BATCH)
        body = swap_body(meta, body, schema)
        out.append((offset, frame(meta), body))
    return out


def convert_stream(data):
    messages, eos = read_messages(data, 0, len(data))
    assert eos
    out = bytearray()
    for _, meta, body in convert_messages(messages):
        out += meta + body
    return bytes(out + struct.pack("<Ii", CONTINUATION, 0))


def convert_file(data):
    assert data[:6] == FILE_MAGIC and data[-6:] == FILE_MAGIC
    footer_len = i32(data, len(data) - 10)
    footer_start = len(data) - 10 - footer_len
    footer = data[footer_start:footer_start + footer_len]
    messages, eos = read_messages(data, 8, footer_start)
    out = bytearray(data[:8])
    where = {}
    for offset, meta, body in convert_messages(messages):
        where[offset] = (len(out), len(meta), len(body))
        out += meta + body
    if eos:
        out += struct.pack("<Ii", CONTINUATION, 0)
    f = root(footer)
    blocks = [[where[off] for off, _, _ in f.structs(slot, BLOCK)] for slot in (2, 3)]
    new_footer = big_footer(footer, *blocks)
    assert len(out) % 8 == 0
    out += new_footer + struct.pack("<i", len(new_footer)) + FILE_MAGIC
    return bytes(out)


# --------------------------------------------------------------------------
# the extra types the gold files lack
# --------------------------------------------------------------------------

def extras_batch(k):
    """Batch k (0 or 1) of the extras tables: 6 rows, nulls in every column (for unions and
    run-end encoded ones, in their children)."""
    def nulls(values, *rows):
        return [None if i in rows else v for i, v in enumerate(values)]

    s = 100 * k
    short = ["a", "", "b\u00e9", "twelve bytes"]  # views inline up to 12 bytes
    long_ = ["thirteen bytes", "a value long enough to need a data buffer %d" % k]
    strings = nulls([short[0], long_[0], short[1], long_[1], short[2], short[3]], 2 + k)
    run_ends = [2, 3, 6]
    ree_ints = pa.array(nulls([-7 - s, 0x0102030405060708 + s, -(1 << 40)], 1), pa.int64())
    ree_strs = pa.array(nulls(["run one", "run two, which is long", "3"], 2 - k))
    cols = {}
    for width in (16, 32, 64):
        ends = pa.array(run_ends, getattr(pa, "int%d" % width)())
        cols["ree_int%d_int64" % width] = pa.RunEndEncodedArray.from_arrays(ends, ree_ints)
        cols["ree_int%d_utf8" % width] = pa.RunEndEncodedArray.from_arrays(ends, ree_strs)
    cols["utf8_view"] = pa.array(strings, pa.string_view())
    cols["binary_view"] = pa.array([None if v is None else v.encode() + b"\x00\xff" for v in strings],
                                   pa.binary_view())
    # list views whose windows overlap and run backwards, which plain lists cannot
    values = pa.array([1 + s, -2, 0x01020304, None, 5, -6, 7], pa.int32())
    offsets, sizes = [4, 0, 2, 0, 6, 1], [3, 2, 0, 0, 1, 5]
    mask = pa.array([False, False, False, True, False, False])
    cols["list_view"] = pa.ListViewArray.from_arrays(
        pa.array(offsets, pa.int32()), pa.array(sizes, pa.int32()), values, mask=mask)
    cols["large_list_view"] = pa.LargeListViewArray.from_arrays(
        pa.array(offsets, pa.int64()), pa.array(sizes, pa.int64()),
        values.cast(pa.int64()), mask=mask)
    cols["float16"] = pa.array(np.array([1.5, -0.0, 65504, 1e-4, -2.25, 3], np.float16),
                               mask=np.array([False, False, False, k == 0, False, k == 1]))
    dec32 = ["1234567.89", "-0.01", "0", "-9999999.99", "42.00", "0.5"]
    dec64 = ["123456789012345.678", "-1.5", "0", "9.999", "-999999999999999.999", "7"]
    if k:
        dec32, dec64 = dec32[::-1], dec64[::-1]
    cols["decimal32"] = pa.array(nulls([Decimal(v) for v in dec32], 3), pa.decimal32(9, 2))
    cols["decimal64"] = pa.array(nulls([Decimal(v) for v in dec64], 4), pa.decimal64(18, 3))
    cols["large_utf8"] = pa.array(strings, pa.large_string())
    cols["large_binary"] = pa.array(cols["binary_view"].to_pylist(), pa.large_binary())
    mdn = [pa.MonthDayNano([m, d, n]) for m, d, n in
           [(1, 2, 3), (-14, 31, -86_400_000_000_000), (0, 0, 1 << 40), (120 + k, -1, 5), (0, 0, 0),
            (7, 8, -9)]]
    cols["month_day_nano"] = pa.array(nulls(mdn, 4), pa.month_day_nano_interval())
    big = [-(1 << 62) + s, 1, 0x0102030405060708, None, -1, 86_400_000_000_000]
    cols["duration_ns"] = pa.array(big, pa.duration("ns"))
    cols["time32_s"] = pa.array(nulls([0, 1, 3599, 43_200 + s, 86_399, 60], 5), pa.time32("s"))
    cols["time32_ms"] = pa.array(nulls([0, 1, 3_599_000, 43_200_001 + s, 86_399_999, 60], 1), pa.time32("ms"))
    cols["time64_us"] = pa.array(nulls([0, 1, 3_599_000_000, 43_200_000_001 + s, 86_399_999_999, 60], 2),
                                 pa.time64("us"))
    cols["time64_ns"] = pa.array(nulls([0, 1, 3_599_000_000_000, 43_200_000_000_001 + s,
                                        86_399_999_999_999, 60], 3),
                                 pa.time64("ns"))
    day = 86_400_000
    dates = [0, day, -day * 365, 19_675 * day, day * (1000 + k), 253_402_214_400_000]  # to 9999-12-31
    cols["date64"] = pa.array(nulls(dates, 0), pa.date64())
    ints = pa.array(nulls([1, -(1 << 35) + s, 0x01020304, 7, -8, 9], 2), pa.int64())
    strs = pa.array(nulls(["u", "union string", "", "x", "yy", "zzz"], 0))
    floats = pa.array(nulls([0.5, -1.0, 1e300, -0.0, 2.5 + k, 3], 5), pa.float64())
    type_ids = pa.array([0, 2, 1, 0, 1, 2], pa.int8())
    cols["sparse_union"] = pa.UnionArray.from_sparse(type_ids, [ints, strs, floats], ["i", "s", "f"],
                                                     [0, 1, 2])
    cols["dense_union"] = pa.UnionArray.from_dense(
        type_ids, pa.array([0, 0, 0, 1, 1, 1], pa.int32()),
        [ints.slice(0, 2), strs.slice(0, 2), floats.slice(0, 2)], ["i", "s", "f"], [0, 1, 2])
    # the same dictionary in both batches, which the file format requires
    dictionary = pa.array(["zero", "one", "two", "a longer dictionary word", "four"])
    cols["dictionary_int16"] = pa.DictionaryArray.from_arrays(
        pa.array(nulls([4, 0, 3, 1, 2, 3 - k], 1 + k), pa.int16()), dictionary)
    cols["uint16"] = pa.array(nulls([0, 1, 0x0102, 0xFFFF, 0x8000 + k, 7], 3), pa.uint16())
    cols["uint32"] = pa.array(nulls([0, 1, 0x01020304, 0xFFFFFFFF, 0x80000000 + k, 7], 4), pa.uint32())
    cols["uint64"] = pa.array(nulls([0, 1, 0x0102030405060708, (1 << 64) - 1, (1 << 63) + k, 7], 5),
                              pa.uint64())
    cols["fixed_size_list_int32"] = pa.array(
        nulls([[1, 2, 3], [None, -1, 0x01020304], [0, 0, 0], [k, k, k], [7, 8, 9], [-5, None, 5]], 2),
        pa.list_(pa.int32(), 3))
    cols["fixed_size_binary"] = pa.array(
        nulls([b"\x01\x02\x03\x04\x05", b"abcde", b"\x00" * 5, b"ABCDE", b"12345", b"\xff" * 5], 1 + 3 * k),
        pa.binary(5))
    return pa.record_batch(list(cols.values()), names=list(cols))


def pyarrow_cannot_swap(name):
    # Arrow C++ (so pyarrow 26) refuses to swap these: NotImplemented for run-end encoded and
    # view arrays. They get a table of their own, so the other extras can be read back by it.
    return name.startswith("ree_") or name in ("utf8_view", "binary_view")


def write_extras():
    """{file name: bytes} of the two little-endian extras tables, as files and streams."""
    both = [extras_batch(0), extras_batch(1)]
    out = {}
    for table, keep in (("extras", lambda n: not pyarrow_cannot_swap(n)),
                        ("extras_ree_view", pyarrow_cannot_swap)):
        names = [n for n in both[0].schema.names if keep(n)]
        batches = [b.select(names) for b in both]
        schema = batches[0].schema.with_metadata({"fixture": table, "written": "little-endian"})
        batches = [pa.record_batch(b.columns, schema=schema) for b in batches]
        for ext, new in ((".arrow_file", ipc.new_file), (".stream", ipc.new_stream)):
            sink = pa.BufferOutputStream()
            with new(sink, schema) as w:
                for b in batches:
                    w.write_batch(b)
            out[table + ext] = sink.getvalue().to_pybytes()
    return out


# --------------------------------------------------------------------------
# checks and driver
# --------------------------------------------------------------------------

def read(data, is_file, native):
    opts = ipc.IpcReadOptions(ensure_native_endian=native)
    if is_file:
        r = ipc.open_file(pa.BufferReader(data), options=opts)
        return r.schema, [r.get_batch(i) for i in range(r.num_record_batches)]
    r = ipc.open_stream(pa.BufferReader(data), options=opts)
    return r.schema, list(r)


def swapped_anything(le, be, is_file):
    """Whether swapping changed any body byte (not so for bitmaps, int8, bytes or no batches)."""
    def bodies(data):
        start = 8 if is_file else 0
        end = len(data) - 10 - i32(data, len(data) - 10) if is_file else len(data)
        return [body for _, _, body in read_messages(data, start, end)[0]]
    return bodies(le) != bodies(be)


def expected_be(data, kind):
    """What swapping should make of a little-endian buffer: a second, value-by-value
    implementation, so the check does not trust swap()."""
    if kind == NO_SWAP:
        return data
    out = bytearray()
    for i in range(0, len(data), 16 if kind in (MONTH_DAY_NANO, VIEWS) else kind):
        if kind == MONTH_DAY_NANO:
            out += struct.pack(">iiq", *struct.unpack_from("<iiq", data, i))
        elif kind == VIEWS:
            length, = struct.unpack_from("<i", data, i)
            out += struct.pack(">i", length)
            if length <= 12:
                out += data[i + 4:i + 16]
            else:
                out += data[i + 4:i + 8] + struct.pack(">ii", *struct.unpack_from("<ii", data, i + 8))
        else:
            out += data[i:i + kind][::-1]
    return bytes(out)


def own_buffers(arr):
    """(swap kind of each of arr's own buffers, child arrays), from pyarrow's type alone."""
    t, ty = arr.type, pa.types
    if isinstance(t, pa.BaseExtensionType):
        return own_buffers(arr.storage)
    if ty.is_dictionary(t):
        return [NO_SWAP, t.index_type.bit_width // 8], []
    if ty.is_null(t):
        return [NO_SWAP], []
    if ty.is_run_end_encoded(t):
        return [NO_SWAP], [arr.run_ends, arr.values]
    if ty.is_union(t):
        kinds = [NO_SWAP, NO_SWAP] + ([4] if t.mode == "dense" else [])
        return kinds, [arr.field(i) for i in range(t.num_fields)]
    if ty.is_struct(t):
        return [NO_SWAP], [arr.field(i) for i in range(t.num_fields)]
    if ty.is_fixed_size_list(t):
        return [NO_SWAP], [arr.values]
    if ty.is_list(t) or ty.is_map(t):
        return [NO_SWAP, 4], [arr.values]
    if ty.is_large_list(t):
        return [NO_SWAP, 8], [arr.values]
    if ty.is_list_view(t):
        return [NO_SWAP, 4, 4], [arr.values]
    if ty.is_large_list_view(t):
        return [NO_SWAP, 8, 8], [arr.values]
    if ty.is_string(t) or ty.is_binary(t):
        return [NO_SWAP, 4, NO_SWAP], []
    if ty.is_large_string(t) or ty.is_large_binary(t):
        return [NO_SWAP, 8, NO_SWAP], []
    if ty.is_binary_view(t) or ty.is_string_view(t):
        return [NO_SWAP, VIEWS] + [NO_SWAP] * (len(arr.buffers()) - 2), []
    if ty.is_boolean(t) or ty.is_fixed_size_binary(t):
        return [NO_SWAP, NO_SWAP], []
    if t == pa.month_day_nano_interval():
        return [NO_SWAP, MONTH_DAY_NANO], []
    return [NO_SWAP, t.bit_width // 8], []


def check_buffers(le, be, where):
    """be (read with ensure_native_endian=False) holds le's buffers, each swapped as its type
    says; dictionaries too. Returns whether any byte differs."""
    kinds, children = own_buffers(le)
    _, be_children = own_buffers(be)
    lb, bb = le.buffers(), be.buffers()
    changed = False
    assert len(lb) == len(bb), where
    for i, kind in enumerate(kinds):
        assert (lb[i] is None) == (bb[i] is None), where
        if lb[i] is not None:
            want = expected_be(lb[i].to_pybytes(), kind)
            assert bb[i].to_pybytes() == want, "%s: buffer %d" % (where, i)
            changed |= want != lb[i].to_pybytes()
    assert len(children) == len(be_children), where
    for i, (a, b) in enumerate(zip(children, be_children)):
        changed |= check_buffers(a, b, "%s.%d" % (where, i))
    if pa.types.is_dictionary(le.type):
        changed |= check_buffers(le.dictionary, be.dictionary, where + ".dictionary")
    return changed


def check(le, be, is_file, name):
    """Asserts be is le in big-endian order; returns le's schema, batches and whether pyarrow
    could swap be back itself."""
    schema, batches = read(le, is_file, True)
    raw_schema, raw = read(be, is_file, False)
    # Schema.equals compares endianness too, and pyarrow shows it nowhere else
    assert not raw_schema.equals(schema), name + ": not flagged big-endian"
    assert pa.schema(raw_schema, raw_schema.metadata).equals(schema, check_metadata=True), name
    raws = [raw]
    if is_file:
        # the file's own Schema message (which file readers skip) must say Big too, and the
        # messages after it must read as a stream of the same batches
        body_schema, body_raw = read(be[8:], False, False)
        assert not body_schema.equals(schema), name + ": schema message not big-endian"
        raws.append(body_raw)
    # pyarrow has no Array class for month and day_time intervals (Type ids 21 and 22), so
    # only the whole-batch comparisons below vouch for those columns
    columns = [i for i, f in enumerate(schema) if f.type.id not in (21, 22)]
    swapped = swapped_anything(le, be, is_file)
    for raw_batches in raws:
        assert len(raw_batches) == len(batches), name
        changed = False
        for a, b in zip(batches, raw_batches):
            for i in columns:
                changed |= check_buffers(a.column(i), b.column(i), "%s: %s" % (name, a.schema.names[i]))
        assert changed == swapped or (changed < swapped and len(columns) < len(schema)), name
    try:
        native = [read(be, is_file, True)] + ([read(be[8:], False, True)] if is_file else [])
    except pa.ArrowNotImplementedError:
        return schema, batches, False  # e.g. run-end encoded and view arrays, in pyarrow 26
    for be_schema, be_batches in native:
        assert be_schema.equals(schema, check_metadata=True), name
        assert len(be_batches) == len(batches), name
        for a, b in zip(batches, be_batches):
            assert a.equals(b, check_metadata=True), name
    if swapped:
        assert not all(a.equals(b) for a, b in zip(batches, raw)), name + ": not swapped"
    return schema, batches, True


def main():
    os.makedirs(OUT, exist_ok=True)
    jobs = []  # (output name, (source root, source path), little-endian bytes, is_file)
    gold = os.path.join(TESTING, GOLD)
    for name in sorted(os.listdir(gold)):
        stem, ext = os.path.splitext(name)
        if ext in (".arrow_file", ".stream"):
            with open(os.path.join(gold, name), "rb") as fh:
                source = ("testing", GOLD + "/" + name)
                jobs.append((stem + ".be" + ext, source, fh.read(), ext == ".arrow_file"))
    outputs = write_extras()
    for name, data in sorted(outputs.items()):
        stem, ext = os.path.splitext(name)
        jobs.append((stem + ".be" + ext, ("testdata", "ipc/bigendian/" + name), data, ext == ".arrow_file"))
    with open(os.path.join(TESTING, LZ4_SOURCE), "rb") as fh:
        jobs.append(("generated_lz4.be.stream", ("testing", LZ4_SOURCE), fh.read(), False))

    manifest = []
    for name, data in sorted(outputs.items()):
        schema, batches = read(data, name.endswith("_file"), True)
        manifest.append(entry(name, ("testdata", "make_bigendian_fixtures.py"), schema, batches, None))
    for name, source, le, is_file in jobs:
        convert = convert_file if is_file else convert_stream
        be = convert(le)
        assert be == convert(le), name + ": not deterministic"
        schema, batches, pyarrow_swaps = check(le, be, is_file, name)
        assert pyarrow_swaps or name.startswith("extras_ree_view"), name
        outputs[name] = be
        manifest.append(entry(name, source, schema, batches, pyarrow_swaps))

    for name, data in sorted(outputs.items()):
        with open(os.path.join(OUT, name), "wb") as fh:
            fh.write(data)
    manifest.sort(key=lambda e: e["file"])
    with open(os.path.join(OUT, "MANIFEST.json"), "w") as fh:
        json.dump(manifest, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    assert total < 2_000_000, total
    print("%d files, %d bytes in %s" % (len(outputs) + 1, total, OUT))


def entry(name, source, schema, batches, pyarrow_swaps):
    e = {"file": name, "format": "arrow-file" if name.endswith("_file") else "arrow-stream",
         "endianness": "big" if ".be." in name else "little"}
    e["source_root"], e["source"] = source
    if pyarrow_swaps is not None:
        # whether pyarrow itself reads it back (else only the buffer-by-buffer check vouches)
        e["pyarrow_reads_back"] = pyarrow_swaps
    e.update(num_rows=sum(b.num_rows for b in batches), num_batches=len(batches), schema=str(schema))
    return e


if __name__ == "__main__":
    sys.exit(main())
