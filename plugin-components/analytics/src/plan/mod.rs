//! Logical plans: a tree of relational operators over bound expressions, what the binder builds
//! from SQL, the optimizer rewrites (push-down, join order, constant folding) and the executor
//! runs. Each node knows its output schema; column references are indices into the input's.
//!
//! - [`expr`]: bound expressions, aggregate and window calls;
//! - [`explain`]: the plan as indented text.

pub mod explain;
pub mod expr;

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{Field, Schema, SchemaRef};

use crate::error::Result;

pub use expr::{AggCall, BinaryOp, Expr, Frame, FrameBound, Literal, SortExpr, WindowCall};

/// Where scans find their tables.
pub trait Tables {
    /// The batches of the table registered as `name`.
    fn batches(&self, name: &str) -> Result<&[RecordBatch]>;
}

/// How a join keeps unmatched rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinKind {
    /// Matched pairs only.
    Inner,
    /// Every left row; right columns NULL where unmatched.
    Left,
    /// Every right row; left columns NULL where unmatched.
    Right,
    /// Every row of both.
    Full,
    /// Left rows with at least one match (right columns not output).
    Semi,
    /// Left rows with no match (right columns not output).
    Anti,
}

impl JoinKind {
    /// The kind as SQL spells it.
    pub fn name(self) -> &'static str {
        match self {
            JoinKind::Inner => "INNER",
            JoinKind::Left => "LEFT",
            JoinKind::Right => "RIGHT",
            JoinKind::Full => "FULL",
            JoinKind::Semi => "SEMI",
            JoinKind::Anti => "ANTI",
        }
    }
}

/// How an aggregation runs: in one pass, as partial states of one part of the input, or as the
/// merge of partial states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AggMode {
    /// Input rows to final values.
    Single,
    /// Input rows to one row of states per group (the group keys, then each aggregate's state
    /// columns).
    Partial,
    /// Rows of states (a `Partial`'s output, from any number of parts) to final values.
    Final,
}

/// A logical plan node.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// Rows of a session table: only the `projection` columns, only rows where every filter holds.
    Scan {
        /// The table's name in the session.
        table: String,
        /// The table's column indices read, in output order.
        projection: Vec<usize>,
        /// Conjuncts over the output columns, applied while scanning.
        filters: Vec<Expr>,
        /// The output schema (the projected columns).
        schema: SchemaRef,
    },
    /// A relation given inline: `SELECT` without `FROM` (one row, no columns), `VALUES`, or the
    /// partial states a merge starts from.
    Values {
        /// The schema.
        schema: SchemaRef,
        /// The rows.
        batches: Vec<arrow_array::RecordBatch>,
    },
    /// Rows where the predicate is true.
    Filter {
        /// The input.
        input: Box<Plan>,
        /// A boolean expression over the input.
        predicate: Expr,
    },
    /// One output column per expression.
    Project {
        /// The input.
        input: Box<Plan>,
        /// The expressions over the input.
        exprs: Vec<Expr>,
        /// The output schema (names and types of the expressions).
        schema: SchemaRef,
    },
    /// Grouping and aggregates: the group keys, then one column per aggregate (in `Partial` mode,
    /// each aggregate's state columns).
    Aggregate {
        /// The input.
        input: Box<Plan>,
        /// The group keys over the input (none: one group of every row, even of no rows).
        groups: Vec<Expr>,
        /// The aggregate calls over the input.
        aggregates: Vec<AggCall>,
        /// How it runs.
        mode: AggMode,
        /// The output schema.
        schema: SchemaRef,
    },
    /// The input's columns followed by one column per window call.
    Window {
        /// The input.
        input: Box<Plan>,
        /// The calls over the input.
        windows: Vec<WindowCall>,
        /// The output schema.
        schema: SchemaRef,
    },
    /// Rows in order; with `fetch`, only the first rows (a top-N).
    Sort {
        /// The input.
        input: Box<Plan>,
        /// The keys, most significant first.
        keys: Vec<SortExpr>,
        /// Keep only this many rows.
        fetch: Option<usize>,
    },
    /// `OFFSET` and `LIMIT`.
    Limit {
        /// The input.
        input: Box<Plan>,
        /// Rows to skip.
        offset: usize,
        /// Rows to keep after those, all when `None`.
        fetch: Option<usize>,
    },
    /// Each distinct row once.
    Distinct {
        /// The input.
        input: Box<Plan>,
    },
    /// A join: pairs whose `on` keys are equal (NULL keys match nothing) and where `filter` holds.
    Join {
        /// The left (probe) input.
        left: Box<Plan>,
        /// The right input.
        right: Box<Plan>,
        /// How unmatched rows are kept.
        kind: JoinKind,
        /// Equality keys: an expression over the left input and one over the right.
        on: Vec<(Expr, Expr)>,
        /// A further condition over the joined row (left columns, then right).
        filter: Option<Expr>,
        /// The output schema: left then right columns (left only for semi and anti joins).
        schema: SchemaRef,
    },
    /// `UNION ALL`: every input's rows, cast to one schema.
    Union {
        /// The inputs (their schemas equal the output's).
        inputs: Vec<Plan>,
        /// The output schema.
        schema: SchemaRef,
    },
}

impl Plan {
    /// The output schema.
    pub fn schema(&self) -> SchemaRef {
        match self {
            Plan::Scan { schema, .. }
            | Plan::Values { schema, .. }
            | Plan::Project { schema, .. }
            | Plan::Aggregate { schema, .. }
            | Plan::Window { schema, .. }
            | Plan::Join { schema, .. }
            | Plan::Union { schema, .. } => schema.clone(),
            Plan::Filter { input, .. }
            | Plan::Sort { input, .. }
            | Plan::Limit { input, .. }
            | Plan::Distinct { input } => input.schema(),
        }
    }

    /// The node's inputs.
    pub fn inputs(&self) -> Vec<&Plan> {
        match self {
            Plan::Scan { .. } | Plan::Values { .. } => vec![],
            Plan::Filter { input, .. }
            | Plan::Project { input, .. }
            | Plan::Aggregate { input, .. }
            | Plan::Window { input, .. }
            | Plan::Sort { input, .. }
            | Plan::Limit { input, .. }
            | Plan::Distinct { input } => vec![input],
            Plan::Join { left, right, .. } => vec![left, right],
            Plan::Union { inputs, .. } => inputs.iter().collect(),
        }
    }

    /// A projection of the input's columns `indices`, in that order.
    pub fn project_columns(input: Plan, indices: &[usize]) -> Plan {
        let schema = input.schema();
        let fields: Vec<Field> =
            indices.iter().filter_map(|&i| schema.fields().get(i)).map(|f| f.as_ref().clone()).collect();
        Plan::Project {
            input: Box::new(input),
            exprs: indices.iter().map(|&i| Expr::Column(i)).collect(),
            schema: Arc::new(Schema::new(fields)),
        }
    }
}

/// A query ready to run: the main plan and the uncorrelated subqueries its expressions refer to
/// by index.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The main plan.
    pub plan: Plan,
    /// Subqueries, each run at most once.
    pub subqueries: Vec<Plan>,
}
