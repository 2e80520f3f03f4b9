//! A core table as the plugin sees it: the core hands it over as an uncompressed Arrow IPC stream
//! (`table.write-ipc`), and takes converted tables back the same way (`table.read`).

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{FieldRef, Schema, SchemaRef};
use geo::Geometry;

use crate::encoding::{self, GeoField, Kind};
use crate::error::{GeoError, Result};

/// A table received from the core.
#[derive(Debug, Clone)]
pub struct Exchanged {
    /// Its schema.
    pub schema: SchemaRef,
    /// Its batches.
    pub batches: Vec<RecordBatch>,
}

fn exchange(e: impl std::fmt::Display) -> GeoError {
    GeoError::Exchange(e.to_string())
}

/// Decode the IPC stream the core wrote.
pub fn decode(bytes: &[u8]) -> Result<Exchanged> {
    let reader = arrow_ipc::reader::StreamReader::try_new(std::io::Cursor::new(bytes), None).map_err(exchange)?;
    let schema = reader.schema();
    let batches = reader.collect::<std::result::Result<Vec<_>, _>>().map_err(exchange)?;
    Ok(Exchanged { schema, batches })
}

/// Encode a table as an IPC stream for the core to read.
pub fn encode(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut w = arrow_ipc::writer::StreamWriter::try_new(&mut out, schema).map_err(exchange)?;
    for b in batches {
        w.write(b).map_err(exchange)?;
    }
    w.finish().map_err(exchange)?;
    drop(w);
    Ok(out)
}

/// A geometry column, decoded.
#[derive(Debug, Clone)]
pub struct GeoColumn {
    /// Its position in the table.
    pub index: usize,
    /// Its field.
    pub field: FieldRef,
    /// Its encoding and metadata.
    pub geo: GeoField,
    /// Every row's geometry (`None` for nulls).
    pub geometries: Vec<Option<Geometry>>,
}

/// Find and decode the geometry column `name`. A missing or non-GeoArrow column, or a value that
/// does not decode, is an error.
pub fn geo_column(table: &Exchanged, name: &str) -> Result<GeoColumn> {
    let (index, field) = table
        .schema
        .fields()
        .iter()
        .enumerate()
        .find(|(_, f)| f.name() == name)
        .ok_or_else(|| GeoError::Field(format!("no column {name:?}")))?;
    let geo = encoding::geo_field(field)?
        .ok_or_else(|| GeoError::Field(format!("column {name:?} has no GeoArrow extension type")))?;
    let mut geometries = Vec::new();
    for batch in &table.batches {
        let column = batch.column(index);
        geometries.extend(encoding::geometries(column.as_ref(), geo.kind, geometries.len())?);
    }
    Ok(GeoColumn { index, field: field.clone(), geo, geometries })
}

/// The table with the geometry column re-encoded as `kind`, batch boundaries kept, as an IPC
/// stream for the core.
pub fn reencode(table: &Exchanged, column: &GeoColumn, kind: Kind) -> Result<Vec<u8>> {
    let mut start = 0;
    let mut columns_per_batch = Vec::with_capacity(table.batches.len());
    for batch in &table.batches {
        let part = column.geometries.get(start..start + batch.num_rows()).unwrap_or(&[]);
        let array: ArrayRef = match kind {
            Kind::Wkb => encoding::to_wkb(part)?,
            native => encoding::to_native(part, native, start)?,
        };
        start += batch.num_rows();
        columns_per_batch.push(array);
    }
    let data_type = match columns_per_batch.first() {
        Some(a) => a.data_type().clone(),
        // No batches: the type of an empty conversion.
        None => match kind {
            Kind::Wkb => encoding::to_wkb(&[])?.data_type().clone(),
            native => encoding::to_native(&[], native, 0)?.data_type().clone(),
        },
    };
    let mut fields: Vec<FieldRef> = table.schema.fields().iter().cloned().collect();
    if let Some(f) = fields.get_mut(column.index) {
        *f = Arc::new(encoding::converted_field(&column.field, kind, data_type));
    }
    let schema = Arc::new(Schema::new_with_metadata(fields, table.schema.metadata().clone()));
    let batches = table
        .batches
        .iter()
        .zip(columns_per_batch)
        .map(|(b, array)| {
            let mut columns = b.columns().to_vec();
            if let Some(c) = columns.get_mut(column.index) {
                *c = array;
            }
            RecordBatch::try_new(schema.clone(), columns).map_err(exchange)
        })
        .collect::<Result<Vec<_>>>()?;
    encode(&schema, &batches)
}
