//! Binding queries: `WITH`, set operations, `SELECT` blocks (in SQL's logical order: `FROM`,
//! `WHERE`, `GROUP BY` and aggregates, `HAVING`, windows, the select list, `DISTINCT`, `ORDER BY`,
//! `LIMIT`), and `FROM` with its joins and subqueries.
//!
//! Aggregates and window calls met in an expression are collected and replaced by markers (a
//! column index past [`AGG_MARK`] or [`WINDOW_MARK`]); once the grouping is built, expressions
//! are rewritten over its output: a subtree equal to a group key becomes that key's column, an
//! aggregate marker its aggregate's column, and any other column of the input is an error (it is
//! neither grouped nor aggregated).

mod expr;

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::{DataType, Field, Schema};
use sqlparser::ast::{self, Spanned};

use super::Catalog;
use super::scope::{Scope, ScopeColumn};
use crate::error::{AnalyticsError, ErrorKind, Position, Result, closest};
use crate::plan::{AggCall, AggMode, Expr, JoinKind, Plan, Query, SortExpr, WindowCall};
use expr::ExprCx;

/// Column indices at and above this are aggregate markers (`AGG_MARK + i` = aggregate `i`).
pub const AGG_MARK: usize = 1 << 30;
/// Column indices at and above this (and below [`AGG_MARK`]) are window markers.
pub const WINDOW_MARK: usize = 1 << 29;

/// The most tables (and subqueries) one `FROM` clause may join: plans are trees as deep as their
/// joins, walked recursively.
pub const MAX_RELATIONS: usize = 64;

/// The position of an AST node, when sqlparser tracked one.
pub fn pos_of(node: &impl Spanned) -> Option<Position> {
    Position::from_location(node.span().start)
}

/// The position of an identifier.
pub fn ident_pos(i: &ast::Ident) -> Option<Position> {
    Position::from_location(i.span.start)
}

/// A common table expression in scope.
#[derive(Debug, Clone)]
struct Cte {
    name: String,
    plan: Plan,
    scope: Scope,
}

/// Binds one statement; holds what its parts share (parameters, subqueries, CTEs, outer scopes).
pub struct Binder<'a> {
    pub(crate) catalog: &'a dyn Catalog,
    pub(crate) params: &'a [ArrayRef],
    pub(crate) subqueries: Vec<Plan>,
    ctes: Vec<Cte>,
    /// The scopes of the queries enclosing the one being bound: a name found only there makes a
    /// correlated subquery, which is refused.
    pub(crate) outer: Vec<Scope>,
    /// The next `?` parameter.
    pub(crate) next_param: usize,
    pub(crate) depth: usize,
}

/// What a select list item binds to.
struct Item {
    expr: Expr,
    name: String,
}

impl<'a> Binder<'a> {
    /// A binder over `catalog` with these parameter values.
    pub fn new(catalog: &'a dyn Catalog, params: &'a [ArrayRef]) -> Self {
        Binder { catalog, params, subqueries: Vec::new(), ctes: Vec::new(), outer: Vec::new(), next_param: 0, depth: 0 }
    }

    /// Bind a whole statement.
    pub fn bind_statement(mut self, q: &ast::Query) -> Result<Query> {
        let (plan, _) = self.bind_query(q)?;
        Ok(Query { plan, subqueries: self.subqueries })
    }

    pub(crate) fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > super::MAX_DEPTH {
            return Err(AnalyticsError::new(
                ErrorKind::Parse,
                format!("the query nests deeper than {} levels", super::MAX_DEPTH),
            ));
        }
        Ok(())
    }

    /// Bind a query (with its `WITH`, `ORDER BY` and `LIMIT`) to a plan and its output scope.
    pub fn bind_query(&mut self, q: &ast::Query) -> Result<(Plan, Scope)> {
        self.enter()?;
        let ctes_before = self.ctes.len();
        let result = self.bind_query_inner(q);
        self.ctes.truncate(ctes_before);
        self.depth -= 1;
        result
    }

    fn bind_query_inner(&mut self, q: &ast::Query) -> Result<(Plan, Scope)> {
        if q.fetch.is_some()
            || !q.locks.is_empty()
            || q.for_clause.is_some()
            || q.settings.is_some()
            || q.format_clause.is_some()
            || !q.pipe_operators.is_empty()
        {
            return Err(AnalyticsError::unsupported("FETCH, FOR, SETTINGS, FORMAT and pipe operators").at(pos_of(q)));
        }
        if let Some(with) = &q.with {
            if with.recursive {
                return Err(AnalyticsError::unsupported("WITH RECURSIVE").at(pos_of(with)));
            }
            for cte in &with.cte_tables {
                let (plan, scope) = self.bind_query(&cte.query)?;
                let name = cte.alias.name.value.to_lowercase();
                let scope = requalify(scope, &name, &cte.alias.columns, ident_pos(&cte.alias.name))?;
                let plan = rename_outputs(plan, &scope);
                self.ctes.push(Cte { name, plan, scope });
            }
        }
        // `ORDER BY ALL` (DuckDB): every output column, left to right, after the select list.
        let (order_by, order_all): (&[ast::OrderByExpr], _) = match &q.order_by {
            Some(o) => match &o.kind {
                ast::OrderByKind::Expressions(items) => (items.as_slice(), None),
                ast::OrderByKind::All(options) => (&[], Some(options)),
            },
            None => (&[], None),
        };
        let (mut plan, scope) = match q.body.as_ref() {
            ast::SetExpr::Select(s) => self.bind_select(s, order_by)?,
            body => {
                let (plan, scope) = self.bind_set_expr(body)?;
                if order_by.is_empty() { (plan, scope) } else { self.order_outputs(plan, scope, order_by)? }
            }
        };
        if let Some(options) = order_all {
            let (descending, nulls_first) = sort_options(options);
            let keys =
                (0..scope.columns.len()).map(|i| SortExpr { expr: Expr::Column(i), descending, nulls_first }).collect();
            plan = Plan::Sort { input: Box::new(plan), keys, fetch: None };
        }
        if let Some(limit) = &q.limit_clause {
            let (limit, offset) = match limit {
                ast::LimitClause::LimitOffset { limit, offset, limit_by } => {
                    if !limit_by.is_empty() {
                        return Err(AnalyticsError::unsupported("LIMIT BY").at(pos_of(q)));
                    }
                    (limit.as_ref(), offset.as_ref().map(|o| &o.value))
                }
                ast::LimitClause::OffsetCommaLimit { offset, limit } => (Some(limit), Some(offset)),
            };
            let fetch = match limit {
                Some(e) => self.constant_count(e, "LIMIT")?,
                None => None,
            };
            let offset = match offset {
                Some(e) => self.constant_count(e, "OFFSET")?.unwrap_or(0),
                None => 0,
            };
            plan = Plan::Limit { input: Box::new(plan), offset, fetch };
        }
        Ok((plan, scope))
    }

    /// A `LIMIT`/`OFFSET` value: a non-negative integer constant (`NULL` or `ALL`: no limit).
    fn constant_count(&mut self, e: &ast::Expr, what: &'static str) -> Result<Option<usize>> {
        let empty = Scope::default();
        let mut cx = ExprCx::new(&empty, what);
        let bound = self.bind_expr(e, &mut cx)?;
        let value = crate::optimize::fold(bound)?;
        let bad = || AnalyticsError::invalid(format!("{what} takes a non-negative integer")).at(pos_of(e));
        match value {
            Expr::Literal(l) if l.is_null() => Ok(None),
            Expr::Literal(l) => {
                let v = crate::types::cast::cast(&l.0, &DataType::Int64, false).map_err(|_| bad())?;
                let v = super::types::integer_value(&v).ok_or_else(bad)?;
                usize::try_from(v).map(Some).map_err(|_| bad())
            }
            _ => Err(bad()),
        }
    }

    fn bind_set_expr(&mut self, body: &ast::SetExpr) -> Result<(Plan, Scope)> {
        self.enter()?;
        let r = self.bind_set_expr_inner(body);
        self.depth -= 1;
        r
    }

    fn bind_set_expr_inner(&mut self, body: &ast::SetExpr) -> Result<(Plan, Scope)> {
        match body {
            ast::SetExpr::Select(s) => self.bind_select(s, &[]),
            ast::SetExpr::Query(q) => self.bind_query(q),
            ast::SetExpr::Values(v) => self.bind_values(v),
            ast::SetExpr::SetOperation { left, op, set_quantifier, right } => {
                let (lp, ls) = self.bind_set_expr(left)?;
                let (rp, rs) = self.bind_set_expr(right)?;
                if ls.columns.len() != rs.columns.len() {
                    return Err(AnalyticsError::invalid(format!(
                        "{op} needs inputs with as many columns: {} against {}",
                        ls.columns.len(),
                        rs.columns.len()
                    )));
                }
                let mut fields = Vec::new();
                for (l, r) in ls.columns.iter().zip(&rs.columns) {
                    let t = crate::types::coerce::common_type(&l.data_type, &r.data_type).ok_or_else(|| {
                        AnalyticsError::types(format!(
                            "{op} column {:?} is {} on one side and {} on the other",
                            l.name, l.data_type, r.data_type
                        ))
                    })?;
                    fields.push(Field::new(&l.name, t, l.nullable || r.nullable));
                }
                let schema = Arc::new(Schema::new(fields));
                let lp = cast_to(lp, &schema);
                let rp = cast_to(rp, &schema);
                let all = matches!(set_quantifier, ast::SetQuantifier::All);
                let scope = Scope::from_schema(&schema, None);
                let plan = match op {
                    ast::SetOperator::Union => {
                        let u = Plan::Union { inputs: vec![lp, rp], schema };
                        if all { u } else { Plan::Distinct { input: Box::new(u) } }
                    }
                    ast::SetOperator::Intersect | ast::SetOperator::Except => {
                        if all {
                            return Err(AnalyticsError::unsupported(format!("{op} ALL")));
                        }
                        let kind =
                            if matches!(op, ast::SetOperator::Intersect) { JoinKind::Semi } else { JoinKind::Anti };
                        let n = schema.fields().len();
                        // Set semantics: NULLs match NULLs, so the condition is IS NOT DISTINCT FROM.
                        let filter = Expr::and_all((0..n).map(|i| Expr::IsDistinctFrom {
                            left: Box::new(Expr::Column(i)),
                            right: Box::new(Expr::Column(n + i)),
                            negated: true,
                        }));
                        Plan::Join {
                            left: Box::new(Plan::Distinct { input: Box::new(lp) }),
                            right: Box::new(rp),
                            kind,
                            on: vec![],
                            filter,
                            schema,
                        }
                    }
                    other => return Err(AnalyticsError::unsupported(format!("the set operator {other}"))),
                };
                Ok((plan, scope))
            }
            other => Err(AnalyticsError::unsupported(format!("{other} as a query")).at(pos_of(other))),
        }
    }

    fn bind_values(&mut self, v: &ast::Values) -> Result<(Plan, Scope)> {
        let empty = Scope::default();
        let mut rows: Vec<Vec<Expr>> = Vec::new();
        for row in &v.rows {
            let mut cx = ExprCx::new(&empty, "VALUES");
            let exprs = row
                .iter()
                .map(|e| self.bind_expr(e, &mut cx).and_then(crate::optimize::fold))
                .collect::<Result<Vec<_>>>()?;
            if let Some(first) = rows.first()
                && first.len() != exprs.len()
            {
                return Err(AnalyticsError::invalid("VALUES rows must have as many values each"));
            }
            rows.push(exprs);
        }
        let width = rows.first().map_or(0, Vec::len);
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(width);
        let mut fields = Vec::with_capacity(width);
        for c in 0..width {
            let mut t = DataType::Null;
            for r in &rows {
                if let Some(Expr::Literal(l)) = r.get(c) {
                    t = crate::types::coerce::common_type(&t, l.data_type())
                        .ok_or_else(|| AnalyticsError::types(format!("VALUES column {} mixes types", c + 1)))?;
                } else {
                    return Err(AnalyticsError::unsupported("VALUES entries that are not constants"));
                }
            }
            let parts = rows
                .iter()
                .filter_map(|r| match r.get(c) {
                    Some(Expr::Literal(l)) => Some(crate::types::cast::cast(&l.0, &t, false)),
                    _ => None,
                })
                .collect::<Result<Vec<_>>>()?;
            let refs: Vec<&dyn arrow_array::Array> = parts.iter().map(|a| a.as_ref()).collect();
            columns.push(arrow_select::concat::concat(&refs)?);
            fields.push(Field::new(format!("col{c}"), t, true));
        }
        let schema = Arc::new(Schema::new(fields));
        let options = RecordBatchOptions::new().with_row_count(Some(rows.len()));
        let batch = RecordBatch::try_new_with_options(schema.clone(), columns, &options)?;
        let scope = Scope::from_schema(&schema, Some("valueslist"));
        Ok((Plan::Values { schema, batches: vec![batch] }, scope))
    }

    /// A SELECT block, with the query's `ORDER BY` (which may use columns the list leaves out).
    fn bind_select(&mut self, s: &ast::Select, order_by: &[ast::OrderByExpr]) -> Result<(Plan, Scope)> {
        let unsupported = |what: &str| AnalyticsError::unsupported(what.to_string()).at(pos_of(s));
        if s.top.is_some() || s.into.is_some() || !s.lateral_views.is_empty() || s.prewhere.is_some() {
            return Err(unsupported("TOP, INTO, LATERAL VIEW and PREWHERE"));
        }
        if !s.cluster_by.is_empty()
            || !s.distribute_by.is_empty()
            || !s.sort_by.is_empty()
            || !s.named_window.is_empty()
        {
            return Err(unsupported("CLUSTER BY, DISTRIBUTE BY, SORT BY and named windows"));
        }
        if s.qualify.is_some() {
            return Err(unsupported("QUALIFY"));
        }
        if !s.connect_by.is_empty() {
            return Err(unsupported("CONNECT BY"));
        }

        // FROM
        let (mut plan, scope) = self.bind_from(&s.from)?;

        // WHERE
        if let Some(w) = &s.selection {
            let mut cx = ExprCx::new(&scope, "WHERE");
            let predicate = self.bind_expr(w, &mut cx)?;
            let predicate = expr::as_predicate(predicate, &plan.schema(), "WHERE", pos_of(w))?;
            plan = Plan::Filter { input: Box::new(plan), predicate };
        }

        // The select list, with aggregates and windows pulled out.
        let mut aggs: Vec<AggCall> = Vec::new();
        let mut windows: Vec<WindowCall> = Vec::new();
        let mut items: Vec<Item> = Vec::new();
        let mut item_asts: Vec<Option<&ast::Expr>> = Vec::new();
        for item in &s.projection {
            match item {
                ast::SelectItem::UnnamedExpr(e) => {
                    let mut cx = ExprCx::new(&scope, "SELECT").collect(&mut aggs, &mut windows);
                    let expr = self.bind_expr(e, &mut cx)?;
                    items.push(Item { expr, name: output_name(e) });
                    item_asts.push(Some(e));
                }
                ast::SelectItem::ExprWithAlias { expr: e, alias } => {
                    let mut cx = ExprCx::new(&scope, "SELECT").collect(&mut aggs, &mut windows);
                    let expr = self.bind_expr(e, &mut cx)?;
                    items.push(Item { expr, name: alias.value.clone() });
                    item_asts.push(Some(e));
                }
                ast::SelectItem::ExprWithAliases { .. } => return Err(unsupported("multiple aliases for one item")),
                ast::SelectItem::Wildcard(options) => {
                    let excluded = excluded_names(options)?;
                    for (i, c) in scope.columns.iter().enumerate() {
                        if !c.hidden && !excluded.iter().any(|x| x.eq_ignore_ascii_case(&c.name)) {
                            items.push(Item { expr: Expr::Column(i), name: c.name.clone() });
                            item_asts.push(None);
                        }
                    }
                    if scope.columns.is_empty() {
                        return Err(AnalyticsError::invalid("SELECT * with no FROM clause").at(pos_of(s)));
                    }
                }
                ast::SelectItem::QualifiedWildcard(kind, options) => {
                    let excluded = excluded_names(options)?;
                    let q = match kind {
                        ast::SelectItemQualifiedWildcardKind::ObjectName(n) => object_name(n).to_lowercase(),
                        ast::SelectItemQualifiedWildcardKind::Expr(e) => {
                            return Err(AnalyticsError::unsupported("a wildcard on an expression").at(pos_of(e)));
                        }
                    };
                    let before = items.len();
                    for (i, c) in scope.columns.iter().enumerate() {
                        if c.qualifier.as_deref() == Some(q.as_str())
                            && !excluded.iter().any(|x| x.eq_ignore_ascii_case(&c.name))
                        {
                            items.push(Item { expr: Expr::Column(i), name: c.name.clone() });
                            item_asts.push(None);
                        }
                    }
                    if items.len() == before {
                        return Err(scope.unknown(Some(&q), "*"));
                    }
                }
            }
        }

        // GROUP BY
        let mut groups: Vec<Expr> = Vec::new();
        let grouped;
        match &s.group_by {
            ast::GroupByExpr::All(modifiers) => {
                if !modifiers.is_empty() {
                    return Err(unsupported("GROUP BY modifiers (ROLLUP, CUBE, GROUPING SETS)"));
                }
                // Constant items are no keys (as in DuckDB: `SELECT 1, count(*) ... GROUP BY ALL`
                // over no rows is one row, and `SELECT 1 FROM t GROUP BY ALL` one row per row).
                for item in &items {
                    if !has_marker(&item.expr) && !item.expr.is_constant() && !groups.contains(&item.expr) {
                        groups.push(item.expr.clone());
                    }
                }
                grouped = !groups.is_empty();
            }
            ast::GroupByExpr::Expressions(exprs, modifiers) => {
                if !modifiers.is_empty() {
                    return Err(unsupported("GROUP BY modifiers (ROLLUP, CUBE, GROUPING SETS)"));
                }
                grouped = !exprs.is_empty();
                for e in exprs {
                    let g = self.bind_group_key(e, &scope, &items, &item_asts)?;
                    if has_marker(&g) {
                        return Err(
                            AnalyticsError::invalid("GROUP BY cannot hold aggregate or window functions").at(pos_of(e))
                        );
                    }
                    if !groups.contains(&g) {
                        groups.push(g);
                    }
                }
            }
        }

        // HAVING
        let having = match &s.having {
            Some(h) => {
                let mut cx = ExprCx::new(&scope, "HAVING").collect(&mut aggs, &mut windows);
                let e = self.bind_expr(h, &mut cx)?;
                Some((e, pos_of(h)))
            }
            None => None,
        };
        if let Some((e, at)) = &having
            && e.any(&mut |x| matches!(x, Expr::Column(c) if (WINDOW_MARK..AGG_MARK).contains(c)))
        {
            return Err(AnalyticsError::invalid("HAVING cannot hold window functions").at(*at));
        }

        // ORDER BY: an output name or position, or any expression over the input.
        let mut order_keys: Vec<(OrderTarget, bool, bool)> = Vec::new();
        for o in order_by {
            let (descending, nulls_first) = sort_options(&o.options);
            if o.with_fill.is_some() {
                return Err(AnalyticsError::unsupported("WITH FILL").at(pos_of(&o.expr)));
            }
            let target = match output_reference(&o.expr, &items)? {
                Some(i) => OrderTarget::Item(i),
                None => {
                    let mut cx = ExprCx::new(&scope, "ORDER BY").collect(&mut aggs, &mut windows);
                    OrderTarget::Expr(self.bind_expr(&o.expr, &mut cx)?, pos_of(&o.expr))
                }
            };
            order_keys.push((target, descending, nulls_first));
        }

        let aggregating = grouped || !aggs.is_empty() || having.is_some();
        let input_schema = plan.schema();
        let mut post_scope = scope.clone();
        if aggregating {
            let group_names: Vec<String> = groups.iter().map(|g| expr_name(g, &scope)).collect();
            let mut fields: Vec<Field> =
                groups.iter().zip(&group_names).map(|(g, n)| Field::new(n, g.data_type(&input_schema), true)).collect();
            for (i, a) in aggs.iter().enumerate() {
                fields.push(Field::new(format!("{}_{i}", a.func.name()), a.return_type.clone(), true));
            }
            let schema = Arc::new(Schema::new(fields));
            post_scope = Scope::from_schema(&schema, None);
            let rewrite = |e: Expr, what: &str, at: Option<Position>| to_grouped(e, &groups, &scope, what, at);
            for (item, ast_e) in items.iter_mut().zip(&item_asts) {
                item.expr =
                    rewrite(std::mem::replace(&mut item.expr, Expr::Column(0)), "SELECT", ast_e.and_then(pos_of))?;
            }
            for w in &mut windows {
                let taken = std::mem::replace(w, placeholder_window());
                *w = rewrite_window(taken, &mut |e| rewrite(e, "a window function", None))?;
            }
            for (target, _, _) in &mut order_keys {
                if let OrderTarget::Expr(e, at) = target {
                    *e = rewrite(std::mem::replace(e, Expr::Column(0)), "ORDER BY", *at)?;
                }
            }
            let having = match having {
                Some((e, at)) => Some((rewrite(e, "HAVING", at)?, at)),
                None => None,
            };
            plan = Plan::Aggregate {
                input: Box::new(plan),
                groups: groups.clone(),
                aggregates: aggs,
                mode: AggMode::Single,
                schema,
            };
            if let Some((h, at)) = having {
                let h = expr::as_predicate(h, &plan.schema(), "HAVING", at)?;
                plan = Plan::Filter { input: Box::new(plan), predicate: h };
            }
        }

        // Windows: appended after the (grouped) input's columns.
        let base = post_scope.columns.len();
        if !windows.is_empty() {
            let mut fields = post_scope.fields();
            for (i, w) in windows.iter().enumerate() {
                fields.push(Field::new(format!("{}_{i}", w.func.name()), w.return_type.clone(), true));
            }
            let schema = Arc::new(Schema::new(fields));
            plan = Plan::Window { input: Box::new(plan), windows, schema };
        }
        let unmark = |e: Expr| -> Expr {
            e.remap(&|c| if (WINDOW_MARK..AGG_MARK).contains(&c) { base + (c - WINDOW_MARK) } else { c })
        };

        // The select list, then the ORDER BY keys it does not already hold.
        let mut exprs: Vec<Expr> = Vec::with_capacity(items.len());
        let mut fields: Vec<Field> = Vec::with_capacity(items.len());
        let pre_project = plan.schema();
        for item in items {
            let e = unmark(item.expr);
            check_no_marker(&e)?;
            fields.push(Field::new(&item.name, e.data_type(&pre_project), true));
            exprs.push(e);
        }
        let visible = exprs.len();
        let mut sort: Vec<SortExpr> = Vec::new();
        for (target, descending, nulls_first) in order_keys {
            let index = match target {
                OrderTarget::Item(i) => i,
                OrderTarget::Expr(e, at) => {
                    let e = unmark(e);
                    check_no_marker(&e)?;
                    match exprs.iter().position(|x| *x == e) {
                        Some(i) => i,
                        None => {
                            if s.distinct.is_some() {
                                return Err(AnalyticsError::invalid(
                                    "with SELECT DISTINCT, ORDER BY expressions must appear in the select list",
                                )
                                .at(at));
                            }
                            fields.push(Field::new(
                                format!("__order_{}", exprs.len()),
                                e.data_type(&pre_project),
                                true,
                            ));
                            exprs.push(e);
                            exprs.len() - 1
                        }
                    }
                }
            };
            sort.push(SortExpr { expr: Expr::Column(index), descending, nulls_first });
        }
        let out_schema = Arc::new(Schema::new(fields));
        plan = Plan::Project { input: Box::new(plan), exprs, schema: out_schema.clone() };
        match &s.distinct {
            None | Some(ast::Distinct::All) => {}
            Some(ast::Distinct::Distinct) => plan = Plan::Distinct { input: Box::new(plan) },
            Some(ast::Distinct::On(_)) => return Err(unsupported("DISTINCT ON")),
        }
        if !sort.is_empty() {
            plan = Plan::Sort { input: Box::new(plan), keys: sort, fetch: None };
        }
        if out_schema.fields().len() > visible {
            let keep: Vec<usize> = (0..visible).collect();
            plan = Plan::project_columns(plan, &keep);
        }
        let out = plan.schema();
        Ok((plan, Scope::from_schema(&out, None)))
    }

    /// A GROUP BY key: a position or alias of the select list, or an expression over the input.
    fn bind_group_key(
        &mut self,
        e: &ast::Expr,
        scope: &Scope,
        items: &[Item],
        item_asts: &[Option<&ast::Expr>],
    ) -> Result<Expr> {
        if let Some(i) = position_literal(e)? {
            let item = items.get(i).ok_or_else(|| {
                AnalyticsError::invalid(format!(
                    "GROUP BY position {} is not in the select list (it has {})",
                    i + 1,
                    items.len()
                ))
                .at(pos_of(e))
            })?;
            return Ok(item.expr.clone());
        }
        if let ast::Expr::Identifier(id) = e
            && scope.resolve(None, &id.value)?.is_none()
            && let Some(i) = items.iter().position(|it| it.name.eq_ignore_ascii_case(&id.value))
            && let Some(item) = items.get(i)
        {
            let _ = item_asts;
            return Ok(item.expr.clone());
        }
        let mut cx = ExprCx::new(scope, "GROUP BY");
        self.bind_expr(e, &mut cx)
    }

    /// `ORDER BY` over the output of a set operation: names and positions of its columns only.
    fn order_outputs(&mut self, plan: Plan, scope: Scope, order_by: &[ast::OrderByExpr]) -> Result<(Plan, Scope)> {
        let mut keys = Vec::new();
        for o in order_by {
            let (descending, nulls_first) = sort_options(&o.options);
            let mut cx = ExprCx::new(&scope, "ORDER BY");
            let expr = match position_literal(&o.expr)? {
                Some(i) if i < scope.columns.len() => Expr::Column(i),
                Some(i) => {
                    return Err(AnalyticsError::invalid(format!(
                        "ORDER BY position {} is past the {} columns",
                        i + 1,
                        scope.columns.len()
                    ))
                    .at(pos_of(&o.expr)));
                }
                None => self.bind_expr(&o.expr, &mut cx)?,
            };
            keys.push(SortExpr { expr, descending, nulls_first });
        }
        Ok((Plan::Sort { input: Box::new(plan), keys, fetch: None }, scope))
    }

    /// `FROM` items, joined (a comma is a cross join the optimizer turns into hash joins when the
    /// `WHERE` clause links them).
    fn bind_from(&mut self, from: &[ast::TableWithJoins]) -> Result<(Plan, Scope)> {
        let relations: usize = from.iter().map(|t| 1 + t.joins.len()).sum();
        if relations > MAX_RELATIONS {
            return Err(AnalyticsError::unsupported(format!(
                "more than {MAX_RELATIONS} tables joined in one FROM clause"
            )));
        }
        let mut acc: Option<(Plan, Scope)> = None;
        for twj in from {
            let (mut plan, mut scope) = self.bind_factor(&twj.relation)?;
            for join in &twj.joins {
                let (rp, rs) = self.bind_factor(&join.relation)?;
                (plan, scope) = self.bind_join(plan, scope, rp, rs, &join.join_operator, pos_of(&join.relation))?;
            }
            acc = Some(match acc {
                None => (plan, scope),
                Some((lp, ls)) => cross(lp, ls, plan, scope),
            });
        }
        Ok(acc.unwrap_or_else(|| {
            let schema = Arc::new(Schema::empty());
            let options = RecordBatchOptions::new().with_row_count(Some(1));
            let batch = RecordBatch::try_new_with_options(schema.clone(), vec![], &options)
                .unwrap_or_else(|_| RecordBatch::new_empty(schema.clone()));
            (Plan::Values { schema, batches: vec![batch] }, Scope::default())
        }))
    }

    fn bind_factor(&mut self, f: &ast::TableFactor) -> Result<(Plan, Scope)> {
        match f {
            ast::TableFactor::Table {
                name,
                alias,
                args,
                with_hints,
                version,
                with_ordinality,
                partitions,
                json_path,
                sample,
                index_directives,
                ..
            } => {
                if args.is_some()
                    || !with_hints.is_empty()
                    || version.is_some()
                    || *with_ordinality
                    || !partitions.is_empty()
                    || json_path.is_some()
                    || sample.is_some()
                    || !index_directives.is_empty()
                {
                    return Err(
                        AnalyticsError::unsupported("table functions, hints, versions and samples").at(pos_of(f))
                    );
                }
                let table = object_name(name);
                let lower = table.to_lowercase();
                let qualifier = alias.as_ref().map(|a| a.name.value.to_lowercase()).unwrap_or_else(|| lower.clone());
                if let Some(cte) = self.ctes.iter().rev().find(|c| c.name == lower).cloned() {
                    let scope = Scope {
                        columns: cte
                            .scope
                            .columns
                            .into_iter()
                            .map(|c| ScopeColumn { qualifier: Some(qualifier.clone()), ..c })
                            .collect(),
                    };
                    let scope = match alias {
                        Some(a) => requalify(scope, &qualifier, &a.columns, ident_pos(&a.name))?,
                        None => scope,
                    };
                    return Ok((cte.plan, scope));
                }
                let Some((registered, schema)) = self.catalog.table(&table) else {
                    let mut names = self.catalog.table_names();
                    names.extend(self.ctes.iter().map(|c| c.name.clone()));
                    let hint = closest(&table, names.iter().map(String::as_str))
                        .map(|t| format!(" (did you mean {t}?)"))
                        .unwrap_or_default();
                    let known =
                        if names.is_empty() { " (the session has no tables)".to_string() } else { String::new() };
                    return Err(AnalyticsError::new(
                        ErrorKind::UnknownTable,
                        format!("no table named {table}{hint}{known}"),
                    )
                    .at(pos_of(name)));
                };
                let projection: Vec<usize> = (0..schema.fields().len()).collect();
                let scope = Scope::from_schema(&schema, Some(&qualifier));
                let scope = match alias {
                    Some(a) => requalify(scope, &qualifier, &a.columns, ident_pos(&a.name))?,
                    None => scope,
                };
                let plan = Plan::Scan {
                    table: registered,
                    projection,
                    filters: vec![],
                    schema: Arc::new(Schema::new(scope.fields())),
                };
                Ok((plan, scope))
            }
            ast::TableFactor::Derived { lateral, subquery, alias, .. } => {
                if *lateral {
                    return Err(AnalyticsError::unsupported("LATERAL subqueries").at(pos_of(f)));
                }
                let (plan, scope) = self.bind_subquery(subquery)?;
                let name = alias.as_ref().map(|a| a.name.value.to_lowercase()).unwrap_or_else(|| "subquery".into());
                let scope = requalify(
                    scope,
                    &name,
                    alias.as_ref().map(|a| a.columns.as_slice()).unwrap_or_default(),
                    alias.as_ref().and_then(|a| ident_pos(&a.name)),
                )?;
                let plan = rename_outputs(plan, &scope);
                Ok((plan, scope))
            }
            ast::TableFactor::NestedJoin { table_with_joins, alias } => {
                if alias.is_some() {
                    return Err(AnalyticsError::unsupported("an alias on a parenthesised join").at(pos_of(f)));
                }
                self.bind_from(std::slice::from_ref(table_with_joins))
            }
            other => Err(AnalyticsError::unsupported(format!("{other} in FROM")).at(pos_of(other))),
        }
    }

    /// A subquery in FROM: bound on its own, without the enclosing query's names.
    fn bind_subquery(&mut self, q: &ast::Query) -> Result<(Plan, Scope)> {
        self.bind_query(q)
    }

    fn bind_join(
        &mut self,
        lp: Plan,
        ls: Scope,
        rp: Plan,
        rs: Scope,
        op: &ast::JoinOperator,
        at: Option<Position>,
    ) -> Result<(Plan, Scope)> {
        use ast::JoinOperator as J;
        let (kind, constraint) = match op {
            J::Join(c) | J::Inner(c) => (JoinKind::Inner, c),
            J::Left(c) | J::LeftOuter(c) => (JoinKind::Left, c),
            J::Right(c) | J::RightOuter(c) => (JoinKind::Right, c),
            J::FullOuter(c) => (JoinKind::Full, c),
            J::CrossJoin(c) => (JoinKind::Inner, c),
            J::Semi(c) | J::LeftSemi(c) => (JoinKind::Semi, c),
            J::Anti(c) | J::LeftAnti(c) => (JoinKind::Anti, c),
            other => {
                return Err(AnalyticsError::unsupported(
                    format!("{other:?} joins").chars().take(60).collect::<String>(),
                )
                .at(at));
            }
        };
        let mut scope = ls.join(&rs);
        // (left column, right column in the joined scope) of each `USING` key.
        let mut using = Vec::new();
        let filter = match constraint {
            ast::JoinConstraint::On(e) => {
                let mut cx = ExprCx::new(&scope, "JOIN ... ON");
                let cond = self.bind_expr(e, &mut cx)?;
                let joined = Schema::new(scope.fields());
                Some(expr::as_predicate(cond, &joined, "ON", pos_of(e))?)
            }
            ast::JoinConstraint::Using(names) => {
                let mut conds = Vec::new();
                for n in names {
                    let name = object_name(n);
                    let l = ls.resolve(None, &name)?.ok_or_else(|| ls.unknown(None, &name).at(pos_of(n)))?;
                    let r = rs.resolve(None, &name)?.ok_or_else(|| rs.unknown(None, &name).at(pos_of(n)))?;
                    let (Some(lc), Some(rc)) = (ls.columns.get(l), rs.columns.get(r)) else {
                        return Err(AnalyticsError::internal("a USING column out of range"));
                    };
                    let (lt, rt) = (&lc.data_type, &rc.data_type);
                    let eq = expr::bind_binary_exprs(
                        crate::plan::BinaryOp::Eq,
                        Expr::Column(l),
                        lt,
                        Expr::Column(ls.columns.len() + r),
                        rt,
                    )
                    .map_err(|e| e.at(pos_of(n)))?;
                    conds.push(eq);
                    using.push((l, ls.columns.len() + r));
                    // The right side's copy is reachable qualified, not by the bare name or `*`.
                    if let Some(c) = scope.columns.get_mut(ls.columns.len() + r) {
                        c.hidden = true;
                    }
                }
                Expr::and_all(conds)
            }
            ast::JoinConstraint::Natural => return Err(AnalyticsError::unsupported("NATURAL joins").at(at)),
            ast::JoinConstraint::None => None,
            ast::JoinConstraint::UsingAlias(..) => return Err(AnalyticsError::unsupported("USING ... AS").at(at)),
        };
        if matches!(kind, JoinKind::Semi | JoinKind::Anti) {
            scope = ls.clone();
        }
        let schema = Arc::new(Schema::new(join_fields(&ls, &rs, kind)));
        let join = Plan::Join { left: Box::new(lp), right: Box::new(rp), kind, on: vec![], filter, schema };
        if matches!(kind, JoinKind::Full | JoinKind::Right) && !using.is_empty() {
            return merge_using_keys(join, scope, &using);
        }
        Ok((join, scope))
    }
}

/// After a FULL or RIGHT join `USING (k)`, the bare `k` (and `*`) is DuckDB's merged key,
/// `coalesce(l.k, r.k)`: the left side's copy alone is NULL on rows only the right side has. The
/// merged keys take the left keys' places; the left side's own copies move to the end, reachable
/// qualified (`l.k`) as before, left out of `*` and of bare lookups.
fn merge_using_keys(join: Plan, scope: Scope, using: &[(usize, usize)]) -> Result<(Plan, Scope)> {
    // The join's schema knows which side an outer join may leave NULL; the scope does not.
    let joined = join.schema();
    let nullable = |i: usize| joined.fields().get(i).is_none_or(|f| f.is_nullable());
    let mut exprs = Vec::new();
    let mut columns = Vec::new();
    for (i, c) in scope.columns.iter().enumerate() {
        let Some(&(_, r)) = using.iter().find(|(l, _)| *l == i) else {
            exprs.push(Expr::Column(i));
            columns.push(ScopeColumn { nullable: nullable(i), ..c.clone() });
            continue;
        };
        let rt = scope.columns.get(r).map(|c| c.data_type.clone()).unwrap_or(DataType::Null);
        let (lt, rt) = (c.data_type.clone(), rt);
        let args = [
            crate::functions::scalar::Arg { data_type: &lt, literal: None },
            crate::functions::scalar::Arg { data_type: &rt, literal: None },
        ];
        let resolved = crate::functions::scalar::resolve("coalesce", &args)?
            .ok_or_else(|| AnalyticsError::internal("coalesce is not a function"))?;
        let (Some(lto), Some(rto)) = (resolved.arg_types.first(), resolved.arg_types.get(1)) else {
            return Err(AnalyticsError::internal("coalesce resolved without argument types"));
        };
        exprs.push(Expr::Function {
            func: resolved.func,
            args: vec![expr::cast(Expr::Column(i), &lt, lto), expr::cast(Expr::Column(r), &rt, rto)],
            return_type: resolved.return_type.clone(),
        });
        columns.push(ScopeColumn {
            qualifier: None,
            name: c.name.clone(),
            data_type: resolved.return_type,
            nullable: nullable(i) && nullable(r),
            hidden: false,
        });
    }
    for &(l, _) in using {
        exprs.push(Expr::Column(l));
        if let Some(c) = scope.columns.get(l) {
            columns.push(ScopeColumn { hidden: true, nullable: nullable(l), ..c.clone() });
        }
    }
    let merged = Scope { columns };
    let schema = Arc::new(Schema::new(merged.fields()));
    Ok((Plan::Project { input: Box::new(join), exprs, schema }, merged))
}

/// What an `ORDER BY` key sorts by: a select list item, or an expression of its own.
enum OrderTarget {
    Item(usize),
    Expr(Expr, Option<Position>),
}

fn sort_options(o: &ast::OrderByOptions) -> (bool, bool) {
    let descending = matches!(o.sort, Some(ast::OrderBySort::Desc));
    // DuckDB puts NULLs last in both directions unless told otherwise.
    (descending, o.nulls_first.unwrap_or(false))
}

/// The fields of a join's output: nullable where the join can leave a side unmatched.
pub fn join_fields(ls: &Scope, rs: &Scope, kind: JoinKind) -> Vec<Field> {
    let (l_null, r_null) = match kind {
        JoinKind::Inner | JoinKind::Semi | JoinKind::Anti => (false, false),
        JoinKind::Left => (false, true),
        JoinKind::Right => (true, false),
        JoinKind::Full => (true, true),
    };
    let mut fields: Vec<Field> =
        ls.fields().into_iter().map(|f| if l_null { f.with_nullable(true) } else { f }).collect();
    if !matches!(kind, JoinKind::Semi | JoinKind::Anti) {
        fields.extend(rs.fields().into_iter().map(|f| if r_null { f.with_nullable(true) } else { f }));
    }
    fields
}

fn cross(lp: Plan, ls: Scope, rp: Plan, rs: Scope) -> (Plan, Scope) {
    let schema = Arc::new(Schema::new(join_fields(&ls, &rs, JoinKind::Inner)));
    let scope = ls.join(&rs);
    (
        Plan::Join { left: Box::new(lp), right: Box::new(rp), kind: JoinKind::Inner, on: vec![], filter: None, schema },
        scope,
    )
}

/// A scope under a new qualifier, with columns renamed by an alias list (`AS t(a, b)`).
fn requalify(
    scope: Scope,
    qualifier: &str,
    columns: &[ast::TableAliasColumnDef],
    at: Option<Position>,
) -> Result<Scope> {
    if columns.len() > scope.columns.len() {
        return Err(AnalyticsError::invalid(format!(
            "{qualifier} names {} columns but has {}",
            columns.len(),
            scope.columns.len()
        ))
        .at(at));
    }
    // Repeated names (`SELECT * FROM a JOIN b` gives two `k`) become `k`, `k_1`, ... as in DuckDB,
    // so that each column of a subquery or CTE can be named.
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    Ok(Scope {
        columns: scope
            .columns
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let name = columns.get(i).map(|a| a.name.value.clone()).unwrap_or(c.name);
                let count = seen.entry(name.to_lowercase()).or_insert(0);
                let name = if *count == 0 { name } else { format!("{name}_{count}") };
                *count += 1;
                ScopeColumn { qualifier: Some(qualifier.to_lowercase()), name, hidden: false, ..c }
            })
            .collect(),
    })
}

/// The plan with its output fields named as the scope names them.
fn rename_outputs(plan: Plan, scope: &Scope) -> Plan {
    let schema = plan.schema();
    let same = schema.fields().iter().zip(&scope.columns).all(|(f, c)| *f.name() == c.name);
    if same {
        return plan;
    }
    let fields: Vec<Field> =
        schema.fields().iter().zip(&scope.columns).map(|(f, c)| f.as_ref().clone().with_name(c.name.clone())).collect();
    let n = fields.len();
    Plan::Project {
        input: Box::new(plan),
        exprs: (0..n).map(Expr::Column).collect(),
        schema: Arc::new(Schema::new(fields)),
    }
}

/// A plan whose columns are cast to `schema`'s types (set operation inputs).
fn cast_to(plan: Plan, schema: &Arc<Schema>) -> Plan {
    let input = plan.schema();
    let same = input.fields().iter().zip(schema.fields()).all(|(a, b)| a.data_type() == b.data_type());
    if same {
        return plan;
    }
    let exprs = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let from = input.fields().get(i).map(|x| x.data_type().clone());
            if from.as_ref() == Some(f.data_type()) {
                Expr::Column(i)
            } else {
                Expr::Cast { expr: Box::new(Expr::Column(i)), to: f.data_type().clone(), try_cast: false }
            }
        })
        .collect();
    Plan::Project { input: Box::new(plan), exprs, schema: schema.clone() }
}

/// `EXCLUDE (a, b)` of a wildcard; other wildcard options are refused.
fn excluded_names(o: &ast::WildcardAdditionalOptions) -> Result<Vec<String>> {
    if o.opt_ilike.is_some() || o.opt_except.is_some() || o.opt_replace.is_some() || o.opt_rename.is_some() {
        return Err(AnalyticsError::unsupported("wildcard options other than EXCLUDE"));
    }
    Ok(match &o.opt_exclude {
        None => vec![],
        Some(ast::ExcludeSelectItem::Single(i)) => vec![object_name(i)],
        Some(ast::ExcludeSelectItem::Multiple(v)) => v.iter().map(object_name).collect(),
    })
}

/// An object name as one string (`schema.table` joined by dots).
pub fn object_name(n: &ast::ObjectName) -> String {
    n.0.iter()
        .map(|p| match p {
            ast::ObjectNamePart::Identifier(i) => i.value.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// How an unaliased select item is named, as DuckDB names it: a column by its name, anything else
/// by its text.
fn output_name(e: &ast::Expr) -> String {
    match e {
        ast::Expr::Identifier(i) => i.value.clone(),
        ast::Expr::CompoundIdentifier(parts) => parts.last().map(|i| i.value.clone()).unwrap_or_default(),
        ast::Expr::Function(f) if f.to_string().eq_ignore_ascii_case("count(*)") => "count_star()".into(),
        other => other.to_string(),
    }
}

/// A group key's output name: the column's name for a column, the expression's text otherwise.
fn expr_name(e: &Expr, scope: &Scope) -> String {
    match e {
        Expr::Column(i) => scope.columns.get(*i).map(|c| c.name.clone()).unwrap_or_default(),
        _ => "group_key".into(),
    }
}

/// A 1-based position literal (`GROUP BY 2`, `ORDER BY 1`), as a 0-based index.
fn position_literal(e: &ast::Expr) -> Result<Option<usize>> {
    if let ast::Expr::Value(v) = e
        && let ast::Value::Number(n, _) = &v.value
    {
        let i: usize =
            n.parse().map_err(|_| AnalyticsError::invalid(format!("{n} is not a column position")).at(pos_of(e)))?;
        if i == 0 {
            return Err(AnalyticsError::invalid("column positions start at 1").at(pos_of(e)));
        }
        return Ok(Some(i - 1));
    }
    Ok(None)
}

/// An ORDER BY key that names a select list item: its position, or its alias (when the alias is
/// a bare identifier).
fn output_reference(e: &ast::Expr, items: &[Item]) -> Result<Option<usize>> {
    if let Some(i) = position_literal(e)? {
        if i >= items.len() {
            return Err(AnalyticsError::invalid(format!(
                "ORDER BY position {} is past the {} select items",
                i + 1,
                items.len()
            ))
            .at(pos_of(e)));
        }
        return Ok(Some(i));
    }
    if let ast::Expr::Identifier(id) = e {
        let matching: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, it)| it.name.eq_ignore_ascii_case(&id.value))
            .map(|(i, _)| i)
            .collect();
        if let [one] = matching.as_slice() {
            return Ok(Some(*one));
        }
    }
    Ok(None)
}

fn has_marker(e: &Expr) -> bool {
    e.any(&mut |x| matches!(x, Expr::Column(c) if *c >= WINDOW_MARK))
}

fn check_no_marker(e: &Expr) -> Result<()> {
    if has_marker(e) {
        return Err(AnalyticsError::internal("an aggregate or window marker survived binding"));
    }
    Ok(())
}

/// An expression over the input rewritten over the grouping's output.
fn to_grouped(e: Expr, groups: &[Expr], scope: &Scope, what: &str, at: Option<Position>) -> Result<Expr> {
    if let Some(i) = groups.iter().position(|g| *g == e) {
        return Ok(Expr::Column(i));
    }
    match e {
        Expr::Column(c) if c >= AGG_MARK => Ok(Expr::Column(groups.len() + (c - AGG_MARK))),
        Expr::Column(c) if c >= WINDOW_MARK => Ok(Expr::Column(c)),
        Expr::Column(c) => {
            let name = scope.columns.get(c).map(|col| match &col.qualifier {
                Some(q) => format!("{q}.{}", col.name),
                None => col.name.clone(),
            });
            Err(AnalyticsError::invalid(format!(
                "column {} must appear in the GROUP BY clause or be used in an aggregate function (in {what})",
                name.unwrap_or_default()
            ))
            .at(at))
        }
        other => {
            let mut err = None;
            let out = other.map_children(&mut |child| match to_grouped(child, groups, scope, what, at) {
                Ok(x) => x,
                Err(e) => {
                    err.get_or_insert(e);
                    Expr::Column(0)
                }
            });
            match err {
                Some(e) => Err(e),
                None => Ok(out),
            }
        }
    }
}

fn placeholder_window() -> WindowCall {
    WindowCall {
        func: crate::functions::window::WindowFunc::RowNumber,
        args: vec![],
        partition_by: vec![],
        order_by: vec![],
        frame: crate::plan::Frame::default_for(false),
        filter: None,
        return_type: DataType::Int64,
    }
}

fn rewrite_window(w: WindowCall, f: &mut impl FnMut(Expr) -> Result<Expr>) -> Result<WindowCall> {
    Ok(WindowCall {
        args: w.args.into_iter().map(&mut *f).collect::<Result<_>>()?,
        partition_by: w.partition_by.into_iter().map(&mut *f).collect::<Result<_>>()?,
        order_by: w.order_by.into_iter().map(|s| Ok(SortExpr { expr: f(s.expr)?, ..s })).collect::<Result<_>>()?,
        filter: w.filter.map(&mut *f).transpose()?,
        ..w
    })
}
