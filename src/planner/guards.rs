//! Checks that keep a plan from losing data or tripping an AWS limit
//! half-way: they turn into plan errors (apply refuses) or warnings.

use super::Desired;
use crate::model::Live;
use crate::plan::{Action, Change, Notice, Resource};
use chrono::Duration;
use std::collections::BTreeSet;

/// AWS keeps at least this much of an account's concurrency unreserved.
pub const UNRESERVED_FLOOR: i64 = 100;

/// A parked period worth planning for: a weekend plus a holiday Monday.
pub const PARKED_PERIOD_HOURS: u32 = 7 * 24;

pub(crate) fn check(
    desired: &Desired,
    live: &Live,
    idx: &super::Index,
    ctx: &super::Context,
    changes: &[Change],
    errors: &mut Vec<Notice>,
    warnings: &mut Vec<Notice>,
) {
    throttled_consumers(desired, idx, changes, errors);
    short_retention(idx, ctx, changes, warnings);
    unreserved_floor(live, changes, errors, warnings);
    if changes
        .iter()
        .any(|c| matches!(c.action, Action::Shards { .. }))
    {
        warnings.push(Notice::new(format!(
            "AWS allows {} UpdateShardCount calls per stream per rolling 24 h, including any made outside parkctl",
            super::reshard::MAX_SCALING_CALLS_PER_DAY
        )));
    }
}

/// Reserved concurrency 0 with a stream mapping left enabled: Lambda keeps
/// retrying the throttled batch until its records expire, and they are lost.
fn throttled_consumers(
    desired: &Desired,
    idx: &super::Index,
    changes: &[Change],
    errors: &mut Vec<Notice>,
) {
    // The state each changed mapping ends in, by UUID (first change wins).
    let mut mapping_to: std::collections::HashMap<&str, bool> = std::collections::HashMap::new();
    for c in changes {
        if let (Resource::Mapping { uuid, .. }, Action::EventSource { to, .. }) =
            (&c.resource, &c.action)
        {
            mapping_to.entry(uuid.as_str()).or_insert(*to);
        }
    }
    for (name, want) in &desired.functions {
        let Some(f) = idx.functions.get(name.as_str()).copied() else {
            continue;
        };
        let reserved_after = want.reserved.as_ref().map_or(f.reserved, |w| w.value);
        if reserved_after != Some(0) {
            continue;
        }
        for m in f.mappings.iter().filter(|m| m.is_stream_source()) {
            let enabled_after = mapping_to
                .get(m.uuid.as_str())
                .copied()
                .unwrap_or(m.enabled);
            if enabled_after {
                let rule = want
                    .reserved
                    .as_ref()
                    .map(|w| w.rule.as_str())
                    .unwrap_or("the live state");
                errors.push(Notice::on(
                    format!("lambda function {name}"),
                    format!(
                        "lambda function {name} would get reserved concurrency 0 ({rule}) while its event source {} ({}) stays enabled: Lambda retries the throttled batches until the records expire and they are lost. Add `event_sources: disabled` to that rule",
                        m.source_name(),
                        m.uuid
                    ),
                ));
            }
        }
    }
}

/// Parking a stream (fewer shards, or its consumers stopped) with a short
/// retention: records not read before they expire are deleted.
fn short_retention(
    idx: &super::Index,
    ctx: &super::Context,
    changes: &[Change],
    warnings: &mut Vec<Notice>,
) {
    let mut parked: BTreeSet<&str> = BTreeSet::new();
    for c in changes {
        match (&c.resource, &c.action) {
            (Resource::Stream { name }, Action::Shards { from, to, .. }) if to < from => {
                parked.insert(name);
            }
            (Resource::Mapping { function, uuid, .. }, Action::EventSource { to: false, .. }) => {
                let arn = idx
                    .functions
                    .get(function.as_str())
                    .and_then(|f| f.mappings.iter().find(|m| &m.uuid == uuid))
                    .map(|m| m.source_arn.as_str());
                if let Some(s) = arn.and_then(|a| idx.stream_by_arn.get(a)) {
                    parked.insert(&s.name);
                }
            }
            _ => {}
        }
    }
    for name in parked {
        let Some(s) = idx.streams.get(name).copied() else {
            continue;
        };
        if s.retention_hours < PARKED_PERIOD_HOURS {
            let expiry = ctx.now + Duration::hours(i64::from(s.retention_hours));
            warnings.push(Notice::on(
                format!("kinesis stream {name}"),
                format!(
                    "kinesis stream {name} keeps records for {} h only: records still unread when it is parked expire by {} at the latest (older ones sooner). Restore before then, or raise its retention (parkctl never lowers it)",
                    s.retention_hours,
                    expiry.format("%Y-%m-%d %H:%M UTC")
                ),
            ));
        }
    }
}

/// AWS refuses a reservation that would leave fewer than 100 unreserved.
fn unreserved_floor(
    live: &Live,
    changes: &[Change],
    errors: &mut Vec<Notice>,
    warnings: &mut Vec<Notice>,
) {
    let delta: i64 = changes
        .iter()
        .filter_map(|c| match c.action {
            Action::ReservedConcurrency { from, to } => {
                Some(i64::from(to.unwrap_or(0)) - i64::from(from.unwrap_or(0)))
            }
            _ => None,
        })
        .sum();
    if delta <= 0 {
        return;
    }
    match live.account.unreserved_concurrency {
        Some(now) => {
            let after = i64::from(now) - delta;
            if after < UNRESERVED_FLOOR {
                errors.push(Notice::new(format!(
                    "the plan reserves {delta} more concurrency, leaving {after} unreserved in the account; AWS keeps at least {UNRESERVED_FLOOR} unreserved (now {now}). Lower the reservations or raise the account's concurrency quota"
                )));
            }
        }
        None => warnings.push(Notice::new(format!(
            "could not read the account's unreserved concurrency (GetAccountSettings); the plan reserves {delta} more, which AWS refuses if fewer than {UNRESERVED_FLOOR} would stay unreserved"
        ))),
    }
}
