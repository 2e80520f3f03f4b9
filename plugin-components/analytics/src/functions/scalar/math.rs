//! Math functions.

use arrow_array::ArrayRef;
use arrow_schema::DataType;

use super::{Arg, Resolved, ScalarFunc, arg, no_signature};
use crate::error::Result;
use crate::expr::coerce::is_numeric;

/// A math function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MathFunc {
    /// `abs(x)`.
    Abs,
}

impl MathFunc {
    /// The SQL name.
    pub fn name(&self) -> String {
        match self {
            MathFunc::Abs => "abs",
        }
        .into()
    }
}

/// The names this family answers to.
pub const NAMES: &[&str] = &["abs"];

/// Resolve a call of this family.
pub fn resolve(name: &str, args: &[Arg<'_>]) -> Result<Option<Resolved>> {
    match name {
        "abs" => match args {
            [a] if is_numeric(a.data_type) => Ok(Some(Resolved {
                func: ScalarFunc::Math(MathFunc::Abs),
                arg_types: vec![a.data_type.clone()],
                return_type: a.data_type.clone(),
            })),
            _ => Err(no_signature(name, args, "one number")),
        },
        _ => Ok(None),
    }
}

/// Run it.
pub fn invoke(func: &MathFunc, args: &[ArrayRef], _len: usize, _return_type: &DataType) -> Result<ArrayRef> {
    let a = arg(args, 0)?;
    match func {
        MathFunc::Abs => {
            let zero = arrow_array::new_null_array(a.data_type(), 0);
            let _ = zero;
            let negative = arrow_ord::cmp::lt(a, &arrow_array::Scalar::new(crate::expr::cast::cast(
                &(std::sync::Arc::new(arrow_array::Int8Array::from(vec![0i8])) as ArrayRef),
                a.data_type(),
                false,
            )?))?;
            let negated = arrow_arith::numeric::neg(a.as_ref())?;
            Ok(arrow_select::zip::zip(&negative, &negated, a)?)
        }
    }
}
