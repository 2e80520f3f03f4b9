//! The plugin guide's example plugin under wasmtime, composed with the core by `wac`: the guide's
//! walk-through, run (register, see the column marked, call the plugin on a core table).

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use host_tests::composed::ComposedUuid;
use host_tests::composed::uuid::exports::arrow::core::types::{ErrorCode, ReadOptions};

#[test]
fn the_guides_plugin_registers_marks_its_column_and_reads_core_tables() {
    let dir = host_tests::workspace().join("testdata/uuid");
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap()).unwrap();
    let mut c = ComposedUuid::new().unwrap();
    let options = ReadOptions { format: None, columns: None, batch_size: None, max_decompressed_bytes: None };
    let bytes = std::fs::read(dir.join("uuids.arrow")).unwrap();
    let t = c.exports.arrow_core_table().table().call_read(&mut c.store, &bytes, &options).unwrap().unwrap();
    let info = c.exports.arrow_plugin_plugin().call_info(&mut c.store).unwrap();
    assert_eq!(info.id, "io.arrow.plugin.uuid.v1");
    c.exports.arrow_core_registry().call_register(&mut c.store, &info).unwrap().unwrap();
    let schema = c.exports.arrow_core_table().table().call_schema(&mut c.store, t).unwrap();
    let id = &schema.columns[1];
    assert_eq!((id.arrow_type.as_str(), id.storage_type.as_str()), ("Uuid", "FixedSizeBinary(16)"));
    assert_eq!(id.owner_plugin.as_deref(), Some("io.arrow.plugin.uuid.v1"));
    c.exports.arrow_plugin_plugin().call_validate_field(&mut c.store, id).unwrap().unwrap();
    let strings = c.exports.arrow_uuid_uuids().call_to_strings(&mut c.store, t, "id").unwrap().unwrap();
    let strings: Vec<serde_json::Value> =
        strings.into_iter().map(|s| s.map_or(serde_json::Value::Null, Into::into)).collect();
    assert_eq!(serde_json::Value::Array(strings), expected["strings"]);
    let versions = c.exports.arrow_uuid_uuids().call_versions(&mut c.store, t, "id").unwrap().unwrap();
    assert_eq!(serde_json::to_value(versions).unwrap(), expected["versions"]);
    let e = c.exports.arrow_uuid_uuids().call_to_strings(&mut c.store, t, "n").unwrap().unwrap_err();
    assert_eq!(e.code, ErrorCode::Plugin);
    assert!(e.message.contains("not an arrow.uuid column"), "{}", e.message);
}
