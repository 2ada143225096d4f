//! Presentation of plans, outcomes, status and statistics, kept apart from
//! planning so that the same plan prints as text, JSON or a diff.

pub mod billing;
pub mod cost;
pub mod diff;
pub mod error;
pub mod fleet;
pub mod progress;
pub mod schedule;
pub mod stats;
pub mod status;
pub mod text;

use std::io::IsTerminal;

/// Colours on a terminal only, and never with NO_COLOR set (any value).
pub fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}
