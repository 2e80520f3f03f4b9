//! Validation's Parquet checks: the footer's row counts against each other and against the decoded
//! table, then each row group's null counts and min/max statistics against its values. Lives here,
//! above the reader, because it needs a decoded [`Table`].

use ::parquet::arrow::arrow_reader::statistics::StatisticsConverter;
use arrow_array::{Array, Datum, Scalar};
use arrow_schema::DataType;
use bytes::Bytes;

use super::Problem;
use crate::error::CoreError;
use crate::parquet::plan::builder;
use crate::parquet::to_u64;
use crate::table::Table;

/// Validation's Parquet checks (see [`crate::validate`]): the footer's row counts against each
/// other and against `table` (the whole file, decoded), then each row group's null counts and
/// min/max statistics against its decoded values. Returns the number of row groups and the
/// problems found.
///
/// Statistics are checked for top-level leaf columns the converter understands. Float bounds
/// are not checked: writers disagree on signed zeros and NaN, so an honest file could fail.
/// Truncated string bounds still bound the values, so they are checked.
pub fn check_against_footer(input: Bytes, table: &Table) -> (u32, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut problem = |location: String, message: String| {
        problems.push(Problem { location, error: CoreError::Malformed(format!("parquet: {message}")) })
    };
    let b = match builder(input) {
        Ok(b) => b,
        Err(error) => return (0, vec![Problem { location: "footer".into(), error }]),
    };
    let meta = b.metadata().clone();
    let groups = meta.row_groups();
    let n_groups = u32::try_from(groups.len()).unwrap_or(u32::MAX);
    let declared = meta.file_metadata().num_rows();
    let sum = groups.iter().map(|g| g.num_rows()).fold(0i64, i64::saturating_add);
    if declared != sum {
        problem("footer".into(), format!("the file declares {declared} rows; its row groups hold {sum}"));
    }
    if u64::try_from(sum).ok() != Some(table.num_rows()) {
        problem("file".into(), format!("the row groups declare {sum} rows; {} were decoded", table.num_rows()));
        return (n_groups, problems);
    }
    let schema = b.schema().clone();
    let orders = meta.file_metadata().column_orders().map(Vec::as_slice);
    for (c, field) in table.schema().fields().iter().enumerate() {
        if is_float(field.data_type()) {
            continue;
        }
        let Ok(converter) = StatisticsConverter::try_new(field.name(), &schema, b.parquet_schema()) else { continue };
        if converter.parquet_column_index().is_none() {
            continue;
        }
        let converter = converter.with_missing_null_counts_as_zero(false).with_column_orders(orders);
        let nulls = converter.row_group_null_counts(groups.iter()).ok();
        let mins = converter.row_group_mins(groups.iter()).ok();
        let maxes = converter.row_group_maxes(groups.iter()).ok();
        let mut start = 0u64;
        for (g, rg) in groups.iter().enumerate() {
            let rows = to_u64(rg.num_rows());
            let Ok(part) = table.slice(start, rows) else { break };
            start += rows;
            let location = format!("row group {g}, column {:?}", field.name());
            let columns: Vec<&dyn Array> = part.batches().iter().map(|b| b.column(c).as_ref()).collect();
            if let Some(stated) = nulls.as_ref().filter(|n| n.is_valid(g)).map(|n| n.value(g)) {
                let actual: u64 = columns.iter().map(|a| a.null_count() as u64).sum();
                if actual != stated {
                    problem(location.clone(), format!("the statistics say {stated} nulls; the values hold {actual}"));
                }
            }
            let bound = |bounds: &Option<arrow_array::ArrayRef>| {
                bounds.as_ref().filter(|b| b.is_valid(g)).map(|b| Scalar::new(b.slice(g, 1)))
            };
            let outside = |scalar: &dyn Datum, below: bool| -> u64 {
                columns
                    .iter()
                    .filter_map(|a| {
                        let r = if below { arrow_ord::cmp::lt(a, scalar) } else { arrow_ord::cmp::gt(a, scalar) };
                        r.ok().map(|m| m.true_count() as u64)
                    })
                    .sum()
            };
            if let Some(min) = bound(&mins) {
                let n = outside(&min, true);
                if n > 0 {
                    problem(location.clone(), format!("{n} values are below the statistics' minimum"));
                }
            }
            if let Some(max) = bound(&maxes) {
                let n = outside(&max, false);
                if n > 0 {
                    problem(location.clone(), format!("{n} values are above the statistics' maximum"));
                }
            }
        }
    }
    (n_groups, problems)
}

fn is_float(t: &DataType) -> bool {
    match t {
        DataType::Float16 | DataType::Float32 | DataType::Float64 => true,
        DataType::Dictionary(_, v) => is_float(v),
        _ => false,
    }
}
