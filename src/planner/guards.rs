//! Checks that span services, named here together: each keeps a plan from
//! losing data where one service's change meets another's resource. They
//! turn into plan errors (apply refuses) or warnings. Checks within one
//! service are that service's `check`.

use super::{Desired, Index};
use crate::model::{Resource, Value};
use crate::plan::{Change, Context, Notice, Notices};
use crate::services::{kinesis, lambda};
use chrono::Duration;
use std::collections::{BTreeSet, HashMap};

/// A parked period worth planning for: a weekend plus a holiday Monday.
pub const PARKED_PERIOD_HOURS: u32 = 7 * 24;

pub(crate) fn check(
    desired: &Desired,
    idx: &Index,
    ctx: &Context,
    changes: &[Change],
    out: &mut Notices,
) {
    throttled_consumers(desired, idx, changes, out);
    short_retention(idx, ctx, changes, out);
}

/// Kinesis and DynamoDB stream sources keep retrying a throttled batch
/// until its records expire, which is why they matter for data safety.
fn is_stream_source(m: &Resource) -> bool {
    let arn = m.text("source_arn");
    arn.contains(":kinesis:") || arn.contains(":dynamodb:")
}

/// The value each changed resource attribute ends in (first change wins).
fn ends<'a>(changes: &'a [Change], service: &str, attr: &str) -> HashMap<&'a str, &'a Value> {
    let mut m = HashMap::new();
    for c in changes
        .iter()
        .filter(|c| c.resource.service == service && c.attr == attr)
    {
        m.entry(c.resource.name.as_str()).or_insert(&c.to);
    }
    m
}

/// Reserved concurrency 0 with a stream mapping left enabled: Lambda keeps
/// retrying the throttled batch until its records expire, and they are lost.
fn throttled_consumers(desired: &Desired, idx: &Index, changes: &[Change], out: &mut Notices) {
    let enabled_to = ends(changes, lambda::NAME, "enabled");
    for ((service, kind, name), wants) in &desired.resources {
        if service != lambda::NAME || kind != lambda::FUNCTION {
            continue;
        }
        let Some(f) = idx.get(&(service.clone(), kind.clone(), name.clone())) else {
            continue;
        };
        let want = wants.get("reserved_concurrency");
        let reserved_after = want.map_or(f.get("reserved_concurrency"), |w| &w.value);
        if reserved_after != &Value::from(0) {
            continue;
        }
        for m in idx.children(lambda::NAME, name) {
            if !m.is(lambda::NAME, lambda::SOURCE) {
                continue;
            }
            let on = enabled_to
                .get(m.name())
                .map_or(m.flag("enabled"), |v| v.as_bool() == Some(true));
            if on && is_stream_source(m) {
                let rule = want.map_or("the live state", |w| w.rule.as_str());
                out.errors.push(Notice::on(
                    format!("lambda function {name}"),
                    format!(
                        "lambda function {name} would get reserved concurrency 0 ({rule}) while its event source {} ({}) stays enabled: Lambda retries the throttled batches until the records expire and they are lost. Add `event_sources: disabled` to that rule",
                        lambda::source_name(m.text("source_arn")),
                        m.name()
                    ),
                ));
            }
        }
    }
}

/// Parking a stream (fewer shards, or its consumers stopped) with a short
/// retention: records not read before they expire are deleted.
fn short_retention(idx: &Index, ctx: &Context, changes: &[Change], out: &mut Notices) {
    let mut parked: BTreeSet<&str> = BTreeSet::new();
    for c in changes {
        let r = &c.resource;
        if r.service == kinesis::NAME && c.attr == "shards" {
            if c.to.as_u64() < c.from.as_u64() {
                parked.insert(&r.name);
            }
        } else if r.service == lambda::NAME
            && r.kind == lambda::SOURCE
            && c.to == Value::Bool(false)
        {
            let source = idx
                .find(&r.service, &r.kind, &r.name)
                .map(|m| m.text("source_arn"));
            if let Some(s) = source.and_then(|a| idx.by_arn(a)) {
                parked.insert(s.name());
            }
        }
    }
    for name in parked {
        let Some(s) = idx.find(kinesis::NAME, kinesis::STREAM, name) else {
            continue;
        };
        let hours = s.u32("retention_hours").unwrap_or(0);
        if hours < PARKED_PERIOD_HOURS {
            let expiry = ctx.now + Duration::hours(i64::from(hours));
            out.warnings.push(Notice::on(
                format!("kinesis stream {name}"),
                format!(
                    "kinesis stream {name} keeps records for {hours} h only: records still unread when it is parked expire by {} at the latest (older ones sooner). Restore before then, or raise its retention (parkctl never lowers it)",
                    expiry.format("%Y-%m-%d %H:%M UTC")
                ),
            ));
        }
    }
}
