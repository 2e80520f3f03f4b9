//! Functions by kind, each resolved by name and argument types at bind time: [`scalar`] (one value
//! per row), [`aggregate`] (group accumulators that merge), [`window`] (over ordered partitions).

pub mod aggregate;
pub mod scalar;
pub mod window;
