//! Window functions: the input gathered into one batch; calls grouped by their (PARTITION BY,
//! ORDER BY) spec and the rows sorted once per spec (partition keys, then order keys; NULLs last
//! unless asked, as DuckDB): partition keys hashed to dense ids, order keys turned into dense
//! ranks by `sort_to_indices`, both packed into one `u64` per row and sorted, partitions and peer
//! groups where the packed key changes (`lexsort_to_indices` and arrow-ord's `partition` when the
//! keys do not pack); each call's column computed in that sorted order, then put in the output's
//! order. The output is the input's rows in the first spec's sorted
//! order (SQL leaves it open; an outer ORDER BY fixes it), with one column per call.
//!
//! Frames are a `[start, end)` range of sorted positions per row, never crossing its partition;
//! both ends only move forward from row to row, which is what makes the fast paths work:
//!
//! - ranking, `lag`/`lead`, `first_value`/`last_value`/`nth_value`: positions, then one `take`;
//! - `count`, and `sum`/`avg` of integers and decimals: a sliding window adding the rows that
//!   enter and taking away those that leave, in exact 128-bit integers (O(n) for any frame);
//! - `sum`/`avg` of floats over frames that start at the partition's start (running totals):
//!   added in order, as the aggregate would (a sliding float sum would lose digits when a large
//!   value leaves it);
//! - `min`/`max` of primitive values: a monotonic deque (O(n) for any frame);
//! - every other aggregate, through its accumulator: over whole partitions, one group per
//!   partition; over narrow frames, each output row its own group fed with the rows of its
//!   frame (O(n × width)); over wide frames of a mergeable aggregate, a segment tree of partial
//!   states merged per row (O(n log width)); non-mergeable ones (`median`, `string_agg`) stay
//!   per row.
//!
//! `FILTER (WHERE ...)` removes rows from every frame: they count as absent.

use std::collections::VecDeque;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, Float32Type, Float64Type, Int64Type};
use arrow_array::{
    Array, ArrayRef, ArrowNativeTypeOp, ArrowPrimitiveType, BooleanArray, Decimal128Array, Float64Array, Int64Array,
    PrimitiveArray, RecordBatch, RecordBatchOptions, Scalar, UInt32Array, new_null_array,
};
use arrow_buffer::{BooleanBuffer, NullBuffer};
use arrow_ord::sort::{SortColumn, SortOptions, lexsort_to_indices};
use arrow_schema::{DataType, SchemaRef};

use super::ExecContext;
use super::group::normalize;
use crate::budget::Reservation;
use crate::error::{AnalyticsError, Result};
use crate::expr::{self, Value};
use crate::functions::aggregate::{self, AccumulatorSpec, AggFunc};
use crate::functions::window::{self, WindowFunc};
use crate::plan::{Expr, Frame, FrameBound, SortExpr, WindowCall};

/// Rows fed to one accumulator at a time on the per-row and segment-tree paths: bounds the
/// memory of the gathered frame rows.
const CHUNK: usize = 1 << 16;

/// Frames at most this wide are aggregated row by row; wider ones (of a mergeable aggregate) use
/// the segment tree, whose fixed cost (building ~2n partial states) is then repaid.
const NARROW: usize = 16;

/// Run the window calls over `batches`.
pub fn run(
    batches: Vec<RecordBatch>,
    input_schema: &SchemaRef,
    windows: &[WindowCall],
    schema: &SchemaRef,
    ctx: &ExecContext<'_>,
) -> Result<Vec<RecordBatch>> {
    for w in windows {
        window::check_frame(&w.frame)?;
    }
    let mut reservation = Reservation::new(ctx.budget, "a window");
    let input_bytes: usize = batches.iter().map(RecordBatch::get_array_memory_size).sum();
    // The gathered copy and the output's reordered copy.
    reservation.resize(input_bytes * 2)?;
    let all = super::concat_batches(input_schema, &batches)?;
    drop(batches);
    let n = all.num_rows();
    if n == 0 {
        return Ok(vec![]);
    }
    if u32::try_from(n).is_err() {
        return Err(AnalyticsError::unsupported(format!("a window over {n} rows (at most 2^32 - 1)")));
    }

    // Calls with the same PARTITION BY and ORDER BY share one sort.
    let mut specs: Vec<Vec<usize>> = Vec::new();
    for (i, w) in windows.iter().enumerate() {
        let same = |&first: &usize| {
            windows
                .get(first)
                .is_some_and(|f: &WindowCall| f.partition_by == w.partition_by && f.order_by == w.order_by)
        };
        match specs.iter_mut().find(|s| s.first().is_some_and(same)) {
            Some(s) => s.push(i),
            None => specs.push(vec![i]),
        }
    }

    let mut results: Vec<Option<ArrayRef>> = vec![None; windows.len()];
    let mut first_perm: Option<Option<UInt32Array>> = None;
    let mut held = 0usize;
    for calls in &specs {
        let Some(head) = calls.first().and_then(|&i| windows.get(i)) else { continue };
        // The sort's scratch: packed keys, ranks, the permutation.
        let keys = head.partition_by.len() + head.order_by.len();
        reservation.resize(input_bytes * 2 + held + n * (12 + 4 * keys))?;
        let layout = Layout::new(&head.partition_by, &head.order_by, &all, ctx)?;
        reservation.resize(input_bytes * 2 + held + layout.size())?;
        // Sorted position to output position: none for the first spec (its order is the output's).
        let to_output = match &first_perm {
            None => None,
            Some(p0) => layout.to_output(p0.as_ref())?,
        };
        for &i in calls {
            let Some(call) = windows.get(i) else { continue };
            let sorted = compute(call, &layout, &all, ctx, &mut reservation)?;
            let column = match &to_output {
                None => sorted,
                Some(idx) => arrow_select::take::take(sorted.as_ref(), idx, None)?,
            };
            held += column.get_array_memory_size();
            reservation.resize(input_bytes * 2 + held + layout.size())?;
            if let Some(slot) = results.get_mut(i) {
                *slot = Some(column);
            }
        }
        if first_perm.is_none() {
            first_perm = Some(layout.perm);
        }
    }

    let perm = first_perm.flatten();
    let mut columns: Vec<ArrayRef> = match &perm {
        None => all.columns().to_vec(),
        Some(p) => {
            all.columns().iter().map(|c| Ok(arrow_select::take::take(c.as_ref(), p, None)?)).collect::<Result<_>>()?
        }
    };
    drop(all);
    for r in results {
        columns.push(r.ok_or_else(|| AnalyticsError::internal("a window call was not computed"))?);
    }
    let columns =
        columns
            .into_iter()
            .zip(schema.fields())
            .map(|(c, f)| {
                if c.data_type() == f.data_type() { Ok(c) } else { crate::types::cast::cast(&c, f.data_type(), false) }
            })
            .collect::<Result<Vec<_>>>()?;
    let options = RecordBatchOptions::new().with_row_count(Some(n));
    Ok(vec![RecordBatch::try_new_with_options(schema.clone(), columns, &options)?])
}

/// The rows of one (PARTITION BY, ORDER BY) spec in sorted order.
struct Layout {
    /// Sorted position to input row; `None` when there is no key (the input's order is kept).
    perm: Option<UInt32Array>,
    /// The first sorted position of each partition, then the row count.
    parts: Vec<usize>,
    /// The first sorted position of each peer group (rows equal on every key; each partition
    /// start is one), then the row count.
    peers: Vec<usize>,
    /// Whether the spec has ORDER BY keys (without, every row of a partition is a peer).
    ordered: bool,
    /// Rows.
    n: usize,
}

/// Where one sorted row stands: its position, its partition's range and its peers' range.
#[derive(Debug, Clone, Copy)]
struct Row {
    i: usize,
    ps: usize,
    pe: usize,
    qs: usize,
    qe: usize,
}

impl Layout {
    /// Sort the rows by partition, then order keys. Partition keys are hashed to dense ids
    /// (partitions need grouping, not ordering: NULL keys group together); each order key
    /// becomes its dense rank under its own direction and NULL placement (one single-column
    /// `sort_to_indices` each); when the ids and ranks fit 64 bits, one composite `u64` per row
    /// (with the row number below it when that fits too, so peers keep the input's order) is
    /// sorted, and partition and peer boundaries are where the composite changes. That is two to
    /// four times faster than a multi-column `lexsort_to_indices`, which remains for one order
    /// key alone and for keys too many to pack.
    fn new(partition_by: &[Expr], order_by: &[SortExpr], all: &RecordBatch, ctx: &ExecContext<'_>) -> Result<Self> {
        let n = all.num_rows();
        let ordered = !order_by.is_empty();
        if partition_by.is_empty() && order_by.len() <= 1 {
            return Self::lexsorted(partition_by, order_by, all, ctx);
        }
        let (ids, partitions) = if partition_by.is_empty() {
            (None, 1)
        } else {
            let keys = partition_by.iter().map(|p| expr::evaluate_array(p, all, ctx)).collect::<Result<Vec<_>>>()?;
            let types: Vec<DataType> = keys.iter().map(|k| k.data_type().clone()).collect();
            // Key types the row format cannot hash go the general way.
            let Ok(mut table) = super::group::GroupTable::new(&types) else {
                return Self::lexsorted(partition_by, order_by, all, ctx);
            };
            let mut ids = Vec::with_capacity(n);
            table.intern(&keys, &mut ids)?;
            (Some(ids), table.len())
        };
        let mut ranks = Vec::with_capacity(order_by.len());
        let mut order_bits = 0u32;
        for o in order_by {
            let values = normalize(&expr::evaluate_array(&o.expr, all, ctx)?);
            let (rank, distinct) = match values.data_type() {
                // All NULL: every row a peer.
                DataType::Null => (vec![0; n], 1),
                t if rankable(t) => dense_rank(&values, o)?,
                _ => return Self::lexsorted(partition_by, order_by, all, ctx),
            };
            order_bits += bits_for(distinct);
            ranks.push((rank, bits_for(distinct)));
        }
        let key_bits = bits_for(partitions) + order_bits;
        if key_bits > 64 {
            return Self::lexsorted(partition_by, order_by, all, ctx);
        }
        let key = |i: usize| -> u64 {
            let mut k = ids.as_ref().and_then(|ids| ids.get(i)).map_or(0, |&id| u64::from(id));
            for (rank, bits) in &ranks {
                k = shl(k, *bits) | rank.get(i).map_or(0, |&r| u64::from(r));
            }
            k
        };
        let row_bits = bits_for(n);
        let (perm, keys): (Vec<u32>, Vec<u64>) = if key_bits + row_bits <= 64 {
            let mut packed: Vec<u64> = (0..n).map(|i| shl(key(i), row_bits) | i as u64).collect();
            packed.sort_unstable();
            let mask = shl(1, row_bits).wrapping_sub(1);
            packed.iter().map(|&p| ((p & mask) as u32, shr(p, row_bits))).unzip()
        } else {
            let mut pairs: Vec<(u64, u32)> = (0..n).map(|i| (key(i), i as u32)).collect();
            pairs.sort_unstable();
            pairs.into_iter().map(|(k, i)| (i, k)).unzip()
        };
        let (mut parts, mut peers) = (vec![0], vec![0]);
        for (i, w) in keys.windows(2).enumerate() {
            if let &[a, b] = w {
                if shr(a, order_bits) != shr(b, order_bits) {
                    parts.push(i + 1);
                }
                if a != b {
                    peers.push(i + 1);
                }
            }
        }
        parts.push(n);
        peers.push(n);
        if !ordered {
            peers = parts.clone();
        }
        Ok(Layout { perm: Some(UInt32Array::from(perm)), parts, peers, ordered, n })
    }

    /// The general sort: `lexsort_to_indices` over the keys, boundaries from arrow-ord's
    /// `partition` on the sorted keys.
    fn lexsorted(
        partition_by: &[Expr],
        order_by: &[SortExpr],
        all: &RecordBatch,
        ctx: &ExecContext<'_>,
    ) -> Result<Self> {
        let n = all.num_rows();
        let mut columns = Vec::with_capacity(partition_by.len() + order_by.len());
        for p in partition_by {
            // Any consistent order groups a partition's rows; NULL keys form a partition of their own.
            let options = SortOptions { descending: false, nulls_first: false };
            columns.push(SortColumn { values: normalize(&expr::evaluate_array(p, all, ctx)?), options: Some(options) });
        }
        for o in order_by {
            let options = super::sort::options(o);
            columns.push(SortColumn {
                values: normalize(&expr::evaluate_array(&o.expr, all, ctx)?),
                options: Some(options),
            });
        }
        let ordered = !order_by.is_empty();
        if columns.is_empty() {
            return Ok(Layout { perm: None, parts: vec![0, n], peers: vec![0, n], ordered, n });
        }
        let perm = lexsort_to_indices(&columns, None)?;
        let sorted = columns
            .iter()
            .map(|c| Ok(arrow_select::take::take(c.values.as_ref(), &perm, None)?))
            .collect::<Result<Vec<ArrayRef>>>()?;
        drop(columns);
        let parts = match sorted.get(..partition_by.len()) {
            Some(keys) if !keys.is_empty() => starts(keys, n)?,
            _ => vec![0, n],
        };
        let peers = if ordered { starts(&sorted, n)? } else { parts.clone() };
        Ok(Layout { perm: Some(perm), parts, peers, ordered, n })
    }

    /// Bytes held.
    fn size(&self) -> usize {
        self.perm.as_ref().map_or(0, |p| p.get_array_memory_size()) + (self.parts.len() + self.peers.len()) * 8
    }

    /// An input-order column in this layout's sorted order.
    fn sort(&self, a: &ArrayRef) -> Result<ArrayRef> {
        match &self.perm {
            None => Ok(a.clone()),
            Some(p) => Ok(arrow_select::take::take(a.as_ref(), p, None)?),
        }
    }

    /// For each output position (the input row `first[j]`, or row `j` when `first` is the
    /// identity), its sorted position here; `None` when that is the identity.
    fn to_output(&self, first: Option<&UInt32Array>) -> Result<Option<UInt32Array>> {
        let Some(perm) = &self.perm else {
            return Ok(first.cloned());
        };
        let mut inverse = vec![0u32; self.n];
        for (i, &row) in perm.values().iter().enumerate() {
            if let Some(slot) = inverse.get_mut(row as usize) {
                *slot = i as u32;
            }
        }
        Ok(Some(match first {
            None => UInt32Array::from(inverse),
            Some(p0) => p0.values().iter().map(|&row| inverse.get(row as usize).copied().unwrap_or(0)).collect(),
        }))
    }

    /// Call `f` for every sorted row, in order.
    fn each_row(&self, mut f: impl FnMut(Row) -> Result<()>) -> Result<()> {
        let mut q = 0usize;
        for w in self.parts.windows(2) {
            let &[ps, pe] = w else { continue };
            while let (Some(&qs), Some(&qe)) = (self.peers.get(q), self.peers.get(q + 1)) {
                if qs >= pe {
                    break;
                }
                for i in qs..qe {
                    f(Row { i, ps, pe, qs, qe })?;
                }
                q += 1;
            }
        }
        Ok(())
    }

    /// Each sorted row's partition number, and how many partitions there are.
    fn partition_ids(&self) -> (Vec<u32>, usize) {
        let mut ids = Vec::with_capacity(self.n);
        let mut count = 0usize;
        for (p, w) in self.parts.windows(2).enumerate() {
            if let &[ps, pe] = w {
                ids.extend(std::iter::repeat_n(p as u32, pe - ps));
                count = p + 1;
            }
        }
        (ids, count)
    }

    /// Each sorted row's frame as `[start, end)`, clamped to its partition, `end >= start`.
    fn frame_bounds(&self, frame: &Frame) -> Result<(Vec<u32>, Vec<u32>)> {
        let mut starts = Vec::with_capacity(self.n);
        let mut ends = Vec::with_capacity(self.n);
        let k = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
        // RANGE frames take peers for CURRENT ROW; offsets exist only for ROWS (`check_frame`).
        let rows = frame.rows;
        self.each_row(|r| {
            let start = match frame.start {
                FrameBound::UnboundedPreceding => r.ps,
                FrameBound::Preceding(v) => r.i.saturating_sub(k(v)).max(r.ps),
                FrameBound::CurrentRow if rows => r.i,
                FrameBound::CurrentRow => r.qs,
                FrameBound::Following(v) => r.i.saturating_add(k(v)).min(r.pe),
                FrameBound::UnboundedFollowing => r.pe,
            };
            let end = match frame.end {
                FrameBound::UnboundedPreceding => r.ps,
                FrameBound::Preceding(v) => (r.i + 1).saturating_sub(k(v)).max(r.ps),
                FrameBound::CurrentRow if rows => r.i + 1,
                FrameBound::CurrentRow => r.qe,
                FrameBound::Following(v) => (r.i + 1).saturating_add(k(v)).min(r.pe),
                FrameBound::UnboundedFollowing => r.pe,
            };
            starts.push(start as u32);
            ends.push(end.max(start) as u32);
            Ok(())
        })?;
        Ok((starts, ends))
    }

    /// Whether `frame` is every row's whole partition.
    fn whole_partition(&self, frame: &Frame) -> bool {
        let all_peers = !frame.rows && !self.ordered;
        let start =
            frame.start == FrameBound::UnboundedPreceding || (frame.start == FrameBound::CurrentRow && all_peers);
        let end = frame.end == FrameBound::UnboundedFollowing || (frame.end == FrameBound::CurrentRow && all_peers);
        start && end
    }
}

/// The first position of each run of equal rows in sorted `columns`, then `n`.
fn starts(columns: &[ArrayRef], n: usize) -> Result<Vec<usize>> {
    let ranges = arrow_ord::partition::partition(columns)?.ranges();
    let mut v: Vec<usize> = ranges.into_iter().map(|r| r.start).collect();
    if v.is_empty() {
        v.push(0);
    }
    v.push(n);
    Ok(v)
}

/// Bits to tell `count` values apart (0 for one or none).
fn bits_for(count: usize) -> u32 {
    if count <= 1 { 0 } else { usize::BITS - (count - 1).leading_zeros() }
}

fn shl(v: u64, bits: u32) -> u64 {
    v.checked_shl(bits).unwrap_or(0)
}

fn shr(v: u64, bits: u32) -> u64 {
    v.checked_shr(bits).unwrap_or(0)
}

/// Whether `sort_to_indices` takes the type (the others go through `lexsort_to_indices`).
fn rankable(t: &DataType) -> bool {
    t.is_primitive()
        || matches!(
            t,
            DataType::Boolean
                | DataType::Utf8
                | DataType::LargeUtf8
                | DataType::Utf8View
                | DataType::Binary
                | DataType::LargeBinary
                | DataType::BinaryView
                | DataType::FixedSizeBinary(_)
        )
}

/// Each row's dense rank under the key's direction and NULL placement (peers share one), and
/// how many ranks there are.
fn dense_rank(values: &ArrayRef, key: &SortExpr) -> Result<(Vec<u32>, usize)> {
    let order = arrow_ord::sort::sort_to_indices(values, Some(super::sort::options(key)), None)?;
    let sorted = arrow_select::take::take(values.as_ref(), &order, None)?;
    let ranges = arrow_ord::partition::partition(&[sorted])?.ranges();
    let mut rank = vec![0u32; values.len()];
    for (r, range) in ranges.iter().enumerate() {
        for &row in order.values().get(range.clone()).unwrap_or_default() {
            if let Some(slot) = rank.get_mut(row as usize) {
                *slot = r as u32;
            }
        }
    }
    Ok((rank, ranges.len()))
}

/// An argument evaluated over the input and put in sorted order (a constant stays one).
fn sorted_value(e: &Expr, all: &RecordBatch, layout: &Layout, ctx: &ExecContext<'_>) -> Result<Value> {
    Ok(match expr::evaluate(e, all, ctx)? {
        Value::Array(a) => Value::Array(layout.sort(&a)?),
        s @ Value::Scalar(_) => s,
    })
}

fn sorted_array(e: &Expr, all: &RecordBatch, layout: &Layout, ctx: &ExecContext<'_>) -> Result<ArrayRef> {
    sorted_value(e, all, layout, ctx)?.into_array(layout.n)
}

fn arg(call: &WindowCall, i: usize) -> Result<&Expr> {
    call.args.get(i).ok_or_else(|| AnalyticsError::internal(format!("{} is missing argument {i}", call.func.name())))
}

/// One call's column, in the layout's sorted order.
fn compute(
    call: &WindowCall,
    layout: &Layout,
    all: &RecordBatch,
    ctx: &ExecContext<'_>,
    reservation: &mut Reservation<'_>,
) -> Result<ArrayRef> {
    let n = layout.n;
    let ints = |f: &mut dyn FnMut(Row) -> Result<i64>| -> Result<ArrayRef> {
        let mut out = Vec::with_capacity(n);
        layout.each_row(|r| {
            out.push(f(r)?);
            Ok(())
        })?;
        Ok(Arc::new(Int64Array::from(out)))
    };
    let floats = |f: &dyn Fn(Row) -> f64| -> Result<ArrayRef> {
        let mut out = Vec::with_capacity(n);
        layout.each_row(|r| {
            out.push(f(r));
            Ok(())
        })?;
        Ok(Arc::new(Float64Array::from(out)))
    };
    match &call.func {
        WindowFunc::RowNumber => ints(&mut |r| Ok((r.i - r.ps + 1) as i64)),
        WindowFunc::Rank => ints(&mut |r| Ok((r.qs - r.ps + 1) as i64)),
        WindowFunc::DenseRank => {
            let (mut part, mut peer, mut rank) = (usize::MAX, usize::MAX, 0i64);
            ints(&mut |r| {
                if r.ps != part {
                    (part, rank) = (r.ps, 0);
                }
                if r.qs != peer {
                    (peer, rank) = (r.qs, rank + 1);
                }
                Ok(rank)
            })
        }
        WindowFunc::PercentRank => {
            floats(&|r| if r.pe - r.ps <= 1 { 0.0 } else { (r.qs - r.ps) as f64 / (r.pe - r.ps - 1) as f64 })
        }
        WindowFunc::CumeDist => floats(&|r| (r.qe - r.ps) as f64 / (r.pe - r.ps) as f64),
        WindowFunc::Ntile => {
            let buckets = sorted_array(arg(call, 0)?, all, layout, ctx)?;
            let buckets = buckets
                .as_primitive_opt::<Int64Type>()
                .ok_or_else(|| AnalyticsError::internal("ntile's argument is not an int64"))?;
            let mut out: Vec<Option<i64>> = Vec::with_capacity(n);
            layout.each_row(|r| {
                out.push(if buckets.is_null(r.i) { None } else { Some(ntile(buckets.value(r.i), r)?) });
                Ok(())
            })?;
            Ok(Arc::new(Int64Array::from(out)))
        }
        WindowFunc::Lag { offset } | WindowFunc::Lead { offset } => {
            let lead = matches!(call.func, WindowFunc::Lead { .. });
            shift(call, *offset, lead, layout, all, ctx)
        }
        WindowFunc::FirstValue | WindowFunc::LastValue | WindowFunc::NthValue { .. } => {
            let x = sorted_array(arg(call, 0)?, all, layout, ctx)?;
            let (starts, ends) = layout.frame_bounds(&call.frame)?;
            let pick = match call.func {
                WindowFunc::FirstValue => Pick::First,
                WindowFunc::LastValue => Pick::Last,
                WindowFunc::NthValue { n: Some(k) } => Pick::Nth(k),
                _ => return Ok(new_null_array(&call.return_type, n)),
            };
            frame_value(&x, &starts, &ends, pick)
        }
        WindowFunc::Aggregate(func) => window_aggregate(call, func, layout, all, ctx, reservation),
    }
}

/// DuckDB's (and Postgres') `ntile`: the first `rows % buckets` buckets hold one row more.
fn ntile(buckets: i64, r: Row) -> Result<i64> {
    if buckets <= 0 {
        return Err(AnalyticsError::execution("the argument of ntile must be greater than zero"));
    }
    let total = (r.pe - r.ps) as i64;
    let buckets = buckets.min(total).max(1);
    let size = total / buckets;
    let row = (r.i - r.ps) as i64;
    let large = total - buckets * size;
    let small_from = large * (size + 1);
    Ok(if row < small_from { 1 + row / (size + 1) } else { 1 + large + (row - small_from) / size.max(1) })
}

/// `lag`/`lead`: the value `offset` rows back (ahead) in the partition, else the default (NULL
/// without one). Frames do not apply.
fn shift(
    call: &WindowCall,
    offset: Option<i64>,
    lead: bool,
    layout: &Layout,
    all: &RecordBatch,
    ctx: &ExecContext<'_>,
) -> Result<ArrayRef> {
    let n = layout.n;
    let Some(offset) = offset else {
        return Ok(new_null_array(&call.return_type, n));
    };
    let x = sorted_array(arg(call, 0)?, all, layout, ctx)?;
    let back = if lead { -i128::from(offset) } else { i128::from(offset) };
    let mut indices: Vec<Option<u32>> = Vec::with_capacity(n);
    layout.each_row(|r| {
        let j = r.i as i128 - back;
        indices.push((j >= r.ps as i128 && j < r.pe as i128).then_some(j as u32));
        Ok(())
    })?;
    let inside: BooleanArray = indices.iter().map(|i| Some(i.is_some())).collect();
    let taken = arrow_select::take::take(x.as_ref(), &UInt32Array::from(indices), None)?;
    let Some(default) = call.args.get(1) else {
        return Ok(taken);
    };
    if inside.true_count() == n {
        return Ok(taken);
    }
    let out = match sorted_value(default, all, layout, ctx)? {
        Value::Array(d) => arrow_select::zip::zip(&inside, &taken, &d)?,
        Value::Scalar(d) => arrow_select::zip::zip(&inside, &taken, &Scalar::new(d))?,
    };
    Ok(out)
}

/// Which value of the frame.
#[derive(Debug, Clone, Copy)]
enum Pick {
    First,
    Last,
    Nth(i64),
}

/// The frame's first, last or `n`-th row's value (NULL for an empty frame or one too short).
fn frame_value(x: &ArrayRef, starts: &[u32], ends: &[u32], pick: Pick) -> Result<ArrayRef> {
    let indices: UInt32Array = starts
        .iter()
        .zip(ends)
        .map(|(&a, &b)| match pick {
            _ if a >= b => None,
            Pick::First => Some(a),
            Pick::Last => Some(b - 1),
            Pick::Nth(k) => {
                let at = i64::from(a) + k - 1;
                (k >= 1 && at < i64::from(b)).then_some(at as u32)
            }
        })
        .collect();
    Ok(arrow_select::take::take(x.as_ref(), &indices, None)?)
}

/// The rows that take part in an aggregate: non-NULL in `values` (when given) and kept by the
/// FILTER (when given); `None` when all do.
fn present(values: Option<&ArrayRef>, mask: Option<&BooleanBuffer>) -> Option<BooleanBuffer> {
    let nulls = values.and_then(|v| v.logical_nulls()).filter(|n| n.null_count() > 0).map(NullBuffer::into_inner);
    match (nulls, mask) {
        (None, None) => None,
        (Some(n), None) => Some(n),
        (None, Some(m)) => Some(m.clone()),
        (Some(n), Some(m)) => Some(&n & m),
    }
}

fn is_present(p: Option<&BooleanBuffer>, j: usize) -> bool {
    p.is_none_or(|b| j < b.len() && b.value(j))
}

/// An aggregate over each row's frame.
fn window_aggregate(
    call: &WindowCall,
    func: &AggFunc,
    layout: &Layout,
    all: &RecordBatch,
    ctx: &ExecContext<'_>,
    reservation: &mut Reservation<'_>,
) -> Result<ArrayRef> {
    let args = call.args.iter().map(|a| sorted_array(a, all, layout, ctx)).collect::<Result<Vec<_>>>()?;
    let mask = match &call.filter {
        None => None,
        Some(f) => {
            let m = expr::evaluate_mask(f, all, ctx)?;
            let m: ArrayRef = Arc::new(m);
            let m = layout.sort(&m)?;
            let m = m.as_boolean_opt().ok_or_else(|| AnalyticsError::internal("a FILTER that is not boolean"))?;
            Some(m.values().clone())
        }
    };
    let first = args.first();
    // `first`/`last` are the frame's first/last value, NULLs included.
    if let (AggFunc::First | AggFunc::Last, Some(x), None) = (func, first, &mask) {
        let (starts, ends) = layout.frame_bounds(&call.frame)?;
        return frame_value(x, &starts, &ends, if *func == AggFunc::First { Pick::First } else { Pick::Last });
    }
    if layout.whole_partition(&call.frame) {
        return per_partition(call, func, &args, mask.as_ref(), layout);
    }
    let (starts, ends) = layout.frame_bounds(&call.frame)?;
    reservation.grow(starts.len() * 8)?;
    let running = call.frame.start == FrameBound::UnboundedPreceding;
    let out = match (func, first.map(|a| a.data_type())) {
        (AggFunc::CountStar, _) => {
            let mut s = CountSlide { present: mask, count: 0, out: Vec::with_capacity(layout.n) };
            slide(&starts, &ends, &mut s)?;
            Arc::new(Int64Array::from(s.out)) as ArrayRef
        }
        (AggFunc::Count, Some(_)) => {
            let mut s =
                CountSlide { present: present(first, mask.as_ref()), count: 0, out: Vec::with_capacity(layout.n) };
            slide(&starts, &ends, &mut s)?;
            Arc::new(Int64Array::from(s.out))
        }
        (AggFunc::Sum | AggFunc::Avg, Some(DataType::Int64 | DataType::Decimal128(..))) => {
            exact_sum(call, func, first, mask.as_ref(), &starts, &ends)?
        }
        (AggFunc::Sum | AggFunc::Avg, Some(DataType::Float64)) if running => {
            running_float_sum(func, first, mask.as_ref(), &starts, &ends)?
        }
        (AggFunc::Min | AggFunc::Max, Some(t)) if t.is_primitive() => {
            let x = first.ok_or_else(|| AnalyticsError::internal("min/max without an argument"))?;
            let p = present(Some(x), mask.as_ref());
            min_max(x, p.as_ref(), &starts, &ends, *func == AggFunc::Max)?
        }
        _ => generic(call, func, &args, mask.as_ref(), &starts, &ends, reservation)?,
    };
    Ok(out)
}

/// Something a sliding frame feeds: rows entering and leaving, the frame's value per row.
trait Slide {
    /// The frame is empty again.
    fn reset(&mut self);
    /// Sorted row `j` enters the frame.
    fn add(&mut self, j: usize) -> Result<()>;
    /// Sorted row `j` leaves it.
    fn remove(&mut self, j: usize) -> Result<()>;
    /// Record the current frame's value for the next row.
    fn emit(&mut self) -> Result<()>;
}

/// Move the frame `[starts[i], ends[i])` row by row. Both ends never move back (frames are
/// clamped to partitions, which come in order), so each row enters and leaves once; a frame that
/// starts past everything added so far starts afresh (a new partition, or a frame ahead of its
/// row), so nothing is removed that was not added.
fn slide(starts: &[u32], ends: &[u32], s: &mut impl Slide) -> Result<()> {
    let (mut lo, mut hi) = (0usize, 0usize);
    for (&a, &b) in starts.iter().zip(ends) {
        let (a, b) = (a as usize, b as usize);
        if a >= hi {
            s.reset();
            (lo, hi) = (a, a);
        }
        while hi < b {
            s.add(hi)?;
            hi += 1;
        }
        while lo < a {
            s.remove(lo)?;
            lo += 1;
        }
        s.emit()?;
    }
    Ok(())
}

/// `count(*)` / `count(x)`: rows present in the frame.
struct CountSlide {
    present: Option<BooleanBuffer>,
    count: i64,
    out: Vec<i64>,
}

impl Slide for CountSlide {
    fn reset(&mut self) {
        self.count = 0;
    }
    fn add(&mut self, j: usize) -> Result<()> {
        self.count += i64::from(is_present(self.present.as_ref(), j));
        Ok(())
    }
    fn remove(&mut self, j: usize) -> Result<()> {
        self.count -= i64::from(is_present(self.present.as_ref(), j));
        Ok(())
    }
    fn emit(&mut self) -> Result<()> {
        self.out.push(self.count);
        Ok(())
    }
}

/// An exact sum and count over the frame: integers and decimals as 128-bit integers.
struct ExactSlide<F: Fn(usize) -> Option<i128>> {
    value: F,
    sum: i128,
    count: i64,
    sums: Vec<i128>,
    counts: Vec<i64>,
}

fn sum_overflow() -> AnalyticsError {
    AnalyticsError::execution("overflow in a window sum")
}

impl<F: Fn(usize) -> Option<i128>> Slide for ExactSlide<F> {
    fn reset(&mut self) {
        (self.sum, self.count) = (0, 0);
    }
    fn add(&mut self, j: usize) -> Result<()> {
        if let Some(v) = (self.value)(j) {
            self.sum = self.sum.checked_add(v).ok_or_else(sum_overflow)?;
            self.count += 1;
        }
        Ok(())
    }
    fn remove(&mut self, j: usize) -> Result<()> {
        if let Some(v) = (self.value)(j) {
            self.sum = self.sum.checked_sub(v).ok_or_else(sum_overflow)?;
            self.count -= 1;
        }
        Ok(())
    }
    fn emit(&mut self) -> Result<()> {
        self.sums.push(self.sum);
        self.counts.push(self.count);
        Ok(())
    }
}

fn typed<T: ArrowPrimitiveType>(x: &ArrayRef) -> Result<&PrimitiveArray<T>> {
    x.as_primitive_opt::<T>().ok_or_else(|| AnalyticsError::internal(format!("a window sum over {}", x.data_type())))
}

/// The largest value a `decimal(38, s)` holds.
const MAX_DECIMAL38: i128 = 99_999_999_999_999_999_999_999_999_999_999_999_999;

/// `sum`/`avg` of `int64` or `decimal128` over sliding frames, exactly; the results as the
/// aggregate gives them (`sum` of integers overflowing `int64` is an error).
fn exact_sum(
    call: &WindowCall,
    func: &AggFunc,
    x: Option<&ArrayRef>,
    mask: Option<&BooleanBuffer>,
    starts: &[u32],
    ends: &[u32],
) -> Result<ArrayRef> {
    let x = x.ok_or_else(|| AnalyticsError::internal("sum without an argument"))?;
    let p = present(Some(x), mask);
    let n = starts.len();
    let (sums, counts, scale) = match x.data_type() {
        DataType::Decimal128(_, s) => {
            let vals = typed::<Decimal128Type>(x)?.values();
            let value = |j: usize| if is_present(p.as_ref(), j) { vals.get(j).copied() } else { None };
            let mut s2 =
                ExactSlide { value, sum: 0, count: 0, sums: Vec::with_capacity(n), counts: Vec::with_capacity(n) };
            slide(starts, ends, &mut s2)?;
            (s2.sums, s2.counts, *s)
        }
        _ => {
            let vals = typed::<Int64Type>(x)?.values();
            let value = |j: usize| if is_present(p.as_ref(), j) { vals.get(j).map(|&v| i128::from(v)) } else { None };
            let mut s2 =
                ExactSlide { value, sum: 0, count: 0, sums: Vec::with_capacity(n), counts: Vec::with_capacity(n) };
            slide(starts, ends, &mut s2)?;
            (s2.sums, s2.counts, 0)
        }
    };
    let valid = NullBuffer::from(counts.iter().map(|&c| c > 0).collect::<Vec<_>>());
    let valid = (valid.null_count() > 0).then_some(valid);
    if *func == AggFunc::Avg {
        let d = 10f64.powi(i32::from(scale));
        let out: Vec<f64> = sums
            .iter()
            .zip(&counts)
            .map(|(&s, &c)| {
                if c == 0 {
                    return 0.0;
                }
                // The integer part exactly, then the rest, as the aggregate's `avg` does.
                let c128 = i128::from(c);
                ((s / c128) as f64 + (s % c128) as f64 / c as f64) / d
            })
            .collect();
        return Ok(Arc::new(Float64Array::new(out.into(), valid)));
    }
    match &call.return_type {
        DataType::Decimal128(p, s) => {
            if sums.iter().zip(&counts).any(|(v, &c)| c > 0 && v.abs() > MAX_DECIMAL38) {
                return Err(AnalyticsError::execution("overflow in sum: the result does not fit in decimal(38)"));
            }
            Ok(Arc::new(Decimal128Array::new(sums.into(), valid).with_precision_and_scale(*p, *s)?))
        }
        _ => {
            let out = sums
                .iter()
                .zip(&counts)
                .map(|(&v, &c)| if c == 0 { Ok(0) } else { i64::try_from(v).map_err(|_| overflow_i64()) })
                .collect::<Result<Vec<i64>>>()?;
            Ok(Arc::new(Int64Array::new(out.into(), valid)))
        }
    }
}

fn overflow_i64() -> AnalyticsError {
    AnalyticsError::execution("overflow in sum: the result does not fit in a 64-bit integer")
}

/// A float sum and count, only ever added to (frames that start at the partition's start).
struct FloatSlide<'a> {
    vals: &'a [f64],
    present: Option<BooleanBuffer>,
    sum: f64,
    count: i64,
    sums: Vec<f64>,
    counts: Vec<i64>,
}

impl Slide for FloatSlide<'_> {
    fn reset(&mut self) {
        (self.sum, self.count) = (0.0, 0);
    }
    fn add(&mut self, j: usize) -> Result<()> {
        if is_present(self.present.as_ref(), j)
            && let Some(v) = self.vals.get(j)
        {
            self.sum += v;
            self.count += 1;
        }
        Ok(())
    }
    fn remove(&mut self, _: usize) -> Result<()> {
        Err(AnalyticsError::internal("a running float sum lost a row"))
    }
    fn emit(&mut self) -> Result<()> {
        self.sums.push(self.sum);
        self.counts.push(self.count);
        Ok(())
    }
}

/// `sum`/`avg` of floats over frames that start at the partition's start.
fn running_float_sum(
    func: &AggFunc,
    x: Option<&ArrayRef>,
    mask: Option<&BooleanBuffer>,
    starts: &[u32],
    ends: &[u32],
) -> Result<ArrayRef> {
    let x = x.ok_or_else(|| AnalyticsError::internal("sum without an argument"))?;
    let vals = typed::<Float64Type>(x)?.values();
    let n = starts.len();
    let mut s = FloatSlide {
        vals,
        present: present(Some(x), mask),
        sum: 0.0,
        count: 0,
        sums: Vec::with_capacity(n),
        counts: Vec::with_capacity(n),
    };
    slide(starts, ends, &mut s)?;
    let valid = NullBuffer::from(s.counts.iter().map(|&c| c > 0).collect::<Vec<_>>());
    let valid = (valid.null_count() > 0).then_some(valid);
    let out: Vec<f64> = if *func == AggFunc::Avg {
        s.sums.iter().zip(&s.counts).map(|(&v, &c)| if c > 0 { v / c as f64 } else { 0.0 }).collect()
    } else {
        s.sums
    };
    Ok(Arc::new(Float64Array::new(out.into(), valid)))
}

/// `min`/`max` over sliding frames: a deque of positions whose values only get worse from front
/// to back, so its front is the frame's best. Ties and NaN order as the aggregate's (NaN above
/// every number).
struct MinMaxSlide<'a, T: ArrowPrimitiveType> {
    vals: &'a [T::Native],
    present: Option<&'a BooleanBuffer>,
    max: bool,
    deque: VecDeque<usize>,
    out: Vec<T::Native>,
    valid: Vec<bool>,
}

impl<T: ArrowPrimitiveType> Slide for MinMaxSlide<'_, T> {
    fn reset(&mut self) {
        self.deque.clear();
    }
    fn add(&mut self, j: usize) -> Result<()> {
        if !is_present(self.present, j) {
            return Ok(());
        }
        let Some(&v) = self.vals.get(j) else { return Ok(()) };
        while let Some(&back) = self.deque.back() {
            let Some(&b) = self.vals.get(back) else { break };
            let beaten = if self.max { b.is_le(v) } else { b.is_ge(v) };
            if !beaten {
                break;
            }
            self.deque.pop_back();
        }
        self.deque.push_back(j);
        Ok(())
    }
    fn remove(&mut self, j: usize) -> Result<()> {
        if self.deque.front() == Some(&j) {
            self.deque.pop_front();
        }
        Ok(())
    }
    fn emit(&mut self) -> Result<()> {
        match self.deque.front().and_then(|&f| self.vals.get(f)) {
            Some(&v) => {
                self.out.push(v);
                self.valid.push(true);
            }
            None => {
                self.out.push(T::Native::default());
                self.valid.push(false);
            }
        }
        Ok(())
    }
}

fn min_max_typed<T: ArrowPrimitiveType>(
    x: &PrimitiveArray<T>,
    present: Option<&BooleanBuffer>,
    starts: &[u32],
    ends: &[u32],
    max: bool,
) -> Result<ArrayRef> {
    let n = starts.len();
    let mut s = MinMaxSlide::<T> {
        vals: x.values(),
        present,
        max,
        deque: VecDeque::new(),
        out: Vec::with_capacity(n),
        valid: Vec::with_capacity(n),
    };
    slide(starts, ends, &mut s)?;
    let valid = NullBuffer::from(s.valid);
    let valid = (valid.null_count() > 0).then_some(valid);
    Ok(Arc::new(PrimitiveArray::<T>::new(s.out.into(), valid).with_data_type(x.data_type().clone())))
}

fn min_max(x: &ArrayRef, present: Option<&BooleanBuffer>, starts: &[u32], ends: &[u32], max: bool) -> Result<ArrayRef> {
    // Every NaN as the positive one, which the total order puts above every number (`sqrt(-1)`
    // gives a NaN with its sign bit set, which it would put below -inf).
    let positive_nan = match x.data_type() {
        DataType::Float64 => Some(Arc::new(
            x.as_primitive::<Float64Type>().unary::<_, Float64Type>(|v| if v.is_nan() { f64::NAN } else { v }),
        ) as ArrayRef),
        DataType::Float32 => Some(Arc::new(
            x.as_primitive::<Float32Type>().unary::<_, Float32Type>(|v| if v.is_nan() { f32::NAN } else { v }),
        ) as ArrayRef),
        _ => None,
    };
    let x = positive_nan.as_ref().unwrap_or(x).as_ref();
    arrow_array::downcast_primitive_array!(
        x => min_max_typed(x, present, starts, ends, max),
        t => Err(AnalyticsError::internal(format!("min/max over {t} is not primitive")))
    )
}

/// The accumulator spec of an aggregate used as a window function.
fn spec_for<'a>(func: &'a AggFunc, arg_types: &'a [DataType], return_type: &'a DataType) -> AccumulatorSpec<'a> {
    AccumulatorSpec { func, arg_types, return_type, order_types: &[], order_options: &[], distinct: false }
}

/// An aggregate over whole partitions: one group per partition, its value repeated on each row.
fn per_partition(
    call: &WindowCall,
    func: &AggFunc,
    args: &[ArrayRef],
    mask: Option<&BooleanBuffer>,
    layout: &Layout,
) -> Result<ArrayRef> {
    let types: Vec<DataType> = args.iter().map(|a| a.data_type().clone()).collect();
    let mut acc = aggregate::create(&spec_for(func, &types, &call.return_type))?;
    let (ids, parts) = layout.partition_ids();
    match mask {
        None => acc.update(args, &ids, parts)?,
        Some(m) => {
            let keep = BooleanArray::new(m.clone(), None);
            let values =
                args.iter().map(|a| Ok(arrow_select::filter::filter(a, &keep)?)).collect::<Result<Vec<_>>>()?;
            let kept: Vec<u32> = ids.iter().zip(m.iter()).filter(|(_, k)| *k).map(|(g, _)| *g).collect();
            acc.update(&values, &kept, parts)?;
        }
    }
    let values = acc.finish(parts)?;
    Ok(arrow_select::take::take(values.as_ref(), &UInt32Array::from(ids), None)?)
}

/// Any aggregate over sliding frames, through its accumulator.
fn generic(
    call: &WindowCall,
    func: &AggFunc,
    args: &[ArrayRef],
    mask: Option<&BooleanBuffer>,
    starts: &[u32],
    ends: &[u32],
    reservation: &mut Reservation<'_>,
) -> Result<ArrayRef> {
    let types: Vec<DataType> = args.iter().map(|a| a.data_type().clone()).collect();
    let spec = spec_for(func, &types, &call.return_type);
    let widest = starts.iter().zip(ends).map(|(&a, &b)| (b - a) as usize).max().unwrap_or(0);
    if func.mergeable() && widest > NARROW {
        segment_tree(&spec, args, mask, starts, ends, widest, reservation)
    } else {
        per_row(&spec, args, mask, starts, ends)
    }
}

/// Gathers (source row, output group) pairs and runs them through a fresh accumulator a chunk of
/// output rows at a time.
struct Chunks<'a> {
    spec: &'a AccumulatorSpec<'a>,
    rows: Vec<u32>,
    groups: Vec<u32>,
    first: usize,
    done: Vec<ArrayRef>,
}

impl<'a> Chunks<'a> {
    fn new(spec: &'a AccumulatorSpec<'a>) -> Self {
        Chunks { spec, rows: Vec::new(), groups: Vec::new(), first: 0, done: Vec::new() }
    }

    fn push(&mut self, row: usize, output: usize) {
        self.rows.push(row as u32);
        self.groups.push((output - self.first) as u32);
    }

    /// Finish output rows up to `end` (exclusive) when enough is gathered, or when `force`d.
    fn flush(&mut self, end: usize, force: bool, source: &[ArrayRef], merge: bool) -> Result<()> {
        if !force && self.rows.len() < CHUNK {
            return Ok(());
        }
        let total = end - self.first;
        let indices = UInt32Array::from(std::mem::take(&mut self.rows));
        let values = source
            .iter()
            .map(|c| Ok(arrow_select::take::take(c.as_ref(), &indices, None)?))
            .collect::<Result<Vec<_>>>()?;
        let mut acc = aggregate::create(self.spec)?;
        if merge {
            acc.merge(&values, &self.groups, total)?;
        } else {
            acc.update(&values, &self.groups, total)?;
        }
        self.done.push(acc.finish(total)?);
        self.groups.clear();
        self.first = end;
        Ok(())
    }

    fn finish(self) -> Result<ArrayRef> {
        let parts: Vec<&dyn Array> = self.done.iter().map(|a| a.as_ref()).collect();
        Ok(arrow_select::concat::concat(&parts)?)
    }
}

/// Each output row its own group, fed with the rows of its frame: O(n × frame width).
fn per_row(
    spec: &AccumulatorSpec<'_>,
    args: &[ArrayRef],
    mask: Option<&BooleanBuffer>,
    starts: &[u32],
    ends: &[u32],
) -> Result<ArrayRef> {
    let mut chunks = Chunks::new(spec);
    let n = starts.len();
    for (i, (&a, &b)) in starts.iter().zip(ends).enumerate() {
        for j in a as usize..b as usize {
            if is_present(mask, j) {
                chunks.push(j, i);
            }
        }
        chunks.flush(i + 1, i + 1 == n, args, false)?;
    }
    chunks.finish()
}

/// A segment tree of partial states: level 0 holds each row's state, level `k` the merge of
/// `2^k` consecutive rows; each frame is the merge of O(log width) nodes. Only the levels a frame
/// of `widest` rows can use are built.
fn segment_tree(
    spec: &AccumulatorSpec<'_>,
    args: &[ArrayRef],
    mask: Option<&BooleanBuffer>,
    starts: &[u32],
    ends: &[u32],
    widest: usize,
    reservation: &mut Reservation<'_>,
) -> Result<ArrayRef> {
    let n = starts.len();
    let mut acc = aggregate::create(spec)?;
    match mask {
        None => {
            let groups: Vec<u32> = (0..n as u32).collect();
            acc.update(args, &groups, n)?;
        }
        Some(m) => {
            let keep = BooleanArray::new(m.clone(), None);
            let values =
                args.iter().map(|a| Ok(arrow_select::filter::filter(a, &keep)?)).collect::<Result<Vec<_>>>()?;
            let groups: Vec<u32> = m.set_indices().map(|j| j as u32).collect();
            acc.update(&values, &groups, n)?;
        }
    }
    let mut levels: Vec<Vec<ArrayRef>> = vec![acc.state(n)?];
    let mut lens = vec![n];
    let mut span = 1usize;
    while let (Some(prev), Some(&len)) = (levels.last(), lens.last()) {
        if len <= 1 || span * 2 > widest {
            break;
        }
        let half = len.div_ceil(2);
        let groups: Vec<u32> = (0..len).map(|j| (j / 2) as u32).collect();
        let mut acc = aggregate::create(spec)?;
        acc.merge(prev, &groups, half)?;
        let states = acc.state(half)?;
        reservation.grow(states.iter().map(|s| s.get_array_memory_size()).sum())?;
        levels.push(states);
        lens.push(half);
        span *= 2;
    }
    let mut offsets = Vec::with_capacity(lens.len());
    let mut at = 0usize;
    for len in &lens {
        offsets.push(at);
        at += len;
    }
    let width = levels.first().map_or(0, Vec::len);
    let states = (0..width)
        .map(|c| {
            let parts: Vec<&dyn Array> = levels.iter().filter_map(|l| l.get(c)).map(|a| a.as_ref()).collect();
            Ok(arrow_select::concat::concat(&parts)?)
        })
        .collect::<Result<Vec<_>>>()?;
    drop(levels);

    let mut chunks = Chunks::new(spec);
    let mut right: Vec<usize> = Vec::new();
    for (i, (&a, &b)) in starts.iter().zip(ends).enumerate() {
        let (mut l, mut r, mut level) = (a as usize, b as usize, 0usize);
        right.clear();
        while l < r {
            let Some(&offset) = offsets.get(level) else {
                return Err(AnalyticsError::internal("a window frame wider than its segment tree"));
            };
            if l & 1 == 1 {
                chunks.push(offset + l, i);
                l += 1;
            }
            if r & 1 == 1 {
                r -= 1;
                right.push(offset + r);
            }
            (l, r, level) = (l >> 1, r >> 1, level + 1);
        }
        // Left nodes came in order; right ones from the end: merge in row order.
        for &node in right.iter().rev() {
            chunks.push(node, i);
        }
        chunks.flush(i + 1, i + 1 == n, &states, true)?;
    }
    chunks.finish()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

    use super::*;

    fn layout(parts: Vec<usize>, peers: Vec<usize>, ordered: bool) -> Layout {
        let n = *parts.last().unwrap();
        Layout { perm: None, parts, peers, ordered, n }
    }

    fn bounds(l: &Layout, rows: bool, start: FrameBound, end: FrameBound) -> Vec<(u32, u32)> {
        let (a, b) = l.frame_bounds(&Frame { rows, start, end }).unwrap();
        a.into_iter().zip(b).collect()
    }

    #[test]
    fn frames_stay_in_their_partition() {
        // Two partitions [0, 3) and [3, 5); peers {1, 2} in the first.
        let l = layout(vec![0, 3, 5], vec![0, 1, 3, 4, 5], true);
        use FrameBound::*;
        assert_eq!(bounds(&l, false, UnboundedPreceding, CurrentRow), vec![(0, 1), (0, 3), (0, 3), (3, 4), (3, 5)]);
        assert_eq!(bounds(&l, true, UnboundedPreceding, CurrentRow), vec![(0, 1), (0, 2), (0, 3), (3, 4), (3, 5)]);
        assert_eq!(bounds(&l, true, Preceding(1), Following(1)), vec![(0, 2), (0, 3), (1, 3), (3, 5), (3, 5)]);
        assert_eq!(bounds(&l, true, Preceding(2), Preceding(1)), vec![(0, 0), (0, 1), (0, 2), (3, 3), (3, 4)]);
        assert_eq!(bounds(&l, true, Following(1), Following(5)), vec![(1, 3), (2, 3), (3, 3), (4, 5), (5, 5)]);
        assert_eq!(bounds(&l, false, CurrentRow, UnboundedFollowing), vec![(0, 3), (1, 3), (1, 3), (3, 5), (4, 5)]);
        assert!(l.whole_partition(&Frame { rows: true, start: UnboundedPreceding, end: UnboundedFollowing }));
        assert!(!l.whole_partition(&Frame { rows: false, start: UnboundedPreceding, end: CurrentRow }));
        let unordered = layout(vec![0, 3, 5], vec![0, 3, 5], false);
        assert!(unordered.whole_partition(&Frame { rows: false, start: UnboundedPreceding, end: CurrentRow }));
    }

    #[test]
    fn ntile_spreads_the_remainder_first() {
        let rows = |n: usize, k: i64| -> Vec<i64> {
            (0..n).map(|i| ntile(k, Row { i, ps: 0, pe: n, qs: i, qe: i + 1 }).unwrap()).collect()
        };
        assert_eq!(rows(7, 3), vec![1, 1, 1, 2, 2, 3, 3]);
        assert_eq!(rows(2, 5), vec![1, 2]);
        assert!(ntile(0, Row { i: 0, ps: 0, pe: 1, qs: 0, qe: 1 }).is_err());
    }

    struct NoTables;

    impl super::super::Tables for NoTables {
        fn batches(&self, name: &str) -> Result<&[RecordBatch]> {
            Err(AnalyticsError::internal(format!("no table {name}")))
        }
    }

    /// Each partition as its peer groups, each peer group as its input rows (sorted), the
    /// partitions sorted: what a layout means, whatever order it puts partitions and peers in.
    fn canonical(l: &Layout) -> Vec<Vec<Vec<u32>>> {
        let perm: Vec<u32> = match &l.perm {
            Some(p) => p.values().to_vec(),
            None => (0..l.n as u32).collect(),
        };
        let mut parts = Vec::new();
        for w in l.parts.windows(2) {
            let mut groups = Vec::new();
            for q in l.peers.windows(2).filter(|q| q[0] >= w[0] && q[1] <= w[1]) {
                let mut rows = perm[q[0]..q[1]].to_vec();
                rows.sort_unstable();
                groups.push(rows);
            }
            parts.push(groups);
        }
        parts.sort();
        parts
    }

    /// The packed-key sort and the lexsort find the same partitions and peer groups, in the
    /// same order of peers.
    #[test]
    fn packed_and_lexsorted_layouts_agree() {
        use arrow_array::StringArray;
        let n = 500usize;
        let a: ArrayRef =
            Arc::new(Int64Array::from((0..n).map(|i| (i % 7 != 3).then_some((i % 5) as i64)).collect::<Vec<_>>()));
        let b: ArrayRef = Arc::new(StringArray::from(
            (0..n).map(|i| (i % 11 != 0).then(|| format!("v{}", (i * 7) % 13))).collect::<Vec<_>>(),
        ));
        let specials = [0.0, -0.0, f64::NAN, 1.5, -2.0];
        let c: ArrayRef = Arc::new(Float64Array::from(
            (0..n).map(|i| (i % 17 != 1).then_some(specials[(i * 3) % specials.len()])).collect::<Vec<_>>(),
        ));
        let batch = RecordBatch::try_from_iter(vec![("a", a), ("b", b), ("c", c)]).unwrap();
        let query = crate::plan::Query {
            plan: crate::plan::Plan::Values { schema: batch.schema(), batches: vec![] },
            subqueries: vec![],
        };
        let budget = crate::budget::Budget::new(u64::MAX);
        let ctx = ExecContext::new(&NoTables, &query, &budget);
        let key =
            |i: usize, descending: bool, nulls_first: bool| SortExpr { expr: Expr::Column(i), descending, nulls_first };
        for (partition_by, order_by) in [
            (vec![Expr::Column(0)], vec![key(1, true, true), key(2, false, false)]),
            (vec![Expr::Column(0), Expr::Column(1)], vec![]),
            (vec![], vec![key(2, true, false), key(1, false, true)]),
            (vec![Expr::Column(2)], vec![key(0, false, false)]),
        ] {
            let packed = Layout::new(&partition_by, &order_by, &batch, &ctx).unwrap();
            let lex = Layout::lexsorted(&partition_by, &order_by, &batch, &ctx).unwrap();
            assert_eq!(canonical(&packed), canonical(&lex), "{partition_by:?} {order_by:?}");
        }
    }

    /// Sliding frames computed by the fast paths, the per-row path and the segment tree agree
    /// with sums computed by hand.
    #[test]
    fn the_paths_agree() {
        let n = 300usize;
        let vals: Vec<Option<i64>> =
            (0..n).map(|i| if i % 7 == 3 { None } else { Some((i as i64 * 37) % 101 - 50) }).collect();
        let x: ArrayRef = Arc::new(Int64Array::from(vals.clone()));
        let mask = BooleanBuffer::from((0..n).map(|i| i % 5 != 0).collect::<Vec<_>>());
        let l = layout(vec![0, 120, 121, 300], vec![0, 120, 121, 300], true);
        for (start, end) in [
            (FrameBound::Preceding(2), FrameBound::Following(1)),
            (FrameBound::Preceding(40), FrameBound::CurrentRow),
            (FrameBound::UnboundedPreceding, FrameBound::Following(3)),
            (FrameBound::Following(2), FrameBound::Following(30)),
        ] {
            let (a, b) = l.frame_bounds(&Frame { rows: true, start, end }).unwrap();
            let expect: Vec<Option<i64>> = a
                .iter()
                .zip(&b)
                .map(|(&a, &b)| {
                    let v: Vec<i64> =
                        (a..b).filter(|&j| mask.value(j as usize)).filter_map(|j| vals[j as usize]).collect();
                    (!v.is_empty()).then(|| v.iter().sum())
                })
                .collect();
            let expect_max: Vec<Option<i64>> = a
                .iter()
                .zip(&b)
                .map(|(&a, &b)| (a..b).filter(|&j| mask.value(j as usize)).filter_map(|j| vals[j as usize]).max())
                .collect();
            let types = [DataType::Int64];
            let budget = crate::budget::Budget::new(u64::MAX);
            let mut res = Reservation::new(&budget, "test");
            let spec = spec_for(&AggFunc::Sum, &types, &DataType::Int64);
            let args = [x.clone()];
            let widest = a.iter().zip(&b).map(|(a, b)| (b - a) as usize).max().unwrap();
            let tree = segment_tree(&spec, &args, Some(&mask), &a, &b, widest.max(1), &mut res).unwrap();
            let rows = per_row(&spec, &args, Some(&mask), &a, &b).unwrap();
            let call = WindowCall {
                func: WindowFunc::Aggregate(AggFunc::Sum),
                args: vec![],
                partition_by: vec![],
                order_by: vec![],
                frame: Frame::default_for(false),
                filter: None,
                return_type: DataType::Int64,
            };
            let fast = exact_sum(&call, &AggFunc::Sum, Some(&x), Some(&mask), &a, &b).unwrap();
            let max = min_max(&x, present(Some(&x), Some(&mask)).as_ref(), &a, &b, true).unwrap();
            let want = Int64Array::from(expect.clone());
            assert_eq!(tree.as_primitive::<Int64Type>(), &want, "tree {start:?} {end:?}");
            assert_eq!(rows.as_primitive::<Int64Type>(), &want, "rows {start:?} {end:?}");
            assert_eq!(fast.as_primitive::<Int64Type>(), &want, "fast {start:?} {end:?}");
            assert_eq!(max.as_primitive::<Int64Type>(), &Int64Array::from(expect_max), "max {start:?} {end:?}");
        }
    }
}
