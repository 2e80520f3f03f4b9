//! The table API through the component: format detection, options, derived tables, typed errors
//! that leave handles usable, and freeing without leaks.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use host_tests::{
    DataFormat, ErrorCode, Host, IpcCompression, IpcFraming, IpcWriteOptions, MetadataVersion, ReadOptions, fixtures,
    write_options,
};

fn bytes_of(name: &str) -> Vec<u8> {
    fixtures().into_iter().find(|f| f.file == name).expect("fixture").bytes()
}

#[test]
fn detect_format_reads_magic_bytes_and_names_what_it_saw() {
    let mut h = Host::new().expect("host");
    let cases = [("primitives.arrow", DataFormat::ArrowFile), ("primitives.arrows", DataFormat::ArrowStream)];
    for (file, format) in cases {
        assert_eq!(h.detect(&bytes_of(file)[..16]).expect("call").expect("known"), format, "{file}");
    }
    assert_eq!(h.detect(b"PAR1\x15\x04").expect("call").expect("parquet"), DataFormat::Parquet);
    assert_eq!(h.detect(b"FEA1\0\0\0\0").expect("call").expect("feather"), DataFormat::FeatherV1);
    let err = h.detect(b"HELLO, world").expect("call").expect_err("unknown");
    assert_eq!(err.code, ErrorCode::UnknownFormat);
    assert!(err.message.contains("HELLO"), "{}", err.message);
}

#[test]
fn an_explicit_format_overrides_sniffing() {
    let mut h = Host::new().expect("host");
    let stream_as_file = ReadOptions { format: Some(DataFormat::ArrowFile), ..ReadOptions::default() };
    let err = h.read(&bytes_of("primitives.arrows"), &stream_as_file).expect("call").expect_err("not a file");
    assert_eq!(err.code, ErrorCode::MalformedInput);
    // Parquet bytes read as an IPC file are malformed, not sniffed into Parquet.
    let parquet = std::fs::read(host_tests::workspace().join("testdata/ipc/not_arrow.parquet")).expect("fixture");
    let err = h.read(&parquet, &stream_as_file).expect("call").expect_err("not a file");
    assert_eq!(err.code, ErrorCode::MalformedInput);
    let as_parquet = ReadOptions { format: Some(DataFormat::Parquet), ..ReadOptions::default() };
    let err = h.read(&bytes_of("primitives.arrow"), &as_parquet).expect("call").expect_err("not parquet");
    assert_eq!(err.code, ErrorCode::MalformedInput);
}

#[test]
fn projection_and_batch_size_apply_at_read() {
    let mut h = Host::new().expect("host");
    let options = ReadOptions {
        columns: Some(vec!["utf8".into(), "int8".into()]),
        batch_size: Some(300),
        ..ReadOptions::default()
    };
    let t = h.read(&bytes_of("lz4.arrows"), &options).expect("call").expect("read");
    let names: Vec<String> = h.schema(t).expect("call").columns.into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["utf8", "int8"]);
    assert_eq!(h.num_rows(t).expect("call"), 2000);
    // 800 + 800 + 400 rows in batches of at most 300: 3 + 3 + 2.
    assert_eq!(h.num_batches(t).expect("call"), 8);
    let missing = ReadOptions { columns: Some(vec!["nope".into()]), ..ReadOptions::default() };
    let err = h.read(&bytes_of("lz4.arrows"), &missing).expect("call").expect_err("missing");
    assert_eq!(err.code, ErrorCode::ColumnNotFound);
    let zero = ReadOptions { batch_size: Some(0), ..ReadOptions::default() };
    let err = h.read(&bytes_of("lz4.arrows"), &zero).expect("call").expect_err("zero");
    assert_eq!(err.code, ErrorCode::InvalidArgument);
}

#[test]
fn errors_are_typed_and_the_handle_stays_valid_after_each() {
    let mut h = Host::new().expect("host");
    let t = h.read_ok(&bytes_of("multibatch.arrows"));
    let rows = h.num_rows(t).expect("call");
    let other = h.read_ok(&bytes_of("primitives.arrow"));

    let e = h.slice(t, rows + 1, 1).expect("call").expect_err("out of bounds");
    assert_eq!(e.code, ErrorCode::OutOfBounds);
    let e = h.select(t, &["missing".to_string()]).expect("call").expect_err("missing");
    assert_eq!(e.code, ErrorCode::ColumnNotFound);
    let e = h.concat(&[t, other]).expect("call").expect_err("mismatch");
    assert_eq!(e.code, ErrorCode::SchemaMismatch);
    let e = h.concat(&[]).expect("call").expect_err("empty");
    assert_eq!(e.code, ErrorCode::InvalidArgument);
    let bad = [
        IpcWriteOptions { alignment: 3, ..write_options(IpcFraming::File, IpcCompression::None) },
        IpcWriteOptions { zstd_level: Some(5), ..write_options(IpcFraming::File, IpcCompression::Lz4Frame) },
        IpcWriteOptions {
            metadata_version: MetadataVersion::V4,
            ..write_options(IpcFraming::File, IpcCompression::Zstd)
        },
        IpcWriteOptions { legacy_format: true, ..write_options(IpcFraming::Stream, IpcCompression::None) },
    ];
    for o in bad {
        let e = h.write_ipc(t, &o).expect("call").expect_err("invalid options");
        assert_eq!(e.code, ErrorCode::InvalidArgument, "{o:?}: {}", e.message);
    }
    // After all of that, both handles still work.
    assert_eq!(h.num_rows(t).expect("call"), rows);
    assert!(h.write_ipc(other, &write_options(IpcFraming::File, IpcCompression::Lz4Frame)).expect("call").is_ok());
}

#[test]
fn slice_select_and_concat_derive_tables_with_the_right_rows() {
    let mut h = Host::new().expect("host");
    let t = h.read_ok(&bytes_of("multibatch.arrows"));
    let rows = h.num_rows(t).expect("call");
    let s = h.slice(t, 10, 1000).expect("call").expect("slice");
    assert_eq!(h.num_rows(s).expect("call"), rows - 10, "the length is clipped at the end");
    assert_eq!(h.source_format(s).expect("call"), None);
    let sel = h.select(t, &["s".to_string(), "i64".to_string()]).expect("call").expect("select");
    let names: Vec<String> = h.schema(sel).expect("call").columns.into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["s", "i64"]);
    assert_eq!(h.num_rows(sel).expect("call"), rows);
    let c = h.concat(&[t, s, t]).expect("call").expect("concat");
    assert_eq!(h.num_rows(c).expect("call"), rows * 2 + rows - 10);
    // The source can be freed while derived tables live on: they share buffers, not handles.
    h.free(t).expect("free");
    assert_eq!(h.num_rows(c).expect("call"), rows * 3 - 10);
}

#[test]
fn creating_and_freeing_tables_in_a_loop_leaks_nothing() {
    let mut h = Host::new().expect("host");
    let bytes = bytes_of("lz4.arrows");
    let cycle = |h: &mut Host| {
        let t = h.read_ok(&bytes);
        let s = h.slice(t, 5, 100).expect("call").expect("slice");
        let out =
            h.write_ipc(s, &write_options(IpcFraming::Stream, IpcCompression::Zstd)).expect("call").expect("write");
        assert!(!out.is_empty());
        h.free(s).expect("free");
        h.free(t).expect("free");
    };
    for _ in 0..50 {
        cycle(&mut h);
    }
    let warmed = h.peak_memory();
    for _ in 0..1000 {
        cycle(&mut h);
    }
    assert_eq!(h.peak_memory(), warmed, "linear memory grew from {warmed} over 1000 create/free cycles");
}

#[test]
fn an_uncompressed_read_costs_one_copy_of_the_input_in_guest_memory() {
    use std::sync::Arc;
    // 16 MiB of int64 and float64: big enough to dwarf the allocator's slack.
    let n = 1 << 20;
    let schema = Arc::new(arrow_schema::Schema::new(vec![
        arrow_schema::Field::new("i", arrow_schema::DataType::Int64, false),
        arrow_schema::Field::new("f", arrow_schema::DataType::Float64, false),
    ]));
    let columns: Vec<arrow_array::ArrayRef> = vec![
        Arc::new(arrow_array::Int64Array::from_iter_values(0..n as i64)),
        Arc::new(arrow_array::Float64Array::from_iter_values((0..n).map(|i| i as f64 * 0.5))),
    ];
    let batch = arrow_array::RecordBatch::try_new(schema.clone(), columns).expect("batch");
    let mut bytes = Vec::new();
    {
        let mut w = arrow_ipc::writer::FileWriter::try_new(&mut bytes, &schema).expect("writer");
        w.write(&batch).expect("write");
        w.finish().expect("finish");
    }
    let mut h = Host::new().expect("host");
    let before = h.peak_memory();
    let t = h.read_ok(&bytes);
    assert_eq!(h.num_rows(t).expect("call"), n as u64);
    let grown = h.peak_memory() - before;
    // The canonical ABI copies the bytes in once; a reader that copied the buffers again would
    // need twice that.
    assert!(grown < bytes.len() + bytes.len() / 4, "reading {} bytes grew guest memory by {grown} bytes", bytes.len());
}
