//! Helpers the sweep tests share.

use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs `f`, turning a panic into a test failure that names the input.
// Each test crate compiles this module on its own; not every one uses every helper.
#[allow(dead_code)]
pub fn without_panic<T>(what: &str, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| panic!("the reader panicked on {what}"))
}

/// A small deterministic generator, so a failure names a reproducible position.
pub fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}
