//! The Parquet range reader: driven by the byte ranges it asks for, it reads every Parquet fixture
//! equal to a whole read (all columns, a projection, chosen row groups), and asks only for the
//! footer and the chunks of what was selected.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::ops::Range;
use std::path::PathBuf;

use arrow_array::RecordBatch;
use arrow_core::error::CoreError;
use arrow_core::parquet::{self as core_parquet, ParquetReadOptions, RangeReader, Step};
use bytes::Bytes;

fn parquet_files() -> Vec<(String, Bytes)> {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("../testdata");
    let mut out = Vec::new();
    for dir in ["parquet", "pandas"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "parquet") {
                out.push((path.display().to_string(), Bytes::from(std::fs::read(&path).unwrap())));
            }
        }
    }
    out.sort();
    assert!(out.len() >= 15);
    out
}

/// Drives a reader over `file`, answering exactly the ranges it asks for.
fn drive(file: &Bytes, options: &ParquetReadOptions) -> Result<(Vec<RecordBatch>, Vec<Range<u64>>), CoreError> {
    let mut r = RangeReader::new(file.len() as u64, options.clone())?;
    let mut batches = Vec::new();
    loop {
        match r.step()? {
            Step::Needs(ranges) => {
                for range in ranges {
                    r.provide(range.start, file.slice(range.start as usize..range.end as usize))?;
                }
            }
            Step::Batch(b) => batches.push(b),
            Step::Finished => return Ok((batches, r.requested().to_vec())),
        }
    }
}

/// Equal content; empty batches aside (the range reader hands out one for an empty selection).
fn same(a: &[RecordBatch], b: &[RecordBatch]) -> bool {
    let concat = |v: &[RecordBatch]| {
        let rows: Vec<RecordBatch> = v.iter().filter(|b| b.num_rows() > 0).cloned().collect();
        rows.first().map(|f| arrow_select::concat::concat_batches(&f.schema(), &rows).unwrap())
    };
    concat(a) == concat(b)
}

#[test]
fn every_parquet_fixture_reads_as_a_whole_read() {
    for (name, file) in parquet_files() {
        let options = ParquetReadOptions::default();
        let whole = core_parquet::read(file.clone(), &options);
        match (whole, drive(&file, &options)) {
            (Ok(w), Ok((got, _))) => assert!(same(&w.batches, &got), "{name}"),
            (Err(a), Err(b)) => assert_eq!(std::mem::discriminant(&a), std::mem::discriminant(&b), "{name}: {a} / {b}"),
            (w, g) => panic!("{name}: whole {:?}, ranges {:?}", w.map(|_| ()), g.map(|_| ())),
        }
    }
}

#[test]
fn a_projection_and_row_groups_ask_only_for_the_footer_and_those_chunks() {
    let (_, file) = parquet_files().into_iter().find(|(n, _)| n.ends_with("row_groups.parquet")).unwrap();
    let options = ParquetReadOptions {
        columns: Some(vec!["utf8".into(), "int64".into()]),
        row_groups: Some(vec![1, 5]),
        ..ParquetReadOptions::default()
    };
    let whole = core_parquet::read(file.clone(), &options).unwrap();
    let (got, requested) = drive(&file, &options).unwrap();
    assert!(same(&whole.batches, &got));
    assert_eq!(got[0].schema().field(0).name(), "utf8", "the order asked");
    // Allowed: the footer (the file's tail) and the chunks of the two columns in row groups 1, 5.
    let meta = parquet::file::metadata::ParquetMetaDataReader::new().parse_and_finish(&file).unwrap();
    let footer_start =
        file.len() as u64 - 8 - u32::from_le_bytes(file[file.len() - 8..file.len() - 4].try_into().unwrap()) as u64;
    let footer: Range<u64> = footer_start..file.len() as u64;
    let mut allowed: Vec<Range<u64>> = Vec::from([footer]);
    for rg in [1, 5] {
        for c in meta.row_group(rg).columns() {
            if ["utf8", "int64"].contains(&c.column_path().string().as_str()) {
                let (start, len) = c.byte_range();
                allowed.push(start..start + len);
            }
        }
    }
    for r in &requested {
        assert!(allowed.iter().any(|a| a.start <= r.start && r.end <= a.end), "{r:?} outside {allowed:?}");
    }
    let in_footer = |r: &&Range<u64>| r.start >= footer_start;
    let asked: u64 = requested.iter().filter(|r| !in_footer(r)).map(|r| r.end - r.start).sum();
    let chunks: u64 = allowed[1..].iter().map(|a| a.end - a.start).sum();
    assert_eq!(asked, chunks, "exactly the selected chunks");
    assert!(chunks * 10 < file.len() as u64, "a small part of the file: {chunks} of {}", file.len());
}

#[test]
fn bad_ranges_and_bad_files_are_typed_errors() {
    let (_, file) = parquet_files().into_iter().find(|(n, _)| n.ends_with("codec_zstd.parquet")).unwrap();
    let mut r = RangeReader::new(file.len() as u64, ParquetReadOptions::default()).unwrap();
    assert!(matches!(
        r.provide(file.len() as u64 - 2, Bytes::from_static(b"abcd")),
        Err(CoreError::InvalidArgument(_))
    ));
    let garbage = Bytes::from(vec![7u8; 5000]);
    assert!(matches!(drive(&garbage, &ParquetReadOptions::default()), Err(CoreError::Malformed(_))));
    let options = ParquetReadOptions { columns: Some(vec!["nope".into()]), ..ParquetReadOptions::default() };
    assert!(matches!(drive(&file, &options), Err(CoreError::ColumnNotFound(_))));
}

#[test]
fn a_selection_without_rows_hands_out_one_empty_batch_with_the_schema() {
    let files = parquet_files();
    let (_, empty) = files.iter().find(|(n, _)| n.ends_with("parquet/empty.parquet")).unwrap();
    let whole = core_parquet::read(empty.clone(), &ParquetReadOptions::default()).unwrap();
    let (got, _) = drive(empty, &ParquetReadOptions::default()).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].num_rows(), 0);
    assert_eq!(got[0].schema(), whole.schema);
    let (_, file) = files.iter().find(|(n, _)| n.ends_with("row_groups.parquet")).unwrap();
    let options = ParquetReadOptions {
        columns: Some(vec!["int64".into()]),
        row_groups: Some(vec![]),
        ..ParquetReadOptions::default()
    };
    let (got, requested) = drive(file, &options).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].num_rows(), got[0].schema().field(0).name().as_str()), (0, "int64"));
    assert!(
        requested.iter().all(|r| r.end == file.len() as u64 || r.start + 65536 >= file.len() as u64),
        "only the footer: {requested:?}"
    );
}
