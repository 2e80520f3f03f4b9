//! TPC-H at scale factor 0.1, natively: the eight tables read from the Parquet files
//! `testdata/sql/make_tpch.sh` writes (into `$HOME/.cache/arrow-rs-wasm/tpch/sf0.1`, or
//! `$ARROW_TPCH_DIR`), queries q1, q3, q5, q6, q10, q12, q14 and q19 of `testdata/sql/tpch/` run
//! and compared with DuckDB's answers on the same files (`testdata/sql/tpch_oracle.py`, with
//! `$ARROW_PYTHON`), by the rules of `differential.rs`. Each query's time in the engine is
//! printed (for numbers, run the release build: `cargo test --release -p arrow-analytics --test
//! tpch -- --nocapture`).
//!
//! `ARROW_TPCH_SQL_DIR` runs other texts of the same queries (both here and in DuckDB);
//! `ARROW_TPCH_EXPLAIN=1` prints each plan.
//!
//! A query the engine cannot run yet (a construct or function not implemented) is listed with
//! its error rather than failing the test; a query it runs must give DuckDB's answer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use arrow_analytics::Session;
use arrow_array::RecordBatchReader;
use common::{Outcome, compare, outcome_of, read_ipc};

const TABLES: [&str; 8] = ["region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem"];

/// The queries, with the output columns their `ORDER BY` sorts by.
const QUERIES: [(&str, Option<&[usize]>); 8] = [
    ("q1", Some(&[0, 1])),
    ("q3", Some(&[1, 2])),
    ("q5", Some(&[1])),
    ("q6", None),
    ("q10", Some(&[2])),
    ("q12", Some(&[0])),
    ("q14", None),
    ("q19", None),
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where the query texts are: `testdata/sql/tpch/`, or `$ARROW_TPCH_SQL_DIR` (variants, such as
/// the texts with their date arithmetic already computed).
fn sql_dir() -> PathBuf {
    std::env::var("ARROW_TPCH_SQL_DIR").map(PathBuf::from).unwrap_or_else(|_| repo_root().join("testdata/sql/tpch"))
}

/// `$ARROW_TPCH_DIR/sf0.1` (the Makefile exports the folder and makes the data; with the variable
/// set, missing data fails the test), else the default cache folder (missing data skips it).
fn data_dir() -> (PathBuf, bool) {
    match std::env::var("ARROW_TPCH_DIR") {
        Ok(d) => (PathBuf::from(d).join("sf0.1"), true),
        Err(_) => {
            (PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/arrow-rs-wasm/tpch/sf0.1"), false)
        }
    }
}

fn read_parquet(path: &Path) -> (arrow_schema::SchemaRef, Vec<arrow_array::RecordBatch>) {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .with_batch_size(8192)
        .build()
        .unwrap();
    let schema = reader.schema();
    let batches = reader.collect::<Result<Vec<_>, _>>().unwrap();
    (schema, batches)
}

#[test]
fn tpch_sf01_against_duckdb() {
    let (data, required) = data_dir();
    if !TABLES.iter().all(|t| data.join(format!("{t}.parquet")).exists()) {
        assert!(!required, "no TPC-H data in {} (make tpch writes it)", data.display());
        eprintln!(
            "SKIPPED: no TPC-H data in {} (testdata/sql/make_tpch.sh writes it; make test runs it)",
            data.display()
        );
        return;
    }
    let mut session = Session::default();
    let t = Instant::now();
    for name in TABLES {
        let (schema, batches) = read_parquet(&data.join(format!("{name}.parquet")));
        session.register(name, schema, batches).unwrap();
    }
    eprintln!("tpch: tables read and registered in {:.2}s", t.elapsed().as_secs_f64());

    // DuckDB's answers, when the oracle's Python is there.
    let answers = std::env::temp_dir().join(format!("arrow-tpch-{}", std::process::id()));
    let oracle = match std::env::var("ARROW_PYTHON") {
        Ok(python) => {
            let script = repo_root().join("testdata/sql/tpch_oracle.py");
            let out = Command::new(&python)
                .arg(&script)
                .arg("--data")
                .arg(&data)
                .arg("--sql-dir")
                .arg(sql_dir())
                .arg("--out")
                .arg(&answers)
                .output()
                .unwrap();
            assert!(out.status.success(), "tpch_oracle.py failed: {}", String::from_utf8_lossy(&out.stderr));
            true
        }
        Err(_) => {
            eprintln!("ARROW_PYTHON is not set: the answers are not compared with DuckDB's");
            false
        }
    };

    let mut not_yet = Vec::new();
    let mut mismatches = Vec::new();
    for (q, order_keys) in QUERIES {
        let sql = std::fs::read_to_string(sql_dir().join(format!("{q}.sql"))).unwrap();
        let t = Instant::now();
        let result = session.query(&sql, &[]);
        let elapsed = t.elapsed();
        let actual = match result {
            Ok(a) => outcome_of(&a.schema, &a.batches),
            Err(e) => {
                eprintln!("tpch {q}: cannot run yet: {e}");
                not_yet.push(format!("{q}: {e}"));
                continue;
            }
        };
        let rows = match &actual {
            Outcome::Rows { rows, .. } => rows.len(),
            Outcome::Error(_) => 0,
        };
        eprintln!("tpch {q}: {rows} rows in {:.1} ms", elapsed.as_secs_f64() * 1000.0);
        if std::env::var("ARROW_TPCH_EXPLAIN").is_ok() {
            eprintln!("{}", session.explain(&sql, &[]).unwrap_or_else(|e| e.to_string()));
        }
        if !oracle {
            continue;
        }
        let expected = match answers.join(format!("{q}.arrow")) {
            p if p.exists() => {
                let (schema, batches) = read_ipc(&p);
                outcome_of(&schema, &batches)
            }
            _ => Outcome::Error(std::fs::read_to_string(answers.join(format!("{q}.error"))).unwrap_or_default()),
        };
        if let Some(why) = compare(&expected, &actual, order_keys, true) {
            mismatches.push(format!("{q}: {why}\n  DuckDB: {}\n  engine: {}", expected.show(10), actual.show(10)));
        }
    }
    let _ = std::fs::remove_dir_all(&answers);
    if !not_yet.is_empty() {
        eprintln!("tpch: {} of {} queries cannot run yet:\n  {}", not_yet.len(), QUERIES.len(), not_yet.join("\n  "));
    }
    for m in &mismatches {
        eprintln!("MISMATCH {m}\n");
    }
    assert!(mismatches.is_empty(), "{} TPC-H answers differ from DuckDB's", mismatches.len());
}
