//! Type rules, DuckDB's where SQL leaves a choice: the common type of two operands, what an
//! arithmetic operator returns, and which implicit casts are allowed.
//!
//! - Integers widen to the wider type; signed with unsigned takes the signed type when it is the
//!   wider, else `int64` (`uint8 + int16` is `int16`, `uint8 + int8` is `int64`), and `uint64`
//!   with a signed type is DuckDB's `HUGEINT`, here `decimal(38, 0)`.
//! - An integer *literal* takes the other operand's integer type when its value fits
//!   (`tinyint_col + 1` is `tinyint`, and overflows as one), as DuckDB's integer literals do.
//! - Integers with decimals become decimals wide enough for the integer's digits; anything with
//!   a float becomes a float (`float32` unless a `float64` is involved, even with a decimal).
//! - `/` is floating division on integers and decimals (`float64`); `//` is integer division.

use arrow_schema::{DataType, TimeUnit};

/// The largest decimal precision.
pub const MAX_DECIMAL_PRECISION: u8 = 38;

/// Whether `t` is an integer type.
pub fn is_integer(t: &DataType) -> bool {
    t.is_integer()
}

/// Whether `t` is a float type.
pub fn is_float(t: &DataType) -> bool {
    matches!(t, DataType::Float16 | DataType::Float32 | DataType::Float64)
}

/// Whether `t` is a decimal type.
pub fn is_decimal(t: &DataType) -> bool {
    matches!(t, DataType::Decimal32(..) | DataType::Decimal64(..) | DataType::Decimal128(..) | DataType::Decimal256(..))
}

/// Whether `t` is numeric (integer, float or decimal).
pub fn is_numeric(t: &DataType) -> bool {
    is_integer(t) || is_float(t) || is_decimal(t)
}

/// Whether `t` is a string type.
pub fn is_string(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// Whether `t` is a date or timestamp.
pub fn is_temporal(t: &DataType) -> bool {
    matches!(t, DataType::Date32 | DataType::Date64 | DataType::Timestamp(..))
}

/// The precision and scale of a decimal type.
pub fn decimal_parts(t: &DataType) -> Option<(u8, i8)> {
    match t {
        DataType::Decimal32(p, s)
        | DataType::Decimal64(p, s)
        | DataType::Decimal128(p, s)
        | DataType::Decimal256(p, s) => Some((*p, *s)),
        _ => None,
    }
}

/// The decimal that holds every value of an integer type.
pub fn integer_as_decimal(t: &DataType) -> Option<(u8, i8)> {
    Some(match t {
        DataType::Int8 | DataType::UInt8 => (3, 0),
        DataType::Int16 | DataType::UInt16 => (5, 0),
        DataType::Int32 | DataType::UInt32 => (10, 0),
        DataType::Int64 => (19, 0),
        DataType::UInt64 => (20, 0),
        _ => return None,
    })
}

/// A decimal type of at most [`MAX_DECIMAL_PRECISION`] digits, stored in 128 bits.
pub fn decimal(precision: u8, scale: i8) -> DataType {
    let p = precision.clamp(1, MAX_DECIMAL_PRECISION);
    DataType::Decimal128(p, scale.min(p as i8))
}

fn int_rank(t: &DataType) -> Option<(bool, u8)> {
    Some(match t {
        DataType::Int8 => (true, 1),
        DataType::Int16 => (true, 2),
        DataType::Int32 => (true, 4),
        DataType::Int64 => (true, 8),
        DataType::UInt8 => (false, 1),
        DataType::UInt16 => (false, 2),
        DataType::UInt32 => (false, 4),
        DataType::UInt64 => (false, 8),
        _ => return None,
    })
}

fn signed_of(width: u8) -> DataType {
    match width {
        1 => DataType::Int8,
        2 => DataType::Int16,
        4 => DataType::Int32,
        _ => DataType::Int64,
    }
}

fn unsigned_of(width: u8) -> DataType {
    match width {
        1 => DataType::UInt8,
        2 => DataType::UInt16,
        4 => DataType::UInt32,
        _ => DataType::UInt64,
    }
}

/// Whether an integer literal's value fits `t`.
pub fn literal_fits(value: i128, t: &DataType) -> bool {
    let (lo, hi): (i128, i128) = match t {
        DataType::Int8 => (i8::MIN.into(), i8::MAX.into()),
        DataType::Int16 => (i16::MIN.into(), i16::MAX.into()),
        DataType::Int32 => (i32::MIN.into(), i32::MAX.into()),
        DataType::Int64 => (i64::MIN.into(), i64::MAX.into()),
        DataType::UInt8 => (0, u8::MAX.into()),
        DataType::UInt16 => (0, u16::MAX.into()),
        DataType::UInt32 => (0, u32::MAX.into()),
        DataType::UInt64 => (0, u64::MAX.into()),
        _ => return false,
    };
    (lo..=hi).contains(&value)
}

/// The type both operands of an arithmetic or comparison operator are cast to, if there is one.
pub fn common_type(a: &DataType, b: &DataType) -> Option<DataType> {
    use DataType::*;
    if a == b {
        return Some(a.clone());
    }
    match (a, b) {
        (Null, t) | (t, Null) => Some(t.clone()),
        _ if is_integer(a) && is_integer(b) => {
            let ((sa, wa), (sb, wb)) = (int_rank(a)?, int_rank(b)?);
            Some(match (sa, sb) {
                (true, true) => signed_of(wa.max(wb)),
                (false, false) => unsigned_of(wa.max(wb)),
                (true, false) => mixed_sign(wa, wb),
                (false, true) => mixed_sign(wb, wa),
            })
        }
        _ if is_float(a) || is_float(b) => {
            if (is_numeric(a) || *a == Null) && (is_numeric(b) || *b == Null) {
                Some(if matches!(a, Float64) || matches!(b, Float64) { Float64 } else { Float32 })
            } else {
                None
            }
        }
        _ if (is_decimal(a) || is_integer(a)) && (is_decimal(b) || is_integer(b)) => {
            let (pa, sa) = decimal_parts(a).or_else(|| integer_as_decimal(a))?;
            let (pb, sb) = decimal_parts(b).or_else(|| integer_as_decimal(b))?;
            let int_digits = (pa as i16 - sa as i16).max(pb as i16 - sb as i16);
            // Past 38 digits the integer digits win and the scale shrinks (as DuckDB does).
            let scale = (sa.max(sb) as i16).min(MAX_DECIMAL_PRECISION as i16 - int_digits).max(0) as i8;
            let precision = (int_digits + scale as i16).clamp(1, MAX_DECIMAL_PRECISION as i16) as u8;
            Some(decimal(precision, scale))
        }
        _ if is_string(a) && is_string(b) => Some(Utf8),
        (Date32, Timestamp(u, tz)) | (Timestamp(u, tz), Date32) => Some(Timestamp(*u, tz.clone())),
        (Timestamp(ua, tza), Timestamp(ub, tzb)) => {
            let unit = finer(*ua, *ub);
            Some(Timestamp(unit, tza.clone().or_else(|| tzb.clone())))
        }
        _ => None,
    }
}

/// DuckDB's type for a signed integer of `signed` bytes with an unsigned one of `unsigned` bytes:
/// the signed type when it is wider, else `BIGINT`, and `HUGEINT` (here `decimal(38, 0)`) with
/// a `UBIGINT`.
fn mixed_sign(signed: u8, unsigned: u8) -> DataType {
    if unsigned >= 8 {
        DataType::Decimal128(MAX_DECIMAL_PRECISION, 0)
    } else if unsigned < signed {
        signed_of(signed)
    } else {
        DataType::Int64
    }
}

fn finer(a: TimeUnit, b: TimeUnit) -> TimeUnit {
    let rank = |u: TimeUnit| match u {
        TimeUnit::Second => 0,
        TimeUnit::Millisecond => 1,
        TimeUnit::Microsecond => 2,
        TimeUnit::Nanosecond => 3,
    };
    if rank(a) >= rank(b) { a } else { b }
}

/// `a * b` where one side is a decimal and neither a float, as DuckDB types it: each side a
/// decimal of its own (an integer with its type's digits), the product with the sum of both
/// precisions and scales, at most 18 digits when both sides have at most 18 (DuckDB multiplies
/// those in 64 bits, and a product past 18 digits is an overflow error), else at most 38. The
/// result: the two operand types and the product's.
pub fn decimal_product(a: &DataType, b: &DataType) -> Option<(DataType, DataType, DataType)> {
    if !(is_decimal(a) || is_decimal(b)) || is_float(a) || is_float(b) {
        return None;
    }
    let (pa, sa) = decimal_parts(a).or_else(|| integer_as_decimal(a))?;
    let (pb, sb) = decimal_parts(b).or_else(|| integer_as_decimal(b))?;
    let cap = if pa <= 18 && pb <= 18 { 18 } else { MAX_DECIMAL_PRECISION };
    let p = pa.saturating_add(pb).min(cap);
    let s = sa.saturating_add(sb).min(p as i8);
    Some((decimal(pa, sa), decimal(pb, sb), decimal(p, s)))
}

/// The result type of `+ - * %` on two operands of the common type `t` (decimals by DuckDB's
/// rules: the scale of `*` is the sum, `+ -` keep one more integer digit).
pub fn arithmetic_result(op: crate::types::BinaryOp, a: &DataType, b: &DataType, common: &DataType) -> DataType {
    use crate::types::BinaryOp;
    match (op, decimal_parts(a), decimal_parts(b)) {
        (BinaryOp::Mul, Some((pa, sa)), Some((pb, sb))) => decimal(pa.saturating_add(pb), sa.saturating_add(sb)),
        (BinaryOp::Add | BinaryOp::Sub, Some(_), Some(_)) => match decimal_parts(common) {
            Some((p, s)) => decimal(p.saturating_add(1), s),
            None => common.clone(),
        },
        _ => common.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_widen_and_mixed_signs_fit_both() {
        assert_eq!(common_type(&DataType::Int8, &DataType::Int32), Some(DataType::Int32));
        assert_eq!(common_type(&DataType::UInt8, &DataType::Int8), Some(DataType::Int64));
        assert_eq!(common_type(&DataType::UInt8, &DataType::Int16), Some(DataType::Int16));
        assert_eq!(common_type(&DataType::UInt16, &DataType::Int16), Some(DataType::Int64));
        assert_eq!(common_type(&DataType::UInt64, &DataType::Int8), Some(DataType::Decimal128(38, 0)));
        assert_eq!(common_type(&DataType::UInt32, &DataType::Int64), Some(DataType::Int64));
        assert_eq!(common_type(&DataType::Int32, &DataType::Float32), Some(DataType::Float32));
        assert_eq!(common_type(&DataType::Int64, &DataType::Float64), Some(DataType::Float64));
    }

    #[test]
    fn decimals_keep_every_digit_of_both() {
        assert_eq!(common_type(&DataType::Decimal128(15, 2), &DataType::Int32), Some(DataType::Decimal128(15, 2)));
        assert_eq!(common_type(&DataType::Decimal128(5, 2), &DataType::Int32), Some(DataType::Decimal128(12, 2)));
        assert_eq!(
            common_type(&DataType::Decimal128(15, 2), &DataType::Decimal128(10, 4)),
            Some(DataType::Decimal128(17, 4))
        );
        assert_eq!(common_type(&DataType::Decimal128(15, 2), &DataType::Float32), Some(DataType::Float32));
        assert_eq!(common_type(&DataType::Decimal128(15, 2), &DataType::Float64), Some(DataType::Float64));
        assert_eq!(common_type(&DataType::Utf8, &DataType::Int32), None);
    }
}
