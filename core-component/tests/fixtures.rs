//! Native tests of the core's reader and writer on the pyarrow fixtures in `testdata/ipc`,
//! checked against arrow-ipc's own readers, plus the robustness sweep: no truncated or
//! bit-flipped copy of any fixture may make the reader panic (in WASM a panic is a trap).

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;
use common::{buffer_ranges, without_panic, xorshift};

use std::fs;
use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use arrow_array::{Array, RecordBatch};
use arrow_buffer::Buffer;
use arrow_core::format::DataFormat;
use arrow_core::ipc::write::{Compression, Framing, WriteOptions};
use arrow_core::{CoreError, ReadOptions, Table};

struct Fixture {
    name: String,
    bytes: Vec<u8>,
    format: DataFormat,
    rows: u64,
    batches: usize,
    compression: String,
}

fn fixture_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("../testdata/ipc")
}

fn fixtures() -> Vec<Fixture> {
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(fixture_dir().join("MANIFEST.json")).expect("manifest")).expect("json");
    manifest
        .as_array()
        .expect("list")
        .iter()
        .map(|m| {
            let name = m["file"].as_str().expect("file").to_string();
            Fixture {
                bytes: fs::read(fixture_dir().join(&name)).expect("fixture"),
                format: match m["format"].as_str() {
                    Some("arrow-file") => DataFormat::ArrowFile,
                    _ => DataFormat::ArrowStream,
                },
                rows: m["num_rows"].as_u64().expect("rows"),
                batches: m["num_batches"].as_u64().expect("batches") as usize,
                compression: m["compression"].as_str().expect("compression").to_string(),
                name,
            }
        })
        .collect()
}

/// What arrow-ipc's own (trusting) readers make of the bytes: the reference.
fn reference(f: &Fixture) -> Vec<RecordBatch> {
    // arrow-rs's FileReader refuses pyarrow's V4 file ("metadata versions mismatch": its footer
    // says V5, its messages V4) although pyarrow and our reader read it; its data is exactly
    // primitives.arrow's, which pyarrow wrote alongside.
    if f.name == "v4.arrow" {
        let twin = fs::read(fixture_dir().join("primitives.arrow")).expect("fixture");
        return reference(&Fixture { bytes: twin, name: String::new(), compression: f.compression.clone(), ..*f });
    }
    match f.format {
        DataFormat::ArrowFile => arrow_ipc::reader::FileReader::try_new(Cursor::new(&f.bytes), None)
            .expect("reference reader")
            .collect::<Result<_, _>>()
            .expect("reference batches"),
        _ => arrow_ipc::reader::StreamReader::try_new(Cursor::new(&f.bytes), None)
            .expect("reference reader")
            .collect::<Result<_, _>>()
            .expect("reference batches"),
    }
}

fn read(bytes: &[u8]) -> Result<Table, CoreError> {
    Table::read(Buffer::from(bytes.to_vec()), &ReadOptions::default())
}

#[test]
fn the_manifest_covers_every_fixture_kind() {
    let all = fixtures();
    assert!(all.len() >= 20, "{} fixtures", all.len());
    for c in ["none", "lz4", "zstd"] {
        assert!(all.iter().any(|f| f.compression == c), "no {c} fixture");
    }
}

#[test]
fn every_fixture_reads_equal_to_arrow_ipc() {
    for f in fixtures() {
        let t = read(&f.bytes).unwrap_or_else(|e| panic!("{}: {e}", f.name));
        assert_eq!(t.source_format(), Some(f.format), "{}", f.name);
        assert_eq!(t.num_rows(), f.rows, "{}", f.name);
        assert_eq!(t.batches().len(), f.batches, "{}", f.name);
        let expected = reference(&f);
        assert_eq!(t.batches(), expected.as_slice(), "{}", f.name);
    }
}

#[test]
fn projection_by_name_decodes_only_those_columns_in_that_order() {
    let bytes = fs::read(fixture_dir().join("lz4.arrow")).expect("fixture");
    let full = read(&bytes).expect("read");
    let names = ["utf8", "int64"];
    let opts = ReadOptions { columns: Some(names.iter().map(|s| s.to_string()).collect()), ..Default::default() };
    let projected = Table::read(Buffer::from(bytes.clone()), &opts).expect("projected read");
    assert_eq!(projected.batches(), full.select(&names).expect("select").batches());
    let missing = ReadOptions { columns: Some(vec!["nope".into()]), ..Default::default() };
    assert!(matches!(Table::read(Buffer::from(bytes), &missing), Err(CoreError::ColumnNotFound(_))));
}

#[test]
fn batch_size_splits_batches_without_changing_rows() {
    let bytes = fs::read(fixture_dir().join("multibatch.arrows")).expect("fixture");
    let t = Table::read(Buffer::from(bytes.clone()), &ReadOptions { batch_size: Some(7), ..Default::default() })
        .expect("read");
    let whole = read(&bytes).expect("read");
    assert!(t.batches().iter().all(|b| b.num_rows() <= 7));
    assert!(t.batches().len() > whole.batches().len());
    assert_eq!(t.num_rows(), whole.num_rows());
    let concat = |t: &Table| arrow_select::concat::concat_batches(t.schema(), t.batches()).expect("concat");
    assert_eq!(concat(&t), concat(&whole));
}

#[test]
fn uncompressed_reads_point_into_the_input_without_copying() {
    // A delta dictionary is the concatenation of its parts, so it is necessarily a new buffer.
    for f in
        fixtures().into_iter().filter(|f| f.compression == "none" && f.rows > 0 && f.name != "dictionary_delta.arrows")
    {
        let input = Buffer::from(f.bytes.clone());
        let (lo, hi) = (input.as_ptr() as usize, input.as_ptr() as usize + input.len());
        let t = Table::read(input.clone(), &ReadOptions::default()).expect("read");
        let mut ranges = Vec::new();
        for b in t.batches() {
            for c in b.columns() {
                buffer_ranges(&c.to_data(), &mut ranges);
            }
        }
        // IPC promises bodies 8-byte alignment only (stream metadata is padded to 8), while Rust's
        // i128/i256 want 16: arrow must copy decimal128/256 buffers that land off 16, and only those.
        let realigned = |dt: &arrow_schema::DataType| {
            matches!(dt, arrow_schema::DataType::Decimal128(_, _) | arrow_schema::DataType::Decimal256(_, _))
        };
        let outside: Vec<_> =
            ranges.iter().filter(|(p, n, dt)| *n > 0 && (*p < lo || p + n > hi) && !realigned(dt)).collect();
        assert!(outside.is_empty(), "{}: {} buffers were copied: {outside:?}", f.name, outside.len());
    }
}

#[test]
fn a_declared_decompressed_size_beyond_the_limit_is_refused_before_allocating() {
    let bytes = fs::read(fixture_dir().join("lz4.arrow")).expect("fixture");
    let small = ReadOptions { max_decompressed_bytes: Some(10_000), ..Default::default() };
    let err = Table::read(Buffer::from(bytes.clone()), &small).expect_err("over the limit");
    assert!(matches!(err, CoreError::LimitExceeded(_)), "{err}");
    assert!(Table::read(Buffer::from(bytes), &ReadOptions::default()).is_ok());
}

fn every_option_set() -> Vec<WriteOptions> {
    let mut out = Vec::new();
    for framing in [Framing::File, Framing::Stream] {
        for (compression, zstd_level) in [
            (Compression::None, None),
            (Compression::Lz4Frame, None),
            (Compression::Zstd, None),
            (Compression::Zstd, Some(9)),
        ] {
            for alignment in [8, 64] {
                out.push(WriteOptions { framing, compression, zstd_level, alignment, ..Default::default() });
            }
        }
        out.push(WriteOptions { framing, metadata_v5: false, ..Default::default() });
    }
    out.push(WriteOptions { framing: Framing::Stream, metadata_v5: false, legacy_format: true, ..Default::default() });
    out.push(WriteOptions { framing: Framing::Stream, dictionary_deltas: true, ..Default::default() });
    out
}

#[test]
fn every_fixture_written_with_every_option_set_reads_back_equal() {
    for f in fixtures() {
        let t = read(&f.bytes).expect("read");
        for o in every_option_set() {
            let bytes = t.write_ipc(&o).unwrap_or_else(|e| panic!("{} {o:?}: {e}", f.name));
            let back = read(&bytes).unwrap_or_else(|e| panic!("{} {o:?}: {e}", f.name));
            assert_eq!(back.schema(), t.schema(), "{} {o:?}", f.name);
            assert_eq!(back.batches(), t.batches(), "{} {o:?}", f.name);
            let format = if o.framing == Framing::File { DataFormat::ArrowFile } else { DataFormat::ArrowStream };
            let reference = reference(&Fixture {
                bytes,
                format,
                name: String::new(),
                rows: 0,
                batches: 0,
                compression: String::new(),
            });
            assert_eq!(reference.as_slice(), t.batches(), "{} {o:?}: arrow-ipc disagrees", f.name);
        }
    }
}

#[test]
fn compression_options_change_the_bytes_as_asked() {
    let t = read(&fs::read(fixture_dir().join("lz4.arrow")).expect("fixture")).expect("read");
    let size = |o: WriteOptions| t.write_ipc(&o).expect("write").len();
    let plain = size(WriteOptions::default());
    let lz4 = size(WriteOptions { compression: Compression::Lz4Frame, ..Default::default() });
    let zstd1 = size(WriteOptions { compression: Compression::Zstd, zstd_level: Some(1), ..Default::default() });
    let zstd19 = size(WriteOptions { compression: Compression::Zstd, zstd_level: Some(19), ..Default::default() });
    assert!(lz4 < plain && zstd1 < plain, "plain {plain} lz4 {lz4} zstd {zstd1}");
    assert!(zstd19 < zstd1, "zstd 19 ({zstd19}) should beat zstd 1 ({zstd1})");
    let a8 = size(WriteOptions { alignment: 8, ..Default::default() });
    assert!(a8 < plain, "8-byte alignment ({a8}) pads less than 64 ({plain})");
}

#[test]
fn contradictory_write_options_are_invalid_arguments() {
    let t = read(&fs::read(fixture_dir().join("primitives.arrow")).expect("fixture")).expect("read");
    let bad = [
        WriteOptions { alignment: 3, ..Default::default() },
        WriteOptions { compression: Compression::Lz4Frame, zstd_level: Some(3), ..Default::default() },
        WriteOptions { compression: Compression::Zstd, zstd_level: Some(99), ..Default::default() },
        WriteOptions { compression: Compression::Lz4Frame, metadata_v5: false, ..Default::default() },
        WriteOptions { legacy_format: true, framing: Framing::Stream, ..Default::default() },
        WriteOptions { dictionary_deltas: true, framing: Framing::File, ..Default::default() },
    ];
    for o in bad {
        assert!(matches!(t.write_ipc(&o), Err(CoreError::InvalidArgument(_))), "{o:?} was accepted");
    }
}

#[test]
fn recognised_but_unsupported_and_unknown_formats_are_typed_errors() {
    let parquet = fs::read(fixture_dir().join("not_arrow.parquet")).expect("fixture");
    if cfg!(feature = "parquet") {
        assert!(read(&parquet).is_ok());
    } else {
        assert!(matches!(read(&parquet), Err(CoreError::UnsupportedFormat(m)) if m.contains("parquet")));
    }
    let garbage = fs::read(fixture_dir().join("not_arrow.bin")).expect("fixture");
    assert!(matches!(read(&garbage), Err(CoreError::UnknownFormat(_))));
    // An explicit format overrides sniffing: a file read as a stream is malformed, not a file.
    let file = fs::read(fixture_dir().join("primitives.arrow")).expect("fixture");
    let as_stream = ReadOptions { format: Some(DataFormat::ArrowStream), ..Default::default() };
    assert!(matches!(Table::read(Buffer::from(file), &as_stream), Err(CoreError::Malformed(_))));
}

/// Reads `bytes`, turning a panic into a test failure that names the input.
fn read_without_panic(bytes: &[u8], what: &str) -> Result<Table, CoreError> {
    without_panic(what, || read(bytes))
}

#[test]
fn truncated_copies_of_every_fixture_error_or_lose_whole_batches_never_panic() {
    for f in fixtures() {
        let n = f.bytes.len();
        let step = (n / 600).max(1);
        for cut in (0..n).filter(|c| *c < 256 || c % step == 0) {
            match read_without_panic(&f.bytes[..cut], &format!("{} cut at {cut}", f.name)) {
                Err(_) => {}
                // A stream cut exactly between messages is a shorter valid stream, as in pyarrow.
                Ok(t) => assert!(
                    f.format == DataFormat::ArrowStream && t.num_rows() <= f.rows,
                    "{} cut at {cut} of {n} read as {} rows",
                    f.name,
                    t.num_rows()
                ),
            }
        }
    }
}

#[test]
fn bit_flipped_copies_of_every_fixture_never_panic() {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for f in fixtures() {
        let n = f.bytes.len();
        // Every byte of the first 1 KiB (schema, framing, first headers) and of the footer, and
        // a sample of the rest.
        let mut positions: Vec<usize> = (0..n.min(1024)).chain(n.saturating_sub(1024)..n).collect();
        positions.extend((0..1500).map(|_| (xorshift(&mut state) % n as u64) as usize));
        for pos in positions {
            let mut copy = f.bytes.clone();
            let bit = (xorshift(&mut state) % 8) as u8;
            copy[pos] ^= 1 << bit;
            let what = format!("{} with bit {bit} of byte {pos} flipped", f.name);
            if let Ok(t) = read_without_panic(&copy, &what) {
                // Whatever decodes must also survive being written again.
                let o = WriteOptions { compression: Compression::Lz4Frame, ..Default::default() };
                let _ = catch_unwind(AssertUnwindSafe(|| t.write_ipc(&o)))
                    .unwrap_or_else(|_| panic!("writing panicked after reading {what}"));
            }
        }
    }
}

#[test]
fn a_huge_declared_length_in_a_compressed_buffer_is_refused() {
    // Rewrite the 8-byte length prefix of the first compressed buffer to 2^40: unchecked, arrow-ipc
    // would reserve a terabyte and abort the instance.
    let bytes = fs::read(fixture_dir().join("lz4.arrows")).expect("fixture");
    let clean = read(&bytes).expect("read");
    let first_rows = clean.batches()[0].num_rows();
    assert!(first_rows > 0);
    let mut found = 0;
    for at in 0..bytes.len() - 8 {
        let v = i64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
        // A length prefix is followed by an LZ4 frame magic.
        if v > 0 && bytes.get(at + 8..at + 12) == Some(&[0x04, 0x22, 0x4D, 0x18][..]) {
            let mut copy = bytes.clone();
            copy[at..at + 8].copy_from_slice(&(1i64 << 40).to_le_bytes());
            let err = read_without_panic(&copy, "a 1 TiB length prefix").expect_err("must be refused");
            assert!(matches!(err, CoreError::LimitExceeded(_)), "{err}");
            found += 1;
        }
    }
    assert!(found > 0, "no LZ4 buffer found in the fixture");
}

#[test]
fn slice_select_and_concat_share_buffers_and_keep_values() {
    let t = read(&fs::read(fixture_dir().join("multibatch.arrows")).expect("fixture")).expect("read");
    let rows = t.num_rows();
    let whole = arrow_select::concat::concat_batches(t.schema(), t.batches()).expect("concat");
    for (off, len) in [(0, rows), (1, 3), (rows - 1, 10), (rows, 5), (17, 200)] {
        let s = t.slice(off, len).expect("slice");
        let got = arrow_select::concat::concat_batches(s.schema(), s.batches()).expect("concat");
        let n = len.min(rows - off) as usize;
        assert_eq!(got, whole.slice(off as usize, n), "slice({off}, {len})");
    }
    assert!(matches!(t.slice(rows + 1, 1), Err(CoreError::OutOfBounds(_))));
    let both = Table::concat(&[&t, &t.slice(2, 5).expect("slice")]).expect("concat");
    assert_eq!(both.num_rows(), rows + 5);
    let other = read(&fs::read(fixture_dir().join("primitives.arrow")).expect("fixture")).expect("read");
    assert!(matches!(Table::concat(&[&t, &other]), Err(CoreError::SchemaMismatch(_))));
    assert!(matches!(Table::concat(&[]), Err(CoreError::InvalidArgument(_))));
    let first = t.schema().field(0).name().clone();
    let sel = t.select(&[first.as_str()]).expect("select");
    assert_eq!(sel.num_columns(), 1);
    assert_eq!(sel.batches()[0].column(0).to_data(), t.batches()[0].column(0).to_data());
    assert!(matches!(t.select(&["missing"]), Err(CoreError::ColumnNotFound(_))));
    assert_eq!(sel.batches()[0].column(0).len(), t.batches()[0].num_rows());
    // A name twice would make later lookups by name ambiguous.
    assert!(matches!(t.select(&[first.as_str(), first.as_str()]), Err(CoreError::InvalidArgument(_))));
    // No columns: the rows are kept in IPC, and Parquet (which counts rows through its columns)
    // refuses rather than writing a file of 0 rows.
    let none = t.select::<&str>(&[]).expect("select nothing");
    assert_eq!(none.num_rows(), rows);
    let refused = arrow_core::parquet::write(none.schema(), none.batches(), &Default::default());
    assert!(matches!(refused, Err(CoreError::InvalidArgument(_))), "{refused:?}");
}
