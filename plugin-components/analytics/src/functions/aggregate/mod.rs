//! Aggregate functions as group accumulators: `update` with the rows of a batch and each row's
//! group index, `state` (the partial state, one row per group, as Arrow columns), `merge` of
//! other accumulators' states, `finish`. `merge` is what makes split aggregation and parallel
//! runs possible; every function here that can merge says so in [`AggFunc::mergeable`].
//!
//! - [`basic`]: `count`, `sum`, `avg`, `min`, `max`, `count_if`, `product`;
//! - [`stats`]: variance and standard deviation, `median`, `quantile_cont`, `quantile_disc`,
//!   `mode`;
//! - [`misc`]: `first`, `last`, `any_value`, `bool_and`, `bool_or`, `string_agg`,
//!   `approx_count_distinct` (with [`pick`], the "keep one row per group" machinery, and [`hll`],
//!   the HyperLogLog sketch);
//! - [`distinct`]: the `DISTINCT` wrapper every function can take.
//!
//! Arguments reach `update` already cast to the types `resolve` chose; those are few on purpose
//! (every integer as `int64`, every float as `float64` where the result allows), so that there
//! are few accumulators. Values of every accumulator are kept per group in vectors indexed by
//! the dense group id; `size` reports what they hold, for the session's memory budget.

pub mod basic;
pub mod distinct;
pub mod hll;
pub mod misc;
pub mod pick;
pub mod stats;
mod util;

use arrow_array::ArrayRef;
use arrow_schema::{DataType, Field};

use crate::error::Result;
use crate::functions::scalar::Arg;

/// An aggregate function, with whatever its literal arguments fixed at bind time.
#[derive(Debug, Clone, PartialEq)]
pub enum AggFunc {
    /// `count(*)`: rows.
    CountStar,
    /// `count(x)`: non-NULL values.
    Count,
    /// `sum(x)`.
    Sum,
    /// `avg(x)` / `mean(x)`.
    Avg,
    /// `min(x)`.
    Min,
    /// `max(x)`.
    Max,
    /// `var_samp(x)` / `variance(x)`.
    VarSamp,
    /// `var_pop(x)`.
    VarPop,
    /// `stddev_samp(x)` / `stddev(x)`.
    StddevSamp,
    /// `stddev_pop(x)`.
    StddevPop,
    /// `median(x)`: `quantile_cont(x, 0.5)`.
    Median,
    /// `quantile_cont(x, q)`: interpolated (a negative `q` counts from the top).
    QuantileCont(f64),
    /// `quantile_disc(x, q)` / `quantile(x, q)`: the value at the quantile's position.
    QuantileDisc(f64),
    /// `mode(x)`: the most frequent non-NULL value (the first seen among ties).
    Mode,
    /// `first(x [ORDER BY ...])`: the first value (NULLs included) in the given order.
    First,
    /// `last(x [ORDER BY ...])`.
    Last,
    /// `any_value(x)`: a non-NULL value if there is one.
    AnyValue,
    /// `approx_count_distinct(x)`: HyperLogLog.
    ApproxCountDistinct,
    /// `bool_and(x)`.
    BoolAnd,
    /// `bool_or(x)`.
    BoolOr,
    /// `string_agg(s [, sep] [ORDER BY ...])` (`listagg`, `group_concat`); `None` for a NULL
    /// separator, which makes every result NULL as in DuckDB.
    StringAgg(Option<String>),
    /// `count_if(b)` / `countif(b)`: how many rows are true (NULL when none is non-NULL).
    CountIf,
    /// `product(x)`: as `float64`.
    Product,
    /// `arg_min(x, y)` / `min_by(x, y)`: `x` of the row with the smallest non-NULL `y`.
    ArgMin,
    /// `arg_max(x, y)` / `max_by(x, y)`: `x` of the row with the largest non-NULL `y`.
    ArgMax,
}

impl AggFunc {
    /// The SQL name.
    pub fn name(&self) -> &'static str {
        match self {
            AggFunc::CountStar | AggFunc::Count => "count",
            AggFunc::Sum => "sum",
            AggFunc::Avg => "avg",
            AggFunc::Min => "min",
            AggFunc::Max => "max",
            AggFunc::VarSamp => "var_samp",
            AggFunc::VarPop => "var_pop",
            AggFunc::StddevSamp => "stddev_samp",
            AggFunc::StddevPop => "stddev_pop",
            AggFunc::Median => "median",
            AggFunc::QuantileCont(_) => "quantile_cont",
            AggFunc::QuantileDisc(_) => "quantile_disc",
            AggFunc::Mode => "mode",
            AggFunc::First => "first",
            AggFunc::Last => "last",
            AggFunc::AnyValue => "any_value",
            AggFunc::ApproxCountDistinct => "approx_count_distinct",
            AggFunc::BoolAnd => "bool_and",
            AggFunc::BoolOr => "bool_or",
            AggFunc::StringAgg(_) => "string_agg",
            AggFunc::CountIf => "count_if",
            AggFunc::Product => "product",
            AggFunc::ArgMin => "arg_min",
            AggFunc::ArgMax => "arg_max",
        }
    }

    /// Whether partial states of this function merge (split aggregation). `median`, quantiles,
    /// `mode` and `string_agg` would need every value, so they do not.
    pub fn mergeable(&self) -> bool {
        !matches!(
            self,
            AggFunc::Median
                | AggFunc::QuantileCont(_)
                | AggFunc::QuantileDisc(_)
                | AggFunc::Mode
                | AggFunc::StringAgg(_)
        )
    }

    /// Whether `DISTINCT` changes nothing for this function (so it is ignored, and the call
    /// still merges).
    pub fn distinct_is_noop(&self) -> bool {
        matches!(self, AggFunc::Min | AggFunc::Max | AggFunc::ApproxCountDistinct | AggFunc::BoolAnd | AggFunc::BoolOr)
    }
}

/// Every aggregate function name, for the binder (to tell aggregates from scalar functions) and
/// for "did you mean" hints.
pub const NAMES: &[&str] = &[
    "count",
    "sum",
    "avg",
    "mean",
    "min",
    "max",
    "var_samp",
    "variance",
    "var_pop",
    "stddev_samp",
    "stddev",
    "stddev_pop",
    "median",
    "quantile_cont",
    "quantile_disc",
    "quantile",
    "mode",
    "first",
    "last",
    "any_value",
    "arbitrary",
    "approx_count_distinct",
    "bool_and",
    "bool_or",
    "string_agg",
    "listagg",
    "group_concat",
    "count_if",
    "countif",
    "product",
    "arg_min",
    "argmin",
    "min_by",
    "arg_max",
    "argmax",
    "max_by",
];

/// Whether `name` is an aggregate function.
pub fn is_aggregate(name: &str) -> bool {
    NAMES.contains(&name.to_ascii_lowercase().as_str())
}

/// A resolved aggregate call.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedAgg {
    /// The function (literal arguments folded in).
    pub func: AggFunc,
    /// The indices of the call's arguments that are evaluated per row (literal parameters such
    /// as a quantile's fraction are not).
    pub value_args: Vec<usize>,
    /// The type each evaluated argument is cast to.
    pub arg_types: Vec<DataType>,
    /// The result type.
    pub return_type: DataType,
}

/// Resolve `name(args)`; `count(*)` comes as `count` with no arguments.
pub fn resolve(name: &str, args: &[Arg<'_>]) -> Result<Option<ResolvedAgg>> {
    let name = name.to_ascii_lowercase();
    if let Some(r) = basic::resolve(&name, args)? {
        return Ok(Some(r));
    }
    if let Some(r) = stats::resolve(&name, args)? {
        return Ok(Some(r));
    }
    misc::resolve(&name, args)
}

/// Group accumulator: the state of one aggregate for every group seen so far.
pub trait Accumulator {
    /// Add one batch of rows: `values` are the evaluated arguments followed by the in-call
    /// `ORDER BY` keys; `groups[i]` is row `i`'s group; groups are numbered below `total_groups`.
    fn update(&mut self, values: &[ArrayRef], groups: &[u32], total_groups: usize) -> Result<()>;
    /// Merge rows of states (columns as [`Accumulator::state`] makes them) into the groups given.
    fn merge(&mut self, states: &[ArrayRef], groups: &[u32], total_groups: usize) -> Result<()>;
    /// The partial state, one row per group, `total_groups` rows.
    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>>;
    /// The final values, one per group, `total_groups` rows.
    fn finish(&mut self, total_groups: usize) -> Result<ArrayRef>;
    /// Bytes held, for the session's memory budget.
    fn size(&self) -> usize;
}

/// What an accumulator is made for: the function, the evaluated argument types, the result
/// type, and how many in-call `ORDER BY` keys follow the arguments.
#[derive(Debug, Clone)]
pub struct AccumulatorSpec<'a> {
    /// The function.
    pub func: &'a AggFunc,
    /// The evaluated arguments' types.
    pub arg_types: &'a [DataType],
    /// The result type.
    pub return_type: &'a DataType,
    /// The types of the in-call `ORDER BY` keys (after the arguments in `update`'s values).
    pub order_types: &'a [DataType],
    /// Whether each in-call `ORDER BY` key is descending, and its nulls first.
    pub order_options: &'a [(bool, bool)],
    /// `DISTINCT`.
    pub distinct: bool,
}

/// A new accumulator for `spec`.
pub fn create(spec: &AccumulatorSpec<'_>) -> Result<Box<dyn Accumulator>> {
    if spec.distinct && !spec.func.distinct_is_noop() {
        return distinct::create(spec);
    }
    if let Some(a) = basic::create(spec)? {
        return Ok(a);
    }
    if let Some(a) = stats::create(spec)? {
        return Ok(a);
    }
    misc::create(spec)
}

/// The partial-state columns of `func` (names are `{prefix}_{part}`), for split aggregation.
pub fn state_fields(spec: &AccumulatorSpec<'_>, prefix: &str) -> Result<Vec<Field>> {
    if let Some(f) = basic::state_fields(spec, prefix) {
        return Ok(f);
    }
    if let Some(f) = stats::state_fields(spec, prefix) {
        return Ok(f);
    }
    misc::state_fields(spec, prefix)
}
