//! Schema summaries, column lookup by name, and schemas given by callers as text.

use std::sync::Arc;

use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};

use crate::error::{CoreError, Result};

/// The metadata key of an Arrow extension type's name.
pub const EXTENSION_NAME_KEY: &str = "ARROW:extension:name";

/// A summary of one column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    /// The field name.
    pub name: String,
    /// The data type as arrow-rs displays it.
    pub arrow_type: String,
    /// Whether the field may hold nulls.
    pub nullable: bool,
    /// Field metadata, sorted by key.
    pub metadata: Vec<(String, String)>,
    /// The extension type name, if the field has one.
    pub extension_name: Option<String>,
    /// The id of the registered plugin claiming the extension type (the registry module marks it).
    pub owner_plugin: Option<String>,
    /// The storage type as arrow-rs displays it; `arrow_type` differs only for claimed columns.
    pub storage_type: String,
}

/// A summary of a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaSummary {
    /// The columns in order.
    pub columns: Vec<ColumnInfo>,
    /// Schema metadata, sorted by key.
    pub metadata: Vec<(String, String)>,
}

/// arrow-schema keeps metadata in a `BTreeMap`, so this is already sorted by key.
fn pairs(map: &arrow_schema::Metadata) -> Vec<(String, String)> {
    map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

fn column_info(field: &Field) -> ColumnInfo {
    ColumnInfo {
        name: field.name().clone(),
        arrow_type: field.data_type().to_string(),
        nullable: field.is_nullable(),
        metadata: pairs(field.metadata()),
        extension_name: field.metadata().get(EXTENSION_NAME_KEY).cloned(),
        owner_plugin: None,
        storage_type: field.data_type().to_string(),
    }
}

/// Summarises a schema; metadata is sorted so equal schemas give equal summaries.
pub fn summarize(schema: &Schema) -> SchemaSummary {
    SchemaSummary {
        columns: schema.fields().iter().map(|f| column_info(f)).collect(),
        metadata: pairs(schema.metadata()),
    }
}

/// The index of the one column called `name`. Arrow allows duplicate names, and picking one
/// silently would hand back the wrong data, so a duplicated name is an error like a missing one.
pub fn column_index(schema: &Schema, name: &str) -> Result<usize> {
    let mut hits = schema.fields().iter().enumerate().filter(|(_, f)| f.name() == name).map(|(i, _)| i);
    match (hits.next(), hits.next()) {
        (Some(i), None) => Ok(i),
        (Some(_), Some(_)) => {
            Err(CoreError::ColumnNotFound(format!("column name {name:?} is ambiguous: several columns have it")))
        }
        (None, _) => {
            let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
            Err(CoreError::ColumnNotFound(format!("no column {name:?}; the columns are {names:?}")))
        }
    }
}

/// One column of a caller-given schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSpec {
    /// The column name.
    pub name: String,
    /// The Arrow type in arrow-rs's display syntax (`Int64`, `Utf8`, `Timestamp(ms, "UTC")`).
    pub arrow_type: String,
    /// Whether nulls are allowed.
    pub nullable: bool,
}

/// Build a schema from caller-given fields.
pub fn schema_from_specs(specs: &[FieldSpec]) -> Result<SchemaRef> {
    let fields = specs
        .iter()
        .map(|s| {
            let t: DataType = s.arrow_type.parse().map_err(|e: ArrowError| {
                CoreError::InvalidArgument(format!("column {:?}: cannot parse type {:?}: {e}", s.name, s.arrow_type))
            })?;
            // An unknown zone would otherwise surface as a parse error of the first value read.
            #[cfg(any(feature = "csv", feature = "json"))]
            if let DataType::Timestamp(_, Some(zone)) = &t {
                zone.parse::<arrow_array::timezone::Tz>().map_err(|e| {
                    CoreError::InvalidArgument(format!("column {:?}: unknown time zone {zone:?}: {e}", s.name))
                })?;
            }
            Ok(Field::new(&s.name, t, s.nullable))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Arc::new(Schema::new(fields)))
}

/// Timestamps store UTC instants, and a column in a named zone (`UTC`, `Europe/Paris`) is written as
/// the same instants in UTC (`...Z`): text every reader takes the same way, whatever zone database
/// it has (or lacks), where a local time with a zone name would not be.
#[cfg(any(feature = "csv", feature = "json"))]
pub(crate) fn utc_for_named_zones(
    schema: &SchemaRef,
    batches: &[arrow_array::RecordBatch],
) -> Result<(SchemaRef, Vec<arrow_array::RecordBatch>)> {
    let named = |tz: &str| !tz.starts_with(['+', '-']);
    let fields: Vec<_> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Timestamp(unit, Some(tz)) if named(tz) => {
                Arc::new(f.as_ref().clone().with_data_type(DataType::Timestamp(*unit, Some("+00:00".into()))))
            }
            _ => f.clone(),
        })
        .collect();
    if fields.iter().zip(schema.fields().iter()).all(|(a, b)| a == b) {
        return Ok((schema.clone(), batches.to_vec()));
    }
    let out_schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
    let batches = batches
        .iter()
        .map(|b| {
            let columns = b
                .columns()
                .iter()
                .zip(out_schema.fields().iter())
                .map(|(c, f)| {
                    if c.data_type() == f.data_type() {
                        return Ok(c.clone());
                    }
                    let data = c.to_data().into_builder().data_type(f.data_type().clone()).build();
                    data.map(arrow_array::make_array).map_err(|e| CoreError::Internal(e.to_string()))
                })
                .collect::<Result<Vec<_>>>()?;
            arrow_array::RecordBatch::try_new(out_schema.clone(), columns)
                .map_err(|e| CoreError::Internal(e.to_string()))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((out_schema, batches))
}
