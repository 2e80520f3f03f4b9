"""The differential oracle of the analytics plugin's SQL engine.

Generates random tables with pyarrow (every type the engine computes on, NULLs, NaN, infinities,
-0.0, integer extremes, empty and one-row tables), random queries from a grammar over their
schemas, runs each query in DuckDB (the engine's oracle) and writes what the Rust test
`plugin-components/analytics/tests/differential.rs` needs to run the same queries and compare:

    OUT/tables/<name>.arrow      each table, an Arrow IPC file
    OUT/results/q<N>.arrow       DuckDB's answer to query N, an Arrow IPC file
    OUT/manifest.json            the tables, and per query: sql, params, how its rows are ordered,
                                 the features it uses, and the answer's file or DuckDB's error

Usage:
    python oracle.py --seed S --queries N --out DIR [--features basic,joins,...]

Features switch parts of the grammar on: `basic` (filters, arithmetic, CASE, CAST, COALESCE,
NULLIF, abs, lower/upper/length, ORDER BY, LIMIT, DISTINCT, parameters), `aggregates` (the basic
aggregates are in `basic`; this adds DISTINCT and FILTER aggregates and the statistical,
boolean, string and ordered ones), `windows`, `strings` and `math` and `time` (the wider function
library), `joins`, `subqueries` (FROM, IN, scalar, EXISTS, CTEs, set operations).

The same seed always gives the same tables and queries (the generator draws from one
`random.Random`, and the tables from one `numpy` generator).
"""

import argparse
import datetime
import decimal
import json
import os
import random
import re
import shutil
import sys

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc

ALL_FEATURES = ["basic", "aggregates", "windows", "strings", "math", "time", "joins", "subqueries"]
DEFAULT_FEATURES = ALL_FEATURES
# Answers larger than this are not compared (they would only slow the run down).
MAX_ROWS = 50000

# ---------------------------------------------------------------------------------------------
# Tables


class Col:
    """A column: its name, Arrow type, and the category the grammar types expressions by."""

    def __init__(self, name, typ, cat, sql):
        self.name = name
        self.typ = typ
        self.cat = cat  # int, float, dec, str, bool, date, ts
        self.sql = sql  # the SQL type name (for CASTs to it)


INT_TYPES = [
    ("i8", pa.int8(), "TINYINT", -(2**7), 2**7 - 1),
    ("i16", pa.int16(), "SMALLINT", -(2**15), 2**15 - 1),
    ("i32", pa.int32(), "INTEGER", -(2**31), 2**31 - 1),
    ("i64", pa.int64(), "BIGINT", -(2**63), 2**63 - 1),
    ("u8", pa.uint8(), "UTINYINT", 0, 2**8 - 1),
    ("u16", pa.uint16(), "USMALLINT", 0, 2**16 - 1),
    ("u32", pa.uint32(), "UINTEGER", 0, 2**32 - 1),
    ("u64", pa.uint64(), "UBIGINT", 0, 2**64 - 1),
]
DEC_TYPES = [("d15", 15, 2), ("d38", 38, 10), ("d5", 5, 0), ("d18", 18, 4)]
STRINGS = ["a", "b", "c", "ab", "abc", "", " ", "A", "B", "é", "ß", "日本", "x_y", "50%", "a b", "Zz", "ǅ", "🙂", "aa", "ba"]
WORDS = ["apple", "banana", "cherry", "date", "elder", "fig", "grape", "", "Äpfel", "naïve", "ΣΑΣ", "中文", "o'neil", "back\\slash", "tab\there", "x%y", "a_b"]


def null_mask(rng, n, rate):
    return rng.random(n) < rate


def ints(rng, n, lo, hi, rate, extremes):
    small_lo, small_hi = max(lo, -100), min(hi, 100)
    vals = [int(x) for x in rng.integers(small_lo, small_hi + 1, size=n)]
    for i in range(n):
        r = rng.random()
        if r < extremes:
            vals[i] = [lo, hi, lo + 1, hi - 1][int(rng.integers(0, 4))]
        elif r < extremes * 3:
            # Anywhere in the type's range (a fraction of it, times a 53-bit draw).
            span = hi - lo
            vals[i] = lo + (span * int(rng.integers(0, 2**53))) // 2**53
    mask = null_mask(rng, n, rate)
    return [None if m else v for v, m in zip(vals, mask)]


def floats(rng, n, rate, f32):
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.03:
            out.append(float("nan"))
        elif r < 0.05:
            out.append(float("inf"))
        elif r < 0.07:
            out.append(float("-inf"))
        elif r < 0.10:
            out.append(-0.0)
        elif r < 0.13:
            out.append(0.0)
        elif r < 0.5:
            out.append(float(rng.integers(-50, 50)) / 4)
        else:
            x = float(rng.normal(0, 300))
            out.append(float(np.float32(x)) if f32 else x)
    mask = null_mask(rng, n, rate)
    return [None if m else v for v, m in zip(out, mask)]


def decimals(rng, n, p, s, rate):
    out = []
    top = 10 ** min(p - s, 6)
    for _ in range(n):
        r = rng.random()
        if r < 0.03:
            unscaled = int("9" * p) * (1 if rng.random() < 0.5 else -1)
        else:
            unscaled = int(rng.integers(-top, top)) * 10**s + int(rng.integers(0, 10**s))
        out.append(decimal.Decimal(unscaled).scaleb(-s, context=decimal.Context(prec=80)))
    mask = null_mask(rng, n, rate)
    return [None if m else v for v, m in zip(out, mask)]


def strings(rng, n, pool, rate):
    out = [pool[int(i)] for i in rng.integers(0, len(pool), size=n)]
    mask = null_mask(rng, n, rate)
    return [None if m else v for v, m in zip(out, mask)]


EPOCH = datetime.date(1970, 1, 1)


def dates(rng, n, rate):
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.1:
            d = int(rng.integers(-30000, 0))
        elif r < 0.3:
            d = 18262 + int(rng.integers(0, 40))  # early 2020, many repeats of months
        else:
            d = int(rng.integers(0, 25000))
        out.append(EPOCH + datetime.timedelta(days=d))
    mask = null_mask(rng, n, rate)
    return [None if m else v for v, m in zip(out, mask)]


def timestamps(rng, n, unit, rate):
    """Values as integers in `unit`, within what nanoseconds can hold."""
    per_s = {"s": 1, "ms": 1000, "us": 10**6, "ns": 10**9}[unit]
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.1:
            secs = int(rng.integers(-2_000_000_000, 0))
        elif r < 0.3:
            secs = 1_577_836_800 + int(rng.integers(0, 90 * 86400))
        else:
            secs = int(rng.integers(0, 2_200_000_000))
        frac = int(rng.integers(0, per_s)) if per_s > 1 and rng.random() < 0.7 else 0
        out.append(secs * per_s + frac)
    mask = null_mask(rng, n, rate)
    return [None if m else v for v, m in zip(out, mask)]


def main_columns():
    cols = [Col("id", pa.int64(), "int", "BIGINT"), Col("k", pa.int32(), "int", "INTEGER"), Col("g", pa.string(), "str", "VARCHAR")]
    for name, typ, sql, _, _ in INT_TYPES:
        cols.append(Col(name, typ, "int", sql))
    cols.append(Col("f32", pa.float32(), "float", "FLOAT"))
    cols.append(Col("f64", pa.float64(), "float", "DOUBLE"))
    for name, p, s in DEC_TYPES:
        cols.append(Col(name, pa.decimal128(p, s), "dec", f"DECIMAL({p},{s})"))
    cols += [
        Col("s", pa.string(), "str", "VARCHAR"),
        Col("b", pa.bool_(), "bool", "BOOLEAN"),
        Col("dt", pa.date32(), "date", "DATE"),
        Col("ts", pa.timestamp("us"), "ts", "TIMESTAMP"),
        Col("tz", pa.timestamp("us", tz="UTC"), "tstz", "TIMESTAMPTZ"),
        Col("tms", pa.timestamp("ms"), "ts", "TIMESTAMP_MS"),
        Col("tns", pa.timestamp("ns"), "ts", "TIMESTAMP_NS"),
        Col("tsec", pa.timestamp("s"), "ts", "TIMESTAMP_S"),
    ]
    return cols


def side_columns():
    return [
        Col("id", pa.int64(), "int", "BIGINT"),
        Col("k", pa.int32(), "int", "INTEGER"),
        Col("g", pa.string(), "str", "VARCHAR"),
        Col("i32", pa.int32(), "int", "INTEGER"),
        Col("i64", pa.int64(), "int", "BIGINT"),
        Col("u8", pa.uint8(), "int", "UTINYINT"),
        Col("f64", pa.float64(), "float", "DOUBLE"),
        Col("d15", pa.decimal128(15, 2), "dec", "DECIMAL(15,2)"),
        Col("s", pa.string(), "str", "VARCHAR"),
        Col("b", pa.bool_(), "bool", "BOOLEAN"),
        Col("dt", pa.date32(), "date", "DATE"),
        Col("ts", pa.timestamp("us"), "ts", "TIMESTAMP"),
    ]


def make_table(rng, cols, n, extremes):
    arrays = []
    ids = list(range(1, n + 1))
    rng.shuffle(ids)
    for c in cols:
        rate = float(rng.choice([0.0, 0.05, 0.2, 0.5])) if c.name not in ("id",) else 0.0
        if c.name == "id":
            arrays.append(pa.array(ids, c.typ))
        elif c.name == "k":
            v = [int(x) for x in rng.integers(0, 8, size=n)]
            m = null_mask(rng, n, min(rate, 0.1))
            arrays.append(pa.array([None if mm else x for x, mm in zip(v, m)], c.typ))
        elif c.name == "g":
            arrays.append(pa.array(strings(rng, n, STRINGS[:8], min(rate, 0.1)), c.typ))
        elif c.cat == "int":
            lo, hi = next((lo, hi) for name, t, _, lo, hi in INT_TYPES if t == c.typ)
            arrays.append(pa.array(ints(rng, n, lo, hi, rate, extremes), c.typ))
        elif c.cat == "float":
            arrays.append(pa.array(floats(rng, n, rate, c.typ == pa.float32()), c.typ))
        elif c.cat == "dec":
            arrays.append(pa.array(decimals(rng, n, c.typ.precision, c.typ.scale, rate), c.typ))
        elif c.cat == "str":
            arrays.append(pa.array(strings(rng, n, STRINGS + WORDS, rate), c.typ))
        elif c.cat == "bool":
            v = [bool(x) for x in rng.integers(0, 2, size=n)]
            m = null_mask(rng, n, rate)
            arrays.append(pa.array([None if mm else x for x, mm in zip(v, m)], c.typ))
        elif c.cat == "date":
            arrays.append(pa.array(dates(rng, n, rate), c.typ))
        elif c.cat in ("ts", "tstz"):
            arrays.append(pa.array(timestamps(rng, n, c.typ.unit, rate), c.typ))
        else:
            raise ValueError(c.cat)
    return pa.table(arrays, names=[c.name for c in cols])


def make_tables(seed):
    """The table set of one seed: name -> (columns, pyarrow table)."""
    rng = np.random.default_rng(seed)
    main, side = main_columns(), side_columns()
    sizes = [int(rng.integers(40, 400)), int(rng.integers(10, 120)), int(rng.integers(3, 30))]
    extremes = float(rng.choice([0.0, 0.01, 0.03]))
    return {
        "t1": (main, make_table(rng, main, sizes[0], extremes)),
        "t2": (side, make_table(rng, side, sizes[1], extremes)),
        "t3": (side, make_table(rng, side, sizes[2], extremes)),
        "t0": (side, make_table(rng, side, 0, extremes)),
        "t_one": (main, make_table(rng, main, 1, extremes)),
    }


# ---------------------------------------------------------------------------------------------
# The grammar

NUMERIC = ("int", "float", "dec")
ORDERABLE = ("int", "float", "dec", "str", "bool", "date", "ts", "tstz")


class Ref:
    """A column reference in scope: its SQL text and category."""

    def __init__(self, sql, cat, typ=None):
        self.sql = sql
        self.cat = cat
        self.typ = typ


class Gen:
    def __init__(self, rnd, tables, features):
        self.r = rnd
        self.tables = tables
        self.f = set(features)
        self.used = set()
        self.params = []
        self.float_agg = False
        self.last_cat = "int"

    # -- helpers
    def chance(self, p):
        return self.r.random() < p

    def pick(self, xs):
        return xs[self.r.randrange(len(xs))]

    def feat(self, name):
        return name in self.f

    def mark(self, name):
        self.used.add(name)

    # -- literals
    def lit(self, cat):
        r = self.r
        if cat == "int":
            if self.chance(0.05):
                return self.pick(["2147483647", "-2147483648", "9223372036854775807", "127", "-128", "255", "32767", "4294967295", "18446744073709551615"])
            v = r.randint(-20, 100)
            return str(v) if v >= 0 else f"({v})"
        if cat == "float":
            return self.pick(["1e1", "2.5e0", "-1e2", "0.5e0", "1e-1", "3e0", "'NaN'::DOUBLE", "'inf'::DOUBLE", "-0.0::DOUBLE", "0.0::DOUBLE"])
        if cat == "dec":
            return self.pick(["1.5", "0.25", "100.00", "-3.75", "12345.678", "0.0", "2.50", "99.99", "-0.01"])
        if cat == "str":
            s = self.pick(STRINGS + WORDS + ["apple", "b", "é"])
            return "'" + s.replace("'", "''") + "'"
        if cat == "bool":
            return self.pick(["TRUE", "FALSE"])
        if cat == "date":
            return "DATE '" + self.pick(["2020-01-15", "1970-01-01", "2000-02-29", "1950-06-30", "2024-12-31", "2020-02-01"]) + "'"
        if cat in ("ts", "tstz"):
            kw = "TIMESTAMP" if cat == "ts" else "TIMESTAMPTZ"
            return kw + " '" + self.pick(["2020-01-15 12:00:00", "1970-01-01 00:00:00", "2001-09-09 01:46:40", "1960-03-01 08:30:00.5", "2030-01-01 00:00:00", "2020-02-10 23:59:59.999999"]) + "'"
        raise ValueError(cat)

    # -- expressions
    def refs(self, scope, cats):
        return [c for c in scope if c.cat in cats]

    def expr(self, scope, cat, depth):
        """An expression of category `cat` ('num' is any numeric) over the columns in scope."""
        cats = NUMERIC if cat == "num" else (cat,)
        choices = self.refs(scope, cats)
        if depth <= 0 or self.chance(0.35):
            if choices and self.chance(0.85):
                return self.pick(choices).sql
            c = self.pick(list(cats))
            if c == "tstz":
                c = "ts"
            return self.lit(c)
        want = self.pick(list(cats))
        if want in NUMERIC:
            return self.num_expr(scope, want, depth)
        if want == "str":
            return self.str_expr(scope, depth)
        if want == "bool":
            return self.bool_expr(scope, depth)
        return self.time_expr(scope, want, depth)

    def num_expr(self, scope, cat, depth):
        d = depth - 1
        options = ["arith", "arith", "neg", "case", "cast", "coalesce", "nullif", "abs", "div", "intdiv", "mod", "length"]
        if self.feat("math"):
            options += ["math"] * 3
        if self.feat("time"):
            options += ["datepart"]
        if self.feat("strings"):
            options += ["strnum"]
        kind = self.pick(options)
        e = lambda c=cat: self.expr(scope, c, d)  # noqa: E731
        if kind == "arith":
            self.mark("arith")
            return f"({e()} {self.pick(['+', '-', '*'])} {self.expr(scope, self.pick(list(NUMERIC)), d)})"
        if kind == "neg":
            return f"(- {e()})"
        if kind == "div":
            self.mark("div")
            return f"({e()} / {e()})"
        if kind == "intdiv":
            self.mark("intdiv")
            return f"({e('int')} // {e('int')})"
        if kind == "mod":
            self.mark("mod")
            return f"({e()} % {e()})"
        if kind == "case":
            return self.case_expr(scope, cat, d)
        if kind == "cast":
            return self.cast_to_num(scope, cat, d)
        if kind == "coalesce":
            self.mark("coalesce")
            args = ", ".join(e() for _ in range(self.r.randint(2, 3)))
            return f"coalesce({args})"
        if kind == "nullif":
            self.mark("nullif")
            return f"nullif({e()}, {e()})"
        if kind == "abs":
            return f"abs({e()})"
        if kind == "length":
            return f"length({self.expr(scope, 'str', d)})"
        if kind == "math":
            self.mark("math")
            f1 = ["round", "floor", "ceil", "sign", "sqrt", "ln", "exp", "trunc", "cbrt", "log10", "log2", "degrees", "radians", "sin", "cos", "atan", "isnan", "isinf", "even"]
            fn = self.pick(f1 + ["round2", "power", "greatest", "least", "gcd", "lcm", "mod", "atan2"])
            if fn == "round2":
                return f"round({e()}, {self.r.randint(-2, 3)})"
            if fn in ("isnan", "isinf"):
                return f"CASE WHEN {fn}({e('float')}) THEN 1 ELSE 0 END"
            if fn in ("power", "atan2"):
                return f"{'pow' if fn == 'power' else fn}({e()}, {e()})"
            if fn in ("greatest", "least"):
                return f"{fn}({e()}, {e()}, {e()})"
            if fn in ("gcd", "lcm"):
                return f"{fn}({e('int')}, {e('int')})"
            if fn == "mod":
                return f"mod({e()}, {e()})"
            return f"{fn}({e()})"
        if kind == "datepart":
            self.mark("time")
            part = self.pick(["year", "month", "day", "hour", "minute", "second", "dow", "doy", "quarter", "week", "epoch", "isodow"])
            src = self.expr(scope, self.pick(["date", "ts"]), d)
            if self.chance(0.5):
                return f"date_part('{part}', {src})"
            if part in ("year", "month", "day", "hour", "minute", "quarter", "week", "dow", "doy"):
                return f"extract({part} FROM {src})"
            return f"{part}({src})" if part in ("year", "month", "day", "hour", "minute") else f"date_part('{part}', {src})"
        if kind == "strnum":
            self.mark("strings")
            fn = self.pick(["strpos", "ascii", "instr", "bit_length", "strlen"])
            if fn in ("strpos", "instr"):
                return f"{fn}({self.expr(scope, 'str', d)}, {self.lit('str')})"
            return f"{fn}({self.expr(scope, 'str', d)})"
        raise ValueError(kind)

    def cast_to_num(self, scope, cat, d):
        self.mark("cast")
        src = self.pick(list(NUMERIC) + ["bool", "str"] if self.chance(0.2) else list(NUMERIC))
        inner = self.expr(scope, src, d)
        if cat == "int":
            t = self.pick([t for _, _, t, _, _ in INT_TYPES])
        elif cat == "float":
            t = self.pick(["DOUBLE", "FLOAT"])
        else:
            t = self.pick(["DECIMAL(15,2)", "DECIMAL(10,4)", "DECIMAL(38,10)", "DECIMAL(5,0)", "DECIMAL(18,3)"])
        kw = "TRY_CAST" if self.chance(0.2) else "CAST"
        if kw == "TRY_CAST":
            self.mark("try_cast")
        if src == "str":
            inner = self.pick(["'12'", "' 7 '", "'-3'", "'1.5'", "'abc'", "''", "'1e3'"]) if self.chance(0.7) else inner
        return f"{kw}({inner} AS {t})"

    def case_expr(self, scope, cat, d):
        self.mark("case")
        n = self.r.randint(1, 3)
        if self.chance(0.3):
            # The simple form: CASE x WHEN v THEN ...
            xcat = self.pick(["int", "str"])
            x = self.expr(scope, xcat, d)
            whens = " ".join(f"WHEN {self.lit(xcat)} THEN {self.expr(scope, cat, d)}" for _ in range(n))
        else:
            x = ""
            whens = " ".join(f"WHEN {self.bool_expr(scope, d)} THEN {self.expr(scope, cat, d)}" for _ in range(n))
        other = f" ELSE {self.expr(scope, cat, d)}" if self.chance(0.7) else ""
        return f"CASE {x} {whens}{other} END"

    def str_expr(self, scope, depth):
        d = depth - 1
        options = ["lower", "upper", "coalesce", "case", "concat", "cast", "nullif"]
        if self.feat("strings"):
            options += ["fn"] * 4
        if self.feat("time"):
            options += ["strftime"]
        kind = self.pick(options)
        s = lambda: self.expr(scope, "str", d)  # noqa: E731
        if kind in ("lower", "upper"):
            return f"{kind}({s()})"
        if kind == "coalesce":
            self.mark("coalesce")
            return f"coalesce({s()}, {s()})"
        if kind == "nullif":
            self.mark("nullif")
            return f"nullif({s()}, {s()})"
        if kind == "case":
            return self.case_expr(scope, "str", d)
        if kind == "concat":
            self.mark("concat")
            return f"({s()} || {s()})"
        if kind == "cast":
            self.mark("cast")
            return f"CAST({self.expr(scope, self.pick(['int', 'bool', 'date']), d)} AS VARCHAR)"
        if kind == "strftime":
            self.mark("time")
            return f"strftime({self.expr(scope, self.pick(['date', 'ts']), d)}, '{self.pick(['%Y-%m-%d', '%H:%M:%S', '%Y/%j', '%d.%m.%Y %H'])}')"
        self.mark("strings")
        # No `md5`: the engine has no hash functions (no digest crate in the build).
        fn = self.pick(["substr", "replace", "trim", "ltrim", "rtrim", "concat", "left", "right", "reverse", "repeat", "lpad", "rpad", "substr2", "concat_ws", "split_part", "regexp_replace"])
        if fn == "substr":
            return f"substr({s()}, {self.r.randint(-3, 5)}, {self.r.randint(0, 4)})"
        if fn == "substr2":
            return f"substring({s()}, {self.r.randint(1, 4)})"
        if fn == "replace":
            return f"replace({s()}, {self.lit('str')}, {self.lit('str')})"
        if fn in ("trim", "ltrim", "rtrim", "reverse"):
            return f"{fn}({s()})"
        if fn == "concat":
            return f"concat({s()}, {self.expr(scope, self.pick(['str', 'int']), d)}, {s()})"
        if fn in ("left", "right"):
            return f"{fn}({s()}, {self.r.randint(0, 4)})"
        if fn == "repeat":
            return f"repeat({s()}, {self.r.randint(0, 3)})"
        if fn in ("lpad", "rpad"):
            return f"{fn}({s()}, {self.r.randint(0, 8)}, '*')"
        if fn == "concat_ws":
            return f"concat_ws('-', {s()}, {s()})"
        if fn == "split_part":
            return f"split_part({s()}, ' ', {self.r.randint(1, 2)})"
        if fn == "regexp_replace":
            return f"regexp_replace({s()}, '[aeiou]', '_')"
        raise ValueError(fn)

    def time_expr(self, scope, cat, depth):
        d = depth - 1
        options = ["coalesce", "case", "cast"]
        if self.feat("time"):
            options += ["trunc", "interval", "bucket", "plus_days"]
        kind = self.pick(options)
        if kind == "coalesce":
            self.mark("coalesce")
            return f"coalesce({self.expr(scope, cat, d)}, {self.lit('ts' if cat == 'tstz' else cat)})"
        if kind == "case":
            return self.case_expr(scope, cat, d)
        if kind == "cast":
            self.mark("cast")
            if cat == "date":
                return f"CAST({self.expr(scope, self.pick(['ts', 'tstz']), d)} AS DATE)"
            if cat == "tstz":
                return f"CAST({self.expr(scope, 'ts', d)} AS TIMESTAMPTZ)"
            return f"CAST({self.expr(scope, self.pick(['date', 'tstz']), d)} AS TIMESTAMP)"
        self.mark("time")
        if kind == "trunc":
            unit = self.pick(["year", "quarter", "month", "week", "day", "hour", "minute", "second"])
            src = self.expr(scope, "ts" if cat == "ts" else cat, d)
            if cat == "date":
                return f"CAST(date_trunc('{unit}', {src}) AS DATE)"
            return f"date_trunc('{unit}', {src})"
        if kind == "interval":
            iv = self.pick(["INTERVAL 1 DAY", "INTERVAL '2 hours'", "INTERVAL 3 MONTH", "INTERVAL '1 year'", "INTERVAL 90 MINUTE", "INTERVAL '1 day 2 hours'"])
            if cat == "date":
                return f"CAST({self.expr(scope, 'date', d)} {self.pick(['+', '-'])} {iv} AS DATE)"
            return f"({self.expr(scope, cat, d)} {self.pick(['+', '-'])} {iv})"
        if kind == "bucket":
            iv = self.pick(["INTERVAL '1 day'", "INTERVAL '15 minutes'", "INTERVAL '1 month'", "INTERVAL '7 days'"])
            if cat == "date":
                return f"time_bucket({iv}, {self.expr(scope, 'date', d)})"
            return f"time_bucket({iv}, {self.expr(scope, cat, d)})"
        if kind == "plus_days":
            if cat == "date":
                return f"({self.expr(scope, 'date', d)} + {self.r.randint(-40, 40)})"
            return f"({self.expr(scope, cat, d)} + INTERVAL '{self.r.randint(-40, 40)} days')"
        raise ValueError(kind)

    def comparable_pair(self, scope, d):
        cat = self.pick(["num", "num", "num", "str", "date", "ts", "bool", "tstz"])
        return self.expr(scope, cat, d), self.expr(scope, cat, d), cat

    def bool_expr(self, scope, depth):
        d = depth - 1
        if depth <= 0:
            cols = self.refs(scope, ("bool",))
            if cols and self.chance(0.5):
                return self.pick(cols).sql
            a, b, _ = self.comparable_pair(scope, 0)
            return f"({a} {self.pick(['=', '<>', '<', '<=', '>', '>='])} {b})"
        kind = self.pick(["cmp", "cmp", "cmp", "and", "or", "not", "isnull", "between", "in", "like", "distinct", "col", "param"])
        if kind == "cmp":
            a, b, _ = self.comparable_pair(scope, d)
            return f"({a} {self.pick(['=', '<>', '!=', '<', '<=', '>', '>='])} {b})"
        if kind in ("and", "or"):
            return f"({self.bool_expr(scope, d)} {kind.upper()} {self.bool_expr(scope, d)})"
        if kind == "not":
            return f"(NOT {self.bool_expr(scope, d)})"
        if kind == "isnull":
            self.mark("is_null")
            return f"({self.expr(scope, self.pick(list(ORDERABLE)), d)} IS {self.pick(['', 'NOT '])}NULL)"
        if kind == "between":
            self.mark("between")
            cat = self.pick(["num", "str", "date", "ts"])
            neg = "NOT " if self.chance(0.3) else ""
            return f"({self.expr(scope, cat, d)} {neg}BETWEEN {self.expr(scope, cat, 0)} AND {self.expr(scope, cat, 0)})"
        if kind == "in":
            self.mark("in_list")
            cat = self.pick(["int", "str", "dec", "date", "float"])
            items = ", ".join(self.lit(cat) if not self.chance(0.1) else "NULL" for _ in range(self.r.randint(1, 4)))
            neg = "NOT " if self.chance(0.3) else ""
            return f"({self.expr(scope, cat, d)} {neg}IN ({items}))"
        if kind == "like":
            self.mark("like")
            pat = self.pick(["'a%'", "'%a'", "'%b%'", "'_'", "'%'", "''", "'a_c'", "'%\\%%'", "'A%'", "'%é%'", "'__%'"])
            op = self.pick(["LIKE", "NOT LIKE", "ILIKE", "NOT ILIKE"]) if self.chance(0.5) else "LIKE"
            return f"({self.expr(scope, 'str', d)} {op} {pat})"
        if kind == "distinct":
            self.mark("is_distinct")
            a, b, _ = self.comparable_pair(scope, d)
            return f"({a} IS {self.pick(['', 'NOT '])}DISTINCT FROM {b})"
        if kind == "param" and self.feat("basic"):
            cols = self.refs(scope, ("int", "str", "float"))
            if cols:
                c = self.pick(cols)
                self.mark("params")
                if c.cat == "int":
                    v = {"type": "int64", "value": self.r.randint(-10, 50)}
                elif c.cat == "float":
                    v = {"type": "float64", "value": self.r.choice([0.5, -2.25, 10.0])}
                else:
                    v = {"type": "utf8", "value": self.pick(STRINGS)}
                self.params.append(v)
                return f"({c.sql} {self.pick(['=', '<', '>=', '<>'])} ${len(self.params)})"
        cols = self.refs(scope, ("bool",))
        if cols:
            return self.pick(cols).sql
        return self.pick(["TRUE", "FALSE", "NULL"]) if self.chance(0.2) else f"({self.expr(scope, 'num', d)} > 0)"

    # -- unique row keys
    def row_ids(self, scope):
        """The `id` columns in scope: together they tell every row of a table or a join apart
        (a join's row is a pair of ids, one of them NULL in an outer join's unmatched rows). Empty
        over a FROM subquery, whose rows have no key."""
        return [c.sql for c in scope if c.sql.split(".")[-1] == "id"]

    def reads_column(self, sql):
        """Whether `sql` is more than a bare literal (DuckDB refuses to order an aggregate by a
        non-integer literal; a constant needs no tie-break anyway)."""
        return not re.fullmatch(r"'(?:[^']|'')*'|[-+]?[0-9.e+-]+|\(-\s*[0-9.e+-]+\)|TRUE|FALSE|NULL", sql)

    def row_key(self, scope):
        """One integer expression unique per row (ids are below 1000 and start at 1, so a NULL id
        taken as 0 cannot collide), or None."""
        ids = self.row_ids(scope)
        if not ids:
            return None
        key = f"coalesce({ids[0]}, 0)" if len(ids) > 1 else ids[0]
        for i in ids[1:]:
            key = f"({key} * 1000 + coalesce({i}, 0))"
        return key

    # -- aggregates
    def agg(self, scope, depth):
        self.mark("aggregate")
        d = max(depth - 1, 0)
        fns = ["count_star", "count", "sum", "avg", "min", "max"]
        if self.feat("aggregates"):
            fns += ["count_distinct", "sum_distinct", "filter", "stddev_samp", "stddev_pop", "var_samp", "var_pop", "median", "quantile", "bool_and", "bool_or", "string_agg", "first_ordered", "arg_min", "arg_max", "min_str", "product"]
        fn = self.pick(fns)
        if fn == "count_star":
            return "count(*)", "int"
        if fn == "count":
            return f"count({self.expr(scope, self.pick(list(ORDERABLE)), d)})", "int"
        if fn in ("sum", "avg"):
            cat = self.pick(list(NUMERIC))
            if cat == "float":
                self.float_agg = True
            return f"{fn}({self.expr(scope, cat, d)})", ("float" if fn == "avg" else cat)
        if fn in ("min", "max"):
            cat = self.pick(list(ORDERABLE))
            return f"{fn}({self.expr(scope, cat, d)})", cat
        sql = self.agg_more(scope, fn, d)
        return sql, self.agg_cat(sql)

    def agg_more(self, scope, fn, d):
        self.mark("aggregates")
        if fn == "count_distinct":
            return f"count(DISTINCT {self.expr(scope, self.pick(list(ORDERABLE)), d)})"
        if fn == "sum_distinct":
            self.last_cat = "num"
            return f"sum(DISTINCT {self.expr(scope, self.pick(['int', 'dec']), d)})"
        if fn == "filter":
            inner, self.last_cat = self.pick([("count(*)", "int"), ("sum(" + self.expr(scope, "int", d) + ")", "int"), ("max(" + self.expr(scope, "str", d) + ")", "str")])
            return f"{inner} FILTER (WHERE {self.bool_expr(scope, d)})"
        if fn in ("stddev_samp", "stddev_pop", "var_samp", "var_pop", "median"):
            self.float_agg = True
            return f"{fn}({self.expr(scope, self.pick(['int', 'dec', 'float']), d)})"
        if fn == "quantile":
            self.float_agg = True
            return f"quantile_cont({self.expr(scope, self.pick(['int', 'float']), d)}, {self.pick(['0.25', '0.5', '0.9', '0', '1'])})"
        if fn in ("bool_and", "bool_or"):
            return f"{fn}({self.bool_expr(scope, d)})"
        if fn == "string_agg":
            keys = [self.pick(scope).sql for _ in range(2)]
            x = self.expr(scope, "str", d)
            # The value itself last: rows the keys leave tied then join in one order only (a
            # constant needs no tie-break, and DuckDB refuses to order by one).
            if self.reads_column(x):
                keys.append(x)
            return f"string_agg({x}, ',' ORDER BY {', '.join(keys)})"
        if fn == "first_ordered":
            key = self.row_key(scope) or self.expr(scope, "int", 0)
            self.last_cat = self.pick(list(ORDERABLE))
            x = self.expr(scope, self.last_cat, d)
            # The value itself breaks ties a key without a unique row id leaves.
            keys = f"{key}, {x}" if self.reads_column(x) else key
            return f"{self.pick(['first', 'last'])}({x} ORDER BY {keys})"
        if fn in ("arg_min", "arg_max"):
            key = self.row_key(scope)
            self.last_cat = self.pick(["int", "str"])
            if key is None:
                # Without a unique key, ties would pick an unspecified row.
                return f"max({self.expr(scope, self.last_cat, d)})"
            return f"{fn}({self.expr(scope, self.last_cat, d)}, {key})"
        if fn == "min_str":
            self.last_cat = "str"
            return f"max({self.expr(scope, 'str', d)})"
        if fn == "product":
            self.float_agg = True
            return f"product({self.expr(scope, 'int', 0)})"
        if fn == "any_value":
            return f"count(any_value({self.expr(scope, 'int', d)}))"
        raise ValueError(fn)

    # -- windows
    def window(self, scope, depth):
        self.mark("window")
        d = max(depth - 1, 0)
        # Every id in scope: one alone does not tell a join's rows apart.
        ids = self.row_ids(scope)
        tiebreak = ", ".join(ids) if ids else None
        part = ""
        if self.chance(0.6):
            part = "PARTITION BY " + ", ".join(self.pick(scope).sql for _ in range(self.r.randint(1, 2)))
        keys = [self.pick(scope).sql + self.pick(["", " DESC", " NULLS FIRST", " DESC NULLS LAST"]) for _ in range(self.r.randint(0, 2))]
        fn = self.pick(["row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value", "last_value", "nth_value", "sum", "avg", "count", "min", "max", "count_star"])
        order_dependent = fn in ("row_number", "ntile", "lag", "lead", "first_value", "last_value", "nth_value")
        frame = ""
        if fn in ("sum", "avg", "count", "min", "max", "count_star", "first_value", "last_value", "nth_value") and self.chance(0.5):
            frame = " " + self.pick([
                "ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING",
                "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW",
                "ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING",
                "ROWS BETWEEN 2 PRECEDING AND CURRENT ROW",
                "RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING",
                "ROWS BETWEEN 3 FOLLOWING AND 5 FOLLOWING",
            ])
            if frame.strip().startswith("ROWS"):
                order_dependent = True
        if order_dependent or self.chance(0.3):
            if tiebreak is None:
                return "count(*) OVER ()", "int"
            keys.append(tiebreak)
        if not keys and fn in ("row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead"):
            if tiebreak is None:
                return "count(*) OVER ()", "int"
            keys.append(tiebreak)
        order = ("ORDER BY " + ", ".join(keys)) if keys else ""
        over = f"OVER ({part} {order}{frame if order else ''})"
        # The result's category too, so a set operation's other side is drawn to match it.
        if fn in ("row_number", "rank", "dense_rank"):
            return f"{fn}() {over}", "int"
        if fn in ("percent_rank", "cume_dist"):
            return f"{fn}() {over}", "float"
        if fn == "ntile":
            return f"ntile({self.r.randint(1, 4)}) {over}", "int"
        if fn in ("lag", "lead"):
            cat = self.pick(["int", "str", "dec"])
            x = self.expr(scope, cat, d)
            extra = self.pick(["", f", {self.r.randint(1, 3)}"])
            return f"{fn}({x}{extra}) {over}", cat
        if fn in ("first_value", "last_value"):
            cat = self.pick(["int", "str"])
            return f"{fn}({self.expr(scope, cat, d)}) {over}", cat
        if fn == "nth_value":
            return f"nth_value({self.expr(scope, 'int', d)}, {self.r.randint(1, 3)}) {over}", "int"
        if fn in ("count_star", "count"):
            arg = "*" if fn == "count_star" else self.expr(scope, self.pick(["int", "str", "dec", "date"]), d)
            return f"count({arg}) {over}", "int"
        cat = self.pick(["int", "dec"] if fn in ("sum", "avg") else ["int", "str", "dec", "date"])
        if fn in ("sum", "avg"):
            # A numeric expression may still be a float (`degrees(d15)`): sums over frames add
            # in another order than DuckDB's.
            self.float_agg = True
        return f"{fn}({self.expr(scope, cat, d)}) {over}", ("float" if fn == "avg" else cat)

    # -- FROM
    def scope_of(self, table, alias):
        cols, _ = self.tables[table]
        prefix = f"{alias}." if alias else ""
        return [Ref(prefix + c.name, c.cat, c.typ) for c in cols]

    def table_name(self):
        return self.pick(["t1", "t1", "t1", "t2", "t2", "t3", "t0", "t_one"])

    def from_clause(self, depth):
        """The FROM text and the columns it brings into scope."""
        r = self.r
        if self.feat("joins") and self.chance(0.35):
            return self.join_clause(depth)
        if self.feat("subqueries") and depth > 0 and self.chance(0.12):
            self.mark("from_subquery")
            sql, cols = self.select_block(depth - 1, nested=True)
            alias = f"sq{r.randint(0, 99)}"
            return f"({sql}) AS {alias}", [Ref(f"{alias}.{n}", c, None) for n, c in cols]
        t = self.table_name()
        if self.chance(0.3):
            alias = self.pick(["x", "y", "tt"])
            return f"{t} AS {alias}", self.scope_of(t, alias)
        return t, self.scope_of(t, None)

    def join_clause(self, depth):
        self.mark("join")
        n = 2 if self.chance(0.75) else 3
        names = [self.table_name() for _ in range(n)]
        aliases = [f"j{i}" for i in range(n)]
        scope = self.scope_of(names[0], aliases[0])
        comma = self.chance(0.25)
        text = f"{names[0]} AS {aliases[0]}"
        where = []
        for i in range(1, n):
            right = self.scope_of(names[i], aliases[i])
            # Keys with few values only in two-way joins, so no result grows past ~20k rows.
            key = self.pick(["k", "k", "g", "id", "i32", "s", "dt"] if n == 2 else ["id", "i32", "dt"])
            lk = [c for c in scope if c.sql.endswith("." + key)]
            rk = [c for c in right if c.sql.endswith("." + key)]
            conds = []
            small = names[i] in ("t3", "t0", "t_one") or (i == 1 and names[0] in ("t3", "t0", "t_one"))
            if n == 2 and small and not comma and self.chance(0.15):
                # No equality: a nested-loop join.
                self.mark("nonequi_join")
                lk = []
            if n == 2 and not comma and lk and rk and self.chance(0.1):
                self.mark("using_join")
                kind = self.pick(["JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN"])
                text += f" {kind} {names[i]} AS {aliases[i]} USING ({key})"
                scope = scope + [c for c in right if not c.sql.endswith("." + key)]
                continue
            if lk and rk:
                conds.append(f"{self.pick(lk).sql} = {rk[0].sql}")
            if not conds and not (names[i] in ("t3", "t0", "t_one") or names[i - 1] in ("t3", "t0", "t_one")):
                names[i] = self.pick(["t3", "t0", "t_one"])
                right = self.scope_of(names[i], aliases[i])
            if self.chance(0.3) or not conds:
                both = scope + right
                conds.append(self.bool_expr(both, 1))
            if comma:
                self.mark("comma_join")
                text += f", {names[i]} AS {aliases[i]}"
                where += conds
            else:
                kind = self.pick(["JOIN", "INNER JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "LEFT OUTER JOIN"])
                self.mark(kind.split()[0].lower() + "_join")
                text += f" {kind} {names[i]} AS {aliases[i]} ON {' AND '.join(conds)}"
            scope = scope + right
        self.pending_where = where
        return text, scope

    # -- SELECT blocks
    def select_block(self, depth, nested=False, force_cats=None):
        """A SELECT block; returns its SQL and its output columns as (name, category)."""
        self.pending_where = []
        from_sql, scope = self.from_clause(depth)
        where = list(self.pending_where)
        self.pending_where = []
        if self.chance(0.6):
            where.append(self.bool_expr(scope, self.r.randint(1, 3)))
        if self.feat("subqueries") and depth > 0 and self.chance(0.15):
            where.append(self.subquery_predicate(scope, depth))
        aggregate = self.chance(0.4)
        items = []
        out = []
        group_sql = ""
        having = ""
        width = self.r.randint(1, 4)
        cats = force_cats or [self.pick(["num", "num", "int", "str", "date", "ts", "bool", "dec", "float"]) for _ in range(width)]
        if aggregate:
            n_keys = self.r.randint(0, 2) if not force_cats else 0
            keys = []
            for i in range(n_keys):
                kc = self.pick(["int", "str", "bool", "date"])
                cols = self.refs(scope, (kc,))
                if cols and self.chance(0.7):
                    keys.append((self.pick(cols).sql, kc))
                else:
                    k = self.expr(scope, kc, 1)
                    # A key must read a column: a bare integer literal would be a position.
                    if any(c.sql in k for c in scope):
                        keys.append((k, kc))
            keys = list(dict.fromkeys(keys))
            for ksql, kc in keys:
                items.append(ksql)
                out.append(kc)
            for c in cats:
                if force_cats:
                    a, ac = self.agg_of_cat(scope, c), c
                else:
                    a, ac = self.agg(scope, 2)
                items.append(a)
                out.append(ac)
            if keys:
                self.mark("group_by")
                style = self.pick(["expr", "pos", "all"])
                if style == "pos":
                    self.mark("group_by_position")
                    group_sql = " GROUP BY " + ", ".join(str(i + 1) for i in range(len(keys)))
                elif style == "all" and not nested:
                    group_sql = " GROUP BY ALL"
                else:
                    group_sql = " GROUP BY " + ", ".join(k for k, _ in keys)
            if self.chance(0.25):
                self.mark("having")
                having = f" HAVING {self.pick(['count(*)', self.agg_of_cat(scope, self.pick(['int', 'dec']))])} {self.pick(['>', '>=', '<', '<>'])} {self.lit('int')}"
        else:
            for c in cats:
                if self.feat("windows") and not force_cats and self.chance(0.15):
                    w, wc = self.window(scope, 2)
                    items.append(w)
                    out.append(wc)
                    continue
                items.append(self.expr(scope, c, self.r.randint(0, 3)))
                out.append(c)
            if self.chance(0.05) and not nested and not force_cats and len(scope) < 40:
                items = ["*"]
                out = [c.cat for c in scope]
        distinct = ""
        if not aggregate and self.chance(0.15):
            self.mark("distinct")
            distinct = "DISTINCT "
        names = [f"c{i}" for i in range(len(out))]
        if items == ["*"]:
            select_list = "*"
            names = [c.sql.split(".")[-1] for c in scope]
        else:
            select_list = ", ".join(f"{e} AS {n}" for e, n in zip(items, names))
        sql = f"SELECT {distinct}{select_list} FROM {from_sql}"
        if where:
            sql += " WHERE " + " AND ".join(f"({w})" for w in where)
        sql += group_sql + having
        if nested and self.chance(0.3):
            # ORDER BY with LIMIT in a subquery: every column is a key so the rows are fixed.
            self.mark("limit")
            sql += " ORDER BY " + ", ".join(str(i + 1) for i in range(len(out))) + f" LIMIT {self.r.randint(0, 20)}"
        return sql, list(zip(names, out))

    def agg_cat(self, a):
        if a.startswith("count") or a.startswith("CASE"):
            return "int"
        if a.startswith(("avg", "stddev", "var", "median", "quantile")):
            return "float"
        if a.startswith(("bool_",)):
            return "bool"
        if a.startswith("string_agg"):
            return "str"
        if a.startswith(("max(", "first", "last", "arg_", "sum(", "count(*) FILTER")):
            return self.last_cat
        return "num"

    def agg_of_cat(self, scope, cat):
        if cat in ("int", "num"):
            return self.pick(["count(*)", f"count({self.expr(scope, 'int', 0)})"])
        if cat == "float":
            self.float_agg = True
            return f"avg({self.expr(scope, 'int', 0)})"
        if cat == "dec":
            return f"sum({self.expr(scope, 'dec', 0)})"
        return f"max({self.expr(scope, cat, 0)})"

    def subquery_predicate(self, scope, depth):
        kind = self.pick(["in", "in", "exists", "scalar"])
        if kind == "in":
            self.mark("in_subquery")
            cat = self.pick(["int", "str", "date"])
            sub, _ = self.select_block(depth - 1, nested=True, force_cats=[cat])
            neg = "NOT " if self.chance(0.3) else ""
            return f"{self.expr(scope, cat, 1)} {neg}IN ({sub})"
        if kind == "exists":
            self.mark("exists")
            sub, _ = self.select_block(depth - 1, nested=True)
            return f"{self.pick(['', 'NOT '])}EXISTS ({sub})"
        self.mark("scalar_subquery")
        t = self.pick(["t1", "t2", "t3", "t0"])
        cat = self.pick(["int", "dec", "str"])
        col = self.pick(self.refs(self.scope_of(t, None), (cat,)))
        sub = f"SELECT {self.pick(['max', 'min'])}({col.sql}) FROM {t}"
        if self.chance(0.5):
            sub += f" WHERE {self.bool_expr(self.scope_of(t, None), 1)}"
        return f"{self.expr(scope, cat, 1)} {self.pick(['=', '<', '>='])} ({sub})"

    def query(self):
        """One query: its SQL, and the output positions its ORDER BY sorts by (None: unordered)."""
        r = self.r
        depth = r.randint(1, 2)
        shape = "select"
        if self.feat("subqueries"):
            shape = self.pick(["select"] * 8 + ["setop", "cte"])
        if shape == "setop":
            self.mark("set_operation")
            left, cols = self.select_block(depth)
            right, _ = self.select_block(depth, force_cats=[c for _, c in cols])
            op = self.pick(["UNION ALL", "UNION ALL", "UNION", "INTERSECT", "EXCEPT"])
            sql = f"({left}) {op} ({right})"
            if cols and all(c in ("int", "str", "date", "bool", "dec") for _, c in cols) is False:
                pass
        elif shape == "cte":
            self.mark("cte")
            inner, cols = self.select_block(depth)
            cte_scope = [Ref(f"c.{n}", c) for n, c in cols]
            items = ", ".join(f"{self.expr(cte_scope, c, 1)} AS o{i}" for i, (_, c) in enumerate(cols))
            sql = f"WITH c AS ({inner}) SELECT {items} FROM c"
            if self.chance(0.5):
                sql += f" WHERE {self.bool_expr(cte_scope, 1)}"
        else:
            sql, cols = self.select_block(depth)
        n = len(cols)
        order_keys = None
        if n and self.chance(0.5):
            self.mark("order_by")
            positions = list(range(n))
            full = self.chance(0.6)
            if not full:
                positions = r.sample(positions, r.randint(1, n))
            keys = []
            for p in positions:
                opt = self.pick(["", " ASC", " DESC", " NULLS FIRST", " DESC NULLS FIRST", " ASC NULLS LAST", " DESC NULLS LAST"])
                keys.append(f"{p + 1}{opt}")
            sql += " ORDER BY " + ", ".join(keys)
            order_keys = positions
            if full and self.chance(0.5):
                self.mark("limit")
                sql += f" LIMIT {r.randint(0, 30)}"
                if self.chance(0.4):
                    sql += f" OFFSET {r.randint(0, 10)}"
        return sql, order_keys


# ---------------------------------------------------------------------------------------------
# Running


def write_ipc(path, table):
    with pa.OSFile(path, "wb") as sink:
        with ipc.new_file(sink, table.schema) as w:
            w.write_table(table)


def param_value(p):
    return p["value"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--features", default=",".join(DEFAULT_FEATURES))
    args = ap.parse_args()
    features = [f for f in args.features.split(",") if f]
    for f in features:
        if f not in ALL_FEATURES:
            sys.exit(f"unknown feature {f!r}; features are {', '.join(ALL_FEATURES)}")
    if "basic" not in features:
        features.append("basic")

    out = args.out
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "tables"))
    os.makedirs(os.path.join(out, "results"))

    tables = make_tables(args.seed)
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    con.execute("SET threads=1")
    manifest = {"seed": args.seed, "features": features, "tables": [], "queries": []}
    for name, (_, table) in tables.items():
        path = os.path.join("tables", f"{name}.arrow")
        write_ipc(os.path.join(out, path), table)
        con.register(name, table)
        manifest["tables"].append({"name": name, "file": path, "rows": table.num_rows})

    rnd = random.Random(args.seed * 7919 + 17)
    for i in range(args.queries):
        while True:
            g = Gen(rnd, tables, features)
            sql, order_keys = g.query()
            # A parameter drawn in a part of the query that was then left out: draw again.
            if all(f"${k + 1}" in sql for k in range(len(g.params))):
                break
        entry = {
            "id": i,
            "sql": sql,
            "params": g.params,
            "order_keys": order_keys,
            "features": sorted(g.used),
            "float_agg": g.float_agg,
        }
        try:
            params = [param_value(p) for p in g.params]
            result = con.sql(sql, params=params).to_arrow_table() if params else con.sql(sql).to_arrow_table()
            if result.num_rows > MAX_ROWS:
                entry["skipped"] = f"DuckDB's answer has {result.num_rows} rows"
                manifest["queries"].append(entry)
                continue
            path = os.path.join("results", f"q{i}.arrow")
            write_ipc(os.path.join(out, path), result)
            entry["result"] = path
        except duckdb.Error as e:
            entry["error"] = str(e).split("\n")[0]
        manifest["queries"].append(entry)

    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    ok = sum(1 for q in manifest["queries"] if "result" in q)
    print(f"seed {args.seed}: {len(manifest['queries'])} queries, {ok} answered by DuckDB, written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
