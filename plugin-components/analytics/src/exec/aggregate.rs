//! Hash aggregation: each input batch's group keys become ids in a [`GroupTable`], and every
//! aggregate's accumulator takes the batch's arguments with those ids. The output is the keys
//! (in the order first seen) and one column per aggregate, or, in partial mode, each aggregate's
//! state columns; final mode merges rows of states. `DISTINCT` is a grouping with no aggregate.

use arrow_array::{ArrayRef, BooleanArray, RecordBatch, RecordBatchOptions};
use arrow_schema::{DataType, SchemaRef};

use super::group::GroupTable;
use super::{Batches, ExecContext};
use crate::budget::Reservation;
use crate::error::{AnalyticsError, Result};
use crate::expr;
use crate::functions::aggregate::{self, Accumulator, AccumulatorSpec};
use crate::plan::{AggCall, AggMode, Expr};

/// The spec an accumulator of `call` is made from.
pub fn spec_of<'a>(call: &'a AggCall, order_options: &'a [(bool, bool)]) -> AccumulatorSpec<'a> {
    AccumulatorSpec {
        func: &call.func,
        arg_types: &call.arg_types,
        return_type: &call.return_type,
        order_types: &call.order_types,
        order_options,
        distinct: call.distinct,
    }
}

fn order_options(call: &AggCall) -> Vec<(bool, bool)> {
    call.order_by.iter().map(|o| (o.descending, o.nulls_first)).collect()
}

/// How many state columns each aggregate has.
fn state_widths(aggregates: &[AggCall]) -> Result<Vec<usize>> {
    aggregates
        .iter()
        .map(|a| {
            let opts = order_options(a);
            Ok(aggregate::state_fields(&spec_of(a, &opts), "s")?.len())
        })
        .collect()
}

/// Run an aggregation over `input`.
#[allow(clippy::too_many_arguments)]
pub fn run(
    input: Batches<'_>,
    input_schema: &SchemaRef,
    groups: &[Expr],
    aggregates: &[AggCall],
    mode: AggMode,
    schema: &SchemaRef,
    ctx: &ExecContext<'_>,
) -> Result<Vec<RecordBatch>> {
    let key_types: Vec<DataType> = groups.iter().map(|g| g.data_type(input_schema)).collect();
    let mut table = GroupTable::new(&key_types)?;
    let mut accs: Vec<Box<dyn Accumulator>> = aggregates
        .iter()
        .map(|a| {
            let opts = order_options(a);
            aggregate::create(&spec_of(a, &opts))
        })
        .collect::<Result<_>>()?;
    let widths = if mode == AggMode::Final { state_widths(aggregates)? } else { vec![] };
    let mut reservation = Reservation::new(ctx.budget, "a grouping");
    let mut ids: Vec<u32> = Vec::new();
    let mut saw_rows = false;
    for batch in input {
        let batch = batch?;
        if batch.num_rows() == 0 {
            continue;
        }
        saw_rows = true;
        let keys = groups.iter().map(|g| expr::evaluate_array(g, &batch, ctx)).collect::<Result<Vec<_>>>()?;
        if groups.is_empty() {
            ids.clear();
            ids.resize(batch.num_rows(), 0);
        } else {
            table.intern(&keys, &mut ids)?;
        }
        let total = if groups.is_empty() { 1 } else { table.len() };
        match mode {
            AggMode::Single | AggMode::Partial => {
                for (acc, call) in accs.iter_mut().zip(aggregates) {
                    update(acc.as_mut(), call, &batch, &ids, total, ctx)?;
                }
            }
            AggMode::Final => {
                let mut at = groups.len();
                for ((acc, _), w) in accs.iter_mut().zip(aggregates).zip(&widths) {
                    let states: Vec<ArrayRef> =
                        batch.columns().get(at..at + w).map(<[ArrayRef]>::to_vec).unwrap_or_default();
                    if states.len() != *w {
                        return Err(AnalyticsError::argument(
                            "the partial states do not have the columns this query's merge needs",
                        ));
                    }
                    acc.merge(&states, &ids, total)?;
                    at += w;
                }
            }
        }
        let held = table.size() + accs.iter().map(|a| a.size()).sum::<usize>();
        reservation.resize(held)?;
    }
    // A grouping without keys has one row even over no input (`SELECT count(*) FROM empty`).
    let total = if groups.is_empty() { 1 } else { table.len() };
    if !groups.is_empty() && !saw_rows {
        return Ok(vec![]);
    }
    let mut columns = if groups.is_empty() { vec![] } else { table.keys()? };
    for acc in &mut accs {
        match mode {
            AggMode::Partial => columns.extend(acc.state(total)?),
            _ => columns.push(acc.finish(total)?),
        }
    }
    let columns =
        columns
            .into_iter()
            .zip(schema.fields())
            .map(|(c, f)| {
                if c.data_type() == f.data_type() { Ok(c) } else { crate::types::cast::cast(&c, f.data_type(), false) }
            })
            .collect::<Result<Vec<_>>>()?;
    let options = RecordBatchOptions::new().with_row_count(Some(total));
    Ok(vec![RecordBatch::try_new_with_options(schema.clone(), columns, &options)?])
}

/// Feed one batch to one accumulator: its arguments (and in-call ORDER BY keys), only the rows
/// its FILTER keeps.
fn update(
    acc: &mut dyn Accumulator,
    call: &AggCall,
    batch: &RecordBatch,
    ids: &[u32],
    total: usize,
    ctx: &ExecContext<'_>,
) -> Result<()> {
    let mut values = call.args.iter().map(|a| expr::evaluate_array(a, batch, ctx)).collect::<Result<Vec<_>>>()?;
    for o in &call.order_by {
        values.push(expr::evaluate_array(&o.expr, batch, ctx)?);
    }
    match &call.filter {
        None => acc.update(&values, ids, total),
        Some(f) => {
            let mask = expr::evaluate_mask(f, batch, ctx)?;
            if mask.true_count() == batch.num_rows() {
                return acc.update(&values, ids, total);
            }
            let values =
                values.iter().map(|v| Ok(arrow_select::filter::filter(v, &mask)?)).collect::<Result<Vec<_>>>()?;
            let kept: Vec<u32> = ids.iter().zip(mask.values().iter()).filter(|(_, k)| *k).map(|(g, _)| *g).collect();
            acc.update(&values, &kept, total)
        }
    }
}

/// Each distinct row of `input` once, in the order first seen.
pub fn distinct(input: Batches<'_>, schema: &SchemaRef, ctx: &ExecContext<'_>) -> Result<Vec<RecordBatch>> {
    let types: Vec<DataType> = schema.fields().iter().map(|f| f.data_type().clone()).collect();
    if types.is_empty() {
        // Distinct rows of no columns: one row if there was any.
        let any = input.map(|b| b.map(|b| b.num_rows())).collect::<Result<Vec<_>>>()?.iter().any(|&n| n > 0);
        let options = RecordBatchOptions::new().with_row_count(Some(usize::from(any)));
        return Ok(vec![RecordBatch::try_new_with_options(schema.clone(), vec![], &options)?]);
    }
    let mut table = GroupTable::new(&types)?;
    let mut reservation = Reservation::new(ctx.budget, "DISTINCT");
    let mut ids = Vec::new();
    let mut out = Vec::new();
    for batch in input {
        let batch = batch?;
        let before = table.len();
        table.intern(batch.columns(), &mut ids)?;
        // Rows whose id is new (first occurrence) are kept, in order.
        let mut next = before as u32;
        let keep: BooleanArray = ids
            .iter()
            .map(|&id| {
                let fresh = id == next && id as usize >= before;
                if fresh {
                    next += 1;
                }
                Some(fresh)
            })
            .collect();
        if keep.true_count() > 0 {
            out.push(arrow_select::filter::filter_record_batch(&batch, &keep)?);
        }
        reservation.resize(table.size() + out.iter().map(RecordBatch::get_array_memory_size).sum::<usize>())?;
    }
    Ok(out)
}
