//! Helpers the sweep tests share.

use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs `f`, turning a panic into a test failure that names the input.
// Each test crate compiles this module on its own; not every one uses every helper.
#[allow(dead_code)]
pub fn without_panic<T>(what: &str, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| panic!("the reader panicked on {what}"))
}

/// A small deterministic generator, so a failure names a reproducible position.
#[allow(dead_code)]
pub fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Collects the address range and type of every buffer of an array and its children, to tell
/// buffers that point into the input from copies.
#[allow(dead_code)]
pub fn buffer_ranges(data: &arrow_data::ArrayData, out: &mut Vec<(usize, usize, arrow_schema::DataType)>) {
    for b in data.buffers() {
        out.push((b.as_ptr() as usize, b.len(), data.data_type().clone()));
    }
    if let Some(n) = data.nulls() {
        out.push((n.buffer().as_ptr() as usize, n.buffer().len(), data.data_type().clone()));
    }
    for c in data.child_data() {
        buffer_ranges(c, out);
    }
}
