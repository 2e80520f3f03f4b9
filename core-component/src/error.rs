//! The crate's one error type. Every failure is classified once, here, so the WIT edge can map
//! it to an `error-code` without looking at messages.

use arrow_schema::ArrowError;

/// Every way a core operation can fail.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum CoreError {
    /// An option or argument the operation cannot accept.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The bytes match no known format.
    #[error("unknown format: {0}")]
    UnknownFormat(String),
    /// A recognised format this build cannot handle.
    #[error("unsupported format: {0}")]
    UnsupportedFormat(String),
    /// A compression codec this build leaves out.
    #[error("unsupported codec: {0}")]
    UnsupportedCodec(String),
    /// Truncated, corrupt or inconsistent bytes.
    #[error("malformed input: {0}")]
    Malformed(String),
    /// The input declares more memory than the limit allows.
    #[error("limit exceeded: {0}")]
    LimitExceeded(String),
    /// A missing or ambiguous column name.
    #[error("column not found: {0}")]
    ColumnNotFound(String),
    /// A row offset outside the table.
    #[error("out of bounds: {0}")]
    OutOfBounds(String),
    /// Tables whose schemas must match do not.
    #[error("schema mismatch: {0}")]
    SchemaMismatch(String),
    /// The object was finished or closed and takes no more calls.
    #[error("closed: {0}")]
    Closed(String),
    /// The plugin registry refused a call.
    #[error("plugin: {message}")]
    Plugin {
        /// Why, for hosts to branch on.
        refusal: Refusal,
        /// What was refused.
        message: String,
    },
    /// An invariant the core relies on did not hold.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Why the plugin registry refused a call (kept here, beside the error that carries it, so the
/// error type depends on nothing else in the crate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The id is not a well-formed plugin id.
    MalformedId,
    /// A version is not `MAJOR.MINOR.PATCH`.
    MalformedVersion,
    /// The plugin needs a core API this core does not provide.
    IncompatibleCoreApi,
    /// The id is already registered.
    DuplicateId,
    /// An extension claim is malformed, or there is none.
    MalformedClaim,
    /// Another plugin claims one of the extension types.
    ExtensionClaimed,
    /// The id is not registered.
    NotRegistered,
}

/// The crate's result type.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;

impl CoreError {
    /// Classify an arrow-rs error raised while *decoding* input bytes: anything that is not a
    /// missing codec is the input's fault.
    pub fn from_decode(err: ArrowError) -> Self {
        match codec_missing(&err) {
            Some(msg) => CoreError::UnsupportedCodec(msg),
            None => CoreError::Malformed(err.to_string()),
        }
    }

    /// Classify an arrow-rs error raised while *encoding* a table.
    pub fn from_encode(err: ArrowError) -> Self {
        match (codec_missing(&err), err) {
            (Some(msg), _) => CoreError::UnsupportedCodec(msg),
            (None, ArrowError::InvalidArgumentError(msg)) => CoreError::InvalidArgument(msg),
            (None, other) => CoreError::Internal(other.to_string()),
        }
    }
}

/// arrow-ipc reports a codec compiled out as an `InvalidArgumentError` saying which feature it
/// requires; that is the only way to tell it apart.
fn codec_missing(err: &ArrowError) -> Option<String> {
    match err {
        ArrowError::InvalidArgumentError(msg) if msg.contains("requires the") => Some(msg.clone()),
        _ => None,
    }
}
