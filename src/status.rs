//! What `parkctl status` shows, as a view model computed without I/O: the
//! live cost, which profile the live state matches, what sat idle, and
//! what each profile would save on it (and, with a schedule, what is due).

use crate::cost::{self, Money};
use crate::idle::Activity;
use crate::model::Live;
use crate::planner::{self, Now};
use crate::profile::Profile;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub struct Status {
    pub region: String,
    pub window_hours: f64,
    pub live: cost::Estimate,
    pub profiles: Vec<ProfileStatus>,
    /// Profiles the live state matches exactly; empty: drifted from all.
    pub matches: Vec<String>,
    pub activity: Vec<ResourceActivity>,
    pub recommendations: Vec<String>,
    /// The resources costing most a month, most first (usage included).
    pub busiest: Vec<crate::cost::types::ResourceCost>,
    /// The profile the schedule makes due now, and the hold; set by the
    /// command when `parkctl.yaml` has a schedule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<crate::schedule::view::Summary>,
    /// Profiles of the directory that did not load (file and first
    /// error), left out of the comparison; set by the command.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invalid_profiles: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ProfileStatus {
    pub name: String,
    pub pending_changes: usize,
    pub errors: Vec<String>,
    pub month: Option<Money>,
}

#[derive(Debug, Serialize)]
pub struct ResourceActivity {
    pub kind: String,
    pub name: String,
    pub metric: String,
    #[serde(flatten)]
    pub activity: Activity,
    /// A utilisation's average over the window (percent), where the
    /// metric is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The utilisation above which the resource counts as busy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub busy_above: Option<f64>,
    /// How a window without any reads (`no incoming records`).
    #[serde(skip)]
    pub quiet: String,
    /// Said instead of a saving when the resource costs nothing idle.
    #[serde(skip)]
    pub free_when_idle: Option<String>,
}

/// Everything status shows, computed without I/O.
/// How many resources `status` lists by cost.
pub const BUSIEST: usize = 5;

fn busiest(e: &cost::Estimate) -> Vec<crate::cost::types::ResourceCost> {
    let mut v: Vec<_> = e
        .resources
        .iter()
        .filter(|r| r.month.is_some_and(|m| m > Money::ZERO))
        .cloned()
        .collect();
    v.sort_by(|a, b| b.month.cmp(&a.month).then_with(|| a.name.cmp(&b.name)));
    v.truncate(BUSIEST);
    v
}

pub fn build(
    pricing: &cost::Pricing,
    region: &str,
    profiles: &[Profile],
    live: &Live,
    activity: Vec<ResourceActivity>,
    now: DateTime<Utc>,
    window_secs: i64,
) -> Status {
    let estimate = cost::estimate(pricing, region, live);
    let busiest = busiest(&estimate);
    let mut statuses = Vec::new();
    let mut matches = Vec::new();
    // Per profile: the monthly cost of each resource once it is applied.
    let mut per_resource: Vec<(String, BTreeMap<String, Option<Money>>)> = Vec::new();
    for p in profiles {
        let plan = planner::plan(p, live, &Now::at(now));
        let after = cost::estimate(pricing, region, &planner::after(live, &plan));
        if plan.changes.is_empty() && plan.errors.is_empty() {
            matches.push(p.name.clone());
        }
        if plan.errors.is_empty() {
            per_resource.push((
                p.name.clone(),
                after
                    .resources
                    .iter()
                    .map(|r| (r.name.clone(), r.month))
                    .collect(),
            ));
        }
        statuses.push(ProfileStatus {
            name: p.name.clone(),
            pending_changes: plan.changes.len(),
            errors: plan.errors.iter().map(|e| e.message.clone()).collect(),
            month: after.total.month,
        });
    }
    let hours = window_secs as f64 / 3600.0;
    let mut recommendations = Vec::new();
    for a in activity.iter().filter(|a| a.activity == Activity::Idle) {
        let what = a.quiet.as_str();
        // Only a saving on this very resource is offered: parking an idle
        // function saves nothing, and saying otherwise would be a lie.
        let now_cost = estimate
            .resources
            .iter()
            .find(|r| r.name == a.name)
            .and_then(|r| r.month);
        let best = per_resource
            .iter()
            .filter_map(|(name, costs)| {
                let after = costs.get(&a.name).copied().flatten()?;
                let saving = now_cost?.picos() - after.picos();
                (saving > 0).then(|| (name.clone(), Money::from_picos(saving)))
            })
            .max_by_key(|(_, m)| m.picos());
        recommendations.push(match best {
            Some((name, saving)) => format!("{} {} had {what} in {hours:.0} h: `parkctl apply {name}` would save {saving}/month on it", a.kind, a.name),
            None if a.free_when_idle.is_some() => format!("{} {} had {what} in {hours:.0} h; {}", a.kind, a.name, a.free_when_idle.as_deref().unwrap_or_default()),
            None => format!("{} {} had {what} in {hours:.0} h, and no profile lowers its cost", a.kind, a.name),
        });
    }
    Status {
        region: region.to_string(),
        window_hours: hours,
        live: estimate,
        profiles: statuses,
        matches,
        activity,
        recommendations,
        busiest,
        schedule: None,
        invalid_profiles: Vec::new(),
    }
}
