//! Where Lambda's changes meet other services' resources: a function
//! throttled to nothing, or a mapping disabled, while its stream source
//! keeps records that expire (the planner's guards call these).

use super::{source_name, FUNCTION, NAME, SOURCE};
use crate::model::{Resource, Value};
use crate::plan::{Change, Notice, Notices};
use crate::service::{Across, Found};
use std::collections::HashMap;

/// Kinesis and DynamoDB stream sources keep retrying a throttled batch
/// until its records expire, which is why they matter for data safety.
fn is_stream_source(m: &Resource) -> bool {
    let arn = m.text("source_arn");
    arn.contains(":kinesis:") || arn.contains(":dynamodb:")
}

/// The value each changed resource attribute ends in (first change wins).
fn ends<'a>(changes: &'a [Change], attr: &str) -> HashMap<&'a str, &'a Value> {
    let mut m = HashMap::new();
    for c in changes
        .iter()
        .filter(|c| c.resource.service == NAME && c.attr == attr)
    {
        m.entry(c.resource.name.as_str()).or_insert(&c.to);
    }
    m
}

/// Reserved concurrency 0 with a stream mapping left enabled: Lambda keeps
/// retrying the throttled batch until its records expire, and they are lost.
pub(super) fn throttled_consumers(plan: &Across, out: &mut Notices) {
    let enabled_to = ends(plan.changes, "enabled");
    for ((service, kind, name), wants) in plan.desired {
        if service != NAME || kind != FUNCTION {
            continue;
        }
        let Some(f) = plan.live.find(service, kind, name) else {
            continue;
        };
        let want = wants.get("reserved_concurrency");
        let reserved_after = want.map_or(f.get("reserved_concurrency"), |w| &w.value);
        if reserved_after != &Value::from(0) {
            continue;
        }
        for m in plan.live.children(NAME, name) {
            if !m.is(NAME, SOURCE) {
                continue;
            }
            let on = enabled_to
                .get(m.name())
                .map_or(m.flag("enabled"), |v| v.as_bool() == Some(true));
            if on && is_stream_source(m) {
                let rule = want.map_or("the live state", |w| w.rule);
                out.errors.push(Notice::on(
                    format!("lambda function {name}"),
                    format!(
                        "lambda function {name} would get reserved concurrency 0 ({rule}) while its event source {} ({}) stays enabled: Lambda retries the throttled batches until the records expire and they are lost. Add `event_sources: disabled` to that rule",
                        source_name(m.text("source_arn")),
                        m.name()
                    ),
                ));
            }
        }
    }
}

/// A mapping disabled leaves its source's records unread: the source.
pub(super) fn parks<'a>(c: &Change, live: &'a dyn Found) -> Option<&'a Resource> {
    let r = &c.resource;
    if r.kind != SOURCE || c.to != Value::Bool(false) {
        return None;
    }
    let mapping = live.named(r)?;
    live.by_arn(mapping.text("source_arn"))
}
