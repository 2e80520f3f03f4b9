//! SQL that must never panic: random and mutated text (tokens dropped, repeated, swapped and
//! inserted, truncations at every place, deep nesting, long operator chains, huge literals, odd
//! unicode) fed to `Session::query` and `Session::explain`. Every failure must be a typed error:
//! in WASM a panic kills the instance, and a stack overflow is worse. The loop runs in a thread
//! with a small stack (what a WASM instance has is 1 MiB; debug frames are larger, so 4 MiB
//! here) so that unbounded recursion shows up as a crash here.
//!
//! `ARROW_SQL_FUZZ_ITERATIONS` sets how many mutated texts are tried (default 20,000);
//! `ARROW_SQL_FUZZ_SEED` the generator's seed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use arrow_analytics::Session;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int8Array, Int32Array, Int64Array, RecordBatch,
    StringArray, TimestampMicrosecondArray, UInt64Array,
};

/// Queries the mutations start from: every construct the binder knows, valid or nearly so.
const CORPUS: &[&str] = &[
    "SELECT * FROM t",
    "SELECT k, count(*), sum(v), avg(v), min(f), max(f) FROM t GROUP BY k ORDER BY k",
    "SELECT v + 1, v / 2, v // 2, v % 4, -v, abs(v) FROM t WHERE v > 1 ORDER BY 1 DESC NULLS FIRST",
    "SELECT count(*) FROM t WHERE k = 'a' AND v BETWEEN 2 AND 10 OR NOT b",
    "SELECT k FROM t GROUP BY k HAVING count(*) > 1 ORDER BY k NULLS FIRST LIMIT 3 OFFSET 1",
    "SELECT CASE WHEN v > 2 THEN 'big' WHEN v IS NULL THEN NULL ELSE 'small' END AS size, count(*) FROM t GROUP BY 1",
    "SELECT CASE k WHEN 'a' THEN 1 ELSE 2 END FROM t",
    "SELECT a.k, b.v FROM t a JOIN t b ON a.v = b.v AND a.f < b.f ORDER BY 2",
    "SELECT * FROM t a LEFT JOIN u b ON a.v = b.x RIGHT JOIN t c USING (k) FULL JOIN u d ON d.x = c.v",
    "SELECT * FROM t, u WHERE t.v = u.x",
    "SELECT k, v FROM t WHERE v IN (SELECT x FROM u WHERE y = 'a') AND EXISTS (SELECT 1 FROM u) ORDER BY v",
    "SELECT (SELECT max(v) FROM t) AS m, v NOT IN (1, 2, NULL) FROM t",
    "SELECT DISTINCT k FROM t ORDER BY k",
    "SELECT x FROM (SELECT v * 2 AS x FROM t) s WHERE x > 4 ORDER BY x DESC LIMIT 2",
    "SELECT lower(k), upper(k), length(k), coalesce(k, 'none'), nullif(v, 1) FROM t",
    "WITH c AS (SELECT k, sum(v) s FROM t GROUP BY k) SELECT * FROM c ORDER BY s",
    "SELECT k FROM t UNION ALL SELECT 'z' UNION SELECT y FROM u EXCEPT SELECT 'q' INTERSECT SELECT k FROM t ORDER BY 1",
    "SELECT CAST(v AS BIGINT), TRY_CAST(k AS INTEGER), v::DOUBLE, CAST(d AS DECIMAL(10,2)), CAST(ts AS DATE) FROM t",
    "SELECT DATE '2020-01-01', TIMESTAMP '2020-01-01 10:00:00', INTERVAL '1 day', INTERVAL 2 HOUR FROM t",
    "SELECT k || 'x', k LIKE 'a%', k ILIKE '%B', k NOT LIKE '_' FROM t",
    "SELECT v IS DISTINCT FROM 3, v IS NOT DISTINCT FROM NULL, b IS TRUE, b IS NOT FALSE FROM t",
    "SELECT row_number() OVER (PARTITION BY k ORDER BY v ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t",
    "SELECT sum(v) OVER (ORDER BY v RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), lag(v, 1) OVER () FROM t",
    "SELECT count(DISTINCT k), sum(v) FILTER (WHERE v > 1), string_agg(k, ',' ORDER BY k) FROM t",
    "SELECT $1 + v, ? FROM t WHERE k = $2",
    "SELECT * EXCLUDE (v) FROM t",
    "SELECT t.* FROM t",
    "VALUES (1, 'a'), (2, 'b')",
    "SELECT 1",
    "SELECT extract(year FROM ts), date_trunc('month', ts), substring(k FROM 1 FOR 2), trim(k), position('a' IN k) FROM t",
    "SELECT floor(f), ceil(f), round(f, 2), greatest(v, 1), least(v, 2) FROM t",
    "SELECT i8 + 1, i8 * 127, u64 + 1, u64 - i8, d * d, d / 3, f / 0, i8 // 0 FROM t",
    "SELECT k, v FROM t GROUP BY ALL",
    "SELECT * FROM t ORDER BY v DESC, k ASC NULLS LAST",
];

/// Tokens the mutations insert.
const TOKENS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP BY",
    "ORDER BY",
    "HAVING",
    "LIMIT",
    "OFFSET",
    "JOIN",
    "ON",
    "USING",
    "LEFT",
    "FULL",
    "UNION",
    "ALL",
    "DISTINCT",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "AND",
    "OR",
    "NOT",
    "IN",
    "IS",
    "NULL",
    "LIKE",
    "BETWEEN",
    "EXISTS",
    "CAST",
    "AS",
    "OVER",
    "PARTITION BY",
    "ROWS",
    "WITH",
    "(",
    ")",
    ",",
    ".",
    "*",
    "+",
    "-",
    "/",
    "//",
    "%",
    "||",
    "=",
    "<>",
    "<",
    ">=",
    "::",
    ";",
    "$1",
    "$0",
    "$99999999999999999999",
    "?",
    "'",
    "\"",
    "1",
    "0",
    "-1",
    "1e309",
    "-1e309",
    "1e-400",
    "99999999999999999999999999999999999999",
    "999999999999999999999999999999999999999999",
    "0.0000000000000000000000000000000000000001",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551616",
    "2147483648",
    "'NaN'",
    "'inf'",
    "''",
    "'é'",
    "'🙂'",
    "'\u{0}'",
    "\u{feff}",
    "\u{200b}",
    "ǅ",
    "日本",
    "t",
    "u",
    "k",
    "v",
    "f",
    "b",
    "d",
    "ts",
    "i8",
    "u64",
    "x",
    "y",
    "count(*)",
    "sum(",
    "max(",
    "abs(",
    "coalesce(",
    "nullif(",
    "TRUE",
    "FALSE",
    "DATE '2020-13-45'",
    "TIMESTAMP 'x'",
    "INTERVAL 'y'",
    "INTERVAL '1' YEAR",
    "DECIMAL(39, 40)",
    "DECIMAL(0)",
    "INTEGER",
    "VARCHAR",
    "TINYINT",
    "UBIGINT",
    "DOUBLE",
    "BLOB",
    "[1, 2]",
    "{'a': 1}",
    "ARRAY[1]",
    "x -> x",
    "E'\\x'",
    "$$a$$",
    "/*",
    "*/",
    "--",
    "\n",
    "\t",
    "COLLATE",
    "ESCAPE '#'",
    "RECURSIVE",
    "LATERAL",
    "QUALIFY",
    "ROLLUP(k)",
    "TABLESAMPLE",
];

/// A small xorshift generator: the test needs no crate for its randomness, and runs the same
/// inputs every time for a given seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

fn session() -> Session {
    // A small budget: a mutated query that multiplies tables must end in `limit-exceeded`.
    let mut s = Session::new(64 << 20);
    let n = 12;
    let t: Vec<(&str, ArrayRef)> = vec![
        (
            "k",
            Arc::new(StringArray::from(
                (0..n).map(|i| if i % 5 == 4 { None } else { Some(["a", "b", "", "é"][i % 4]) }).collect::<Vec<_>>(),
            )),
        ),
        (
            "v",
            Arc::new(Int32Array::from(
                (0..n).map(|i| if i % 6 == 5 { None } else { Some(i as i32 - 3) }).collect::<Vec<_>>(),
            )),
        ),
        (
            "f",
            Arc::new(Float64Array::from(
                (0..n).map(|i| [1.5, f64::NAN, -0.0, f64::INFINITY, 2.0, -1e300][i % 6]).collect::<Vec<_>>(),
            )),
        ),
        (
            "b",
            Arc::new(BooleanArray::from(
                (0..n).map(|i| if i % 3 == 0 { None } else { Some(i % 2 == 0) }).collect::<Vec<_>>(),
            )),
        ),
        (
            "d",
            Arc::new(
                Decimal128Array::from((0..n).map(|i| i as i128 * 12345 - 99999).collect::<Vec<_>>())
                    .with_precision_and_scale(15, 2)
                    .unwrap(),
            ),
        ),
        (
            "ts",
            Arc::new(TimestampMicrosecondArray::from(
                (0..n).map(|i| i as i64 * 86_400_000_000 * 37 - 1).collect::<Vec<_>>(),
            )),
        ),
        ("dt", Arc::new(Date32Array::from((0..n).map(|i| i as i32 * 400 - 1000).collect::<Vec<_>>()))),
        ("i8", Arc::new(Int8Array::from((0..n).map(|i| [i8::MIN, i8::MAX, 0, -1][i % 4]).collect::<Vec<_>>()))),
        ("u64", Arc::new(UInt64Array::from((0..n).map(|i| [u64::MAX, 0, 1][i % 3]).collect::<Vec<_>>()))),
    ];
    let b = RecordBatch::try_from_iter(t).unwrap();
    s.register("t", b.schema(), vec![b]).unwrap();
    let u: Vec<(&str, ArrayRef)> = vec![
        ("x", Arc::new(Int64Array::from(vec![Some(1), Some(2), None, Some(-3)]))),
        ("y", Arc::new(StringArray::from(vec![Some("a"), None, Some("b"), Some("a")]))),
    ];
    let b = RecordBatch::try_from_iter(u).unwrap();
    s.register("u", b.schema(), vec![b]).unwrap();
    s
}

/// Split into rough tokens: words (with their quotes and dots), runs of operator characters
/// (`>=`, `::`, `||`), and parentheses and commas on their own.
fn tokens(sql: &str) -> Vec<String> {
    #[derive(PartialEq)]
    enum Kind {
        Word,
        Op,
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut kind = Kind::Word;
    for ch in sql.chars() {
        let k = if ch.is_alphanumeric() || ch == '_' || ch == '\'' || ch == '.' || ch == '$' {
            Some(Kind::Word)
        } else if ch.is_whitespace() || "(),;".contains(ch) {
            None
        } else {
            Some(Kind::Op)
        };
        match k {
            Some(k) if k == kind && !cur.is_empty() => cur.push(ch),
            Some(k) => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                kind = k;
                cur.push(ch);
            }
            None => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                if !ch.is_whitespace() {
                    out.push(ch.to_string());
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn mutate(rng: &mut Rng, base: &str) -> String {
    let mut toks = tokens(base);
    for _ in 0..=rng.below(2) {
        let n = toks.len();
        match rng.below(7) {
            0 if n > 0 => {
                toks.remove(rng.below(n));
            }
            1 if n > 0 => {
                let i = rng.below(n);
                let t = toks[i].clone();
                toks.insert(i, t);
            }
            2 if n > 1 => {
                let (i, j) = (rng.below(n), rng.below(n));
                toks.swap(i, j);
            }
            3 if n > 0 => {
                let i = rng.below(n);
                toks[i] = rng.pick(TOKENS).to_string();
            }
            4 => {
                let i = rng.below(n + 1);
                toks.insert(i, rng.pick(TOKENS).to_string());
            }
            5 if n > 0 => {
                // Splice in a piece of another query.
                let other = tokens(rng.pick(CORPUS));
                let (a, b) = (rng.below(other.len()), rng.below(other.len()));
                let (a, b) = (a.min(b), a.max(b));
                let i = rng.below(n);
                toks.splice(i..i, other[a..b].iter().cloned());
            }
            _ => {
                let i = rng.below(n + 1);
                let c = char::from_u32(rng.next() as u32 % 0x11_0000).unwrap_or('\u{fffd}');
                toks.insert(i, c.to_string());
            }
        }
    }
    toks.join(" ")
}

/// Inputs that stress depth and size rather than syntax.
fn extremes() -> Vec<String> {
    let mut v = vec![
        format!("SELECT {}1{}", "(".repeat(5000), ")".repeat(5000)),
        format!("SELECT {}1", "NOT ".repeat(5000)),
        format!("SELECT {}1", "- ".repeat(5000)),
        format!("SELECT 1{}", " + 1".repeat(50_000)),
        format!("SELECT v FROM t WHERE v = 1{}", " OR v = 1".repeat(20_000)),
        format!("SELECT 'a'{}", " || 'a'".repeat(20_000)),
        format!("SELECT * FROM t{}", " JOIN t AS x USING (k)".repeat(2_000)),
        format!("SELECT 1{}", " UNION ALL SELECT 1".repeat(5_000)),
        format!("SELECT CASE {} END", "WHEN v = 1 THEN 1 ".repeat(5_000)),
        format!("SELECT v IN ({}) FROM t", (0..20_000).map(|i| i.to_string()).collect::<Vec<_>>().join(", ")),
        format!("SELECT {}", "9".repeat(5000)),
        format!("SELECT 1.{}", "0".repeat(5000)),
        format!("SELECT 1e{}", "9".repeat(400)),
        format!("SELECT '{}'", "x".repeat(1 << 20)),
        format!("SELECT \"{}\" FROM t", "c".repeat(10_000)),
        format!("SELECT * FROM {}", "t".repeat(10_000)),
        format!("SELECT ${}", "9".repeat(100)),
        format!("SELECT (SELECT {}1{})", "(SELECT ".repeat(300), ")".repeat(300)),
        format!("WITH {} SELECT 1", (0..500).map(|i| format!("c{i} AS (SELECT 1)")).collect::<Vec<_>>().join(", ")),
        format!("SELECT * FROM {}", (0..300).map(|_| "t").collect::<Vec<_>>().join(", ")),
        format!("SELECT sum({}v{}) FROM t", "abs(".repeat(3000), ")".repeat(3000)),
        format!("SELECT * FROM {}t{}", "(SELECT * FROM ".repeat(500), ") s".repeat(500)),
        format!("SELECT v FROM t ORDER BY {}", (0..5000).map(|_| "v").collect::<Vec<_>>().join(", ")),
        format!("SELECT {} FROM t", (0..5000).map(|_| "v + 1").collect::<Vec<_>>().join(", ")),
        "SELECT '\u{0}\u{feff}\u{202e}ǅ🙂' || k FROM t".to_string(),
        "SELECT 1 FROM t WHERE k = '\u{d7ff}\u{e000}\u{10ffff}'".to_string(),
        "SELECT CAST('1e400' AS DOUBLE), CAST('99999999999999999999' AS BIGINT), CAST(1e300 AS FLOAT), CAST(-1 AS UBIGINT)".to_string(),
        "SELECT CAST(9223372036854775807 AS DECIMAL(38, 0)) * 99999999999999999999".to_string(),
        "SELECT -(-9223372036854775808), abs(-128::TINYINT), i8 * i8 * i8 * i8, u64 * u64, u64 + i8 FROM t".to_string(),
        "SELECT 9223372036854775807 + 1, -9223372036854775808 - 1, 170141183460469231731687303715884105727 + 1".to_string(),
        "SELECT INTERVAL '99999999999 years', DATE '9999-12-31' + INTERVAL '1 day', TIMESTAMP '294247-01-10 04:00:54.775807'".to_string(),
        "SELECT * FROM t LIMIT 18446744073709551615 OFFSET 18446744073709551615".to_string(),
        "SELECT * FROM t LIMIT -1".to_string(),
        "SELECT k, v FROM t ORDER BY 0".to_string(),
        "SELECT k FROM t GROUP BY 99999999999999999999".to_string(),
        String::new(),
        ";".to_string(),
        ";;;;".to_string(),
        "\u{0}".to_string(),
    ];
    // Truncations of a long query at every character.
    let long = CORPUS.join(" UNION ALL ");
    let chars: Vec<char> = CORPUS[8].chars().collect();
    for i in 0..chars.len() {
        v.push(chars[..i].iter().collect());
    }
    v.push(long);
    v
}

/// How the inputs ended: answered, or failed with each error kind.
type Tally = std::collections::BTreeMap<&'static str, usize>;

fn check(s: &Session, sql: &str, failures: &mut Vec<String>, tally: &mut Tally) {
    for explain in [false, true] {
        let r = catch_unwind(AssertUnwindSafe(|| {
            if explain { s.explain(sql, &[]).map(|_| ()) } else { s.query(sql, &[]).map(|_| ()) }
        }));
        if !explain {
            let key = match &r {
                Ok(Ok(())) => "answered",
                Ok(Err(e)) => {
                    if e.kind == arrow_analytics::ErrorKind::Internal {
                        let shown: String = sql.chars().take(300).collect();
                        eprintln!("internal error: {e}\n  SQL: {shown}");
                    }
                    e.kind.name()
                }
                Err(_) => "panicked",
            };
            *tally.entry(key).or_default() += 1;
        }
        if let Err(p) = r {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let shown: String = sql.chars().take(300).collect();
            failures.push(format!("{} panicked: {msg}\n  SQL: {shown}", if explain { "explain" } else { "query" }));
        }
    }
}

#[test]
fn random_and_mutated_sql_never_panics() {
    let iterations: usize =
        std::env::var("ARROW_SQL_FUZZ_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let seed: u64 = std::env::var("ARROW_SQL_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x5eed_cafe);
    // Panics are caught and reported below; the default hook would print each one too.
    std::panic::set_hook(Box::new(|_| {}));
    let failures = std::thread::Builder::new()
        .stack_size(4 << 20)
        .spawn(move || {
            let s = session();
            let mut failures = Vec::new();
            let mut tally = Tally::new();
            for sql in CORPUS {
                check(&s, sql, &mut failures, &mut tally);
            }
            for sql in extremes() {
                check(&s, &sql, &mut failures, &mut tally);
            }
            let mut rng = Rng(seed | 1);
            for _ in 0..iterations {
                let base = rng.pick(CORPUS);
                let sql = mutate(&mut rng, base);
                check(&s, &sql, &mut failures, &mut tally);
            }
            eprintln!("sql_never_panics: {tally:?}");
            failures
        })
        .unwrap()
        .join()
        .unwrap();
    let _ = std::panic::take_hook();
    for f in failures.iter().take(30) {
        eprintln!("{f}\n");
    }
    assert!(failures.is_empty(), "{} inputs panicked (first 30 above; seed {seed:#x})", failures.len());
}
