//! Running plans: each operator turns its input's record batches into its own, batch by batch
//! where it can (scan, filter, project, limit, union stream; aggregation, sorting, joins and
//! windows consume their input first). Memory held by operators is accounted against the
//! session's [`Budget`](crate::budget::Budget).
//!
//! - [`aggregate`]: hash aggregation (single pass, partial states, merge), and `DISTINCT`;
//! - [`group`]: the hash table of group and join keys;
//! - [`join`]: hash joins of every kind, and nested loops where no key is equal;
//! - [`sort`]: sorting and top-N;
//! - [`window`]: window functions.

pub mod aggregate;
pub mod group;
pub mod join;
pub mod sort;
pub mod window;

use std::cell::RefCell;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::SchemaRef;

use crate::budget::Budget;
use crate::error::{AnalyticsError, Result};
use crate::expr::{self, Context};
pub use crate::plan::Tables;
use crate::plan::{Plan, Query};

/// A stream of record batches.
pub type Batches<'a> = Box<dyn Iterator<Item = Result<RecordBatch>> + 'a>;

/// What running one query needs: the tables, the subqueries (each run at most once), the budget.
pub struct ExecContext<'a> {
    tables: &'a dyn Tables,
    subqueries: &'a [Plan],
    results: RefCell<Vec<Option<ArrayRef>>>,
    /// The session's memory budget.
    pub budget: &'a Budget,
}

impl<'a> ExecContext<'a> {
    /// A context for `query` over `tables`.
    pub fn new(tables: &'a dyn Tables, query: &'a Query, budget: &'a Budget) -> Self {
        ExecContext {
            tables,
            subqueries: &query.subqueries,
            results: RefCell::new(vec![None; query.subqueries.len()]),
            budget,
        }
    }
}

impl Context for ExecContext<'_> {
    fn subquery(&self, index: usize) -> Result<ArrayRef> {
        if let Some(Some(done)) = self.results.borrow().get(index) {
            return Ok(done.clone());
        }
        let plan =
            self.subqueries.get(index).ok_or_else(|| AnalyticsError::internal(format!("no subquery {index}")))?;
        let batches = collect(plan, self)?;
        let schema = plan.schema();
        let column = match batches.as_slice() {
            [] => arrow_array::new_empty_array(
                schema.fields().first().map(|f| f.data_type()).unwrap_or(&arrow_schema::DataType::Null),
            ),
            _ => {
                let parts: Vec<&dyn Array> =
                    batches.iter().filter_map(|b| b.columns().first()).map(|c| c.as_ref()).collect();
                if parts.is_empty() {
                    // EXISTS over a subquery of no columns: only the row count matters.
                    let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
                    Arc::new(arrow_array::NullArray::new(rows))
                } else {
                    arrow_select::concat::concat(&parts)?
                }
            }
        };
        if let Some(slot) = self.results.borrow_mut().get_mut(index) {
            *slot = Some(column.clone());
        }
        Ok(column)
    }
}

/// Run `plan` to completion.
pub fn collect(plan: &Plan, ctx: &ExecContext<'_>) -> Result<Vec<RecordBatch>> {
    execute(plan, ctx)?.collect()
}

/// Run `plan` as a stream of batches.
pub fn execute<'a>(plan: &'a Plan, ctx: &'a ExecContext<'a>) -> Result<Batches<'a>> {
    Ok(match plan {
        Plan::Scan { table, projection, filters, schema } => {
            let batches = ctx.tables.batches(table)?;
            let schema = schema.clone();
            Box::new(batches.iter().filter_map(move |b| scan_batch(b, projection, filters, &schema, ctx).transpose()))
        }
        Plan::Values { batches, .. } => Box::new(batches.clone().into_iter().map(Ok)),
        Plan::Filter { input, predicate } => {
            let input = execute(input, ctx)?;
            Box::new(input.filter_map(move |b| {
                b.and_then(|b| {
                    let mask = expr::evaluate_filter(predicate, &b, ctx)?;
                    if mask.true_count() == 0 {
                        return Ok(None);
                    }
                    if mask.true_count() == b.num_rows() {
                        return Ok(Some(b));
                    }
                    Ok(Some(arrow_select::filter::filter_record_batch(&b, &mask)?))
                })
                .transpose()
            }))
        }
        Plan::Project { input, exprs, schema } => {
            let input = execute(input, ctx)?;
            let schema = schema.clone();
            Box::new(input.map(move |b| b.and_then(|b| project(&b, exprs, &schema, ctx))))
        }
        Plan::Aggregate { input, groups, aggregates, mode, schema } => {
            let out = aggregate::run(execute(input, ctx)?, &input.schema(), groups, aggregates, *mode, schema, ctx)?;
            Box::new(out.into_iter().map(Ok))
        }
        Plan::Distinct { input } => {
            let out = aggregate::distinct(execute(input, ctx)?, &input.schema(), ctx)?;
            Box::new(out.into_iter().map(Ok))
        }
        Plan::Window { input, windows, schema } => {
            let out = window::run(collect(input, ctx)?, &input.schema(), windows, schema, ctx)?;
            Box::new(out.into_iter().map(Ok))
        }
        Plan::Sort { input, keys, fetch } => {
            let out = sort::run(collect(input, ctx)?, &input.schema(), keys, *fetch, ctx)?;
            Box::new(out.into_iter().map(Ok))
        }
        Plan::Limit { input, offset, fetch } => limit(execute(input, ctx)?, *offset, *fetch),
        Plan::Join { left, right, kind, on, filter, schema } => {
            let out = join::run(left, right, *kind, on, filter.as_ref(), schema, ctx)?;
            Box::new(out.into_iter().map(Ok))
        }
        Plan::Union { inputs, schema } => {
            let schema = schema.clone();
            let mut streams = Vec::with_capacity(inputs.len());
            for i in inputs {
                streams.push(execute(i, ctx)?);
            }
            Box::new(streams.into_iter().flatten().map(move |b| {
                b.and_then(|b| {
                    let options = RecordBatchOptions::new().with_row_count(Some(b.num_rows()));
                    Ok(RecordBatch::try_new_with_options(schema.clone(), b.columns().to_vec(), &options)?)
                })
            }))
        }
    })
}

fn scan_batch(
    b: &RecordBatch,
    projection: &[usize],
    filters: &[crate::plan::Expr],
    schema: &SchemaRef,
    ctx: &ExecContext<'_>,
) -> Result<Option<RecordBatch>> {
    let columns: Vec<ArrayRef> = projection.iter().filter_map(|&i| b.columns().get(i).cloned()).collect();
    let options = RecordBatchOptions::new().with_row_count(Some(b.num_rows()));
    let mut batch = RecordBatch::try_new_with_options(schema.clone(), columns, &options)?;
    for f in filters {
        if batch.num_rows() == 0 {
            break;
        }
        let mask = expr::evaluate_filter(f, &batch, ctx)?;
        if mask.true_count() < batch.num_rows() {
            batch = arrow_select::filter::filter_record_batch(&batch, &mask)?;
        }
    }
    Ok((batch.num_rows() > 0).then_some(batch))
}

/// The expressions evaluated over a batch, as a batch of `schema`.
pub fn project(
    b: &RecordBatch,
    exprs: &[crate::plan::Expr],
    schema: &SchemaRef,
    ctx: &dyn Context,
) -> Result<RecordBatch> {
    let columns = exprs
        .iter()
        .zip(schema.fields())
        .map(|(e, f)| {
            let a = expr::evaluate_array(e, b, ctx)?;
            if a.data_type() == f.data_type() { Ok(a) } else { crate::types::cast::cast(&a, f.data_type(), false) }
        })
        .collect::<Result<Vec<_>>>()?;
    let options = RecordBatchOptions::new().with_row_count(Some(b.num_rows()));
    Ok(RecordBatch::try_new_with_options(schema.clone(), columns, &options)?)
}

fn limit<'a>(input: Batches<'a>, offset: usize, fetch: Option<usize>) -> Batches<'a> {
    let mut skip = offset;
    let mut left = fetch.unwrap_or(usize::MAX);
    Box::new(
        input
            .map_while(move |b| {
                if left == 0 {
                    return None;
                }
                Some(b.map(|b| {
                    let n = b.num_rows();
                    if skip >= n {
                        skip -= n;
                        return None;
                    }
                    let take = (n - skip).min(left);
                    let out = b.slice(skip, take);
                    skip = 0;
                    left -= take;
                    Some(out)
                }))
            })
            .filter_map(|r| r.transpose()),
    )
}

/// Every batch of `batches` as one batch of `schema` (none: an empty batch).
pub fn concat_batches(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<RecordBatch> {
    if batches.len() == 1
        && let Some(b) = batches.first()
    {
        return Ok(b.clone());
    }
    Ok(arrow_select::concat::concat_batches(schema, batches)?)
}
