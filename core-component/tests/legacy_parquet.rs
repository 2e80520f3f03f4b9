//! Legacy Parquet repeated layouts: repeated fields without a LIST or MAP annotation (1-level, at
//! the top level and inside groups, nested), and the 2-level LIST forms and `MAP_KEY_VALUE` of the
//! format's backward-compatibility rules. `testdata/make_legacy_parquet.py` writes each byte by
//! byte (no writer produces them today) with pyarrow's read as `<name>.expected.json`; every file
//! must read here to the same rows. `host-tests/tests/conformance.rs` compares the component's
//! reads with pyarrow's, types and names included.
#![cfg(all(feature = "parquet", feature = "json"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::path::PathBuf;

use arrow_core::parquet::{ParquetReadOptions, read};
use bytes::Bytes;
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("../testdata/parquet/legacy")
}

/// Our rows as JSON, through arrow-json (nulls written out, as pyarrow's `to_pylist` has them).
fn rows(bytes: Vec<u8>) -> Vec<Value> {
    let decoded = read(Bytes::from(bytes), &ParquetReadOptions::default()).expect("read");
    let mut writer = arrow_json::WriterBuilder::new()
        .with_explicit_nulls(true)
        .build::<_, arrow_json::writer::JsonArray>(Vec::new());
    for b in &decoded.batches {
        writer.write(b).expect("json");
    }
    writer.finish().expect("json");
    let out = writer.into_inner();
    if out.is_empty() {
        return Vec::new();
    }
    serde_json::from_slice::<Vec<Value>>(&out).expect("json rows")
}

/// Equal as pyarrow's `to_pylist` and arrow-json spell them: numbers by value, and a map as
/// arrow-json's object or pyarrow's list of `[key, value]` pairs.
fn same(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)),
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        (Value::Object(a), Value::Array(pairs)) => {
            a.len() == pairs.len()
                && pairs.iter().all(|p| match p.as_array().map(Vec::as_slice) {
                    Some([Value::String(k), v]) => a.get(k).is_some_and(|g| same(g, v)),
                    _ => false,
                })
        }
        _ => got == want,
    }
}

#[test]
fn every_legacy_layout_reads_as_pyarrow_reads_it() {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .expect("testdata/parquet/legacy")
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".parquet").map(String::from))
        .collect();
    names.sort();
    assert!(names.len() >= 11, "found {} legacy files", names.len());
    let mut wrong = Vec::new();
    for name in &names {
        let expected: Value =
            serde_json::from_slice(&std::fs::read(dir().join(format!("{name}.expected.json"))).unwrap()).unwrap();
        let want = expected["rows"].as_array().expect("rows");
        let got = rows(std::fs::read(dir().join(format!("{name}.parquet"))).unwrap());
        if got.len() != want.len() {
            wrong.push(format!("{name}: {} rows, pyarrow reads {}", got.len(), want.len()));
            continue;
        }
        if let Some(i) = (0..got.len()).find(|&i| !same(&got[i], &want[i])) {
            wrong.push(format!("{name}: row {i} is {} where pyarrow reads {}", got[i], want[i]));
        }
    }
    assert!(wrong.is_empty(), "legacy layouts read differently from pyarrow:\n{}", wrong.join("\n"));
}
