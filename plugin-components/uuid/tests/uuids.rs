//! The example plugin's logic on the pyarrow fixture, against Python's `uuid` module.

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::path::PathBuf;

use arrow_schema::DataType;

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("../../testdata/uuid").join(name)
}

/// The `id` column as the core would send it: an IPC stream of that column alone.
fn id_column_stream() -> Vec<u8> {
    let reader =
        arrow_ipc::reader::FileReader::try_new(std::fs::File::open(testdata("uuids.arrow")).unwrap(), None).unwrap();
    let schema = std::sync::Arc::new(reader.schema().project(&[1]).unwrap());
    let mut out = Vec::new();
    let mut w = arrow_ipc::writer::StreamWriter::try_new(&mut out, &schema).unwrap();
    for b in reader {
        w.write(&b.unwrap().project(&[1]).unwrap()).unwrap();
    }
    w.finish().unwrap();
    drop(w);
    out
}

#[test]
fn strings_and_versions_match_pythons_uuid_module() {
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(testdata("expected.json")).unwrap()).unwrap();
    let (field, batches) = arrow_uuid::column(&id_column_stream()).unwrap();
    assert_eq!(field.name(), "id");
    let strings: Vec<serde_json::Value> =
        arrow_uuid::to_strings(&batches).into_iter().map(|s| s.map_or(serde_json::Value::Null, Into::into)).collect();
    assert_eq!(serde_json::Value::Array(strings), expected["strings"]);
    let versions: Vec<u64> = expected["versions"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    assert_eq!(arrow_uuid::versions(&batches), versions);
}

#[test]
fn fields_that_are_not_uuid_columns_are_refused() {
    assert!(arrow_uuid::check_field("id", Some("arrow.uuid"), &DataType::FixedSizeBinary(16)).is_ok());
    let e = arrow_uuid::check_field("id", Some("arrow.uuid"), &DataType::FixedSizeBinary(8)).unwrap_err();
    assert!(e.to_string().contains("FixedSizeBinary(16), not FixedSizeBinary(8)"), "{e}");
    assert!(arrow_uuid::check_field("id", None, &DataType::FixedSizeBinary(16)).is_err());
}
