//! Every fixture read through the component under wasmtime equals what pyarrow reads, and what
//! the component writes, with every compression and framing, pyarrow reads back equal.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::PathBuf;

use host_tests::{
    DataFormat, DictionaryHandling, Fixture, Host, IpcCompression, IpcFraming, IpcWriteOptions, MetadataVersion,
    fixtures, oracle, scratch, write_options,
};

/// arrow-rs's own reading of a fixture's schema: the expected type text of each column.
fn native_types(f: &Fixture) -> Vec<String> {
    let bytes = f.bytes();
    let schema = if f.format == "arrow-file" {
        arrow_ipc::reader::FileReader::try_new(Cursor::new(bytes), None).expect("native reader").schema()
    } else {
        arrow_ipc::reader::StreamReader::try_new(Cursor::new(bytes), None).expect("native reader").schema()
    };
    schema.fields().iter().map(|f| f.data_type().to_string()).collect()
}

fn pairs_of(json: &serde_json::Value) -> BTreeMap<String, String> {
    json.as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string())).collect())
        .unwrap_or_default()
}

#[test]
fn every_fixture_reads_equal_to_what_pyarrow_reads() {
    let mut h = Host::new().expect("host");
    let dir = scratch("read");
    let all = fixtures();
    let described = oracle::describe(&all.iter().map(Fixture::path).collect::<Vec<_>>()).expect("describe");
    let mut pairs = Vec::new();
    for (f, py) in all.iter().zip(&described) {
        let t = h.read_ok(&f.bytes());
        let expected_format = if f.format == "arrow-file" { DataFormat::ArrowFile } else { DataFormat::ArrowStream };
        assert_eq!(h.source_format(t).expect("call"), Some(expected_format), "{}", f.file);
        assert_eq!(h.num_rows(t).expect("call"), py["num_rows"].as_u64().expect("rows"), "{}", f.file);
        assert_eq!(h.num_batches(t).expect("call"), f.num_batches, "{}", f.file);

        let schema = h.schema(t).expect("call");
        let py_columns = py["columns"].as_array().expect("columns");
        assert_eq!(h.num_columns(t).expect("call") as usize, py_columns.len(), "{}", f.file);
        assert_eq!(schema.columns.len(), py_columns.len(), "{}", f.file);
        for ((c, pc), native) in schema.columns.iter().zip(py_columns).zip(native_types(f)) {
            assert_eq!(c.name, pc["name"].as_str().expect("name"), "{}", f.file);
            assert_eq!(c.nullable, pc["nullable"].as_bool().expect("nullable"), "{} {}", f.file, c.name);
            let meta: BTreeMap<_, _> = c.metadata.iter().map(|kv| (kv.key.clone(), kv.value.clone())).collect();
            assert_eq!(meta, pairs_of(&pc["metadata"]), "{} {}", f.file, c.name);
            assert_eq!(c.arrow_type, native, "{} {}", f.file, c.name);
            assert_eq!(c.owner_plugin, None);
        }
        let meta: BTreeMap<_, _> = schema.metadata.iter().map(|kv| (kv.key.clone(), kv.value.clone())).collect();
        assert_eq!(meta, pairs_of(&py["metadata"]), "{}", f.file);

        // The values: the component writes them out plainly and pyarrow compares. Stream framing
        // keeps each batch's dictionary exactly as read (a file would unify them).
        let out = dir.join(format!("{}.arrows", f.file));
        let bytes =
            h.write_ipc(t, &write_options(IpcFraming::Stream, IpcCompression::None)).expect("call").expect("write");
        std::fs::write(&out, bytes).expect("write file");
        pairs.push((f.path(), out));
        h.free(t).expect("free");
    }
    for c in oracle::compare(&pairs, &dir).expect("oracle") {
        assert!(c.equal, "{} read through the component differs: {}", c.expected.display(), c.detail);
    }
}

/// Every option set the tests write with, named for messages.
fn option_sets() -> Vec<(&'static str, IpcWriteOptions)> {
    use IpcCompression::{Lz4Frame, None, Zstd};
    use IpcFraming::{File, Stream};
    let mut v = vec![
        ("file", write_options(File, None)),
        ("file-lz4", write_options(File, Lz4Frame)),
        ("file-zstd", write_options(File, Zstd)),
        ("stream", write_options(Stream, None)),
        ("stream-lz4", write_options(Stream, Lz4Frame)),
        ("stream-zstd", write_options(Stream, Zstd)),
        ("file-zstd-19", IpcWriteOptions { zstd_level: Some(19), ..write_options(File, Zstd) }),
        ("file-lz4-align8", IpcWriteOptions { alignment: 8, ..write_options(File, Lz4Frame) }),
        ("file-v4", IpcWriteOptions { metadata_version: MetadataVersion::V4, ..write_options(File, None) }),
        (
            "stream-delta",
            IpcWriteOptions { dictionary_handling: DictionaryHandling::Delta, ..write_options(Stream, Lz4Frame) },
        ),
    ];
    v.push((
        "stream-legacy-v4",
        IpcWriteOptions { metadata_version: MetadataVersion::V4, legacy_format: true, ..write_options(Stream, None) },
    ));
    v
}

#[test]
fn what_the_component_writes_with_every_option_pyarrow_reads_back_equal() {
    let mut h = Host::new().expect("host");
    let dir = scratch("write");
    let mut pairs: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut unified = Vec::new();
    for f in fixtures() {
        let t = h.read_ok(&f.bytes());
        for (name, options) in option_sets() {
            let bytes =
                h.write_ipc(t, &options).expect("call").unwrap_or_else(|e| panic!("{} as {name}: {e:?}", f.file));
            let out = dir.join(format!("{}.{name}", f.file));
            std::fs::write(&out, bytes).expect("write file");
            // The file format holds one dictionary per column: a stream whose dictionaries change
            // is written with them unified, equal in values but not in encoding.
            if options.framing == IpcFraming::File && f.file.starts_with("dictionary_") {
                unified.push(out.clone());
            }
            pairs.push((f.path(), out));
        }
        h.free(t).expect("free");
    }
    let results = oracle::compare(&pairs, &dir).expect("oracle");
    assert_eq!(results.len(), pairs.len());
    for c in results {
        if unified.contains(&c.actual) {
            assert!(c.logically_equal, "{}: {}", c.actual.display(), c.detail);
        } else {
            assert!(c.equal, "{}: {}", c.actual.display(), c.detail);
        }
    }
}

#[test]
fn compressed_writes_are_smaller_and_the_zstd_level_matters() {
    let mut h = Host::new().expect("host");
    let f = fixtures().into_iter().find(|f| f.file == "lz4.arrow").expect("lz4 fixture");
    let t = h.read_ok(&f.bytes());
    let mut size = |o: IpcWriteOptions| h.write_ipc(t, &o).expect("call").expect("write").len();
    let plain = size(write_options(IpcFraming::File, IpcCompression::None));
    let lz4 = size(write_options(IpcFraming::File, IpcCompression::Lz4Frame));
    let zstd1 = size(IpcWriteOptions { zstd_level: Some(1), ..write_options(IpcFraming::File, IpcCompression::Zstd) });
    let zstd19 =
        size(IpcWriteOptions { zstd_level: Some(19), ..write_options(IpcFraming::File, IpcCompression::Zstd) });
    assert!(lz4 < plain / 2, "lz4 {lz4} vs plain {plain}");
    assert!(zstd19 < zstd1 && zstd1 < plain, "zstd19 {zstd19} zstd1 {zstd1} plain {plain}");
}
