//! The one error type of every host call, and its conversions. It is the bottom layer: every
//! other module returns it, and it depends on none of them, so a new failure is added in one
//! place and every caller matches on the same enum.

use crate::{AnalyticsErrorKind, ArrowError, ErrorCode};

/// A place in SQL text: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqlPosition {
    /// The line, from 1.
    pub line: u32,
    /// The column, from 1.
    pub column: u32,
}

/// Everything a host call can fail with.
///
/// ```
/// use arrow_rs_wasm_host::{Error, ErrorCode};
/// # let host = arrow_rs_wasm_host::doctest::host();
/// match host.read(b"not a data file", &Default::default()) {
///     Err(Error::Arrow { code: ErrorCode::UnknownFormat, message }) => assert!(message.contains("magic")),
///     Err(other) => panic!("another failure: {other}"),
///     Ok(_) => panic!("read garbage"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The component refused the call: its `arrow-error`, code and message.
    #[error("{message}")]
    Arrow {
        /// What kind of failure (branch on this, not on the message).
        code: ErrorCode,
        /// The component's explanation.
        message: String,
    },
    /// The guest needed more memory than [`HostConfig::memory_limit`](crate::HostConfig::memory_limit)
    /// allows. The instance was replaced; the next call works.
    #[error("the call needed more than the memory limit of {limit} bytes")]
    MemoryLimit {
        /// The configured cap, in bytes.
        limit: usize,
    },
    /// The call used up [`HostConfig::fuel_per_call`](crate::HostConfig::fuel_per_call). The
    /// instance was replaced.
    #[error("the call ran out of its fuel budget of {fuel} units")]
    OutOfFuel {
        /// The configured budget.
        fuel: u64,
    },
    /// The component trapped for another reason (a bug in the core: please report it). The
    /// instance was replaced.
    #[error("the component trapped: {reason}")]
    Trap {
        /// Why, in one line (`wasm \`unreachable\` instruction executed` for a panic).
        reason: String,
        /// The whole error with the wasm backtrace, for a bug report (many lines).
        details: String,
    },
    /// The analytics plugin refused a query or session call: what kind of error, where in the
    /// SQL text, and the message (which ends with the position, `at 3:14`).
    #[error("{message}")]
    Analytics {
        /// What went wrong (branch on this, not on the message).
        kind: AnalyticsErrorKind,
        /// Where in the SQL text, when the error is about a piece of it.
        position: Option<SqlPosition>,
        /// The plugin's explanation.
        message: String,
    },
    /// The table (or analytics session) belonged to an instance that trapped and was replaced;
    /// read it (make it) again.
    #[error("the table belonged to an instance that trapped and was replaced")]
    StaleTable,
    /// The component has no analytics plugin (run a composition of the core with it, such as
    /// `build/core_with_analytics.wasm`).
    #[error("the component has no analytics plugin: use the core composed with it (core_with_analytics.wasm)")]
    NoAnalytics,
    /// The component could not be loaded, compiled or instantiated.
    #[error("cannot load the component: {0}")]
    Load(String),
    /// Reading the input or writing the output of a streaming call failed.
    #[error("{0}")]
    Io(String),
}

impl From<ArrowError> for Error {
    fn from(e: ArrowError) -> Self {
        Error::Arrow { code: e.code, message: e.message }
    }
}

impl From<crate::analytics_bindings::exports::arrow::analytics::values::AnalyticsError> for Error {
    fn from(e: crate::analytics_bindings::exports::arrow::analytics::values::AnalyticsError) -> Self {
        let position = e.position.map(|p| SqlPosition { line: p.line, column: p.column });
        Error::Analytics { kind: e.kind, position, message: e.error.message }
    }
}

/// The host's result type: `Result<T>` is `std::result::Result<T, Error>`.
///
/// ```
/// fn rows(host: &arrow_rs_wasm_host::Host, bytes: &[u8]) -> arrow_rs_wasm_host::Result<u64> {
///     host.read(bytes, &Default::default())?.num_rows()
/// }
/// # let host = arrow_rs_wasm_host::doctest::host();
/// assert_eq!(rows(&host, &std::fs::read("testdata/ipc/lz4.arrows").unwrap()).unwrap(), 2000);
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn load_error(e: impl std::fmt::Display) -> Error {
    Error::Load(e.to_string())
}

pub(crate) fn io_error(e: std::io::Error) -> Error {
    Error::Io(e.to_string())
}
