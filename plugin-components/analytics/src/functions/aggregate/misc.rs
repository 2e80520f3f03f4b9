//! `first`, `last`, `any_value` (`arbitrary` is DuckDB's alias of `first`), `arg_min`/`arg_max`
//! (the row-picking functions, run by [`super::pick`]), `bool_and`, `bool_or`, `string_agg`
//! (`listagg`, `group_concat`) and `approx_count_distinct` (a [`super::hll`] sketch per group).
//!
//! As DuckDB: `first`/`last` keep the argument's type and count a NULL as a value; `any_value`
//! skips NULLs; `bool_and`/`bool_or` take booleans only; `string_agg` casts its argument to text,
//! joins with `,` by default, takes only a constant separator, and a NULL separator makes it NULL;
//! `approx_count_distinct` is `int64`, 0 over no value. DuckDB's sketch is another one, so
//! estimates above [`super::hll::SPARSE_LIMIT`] distinct values differ from its (both are
//! approximate; this one is exact below that).

use std::fmt::Write;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, BinaryArray, BooleanArray, Int64Array, StringArray};
use arrow_row::{RowConverter, SortField};
use arrow_schema::{DataType, Field, SortOptions};

use super::hll::{Sketch, hash_bytes, hash_u64};
use super::util::{
    boolean, bucket_by_group, canonical, canonical_floats, column, each_value, group_slice_mut, grow, real_nulls,
};
use super::{Accumulator, AccumulatorSpec, AggFunc, ResolvedAgg};
use crate::error::{AnalyticsError, Result};
use crate::functions::scalar::Arg;
use crate::types::coerce::{is_float, is_integer};

/// Resolve a function of this family.
pub fn resolve(name: &str, args: &[Arg<'_>]) -> Result<Option<ResolvedAgg>> {
    let r = |func, arg_types: Vec<DataType>, return_type| {
        let value_args = (0..arg_types.len()).collect();
        Ok(Some(ResolvedAgg { func, value_args, arg_types, return_type }))
    };
    let one = || match args {
        [a] => Ok(a.data_type.clone()),
        _ => Err(AnalyticsError::types(format!("{name} takes one argument, not {}", args.len()))),
    };
    match name {
        "first" | "arbitrary" | "last" | "any_value" => {
            let t = one()?;
            let func = match name {
                "last" => AggFunc::Last,
                "any_value" => AggFunc::AnyValue,
                _ => AggFunc::First,
            };
            r(func, vec![t.clone()], t)
        }
        "arg_min" | "argmin" | "min_by" | "arg_max" | "argmax" | "max_by" => {
            let [x, y] = args else {
                return Err(AnalyticsError::types(format!(
                    "{name} takes two arguments (the value and what to order by), not {}",
                    args.len()
                )));
            };
            if !RowConverter::supports_fields(&[SortField::new(y.data_type.clone())]) {
                return Err(AnalyticsError::types(format!("{name}: {} cannot be ordered", y.data_type)));
            }
            let func = if matches!(name, "arg_min" | "argmin" | "min_by") { AggFunc::ArgMin } else { AggFunc::ArgMax };
            r(func, vec![x.data_type.clone(), y.data_type.clone()], x.data_type.clone())
        }
        "bool_and" | "bool_or" => {
            let t = one()?;
            if !matches!(t, DataType::Boolean | DataType::Null) {
                return Err(AnalyticsError::types(format!("{name}({t}) is not defined: {name} takes a boolean")));
            }
            r(
                if name == "bool_and" { AggFunc::BoolAnd } else { AggFunc::BoolOr },
                vec![DataType::Boolean],
                DataType::Boolean,
            )
        }
        "string_agg" | "listagg" | "group_concat" => {
            let sep = match args {
                [_] => Some(",".to_string()),
                [_, s] => separator(name, s)?,
                _ => {
                    return Err(AnalyticsError::types(format!(
                        "{name} takes a value and a separator, not {} arguments",
                        args.len()
                    )));
                }
            };
            // Only the value is evaluated per row; the separator is folded into the function.
            Ok(Some(ResolvedAgg {
                func: AggFunc::StringAgg(sep),
                value_args: vec![0],
                arg_types: vec![DataType::Utf8],
                return_type: DataType::Utf8,
            }))
        }
        "approx_count_distinct" => {
            let t = one()?;
            let arg = if is_integer(&t) {
                DataType::Int64
            } else if is_float(&t) {
                DataType::Float64
            } else if t == DataType::Null
                || matches!(t, DataType::Utf8 | DataType::Binary)
                || RowConverter::supports_fields(&[SortField::new(t.clone())])
            {
                t
            } else {
                return Err(AnalyticsError::types(format!("{name}({t}) is not defined for that type")));
            };
            r(AggFunc::ApproxCountDistinct, vec![arg], DataType::Int64)
        }
        _ => Ok(None),
    }
}

/// `string_agg`'s separator: a constant, cast to text; NULL makes every result NULL.
fn separator(name: &str, s: &Arg<'_>) -> Result<Option<String>> {
    let lit =
        s.literal.ok_or_else(|| AnalyticsError::invalid(format!("the separator of {name} must be a constant")))?;
    if lit.is_null() || lit.0.logical_null_count() > 0 {
        return Ok(None);
    }
    let text = crate::types::cast::cast(&lit.0, &DataType::Utf8, false)?;
    let text = text.as_any().downcast_ref::<StringArray>().ok_or_else(|| AnalyticsError::internal("separator cast"))?;
    Ok(Some(text.value(0).to_string()))
}

/// The accumulator for a function of this family.
pub fn create(spec: &AccumulatorSpec<'_>) -> Result<Box<dyn Accumulator>> {
    if let Some(a) = super::pick::create(spec)? {
        return Ok(a);
    }
    Ok(match spec.func {
        AggFunc::BoolAnd => Box::new(BoolAgg { values: Vec::new(), and: true }),
        AggFunc::BoolOr => Box::new(BoolAgg { values: Vec::new(), and: false }),
        AggFunc::StringAgg(sep) => Box::new(StringAgg::new(sep.clone(), spec)?),
        AggFunc::ApproxCountDistinct => {
            Box::new(ApproxDistinct::new(spec.arg_types.first().cloned().unwrap_or(DataType::Null))?)
        }
        other => return Err(AnalyticsError::internal(format!("no accumulator for {}", other.name()))),
    })
}

/// The state columns of a function of this family.
pub fn state_fields(spec: &AccumulatorSpec<'_>, prefix: &str) -> Result<Vec<Field>> {
    if let Some(f) = super::pick::state_fields(spec, prefix)? {
        return Ok(f);
    }
    let f = |part: &str, t: DataType| Field::new(format!("{prefix}_{part}"), t, true);
    Ok(match spec.func {
        AggFunc::BoolAnd | AggFunc::BoolOr => vec![f("bool", DataType::Boolean)],
        AggFunc::ApproxCountDistinct => vec![f("sketch", DataType::Binary)],
        other => {
            return Err(AnalyticsError::unsupported(format!("{}: its partial results do not merge", other.name())));
        }
    })
}

/// `bool_and` / `bool_or`.
struct BoolAgg {
    values: Vec<Option<bool>>,
    and: bool,
}

impl Accumulator for BoolAgg {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        grow(&mut self.values, total, None);
        let a = column(values, 0)?;
        if *a.data_type() == DataType::Null {
            return Ok(());
        }
        let a = boolean(values, 0)?;
        let nulls = real_nulls(a);
        for (i, &g) in groups.iter().enumerate().take(a.len()) {
            if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                continue;
            }
            let v = a.value(i);
            if let Some(b) = self.values.get_mut(g as usize) {
                *b = Some(match *b {
                    None => v,
                    Some(cur) => {
                        if self.and {
                            cur && v
                        } else {
                            cur || v
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
        grow(&mut self.values, total, None);
        Ok(Arc::new(std::mem::take(&mut self.values).into_iter().collect::<BooleanArray>()))
    }

    fn size(&self) -> usize {
        self.values.capacity() * 2
    }
}

/// `string_agg`: the non-NULL strings with their groups (and `ORDER BY` keys), joined at the end.
struct StringAgg {
    sep: Option<String>,
    values: Vec<ArrayRef>,
    keys: Vec<Vec<ArrayRef>>,
    groups: Vec<u32>,
    converter: Option<RowConverter>,
    /// Where the `ORDER BY` keys start in `update`'s values.
    first_key: usize,
    nkeys: usize,
    bytes: usize,
}

impl StringAgg {
    fn new(sep: Option<String>, spec: &AccumulatorSpec<'_>) -> Result<Self> {
        let converter = if spec.order_types.is_empty() {
            None
        } else {
            let fields = spec
                .order_types
                .iter()
                .enumerate()
                .map(|(k, t)| {
                    let (descending, nulls_first) = spec.order_options.get(k).copied().unwrap_or((false, false));
                    SortField::new_with_options(t.clone(), SortOptions { descending, nulls_first })
                })
                .collect();
            Some(RowConverter::new(fields)?)
        };
        Ok(Self {
            sep,
            values: Vec::new(),
            keys: Vec::new(),
            groups: Vec::new(),
            converter,
            first_key: spec.arg_types.len(),
            nkeys: spec.order_types.len(),
            bytes: 0,
        })
    }
}

impl Accumulator for StringAgg {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], _total: usize) -> Result<()> {
        if self.sep.is_none() {
            return Ok(());
        }
        let v = column(values, 0)?;
        let keys = (0..self.nkeys).map(|k| column(values, self.first_key + k).cloned()).collect::<Result<Vec<_>>>()?;
        let (v, keys, kept): (ArrayRef, Vec<ArrayRef>, Vec<u32>) = match real_nulls(v.as_ref()) {
            None => (v.clone(), keys, groups.get(..v.len()).unwrap_or(groups).to_vec()),
            Some(n) => {
                let mask = BooleanArray::new(n.inner().clone(), None);
                let keys =
                    keys.iter().map(|k| Ok(arrow_select::filter::filter(k, &mask)?)).collect::<Result<Vec<_>>>()?;
                let kept = groups.iter().zip(n.iter()).filter(|(_, ok)| *ok).map(|(g, _)| *g).collect();
                (arrow_select::filter::filter(v, &mask)?, keys, kept)
            }
        };
        self.bytes +=
            v.get_array_memory_size() + keys.iter().map(|k| k.get_array_memory_size()).sum::<usize>() + kept.len() * 4;
        self.values.push(v);
        self.keys.push(keys);
        self.groups.extend(kept);
        Ok(())
    }

    fn merge(&mut self, _: &[ArrayRef], _: &[u32], _: usize) -> Result<()> {
        Err(AnalyticsError::unsupported("string_agg: its partial results do not merge"))
    }

    fn state(&mut self, _: usize) -> Result<Vec<ArrayRef>> {
        Err(AnalyticsError::unsupported("string_agg: its partial results do not merge"))
    }

    fn finish(&mut self, total: usize) -> Result<ArrayRef> {
        let Some(sep) = &self.sep else {
            return Ok(arrow_array::new_null_array(&DataType::Utf8, total));
        };
        let parts: Vec<&dyn Array> = self.values.iter().map(|v| v.as_ref()).collect();
        let all = if parts.is_empty() {
            arrow_array::new_empty_array(&DataType::Utf8)
        } else {
            arrow_select::concat::concat(&parts)?
        };
        let strings = all
            .as_any()
            .downcast_ref::<StringArray>()
            .ok_or_else(|| AnalyticsError::internal("string_agg input type"))?;
        if self.groups.len() != strings.len() {
            return Err(AnalyticsError::internal("string_agg groups and values differ in length"));
        }
        let (offsets, mut order) = bucket_by_group(&self.groups, total);
        // With no input at all there are no key columns to concatenate (and nothing to sort).
        if let Some(conv) = self.converter.as_ref().filter(|_| !strings.is_empty()) {
            let mut columns = Vec::with_capacity(self.nkeys);
            for k in 0..self.nkeys {
                let parts: Vec<&dyn Array> = self.keys.iter().filter_map(|ks| ks.get(k)).map(|a| a.as_ref()).collect();
                columns.push(canonical_floats(&arrow_select::concat::concat(&parts)?));
            }
            let rows = conv.convert_columns(&columns)?;
            if rows.num_rows() != strings.len() {
                return Err(AnalyticsError::internal("string_agg keys and values differ in length"));
            }
            for g in 0..total {
                // Stable: equal keys keep their input order.
                group_slice_mut(&mut order, &offsets, g)
                    .sort_by(|&a, &b| rows.row(a as usize).cmp(&rows.row(b as usize)));
            }
        }
        let group_bytes = |g: usize| -> usize {
            let rows = super::util::group_slice(&order, &offsets, g);
            rows.iter().map(|&i| strings.value_length(i as usize) as usize).sum::<usize>()
                + sep.len() * rows.len().saturating_sub(1)
        };
        let total_bytes: usize = (0..total).map(group_bytes).sum();
        if total_bytes > i32::MAX as usize {
            return Err(AnalyticsError::execution("string_agg: the result is larger than 2 GiB"));
        }
        let mut b = arrow_array::builder::StringBuilder::with_capacity(total, total_bytes);
        for g in 0..total {
            let rows = super::util::group_slice(&order, &offsets, g);
            if rows.is_empty() {
                b.append_null();
                continue;
            }
            for (k, &i) in rows.iter().enumerate() {
                if k > 0 {
                    b.write_str(sep).map_err(|e| AnalyticsError::internal(e.to_string()))?;
                }
                b.write_str(strings.value(i as usize)).map_err(|e| AnalyticsError::internal(e.to_string()))?;
            }
            b.append_value("");
        }
        self.values.clear();
        self.keys.clear();
        self.groups.clear();
        self.bytes = 0;
        Ok(Arc::new(b.finish()))
    }

    fn size(&self) -> usize {
        self.bytes + self.groups.capacity() * 4
    }
}

/// `approx_count_distinct`: a sketch per group.
struct ApproxDistinct {
    sketches: Vec<Sketch>,
    converter: Option<RowConverter>,
    bytes: usize,
}

impl ApproxDistinct {
    fn new(t: DataType) -> Result<Self> {
        let converter = match t {
            DataType::Int64 | DataType::Float64 | DataType::Utf8 | DataType::Binary | DataType::Null => None,
            other => Some(RowConverter::new(vec![SortField::new(other)])?),
        };
        Ok(Self { sketches: Vec::new(), converter, bytes: 0 })
    }

    #[inline]
    fn add(sketches: &mut [Sketch], bytes: &mut usize, g: usize, h: u64) {
        if let Some(s) = sketches.get_mut(g) {
            let before = s.heap_size();
            s.insert(h);
            *bytes = *bytes + s.heap_size() - before;
        }
    }
}

impl Accumulator for ApproxDistinct {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        grow(&mut self.sketches, total, Sketch::default());
        let a = column(values, 0)?;
        let (sketches, bytes) = (&mut self.sketches, &mut self.bytes);
        match a.data_type() {
            DataType::Null => {}
            DataType::Int64 => each_value(a.as_primitive::<Int64Type>(), groups, |g, v| {
                Self::add(sketches, bytes, g, hash_u64(v as u64))
            }),
            DataType::Float64 => each_value(a.as_primitive::<Float64Type>(), groups, |g, v| {
                Self::add(sketches, bytes, g, hash_u64(canonical(v).to_bits()))
            }),
            DataType::Utf8 => {
                let s = a.as_string::<i32>();
                let nulls = real_nulls(a.as_ref());
                for (i, &g) in groups.iter().enumerate().take(s.len()) {
                    if !nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                        Self::add(sketches, bytes, g as usize, hash_bytes(s.value(i).as_bytes()));
                    }
                }
            }
            DataType::Binary => {
                let s = a.as_binary::<i32>();
                let nulls = real_nulls(a.as_ref());
                for (i, &g) in groups.iter().enumerate().take(s.len()) {
                    if !nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                        Self::add(sketches, bytes, g as usize, hash_bytes(s.value(i)));
                    }
                }
            }
            _ => {
                let conv = self
                    .converter
                    .as_ref()
                    .ok_or_else(|| AnalyticsError::internal("approx_count_distinct input type"))?;
                let rows = conv.convert_columns(&[canonical_floats(a)])?;
                let nulls = real_nulls(a.as_ref());
                for (i, (&g, row)) in groups.iter().zip(rows.iter()).enumerate() {
                    if !nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                        Self::add(sketches, bytes, g as usize, hash_bytes(row.as_ref()));
                    }
                }
            }
        }
        Ok(())
    }

    fn merge(&mut self, states: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        grow(&mut self.sketches, total, Sketch::default());
        let s = column(states, 0)?;
        let s = s
            .as_any()
            .downcast_ref::<BinaryArray>()
            .ok_or_else(|| AnalyticsError::argument("an approx_count_distinct state must be binary"))?;
        for (i, &g) in groups.iter().enumerate().take(s.len()) {
            if s.is_null(i) {
                continue;
            }
            let other = Sketch::from_bytes(s.value(i))?;
            if let Some(mine) = self.sketches.get_mut(g as usize) {
                let before = mine.heap_size();
                mine.merge(&other);
                self.bytes = self.bytes + mine.heap_size() - before;
            }
        }
        Ok(())
    }

    fn state(&mut self, total: usize) -> Result<Vec<ArrayRef>> {
        grow(&mut self.sketches, total, Sketch::default());
        let bytes: Vec<Vec<u8>> = self.sketches.iter().take(total).map(Sketch::to_bytes).collect();
        if bytes.iter().map(Vec::len).sum::<usize>() > i32::MAX as usize {
            return Err(AnalyticsError::execution("approx_count_distinct: the partial state is larger than 2 GiB"));
        }
        let a = BinaryArray::from_iter_values(bytes.iter());
        self.sketches.clear();
        self.bytes = 0;
        Ok(vec![Arc::new(a)])
    }

    fn finish(&mut self, total: usize) -> Result<ArrayRef> {
        grow(&mut self.sketches, total, Sketch::default());
        let out: Int64Array = self.sketches.iter().take(total).map(|s| Some(s.estimate())).collect();
        self.sketches.clear();
        self.bytes = 0;
        Ok(Arc::new(out))
    }

    fn size(&self) -> usize {
        self.bytes + self.sketches.capacity() * std::mem::size_of::<Sketch>()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use arrow_array::Int64Array;

    use super::*;
    use crate::functions::aggregate::basic::test_acc;

    #[test]
    fn bool_and_or_skip_nulls() {
        let v: ArrayRef = Arc::new(BooleanArray::from(vec![Some(true), Some(false), None, None, Some(true)]));
        let groups = [0, 0, 0, 1, 2];
        for (f, want) in
            [(AggFunc::BoolAnd, [Some(false), None, Some(true)]), (AggFunc::BoolOr, [Some(true), None, Some(true)])]
        {
            let mut a = test_acc(&f, &[DataType::Boolean], &DataType::Boolean);
            a.update(std::slice::from_ref(&v), &groups, 3).unwrap();
            let out = a.finish(3).unwrap();
            assert_eq!(out.as_boolean().iter().collect::<Vec<_>>(), want.to_vec());
        }
    }

    #[test]
    fn string_agg_joins_in_order() {
        let v: ArrayRef = Arc::new(StringArray::from(vec![Some("x"), Some("y"), None, Some("z"), Some("w")]));
        let k: ArrayRef = Arc::new(Int64Array::from(vec![3, 1, 2, 2, 0]));
        let groups = [0, 0, 0, 1, 0];
        let f = AggFunc::StringAgg(Some("|".into()));
        let spec = AccumulatorSpec {
            func: &f,
            arg_types: &[DataType::Utf8],
            return_type: &DataType::Utf8,
            order_types: &[DataType::Int64],
            order_options: &[(true, false)],
            distinct: false,
        };
        let mut a = create(&spec).unwrap();
        a.update(&[v.clone(), k], &groups, 3).unwrap();
        let out = a.finish(3).unwrap();
        let out = out.as_string::<i32>();
        assert_eq!(out.value(0), "x|y|w");
        assert_eq!(out.value(1), "z");
        assert!(out.is_null(2));
        let mut plain = test_acc(&AggFunc::StringAgg(Some(",".into())), &[DataType::Utf8], &DataType::Utf8);
        plain.update(&[v], &groups, 2).unwrap();
        assert_eq!(plain.finish(2).unwrap().as_string::<i32>().value(0), "x,y,w");
        let mut null_sep = test_acc(&AggFunc::StringAgg(None), &[DataType::Utf8], &DataType::Utf8);
        assert!(null_sep.state(1).is_err());
        assert!(null_sep.finish(1).unwrap().is_null(0));
    }

    #[test]
    fn approx_count_distinct_is_exact_when_small_and_merges() {
        let v: ArrayRef = Arc::new(Int64Array::from((0..2000).map(|i| Some(i % 700)).collect::<Vec<_>>()));
        let groups: Vec<u32> = (0..2000).map(|i| (i % 2) as u32).collect();
        let mut a = test_acc(&AggFunc::ApproxCountDistinct, &[DataType::Int64], &DataType::Int64);
        a.update(std::slice::from_ref(&v), &groups, 3).unwrap();
        let st = a.state(3).unwrap();
        let mut b = test_acc(&AggFunc::ApproxCountDistinct, &[DataType::Int64], &DataType::Int64);
        b.merge(&st, &[0, 1, 2], 3).unwrap();
        let out = b.finish(3).unwrap();
        let out = out.as_primitive::<Int64Type>();
        assert_eq!(out.value(0), 350);
        assert_eq!(out.value(1), 350);
        assert_eq!(out.value(2), 0);
        let strings: ArrayRef = Arc::new(StringArray::from(vec![Some("a"), None, Some("b"), Some("a")]));
        let mut s = test_acc(&AggFunc::ApproxCountDistinct, &[DataType::Utf8], &DataType::Int64);
        s.update(&[strings], &[0, 0, 0, 0], 1).unwrap();
        assert_eq!(s.finish(1).unwrap().as_primitive::<Int64Type>().value(0), 2);
    }
}
