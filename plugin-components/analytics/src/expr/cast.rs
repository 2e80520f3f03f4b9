//! Casts with DuckDB's semantics on top of arrow-cast: a value that does not fit is an error (or
//! NULL for `TRY_CAST`), never a silent wrap or truncation; floats and decimals become integers by
//! rounding half away from zero (arrow truncates); strings are trimmed before they are parsed.

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
    let options = CastOptions { safe: try_cast, ..Default::default() };
    let from = a.data_type();
    let source = if to.is_integer() && (is_float(from) || is_decimal(from)) {
        round_half_away(a)?
    } else if is_string(from) && !is_string(to) {
        trim_strings(a)?
    } else {
        a.clone()
    };
    if !arrow_cast::can_cast_types(source.data_type(), to) {
        return Err(AnalyticsError::types(format!("cannot cast {} to {}", from, to)));
    }
    arrow_cast::cast_with_options(&source, to, &options).map_err(|e| match e {
        arrow_schema::ArrowError::CastError(m) | arrow_schema::ArrowError::ParseError(m) => {
            AnalyticsError::execution(format!("conversion of {from} to {to} failed: {m}"))
        }
        other => AnalyticsError::from_arrow(other),
    })
}

/// Floats and decimals rounded half away from zero, keeping their type.
fn round_half_away(a: &ArrayRef) -> Result<ArrayRef> {
    Ok(match a.data_type() {
        DataType::Float64 => Arc::new(a.as_primitive::<arrow_array::types::Float64Type>().unary::<_, arrow_array::types::Float64Type>(f64::round)),
        DataType::Float32 => Arc::new(a.as_primitive::<arrow_array::types::Float32Type>().unary::<_, arrow_array::types::Float32Type>(f32::round)),
        DataType::Decimal128(p, s) if *s > 0 => {
            let factor = 10i128.pow(u32::from(s.unsigned_abs()));
            let half = factor / 2;
            let rounded = a.as_primitive::<arrow_array::types::Decimal128Type>().unary::<_, arrow_array::types::Decimal128Type>(|v| {
                let q = v / factor;
                let r = v % factor;
                let q = if r >= half { q + 1 } else if r <= -half { q - 1 } else { q };
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
