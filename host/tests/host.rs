//! The host crate against the real component: typed calls, drop frees, the memory cap and the
//! fuel budget stop a call and leave the host working, the compiled-code cache fills.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{Int64Array, RecordBatch};
use arrow_rs_wasm_host::{
    DataFormat, Error, ErrorCode, Host, HostConfig, IpcCompression, IpcWriteOptions, ParquetWriteOptions, ReadOptions,
};

fn workspace() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("..")
}

fn component() -> PathBuf {
    std::env::var_os("ARROW_CORE_COMPONENT")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("build/arrow_core.wasm"))
}

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(workspace().join("testdata").join(rel)).expect("fixture")
}

/// A small LZ4 IPC file (about 1 MiB) that decodes to `rows` × 8 bytes of zeros.
fn zeros_lz4(rows: usize) -> Vec<u8> {
    let batch_rows = 1 << 20;
    let column = Arc::new(Int64Array::from(vec![0i64; batch_rows]));
    let batch = RecordBatch::try_from_iter([("zero", column as _)]).unwrap();
    let options = arrow_ipc::writer::IpcWriteOptions::default()
        .try_with_compression(Some(arrow_ipc::CompressionType::LZ4_FRAME))
        .unwrap();
    let mut out = Vec::new();
    let mut w = arrow_ipc::writer::FileWriter::try_new_with_options(&mut out, &batch.schema(), options).unwrap();
    for _ in 0..rows / batch_rows {
        w.write(&batch).unwrap();
    }
    w.finish().unwrap();
    drop(w);
    out
}

#[test]
fn tables_are_typed_values_and_errors_are_the_components_codes() {
    let host = Host::new(HostConfig::new(component())).expect("host");
    let t = host.read(&fixture("ipc/primitives.arrow"), &ReadOptions::default()).expect("read");
    assert_eq!(t.num_rows().unwrap(), 128);
    assert_eq!(t.source_format().unwrap(), Some(DataFormat::ArrowFile));
    let names: Vec<String> = t.schema().unwrap().columns.into_iter().map(|c| c.name).collect();
    assert_eq!(names[0], "int8");
    let two = t.select(&["utf8".into(), "int8".into()]).unwrap().slice(10, 5).unwrap();
    assert_eq!((two.num_columns().unwrap(), two.num_rows().unwrap()), (2, 5));
    let feather = t.write_ipc(&IpcWriteOptions::file(IpcCompression::Lz4Frame)).unwrap();
    let back = host.read(&feather, &ReadOptions::default()).unwrap();
    assert_eq!(back.fingerprint().unwrap(), t.fingerprint().unwrap());
    assert_eq!(back.source_compression().unwrap(), ["lz4-frame"]);
    let report = host.validate(&feather, &ReadOptions::default()).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.checks, ["format", "decode", "arrays", "ipc-footer"]);
    let report = host.validate(&feather[..feather.len() / 2], &ReadOptions::default()).unwrap();
    assert_eq!(report.problems[0].error.code, ErrorCode::MalformedInput);
    let parquet = t
        .write_parquet(&ParquetWriteOptions {
            compression: arrow_rs_wasm_host::ParquetCompression::Zstd,
            ..ParquetWriteOptions::default()
        })
        .unwrap();
    assert_eq!(host.parquet_metadata(&parquet).unwrap().num_rows, 128);

    let e = t.select(&["nope".into()]).err().expect("missing column");
    assert!(matches!(e, Error::Arrow { code: ErrorCode::ColumnNotFound, .. }), "{e:?}");
    let e = host.read(b"HELLO", &ReadOptions::default()).err().expect("unknown");
    assert!(matches!(e, Error::Arrow { code: ErrorCode::UnknownFormat, ref message } if message.contains("HELLO")));
    assert_eq!(t.num_rows().unwrap(), 128, "a table survives errors of other calls");
}

#[test]
fn dropping_tables_frees_them_inside_the_component() {
    let host = Host::new(HostConfig::new(component())).expect("host");
    let t = host.read(&fixture("ipc/lz4.arrow"), &ReadOptions::default()).unwrap();
    for _ in 0..1_000 {
        drop(host.read(&fixture("ipc/lz4.arrow"), &ReadOptions::default()).unwrap());
        drop(t.slice(0, 10).unwrap());
    }
    let warm = host.peak_memory();
    for _ in 0..100_000 {
        drop(t.slice(1, 100).unwrap());
    }
    for _ in 0..1_000 {
        drop(host.read(&fixture("ipc/lz4.arrow"), &ReadOptions::default()).unwrap());
    }
    assert_eq!(host.peak_memory(), warm, "guest memory grew over 100,000 table drops");
}

#[test]
fn a_read_past_the_memory_cap_fails_and_the_next_call_works() {
    let bomb = zeros_lz4(40 << 20); // 320 MiB of int64 zeros
    assert!(bomb.len() < 4 << 20, "{} bytes", bomb.len());
    let host = Host::new(HostConfig::new(component()).memory_limit(256 << 20)).expect("host");
    let before = host.read(&fixture("ipc/primitives.arrow"), &ReadOptions::default()).unwrap();
    let e = host.read(&bomb, &ReadOptions::default()).err().expect("over the cap");
    assert_eq!(e, Error::MemoryLimit { limit: 256 << 20 });
    assert_eq!(host.restarts(), 1);
    // The host answers at once, on a fresh instance; the old instance's table is stale.
    let after = host.read(&fixture("ipc/primitives.arrow"), &ReadOptions::default()).unwrap();
    assert_eq!(after.num_rows().unwrap(), 128);
    assert_eq!(before.num_rows(), Err(Error::StaleTable));
    drop(before);
    assert_eq!(after.num_rows().unwrap(), 128);
}

#[test]
fn a_call_past_its_fuel_budget_fails_and_the_next_call_works() {
    let big = zeros_lz4(8 << 20);
    let host = Host::new(HostConfig::new(component()).fuel_per_call(20_000_000)).expect("host");
    let small = host.read(&fixture("ipc/primitives.arrow"), &ReadOptions::default()).expect("a small read fits");
    let e = host.read(&big, &ReadOptions::default()).err().expect("out of fuel");
    assert_eq!(e, Error::OutOfFuel { fuel: 20_000_000 });
    assert_eq!(small.num_rows(), Err(Error::StaleTable));
    let again = host.read(&fixture("ipc/primitives.arrow"), &ReadOptions::default()).unwrap();
    assert_eq!(again.num_rows().unwrap(), 128);
}

#[test]
fn the_compiled_component_is_cached_on_disk_and_reused() {
    let dir = std::env::temp_dir().join(format!("arrow-rs-wasm-host-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let count = |d: &PathBuf| walk(d).len();
    let first = Host::new(HostConfig::new(component()).cache_dir(&dir)).expect("first start");
    drop(first);
    // wasmtime writes the cache entry on a worker thread; give it a moment.
    for _ in 0..100 {
        if count(&dir) > 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let files = count(&dir);
    assert!(files > 0, "no cache entry in {}", dir.display());
    let second = Host::new(HostConfig::new(component()).cache_dir(&dir)).expect("second start");
    assert_eq!(second.readable_formats().unwrap().len(), 6);
    assert_eq!(count(&dir), files, "the second start compiled again");
    let _ = std::fs::remove_dir_all(&dir);
}

fn walk(dir: &PathBuf) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn a_composed_plugin_is_registered_and_registrations_survive_a_new_instance() {
    let composed = std::env::var_os("ARROW_CORE_WITH_GEO_COMPONENT")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("build/core_with_geo.wasm"));
    let host = Host::new(HostConfig::new(composed).memory_limit(64 << 20)).expect("composed host");
    let ids = |h: &Host| h.plugins().unwrap().into_iter().map(|p| p.id).collect::<Vec<_>>();
    assert_eq!(ids(&host), ["io.arrow.plugin.geo.v1"]);
    let t = host.read(&fixture("geo/geo.arrow"), &ReadOptions::default()).unwrap();
    let wkb = t.schema().unwrap().columns.into_iter().find(|c| c.name == "wkb").unwrap();
    assert_eq!(
        (wkb.arrow_type.as_str(), wkb.owner_plugin.as_deref()),
        ("Geometry<wkb>", Some("io.arrow.plugin.geo.v1"))
    );
    let uuid = arrow_rs_wasm_host::PluginInfo {
        id: "org.example.uuid.v1".into(),
        version: "1.0.0".into(),
        core_api: "0.1.0".into(),
        extension_types: vec![arrow_rs_wasm_host::ExtensionClaim {
            name: "arrow.uuid".into(),
            display_type: "Uuid".into(),
        }],
        description: String::new(),
    };
    host.register(&uuid).unwrap();
    // A trap replaces the instance; the composed plugin and the registered one come back with it.
    assert!(matches!(host.read_csv(&vec![b'7'; 100 << 20], &Default::default()), Err(Error::MemoryLimit { .. })));
    assert_eq!(host.restarts(), 1);
    assert_eq!(ids(&host), ["io.arrow.plugin.geo.v1", "org.example.uuid.v1"]);
    host.unregister("org.example.uuid.v1").unwrap();
    assert_eq!(ids(&host), ["io.arrow.plugin.geo.v1"]);
    let e = host.unregister("org.example.uuid.v1").unwrap_err();
    assert!(matches!(e, Error::Arrow { code: ErrorCode::Plugin, .. }), "{e:?}");
}
