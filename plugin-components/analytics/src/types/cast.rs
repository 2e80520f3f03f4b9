//! Casts with DuckDB's semantics on top of arrow-cast: a value that does not fit is an error (or
//! NULL for `TRY_CAST`), never a silent wrap or truncation; floats become integers by rounding
//! half to even and decimals (and text with a fraction) half away from zero, as DuckDB does
//! (arrow truncates); strings are trimmed before they are parsed.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_cast::CastOptions;
use arrow_schema::DataType;

use super::coerce::{is_decimal, is_float, is_string};
use crate::error::{AnalyticsError, Result};

/// Cast `a` to `to`; with `try_cast`, values that do not fit become NULL.
pub fn cast(a: &ArrayRef, to: &DataType, try_cast: bool) -> Result<ArrayRef> {
    if a.data_type() == to {
        return Ok(a.clone());
    }
    // Time zones: the engine's `TIMESTAMPTZ` is UTC, which arrow-cast (built without its
    // time-zone database) cannot name; an instant in UTC has the same count as its naive
    // timestamp, so the zone is taken off, the cast made, and the zone put back.
    if let Some(naive) = without_utc(a.data_type()) {
        let stripped = relabel(a, &naive)?;
        return cast(&stripped, to, try_cast);
    }
    if let Some(naive) = without_utc(to) {
        let out = cast(a, &naive, try_cast)?;
        return relabel(&out, to);
    }
    let options = CastOptions { safe: try_cast, ..Default::default() };
    let from = a.data_type();
    // A timestamp to a coarser unit rounds to the nearest (halves up), as DuckDB does (arrow
    // truncates toward zero).
    if let (DataType::Timestamp(fu, None), DataType::Timestamp(tu, None)) = (from, to)
        && unit_nanos(*fu) < unit_nanos(*tu)
    {
        let factor = unit_nanos(*tu) / unit_nanos(*fu);
        let v = arrow_cast::cast(a, &DataType::Int64)?;
        let floored = v
            .as_primitive::<arrow_array::types::Int64Type>()
            .unary::<_, arrow_array::types::Int64Type>(|x| x.saturating_add(factor / 2).div_euclid(factor));
        return relabel(&(Arc::new(floored) as ArrayRef), to);
    }
    // Booleans become 1 and 0 of any number type (arrow has no boolean to decimal).
    if *from == DataType::Boolean && is_decimal(to) {
        let ints = arrow_cast::cast(a, &DataType::Int32)?;
        return cast(&ints, to, try_cast);
    }
    let source = if to.is_integer() && (is_float(from) || is_decimal(from)) {
        round_to_integer(a)?
    } else if is_string(from) && !is_string(to) {
        trim_strings(a)?
    } else {
        a.clone()
    };
    if !can_cast(source.data_type(), to) {
        return Err(AnalyticsError::types(format!("cannot cast {} to {}", from, to)));
    }
    if to.is_integer() && is_string(from) {
        return string_to_integer(&source, to, try_cast);
    }
    if is_float(from) && *to == DataType::Utf8 {
        return Ok(float_text(&source));
    }
    let out = arrow_cast::cast_with_options(&source, to, &options).map_err(|e| failed(from, to, e))?;
    if *to == DataType::Float32 && *from == DataType::Float64 {
        return narrow_float(a, out, try_cast);
    }
    Ok(out)
}

fn unit_nanos(u: arrow_schema::TimeUnit) -> i64 {
    match u {
        arrow_schema::TimeUnit::Second => 1_000_000_000,
        arrow_schema::TimeUnit::Millisecond => 1_000_000,
        arrow_schema::TimeUnit::Microsecond => 1_000,
        arrow_schema::TimeUnit::Nanosecond => 1,
    }
}

/// Whether [`cast`] takes `from` to `to`: what arrow casts, and booleans to decimals.
pub fn can_cast(from: &DataType, to: &DataType) -> bool {
    arrow_cast::can_cast_types(from, to) || (*from == DataType::Boolean && is_decimal(to))
}

/// The naive timestamp type of a timestamp in UTC.
fn without_utc(t: &DataType) -> Option<DataType> {
    match t {
        DataType::Timestamp(unit, Some(tz)) if is_utc(tz) => Some(DataType::Timestamp(*unit, None)),
        _ => None,
    }
}

/// Whether a time zone name is UTC.
pub fn is_utc(tz: &str) -> bool {
    matches!(
        tz.to_ascii_uppercase().as_str(),
        "UTC" | "ETC/UTC" | "Z" | "+00:00" | "+00" | "GMT" | "ETC/GMT" | "UCT" | "ZULU"
    )
}

/// The same values under another timestamp type of the same unit (only the zone differs).
fn relabel(a: &ArrayRef, to: &DataType) -> Result<ArrayRef> {
    let data = a.to_data().into_builder().data_type(to.clone()).build()?;
    Ok(arrow_array::make_array(data))
}

fn failed(from: &DataType, to: &DataType, e: arrow_schema::ArrowError) -> AnalyticsError {
    match e {
        arrow_schema::ArrowError::CastError(m) | arrow_schema::ArrowError::ParseError(m) => {
            AnalyticsError::execution(format!("conversion of {from} to {to} failed: {m}"))
        }
        other => AnalyticsError::from_arrow(other),
    }
}

/// `double` to `float`: a finite value past `float`'s range is an error (NULL for `TRY_CAST`),
/// as in DuckDB, where arrow would make it an infinity.
fn narrow_float(from: &ArrayRef, out: ArrayRef, try_cast: bool) -> Result<ArrayRef> {
    use arrow_array::types::{Float32Type, Float64Type};
    let wide = from.as_primitive::<Float64Type>();
    let narrow = out.as_primitive::<Float32Type>();
    let overflow = |i: usize| wide.is_valid(i) && wide.value(i).is_finite() && narrow.value(i).is_infinite();
    let Some(bad) = (0..wide.len()).find(|&i| overflow(i)) else { return Ok(out) };
    if !try_cast {
        return Err(AnalyticsError::execution(format!(
            "conversion of DOUBLE {} to FLOAT failed: the value is out of FLOAT's range",
            wide.value(bad)
        )));
    }
    let nulls: arrow_buffer::NullBuffer = (0..wide.len()).map(|i| narrow.is_valid(i) && !overflow(i)).collect();
    Ok(Arc::new(arrow_array::Float32Array::new(narrow.values().clone(), Some(nulls))))
}

/// Floats as DuckDB writes them: the shortest text that reads back as the same value, with an
/// exponent (`1e+16`, `1e-05`) outside 1e-4 to 1e16, and `inf`, `-inf`, `nan`.
fn float_text(a: &ArrayRef) -> ArrayRef {
    fn text(v: f64, shortest: String) -> String {
        if v.is_nan() {
            return "nan".into();
        }
        if v.is_infinite() {
            return if v > 0.0 { "inf".into() } else { "-inf".into() };
        }
        if v == 0.0 {
            return "0.0".into();
        }
        // Rust's shortest form switches to an exponent at the same places; DuckDB signs the
        // exponent and writes at least two digits.
        match shortest.split_once('e') {
            Some((m, e)) => {
                let (sign, digits) = match e.strip_prefix('-') {
                    Some(d) => ('-', d),
                    None => ('+', e),
                };
                format!("{m}e{sign}{digits:0>2}")
            }
            None => shortest,
        }
    }
    let out: arrow_array::StringArray = match a.data_type() {
        DataType::Float32 => a
            .as_primitive::<arrow_array::types::Float32Type>()
            .iter()
            .map(|v| v.map(|v| text(f64::from(v), format!("{v:?}"))))
            .collect(),
        _ => a
            .as_primitive::<arrow_array::types::Float64Type>()
            .iter()
            .map(|v| v.map(|v| text(v, format!("{v:?}"))))
            .collect(),
    };
    Arc::new(out)
}

/// Strings to an integer type: integer text as arrow parses it, and, as DuckDB, text with a
/// fraction (`'2.5'`) rounded half away from zero.
fn string_to_integer(source: &ArrayRef, to: &DataType, try_cast: bool) -> Result<ArrayRef> {
    let safe = CastOptions { safe: true, ..Default::default() };
    let first = arrow_cast::cast_with_options(source, to, &safe).map_err(|e| failed(source.data_type(), to, e))?;
    if first.null_count() == source.null_count() {
        return Ok(first);
    }
    // Some text is not a plain integer: go through a wide decimal, which takes fractions.
    let strict = CastOptions { safe: try_cast, ..Default::default() };
    let wide = DataType::Decimal128(38, 10);
    let as_decimal =
        arrow_cast::cast_with_options(source, &wide, &strict).map_err(|e| failed(source.data_type(), to, e))?;
    let rounded = round_to_integer(&as_decimal)?;
    arrow_cast::cast_with_options(&rounded, to, &strict).map_err(|e| failed(source.data_type(), to, e))
}

/// Floats and decimals rounded to integers as DuckDB casts them, keeping their type: floats half
/// to even (`2.5` is 2), decimals half away from zero (`2.5` is 3).
fn round_to_integer(a: &ArrayRef) -> Result<ArrayRef> {
    Ok(match a.data_type() {
        DataType::Float64 => Arc::new(
            a.as_primitive::<arrow_array::types::Float64Type>()
                .unary::<_, arrow_array::types::Float64Type>(f64::round_ties_even),
        ),
        DataType::Float32 => Arc::new(
            a.as_primitive::<arrow_array::types::Float32Type>()
                .unary::<_, arrow_array::types::Float32Type>(f32::round_ties_even),
        ),
        DataType::Decimal128(p, s) if *s > 0 => {
            let factor = 10i128.pow(u32::from(s.unsigned_abs()));
            let half = factor / 2;
            let rounded = a
                .as_primitive::<arrow_array::types::Decimal128Type>()
                .unary::<_, arrow_array::types::Decimal128Type>(|v| {
                    let q = v / factor;
                    let r = v % factor;
                    let q = if r >= half {
                        q + 1
                    } else if r <= -half {
                        q - 1
                    } else {
                        q
                    };
                    q * factor
                });
            Arc::new(rounded.with_precision_and_scale(*p, *s)?)
        }
        _ => a.clone(),
    })
}

fn trim_strings(a: &ArrayRef) -> Result<ArrayRef> {
    Ok(match a.data_type() {
        DataType::Utf8 => {
            let s = a.as_string::<i32>();
            Arc::new(s.iter().map(|v| v.map(str::trim)).collect::<arrow_array::StringArray>())
        }
        _ => a.clone(),
    })
}
