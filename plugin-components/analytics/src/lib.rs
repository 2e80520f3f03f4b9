//! The arrow-rs-wasm analytics plugin: SQL over core tables, answered with arrow-rs compute
//! kernels. Text becomes a plan, the plan is optimized, operators run it over record batches:
//!
//! - [`sql`]: `sqlparser` (DuckDB's dialect) and the binder: names, types, errors with positions;
//! - [`optimize`]: the plan rewrites (constant folding, push-down, join order);
//! - [`plan`]: logical plans, bound expressions and `explain`;
//! - [`expr`]: expressions evaluated on batches;
//! - [`functions`]: scalar, aggregate (mergeable accumulators) and window functions;
//! - [`types`]: what every layer shares: literals, operators, frames, DuckDB's type rules, casts;
//! - [`exec`]: the operators: scan, filter, project, hash aggregate, hash join, sort, window,
//!   limit, union, distinct;
//! - [`budget`]: the memory budget tables and operators share;
//! - [`session`]: registered tables, the memory budget, queries, split aggregation;
//! - [`error`]: the one error enum, with the place in the SQL text;
//! - `bindings` (wasm32 only): the thin WIT edge.
//!
//! Layers point one way (`scripts/check-layers.py` checks it), bottom up: `error`, `types`,
//! `functions` (signatures and kernels), `plan`, `expr`, `optimize`, `budget`, `exec`, `sql`,
//! `session`, `bindings`.

pub mod budget;
pub mod error;
pub mod exec;
pub mod expr;
pub mod functions;
pub mod optimize;
pub mod plan;
pub mod session;
pub mod sql;
pub mod types;

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
