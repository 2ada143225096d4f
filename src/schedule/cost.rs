//! What a schedule costs a month: each profile's monthly cost (as if it
//! were in force all the time) times its share of an average week, over
//! the 730-hour month AWS bills. Date overrides and holds are exceptions,
//! not the average week, and are left out.

use super::due::week_owners;
use super::Schedule;
use crate::cost::Money;
use serde::Serialize;
use std::collections::BTreeMap;

const WEEK_MINUTES: i128 = 7 * 1440;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduleCost {
    /// With the schedule; unknown when any scheduled profile's cost is.
    pub month: Option<Money>,
    pub profiles: Vec<ProfileShare>,
    /// The dearest profile in force all the time minus the schedule.
    pub saving: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileShare {
    pub profile: String,
    /// Hours of an average week (of 168) the profile is due.
    pub hours_per_week: f64,
    /// The monthly cost were it in force all the time.
    pub always: Option<Money>,
    pub default: bool,
}

/// Minutes of the local week each profile is due by the periods (the
/// default takes the rest), in the schedule's profile order.
pub fn week_minutes(s: &Schedule) -> Vec<(String, i128)> {
    let owners = week_owners(&s.periods).unwrap_or_default();
    let mut counts: BTreeMap<&str, i128> = BTreeMap::new();
    for o in &owners {
        let p = o.map_or(s.default.as_str(), |i| s.periods[i].profile.as_str());
        *counts.entry(p).or_default() += 1;
    }
    s.profiles()
        .into_iter()
        .map(|p| {
            let n = counts.get(p.as_str()).copied().unwrap_or(0);
            (p, n)
        })
        .collect()
}

/// The month with the schedule, from each profile's monthly cost.
pub fn monthly(s: &Schedule, costs: &BTreeMap<String, Option<Money>>) -> ScheduleCost {
    let minutes = week_minutes(s);
    let mut total: Option<i128> = Some(0);
    let mut profiles = Vec::new();
    for (p, n) in &minutes {
        let always = costs.get(p).copied().flatten();
        total = match (total, always) {
            (Some(t), Some(m)) => Some(t + m.picos() * n),
            _ if *n == 0 => total,
            _ => None,
        };
        profiles.push(ProfileShare {
            profile: p.clone(),
            hours_per_week: *n as f64 / 60.0,
            always,
            default: *p == s.default,
        });
    }
    let month = total.map(|t| Money::from_picos(t).scale(1, WEEK_MINUTES));
    let dearest = profiles.iter().filter_map(|p| p.always).max();
    let saving = match (dearest, month) {
        (Some(d), Some(m)) => Some(d - m),
        _ => None,
    };
    ScheduleCost {
        month,
        profiles,
        saving,
    }
}
