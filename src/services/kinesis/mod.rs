//! Kinesis Data Streams: the capacity mode (provisioned or on-demand) and
//! the open shard count of provisioned streams.
//!
//! Everything parkctl knows about Kinesis is here: the `kinesis` profile
//! section, the UniformScaling rules a reshard must follow (`reshard`), the
//! stream-hour prices, the idle metric, the IAM actions, and the SDK calls
//! (`aws`).

mod aws;
mod mode;
pub mod reshard;

use crate::cost::types::{Lookup, ResourceCost, HOURS_PER_MONTH};
use crate::iam::statements::{any, arns, Scope, Statements};
use crate::idle::MetricQuery;
use crate::model::{Live, Resource, Value};
use crate::plan::{Change, Notice, Notices, Now, Phase, Want, Wave};
use crate::profile::raw::whole;
use crate::profile::reporter::Reporter;
use crate::profile::rule::Rule;
use crate::service::InitParked;
use crate::service::{
    Attr, Facts, Found, IdleMetric, Kind, Planned, PriceKey, Service, TerraformHint, Ty, Wants,
    PARKED_PERIOD_HOURS,
};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write;

pub const NAME: &str = "kinesis";
pub const STREAM: &str = "stream";
pub const MAX_SHARDS: i64 = 10_000;

/// A stream's attributes as read: `shards` (open shards), `retention_hours`,
/// `mode` (`provisioned` or `on_demand`) and `status`.
pub struct Kinesis;

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a rule: a mapping such as `name: my-stream` and `shards: 1`"
)]
pub struct RawRule {
    pub name: Option<String>,
    pub names: Option<Vec<String>>,
    pub prefix: Option<String>,
    pub tags: Option<crate::model::Tags>,
    #[serde(default, deserialize_with = "whole")]
    pub shards: Option<i64>,
    pub mode: Option<RawMode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawMode {
    Provisioned,
    OnDemand,
}

pub const PROVISIONED: &str = "provisioned";
pub const ON_DEMAND: &str = "on_demand";
/// AWS allows this many capacity-mode switches per stream per rolling 24 h.
pub const MAX_MODE_SWITCHES_PER_DAY: usize = 2;

impl super::Section for Kinesis {
    type Raw = Vec<RawRule>;

    fn build(raw: Vec<RawRule>, cx: &mut Reporter) -> Vec<Rule> {
        let mut rules = Vec::new();
        for (i, r) in raw.into_iter().enumerate() {
            let path = format!("kinesis[{i}]");
            let selector = cx.selector(&path, r.name, r.names, r.prefix, r.tags);
            let mut attrs = BTreeMap::new();
            if let Some(m) = r.mode {
                let m = if m == RawMode::OnDemand {
                    ON_DEMAND
                } else {
                    PROVISIONED
                };
                attrs.insert("mode".to_string(), Value::from(m));
            }
            match r.shards {
                None if r.mode.is_none() => cx.nothing_set(&path, "`shards` or `mode`"),
                None => {}
                Some(_) if r.mode == Some(RawMode::OnDemand) => cx.err(
                    &format!("{path}.shards"),
                    "`shards` with `mode: on_demand`: an on-demand stream has no shard count to set (AWS scales it)",
                    "on-demand stream",
                    Some("remove `shards`, or set `mode: provisioned`"),
                ),
                Some(n) => {
                    let ok = cx.in_range(
                        &format!("{path}.shards"),
                        n,
                        1..=MAX_SHARDS,
                        &format!("shards must be between 1 and {MAX_SHARDS}, not {n}"),
                        "a provisioned stream has at least one open shard; parking keeps 1",
                    );
                    if let Some(n) = ok {
                        attrs.insert("shards".to_string(), Value::from(n));
                    }
                }
            }
            rules.push(cx.rule(NAME, &path, selector, attrs));
        }
        rules
    }
}

const KINDS: &[Kind] = &[Kind {
    name: STREAM,
    selectable: true,
    observed: &["shards", "retention_hours", "mode"],
    managed: &["shards", "mode"],
}];

const ATTRS: &[Attr] = &[
    Attr {
        key: "shards",
        kind: STREAM,
        attr: "shards",
    },
    Attr {
        key: "mode",
        kind: STREAM,
        attr: "mode",
    },
];

const PRICES: &[PriceKey] = &[
    PriceKey {
        key: "shard_hour",
        unit: "shard-hour",
        label: "Kinesis shard-hour",
        everywhere: true,
    },
    PriceKey {
        key: "on_demand_stream_hour",
        unit: "stream-hour",
        label: "Kinesis on-demand stream-hour",
        everywhere: true,
    },
    PriceKey {
        key: "on_demand_ingest_gb",
        unit: "GB",
        label: "Kinesis on-demand data ingested",
        everywhere: false,
    },
];

const ON_DEMAND_NOTE: &str =
    "on-demand Kinesis streams are also billed per GB written and read: only their stream-hours are counted";
const DATA_NOTE: &str =
    "an on-demand Kinesis stream's data cost counts the bytes written in the last 24 h (IncomingBytes) at that rate; reads and extended retention are not counted";
const RETENTION_NOTE: &str =
    "Kinesis streams keeping data longer than 24 h also pay for extended retention, which is not counted";

/// What the core knows of this service without asking it anything.
static FACTS: Facts = Facts {
    name: NAME,
    kinds: KINDS,
    attrs: ATTRS,
    types: &[("shards", Ty::Count), ("mode", Ty::TextOrNone)],
    prices: PRICES,
    writes: &["UpdateShardCount", "UpdateStreamMode"],
    request_keys: &["\"StreamName\":\""],
    // DescribeStreamSummary, the most-called Kinesis read.
    pace: (NAME, 20),
};

impl Service for Kinesis {
    fn facts(&self) -> &'static Facts {
        &FACTS
    }

    fn plan(&self, s: &Resource, attr: &str, want: &Want, wants: &Wants, ctx: &Now) -> Planned {
        let res = &s.id;
        let status = s.text("status");
        if status == "CREATING" || status == "DELETING" {
            return Planned::Refuse(Notice::on(res, format!("{res} is {status}; its capacity cannot change now. Wait until it is ACTIVE and re-run")));
        }
        if attr == "mode" {
            return mode::plan(s, want, ctx);
        }
        let wanted_mode = wants
            .get("mode")
            .and_then(|w| w.value.as_str())
            .unwrap_or(s.text("mode"));
        if wanted_mode == ON_DEMAND {
            if wants.contains_key("mode") {
                // AWS sets an on-demand stream's shards: nothing to ask.
                return Planned::Covered;
            }
            return Planned::Refuse(Notice::on(res, format!("{res} is in on-demand mode, which has no shard count to set ({}); set `mode: provisioned` in the rule to switch it, or drop it from the rule", want.rule)));
        }
        // After a switch to provisioned the stream keeps the shards it had
        // on demand, and is resharded from there once the switch is done.
        let after_switch = s.text("mode") == ON_DEMAND;
        shards(s, want, after_switch)
    }
    fn check(
        &self,
        _live: &Live,
        _found: &dyn crate::service::Found,
        changes: &[Change],
        out: &mut Notices,
    ) {
        if changes
            .iter()
            .any(|c| c.resource.service == NAME && c.attr == "shards")
        {
            out.warnings.push(Notice::new(format!(
                "AWS allows {} UpdateShardCount calls per stream per rolling 24 h, including any made outside parkctl",
                reshard::MAX_SCALING_CALLS_PER_DAY
            )));
        }
    }

    /// Fewer shards park the stream: its records may wait unread.
    fn parks<'a>(&self, c: &Change, live: &'a dyn Found) -> Option<&'a Resource> {
        let fewer = c.attr == "shards" && c.to.as_u64() < c.from.as_u64();
        fewer.then(|| live.find(NAME, STREAM, &c.resource.name))?
    }

    /// A parked stream whose retention is shorter than a parked period
    /// deletes the records still unread when they expire.
    fn parked(&self, s: &Resource, ctx: &Now) -> Option<Notice> {
        let hours = s.u32("retention_hours").unwrap_or(0);
        if s.id.kind != STREAM || hours >= PARKED_PERIOD_HOURS {
            return None;
        }
        let name = s.name();
        let expiry = ctx.now + chrono::Duration::hours(i64::from(hours));
        Some(Notice::on(
            format!("kinesis stream {name}"),
            format!(
                "kinesis stream {name} keeps records for {hours} h only: records still unread when it is parked expire by {} at the latest (older ones sooner). Restore before then, or raise its retention (parkctl never lowers it)",
                crate::plan::minute(expiry)
            ),
        ))
    }

    fn cost(&self, s: &Resource, lookup: &mut Lookup) -> Option<ResourceCost> {
        if s.u32("retention_hours").unwrap_or(24) > 24 {
            lookup.note(RETENTION_NOTE);
        }
        let hours = u64::from(HOURS_PER_MONTH);
        let (basis, month) = if s.text("mode") == "on_demand" {
            let stream_hours = match lookup.price(NAME, PRICES[1].key, PRICES[1].label) {
                Some(p) => (
                    format!("on-demand, {}/stream-hour", p.usd.exact()),
                    Some(p.usd.times(hours)),
                ),
                None => ("on-demand, no stream-hour price".to_string(), None),
            };
            let (data, data_month) = ingested(s, lookup);
            (
                format!("{} + {data}", stream_hours.0),
                stream_hours.1.zip(data_month).map(|(a, b)| a + b),
            )
        } else {
            let n = s.u32("shards").unwrap_or(0);
            let shards = format!("{n} shard{}", if n == 1 { "" } else { "s" });
            match lookup.price(NAME, PRICES[0].key, PRICES[0].label) {
                Some(p) => (
                    format!("{shards} x {}/shard-hour", p.usd.exact()),
                    Some(p.usd.times(u64::from(n) * hours)),
                ),
                None => (format!("{shards}, no shard-hour price"), None),
            }
        };
        Some(ResourceCost::new(&s.id, basis, month))
    }

    fn idle(&self, s: &Resource) -> Option<IdleMetric> {
        Some(IdleMetric {
            queries: vec![MetricQuery::of(
                "AWS/Kinesis",
                "IncomingRecords",
                "StreamName",
                s.name(),
            )],
            quiet: "no incoming records",
            free_when_idle: None,
            busy_above: None,
        })
    }

    /// Bytes and records written price an on-demand stream's data.
    fn has_usage(&self) -> bool {
        true
    }

    fn usage(&self, s: &Resource) -> Vec<(&'static str, MetricQuery)> {
        let q = |m| MetricQuery::of("AWS/Kinesis", m, "StreamName", s.name());
        vec![
            ("incoming_bytes", q("IncomingBytes")),
            ("incoming_records", q("IncomingRecords")),
        ]
    }

    fn summary(&self, resources: &[&Resource]) -> Vec<String> {
        resources
            .iter()
            .map(|s| {
                let mode = if s.text("mode") == "on_demand" {
                    "OnDemand"
                } else {
                    "Provisioned"
                };
                format!(
                    "kinesis stream   {:<48} shards {} ({mode}), retention {} h",
                    s.name(),
                    s.u32("shards").unwrap_or(0),
                    s.u32("retention_hours").unwrap_or(0)
                )
            })
            .collect()
    }

    fn capture(&self, resources: &[&Resource]) -> String {
        let mut s = String::from("kinesis:\n");
        for st in resources {
            let name = crate::profile::rule::quoted(st.name());
            if st.text("mode") == ON_DEMAND {
                let _ = writeln!(s, "  - name: {name}\n    mode: on_demand");
                continue;
            }
            let _ = writeln!(
                s,
                "  - name: {name}\n    shards: {}",
                st.u32("shards").unwrap_or(1)
            );
        }
        s
    }

    /// Parked: one provisioned shard, the least a stream can have; an
    /// on-demand stream switches to provisioned for it (AWS allows two
    /// switches a day, which park and restore use).
    fn init_parked(&self, resources: &[&Resource]) -> InitParked {
        let mut s = String::from("kinesis:\n");
        for st in resources.iter().filter(|r| r.id.kind == STREAM) {
            let name = crate::profile::rule::quoted(st.name());
            if st.text("mode") == ON_DEMAND {
                let _ = writeln!(
                    s,
                    "  - name: {name}\n    mode: provisioned              # on-demand bills per stream-hour, busy or not\n    shards: 1"
                );
            } else {
                let _ = writeln!(
                    s,
                    "  - name: {name}\n    shards: 1                      # merged shards keep their records until retention expires"
                );
            }
        }
        InitParked {
            section: s,
            left_out: vec![],
        }
    }

    fn iam(&self, rules: &[&Rule], scope: &Scope, st: &mut Statements) {
        st.add(
            &["kinesis:ListStreams", crate::aws::metrics::IAM_READ],
            &any(),
        );
        let base = format!("{}stream/", scope.arn(NAME));
        for rule in rules {
            let res = arns(&rule.selector, &base);
            st.add(
                &["kinesis:DescribeStreamSummary", "kinesis:DescribeStream"],
                &res,
            );
            if rule.selector.needs_tags() {
                st.add(&["kinesis:ListTagsForStream"], &res);
            }
            if rule.get("shards").is_some() {
                st.add(&["kinesis:UpdateShardCount"], &res);
            }
            if rule.get("mode").is_some() {
                // A switch to provisioned may reshard after it.
                st.add(
                    &["kinesis:UpdateStreamMode", "kinesis:UpdateShardCount"],
                    &res,
                );
            }
        }
    }

    fn terraform(&self, rules: &[&Rule]) -> Vec<TerraformHint> {
        if rules.iter().any(|r| r.get("mode").is_some()) {
            return vec![TerraformHint {
                resource: "aws_kinesis_stream",
                attributes: &["shard_count", "stream_mode_details"],
                note: "parking switches the stream's capacity mode and reshards it",
            }];
        }
        if !rules.iter().any(|r| r.get("shards").is_some()) {
            return vec![];
        }
        vec![TerraformHint {
            resource: "aws_kinesis_stream",
            attributes: &["shard_count"],
            note: "parking reshards the stream",
        }]
    }

    fn upgrade_v1(&self, live: &serde_json::Value) -> Vec<Resource> {
        let streams = live["streams"].as_array().cloned().unwrap_or_default();
        streams.iter().map(stream_v1).collect()
    }

    fn upgrade_v1_change(&self, c: &serde_json::Value) -> Option<Change> {
        (c["kind"] == "stream").then(|| Change {
            steps: c["steps"].as_array().cloned().unwrap_or_default(),
            ..Change::new(
                Phase::Capacity,
                Wave::MAIN,
                stream(c["name"].as_str().unwrap_or_default()).id,
                "shards",
                c["from"].clone(),
                c["to"].clone(),
                crate::model::intern(c["rule"].as_str().unwrap_or_default()),
            )
        })
    }
}

/// The reshard that takes the stream to the wanted count, in steps AWS
/// allows; `after_switch`: it runs once a switch to provisioned is done.
fn shards(s: &Resource, want: &Want, after_switch: bool) -> Planned {
    let res = &s.id;
    let refuse = |why: String| Planned::Refuse(Notice::on(res, why));
    let (from, to) = (
        s.u32("shards").unwrap_or(0),
        want.value.as_u64().unwrap_or(0) as u32,
    );
    if to == 0 {
        // Only a recorded state can ask for this (profiles refuse 0): a
        // provisioned stream keeps at least one open shard.
        return refuse(format!(
            "{res} cannot be scaled to 0 shards ({}); a stream keeps at least 1 open shard",
            want.rule
        ));
    }
    if from == to {
        return Planned::Covered;
    }
    let steps = reshard::steps(from, to);
    let max = reshard::MAX_SCALING_CALLS_PER_DAY;
    if steps.len() > max {
        return refuse(format!("{res}: {from} -> {to} shards needs {} UpdateShardCount calls, but AWS allows {max} per stream per rolling 24 h; choose a target within {max} steps", steps.len()));
    }
    let mut note = (steps.len() > 1).then(|| {
        let via: Vec<String> = steps[..steps.len() - 1]
            .iter()
            .map(u32::to_string)
            .collect();
        format!(
            "{} UpdateShardCount calls, via {}",
            steps.len(),
            via.join(", ")
        )
    });
    if after_switch {
        note = Some(format!(
            "after the switch to provisioned, from the {from} shards it keeps{}",
            note.map(|n| format!("; {n}")).unwrap_or_default()
        ));
    }
    Planned::Change(Box::new(Change {
        steps: steps.into_iter().map(Value::from).collect(),
        note,
        ..Change::new(
            Phase::Capacity,
            // After the reservations that make room, and after a mode switch.
            if after_switch {
                Wave::AFTER
            } else {
                Wave::MAIN
            },
            res.clone(),
            "shards",
            Value::from(from),
            Value::from(to),
            want.rule,
        )
    }))
}

/// An on-demand stream's data written over the last window, at the
/// month's rate (reads are billed too, and not counted). Without a usage
/// read, the note says data is extra; an unreadable one is unknown.
fn ingested(s: &Resource, lookup: &mut Lookup) -> (String, Option<crate::cost::money::Money>) {
    if !s.attrs.contains_key("usage") {
        lookup.note(ON_DEMAND_NOTE);
        return (
            "data not counted".into(),
            Some(crate::cost::money::Money::ZERO),
        );
    }
    let u = s.get("usage");
    if u.is_null() {
        return (format!("data unknown ({})", s.text("usage_error")), None);
    }
    // On-demand ingest bills each record rounded up to 1 KB.
    let bytes = u["incoming_bytes"]
        .as_f64()
        .unwrap_or(0.0)
        .max(u["incoming_records"].as_f64().unwrap_or(0.0) * 1024.0);
    let hours = u["hours"].as_f64().unwrap_or(24.0);
    lookup.note(DATA_NOTE);
    if bytes <= 0.0 {
        return (
            format!("no data in {hours} h"),
            Some(crate::cost::money::Money::ZERO),
        );
    }
    match lookup.price(NAME, PRICES[2].key, PRICES[2].label) {
        Some(p) => {
            let gb = bytes / f64::from(1u32 << 30);
            (
                format!("{gb:.2} GB written in {hours} h"),
                Some(crate::cost::types::month_of_window(
                    gb * p.usd.as_f64(),
                    hours,
                )),
            )
        }
        None => ("data, no price".into(), None),
    }
}

/// A stream resource without attributes.
pub fn stream(name: &str) -> Resource {
    Resource::new(NAME, STREAM, name)
}

fn stream_v1(s: &serde_json::Value) -> Resource {
    let mut r = stream(s["name"].as_str().unwrap_or_default())
        .with("shards", s["open_shards"].clone())
        .with("retention_hours", s["retention_hours"].clone())
        .with("mode", s["mode"].clone())
        .with("status", s["status"].clone());
    r.arn = s["arn"].as_str().unwrap_or_default().to_string();
    r.tags = serde_json::from_value(s["tags"].clone()).unwrap_or_default();
    r
}

#[cfg(test)]
mod tests;
