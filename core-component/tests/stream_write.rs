//! Streaming writers: tables written piece by piece give bytes as they are produced, and the
//! concatenated output reads back equal to the input (IPC stream and file, Parquet), with Parquet's
//! content equal to a whole-table write's.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

use arrow_buffer::Buffer;
use arrow_core::error::CoreError;
use arrow_core::ipc::write::{Compression, Framing, WriteOptions};
use arrow_core::parquet::ParquetWriteOptions;
use arrow_core::streaming::{TableWriter, WriterFormat};
use arrow_core::{ReadOptions, Table};

fn read(rel: &str) -> Table {
    let bytes = std::fs::read(
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("../testdata").join(rel),
    )
    .unwrap();
    Table::read(Buffer::from(bytes), &ReadOptions::default()).unwrap()
}

/// Writes `t` in slices of `step` rows; returns the bytes of each call (the last is `finish`).
fn write_in_pieces(t: &Table, format: &WriterFormat, step: u64) -> Vec<Vec<u8>> {
    let mut w = TableWriter::new(t.schema().clone(), format).unwrap();
    let mut outputs = Vec::new();
    let mut at = 0;
    while at < t.num_rows() {
        outputs.push(w.write(&t.slice(at, step).unwrap()).unwrap());
        at += step;
    }
    assert_eq!(w.rows_written(), t.num_rows());
    outputs.push(w.finish().unwrap());
    outputs
}

fn back(bytes: &[u8]) -> Table {
    Table::read(Buffer::from(bytes.to_vec()), &ReadOptions::default()).unwrap()
}

#[test]
fn ipc_streams_and_files_written_piece_by_piece_read_back_equal() {
    for fixture in ["ipc/primitives.arrow", "ipc/nested.arrow", "ipc/dictionary.arrow", "ipc/lz4.arrow"] {
        let t = read(fixture);
        for (framing, compression) in [
            (Framing::Stream, Compression::None),
            (Framing::Stream, Compression::Lz4Frame),
            (Framing::File, Compression::Zstd),
        ] {
            let options = WriteOptions { framing, compression, ..WriteOptions::default() };
            let outputs = write_in_pieces(&t, &WriterFormat::Ipc(options), 50);
            // IPC sends each batch as soon as it is written.
            assert!(outputs[..outputs.len() - 1].iter().all(|o| !o.is_empty()), "{fixture}");
            let all: Vec<u8> = outputs.concat();
            let got = back(&all);
            assert_eq!(got.fingerprint().unwrap(), t.fingerprint().unwrap(), "{fixture} {framing:?}");
            assert_eq!(got.schema(), t.schema(), "{fixture}: metadata kept");
        }
    }
}

#[test]
fn parquet_flushes_row_groups_as_they_fill_and_equals_a_whole_write() {
    let t = read("parquet/row_groups.parquet");
    let options = ParquetWriteOptions { max_row_group_rows: Some(500), ..ParquetWriteOptions::default() };
    let outputs = write_in_pieces(&t, &WriterFormat::Parquet(options.clone()), 100);
    let sizes: Vec<usize> = outputs.iter().map(Vec::len).collect();
    // Nothing until the first row group fills (the magic waits in the writer's buffer), then a
    // row group every 500 rows.
    assert!(sizes[..4].iter().all(|&n| n == 0), "{sizes:?}");
    assert!(sizes[5..9].iter().all(|&n| n == 0) && sizes[9] > 1000, "{sizes:?}");
    assert!(sizes[4] > 1000, "the first row group is out after 500 rows: {sizes:?}");
    let streamed: Vec<u8> = outputs.concat();
    let whole = t.write_parquet(&options).unwrap();
    let (a, b) = (back(&streamed), back(&whole));
    assert_eq!(a.fingerprint().unwrap(), b.fingerprint().unwrap());
    assert_eq!(a.fingerprint().unwrap(), t.fingerprint().unwrap());
    let groups = arrow_core::parquet::file_info(bytes::Bytes::from(streamed)).unwrap().row_groups.len();
    assert_eq!(groups, 4, "2000 rows in row groups of 500");
}

#[test]
fn a_mismatched_table_is_refused_and_a_finished_writer_is_closed() {
    let t = read("ipc/primitives.arrow");
    let mut w = TableWriter::new(t.schema().clone(), &WriterFormat::Ipc(WriteOptions::default())).unwrap();
    let first = w.write(&t.slice(0, 10).unwrap()).unwrap();
    let other = read("ipc/nested.arrow");
    assert!(matches!(w.write(&other), Err(CoreError::SchemaMismatch(_))));
    let rest = w.write(&t.slice(10, 1000).unwrap()).unwrap();
    let end = w.finish().unwrap();
    assert!(matches!(w.finish(), Err(CoreError::Closed(_))));
    assert!(matches!(w.write(&t), Err(CoreError::Closed(_))));
    let got = back(&[first, rest, end].concat());
    assert_eq!(got.fingerprint().unwrap(), t.fingerprint().unwrap(), "the refused table left no trace");
}
