//! A plan as indented text, one operator a line, columns by name: what `explain` returns.

use std::fmt::Write;

use arrow_schema::Schema;

use super::Tables;
use super::{AggMode, Expr, Plan, Query, SortExpr};

/// The query's plan (and its subqueries') as text.
pub fn explain(q: &Query, tables: &dyn Tables) -> String {
    let mut out = String::new();
    node(&q.plan, 0, tables, &mut out);
    for (i, s) in q.subqueries.iter().enumerate() {
        let _ = writeln!(out, "Subquery ${i} (run once):");
        node(s, 1, tables, &mut out);
    }
    out
}

/// An expression over `input`, columns named.
pub fn expr(e: &Expr, input: &Schema) -> String {
    let name = |i: usize| input.fields().get(i).map(|f| f.name().clone()).unwrap_or_else(|| format!("#{i}"));
    match e {
        Expr::Column(i) => name(*i),
        Expr::Literal(l) => l.to_string(),
        Expr::Binary { op, left, right, .. } => {
            format!("({} {} {})", expr(left, input), op.symbol(), expr(right, input))
        }
        Expr::Not(x) => format!("NOT {}", expr(x, input)),
        Expr::Negate(x) => format!("-{}", expr(x, input)),
        Expr::IsNull { expr: x, negated } => {
            format!("{} IS {}NULL", expr(x, input), if *negated { "NOT " } else { "" })
        }
        Expr::IsDistinctFrom { left, right, negated } => {
            format!(
                "{} IS {}DISTINCT FROM {}",
                expr(left, input),
                if *negated { "NOT " } else { "" },
                expr(right, input)
            )
        }
        Expr::Like { expr: x, pattern, negated, case_insensitive } => format!(
            "{} {}{} {}",
            expr(x, input),
            if *negated { "NOT " } else { "" },
            if *case_insensitive { "ILIKE" } else { "LIKE" },
            expr(pattern, input)
        ),
        Expr::InList { expr: x, list, negated } => {
            let items: Vec<String> = list.iter().map(|i| expr(i, input)).collect();
            format!("{} {}IN ({})", expr(x, input), if *negated { "NOT " } else { "" }, items.join(", "))
        }
        Expr::InSubquery { expr: x, subquery, negated } => {
            format!("{} {}IN ${subquery}", expr(x, input), if *negated { "NOT " } else { "" })
        }
        Expr::Exists { subquery, negated } => format!("{}EXISTS ${subquery}", if *negated { "NOT " } else { "" }),
        Expr::ScalarSubquery { subquery, .. } => format!("${subquery}"),
        Expr::Case { branches, otherwise, .. } => {
            let mut s = String::from("CASE");
            for (c, v) in branches {
                let _ = write!(s, " WHEN {} THEN {}", expr(c, input), expr(v, input));
            }
            let _ = write!(s, " ELSE {} END", expr(otherwise, input));
            s
        }
        Expr::Cast { expr: x, to, try_cast } => {
            format!("{}({} AS {to})", if *try_cast { "TRY_CAST" } else { "CAST" }, expr(x, input))
        }
        Expr::Function { func, args, .. } => {
            let a: Vec<String> = args.iter().map(|x| expr(x, input)).collect();
            format!("{}({})", func.name(), a.join(", "))
        }
    }
}

fn sort_keys(keys: &[SortExpr], input: &Schema) -> String {
    keys.iter()
        .map(|k| {
            format!(
                "{} {}{}",
                expr(&k.expr, input),
                if k.descending { "DESC" } else { "ASC" },
                if k.nulls_first { " NULLS FIRST" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn rows_of(p: &Plan, tables: &dyn Tables) -> Option<usize> {
    match p {
        Plan::Scan { table, filters, .. } if filters.is_empty() => {
            tables.batches(table).ok().map(|b| b.iter().map(|x| x.num_rows()).sum())
        }
        _ => None,
    }
}

fn node(p: &Plan, depth: usize, tables: &dyn Tables, out: &mut String) {
    let pad = "  ".repeat(depth);
    let line = match p {
        Plan::Scan { table, projection, filters, schema } => {
            let cols: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
            let rows = tables.batches(table).map(|b| b.iter().map(|x| x.num_rows()).sum::<usize>()).unwrap_or(0);
            let mut s = format!("Scan {table} ({rows} rows) columns=[{}]", cols.join(", "));
            let _ = projection;
            if !filters.is_empty() {
                let f: Vec<String> = filters.iter().map(|f| expr(f, schema)).collect();
                let _ = write!(s, " filters=[{}]", f.join(" AND "));
            }
            s
        }
        Plan::Values { batches, .. } => {
            format!("Values ({} rows)", batches.iter().map(|b| b.num_rows()).sum::<usize>())
        }
        Plan::Filter { input, predicate } => format!("Filter {}", expr(predicate, &input.schema())),
        Plan::Project { input, exprs, schema } => {
            let inner = input.schema();
            let items: Vec<String> = exprs
                .iter()
                .zip(schema.fields())
                .map(|(e, f)| {
                    let text = expr(e, &inner);
                    if text == *f.name() { text } else { format!("{text} AS {}", f.name()) }
                })
                .collect();
            format!("Project {}", items.join(", "))
        }
        Plan::Aggregate { input, groups, aggregates, mode, .. } => {
            let inner = input.schema();
            let g: Vec<String> = groups.iter().map(|e| expr(e, &inner)).collect();
            let a: Vec<String> = aggregates
                .iter()
                .map(|c| {
                    let args: Vec<String> = c.args.iter().map(|e| expr(e, &inner)).collect();
                    let mut s = format!(
                        "{}({}{})",
                        c.func.name(),
                        if c.distinct { "DISTINCT " } else { "" },
                        if args.is_empty() { "*".into() } else { args.join(", ") }
                    );
                    if let Some(f) = &c.filter {
                        let _ = write!(s, " FILTER (WHERE {})", expr(f, &inner));
                    }
                    s
                })
                .collect();
            let mode = match mode {
                AggMode::Single => "",
                AggMode::Partial => " (partial states)",
                AggMode::Final => " (merge of partial states)",
            };
            format!("HashAggregate{mode} groups=[{}] aggregates=[{}]", g.join(", "), a.join(", "))
        }
        Plan::Window { input, windows, .. } => {
            let inner = input.schema();
            let w: Vec<String> = windows
                .iter()
                .map(|c| {
                    let args: Vec<String> = c.args.iter().map(|e| expr(e, &inner)).collect();
                    let part: Vec<String> = c.partition_by.iter().map(|e| expr(e, &inner)).collect();
                    format!(
                        "{}({}) OVER (PARTITION BY [{}] ORDER BY [{}])",
                        c.func.name(),
                        args.join(", "),
                        part.join(", "),
                        sort_keys(&c.order_by, &inner)
                    )
                })
                .collect();
            format!("Window {}", w.join("; "))
        }
        Plan::Sort { input, keys, fetch } => match fetch {
            Some(n) => format!("TopN {n} by {}", sort_keys(keys, &input.schema())),
            None => format!("Sort by {}", sort_keys(keys, &input.schema())),
        },
        Plan::Limit { offset, fetch, .. } => {
            format!("Limit offset={offset} fetch={}", fetch.map_or("all".into(), |f| f.to_string()))
        }
        Plan::Distinct { .. } => "Distinct (hash)".to_string(),
        Plan::Join { left, right, kind, on, filter, schema } => {
            let (ls, rs) = (left.schema(), right.schema());
            let keys: Vec<String> = on.iter().map(|(l, r)| format!("{} = {}", expr(l, &ls), expr(r, &rs))).collect();
            let algo = if on.is_empty() { "NestedLoopJoin" } else { "HashJoin" };
            let build = match (rows_of(left, tables), rows_of(right, tables)) {
                (Some(l), Some(r)) => format!(
                    " build={} (the smaller input: {} against {} rows)",
                    if l < r { "left" } else { "right" },
                    l.min(r),
                    l.max(r)
                ),
                _ => " build=the smaller input, chosen when both sides have run".to_string(),
            };
            let mut s = format!("{algo} {}", kind.name());
            if !keys.is_empty() {
                let _ = write!(s, " on [{}]{build}", keys.join(", "));
            }
            if let Some(f) = filter {
                let _ = write!(s, " filter={}", expr(f, schema));
            }
            s
        }
        Plan::Union { inputs, .. } => format!("UnionAll ({} inputs)", inputs.len()),
    };
    let _ = writeln!(out, "{pad}{line}");
    for i in p.inputs() {
        node(i, depth + 1, tables, out);
    }
}
