//! Joins. With equality keys, a hash join: the smaller input (by rows, known once both sides have
//! run) is hashed on its keys, the other probes it batch by batch; rows with a NULL key match
//! nothing. Candidate pairs must also pass the join's residual filter. Without keys, every pair
//! is tried (a nested loop, in chunks). Outer joins remember which rows matched, to add the rest
//! with NULLs for the other side; semi and anti joins output left rows only.

use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, RecordBatchOptions, UInt32Array, new_null_array};
use arrow_schema::SchemaRef;

use super::group::{GroupTable, any_null};
use super::{ExecContext, collect, concat_batches};
use crate::budget::Reservation;
use crate::error::{AnalyticsError, Result};
use crate::expr;
use crate::plan::{Expr, JoinKind, Plan};

/// Rows of output gathered before they are cut into a batch.
const OUTPUT_BATCH: usize = 8192;

/// The most pairs a nested-loop join evaluates at once.
const PAIRS_PER_CHUNK: usize = 1 << 16;

/// Run a join.
#[allow(clippy::too_many_arguments)]
pub fn run(
    left: &Plan,
    right: &Plan,
    kind: JoinKind,
    on: &[(Expr, Expr)],
    filter: Option<&Expr>,
    schema: &SchemaRef,
    ctx: &ExecContext<'_>,
) -> Result<Vec<RecordBatch>> {
    let (ls, rs) = (left.schema(), right.schema());
    let lb = collect(left, ctx)?;
    let rb = collect(right, ctx)?;
    let mut reservation = Reservation::new(ctx.budget, "a join");
    let input_bytes: usize = lb.iter().chain(&rb).map(RecordBatch::get_array_memory_size).sum();
    reservation.resize(input_bytes)?;
    let l = concat_batches(&ls, &lb)?;
    let r = concat_batches(&rs, &rb)?;
    drop((lb, rb));
    let pairs = if on.is_empty() {
        nested_pairs(&l, &r, filter, ctx, &mut reservation)?
    } else {
        hash_pairs(&l, &r, on, filter, ctx, &mut reservation)?
    };
    assemble(&l, &r, kind, pairs, schema)
}

/// Matching (left row, right row) pairs, in left-row order.
struct Pairs {
    left: Vec<u32>,
    right: Vec<u32>,
}

fn key_columns(batch: &RecordBatch, keys: &[&Expr], ctx: &ExecContext<'_>) -> Result<Vec<ArrayRef>> {
    keys.iter().map(|k| expr::evaluate_array(k, batch, ctx)).collect()
}

/// Evaluate the residual filter on candidate pairs, keeping those where it is true.
fn keep_passing(
    l: &RecordBatch,
    r: &RecordBatch,
    pairs: Pairs,
    filter: Option<&Expr>,
    ctx: &ExecContext<'_>,
) -> Result<Pairs> {
    let Some(f) = filter else { return Ok(pairs) };
    if pairs.left.is_empty() {
        return Ok(pairs);
    }
    let li = UInt32Array::from(pairs.left.clone());
    let ri = UInt32Array::from(pairs.right.clone());
    let joined = joined_batch(l, r, &li, &ri)?;
    let mask = expr::evaluate_filter(f, &joined, ctx)?;
    let (mut left, mut right) = (Vec::new(), Vec::new());
    for (i, keep) in mask.values().iter().enumerate() {
        if keep {
            left.push(pairs.left.get(i).copied().unwrap_or(0));
            right.push(pairs.right.get(i).copied().unwrap_or(0));
        }
    }
    Ok(Pairs { left, right })
}

/// The left rows `li` beside the right rows `ri` (no schema names needed: filters use indices).
fn joined_batch(l: &RecordBatch, r: &RecordBatch, li: &UInt32Array, ri: &UInt32Array) -> Result<RecordBatch> {
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(l.num_columns() + r.num_columns());
    for c in l.columns() {
        columns.push(arrow_select::take::take(c.as_ref(), li, None)?);
    }
    for c in r.columns() {
        columns.push(arrow_select::take::take(c.as_ref(), ri, None)?);
    }
    let fields: Vec<arrow_schema::Field> = l
        .schema()
        .fields()
        .iter()
        .chain(r.schema().fields().iter())
        .enumerate()
        .map(|(i, f)| arrow_schema::Field::new(format!("c{i}"), f.data_type().clone(), true))
        .collect();
    let options = RecordBatchOptions::new().with_row_count(Some(li.len()));
    Ok(RecordBatch::try_new_with_options(std::sync::Arc::new(arrow_schema::Schema::new(fields)), columns, &options)?)
}

fn hash_pairs(
    l: &RecordBatch,
    r: &RecordBatch,
    on: &[(Expr, Expr)],
    filter: Option<&Expr>,
    ctx: &ExecContext<'_>,
    reservation: &mut Reservation<'_>,
) -> Result<Pairs> {
    let lkeys: Vec<&Expr> = on.iter().map(|(a, _)| a).collect();
    let rkeys: Vec<&Expr> = on.iter().map(|(_, b)| b).collect();
    let lk = key_columns(l, &lkeys, ctx)?;
    let rk = key_columns(r, &rkeys, ctx)?;
    // Both sides' keys must have one type each for the row encoding.
    let rk =
        rk.into_iter()
            .zip(&lk)
            .map(|(b, a)| {
                if a.data_type() == b.data_type() { Ok(b) } else { crate::types::cast::cast(&b, a.data_type(), false) }
            })
            .collect::<Result<Vec<_>>>()?;
    let types: Vec<_> = lk.iter().map(|a| a.data_type().clone()).collect();
    // Build on the smaller side.
    let build_left = l.num_rows() < r.num_rows();
    let (bk, pk, bn, pn) =
        if build_left { (&lk, &rk, l.num_rows(), r.num_rows()) } else { (&rk, &lk, r.num_rows(), l.num_rows()) };
    let mut table = GroupTable::new(&types)?;
    let mut ids = Vec::new();
    table.intern(bk, &mut ids)?;
    let build_nulls = any_null(bk, bn);
    // Rows of the build side per key id, as a CSR list.
    let n_keys = table.len();
    let mut counts = vec![0u32; n_keys + 1];
    for (row, &id) in ids.iter().enumerate() {
        if build_nulls.as_ref().is_some_and(|n| n.is_null(row)) {
            continue;
        }
        if let Some(c) = counts.get_mut(id as usize + 1) {
            *c += 1;
        }
    }
    for i in 1..counts.len() {
        let prev = counts.get(i - 1).copied().unwrap_or(0);
        if let Some(c) = counts.get_mut(i) {
            *c += prev;
        }
    }
    let mut fill = counts.clone();
    let mut rows_of = vec![0u32; counts.last().copied().unwrap_or(0) as usize];
    for (row, &id) in ids.iter().enumerate() {
        if build_nulls.as_ref().is_some_and(|n| n.is_null(row)) {
            continue;
        }
        if let Some(f) = fill.get_mut(id as usize) {
            if let Some(slot) = rows_of.get_mut(*f as usize) {
                *slot = row as u32;
            }
            *f += 1;
        }
    }
    reservation.grow(table.size() + rows_of.len() * 4 + counts.len() * 8)?;
    let probe_nulls = any_null(pk, pn);
    let mut found = Vec::new();
    table.lookup(pk, &mut found)?;
    let (mut bside, mut pside) = (Vec::new(), Vec::new());
    for (row, id) in found.iter().enumerate() {
        let Some(id) = id else { continue };
        if probe_nulls.as_ref().is_some_and(|n| n.is_null(row)) {
            continue;
        }
        let (start, end) =
            (counts.get(*id as usize).copied().unwrap_or(0), counts.get(*id as usize + 1).copied().unwrap_or(0));
        for k in start..end {
            pside.push(row as u32);
            bside.push(rows_of.get(k as usize).copied().unwrap_or(0));
        }
        if pside.len() % (1 << 20) == 0 {
            reservation.grow(0)?;
        }
    }
    reservation.grow(pside.len() * 8)?;
    let pairs = if build_left { Pairs { left: bside, right: pside } } else { Pairs { left: pside, right: bside } };
    keep_passing(l, r, pairs, filter, ctx)
}

fn nested_pairs(
    l: &RecordBatch,
    r: &RecordBatch,
    filter: Option<&Expr>,
    ctx: &ExecContext<'_>,
    reservation: &mut Reservation<'_>,
) -> Result<Pairs> {
    let (nl, nr) = (l.num_rows(), r.num_rows());
    let mut out = Pairs { left: Vec::new(), right: Vec::new() };
    if nl == 0 || nr == 0 {
        return Ok(out);
    }
    let rows_per_chunk = (PAIRS_PER_CHUNK / nr).max(1);
    let mut start = 0;
    while start < nl {
        let end = (start + rows_per_chunk).min(nl);
        let mut chunk =
            Pairs { left: Vec::with_capacity((end - start) * nr), right: Vec::with_capacity((end - start) * nr) };
        for i in start..end {
            for j in 0..nr {
                chunk.left.push(i as u32);
                chunk.right.push(j as u32);
            }
        }
        let kept = keep_passing(l, r, chunk, filter, ctx)?;
        out.left.extend(kept.left);
        out.right.extend(kept.right);
        reservation.resize(out.left.len() * 8 + l.get_array_memory_size() + r.get_array_memory_size())?;
        start = end;
    }
    Ok(out)
}

/// The output rows: the pairs (sorted by left row for a stable, probe-like order), plus the
/// unmatched rows an outer join keeps, or the left rows a semi/anti join keeps.
fn assemble(
    l: &RecordBatch,
    r: &RecordBatch,
    kind: JoinKind,
    mut pairs: Pairs,
    schema: &SchemaRef,
) -> Result<Vec<RecordBatch>> {
    let (nl, nr) = (l.num_rows(), r.num_rows());
    if matches!(kind, JoinKind::Semi | JoinKind::Anti) {
        let mut matched = vec![false; nl];
        for &i in &pairs.left {
            if let Some(m) = matched.get_mut(i as usize) {
                *m = true;
            }
        }
        let keep: BooleanArray = matched.iter().map(|&m| Some(m == (kind == JoinKind::Semi))).collect();
        let out = arrow_select::filter::filter_record_batch(l, &keep)?;
        let options = RecordBatchOptions::new().with_row_count(Some(out.num_rows()));
        return Ok(vec![RecordBatch::try_new_with_options(schema.clone(), out.columns().to_vec(), &options)?]);
    }
    // Pairs in left-row order (a probe of the left side made them so already; a build on the
    // left is reordered by a counting sort, which keeps each left row's matches in right order).
    let sorted = pairs.left.windows(2).all(|w| w.first() <= w.get(1));
    let (mut left, mut right): (Vec<Option<u32>>, Vec<Option<u32>>) = if sorted {
        (pairs.left.iter().map(|&i| Some(i)).collect(), pairs.right.iter().map(|&j| Some(j)).collect())
    } else {
        let mut starts = vec![0usize; nl + 1];
        for &i in &pairs.left {
            if let Some(c) = starts.get_mut(i as usize + 1) {
                *c += 1;
            }
        }
        for i in 1..starts.len() {
            let prev = starts.get(i - 1).copied().unwrap_or(0);
            if let Some(c) = starts.get_mut(i) {
                *c += prev;
            }
        }
        let mut left = vec![None; pairs.left.len()];
        let mut right = vec![None; pairs.left.len()];
        for (&i, &j) in pairs.left.iter().zip(&pairs.right) {
            if let Some(at) = starts.get_mut(i as usize) {
                if let (Some(l), Some(r)) = (left.get_mut(*at), right.get_mut(*at)) {
                    *l = Some(i);
                    *r = Some(j);
                }
                *at += 1;
            }
        }
        (left, right)
    };
    if matches!(kind, JoinKind::Left | JoinKind::Full) {
        let mut matched = vec![false; nl];
        for i in left.iter().flatten() {
            if let Some(m) = matched.get_mut(*i as usize) {
                *m = true;
            }
        }
        for (i, m) in matched.iter().enumerate() {
            if !m {
                left.push(Some(i as u32));
                right.push(None);
            }
        }
    }
    if matches!(kind, JoinKind::Right | JoinKind::Full) {
        let mut matched = vec![false; nr];
        for j in pairs.right.iter() {
            if let Some(m) = matched.get_mut(*j as usize) {
                *m = true;
            }
        }
        for (j, m) in matched.iter().enumerate() {
            if !m {
                left.push(None);
                right.push(Some(j as u32));
            }
        }
    }
    pairs.left.clear();
    pairs.right.clear();
    let mut out = Vec::new();
    let total = left.len();
    let mut at = 0;
    while at < total {
        let end = (at + OUTPUT_BATCH).min(total);
        let li: UInt32Array = left.get(at..end).unwrap_or_default().iter().copied().collect();
        let ri: UInt32Array = right.get(at..end).unwrap_or_default().iter().copied().collect();
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(schema.fields().len());
        for c in l.columns() {
            columns.push(take_or_null(c, &li)?);
        }
        for c in r.columns() {
            columns.push(take_or_null(c, &ri)?);
        }
        let options = RecordBatchOptions::new().with_row_count(Some(end - at));
        out.push(
            RecordBatch::try_new_with_options(schema.clone(), columns, &options)
                .map_err(|e| AnalyticsError::internal(format!("join output: {e}")))?,
        );
        at = end;
    }
    Ok(out)
}

fn take_or_null(c: &ArrayRef, idx: &UInt32Array) -> Result<ArrayRef> {
    if c.is_empty() {
        return Ok(new_null_array(c.data_type(), idx.len()));
    }
    Ok(arrow_select::take::take(c.as_ref(), idx, None)?)
}
