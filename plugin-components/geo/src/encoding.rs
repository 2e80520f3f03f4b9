//! GeoArrow columns to and from `geo` geometries: the WKB encoding (through the `wkb` crate) and
//! the native encodings (nested lists over interleaved or separated coordinates), as the GeoArrow
//! specification lays them out.

use std::sync::Arc;

use arrow_array::builder::{ArrayBuilder, BinaryBuilder, Float64Builder};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, FixedSizeListArray, GenericListArray, OffsetSizeTrait};
use arrow_buffer::{NullBuffer, OffsetBuffer};
use arrow_schema::{DataType, Field};
use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use geo_traits::to_geo::ToGeoGeometry;

use crate::error::{GeoError, Result};

/// `ARROW:extension:name`.
pub const EXTENSION_NAME: &str = "ARROW:extension:name";
/// `ARROW:extension:metadata`.
pub const EXTENSION_METADATA: &str = "ARROW:extension:metadata";

/// A GeoArrow encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `geoarrow.wkb`: Binary, LargeBinary or BinaryView of well-known binary.
    Wkb,
    /// `geoarrow.point`: coordinates.
    Point,
    /// `geoarrow.linestring`: a list of coordinates.
    LineString,
    /// `geoarrow.polygon`: a list of rings.
    Polygon,
    /// `geoarrow.multipoint`: a list of coordinates.
    MultiPoint,
    /// `geoarrow.multilinestring`: a list of linestrings.
    MultiLineString,
    /// `geoarrow.multipolygon`: a list of polygons.
    MultiPolygon,
}

impl Kind {
    /// Every encoding, in the order the plugin claims them.
    pub const ALL: [Kind; 7] = [
        Kind::Wkb,
        Kind::Point,
        Kind::LineString,
        Kind::Polygon,
        Kind::MultiPoint,
        Kind::MultiLineString,
        Kind::MultiPolygon,
    ];

    /// The extension name.
    pub fn extension_name(self) -> &'static str {
        match self {
            Kind::Wkb => "geoarrow.wkb",
            Kind::Point => "geoarrow.point",
            Kind::LineString => "geoarrow.linestring",
            Kind::Polygon => "geoarrow.polygon",
            Kind::MultiPoint => "geoarrow.multipoint",
            Kind::MultiLineString => "geoarrow.multilinestring",
            Kind::MultiPolygon => "geoarrow.multipolygon",
        }
    }

    /// How a claimed column's type reads in the core's schema summaries.
    pub fn display_type(self) -> &'static str {
        match self {
            Kind::Wkb => "Geometry<wkb>",
            Kind::Point => "Geometry<point>",
            Kind::LineString => "Geometry<linestring>",
            Kind::Polygon => "Geometry<polygon>",
            Kind::MultiPoint => "Geometry<multipoint>",
            Kind::MultiLineString => "Geometry<multilinestring>",
            Kind::MultiPolygon => "Geometry<multipolygon>",
        }
    }

    fn from_extension(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.extension_name() == name)
    }

    /// How many list levels sit above the coordinates.
    fn depth(self) -> usize {
        match self {
            Kind::Wkb | Kind::Point => 0,
            Kind::LineString | Kind::MultiPoint => 1,
            Kind::Polygon | Kind::MultiLineString => 2,
            Kind::MultiPolygon => 3,
        }
    }
}

/// A geometry column's encoding and extension metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct GeoField {
    /// The encoding.
    pub kind: Kind,
    /// The raw `ARROW:extension:metadata` (crs, edges), kept as written.
    pub metadata: Option<String>,
}

/// Whether `t` is a GeoArrow coordinate type: a FixedSizeList of 2–4 Float64 (interleaved) or a
/// Struct of 2–4 Float64 fields (separated), x and y first.
fn is_coords(t: &DataType) -> bool {
    match t {
        DataType::FixedSizeList(item, n) => (2..=4).contains(n) && item.data_type() == &DataType::Float64,
        DataType::Struct(fields) => {
            (2..=4).contains(&fields.len()) && fields.iter().all(|f| f.data_type() == &DataType::Float64)
        }
        _ => false,
    }
}

fn storage_fits(kind: Kind, t: &DataType) -> bool {
    if kind == Kind::Wkb {
        return matches!(t, DataType::Binary | DataType::LargeBinary | DataType::BinaryView);
    }
    let mut t = t;
    for _ in 0..kind.depth() {
        match t {
            DataType::List(item) | DataType::LargeList(item) => t = item.data_type(),
            _ => return false,
        }
    }
    is_coords(t)
}

/// Read a field's GeoArrow encoding and check its storage type and metadata. `None` when the field
/// has no GeoArrow extension name.
pub fn geo_field(field: &Field) -> Result<Option<GeoField>> {
    let Some(name) = field.metadata().get(EXTENSION_NAME) else { return Ok(None) };
    let Some(kind) = Kind::from_extension(name) else { return Ok(None) };
    check_storage(kind, field.name(), &field.data_type().to_string(), field.data_type())?;
    let metadata = field.metadata().get(EXTENSION_METADATA).cloned();
    check_metadata(field.name(), metadata.as_deref())?;
    Ok(Some(GeoField { kind, metadata }))
}

/// Check that a storage type (as a type, and as the core displays it, for the message) fits the
/// encoding.
pub fn check_storage(kind: Kind, column: &str, shown: &str, t: &DataType) -> Result<()> {
    if storage_fits(kind, t) {
        Ok(())
    } else {
        Err(GeoError::Field(format!("column {column:?}: {} cannot be stored as {shown}", kind.extension_name())))
    }
}

/// The extension type a name claims, if it is one of ours.
pub fn kind_of(extension: &str) -> Option<Kind> {
    Kind::from_extension(extension)
}

/// GeoArrow metadata is empty or a JSON object whose `edges`, if present, is `"planar"` or
/// `"spherical"`. Measures here are planar, so spherical edges are refused.
pub fn check_metadata(column: &str, metadata: Option<&str>) -> Result<()> {
    let Some(text) = metadata.filter(|t| !t.trim().is_empty()) else { return Ok(()) };
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| GeoError::Field(format!("column {column:?}: extension metadata is not JSON: {e}")))?;
    let object = value
        .as_object()
        .ok_or_else(|| GeoError::Field(format!("column {column:?}: extension metadata is not an object")))?;
    match object.get("edges").and_then(|e| e.as_str()) {
        None | Some("planar") => Ok(()),
        Some("spherical") => Err(GeoError::Field(format!(
            "column {column:?} has spherical edges: this plugin measures planar geometry only"
        ))),
        Some(other) => Err(GeoError::Field(format!("column {column:?}: unknown edges {other:?}"))),
    }
}

/// One coordinate array, interleaved or separated.
enum Coords<'a> {
    Interleaved { values: &'a [f64], size: usize },
    Separated { x: &'a [f64], y: &'a [f64] },
}

impl<'a> Coords<'a> {
    fn of(array: &'a dyn Array) -> Result<Self> {
        if let Some(list) = array.as_fixed_size_list_opt() {
            let size =
                usize::try_from(list.value_length()).map_err(|_| GeoError::Field("bad coordinate size".into()))?;
            let values = list
                .values()
                .as_primitive_opt::<arrow_array::types::Float64Type>()
                .ok_or_else(|| GeoError::Field("coordinates are not Float64".into()))?;
            // arrow-rs slices a FixedSizeList's child with it: the values start at the first row.
            return Ok(Coords::Interleaved { values: values.values(), size });
        }
        if let Some(s) = array.as_struct_opt() {
            let axis = |i: usize| -> Result<&'a [f64]> {
                let column = s.columns().get(i).ok_or_else(|| GeoError::Field("missing coordinate axis".into()))?;
                let values = column
                    .as_primitive_opt::<arrow_array::types::Float64Type>()
                    .ok_or_else(|| GeoError::Field("coordinates are not Float64".into()))?;
                Ok(values.values())
            };
            return Ok(Coords::Separated { x: axis(0)?, y: axis(1)? });
        }
        Err(GeoError::Field(format!("{} is not a GeoArrow coordinate type", array.data_type())))
    }

    fn get(&self, i: usize) -> Option<Coord> {
        match self {
            Coords::Interleaved { values, size } => {
                Some(Coord { x: *values.get(i * size)?, y: *values.get(i * size + 1)? })
            }
            Coords::Separated { x, y } => Some(Coord { x: *x.get(i)?, y: *y.get(i)? }),
        }
    }
}

/// A list level: each row's range of child positions, and the child array.
struct Level {
    ranges: Vec<(usize, usize)>,
    child: ArrayRef,
}

fn offsets_of<O: OffsetSizeTrait>(list: &GenericListArray<O>) -> Level {
    let offsets = list.value_offsets();
    let ranges = offsets.iter().zip(offsets.iter().skip(1)).map(|(a, b)| (a.as_usize(), b.as_usize())).collect();
    Level { ranges, child: list.values().clone() }
}

fn level(array: &dyn Array) -> Result<Level> {
    if let Some(l) = array.as_list_opt::<i32>() {
        return Ok(offsets_of(l));
    }
    if let Some(l) = array.as_list_opt::<i64>() {
        return Ok(offsets_of(l));
    }
    Err(GeoError::Field(format!("{} is not a list", array.data_type())))
}

fn bad_row(row: usize, message: impl Into<String>) -> GeoError {
    GeoError::Row { row, message: message.into() }
}

/// The coordinates `range` of `coords` as a line string.
fn line(coords: &Coords<'_>, (start, end): (usize, usize), row: usize) -> Result<LineString> {
    (start..end)
        .map(|i| coords.get(i).ok_or_else(|| bad_row(row, "a coordinate offset lies past the coordinates")))
        .collect::<Result<Vec<_>>>()
        .map(LineString::new)
}

fn sub(ranges: &[(usize, usize)], (start, end): (usize, usize), row: usize) -> Result<&[(usize, usize)]> {
    ranges.get(start..end).ok_or_else(|| bad_row(row, "an offset lies past its child list"))
}

/// The line strings of the inner lists `range` of `ranges` points at (a polygon's rings, a
/// multilinestring's lines).
fn lines(coords: &Coords<'_>, ranges: &[(usize, usize)], range: (usize, usize), row: usize) -> Result<Vec<LineString>> {
    sub(ranges, range, row)?.iter().map(|&r| line(coords, r, row)).collect()
}

/// Every row of a geometry column as a `geo` geometry; `None` for nulls. An empty point (NaN
/// coordinates in GeoArrow, `POINT EMPTY` in WKB) is a point of NaN coordinates. The first value
/// that does not decode is an error naming its row (counted from `first_row`).
pub fn geometries(array: &dyn Array, kind: Kind, first_row: usize) -> Result<Vec<Option<Geometry>>> {
    let valid = |i: usize| array.is_valid(i);
    let mut out = Vec::with_capacity(array.len());
    match kind {
        Kind::Wkb => {
            let value = |i: usize| -> Option<&[u8]> {
                if let Some(b) = array.as_binary_opt::<i32>() {
                    Some(b.value(i))
                } else if let Some(b) = array.as_binary_opt::<i64>() {
                    Some(b.value(i))
                } else {
                    array.as_binary_view_opt().map(|b| b.value(i))
                }
            };
            for i in 0..array.len() {
                if !valid(i) {
                    out.push(None);
                    continue;
                }
                let row = first_row + i;
                let bytes = value(i).ok_or_else(|| GeoError::Field("WKB is not stored as binary".into()))?;
                let wkb = wkb::reader::read_wkb(bytes).map_err(|e| bad_row(row, format!("invalid WKB: {e}")))?;
                // `try_to_geometry` is `None` only for an empty point.
                let g = wkb.try_to_geometry().unwrap_or(Geometry::Point(Point::new(f64::NAN, f64::NAN)));
                out.push(Some(g));
            }
        }
        Kind::Point => {
            let coords = Coords::of(array)?;
            for i in 0..array.len() {
                out.push(if valid(i) {
                    Some(Geometry::Point(Point(coords.get(i).ok_or_else(|| bad_row(first_row + i, "no coordinate"))?)))
                } else {
                    None
                });
            }
        }
        Kind::LineString | Kind::MultiPoint => {
            let outer = level(array)?;
            let coords = Coords::of(outer.child.as_ref())?;
            per_row(&mut out, &outer.ranges, valid, first_row, |range, row| {
                let ls = line(&coords, range, row)?;
                Ok(if kind == Kind::LineString {
                    Geometry::LineString(ls)
                } else {
                    Geometry::MultiPoint(MultiPoint(ls.0.into_iter().map(Point).collect()))
                })
            })?;
        }
        Kind::Polygon | Kind::MultiLineString => {
            let outer = level(array)?;
            let inner = level(outer.child.as_ref())?;
            let coords = Coords::of(inner.child.as_ref())?;
            per_row(&mut out, &outer.ranges, valid, first_row, |range, row| {
                let lines = lines(&coords, &inner.ranges, range, row)?;
                Ok(if kind == Kind::Polygon {
                    polygon(lines)
                } else {
                    Geometry::MultiLineString(MultiLineString(lines))
                })
            })?;
        }
        Kind::MultiPolygon => {
            let outer = level(array)?;
            let middle = level(outer.child.as_ref())?;
            let inner = level(middle.child.as_ref())?;
            let coords = Coords::of(inner.child.as_ref())?;
            per_row(&mut out, &outer.ranges, valid, first_row, |range, row| {
                let mut polygons = Vec::new();
                for &p in sub(&middle.ranges, range, row)? {
                    if let Geometry::Polygon(p) = polygon(lines(&coords, &inner.ranges, p, row)?) {
                        polygons.push(p);
                    }
                }
                Ok(Geometry::MultiPolygon(MultiPolygon(polygons)))
            })?;
        }
    }
    Ok(out)
}

/// One geometry per list row: `None` under a null, else `make(range, row)`.
fn per_row(
    out: &mut Vec<Option<Geometry>>,
    ranges: &[(usize, usize)],
    valid: impl Fn(usize) -> bool,
    first_row: usize,
    mut make: impl FnMut((usize, usize), usize) -> Result<Geometry>,
) -> Result<()> {
    for (i, &range) in ranges.iter().enumerate() {
        out.push(if valid(i) { Some(make(range, first_row + i)?) } else { None });
    }
    Ok(())
}

fn polygon(mut rings: Vec<LineString>) -> Geometry {
    if rings.is_empty() {
        return Geometry::Polygon(Polygon::new(LineString::new(vec![]), vec![]));
    }
    let exterior = rings.remove(0);
    Geometry::Polygon(Polygon::new(exterior, rings))
}

/// The geometries as a `geoarrow.wkb` Binary array of little-endian WKB.
pub fn to_wkb(geometries: &[Option<Geometry>]) -> Result<ArrayRef> {
    let mut builder = BinaryBuilder::new();
    let options = wkb::writer::WriteOptions { endianness: wkb::Endianness::LittleEndian };
    let mut buf = Vec::new();
    for g in geometries {
        match g {
            Some(g) => {
                buf.clear();
                wkb::writer::write_geometry(&mut buf, g, &options)
                    .map_err(|e| GeoError::Field(format!("writing WKB: {e}")))?;
                builder.append_value(&buf);
            }
            None => builder.append_null(),
        }
    }
    Ok(Arc::new(builder.finish()))
}

/// The field of a converted column: same name and nullability, the new storage type and
/// extension name, the extension metadata kept.
pub fn converted_field(old: &Field, kind: Kind, data_type: DataType) -> Field {
    let mut metadata = old.metadata().clone();
    metadata.insert(EXTENSION_NAME.to_string(), kind.extension_name().to_string());
    Field::new(old.name(), data_type, old.is_nullable()).with_metadata(metadata)
}

/// The geometries in a native encoding with interleaved xy coordinates. A value of another type
/// is an error naming its row; a point fits `multipoint`, a line `multilinestring`, a polygon
/// `multipolygon`.
pub fn to_native(geometries: &[Option<Geometry>], kind: Kind, first_row: usize) -> Result<ArrayRef> {
    // Each value as polygons of rings of coordinates (the fullest nesting); shallower encodings
    // use the first polygon, or its first ring.
    let mut nested: Vec<Option<Vec<Vec<Vec<Coord>>>>> = Vec::with_capacity(geometries.len());
    for (i, g) in geometries.iter().enumerate() {
        let row = first_row + i;
        let wrong =
            |g: &Geometry| bad_row(row, format!("a {} does not fit {}", geometry_name(g), kind.extension_name()));
        let Some(g) = g else {
            nested.push(None);
            continue;
        };
        let rings = |p: &Polygon| -> Vec<Vec<Coord>> {
            std::iter::once(p.exterior()).chain(p.interiors()).map(|r| r.0.clone()).collect()
        };
        let value: Vec<Vec<Vec<Coord>>> = match (kind, g) {
            (Kind::Point, Geometry::Point(p)) => vec![vec![vec![p.0]]],
            (Kind::LineString, Geometry::LineString(l)) => vec![vec![l.0.clone()]],
            (Kind::Polygon, Geometry::Polygon(p)) => vec![rings(p)],
            (Kind::MultiPoint, Geometry::Point(p)) => vec![vec![vec![p.0]]],
            (Kind::MultiPoint, Geometry::MultiPoint(m)) => vec![vec![m.0.iter().map(|p| p.0).collect()]],
            (Kind::MultiLineString, Geometry::LineString(l)) => vec![vec![l.0.clone()]],
            (Kind::MultiLineString, Geometry::MultiLineString(m)) => vec![m.0.iter().map(|l| l.0.clone()).collect()],
            (Kind::MultiPolygon, Geometry::Polygon(p)) => vec![rings(p)],
            (Kind::MultiPolygon, Geometry::MultiPolygon(m)) => m.0.iter().map(rings).collect(),
            (Kind::Wkb, _) => return Err(GeoError::Field("WKB is not a native encoding".into())),
            (_, g) => return Err(wrong(g)),
        };
        nested.push(Some(value));
    }
    let nulls = NullBuffer::from(nested.iter().map(Option::is_some).collect::<Vec<_>>());
    let nulls = (nulls.null_count() > 0).then_some(nulls);
    let offset = |n: usize| i32::try_from(n).map_err(|_| GeoError::Field("too many values for 32-bit offsets".into()));
    // Flatten by the encoding's depth. `vertices` delimits the innermost lists (of coordinates),
    // `rings` the polygons of a multipolygon (lists of rings), `rows` the outermost level.
    let mut xy = Float64Builder::new();
    let (mut rows, mut rings, mut vertices) = (vec![0i32], vec![0i32], vec![0i32]);
    let push = |coords: &[Coord], xy: &mut Float64Builder| {
        for c in coords {
            xy.append_value(c.x);
            xy.append_value(c.y);
        }
    };
    for value in &nested {
        let polygons: &[Vec<Vec<Coord>>] = value.as_deref().unwrap_or(&[]);
        match kind.depth() {
            0 => {
                // One coordinate per row: NaN for an empty point and under a null.
                let c = polygons.first().and_then(|p| p.first()?.first().copied());
                let c = c.unwrap_or(Coord { x: f64::NAN, y: f64::NAN });
                push(&[c], &mut xy);
            }
            1 => {
                for line in polygons.iter().flatten() {
                    push(line, &mut xy);
                }
                rows.push(offset(xy.len() / 2)?);
            }
            2 => {
                for line in polygons.iter().flatten() {
                    push(line, &mut xy);
                    vertices.push(offset(xy.len() / 2)?);
                }
                rows.push(offset(vertices.len() - 1)?);
            }
            _ => {
                for polygon in polygons {
                    for ring in polygon {
                        push(ring, &mut xy);
                        vertices.push(offset(xy.len() / 2)?);
                    }
                    rings.push(offset(vertices.len() - 1)?);
                }
                rows.push(offset(rings.len() - 1)?);
            }
        }
    }
    let coord_field = Arc::new(Field::new("xy", DataType::Float64, false));
    let coords = |nulls: Option<NullBuffer>, xy: Float64Builder| -> Result<ArrayRef> {
        let mut xy = xy;
        Ok(Arc::new(
            FixedSizeListArray::try_new(coord_field.clone(), 2, Arc::new(xy.finish()), nulls)
                .map_err(|e| GeoError::Field(e.to_string()))?,
        ))
    };
    let list = |name: &str, child: ArrayRef, offsets: Vec<i32>, nulls: Option<NullBuffer>| -> Result<ArrayRef> {
        let field = Arc::new(Field::new(name, child.data_type().clone(), false));
        Ok(Arc::new(
            GenericListArray::<i32>::try_new(field, OffsetBuffer::new(offsets.into()), child, nulls)
                .map_err(|e| GeoError::Field(e.to_string()))?,
        ))
    };
    match kind {
        Kind::Point => coords(nulls, xy),
        Kind::LineString => list("vertices", coords(None, xy)?, rows, nulls),
        Kind::MultiPoint => list("points", coords(None, xy)?, rows, nulls),
        Kind::Polygon => list("rings", list("vertices", coords(None, xy)?, vertices, None)?, rows, nulls),
        Kind::MultiLineString => list("linestrings", list("vertices", coords(None, xy)?, vertices, None)?, rows, nulls),
        Kind::MultiPolygon => list(
            "polygons",
            list("rings", list("vertices", coords(None, xy)?, vertices, None)?, rings, None)?,
            rows,
            nulls,
        ),
        Kind::Wkb => Err(GeoError::Field("WKB is not a native encoding".into())),
    }
}

fn geometry_name(g: &Geometry) -> &'static str {
    match g {
        Geometry::Point(_) => "point",
        Geometry::Line(_) => "line",
        Geometry::LineString(_) => "linestring",
        Geometry::Polygon(_) => "polygon",
        Geometry::MultiPoint(_) => "multipoint",
        Geometry::MultiLineString(_) => "multilinestring",
        Geometry::MultiPolygon(_) => "multipolygon",
        Geometry::GeometryCollection(_) => "geometry collection",
        Geometry::Rect(_) => "rect",
        Geometry::Triangle(_) => "triangle",
    }
}
