//! `count`, `sum`, `avg`, `min`, `max`: the aggregates every query uses, with typed loops over
//! primitive buffers.
//!
//! Types, as DuckDB (differences noted): `count` is `int64`; `sum` of integers is `int64` and an
//! overflow is an error (DuckDB widens to a 128-bit integer); `sum` of decimals is
//! `decimal(38, s)`; `sum` of floats is `float64`; `avg` is `float64`, with integer and decimal
//! sums kept exact (128-bit) until the division; `min`/`max` keep the type, NaN above every number.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType, BooleanArray, Decimal128Array, Float64Array, Int64Array, PrimitiveArray, StringArray};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, Field};

use super::{Accumulator, AccumulatorSpec, AggFunc, ResolvedAgg};
use crate::error::{AnalyticsError, Result};
use crate::expr::coerce::{decimal_parts, is_float, is_integer};
use crate::functions::scalar::Arg;

fn one_arg<'a>(name: &str, args: &'a [Arg<'a>]) -> Result<&'a DataType> {
    match args {
        [a] => Ok(a.data_type),
        _ => Err(AnalyticsError::types(format!("{name} takes one argument, not {}", args.len()))),
    }
}

/// Resolve `count`, `sum`, `avg`, `min`, `max`.
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
            let (arg, ret) = if is_integer(t) || *t == DataType::Null || *t == DataType::Boolean {
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
        _ => Ok(None),
    }
}

fn min_max_supported(t: &DataType) -> bool {
    t.is_primitive() || matches!(t, DataType::Utf8 | DataType::Boolean | DataType::Null)
}

/// The accumulator for one of these functions.
pub fn create(spec: &AccumulatorSpec<'_>) -> Result<Option<Box<dyn Accumulator>>> {
    let arg = spec.arg_types.first().cloned().unwrap_or(DataType::Null);
    Ok(Some(match spec.func {
        AggFunc::CountStar => Box::new(Count { counts: Vec::new(), star: true }),
        AggFunc::Count => Box::new(Count { counts: Vec::new(), star: false }),
        AggFunc::Sum => match &arg {
            DataType::Int64 => Box::new(IntSum::default()),
            DataType::Float64 => Box::new(FloatSum::default()),
            DataType::Decimal128(_, s) => Box::new(DecimalSum { sums: Vec::new(), seen: Vec::new(), scale: *s }),
            other => return Err(AnalyticsError::internal(format!("sum over {other}"))),
        },
        AggFunc::Avg => Box::new(Avg::new(&arg)?),
        AggFunc::Min | AggFunc::Max => min_max(&arg, *spec.func == AggFunc::Max)?,
        _ => return Ok(None),
    }))
}

/// The state columns of these functions.
pub fn state_fields(spec: &AccumulatorSpec<'_>, prefix: &str) -> Option<Vec<Field>> {
    let f = |part: &str, t: DataType| Field::new(format!("{prefix}_{part}"), t, true);
    let arg = spec.arg_types.first().cloned().unwrap_or(DataType::Null);
    Some(match spec.func {
        AggFunc::CountStar | AggFunc::Count => vec![f("count", DataType::Int64)],
        AggFunc::Sum => vec![f("sum", spec.return_type.clone())],
        AggFunc::Avg => vec![f("sum", avg_sum_type(&arg)), f("count", DataType::Int64)],
        AggFunc::Min => vec![f("min", arg)],
        AggFunc::Max => vec![f("max", arg)],
        _ => return None,
    })
}

fn avg_sum_type(arg: &DataType) -> DataType {
    match arg {
        DataType::Decimal128(_, s) => DataType::Decimal128(38, *s),
        DataType::Int64 => DataType::Decimal128(38, 0),
        _ => DataType::Float64,
    }
}

fn grow<T: Clone>(v: &mut Vec<T>, n: usize, fill: T) {
    if v.len() < n {
        v.resize(n, fill);
    }
}

fn column<'a>(values: &'a [ArrayRef], i: usize) -> Result<&'a ArrayRef> {
    values.get(i).ok_or_else(|| AnalyticsError::internal(format!("aggregate input {i} missing")))
}

fn group_of(groups: &[u32], i: usize) -> usize {
    groups.get(i).copied().unwrap_or(0) as usize
}

/// `count(*)` and `count(x)`.
struct Count {
    counts: Vec<i64>,
    star: bool,
}

impl Accumulator for Count {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        grow(&mut self.counts, total, 0);
        let nulls = if self.star { None } else { column(values, 0)?.logical_nulls() };
        match nulls {
            None => groups.iter().for_each(|&g| {
                if let Some(c) = self.counts.get_mut(g as usize) {
                    *c += 1;
                }
            }),
            Some(n) => n.valid_indices().for_each(|i| {
                if let Some(c) = self.counts.get_mut(group_of(groups, i)) {
                    *c += 1;
                }
            }),
        }
        Ok(())
    }

    fn merge(&mut self, states: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        grow(&mut self.counts, total, 0);
        let s = column(states, 0)?.as_primitive::<Int64Type>();
        for (i, v) in s.iter().enumerate() {
            if let (Some(v), Some(c)) = (v, self.counts.get_mut(group_of(groups, i))) {
                *c += v;
            }
        }
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

/// Validity from a "seen a value" flag per group.
fn seen_nulls(seen: &[bool]) -> Option<NullBuffer> {
    if seen.iter().all(|&s| s) { None } else { Some(NullBuffer::from(seen.to_vec())) }
}

#[derive(Default)]
struct IntSum {
    sums: Vec<i64>,
    seen: Vec<bool>,
}

fn overflow(what: &str) -> AnalyticsError {
    AnalyticsError::execution(format!("overflow in {what}: the result does not fit in a 64-bit integer"))
}

impl IntSum {
    fn add(&mut self, a: &PrimitiveArray<Int64Type>, groups: &[u32]) -> Result<()> {
        let vals = a.values();
        for i in valid_rows(a) {
            let g = group_of(groups, i);
            if let (Some(s), Some(seen), Some(v)) = (self.sums.get_mut(g), self.seen.get_mut(g), vals.get(i)) {
                *s = s.checked_add(*v).ok_or_else(|| overflow("sum"))?;
                *seen = true;
            }
        }
        Ok(())
    }
}

/// The rows holding a value.
fn valid_rows(a: &dyn Array) -> Box<dyn Iterator<Item = usize> + '_> {
    match a.nulls() {
        Some(n) if n.null_count() > 0 => Box::new(n.valid_indices()),
        _ => Box::new(0..a.len()),
    }
}

impl Accumulator for IntSum {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        grow(&mut self.sums, total, 0);
        grow(&mut self.seen, total, false);
        let a = column(values, 0)?.as_primitive::<Int64Type>().clone();
        self.add(&a, groups)
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
        Ok(Arc::new(Int64Array::new(std::mem::take(&mut self.sums).into(), nulls)))
    }

    fn size(&self) -> usize {
        self.sums.capacity() * 9
    }
}

#[derive(Default)]
struct FloatSum {
    sums: Vec<f64>,
    seen: Vec<bool>,
}

impl Accumulator for FloatSum {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        grow(&mut self.sums, total, 0.0);
        grow(&mut self.seen, total, false);
        let a = column(values, 0)?.as_primitive::<Float64Type>();
        let vals = a.values();
        for i in valid_rows(a) {
            let g = group_of(groups, i);
            if let (Some(s), Some(seen), Some(v)) = (self.sums.get_mut(g), self.seen.get_mut(g), vals.get(i)) {
                *s += *v;
                *seen = true;
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
        grow(&mut self.sums, total, 0.0);
        grow(&mut self.seen, total, false);
        let nulls = seen_nulls(&self.seen);
        Ok(Arc::new(Float64Array::new(std::mem::take(&mut self.sums).into(), nulls)))
    }

    fn size(&self) -> usize {
        self.sums.capacity() * 9
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
        let a = column(values, 0)?.as_primitive::<Decimal128Type>();
        let vals = a.values();
        for i in valid_rows(a) {
            let g = group_of(groups, i);
            if let (Some(s), Some(seen), Some(v)) = (self.sums.get_mut(g), self.seen.get_mut(g), vals.get(i)) {
                *s = s.checked_add(*v).filter(|r| r.abs() <= MAX_DECIMAL38).ok_or_else(|| {
                    AnalyticsError::execution("overflow in sum: the result does not fit in decimal(38)")
                })?;
                *seen = true;
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
        grow(&mut self.sums, total, 0);
        grow(&mut self.seen, total, false);
        let nulls = seen_nulls(&self.seen);
        let a = Decimal128Array::new(std::mem::take(&mut self.sums).into(), nulls).with_precision_and_scale(38, self.scale)?;
        Ok(Arc::new(a))
    }

    fn size(&self) -> usize {
        self.sums.capacity() * 17
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

    fn add_exact(&mut self, g: usize, v: i128, n: i64) -> Result<()> {
        if let (Some(s), Some(c)) = (self.exact.get_mut(g), self.counts.get_mut(g)) {
            *s = s.checked_add(v).ok_or_else(|| AnalyticsError::execution("overflow in avg"))?;
            *c += n;
        }
        Ok(())
    }
}

impl Accumulator for Avg {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        self.grow_to(total);
        let a = column(values, 0)?;
        match a.data_type() {
            DataType::Int64 => {
                let p = a.as_primitive::<Int64Type>();
                for i in valid_rows(p) {
                    self.add_exact(group_of(groups, i), i128::from(p.value(i)), 1)?;
                }
            }
            DataType::Decimal128(..) => {
                let p = a.as_primitive::<Decimal128Type>();
                for i in valid_rows(p) {
                    self.add_exact(group_of(groups, i), p.value(i), 1)?;
                }
            }
            _ => {
                let p = a.as_primitive::<Float64Type>();
                for i in valid_rows(p) {
                    let g = group_of(groups, i);
                    if let (Some(s), Some(c)) = (self.float.get_mut(g), self.counts.get_mut(g)) {
                        *s += p.value(i);
                        *c += 1;
                    }
                }
            }
        }
        Ok(())
    }

    fn merge(&mut self, states: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        self.grow_to(total);
        let (sums, counts) = (column(states, 0)?, column(states, 1)?.as_primitive::<Int64Type>());
        for i in 0..counts.len() {
            if counts.is_null(i) || sums.is_null(i) {
                continue;
            }
            let g = group_of(groups, i);
            let n = counts.value(i);
            match self.scale {
                Some(_) => self.add_exact(g, sums.as_primitive::<Decimal128Type>().value(i), n)?,
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
            Some(s) => Arc::new(Decimal128Array::from(std::mem::take(&mut self.exact)).with_precision_and_scale(38, s)?),
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
        DataType::Timestamp(arrow_schema::TimeUnit::Second, _) => prim!(TimestampSecondType),
        DataType::Timestamp(arrow_schema::TimeUnit::Millisecond, _) => prim!(TimestampMillisecondType),
        DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, _) => prim!(TimestampMicrosecondType),
        DataType::Timestamp(arrow_schema::TimeUnit::Nanosecond, _) => prim!(TimestampNanosecondType),
        DataType::Time32(arrow_schema::TimeUnit::Second) => prim!(Time32SecondType),
        DataType::Time32(_) => prim!(Time32MillisecondType),
        DataType::Time64(arrow_schema::TimeUnit::Microsecond) => prim!(Time64MicrosecondType),
        DataType::Time64(_) => prim!(Time64NanosecondType),
        DataType::Duration(arrow_schema::TimeUnit::Second) => prim!(DurationSecondType),
        DataType::Duration(arrow_schema::TimeUnit::Millisecond) => prim!(DurationMillisecondType),
        DataType::Duration(arrow_schema::TimeUnit::Microsecond) => prim!(DurationMicrosecondType),
        DataType::Duration(arrow_schema::TimeUnit::Nanosecond) => prim!(DurationNanosecondType),
        DataType::Utf8 => Box::new(StrMinMax { best: Vec::new(), max }),
        DataType::Boolean => Box::new(BoolMinMax { best: Vec::new(), max }),
        DataType::Null => Box::new(NullMinMax),
        other => return Err(AnalyticsError::types(format!("min/max of {other} is not supported"))),
    })
}

struct PrimMinMax<T: ArrowPrimitiveType> {
    best: Vec<T::Native>,
    seen: Vec<bool>,
    max: bool,
    data_type: DataType,
}

impl<T: ArrowPrimitiveType> PrimMinMax<T> {
    fn add(&mut self, a: &PrimitiveArray<T>, groups: &[u32]) {
        use arrow_array::ArrowNativeTypeOp;
        let vals = a.values();
        for i in valid_rows(a) {
            let g = group_of(groups, i);
            let (Some(b), Some(seen), Some(v)) = (self.best.get_mut(g), self.seen.get_mut(g), vals.get(i)) else { continue };
            let better = !*seen || if self.max { v.is_gt(*b) } else { v.is_lt(*b) };
            if better {
                *b = *v;
                *seen = true;
            }
        }
    }
}

impl<T: ArrowPrimitiveType> Accumulator for PrimMinMax<T> {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        grow(&mut self.best, total, T::Native::default());
        grow(&mut self.seen, total, false);
        let a = column(values, 0)?.as_primitive::<T>().clone();
        self.add(&a, groups);
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
        let a = PrimitiveArray::<T>::new(std::mem::take(&mut self.best).into(), nulls).with_data_type(self.data_type.clone());
        Ok(Arc::new(a))
    }

    fn size(&self) -> usize {
        self.best.capacity() * (std::mem::size_of::<T::Native>() + 1)
    }
}

struct StrMinMax {
    best: Vec<Option<String>>,
    max: bool,
}

impl Accumulator for StrMinMax {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        grow(&mut self.best, total, None);
        let a = column(values, 0)?.as_string::<i32>();
        for i in valid_rows(a) {
            let v = a.value(i);
            if let Some(b) = self.best.get_mut(group_of(groups, i)) {
                let better = match b {
                    None => true,
                    Some(cur) => if self.max { v > cur.as_str() } else { v < cur.as_str() },
                };
                if better {
                    *b = Some(v.to_string());
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
        Ok(Arc::new(std::mem::take(&mut self.best).into_iter().collect::<StringArray>()))
    }

    fn size(&self) -> usize {
        self.best.iter().map(|s| 24 + s.as_ref().map_or(0, String::capacity)).sum()
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
        for i in valid_rows(a) {
            let v = a.value(i);
            if let Some(b) = self.best.get_mut(group_of(groups, i)) {
                *b = Some(match b {
                    None => v,
                    Some(cur) => if self.max { *cur || v } else { *cur && v },
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
