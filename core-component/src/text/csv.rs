//! CSV in (arrow-csv, with schema inference over a bounded sample or a given schema) and CSV out.
//!
//! Bad rows fail the read with `malformed-input`; arrow-csv's messages already name the line and
//! column, and the message is passed on unchanged.

use std::io::Cursor;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_csv::reader::Format;
use arrow_schema::{ArrowError, SchemaRef};

use crate::error::{CoreError, Result};
use crate::format::Decoded;
pub use crate::schema::FieldSpec;
use crate::schema::{schema_from_specs, utc_for_named_zones};

/// The default number of records schema inference looks at.
pub const DEFAULT_INFER_ROWS: usize = 1000;
/// The default number of rows per batch.
pub const DEFAULT_BATCH_SIZE: usize = 8192;

/// How to read CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvReadOptions {
    /// The first record names the columns; otherwise they are `column_1`, `column_2`, ...
    pub has_header: bool,
    /// The field delimiter.
    pub delimiter: u8,
    /// The quote character; `None` disables quoting.
    pub quote: Option<u8>,
    /// The escape character inside quoted fields, if any (doubled quotes always work).
    pub escape: Option<u8>,
    /// Lines starting with this byte are skipped.
    pub comment: Option<u8>,
    /// Field values that mean null (exact match); the empty field when empty.
    pub null_values: Vec<String>,
    /// The schema; inferred when `None`.
    pub schema: Option<Vec<FieldSpec>>,
    /// Records to infer the schema from; [`DEFAULT_INFER_ROWS`] when `None`.
    pub infer_rows: Option<usize>,
    /// Rows per batch; [`DEFAULT_BATCH_SIZE`] when `None`.
    pub batch_size: Option<usize>,
    /// Columns to keep, by name, in this order.
    pub columns: Option<Vec<String>>,
}

impl Default for CsvReadOptions {
    fn default() -> Self {
        Self {
            has_header: true,
            delimiter: b',',
            quote: Some(b'"'),
            escape: None,
            comment: None,
            null_values: Vec::new(),
            schema: None,
            infer_rows: None,
            batch_size: None,
            columns: None,
        }
    }
}

fn from_csv(e: ArrowError) -> CoreError {
    match e {
        ArrowError::CsvError(m) | ArrowError::ParseError(m) => CoreError::Malformed(format!("csv: {m}")),
        other => CoreError::Malformed(format!("csv: {other}")),
    }
}

fn format(options: &CsvReadOptions) -> Result<Format> {
    let mut f = Format::default().with_header(options.has_header).with_delimiter(options.delimiter);
    f = match options.quote {
        Some(q) => f.with_quote(q),
        // arrow-csv cannot switch quoting off; a NUL quote never occurs in text.
        None => f.with_quote(0),
    };
    if let Some(e) = options.escape {
        f = f.with_escape(e);
    }
    if let Some(c) = options.comment {
        f = f.with_comment(c);
    }
    if !options.null_values.is_empty() {
        let alternatives: Vec<String> = options.null_values.iter().map(|v| regex::escape(v)).collect();
        let re = regex::Regex::new(&format!("^(?:{})$", alternatives.join("|")))
            .map_err(|e| CoreError::InvalidArgument(format!("null-values: {e}")))?;
        f = f.with_null_regex(re);
    }
    Ok(f)
}

/// Read CSV text.
pub fn read(input: &[u8], options: &CsvReadOptions) -> Result<Decoded> {
    let fmt = format(options)?;
    let schema = match &options.schema {
        Some(specs) => schema_from_specs(specs)?,
        None => {
            let n = options.infer_rows.unwrap_or(DEFAULT_INFER_ROWS);
            let (s, _) = fmt.infer_schema(Cursor::new(input), Some(n)).map_err(from_csv)?;
            Arc::new(s)
        }
    };
    let batch_size = match options.batch_size {
        Some(0) => return Err(CoreError::InvalidArgument("batch-size must be at least 1".into())),
        Some(n) => n,
        None => DEFAULT_BATCH_SIZE,
    };
    let mut builder =
        arrow_csv::ReaderBuilder::new(schema.clone()).with_format(fmt.clone()).with_batch_size(batch_size);
    let mut out_schema = schema.clone();
    if let Some(names) = &options.columns {
        let indices = names.iter().map(|n| crate::schema::column_index(&schema, n)).collect::<Result<Vec<_>>>()?;
        out_schema = Arc::new(schema.project(&indices).map_err(|e| CoreError::Internal(e.to_string()))?);
        builder = builder.with_projection(indices);
    }
    let reader = builder.build(Cursor::new(input)).map_err(from_csv)?;
    let batches = reader.collect::<std::result::Result<Vec<RecordBatch>, _>>().map_err(from_csv)?;
    Ok(Decoded { schema: out_schema, batches, codecs: Vec::new() })
}

/// How to write CSV.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvWriteOptions {
    /// Write a header record of column names.
    pub header: bool,
    /// The field delimiter.
    pub delimiter: u8,
    /// The quote character.
    pub quote: u8,
    /// The text written for null.
    pub null_value: String,
}

impl Default for CsvWriteOptions {
    fn default() -> Self {
        Self { header: true, delimiter: b',', quote: b'"', null_value: String::new() }
    }
}

/// Write batches as CSV. Nested columns cannot be written: `unsupported-format` names them.
pub fn write(schema: &SchemaRef, batches: &[RecordBatch], options: &CsvWriteOptions) -> Result<Vec<u8>> {
    let nested: Vec<String> = schema
        .fields()
        .iter()
        .filter(|f| f.data_type().is_nested())
        .map(|f| format!("{} ({})", f.name(), f.data_type()))
        .collect();
    if !nested.is_empty() {
        return Err(CoreError::UnsupportedFormat(format!(
            "CSV cannot hold nested columns: {}; select the others or flatten them first",
            nested.join(", ")
        )));
    }
    let (schema, batches) = utc_for_named_zones(schema, batches)?;
    let (schema, batches) = (&schema, batches.as_slice());
    let mut out = Vec::new();
    {
        let mut w = arrow_csv::WriterBuilder::new()
            .with_header(options.header)
            .with_delimiter(options.delimiter)
            .with_quote(options.quote)
            .with_null(options.null_value.clone())
            .build(&mut out);
        if batches.is_empty() && options.header {
            // arrow-csv writes the header with the first batch; an empty table still gets one.
            w.write(&RecordBatch::new_empty(schema.clone())).map_err(CoreError::from_encode)?;
        }
        for b in batches {
            w.write(b).map_err(CoreError::from_encode)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use arrow_schema::{DataType, Field};

    use super::*;

    #[test]
    fn nulls_headers_and_schema_are_honoured() {
        let csv = b"x,y\n1,NA\n,b\n3,c\n";
        let opts = CsvReadOptions { null_values: vec!["NA".into(), String::new()], ..Default::default() };
        let d = read(csv, &opts).unwrap();
        assert_eq!(d.schema.field(0).data_type(), &DataType::Int64);
        let b = &d.batches[0];
        assert_eq!(b.num_rows(), 3);
        assert_eq!(b.column(0).null_count(), 1);
        assert_eq!(b.column(1).null_count(), 1);
        let given = CsvReadOptions {
            has_header: false,
            schema: Some(vec![
                FieldSpec { name: "a".into(), arrow_type: "Utf8".into(), nullable: true },
                FieldSpec { name: "b".into(), arrow_type: "Utf8".into(), nullable: true },
            ]),
            ..Default::default()
        };
        let d = read(csv, &given).unwrap();
        assert_eq!(d.batches[0].num_rows(), 4);
    }

    #[test]
    fn a_bad_row_names_its_line() {
        let csv = b"x\n1\n2\nthree\n";
        let opts = CsvReadOptions {
            schema: Some(vec![FieldSpec { name: "x".into(), arrow_type: "Int64".into(), nullable: true }]),
            ..Default::default()
        };
        let Err(CoreError::Malformed(m)) = read(csv, &opts) else { unreachable!() };
        assert!(m.contains("line 4") || m.contains("line 3"), "{m}");
        let ragged = b"a,b\n1,2\n3\n";
        let Err(CoreError::Malformed(m)) = read(ragged, &CsvReadOptions::default()) else { unreachable!() };
        assert!(m.contains("line 3"), "{m}");
    }

    #[test]
    fn a_schema_may_name_a_zone_and_text_without_an_offset_is_read_in_it() {
        use arrow_array::TimestampMillisecondArray;
        let csv = b"t\n2026-03-02T10:00:00\n2026-03-02T10:00:00Z\n2026-07-02 10:00:00\n";
        let spec = |zone: &str| CsvReadOptions {
            schema: Some(vec![FieldSpec {
                name: "t".into(),
                arrow_type: format!("Timestamp(ms, \"{zone}\")"),
                nullable: true,
            }]),
            ..Default::default()
        };
        let millis = |d: &Decoded| {
            let a = d.batches[0].column(0).as_any().downcast_ref::<TimestampMillisecondArray>().unwrap();
            (a.timezone().map(str::to_owned), a.values().to_vec())
        };
        let utc = read(csv, &spec("UTC")).unwrap();
        assert_eq!(millis(&utc), (Some("UTC".into()), vec![1_772_445_600_000, 1_772_445_600_000, 1_782_986_400_000]));
        // Paris is UTC+1 in March and UTC+2 in July; an explicit `Z` stays UTC.
        let paris = read(csv, &spec("Europe/Paris")).unwrap();
        assert_eq!(
            millis(&paris),
            (Some("Europe/Paris".into()), vec![1_772_442_000_000, 1_772_445_600_000, 1_782_979_200_000])
        );
        assert!(matches!(read(csv, &spec("Mars/Olympus")), Err(CoreError::InvalidArgument(_))));
    }

    #[test]
    fn timestamps_in_named_zones_are_written_as_utc_instants() {
        use arrow_array::{ArrayRef, TimestampSecondArray};
        let ts = TimestampSecondArray::from(vec![0, 86_400]).with_timezone("Europe/Paris");
        let batch = RecordBatch::try_from_iter([("t", Arc::new(ts) as ArrayRef)]).unwrap();
        let text = String::from_utf8(write(&batch.schema(), &[batch], &CsvWriteOptions::default()).unwrap()).unwrap();
        assert_eq!(text, "t\n1970-01-01T00:00:00Z\n1970-01-02T00:00:00Z\n");
    }

    #[test]
    fn nested_columns_cannot_be_written() {
        use arrow_array::{ArrayRef, Int32Array, StructArray};
        let inner = Arc::new(Int32Array::from(vec![1])) as ArrayRef;
        let s = StructArray::from(vec![(Arc::new(Field::new("i", DataType::Int32, true)), inner)]);
        let batch = RecordBatch::try_from_iter([("s", Arc::new(s) as ArrayRef)]).unwrap();
        let e = write(&batch.schema(), &[batch], &CsvWriteOptions::default()).unwrap_err();
        assert!(matches!(e, CoreError::UnsupportedFormat(m) if m.contains('s')));
    }
}
