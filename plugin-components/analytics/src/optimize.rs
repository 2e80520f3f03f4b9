//! Plan rewrites, each keeping the answer and making it cheaper:
//!
//! 1. constant folding: an expression of literals only is computed once, at plan time (unless
//!    computing it fails: then it is left to fail, or not, when it runs, as `CASE` may skip it);
//! 2. filter push-down: `WHERE` and `ON` conjuncts move as close to the tables as they can go
//!    (into the scan, below projections, groupings on their keys, sorts and the sides of joins
//!    that keep them), and equalities between the two sides of a join become its hash keys;
//! 3. join ordering: a chain of inner and cross joins is rebuilt left-deep so that each table
//!    joins one already in by an equality when one exists (a `FROM a, b, c WHERE ...` never
//!    makes a cross product that the `WHERE` clause could avoid);
//! 4. projection push-down: each node keeps only the columns something above reads, so a scan
//!    reads (and a join hashes and copies) only the columns the query needs.
//!
//! It sits beside the plan rather than in it because folding evaluates expressions: the plan stays
//! below the evaluator, the rewrites above both.

use std::sync::Arc;

use arrow_array::{RecordBatch, RecordBatchOptions};
use arrow_schema::{Field, Schema};

use crate::error::Result;
use crate::expr::{self, NoSubqueries, Value};
use crate::plan::{AggCall, BinaryOp, Expr, JoinKind, Plan, Query, SortExpr, WindowCall};

/// Every rewrite, on the main plan and each subquery.
pub fn optimize(q: Query) -> Result<Query> {
    Ok(Query {
        plan: optimize_plan(q.plan)?,
        subqueries: q.subqueries.into_iter().map(optimize_plan).collect::<Result<_>>()?,
    })
}

fn optimize_plan(plan: Plan) -> Result<Plan> {
    let plan = map_exprs(plan, &mut |e| fold(e))?;
    let plan = limit_zero(plan);
    let plan = push_down(plan)?;
    let schema = plan.schema();
    let all: Vec<usize> = (0..schema.fields().len()).collect();
    let (pruned, map) = prune(plan, &all)?;
    let pruned = top_n(pruned);
    Ok(if map.iter().enumerate().all(|(i, m)| *m == Some(i)) && pruned.schema().fields().len() == all.len() {
        pruned
    } else {
        let indices: Vec<usize> = map.iter().map(|m| m.unwrap_or(0)).collect();
        Plan::Project { exprs: indices.iter().map(|&i| Expr::Column(i)).collect(), input: Box::new(pruned), schema }
    })
}

/// `LIMIT 0` (at the top of the plan or of a subquery in FROM) keeps no row: its input is never
/// run (as in DuckDB, where an expression that would fail on its rows does not).
fn limit_zero(plan: Plan) -> Plan {
    match plan {
        Plan::Limit { fetch: Some(0), input, .. } => Plan::Values { schema: input.schema(), batches: vec![] },
        Plan::Limit { input, offset, fetch } => Plan::Limit { input: Box::new(limit_zero(*input)), offset, fetch },
        Plan::Project { input, exprs, schema } => Plan::Project { input: Box::new(limit_zero(*input)), exprs, schema },
        Plan::Filter { input, predicate } => Plan::Filter { input: Box::new(limit_zero(*input)), predicate },
        Plan::Sort { input, keys, fetch } => Plan::Sort { input: Box::new(limit_zero(*input)), keys, fetch },
        other => other,
    }
}

/// `ORDER BY ... LIMIT n [OFFSET m]`: the sort keeps only its first `m + n` rows (a partial sort),
/// instead of ordering every row for the limit to drop most of them. Row-wise projections between
/// the limit and the sort do not change which rows come first.
fn top_n(plan: Plan) -> Plan {
    fn with_fetch(plan: Plan, n: usize) -> Plan {
        match plan {
            Plan::Sort { input, keys, fetch } => Plan::Sort { input, keys, fetch: Some(fetch.map_or(n, |f| f.min(n))) },
            Plan::Project { input, exprs, schema } => {
                Plan::Project { input: Box::new(with_fetch(*input, n)), exprs, schema }
            }
            other => other,
        }
    }
    match plan {
        Plan::Limit { input, offset, fetch: Some(f) } => {
            Plan::Limit { input: Box::new(with_fetch(*input, offset.saturating_add(f))), offset, fetch: Some(f) }
        }
        Plan::Project { input, exprs, schema } => Plan::Project { input: Box::new(top_n(*input)), exprs, schema },
        other => other,
    }
}

/// Fold constant subexpressions to literals.
pub fn fold(e: Expr) -> Result<Expr> {
    let e = e.map_children(&mut |c| fold(c).unwrap_or_else(|_| Expr::Column(usize::MAX)));
    if e.any(&mut |x| matches!(x, Expr::Column(usize::MAX))) {
        return Err(crate::error::AnalyticsError::internal("folding failed"));
    }
    let e = fold_logic(fold_case(e));
    if matches!(e, Expr::Literal(_)) || !e.is_constant() {
        return Ok(e);
    }
    let options = RecordBatchOptions::new().with_row_count(Some(1));
    let batch = RecordBatch::try_new_with_options(Arc::new(Schema::empty()), vec![], &options)?;
    match expr::evaluate(&e, &batch, &NoSubqueries) {
        Ok(Value::Scalar(a)) | Ok(Value::Array(a)) if a.len() == 1 => Ok(Expr::literal(a)),
        _ => Ok(e),
    }
}

/// A `CASE` without the branches whose condition is a constant false or NULL, and ending at the
/// first whose condition is a constant true: a branch that can never be taken is never computed
/// (nor are the columns only it reads, which DuckDB then never computes either).
fn fold_case(e: Expr) -> Expr {
    let Expr::Case { branches, otherwise, return_type } = e else { return e };
    let mut kept = Vec::with_capacity(branches.len());
    let mut otherwise = otherwise;
    for (cond, value) in branches {
        match &cond {
            Expr::Literal(l)
                if l.is_null() || (l.data_type() == &arrow_schema::DataType::Boolean && !is_true(&cond)) => {}
            _ if is_true(&cond) => {
                otherwise = Box::new(value);
                break;
            }
            _ => kept.push((cond, value)),
        }
    }
    if kept.is_empty() {
        // Only the ELSE is left (the binder cast it to the CASE's type already; the cast keeps
        // that visible, and costs nothing where the types agree).
        return match *otherwise {
            Expr::Literal(l) if *l.data_type() == return_type => Expr::Literal(l),
            other => Expr::Cast { expr: Box::new(other), to: return_type, try_cast: false },
        };
    }
    Expr::Case { branches: kept, otherwise, return_type }
}

/// `x AND FALSE` is FALSE and `x OR TRUE` TRUE whatever `x` is (NULL too), and any other operator
/// with a NULL operand is NULL, so `x` is never computed: as in DuckDB, where
/// `WHERE k // 0 = 1 AND 32 IN (93, 41)` and `SELECT (k // 0) * NULL` fail on no row.
fn fold_logic(e: Expr) -> Expr {
    let Expr::Binary { op, left, right, return_type } = e else { return e };
    if !matches!(op, BinaryOp::And | BinaryOp::Or) {
        let null = |side: &Expr| matches!(side, Expr::Literal(l) if l.is_null());
        if null(&left) || null(&right) {
            return Expr::literal(arrow_array::new_null_array(&return_type, 1));
        }
        return Expr::Binary { op, left, right, return_type };
    }
    let decided = |side: &Expr| match side {
        Expr::Literal(l) if !l.is_null() && l.data_type() == &arrow_schema::DataType::Boolean => {
            is_true(side) == (op == BinaryOp::Or)
        }
        _ => false,
    };
    if decided(&left) {
        return *left;
    }
    if decided(&right) {
        return *right;
    }
    Expr::Binary { op, left, right, return_type }
}

/// Apply `f` to every expression of every node.
fn map_exprs(plan: Plan, f: &mut impl FnMut(Expr) -> Result<Expr>) -> Result<Plan> {
    let sort = |keys: Vec<SortExpr>, f: &mut dyn FnMut(Expr) -> Result<Expr>| -> Result<Vec<SortExpr>> {
        keys.into_iter().map(|k| Ok(SortExpr { expr: f(k.expr)?, ..k })).collect()
    };
    Ok(match plan {
        Plan::Scan { table, projection, filters, schema } => {
            Plan::Scan { table, projection, filters: filters.into_iter().map(&mut *f).collect::<Result<_>>()?, schema }
        }
        v @ Plan::Values { .. } => v,
        Plan::Filter { input, predicate } => {
            Plan::Filter { input: Box::new(map_exprs(*input, f)?), predicate: f(predicate)? }
        }
        Plan::Project { input, exprs, schema } => Plan::Project {
            input: Box::new(map_exprs(*input, f)?),
            exprs: exprs.into_iter().map(&mut *f).collect::<Result<_>>()?,
            schema,
        },
        Plan::Aggregate { input, groups, aggregates, mode, schema } => Plan::Aggregate {
            input: Box::new(map_exprs(*input, f)?),
            groups: groups.into_iter().map(&mut *f).collect::<Result<_>>()?,
            aggregates: aggregates
                .into_iter()
                .map(|a| {
                    Ok(AggCall {
                        args: a.args.into_iter().map(&mut *f).collect::<Result<_>>()?,
                        filter: a.filter.map(&mut *f).transpose()?,
                        order_by: sort(a.order_by, f)?,
                        ..a
                    })
                })
                .collect::<Result<_>>()?,
            mode,
            schema,
        },
        Plan::Window { input, windows, schema } => Plan::Window {
            input: Box::new(map_exprs(*input, f)?),
            windows: windows
                .into_iter()
                .map(|w| {
                    Ok(WindowCall {
                        args: w.args.into_iter().map(&mut *f).collect::<Result<_>>()?,
                        partition_by: w.partition_by.into_iter().map(&mut *f).collect::<Result<_>>()?,
                        order_by: sort(w.order_by, f)?,
                        filter: w.filter.map(&mut *f).transpose()?,
                        ..w
                    })
                })
                .collect::<Result<_>>()?,
            schema,
        },
        Plan::Sort { input, keys, fetch } => {
            Plan::Sort { input: Box::new(map_exprs(*input, f)?), keys: sort(keys, f)?, fetch }
        }
        Plan::Limit { input, offset, fetch } => Plan::Limit { input: Box::new(map_exprs(*input, f)?), offset, fetch },
        Plan::Distinct { input } => Plan::Distinct { input: Box::new(map_exprs(*input, f)?) },
        Plan::Join { left, right, kind, on, filter, schema } => Plan::Join {
            left: Box::new(map_exprs(*left, f)?),
            right: Box::new(map_exprs(*right, f)?),
            kind,
            on: on.into_iter().map(|(l, r)| Ok((f(l)?, f(r)?))).collect::<Result<_>>()?,
            filter: filter.map(&mut *f).transpose()?,
            schema,
        },
        Plan::Union { inputs, schema } => {
            Plan::Union { inputs: inputs.into_iter().map(|p| map_exprs(p, f)).collect::<Result<_>>()?, schema }
        }
    })
}

fn is_true(e: &Expr) -> bool {
    matches!(e, Expr::Literal(l) if !l.is_null() && l.data_type() == &arrow_schema::DataType::Boolean && {
        use arrow_array::cast::AsArray;
        l.0.as_boolean().value(0)
    })
}

/// Push filters down, starting from the root.
fn push_down(plan: Plan) -> Result<Plan> {
    push(plan, Vec::new())
}

/// Put `preds` (conjuncts over `plan`'s output) into `plan` as deep as they can go.
fn push(plan: Plan, preds: Vec<Expr>) -> Result<Plan> {
    let mut preds: Vec<Expr> = preds.into_iter().flat_map(|p| factor_or(p).conjuncts()).collect();
    preds.retain(|p| !is_true(p));
    match plan {
        Plan::Filter { input, predicate } => {
            preds.extend(predicate.conjuncts());
            push(*input, preds)
        }
        Plan::Scan { table, projection, mut filters, schema } => {
            filters.extend(preds);
            Ok(Plan::Scan { table, projection, filters, schema })
        }
        Plan::Project { input, exprs, schema } => {
            let (down, keep): (Vec<Expr>, Vec<Expr>) = preds.into_iter().partition(|p| {
                p.columns().iter().all(|&c| matches!(exprs.get(c), Some(Expr::Column(_)) | Some(Expr::Literal(_))))
            });
            let down = down.into_iter().map(|p| substitute(p, &exprs)).collect();
            let input = push(*input, down)?;
            Ok(filter_above(Plan::Project { input: Box::new(input), exprs, schema }, keep))
        }
        Plan::Aggregate { input, groups, aggregates, mode, schema } => {
            let n = groups.len();
            let (down, keep): (Vec<Expr>, Vec<Expr>) = preds.into_iter().partition(|p| {
                mode == crate::plan::AggMode::Single && !p.columns().is_empty() && p.columns().iter().all(|&c| c < n)
            });
            let down = down.into_iter().map(|p| substitute(p, &groups)).collect();
            let input = push(*input, down)?;
            Ok(filter_above(Plan::Aggregate { input: Box::new(input), groups, aggregates, mode, schema }, keep))
        }
        Plan::Sort { input, keys, fetch: None } => {
            let input = push(*input, preds)?;
            Ok(Plan::Sort { input: Box::new(input), keys, fetch: None })
        }
        Plan::Distinct { input } => Ok(Plan::Distinct { input: Box::new(push(*input, preds)?) }),
        Plan::Union { inputs, schema } => {
            let inputs = inputs.into_iter().map(|i| push(i, preds.clone())).collect::<Result<_>>()?;
            Ok(Plan::Union { inputs, schema })
        }
        Plan::Join { kind: JoinKind::Inner, .. } => reorder_inner(plan, preds),
        Plan::Join { left, right, kind, mut on, filter, schema } => {
            let nl = left.schema().fields().len();
            let mut left_preds = Vec::new();
            let mut right_preds = Vec::new();
            let mut keep_above = Vec::new();
            // Conjuncts from above: only a preserved side that is also never NULL-extended can
            // take them.
            for p in preds {
                let cols = p.columns();
                let left_only = cols.iter().all(|&c| c < nl);
                let right_only = !cols.is_empty() && cols.iter().all(|&c| c >= nl);
                match kind {
                    JoinKind::Left | JoinKind::Semi | JoinKind::Anti if left_only => left_preds.push(p),
                    JoinKind::Right if right_only => right_preds.push(p.remap(&|c| c - nl)),
                    _ => keep_above.push(p),
                }
            }
            // The join's own condition: equalities across the sides become keys; a conjunct on
            // the side that is not preserved filters that side first.
            let mut rest = Vec::new();
            for p in filter.map(Expr::conjuncts).unwrap_or_default() {
                if let Some((l, r)) = equi_key(&p, nl) {
                    on.push((l, r));
                    continue;
                }
                let cols = p.columns();
                let left_only = !cols.is_empty() && cols.iter().all(|&c| c < nl);
                let right_only = !cols.is_empty() && cols.iter().all(|&c| c >= nl);
                match kind {
                    JoinKind::Left | JoinKind::Semi | JoinKind::Anti if right_only => {
                        right_preds.push(p.remap(&|c| c - nl))
                    }
                    JoinKind::Semi if left_only => left_preds.push(p),
                    JoinKind::Right if left_only => left_preds.push(p),
                    _ => rest.push(p),
                }
            }
            let left = push(*left, left_preds)?;
            let right = push(*right, right_preds)?;
            let join = Plan::Join {
                left: Box::new(left),
                right: Box::new(right),
                kind,
                on,
                filter: Expr::and_all(rest),
                schema,
            };
            Ok(filter_above(join, keep_above))
        }
        Plan::Window { input, windows, schema } => {
            // A filter on the partition keys alone could go below; keep it simple and above.
            let input = push(*input, vec![])?;
            Ok(filter_above(Plan::Window { input: Box::new(input), windows, schema }, preds))
        }
        Plan::Sort { input, keys, fetch } => {
            let input = push(*input, vec![])?;
            Ok(filter_above(Plan::Sort { input: Box::new(input), keys, fetch }, preds))
        }
        Plan::Limit { input, offset, fetch } => {
            let input = push(*input, vec![])?;
            Ok(filter_above(Plan::Limit { input: Box::new(input), offset, fetch }, preds))
        }
        v @ Plan::Values { .. } => Ok(filter_above(v, preds)),
    }
}

/// `(a AND b) OR (a AND c)` as `a AND (b OR c)`: a conjunct every branch of an `OR` holds is
/// taken out, so that it can be pushed down or become a join key (TPC-H Q19 repeats its join
/// condition in each branch). Three-valued logic agrees: where `a` is false both sides are false,
/// where it is NULL both are NULL or false alike, and where it is true both are `b OR c`.
fn factor_or(e: Expr) -> Expr {
    let Expr::Binary { op: BinaryOp::Or, .. } = &e else { return e };
    let branches = disjuncts(e.clone());
    let split: Vec<Vec<Expr>> = branches.into_iter().map(Expr::conjuncts).collect();
    let Some(first) = split.first() else { return e };
    let common: Vec<Expr> = first.iter().filter(|c| split.iter().all(|b| b.contains(c))).cloned().collect();
    if common.is_empty() {
        return e;
    }
    let mut rest = Vec::with_capacity(split.len());
    for branch in split {
        let left: Vec<Expr> = branch.into_iter().filter(|c| !common.contains(c)).collect();
        match Expr::and_all(left) {
            Some(x) => rest.push(x),
            // A branch holding only common conjuncts: the OR is true wherever they hold.
            None => return Expr::and_all(common).unwrap_or(e),
        }
    }
    let or = rest.into_iter().reduce(|a, b| Expr::Binary {
        op: BinaryOp::Or,
        left: Box::new(a),
        right: Box::new(b),
        return_type: arrow_schema::DataType::Boolean,
    });
    Expr::and_all(common.into_iter().chain(or)).unwrap_or(e)
}

/// The branches of an `OR` chain.
fn disjuncts(e: Expr) -> Vec<Expr> {
    match e {
        Expr::Binary { op: BinaryOp::Or, left, right, .. } => {
            let mut v = disjuncts(*left);
            v.extend(disjuncts(*right));
            v
        }
        other => vec![other],
    }
}

fn filter_above(plan: Plan, preds: Vec<Expr>) -> Plan {
    match Expr::and_all(preds) {
        Some(predicate) => Plan::Filter { input: Box::new(plan), predicate },
        None => plan,
    }
}

/// A predicate over a projection's output rewritten over its input.
fn substitute(p: Expr, exprs: &[Expr]) -> Expr {
    match p {
        Expr::Column(c) => exprs.get(c).cloned().unwrap_or(Expr::Column(c)),
        other => other.map_children(&mut |x| substitute(x, exprs)),
    }
}

/// `l = r` with `l` over the left side and `r` over the right (columns from `nl` on), as a key
/// pair over each side's own columns.
fn equi_key(p: &Expr, nl: usize) -> Option<(Expr, Expr)> {
    let Expr::Binary { op: BinaryOp::Eq, left, right, .. } = p else { return None };
    let (lc, rc) = (left.columns(), right.columns());
    if lc.is_empty() || rc.is_empty() {
        return None;
    }
    let all_left = |cs: &[usize]| cs.iter().all(|&c| c < nl);
    let all_right = |cs: &[usize]| cs.iter().all(|&c| c >= nl);
    if all_left(&lc) && all_right(&rc) {
        Some(((**left).clone(), (**right).clone().remap(&|c| c - nl)))
    } else if all_right(&lc) && all_left(&rc) {
        Some(((**right).clone(), (**left).clone().remap(&|c| c - nl)))
    } else {
        None
    }
}

/// The relations of a chain of inner joins (the leaves) and its conditions, over the chain's
/// concatenated columns.
fn flatten_inner(plan: Plan, offset: usize, relations: &mut Vec<(Plan, usize)>, preds: &mut Vec<Expr>) {
    match plan {
        Plan::Join { left, right, kind: JoinKind::Inner, on, filter, .. } => {
            let nl = left.schema().fields().len();
            flatten_inner(*left, offset, relations, preds);
            flatten_inner(*right, offset + nl, relations, preds);
            for (l, r) in on {
                let l = l.remap(&|c| c + offset);
                let r = r.remap(&|c| c + offset + nl);
                preds.push(Expr::Binary {
                    op: BinaryOp::Eq,
                    left: Box::new(l),
                    right: Box::new(r),
                    return_type: arrow_schema::DataType::Boolean,
                });
            }
            if let Some(f) = filter {
                preds.extend(f.conjuncts().into_iter().map(|p| p.remap(&|c| c + offset)));
            }
        }
        other => {
            relations.push((other, offset));
        }
    }
}

/// Rebuild a chain of inner joins left-deep: start from the first table, then repeatedly join
/// the first remaining table that an equality links to those already in (a cross join only when
/// none is linked), each condition placed at the lowest join that has all its columns, each
/// single-table condition pushed into its table. A projection restores the original column order.
fn reorder_inner(plan: Plan, above: Vec<Expr>) -> Result<Plan> {
    let schema = plan.schema();
    let mut relations = Vec::new();
    let mut preds = above;
    flatten_inner(plan, 0, &mut relations, &mut preds);
    let widths: Vec<usize> = relations.iter().map(|(p, _)| p.schema().fields().len()).collect();
    let owner = |c: usize| relations.iter().zip(&widths).position(|((_, off), w)| c >= *off && c < off + w);
    let rels_of = |p: &Expr| -> Vec<usize> {
        let mut v: Vec<usize> = p.columns().iter().filter_map(|&c| owner(c)).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    // Single-table conditions go into their table.
    let mut per_relation: Vec<Vec<Expr>> = vec![Vec::new(); relations.len()];
    let mut multi: Vec<(Expr, Vec<usize>)> = Vec::new();
    let mut constant: Vec<Expr> = Vec::new();
    for p in preds {
        let rs = rels_of(&p);
        match rs.as_slice() {
            [] => constant.push(p),
            [r] => {
                let off = relations.get(*r).map_or(0, |(_, o)| *o);
                if let Some(list) = per_relation.get_mut(*r) {
                    list.push(p.remap(&|c| c - off));
                }
            }
            _ => multi.push((p, rs)),
        }
    }
    let offsets: Vec<usize> = relations.iter().map(|(_, o)| *o).collect();
    let mut leaves: Vec<Option<Plan>> = Vec::with_capacity(relations.len());
    for ((p, _), preds) in relations.into_iter().zip(per_relation) {
        leaves.push(Some(push(p, preds)?));
    }
    let n = leaves.len();
    // Join order.
    let mut order = vec![0usize];
    let mut remaining: Vec<usize> = (1..n).collect();
    while !remaining.is_empty() {
        let linked = remaining.iter().position(|r| {
            multi
                .iter()
                .any(|(p, rs)| rs.contains(r) && rs.iter().all(|x| x == r || order.contains(x)) && is_equality(p))
        });
        let pick = linked.unwrap_or(0);
        order.push(remaining.remove(pick));
    }
    // Build left-deep, tracking where each original column sits in the tree's output.
    let mut position: Vec<Option<usize>> = vec![None; schema.fields().len()];
    let first = *order.first().unwrap_or(&0);
    let mut tree = leaves
        .get_mut(first)
        .and_then(Option::take)
        .ok_or_else(|| crate::error::AnalyticsError::internal("empty join"))?;
    let mut width = 0;
    let place = |rel: usize, base: usize, position: &mut Vec<Option<usize>>| {
        let (off, w) = (offsets.get(rel).copied().unwrap_or(0), widths.get(rel).copied().unwrap_or(0));
        for k in 0..w {
            if let Some(p) = position.get_mut(off + k) {
                *p = Some(base + k);
            }
        }
    };
    place(first, 0, &mut position);
    width += widths.get(first).copied().unwrap_or(0);
    let mut joined = vec![first];
    for &rel in order.iter().skip(1) {
        let right = leaves
            .get_mut(rel)
            .and_then(Option::take)
            .ok_or_else(|| crate::error::AnalyticsError::internal("join relation used twice"))?;
        let rw = widths.get(rel).copied().unwrap_or(0);
        let roff = offsets.get(rel).copied().unwrap_or(0);
        joined.push(rel);
        let mut on = Vec::new();
        let mut filter = Vec::new();
        let mut later = Vec::new();
        for (p, rs) in multi {
            if !rs.iter().all(|r| joined.contains(r)) {
                later.push((p, rs));
                continue;
            }
            // Over this join's output: the tree's columns, then the new table's.
            let local = p.remap(&|c| {
                if c >= roff && c < roff + rw {
                    width + (c - roff)
                } else {
                    position.get(c).copied().flatten().unwrap_or(usize::MAX)
                }
            });
            match equi_key(&local, width) {
                Some(k) => on.push(k),
                None => filter.push(local),
            }
        }
        multi = later;
        let mut fields: Vec<Field> = tree.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
        fields.extend(right.schema().fields().iter().map(|f| f.as_ref().clone()));
        tree = Plan::Join {
            left: Box::new(tree),
            right: Box::new(right),
            kind: JoinKind::Inner,
            on,
            filter: Expr::and_all(filter),
            schema: Arc::new(Schema::new(fields)),
        };
        place(rel, width, &mut position);
        width += rw;
    }
    let restore: Vec<usize> = position.iter().map(|p| p.unwrap_or(0)).collect();
    let identity = restore.iter().enumerate().all(|(i, &p)| i == p);
    let tree = if identity {
        tree
    } else {
        Plan::Project {
            exprs: restore.iter().map(|&i| Expr::Column(i)).collect(),
            input: Box::new(tree),
            schema: schema.clone(),
        }
    };
    Ok(filter_above(tree, constant))
}

fn is_equality(p: &Expr) -> bool {
    matches!(p, Expr::Binary { op: BinaryOp::Eq, .. })
}

/// Keep only the output columns in `required` (and what the node itself needs); returns the new
/// plan and, for each old output column, its index in the new output (`None` if dropped).
fn prune(plan: Plan, required: &[usize]) -> Result<(Plan, Vec<Option<usize>>)> {
    let width = plan.schema().fields().len();
    let mut need: Vec<bool> = vec![false; width];
    for &r in required {
        if let Some(n) = need.get_mut(r) {
            *n = true;
        }
    }
    let remap_with = |map: &[Option<usize>]| {
        let map = map.to_vec();
        move |c: usize| map.get(c).copied().flatten().unwrap_or(usize::MAX)
    };
    Ok(match plan {
        Plan::Scan { table, projection, filters, schema } => {
            for f in &filters {
                for c in f.columns() {
                    if let Some(n) = need.get_mut(c) {
                        *n = true;
                    }
                }
            }
            let kept: Vec<usize> = (0..width).filter(|&i| need.get(i).copied().unwrap_or(false)).collect();
            let mut map = vec![None; width];
            for (new, &old) in kept.iter().enumerate() {
                if let Some(m) = map.get_mut(old) {
                    *m = Some(new);
                }
            }
            let r = remap_with(&map);
            let filters = filters.into_iter().map(|f| f.remap(&r)).collect();
            let projection = kept.iter().filter_map(|&i| projection.get(i).copied()).collect();
            let fields: Vec<Field> =
                kept.iter().filter_map(|&i| schema.fields().get(i)).map(|f| f.as_ref().clone()).collect();
            (Plan::Scan { table, projection, filters, schema: Arc::new(Schema::new(fields)) }, map)
        }
        v @ Plan::Values { .. } => (v, (0..width).map(Some).collect()),
        Plan::Filter { input, predicate } => {
            let mut req: Vec<usize> = required.to_vec();
            predicate.columns_into(&mut req);
            let (input, map) = prune(*input, &req)?;
            let predicate = predicate.remap(&remap_with(&map));
            (Plan::Filter { input: Box::new(input), predicate }, map)
        }
        Plan::Project { input, exprs, schema } => {
            let kept: Vec<usize> = (0..width).filter(|&i| need.get(i).copied().unwrap_or(false)).collect();
            let mut req = Vec::new();
            for &i in &kept {
                if let Some(e) = exprs.get(i) {
                    e.columns_into(&mut req);
                }
            }
            let (input, cmap) = prune(*input, &req)?;
            let r = remap_with(&cmap);
            let mut map = vec![None; width];
            let mut new_exprs = Vec::new();
            let mut fields = Vec::new();
            for (new, &old) in kept.iter().enumerate() {
                if let (Some(e), Some(f)) = (exprs.get(old), schema.fields().get(old)) {
                    new_exprs.push(e.clone().remap(&r));
                    fields.push(f.as_ref().clone());
                    if let Some(m) = map.get_mut(old) {
                        *m = Some(new);
                    }
                }
            }
            (Plan::Project { input: Box::new(input), exprs: new_exprs, schema: Arc::new(Schema::new(fields)) }, map)
        }
        Plan::Aggregate { input, groups, aggregates, mode, schema } => {
            // Aggregates nothing above reads are not computed (DuckDB does not compute them
            // either, so one that would fail does not).
            let n_groups = groups.len();
            let keep_agg: Vec<bool> = (0..aggregates.len())
                .map(|i| mode != crate::plan::AggMode::Single || need.get(n_groups + i).copied().unwrap_or(false))
                .collect();
            let aggregates: Vec<AggCall> =
                aggregates.into_iter().zip(&keep_agg).filter(|(_, k)| **k).map(|(a, _)| a).collect();
            let mut map: Vec<Option<usize>> = (0..n_groups).map(Some).collect();
            let mut next = n_groups;
            for k in &keep_agg {
                map.push(k.then(|| {
                    next += 1;
                    next - 1
                }));
            }
            let fields: Vec<Field> = schema
                .fields()
                .iter()
                .enumerate()
                .filter(|(i, _)| *i < n_groups || keep_agg.get(i - n_groups).copied().unwrap_or(true))
                .map(|(_, f)| f.as_ref().clone())
                .collect();
            let schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
            let mut req = Vec::new();
            for g in &groups {
                g.columns_into(&mut req);
            }
            for a in &aggregates {
                a.args.iter().for_each(|e| e.columns_into(&mut req));
                if let Some(f) = &a.filter {
                    f.columns_into(&mut req);
                }
                a.order_by.iter().for_each(|s| s.expr.columns_into(&mut req));
            }
            if mode == crate::plan::AggMode::Final {
                req = (0..input.schema().fields().len()).collect();
            }
            let (input, cmap) = prune(*input, &req)?;
            let r = remap_with(&cmap);
            let groups = groups.into_iter().map(|g| g.remap(&r)).collect();
            let aggregates = aggregates
                .into_iter()
                .map(|a| AggCall {
                    args: a.args.into_iter().map(|e| e.remap(&r)).collect(),
                    filter: a.filter.map(|f| f.remap(&r)),
                    order_by: a.order_by.into_iter().map(|s| SortExpr { expr: s.expr.remap(&r), ..s }).collect(),
                    ..a
                })
                .collect();
            (Plan::Aggregate { input: Box::new(input), groups, aggregates, mode, schema }, map)
        }
        Plan::Window { input, windows, schema } => {
            let n_in = input.schema().fields().len();
            let mut req: Vec<usize> = required.iter().copied().filter(|&c| c < n_in).collect();
            for w in &windows {
                w.args.iter().for_each(|e| e.columns_into(&mut req));
                w.partition_by.iter().for_each(|e| e.columns_into(&mut req));
                w.order_by.iter().for_each(|s| s.expr.columns_into(&mut req));
                if let Some(f) = &w.filter {
                    f.columns_into(&mut req);
                }
            }
            let (input, cmap) = prune(*input, &req)?;
            let r = remap_with(&cmap);
            let in_width = input.schema().fields().len();
            let windows: Vec<WindowCall> = windows
                .into_iter()
                .map(|w| WindowCall {
                    args: w.args.into_iter().map(|e| e.remap(&r)).collect(),
                    partition_by: w.partition_by.into_iter().map(|e| e.remap(&r)).collect(),
                    order_by: w.order_by.into_iter().map(|s| SortExpr { expr: s.expr.remap(&r), ..s }).collect(),
                    filter: w.filter.map(|f| f.remap(&r)),
                    ..w
                })
                .collect();
            let mut fields: Vec<Field> = input.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
            fields.extend(schema.fields().iter().skip(n_in).map(|f| f.as_ref().clone()));
            let mut map: Vec<Option<usize>> = (0..n_in).map(|i| cmap.get(i).copied().flatten()).collect();
            map.extend((0..windows.len()).map(|w| Some(in_width + w)));
            (Plan::Window { input: Box::new(input), windows, schema: Arc::new(Schema::new(fields)) }, map)
        }
        Plan::Sort { input, keys, fetch } => {
            let mut req = required.to_vec();
            keys.iter().for_each(|k| k.expr.columns_into(&mut req));
            let (input, map) = prune(*input, &req)?;
            let r = remap_with(&map);
            let keys = keys.into_iter().map(|k| SortExpr { expr: k.expr.remap(&r), ..k }).collect();
            (Plan::Sort { input: Box::new(input), keys, fetch }, map)
        }
        Plan::Limit { input, offset, fetch } => {
            let (input, map) = prune(*input, required)?;
            (Plan::Limit { input: Box::new(input), offset, fetch }, map)
        }
        Plan::Distinct { input } => {
            let all: Vec<usize> = (0..width).collect();
            let (input, map) = prune(*input, &all)?;
            let input = exact(input, &map, width);
            (Plan::Distinct { input: Box::new(input) }, (0..width).map(Some).collect())
        }
        Plan::Join { left, right, kind, on, filter, schema } => {
            let nl = left.schema().fields().len();
            let mut lreq: Vec<usize> = required.iter().copied().filter(|&c| c < nl).collect();
            let mut rreq: Vec<usize> = required.iter().copied().filter(|&c| c >= nl).map(|c| c - nl).collect();
            for (l, r) in &on {
                l.columns_into(&mut lreq);
                r.columns_into(&mut rreq);
            }
            if let Some(f) = &filter {
                for c in f.columns() {
                    if c < nl { lreq.push(c) } else { rreq.push(c - nl) }
                }
            }
            let (left, lmap) = prune(*left, &lreq)?;
            let (right, rmap) = prune(*right, &rreq)?;
            let lw = left.schema().fields().len();
            let (lr, rr) = (remap_with(&lmap), remap_with(&rmap));
            let on = on.into_iter().map(|(l, r)| (l.remap(&lr), r.remap(&rr))).collect();
            let filter = filter.map(|f| f.remap(&|c| if c < nl { lr(c) } else { lw + rr(c - nl) }));
            let mut fields: Vec<Field> = left.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
            let semi = matches!(kind, JoinKind::Semi | JoinKind::Anti);
            let mut map: Vec<Option<usize>> = lmap.clone();
            if !semi {
                // Keep the join's nullability of each side.
                let nullable_l = schema.fields().first().is_some_and(|f| f.is_nullable())
                    && matches!(kind, JoinKind::Right | JoinKind::Full);
                let _ = nullable_l;
                fields = left
                    .schema()
                    .fields()
                    .iter()
                    .map(|f| {
                        f.as_ref()
                            .clone()
                            .with_nullable(f.is_nullable() || matches!(kind, JoinKind::Right | JoinKind::Full))
                    })
                    .collect();
                fields.extend(right.schema().fields().iter().map(|f| {
                    f.as_ref().clone().with_nullable(f.is_nullable() || matches!(kind, JoinKind::Left | JoinKind::Full))
                }));
                map.extend(rmap.iter().map(|m| m.map(|x| lw + x)));
            }
            (
                Plan::Join {
                    left: Box::new(left),
                    right: Box::new(right),
                    kind,
                    on,
                    filter,
                    schema: Arc::new(Schema::new(fields)),
                },
                map,
            )
        }
        Plan::Union { inputs, schema } => {
            let all: Vec<usize> = (0..width).collect();
            let inputs = inputs
                .into_iter()
                .map(|i| {
                    let (p, map) = prune(i, &all)?;
                    Ok(exact(p, &map, width))
                })
                .collect::<Result<_>>()?;
            (Plan::Union { inputs, schema }, (0..width).map(Some).collect())
        }
    })
}

/// A pruned plan projected back to exactly its original `width` columns (where a node needs its
/// input's exact shape: `DISTINCT`, `UNION`).
fn exact(plan: Plan, map: &[Option<usize>], width: usize) -> Plan {
    let identity = plan.schema().fields().len() == width && map.iter().enumerate().all(|(i, m)| *m == Some(i));
    if identity {
        return plan;
    }
    let indices: Vec<usize> = (0..width).map(|i| map.get(i).copied().flatten().unwrap_or(0)).collect();
    let schema = plan.schema();
    let fields: Vec<Field> =
        indices.iter().filter_map(|&i| schema.fields().get(i)).map(|f| f.as_ref().clone()).collect();
    Plan::Project {
        exprs: indices.iter().map(|&i| Expr::Column(i)).collect(),
        input: Box::new(plan),
        schema: Arc::new(Schema::new(fields)),
    }
}
