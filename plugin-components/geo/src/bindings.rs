//! The WIT edge: fetches columns from the core through its `table` import, calls the plain
//! modules, and maps `GeoError` to `arrow-error` in one place.

use geo::{Rect, coord};

use crate::column::{self, Exchanged};
use crate::encoding::{self, Kind};
use crate::error::GeoError;

wit_bindgen::generate!({
    path: ["../../wit", "../../wit/plugin", "wit"],
    world: "arrow:geo/geo",
    generate_all,
});

use arrow::core::registry::{ExtensionClaim, PluginInfo};
use arrow::core::table::Table;
use arrow::core::types::{
    ArrowError, ColumnInfo, DataFormat, DictionaryHandling, ErrorCode, IpcCompression, IpcFraming, IpcWriteOptions,
    MetadataVersion, ReadOptions,
};
use exports::arrow::geo::geometry::{self as wgeo, Bbox, NativeEncoding};
use exports::arrow::plugin::plugin;

struct Component;

export!(Component);

impl From<GeoError> for ArrowError {
    fn from(e: GeoError) -> Self {
        ArrowError { code: ErrorCode::Plugin, message: e.to_string() }
    }
}

type WitResult<T> = Result<T, ArrowError>;

/// An uncompressed IPC stream: what the plugin's own decoder reads without any codec.
fn exchange_options() -> IpcWriteOptions {
    IpcWriteOptions {
        framing: IpcFraming::Stream,
        compression: IpcCompression::None,
        zstd_level: None,
        alignment: 8,
        metadata_version: MetadataVersion::V5,
        legacy_format: false,
        dictionary_handling: DictionaryHandling::Resend,
    }
}

/// The table, or only `column` of it, as the plugin's own Arrow data.
fn fetch(t: &Table, column: Option<&str>) -> WitResult<Exchanged> {
    let bytes = match column {
        Some(c) => t.select(&[c.to_string()])?.write_ipc(exchange_options())?,
        None => t.write_ipc(exchange_options())?,
    };
    Ok(column::decode(&bytes)?)
}

fn geo_column(t: &Table, column: &str) -> WitResult<column::GeoColumn> {
    Ok(column::geo_column(&fetch(t, Some(column))?, column)?)
}

fn to_bbox(r: Rect) -> Bbox {
    Bbox { min_x: r.min().x, min_y: r.min().y, max_x: r.max().x, max_y: r.max().y }
}

/// A converted table goes back into the core as a new table.
fn into_core(bytes: &[u8]) -> WitResult<Table> {
    let options = ReadOptions {
        format: Some(DataFormat::ArrowStream),
        columns: None,
        batch_size: None,
        max_decompressed_bytes: None,
    };
    Table::read(bytes, &options)
}

impl plugin::Guest for Component {
    fn info() -> PluginInfo {
        PluginInfo {
            id: crate::PLUGIN_ID.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            core_api: crate::CORE_API.into(),
            extension_types: crate::claims()
                .into_iter()
                .map(|(name, display)| ExtensionClaim { name: name.into(), display_type: display.into() })
                .collect(),
            description: "GeoArrow geometry: WKB and native encodings; bounds, area, length, centroid, bbox filter"
                .into(),
        }
    }

    fn validate_field(field: ColumnInfo) -> WitResult<()> {
        let ext = field.extension_name.as_deref().unwrap_or_default();
        let kind = encoding::kind_of(ext)
            .ok_or_else(|| GeoError::Field(format!("column {:?}: {ext:?} is not a GeoArrow type", field.name)))?;
        let storage: arrow_schema::DataType = field.storage_type.parse().map_err(|e| {
            GeoError::Field(format!("column {:?}: storage type {:?}: {e}", field.name, field.storage_type))
        })?;
        encoding::check_storage(kind, &field.name, &field.storage_type, &storage)?;
        let metadata =
            field.metadata.iter().find(|kv| kv.key == encoding::EXTENSION_METADATA).map(|kv| kv.value.as_str());
        encoding::check_metadata(&field.name, metadata)?;
        Ok(())
    }

    fn on_read_column(t: &Table, column: String) -> WitResult<()> {
        geo_column(t, &column).map(|_| ())
    }
}

impl wgeo::Guest for Component {
    fn validate(t: &Table, column: String) -> WitResult<()> {
        geo_column(t, &column).map(|_| ())
    }

    fn bounds(t: &Table, column: String) -> WitResult<Vec<Option<Bbox>>> {
        Ok(crate::bounds(&geo_column(t, &column)?).into_iter().map(|b| b.map(to_bbox)).collect())
    }

    fn total_bounds(t: &Table, column: String) -> WitResult<Option<Bbox>> {
        Ok(crate::total_bounds(&geo_column(t, &column)?).map(to_bbox))
    }

    fn area(t: &Table, column: String) -> WitResult<Vec<Option<f64>>> {
        Ok(crate::area(&geo_column(t, &column)?))
    }

    fn length(t: &Table, column: String) -> WitResult<Vec<Option<f64>>> {
        Ok(crate::length(&geo_column(t, &column)?))
    }

    fn centroid(t: &Table, column: String) -> WitResult<Vec<Option<wgeo::Point>>> {
        Ok(crate::centroid(&geo_column(t, &column)?)
            .into_iter()
            .map(|p| p.map(|p| wgeo::Point { x: p.x(), y: p.y() }))
            .collect())
    }

    fn filter_bbox(t: &Table, column: String, bbox: Bbox) -> WitResult<Table> {
        if !(bbox.min_x <= bbox.max_x && bbox.min_y <= bbox.max_y) {
            return Err(ArrowError {
                code: ErrorCode::InvalidArgument,
                message: format!("the bbox's minimum exceeds its maximum: {bbox:?}"),
            });
        }
        let rect = Rect::new(coord! { x: bbox.min_x, y: bbox.min_y }, coord! { x: bbox.max_x, y: bbox.max_y });
        let mask = crate::bbox_mask(&geo_column(t, &column)?, &rect);
        t.filter(&mask)
    }

    fn to_wkb(t: &Table, column: String) -> WitResult<Table> {
        let table = fetch(t, None)?;
        let geo = column::geo_column(&table, &column)?;
        into_core(&column::reencode(&table, &geo, Kind::Wkb)?)
    }

    fn to_native(t: &Table, column: String, encoding: NativeEncoding) -> WitResult<Table> {
        let kind = match encoding {
            NativeEncoding::Point => Kind::Point,
            NativeEncoding::Linestring => Kind::LineString,
            NativeEncoding::Polygon => Kind::Polygon,
            NativeEncoding::Multipoint => Kind::MultiPoint,
            NativeEncoding::Multilinestring => Kind::MultiLineString,
            NativeEncoding::Multipolygon => Kind::MultiPolygon,
        };
        let table = fetch(t, None)?;
        let geo = column::geo_column(&table, &column)?;
        into_core(&column::reencode(&table, &geo, kind)?)
    }
}
