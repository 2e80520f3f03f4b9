//! A session: tables registered once (copied in, normalised, kept as record batches), queries run
//! over them, and a memory budget that the tables and every running operator share. Crossing the
//! budget is a `limit-exceeded` error, never a trap, and the session stays usable.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

pub use crate::budget::{Budget, Reservation};
use crate::error::{AnalyticsError, ErrorKind, Result};
use crate::exec::{self, ExecContext, Tables};
use crate::plan::{self, AggMode, Plan, Query};
use crate::sql::{self, Catalog};

/// The default memory budget: 1 GiB.
pub const DEFAULT_MEMORY_LIMIT: u64 = 1 << 30;

/// A registered table.
#[derive(Debug, Clone)]
struct Registered {
    name: String,
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    bytes: u64,
}

/// What a registered table holds, for listings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableInfo {
    /// The name it was registered under.
    pub name: String,
    /// Rows.
    pub rows: u64,
    /// Columns.
    pub columns: u32,
    /// Bytes held.
    pub bytes: u64,
}

/// A query result: a schema and batches.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The schema.
    pub schema: SchemaRef,
    /// The rows.
    pub batches: Vec<RecordBatch>,
}

/// Registered tables and the budget.
#[derive(Debug)]
pub struct Session {
    tables: BTreeMap<String, Registered>,
    budget: Budget,
}

impl Default for Session {
    fn default() -> Self {
        Self::new(DEFAULT_MEMORY_LIMIT)
    }
}

/// A column type the engine computes on: dictionaries decoded, large and view strings and
/// binaries as their 32-bit-offset forms, narrow decimals as `decimal128`, `date64` as `date32`,
/// `float16` as `float32`. Nested types are kept as they are.
pub fn normalized_type(t: &DataType) -> DataType {
    match t {
        DataType::Dictionary(_, v) => normalized_type(v),
        DataType::LargeUtf8 | DataType::Utf8View => DataType::Utf8,
        DataType::LargeBinary | DataType::BinaryView => DataType::Binary,
        DataType::Decimal32(p, s) | DataType::Decimal64(p, s) => DataType::Decimal128(*p, *s),
        DataType::Date64 => DataType::Date32,
        DataType::Float16 => DataType::Float32,
        other => other.clone(),
    }
}

fn normalize_batch(schema: &SchemaRef, b: &RecordBatch) -> Result<RecordBatch> {
    let columns = b
        .columns()
        .iter()
        .zip(schema.fields())
        .map(
            |(c, f)| {
                if c.data_type() == f.data_type() { Ok(c.clone()) } else { Ok(arrow_cast::cast(c, f.data_type())?) }
            },
        )
        .collect::<Result<Vec<ArrayRef>>>()?;
    let options = RecordBatchOptions::new().with_row_count(Some(b.num_rows()));
    Ok(RecordBatch::try_new_with_options(schema.clone(), columns, &options)?)
}

fn normalized_schema(schema: &Schema) -> SchemaRef {
    let fields: Vec<Field> =
        schema.fields().iter().map(|f| f.as_ref().clone().with_data_type(normalized_type(f.data_type()))).collect();
    Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()))
}

impl Catalog for Session {
    fn table(&self, name: &str) -> Option<(String, SchemaRef)> {
        self.tables.get(&name.to_lowercase()).map(|t| (t.name.to_lowercase(), t.schema.clone()))
    }

    fn table_names(&self) -> Vec<String> {
        self.tables.values().map(|t| t.name.clone()).collect()
    }
}

impl Tables for Session {
    fn batches(&self, name: &str) -> Result<&[RecordBatch]> {
        self.tables
            .get(&name.to_lowercase())
            .map(|t| t.batches.as_slice())
            .ok_or_else(|| AnalyticsError::new(ErrorKind::UnknownTable, format!("no table named {name}")))
    }
}

impl Session {
    /// A session with a memory budget of `memory_limit` bytes.
    pub fn new(memory_limit: u64) -> Self {
        Session { tables: BTreeMap::new(), budget: Budget::new(memory_limit) }
    }

    /// The budget.
    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// Register batches as table `name` (names are case-insensitive and must be new).
    pub fn register(&mut self, name: &str, schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<()> {
        if name.trim().is_empty() {
            return Err(AnalyticsError::argument("a table name cannot be empty"));
        }
        let key = name.to_lowercase();
        if self.tables.contains_key(&key) {
            return Err(AnalyticsError::argument(format!(
                "a table named {name} is already registered (unregister it first, or append)"
            )));
        }
        let norm = normalized_schema(&schema);
        let batches = batches
            .iter()
            .filter(|b| b.num_rows() > 0)
            .map(|b| normalize_batch(&norm, b))
            .collect::<Result<Vec<_>>>()?;
        let bytes = held_bytes(&batches);
        self.budget.take(bytes, "registering the table")?;
        self.tables.insert(key, Registered { name: name.to_string(), schema: norm, batches, bytes });
        Ok(())
    }

    /// Append batches to table `name`; their columns must match its schema (names and types, up
    /// to the normalisation registration applies).
    pub fn append(&mut self, name: &str, schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<()> {
        let key = name.to_lowercase();
        let t = self.tables.get(&key).ok_or_else(|| {
            AnalyticsError::new(ErrorKind::UnknownTable, format!("no table named {name} to append to"))
        })?;
        let norm = normalized_schema(&schema);
        if norm.fields().len() != t.schema.fields().len()
            || norm
                .fields()
                .iter()
                .zip(t.schema.fields())
                .any(|(a, b)| a.name() != b.name() || a.data_type() != b.data_type())
        {
            return Err(AnalyticsError::argument(format!(
                "the appended rows' columns differ from {name}'s: {} against {}",
                describe(&norm),
                describe(&t.schema)
            )));
        }
        let target = t.schema.clone();
        let batches = batches
            .iter()
            .filter(|b| b.num_rows() > 0)
            .map(|b| normalize_batch(&target, b))
            .collect::<Result<Vec<_>>>()?;
        let bytes = held_bytes(&batches);
        self.budget.take(bytes, "appending to the table")?;
        if let Some(t) = self.tables.get_mut(&key) {
            t.batches.extend(batches);
            t.bytes += bytes;
        }
        Ok(())
    }

    /// Drop table `name` and give its memory back.
    pub fn unregister(&mut self, name: &str) -> Result<()> {
        match self.tables.remove(&name.to_lowercase()) {
            Some(t) => {
                self.budget.give(t.bytes);
                Ok(())
            }
            None => Err(AnalyticsError::new(ErrorKind::UnknownTable, format!("no table named {name} to unregister"))),
        }
    }

    /// The registered tables.
    pub fn tables(&self) -> Vec<TableInfo> {
        self.tables
            .values()
            .map(|t| TableInfo {
                name: t.name.clone(),
                rows: t.batches.iter().map(|b| b.num_rows() as u64).sum(),
                columns: t.schema.fields().len() as u32,
                bytes: t.bytes,
            })
            .collect()
    }

    /// Bind and optimize `sql`.
    pub fn plan(&self, sql: &str, params: &[ArrayRef]) -> Result<Query> {
        check_params(params)?;
        let q = sql::plan(sql, params, self)?;
        crate::optimize::optimize(q)
    }

    /// Run `sql` with its parameters.
    pub fn query(&self, sql: &str, params: &[ArrayRef]) -> Result<Answer> {
        let q = self.plan(sql, params)?;
        self.run(&q)
    }

    /// Run a bound query.
    pub fn run(&self, q: &Query) -> Result<Answer> {
        let ctx = ExecContext::new(self, q, &self.budget);
        let batches = exec::collect(&q.plan, &ctx)?;
        Ok(Answer { schema: q.plan.schema(), batches })
    }

    /// The plan of `sql`, as text.
    pub fn explain(&self, sql: &str, params: &[ArrayRef]) -> Result<String> {
        let q = self.plan(sql, params)?;
        Ok(plan::explain::explain(&q, self))
    }

    /// Split aggregation, first half: run the query's grouping over this session's rows and
    /// return its partial states (the group keys, then each aggregate's state columns), for
    /// [`Session::query_merge`] to combine with other parts' states.
    pub fn query_partial(&self, sql: &str, params: &[ArrayRef]) -> Result<Answer> {
        let q = self.plan(sql, params)?;
        let agg = split_point(&q)?;
        let Plan::Aggregate { input, groups, aggregates, .. } = agg else {
            return Err(AnalyticsError::internal("the split point is not a grouping"));
        };
        let schema = partial_schema(&input.schema(), groups, aggregates)?;
        let partial = Query {
            plan: Plan::Aggregate {
                input: input.clone(),
                groups: groups.clone(),
                aggregates: aggregates.clone(),
                mode: AggMode::Partial,
                schema,
            },
            subqueries: q.subqueries.clone(),
        };
        self.run(&partial)
    }

    /// Split aggregation, second half: merge partial states (from [`Session::query_partial`] of
    /// the same query and parameters on each part) and finish the query: the answer equals the
    /// query run over all the parts' rows at once. The session needs the query's tables
    /// registered (empty ones do: only their schemas are used).
    pub fn query_merge(&self, sql: &str, params: &[ArrayRef], partials: Vec<RecordBatch>) -> Result<Answer> {
        let q = self.plan(sql, params)?;
        let agg = split_point(&q)?;
        let Plan::Aggregate { input, groups, aggregates, schema, .. } = agg else {
            return Err(AnalyticsError::internal("the split point is not a grouping"));
        };
        let expected = partial_schema(&input.schema(), groups, aggregates)?;
        let mut batches = Vec::with_capacity(partials.len());
        for (i, b) in partials.iter().enumerate() {
            let columns_match = b.num_columns() == expected.fields().len()
                && b.columns().iter().zip(expected.fields()).all(|(c, f)| c.data_type() == f.data_type());
            if !columns_match {
                return Err(AnalyticsError::argument(format!(
                    "partial {i} has columns {} where this query's states are {}",
                    describe(&b.schema()),
                    describe(&expected)
                )));
            }
            let options = RecordBatchOptions::new().with_row_count(Some(b.num_rows()));
            batches.push(RecordBatch::try_new_with_options(expected.clone(), b.columns().to_vec(), &options)?);
        }
        let merge = Plan::Aggregate {
            input: Box::new(Plan::Values { schema: expected.clone(), batches }),
            groups: (0..groups.len()).map(plan::Expr::Column).collect(),
            aggregates: aggregates.clone(),
            mode: AggMode::Final,
            schema: schema.clone(),
        };
        let target: *const Plan = agg;
        let plan = replace_node(q.plan.clone(), target, &q.plan, merge);
        self.run(&Query { plan, subqueries: q.subqueries })
    }
}

fn describe(s: &Schema) -> String {
    let parts: Vec<String> = s.fields().iter().map(|f| format!("{} {}", f.name(), f.data_type())).collect();
    format!("({})", parts.join(", "))
}

fn check_params(params: &[ArrayRef]) -> Result<()> {
    for (i, p) in params.iter().enumerate() {
        if p.len() != 1 {
            return Err(AnalyticsError::argument(format!("parameter ${} must be one value, not {}", i + 1, p.len())));
        }
    }
    Ok(())
}

/// The grouping a split query runs in parts: the only `Aggregate` of the plan, over a single
/// table's scan, filters and projections; every aggregate decomposable.
fn split_point(q: &Query) -> Result<&Plan> {
    if !q.subqueries.is_empty() {
        return Err(AnalyticsError::unsupported("split aggregation of a query with subqueries"));
    }
    let mut found: Vec<&Plan> = Vec::new();
    fn walk<'a>(p: &'a Plan, found: &mut Vec<&'a Plan>) {
        if matches!(p, Plan::Aggregate { .. }) {
            found.push(p);
        }
        for i in p.inputs() {
            walk(i, found);
        }
    }
    walk(&q.plan, &mut found);
    let agg = match found.as_slice() {
        [one] => *one,
        [] => return Err(AnalyticsError::unsupported("split aggregation of a query without GROUP BY or aggregates")),
        _ => return Err(AnalyticsError::unsupported("split aggregation of a query with more than one grouping")),
    };
    let Plan::Aggregate { input, aggregates, .. } = agg else { return Err(AnalyticsError::internal("not a grouping")) };
    fn simple(p: &Plan) -> bool {
        match p {
            Plan::Scan { .. } => true,
            Plan::Filter { input, .. } | Plan::Project { input, .. } => simple(input),
            _ => false,
        }
    }
    if !simple(input) {
        return Err(AnalyticsError::unsupported(
            "split aggregation over joins, windows, sorts, limits or DISTINCT (only one table's rows, filtered and computed, can be split)",
        ));
    }
    for a in aggregates {
        let distinct_ok = matches!(
            a.func,
            crate::functions::aggregate::AggFunc::Min
                | crate::functions::aggregate::AggFunc::Max
                | crate::functions::aggregate::AggFunc::ApproxCountDistinct
        );
        if !a.func.mergeable() || (a.distinct && !distinct_ok) {
            let what = if a.distinct { format!("{}(DISTINCT ...)", a.func.name()) } else { a.func.name().to_string() };
            return Err(AnalyticsError::unsupported(format!(
                "split aggregation with {what}: its partial results do not merge"
            )));
        }
    }
    Ok(agg)
}

/// The columns of a grouping's partial states: the keys, then each aggregate's state columns.
fn partial_schema(input: &SchemaRef, groups: &[plan::Expr], aggregates: &[plan::AggCall]) -> Result<SchemaRef> {
    let mut fields: Vec<Field> =
        groups.iter().enumerate().map(|(i, g)| Field::new(format!("key_{i}"), g.data_type(input), true)).collect();
    for (i, a) in aggregates.iter().enumerate() {
        let opts: Vec<(bool, bool)> = a.order_by.iter().map(|o| (o.descending, o.nulls_first)).collect();
        let spec = exec::aggregate::spec_of(a, &opts);
        fields.extend(crate::functions::aggregate::state_fields(&spec, &format!("agg_{i}"))?);
    }
    Ok(Arc::new(Schema::new(fields)))
}

/// `plan` with the node at address `target` (a node of `original`, which `plan` is a clone of)
/// replaced by `with`.
fn replace_node(plan: Plan, target: *const Plan, original: &Plan, with: Plan) -> Plan {
    fn go(plan: Plan, original: &Plan, target: *const Plan, with: &mut Option<Plan>) -> Plan {
        if std::ptr::eq(original, target) {
            return with.take().unwrap_or(plan);
        }
        let Some(&child) = original.inputs().first() else { return plan };
        match plan {
            Plan::Filter { input, predicate } => {
                Plan::Filter { input: Box::new(go(*input, child, target, with)), predicate }
            }
            Plan::Project { input, exprs, schema } => {
                Plan::Project { input: Box::new(go(*input, child, target, with)), exprs, schema }
            }
            Plan::Sort { input, keys, fetch } => {
                Plan::Sort { input: Box::new(go(*input, child, target, with)), keys, fetch }
            }
            Plan::Limit { input, offset, fetch } => {
                Plan::Limit { input: Box::new(go(*input, child, target, with)), offset, fetch }
            }
            Plan::Distinct { input } => Plan::Distinct { input: Box::new(go(*input, child, target, with)) },
            Plan::Window { input, windows, schema } => {
                Plan::Window { input: Box::new(go(*input, child, target, with)), windows, schema }
            }
            other => other,
        }
    }
    let mut with = Some(with);
    go(plan, original, target, &mut with)
}

/// The bytes a table's batches hold, each allocation counted once. Columns decoded from one IPC
/// message are slices of one buffer, so summing `get_array_memory_size` per column would count
/// that buffer once per column (a 5,000-row table would claim megabytes it does not hold).
fn held_bytes(batches: &[RecordBatch]) -> u64 {
    fn visit(data: &arrow_data::ArrayData, seen: &mut std::collections::HashMap<usize, usize>) {
        let nulls = data.nulls().map(|n| n.buffer());
        for b in data.buffers().iter().chain(nulls) {
            // An externally owned buffer reports no capacity: count its length instead.
            let size = if b.capacity() > 0 { b.capacity() } else { b.len() };
            let held = seen.entry(b.data_ptr().as_ptr() as usize).or_insert(0);
            *held = (*held).max(size);
        }
        for child in data.child_data() {
            visit(child, seen);
        }
    }
    let mut seen = std::collections::HashMap::new();
    for batch in batches {
        for column in batch.columns() {
            visit(&column.to_data(), &mut seen);
        }
    }
    seen.values().map(|&b| b as u64).sum()
}
