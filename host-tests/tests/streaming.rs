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
