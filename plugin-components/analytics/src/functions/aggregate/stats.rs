//! Variance and standard deviation (Welford's update per value, Chan's formula to merge), and the
//! holistic functions that keep every value of a group: `median`, `quantile_cont`,
//! `quantile_disc` (`quantile`), `mode`.
//!
//! As DuckDB: the variances are `float64` over any number, NULL below two values for the sample
//! forms (one for the population forms), NaN or infinity in, NaN or infinity out (no error),
//! except that one value, whatever it is, varies by 0.
//! `quantile_cont` and `median` of numbers interpolate (`lo·(1−d) + hi·d`): integers give
//! `float64`, floats keep their width, decimals keep their type (the interpolated value cut toward
//! zero, or down past 18 digits), dates give timestamps, timestamps/times/durations keep their
//! type (rounded to the unit); `median` of other orderable types (text, booleans, ...) is the lower middle value, as
//! `quantile_disc(x, 0.5)`. The fraction is a constant in [-1, 1]; a negative one counts from the
//! top. Positions are computed exactly from the fraction's shortest decimal form, as DuckDB does
//! for its decimal literals (DuckDB computes with the float when the fraction is a `DOUBLE`, which
//! can differ by one position, e.g. `quantile_disc(x, 0.3::DOUBLE)` over 10 rows). `mode` is the
//! most frequent value; among equally frequent ones this takes the first seen, DuckDB an
//! unspecified one. Interval quantiles are not supported.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, Decimal128Array, Float64Array, Int64Array, UInt32Array};
use arrow_row::{RowConverter, SortField};
use arrow_schema::{DataType, Field, TimeUnit};

use super::util::{
    bucket_by_group, canonical, canonical_floats, column, each_value, group_slice_mut, grow, primitive, real_nulls,
};
use super::{Accumulator, AccumulatorSpec, AggFunc, ResolvedAgg};
use crate::error::{AnalyticsError, Result};
use crate::functions::scalar::Arg;
use crate::types::coerce::is_integer;

/// Resolve a function of this family.
pub fn resolve(name: &str, args: &[Arg<'_>]) -> Result<Option<ResolvedAgg>> {
    let r = |func, arg: DataType, return_type| {
        Ok(Some(ResolvedAgg { func, value_args: vec![0], arg_types: vec![arg], return_type }))
    };
    let arity = |n: usize| {
        if args.len() == n {
            Ok(())
        } else {
            Err(AnalyticsError::types(format!(
                "{name} takes {n} argument{}, not {}",
                if n == 1 { "" } else { "s" },
                args.len()
            )))
        }
    };
    let first = args.first().map(|a| a.data_type.clone()).unwrap_or(DataType::Null);
    match name {
        "var_samp" | "variance" | "var_pop" | "stddev_samp" | "stddev" | "stddev_pop" => {
            arity(1)?;
            if !(first.is_numeric() || first == DataType::Null) {
                return Err(AnalyticsError::types(format!("{name}({first}) is not defined: {name} takes a number")));
            }
            let func = match name {
                "var_samp" | "variance" => AggFunc::VarSamp,
                "var_pop" => AggFunc::VarPop,
                "stddev_samp" | "stddev" => AggFunc::StddevSamp,
                _ => AggFunc::StddevPop,
            };
            r(func, DataType::Float64, DataType::Float64)
        }
        "median" => {
            arity(1)?;
            if let Some((arg, ret)) = continuous(&first) {
                return r(AggFunc::Median, arg, ret);
            }
            orderable(name, &first)?;
            r(AggFunc::Median, first.clone(), first)
        }
        "quantile_cont" => {
            arity(2)?;
            let q = fraction(name, args.get(1))?;
            let Some((arg, ret)) = continuous(&first) else {
                return Err(AnalyticsError::types(format!(
                    "{name}({first}) is not defined: {name} takes a number, date, timestamp or time"
                )));
            };
            r(AggFunc::QuantileCont(q), arg, ret)
        }
        "quantile_disc" | "quantile" => {
            arity(2)?;
            let q = fraction(name, args.get(1))?;
            orderable(name, &first)?;
            r(AggFunc::QuantileDisc(q), first.clone(), first)
        }
        "mode" => {
            arity(1)?;
            orderable(name, &first)?;
            r(AggFunc::Mode, first.clone(), first)
        }
        _ => Ok(None),
    }
}

/// The argument and result types of an interpolated quantile of `t`, if it has one.
fn continuous(t: &DataType) -> Option<(DataType, DataType)> {
    Some(match t {
        DataType::Null => (DataType::Float64, DataType::Float64),
        t if is_integer(t) => (DataType::Float64, DataType::Float64),
        DataType::Float16 | DataType::Float32 => (DataType::Float64, DataType::Float32),
        DataType::Float64 => (DataType::Float64, DataType::Float64),
        DataType::Decimal128(..) => (t.clone(), t.clone()),
        DataType::Decimal32(p, s) | DataType::Decimal64(p, s) => {
            (DataType::Decimal128(*p, *s), DataType::Decimal128(*p, *s))
        }
        DataType::Date32 | DataType::Date64 => {
            let ts = DataType::Timestamp(TimeUnit::Microsecond, None);
            (ts.clone(), ts)
        }
        DataType::Timestamp(..) | DataType::Time64(_) | DataType::Duration(_) => (t.clone(), t.clone()),
        DataType::Time32(_) => {
            let time = DataType::Time64(TimeUnit::Microsecond);
            (time.clone(), time)
        }
        _ => return None,
    })
}

fn orderable(name: &str, t: &DataType) -> Result<()> {
    if *t == DataType::Null || RowConverter::supports_fields(&[SortField::new(t.clone())]) {
        Ok(())
    } else {
        Err(AnalyticsError::types(format!("{name}({t}) is not defined for that type")))
    }
}

/// A quantile's fraction: a non-NULL numeric constant in [-1, 1].
fn fraction(name: &str, a: Option<&Arg<'_>>) -> Result<f64> {
    let a = a.ok_or_else(|| AnalyticsError::types(format!("{name} takes a value and a fraction")))?;
    let lit = a.literal.ok_or_else(|| AnalyticsError::invalid(format!("the fraction of {name} must be a constant")))?;
    if lit.is_null() || lit.0.logical_null_count() > 0 {
        return Err(AnalyticsError::invalid(format!("the fraction of {name} must not be NULL")));
    }
    if !lit.data_type().is_numeric() {
        return Err(AnalyticsError::types(format!("the fraction of {name} must be a number, not {}", lit.data_type())));
    }
    let v = crate::types::cast::cast(&lit.0, &DataType::Float64, false)?;
    let q = v.as_primitive::<Float64Type>().value(0);
    if !(-1.0..=1.0).contains(&q) {
        return Err(AnalyticsError::invalid(format!("the fraction of {name} must be between -1 and 1, not {q}")));
    }
    Ok(q)
}

/// The accumulator for a function of this family.
pub fn create(spec: &AccumulatorSpec<'_>) -> Result<Option<Box<dyn Accumulator>>> {
    let arg = spec.arg_types.first().cloned().unwrap_or(DataType::Null);
    let ret = spec.return_type.clone();
    Ok(Some(match spec.func {
        AggFunc::VarSamp | AggFunc::VarPop | AggFunc::StddevSamp | AggFunc::StddevPop => {
            Box::new(Variance::new(spec.func.clone()))
        }
        AggFunc::Median if is_continuous_arg(&arg) => Box::new(Holistic::new(Kind::Cont(0.5), arg, ret)),
        AggFunc::Median => Box::new(Holistic::new(Kind::Disc(0.5), arg, ret)),
        AggFunc::QuantileCont(q) => Box::new(Holistic::new(Kind::Cont(*q), arg, ret)),
        AggFunc::QuantileDisc(q) => Box::new(Holistic::new(Kind::Disc(*q), arg, ret)),
        AggFunc::Mode => Box::new(Holistic::new(Kind::Mode, arg, ret)),
        _ => return Ok(None),
    }))
}

/// Whether `median` over arguments of `t` (as resolved) interpolates.
fn is_continuous_arg(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Float64
            | DataType::Decimal128(..)
            | DataType::Timestamp(..)
            | DataType::Time64(_)
            | DataType::Duration(_)
    )
}

/// The state columns of a function of this family.
pub fn state_fields(spec: &AccumulatorSpec<'_>, prefix: &str) -> Option<Vec<Field>> {
    let f = |part: &str, t: DataType| Field::new(format!("{prefix}_{part}"), t, true);
    match spec.func {
        AggFunc::VarSamp | AggFunc::VarPop | AggFunc::StddevSamp | AggFunc::StddevPop => {
            Some(vec![f("count", DataType::Int64), f("mean", DataType::Float64), f("m2", DataType::Float64)])
        }
        _ => None,
    }
}

/// Per group: how many values, their mean, and the sum of squared differences from the mean.
struct Variance {
    func: AggFunc,
    count: Vec<i64>,
    mean: Vec<f64>,
    m2: Vec<f64>,
}

impl Variance {
    fn new(func: AggFunc) -> Self {
        Self { func, count: Vec::new(), mean: Vec::new(), m2: Vec::new() }
    }

    fn grow_to(&mut self, total: usize) {
        grow(&mut self.count, total, 0);
        grow(&mut self.mean, total, 0.0);
        grow(&mut self.m2, total, 0.0);
    }
}

impl Accumulator for Variance {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        self.grow_to(total);
        let (count, mean, m2) = (&mut self.count, &mut self.mean, &mut self.m2);
        each_value(primitive::<Float64Type>(values, 0)?, groups, |g, x| {
            if let (Some(n), Some(m), Some(s)) = (count.get_mut(g), mean.get_mut(g), m2.get_mut(g)) {
                // DuckDB's order of operations, so results agree to the last bit.
                *n += 1;
                let new_mean = *m + (x - *m) / *n as f64;
                *s += (x - new_mean) * (x - *m);
                *m = new_mean;
            }
        });
        Ok(())
    }

    fn merge(&mut self, states: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        self.grow_to(total);
        let (cs, ms, ss) = (
            primitive::<Int64Type>(states, 0)?,
            primitive::<Float64Type>(states, 1)?,
            primitive::<Float64Type>(states, 2)?,
        );
        for (i, &g) in groups.iter().enumerate().take(cs.len().min(ms.len()).min(ss.len())) {
            let g = g as usize;
            let (nb, mb, sb) = (cs.value(i), ms.value(i), ss.value(i));
            if cs.is_null(i) || nb == 0 {
                continue;
            }
            if let (Some(n), Some(m), Some(s)) = (self.count.get_mut(g), self.mean.get_mut(g), self.m2.get_mut(g)) {
                if *n == 0 {
                    (*n, *m, *s) = (nb, mb, sb);
                    continue;
                }
                let (na, nbf) = (*n as f64, nb as f64);
                let total = na + nbf;
                let delta = mb - *m;
                *s = sb + *s + delta * delta * nbf * na / total;
                *m = (nbf * mb + na * *m) / total;
                *n += nb;
            }
        }
        Ok(())
    }

    fn state(&mut self, total: usize) -> Result<Vec<ArrayRef>> {
        self.grow_to(total);
        Ok(vec![
            Arc::new(Int64Array::from(std::mem::take(&mut self.count))),
            Arc::new(Float64Array::from(std::mem::take(&mut self.mean))),
            Arc::new(Float64Array::from(std::mem::take(&mut self.m2))),
        ])
    }

    fn finish(&mut self, total: usize) -> Result<ArrayRef> {
        self.grow_to(total);
        let (sample, root) = match self.func {
            AggFunc::VarSamp => (true, false),
            AggFunc::VarPop => (false, false),
            AggFunc::StddevSamp => (true, true),
            _ => (false, true),
        };
        let out: Float64Array = self
            .count
            .iter()
            .zip(&self.m2)
            .take(total)
            .map(|(&n, &s)| {
                let d = if sample { n - 1 } else { n };
                if d <= 0 {
                    return None;
                }
                // One value varies by nothing, even a NaN or an infinity (whose Welford update
                // leaves NaN behind), as DuckDB answers.
                if n == 1 {
                    return Some(0.0);
                }
                let v = s / d as f64;
                Some(if root { v.sqrt() } else { v })
            })
            .collect();
        self.count.clear();
        self.mean.clear();
        self.m2.clear();
        Ok(Arc::new(out))
    }

    fn size(&self) -> usize {
        (self.count.capacity() + self.mean.capacity() + self.m2.capacity()) * 8
    }
}

/// What a holistic accumulator computes.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Cont(f64),
    Disc(f64),
    Mode,
}

/// The non-NULL values of every group (with their groups), ordered only at the end.
struct Holistic {
    kind: Kind,
    arg: DataType,
    ret: DataType,
    values: Vec<ArrayRef>,
    groups: Vec<u32>,
    bytes: usize,
}

impl Holistic {
    fn new(kind: Kind, arg: DataType, ret: DataType) -> Self {
        Self { kind, arg, ret, values: Vec::new(), groups: Vec::new(), bytes: 0 }
    }
}

/// `q` as an exact fraction `num / den` (from its shortest decimal form), when small enough.
fn exact_fraction(q: f64) -> Option<(u128, u128)> {
    let text = format!("{}", q.abs());
    let (int, frac) = text.split_once('.').unwrap_or((text.as_str(), ""));
    if frac.len() > 18 || int.len() > 2 {
        return None;
    }
    let den = 10u128.checked_pow(frac.len() as u32)?;
    let num: u128 = format!("{int}{frac}").parse().ok()?;
    Some((num, den))
}

/// The position of a continuous quantile among `n` sorted values: the lower and upper indices
/// and the weight of the upper, counted from the top for a negative `q`.
fn cont_position(q: f64, n: usize) -> (usize, usize, f64) {
    let last = n.saturating_sub(1);
    let (floor, ceil, d) = match exact_fraction(q) {
        Some((num, den)) => {
            let scaled = last as u128 * num;
            let (f, rem) = ((scaled / den) as usize, scaled % den);
            (f, f + usize::from(rem > 0), rem as f64 / den as f64)
        }
        None => {
            let rn = last as f64 * q.abs();
            (rn.floor() as usize, rn.ceil() as usize, rn - rn.floor())
        }
    };
    let (floor, ceil) = (floor.min(last), ceil.min(last));
    if q < 0.0 { (last - floor, last - ceil, d) } else { (floor, ceil, d) }
}

/// The index of a discrete quantile among `n` sorted values (DuckDB: the smallest value with at
/// least a fraction `q` of the values at or below it).
fn disc_position(q: f64, n: usize) -> usize {
    let last = n.saturating_sub(1);
    let ceil = match exact_fraction(q) {
        Some((num, den)) => {
            let scaled = n as u128 * num;
            (scaled / den + u128::from(!scaled.is_multiple_of(den))) as usize
        }
        None => (n as f64 * q.abs()).ceil() as usize,
    };
    let i = ceil.max(1).saturating_sub(1).min(last);
    if q < 0.0 { last - i } else { i }
}

impl Accumulator for Holistic {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], _total: usize) -> Result<()> {
        let v = column(values, 0)?;
        if *v.data_type() == DataType::Null {
            return Ok(());
        }
        let (v, kept): (ArrayRef, Vec<u32>) = match real_nulls(v.as_ref()) {
            None => (v.clone(), groups.get(..v.len()).unwrap_or(groups).to_vec()),
            Some(n) => {
                let mask = arrow_array::BooleanArray::new(n.inner().clone(), None);
                let kept = groups.iter().zip(n.iter()).filter(|(_, ok)| *ok).map(|(g, _)| *g).collect();
                (arrow_select::filter::filter(v, &mask)?, kept)
            }
        };
        if v.is_empty() {
            return Ok(());
        }
        self.bytes += v.get_array_memory_size() + kept.len() * 4;
        self.values.push(v);
        self.groups.extend(kept);
        Ok(())
    }

    fn merge(&mut self, _: &[ArrayRef], _: &[u32], _: usize) -> Result<()> {
        Err(AnalyticsError::unsupported("median, quantiles and mode: their partial results do not merge"))
    }

    fn state(&mut self, _: usize) -> Result<Vec<ArrayRef>> {
        Err(AnalyticsError::unsupported("median, quantiles and mode: their partial results do not merge"))
    }

    fn finish(&mut self, total: usize) -> Result<ArrayRef> {
        let values = std::mem::take(&mut self.values);
        let groups = std::mem::take(&mut self.groups);
        self.bytes = 0;
        if values.is_empty() || self.arg == DataType::Null {
            return Ok(arrow_array::new_null_array(&self.ret, total));
        }
        let parts: Vec<&dyn Array> = values.iter().map(|v| v.as_ref()).collect();
        let all = arrow_select::concat::concat(&parts)?;
        drop(values);
        let out = match self.kind {
            Kind::Cont(q) => {
                let (offsets, order) = bucket_by_group(&groups, total);
                cont(&all, &offsets, &order, q, total, self.ret == DataType::Float32)?
            }
            Kind::Disc(q) => {
                let (offsets, mut order) = bucket_by_group(&groups, total);
                pick_sorted(&all, &offsets, &mut order, total, |slice, rows| {
                    let i = disc_position(q, slice.len());
                    slice.select_nth_unstable_by(i, |&a, &b| rows.row(a as usize).cmp(&rows.row(b as usize)));
                    slice.get(i).copied()
                })?
            }
            Kind::Mode => mode(&all, &groups, total)?,
        };
        if out.data_type() == &self.ret { Ok(out) } else { crate::types::cast::cast(&out, &self.ret, false) }
    }

    fn size(&self) -> usize {
        self.bytes + self.groups.capacity() * 4
    }
}

/// For each group, the row `choose` picks out of its rows (it may reorder them; it compares rows
/// by their arrow-row encoding), taken from `all`; NULL for a group without rows.
fn pick_sorted(
    all: &ArrayRef,
    offsets: &[usize],
    order: &mut [u32],
    total: usize,
    mut choose: impl FnMut(&mut [u32], &arrow_row::Rows) -> Option<u32>,
) -> Result<ArrayRef> {
    let conv = RowConverter::new(vec![SortField::new(all.data_type().clone())])?;
    let rows = conv.convert_columns(&[canonical_floats(all)])?;
    let picked: UInt32Array = (0..total)
        .map(|g| {
            let slice = group_slice_mut(order, offsets, g);
            if slice.is_empty() { None } else { choose(slice, &rows) }
        })
        .collect();
    Ok(arrow_select::take::take(all.as_ref(), &picked, None)?)
}

/// The most frequent value of every group (the first seen among equally frequent ones): one pass
/// counting (group, value) pairs in a hash table, values compared as arrow-row bytes.
fn mode(all: &ArrayRef, groups: &[u32], total: usize) -> Result<ArrayRef> {
    use std::hash::BuildHasher;
    let conv = RowConverter::new(vec![SortField::new(all.data_type().clone())])?;
    let rows = conv.convert_columns(&[canonical_floats(all)])?;
    let hasher = hashbrown::DefaultHashBuilder::default();
    let mut table: hashbrown::HashTable<u32> = hashbrown::HashTable::new();
    // Per distinct (group, value): its group, its first row, how many rows.
    let mut pairs: Vec<(u32, u32, u32)> = Vec::new();
    for (i, (&g, row)) in groups.iter().zip(rows.iter()).enumerate() {
        let bytes = row.as_ref();
        let hash = hasher.hash_one((g, bytes));
        let same = |&p: &u32| {
            pairs.get(p as usize).is_some_and(|&(pg, first, _)| pg == g && rows.row(first as usize).as_ref() == bytes)
        };
        match table.find(hash, same) {
            Some(&p) => {
                if let Some(e) = pairs.get_mut(p as usize) {
                    e.2 += 1;
                }
            }
            None => {
                let p = pairs.len() as u32;
                pairs.push((g, i as u32, 1));
                table.insert_unique(hash, p, |&q| {
                    pairs
                        .get(q as usize)
                        .map_or(0, |&(qg, first, _)| hasher.hash_one((qg, rows.row(first as usize).as_ref())))
                });
            }
        }
    }
    let mut best: Vec<Option<(u32, u32)>> = vec![None; total];
    for &(g, first, count) in &pairs {
        if let Some(b) = best.get_mut(g as usize)
            && b.is_none_or(|(n, at)| count > n || (count == n && first < at))
        {
            *b = Some((count, first));
        }
    }
    let picked: UInt32Array = best.into_iter().map(|b| b.map(|(_, at)| at)).collect();
    Ok(arrow_select::take::take(all.as_ref(), &picked, None)?)
}

/// Interpolated quantiles of every group.
/// `single`: the values are `float32`s (widened), interpolated as DuckDB interpolates them.
fn cont(all: &ArrayRef, offsets: &[usize], order: &[u32], q: f64, total: usize, single: bool) -> Result<ArrayRef> {
    let slices = |g: usize| super::util::group_slice(order, offsets, g);
    match all.data_type() {
        DataType::Float64 => {
            let v = all.as_primitive::<Float64Type>().values();
            let mut scratch: Vec<f64> = Vec::new();
            let out: Float64Array = (0..total)
                .map(|g| {
                    scratch.clear();
                    scratch.extend(slices(g).iter().filter_map(|&i| v.get(i as usize)).map(|&x| canonical(x)));
                    let n = scratch.len();
                    if n == 0 {
                        return None;
                    }
                    let (lo, hi, d) = cont_position(q, n);
                    let lo_v = nth(&mut scratch, lo, f64::total_cmp)?;
                    if lo == hi {
                        return Some(lo_v);
                    }
                    let hi_v = nth(&mut scratch, hi, f64::total_cmp)?;
                    if single {
                        // DuckDB's generic `lo + (hi − lo)·d` with the difference taken in single
                        // precision: median(-inf, 6.75) is NaN, where the double formula gives -inf.
                        let delta = f64::from(hi_v as f32 - lo_v as f32);
                        return Some(lo_v + delta * d);
                    }
                    Some(lo_v * (1.0 - d) + hi_v * d)
                })
                .collect();
            Ok(Arc::new(out))
        }
        DataType::Decimal128(p, s) => {
            let v = all.as_primitive::<Decimal128Type>().values();
            let mut scratch: Vec<i128> = Vec::new();
            let out: Decimal128Array = (0..total)
                .map(|g| {
                    scratch.clear();
                    scratch.extend(slices(g).iter().filter_map(|&i| v.get(i as usize)));
                    let n = scratch.len();
                    if n == 0 {
                        return None;
                    }
                    let (lo, hi, d) = cont_position(q, n);
                    let lo_v = nth(&mut scratch, lo, Ord::cmp)?;
                    if lo == hi {
                        return Some(lo_v);
                    }
                    let hi_v = nth(&mut scratch, hi, Ord::cmp)?;
                    Some(lerp_decimal(lo_v, hi_v, d, *p > 18))
                })
                .collect();
            Ok(Arc::new(out.with_precision_and_scale(*p, *s)?))
        }
        t @ (DataType::Timestamp(..) | DataType::Time64(_) | DataType::Duration(_)) => {
            let as_i64 = arrow_cast::cast(all, &DataType::Int64)?;
            let v = as_i64.as_primitive::<Int64Type>().values();
            let mut scratch: Vec<i64> = Vec::new();
            let out: Int64Array = (0..total)
                .map(|g| {
                    scratch.clear();
                    scratch.extend(slices(g).iter().filter_map(|&i| v.get(i as usize)));
                    let n = scratch.len();
                    if n == 0 {
                        return None;
                    }
                    let (lo, hi, d) = cont_position(q, n);
                    let lo_v = nth(&mut scratch, lo, Ord::cmp)?;
                    if lo == hi {
                        return Some(lo_v);
                    }
                    let hi_v = nth(&mut scratch, hi, Ord::cmp)?;
                    let delta = (i128::from(hi_v) - i128::from(lo_v)) as f64 * d;
                    i64::try_from(i128::from(lo_v) + delta.round() as i128).ok()
                })
                .collect();
            let data = out.into_data().into_builder().data_type(t.clone()).build()?;
            Ok(arrow_array::make_array(data))
        }
        other => Err(AnalyticsError::internal(format!("quantile_cont over {other}"))),
    }
}

/// The `k`th smallest of `v` (reordering it).
fn nth<T: Copy>(v: &mut [T], k: usize, cmp: impl FnMut(&T, &T) -> std::cmp::Ordering) -> Option<T> {
    if k >= v.len() {
        return None;
    }
    let (_, x, _) = v.select_nth_unstable_by(k, cmp);
    Some(*x)
}

/// `lo + (hi − lo)·d` as DuckDB interpolates decimals: for decimals stored in 64 bits (precision
/// up to 18) in doubles, cut toward zero, so past 2^53 units the result is a double's
/// (`median` of -3 and -4 is -3 as `DECIMAL(18,0)`); for wider ones `lo` plus the step cut
/// (exact in the integer part, so the result is cut down: -4 as `DECIMAL(38,0)`).
fn lerp_decimal(lo: i128, hi: i128, d: f64, wide: bool) -> i128 {
    let Some(delta) = hi.checked_sub(lo) else { return lo };
    let step = delta as f64 * d;
    if !wide {
        // `as` cuts toward zero (and saturates, which 18 digits never reach).
        return (lo as f64 + step) as i128;
    }
    lo.saturating_add(step as i128)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use arrow_array::{Int32Array, StringArray};

    use super::*;
    use crate::functions::aggregate::basic::test_acc;

    fn floats(v: &[Option<f64>]) -> ArrayRef {
        Arc::new(Float64Array::from(v.to_vec()))
    }

    fn run(func: AggFunc, arg: DataType, ret: DataType, v: ArrayRef, groups: &[u32], total: usize) -> ArrayRef {
        let mut a = test_acc(&func, std::slice::from_ref(&arg), &ret);
        a.update(&[v], groups, total).unwrap();
        a.finish(total).unwrap()
    }

    #[test]
    fn variances_as_duckdb() {
        // DuckDB 2.0.1: var_samp(1, 2) = 0.5, var_pop = 0.25; one value: var_samp NULL,
        // var_pop 0; NaN and inf give NaN.
        let v = floats(&[Some(1.0), Some(2.0), None, Some(3.0), Some(f64::NAN), Some(f64::INFINITY)]);
        let g = [0, 0, 1, 2, 3, 3];
        let samp = run(AggFunc::VarSamp, DataType::Float64, DataType::Float64, v.clone(), &g, 4);
        let samp: Vec<Option<f64>> = samp.as_primitive::<Float64Type>().iter().collect();
        assert_eq!(samp[0], Some(0.5));
        assert_eq!(samp[1], None);
        assert_eq!(samp[2], None);
        assert!(samp[3].unwrap().is_nan());
        let pop = run(AggFunc::StddevPop, DataType::Float64, DataType::Float64, v, &g, 4);
        let pop: Vec<Option<f64>> = pop.as_primitive::<Float64Type>().iter().collect();
        assert_eq!(&pop[..3], &[Some(0.5), None, Some(0.0)]);
    }

    #[test]
    fn variance_states_merge() {
        let v: Vec<f64> = (0..100).map(|i| (i * 37 % 101) as f64 * 0.5).collect();
        let mut one = test_acc(&AggFunc::VarSamp, &[DataType::Float64], &DataType::Float64);
        one.update(&[floats(&v.iter().map(|&x| Some(x)).collect::<Vec<_>>())], &[0; 100], 1).unwrap();
        let mut parts = test_acc(&AggFunc::VarSamp, &[DataType::Float64], &DataType::Float64);
        for chunk in v.chunks(30) {
            let mut p = test_acc(&AggFunc::VarSamp, &[DataType::Float64], &DataType::Float64);
            p.update(&[floats(&chunk.iter().map(|&x| Some(x)).collect::<Vec<_>>())], &vec![0; chunk.len()], 1).unwrap();
            parts.merge(&p.state(1).unwrap(), &[0], 1).unwrap();
        }
        let a = one.finish(1).unwrap().as_primitive::<Float64Type>().value(0);
        let b = parts.finish(1).unwrap().as_primitive::<Float64Type>().value(0);
        assert!((a - b).abs() <= 1e-12 * a.abs(), "{a} {b}");
    }

    #[test]
    fn positions_as_duckdb() {
        // DuckDB 2.0.1 over range(10): quantile_disc at 0.1, 0.2, 0.3, 0.7, 0.9, -0.3 is
        // 0, 1, 2, 6, 8, 7; over range(3) at 0.1, 0.3, 0.7: 0, 0, 2.
        let got: Vec<usize> = [0.1, 0.2, 0.3, 0.7, 0.9, -0.3].iter().map(|&q| disc_position(q, 10)).collect();
        assert_eq!(got, vec![0, 1, 2, 6, 8, 7]);
        let got: Vec<usize> = [0.1, 0.3, 0.7].iter().map(|&q| disc_position(q, 3)).collect();
        assert_eq!(got, vec![0, 0, 2]);
        assert_eq!(disc_position(0.0, 4), 0);
        assert_eq!(disc_position(1.0, 4), 3);
        assert_eq!(cont_position(0.5, 4), (1, 2, 0.5));
        assert_eq!(cont_position(-0.25, 4), (3, 2, 0.75));
        assert_eq!(cont_position(1.0, 1), (0, 0, 0.0));
    }

    #[test]
    fn medians_and_quantiles() {
        // DuckDB 2.0.1: median(0.1, 0.7) = 0.39999999999999997; quantile_cont over
        // (0.1, 0.2, 0.7) at 0.3 = 0.16, at 0.7 = 0.39999999999999997; median(-inf, inf) NaN.
        let v = floats(&[
            Some(0.1),
            Some(0.7),
            Some(0.1),
            Some(0.2),
            Some(0.7),
            Some(f64::NEG_INFINITY),
            Some(f64::INFINITY),
        ]);
        let g = [0, 0, 1, 1, 1, 2, 2];
        let m = run(AggFunc::Median, DataType::Float64, DataType::Float64, v.clone(), &g, 4);
        let m = m.as_primitive::<Float64Type>();
        assert_eq!(m.value(0), 0.39999999999999997);
        assert_eq!(m.value(1), 0.2);
        assert!(m.value(2).is_nan());
        assert!(m.is_null(3));
        let q = run(AggFunc::QuantileCont(0.7), DataType::Float64, DataType::Float64, v.clone(), &g, 3);
        assert_eq!(q.as_primitive::<Float64Type>().value(1), 0.39999999999999997);
        let q = run(AggFunc::QuantileCont(0.3), DataType::Float64, DataType::Float64, v, &g, 3);
        assert_eq!(q.as_primitive::<Float64Type>().value(1), 0.16);
    }

    #[test]
    fn decimal_and_timestamp_medians() {
        // DuckDB 2.0.1: quantile_cont(x, 0.999) over 1.00, 2.00 is 1.99; over -1.00, -2.00 -1.00.
        let d: ArrayRef =
            Arc::new(Decimal128Array::from(vec![100, 200, -100, -200]).with_precision_and_scale(10, 2).unwrap());
        let t = DataType::Decimal128(10, 2);
        let q = run(AggFunc::QuantileCont(0.999), t.clone(), t, d, &[0, 0, 1, 1], 2);
        let q = q.as_primitive::<Decimal128Type>();
        assert_eq!((q.value(0), q.value(1)), (199, -100));
        // Timestamps 0 and 1 µs: 1 µs.
        let ts = DataType::Timestamp(TimeUnit::Microsecond, None);
        let v = arrow_cast::cast(&(Arc::new(Int64Array::from(vec![0, 1])) as ArrayRef), &ts).unwrap();
        let m = run(AggFunc::Median, ts.clone(), ts.clone(), v, &[0, 0], 1);
        assert_eq!(m.data_type(), &ts);
        assert_eq!(arrow_cast::cast(&m, &DataType::Int64).unwrap().as_primitive::<Int64Type>().value(0), 1);
    }

    #[test]
    fn discrete_median_mode_of_text() {
        let s: ArrayRef = Arc::new(StringArray::from(vec![Some("y"), Some("x"), None, Some("z"), Some("w")]));
        let m = run(AggFunc::Median, DataType::Utf8, DataType::Utf8, s, &[0, 0, 0, 1, 1], 2);
        let m = m.as_string::<i32>();
        assert_eq!((m.value(0), m.value(1)), ("x", "w"));
        let i: ArrayRef = Arc::new(Int32Array::from(vec![7, 5, 5, 1, 1, 3]));
        let m = run(AggFunc::Mode, DataType::Int32, DataType::Int32, i, &[0, 0, 0, 0, 0, 1], 3);
        let m: Vec<Option<i32>> = m.as_primitive::<arrow_array::types::Int32Type>().iter().collect();
        assert_eq!(m, vec![Some(5), Some(3), None]);
    }

    #[test]
    fn exact_fractions() {
        assert_eq!(exact_fraction(0.3), Some((3, 10)));
        assert_eq!(exact_fraction(-0.25), Some((25, 100)));
        assert_eq!(exact_fraction(1.0), Some((1, 1)));
        assert_eq!(lerp_decimal(100, 200, 0.999, false), 199);
        assert_eq!(lerp_decimal(-200, -100, 0.999, false), -100);
        assert_eq!(lerp_decimal(-102, -101, 0.5, false), -101);
        // DuckDB 2.0.1, DECIMAL(38,2): quantile_cont(x, 0.999) over -1, -2 is -1.01; median of
        // -866831 and -866832 as DECIMAL(38,0) is -866832.
        assert_eq!(lerp_decimal(-200, -100, 0.999, true), -101);
        assert_eq!(lerp_decimal(-866832, -866831, 0.5, true), -866832);
        assert_eq!(lerp_decimal(100, 200, 0.999, true), 199);
        // DuckDB 2.0.1, DECIMAL(18,4): median of 99999999999999.9999 and 224.5 is
        // 50000000000112.2496, quantile_cont(x, 0.25) 25000000000168.3744 (doubles' digits);
        // with -99999999999999.9999 instead, -49999999999887.7504 and -74999999999943.8720.
        let (lo, hi) = (2_245_000, 999_999_999_999_999_999);
        assert_eq!(lerp_decimal(lo, hi, 0.5, false), 500_000_000_001_122_496);
        assert_eq!(lerp_decimal(lo, hi, 0.25, false), 250_000_000_001_683_744);
        assert_eq!(lerp_decimal(-hi, lo, 0.5, false), -499_999_999_998_877_504);
        assert_eq!(lerp_decimal(-hi, lo, 0.25, false), -749_999_999_999_438_720);
    }
}
