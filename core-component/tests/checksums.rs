//! Parquet page checksums: a page whose header carries a CRC is checked before it is decoded, so a
//! flipped bit in its bytes is `malformed-input` naming the page, never a wrong value. The files
//! come from `testdata/make_checksum_fixtures.py` (pyarrow, `write_page_checksum=True`).
#![cfg(feature = "parquet")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::fs;
use std::path::PathBuf;

use arrow_array::{Array, Int64Array};
use arrow_core::CoreError;
use arrow_core::parquet::{ParquetReadOptions, ParquetWriteOptions, read};
use bytes::Bytes;

fn fixture(name: &str) -> Vec<u8> {
    let dir =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("../testdata/parquet/checksums");
    fs::read(dir.join(name)).expect("fixture")
}

fn id(i: i64) -> i64 {
    i * 0x0101010101 + 0x1122334455
}

fn ids(bytes: Vec<u8>) -> Result<Vec<i64>, CoreError> {
    let d = read(Bytes::from(bytes), &ParquetReadOptions::default())?;
    Ok(d.batches
        .iter()
        .flat_map(|b| b.column(0).as_any().downcast_ref::<Int64Array>().expect("int64").values().to_vec())
        .collect())
}

#[test]
fn files_with_checksums_read_whole() {
    let expected: Vec<i64> = (0..1000).map(id).collect();
    assert_eq!(ids(fixture("page_crc.parquet")).expect("read"), expected);
    assert_eq!(ids(fixture("page_crc_dictionary.parquet")).expect("read"), expected);
}

#[test]
fn a_flipped_bit_in_a_plain_page_is_refused_naming_the_page() {
    let mut bytes = fixture("page_crc.parquet");
    // The 750th value (in row group 1), found by its bytes: without the checksum this reads as a
    // different number, silently.
    let needle = id(750).to_le_bytes();
    let at = bytes.windows(8).position(|w| w == needle).expect("value in the file");
    bytes[at + 2] ^= 0x10;
    let Err(CoreError::Malformed(m)) = ids(bytes) else { panic!("a damaged page must be refused") };
    assert!(m.contains("column id") && m.contains("row group 1") && m.contains("CRC"), "{m}");
    assert!(m.contains("page 0"), "{m}");
}

#[test]
fn a_damaged_compressed_page_fails_its_checksum_before_it_is_decompressed() {
    let mut bytes = fixture("page_crc_dictionary.parquet");
    use ::parquet::file::reader::FileReader;
    // The last byte of the first row group's `name` chunk is inside that chunk's last page.
    let file =
        ::parquet::file::serialized_reader::SerializedFileReader::new(Bytes::from(bytes.clone())).expect("reader");
    let (start, len) = file.metadata().row_group(0).column(1).byte_range();
    let last = usize::try_from(start + len - 1).expect("offset");
    bytes[last] ^= 0x01;
    let Err(CoreError::Malformed(m)) = read(Bytes::from(bytes), &ParquetReadOptions::default()) else {
        panic!("a damaged page must be refused")
    };
    assert!(m.contains("column name") && m.contains("row group 0") && m.contains("CRC"), "{m}");
}

/// The fixture's table (an int64 and a dictionary-encoded string column over two row groups)
/// written again by the core with `options`.
fn rewritten(options: &ParquetWriteOptions) -> Vec<u8> {
    let d = read(Bytes::from(fixture("page_crc_dictionary.parquet")), &ParquetReadOptions::default()).expect("read");
    arrow_core::parquet::write(&d.schema, &d.batches, options).expect("write")
}

/// Places to damage, one per page kind the file has: the last byte of each column chunk (inside
/// its last data page) and, where a chunk has a dictionary page, a byte well inside it.
fn damage_points(bytes: &[u8]) -> Vec<(String, usize)> {
    use ::parquet::file::reader::FileReader;
    let file = ::parquet::file::serialized_reader::SerializedFileReader::new(Bytes::from(bytes.to_vec())).unwrap();
    let mut out = Vec::new();
    for (r, rg) in file.metadata().row_groups().iter().enumerate() {
        for (c, chunk) in rg.columns().iter().enumerate() {
            let (start, len) = chunk.byte_range();
            out.push((format!("row group {r} column {c} last data page"), usize::try_from(start + len - 1).unwrap()));
            // Three quarters into a dictionary page long enough to be past its header (a few
            // dozen bytes).
            if let Some(dict) = chunk.dictionary_page_offset().filter(|d| chunk.data_page_offset() - d > 200) {
                let inside = dict + (chunk.data_page_offset() - dict) * 3 / 4;
                out.push((format!("row group {r} column {c} dictionary page"), usize::try_from(inside).unwrap()));
            }
        }
    }
    out
}

#[test]
fn written_pages_carry_checksums_by_default_and_the_option_turns_them_off() {
    for version_2 in [false, true] {
        let on = ParquetWriteOptions { writer_version_2: version_2, ..ParquetWriteOptions::default() };
        assert!(on.page_checksums, "on by default");
        let bytes = rewritten(&on);
        assert!(read(Bytes::from(bytes.clone()), &ParquetReadOptions::default()).is_ok(), "its own file reads");
        let points = damage_points(&bytes);
        assert!(points.iter().any(|(what, _)| what.contains("dictionary")), "{points:?}");
        for (what, at) in &points {
            let mut damaged = bytes.clone();
            damaged[*at] ^= 0x01;
            let Err(CoreError::Malformed(m)) = read(Bytes::from(damaged), &ParquetReadOptions::default()) else {
                panic!("v2={version_2} {what}: a damaged page must fail its checksum")
            };
            assert!(m.contains("CRC"), "{what}: {m}");
        }
        // Without checksums the same damage is not caught as such: it decodes to other values, or
        // fails somewhere in decoding.
        let off = ParquetWriteOptions { page_checksums: false, ..on };
        let bytes = rewritten(&off);
        for (what, at) in damage_points(&bytes) {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x01;
            let result = read(Bytes::from(damaged), &ParquetReadOptions::default());
            assert!(
                !matches!(&result, Err(CoreError::Malformed(m)) if m.contains("CRC")),
                "v2={version_2} {what}: no CRC written"
            );
        }
    }
}
