//! The cost model: what the managed resources cost while idle, now and
//! once a plan has run.
//!
//! Pure (no clock, no I/O but loading a price file) so that every figure
//! parkctl prints can be pinned by a unit test. Each service prices its own
//! resources (`Service::cost`); this module sums and compares.

pub mod estimate;
pub mod money;
pub mod pricing;
pub mod types;

#[cfg(test)]
pub use estimate::builtin;
pub use estimate::{compare, estimate, load, Estimate};
pub use money::Money;
pub use pricing::Pricing;
pub use types::{CostComparison, CostDelta};

#[cfg(test)]
mod tests;
