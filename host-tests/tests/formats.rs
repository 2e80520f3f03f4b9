//! Parquet, Feather v1, CSV and NDJSON through the component under wasmtime: what it reads equals
//! what pyarrow reads, what it writes pyarrow reads back equal, fingerprints agree across
//! containers, and broken inputs give typed errors without trapping.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use host_tests::{
    CsvReadOptions, CsvWriteOptions, DataFormat, ErrorCode, Host, IpcCompression, IpcFraming, KeyValue,
    NdjsonReadOptions, ParquetCompression, ParquetReadOptions, ParquetWriteOptions, ReadOptions, StatisticsLevel,
    Table, WriterVersion, field, ok, oracle, scratch, workspace, write_options,
};

fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(workspace().join("testdata").join(dir))
        .expect("fixture dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

fn read_file(h: &mut Host, path: &Path) -> Table {
    ok(h.read(&std::fs::read(path).expect("fixture"), &ReadOptions::default()), &path.display().to_string())
}

/// Writes `t` as an uncompressed IPC file in `dir` for pyarrow to compare.
fn save_ipc(h: &mut Host, t: Table, dir: &Path, name: &str) -> PathBuf {
    let bytes = ok(h.write_ipc(t, &write_options(IpcFraming::File, IpcCompression::None)), name);
    let path = dir.join(format!("{name}.arrow"));
    std::fs::write(&path, bytes).expect("write");
    path
}

fn assert_all_equal(pairs: &[(PathBuf, PathBuf)], dir: &Path) {
    let verdicts = oracle::compare(pairs, dir).expect("oracle");
    assert_eq!(verdicts.len(), pairs.len());
    let bad: Vec<_> = verdicts
        .iter()
        // Same schema, and values equal once dictionaries are decoded: pyarrow compares
        // dictionary chunks by their indices, and each row group carries its own dictionary.
        .filter(|v| !v.equal && !v.logically_equal && !maps_named_by_pyarrow(v))
        .map(|v| format!("{} vs {}: {}", v.expected.display(), v.actual.display(), v.detail))
        .collect();
    assert!(bad.is_empty(), "pyarrow sees differences:\n{}", bad.join("\n"));
}

/// pyarrow names the entries of a map it reads from Parquet after the column; arrow-rs keeps the
/// name the writer gave (`entries`). Only that difference is accepted, and only for Parquet.
fn maps_named_by_pyarrow(v: &oracle::Comparison) -> bool {
    v.expected.extension().is_some_and(|e| e == "parquet") && v.equal_but_nested_names && v.detail.contains("map<")
}

#[test]
fn the_full_build_reads_every_format() {
    let mut h = Host::new().expect("host");
    let formats = h.readable_formats().expect("call");
    for f in [DataFormat::ArrowFile, DataFormat::ArrowStream, DataFormat::FeatherV1, DataFormat::Parquet] {
        assert!(formats.contains(&f), "{f:?} missing from {formats:?}");
    }
    assert!(formats.contains(&DataFormat::Csv) && formats.contains(&DataFormat::Ndjson));
}

#[test]
fn parquet_feather_v1_and_pandas_files_read_equal_to_what_pyarrow_reads() {
    let mut h = Host::new().expect("host");
    let dir = scratch("formats-read");
    let mut inputs: Vec<(PathBuf, DataFormat)> = Vec::new();
    inputs.extend(files("parquet", "parquet").into_iter().map(|p| (p, DataFormat::Parquet)));
    inputs.extend(files("feather_v1", "feather").into_iter().map(|p| (p, DataFormat::FeatherV1)));
    inputs.push((workspace().join("testdata/pandas/frame.parquet"), DataFormat::Parquet));
    inputs.push((workspace().join("testdata/pandas/frame.feather"), DataFormat::ArrowFile));
    let mut pairs = Vec::new();
    for (i, (path, format)) in inputs.iter().enumerate() {
        let t = read_file(&mut h, path);
        assert_eq!(h.source_format(t).expect("call"), Some(*format), "{}", path.display());
        pairs.push((path.clone(), save_ipc(&mut h, t, &dir, &format!("{i}"))));
        h.free(t).expect("free");
    }
    assert!(pairs.len() > 30, "fixtures missing: {}", pairs.len());
    assert_all_equal(&pairs, &dir);
}

fn codec_name(c: ParquetCompression) -> &'static str {
    match c {
        ParquetCompression::Uncompressed => "UNCOMPRESSED",
        ParquetCompression::Snappy => "SNAPPY",
        ParquetCompression::Gzip => "GZIP",
        ParquetCompression::Brotli => "BROTLI",
        ParquetCompression::Lz4 => "LZ4",
        ParquetCompression::Lz4Raw => "LZ4_RAW",
        ParquetCompression::Zstd => "ZSTD",
        ParquetCompression::Lzo => "LZO",
    }
}

fn every_write_option_set() -> Vec<ParquetWriteOptions> {
    let base = ParquetWriteOptions::default();
    let mut sets = Vec::new();
    for compression in [
        ParquetCompression::Uncompressed,
        ParquetCompression::Snappy,
        ParquetCompression::Gzip,
        ParquetCompression::Brotli,
        ParquetCompression::Lz4,
        ParquetCompression::Lz4Raw,
        ParquetCompression::Zstd,
    ] {
        sets.push(ParquetWriteOptions { compression, ..base.clone() });
    }
    for (compression, level) in
        [(ParquetCompression::Gzip, 1), (ParquetCompression::Brotli, 11), (ParquetCompression::Zstd, 19)]
    {
        sets.push(ParquetWriteOptions { compression, compression_level: Some(level), ..base.clone() });
    }
    sets.push(ParquetWriteOptions { max_row_group_rows: Some(50), data_page_size: Some(512), ..base.clone() });
    sets.push(ParquetWriteOptions { dictionary: false, statistics: StatisticsLevel::None, ..base.clone() });
    sets.push(ParquetWriteOptions { page_checksums: false, ..base.clone() });
    sets.push(ParquetWriteOptions {
        statistics: StatisticsLevel::Chunk,
        writer_version: WriterVersion::V2,
        ..base.clone()
    });
    sets.push(ParquetWriteOptions {
        key_value_metadata: vec![KeyValue { key: "pipeline".into(), value: "node-7 ✓".into() }],
        ..base
    });
    sets
}

#[test]
fn every_codec_and_writer_option_we_write_pyarrow_reads_back_equal() {
    let mut h = Host::new().expect("host");
    let dir = scratch("parquet-write");
    // The primitives+nested table (every type Parquet holds), and a 2000-row table with a
    // dictionary column whose row groups the size option splits.
    let sources = [
        workspace().join("testdata/parquet/codec_none.parquet"),
        workspace().join("testdata/parquet/row_groups.parquet"),
    ];
    let mut pairs = Vec::new();
    for (s, source) in sources.iter().enumerate() {
        let t = read_file(&mut h, source);
        let rows = h.num_rows(t).expect("call");
        for (i, opts) in every_write_option_set().iter().enumerate() {
            let bytes = ok(h.parquet_write(t, opts), &format!("{opts:?}"));
            let meta = ok(h.parquet_metadata(&bytes), "metadata");
            assert_eq!(meta.num_rows, rows);
            let codecs: Vec<_> =
                meta.row_groups.iter().flat_map(|rg| rg.columns.iter().map(|c| c.compression)).collect();
            assert!(codecs.iter().all(|c| *c == opts.compression), "{opts:?}: {codecs:?}");
            if let Some(n) = opts.max_row_group_rows {
                assert_eq!(meta.row_groups.len() as u64, rows.div_ceil(n), "{opts:?}");
            }
            for kv in &opts.key_value_metadata {
                assert!(
                    meta.key_value_metadata.iter().any(|m| m.key == kv.key && m.value == kv.value),
                    "{kv:?} missing"
                );
            }
            let path = dir.join(format!("{s}-{i}-{}.parquet", codec_name(opts.compression)));
            std::fs::write(&path, bytes).expect("write");
            if opts.key_value_metadata.is_empty() {
                pairs.push((source.clone(), path));
            } else {
                // Extra footer pairs are schema metadata to pyarrow: the one difference there is.
                let d = oracle::describe(std::slice::from_ref(&path)).expect("describe");
                assert_eq!(d[0]["metadata"]["pipeline"], "node-7 ✓", "{}", d[0]);
                assert_eq!(d[0]["num_rows"], rows);
            }
        }
    }
    assert_all_equal(&pairs, &dir);
    // Every file, checksummed or not, passes pyarrow's page checksum verification.
    let written: Vec<_> = pairs.iter().map(|(_, a)| a.clone()).collect();
    for (path, verdict) in written.iter().zip(oracle::verify(&written).expect("verify")) {
        assert_eq!(verdict, Ok(()), "{}", path.display());
    }
}

/// The checksum fixture's values (`testdata/make_checksum_fixtures.py`): distinct, so one is
/// found by its bytes.
fn checksum_id(i: i64) -> i64 {
    i * 0x0101010101 + 0x1122334455
}

#[test]
fn page_checksums_are_written_by_default_and_pyarrow_refuses_a_damaged_page() {
    let mut h = Host::new().expect("host");
    let dir = scratch("parquet-checksums");
    let t = read_file(&mut h, &workspace().join("testdata/parquet/checksums/page_crc.parquet"));
    // Plain and uncompressed, so a value's bytes can be found and damaged in place.
    let plain = ParquetWriteOptions {
        compression: ParquetCompression::Uncompressed,
        dictionary: false,
        ..ParquetWriteOptions::default()
    };
    assert!(plain.page_checksums, "checksums are on by default");
    for (name, opts) in [("on", plain.clone()), ("off", ParquetWriteOptions { page_checksums: false, ..plain.clone() })]
    {
        let mut bytes = ok(h.parquet_write(t, &opts), name);
        let whole = dir.join(format!("{name}.parquet"));
        std::fs::write(&whole, &bytes).expect("write");
        let needle = checksum_id(750).to_le_bytes();
        let at = bytes.windows(8).position(|w| w == needle).expect("value in the file");
        bytes[at + 2] ^= 0x10;
        let damaged = dir.join(format!("{name}-damaged.parquet"));
        std::fs::write(&damaged, &bytes).expect("write");
        let verdicts = oracle::verify(&[whole, damaged]).expect("verify");
        assert_eq!(verdicts[0], Ok(()), "{name}: the undamaged file verifies");
        let ours = h.parquet_read(&bytes, &ParquetReadOptions::default()).expect("no trap");
        if opts.page_checksums {
            let err = verdicts[1].clone().expect_err("pyarrow must refuse the damaged page");
            assert!(err.to_lowercase().contains("crc"), "{err}");
            let e = ours.expect_err("the core must refuse the damaged page");
            assert_eq!(e.code, ErrorCode::MalformedInput, "{}", e.message);
            assert!(e.message.contains("CRC") && e.message.contains("page"), "{}", e.message);
        } else {
            // Without checksums nothing can tell: both read a different number, silently.
            assert_eq!(verdicts[1], Ok(()), "no checksum, nothing to verify");
            let damaged = ours.expect("reads without an error");
            h.free(damaged).expect("free");
        }
    }
}

#[test]
fn invalid_writer_options_are_typed_errors_and_the_table_stays_usable() {
    let mut h = Host::new().expect("host");
    let t = read_file(&mut h, &workspace().join("testdata/parquet/codec_none.parquet"));
    let base = ParquetWriteOptions::default();
    for (opts, code) in [
        (ParquetWriteOptions { compression: ParquetCompression::Lzo, ..base.clone() }, ErrorCode::UnsupportedCodec),
        (
            ParquetWriteOptions { compression: ParquetCompression::Gzip, compression_level: Some(11), ..base.clone() },
            ErrorCode::InvalidArgument,
        ),
        (
            ParquetWriteOptions { compression: ParquetCompression::Zstd, compression_level: Some(23), ..base.clone() },
            ErrorCode::InvalidArgument,
        ),
        (
            ParquetWriteOptions { compression: ParquetCompression::Snappy, compression_level: Some(1), ..base.clone() },
            ErrorCode::InvalidArgument,
        ),
        (ParquetWriteOptions { max_row_group_rows: Some(0), ..base.clone() }, ErrorCode::InvalidArgument),
    ] {
        let e = h.parquet_write(t, &opts).expect("no trap").expect_err("must fail");
        assert_eq!(e.code, code, "{opts:?}: {}", e.message);
    }
    assert!(ok(h.parquet_write(t, &base), "write after errors").starts_with(b"PAR1"));
}

#[test]
fn parquet_read_options_select_row_groups_columns_and_rows() {
    let mut h = Host::new().expect("host");
    let bytes = std::fs::read(workspace().join("testdata/parquet/row_groups.parquet")).expect("fixture");
    let meta = ok(h.parquet_metadata(&bytes), "metadata");
    assert!(meta.row_groups.len() >= 4, "{} row groups", meta.row_groups.len());
    assert!(meta.created_by.as_deref().is_some_and(|c| c.contains("parquet-cpp-arrow")), "{:?}", meta.created_by);
    assert!(meta.key_value_metadata.iter().any(|kv| kv.key == "ARROW:schema"));
    let rg_rows: Vec<u64> = meta.row_groups.iter().map(|rg| rg.num_rows).collect();
    let all = ok(h.parquet_read(&bytes, &ParquetReadOptions::default()), "read");
    assert_eq!(h.num_rows(all).expect("call"), rg_rows.iter().sum::<u64>());
    let all_fp = ok(h.fingerprint(all), "fingerprint");

    // Row groups 1 and 3 are the same rows as the matching slices of the whole file.
    let picked =
        ok(h.parquet_read(&bytes, &ParquetReadOptions { row_groups: Some(vec![1, 3]), ..Default::default() }), "rg");
    let s1 = ok(h.slice(all, rg_rows[0], rg_rows[1]), "slice");
    let s3 = ok(h.slice(all, rg_rows[0] + rg_rows[1] + rg_rows[2], rg_rows[3]), "slice");
    let joined = ok(h.concat(&[s1, s3]), "concat");
    assert_eq!(ok(h.fingerprint(picked), "fp"), ok(h.fingerprint(joined), "fp"));

    // Offset and limit are a slice; batch size bounds the batches.
    let opts = ParquetReadOptions { offset: Some(123), limit: Some(456), batch_size: Some(100), ..Default::default() };
    let window = ok(h.parquet_read(&bytes, &opts), "window");
    assert_eq!(h.num_rows(window).expect("call"), 456);
    assert!(h.num_batches(window).expect("call") >= 5);
    let expected = ok(h.slice(all, 123, 456), "slice");
    assert_eq!(ok(h.fingerprint(window), "fp"), ok(h.fingerprint(expected), "fp"));
    assert_ne!(ok(h.fingerprint(window), "fp"), all_fp);

    // Top-level names keep the order asked; a dotted path reads part of a struct.
    let cols = ParquetReadOptions { columns: Some(vec!["utf8".into(), "int8".into()]), ..Default::default() };
    let t = ok(h.parquet_read(&bytes, &cols), "columns");
    let names: Vec<String> = h.schema(t).expect("call").columns.into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["utf8", "int8"]);
    let nested = std::fs::read(workspace().join("testdata/parquet/codec_snappy.parquet")).expect("fixture");
    let t = ok(
        h.parquet_read(&nested, &ParquetReadOptions { columns: Some(vec!["struct.b".into()]), ..Default::default() }),
        "nested",
    );
    let schema = h.schema(t).expect("call");
    assert_eq!(schema.columns.len(), 1);
    assert_eq!(schema.columns[0].name, "struct");
    assert!(
        schema.columns[0].arrow_type.contains("b") && !schema.columns[0].arrow_type.contains("List"),
        "{}",
        schema.columns[0].arrow_type
    );

    for (opts, code) in [
        (ParquetReadOptions { columns: Some(vec!["nope".into()]), ..Default::default() }, ErrorCode::ColumnNotFound),
        (ParquetReadOptions { row_groups: Some(vec![999]), ..Default::default() }, ErrorCode::OutOfBounds),
        (ParquetReadOptions { max_decompressed_bytes: Some(1000), ..Default::default() }, ErrorCode::LimitExceeded),
        (ParquetReadOptions { batch_size: Some(0), ..Default::default() }, ErrorCode::InvalidArgument),
    ] {
        let e = h.parquet_read(&bytes, &opts).expect("no trap").expect_err("must fail");
        assert_eq!(e.code, code, "{opts:?}: {}", e.message);
    }
    // The handle read before the errors still answers.
    assert_eq!(ok(h.fingerprint(all), "fp"), all_fp);
}

fn csv_schema() -> Vec<host_tests::FieldSpec> {
    vec![
        field("id", "Int64"),
        field("name", "Utf8"),
        field("score", "Float64"),
        field("passed", "Boolean"),
        field("day", "Date32"),
        field("note", "Utf8"),
    ]
}

#[test]
fn csv_and_ndjson_read_equal_to_pyarrow_with_a_given_schema_and_infer_types() {
    let mut h = Host::new().expect("host");
    let dir = scratch("text-read");
    let csv = std::fs::read(workspace().join("testdata/csv/basic.csv")).expect("fixture");
    let given = CsvReadOptions { schema: Some(csv_schema()), ..Default::default() };
    let t = ok(h.csv_read(&csv, &given), "csv");
    let mut pairs = vec![(workspace().join("testdata/csv/basic.expected.arrow"), save_ipc(&mut h, t, &dir, "csv"))];

    let inferred = ok(h.csv_read(&csv, &CsvReadOptions::default()), "csv inferred");
    let types: Vec<String> = h.schema(inferred).expect("call").columns.into_iter().map(|c| c.arrow_type).collect();
    assert_eq!(types, ["Int64", "Utf8", "Float64", "Boolean", "Date32", "Utf8"]);
    assert_eq!(ok(h.fingerprint(inferred), "fp"), ok(h.fingerprint(t), "fp"));

    // The generic read sniffs CSV and its delimiter.
    let semi = std::fs::read(workspace().join("testdata/csv/semicolon.csv")).expect("fixture");
    let t = ok(h.read(&semi, &ReadOptions::default()), "sniffed csv");
    assert_eq!(h.source_format(t).expect("call"), Some(DataFormat::Csv));
    assert_eq!(h.num_columns(t).expect("call"), 2);
    let nulls = CsvReadOptions { delimiter: b';', null_values: vec!["NA".into()], ..Default::default() };
    let t = ok(h.csv_read(&semi, &nulls), "nulls");
    let ipc = save_ipc(&mut h, t, &dir, "semi");
    let described = oracle::describe(&[ipc]).expect("describe");
    assert_eq!(described[0]["num_rows"], 3);

    let ndjson = std::fs::read(workspace().join("testdata/ndjson/events.ndjson")).expect("fixture");
    let t = ok(h.read(&ndjson, &ReadOptions::default()), "sniffed ndjson");
    assert_eq!(h.source_format(t).expect("call"), Some(DataFormat::Ndjson));
    let schema = h.schema(t).expect("call");
    let user = schema.columns.iter().find(|c| c.name == "user").expect("user");
    assert!(user.arrow_type.starts_with("Struct"), "{}", user.arrow_type);
    let items = schema.columns.iter().find(|c| c.name == "items").expect("items");
    assert!(items.arrow_type.starts_with("List"), "{}", items.arrow_type);
    // Inference may order struct fields its own way; with pyarrow's schema given, the values match.
    let given = vec![
        field("id", "Int64"),
        field("user", r#"Struct("name": Utf8, "tags": List(Utf8))"#),
        field("value", "Float64"),
        field("kind", "Utf8"),
        field("items", r#"List(Struct("sku": Utf8, "qty": Int64))"#),
        field("ok", "Boolean"),
    ];
    let t = ok(h.ndjson_read(&ndjson, &NdjsonReadOptions { schema: Some(given), ..Default::default() }), "ndjson");
    pairs.push((workspace().join("testdata/ndjson/events.expected.arrow"), save_ipc(&mut h, t, &dir, "ndjson")));
    let verdicts = oracle::compare(&pairs, &dir).expect("oracle");
    assert!(verdicts[0].equal, "csv: {}", verdicts[0].detail);
    assert!(verdicts[1].equal, "ndjson: {}", verdicts[1].detail);
}

#[test]
fn bad_rows_name_their_line_and_leave_the_instance_usable() {
    let mut h = Host::new().expect("host");
    let mut csv = String::from("id,name\n");
    for i in 0..5000 {
        csv.push_str(&format!("{i},n{i}\n"));
    }
    csv.push_str("oops,x\n");
    let opts = CsvReadOptions {
        schema: Some(vec![field("id", "Int64"), field("name", "Utf8")]),
        batch_size: Some(1000),
        ..Default::default()
    };
    let e = h.csv_read(csv.as_bytes(), &opts).expect("no trap").expect_err("must fail");
    assert_eq!(e.code, ErrorCode::MalformedInput);
    assert!(e.message.contains("line 5002") || e.message.contains("line 5001"), "{}", e.message);

    let mut ndjson = String::new();
    for i in 0..3000 {
        ndjson.push_str(&format!("{{\"id\": {i}}}\n"));
    }
    ndjson.push_str("{\"id\": \"x\"}\n");
    let opts =
        NdjsonReadOptions { schema: Some(vec![field("id", "Int64")]), batch_size: Some(500), ..Default::default() };
    let e = h.ndjson_read(ndjson.as_bytes(), &opts).expect("no trap").expect_err("must fail");
    assert_eq!(e.code, ErrorCode::MalformedInput);
    assert!(e.message.contains("line 3001"), "{}", e.message);
    let e = h
        .ndjson_read(b"{\"id\": 1}\n{\"id\": \n", &NdjsonReadOptions::default())
        .expect("no trap")
        .expect_err("bad json");
    assert!(e.message.contains("line 2"), "{}", e.message);
    let e =
        h.csv_read(b"a\n1\n", &CsvReadOptions { schema: Some(vec![field("a", "NoSuchType")]), ..Default::default() });
    assert_eq!(e.expect("no trap").expect_err("bad type").code, ErrorCode::InvalidArgument);
    ok(h.ndjson_read(b"{\"id\": 1}\n", &NdjsonReadOptions::default()), "after errors");
}

#[test]
fn csv_we_write_reads_back_and_pyarrow_reads_it() {
    let mut h = Host::new().expect("host");
    let dir = scratch("csv-write");
    let csv = std::fs::read(workspace().join("testdata/csv/basic.csv")).expect("fixture");
    let t = ok(h.csv_read(&csv, &CsvReadOptions { schema: Some(csv_schema()), ..Default::default() }), "csv");
    let out = ok(h.csv_write(t, &CsvWriteOptions::default()), "write");
    let back = ok(h.csv_read(&out, &CsvReadOptions { schema: Some(csv_schema()), ..Default::default() }), "read back");
    assert_eq!(ok(h.fingerprint(back), "fp"), ok(h.fingerprint(t), "fp"));
    let path = dir.join("written.csv");
    std::fs::write(&path, &out).expect("write");
    let described = oracle::describe(&[path]).expect("describe");
    assert_eq!(described[0]["num_rows"], 5, "{}", described[0]);
    let tsv = ok(
        h.csv_write(
            t,
            &CsvWriteOptions { delimiter: b'\t', header: false, null_value: "NULL".into(), ..Default::default() },
        ),
        "tsv",
    );
    let text = String::from_utf8(tsv).expect("utf8");
    assert!(text.starts_with("1\talice\t") && text.contains("NULL"), "{text}");
    // Nested columns cannot be CSV.
    let nested = read_file(&mut h, &workspace().join("testdata/parquet/codec_none.parquet"));
    let e = h.csv_write(nested, &CsvWriteOptions::default()).expect("no trap").expect_err("nested");
    assert_eq!(e.code, ErrorCode::UnsupportedFormat);
}

#[test]
fn fingerprints_agree_across_ipc_parquet_and_feather_and_follow_the_values() {
    let mut h = Host::new().expect("host");
    let all = read_file(&mut h, &workspace().join("testdata/ipc/primitives.arrow"));
    // Parquet has no date64: it stores days, and reads back date32 (as pyarrow does), which is
    // another type. Every other column survives the trip.
    let kept: Vec<String> =
        h.schema(all).expect("call").columns.into_iter().map(|c| c.name).filter(|n| n != "date64").collect();
    let t = ok(h.select(all, &kept), "select");
    let fp = ok(h.fingerprint(t), "fp");
    assert!(fp.len() > 64 && fp.starts_with("v1-"), "{fp}");
    let pq = ok(
        h.parquet_write(
            t,
            &ParquetWriteOptions {
                compression: ParquetCompression::Zstd,
                max_row_group_rows: Some(30),
                ..Default::default()
            },
        ),
        "pq",
    );
    let feather = ok(h.write_ipc(t, &write_options(IpcFraming::File, IpcCompression::Lz4Frame)), "feather");
    let stream = ok(h.write_ipc(t, &write_options(IpcFraming::Stream, IpcCompression::Zstd)), "stream");
    for (what, bytes, batch) in [("parquet", &pq, Some(7)), ("feather", &feather, None), ("stream", &stream, Some(5))] {
        let back = ok(h.read(bytes, &ReadOptions { batch_size: batch, ..Default::default() }), what);
        assert_eq!(ok(h.fingerprint(back), what), fp, "{what}");
    }
    // pyarrow wrote these two from one DataFrame, the Feather one with the index reset to a column.
    let from_pq = read_file(&mut h, &workspace().join("testdata/pandas/frame.parquet"));
    let from_feather = read_file(&mut h, &workspace().join("testdata/pandas/frame.feather"));
    let cols: Vec<String> = h.schema(from_pq).expect("call").columns.into_iter().map(|c| c.name).collect();
    let a = ok(h.select(from_pq, &cols), "select");
    let b = ok(h.select(from_feather, &cols), "select");
    assert_eq!(ok(h.fingerprint(a), "fp"), ok(h.fingerprint(b), "fp"));
    // One row fewer, or one column fewer, is another table.
    let n = h.num_rows(t).expect("call");
    let shorter = ok(h.slice(t, 0, n - 1), "slice");
    assert_ne!(ok(h.fingerprint(shorter), "fp"), fp);
    let names: Vec<String> = h.schema(t).expect("call").columns.into_iter().map(|c| c.name).skip(1).collect();
    let fewer = ok(h.select(t, &names), "select");
    assert_ne!(ok(h.fingerprint(fewer), "fp"), fp);
}

fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn truncated_and_corrupted_parquet_feather_v1_csv_and_ndjson_error_without_trapping() {
    let mut h = Host::new().expect("host");
    let inputs = [
        "testdata/parquet/codec_snappy.parquet",
        "testdata/parquet/codec_zstd.parquet",
        "testdata/parquet/data_page_v2.parquet",
        "testdata/pandas/frame.parquet",
        "testdata/feather_v1/all_types.feather",
        "testdata/csv/basic.csv",
        "testdata/ndjson/events.ndjson",
    ];
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut errors = 0;
    for rel in inputs {
        let good = std::fs::read(workspace().join(rel)).expect("fixture");
        let n = good.len();
        let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
        for i in 0..60 {
            let len = if i < 30 { n.saturating_sub(i * 37 + 1) } else { (xorshift(&mut state) as usize) % n };
            cases.push((format!("{rel} cut at {len}"), good[..len].to_vec()));
        }
        for i in 0..240 {
            // Half the flips land in the last 2 KiB (the Parquet footer / Feather v1 metadata).
            let at = if i % 2 == 0 {
                n - 1 - (xorshift(&mut state) as usize) % n.min(2048)
            } else {
                (xorshift(&mut state) as usize) % n
            };
            let bit = (xorshift(&mut state) % 8) as u8;
            let mut bad = good.clone();
            bad[at] ^= 1 << bit;
            cases.push((format!("{rel} bit {bit} of byte {at} flipped"), bad));
        }
        for (what, bytes) in cases {
            match h.read(&bytes, &ReadOptions::default()) {
                Err(trap) => panic!("{what}: trapped: {trap:?}"),
                Ok(Err(_)) => errors += 1,
                Ok(Ok(t)) => h.free(t).expect("free"),
            }
        }
    }
    assert!(errors > 300, "only {errors} of the corrupted inputs errored: the corruption is not reaching the readers");
    // The instance that saw all of that still reads.
    read_file(&mut h, &workspace().join("testdata/parquet/codec_gzip.parquet"));
}
