//! The columns a name in a query can refer to: each output column of the `FROM` clause (or of a
//! grouping, or of a subquery) with the table name or alias that qualifies it.

use arrow_schema::{DataType, Field, Schema};

use crate::error::{AnalyticsError, ErrorKind, Result, closest};

/// One column a name can refer to.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeColumn {
    /// The table name or alias, lowercased (`None` for computed columns).
    pub qualifier: Option<String>,
    /// The column name as written in the source.
    pub name: String,
    /// Its type.
    pub data_type: DataType,
    /// Whether it may be NULL.
    pub nullable: bool,
    /// Left out of `*` and of unqualified lookups (the right side's copy of a `USING` column).
    pub hidden: bool,
}

/// The columns in scope, in the order of the plan's output (index = column index).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    /// The columns.
    pub columns: Vec<ScopeColumn>,
}

impl Scope {
    /// The columns of `schema`, all qualified by `qualifier`.
    pub fn from_schema(schema: &Schema, qualifier: Option<&str>) -> Self {
        Scope {
            columns: schema
                .fields()
                .iter()
                .map(|f| ScopeColumn {
                    qualifier: qualifier.map(str::to_lowercase),
                    name: f.name().clone(),
                    data_type: f.data_type().clone(),
                    nullable: f.is_nullable(),
                    hidden: false,
                })
                .collect(),
        }
    }

    /// Both scopes side by side (a join's output).
    pub fn join(&self, right: &Scope) -> Scope {
        Scope { columns: self.columns.iter().chain(&right.columns).cloned().collect() }
    }

    /// The columns as Arrow fields.
    pub fn fields(&self) -> Vec<Field> {
        self.columns.iter().map(|c| Field::new(&c.name, c.data_type.clone(), c.nullable)).collect()
    }

    /// The column a (possibly qualified) name refers to; `Ok(None)` when no column has it. Names
    /// compare without case, as in DuckDB; an exact-case match wins over others.
    pub fn resolve(&self, qualifier: Option<&str>, name: &str) -> Result<Option<usize>> {
        let q = qualifier.map(str::to_lowercase);
        let candidates: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.name.eq_ignore_ascii_case(name)
                    && match &q {
                        Some(q) => c.qualifier.as_deref() == Some(q.as_str()),
                        None => !c.hidden,
                    }
            })
            .map(|(i, _)| i)
            .collect();
        match candidates.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            many => {
                let exact: Vec<usize> =
                    many.iter().copied().filter(|&i| self.columns.get(i).is_some_and(|c| c.name == name)).collect();
                if let [one] = exact.as_slice() {
                    return Ok(Some(*one));
                }
                let tables: Vec<String> =
                    many.iter().filter_map(|&i| self.columns.get(i)).filter_map(|c| c.qualifier.clone()).collect();
                Err(AnalyticsError::new(
                    ErrorKind::UnknownColumn,
                    format!("column name {name:?} is ambiguous: it is in {}; qualify it", tables.join(" and ")),
                ))
            }
        }
    }

    /// The "no such column" error for `name`, with the closest existing name.
    pub fn unknown(&self, qualifier: Option<&str>, name: &str) -> AnalyticsError {
        let full = match qualifier {
            Some(q) => format!("{q}.{name}"),
            None => name.to_string(),
        };
        if let Some(q) = qualifier {
            let ql = q.to_lowercase();
            if !self.columns.iter().any(|c| c.qualifier.as_deref() == Some(ql.as_str())) {
                let tables: Vec<&str> = self.columns.iter().filter_map(|c| c.qualifier.as_deref()).collect();
                let hint = closest(q, tables).map(|t| format!(" (did you mean {t}?)")).unwrap_or_default();
                return AnalyticsError::new(
                    ErrorKind::UnknownColumn,
                    format!("no table {q:?} in FROM for {full}{hint}"),
                );
            }
        }
        let names = self.columns.iter().filter(|c| !c.hidden).map(|c| c.name.as_str());
        let hint = closest(name, names).map(|c| format!(" (did you mean {c}?)")).unwrap_or_default();
        AnalyticsError::new(ErrorKind::UnknownColumn, format!("no column {full}{hint}"))
    }
}
