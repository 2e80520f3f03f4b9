//! The slim build (Arrow IPC, Feather v1 and v2, LZ4) under wasmtime: what it leaves out is a typed
//! error, never a trap, and what it keeps reads as the full build does.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use host_tests::{
    CsvReadOptions, DataFormat, ErrorCode, Host, NdjsonReadOptions, ParquetReadOptions, ParquetWriteOptions,
    ReadOptions, ok, slim_component_path, workspace,
};

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(workspace().join("testdata").join(rel)).expect("fixture")
}

#[test]
fn the_slim_build_reads_ipc_feather_and_lz4_and_refuses_the_rest_with_typed_errors() {
    let mut slim = Host::of_component(&slim_component_path()).expect("slim component (run `make build`)");
    let mut full = Host::new().expect("host");
    assert_eq!(
        slim.readable_formats().expect("call"),
        [DataFormat::ArrowFile, DataFormat::ArrowStream, DataFormat::FeatherV1]
    );

    // What it keeps reads the same as the full build: LZ4 Feather v2 and Feather v1.
    for rel in ["ipc/lz4.arrow", "ipc/feather_lz4.feather", "ipc/nested.arrows", "feather_v1/all_types.feather"] {
        let a = ok(slim.read(&fixture(rel), &ReadOptions::default()), rel);
        let b = ok(full.read(&fixture(rel), &ReadOptions::default()), rel);
        assert_eq!(ok(slim.fingerprint(a), rel), ok(full.fingerprint(b), rel), "{rel}");
    }

    // What it leaves out is an error naming it; the instance keeps working after each.
    let e = slim.read(&fixture("ipc/zstd.arrow"), &ReadOptions::default()).expect("no trap").expect_err("zstd");
    assert_eq!(e.code, ErrorCode::UnsupportedCodec, "{}", e.message);
    let pq = fixture("parquet/codec_snappy.parquet");
    let e = slim.read(&pq, &ReadOptions::default()).expect("no trap").expect_err("parquet");
    assert_eq!(e.code, ErrorCode::UnsupportedFormat, "{}", e.message);
    let e = slim.parquet_read(&pq, &ParquetReadOptions::default()).expect("no trap").expect_err("parquet");
    assert_eq!(e.code, ErrorCode::UnsupportedFormat);
    let e = slim.parquet_metadata(&pq).expect("no trap").expect_err("parquet");
    assert_eq!(e.code, ErrorCode::UnsupportedFormat);
    let e = slim.csv_read(&fixture("csv/basic.csv"), &CsvReadOptions::default()).expect("no trap").expect_err("csv");
    assert_eq!(e.code, ErrorCode::UnsupportedFormat);
    let e = slim.ndjson_read(b"{\"a\": 1}\n", &NdjsonReadOptions::default()).expect("no trap").expect_err("ndjson");
    assert_eq!(e.code, ErrorCode::UnsupportedFormat);
    let t = ok(slim.read(&fixture("ipc/primitives.arrow"), &ReadOptions::default()), "primitives");
    let e = slim.parquet_write(t, &ParquetWriteOptions::default()).expect("no trap").expect_err("write");
    assert_eq!(e.code, ErrorCode::UnsupportedFormat);
    assert!(ok(slim.fingerprint(t), "fingerprint").starts_with("v1-"));
}
