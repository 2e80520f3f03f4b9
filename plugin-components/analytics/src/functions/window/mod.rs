//! Window functions: ranking (`row_number`, `rank`, `dense_rank`), offsets (`lag`, `lead`),
//! `first_value`/`last_value`, and every aggregate over a frame. Resolved at bind time; run by
//! `exec::window` partition by partition.

use arrow_schema::DataType;

use crate::error::Result;
use crate::functions::aggregate::AggFunc;
use crate::functions::scalar::Arg;

/// A window function.
#[derive(Debug, Clone, PartialEq)]
pub enum WindowFunc {
    /// `row_number()`.
    RowNumber,
    /// `rank()`.
    Rank,
    /// `dense_rank()`.
    DenseRank,
    /// `lag(x [, offset [, default]])`.
    Lag {
        /// How many rows back.
        offset: i64,
    },
    /// `lead(x [, offset [, default]])`.
    Lead {
        /// How many rows ahead.
        offset: i64,
    },
    /// `first_value(x)`.
    FirstValue,
    /// `last_value(x)`.
    LastValue,
    /// An aggregate over the frame.
    Aggregate(AggFunc),
}

impl WindowFunc {
    /// The SQL name.
    pub fn name(&self) -> &'static str {
        match self {
            WindowFunc::RowNumber => "row_number",
            WindowFunc::Rank => "rank",
            WindowFunc::DenseRank => "dense_rank",
            WindowFunc::Lag { .. } => "lag",
            WindowFunc::Lead { .. } => "lead",
            WindowFunc::FirstValue => "first_value",
            WindowFunc::LastValue => "last_value",
            WindowFunc::Aggregate(a) => a.name(),
        }
    }
}

/// The names of the functions that exist only as window functions.
pub const NAMES: &[&str] = &["row_number", "rank", "dense_rank", "lag", "lead", "first_value", "last_value"];

/// A resolved window-only function call.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedWindow {
    /// The function.
    pub func: WindowFunc,
    /// The indices of the arguments evaluated per row.
    pub value_args: Vec<usize>,
    /// The type each evaluated argument is cast to.
    pub arg_types: Vec<DataType>,
    /// The result type.
    pub return_type: DataType,
}

/// Resolve a window-only function (`row_number`, `lag`, ...); aggregates used as window
/// functions are resolved as aggregates.
pub fn resolve(_name: &str, _args: &[Arg<'_>]) -> Result<Option<ResolvedWindow>> {
    Ok(None)
}
