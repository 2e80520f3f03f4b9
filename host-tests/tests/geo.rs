//! The plugin registry and the geometry plugin under wasmtime, through the `wac` composition of
//! the core and the plugin: registration with every refusal, schema marking, and every geometry
//! call on the GeoArrow fixtures against shapely's answers (`testdata/geo/expected.json`).

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use host_tests::composed::Composed;
use host_tests::composed::exports::arrow::core::registry::{ExtensionClaim, PluginInfo, RegistryRefusal};
use host_tests::composed::exports::arrow::core::types::{
    ArrowError, DictionaryHandling, ErrorCode, IpcCompression, IpcFraming, IpcWriteOptions, MetadataVersion,
    ReadOptions,
};
use host_tests::composed::exports::arrow::geo::geometry::{Bbox, NativeEncoding};
use serde_json::Value;
use wasmtime::component::ResourceAny;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(host_tests::workspace().join("testdata/geo").join(name)).unwrap()
}

fn read(c: &mut Composed, bytes: &[u8]) -> ResourceAny {
    let options = ReadOptions { format: None, columns: None, batch_size: None, max_decompressed_bytes: None };
    c.exports.arrow_core_table().table().call_read(&mut c.store, bytes, &options).unwrap().unwrap()
}

fn info(id: &str, claims: &[&str]) -> PluginInfo {
    PluginInfo {
        id: id.into(),
        version: "1.0.0".into(),
        core_api: "0.1.0".into(),
        extension_types: claims
            .iter()
            .map(|c| ExtensionClaim { name: (*c).into(), display_type: format!("Other<{c}>") })
            .collect(),
        description: "a test plugin".into(),
    }
}

fn column_types(c: &mut Composed, t: ResourceAny) -> Vec<(String, String, String, Option<String>)> {
    let schema = c.exports.arrow_core_table().table().call_schema(&mut c.store, t).unwrap();
    schema.columns.into_iter().map(|col| (col.name, col.arrow_type, col.storage_type, col.owner_plugin)).collect()
}

#[test]
fn registry_round_trips_and_refuses_every_bad_registration() {
    let mut c = Composed::new().unwrap();
    let geo = c.exports.arrow_plugin_plugin().call_info(&mut c.store).unwrap();
    assert_eq!(geo.id, "io.arrow.plugin.geo.v1");
    assert_eq!(geo.extension_types.len(), 7);
    let reg = c.exports.arrow_core_registry();
    assert_eq!(reg.call_core_api_version(&mut c.store).unwrap(), "0.1.0");
    reg.call_validate(&mut c.store, &geo).unwrap().unwrap();
    reg.call_register(&mut c.store, &geo).unwrap().unwrap();
    let refusal = |c: &mut Composed, info: &PluginInfo| {
        let e = c.exports.arrow_core_registry().call_register(&mut c.store, info).unwrap().unwrap_err();
        assert_eq!(e.error.code, ErrorCode::Plugin, "{}", e.error.message);
        (e.refusal, e.error.message)
    };
    assert_eq!(refusal(&mut c, &geo).0, RegistryRefusal::DuplicateId);
    assert_eq!(refusal(&mut c, &info("Geo", &["x.y"])).0, RegistryRefusal::MalformedId);
    let mut newer = info("org.example.newer.v1", &["x.y"]);
    newer.core_api = "0.2.0".into();
    assert_eq!(refusal(&mut c, &newer).0, RegistryRefusal::IncompatibleCoreApi);
    newer.core_api = "zero".into();
    assert_eq!(refusal(&mut c, &newer).0, RegistryRefusal::MalformedVersion);
    let (r, message) = refusal(&mut c, &info("org.example.wkb.v1", &["geoarrow.wkb"]));
    assert_eq!(r, RegistryRefusal::ExtensionClaimed);
    assert!(message.contains("io.arrow.plugin.geo.v1"), "names the owner: {message}");
    assert_eq!(refusal(&mut c, &info("org.example.dup.v1", &["a.b", "a.b"])).0, RegistryRefusal::MalformedClaim);
    let reg = c.exports.arrow_core_registry();
    // A plugin of functions only claims no extension type, and registers.
    reg.call_register(&mut c.store, &info("org.example.none.v1", &[])).unwrap().unwrap();
    reg.call_unregister(&mut c.store, "org.example.none.v1").unwrap().unwrap();
    reg.call_register(&mut c.store, &info("org.example.uuid.v1", &["arrow.uuid"])).unwrap().unwrap();
    let ids: Vec<String> = reg.call_plugins(&mut c.store).unwrap().into_iter().map(|p| p.id).collect();
    assert_eq!(ids, ["io.arrow.plugin.geo.v1", "org.example.uuid.v1"]);
    reg.call_unregister(&mut c.store, "org.example.uuid.v1").unwrap().unwrap();
    let e = reg.call_unregister(&mut c.store, "org.example.uuid.v1").unwrap().unwrap_err();
    assert_eq!(e.refusal, RegistryRefusal::NotRegistered);
    assert_eq!(reg.call_plugins(&mut c.store).unwrap().len(), 1);
}

#[test]
fn schema_summaries_mark_claimed_columns_only_while_the_plugin_is_registered() {
    let mut c = Composed::new().unwrap();
    let t = read(&mut c, &fixture("geo.arrow"));
    let before = column_types(&mut c, t);
    assert_eq!(before[1], ("wkb".into(), "Binary".into(), "Binary".into(), None));
    let geo = c.exports.arrow_plugin_plugin().call_info(&mut c.store).unwrap();
    c.exports.arrow_core_registry().call_register(&mut c.store, &geo).unwrap().unwrap();
    let marked = column_types(&mut c, t);
    let owner = Some("io.arrow.plugin.geo.v1".to_string());
    assert_eq!(marked[0], ("id".into(), "Int32".into(), "Int32".into(), None), "unclaimed columns stay");
    assert_eq!(marked[1], ("wkb".into(), "Geometry<wkb>".into(), "Binary".into(), owner.clone()));
    assert_eq!(marked[4].1, "Geometry<polygon>");
    assert!(marked[4].2.starts_with("List("), "{:?}", marked[4]);
    c.exports.arrow_core_registry().call_unregister(&mut c.store, "io.arrow.plugin.geo.v1").unwrap().unwrap();
    assert_eq!(column_types(&mut c, t), before);
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn geometry_calls_on_a_core_table_match_shapely() {
    let expected: Value = serde_json::from_slice(&fixture("expected.json")).unwrap();
    let mut c = Composed::new().unwrap();
    let t = read(&mut c, &fixture("geo.arrow"));
    let g = c.exports.arrow_geo_geometry();
    for name in
        ["wkb", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "polygon_sep"]
    {
        g.call_validate(&mut c.store, t, name).unwrap().unwrap();
        let area = g.call_area(&mut c.store, t, name).unwrap().unwrap();
        let length = g.call_length(&mut c.store, t, name).unwrap().unwrap();
        let centroid = g.call_centroid(&mut c.store, t, name).unwrap().unwrap();
        let bounds = g.call_bounds(&mut c.store, t, name).unwrap().unwrap();
        for (i, row) in expected[name]["rows"].as_array().unwrap().iter().enumerate() {
            if row.is_null() {
                assert!(area[i].is_none() && bounds[i].is_none() && centroid[i].is_none(), "{name} {i}");
                continue;
            }
            assert!(close(area[i].unwrap(), row["area"].as_f64().unwrap()), "{name} {i} area");
            assert!(close(length[i].unwrap(), row["length"].as_f64().unwrap()), "{name} {i} length");
            match (&row["centroid"], centroid[i]) {
                (Value::Null, None) => {}
                (Value::Array(e), Some(p)) => {
                    assert!(close(p.x, e[0].as_f64().unwrap()) && close(p.y, e[1].as_f64().unwrap()))
                }
                other => panic!("{name} {i}: {other:?}"),
            }
            match (&row["bounds"], bounds[i]) {
                (Value::Null, None) => {}
                (Value::Array(e), Some(b)) => {
                    assert!(close(b.min_x, e[0].as_f64().unwrap()) && close(b.max_y, e[3].as_f64().unwrap()))
                }
                other => panic!("{name} {i}: {other:?}"),
            }
        }
        let total = g.call_total_bounds(&mut c.store, t, name).unwrap().unwrap().unwrap();
        let e = expected[name]["total_bounds"].as_array().unwrap();
        assert_eq!(
            [total.min_x, total.min_y, total.max_x, total.max_y].map(Some).to_vec(),
            e.iter().map(Value::as_f64).collect::<Vec<_>>()
        );
    }
}

fn ids(c: &mut Composed, t: ResourceAny) -> Vec<i32> {
    let options = IpcWriteOptions {
        framing: IpcFraming::Stream,
        compression: IpcCompression::None,
        zstd_level: None,
        alignment: 8,
        metadata_version: MetadataVersion::V5,
        legacy_format: false,
        dictionary_handling: DictionaryHandling::Resend,
    };
    let table = c.exports.arrow_core_table().table();
    let only = table.call_select(&mut c.store, t, &["id".to_string()]).unwrap().unwrap();
    let bytes = table.call_write_ipc(&mut c.store, only, options).unwrap().unwrap();
    let reader = arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(bytes), None).unwrap();
    reader
        .flat_map(|b| {
            let b = b.unwrap();
            let a = b.column(0).as_any().downcast_ref::<arrow_array::Int32Array>().unwrap().clone();
            a.values().to_vec()
        })
        .collect()
}

#[test]
fn the_bbox_filter_and_conversions_return_new_core_tables() {
    let expected: Value = serde_json::from_slice(&fixture("expected.json")).unwrap();
    let mut c = Composed::new().unwrap();
    let t = read(&mut c, &fixture("geo.arrow"));
    let bbox = Bbox { min_x: -10.0, min_y: -20.0, max_x: 25.0, max_y: 15.0 };
    let filtered =
        c.exports.arrow_geo_geometry().call_filter_bbox(&mut c.store, t, "multipolygon", bbox).unwrap().unwrap();
    let want: Vec<i32> = expected["multipolygon"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r["bounds"].as_array().is_some_and(|b| {
                let b: Vec<f64> = b.iter().map(|v| v.as_f64().unwrap()).collect();
                b[0] <= 25.0 && b[2] >= -10.0 && b[1] <= 15.0 && b[3] >= -20.0
            })
        })
        .map(|(i, _)| i as i32)
        .collect();
    assert!(!want.is_empty() && want.len() < 12);
    assert_eq!(ids(&mut c, filtered), want);
    let bad = Bbox { min_x: 1.0, min_y: 0.0, max_x: 0.0, max_y: 1.0 };
    let e = c.exports.arrow_geo_geometry().call_filter_bbox(&mut c.store, t, "wkb", bad).unwrap().unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidArgument);

    // polygon -> WKB -> polygon: new core tables whose areas are the original's.
    let area = |c: &mut Composed, t: ResourceAny, name: &str| {
        c.exports.arrow_geo_geometry().call_area(&mut c.store, t, name).unwrap().unwrap()
    };
    let original = area(&mut c, t, "polygon");
    let as_wkb = c.exports.arrow_geo_geometry().call_to_wkb(&mut c.store, t, "polygon").unwrap().unwrap();
    let types = column_types(&mut c, as_wkb);
    assert_eq!(types[4].2, "Binary");
    assert_eq!(area(&mut c, as_wkb, "polygon"), original);
    let back = c
        .exports
        .arrow_geo_geometry()
        .call_to_native(&mut c.store, as_wkb, "polygon", NativeEncoding::Polygon)
        .unwrap()
        .unwrap();
    assert_eq!(area(&mut c, back, "polygon"), original);
    assert_eq!(ids(&mut c, back), (0..12).collect::<Vec<_>>(), "the other columns come along");
    let e: ArrowError = c
        .exports
        .arrow_geo_geometry()
        .call_to_native(&mut c.store, t, "wkb", NativeEncoding::Point)
        .unwrap()
        .unwrap_err();
    assert!(e.message.starts_with("row 1: a linestring does not fit geoarrow.point"), "{}", e.message);
}

#[test]
fn invalid_values_and_fields_are_plugin_errors_and_the_instance_keeps_working() {
    let mut c = Composed::new().unwrap();
    let bad = read(&mut c, &fixture("invalid_wkb.arrow"));
    let e = c.exports.arrow_geo_geometry().call_validate(&mut c.store, bad, "geometry").unwrap().unwrap_err();
    assert_eq!(e.code, ErrorCode::Plugin);
    assert!(e.message.starts_with("row 3: invalid WKB"), "{}", e.message);
    let e = c.exports.arrow_plugin_plugin().call_on_read_column(&mut c.store, bad, "geometry").unwrap().unwrap_err();
    assert!(e.message.starts_with("row 3:"), "{}", e.message);
    let spherical = read(&mut c, &fixture("spherical.arrow"));
    let e = c.exports.arrow_geo_geometry().call_area(&mut c.store, spherical, "geometry").unwrap().unwrap_err();
    assert!(e.message.contains("spherical"), "{}", e.message);
    let e = c.exports.arrow_geo_geometry().call_area(&mut c.store, bad, "nope").unwrap().unwrap_err();
    assert_eq!(e.code, ErrorCode::ColumnNotFound, "the core's own error comes through: {}", e.message);
    // validate-field on the summaries the core gives.
    let t = read(&mut c, &fixture("geo.arrow"));
    let schema = c.exports.arrow_core_table().table().call_schema(&mut c.store, t).unwrap();
    let plugin = c.exports.arrow_plugin_plugin();
    for column in &schema.columns[1..] {
        plugin.call_validate_field(&mut c.store, column).unwrap().unwrap();
    }
    let mut wrong = schema.columns[1].clone();
    wrong.storage_type = "Int64".into();
    let e = plugin.call_validate_field(&mut c.store, &wrong).unwrap().unwrap_err();
    assert!(e.message.contains("geoarrow.wkb cannot be stored as Int64"), "{}", e.message);
    // After all those errors the same instance still answers.
    assert_eq!(c.exports.arrow_geo_geometry().call_area(&mut c.store, t, "point").unwrap().unwrap().len(), 12);
}
