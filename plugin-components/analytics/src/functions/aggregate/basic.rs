//! `count`, `sum`, `avg`, `min`, `max`, `count_if`, `product`: the aggregates every query uses,
//! with typed loops over primitive buffers (no branch per row when a batch has no NULLs).
//!
//! Types, as DuckDB (differences noted): `count` is `int64`; `sum` of integers is `int64`, summed
//! in 128 bits so that only a final result outside `int64` is an overflow error (DuckDB returns a
//! 128-bit integer); `sum` of decimals is `decimal(38, s)`; `sum` of floats is `float64`; `avg`
//! is `float64`, with integer and decimal sums kept exact (128-bit) until the division;
//! `min`/`max` keep the type, NaN above every number, and take any type arrow-row can order
//! (lists, structs, binaries) through [`super::pick`]. `count_if` is `int64` (DuckDB: a 128-bit
//! integer), NULL for a group without a non-NULL input as DuckDB's; `product` is `float64`.
//! `sum` of booleans counts the true ones and `avg` of booleans is a type error, as in DuckDB;
//! `avg` of timestamps, times and intervals (which DuckDB has) is not supported.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, Float64Type, Int64Type};
use arrow_array::{
    Array, ArrayRef, ArrowNativeTypeOp, ArrowPrimitiveType, BooleanArray, Decimal128Array, Float64Array, Int64Array,
    PrimitiveArray, StringArray,
};
use arrow_row::{RowConverter, SortField};
use arrow_schema::{DataType, Field, TimeUnit};

use super::util::{canonical_floats, column, each_value, grow, primitive, real_nulls, seen_nulls, try_each_value};
use super::{Accumulator, AccumulatorSpec, AggFunc, ResolvedAgg};
use crate::error::{AnalyticsError, Result};
use crate::functions::scalar::Arg;
use crate::types::coerce::{decimal_parts, is_float, is_integer};

fn one_arg<'a>(name: &str, args: &'a [Arg<'a>]) -> Result<&'a DataType> {
    match args {
        [a] => Ok(a.data_type),
        _ => Err(AnalyticsError::types(format!("{name} takes one argument, not {}", args.len()))),
    }
}

/// Resolve `count`, `sum`, `avg`, `min`, `max`, `count_if`, `product`.
pub fn resolve(name: &str, args: &[Arg<'_>]) -> Result<Option<ResolvedAgg>> {
    let r = |func, arg_types: Vec<DataType>, return_type| {
        let value_args = (0..arg_types.len()).collect();
        Ok(Some(ResolvedAgg { func, value_args, arg_types, return_type }))
    };
    match name {
        "count" if args.is_empty() => r(AggFunc::CountStar, vec![], DataType::Int64),
        "count" => {
            let t = one_arg(name, args)?;
            r(AggFunc::Count, vec![t.clone()], DataType::Int64)
        }
        "sum" | "avg" | "mean" => {
            let t = one_arg(name, args)?;
            let avg = name != "sum";
            let (arg, ret) = if *t == DataType::UInt64 {
                // Every uint64 fits a decimal(20, 0); as int64 the large ones would not.
                (DataType::Decimal128(20, 0), if avg { DataType::Float64 } else { DataType::Decimal128(38, 0) })
            } else if is_integer(t) || *t == DataType::Null || (*t == DataType::Boolean && !avg) {
                (DataType::Int64, if avg { DataType::Float64 } else { DataType::Int64 })
            } else if is_float(t) {
                (DataType::Float64, DataType::Float64)
            } else if let Some((p, s)) = decimal_parts(t) {
                let arg = DataType::Decimal128(p.min(38), s);
                (arg, if avg { DataType::Float64 } else { DataType::Decimal128(38, s) })
            } else {
                return Err(AnalyticsError::types(format!("{name}({t}) is not defined: {name} takes a number")));
            };
            r(if avg { AggFunc::Avg } else { AggFunc::Sum }, vec![arg], ret)
        }
        "min" | "max" => {
            let t = one_arg(name, args)?;
            if !min_max_supported(t) {
                return Err(AnalyticsError::types(format!("{name}({t}) is not defined for that type")));
            }
            r(if name == "min" { AggFunc::Min } else { AggFunc::Max }, vec![t.clone()], t.clone())
        }
        "count_if" | "countif" => {
            let t = one_arg(name, args)?;
            if !matches!(t, DataType::Boolean | DataType::Null) {
                return Err(AnalyticsError::types(format!("{name}({t}) is not defined: {name} takes a boolean")));
            }
            // A sum of the booleans as 0 and 1.
            r(AggFunc::CountIf, vec![DataType::Int64], DataType::Int64)
        }
        "product" => {
            let t = one_arg(name, args)?;
            if !(t.is_numeric() || *t == DataType::Null) {
                return Err(AnalyticsError::types(format!("{name}({t}) is not defined: {name} takes a number")));
            }
            r(AggFunc::Product, vec![DataType::Float64], DataType::Float64)
        }
        _ => Ok(None),
    }
}

fn min_max_supported(t: &DataType) -> bool {
    t.is_primitive()
        || matches!(t, DataType::Utf8 | DataType::Boolean | DataType::Null)
        || RowConverter::supports_fields(&[SortField::new(t.clone())])
}

/// Whether `min`/`max` of `t` has a typed accumulator here (others go to [`super::pick`]).
fn min_max_fast(t: &DataType) -> bool {
    (t.is_primitive() && !matches!(t, DataType::Interval(_)))
        || matches!(t, DataType::Utf8 | DataType::Boolean | DataType::Null)
}

/// The accumulator for one of these functions.
pub fn create(spec: &AccumulatorSpec<'_>) -> Result<Option<Box<dyn Accumulator>>> {
    let arg = spec.arg_types.first().cloned().unwrap_or(DataType::Null);
    Ok(Some(match spec.func {
        AggFunc::CountStar => Box::new(Count { counts: Vec::new(), star: true }),
        AggFunc::Count => Box::new(Count { counts: Vec::new(), star: false }),
        AggFunc::Sum | AggFunc::CountIf => match &arg {
            DataType::Int64 => Box::new(IntSum::default()),
            DataType::Float64 => Box::new(FloatFold::sum()),
            DataType::Decimal128(_, s) => Box::new(DecimalSum { sums: Vec::new(), seen: Vec::new(), scale: *s }),
            other => return Err(AnalyticsError::internal(format!("sum over {other}"))),
        },
        AggFunc::Avg => Box::new(Avg::new(&arg)?),
        AggFunc::Min | AggFunc::Max if !min_max_fast(&arg) => super::pick::min_max(&arg, *spec.func == AggFunc::Max)?,
        AggFunc::Min | AggFunc::Max => min_max(&arg, *spec.func == AggFunc::Max)?,
        AggFunc::Product => Box::new(FloatFold::product()),
        _ => return Ok(None),
    }))
}

/// The state columns of these functions.
pub fn state_fields(spec: &AccumulatorSpec<'_>, prefix: &str) -> Option<Vec<Field>> {
    let f = |part: &str, t: DataType| Field::new(format!("{prefix}_{part}"), t, true);
    let arg = spec.arg_types.first().cloned().unwrap_or(DataType::Null);
    Some(match spec.func {
        AggFunc::CountStar | AggFunc::Count => vec![f("count", DataType::Int64)],
        AggFunc::Sum | AggFunc::CountIf => vec![f("sum", sum_state_type(&arg))],
        AggFunc::Avg => vec![f("sum", avg_sum_type(&arg)), f("count", DataType::Int64)],
        AggFunc::Min | AggFunc::Max if !min_max_fast(&arg) => {
            return super::pick::min_max_state_fields(&arg, prefix).ok();
        }
        AggFunc::Min => vec![f("min", arg)],
        AggFunc::Max => vec![f("max", arg)],
        AggFunc::Product => vec![f("product", DataType::Float64)],
        _ => return None,
    })
}

/// Integer sums travel as 128-bit decimals, so a partial sum past `int64` is no error while the
/// total fits.
fn sum_state_type(arg: &DataType) -> DataType {
    match arg {
        DataType::Int64 => DataType::Decimal128(38, 0),
        DataType::Decimal128(_, s) => DataType::Decimal128(38, *s),
        _ => DataType::Float64,
    }
}

fn avg_sum_type(arg: &DataType) -> DataType {
    match arg {
        DataType::Decimal128(_, s) => DataType::Decimal128(38, *s),
        DataType::Int64 => DataType::Decimal128(38, 0),
        _ => DataType::Float64,
    }
}

/// `count(*)` and `count(x)`.
struct Count {
    counts: Vec<i64>,
    star: bool,
}

impl Accumulator for Count {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        grow(&mut self.counts, total, 0);
        let nulls = if self.star { None } else { real_nulls(column(values, 0)?.as_ref()) };
        let counts = &mut self.counts;
        match nulls {
            None => groups.iter().for_each(|&g| {
                if let Some(c) = counts.get_mut(g as usize) {
                    *c += 1;
                }
            }),
            Some(n) => groups.iter().zip(n.iter()).for_each(|(&g, ok)| {
                if let Some(c) = counts.get_mut(g as usize) {
                    *c += i64::from(ok);
                }
            }),
        }
        Ok(())
    }

    fn merge(&mut self, states: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        grow(&mut self.counts, total, 0);
        let counts = &mut self.counts;
        each_value(primitive::<Int64Type>(states, 0)?, groups, |g, v| {
            if let Some(c) = counts.get_mut(g) {
                *c += v;
            }
        });
        Ok(())
    }

    fn state(&mut self, total: usize) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.finish(total)?])
    }

    fn finish(&mut self, total: usize) -> Result<ArrayRef> {
        grow(&mut self.counts, total, 0);
        Ok(Arc::new(Int64Array::from(std::mem::take(&mut self.counts))))
    }

    fn size(&self) -> usize {
        self.counts.capacity() * 8
    }
}

/// `sum` of integers (and `count_if`), in 128 bits.
#[derive(Default)]
struct IntSum {
    sums: Vec<i128>,
    seen: Vec<bool>,
}

fn overflow(what: &str) -> AnalyticsError {
    AnalyticsError::execution(format!("overflow in {what}: the result does not fit in a 64-bit integer"))
}

impl IntSum {
    fn grow_to(&mut self, total: usize) {
        grow(&mut self.sums, total, 0);
        grow(&mut self.seen, total, false);
    }
}

impl Accumulator for IntSum {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        self.grow_to(total);
        let (sums, seen) = (&mut self.sums, &mut self.seen);
        // 2^64 rows of int64 cannot overflow 128 bits: no check per row.
        each_value(primitive::<Int64Type>(values, 0)?, groups, |g, v| {
            if let (Some(s), Some(n)) = (sums.get_mut(g), seen.get_mut(g)) {
                *s += i128::from(v);
                *n = true;
            }
        });
        Ok(())
    }

    fn merge(&mut self, states: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        self.grow_to(total);
        let (sums, seen) = (&mut self.sums, &mut self.seen);
        try_each_value(primitive::<Decimal128Type>(states, 0)?, groups, |g, v| {
            if let (Some(s), Some(n)) = (sums.get_mut(g), seen.get_mut(g)) {
                *s = s.checked_add(v).ok_or_else(|| overflow("sum"))?;
                *n = true;
            }
            Ok(())
        })
    }

    fn state(&mut self, total: usize) -> Result<Vec<ArrayRef>> {
        self.grow_to(total);
        let nulls = seen_nulls(&self.seen);
        let a = Decimal128Array::new(std::mem::take(&mut self.sums).into(), nulls).with_precision_and_scale(38, 0)?;
        Ok(vec![Arc::new(a)])
    }

    fn finish(&mut self, total: usize) -> Result<ArrayRef> {
        self.grow_to(total);
        let nulls = seen_nulls(&self.seen);
        let sums = std::mem::take(&mut self.sums);
        let out = sums.iter().map(|&s| i64::try_from(s).map_err(|_| overflow("sum"))).collect::<Result<Vec<i64>>>()?;
        Ok(Arc::new(Int64Array::new(out.into(), nulls)))
    }

    fn size(&self) -> usize {
        self.sums.capacity() * 16 + self.seen.capacity()
    }
}

/// `sum` and `product` of `float64`, one fold per group (a product's overflow is `inf`, as DuckDB's).
struct FloatFold {
    acc: Vec<f64>,
    seen: Vec<bool>,
    /// The fold's identity: 0 for a sum, 1 for a product.
    init: f64,
    op: fn(f64, f64) -> f64,
}

impl FloatFold {
    fn sum() -> Self {
        FloatFold { acc: Vec::new(), seen: Vec::new(), init: 0.0, op: |a, v| a + v }
    }

    fn product() -> Self {
        FloatFold { acc: Vec::new(), seen: Vec::new(), init: 1.0, op: |a, v| a * v }
    }
}

impl Accumulator for FloatFold {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        grow(&mut self.acc, total, self.init);
        grow(&mut self.seen, total, false);
        let (acc, seen, op) = (&mut self.acc, &mut self.seen, self.op);
        each_value(primitive::<Float64Type>(values, 0)?, groups, |g, v| {
            if let (Some(a), Some(n)) = (acc.get_mut(g), seen.get_mut(g)) {
                *a = op(*a, v);
                *n = true;
            }
        });
        Ok(())
    }

    fn merge(&mut self, states: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        self.update(states, groups, total)
    }

    fn state(&mut self, total: usize) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.finish(total)?])
    }

    fn finish(&mut self, total: usize) -> Result<ArrayRef> {
        grow(&mut self.acc, total, self.init);
        grow(&mut self.seen, total, false);
        let nulls = seen_nulls(&self.seen);
        Ok(Arc::new(Float64Array::new(std::mem::take(&mut self.acc).into(), nulls)))
    }

    fn size(&self) -> usize {
        self.acc.capacity() * 8 + self.seen.capacity()
    }
}

struct DecimalSum {
    sums: Vec<i128>,
    seen: Vec<bool>,
    scale: i8,
}

/// The largest value a `decimal(38, s)` holds.
const MAX_DECIMAL38: i128 = 99_999_999_999_999_999_999_999_999_999_999_999_999;

impl Accumulator for DecimalSum {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        grow(&mut self.sums, total, 0);
        grow(&mut self.seen, total, false);
        let (sums, seen) = (&mut self.sums, &mut self.seen);
        try_each_value(primitive::<Decimal128Type>(values, 0)?, groups, |g, v| {
            if let (Some(s), Some(n)) = (sums.get_mut(g), seen.get_mut(g)) {
                *s = s.checked_add(v).filter(|r| r.abs() <= MAX_DECIMAL38).ok_or_else(|| {
                    AnalyticsError::execution("overflow in sum: the result does not fit in decimal(38)")
                })?;
                *n = true;
            }
            Ok(())
        })
    }

    fn merge(&mut self, states: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        self.update(states, groups, total)
    }

    fn state(&mut self, total: usize) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.finish(total)?])
    }

    fn finish(&mut self, total: usize) -> Result<ArrayRef> {
        grow(&mut self.sums, total, 0);
        grow(&mut self.seen, total, false);
        let nulls = seen_nulls(&self.seen);
        let a = Decimal128Array::new(std::mem::take(&mut self.sums).into(), nulls)
            .with_precision_and_scale(38, self.scale)?;
        Ok(Arc::new(a))
    }

    fn size(&self) -> usize {
        self.sums.capacity() * 16 + self.seen.capacity()
    }
}

/// `avg`: an exact 128-bit sum for integers and decimals (a float sum for floats) and a count.
struct Avg {
    exact: Vec<i128>,
    float: Vec<f64>,
    counts: Vec<i64>,
    /// The decimal scale of the input (0 for integers); `None` for floats.
    scale: Option<i8>,
}

impl Avg {
    fn new(arg: &DataType) -> Result<Self> {
        let scale = match arg {
            DataType::Int64 => Some(0),
            DataType::Decimal128(_, s) => Some(*s),
            DataType::Float64 => None,
            other => return Err(AnalyticsError::internal(format!("avg over {other}"))),
        };
        Ok(Self { exact: Vec::new(), float: Vec::new(), counts: Vec::new(), scale })
    }

    fn grow_to(&mut self, total: usize) {
        grow(&mut self.counts, total, 0);
        match self.scale {
            Some(_) => grow(&mut self.exact, total, 0),
            None => grow(&mut self.float, total, 0.0),
        }
    }
}

fn avg_overflow() -> AnalyticsError {
    AnalyticsError::execution("overflow in avg: the sum does not fit in 128 bits")
}

impl Accumulator for Avg {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        self.grow_to(total);
        let a = column(values, 0)?;
        let (exact, float, counts) = (&mut self.exact, &mut self.float, &mut self.counts);
        match a.data_type() {
            DataType::Int64 => each_value(a.as_primitive::<Int64Type>(), groups, |g, v| {
                if let (Some(s), Some(c)) = (exact.get_mut(g), counts.get_mut(g)) {
                    *s += i128::from(v);
                    *c += 1;
                }
            }),
            DataType::Decimal128(..) => try_each_value(a.as_primitive::<Decimal128Type>(), groups, |g, v| {
                if let (Some(s), Some(c)) = (exact.get_mut(g), counts.get_mut(g)) {
                    *s = s.checked_add(v).ok_or_else(avg_overflow)?;
                    *c += 1;
                }
                Ok(())
            })?,
            _ => each_value(primitive::<Float64Type>(values, 0)?, groups, |g, v| {
                if let (Some(s), Some(c)) = (float.get_mut(g), counts.get_mut(g)) {
                    *s += v;
                    *c += 1;
                }
            }),
        }
        Ok(())
    }

    fn merge(&mut self, states: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        self.grow_to(total);
        let (sums, counts) = (column(states, 0)?, primitive::<Int64Type>(states, 1)?);
        for (i, &g) in groups.iter().enumerate().take(counts.len()) {
            if counts.is_null(i) || sums.is_null(i) {
                continue;
            }
            let (g, n) = (g as usize, counts.value(i));
            match self.scale {
                Some(_) => {
                    let v = sums.as_primitive::<Decimal128Type>().value(i);
                    if let (Some(s), Some(c)) = (self.exact.get_mut(g), self.counts.get_mut(g)) {
                        *s = s.checked_add(v).ok_or_else(avg_overflow)?;
                        *c += n;
                    }
                }
                None => {
                    if let (Some(s), Some(c)) = (self.float.get_mut(g), self.counts.get_mut(g)) {
                        *s += sums.as_primitive::<Float64Type>().value(i);
                        *c += n;
                    }
                }
            }
        }
        Ok(())
    }

    fn state(&mut self, total: usize) -> Result<Vec<ArrayRef>> {
        self.grow_to(total);
        let counts = Int64Array::from(std::mem::take(&mut self.counts));
        let sums: ArrayRef = match self.scale {
            Some(s) => {
                Arc::new(Decimal128Array::from(std::mem::take(&mut self.exact)).with_precision_and_scale(38, s)?)
            }
            None => Arc::new(Float64Array::from(std::mem::take(&mut self.float))),
        };
        Ok(vec![sums, Arc::new(counts)])
    }

    fn finish(&mut self, total: usize) -> Result<ArrayRef> {
        self.grow_to(total);
        let divisor = self.scale.map(|s| 10f64.powi(i32::from(s)));
        let out: Float64Array = (0..total)
            .map(|g| {
                let n = self.counts.get(g).copied().unwrap_or(0);
                if n == 0 {
                    return None;
                }
                Some(match divisor {
                    // Divide the exact sum by the count first (integer part exactly, then the rest),
                    // so a large sum keeps its digits.
                    Some(d) => {
                        let s = self.exact.get(g).copied().unwrap_or(0);
                        let n128 = i128::from(n);
                        ((s / n128) as f64 + (s % n128) as f64 / n as f64) / d
                    }
                    None => self.float.get(g).copied().unwrap_or(0.0) / n as f64,
                })
            })
            .collect();
        Ok(Arc::new(out))
    }

    fn size(&self) -> usize {
        self.counts.capacity() * 8 + self.exact.capacity() * 16 + self.float.capacity() * 8
    }
}

fn min_max(t: &DataType, max: bool) -> Result<Box<dyn Accumulator>> {
    macro_rules! prim {
        ($ty:ty) => {
            Box::new(PrimMinMax::<$ty> { best: Vec::new(), seen: Vec::new(), max, data_type: t.clone() })
        };
    }
    use arrow_array::types::*;
    Ok(match t {
        DataType::Int8 => prim!(Int8Type),
        DataType::Int16 => prim!(Int16Type),
        DataType::Int32 => prim!(Int32Type),
        DataType::Int64 => prim!(Int64Type),
        DataType::UInt8 => prim!(UInt8Type),
        DataType::UInt16 => prim!(UInt16Type),
        DataType::UInt32 => prim!(UInt32Type),
        DataType::UInt64 => prim!(UInt64Type),
        DataType::Float16 => prim!(Float16Type),
        DataType::Float32 => prim!(Float32Type),
        DataType::Float64 => prim!(Float64Type),
        DataType::Date32 => prim!(Date32Type),
        DataType::Date64 => prim!(Date64Type),
        DataType::Decimal32(..) => prim!(Decimal32Type),
        DataType::Decimal64(..) => prim!(Decimal64Type),
        DataType::Decimal128(..) => prim!(Decimal128Type),
        DataType::Decimal256(..) => prim!(Decimal256Type),
        DataType::Timestamp(TimeUnit::Second, _) => prim!(TimestampSecondType),
        DataType::Timestamp(TimeUnit::Millisecond, _) => prim!(TimestampMillisecondType),
        DataType::Timestamp(TimeUnit::Microsecond, _) => prim!(TimestampMicrosecondType),
        DataType::Timestamp(TimeUnit::Nanosecond, _) => prim!(TimestampNanosecondType),
        DataType::Time32(TimeUnit::Second) => prim!(Time32SecondType),
        DataType::Time32(_) => prim!(Time32MillisecondType),
        DataType::Time64(TimeUnit::Microsecond) => prim!(Time64MicrosecondType),
        DataType::Time64(_) => prim!(Time64NanosecondType),
        DataType::Duration(TimeUnit::Second) => prim!(DurationSecondType),
        DataType::Duration(TimeUnit::Millisecond) => prim!(DurationMillisecondType),
        DataType::Duration(TimeUnit::Microsecond) => prim!(DurationMicrosecondType),
        DataType::Duration(TimeUnit::Nanosecond) => prim!(DurationNanosecondType),
        DataType::Utf8 => Box::new(StrMinMax { best: Vec::new(), bytes: 0, max }),
        DataType::Boolean => Box::new(BoolMinMax { best: Vec::new(), max }),
        DataType::Null => Box::new(NullMinMax),
        other => super::pick::min_max(other, max)?,
    })
}

struct PrimMinMax<T: ArrowPrimitiveType> {
    best: Vec<T::Native>,
    seen: Vec<bool>,
    max: bool,
    data_type: DataType,
}

impl<T: ArrowPrimitiveType> Accumulator for PrimMinMax<T> {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        grow(&mut self.best, total, T::Native::default());
        grow(&mut self.seen, total, false);
        // Floats compare in total order: every NaN made the positive one, which is above
        // every number (a negative NaN would be below), and `-0.0` made `0.0` (DuckDB's
        // `min(-0.0, 0.0)` is `0.0`). A batch without either is taken as it is.
        let input = column(values, 0)?;
        let input = if needs_canonical(input) { canonical_floats(input) } else { input.clone() };
        let a = input
            .as_any()
            .downcast_ref::<PrimitiveArray<T>>()
            .ok_or_else(|| AnalyticsError::internal("min/max input type"))?;
        let (best, seen, max) = (&mut self.best, &mut self.seen, self.max);
        each_value(a, groups, |g, v| {
            if let (Some(b), Some(s)) = (best.get_mut(g), seen.get_mut(g))
                && (!*s || if max { v.is_gt(*b) } else { v.is_lt(*b) })
            {
                *b = v;
                *s = true;
            }
        });
        Ok(())
    }

    fn merge(&mut self, states: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        self.update(states, groups, total)
    }

    fn state(&mut self, total: usize) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.finish(total)?])
    }

    fn finish(&mut self, total: usize) -> Result<ArrayRef> {
        grow(&mut self.best, total, T::Native::default());
        grow(&mut self.seen, total, false);
        let nulls = seen_nulls(&self.seen);
        let a = PrimitiveArray::<T>::new(std::mem::take(&mut self.best).into(), nulls)
            .with_data_type(self.data_type.clone());
        Ok(Arc::new(a))
    }

    fn size(&self) -> usize {
        self.best.capacity() * std::mem::size_of::<T::Native>() + self.seen.capacity()
    }
}

/// Whether a float column holds a NaN or a `-0.0` (which [`canonical_floats`] would change).
fn needs_canonical(a: &ArrayRef) -> bool {
    let odd64 = |v: f64| v.is_nan() || v.to_bits() == (-0.0f64).to_bits();
    match a.data_type() {
        DataType::Float64 => a.as_primitive::<Float64Type>().values().iter().fold(false, |acc, &v| acc | odd64(v)),
        DataType::Float32 => {
            let odd = |v: f32| v.is_nan() || v.to_bits() == (-0.0f32).to_bits();
            a.as_primitive::<arrow_array::types::Float32Type>().values().iter().fold(false, |acc, &v| acc | odd(v))
        }
        other => is_float(other),
    }
}

struct StrMinMax {
    best: Vec<Option<String>>,
    /// The bytes of the strings held (kept as they change, so `size` is O(1)).
    bytes: usize,
    max: bool,
}

impl Accumulator for StrMinMax {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        grow(&mut self.best, total, None);
        let a = column(values, 0)?;
        let a =
            a.as_any().downcast_ref::<StringArray>().ok_or_else(|| AnalyticsError::internal("min/max input type"))?;
        let nulls = real_nulls(a);
        for (i, &g) in groups.iter().enumerate().take(a.len()) {
            if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                continue;
            }
            let v = a.value(i);
            if let Some(b) = self.best.get_mut(g as usize) {
                let better = match b {
                    None => true,
                    Some(cur) => {
                        if self.max {
                            v > cur.as_str()
                        } else {
                            v < cur.as_str()
                        }
                    }
                };
                if better {
                    let old = b.as_ref().map_or(0, String::capacity);
                    match b {
                        Some(cur) => {
                            cur.clear();
                            cur.push_str(v);
                        }
                        None => *b = Some(v.to_string()),
                    }
                    self.bytes = self.bytes + b.as_ref().map_or(0, String::capacity) - old;
                }
            }
        }
        Ok(())
    }

    fn merge(&mut self, states: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        self.update(states, groups, total)
    }

    fn state(&mut self, total: usize) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.finish(total)?])
    }

    fn finish(&mut self, total: usize) -> Result<ArrayRef> {
        grow(&mut self.best, total, None);
        if self.best.iter().map(|s| s.as_ref().map_or(0, String::len)).sum::<usize>() > i32::MAX as usize {
            return Err(AnalyticsError::execution("min/max: the strings are larger than 2 GiB together"));
        }
        self.bytes = 0;
        Ok(Arc::new(std::mem::take(&mut self.best).into_iter().collect::<StringArray>()))
    }

    fn size(&self) -> usize {
        self.best.capacity() * std::mem::size_of::<Option<String>>() + self.bytes
    }
}

struct BoolMinMax {
    best: Vec<Option<bool>>,
    max: bool,
}

impl Accumulator for BoolMinMax {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        grow(&mut self.best, total, None);
        let a = column(values, 0)?.as_boolean();
        let nulls = real_nulls(a);
        for (i, &g) in groups.iter().enumerate().take(a.len()) {
            if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                continue;
            }
            let v = a.value(i);
            if let Some(b) = self.best.get_mut(g as usize) {
                *b = Some(match b {
                    None => v,
                    Some(cur) => {
                        if self.max {
                            *cur || v
                        } else {
                            *cur && v
                        }
                    }
                });
            }
        }
        Ok(())
    }

    fn merge(&mut self, states: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        self.update(states, groups, total)
    }

    fn state(&mut self, total: usize) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.finish(total)?])
    }

    fn finish(&mut self, total: usize) -> Result<ArrayRef> {
        grow(&mut self.best, total, None);
        Ok(Arc::new(std::mem::take(&mut self.best).into_iter().collect::<BooleanArray>()))
    }

    fn size(&self) -> usize {
        self.best.capacity() * 2
    }
}

/// `min`/`max` of an all-NULL column of type NULL.
struct NullMinMax;

impl Accumulator for NullMinMax {
    fn update(&mut self, _: &[ArrayRef], _: &[u32], _: usize) -> Result<()> {
        Ok(())
    }

    fn merge(&mut self, _: &[ArrayRef], _: &[u32], _: usize) -> Result<()> {
        Ok(())
    }

    fn state(&mut self, total: usize) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.finish(total)?])
    }

    fn finish(&mut self, total: usize) -> Result<ArrayRef> {
        Ok(arrow_array::new_null_array(&DataType::Null, total))
    }

    fn size(&self) -> usize {
        0
    }
}

/// The accumulator for `func` over arguments of `arg_types`, with no ORDER BY and no DISTINCT
/// (for tests here and in the other files of this module).
#[cfg(test)]
pub(crate) fn test_acc(func: &AggFunc, arg_types: &[DataType], return_type: &DataType) -> Box<dyn Accumulator> {
    #[allow(clippy::unwrap_used)]
    super::create(&AccumulatorSpec {
        func,
        arg_types,
        return_type,
        order_types: &[],
        order_options: &[],
        distinct: false,
    })
    .unwrap()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn i64s(v: &[Option<i64>]) -> ArrayRef {
        Arc::new(Int64Array::from(v.to_vec()))
    }

    #[test]
    fn count_counts_rows_and_values() {
        let mut star = test_acc(&AggFunc::CountStar, &[], &DataType::Int64);
        let mut count = test_acc(&AggFunc::Count, &[DataType::Int64], &DataType::Int64);
        let v = i64s(&[Some(1), None, Some(3)]);
        star.update(&[], &[0, 1, 1], 3).unwrap();
        count.update(&[v], &[0, 1, 1], 3).unwrap();
        assert_eq!(star.finish(3).unwrap().as_primitive::<Int64Type>().values().to_vec(), vec![1, 2, 0]);
        assert_eq!(count.finish(3).unwrap().as_primitive::<Int64Type>().values().to_vec(), vec![1, 1, 0]);
    }

    #[test]
    fn integer_sums_overflow_only_at_the_end() {
        let mut s = test_acc(&AggFunc::Sum, &[DataType::Int64], &DataType::Int64);
        s.update(&[i64s(&[Some(i64::MAX), Some(1), Some(-5)])], &[0, 0, 0], 1).unwrap();
        assert_eq!(s.finish(1).unwrap().as_primitive::<Int64Type>().value(0), i64::MAX - 4);
        let mut s = test_acc(&AggFunc::Sum, &[DataType::Int64], &DataType::Int64);
        s.update(&[i64s(&[Some(i64::MAX), Some(1)])], &[0, 0], 1).unwrap();
        assert_eq!(s.finish(1).unwrap_err().kind, crate::ErrorKind::Execution);
    }

    #[test]
    fn sum_of_nothing_is_null_and_states_merge() {
        let mut a = test_acc(&AggFunc::Sum, &[DataType::Int64], &DataType::Int64);
        a.update(&[i64s(&[Some(i64::MAX), None])], &[0, 1], 2).unwrap();
        let st = a.state(2).unwrap();
        let mut b = test_acc(&AggFunc::Sum, &[DataType::Int64], &DataType::Int64);
        b.update(&[i64s(&[Some(-3)])], &[0], 1).unwrap();
        b.merge(&st, &[0, 1], 2).unwrap();
        let out = b.finish(2).unwrap();
        let out = out.as_primitive::<Int64Type>();
        assert_eq!(out.value(0), i64::MAX - 3);
        assert!(out.is_null(1));
    }

    #[test]
    fn min_max_put_nan_above_everything() {
        let v: ArrayRef = Arc::new(Float64Array::from(vec![1.0, -f64::NAN, f64::INFINITY, -1.0]));
        let mut mx = test_acc(&AggFunc::Max, &[DataType::Float64], &DataType::Float64);
        let mut mn = test_acc(&AggFunc::Min, &[DataType::Float64], &DataType::Float64);
        mx.update(std::slice::from_ref(&v), &[0, 0, 0, 0], 1).unwrap();
        mn.update(&[v], &[0, 0, 0, 0], 1).unwrap();
        assert!(mx.finish(1).unwrap().as_primitive::<Float64Type>().value(0).is_nan());
        assert_eq!(mn.finish(1).unwrap().as_primitive::<Float64Type>().value(0), -1.0);
    }

    #[test]
    fn string_min_max_and_product() {
        let v: ArrayRef = Arc::new(StringArray::from(vec![Some("b"), None, Some("a"), Some("c")]));
        let mut mx = test_acc(&AggFunc::Max, &[DataType::Utf8], &DataType::Utf8);
        mx.update(&[v], &[0, 0, 1, 0], 2).unwrap();
        assert!(mx.size() > 0);
        let out = mx.finish(2).unwrap();
        assert_eq!(out.as_string::<i32>().value(0), "c");
        assert_eq!(out.as_string::<i32>().value(1), "a");
        let mut p = test_acc(&AggFunc::Product, &[DataType::Float64], &DataType::Float64);
        p.update(&[Arc::new(Float64Array::from(vec![Some(2.0), Some(3.5), None]))], &[0, 0, 1], 2).unwrap();
        let out = p.finish(2).unwrap();
        assert_eq!(out.as_primitive::<Float64Type>().value(0), 7.0);
        assert!(out.is_null(1));
    }
}
