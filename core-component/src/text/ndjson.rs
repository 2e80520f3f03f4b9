//! Newline-delimited JSON in (arrow-json): schema inference over a bounded sample or a given
//! schema; objects become structs, arrays lists.
//!
//! arrow-json's decoder reports what was wrong but not where, so when a read fails the failing
//! batch is decoded again line by line to name the line. Only the failure path pays for that.

use std::io::Cursor;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_json::ReaderBuilder;
use arrow_schema::{ArrowError, SchemaRef};

use crate::error::{CoreError, Result};
use crate::format::Decoded;
use crate::schema::{FieldSpec, schema_from_specs, utc_for_named_zones};

/// The default number of records schema inference looks at.
pub const DEFAULT_INFER_ROWS: usize = 1000;
/// The default number of rows per batch.
pub const DEFAULT_BATCH_SIZE: usize = 8192;

/// How to read NDJSON.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NdjsonReadOptions {
    /// The schema; inferred when `None`.
    pub schema: Option<Vec<FieldSpec>>,
    /// Records to infer the schema from; [`DEFAULT_INFER_ROWS`] when `None`.
    pub infer_rows: Option<usize>,
    /// Rows per batch; [`DEFAULT_BATCH_SIZE`] when `None`.
    pub batch_size: Option<usize>,
    /// Columns to keep, by name, in this order.
    pub columns: Option<Vec<String>>,
    /// Refuse fields absent from the given schema instead of ignoring them.
    pub strict: bool,
}

/// The 1-based line of `input` (a whole number of lines from the start) that the decoder rejects.
fn failing_line(input: &[u8], schema: &SchemaRef, strict: bool) -> Option<usize> {
    let mut decoder = ReaderBuilder::new(schema.clone()).with_strict_mode(strict).build_decoder().ok()?;
    for (i, line) in input.split(|&b| b == b'\n').enumerate() {
        if decoder.decode(line).is_err() || decoder.decode(b"\n").is_err() || decoder.flush().is_err() {
            return Some(i + 1);
        }
    }
    None
}

/// The first line that is not one JSON value (for inference errors).
fn first_invalid_json_line(input: &[u8]) -> Option<usize> {
    input
        .split(|&b| b == b'\n')
        .position(|l| !l.iter().all(u8::is_ascii_whitespace) && serde_json::from_slice::<serde_json::Value>(l).is_err())
        .map(|i| i + 1)
}

fn lines_before(input: &[u8], offset: usize) -> usize {
    input.get(..offset).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
}

fn at_line(e: &ArrowError, line: Option<usize>) -> CoreError {
    match line {
        Some(l) => CoreError::Malformed(format!("ndjson: line {l}: {e}")),
        None => CoreError::Malformed(format!("ndjson: {e}")),
    }
}

/// Read NDJSON text.
pub fn read(input: &[u8], options: &NdjsonReadOptions) -> Result<Decoded> {
    let schema = match &options.schema {
        Some(specs) => schema_from_specs(specs)?,
        None => {
            let n = options.infer_rows.unwrap_or(DEFAULT_INFER_ROWS);
            let (s, _) = arrow_json::reader::infer_json_schema(Cursor::new(input), Some(n))
                .map_err(|e| at_line(&e, first_invalid_json_line(input)))?;
            Arc::new(s)
        }
    };
    let batch_size = match options.batch_size {
        Some(0) => return Err(CoreError::InvalidArgument("batch-size must be at least 1".into())),
        Some(n) => n,
        None => DEFAULT_BATCH_SIZE,
    };
    let mut decoder = ReaderBuilder::new(schema.clone())
        .with_batch_size(batch_size)
        .with_strict_mode(options.strict)
        .build_decoder()
        .map_err(|e| CoreError::InvalidArgument(e.to_string()))?;
    let fail = |e: ArrowError, start: usize| {
        let rest = input.get(start..).unwrap_or_default();
        at_line(&e, failing_line(rest, &schema, options.strict).map(|l| l + lines_before(input, start)))
    };
    let mut batches = Vec::new();
    let mut pos = 0;
    // The decoder takes at most one batch of rows per call; each loop decodes and flushes one.
    loop {
        let start = pos;
        let rest = input.get(pos..).unwrap_or_default();
        let n = decoder.decode(rest).map_err(|e| fail(e, start))?;
        pos += n;
        match decoder.flush().map_err(|e| fail(e, start))? {
            Some(b) => batches.push(b),
            None if n == 0 => break,
            None => {}
        }
        if pos >= input.len() && decoder.is_empty() {
            break;
        }
    }
    let (schema, batches) = match &options.columns {
        Some(names) => {
            let idx = names.iter().map(|n| crate::schema::column_index(&schema, n)).collect::<Result<Vec<_>>>()?;
            let s = Arc::new(schema.project(&idx).map_err(|e| CoreError::Internal(e.to_string()))?);
            let b = batches
                .iter()
                .map(|b| b.project(&idx).map_err(|e| CoreError::Internal(e.to_string())))
                .collect::<Result<Vec<RecordBatch>>>()?;
            (s, b)
        }
        None => (schema, batches),
    };
    Ok(Decoded { schema, batches, codecs: Vec::new() })
}

/// How to write NDJSON.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NdjsonWriteOptions {
    /// Write `"key": null` for nulls instead of leaving the key out (arrow-json's default).
    pub explicit_nulls: bool,
}

/// Write batches as NDJSON, one object per row. 64-bit integers are written as JSON numbers, as
/// pyarrow and arrow-json do; a reader that parses them as doubles loses precision past 2^53.
pub fn write(schema: &SchemaRef, batches: &[RecordBatch], options: &NdjsonWriteOptions) -> Result<Vec<u8>> {
    // arrow-json has no JSON form for unions: say which columns, rather than an internal error.
    let unions: Vec<&str> =
        schema.fields().iter().filter(|f| holds_union(f.data_type())).map(|f| f.name().as_str()).collect();
    if !unions.is_empty() {
        return Err(CoreError::UnsupportedFormat(format!(
            "NDJSON cannot hold union columns: {}; select the others first",
            unions.join(", ")
        )));
    }
    let (_, batches) = utc_for_named_zones(schema, batches)?;
    let mut out = Vec::new();
    {
        let mut w = arrow_json::WriterBuilder::new()
            .with_explicit_nulls(options.explicit_nulls)
            .build::<_, arrow_json::writer::LineDelimited>(&mut out);
        for b in &batches {
            w.write(b).map_err(CoreError::from_encode)?;
        }
        w.finish().map_err(CoreError::from_encode)?;
    }
    Ok(out)
}

/// Whether a type is a union or holds one (in a list, struct, map, dictionary or run-end array).
fn holds_union(t: &arrow_schema::DataType) -> bool {
    use arrow_schema::DataType as D;
    match t {
        D::Union(..) => true,
        D::List(f) | D::LargeList(f) | D::ListView(f) | D::LargeListView(f) | D::FixedSizeList(f, _) | D::Map(f, _) => {
            holds_union(f.data_type())
        }
        D::Struct(fields) => fields.iter().any(|f| holds_union(f.data_type())),
        D::Dictionary(_, v) => holds_union(v),
        D::RunEndEncoded(_, v) => holds_union(v.data_type()),
        _ => false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use arrow_array::Array;
    use arrow_schema::DataType;

    use super::*;

    #[test]
    fn objects_become_structs_and_arrays_lists() {
        let text = b"{\"a\": 1, \"o\": {\"x\": \"s\"}, \"l\": [1, 2]}\n{\"a\": null, \"o\": null, \"l\": []}\n";
        let d = read(text, &NdjsonReadOptions::default()).unwrap();
        let s = &d.schema;
        assert_eq!(s.field_with_name("a").unwrap().data_type(), &DataType::Int64);
        assert!(matches!(s.field_with_name("o").unwrap().data_type(), DataType::Struct(_)));
        assert!(matches!(s.field_with_name("l").unwrap().data_type(), DataType::List(_)));
        let rows: usize = d.batches.iter().map(RecordBatch::num_rows).sum();
        assert_eq!(rows, 2);
        assert_eq!(d.batches[0].column(0).null_count(), 1);
    }

    #[test]
    fn batches_split_at_batch_size_and_the_last_line_needs_no_newline() {
        let text = b"{\"a\": 1}\n{\"a\": 2}\n{\"a\": 3}";
        let d = read(text, &NdjsonReadOptions { batch_size: Some(2), ..Default::default() }).unwrap();
        let sizes: Vec<usize> = d.batches.iter().map(RecordBatch::num_rows).collect();
        assert_eq!(sizes, vec![2, 1]);
    }

    #[test]
    fn bad_lines_are_named() {
        let spec = vec![FieldSpec { name: "a".into(), arrow_type: "Int64".into(), nullable: true }];
        let text = b"{\"a\": 1}\n{\"a\": 2}\n{\"a\": \"x\"}\n";
        let opts = NdjsonReadOptions { schema: Some(spec.clone()), batch_size: Some(2), ..Default::default() };
        let e = read(text, &opts).unwrap_err();
        assert!(matches!(&e, CoreError::Malformed(m) if m.contains("line 3")), "{e}");
        let e = read(b"{\"a\": 1}\n{\"a\": \n", &NdjsonReadOptions::default()).unwrap_err();
        assert!(matches!(&e, CoreError::Malformed(m) if m.contains("line 2")), "{e}");
    }

    #[test]
    fn union_columns_are_refused_by_name() {
        use arrow_array::{ArrayRef, Int32Array, UnionArray};
        use arrow_buffer::ScalarBuffer;
        use arrow_schema::{Field, UnionFields};
        let fields = UnionFields::try_new(vec![0], vec![Field::new("i", DataType::Int32, true)]).unwrap();
        let u = UnionArray::try_new(
            fields,
            ScalarBuffer::from(vec![0i8, 0]),
            None,
            vec![Arc::new(Int32Array::from(vec![1, 2])) as ArrayRef],
        )
        .unwrap();
        let b =
            RecordBatch::try_from_iter([("a", Arc::new(Int32Array::from(vec![1, 2])) as ArrayRef), ("u", Arc::new(u))])
                .unwrap();
        let e = write(&b.schema(), &[b], &NdjsonWriteOptions::default()).unwrap_err();
        assert!(matches!(&e, CoreError::UnsupportedFormat(m) if m.contains("union columns: u")), "{e}");
    }

    #[test]
    fn a_schema_may_name_a_zone() {
        use arrow_array::TimestampMillisecondArray;
        let spec =
            vec![FieldSpec { name: "t".into(), arrow_type: "Timestamp(ms, \"Europe/Paris\")".into(), nullable: true }];
        let text = b"{\"t\": \"2026-03-02T10:00:00\"}\n{\"t\": \"2026-03-02T10:00:00+00:00\"}\n";
        let d = read(text, &NdjsonReadOptions { schema: Some(spec), ..Default::default() }).unwrap();
        let a = d.batches[0].column(0).as_any().downcast_ref::<TimestampMillisecondArray>().unwrap();
        assert_eq!(a.timezone(), Some("Europe/Paris"));
        assert_eq!(a.values().to_vec(), vec![1_772_442_000_000, 1_772_445_600_000]);
    }

    #[test]
    fn written_ndjson_reads_back_equal() {
        let text = b"{\"a\":1,\"o\":{\"k\":[1,2]},\"s\":\"x\"}\n{\"a\":null,\"o\":null,\"s\":\"y\"}\n";
        let d = read(text, &NdjsonReadOptions::default()).unwrap();
        let out = write(&d.schema, &d.batches, &NdjsonWriteOptions::default()).unwrap();
        assert_eq!(out, b"{\"a\":1,\"o\":{\"k\":[1,2]},\"s\":\"x\"}\n{\"s\":\"y\"}\n");
        let explicit = write(&d.schema, &d.batches, &NdjsonWriteOptions { explicit_nulls: true }).unwrap();
        assert_eq!(explicit, &text[..]);
        let back = read(&out, &NdjsonReadOptions::default()).unwrap();
        assert_eq!(back.batches, d.batches);
    }

    #[test]
    fn timestamps_in_named_zones_are_written_as_utc_instants() {
        use arrow_array::{ArrayRef, TimestampMillisecondArray};
        let ts = TimestampMillisecondArray::from(vec![1_500]).with_timezone("America/New_York");
        let batch = RecordBatch::try_from_iter([("t", Arc::new(ts) as ArrayRef)]).unwrap();
        let text =
            String::from_utf8(write(&batch.schema(), &[batch], &NdjsonWriteOptions::default()).unwrap()).unwrap();
        assert_eq!(text, "{\"t\":\"1970-01-01T00:00:01.500Z\"}\n");
    }
}
