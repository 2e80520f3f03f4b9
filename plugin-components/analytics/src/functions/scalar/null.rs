//! `coalesce` and `nullif`: the first non-NULL argument; NULL where two values are equal.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, BooleanArray};
use arrow_schema::DataType;

use super::{Arg, Resolved, ScalarFunc, arg, no_signature};
use crate::error::Result;
use crate::expr::coerce::common_type;

/// A NULL-handling function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NullFunc {
    /// `coalesce(a, b, ...)`.
    Coalesce,
    /// `nullif(a, b)`.
    NullIf,
}

impl NullFunc {
    /// The SQL name.
    pub fn name(&self) -> String {
        match self {
            NullFunc::Coalesce => "coalesce",
            NullFunc::NullIf => "nullif",
        }
        .into()
    }
}

/// The names this family answers to.
pub const NAMES: &[&str] = &["coalesce", "ifnull", "nullif"];

/// Resolve a call of this family.
pub fn resolve(name: &str, args: &[Arg<'_>]) -> Result<Option<Resolved>> {
    let func = match name {
        "coalesce" | "ifnull" => NullFunc::Coalesce,
        "nullif" => NullFunc::NullIf,
        _ => return Ok(None),
    };
    if args.is_empty() || (func == NullFunc::NullIf && args.len() != 2) || (name == "ifnull" && args.len() != 2) {
        return Err(no_signature(name, args, if func == NullFunc::NullIf { "two arguments" } else { "one or more arguments" }));
    }
    let mut t = DataType::Null;
    for a in args {
        t = common_type(&t, a.data_type).ok_or_else(|| no_signature(name, args, "arguments of one type"))?;
    }
    let return_type = if func == NullFunc::NullIf { args[0].data_type.clone() } else { t.clone() };
    let arg_types = match func {
        NullFunc::Coalesce => vec![t; args.len()],
        NullFunc::NullIf => vec![t.clone(), t],
    };
    Ok(Some(Resolved { func: ScalarFunc::Null(func), arg_types, return_type }))
}

/// Run it.
pub fn invoke(func: &NullFunc, args: &[ArrayRef], len: usize, return_type: &DataType) -> Result<ArrayRef> {
    match func {
        NullFunc::Coalesce => {
            let mut out = arg(args, 0)?.clone();
            for next in args.iter().skip(1) {
                if out.null_count() == 0 {
                    break;
                }
                let is_set = arrow_arith::boolean::is_not_null(out.as_ref())?;
                out = arrow_select::zip::zip(&is_set, &out, next)?;
            }
            let out = if out.data_type() == return_type { out } else { crate::expr::cast::cast(&out, return_type, false)? };
            debug_assert_eq!(out.len(), len);
            Ok(out)
        }
        NullFunc::NullIf => {
            let (a, b) = (arg(args, 0)?, arg(args, 1)?);
            let eq = arrow_ord::cmp::eq(a, b)?;
            // Rows where the two are equal (a NULL comparison is not equal) become NULL.
            let keep = BooleanArray::from_iter(eq.iter().map(|e| Some(e != Some(true))));
            let nulls = arrow_array::new_null_array(a.data_type(), a.len());
            let out: ArrayRef = arrow_select::zip::zip(&keep, a, &nulls)?;
            let out = if out.data_type() == return_type { out } else { crate::expr::cast::cast(&out, return_type, false)? };
            Ok(Arc::clone(&out))
        }
    }
}
