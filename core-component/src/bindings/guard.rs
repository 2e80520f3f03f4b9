//! `guard`: the one place a panic under an export becomes a value the export can return.
//!
//! A panic's message is taken from the panic hook (which sees the location) rather than the
//! payload alone, so the error names the file and line inside the dependency that panicked.
//! Exports whose WIT result has no error to carry (counts, schema summaries, constructors) trap
//! as before: there is nothing truthful to return. A resource whose method panicked keeps the
//! state the panic left it in; tables are immutable, so no table is ever half-changed.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, PanicHookInfo, catch_unwind};
use std::sync::Once;

use super::exports::arrow::core::registry as wreg;
use super::exports::arrow::core::validation as wval;
use super::wit;

thread_local! {
    /// What the hook saw of the last panic: message and location.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn remember(info: &PanicHookInfo<'_>) {
    LAST_PANIC.set(Some(info.to_string()));
}

/// Runs one export's body; a panic becomes `T`'s error value (or a trap, for results without one).
pub(crate) fn guard<T: FromPanic>(body: impl FnOnce() -> T) -> T {
    // An abort build (the slim core) cannot catch anything: leave it the bare call, and its size.
    if cfg!(panic = "abort") {
        return body();
    }
    static HOOK: Once = Once::new();
    HOOK.call_once(|| std::panic::set_hook(Box::new(remember)));
    // Unwind safety: what a body mutates is a resource's own state (a decoder, a writer) or the
    // plugin registry, whose operations check before they change anything; see the module doc.
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(payload) => {
            let message = LAST_PANIC.take().unwrap_or_else(|| {
                payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".to_string())
            });
            T::from_panic(message.replace('\n', " "))
        }
    }
}

/// An export's result made from a caught panic.
pub(crate) trait FromPanic {
    /// The value the export returns after a panic described by `message`.
    fn from_panic(message: String) -> Self;
}

fn internal(message: &str) -> wit::ArrowError {
    wit::ArrowError {
        code: wit::ErrorCode::Internal,
        message: format!("internal error (a bug, please report it): {message}"),
    }
}

impl<T> FromPanic for Result<T, wit::ArrowError> {
    fn from_panic(message: String) -> Self {
        Err(internal(&message))
    }
}

impl FromPanic for wval::ValidationReport {
    /// Validation reports problems rather than failing: the panic is the one problem found.
    fn from_panic(message: String) -> Self {
        wval::ValidationReport {
            format: None,
            num_rows: 0,
            num_batches: 0,
            checks: Vec::new(),
            problems: vec![wval::Problem { location: "the decoder".into(), error: internal(&message) }],
        }
    }
}

/// Results with no error to carry: the panic traps, as it would without the guard.
macro_rules! traps_on_panic {
    ($($t:ty),* $(,)?) => {$(
        impl FromPanic for $t {
            fn from_panic(_: String) -> Self {
                std::process::abort()
            }
        }
    )*};
}

traps_on_panic!(u32, u64, bool, String, wit::SchemaSummary, Result<(), wreg::RegistryError>);

impl<T> FromPanic for Vec<T> {
    fn from_panic(_: String) -> Self {
        std::process::abort()
    }
}

impl<T> FromPanic for Option<T> {
    fn from_panic(_: String) -> Self {
        std::process::abort()
    }
}

/// Wraps every function of an `impl` of an exported interface in [`guard`], so no export can be
/// added without it. Associated types and other items pass through unchanged.
macro_rules! guarded {
    (@head [$($head:tt)*] { $($items:tt)* }) => { $($head)* { guarded!(@items $($items)*); } };
    (@head [$($head:tt)*] $next:tt $($rest:tt)*) => { guarded!(@head [$($head)* $next] $($rest)*); };
    (@items) => {};
    (@items $(#[$m:meta])* fn $name:ident ($($args:tt)*) -> $ret:ty $body:block $($rest:tt)*) => {
        $(#[$m])* fn $name($($args)*) -> $ret { $crate::bindings::guard::guard(move || $body) }
        guarded!(@items $($rest)*);
    };
    (@items $item:item $($rest:tt)*) => { $item guarded!(@items $($rest)*); };
    ($($all:tt)*) => { guarded!(@head [] $($all)*); };
}
