//! The differential test: random tables and random queries, answered by DuckDB (the oracle) and by
//! the engine, compared. `testdata/sql/oracle.py` makes the tables, the queries and DuckDB's
//! answers (run with `$ARROW_PYTHON`, which `make test` sets to the project's venv); this test
//! registers the same tables in a [`Session`], runs every query and compares.
//!
//! # Comparison rules
//!
//! - **Rows**: as a multiset, unless the query's `ORDER BY` fixes their order: the generator
//!   records which output columns the `ORDER BY` sorts by; the expected rows are cut into runs of
//!   equal sort keys, and each run of our rows must equal the matching run as a multiset (a
//!   `LIMIT` only follows an `ORDER BY` of every column, so the rows it keeps are fixed).
//! - **Columns**: as many on both sides, compared by position (names are not compared).
//! - **Integers** compare by value whatever their width or sign (`int8` 3 equals `int64` 3, and
//!   DuckDB's `HUGEINT`, a `decimal128(38, 0)` in Arrow, equals our `int64` of the same value).
//! - **Decimals** compare as exact values, whatever their scale (`1.50` equals `1.5`), and with
//!   integers.
//! - **Floats** are equal within a relative 1e-9 (1e-6, plus an absolute 1e-6, for queries that
//!   aggregate floats: `sum` and `avg` add in a different order); NaN equals NaN; `-0.0` equals
//!   `0.0`; infinities equal themselves. A float never equals an integer or decimal: a type
//!   class that differs from DuckDB's is a mismatch.
//! - **Timestamps** compare by instant (units and time zones may differ); dates by day; a date
//!   never equals a timestamp.
//! - **Strings** and **booleans** compare exactly.
//! - **Errors**: both sides failing is a match (the messages differ); one side failing is a
//!   mismatch, unless a documented difference (the [`KNOWN`] list) explains it.
//!
//! A mismatch prints the seed, the query, and both answers' first rows. To reproduce one seed:
//! `ARROW_SQL_SEED=S cargo test -p arrow-analytics --test differential`.
//!
//! # Knobs
//!
//! - `ARROW_SQL_SEED=S`: run only seed `S` (default: seeds 1 to `ARROW_SQL_SEEDS`, 5);
//! - `ARROW_SQL_SEEDS=N`: how many seeds (the long mode of `make fuzz-sql` raises it), from
//!   `ARROW_SQL_FIRST_SEED` (default 1);
//! - `ARROW_SQL_QUERIES=N`: queries per seed (default 1000);
//! - `ARROW_SQL_FEATURES=basic,joins,...`: the grammar's features (default: all of them; see
//!   `oracle.py`);
//! - `ARROW_SQL_SHOW=N`: mismatches printed in full (default 20; all are counted);
//! - `ARROW_SQL_ONLY=N`: run only query `N` of the seed, and print both answers whole.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use arrow_analytics::{AnalyticsError, Session};
use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, StringArray};
use arrow_schema::DataType;
use common::{Outcome, V, compare, multiset_eq, outcome_of, read_ipc, row_eq, value};
use serde_json::Value as Json;

/// Every feature of the grammar: the engine implements them all.
const DEFAULT_FEATURES: &str = "basic,aggregates,windows,strings,math,time,joins,subqueries";
const DEFAULT_SEEDS: u64 = 5;
const DEFAULT_QUERIES: usize = 1000;

// ---------------------------------------------------------------------------------------------
// Documented differences

/// A difference from DuckDB made on purpose: `applies` recognises it from the query and both
/// outcomes; the reason is what `docs/` says about it.
struct Known {
    name: &'static str,
    reason: &'static str,
    applies: fn(&Case, &Outcome, &Outcome) -> bool,
}

/// Every documented difference, in one place.
const KNOWN: &[Known] = &[
    Known {
        name: "hugeint",
        reason: "integer sums and mixed signed/UBIGINT arithmetic past 64 bits: DuckDB widens to HUGEINT (128 bits), \
             the engine keeps 64-bit integers and reports an overflow",
        applies: |_, expected, actual| {
            let Outcome::Rows { types, rows, .. } = expected else { return false };
            let Outcome::Error(e) = actual else { return false };
            let huge: Vec<usize> =
                types.iter().enumerate().filter(|(_, t)| **t == DataType::Decimal128(38, 0)).map(|(i, _)| i).collect();
            let beyond = rows.iter().any(|r| {
                huge.iter()
                    .any(|&i| matches!(r[i], V::Num(v, 0) if i64::try_from(v).is_err() || v == i128::from(i64::MIN)))
            });
            // A sum's running total past 64 bits, or a UBIGINT past BIGINT summed, fails here even
            // where the final answer fits.
            let sum64 = !huge.is_empty() && (e.contains("overflow in sum") || e.contains("UInt64 to Int64"));
            sum64
                || beyond
                    && (e.contains("overflow")
                        || e.contains("Overflow")
                        || e.contains("conversion")
                        || e.contains("cast"))
        },
    },
    Known {
        name: "hugeint scale",
        reason: "HUGEINT is a decimal(38, 0) here: where DuckDB meets a HUGEINT (UBIGINT mixed with a signed integer) and \
             a decimal at the decimal's scale, the engine keeps 38 integer digits and drops the scale",
        applies: |case, expected, actual| {
            if !reads_ubigint(case) {
                return false;
            }
            match (expected, actual) {
                (Outcome::Rows { types: te, .. }, Outcome::Rows { types: ta, .. }) => te.iter().zip(ta).any(
                    |(a, b)| matches!((a, b), (DataType::Decimal128(38, x), DataType::Decimal128(38, y)) if x != y),
                ),
                // DuckDB's scale leaves fewer integer digits, which a value then overflows.
                (Outcome::Error(e), Outcome::Rows { .. }) => {
                    e.starts_with("Conversion Error") && e.contains("DECIMAL(38")
                }
                _ => false,
            }
        },
    },
    Known {
        name: "hugeint median",
        reason: "HUGEINT is a decimal(38, 0) here: DuckDB's median and quantile_cont of a HUGEINT (UBIGINT mixed with a \
             signed integer) are DOUBLE, the engine's, as of any decimal, keep the decimal type",
        applies: |case, expected, actual| {
            let (Outcome::Rows { types: te, .. }, Outcome::Rows { types: ta, .. }) = (expected, actual) else {
                return false;
            };
            reads_ubigint(case)
                && (case.sql.contains("median(") || case.sql.contains("quantile_cont("))
                && te.iter().zip(ta).any(|(e, a)| *e == DataType::Float64 && *a == DataType::Decimal128(38, 0))
        },
    },
    Known {
        name: "product past overflow",
        reason: "product multiplies floats in the order rows arrive, which differs between the engines (joins, scans): \
             once it overflows, a 0 before the infinity gives 0 and one after it NaN",
        applies: |case, expected, actual| {
            let (Outcome::Rows { rows: re, .. }, Outcome::Rows { rows: ra, .. }) = (expected, actual) else {
                return false;
            };
            // Equal once NaN, zeros and infinities are taken for one value.
            let blur = |rows: &[Vec<V>]| -> Vec<Vec<V>> {
                rows.iter()
                    .map(|r| {
                        r.iter()
                            .map(|v| match v {
                                V::F(x) if x.is_nan() || x.is_infinite() || *x == 0.0 => V::F(f64::NAN),
                                other => other.clone(),
                            })
                            .collect()
                    })
                    .collect()
            };
            case.sql.contains("product(") && multiset_eq(&blur(re), &blur(ra), case.loose)
        },
    },
    Known {
        name: "float last bits",
        reason: "a float aggregate (sum, avg, ...) added in another order can differ in its last bits, which reorders \
             rows an ORDER BY sorts by it, or makes two values DISTINCT keeps apart equal (or the other way round); \
             the rows themselves agree",
        applies: |case, expected, actual| {
            let (Outcome::Rows { rows: re, .. }, Outcome::Rows { rows: ra, .. }) = (expected, actual) else {
                return false;
            };
            let covers = |a: &[Vec<V>], b: &[Vec<V>]| a.iter().all(|x| b.iter().any(|y| row_eq(x, y, true)));
            case.loose
                && (case.order_keys.is_some() && multiset_eq(re, ra, true)
                    || case.sql.contains("DISTINCT") && covers(re, ra) && covers(ra, re))
        },
    },
    Known {
        name: "evaluation order",
        reason: "SQL leaves open which rows an expression is evaluated on: DuckDB's optimizer pushes filters into scans, \
             prunes unread columns and sort keys and skips inputs of empty joins where the engine does not (or the other \
             way round), so an expression that fails on some row (division by zero, overflow, a cast that does not fit) \
             fails in one engine only. Only queries over several relations (joins, subqueries, CTEs, set operations) \
             qualify; a single-table query must fail or answer alike",
        applies: |case, expected, actual| {
            let several = case.features.iter().any(|f| {
                matches!(
                    f.as_str(),
                    "join" | "from_subquery" | "cte" | "set_operation" | "in_subquery" | "exists" | "scalar_subquery"
                )
            });
            let duck_value_error = |e: &str| {
                e.starts_with("Out of Range Error")
                    || e.starts_with("Conversion Error")
                    || e.contains("Division by zero")
            };
            let our_value_error = |e: &str| {
                e.ends_with("(execution)")
                    && [
                        "division by zero",
                        "overflow",
                        "conversion",
                        "out of range",
                        "too large",
                        "too small",
                        "Overflow",
                    ]
                    .iter()
                    .any(|w| e.contains(w))
            };
            several
                && match (expected, actual) {
                    (Outcome::Error(e), Outcome::Rows { .. }) => duck_value_error(e),
                    (Outcome::Rows { .. }, Outcome::Error(e)) => our_value_error(e),
                    _ => false,
                }
        },
    },
    Known {
        name: "pending: decimal sum past 38 digits",
        reason: "not a deliberate difference: functions/aggregate/basic.rs (the aggregate helper's file) checks a \
             decimal sum against 38 digits where DuckDB does not, and the other way round; remove this entry when \
             they agree",
        applies: |_, expected, actual| match (expected, actual) {
            (Outcome::Error(e), Outcome::Rows { .. }) => e.contains("Overflow in SUM of DECIMAL"),
            (Outcome::Rows { .. }, Outcome::Error(e)) => {
                e.contains("overflow in sum: the result does not fit in decimal")
            }
            _ => false,
        },
    },
    Known {
        name: "pending: avg of UBIGINT",
        reason: "not a deliberate difference: functions/aggregate/basic.rs (the aggregate helper's file) casts the \
             argument of avg to BIGINT, which fails for UBIGINT values past 2^63; remove this entry when it takes them whole",
        applies: |case, expected, actual| {
            matches!(expected, Outcome::Rows { .. })
                && case.sql.contains("avg(")
                && matches!(actual, Outcome::Error(e) if e.contains("UInt64 to Int64"))
        },
    },
];

/// Whether the query reads a UBIGINT (the `u64` column or the literal past BIGINT), which DuckDB
/// widens to HUGEINT when it meets a signed integer.
fn reads_ubigint(case: &Case) -> bool {
    case.sql.contains("u64") || case.sql.contains("18446744073709551615")
}

// ---------------------------------------------------------------------------------------------
// The manifest

struct Case {
    id: u64,
    sql: String,
    params: Vec<ArrayRef>,
    order_keys: Option<Vec<usize>>,
    features: Vec<String>,
    loose: bool,
    expected: Option<Outcome>,
}

fn param(p: &Json) -> ArrayRef {
    let v = &p["value"];
    match p["type"].as_str().unwrap() {
        "int64" => Arc::new(Int64Array::from(vec![v.as_i64().unwrap()])),
        "float64" => Arc::new(Float64Array::from(vec![v.as_f64().unwrap()])),
        "utf8" => Arc::new(StringArray::from(vec![v.as_str().unwrap()])),
        "bool" => Arc::new(BooleanArray::from(vec![v.as_bool().unwrap()])),
        other => panic!("parameter type {other}"),
    }
}

fn load(dir: &Path) -> (Session, Vec<Case>) {
    let manifest: Json = serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let mut session = Session::default();
    for t in manifest["tables"].as_array().unwrap() {
        let (schema, batches) = read_ipc(&dir.join(t["file"].as_str().unwrap()));
        session.register(t["name"].as_str().unwrap(), schema, batches).unwrap();
    }
    let mut cases = Vec::new();
    for q in manifest["queries"].as_array().unwrap() {
        let expected = if let Some(file) = q["result"].as_str() {
            let (schema, batches) = read_ipc(&dir.join(file));
            Some(outcome_of(&schema, &batches))
        } else {
            q["error"].as_str().map(|e| Outcome::Error(e.to_string()))
        };
        cases.push(Case {
            id: q["id"].as_u64().unwrap(),
            sql: q["sql"].as_str().unwrap().to_string(),
            params: q["params"].as_array().unwrap().iter().map(param).collect(),
            order_keys: q["order_keys"].as_array().map(|a| a.iter().map(|k| k.as_u64().unwrap() as usize).collect()),
            features: q["features"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect(),
            loose: q["float_agg"].as_bool().unwrap_or(false),
            expected,
        });
    }
    (session, cases)
}

fn run_engine(session: &Session, case: &Case) -> Outcome {
    let r = catch_unwind(AssertUnwindSafe(|| session.query(&case.sql, &case.params)));
    match r {
        Ok(Ok(answer)) => outcome_of(&answer.schema, &answer.batches),
        Ok(Err(e)) => Outcome::Error(describe(&e)),
        Err(p) => {
            let msg = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()));
            Outcome::Error(format!("PANIC {}", msg.unwrap_or_default()))
        }
    }
}

fn describe(e: &AnalyticsError) -> String {
    format!("{} ({})", e, e.kind.name())
}

// ---------------------------------------------------------------------------------------------
// The run

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn spawn_oracle(python: &str, seed: u64, queries: usize, features: &str, out: &Path) -> Child {
    let script = repo_root().join("testdata/sql/oracle.py");
    Command::new(python)
        .arg(&script)
        .args(["--seed", &seed.to_string(), "--queries", &queries.to_string(), "--features", features])
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running {python} {}: {e}", script.display()))
}

#[derive(Default)]
struct Tally {
    queries: usize,
    matched: usize,
    both_failed: usize,
    skipped: usize,
    known: BTreeMap<&'static str, usize>,
    mismatches: Vec<String>,
    by_feature: BTreeMap<String, usize>,
    panics: usize,
}

#[test]
fn differential_against_duckdb() {
    let Ok(python) = std::env::var("ARROW_PYTHON") else {
        eprintln!("SKIPPED: ARROW_PYTHON is not set (make test sets it to the venv with duckdb and pyarrow)");
        return;
    };
    let queries: usize = env_or("ARROW_SQL_QUERIES", DEFAULT_QUERIES);
    let features = std::env::var("ARROW_SQL_FEATURES").unwrap_or_else(|_| DEFAULT_FEATURES.to_string());
    let seeds: Vec<u64> = match std::env::var("ARROW_SQL_SEED").ok().and_then(|s| s.parse().ok()) {
        Some(s) => vec![s],
        None => {
            let first: u64 = env_or("ARROW_SQL_FIRST_SEED", 1);
            (first..first + env_or("ARROW_SQL_SEEDS", DEFAULT_SEEDS)).collect()
        }
    };
    let show: usize = env_or("ARROW_SQL_SHOW", 20);
    let only: Option<u64> = std::env::var("ARROW_SQL_ONLY").ok().and_then(|v| v.parse().ok());
    let rows_shown = if only.is_some() { 1000 } else { 8 };
    let base = std::env::temp_dir().join(format!("arrow-sql-differential-{}", std::process::id()));
    let started = Instant::now();

    // The oracle runs for a few seeds at once while the engine checks the ones already written.
    const AHEAD: usize = 2;
    let mut pending: std::collections::VecDeque<(u64, PathBuf, Child)> = std::collections::VecDeque::new();
    let mut next = 0;
    let mut tally = Tally::default();
    let mut engine_time = std::time::Duration::ZERO;
    while next < seeds.len() || !pending.is_empty() {
        while next < seeds.len() && pending.len() < AHEAD {
            let seed = seeds[next];
            let dir = base.join(format!("seed{seed}"));
            pending.push_back((seed, dir.clone(), spawn_oracle(&python, seed, queries, &features, &dir)));
            next += 1;
        }
        let (seed, dir, child) = pending.pop_front().unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "oracle.py --seed {seed} failed:\n{}", String::from_utf8_lossy(&out.stderr));
        let (session, cases) = load(&dir);
        let t = Instant::now();
        for case in &cases {
            if only.is_some_and(|q| q != case.id) {
                continue;
            }
            tally.queries += 1;
            let Some(expected) = &case.expected else {
                tally.skipped += 1;
                continue;
            };
            let actual = run_engine(&session, case);
            if let Outcome::Error(e) = &actual
                && e.starts_with("PANIC")
            {
                tally.panics += 1;
            }
            match compare(expected, &actual, case.order_keys.as_deref(), case.loose) {
                None => {
                    tally.matched += 1;
                    if matches!(expected, Outcome::Error(_)) {
                        tally.both_failed += 1;
                    }
                }
                Some(why) => {
                    if let Some(k) = KNOWN.iter().find(|k| (k.applies)(case, expected, &actual)) {
                        *tally.known.entry(k.name).or_default() += 1;
                        continue;
                    }
                    for f in &case.features {
                        *tally.by_feature.entry(f.clone()).or_default() += 1;
                    }
                    if only.is_some() {
                        match session.explain(&case.sql, &case.params) {
                            Ok(plan) => eprintln!("PLAN\n{plan}"),
                            Err(e) => eprintln!("PLAN: {e}"),
                        }
                    }
                    if tally.mismatches.len() < show {
                        tally.mismatches.push(format!(
                            "seed {seed} query {}: {why}\n  SQL: {}\n  params: {:?}\n  DuckDB: {}\n  engine: {}\n  reproduce: ARROW_SQL_SEED={seed} ARROW_SQL_ONLY={}{} cargo test -p arrow-analytics --test differential -- --nocapture",
                            case.id,
                            case.sql,
                            case.params.iter().map(|p| value(p.as_ref(), 0).to_string()).collect::<Vec<_>>(),
                            expected.show(rows_shown),
                            actual.show(rows_shown),
                            case.id,
                            if features == DEFAULT_FEATURES { String::new() } else { format!(" ARROW_SQL_FEATURES={features}") },
                        ));
                    } else {
                        tally.mismatches.push(String::new());
                    }
                }
            }
        }
        engine_time += t.elapsed();
        let _ = std::fs::remove_dir_all(&dir);
    }
    let _ = std::fs::remove_dir_all(&base);

    let failed = tally.mismatches.len();
    for m in tally.mismatches.iter().filter(|m| !m.is_empty()) {
        eprintln!("MISMATCH {m}\n");
    }
    eprintln!(
        "differential: {} queries over seeds {:?} ({features}): {} match ({} fail on both sides), {} mismatch, {} skipped (DuckDB's answer too large), {} panics; documented differences: {:?}; {:.1}s in all, {:.1}s in the engine",
        tally.queries,
        seeds,
        tally.matched,
        tally.both_failed,
        failed,
        tally.skipped,
        tally.panics,
        tally.known,
        started.elapsed().as_secs_f64(),
        engine_time.as_secs_f64(),
    );
    if failed > 0 {
        eprintln!("mismatches by feature: {:?}", tally.by_feature);
        for k in KNOWN {
            eprintln!("documented difference {}: {}", k.name, k.reason);
        }
    }
    assert_eq!(failed, 0, "{failed} queries differ from DuckDB (the first {show} are printed above)");
    assert_eq!(tally.panics, 0, "the engine panicked");
}
