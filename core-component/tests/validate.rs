//! Full validation: every fixture in `testdata/` is valid, and each check catches the fault it
//! exists for in a file built to have it.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use arrow_buffer::Buffer;
use arrow_core::error::CoreError;
use arrow_core::format::DataFormat;
use arrow_core::validate::{Report, validate};
use arrow_core::{ReadOptions, Table};

fn testdata() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("../testdata")
}

fn check(bytes: &[u8]) -> Report {
    validate(Buffer::from(bytes.to_vec()), &ReadOptions::default())
}

fn batch(from: i64, n: i64) -> RecordBatch {
    let ids: ArrayRef = Arc::new(Int64Array::from_iter_values(from..from + n));
    let names: ArrayRef =
        Arc::new(StringArray::from_iter((from..from + n).map(|i| (i % 3 != 0).then(|| i.to_string()))));
    RecordBatch::try_from_iter([("id", ids), ("name", names)]).unwrap()
}

fn ipc_file(batches: &[RecordBatch]) -> Vec<u8> {
    let mut w = arrow_ipc::writer::FileWriter::try_new(Vec::new(), &batches[0].schema()).unwrap();
    for b in batches {
        w.write(b).unwrap();
    }
    w.into_inner().unwrap()
}

#[test]
fn every_fixture_in_testdata_is_valid() {
    let mut seen = 0;
    for dir in [
        "ipc",
        "ipc/bigendian",
        "parquet",
        "parquet/checksums",
        "parquet/legacy",
        "pandas",
        "feather_v1",
        "csv",
        "ndjson",
    ] {
        for entry in std::fs::read_dir(testdata().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            // Fixtures of failure cases and the manifests are not data files.
            let Ok(table) = Table::read(Buffer::from(bytes.clone()), &ReadOptions::default()) else { continue };
            let report = check(&bytes);
            assert!(report.is_valid(), "{}: {:?}", path.display(), report.problems);
            assert_eq!(report.num_rows, table.num_rows(), "{}", path.display());
            assert!(report.checks.contains(&"arrays"), "{}", path.display());
            seen += 1;
        }
    }
    assert!(seen >= 60, "only {seen} fixtures validated");
}

#[test]
fn parquet_validation_checks_row_groups_and_statistics() {
    let bytes = std::fs::read(testdata().join("parquet/row_groups.parquet")).unwrap();
    let report = check(&bytes);
    assert_eq!(report.format, Some(DataFormat::Parquet));
    assert_eq!(report.checks, ["format", "decode", "arrays", "parquet-row-counts", "parquet-statistics"]);
    assert!(report.num_batches > 1, "row groups: {}", report.num_batches);
}

#[test]
fn an_unknown_format_stops_at_the_format_check() {
    let report = check(b"\x00\x01 definitely not a data file");
    assert_eq!(report.checks, ["format"]);
    assert!(matches!(report.problems[0].error, CoreError::UnknownFormat(_)), "{:?}", report.problems);
    assert_eq!(report.format, None);
}

#[test]
fn a_truncated_file_stops_at_decode_with_the_reason() {
    let bytes = ipc_file(&[batch(0, 100)]);
    let report = check(&bytes[..bytes.len() - 20]);
    assert_eq!(report.checks, ["format", "decode"]);
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].location, "file");
    assert!(matches!(report.problems[0].error, CoreError::Malformed(_)));
}

#[test]
fn an_ipc_footer_that_disagrees_with_the_stream_is_reported() {
    let (a, b) = (batch(0, 50), batch(50, 50));
    let mut bytes = ipc_file(&[a.clone(), b]);
    assert!(check(&bytes).is_valid());
    // Point the footer's second record-batch block at the first batch: a footer-driven reader then
    // returns rows 0..50 twice, a stream-driven one rows 0..100.
    let footer_len = u32::from_le_bytes(bytes[bytes.len() - 10..bytes.len() - 6].try_into().unwrap()) as usize;
    let footer_start = bytes.len() - 10 - footer_len;
    let (first, second) = {
        let footer = arrow_ipc::root_as_footer(&bytes[footer_start..bytes.len() - 10]).unwrap();
        let blocks: Vec<_> = footer.recordBatches().unwrap().iter().copied().collect();
        (blocks[0], blocks[1])
    };
    let encode = |b: &arrow_ipc::Block| -> Vec<u8> {
        let mut v = b.offset().to_le_bytes().to_vec();
        v.extend(b.metaDataLength().to_le_bytes());
        v.extend([0; 4]);
        v.extend(b.bodyLength().to_le_bytes());
        v
    };
    let (from, to) = (encode(&second), encode(&first));
    let at = bytes[footer_start..].windows(from.len()).position(|w| w == from).unwrap() + footer_start;
    bytes[at..at + to.len()].copy_from_slice(&to);

    let read = Table::read(Buffer::from(bytes.clone()), &ReadOptions::default()).unwrap();
    assert_eq!(read.num_rows(), 100, "the tampered file still reads");
    let report = check(&bytes);
    assert!(report.checks.contains(&"ipc-footer"));
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert_eq!(report.problems[0].location, "batch 1");
}

#[test]
fn parquet_statistics_that_do_not_bound_the_values_are_reported() {
    // ids 1000..1100 in one row group; the footer's minimum is the 8 little-endian bytes of 1000.
    let ids: ArrayRef = Arc::new(Int64Array::from_iter_values(1000..1100));
    let b = RecordBatch::try_from_iter([("id", ids)]).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(Vec::new(), b.schema(), None).unwrap();
    w.write(&b).unwrap();
    let mut bytes = w.into_inner().unwrap();
    assert!(check(&bytes).is_valid());

    let footer_len = u32::from_le_bytes(bytes[bytes.len() - 8..bytes.len() - 4].try_into().unwrap()) as usize;
    let footer_start = bytes.len() - 8 - footer_len;
    let min = 1000i64.to_le_bytes();
    let hits: Vec<usize> = (footer_start..bytes.len() - 8).filter(|&i| bytes[i..].starts_with(&min)).collect();
    assert!(!hits.is_empty(), "the footer holds the minimum");
    for i in hits {
        bytes[i..i + 8].copy_from_slice(&1050i64.to_le_bytes());
    }

    let report = check(&bytes);
    assert!(!report.is_valid());
    let p = &report.problems[0];
    assert_eq!(p.location, "row group 0, column \"id\"");
    assert!(p.error.to_string().contains("50 values are below the statistics' minimum"), "{}", p.error);
}

#[test]
fn a_column_projection_validates_only_those_columns() {
    let bytes = ipc_file(&[batch(0, 10)]);
    let options = ReadOptions { columns: Some(vec!["name".into()]), ..ReadOptions::default() };
    let report = validate(Buffer::from(bytes.clone()), &options);
    assert!(report.is_valid(), "{:?}", report.problems);
    let missing = ReadOptions { columns: Some(vec!["nope".into()]), ..ReadOptions::default() };
    let report = validate(Buffer::from(bytes), &missing);
    assert!(matches!(report.problems[0].error, CoreError::ColumnNotFound(_)));
}

#[test]
fn every_arrow_ipc_gold_file_is_valid() {
    let root = std::env::var_os("ARROW_TESTING_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("../../shared/testing")
        })
        .join("arrow-ipc-integration");
    let mut seen = 0;
    for version in ["1.0.0-littleendian", "2.0.0-compression"] {
        for entry in std::fs::read_dir(root.join(version)).unwrap() {
            let path = entry.unwrap().path();
            if !matches!(path.extension().and_then(|e| e.to_str()), Some("arrow_file" | "stream")) {
                continue;
            }
            let report = check(&std::fs::read(&path).unwrap());
            assert!(report.is_valid(), "{}: {:?}", path.display(), report.problems);
            seen += 1;
        }
    }
    assert!(seen >= 50, "only {seen} gold files in {}", root.display());
}
