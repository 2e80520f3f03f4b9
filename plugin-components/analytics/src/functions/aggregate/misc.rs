//! `first`, `last`, `any_value`, `bool_and`, `bool_or`, `string_agg`, `approx_count_distinct`.

use arrow_schema::Field;

use super::{Accumulator, AccumulatorSpec, ResolvedAgg};
use crate::error::{AnalyticsError, Result};
use crate::functions::scalar::Arg;

/// Resolve a function of this family.
pub fn resolve(_name: &str, _args: &[Arg<'_>]) -> Result<Option<ResolvedAgg>> {
    Ok(None)
}

/// The accumulator for a function of this family.
pub fn create(spec: &AccumulatorSpec<'_>) -> Result<Box<dyn Accumulator>> {
    Err(AnalyticsError::internal(format!("no accumulator for {}", spec.func.name())))
}

/// The state columns of a function of this family.
pub fn state_fields(spec: &AccumulatorSpec<'_>, _prefix: &str) -> Result<Vec<Field>> {
    Err(AnalyticsError::internal(format!("no state for {}", spec.func.name())))
}
