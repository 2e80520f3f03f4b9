//! Sorting: the input gathered into one batch, the keys evaluated, `lexsort_to_indices` (a partial
//! sort when only the first rows are wanted: top-N), then the rows taken in order. NULLs go where
//! each key says (last by default), NaN above every number, `-0.0` with `0.0`.

use arrow_array::RecordBatch;
use arrow_ord::sort::{SortColumn, SortOptions, lexsort_to_indices, sort_to_indices};
use arrow_schema::SchemaRef;

use super::ExecContext;
use super::group::normalize;
use crate::budget::Reservation;
use crate::error::Result;
use crate::expr;
use crate::plan::SortExpr;

/// The sort options of a key.
pub fn options(k: &SortExpr) -> SortOptions {
    SortOptions { descending: k.descending, nulls_first: k.nulls_first }
}

/// Sort `batches` by `keys`, keeping the first `fetch` rows when given.
pub fn run(
    batches: Vec<RecordBatch>,
    schema: &SchemaRef,
    keys: &[SortExpr],
    fetch: Option<usize>,
    ctx: &ExecContext<'_>,
) -> Result<Vec<RecordBatch>> {
    let mut reservation = Reservation::new(ctx.budget, "a sort");
    reservation.resize(batches.iter().map(RecordBatch::get_array_memory_size).sum::<usize>() * 2)?;
    // A top-N keeps each batch's own first rows before gathering: the rows that win overall are
    // among them, and only those are copied into the one batch the final sort reads.
    let batches = match fetch {
        Some(n) if batches.len() > 1 => {
            batches.iter().map(|b| sort_one(b, keys, Some(n), ctx)).collect::<Result<Vec<_>>>()?
        }
        _ => batches,
    };
    let all = super::concat_batches(schema, &batches)?;
    drop(batches);
    if all.num_rows() == 0 {
        return Ok(vec![]);
    }
    Ok(vec![sort_one(&all, keys, fetch, ctx)?])
}

/// One batch in key order, its first `fetch` rows when given.
fn sort_one(
    batch: &RecordBatch,
    keys: &[SortExpr],
    fetch: Option<usize>,
    ctx: &ExecContext<'_>,
) -> Result<RecordBatch> {
    let columns = keys
        .iter()
        .map(|k| {
            Ok(SortColumn { values: normalize(&expr::evaluate_array(&k.expr, batch, ctx)?), options: Some(options(k)) })
        })
        .collect::<Result<Vec<_>>>()?;
    let limit = fetch.map(|f| f.min(batch.num_rows()));
    // One key: arrow's sort of one array, typed, instead of the lexicographic comparator's
    // dynamic dispatch on every comparison.
    let indices = match columns.as_slice() {
        [one] => sort_to_indices(&one.values, one.options, limit)?,
        _ => lexsort_to_indices(&columns, limit)?,
    };
    Ok(arrow_select::take::take_record_batch(batch, &indices)?)
}
