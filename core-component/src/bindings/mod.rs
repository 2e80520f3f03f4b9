//! The WIT edge: one file per interface of `wit/`, each converting between the generated binding
//! types and the plain modules, and nothing else. `CoreError` becomes `arrow-error` in one place
//! ([`types`]); no logic lives here.
//!
//! Every exported function runs inside [`guard`] (each `impl` is wrapped whole by [`guarded!`]):
//! in a build with unwinding, a panic anywhere below (a dependency's decoder meeting bytes it did
//! not expect) comes back as `arrow-error { code: internal }` naming the panic, and the instance,
//! its handles and every other table stay valid. Unwinding out of an export would abort, so the
//! catch has to be here. In a `panic = "abort"` build the guard catches nothing and a panic traps.

#[macro_use]
mod guard;

mod csv;
mod ndjson;
mod parquet;
mod registry;
mod streaming;
mod table;
mod types;
mod validation;

use crate::error::CoreError;

wit_bindgen::generate!({
    path: "../wit",
    world: "core",
});

use exports::arrow::core::types as wit;

/// A table handle as the bindings hand it out.
type Handle = exports::arrow::core::table::Table;

struct Component;

export!(Component);

/// What every exported function returns: the `arrow-error` of `CoreError` through `?`.
type WitResult<T> = Result<T, wit::ArrowError>;

pub(crate) fn field_specs(specs: Option<Vec<wit::FieldSpec>>) -> Option<Vec<crate::schema::FieldSpec>> {
    specs.map(|v| {
        v.into_iter()
            .map(|f| crate::schema::FieldSpec { name: f.name, arrow_type: f.arrow_type, nullable: f.nullable })
            .collect()
    })
}

#[cfg_attr(not(any(feature = "parquet", feature = "csv", feature = "json")), allow(dead_code))]
pub(crate) fn opt_usize(v: Option<u32>) -> Option<usize> {
    v.map(|n| n as usize)
}

#[cfg_attr(all(feature = "parquet", feature = "csv", feature = "json"), allow(dead_code))]
pub(crate) fn left_out(what: &str) -> wit::ArrowError {
    CoreError::UnsupportedFormat(format!("this build of the core leaves {what} out")).into()
}
