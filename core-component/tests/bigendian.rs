//! Big-endian Arrow IPC: every file and stream `testdata/make_bigendian_fixtures.py` made from the
//! Arrow integration gold files (and its own `extras` of the types those lack) reads equal to the
//! little-endian original, whole, as a stream and through the push decoder in chunks. The script
//! checks each fixture against pyarrow's read of its original; `host-tests/tests/bigendian.rs`
//! checks the component's reads against pyarrow directly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_buffer::Buffer;
use arrow_core::error::CoreError;
use arrow_core::format::Decoded;
use arrow_core::ipc::push::{PushDecoder, PushOptions};
use arrow_core::ipc::read::{IpcReadOptions, read_file, read_stream};

fn manifest_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default())
}

fn fixtures() -> PathBuf {
    manifest_dir().join("../testdata/ipc/bigendian")
}

fn gold() -> PathBuf {
    std::env::var_os("ARROW_TESTING_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("../../shared/testing"))
        .join("arrow-ipc-integration/1.0.0-littleendian")
}

/// Each big-endian fixture with the little-endian file it was made from.
fn pairs(extension: &str) -> Vec<(PathBuf, PathBuf)> {
    let suffix = format!(".be.{extension}");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(fixtures()).expect("testdata/ipc/bigendian") {
        let path = entry.unwrap().path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let Some(stem) = name.strip_suffix(&suffix) else { continue };
        let original = format!("{stem}.{extension}");
        let source = [fixtures().join(&original), gold().join(&original)].into_iter().find(|p| p.exists());
        if let Some(source) = source {
            out.push((path, source));
        }
    }
    out.sort();
    out
}

fn bytes(path: &Path) -> Buffer {
    Buffer::from(std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn same(name: &Path, got: &Decoded, want: &Decoded) {
    assert_eq!(got.schema, want.schema, "{}: schema", name.display());
    assert_eq!(got.batches.len(), want.batches.len(), "{}: batches", name.display());
    for (i, (g, w)) in got.batches.iter().zip(&want.batches).enumerate() {
        assert_eq!(g, w, "{}: batch {i}", name.display());
    }
}

#[test]
fn every_big_endian_file_reads_equal_to_its_little_endian_original() {
    let files = pairs("arrow_file");
    assert!(files.len() >= 20, "found {} big-endian files in {}", files.len(), fixtures().display());
    for (be, le) in &files {
        let got = read_file(&bytes(be), &IpcReadOptions::default()).unwrap_or_else(|e| panic!("{}: {e}", be.display()));
        let want = read_file(&bytes(le), &IpcReadOptions::default()).expect("little-endian original");
        same(be, &got, &want);
    }
}

fn push_all(bytes: &[u8], chunk: usize) -> Result<Vec<RecordBatch>, CoreError> {
    let mut d = PushDecoder::new(PushOptions::default());
    let mut out = Vec::new();
    for piece in bytes.chunks(chunk) {
        d.push(piece)?;
        while let Some(b) = d.next_batch() {
            out.push(b);
        }
    }
    d.finish()?;
    while let Some(b) = d.next_batch() {
        out.push(b);
    }
    Ok(out)
}

#[test]
fn every_big_endian_stream_reads_equal_whole_and_pushed_in_chunks() {
    let streams = pairs("stream");
    assert!(streams.len() >= 20, "found {} big-endian streams", streams.len());
    for (be, le) in &streams {
        let input = bytes(be);
        let got = read_stream(&input, &IpcReadOptions::default()).unwrap_or_else(|e| panic!("{}: {e}", be.display()));
        let want = read_stream(&bytes(le), &IpcReadOptions::default()).expect("little-endian original");
        same(be, &got, &want);
        for chunk in [1, 7, 64, 4096] {
            let pushed = push_all(input.as_slice(), chunk).unwrap_or_else(|e| panic!("{}: {e}", be.display()));
            assert_eq!(pushed, want.batches, "{} pushed in chunks of {chunk}", be.display());
        }
    }
}

#[test]
fn a_projection_of_a_big_endian_file_swaps_the_columns_it_keeps() {
    let be = fixtures().join("generated_primitive.be.arrow_file");
    let le = gold().join("generated_primitive.arrow_file");
    let want_all = read_file(&bytes(&le), &IpcReadOptions::default()).unwrap();
    let columns: Vec<String> = want_all.schema.fields().iter().rev().take(3).map(|f| f.name().clone()).collect();
    let options = IpcReadOptions { columns: Some(columns), ..IpcReadOptions::default() };
    let got = read_file(&bytes(&be), &options).unwrap();
    let want = read_file(&bytes(&le), &options).unwrap();
    same(&be, &got, &want);
}

#[test]
fn compressed_big_endian_is_refused_not_misread() {
    let be = fixtures().join("generated_lz4.be.stream");
    let Err(CoreError::UnsupportedFormat(m)) = read_stream(&bytes(&be), &IpcReadOptions::default()) else {
        panic!("compressed big-endian buffers cannot be swapped before decoding: must be refused")
    };
    assert!(m.contains("big-endian") && m.contains("compressed"), "{m}");
}
