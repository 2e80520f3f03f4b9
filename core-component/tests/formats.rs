//! Native tests of the formats beyond Arrow IPC on the pyarrow fixtures in `testdata/parquet`,
//! `testdata/pandas`, `testdata/csv` and `testdata/ndjson`: Parquet read options and footer
//! metadata, Parquet writer options round-tripped through the core's own reader, CSV and NDJSON
//! inference, schemas and error lines, fingerprints across containers, and the robustness sweep:
//! no truncated, bit-flipped or byte-replaced copy of any fixture may make a reader panic (in
//! WASM a panic is a trap).
//!
//! The sweeps run a sample by default, sized for a debug build; `ARROW_CORE_FULL_SWEEP=1` runs
//! every bit of every Parquet footer tail and every byte of the text fixtures (minutes in a debug
//! build: build the crate with `opt-level >= 1`, e.g.
//! `--config 'profile.dev.package.arrow-core.opt-level=1'`).

#![cfg(all(feature = "parquet", feature = "csv", feature = "json"))]
// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;
use common::xorshift;

use std::collections::BTreeSet;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date64Type, Int64Type};
use arrow_array::{Array, ArrayRef, Date32Array, Int64Array, RecordBatch};
use arrow_buffer::Buffer;
use arrow_core::format::DataFormat;
use arrow_core::ipc::write::{Compression, WriteOptions};
use arrow_core::parquet::{
    self as core_parquet, Codec, FileInfo, ParquetReadOptions, ParquetWriteOptions, StatisticsLevel,
};
use arrow_core::text::csv::{CsvReadOptions, CsvWriteOptions, FieldSpec};
use arrow_core::text::ndjson::NdjsonReadOptions;
use arrow_core::{CoreError, ReadOptions, Table};
use arrow_data::ArrayData;
use arrow_schema::{DataType, Field, Schema};
use arrow_select::concat::concat_batches;

// ---------------------------------------------------------------------------------------------
// Fixtures and helpers
// ---------------------------------------------------------------------------------------------

fn testdata(rel: &str) -> Vec<u8> {
    let path = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("../testdata").join(rel);
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A fixture read through the generic, sniffing entry point.
fn table(rel: &str) -> Table {
    read_any(&testdata(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn read_any(bytes: &[u8]) -> Result<Table, CoreError> {
    Table::read(Buffer::from(bytes.to_vec()), &ReadOptions::default())
}

/// Parquet read options with no decompression ceiling (the derived `Default` has a ceiling of 0
/// bytes, which refuses every non-empty file).
fn everything() -> ParquetReadOptions {
    ParquetReadOptions { max_decompressed_bytes: u64::MAX, ..Default::default() }
}

fn read_pq(bytes: &[u8], options: &ParquetReadOptions) -> Result<Table, CoreError> {
    Table::read_parquet(Buffer::from(bytes.to_vec()), options)
}

fn info(bytes: &[u8]) -> FileInfo {
    core_parquet::file_info(bytes::Bytes::from(bytes.to_vec())).expect("file info")
}

/// All rows of a table as one batch.
fn concat(t: &Table) -> RecordBatch {
    concat_batches(t.schema(), t.batches()).expect("concat")
}

fn names(schema: &Schema) -> Vec<String> {
    schema.fields().iter().map(|f| f.name().clone()).collect()
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn spec(name: &str, arrow_type: &str) -> FieldSpec {
    FieldSpec { name: name.into(), arrow_type: arrow_type.into(), nullable: true }
}

/// A caller-given schema spelling out `schema`'s types.
fn specs_of(schema: &Schema) -> Vec<FieldSpec> {
    schema.fields().iter().map(|f| spec(f.name(), &f.data_type().to_string())).collect()
}

struct ParquetFixture {
    name: String,
    bytes: Vec<u8>,
    rows: u64,
    row_groups: usize,
    /// pyarrow's names for the codecs of the first row group's chunks.
    codecs: Vec<String>,
}

fn parquet_fixtures() -> Vec<ParquetFixture> {
    let manifest: serde_json::Value = serde_json::from_slice(&testdata("parquet/MANIFEST.json")).expect("json");
    let all: Vec<ParquetFixture> = manifest
        .as_object()
        .expect("object")
        .iter()
        .map(|(name, m)| ParquetFixture {
            bytes: testdata(&format!("parquet/{name}")),
            rows: m["rows"].as_u64().expect("rows"),
            row_groups: m["row_groups"].as_u64().expect("row_groups") as usize,
            codecs: m["codecs"].as_array().expect("codecs").iter().map(|c| c.as_str().expect("codec").into()).collect(),
            name: name.clone(),
        })
        .collect();
    assert!(all.len() >= 15, "{} parquet fixtures", all.len());
    all
}

/// pyarrow's name of a codec in `ColumnChunkMetaData.compression`. pyarrow's `compression="lz4"`
/// writes LZ4_RAW and reports it as "LZ4"; the footer (and `file_info`) says LZ4_RAW.
fn pyarrow_codec(name: &str) -> Codec {
    match name {
        "UNCOMPRESSED" => Codec::Uncompressed,
        "SNAPPY" => Codec::Snappy,
        "GZIP" => Codec::Gzip,
        "BROTLI" => Codec::Brotli,
        "LZ4" => Codec::Lz4Raw,
        "ZSTD" => Codec::Zstd,
        other => panic!("unknown pyarrow codec {other}"),
    }
}

fn chunk_codecs(i: &FileInfo) -> BTreeSet<String> {
    i.row_groups.iter().flat_map(|rg| rg.columns.iter().map(|c| format!("{:?}", c.codec))).collect()
}

fn declared_uncompressed(i: &FileInfo, groups: &[usize], leaf: Option<&str>) -> u64 {
    groups
        .iter()
        .flat_map(|&g| i.row_groups[g].columns.iter())
        .filter(|c| leaf.is_none_or(|l| c.path == l))
        .map(|c| c.uncompressed_size)
        .sum()
}

/// `t` with every list and map child field renamed to one spelling: writers disagree on them
/// (`item` / `element`, `entries` / `key_value`) and a Parquet round trip changes them.
fn unnamed(t: &DataType) -> DataType {
    let child = |f: &Arc<Field>, name: &str| {
        Arc::new(f.as_ref().clone().with_name(name).with_data_type(unnamed(f.data_type())))
    };
    match t {
        DataType::List(f) => DataType::List(child(f, "item")),
        DataType::LargeList(f) => DataType::LargeList(child(f, "item")),
        DataType::FixedSizeList(f, n) => DataType::FixedSizeList(child(f, "item"), *n),
        DataType::Map(f, sorted) => DataType::Map(child(f, "entries"), *sorted),
        DataType::Struct(fs) => DataType::Struct(
            fs.iter().map(|f| Arc::new(f.as_ref().clone().with_data_type(unnamed(f.data_type())))).collect(),
        ),
        DataType::Dictionary(k, v) => DataType::Dictionary(k.clone(), Box::new(unnamed(v))),
        other => other.clone(),
    }
}

/// `data` relabelled with `to`, a type that differs from its own only in child field names.
fn retype(data: &ArrayData, to: &DataType) -> ArrayData {
    let children = match to {
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) | DataType::Map(f, _) => {
            vec![retype(&data.child_data()[0], f.data_type())]
        }
        DataType::Struct(fs) => {
            data.child_data().iter().zip(fs.iter()).map(|(c, f)| retype(c, f.data_type())).collect()
        }
        _ => data.child_data().to_vec(),
    };
    data.clone().into_builder().data_type(to.clone()).child_data(children).build().expect("relabelled array")
}

const MS_PER_DAY: i64 = 86_400_000;

/// A `date64` column as the `date32` a Parquet read makes of it (values are whole days).
fn date64_as_date32(a: &ArrayRef) -> ArrayRef {
    let days: Date32Array = a
        .as_primitive::<Date64Type>()
        .iter()
        .map(|v| {
            v.map(|ms| {
                assert_eq!(ms % MS_PER_DAY, 0, "date64 {ms} is not a whole day");
                i32::try_from(ms / MS_PER_DAY).expect("days fit in date32")
            })
        })
        .collect();
    Arc::new(days)
}

/// `batch` as a Parquet round trip documents it comes back: top-level `date64` as `date32`
/// (`core_parquet` reads what pyarrow reads). Everything else is expected unchanged.
fn as_parquet_reads(batch: &RecordBatch) -> RecordBatch {
    let mut fields = Vec::new();
    let mut columns = Vec::new();
    for (f, c) in batch.schema().fields().iter().zip(batch.columns()) {
        if f.data_type() == &DataType::Date64 {
            fields.push(Arc::new(f.as_ref().clone().with_data_type(DataType::Date32)));
            columns.push(date64_as_date32(c));
        } else {
            fields.push(f.clone());
            columns.push(c.clone());
        }
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).expect("batch")
}

/// Asserts that `actual` (read back from Parquet) holds exactly `expected`'s values, columns and
/// field metadata, allowing only what a Parquet round trip changes by design: list and map child
/// field names, and top-level `date64` read as `date32`.
fn assert_same_data(expected: &RecordBatch, actual: &RecordBatch, what: &str) {
    let expected = as_parquet_reads(expected);
    assert_eq!(expected.num_rows(), actual.num_rows(), "{what}: rows");
    assert_eq!(names(&expected.schema()), names(&actual.schema()), "{what}: columns");
    for (i, (fe, fa)) in expected.schema().fields().iter().zip(actual.schema().fields()).enumerate() {
        let (te, ta) = (fe.data_type(), fa.data_type());
        assert_eq!(unnamed(te), unnamed(ta), "{what}: column {} changed type from {te} to {ta}", fe.name());
        let e = retype(&expected.column(i).to_data(), ta);
        assert!(e == actual.column(i).to_data(), "{what}: the values of column {} differ", fe.name());
        assert_eq!(fe.metadata(), fa.metadata(), "{what}: field metadata of {}", fe.name());
    }
}

/// The primitives + nested table of `make_fixtures.py` (35 columns, 128 rows), as pyarrow's
/// Feather v2 (IPC file) writer wrote it.
fn combined() -> Table {
    table("ipc/feather_uncompressed.feather")
}

// ---------------------------------------------------------------------------------------------
// 1. Parquet reads
// ---------------------------------------------------------------------------------------------

#[test]
fn every_parquet_fixture_reads_with_the_manifests_rows_row_groups_and_codecs() {
    for f in parquet_fixtures() {
        let t = read_pq(&f.bytes, &everything()).unwrap_or_else(|e| panic!("{}: {e}", f.name));
        assert_eq!(t.num_rows(), f.rows, "{}", f.name);
        assert_eq!(t.source_format(), Some(DataFormat::Parquet), "{}", f.name);
        // The generic entry point sniffs `PAR1` and reads the same.
        let generic = read_any(&f.bytes).unwrap_or_else(|e| panic!("{}: {e}", f.name));
        assert_eq!(generic.source_format(), Some(DataFormat::Parquet), "{}", f.name);
        assert_eq!(concat(&generic), concat(&t), "{}", f.name);

        let i = info(&f.bytes);
        assert_eq!(i.num_rows, f.rows, "{}", f.name);
        assert_eq!(i.row_groups.len(), f.row_groups, "{}", f.name);
        assert_eq!(i.row_groups.iter().map(|rg| rg.num_rows).sum::<u64>(), f.rows, "{}", f.name);
        let expected: BTreeSet<String> = f.codecs.iter().map(|c| format!("{:?}", pyarrow_codec(c))).collect();
        assert_eq!(chunk_codecs(&i), expected, "{}", f.name);
        assert_eq!(names(&i.schema), names(t.schema()), "{}", f.name);
    }
}

#[test]
fn parquet_fixtures_of_the_same_table_read_the_same_whatever_the_codec_or_writer_options() {
    let by_name = |n: &str| concat(&read_pq(&testdata(&format!("parquet/{n}.parquet")), &everything()).expect(n));
    // pyarrow wrote the primitives + nested table with each codec, and a 2000-row table with a
    // dictionary column under different writer options.
    for group in [
        &[
            "codec_none",
            "codec_snappy",
            "codec_gzip",
            "codec_brotli",
            "codec_lz4",
            "codec_zstd",
            "gzip_level9",
            "zstd_level19",
        ][..],
        &["row_groups", "no_dictionary", "no_statistics", "data_page_v2"][..],
    ] {
        let first = by_name(group[0]);
        assert!(first.num_rows() > 0);
        for n in &group[1..] {
            assert_eq!(by_name(n), first, "{n} differs from {}", group[0]);
        }
    }
    // kv_metadata.parquet is codec_snappy's table with other schema metadata.
    let kv = by_name("kv_metadata");
    let snappy = by_name("codec_snappy");
    assert_eq!(kv.columns(), snappy.columns());
    assert_eq!(kv.schema().fields(), snappy.schema().fields());
}

#[test]
fn row_group_selection_reads_exactly_those_row_groups() {
    let bytes = testdata("parquet/row_groups.parquet");
    let i = info(&bytes);
    let sizes: Vec<u64> = i.row_groups.iter().map(|rg| rg.num_rows).collect();
    assert_eq!(sizes, vec![300, 300, 300, 300, 300, 300, 200]);
    let full = concat(&read_pq(&bytes, &everything()).expect("read"));
    let group = |g: usize| full.slice(300 * g, sizes[g] as usize);
    for selection in [vec![1, 3], vec![6], vec![0, 1, 2, 3, 4, 5, 6], vec![]] {
        let t = read_pq(&bytes, &ParquetReadOptions { row_groups: Some(selection.clone()), ..everything() })
            .unwrap_or_else(|e| panic!("{selection:?}: {e}"));
        let parts: Vec<RecordBatch> = selection.iter().map(|&g| group(g)).collect();
        let expected = concat_batches(&full.schema(), &parts).expect("concat");
        assert_eq!(concat(&t), expected, "row groups {selection:?}");
    }
}

#[test]
fn offset_and_limit_are_a_slice_of_the_full_read() {
    let bytes = testdata("parquet/row_groups.parquet");
    let full = concat(&read_pq(&bytes, &everything()).expect("read"));
    let n = full.num_rows();
    for (offset, limit) in [(0, 10), (250, 700), (299, 2), (1999, 5), (2000, 5), (5000, 1), (0, 0), (10, 5000)] {
        let o = ParquetReadOptions { offset: Some(offset), limit: Some(limit), ..everything() };
        let t = read_pq(&bytes, &o).unwrap_or_else(|e| panic!("offset {offset} limit {limit}: {e}"));
        let start = offset.min(n);
        assert_eq!(concat(&t), full.slice(start, limit.min(n - start)), "offset {offset} limit {limit}");
    }
    // The offset counts rows of the selected row groups, not of the file.
    let o = ParquetReadOptions { row_groups: Some(vec![1, 3]), offset: Some(100), limit: Some(300), ..everything() };
    let selected = concat_batches(&full.schema(), &[full.slice(300, 300), full.slice(900, 300)]).expect("concat");
    assert_eq!(concat(&read_pq(&bytes, &o).expect("read")), selected.slice(100, 300));
}

#[test]
fn batch_size_bounds_every_batch() {
    let bytes = testdata("parquet/row_groups.parquet");
    let full = concat(&read_pq(&bytes, &everything()).expect("read"));
    for size in [1, 128, 299, 301, 5000] {
        let t = read_pq(&bytes, &ParquetReadOptions { batch_size: Some(size), ..everything() }).expect("read");
        assert!(t.batches().iter().all(|b| b.num_rows() <= size && b.num_rows() > 0), "batch size {size}");
        assert!(t.batches().len() >= 2000usize.div_ceil(size), "batch size {size}: {} batches", t.batches().len());
        assert_eq!(concat(&t), full, "batch size {size}");
    }
    let generic = Table::read(Buffer::from(bytes.clone()), &ReadOptions { batch_size: Some(64), ..Default::default() })
        .expect("read");
    assert!(generic.batches().iter().all(|b| b.num_rows() <= 64));
    assert_eq!(concat(&generic), full);
    let zero = read_pq(&bytes, &ParquetReadOptions { batch_size: Some(0), ..everything() });
    assert!(matches!(zero, Err(CoreError::InvalidArgument(_))), "{zero:?}");
}

#[test]
fn top_level_projection_keeps_the_requested_order() {
    let bytes = testdata("parquet/row_groups.parquet");
    let full = read_pq(&bytes, &everything()).expect("read");
    let wanted = ["utf8", "int64", "color", "bool"];
    let t = read_pq(&bytes, &ParquetReadOptions { columns: Some(strings(&wanted)), ..everything() }).expect("read");
    assert_eq!(names(t.schema()), strings(&wanted));
    assert_eq!(concat(&t), concat(&full.select(&wanted).expect("select")));
    // The generic read passes the names on.
    let generic =
        Table::read(Buffer::from(bytes), &ReadOptions { columns: Some(strings(&wanted)), ..Default::default() })
            .expect("read");
    assert_eq!(concat(&generic), concat(&t));
}

#[test]
fn dotted_paths_project_nested_subsets() {
    let bytes = testdata("parquet/codec_none.parquet");
    let full = concat(&read_pq(&bytes, &everything()).expect("read"));
    let project = |cols: &[&str]| {
        read_pq(&bytes, &ParquetReadOptions { columns: Some(strings(cols)), ..everything() })
            .map(|t| concat(&t))
            .unwrap_or_else(|e| panic!("{cols:?}: {e}"))
    };
    let full_struct = full.column_by_name("struct").expect("struct").as_struct().clone();

    // One field of a struct: the struct keeps that child only, and its own nulls.
    let a = project(&["struct.a"]);
    assert_eq!(names(&a.schema()), ["struct"]);
    let s = a.column(0).as_struct();
    assert_eq!(s.column_names(), ["a"]);
    assert_eq!(s.nulls(), full_struct.nulls());
    assert_eq!(s.column(0).to_data(), full_struct.column_by_name("a").expect("a").to_data());

    // A list inside the struct, by its field or by the full leaf path.
    for path in ["struct.c", "struct.c.list.element"] {
        let c = project(&[path]);
        let s = c.column(0).as_struct();
        assert_eq!(s.column_names(), ["c"], "{path}");
        assert_eq!(s.column(0).to_data(), full_struct.column_by_name("c").expect("c").to_data(), "{path}");
    }

    // The one leaf of a list, and a map's whole key/value group, are the whole column.
    for (path, column) in [("list_int32.list.element", "list_int32"), ("map_utf8_int64.key_value", "map_utf8_int64")] {
        let got = project(&[path]);
        assert_eq!(names(&got.schema()), [column], "{path}");
        assert_eq!(got.column(0).to_data(), full.column_by_name(column).expect("column").to_data(), "{path}");
    }

    // Mixing a nested path with a top-level name: the columns come in file order (the requested
    // order is kept only when every name is a top-level column).
    let mixed = project(&["struct.a", "int8"]);
    assert_eq!(names(&mixed.schema()), ["int8", "struct"]);
    assert_eq!(mixed.column(0).to_data(), full.column_by_name("int8").expect("int8").to_data());

    // Half a map entry cannot be represented: the parquet crate refuses it.
    let half = read_pq(
        &bytes,
        &ParquetReadOptions { columns: Some(strings(&["map_utf8_int64.key_value.key"])), ..everything() },
    );
    assert!(matches!(&half, Err(e) if e.to_string().contains("MapArray")), "{half:?}");
}

#[test]
fn unknown_columns_and_row_groups_are_typed_errors() {
    let bytes = testdata("parquet/row_groups.parquet");
    for cols in [vec!["nope"], vec!["int64", "nope"], vec!["struct.a"], vec!["int64.x"]] {
        let r = read_pq(&bytes, &ParquetReadOptions { columns: Some(strings(&cols)), ..everything() });
        assert!(matches!(r, Err(CoreError::ColumnNotFound(_))), "{cols:?}: {r:?}");
    }
    let nested = testdata("parquet/codec_none.parquet");
    let r = read_pq(&nested, &ParquetReadOptions { columns: Some(strings(&["struct.zz"])), ..everything() });
    assert!(matches!(r, Err(CoreError::ColumnNotFound(_))), "{r:?}");
    let generic = Table::read(
        Buffer::from(bytes.clone()),
        &ReadOptions { columns: Some(strings(&["nope"])), ..Default::default() },
    );
    assert!(matches!(generic, Err(CoreError::ColumnNotFound(_))), "{generic:?}");
    for groups in [vec![7], vec![0, 99], vec![usize::MAX]] {
        let r = read_pq(&bytes, &ParquetReadOptions { row_groups: Some(groups.clone()), ..everything() });
        assert!(matches!(&r, Err(CoreError::OutOfBounds(m)) if m.contains("has 7")), "{groups:?}: {r:?}");
    }
}

#[test]
fn the_decompression_limit_counts_only_the_chunks_read() {
    let bytes = testdata("parquet/row_groups.parquet");
    let i = info(&bytes);
    let all_groups: Vec<usize> = (0..i.row_groups.len()).collect();
    let total = declared_uncompressed(&i, &all_groups, None);
    assert!(total > 100_000, "{total}");
    let limited = |limit: u64, extra: ParquetReadOptions| {
        read_pq(&bytes, &ParquetReadOptions { max_decompressed_bytes: limit, ..extra })
    };
    let r = limited(total - 1, everything());
    assert!(matches!(&r, Err(CoreError::LimitExceeded(m)) if m.contains(&total.to_string())), "{r:?}");
    assert_eq!(limited(total, everything()).expect("at the limit").num_rows(), 2000);

    // A projection or a row-group selection only pays for its own chunks.
    let int64 = declared_uncompressed(&i, &all_groups, Some("int64"));
    let just_int64 = ParquetReadOptions { columns: Some(strings(&["int64"])), ..everything() };
    assert_eq!(limited(int64, just_int64.clone()).expect("int64 only").num_rows(), 2000);
    assert!(matches!(limited(int64 - 1, just_int64), Err(CoreError::LimitExceeded(_))));
    let first = declared_uncompressed(&i, &[0], None);
    let group0 = ParquetReadOptions { row_groups: Some(vec![0]), ..everything() };
    assert_eq!(limited(first, group0).expect("row group 0").num_rows(), 300);
    assert!(matches!(limited(first, everything()), Err(CoreError::LimitExceeded(_))));

    // The generic read's limit reaches the Parquet reader.
    let small = ReadOptions { max_decompressed_bytes: Some(total - 1), ..Default::default() };
    let generic = Table::read(Buffer::from(bytes.clone()), &small);
    assert!(matches!(generic, Err(CoreError::LimitExceeded(_))), "{generic:?}");
    let exact = ReadOptions { max_decompressed_bytes: Some(total), ..Default::default() };
    assert_eq!(Table::read(Buffer::from(bytes), &exact).expect("at the limit").num_rows(), 2000);
}

#[test]
fn file_info_reports_row_groups_codecs_statistics_and_key_value_metadata() {
    for (file, codec) in [
        ("codec_none", Codec::Uncompressed),
        ("codec_snappy", Codec::Snappy),
        ("codec_gzip", Codec::Gzip),
        ("codec_brotli", Codec::Brotli),
        // pyarrow's "lz4" is LZ4_RAW, not the deprecated Hadoop-framed LZ4.
        ("codec_lz4", Codec::Lz4Raw),
        ("codec_zstd", Codec::Zstd),
        ("gzip_level9", Codec::Gzip),
        ("zstd_level19", Codec::Zstd),
        ("data_page_v2", Codec::Lz4Raw),
    ] {
        let i = info(&testdata(&format!("parquet/{file}.parquet")));
        assert_eq!(chunk_codecs(&i), BTreeSet::from([format!("{codec:?}")]), "{file}");
        assert!(
            i.created_by.as_deref().is_some_and(|c| c.starts_with("parquet-cpp-arrow")),
            "{file}: {:?}",
            i.created_by
        );
        for rg in &i.row_groups {
            for c in &rg.columns {
                assert!(c.compressed_size > 0 && c.uncompressed_size > 0, "{file} {}", c.path);
                if codec == Codec::Uncompressed {
                    assert_eq!(c.compressed_size, c.uncompressed_size, "{file} {}", c.path);
                }
            }
        }
    }
    // The format version pyarrow was asked for.
    assert_eq!(info(&testdata("parquet/format_1_0.parquet")).version, 1);
    assert_eq!(info(&testdata("parquet/codec_none.parquet")).version, 2);

    // Leaf paths and physical types of nested columns.
    let i = info(&testdata("parquet/codec_none.parquet"));
    let leaves: Vec<(&str, &str)> =
        i.row_groups[0].columns.iter().map(|c| (c.path.as_str(), c.physical_type.as_str())).collect();
    for leaf in [
        ("int64", "INT64"),
        ("utf8", "BYTE_ARRAY"),
        ("struct.a", "INT32"),
        ("struct.c.list.element", "BOOLEAN"),
        ("map_utf8_int64.key_value.key", "BYTE_ARRAY"),
        ("map_utf8_int64.key_value.value", "INT64"),
    ] {
        assert!(leaves.contains(&leaf), "{leaf:?} not in {leaves:?}");
    }
    // Chunk null counts are the column's nulls (and absent when statistics were not written).
    let full = concat(&read_pq(&testdata("parquet/codec_none.parquet"), &everything()).expect("read"));
    for name in ["int64", "utf8", "bool", "decimal128_38_10"] {
        let chunk = i.row_groups[0].columns.iter().find(|c| c.path == name).expect("chunk");
        let nulls = full.column_by_name(name).expect("column").null_count() as u64;
        assert_eq!(chunk.null_count, Some(nulls), "{name}");
        assert_eq!(chunk.num_values, 128, "{name}");
    }
    let bare = info(&testdata("parquet/no_statistics.parquet"));
    assert!(bare.row_groups.iter().flat_map(|rg| &rg.columns).all(|c| c.null_count.is_none()));

    // Key/value metadata: the file's own pairs and the embedded Arrow schema.
    let kv = info(&testdata("parquet/kv_metadata.parquet"));
    let get = |k: &str| kv.key_value_metadata.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    assert_eq!(get("fixture"), Some("kv"));
    assert_eq!(get("owner"), Some("ünïcode ✓"));
    assert!(get("ARROW:schema").is_some_and(|v| v.len() > 100));
    assert_eq!(kv.schema.metadata().get("owner").map(String::as_str), Some("ünïcode ✓"));
}

// ---------------------------------------------------------------------------------------------
// 2. Parquet writes
// ---------------------------------------------------------------------------------------------

/// Writes `t` with `o`, reads it back through the generic entry point and checks the values.
fn round_trip(t: &Table, o: &ParquetWriteOptions) -> (Vec<u8>, FileInfo) {
    let bytes = t.write_parquet(o).unwrap_or_else(|e| panic!("write {o:?}: {e}"));
    let back = read_any(&bytes).unwrap_or_else(|e| panic!("read back {o:?}: {e}"));
    assert_eq!(back.source_format(), Some(DataFormat::Parquet));
    assert_same_data(&concat(t), &concat(&back), &format!("{o:?}"));
    let i = info(&bytes);
    assert_eq!(i.num_rows, t.num_rows(), "{o:?}");
    (bytes, i)
}

#[test]
fn every_codec_and_level_round_trips_the_primitives_and_nested_table() {
    let t = combined();
    assert_eq!((t.num_rows(), t.num_columns()), (128, 35));
    for (compression, compression_level) in [
        (Codec::Uncompressed, None),
        (Codec::Snappy, None),
        (Codec::Gzip, None),
        (Codec::Gzip, Some(0)),
        (Codec::Gzip, Some(9)),
        (Codec::Brotli, None),
        (Codec::Brotli, Some(0)),
        (Codec::Brotli, Some(11)),
        (Codec::Lz4, None),
        (Codec::Lz4Raw, None),
        (Codec::Zstd, None),
        (Codec::Zstd, Some(1)),
        (Codec::Zstd, Some(22)),
    ] {
        let o = ParquetWriteOptions { compression, compression_level, ..Default::default() };
        let (_, i) = round_trip(&t, &o);
        assert_eq!(chunk_codecs(&i), BTreeSet::from([format!("{compression:?}")]), "{o:?}");
        assert!(i.created_by.as_deref().is_some_and(|c| c.starts_with("arrow-rs-wasm")), "{:?}", i.created_by);
    }
    // The level reaches the compressor: on repetitive data a higher level writes other bytes,
    // and every codec writes fewer bytes than none.
    let rep = table("ipc/lz4.arrow");
    let size = |compression, compression_level| {
        rep.write_parquet(&ParquetWriteOptions {
            compression,
            compression_level,
            dictionary: false,
            ..Default::default()
        })
        .expect("write")
    };
    let plain = size(Codec::Uncompressed, None).len();
    for c in [Codec::Snappy, Codec::Gzip, Codec::Brotli, Codec::Lz4, Codec::Lz4Raw, Codec::Zstd] {
        assert!(size(c, None).len() < plain, "{c:?} is not smaller than uncompressed ({plain})");
    }
    assert_ne!(size(Codec::Gzip, Some(1)), size(Codec::Gzip, Some(9)));
    assert!(size(Codec::Zstd, Some(22)).len() < size(Codec::Zstd, Some(1)).len());
}

#[test]
fn writer_layout_options_round_trip_and_show_in_the_footer() {
    let t = table("ipc/lz4.arrow");
    assert_eq!(t.num_rows(), 2000);
    let base = ParquetWriteOptions { compression: Codec::Uncompressed, ..Default::default() };

    let (_, i) = round_trip(&t, &ParquetWriteOptions { max_row_group_rows: Some(300), ..base.clone() });
    let sizes: Vec<u64> = i.row_groups.iter().map(|rg| rg.num_rows).collect();
    assert_eq!(sizes, vec![300, 300, 300, 300, 300, 300, 200]);
    let (default_bytes, i) = round_trip(&t, &base);
    assert_eq!(i.row_groups.len(), 1);

    // Small pages mean more page headers.
    let (small_pages, _) = round_trip(&t, &ParquetWriteOptions { data_page_size: Some(256), ..base.clone() });
    assert!(small_pages.len() > default_bytes.len(), "{} <= {}", small_pages.len(), default_bytes.len());

    // The data repeats its first 40 rows: dictionary pages make it smaller.
    let (no_dict, _) = round_trip(&t, &ParquetWriteOptions { dictionary: false, ..base.clone() });
    assert!(default_bytes.len() < no_dict.len(), "dictionary {} vs plain {}", default_bytes.len(), no_dict.len());

    // Statistics: none, per chunk, per chunk and page (the page index makes the file larger).
    let (none, i) = round_trip(&t, &ParquetWriteOptions { statistics: StatisticsLevel::None, ..base.clone() });
    assert!(i.row_groups.iter().flat_map(|rg| &rg.columns).all(|c| c.null_count.is_none()));
    let full = concat(&t);
    let mut by_level = Vec::new();
    for level in [StatisticsLevel::Chunk, StatisticsLevel::Page] {
        let (bytes, i) = round_trip(&t, &ParquetWriteOptions { statistics: level, ..base.clone() });
        for name in ["int64", "utf8", "float64"] {
            let chunk = i.row_groups[0].columns.iter().find(|c| c.path == name).expect("chunk");
            assert_eq!(
                chunk.null_count,
                Some(full.column_by_name(name).expect("col").null_count() as u64),
                "{level:?} {name}"
            );
        }
        by_level.push(bytes.len());
    }
    assert!(
        none.len() < by_level[0] && by_level[0] < by_level[1],
        "none {} chunk {} page {}",
        none.len(),
        by_level[0],
        by_level[1]
    );

    // Writer version: format 1 or 2 data pages, recorded as the footer's version.
    for (v2, version) in [(false, 1), (true, 2)] {
        let (_, i) = round_trip(&t, &ParquetWriteOptions { writer_version_2: v2, ..base.clone() });
        assert_eq!(i.version, version, "writer_version_2 {v2}");
    }

    // Key/value metadata lands in the footer next to the embedded Arrow schema.
    let pairs = vec![("pipeline".to_string(), "nightly".to_string()), ("ünï".to_string(), "✓ ✓".to_string())];
    let (_, i) = round_trip(&combined(), &ParquetWriteOptions { key_value_metadata: pairs.clone(), ..base.clone() });
    for p in &pairs {
        assert!(i.key_value_metadata.contains(p), "{p:?} not in {:?}", i.key_value_metadata);
    }
    assert!(i.key_value_metadata.iter().any(|(k, _)| k == "ARROW:schema"));

    // Dictionary columns come back as dictionaries (the embedded Arrow schema says so), with or
    // without dictionary pages.
    let dict = table("ipc/dictionary.arrow");
    for dictionary in [true, false] {
        round_trip(&dict, &ParquetWriteOptions { dictionary, ..base.clone() });
    }
}

#[test]
fn impossible_codecs_and_levels_are_typed_errors() {
    let t = table("ipc/primitives.arrow");
    let w = |compression, compression_level| {
        t.write_parquet(&ParquetWriteOptions { compression, compression_level, ..Default::default() })
    };
    assert!(matches!(w(Codec::Lzo, None), Err(CoreError::UnsupportedCodec(_))));
    for (codec, level) in [
        // The parquet crate's gzip levels are 0..=9 (`ParquetWriteOptions` says 0..=10).
        (Codec::Gzip, 10),
        (Codec::Gzip, 11),
        (Codec::Gzip, -1),
        (Codec::Brotli, 12),
        (Codec::Zstd, 23),
        (Codec::Snappy, 1),
        (Codec::Lz4, 1),
        (Codec::Lz4Raw, 1),
        (Codec::Uncompressed, 0),
    ] {
        let r = w(codec, Some(level));
        assert!(matches!(r, Err(CoreError::InvalidArgument(_))), "{codec:?} level {level}: {:?}", r.map(|b| b.len()));
    }
    for o in [
        ParquetWriteOptions { max_row_group_rows: Some(0), ..Default::default() },
        ParquetWriteOptions { data_page_size: Some(0), ..Default::default() },
    ] {
        assert!(matches!(t.write_parquet(&o), Err(CoreError::InvalidArgument(_))), "{o:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// 3. CSV
// ---------------------------------------------------------------------------------------------

/// The line number in an arrow-csv message (`... at line N ...`).
fn csv_line(e: &CoreError) -> usize {
    let CoreError::Malformed(m) = e else { panic!("not malformed: {e:?}") };
    let rest = &m[m.find("at line ").unwrap_or_else(|| panic!("no line in {m}")) + 8..];
    rest.chars().take_while(char::is_ascii_digit).collect::<String>().parse().expect("line number")
}

#[test]
fn csv_inference_types_and_values_match_pyarrow() {
    let t = Table::read_csv(&testdata("csv/basic.csv"), &CsvReadOptions::default()).expect("read");
    let types: Vec<DataType> = t.schema().fields().iter().map(|f| f.data_type().clone()).collect();
    assert_eq!(
        types,
        [DataType::Int64, DataType::Utf8, DataType::Float64, DataType::Boolean, DataType::Date32, DataType::Utf8]
    );
    assert_eq!(names(t.schema()), ["id", "name", "score", "passed", "day", "note"]);
    assert_eq!(t.source_format(), Some(DataFormat::Csv));
    // pyarrow's read with these types and the empty field as null (quoted text, commas,
    // doubled quotes, a newline inside quotes, UTF-8).
    let expected = concat(&table("csv/basic.expected.arrow"));
    assert_eq!(concat(&t).columns(), expected.columns());
    assert_eq!(t.num_rows(), 5);
}

#[test]
fn csv_explicit_schema_and_null_values() {
    let text = testdata("csv/basic.csv");
    let expected = concat(&table("csv/basic.expected.arrow"));
    let given = CsvReadOptions { schema: Some(specs_of(&expected.schema())), ..Default::default() };
    let t = Table::read_csv(&text, &given).expect("read");
    assert_eq!(concat(&t).columns(), expected.columns());

    // A schema that differs from what inference would pick is obeyed.
    let as_text = CsvReadOptions {
        schema: Some(vec![
            spec("id", "Utf8"),
            spec("name", "Utf8"),
            spec("score", "Float32"),
            spec("passed", "Utf8"),
            spec("day", "Utf8"),
            spec("note", "Utf8"),
        ]),
        columns: Some(strings(&["score", "id"])),
        ..Default::default()
    };
    let t = concat(&Table::read_csv(&text, &as_text).expect("read"));
    assert_eq!(names(&t.schema()), ["score", "id"]);
    assert_eq!(t.column(0).data_type(), &DataType::Float32);
    assert_eq!(t.column(1).as_string::<i32>().value(0), "1");

    // Null values replace the empty field; an explicit list must name it to keep it.
    let text = b"a;b\n1;x\n;NA\n3;\n";
    let na = |null_values: Vec<String>| {
        let o = CsvReadOptions {
            delimiter: b';',
            null_values,
            schema: Some(vec![spec("a", "Int64"), spec("b", "Utf8")]),
            ..Default::default()
        };
        Table::read_csv(text, &o).map(|t| concat(&t))
    };
    let both = na(strings(&["NA", ""])).expect("read");
    assert_eq!(both.column(0).null_count(), 1);
    assert_eq!(both.column(1).null_count(), 2);
    let only_na = na(strings(&["NA"]));
    assert_eq!(csv_line(&only_na.expect_err("the empty field is not null and not an Int64")), 2);
    let strings_only = CsvReadOptions { delimiter: b';', null_values: strings(&["NA"]), ..Default::default() };
    let t = concat(&Table::read_csv(text, &strings_only).expect("read"));
    let b = t.column_by_name("b").expect("b").as_string::<i32>();
    assert!(b.is_null(1) && b.is_valid(2) && b.value(2).is_empty());
}

#[test]
fn csv_delimiter_is_sniffed_by_the_generic_read() {
    let bytes = testdata("csv/semicolon.csv");
    assert_eq!(arrow_core::sniff::detect(&bytes), Ok(DataFormat::Csv));
    let t = read_any(&bytes).expect("read");
    assert_eq!(t.source_format(), Some(DataFormat::Csv));
    assert_eq!(names(t.schema()), ["a", "b"]);
    let b = concat(&t);
    assert_eq!(b.column(0).as_primitive::<Int64Type>().values().to_vec(), vec![1, 2, 3]);
    // The generic read knows no null values: "NA" is text.
    assert_eq!(b.column(1).as_string::<i32>().iter().collect::<Vec<_>>(), vec![Some("x"), Some("NA"), Some("z")]);
    // A tab-separated file, also sniffed.
    let t = read_any(b"k\tv\n1\tone\n2\ttwo\n").expect("read");
    assert_eq!(names(t.schema()), ["k", "v"]);
    assert_eq!(t.num_rows(), 2);
}

#[test]
fn csv_bad_values_name_their_line() {
    // arrow-csv's "line" for a value that does not parse is the record's index counting the header
    // as record 0: with a header, the 1-based number of the data row. It is not the physical line
    // (header, quoted newlines and blank lines are not counted), and without a header it is 0-based.
    let ints = |has_header| CsvReadOptions { has_header, schema: Some(vec![spec("x", "Int64")]), ..Default::default() };
    let cases: [(&[u8], CsvReadOptions, usize); 5] = [
        (b"x\n1\n2\nthree\n", ints(true), 3),
        (b"1\n2\nthree\n", ints(false), 2),
        (b"x\nthree\n", ints(true), 1),
        (b"x\n1\n\n2\nthree\n", ints(true), 3),
        (
            b"x,y\n1,\"a\nb\"\n2,c\nthree,d\n",
            CsvReadOptions { schema: Some(vec![spec("x", "Int64"), spec("y", "Utf8")]), ..Default::default() },
            3,
        ),
    ];
    for (text, o, line) in cases {
        let e = Table::read_csv(text, &o).expect_err("bad value");
        assert_eq!(csv_line(&e), line, "{:?}: {e}", String::from_utf8_lossy(text));
        assert!(e.to_string().contains("three"), "{e}");
    }
    // Far into a multi-batch input: data row 15000 of 20000, batches of 1000.
    let mut text = String::from("x\n");
    for i in 1..=20_000 {
        text.push_str(&if i == 15_000 { "oops\n".to_string() } else { format!("{i}\n") });
    }
    let o = CsvReadOptions { batch_size: Some(1000), ..ints(true) };
    let e = Table::read_csv(text.as_bytes(), &o).expect_err("bad value");
    assert_eq!(csv_line(&e), 15_000, "{e}");
    assert!(e.to_string().contains("oops"));
}

#[test]
fn csv_ragged_rows_name_their_physical_line() {
    // The csv crate counts physical lines from 1, header included, to where the record starts.
    for (text, line) in [
        (&b"a,b\n1,2\n3\n"[..], 3),
        (b"a,b\n1,2\n3,4\n5,6,7\n", 4),
        (b"a,b\n\"x\ny\",2\n3\n", 4),
        (b"a,b\n1,2\n\n3,4\n5\n", 5),
    ] {
        let e = Table::read_csv(text, &CsvReadOptions::default()).expect_err("ragged");
        assert_eq!(csv_line(&e), line, "{:?}: {e}", String::from_utf8_lossy(text));
        assert!(e.to_string().contains("unequal lengths"), "{e}");
    }
}

#[test]
fn csv_write_then_read_is_identity_for_flat_tables() {
    // Integers, floats, text with nulls and timestamps over five batches, one of them empty.
    let t = table("ipc/multibatch.arrow");
    let csv = t.write_csv(&CsvWriteOptions::default()).expect("write");
    let o = CsvReadOptions { schema: Some(specs_of(t.schema())), batch_size: Some(100), ..Default::default() };
    let back = Table::read_csv(&csv, &o).expect("read back");
    assert_eq!(concat(&back).columns(), concat(&t).columns());

    // Quoting, embedded newlines, UTF-8, dates and booleans survive with inference too.
    let basic = Table::read_csv(&testdata("csv/basic.csv"), &CsvReadOptions::default()).expect("read");
    let again =
        Table::read_csv(&basic.write_csv(&CsvWriteOptions::default()).expect("write"), &CsvReadOptions::default())
            .expect("read back");
    assert_eq!(concat(&again), concat(&basic));

    // Another delimiter, no header, a null marker.
    let w = CsvWriteOptions { header: false, delimiter: b'|', null_value: "NULL".into(), ..Default::default() };
    let r = CsvReadOptions {
        has_header: false,
        delimiter: b'|',
        null_values: strings(&["NULL"]),
        schema: Some(specs_of(t.schema())),
        ..Default::default()
    };
    let back = Table::read_csv(&t.write_csv(&w).expect("write"), &r).expect("read back");
    assert_eq!(concat(&back).columns(), concat(&t).columns());

    // An empty table still writes its header.
    let empty = t.slice(0, 0).expect("slice");
    assert_eq!(empty.write_csv(&CsvWriteOptions::default()).expect("write"), b"i64,f64,s,ts\n");
}

#[test]
fn csv_cannot_write_nested_columns() {
    let t = table("ipc/nested.arrow");
    let e = t.write_csv(&CsvWriteOptions::default()).expect_err("nested");
    let CoreError::UnsupportedFormat(m) = &e else { panic!("{e:?}") };
    for name in ["list_int32", "struct", "map_utf8_int64"] {
        assert!(m.contains(name), "{m}");
    }
}

// ---------------------------------------------------------------------------------------------
// 4. NDJSON
// ---------------------------------------------------------------------------------------------

#[test]
fn ndjson_inference_makes_structs_and_lists() {
    let t = Table::read_ndjson(&testdata("ndjson/events.ndjson"), &NdjsonReadOptions::default()).expect("read");
    assert_eq!(t.num_rows(), 40);
    let ty = |n: &str| t.schema().field_with_name(n).expect(n).data_type().to_string();
    assert_eq!(ty("id"), "Int64");
    assert_eq!(ty("value"), "Float64");
    assert_eq!(ty("kind"), "Utf8");
    assert_eq!(ty("ok"), "Boolean");
    // arrow-json infers object fields in name order (pyarrow keeps the order of the first line).
    assert_eq!(ty("user"), r#"Struct("name": Utf8, "tags": List(Utf8))"#);
    assert_eq!(ty("items"), r#"List(Struct("qty": Int64, "sku": Utf8))"#);
    // Given pyarrow's schema, the values are pyarrow's.
    let expected = concat(&table("ndjson/events.expected.arrow"));
    let given =
        NdjsonReadOptions { schema: Some(specs_of(&expected.schema())), batch_size: Some(7), ..Default::default() };
    let t = Table::read_ndjson(&testdata("ndjson/events.ndjson"), &given).expect("read");
    assert!(t.batches().len() >= 6);
    assert_eq!(concat(&t).columns(), expected.columns());
}

#[test]
fn ndjson_explicit_schema_projection_and_strict_mode() {
    let text = testdata("ndjson/events.ndjson");
    let partial = vec![spec("kind", "Utf8"), spec("id", "Int32")];
    let t = concat(
        &Table::read_ndjson(&text, &NdjsonReadOptions { schema: Some(partial.clone()), ..Default::default() })
            .expect("read"),
    );
    assert_eq!(names(&t.schema()), ["kind", "id"]);
    assert_eq!(t.column(1).data_type(), &DataType::Int32);
    assert_eq!(t.column(0).as_string::<i32>().value(2), "buy");
    // Strict mode refuses the fields the schema lacks, naming the first line that has one.
    let strict = NdjsonReadOptions { schema: Some(partial), strict: true, ..Default::default() };
    let e = Table::read_ndjson(&text, &strict).expect_err("strict");
    assert!(matches!(&e, CoreError::Malformed(m) if m.contains("line 1:")), "{e}");
    // Projection keeps the requested order.
    let o = NdjsonReadOptions { columns: Some(strings(&["ok", "id"])), ..Default::default() };
    let t = Table::read_ndjson(&text, &o).expect("read");
    assert_eq!(names(t.schema()), ["ok", "id"]);
    let o = NdjsonReadOptions { columns: Some(strings(&["nope"])), ..Default::default() };
    assert!(matches!(Table::read_ndjson(&text, &o), Err(CoreError::ColumnNotFound(_))));
}

#[test]
fn ndjson_bad_lines_are_named_even_far_into_the_input() {
    let ints = || Some(vec![spec("a", "Int64")]);
    let lines = |bad: usize, with: &str| {
        let mut s = String::new();
        for i in 1..=25_000 {
            s.push_str(&if i == bad { with.to_string() } else { format!("{{\"a\": {i}}}") });
            s.push('\n');
        }
        s
    };
    let line_of = |text: &str, o: NdjsonReadOptions| {
        let e = Table::read_ndjson(text.as_bytes(), &o).expect_err("bad line");
        let CoreError::Malformed(m) = &e else { panic!("{e:?}") };
        m.strip_prefix("ndjson: line ")
            .and_then(|r| r.split(':').next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or_else(|| panic!("no line in {m}"))
    };
    for bad in [1, 999, 1000, 1001, 20_001, 25_000] {
        // A value of the wrong type, with a given schema and with an inferred one (inference
        // looks at the first 1000 lines only).
        let wrong = lines(bad, r#"{"a": "x"}"#);
        assert_eq!(
            line_of(&wrong, NdjsonReadOptions { schema: ints(), batch_size: Some(1000), ..Default::default() }),
            bad
        );
        if bad > 1000 {
            assert_eq!(line_of(&wrong, NdjsonReadOptions { batch_size: Some(1000), ..Default::default() }), bad);
        }
        // Broken JSON.
        let broken = lines(bad, r#"{"a": "#);
        assert_eq!(
            line_of(&broken, NdjsonReadOptions { schema: ints(), batch_size: Some(1000), ..Default::default() }),
            bad
        );
        assert_eq!(line_of(&broken, NdjsonReadOptions { batch_size: Some(1000), ..Default::default() }), bad);
    }
    // Blank lines count, CRLF ends a line, and a last line without a newline is a line.
    assert_eq!(
        line_of("{\"a\": 1}\n\n{\"a\": \"q\"}\n", NdjsonReadOptions { schema: ints(), ..Default::default() }),
        3
    );
    assert_eq!(
        line_of("{\"a\": 1}\r\n{\"a\": \"q\"}\r\n", NdjsonReadOptions { schema: ints(), ..Default::default() }),
        2
    );
    assert_eq!(
        line_of(
            "{\"a\": 1}\n{\"a\": 2}\n{\"a\":",
            NdjsonReadOptions { schema: ints(), batch_size: Some(2), ..Default::default() }
        ),
        3
    );
}

#[test]
fn ndjson_is_sniffed_by_the_generic_read() {
    let bytes = testdata("ndjson/events.ndjson");
    assert_eq!(arrow_core::sniff::detect(&bytes), Ok(DataFormat::Ndjson));
    let t = read_any(&bytes).expect("read");
    assert_eq!(t.source_format(), Some(DataFormat::Ndjson));
    assert_eq!(t.num_rows(), 40);
    let direct = Table::read_ndjson(&bytes, &NdjsonReadOptions::default()).expect("read");
    assert_eq!(concat(&t), concat(&direct));
    let projected = Table::read(
        Buffer::from(bytes),
        &ReadOptions { columns: Some(strings(&["value", "id"])), batch_size: Some(16), ..Default::default() },
    )
    .expect("read");
    assert_eq!(names(projected.schema()), ["value", "id"]);
    assert!(projected.batches().iter().all(|b| b.num_rows() <= 16));
}

// ---------------------------------------------------------------------------------------------
// 5. Fingerprints across containers
// ---------------------------------------------------------------------------------------------

fn fp(t: &Table) -> String {
    t.fingerprint().expect("fingerprint")
}

#[test]
fn fingerprints_agree_across_ipc_parquet_and_feather() {
    for source in ["ipc/primitives.arrow", "ipc/nested.arrow", "ipc/lz4.arrow", "ipc/dictionary.arrow"] {
        let ipc = table(source);
        let feather = read_any(
            &ipc.write_ipc(&WriteOptions { compression: Compression::Lz4Frame, ..Default::default() })
                .expect("feather"),
        )
        .expect("read feather");
        assert_eq!(fp(&feather), fp(&ipc), "{source}: LZ4 Feather v2");
        let stream = table(&source.replace(".arrow", ".arrows"));
        assert_eq!(fp(&stream), fp(&ipc), "{source}: the IPC stream twin");

        let pq_bytes = ipc.write_parquet(&ParquetWriteOptions::default()).expect("parquet");
        let pq = read_any(&pq_bytes).expect("read parquet");
        let rebatched = read_pq(&pq_bytes, &ParquetReadOptions { batch_size: Some(7), ..everything() }).expect("read");
        assert_eq!(fp(&rebatched), fp(&pq), "{source}: batch boundaries");
        // Parquet stores date64 as a 32-bit DATE, and the core reads it back as date32, as pyarrow
        // does: a different logical type, so a different fingerprint. Every other column, list
        // and map child names included, fingerprints as it did in IPC.
        let has_date64 = ipc.schema().fields().iter().any(|f| f.data_type() == &DataType::Date64);
        if has_date64 {
            assert_eq!(
                pq.schema().field_with_name("date64").expect("date64").data_type(),
                &DataType::Date32,
                "{source}"
            );
            assert_ne!(fp(&pq), fp(&ipc), "{source}");
            let converted: Vec<RecordBatch> = ipc.batches().iter().map(as_parquet_reads).collect();
            let schema = converted[0].schema();
            assert_eq!(
                arrow_core::fingerprint::fingerprint(&schema, &converted).expect("fingerprint"),
                fp(&pq),
                "{source}"
            );
            let others: Vec<String> = names(ipc.schema()).into_iter().filter(|n| n != "date64").collect();
            assert_eq!(fp(&pq.select(&others).expect("select")), fp(&ipc.select(&others).expect("select")), "{source}");
        } else {
            assert_eq!(fp(&pq), fp(&ipc), "{source}: Parquet");
        }
    }
}

#[test]
fn pandas_parquet_and_feather_differ_only_by_where_the_index_goes() {
    // One DataFrame with a named string index: `to_parquet` keeps the index as the *last*
    // column, `reset_index().to_feather` makes it the *first*. Column order is part of the
    // fingerprint, so the files differ as they stand and agree once the columns line up
    // (categoricals, nullable Int64, tz-aware timestamps and NaN included).
    let pq = table("pandas/frame.parquet");
    let feather = table("pandas/frame.feather");
    let (pn, fe_names) = (names(pq.schema()), names(feather.schema()));
    assert_eq!(pn.last().map(String::as_str), Some("row"));
    assert_eq!(fe_names.first().map(String::as_str), Some("row"));
    assert_eq!(pq.num_rows(), 200);
    assert_ne!(fp(&pq), fp(&feather));
    assert_eq!(fp(&pq.select(&fe_names).expect("select")), fp(&feather));
}

#[test]
fn changing_one_value_changes_the_fingerprint() {
    let text = String::from_utf8(testdata("csv/basic.csv")).expect("utf-8");
    let csv_fp = |t: &str| fp(&Table::read_csv(t.as_bytes(), &CsvReadOptions::default()).expect("read"));
    let base = csv_fp(&text);
    assert_eq!(csv_fp(&text), base);
    assert_ne!(csv_fp(&text.replace("93.5", "93.25")), base, "a value");
    assert_ne!(csv_fp(&text.replace("alice", "")), base, "a null");
    assert_ne!(csv_fp(&text.replace("id,name", "id,nom")), base, "a name");

    // One int64 of the primitives table, through Parquet.
    let ipc = table("ipc/primitives.arrow");
    let batch = as_parquet_reads(&concat(&ipc));
    let pq = read_any(&ipc.write_parquet(&ParquetWriteOptions::default()).expect("write")).expect("read");
    let idx = batch.schema().index_of("int64").expect("int64");
    let col = batch.column(idx).as_primitive::<Int64Type>();
    let row = (0..col.len()).find(|&i| col.is_valid(i) && col.value(i) != i64::MAX).expect("a valid value");
    let changed: Int64Array =
        col.iter().enumerate().map(|(i, v)| if i == row { v.map(|x| x + 1) } else { v }).collect();
    let mut columns = batch.columns().to_vec();
    let same = arrow_core::fingerprint::fingerprint(&batch.schema(), std::slice::from_ref(&batch)).expect("fp");
    assert_eq!(same, fp(&pq));
    columns[idx] = Arc::new(changed);
    let other = RecordBatch::try_new(batch.schema(), columns).expect("batch");
    assert_ne!(arrow_core::fingerprint::fingerprint(&other.schema(), &[other]).expect("fp"), same);
}

// ---------------------------------------------------------------------------------------------
// 6. Robustness sweeps
// ---------------------------------------------------------------------------------------------

/// One change to a fixture's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mutation {
    /// Keep the first `n` bytes.
    Truncate(usize),
    /// Flip bit `bit` of byte `at`.
    Flip { at: usize, bit: u8 },
    /// Replace byte `at` with `with`.
    Replace { at: usize, with: u8 },
}

impl Mutation {
    fn apply(self, input: &[u8]) -> Vec<u8> {
        match self {
            Mutation::Truncate(n) => input[..n].to_vec(),
            Mutation::Flip { at, bit } => {
                let mut v = input.to_vec();
                v[at] ^= 1 << bit;
                v
            }
            Mutation::Replace { at, with } => {
                let mut v = input.to_vec();
                v[at] = with;
                v
            }
        }
    }
}

/// Inputs that still panic inside a dependency, as (fixture under `testdata`, mutation, where the
/// panic is raised). The sweeps skip them, and `known_panics_still_panic` fails once one stops
/// panicking there, so the entry gets removed. All are in page decoding (parquet 60.1.0 and
/// arrow-buffer), where corrupt pages reach an `assert!` or a slice index instead of an error; no
/// check of the footer can rule them out, as the page bytes decide:
///
/// - arrow-buffer `util/bit_chunk_iterator.rs:235` "offset + len out of bounds" and
///   `util/bit_util.rs:392` "slice must not be empty": the packed definition-level decoder
///   (`PackedDecoder::read`) hands `BooleanBufferBuilder::append_packed_range` a run longer than
///   the page's bytes.
/// - `encodings/decoding/byte_stream_split_decoder.rs:67`: a BYTE_STREAM_SPLIT page (here a
///   flipped page-header bit makes one) with fewer bytes than its value count needs is indexed
///   past its end.
///
/// The core is built with unwinding, so in the component each is an `internal` error
/// (`testdata/regressions`); natively they still panic. `FIXED_PANICS` are the ones the patched
/// parquet (`third_party/parquet/PATCHES.md`) turned into errors.
const KNOWN_PANICS: &[(&str, Mutation, &str)] = &[
    ("parquet/codec_none.parquet", Mutation::Flip { at: 8007, bit: 0 }, "util/bit_chunk_iterator.rs:235"),
    ("parquet/codec_zstd.parquet", Mutation::Flip { at: 19979, bit: 1 }, "util/bit_util.rs:392"),
    (
        "parquet/no_statistics.parquet",
        Mutation::Flip { at: 2187, bit: 1 },
        "encodings/decoding/byte_stream_split_decoder.rs:67",
    ),
];

/// Inputs that panicked in parquet 60.1.0 and are `malformed-input` naming the column now, with
/// the column each names:
///
/// - `column/reader/decoder.rs:374` "Decoder for dict should have been set", and
///   `arrow/array_reader/fixed_len_byte_array.rs:423` (`dict_page.unwrap()`): a
///   dictionary-encoded data page with no dictionary page before it (a flipped footer bit cuts a
///   column chunk's metadata short, losing `dictionary_page_offset`).
/// - `arrow/array_reader/fixed_len_byte_array.rs:432`: a dictionary index past the end of a
///   fixed-size-binary dictionary, sliced unchecked.
/// - `arrow/array_reader/map_array.rs:101` "Not all children array length are the same!": the
///   key and value leaves of a map decode to different lengths, and `consume_batch` unwrapped it.
const FIXED_PANICS: &[(&str, Mutation, &str)] = &[
    ("parquet/codec_gzip.parquet", Mutation::Flip { at: 36155, bit: 7 }, "column/reader/decoder.rs:374"),
    (
        "parquet/codec_none.parquet",
        Mutation::Flip { at: 36318, bit: 6 },
        "arrow/array_reader/fixed_len_byte_array.rs:423",
    ),
    (
        "parquet/codec_snappy.parquet",
        Mutation::Flip { at: 6124, bit: 6 },
        "arrow/array_reader/fixed_len_byte_array.rs:432",
    ),
    ("parquet/codec_lz4.parquet", Mutation::Flip { at: 33121, bit: 0 }, "arrow/array_reader/map_array.rs:101"),
    ("parquet/format_1_0.parquet", Mutation::Flip { at: 19722, bit: 1 }, "arrow/array_reader/map_array.rs:101"),
];

fn full_sweep() -> bool {
    std::env::var_os("ARROW_CORE_FULL_SWEEP").is_some_and(|v| !v.is_empty() && v != "0")
}

thread_local! {
    /// Set while a sweep reads: a panic is then recorded here instead of printed.
    static RECORDING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static LAST_PANIC: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Installs (once) a panic hook that records "message @ file:line" for sweep threads and leaves
/// every other panic to the default hook.
fn record_panics() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !RECORDING.with(std::cell::Cell::get) {
                return previous(info);
            }
            let p = info.payload();
            let msg = p.downcast_ref::<String>().map(String::as_str).or_else(|| p.downcast_ref::<&str>().copied());
            let msg: String = msg.unwrap_or("?").chars().take(160).collect();
            // Registry paths are long: keep `crate-version/src/...`.
            let at = info.location().map_or("?".into(), |l| {
                let f = l.file();
                let short = f.rfind("/src/").and_then(|i| f[..i].rfind('/').map(|j| &f[j + 1..])).unwrap_or(f);
                format!("{short}:{}", l.line())
            });
            LAST_PANIC.with(|s| *s.borrow_mut() = format!("{msg} @ {at}"));
        }));
    });
}

/// Runs `f`, returning the recorded panic ("message @ location") if it panicked.
fn panic_of<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    record_panics();
    RECORDING.with(|r| r.set(true));
    let out = catch_unwind(AssertUnwindSafe(f));
    RECORDING.with(|r| r.set(false));
    out.map_err(|_| LAST_PANIC.with(|s| s.borrow().clone()))
}

fn is_known(fixture: &str, m: Mutation) -> bool {
    KNOWN_PANICS.iter().any(|&(f, k, _)| f == fixture && k == m)
}

/// In a full sweep, panics at the sites of `KNOWN_PANICS` are the same dependency bugs at other
/// inputs: counted and printed, not failed.
fn at_known_site(panic: &str) -> bool {
    KNOWN_PANICS.iter().any(|&(_, _, site)| panic.ends_with(site))
}

/// Tallies of a sweep: reads that succeeded, failed with an error, and panicked.
#[derive(Default)]
struct Sweep {
    ok: usize,
    err: usize,
    panics: Vec<String>,
}

impl Sweep {
    /// Applies each mutation to `input` and runs `read` on the result, recording panics with the
    /// fixture and the mutation. Whatever reads is fingerprinted too (that walks every array).
    fn run(
        &mut self,
        fixture: &str,
        input: &[u8],
        mutations: impl IntoIterator<Item = Mutation>,
        read: &dyn Fn(&[u8]) -> Result<Table, CoreError>,
    ) {
        for m in mutations {
            if is_known(fixture, m) {
                continue;
            }
            let bytes = m.apply(input);
            match panic_of(|| read(&bytes).and_then(|t| t.fingerprint().map(|_| t))) {
                Ok(Ok(_)) => self.ok += 1,
                Ok(Err(_)) => self.err += 1,
                Err(p) => self.panics.push(format!("{fixture} with {m:?}: {p}")),
            }
        }
    }

    /// Fails on any panic (in a full sweep: on any panic at a site not in `KNOWN_PANICS`).
    fn assert_no_panics(self, what: &str) -> Self {
        let (known, new): (Vec<&String>, Vec<&String>) =
            self.panics.iter().partition(|p| full_sweep() && at_known_site(p));
        if !known.is_empty() {
            eprintln!("{what}: {} panics at known sites, e.g. {}", known.len(), known[0]);
        }
        let mut sites = std::collections::BTreeMap::<&str, usize>::new();
        for p in &new {
            *sites.entry(p.rsplit(" @ ").next().unwrap_or("?")).or_default() += 1;
        }
        assert!(
            new.is_empty(),
            "{what}: {} inputs made a reader panic ({} reads, {} errors); by site: {sites:?}\n{}",
            new.len(),
            self.ok,
            self.err,
            new.iter().take(20).map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
        );
        self
    }
}

#[test]
fn known_panics_still_panic() {
    for &(fixture, m, site) in KNOWN_PANICS {
        let bytes = m.apply(&testdata(fixture));
        let r = panic_of(|| read_any(&bytes).and_then(|t| t.fingerprint()));
        match r {
            Err(p) => assert!(p.ends_with(site), "{fixture} with {m:?} now panics elsewhere: {p}"),
            Ok(r) => panic!("{fixture} with {m:?} no longer panics ({r:?}): remove it from KNOWN_PANICS"),
        }
    }
}

#[test]
fn fixed_panics_are_malformed_input_naming_the_column() {
    for &(fixture, m, site) in FIXED_PANICS {
        let bytes = m.apply(&testdata(fixture));
        let r = panic_of(|| read_any(&bytes).and_then(|t| t.fingerprint()));
        match r {
            Ok(Err(CoreError::Malformed(msg))) => {
                assert!(
                    msg.starts_with("parquet: column ") && msg.contains(" in row group "),
                    "{fixture} ({site}): {msg}"
                )
            }
            other => panic!("{fixture} with {m:?} (once a panic at {site}) must be malformed-input: {other:?}"),
        }
    }
}

/// The files of `testdata/parquet` and the pandas Parquet file.
fn all_parquet() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> =
        parquet_fixtures().into_iter().map(|f| (format!("parquet/{}", f.name), f.bytes)).collect();
    v.push(("pandas/frame.parquet".into(), testdata("pandas/frame.parquet")));
    v
}

#[test]
fn truncated_parquet_never_panics() {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut s = Sweep::default();
    for (name, bytes) in all_parquet() {
        let n = bytes.len();
        // Every length that cuts into the footer region, and a sample of the rest.
        let mut cuts: Vec<usize> = (n.saturating_sub(2048)..n).collect();
        cuts.extend((0..200).map(|_| (xorshift(&mut state) % n as u64) as usize));
        if full_sweep() {
            cuts.extend(0..n);
        }
        s.run(&name, &bytes, cuts.into_iter().map(Mutation::Truncate), &|b: &[u8]| read_any(b));
    }
    let s = s.assert_no_panics("truncated Parquet");
    // Parquet is read from its tail: no cut copy is a file.
    assert_eq!(s.ok, 0);
}

/// The bit flips of one Parquet file, in its footer (the Thrift file metadata and its 8-byte
/// tail) or elsewhere (page headers and data). Full: every bit of the last 4 KiB, one bit of every
/// other footer byte and 2000 flips elsewhere. Default: 300 flips in the footer and 40 elsewhere,
/// as each copy that reads costs ~5 ms (128 rows) to ~25 ms (2000 rows) in a debug build.
fn parquet_flips(bytes: &[u8], state: &mut u64, footer: bool) -> Vec<Mutation> {
    let n = bytes.len();
    let declared = u32::from_le_bytes(bytes[n - 8..n - 4].try_into().expect("4 bytes")) as usize;
    let footer_start = n.saturating_sub(declared + 8);
    let tail_start = n.saturating_sub(4096);
    let mut random_flip = |lo: usize, hi: usize| Mutation::Flip {
        at: lo + (xorshift(state) % (hi - lo) as u64) as usize,
        bit: (xorshift(state) % 8) as u8,
    };
    match (footer, full_sweep()) {
        (true, true) => (tail_start..n)
            .flat_map(|at| (0..8).map(move |bit| Mutation::Flip { at, bit }))
            .chain((footer_start..tail_start.max(footer_start)).map(|at| Mutation::Flip { at, bit: (at % 8) as u8 }))
            .collect(),
        (true, false) => (0..300).map(|_| random_flip(footer_start, n)).collect(),
        (false, full) => (0..if full { 2000 } else { 40 }).map(|_| random_flip(0, footer_start.max(1))).collect(),
    }
}

#[test]
fn bit_flipped_parquet_footers_never_panic() {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut s = Sweep::default();
    for (name, bytes) in all_parquet() {
        let flips = parquet_flips(&bytes, &mut state, true);
        s.run(&name, &bytes, flips, &|b: &[u8]| read_any(b));
    }
    let s = s.assert_no_panics("bit-flipped Parquet footers");
    // Many flips change nothing the reader needs (statistics, the embedded schema's fallback):
    // some copies must have been read through to the data.
    assert!(s.ok > 0 && s.err > 0, "{} read, {} errors", s.ok, s.err);
}

#[test]
fn bit_flipped_parquet_pages_never_panic() {
    let mut state = 0xD1B5_4A32_D192_ED03u64;
    let mut s = Sweep::default();
    for (name, bytes) in all_parquet() {
        let flips = parquet_flips(&bytes, &mut state, false);
        s.run(&name, &bytes, flips, &|b: &[u8]| read_any(b));
    }
    let s = s.assert_no_panics("bit-flipped Parquet pages");
    assert!(s.ok > 0, "no flipped copy read");
}

/// Bytes that matter to CSV and JSON tokenizers, and some that are not text.
const INTERESTING: &[u8] = b",;\t\n\r\"'\\{}[]:0-9.eE+ aZ\x00\x7f\x80\xc3\xff";

/// Every truncation, and random byte replacements (default 1500, full 4 per byte).
fn text_mutations(bytes: &[u8], state: &mut u64) -> Vec<Mutation> {
    let n = bytes.len();
    let mut v: Vec<Mutation> = (0..=n).map(Mutation::Truncate).collect();
    let replacements = if full_sweep() { n * 4 } else { 1500 };
    for _ in 0..replacements {
        let at = (xorshift(state) % n as u64) as usize;
        let r = xorshift(state);
        let with =
            if r.is_multiple_of(4) { (r >> 8) as u8 } else { INTERESTING[(r >> 8) as usize % INTERESTING.len()] };
        v.push(Mutation::Replace { at, with });
    }
    v
}

#[test]
fn mutated_csv_never_panics() {
    let mut state = 0xA076_1D64_78BD_642Fu64;
    let expected = table("csv/basic.expected.arrow");
    let given = CsvReadOptions { schema: Some(specs_of(expected.schema())), batch_size: Some(2), ..Default::default() };
    let as_csv = ReadOptions { format: Some(DataFormat::Csv), ..Default::default() };
    let mut s = Sweep::default();
    for name in ["csv/basic.csv", "csv/semicolon.csv"] {
        let bytes = testdata(name);
        let mutations = text_mutations(&bytes, &mut state);
        s.run(name, &bytes, mutations.clone(), &|b: &[u8]| read_any(b));
        s.run(name, &bytes, mutations.clone(), &|b: &[u8]| Table::read(Buffer::from(b.to_vec()), &as_csv));
        if name == "csv/basic.csv" {
            s.run(name, &bytes, mutations, &|b: &[u8]| Table::read_csv(b, &given));
        }
    }
    let s = s.assert_no_panics("mutated CSV");
    assert!(s.ok > 0 && s.err > 0, "{} read, {} errors", s.ok, s.err);
}

#[test]
fn mutated_ndjson_never_panics() {
    let mut state = 0xE703_7ED1_A0B4_28DBu64;
    let name = "ndjson/events.ndjson";
    let bytes = testdata(name);
    let expected = table("ndjson/events.expected.arrow");
    let given =
        NdjsonReadOptions { schema: Some(specs_of(expected.schema())), batch_size: Some(8), ..Default::default() };
    let as_ndjson = ReadOptions { format: Some(DataFormat::Ndjson), ..Default::default() };
    let mutations = text_mutations(&bytes, &mut state);
    let mut s = Sweep::default();
    s.run(name, &bytes, mutations.clone(), &|b: &[u8]| read_any(b));
    s.run(name, &bytes, mutations.clone(), &|b: &[u8]| Table::read(Buffer::from(b.to_vec()), &as_ndjson));
    s.run(name, &bytes, mutations, &|b: &[u8]| Table::read_ndjson(b, &given));
    let s = s.assert_no_panics("mutated NDJSON");
    assert!(s.ok > 0 && s.err > 0, "{} read, {} errors", s.ok, s.err);
}

#[test]
fn a_table_names_the_codecs_its_source_used() {
    let codecs = |rel: &str| {
        let t = Table::read(Buffer::from(testdata(rel)), &ReadOptions::default()).unwrap();
        t.source_codecs().to_vec()
    };
    assert_eq!(codecs("ipc/lz4.arrow"), ["lz4-frame"]);
    assert_eq!(codecs("ipc/zstd.arrows"), ["zstd"]);
    assert_eq!(codecs("ipc/feather_uncompressed.feather"), Vec::<&str>::new());
    assert_eq!(codecs("parquet/codec_zstd.parquet"), ["zstd"]);
    assert_eq!(codecs("parquet/codec_lz4.parquet"), ["lz4-raw"]);
    assert_eq!(codecs("parquet/codec_none.parquet"), Vec::<&str>::new());
    assert_eq!(codecs("feather_v1/all_types.feather").len(), 0);
    let t = Table::read(Buffer::from(testdata("ipc/lz4.arrow")), &ReadOptions::default()).unwrap();
    assert!(t.slice(0, 1).unwrap().source_codecs().is_empty(), "a derived table has no source");
}

#[test]
fn filter_keeps_the_masked_rows_across_batches_as_arrow_selects_kernel_does() {
    let t = Table::read(Buffer::from(testdata("ipc/dictionary.arrow")), &ReadOptions::default()).unwrap();
    let n = t.num_rows() as usize;
    assert!(t.batches().len() > 1);
    let mut state = 7u64;
    for density in [0, 1, 3, 10] {
        // density 0: nothing kept; 10: everything kept; between: random runs.
        let mask: Vec<bool> = (0..n).map(|_| xorshift(&mut state) % 10 < density).collect();
        let filtered = t.filter(&mask).unwrap();
        let all = concat_batches(t.schema(), t.batches()).unwrap();
        let expected =
            arrow_select::filter::filter_record_batch(&all, &arrow_array::BooleanArray::from(mask.clone())).unwrap();
        let got = concat_batches(t.schema(), filtered.batches()).unwrap();
        assert_eq!(got, expected, "density {density}");
        assert_eq!(filtered.num_rows(), mask.iter().filter(|&&k| k).count() as u64);
    }
    assert!(matches!(t.filter(&[true]), Err(CoreError::InvalidArgument(_))));
}
