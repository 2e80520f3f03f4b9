//! The arrow-rs-wasm analytics plugin: SQL over core tables, answered with arrow-rs compute
//! kernels. Text becomes a plan, the plan is optimized, operators run it over record batches:
//!
//! - [`sql`]: `sqlparser` (DuckDB's dialect) and the binder: names, types, errors with positions;
//! - [`plan`]: logical plans, their rewrites (push-down, join order, folding) and `explain`;
//! - [`expr`]: expressions evaluated on batches, DuckDB's type rules and casts;
//! - [`functions`]: scalar, aggregate (mergeable accumulators) and window functions;
//! - [`exec`]: the operators: scan, filter, project, hash aggregate, hash join, sort, window,
//!   limit, union, distinct;
//! - [`session`]: registered tables, the memory budget, queries, split aggregation;
//! - [`error`]: the one error enum, with the place in the SQL text;
//! - `bindings` (wasm32 only): the thin WIT edge.
//!
//! Layers point one way: `sql` builds `plan`s from `functions`' signatures; `exec` runs plans with
//! `expr` and `functions`; `session` drives them all; `bindings` drives `session`.

pub mod error;
pub mod exec;
pub mod expr;
pub mod functions;
pub mod plan;
pub mod session;
pub mod sql;

// The generated glue exports raw ABI functions, which the crate-wide `unsafe_code` lint forbids.
#[cfg(target_arch = "wasm32")]
#[allow(unsafe_code)]
mod bindings;

pub use error::{AnalyticsError, ErrorKind, Position};

/// The id the plugin registers under.
pub const PLUGIN_ID: &str = "io.arrow.plugin.analytics.v1";
/// The core API version the plugin is built against.
pub const CORE_API: &str = "0.1.0";
pub use session::{Answer, Session};
