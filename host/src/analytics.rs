//! SQL over the component's tables, when the component is a composition of the core with the
//! analytics plugin: a [`Session`] holds registered tables (copied into the plugin once) and
//! answers queries with new [`Table`]s of the core. It sits on top of the instance and tables,
//! like the other `Host` APIs, and adds only the plugin's calls.

use std::rc::Rc;

use wasmtime::component::ResourceAny;

use crate::error::{Error, Result};
use crate::instance::{Host, Shared};
use crate::table::Table;
use crate::{Param, SessionOptions, SessionTableInfo};

/// An analytics session inside the component: tables registered once, then queried with SQL.
/// Dropping it frees it (and its copies of the tables) there.
///
/// ```
/// use arrow_rs_wasm_host::{Host, HostConfig, Param, SessionOptions};
/// # arrow_rs_wasm_host::doctest::in_workspace();
/// # if std::env::var_os("ARROW_CORE_WITH_ANALYTICS_COMPONENT").is_none() { return Ok(()); }
/// let host = Host::new(HostConfig::new(std::env::var("ARROW_CORE_WITH_ANALYTICS_COMPONENT")?))?;
/// let trips = host.read(&std::fs::read("testdata/sample/trips.csv")?, &Default::default())?;
/// let session = host.session(&SessionOptions { memory_limit: None })?;
/// session.register("trips", &trips)?;
/// let answer = session.query(
///     "SELECT payment, count(*) AS n, round(avg(fare), 2) AS mean_fare FROM trips WHERE fare > $1 GROUP BY payment ORDER BY n DESC",
///     &[Param::Float64(10.0)],
/// )?;
/// assert!(answer.num_rows()? >= 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Session {
    shared: Rc<Shared>,
    handle: ResourceAny,
    generation: u64,
}

impl Host {
    /// Whether the component answers SQL (it is a composition with the analytics plugin).
    pub fn has_analytics(&self) -> bool {
        self.shared.instance.borrow().analytics.is_some()
    }

    /// A new analytics session; [`Error::NoAnalytics`] when the component has no analytics
    /// plugin.
    pub fn session(&self, options: &SessionOptions) -> Result<Session> {
        let generation = self.shared.generation();
        let handle = self.shared.call_analytics(None, |a, s| {
            a.arrow_analytics_session().session().call_constructor(s, *options).map(Ok::<_, Error>)
        })?;
        Ok(Session { shared: self.shared.clone(), handle, generation })
    }
}

impl Session {
    fn table(&self, handle: ResourceAny) -> Table {
        Table { shared: self.shared.clone(), handle, generation: self.generation }
    }

    /// A table's handle, checked to belong to this session's instance.
    fn handle_of(&self, t: &Table) -> Result<ResourceAny> {
        if t.generation != self.generation || !Rc::ptr_eq(&t.shared, &self.shared) {
            return Err(Error::StaleTable);
        }
        Ok(t.handle)
    }

    /// Copy `table` into the session as `name` (case-insensitive, new).
    pub fn register(&self, name: &str, table: &Table) -> Result<()> {
        let t = self.handle_of(table)?;
        self.shared.call_analytics(Some(self.generation), |a, s| {
            a.arrow_analytics_session().session().call_register(s, self.handle, name, t)
        })
    }

    /// Add `table`'s rows to the table registered as `name` (same columns).
    pub fn append(&self, name: &str, table: &Table) -> Result<()> {
        let t = self.handle_of(table)?;
        self.shared.call_analytics(Some(self.generation), |a, s| {
            a.arrow_analytics_session().session().call_append(s, self.handle, name, t)
        })
    }

    /// Drop the table registered as `name`.
    pub fn unregister(&self, name: &str) -> Result<()> {
        self.shared.call_analytics(Some(self.generation), |a, s| {
            a.arrow_analytics_session().session().call_unregister(s, self.handle, name)
        })
    }

    /// The registered tables.
    pub fn tables(&self) -> Result<Vec<SessionTableInfo>> {
        self.shared.call_analytics(Some(self.generation), |a, s| {
            a.arrow_analytics_session().session().call_tables(s, self.handle).map(Ok::<_, Error>)
        })
    }

    /// Bytes the session holds now, and its budget.
    pub fn memory(&self) -> Result<(u64, u64)> {
        self.shared.call_analytics(Some(self.generation), |a, s| {
            let session = a.arrow_analytics_session().session();
            let used = session.call_memory_used(&mut *s, self.handle)?;
            let limit = session.call_memory_limit(s, self.handle)?;
            Ok(Ok::<_, Error>((used, limit)))
        })
    }

    /// Run one SQL query with its parameters (`$1`, `$2`, ...); the answer is a new table.
    pub fn query(&self, sql: &str, params: &[Param]) -> Result<Table> {
        let handle = self.shared.call_analytics(Some(self.generation), |a, s| {
            a.arrow_analytics_session().session().call_query(s, self.handle, sql, params)
        })?;
        Ok(self.table(handle))
    }

    /// The plan the query would run, as text.
    pub fn explain(&self, sql: &str, params: &[Param]) -> Result<String> {
        self.shared.call_analytics(Some(self.generation), |a, s| {
            a.arrow_analytics_session().session().call_explain(s, self.handle, sql, params)
        })
    }

    /// Split aggregation, first half: the query's grouping over this session's rows, as partial
    /// states.
    pub fn query_partial(&self, sql: &str, params: &[Param]) -> Result<Table> {
        let handle = self.shared.call_analytics(Some(self.generation), |a, s| {
            a.arrow_analytics_session().session().call_query_partial(s, self.handle, sql, params)
        })?;
        Ok(self.table(handle))
    }

    /// Split aggregation, second half: merge partial states (concatenated into one table) and
    /// finish the query.
    pub fn query_merge(&self, sql: &str, params: &[Param], partials: &Table) -> Result<Table> {
        let p = self.handle_of(partials)?;
        let handle = self.shared.call_analytics(Some(self.generation), |a, s| {
            a.arrow_analytics_session().session().call_query_merge(s, self.handle, sql, params, p)
        })?;
        Ok(self.table(handle))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.shared.drop_resource(self.handle, self.generation);
    }
}
