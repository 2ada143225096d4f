//! What `parkctl schedule` (and the schedule line of `status`) shows, as a
//! view model computed without I/O: the due profile, since and until when,
//! the next transitions, one view per day, the hold and the month's cost.

use super::cost::{monthly, ScheduleCost};
use super::due::{day_view, DayView};
use super::time::local_label;
use super::{Hold, Reason, Schedule};
use crate::cost::Money;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct View {
    #[serde(flatten)]
    pub now: Summary,
    /// Every profile the schedule uses, the default first (the legend).
    pub profiles: Vec<String>,
    pub transitions: Vec<TransitionView>,
    pub days: Vec<DayView>,
    /// `None` when the live state could not be priced.
    pub cost: Option<ScheduleCost>,
}

/// The due profile at one instant, with the hold: what `status` shows.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub timezone: String,
    pub at: DateTime<Utc>,
    pub due: String,
    pub reason: Reason,
    /// `None`: due for longer than the look-back horizon.
    pub since: Option<DateTime<Utc>>,
    /// `None`: no change within the horizon.
    pub until: Option<DateTime<Utc>>,
    pub hold: Option<HoldView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HoldView {
    #[serde(flatten)]
    pub hold: Hold,
    /// In force at the instant shown.
    pub active: bool,
    pub expired: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TransitionView {
    pub at: DateTime<Utc>,
    pub local: String,
    pub profile: String,
    pub reason: Reason,
}

pub fn summary(s: &Schedule, at: DateTime<Utc>, hold: Option<&Hold>) -> Summary {
    let due = s.due(at, hold);
    let (since, until) = s.since_until(at, hold);
    Summary {
        timezone: s.timezone.name().to_string(),
        at,
        due: due.profile,
        reason: due.reason,
        since,
        until,
        hold: hold.map(|h| HoldView {
            hold: h.clone(),
            active: h.covers(at),
            expired: h.expired(at),
        }),
    }
}

/// The whole view over `days` local days from the day of `at`.
pub fn build(
    s: &Schedule,
    at: DateTime<Utc>,
    hold: Option<&Hold>,
    days: u32,
    costs: Option<&BTreeMap<String, Option<Money>>>,
) -> View {
    let end = at + Duration::days(i64::from(days.max(1)));
    let transitions = s
        .transitions(at, end, hold)
        .into_iter()
        .map(|t| TransitionView {
            local: local_label(t.at, s.timezone),
            at: t.at,
            profile: t.profile,
            reason: t.reason,
        })
        .collect();
    let first = at.with_timezone(&s.timezone).date_naive();
    let days = (0..days)
        .map(|i| day_view(s, first + Duration::days(i64::from(i)), hold))
        .collect();
    View {
        now: summary(s, at, hold),
        profiles: s.profiles(),
        transitions,
        days,
        cost: costs.map(|c| monthly(s, c)),
    }
}
