//! The IPC push decoder: every stream fixture and gold stream, pushed in chunks of every size,
//! decodes to the batches of a whole read; truncations are typed errors at `finish`; the ceiling
//! refuses pushes without losing anything.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::path::PathBuf;

use arrow_array::RecordBatch;
use arrow_buffer::Buffer;
use arrow_core::error::CoreError;
use arrow_core::ipc::push::{PushDecoder, PushOptions};
use arrow_core::ipc::read::{IpcReadOptions, read_stream};
use proptest::prelude::*;

fn streams() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let ipc = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("../testdata/ipc");
    for entry in std::fs::read_dir(&ipc).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "arrows") {
            out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    let gold = std::env::var_os("ARROW_TESTING_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("../../shared/testing")
        })
        .join("arrow-ipc-integration");
    for version in ["1.0.0-littleendian", "2.0.0-compression"] {
        for entry in std::fs::read_dir(gold.join(version)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "stream") {
                out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    assert!(out.len() >= 30, "found {} streams", out.len());
    out
}

/// Pushes `bytes` cut at `cuts` (sorted positions), pulling after every push.
fn push_all(bytes: &[u8], cuts: &[usize]) -> Result<Vec<RecordBatch>, CoreError> {
    let mut d = PushDecoder::new(PushOptions::default());
    let mut out = Vec::new();
    let mut at = 0;
    for &cut in cuts.iter().chain(std::iter::once(&bytes.len())) {
        d.push(&bytes[at..cut])?;
        at = cut;
        out.extend(std::iter::from_fn(|| d.next_batch()));
    }
    d.finish()?;
    out.extend(std::iter::from_fn(|| d.next_batch()));
    assert!(d.is_done());
    Ok(out)
}

fn whole(bytes: &[u8]) -> Result<Vec<RecordBatch>, CoreError> {
    read_stream(&Buffer::from(bytes.to_vec()), &IpcReadOptions::default()).map(|d| d.batches)
}

#[test]
fn every_stream_in_chunks_of_every_size_decodes_as_a_whole_read() {
    for (name, bytes) in streams() {
        let expected = whole(&bytes);
        for size in [1, 2, 3, 7, 8, 13, 64, 1000, 65536] {
            let cuts: Vec<usize> = (size..bytes.len()).step_by(size).collect();
            let got = push_all(&bytes, &cuts);
            match (&expected, &got) {
                (Ok(e), Ok(g)) => assert_eq!(e, g, "{name} in chunks of {size}"),
                (Err(e), Err(g)) => assert_eq!(std::mem::discriminant(e), std::mem::discriminant(g), "{name}"),
                other => panic!("{name} in chunks of {size}: {other:?}"),
            }
        }
    }
}

/// A stream of `n` batches of 10,000 int64 rows written by arrow-ipc.
fn big_stream(n: i64) -> Vec<u8> {
    let column = std::sync::Arc::new(arrow_array::Int64Array::from_iter_values(0..10_000));
    let batch = RecordBatch::try_from_iter([("v", column as arrow_array::ArrayRef)]).unwrap();
    let mut out = Vec::new();
    let mut w = arrow_ipc::writer::StreamWriter::try_new(&mut out, &batch.schema()).unwrap();
    for _ in 0..n {
        w.write(&batch).unwrap();
    }
    w.finish().unwrap();
    drop(w);
    out
}

#[test]
fn the_schema_is_known_once_the_header_is_in_and_truncations_fail_at_finish() {
    let bytes = big_stream(3);
    // The schema message: continuation marker, length, metadata (no body).
    let header = 8 + u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    let mut d = PushDecoder::new(PushOptions::default());
    d.push(&bytes[..header - 1]).unwrap();
    assert!(d.schema().is_none());
    d.push(&bytes[header - 1..header]).unwrap();
    assert_eq!(d.schema().unwrap().field(0).name(), "v", "known as soon as the header is in");
    assert!(d.next_batch().is_none());
    for cut in [1, 5, header + 3, bytes.len() / 2, bytes.len() - 9] {
        let mut d = PushDecoder::new(PushOptions::default());
        d.push(&bytes[..cut]).unwrap();
        let e = d.finish().unwrap_err();
        assert!(matches!(e, CoreError::Malformed(_)), "cut at {cut}: {e:?}");
    }
    // Bytes after the end-of-stream marker are refused.
    let mut d = PushDecoder::new(PushOptions::default());
    d.push(&bytes).unwrap();
    assert!(matches!(d.push(b"more"), Err(CoreError::Malformed(_))));
}

#[test]
fn the_ceiling_refuses_a_push_and_keeps_what_it_holds() {
    let bytes = big_stream(20);
    let ceiling = 256 * 1024;
    assert!(bytes.len() > 4 * ceiling, "the stream is larger than the ceiling");
    let options = PushOptions { max_buffered_bytes: ceiling as u64, ..PushOptions::default() };
    let mut d = PushDecoder::new(options);
    let mut batches = Vec::new();
    let mut refused = 0;
    let mut at = 0;
    while at < bytes.len() {
        let end = (at + 16 * 1024).min(bytes.len());
        match d.push(&bytes[at..end]) {
            Ok(()) => at = end,
            Err(CoreError::LimitExceeded(_)) => {
                refused += 1;
                let before = batches.len();
                batches.extend(std::iter::from_fn(|| d.next_batch()));
                assert!(batches.len() > before, "a refused push leaves batches to pull");
            }
            Err(e) => panic!("{e:?}"),
        }
        assert!(d.buffered_bytes() <= ceiling as u64 + 100_000, "held {}", d.buffered_bytes());
    }
    d.finish().unwrap();
    batches.extend(std::iter::from_fn(|| d.next_batch()));
    assert!(refused > 0, "the ceiling was reached");
    assert_eq!(batches, whole(&bytes).unwrap());
    // A message declaring more than the ceiling is refused before its bytes are waited for.
    let mut d = PushDecoder::new(PushOptions { max_buffered_bytes: 1000, ..PushOptions::default() });
    let e = d.push(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1]).unwrap_err();
    assert!(matches!(e, CoreError::LimitExceeded(_)), "{e:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_cuts_decode_as_a_whole_read(pick in 0usize..1000, mut cuts in proptest::collection::vec(0usize..1_000_000, 0..40)) {
        let all = streams();
        let (name, bytes) = &all[pick % all.len()];
        for c in &mut cuts {
            *c %= bytes.len().max(1);
        }
        cuts.sort_unstable();
        let expected = whole(bytes).unwrap();
        let got = push_all(bytes, &cuts).unwrap();
        prop_assert_eq!(expected, got, "{}", name);
    }

    #[test]
    fn corrupted_streams_give_errors_never_panics(pick in 0usize..1000, at in 0usize..1_000_000, bits in 1u8..=255, chunk in 1usize..300) {
        let all = streams();
        let (name, bytes) = &all[pick % all.len()];
        let mut bytes = bytes.clone();
        let at = at % bytes.len();
        bytes[at] ^= bits;
        let cuts: Vec<usize> = (chunk..bytes.len()).step_by(chunk).collect();
        let _ = common::without_panic(name, || push_all(&bytes, &cuts));
    }
}
