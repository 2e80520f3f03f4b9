//! Sorting: the input gathered into one batch, the keys evaluated, `lexsort_to_indices` (a partial
//! sort when only the first rows are wanted: top-N), then the rows taken in order. NULLs go where
//! each key says (last by default), NaN above every number, `-0.0` with `0.0`.

use arrow_array::RecordBatch;
use arrow_ord::sort::{SortColumn, SortOptions, lexsort_to_indices};
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
    let all = super::concat_batches(schema, &batches)?;
    drop(batches);
    if all.num_rows() == 0 {
        return Ok(vec![]);
    }
    let columns = keys
        .iter()
        .map(|k| {
            Ok(SortColumn { values: normalize(&expr::evaluate_array(&k.expr, &all, ctx)?), options: Some(options(k)) })
        })
        .collect::<Result<Vec<_>>>()?;
    let limit = fetch.map(|f| f.min(all.num_rows()));
    let indices = lexsort_to_indices(&columns, limit)?;
    Ok(vec![arrow_select::take::take_record_batch(&all, &indices)?])
}
