//! Parquet page checksums: a page whose header carries a CRC is checked before it is decoded, so a
//! flipped bit in its bytes is `malformed-input` naming the page, never a wrong value. The files
//! come from `testdata/make_checksum_fixtures.py` (pyarrow, `write_page_checksum=True`).
#![cfg(feature = "parquet")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::fs;
use std::path::PathBuf;

use arrow_array::{Array, Int64Array};
use arrow_core::CoreError;
use arrow_core::parquet::{ParquetReadOptions, read};
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
