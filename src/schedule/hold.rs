//! A hold: an operator keeps one profile in force over the schedule until
//! a time ("late demo tonight, keep it running"). Stored in the state
//! directory (and the S3 mirror) by `crate::state::hold`; this is the data
//! and when it counts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub profile: String,
    /// The hold ends here (exclusive).
    pub until: DateTime<Utc>,
    /// Since when it counts: an instant before it (an `--at` replay of an
    /// earlier tick) follows the schedule, as it did then.
    pub set_at: DateTime<Utc>,
    /// `user@host`, and the AWS caller when known.
    pub set_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Hold {
    /// Whether the hold is in force at `t`.
    pub fn covers(&self, t: DateTime<Utc>) -> bool {
        self.set_at <= t && t < self.until
    }

    pub fn expired(&self, t: DateTime<Utc>) -> bool {
        self.until <= t
    }
}
