//! The plugin's logic, natively, on the GeoArrow fixtures of `testdata/geo` (written by pyarrow,
//! with shapely's answers in `expected.json`).

// Test code: a failed expectation is meant to panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]

use std::path::PathBuf;

use arrow_geo::column::{self, Exchanged, GeoColumn};
use arrow_geo::encoding::Kind;
use arrow_geo::error::GeoError;
use geo::{Rect, coord};
use serde_json::Value;

const COLUMNS: [&str; 9] = [
    "wkb",
    "point",
    "linestring",
    "polygon",
    "multipoint",
    "multilinestring",
    "multipolygon",
    "point_sep",
    "polygon_sep",
];

fn testdata(name: &str) -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("../../testdata/geo").join(name)
}

fn load(name: &str) -> Exchanged {
    let file = std::fs::File::open(testdata(name)).unwrap();
    let reader = arrow_ipc::reader::FileReader::try_new(file, None).unwrap();
    let schema = reader.schema();
    Exchanged { schema, batches: reader.collect::<Result<_, _>>().unwrap() }
}

fn expected() -> Value {
    serde_json::from_slice(&std::fs::read(testdata("expected.json")).unwrap()).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

fn numbers(v: &Value) -> Option<Vec<f64>> {
    v.as_array().map(|a| a.iter().map(|x| x.as_f64().unwrap()).collect())
}

#[test]
fn measures_match_shapely_for_every_encoding() {
    let table = load("geo.arrow");
    let expected = expected();
    for name in COLUMNS {
        let column = column::geo_column(&table, name).unwrap();
        let rows = expected[name]["rows"].as_array().unwrap();
        let (bounds, area, length, centroid) = (
            arrow_geo::bounds(&column),
            arrow_geo::area(&column),
            arrow_geo::length(&column),
            arrow_geo::centroid(&column),
        );
        assert_eq!(rows.len(), column.geometries.len(), "{name}");
        for (i, row) in rows.iter().enumerate() {
            let at = format!("{name} row {i}");
            if row.is_null() {
                assert!(column.geometries[i].is_none() && area[i].is_none() && length[i].is_none(), "{at}");
                continue;
            }
            assert!(
                close(area[i].unwrap(), row["area"].as_f64().unwrap()),
                "{at}: area {:?} vs {}",
                area[i],
                row["area"]
            );
            assert!(close(length[i].unwrap(), row["length"].as_f64().unwrap()), "{at}: length");
            match (numbers(&row["bounds"]), bounds[i]) {
                (None, None) => {}
                (Some(e), Some(b)) => {
                    let got = [b.min().x, b.min().y, b.max().x, b.max().y];
                    assert!(e.iter().zip(got).all(|(e, g)| close(*e, g)), "{at}: bounds {got:?} vs {e:?}");
                }
                other => panic!("{at}: bounds {other:?}"),
            }
            match (numbers(&row["centroid"]), centroid[i]) {
                (None, None) => {}
                (Some(e), Some(c)) => {
                    assert!(close(e[0], c.x()) && close(e[1], c.y()), "{at}: centroid {c:?} vs {e:?}")
                }
                other => panic!("{at}: centroid {other:?}"),
            }
        }
        let total = arrow_geo::total_bounds(&column).map(|b| vec![b.min().x, b.min().y, b.max().x, b.max().y]);
        assert_eq!(total, numbers(&expected[name]["total_bounds"]), "{name} total bounds");
    }
}

#[test]
fn the_bbox_filter_keeps_exactly_the_rows_whose_bounds_meet_the_box() {
    let table = load("geo.arrow");
    let expected = expected();
    let rect = Rect::new(coord! { x: -10.0, y: -20.0 }, coord! { x: 25.0, y: 15.0 });
    for name in COLUMNS {
        let column = column::geo_column(&table, name).unwrap();
        let mask = arrow_geo::bbox_mask(&column, &rect);
        let want: Vec<bool> = expected[name]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                numbers(&r["bounds"]).is_some_and(|b| b[0] <= 25.0 && b[2] >= -10.0 && b[1] <= 15.0 && b[3] >= -20.0)
            })
            .collect();
        assert_eq!(mask, want, "{name}");
        assert!(mask.iter().any(|&k| k) && !mask.iter().all(|&k| k), "{name}: the box splits the rows");
    }
}

fn roundtrip(table: &Exchanged, name: &str, kind: Kind) -> GeoColumn {
    let bytes = column::reencode(table, &column::geo_column(table, name).unwrap(), kind).unwrap();
    let back = column::decode(&bytes).unwrap();
    let field = back.schema.field_with_name(name).unwrap();
    assert_eq!(field.metadata()["ARROW:extension:name"], kind.extension_name());
    assert!(field.metadata()["ARROW:extension:metadata"].contains("OGC:CRS84"), "crs kept");
    assert_eq!(back.schema.fields().len(), table.schema.fields().len(), "other columns kept");
    column::geo_column(&back, name).unwrap()
}

#[test]
fn native_to_wkb_and_back_keeps_every_geometry() {
    let table = load("geo.arrow");
    let natives = [
        ("point", Kind::Point),
        ("linestring", Kind::LineString),
        ("polygon", Kind::Polygon),
        ("multipoint", Kind::MultiPoint),
        ("multilinestring", Kind::MultiLineString),
        ("multipolygon", Kind::MultiPolygon),
        ("polygon_sep", Kind::Polygon),
    ];
    for (name, kind) in natives {
        let original = column::geo_column(&table, name).unwrap();
        let wkb = roundtrip(&table, name, Kind::Wkb);
        let same = |a: &GeoColumn, b: &GeoColumn| {
            // NaN points (empty) compare unequal to themselves: compare their WKB instead.
            arrow_geo::encoding::to_wkb(&a.geometries).unwrap() == arrow_geo::encoding::to_wkb(&b.geometries).unwrap()
        };
        assert!(same(&original, &wkb), "{name} -> wkb");
        let bytes = column::reencode(&table, &original, Kind::Wkb).unwrap();
        let as_wkb = column::decode(&bytes).unwrap();
        let native = roundtrip(&as_wkb, name, kind);
        assert!(same(&original, &native), "{name} -> wkb -> {kind:?}");
    }
    // A point fits multipoint; a polygon does not fit linestring, and the error names its row.
    roundtrip(&table, "point", Kind::MultiPoint);
    let polygons = column::geo_column(&table, "polygon").unwrap();
    match column::reencode(&table, &polygons, Kind::LineString) {
        Err(GeoError::Row { row: 0, message }) => assert!(message.contains("polygon does not fit"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn invalid_wkb_is_reported_with_its_row_and_spherical_edges_are_refused() {
    match column::geo_column(&load("invalid_wkb.arrow"), "geometry") {
        Err(GeoError::Row { row: 3, message }) => assert!(message.contains("invalid WKB"), "{message}"),
        other => panic!("{other:?}"),
    }
    match column::geo_column(&load("spherical.arrow"), "geometry") {
        Err(GeoError::Field(m)) => assert!(m.contains("spherical"), "{m}"),
        other => panic!("{other:?}"),
    }
    match column::geo_column(&load("geo.arrow"), "id") {
        Err(GeoError::Field(m)) => assert!(m.contains("no GeoArrow extension type"), "{m}"),
        other => panic!("{other:?}"),
    }
}
