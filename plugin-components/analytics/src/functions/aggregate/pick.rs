//! One row per group, chosen by a rule: the first seen, the last seen, or the smallest key (keys
//! encoded with arrow-row, so any orderable type and several `ORDER BY` keys compare as bytes).
//! `first`, `last`, `any_value`, `arg_min`/`arg_max`, and `min`/`max` of types without a typed
//! accumulator are all this:
//!
//! - `first(x)`: the first row seen (NULL included, as DuckDB's); `any_value(x)`: the first
//!   non-NULL; `last(x)`: the last seen;
//! - `first(x ORDER BY k)`: the smallest `k`; `last(x ORDER BY k)` is DuckDB's
//!   `first(x ORDER BY k DESC)` with the NULL order reversed too (so among equal keys both take
//!   the earliest row, as DuckDB does);
//! - `arg_min(x, y)`: the smallest `y` among rows where neither is NULL; `arg_max` with `y`
//!   descending; the call's `ORDER BY` keys break ties;
//! - `min(x)`/`max(x)`: the smallest/largest `x` itself.
//!
//! Among equal keys the earliest row wins, and a state merged later counts as later, so a merge
//! of partial states picks what one pass over all rows would.
//!
//! The chosen rows are copied (`take`) out of each batch into a chunk, so no batch is held; a
//! group's choice is (chunk, row). Choices that move leave dead rows behind, and when those
//! outnumber the live ones the chunks are compacted into one (`interleave`).

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, BooleanArray, UInt32Array, new_null_array};
use arrow_buffer::NullBuffer;
use arrow_row::{RowConverter, Rows, SortField};
use arrow_schema::{DataType, Field, SortOptions};

use super::util::{canonical_floats, column, grow};
use super::{Accumulator, AccumulatorSpec, AggFunc};
use crate::error::{AnalyticsError, Result};

/// Which row of a group is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The first eligible row seen.
    FirstSeen,
    /// The last eligible row seen.
    LastSeen,
    /// The eligible row with the smallest key (the earliest among equal keys).
    MinKey,
}

/// What a pick accumulator is made of.
#[derive(Debug, Clone)]
pub struct PickSpec {
    /// The rule.
    pub rule: Rule,
    /// The type of the value kept (input column 0).
    pub value_type: DataType,
    /// The key columns: which input column, its type and its sort options.
    pub keys: Vec<(usize, DataType, SortOptions)>,
    /// Input columns whose NULL makes a row ineligible.
    pub skip_nulls: Vec<usize>,
}

impl PickSpec {
    /// Whether the state carries key columns (keys other than the value itself).
    fn state_keys(&self) -> bool {
        !self.keys.iter().all(|(i, _, _)| *i == 0)
    }

    /// Whether the state needs a "seen" flag (when a NULL value is a value).
    fn state_seen(&self) -> bool {
        !self.skip_nulls.contains(&0)
    }

    /// The state's columns.
    fn state_fields(&self, prefix: &str) -> Vec<Field> {
        let mut f = vec![Field::new(format!("{prefix}_value"), self.value_type.clone(), true)];
        if self.state_keys() {
            for (k, (_, t, _)) in self.keys.iter().enumerate() {
                f.push(Field::new(format!("{prefix}_key{k}"), t.clone(), true));
            }
        }
        if self.state_seen() {
            f.push(Field::new(format!("{prefix}_seen"), DataType::Boolean, true));
        }
        f
    }
}

/// No choice yet.
const NONE: u32 = u32::MAX;

struct Chunk {
    values: ArrayRef,
    keys: Option<Rows>,
}

/// The accumulator.
pub struct Pick {
    spec: PickSpec,
    converter: Option<RowConverter>,
    chunks: Vec<Chunk>,
    /// Per group: the chunk of its choice (`NONE` for none) and the row in it.
    chunk_of: Vec<u32>,
    row_of: Vec<u32>,
    /// How many groups have a choice.
    chosen: usize,
    /// Rows held in the chunks, live or dead.
    stored_rows: usize,
    bytes: usize,
    touched: Vec<u32>,
}

impl Pick {
    /// A new accumulator.
    pub fn new(spec: PickSpec) -> Result<Self> {
        let converter = if spec.keys.is_empty() {
            None
        } else {
            let fields =
                spec.keys.iter().map(|(_, t, o)| SortField::new_with_options(t.clone(), *o)).collect::<Vec<_>>();
            if !RowConverter::supports_fields(&fields) {
                return Err(AnalyticsError::types("a key of this aggregate cannot be ordered"));
            }
            Some(RowConverter::new(fields)?)
        };
        if spec.rule == Rule::MinKey && converter.is_none() {
            return Err(AnalyticsError::internal("a smallest-key pick without keys"));
        }
        Ok(Self {
            spec,
            converter,
            chunks: Vec::new(),
            chunk_of: Vec::new(),
            row_of: Vec::new(),
            chosen: 0,
            stored_rows: 0,
            bytes: 0,
            touched: Vec::new(),
        })
    }

    fn grow_to(&mut self, total: usize) {
        grow(&mut self.chunk_of, total, NONE);
        grow(&mut self.row_of, total, 0);
    }

    fn encode(&self, keys: &[ArrayRef]) -> Result<Option<Rows>> {
        match &self.converter {
            None => Ok(None),
            Some(c) => {
                let keys: Vec<ArrayRef> = keys.iter().map(canonical_floats).collect();
                Ok(Some(c.convert_columns(&keys)?))
            }
        }
    }

    /// Offer rows (`value`, their encoded keys) to their groups; `eligible` rows only.
    fn offer(
        &mut self,
        value: &ArrayRef,
        keys: Option<Rows>,
        eligible: Option<&NullBuffer>,
        groups: &[u32],
    ) -> Result<()> {
        let new_chunk = self.chunks.len() as u32;
        if new_chunk >= NONE - 1 {
            self.compact()?;
            return self.offer(value, keys, eligible, groups);
        }
        self.touched.clear();
        let n = value.len().min(groups.len());
        for (i, &g) in groups.iter().enumerate().take(n) {
            if eligible.is_some_and(|e| e.is_null(i)) {
                continue;
            }
            let g = g as usize;
            let (Some(&cur_chunk), Some(&cur_row)) = (self.chunk_of.get(g), self.row_of.get(g)) else { continue };
            let take = match self.spec.rule {
                Rule::FirstSeen => cur_chunk == NONE,
                Rule::LastSeen => true,
                Rule::MinKey => {
                    cur_chunk == NONE || {
                        let (Some(batch_keys), true) = (keys.as_ref(), i < keys.as_ref().map_or(0, Rows::num_rows))
                        else {
                            return Err(AnalyticsError::internal("pick keys missing"));
                        };
                        let mine = batch_keys.row(i);
                        let cur = if cur_chunk == new_chunk {
                            batch_keys.row(cur_row as usize)
                        } else {
                            self.chunks
                                .get(cur_chunk as usize)
                                .and_then(|c| c.keys.as_ref())
                                .filter(|k| (cur_row as usize) < k.num_rows())
                                .ok_or_else(|| AnalyticsError::internal("pick chunk missing"))?
                                .row(cur_row as usize)
                        };
                        mine < cur
                    }
                }
            };
            if take {
                if cur_chunk != new_chunk {
                    self.touched.push(g as u32);
                }
                if cur_chunk == NONE {
                    self.chosen += 1;
                }
                if let (Some(c), Some(r)) = (self.chunk_of.get_mut(g), self.row_of.get_mut(g)) {
                    *c = new_chunk;
                    *r = i as u32;
                }
            }
        }
        if self.touched.is_empty() {
            return Ok(());
        }
        let indices: Vec<u32> =
            self.touched.iter().map(|&g| self.row_of.get(g as usize).copied().unwrap_or(0)).collect();
        let chunk_values = arrow_select::take::take(value.as_ref(), &UInt32Array::from(indices.clone()), None)?;
        let chunk_keys = match (&self.converter, &keys) {
            (Some(c), Some(k)) => {
                let mut rows = c.empty_rows(indices.len(), 0);
                for &i in &indices {
                    if (i as usize) < k.num_rows() {
                        rows.push(k.row(i as usize));
                    }
                }
                Some(rows)
            }
            _ => None,
        };
        for (k, &g) in self.touched.iter().enumerate() {
            if let Some(r) = self.row_of.get_mut(g as usize) {
                *r = k as u32;
            }
        }
        self.stored_rows += indices.len();
        self.bytes += chunk_values.get_array_memory_size() + chunk_keys.as_ref().map_or(0, Rows::size);
        self.chunks.push(Chunk { values: chunk_values, keys: chunk_keys });
        if self.stored_rows > 2 * self.chosen + 4096 || self.chunks.len() > 1024 {
            self.compact()?;
        }
        Ok(())
    }

    /// The (chunk, row) of every group's choice; groups without one point at `fill`.
    fn positions(&self, fill: (usize, usize)) -> Vec<(usize, usize)> {
        self.chunk_of
            .iter()
            .zip(&self.row_of)
            .map(|(&c, &r)| if c == NONE { fill } else { (c as usize, r as usize) })
            .collect()
    }

    /// Rewrite the chunks as one holding only the chosen rows.
    fn compact(&mut self) -> Result<()> {
        let chosen: Vec<usize> =
            (0..self.chunk_of.len()).filter(|&g| self.chunk_of.get(g).is_some_and(|&c| c != NONE)).collect();
        let pos: Vec<(usize, usize)> = chosen
            .iter()
            .map(|&g| {
                (self.chunk_of.get(g).copied().unwrap_or(0) as usize, self.row_of.get(g).copied().unwrap_or(0) as usize)
            })
            .collect();
        let values = if pos.is_empty() {
            new_null_array(&self.spec.value_type, 0)
        } else {
            let arrays: Vec<&dyn Array> = self.chunks.iter().map(|c| c.values.as_ref()).collect();
            arrow_select::interleave::interleave(&arrays, &pos)?
        };
        let keys = match &self.converter {
            Some(conv) => {
                let mut rows = conv.empty_rows(pos.len(), 0);
                for &(c, r) in &pos {
                    let k = self.chunks.get(c).and_then(|c| c.keys.as_ref()).filter(|k| r < k.num_rows());
                    rows.push(k.ok_or_else(|| AnalyticsError::internal("pick chunk missing"))?.row(r));
                }
                Some(rows)
            }
            None => None,
        };
        for (k, &g) in chosen.iter().enumerate() {
            if let (Some(c), Some(r)) = (self.chunk_of.get_mut(g), self.row_of.get_mut(g)) {
                *c = 0;
                *r = k as u32;
            }
        }
        self.bytes = values.get_array_memory_size() + keys.as_ref().map_or(0, Rows::size);
        self.stored_rows = chosen.len();
        self.chunks = vec![Chunk { values, keys }];
        Ok(())
    }

    /// The chosen values, NULL where a group has none.
    fn values(&self, total: usize) -> Result<ArrayRef> {
        if self.spec.value_type == DataType::Null || self.chunks.is_empty() {
            return Ok(new_null_array(&self.spec.value_type, total));
        }
        let null = new_null_array(&self.spec.value_type, 1);
        let mut arrays: Vec<&dyn Array> = self.chunks.iter().map(|c| c.values.as_ref()).collect();
        arrays.push(null.as_ref());
        let pos = self.positions((self.chunks.len(), 0));
        Ok(arrow_select::interleave::interleave(&arrays, pos.get(..total).unwrap_or(&pos))?)
    }

    fn seen(&self, total: usize) -> BooleanArray {
        BooleanArray::from(self.chunk_of.iter().take(total).map(|&c| c != NONE).collect::<Vec<_>>())
    }
}

impl Accumulator for Pick {
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        self.grow_to(total);
        let value = column(values, 0)?;
        let mut eligible: Option<NullBuffer> = None;
        for &i in &self.spec.skip_nulls {
            eligible = NullBuffer::union(eligible.as_ref(), column(values, i)?.logical_nulls().as_ref());
        }
        let keys = self.spec.keys.iter().map(|(i, _, _)| column(values, *i).cloned()).collect::<Result<Vec<_>>>()?;
        let keys = self.encode(&keys)?;
        let value = value.clone();
        self.offer(&value, keys, eligible.as_ref(), groups)
    }

    fn merge(&mut self, states: &[ArrayRef], groups: &[u32], total: usize) -> Result<()> {
        self.grow_to(total);
        let value = column(states, 0)?.clone();
        let nkeys = if self.spec.state_keys() { self.spec.keys.len() } else { 0 };
        let eligible = if self.spec.state_seen() {
            let seen = super::util::boolean(states, 1 + nkeys)?;
            Some(NullBuffer::new(seen.values().clone()))
        } else {
            value.logical_nulls()
        };
        let keys = if self.spec.state_keys() {
            (1..=nkeys).map(|i| column(states, i).cloned()).collect::<Result<Vec<_>>>()?
        } else {
            self.spec.keys.iter().map(|_| value.clone()).collect()
        };
        let keys = self.encode(&keys)?;
        self.offer(&value, keys, eligible.as_ref(), groups)
    }

    fn state(&mut self, total: usize) -> Result<Vec<ArrayRef>> {
        self.grow_to(total);
        let mut out = vec![self.values(total)?];
        if self.spec.state_keys()
            && let Some(conv) = &self.converter
        {
            let nulls: Vec<ArrayRef> = self.spec.keys.iter().map(|(_, t, _)| new_null_array(t, 1)).collect();
            let null_key = conv.convert_columns(&nulls)?;
            let mut rows = Vec::with_capacity(total);
            for (&c, &r) in self.chunk_of.iter().zip(&self.row_of).take(total) {
                let k = if c == NONE {
                    None
                } else {
                    self.chunks.get(c as usize).and_then(|c| c.keys.as_ref()).filter(|k| (r as usize) < k.num_rows())
                };
                rows.push(match k {
                    Some(k) => k.row(r as usize),
                    None => null_key.row(0),
                });
            }
            out.extend(conv.convert_rows(rows)?);
        }
        if self.spec.state_seen() {
            out.push(Arc::new(self.seen(total)));
        }
        Ok(out)
    }

    fn finish(&mut self, total: usize) -> Result<ArrayRef> {
        self.grow_to(total);
        self.values(total)
    }

    fn size(&self) -> usize {
        self.bytes + self.chunk_of.capacity() * 8 + self.chunks.capacity() * std::mem::size_of::<Chunk>()
    }
}

fn key_sort(descending: bool, nulls_first: bool) -> SortOptions {
    SortOptions { descending, nulls_first }
}

/// The spec of `func` (a function of this kind) for `spec`.
pub fn pick_spec(spec: &AccumulatorSpec<'_>) -> Result<Option<PickSpec>> {
    let nargs = spec.arg_types.len();
    let value_type = spec.arg_types.first().cloned().unwrap_or(DataType::Null);
    let order = || -> Vec<(usize, DataType, SortOptions)> {
        spec.order_types
            .iter()
            .enumerate()
            .map(|(k, t)| {
                let (desc, nulls_first) = spec.order_options.get(k).copied().unwrap_or((false, false));
                (nargs + k, t.clone(), key_sort(desc, nulls_first))
            })
            .collect()
    };
    let reversed = |keys: Vec<(usize, DataType, SortOptions)>| {
        keys.into_iter().map(|(i, t, o)| (i, t, key_sort(!o.descending, !o.nulls_first))).collect::<Vec<_>>()
    };
    let ordered = |skip_nulls: Vec<usize>, last: bool| {
        let keys = order();
        let rule = match (keys.is_empty(), last) {
            (true, false) => Rule::FirstSeen,
            (true, true) => Rule::LastSeen,
            (false, _) => Rule::MinKey,
        };
        let keys = if last { reversed(keys) } else { keys };
        PickSpec { rule, value_type: value_type.clone(), keys, skip_nulls }
    };
    Ok(Some(match spec.func {
        AggFunc::First => ordered(vec![], false),
        AggFunc::Last => ordered(vec![], true),
        AggFunc::AnyValue => ordered(vec![0], false),
        AggFunc::ArgMin | AggFunc::ArgMax => {
            let by =
                spec.arg_types.get(1).cloned().ok_or_else(|| AnalyticsError::internal("arg_min without its key"))?;
            let mut keys = vec![(1, by, key_sort(*spec.func == AggFunc::ArgMax, false))];
            keys.extend(order());
            PickSpec { rule: Rule::MinKey, value_type, keys, skip_nulls: vec![0, 1] }
        }
        _ => return Ok(None),
    }))
}

/// The generic `min`/`max` of `t`.
fn min_max_spec(t: &DataType, max: bool) -> PickSpec {
    PickSpec {
        rule: Rule::MinKey,
        value_type: t.clone(),
        keys: vec![(0, t.clone(), key_sort(max, false))],
        skip_nulls: vec![0],
    }
}

/// `min`/`max` of a type without a typed accumulator (lists, structs, binaries, intervals).
pub fn min_max(t: &DataType, max: bool) -> Result<Box<dyn Accumulator>> {
    Ok(Box::new(Pick::new(min_max_spec(t, max))?))
}

/// The state columns of [`min_max`].
pub fn min_max_state_fields(t: &DataType, prefix: &str) -> Result<Vec<Field>> {
    Ok(min_max_spec(t, false).state_fields(prefix))
}

/// The accumulator of a pick function.
pub fn create(spec: &AccumulatorSpec<'_>) -> Result<Option<Box<dyn Accumulator>>> {
    Ok(match pick_spec(spec)? {
        Some(p) => Some(Box::new(Pick::new(p)?)),
        None => None,
    })
}

/// The state columns of a pick function.
pub fn state_fields(spec: &AccumulatorSpec<'_>, prefix: &str) -> Result<Option<Vec<Field>>> {
    Ok(pick_spec(spec)?.map(|p| p.state_fields(prefix)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use arrow_array::{Int64Array, StringArray};

    use super::*;

    fn acc(func: &AggFunc, args: &[DataType], order: &[DataType], opts: &[(bool, bool)]) -> Box<dyn Accumulator> {
        let spec = AccumulatorSpec {
            func,
            arg_types: args,
            return_type: &args[0],
            order_types: order,
            order_options: opts,
            distinct: false,
        };
        super::super::create(&spec).unwrap()
    }

    fn ints(v: &[Option<i64>]) -> ArrayRef {
        Arc::new(Int64Array::from(v.to_vec()))
    }

    fn out(a: &ArrayRef) -> Vec<Option<i64>> {
        a.as_primitive::<Int64Type>().iter().collect()
    }

    #[test]
    fn first_last_and_any_value_in_input_order() {
        let x = ints(&[None, Some(1), Some(2), None]);
        let g = [0, 0, 0, 0];
        let t = [DataType::Int64];
        for (f, want) in [(AggFunc::First, None), (AggFunc::Last, None), (AggFunc::AnyValue, Some(1))] {
            let mut a = acc(&f, &t, &[], &[]);
            a.update(std::slice::from_ref(&x), &g, 1).unwrap();
            assert_eq!(out(&a.finish(1).unwrap()), vec![want], "{f:?}");
        }
    }

    #[test]
    fn ordered_first_and_last_take_the_earliest_of_equal_keys() {
        // DuckDB 2.0.1: first(x ORDER BY y) = 1 and last(x ORDER BY y) = 10 here.
        let x = ints(&[Some(10), Some(1), Some(2), Some(20)]);
        let y = ints(&[None, Some(2), Some(3), None]);
        let t = [DataType::Int64];
        let mut f = acc(&AggFunc::First, &t, &t, &[(false, false)]);
        let mut l = acc(&AggFunc::Last, &t, &t, &[(false, false)]);
        f.update(&[x.clone(), y.clone()], &[0; 4], 1).unwrap();
        l.update(&[x, y], &[0; 4], 1).unwrap();
        assert_eq!(out(&f.finish(1).unwrap()), vec![Some(1)]);
        assert_eq!(out(&l.finish(1).unwrap()), vec![Some(10)]);
    }

    #[test]
    fn arg_min_skips_null_values_and_keys() {
        // DuckDB 2.0.1: arg_min = 5, arg_max = 3.
        let x = ints(&[Some(1), None, Some(3), Some(4), Some(5)]);
        let y = ints(&[None, Some(2), Some(5), Some(5), Some(2)]);
        let t = [DataType::Int64, DataType::Int64];
        let mut mn = acc(&AggFunc::ArgMin, &t, &[], &[]);
        let mut mx = acc(&AggFunc::ArgMax, &t, &[], &[]);
        mn.update(&[x.clone(), y.clone()], &[0; 5], 1).unwrap();
        mx.update(&[x, y], &[0; 5], 1).unwrap();
        assert_eq!(out(&mn.finish(1).unwrap()), vec![Some(5)]);
        assert_eq!(out(&mx.finish(1).unwrap()), vec![Some(3)]);
    }

    #[test]
    fn states_merge_and_compaction_keeps_choices() {
        let t = [DataType::Utf8];
        let mut a = acc(&AggFunc::Last, &t, &[], &[]);
        // Many batches where every group's choice moves: compaction must kick in.
        for round in 0..50 {
            let v: Vec<String> = (0..300).map(|g| format!("{g}-{round}")).collect();
            let arr: ArrayRef = Arc::new(StringArray::from(v));
            let groups: Vec<u32> = (0..300).collect();
            a.update(&[arr], &groups, 300).unwrap();
        }
        assert!(a.size() < 300 * 50 * 8);
        let st = a.state(300).unwrap();
        assert_eq!(st.len(), 2);
        let mut b = acc(&AggFunc::Last, &t, &[], &[]);
        b.merge(&st, &(0..300).collect::<Vec<u32>>(), 300).unwrap();
        let r = b.finish(300).unwrap();
        assert_eq!(r.as_string::<i32>().value(7), "7-49");
    }

    #[test]
    fn ordered_states_merge_like_one_pass() {
        let t = [DataType::Int64];
        let opts = [(true, false)];
        let x = ints(&[Some(1), Some(2), Some(3), Some(4)]);
        let y = ints(&[Some(5), Some(9), Some(9), Some(1)]);
        let mut one = acc(&AggFunc::First, &t, &t, &opts);
        one.update(&[x.clone(), y.clone()], &[0, 0, 1, 1], 2).unwrap();
        let mut p1 = acc(&AggFunc::First, &t, &t, &opts);
        let mut p2 = acc(&AggFunc::First, &t, &t, &opts);
        p1.update(&[x.slice(0, 2), y.slice(0, 2)], &[0, 0], 1).unwrap();
        p2.update(&[x.slice(2, 2), y.slice(2, 2)], &[1, 1], 2).unwrap();
        let mut m = acc(&AggFunc::First, &t, &t, &opts);
        m.merge(&p1.state(1).unwrap(), &[0], 1).unwrap();
        m.merge(&p2.state(2).unwrap(), &[0, 1], 2).unwrap();
        assert_eq!(out(&m.finish(2).unwrap()), out(&one.finish(2).unwrap()));
    }
}
