//! Native tests of the Feather v1 reader on the pyarrow-written fixtures in
//! `testdata/feather_v1`: what it reads is written as Arrow IPC and compared with
//! `pyarrow.feather.read_table` by the oracle; projection, the limit and zero copy; and the
//! robustness sweep: no truncated or bit-flipped copy of any fixture may make it panic.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;
use common::{buffer_ranges, without_panic, xorshift};

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Command;

use arrow_array::RecordBatch;
use arrow_buffer::Buffer;
use arrow_core::feather_v1;
use arrow_core::format::DataFormat;
use arrow_core::format::Decoded;
use arrow_core::{CoreError, ReadOptions, Table};
use arrow_schema::{DataType, TimeUnit};

const NO_LIMIT: u64 = u64::MAX;

struct Fixture {
    name: String,
    path: PathBuf,
    bytes: Vec<u8>,
    rows: usize,
    /// (name, pyarrow type, nullable)
    columns: Vec<(String, String, bool)>,
}

fn workspace() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("..")
}

fn fixture_dir() -> PathBuf {
    workspace().join("testdata/feather_v1")
}

fn fixtures() -> Vec<Fixture> {
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(fixture_dir().join("MANIFEST.json")).expect("manifest")).expect("json");
    manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|m| {
            let name = m["file"].as_str().expect("file").to_string();
            let path = fixture_dir().join(&name);
            Fixture {
                bytes: fs::read(&path).expect("fixture"),
                path,
                rows: m["num_rows"].as_u64().expect("rows") as usize,
                columns: m["columns"]
                    .as_array()
                    .expect("columns")
                    .iter()
                    .map(|c| {
                        let s = |k: &str| c[k].as_str().expect(k).to_string();
                        (s("name"), s("type"), c["nullable"].as_bool().expect("nullable"))
                    })
                    .collect(),
                name,
            }
        })
        .collect()
}

fn fixture(name: &str) -> Vec<u8> {
    fs::read(fixture_dir().join(name)).expect("fixture")
}

/// Reads with the input in an arrow allocation (64-byte aligned), as a table handle holds it.
fn read(bytes: &[u8]) -> Result<Decoded, CoreError> {
    feather_v1::read(&Buffer::from_slice_ref(bytes), None, NO_LIMIT)
}

fn project(bytes: &[u8], names: &[&str]) -> Result<Decoded, CoreError> {
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    feather_v1::read(&Buffer::from_slice_ref(bytes), Some(&names), NO_LIMIT)
}

fn num_rows(d: &Decoded) -> usize {
    d.batches.iter().map(RecordBatch::num_rows).sum()
}

/// Writes what was read as an Arrow IPC file.
fn write_ipc(d: &Decoded, path: &Path) {
    let file = fs::File::create(path).expect("create");
    let mut w = arrow_ipc::writer::FileWriter::try_new(file, &d.schema).expect("writer");
    for b in &d.batches {
        w.write(b).expect("write");
    }
    w.finish().expect("finish");
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("feather_v1").join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// `testdata/oracle.py compare` over `(expected, actual)` pairs, with `$ARROW_PYTHON` (the
/// project's venv when unset).
fn oracle_compare(pairs: &[(PathBuf, PathBuf)], scratch: &Path) -> Vec<serde_json::Value> {
    let manifest: Vec<_> = pairs.iter().map(|(e, a)| serde_json::json!({"expected": e, "actual": a})).collect();
    let list = scratch.join("compare.json");
    fs::write(&list, serde_json::to_vec(&manifest).expect("json")).expect("write");
    let python = std::env::var("ARROW_PYTHON")
        .unwrap_or_else(|_| workspace().join(".venv/bin/python").to_string_lossy().into_owned());
    let out = Command::new(&python)
        .arg(workspace().join("testdata/oracle.py"))
        .arg("compare")
        .arg(&list)
        .output()
        .unwrap_or_else(|e| panic!("running {python} (set ARROW_PYTHON to a python with pyarrow): {e}"));
    assert!(out.status.success(), "oracle failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("oracle json")
}

#[test]
fn the_manifest_covers_every_fixture_kind() {
    let all = fixtures();
    assert!(all.len() >= 14, "{} fixtures", all.len());
    for name in ["all_types.feather", "empty.feather", "pandas.feather", "nulls.feather", "duplicate_names.feather"] {
        assert!(all.iter().any(|f| f.name == name), "no {name}");
    }
    assert!(all.iter().all(|f| f.bytes.starts_with(b"FEA1") && f.bytes.ends_with(b"FEA1")));
    assert!(all.iter().all(|f| f.bytes.len() < 16 * 1024), "fixtures should stay small");
}

#[test]
fn every_fixture_reads_as_one_batch_with_pyarrows_names_and_row_count() {
    for f in fixtures() {
        let d = read(&f.bytes).unwrap_or_else(|e| panic!("{}: {e}", f.name));
        assert_eq!(d.batches.len(), 1, "{}", f.name);
        assert_eq!(num_rows(&d), f.rows, "{}", f.name);
        assert_eq!(d.schema.fields().len(), f.columns.len(), "{}", f.name);
        for (field, (name, ty, nullable)) in d.schema.fields().iter().zip(&f.columns) {
            assert_eq!(field.name(), name, "{}", f.name);
            assert_eq!(field.is_nullable(), *nullable, "{} {name}", f.name);
            // pyarrow names null-free types the same way, bar its spelling of a few.
            let dt = field.data_type();
            let expected_kind = match ty.as_str() {
                "string" => matches!(dt, DataType::Utf8),
                "large_string" => matches!(dt, DataType::LargeUtf8),
                "binary" => matches!(dt, DataType::Binary),
                "bool" => matches!(dt, DataType::Boolean),
                "double" => matches!(dt, DataType::Float64),
                "float" => matches!(dt, DataType::Float32),
                "date32[day]" => matches!(dt, DataType::Date32),
                t if t.starts_with("dictionary") => matches!(dt, DataType::Dictionary(_, _)),
                t if t.starts_with("timestamp") => matches!(dt, DataType::Timestamp(_, _)),
                _ => true,
            };
            assert!(expected_kind, "{} {name}: pyarrow reads {ty}, we read {dt}", f.name);
        }
    }
}

#[test]
fn every_fixture_equals_what_pyarrow_reads() {
    let dir = scratch("oracle");
    let mut pairs = Vec::new();
    for f in fixtures() {
        let d = read(&f.bytes).unwrap_or_else(|e| panic!("{}: {e}", f.name));
        let actual = dir.join(format!("{}.arrow", f.name));
        write_ipc(&d, &actual);
        pairs.push((f.path.clone(), actual));
    }
    let verdicts = oracle_compare(&pairs, &dir);
    assert_eq!(verdicts.len(), pairs.len());
    let unequal: Vec<_> = verdicts.iter().filter(|v| v["equal"] != true).collect();
    assert!(unequal.is_empty(), "pyarrow disagrees: {unequal:#?}");
}

#[test]
fn types_map_as_pyarrow_reads_them() {
    let d = read(&fixture("all_types.feather")).expect("read");
    let ty = |name: &str| d.schema.field_with_name(name).expect(name).data_type().clone();
    let dict = |k: DataType, v: DataType| DataType::Dictionary(Box::new(k), Box::new(v));
    assert_eq!(ty("uint64"), DataType::UInt64);
    assert_eq!(ty("large_binary"), DataType::LargeBinary);
    assert_eq!(ty("dict_int8_utf8_ordered"), dict(DataType::Int8, DataType::Utf8));
    assert_eq!(ty("dict_uint32_large_utf8"), dict(DataType::UInt32, DataType::LargeUtf8));
    assert_eq!(ty("dict_int32_int64"), dict(DataType::Int32, DataType::Int64));
    assert_eq!(ty("timestamp_ns_Europe_Paris"), DataType::Timestamp(TimeUnit::Nanosecond, Some("Europe/Paris".into())));
    assert_eq!(ty("timestamp_s"), DataType::Timestamp(TimeUnit::Second, None));
    assert_eq!(ty("time32_ms"), DataType::Time32(TimeUnit::Millisecond));
    // pyarrow writes a null-type column as an all-null utf8 column.
    assert_eq!(ty("null"), DataType::Utf8);
    assert_eq!(d.batches[0].column_by_name("null").expect("null").null_count(), d.batches[0].num_rows());
    let ordered = |name: &str| d.schema.field_with_name(name).expect(name).dict_is_ordered();
    assert_eq!(ordered("dict_int8_utf8_ordered"), Some(true));
    assert_eq!(ordered("dict_int32_utf8"), Some(false));
}

#[test]
fn projection_by_name_reads_only_those_columns_in_that_order() {
    let bytes = fixture("all_types.feather");
    let full = read(&bytes).expect("read");
    let names = ["utf8", "dict_int32_utf8", "int64", "timestamp_ms_UTC"];
    let projected = project(&bytes, &names).expect("projected");
    let indices: Vec<usize> = names.iter().map(|n| full.schema.index_of(n).expect("index")).collect();
    assert_eq!(projected.batches[0], full.batches[0].project(&indices).expect("project"));
    assert_eq!(*projected.schema, full.schema.project(&indices).expect("project"));
    let none = project(&bytes, &[]).expect("no columns");
    assert_eq!((none.schema.fields().len(), num_rows(&none)), (0, num_rows(&full)));
    assert!(matches!(project(&bytes, &["utf8", "nope"]), Err(CoreError::ColumnNotFound(_))));
}

#[test]
fn a_duplicated_name_is_ambiguous_to_project_but_reads_whole() {
    let bytes = fixture("duplicate_names.feather");
    let d = read(&bytes).expect("read");
    let names: Vec<&str> = d.schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["dup_a", "other", "dup_a"]);
    assert!(matches!(project(&bytes, &["dup_a"]), Err(CoreError::ColumnNotFound(m)) if m.contains("ambiguous")));
    assert_eq!(project(&bytes, &["other"]).expect("other").batches[0].num_columns(), 1);
}

#[test]
fn the_declared_size_limit_is_checked_before_decoding_and_counts_only_projected_columns() {
    let bytes = fixture("all_types.feather");
    let input = Buffer::from_slice_ref(&bytes);
    let err = feather_v1::read(&input, None, 1000).expect_err("over the limit");
    assert!(matches!(err, CoreError::LimitExceeded(_)), "{err}");
    // One small column fits where the whole table does not.
    let one = ["bool".to_string()];
    assert!(feather_v1::read(&input, Some(&one), 1000).is_ok());
    // The limit is the sum of the columns' declared bytes, which lie inside the file.
    let declared = (0..bytes.len() as u64)
        .collect::<Vec<_>>()
        .partition_point(|&limit| feather_v1::read(&input, None, limit).is_err()) as u64;
    assert!(declared > 1000 && declared < bytes.len() as u64, "declared {declared} of {}", bytes.len());
    assert!(feather_v1::read(&input, None, declared).is_ok());
    assert!(matches!(feather_v1::read(&input, None, declared - 1), Err(CoreError::LimitExceeded(_))));
}

#[test]
fn an_aligned_input_is_read_without_copying_and_a_misaligned_one_reads_the_same() {
    for f in fixtures().into_iter().filter(|f| f.rows > 0) {
        let input = Buffer::from_slice_ref(&f.bytes);
        let (lo, hi) = (input.as_ptr() as usize, input.as_ptr() as usize + input.len());
        let d = feather_v1::read(&input, None, NO_LIMIT).expect("read");
        let mut ranges = Vec::new();
        for c in d.batches[0].columns() {
            buffer_ranges(&c.to_data(), &mut ranges);
        }
        let outside: Vec<_> = ranges.iter().filter(|(p, n, _)| *n > 0 && (*p < lo || p + n > hi)).collect();
        assert!(outside.is_empty(), "{}: {} buffers were copied: {outside:?}", f.name, outside.len());

        // The same bytes one byte off: buffers wider than a byte must be copied to be aligned.
        let mut shifted = vec![0u8; 1];
        shifted.extend_from_slice(&f.bytes);
        let odd = Buffer::from_slice_ref(&shifted).slice(1);
        let again = feather_v1::read(&odd, None, NO_LIMIT).unwrap_or_else(|e| panic!("{} misaligned: {e}", f.name));
        assert_eq!(again.batches, d.batches, "{}", f.name);
    }
}

#[test]
fn table_read_sniffs_feather_v1_and_applies_the_generic_options() {
    let bytes = fixture("pandas.feather");
    let t = Table::read(Buffer::from(bytes.clone()), &ReadOptions::default()).expect("read");
    assert_eq!(t.source_format(), Some(DataFormat::FeatherV1));
    assert_eq!(t.batches(), read(&bytes).expect("read").batches.as_slice());
    let opts = ReadOptions { columns: Some(vec!["category".into()]), ..Default::default() };
    assert_eq!(Table::read(Buffer::from(bytes.clone()), &opts).expect("projected").num_columns(), 1);
    let small = ReadOptions { max_decompressed_bytes: Some(10), ..Default::default() };
    assert!(matches!(Table::read(Buffer::from(bytes), &small), Err(CoreError::LimitExceeded(_))));
}

/// Reads `bytes`, turning a panic into a test failure that names the input.
fn read_without_panic(bytes: &[u8], what: &str) -> Result<Decoded, CoreError> {
    without_panic(what, || read(bytes))
}

#[test]
fn truncated_copies_of_every_fixture_are_errors_never_panics() {
    for f in fixtures() {
        let n = f.bytes.len();
        let step = (n / 600).max(1);
        for cut in (0..n).filter(|c| *c < 256 || n - c < 512 || c % step == 0) {
            let what = format!("{} cut at {cut} of {n}", f.name);
            match read_without_panic(&f.bytes[..cut], &what) {
                Err(CoreError::Malformed(_)) => {}
                other => panic!("{what}: {:?}", other.map(|d| num_rows(&d))),
            }
        }
    }
}

#[test]
fn bit_flipped_copies_of_every_fixture_never_panic() {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut outcomes = [0usize; 3];
    for f in fixtures() {
        let n = f.bytes.len();
        // Every byte of the first 1 KiB (column data) and of the last (the metadata and footer),
        // and a sample of the rest.
        let mut positions: Vec<usize> = (0..n.min(1024)).chain(n.saturating_sub(1024)..n).collect();
        positions.extend((0..1500).map(|_| (xorshift(&mut state) % n as u64) as usize));
        for pos in positions {
            let mut copy = f.bytes.clone();
            let bit = (xorshift(&mut state) % 8) as u8;
            copy[pos] ^= 1 << bit;
            let what = format!("{} with bit {bit} of byte {pos} flipped", f.name);
            match read_without_panic(&copy, &what) {
                Ok(d) => {
                    outcomes[0] += 1;
                    // Whatever reads must also survive being written and validated again.
                    let _ = catch_unwind(AssertUnwindSafe(|| {
                        let mut w = arrow_ipc::writer::FileWriter::try_new(Vec::new(), &d.schema).expect("writer");
                        d.batches.iter().try_for_each(|b| w.write(b)).and_then(|_| w.finish())
                    }))
                    .unwrap_or_else(|_| panic!("writing panicked after reading {what}"));
                    for b in &d.batches {
                        for c in b.columns() {
                            c.to_data().validate_full().unwrap_or_else(|e| panic!("{what}: invalid array read: {e}"));
                        }
                    }
                }
                Err(CoreError::Malformed(_)) => outcomes[1] += 1,
                Err(_) => outcomes[2] += 1,
            }
        }
    }
    // Flips in values and padding read; flips in the metadata are mostly refused.
    assert!(outcomes[0] > 0 && outcomes[1] > 0, "{outcomes:?}");
}

#[test]
fn errors_name_the_problem() {
    let bytes = fixture("integers.feather");
    let mut no_footer = bytes.clone();
    no_footer.truncate(bytes.len() - 1);
    assert!(matches!(read(&no_footer), Err(CoreError::Malformed(m)) if m.contains("closing magic")));
    // The metadata length in the footer reaching past the start of the file.
    let mut long = bytes.clone();
    let at = long.len() - 8;
    long[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(read(&long), Err(CoreError::Malformed(m)) if m.contains("metadata length")));
    // Garbage where the metadata was.
    let mut garbage = bytes.clone();
    let len = u32::from_le_bytes(garbage[at..at + 4].try_into().unwrap()) as usize;
    garbage[at - len..at].fill(0xAB);
    assert!(matches!(read(&garbage), Err(CoreError::Malformed(m)) if m.contains("flatbuffer")));
}
