//! String functions.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{ArrayRef, Int64Array, StringArray};
use arrow_schema::DataType;

use super::{Arg, Resolved, ScalarFunc, arg, no_signature};
use crate::error::Result;
use crate::expr::coerce::is_string;

/// A string function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StringFunc {
    /// `lower(s)`.
    Lower,
    /// `upper(s)`.
    Upper,
    /// `length(s)`: characters.
    Length,
}

impl StringFunc {
    /// The SQL name.
    pub fn name(&self) -> String {
        match self {
            StringFunc::Lower => "lower",
            StringFunc::Upper => "upper",
            StringFunc::Length => "length",
        }
        .into()
    }
}

/// The names this family answers to.
pub const NAMES: &[&str] = &["lower", "upper", "length"];

/// Resolve a call of this family.
pub fn resolve(name: &str, args: &[Arg<'_>]) -> Result<Option<Resolved>> {
    let (func, ret) = match name {
        "lower" => (StringFunc::Lower, DataType::Utf8),
        "upper" => (StringFunc::Upper, DataType::Utf8),
        "length" => (StringFunc::Length, DataType::Int64),
        _ => return Ok(None),
    };
    match args {
        [a] if is_string(a.data_type) || *a.data_type == DataType::Null => {
            Ok(Some(Resolved { func: ScalarFunc::String(func), arg_types: vec![DataType::Utf8], return_type: ret }))
        }
        _ => Err(no_signature(name, args, "one string")),
    }
}

/// Run it.
pub fn invoke(func: &StringFunc, args: &[ArrayRef], _len: usize, _return_type: &DataType) -> Result<ArrayRef> {
    let s = arg(args, 0)?.as_string::<i32>();
    Ok(match func {
        StringFunc::Lower => Arc::new(s.iter().map(|v| v.map(str::to_lowercase)).collect::<StringArray>()),
        StringFunc::Upper => Arc::new(s.iter().map(|v| v.map(str::to_uppercase)).collect::<StringArray>()),
        StringFunc::Length => Arc::new(s.iter().map(|v| v.map(|t| t.chars().count() as i64)).collect::<Int64Array>()),
    })
}
