//! The arrow-rs-wasm geometry plugin (`arrow:geo@0.1.0`): GeoArrow columns of the core's tables.
//!
//! The plugin is a component of its own. It imports the core's `types` and `table`, receives
//! tables as `borrow<table>`, reads the column it is asked about as an uncompressed IPC stream
//! through the core's `write-ipc` (the only way into another component's memory), and answers with
//! plain values or with new core tables (`filter` for the bounding-box filter, `read` for
//! converted tables). The core never calls it; a host registers [`info`] with the core's registry
//! so schema summaries show `Geometry<...>` for claimed columns.
//!
//! The modules are plain Rust that `cargo test` runs natively:
//!
//! - [`encoding`] maps GeoArrow's WKB and native layouts to and from `geo` geometries, with the
//!   `wkb` crate for well-known binary;
//! - [`ops`] measures geometries with the `geo` crate;
//! - [`column`] moves tables between the core's IPC and decoded geometry columns;
//! - [`error`] is the crate's error, mapped once to `arrow-error` in the bindings.

pub mod column;
pub mod encoding;
pub mod error;
pub mod ops;

#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod bindings;

use geo::{Point, Rect};

use crate::column::GeoColumn;
use crate::encoding::Kind;

/// The plugin id.
pub const PLUGIN_ID: &str = "io.arrow.plugin.geo.v1";
/// The core API version the plugin is built against.
pub const CORE_API: &str = "0.1.0";

/// The plugin's claims: every GeoArrow encoding it handles, with its display type.
pub fn claims() -> Vec<(&'static str, &'static str)> {
    Kind::ALL.iter().map(|k| (k.extension_name(), k.display_type())).collect()
}

/// Each row's bounding box.
pub fn bounds(column: &GeoColumn) -> Vec<Option<Rect>> {
    column.geometries.iter().map(|g| g.as_ref().and_then(ops::bounds)).collect()
}

/// The bounding box of the whole column.
pub fn total_bounds(column: &GeoColumn) -> Option<Rect> {
    bounds(column).into_iter().flatten().fold(None, |acc, r| Some(ops::union(acc, r)))
}

/// Each row's area.
pub fn area(column: &GeoColumn) -> Vec<Option<f64>> {
    column.geometries.iter().map(|g| g.as_ref().map(ops::area)).collect()
}

/// Each row's length.
pub fn length(column: &GeoColumn) -> Vec<Option<f64>> {
    column.geometries.iter().map(|g| g.as_ref().map(ops::length)).collect()
}

/// Each row's centroid.
pub fn centroid(column: &GeoColumn) -> Vec<Option<Point>> {
    column.geometries.iter().map(|g| g.as_ref().and_then(ops::centroid)).collect()
}

/// Which rows' bounding boxes intersect `bbox`.
pub fn bbox_mask(column: &GeoColumn, bbox: &Rect) -> Vec<bool> {
    bounds(column).iter().map(|b| b.as_ref().is_some_and(|b| ops::intersects(b, bbox))).collect()
}
