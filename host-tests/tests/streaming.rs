//! The IPC push decoder under wasmtime: every stream fixture pushed in small chunks gives the
//! content of a whole read (by fingerprint), the ceiling refuses pushes with `limit-exceeded`, and
//! a truncated stream fails at `finish`; errors leave the instance and the handle usable.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use host_tests::exports::arrow::core::streaming::StreamDecoderOptions;
use host_tests::{ErrorCode, Host, ReadOptions, fixtures, ok};
use wasmtime::component::ResourceAny;

fn decoder(h: &mut Host, max_buffered_bytes: Option<u64>) -> ResourceAny {
    let options = StreamDecoderOptions { max_buffered_bytes, columns: None, max_decompressed_bytes: None };
    h.core.arrow_core_streaming().ipc_stream_decoder().call_constructor(&mut h.store, &options).unwrap()
}

fn pull(h: &mut Host, d: ResourceAny, into: &mut Vec<ResourceAny>) {
    while let Some(t) = h.core.arrow_core_streaming().ipc_stream_decoder().call_next_batch(&mut h.store, d).unwrap() {
        into.push(t);
    }
}

#[test]
fn pushed_streams_read_as_whole_streams() {
    let mut h = Host::new().unwrap();
    let mut checked = 0;
    for f in fixtures().into_iter().filter(|f| f.file.ends_with(".arrows")) {
        let bytes = f.bytes();
        let whole = h.read_ok(&bytes);
        let expected = ok(h.fingerprint(whole), "fingerprint");
        let d = decoder(&mut h, None);
        let mut tables = Vec::new();
        for chunk in bytes.chunks(7) {
            ok(h.core.arrow_core_streaming().ipc_stream_decoder().call_push(&mut h.store, d, chunk), "push");
            pull(&mut h, d, &mut tables);
        }
        ok(h.core.arrow_core_streaming().ipc_stream_decoder().call_finish(&mut h.store, d), "finish");
        assert!(h.core.arrow_core_streaming().ipc_stream_decoder().call_done(&mut h.store, d).unwrap());
        let schema = h.core.arrow_core_streaming().ipc_stream_decoder().call_schema(&mut h.store, d).unwrap().unwrap();
        let types =
            |s: host_tests::SchemaSummary| s.columns.into_iter().map(|c| (c.name, c.arrow_type)).collect::<Vec<_>>();
        assert_eq!(types(schema), types(h.schema(whole).unwrap()), "{}", f.file);
        if !tables.is_empty() {
            let all = ok(h.concat(&tables), "concat");
            assert_eq!(ok(h.fingerprint(all), "fingerprint"), expected, "{}", f.file);
            assert_eq!(h.num_rows(all).unwrap(), h.num_rows(whole).unwrap());
        }
        d.resource_drop(&mut h.store).unwrap();
        checked += 1;
    }
    assert!(checked >= 10, "{checked} streams");
}

#[test]
fn the_ceiling_and_truncation_are_typed_errors_and_the_handle_lives_on() {
    let mut h = Host::new().unwrap();
    let bytes = fixtures().into_iter().find(|f| f.file == "multibatch.arrows").unwrap().bytes();
    let d = decoder(&mut h, Some(1024));
    let sd = h.core.arrow_core_streaming().ipc_stream_decoder();
    let e = sd.call_push(&mut h.store, d, &bytes[..2048]).unwrap().unwrap_err();
    assert_eq!(e.code, ErrorCode::LimitExceeded, "{}", e.message);
    assert_eq!(sd.call_buffered_bytes(&mut h.store, d).unwrap(), 0, "the refused push changed nothing");
    ok(sd.call_push(&mut h.store, d, &bytes[..512]), "a push under the ceiling");
    let e = sd.call_finish(&mut h.store, d).unwrap().unwrap_err();
    assert_eq!(e.code, ErrorCode::MalformedInput, "{}", e.message);
    assert!(e.message.contains("truncated"), "{}", e.message);
    // The instance still reads.
    let t = h.read(&bytes, &ReadOptions::default()).unwrap().unwrap();
    assert!(h.num_rows(t).unwrap() > 0);
}

#[test]
fn tables_written_piece_by_piece_read_back_equal_in_pyarrow() {
    use host_tests::exports::arrow::core::streaming::WriterFormat;
    use host_tests::{IpcCompression, IpcFraming, ParquetWriteOptions, oracle, scratch, write_options};
    let mut h = Host::new().unwrap();
    let dir = scratch("stream-write");
    let mut pairs = Vec::new();
    let formats = [
        ("stream.arrows", WriterFormat::Ipc(write_options(IpcFraming::Stream, IpcCompression::Lz4Frame))),
        ("file.arrow", WriterFormat::Ipc(write_options(IpcFraming::File, IpcCompression::Zstd))),
        (
            "rg50.parquet",
            WriterFormat::Parquet(ParquetWriteOptions { max_row_group_rows: Some(50), ..Default::default() }),
        ),
    ];
    for f in fixtures()
        .into_iter()
        .filter(|f| ["primitives.arrow", "nested.arrow", "multibatch.arrow"].contains(&f.file.as_str()))
    {
        let t = h.read_ok(&f.bytes());
        let rows = h.num_rows(t).unwrap();
        for (suffix, format) in &formats {
            let tw = h.core.arrow_core_streaming().table_writer();
            let w = ok(tw.call_create(&mut h.store, t, format), "create");
            let mut out = Vec::new();
            let mut at = 0;
            while at < rows {
                let piece = ok(h.slice(t, at, 40), "slice");
                out.extend(ok(
                    h.core.arrow_core_streaming().table_writer().call_write(&mut h.store, w, piece),
                    "write",
                ));
                at += 40;
            }
            out.extend(ok(h.core.arrow_core_streaming().table_writer().call_finish(&mut h.store, w), "finish"));
            let e = h.core.arrow_core_streaming().table_writer().call_finish(&mut h.store, w).unwrap().unwrap_err();
            assert_eq!(e.code, ErrorCode::Closed);
            let path = dir.join(format!("{}.{suffix}", f.file));
            std::fs::write(&path, out).unwrap();
            // Parquet changes some types on the way (date64 is stored as a date), as pyarrow's own
            // writer does: the reference is the core's whole-table write, which the formats tests
            // check against pyarrow.
            let expected = match format {
                WriterFormat::Parquet(o) => {
                    let whole = dir.join(format!("{}.whole.parquet", f.file));
                    std::fs::write(&whole, ok(h.parquet_write(t, o), "whole write")).unwrap();
                    whole
                }
                WriterFormat::Ipc(_) => f.path(),
            };
            pairs.push((expected, path));
        }
    }
    for c in oracle::compare(&pairs, &dir).unwrap() {
        // Parquet names a map's entries after the column in pyarrow's reading.
        assert!(c.equal || c.equal_but_nested_names, "{}: {}", c.actual.display(), c.detail);
    }
    assert_eq!(pairs.len(), 9);
}

#[test]
fn the_parquet_range_reader_reads_what_parquet_read_reads() {
    use host_tests::exports::arrow::core::streaming::RangeStep;
    use host_tests::{ParquetReadOptions, workspace};
    let mut h = Host::new().unwrap();
    let file = std::fs::read(workspace().join("testdata/parquet/row_groups.parquet")).unwrap();
    let options = ParquetReadOptions {
        columns: Some(vec!["color".into(), "int32".into()]),
        row_groups: Some(vec![0, 3]),
        ..Default::default()
    };
    let whole = ok(h.parquet_read(&file, &options), "parquet.read");
    let rr = h.core.arrow_core_streaming().parquet_range_reader();
    let r = ok(rr.call_create(&mut h.store, file.len() as u64, &options), "create");
    let (mut tables, mut asked) = (Vec::new(), 0u64);
    loop {
        match ok(h.core.arrow_core_streaming().parquet_range_reader().call_next(&mut h.store, r), "next") {
            RangeStep::Needs(ranges) => {
                for range in ranges {
                    asked += range.length;
                    let bytes = &file[range.offset as usize..(range.offset + range.length) as usize];
                    ok(
                        h.core.arrow_core_streaming().parquet_range_reader().call_provide(
                            &mut h.store,
                            r,
                            range.offset,
                            bytes,
                        ),
                        "provide",
                    );
                }
            }
            RangeStep::Batch(t) => tables.push(t),
            RangeStep::Finished => break,
        }
    }
    let all = ok(h.concat(&tables), "concat");
    assert_eq!(ok(h.fingerprint(all), "fp"), ok(h.fingerprint(whole), "fp"));
    assert!(asked * 2 < file.len() as u64, "asked for {asked} of {} bytes", file.len());
    let schema = h.core.arrow_core_streaming().parquet_range_reader().call_schema(&mut h.store, r).unwrap().unwrap();
    assert_eq!(schema.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["color", "int32"]);
    // The slim build has no Parquet: a typed refusal.
    let mut slim = Host::of_component(&host_tests::slim_component_path()).unwrap();
    let e = slim
        .core
        .arrow_core_streaming()
        .parquet_range_reader()
        .call_create(&mut slim.store, 100, &options)
        .unwrap()
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::UnsupportedFormat);
}
