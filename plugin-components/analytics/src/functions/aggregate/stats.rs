//! Variance, standard deviation, `median` and `quantile_cont`.

use arrow_schema::Field;

use super::{Accumulator, AccumulatorSpec, ResolvedAgg};
use crate::error::Result;
use crate::functions::scalar::Arg;

/// Resolve a function of this family.
pub fn resolve(_name: &str, _args: &[Arg<'_>]) -> Result<Option<ResolvedAgg>> {
    Ok(None)
}

/// The accumulator for a function of this family.
pub fn create(_spec: &AccumulatorSpec<'_>) -> Result<Option<Box<dyn Accumulator>>> {
    Ok(None)
}

/// The state columns of a function of this family.
pub fn state_fields(_spec: &AccumulatorSpec<'_>, _prefix: &str) -> Option<Vec<Field>> {
    None
}
