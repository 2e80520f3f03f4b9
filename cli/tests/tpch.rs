//! TPC-H through the command line: queries 1, 3, 5, 6, 10, 12, 14 and 19 at scale factor 0.1
//! (`make tpch` writes the Parquet files with tpchgen-cli), each run as
//! `arrow-rs-wasm query --table lineitem=... --sql "$(cat qN.sql)" --output qN.arrow`, and the
//! answer compared value by value with DuckDB's on the same files (`testdata/sql/tpch_oracle.py`).
//! Numbers compare within 1e-9 relative (sums of decimals are exact in both, averages are doubles
//! whose addition order differs); everything else as the text the core renders.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use assert_cmd::Command;

const QUERIES: [&str; 8] = ["q1", "q3", "q5", "q6", "q10", "q12", "q14", "q19"];
const TABLES: [&str; 8] = ["region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem"];

fn workspace() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("..")
}

fn read_ipc(path: &Path) -> Vec<RecordBatch> {
    let file = std::fs::File::open(path).unwrap();
    arrow_ipc::reader::FileReader::try_new(file, None).unwrap().collect::<Result<_, _>>().unwrap()
}

/// Each column of the answer as text or as numbers, row by row.
fn rows(batches: &[RecordBatch]) -> Vec<Vec<Cell>> {
    let mut out = Vec::new();
    for b in batches {
        let columns: Vec<ArrayRef> = b.columns().to_vec();
        for r in 0..b.num_rows() {
            out.push(columns.iter().map(|c| cell(c, r)).collect());
        }
    }
    out
}

#[derive(Debug, PartialEq)]
enum Cell {
    Null,
    Number(f64),
    Text(String),
}

fn cell(c: &ArrayRef, r: usize) -> Cell {
    if c.is_null(r) {
        return Cell::Null;
    }
    let numeric = c.data_type().is_numeric();
    if numeric {
        let f = arrow_cast::cast(&c.slice(r, 1), &DataType::Float64).unwrap();
        let f = f.as_any().downcast_ref::<arrow_array::Float64Array>().unwrap();
        return Cell::Number(f.value(0));
    }
    let s = arrow_cast::cast(&c.slice(r, 1), &DataType::Utf8).unwrap();
    let s: Arc<dyn Array> = s;
    let s = s.as_any().downcast_ref::<arrow_array::StringArray>().unwrap();
    Cell::Text(s.value(0).to_string())
}

fn same(a: &Cell, b: &Cell) -> bool {
    match (a, b) {
        (Cell::Number(x), Cell::Number(y)) => x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs()),
        (x, y) => x == y,
    }
}

#[test]
fn tpch_queries_through_the_cli_equal_duckdb() {
    let Some(base) = std::env::var_os("ARROW_TPCH_DIR").map(PathBuf::from) else {
        eprintln!("skipped: ARROW_TPCH_DIR is not set (make test sets it and makes the data)");
        return;
    };
    let data = base.join("sf0.1");
    let python = std::env::var_os("ARROW_PYTHON").expect("ARROW_PYTHON: the venv with duckdb");
    let out = std::env::temp_dir().join(format!("arrow-rs-wasm-tpch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(out.join("duckdb")).unwrap();
    let oracle = std::process::Command::new(&python)
        .arg(workspace().join("testdata/sql/tpch_oracle.py"))
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(out.join("duckdb"))
        .args(QUERIES)
        .output()
        .unwrap();
    assert!(oracle.status.success(), "{}", String::from_utf8_lossy(&oracle.stderr));
    for q in QUERIES {
        let sql = std::fs::read_to_string(workspace().join(format!("testdata/sql/tpch/{q}.sql"))).unwrap();
        let ours = out.join(format!("{q}.arrow"));
        let mut c = Command::cargo_bin("arrow-rs-wasm").unwrap();
        c.arg("--cache-dir").arg(std::env::temp_dir().join("arrow-rs-wasm-cli-test-cache")).arg("query");
        for t in TABLES {
            c.arg("--table").arg(format!("{t}={}", data.join(format!("{t}.parquet")).display()));
        }
        let run = c.args(["--sql", &sql, "--output"]).arg(&ours).output().unwrap();
        assert!(run.status.success(), "{q}: {}", String::from_utf8_lossy(&run.stderr));
        let (a, b) = (rows(&read_ipc(&ours)), rows(&read_ipc(&out.join(format!("duckdb/{q}.arrow")))));
        assert_eq!(a.len(), b.len(), "{q}: {} rows against DuckDB's {}", a.len(), b.len());
        assert!(!a.is_empty() || q == "q19", "{q} answered nothing");
        for (i, (x, y)) in a.iter().zip(&b).enumerate() {
            assert_eq!(x.len(), y.len(), "{q}: row {i} widths");
            for (j, (u, v)) in x.iter().zip(y).enumerate() {
                assert!(same(u, v), "{q}: row {i}, column {j}: {u:?} against DuckDB's {v:?}");
            }
        }
    }
}
