//! SQL type names and literals to Arrow types and one-row arrays.

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Decimal128Array, Float64Array, Int32Array, Int64Array, StringArray, new_null_array,
};
use arrow_schema::{DataType, IntervalUnit, TimeUnit};
use sqlparser::ast::{self, ExactNumberInfo};

use crate::error::{AnalyticsError, Result};
use crate::types::coerce::MAX_DECIMAL_PRECISION;

/// The Arrow type of a SQL type name (DuckDB's names and their common aliases).
pub fn arrow_type(t: &ast::DataType) -> Result<DataType> {
    use ast::DataType as T;
    Ok(match t {
        T::TinyInt(_) => DataType::Int8,
        T::SmallInt(_) | T::Int2(_) => DataType::Int16,
        T::Int(_) | T::Integer(_) | T::Int4(_) | T::MediumInt(_) | T::Int32 => DataType::Int32,
        T::BigInt(_) | T::Int8(_) | T::Int64 => DataType::Int64,
        T::TinyIntUnsigned(_) | T::UTinyInt | T::UInt8 => DataType::UInt8,
        T::SmallIntUnsigned(_) | T::USmallInt | T::UInt16 => DataType::UInt16,
        T::IntUnsigned(_) | T::IntegerUnsigned(_) | T::UInt32 => DataType::UInt32,
        T::BigIntUnsigned(_) | T::UBigInt | T::UInt64 => DataType::UInt64,
        T::HugeInt => DataType::Decimal128(38, 0),
        T::Real | T::Float4 | T::Float32 => DataType::Float32,
        // DuckDB's FLOAT is 4 bytes; FLOAT(p) is 8 bytes past 24 bits of precision.
        T::Float(info) => match info {
            ast::ExactNumberInfo::Precision(p) if *p > 24 => DataType::Float64,
            _ => DataType::Float32,
        },
        T::Double(_) | T::DoublePrecision | T::Float8 | T::Float64 => DataType::Float64,
        T::Decimal(info) | T::Numeric(info) | T::Dec(info) => decimal_type(info)?,
        T::Boolean | T::Bool => DataType::Boolean,
        T::Varchar(_)
        | T::Text
        | T::String(_)
        | T::Char(_)
        | T::Character(_)
        | T::CharVarying(_)
        | T::CharacterVarying(_)
        | T::Nvarchar(_)
        | T::Uuid => DataType::Utf8,
        T::Blob(_) | T::Bytea | T::Binary(_) | T::Varbinary(_) => DataType::Binary,
        T::Date | T::Date32 => DataType::Date32,
        T::Timestamp(_, tz) => match tz {
            ast::TimezoneInfo::WithTimeZone | ast::TimezoneInfo::Tz => {
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
            }
            _ => DataType::Timestamp(TimeUnit::Microsecond, None),
        },
        T::TimestampNtz(_) | T::Datetime(_) => DataType::Timestamp(TimeUnit::Microsecond, None),
        T::Time(_, _) => DataType::Time64(TimeUnit::Microsecond),
        T::Interval { .. } => DataType::Interval(IntervalUnit::MonthDayNano),
        T::Custom(name, args) if args.is_empty() => custom(&name.to_string())?,
        T::UHugeInt | T::Int128 => DataType::Decimal128(38, 0),
        other => return Err(AnalyticsError::unsupported(format!("the type {other}"))),
    })
}

fn custom(name: &str) -> Result<DataType> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "utinyint" => DataType::UInt8,
        "usmallint" => DataType::UInt16,
        "uinteger" => DataType::UInt32,
        "ubigint" => DataType::UInt64,
        "hugeint" => DataType::Decimal128(38, 0),
        "timestamptz" => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        "timestamp_s" => DataType::Timestamp(TimeUnit::Second, None),
        "timestamp_ms" => DataType::Timestamp(TimeUnit::Millisecond, None),
        "timestamp_us" => DataType::Timestamp(TimeUnit::Microsecond, None),
        "timestamp_ns" => DataType::Timestamp(TimeUnit::Nanosecond, None),
        "string" | "varchar" => DataType::Utf8,
        other => return Err(AnalyticsError::unsupported(format!("the type {other}"))),
    })
}

fn decimal_type(info: &ExactNumberInfo) -> Result<DataType> {
    let (p, s) = match info {
        ExactNumberInfo::None => (18, 3),
        ExactNumberInfo::Precision(p) => (*p, 0),
        ExactNumberInfo::PrecisionAndScale(p, s) => (*p, *s),
    };
    let p = u8::try_from(p).ok().filter(|p| (1..=MAX_DECIMAL_PRECISION).contains(p));
    match (p, i8::try_from(s).ok()) {
        (Some(p), Some(s)) if s >= 0 && s as u8 <= p => Ok(DataType::Decimal128(p, s)),
        _ => Err(AnalyticsError::types(format!(
            "DECIMAL({info:?}) is out of range: precision 1 to 38, scale 0 to the precision"
        ))),
    }
}

/// A one-row array of `t` holding NULL.
pub fn null_literal(t: &DataType) -> ArrayRef {
    new_null_array(t, 1)
}

/// A number literal as DuckDB types it: `INTEGER` when it fits, else `BIGINT`, else a decimal;
/// with a point, `DECIMAL(p, s)` of its digits; with an exponent, `DOUBLE`.
pub fn number_literal(text: &str) -> Result<ArrayRef> {
    let bad = || AnalyticsError::new(crate::error::ErrorKind::Parse, format!("not a number: {text}"));
    if text.contains(['e', 'E']) {
        let v: f64 = text.parse().map_err(|_| bad())?;
        return Ok(Arc::new(Float64Array::from(vec![v])));
    }
    if let Some((int, frac)) = text.split_once('.') {
        let digits = format!("{int}{frac}");
        let trimmed = digits.trim_start_matches('0');
        let scale = frac.len();
        let precision = trimmed.len().max(scale).max(1);
        if precision > usize::from(MAX_DECIMAL_PRECISION) {
            let v: f64 = text.parse().map_err(|_| bad())?;
            return Ok(Arc::new(Float64Array::from(vec![v])));
        }
        let v: i128 = if digits.is_empty() { 0 } else { digits.parse().map_err(|_| bad())? };
        let a = Decimal128Array::from(vec![v]).with_precision_and_scale(precision as u8, scale as i8)?;
        return Ok(Arc::new(a));
    }
    if let Ok(v) = text.parse::<i32>() {
        return Ok(Arc::new(Int32Array::from(vec![v])));
    }
    if let Ok(v) = text.parse::<i64>() {
        return Ok(Arc::new(Int64Array::from(vec![v])));
    }
    match text.parse::<i128>() {
        Ok(v) if text.trim_start_matches('-').len() <= usize::from(MAX_DECIMAL_PRECISION) => {
            Ok(Arc::new(Decimal128Array::from(vec![v]).with_precision_and_scale(MAX_DECIMAL_PRECISION, 0)?))
        }
        _ => {
            let v: f64 = text.parse().map_err(|_| bad())?;
            Ok(Arc::new(Float64Array::from(vec![v])))
        }
    }
}

/// A string literal.
pub fn string_literal(s: &str) -> ArrayRef {
    Arc::new(StringArray::from(vec![s]))
}

/// A boolean literal.
pub fn bool_literal(b: bool) -> ArrayRef {
    Arc::new(BooleanArray::from(vec![b]))
}

/// An integer literal's value, when `a` is one (what lets `tinyint_col + 1` stay `tinyint`).
pub fn integer_value(a: &ArrayRef) -> Option<i128> {
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int32Type, Int64Type};
    if a.len() != 1 || a.is_null(0) {
        return None;
    }
    match a.data_type() {
        DataType::Int32 => Some(i128::from(a.as_primitive::<Int32Type>().value(0))),
        DataType::Int64 => Some(i128::from(a.as_primitive::<Int64Type>().value(0))),
        _ => None,
    }
}
