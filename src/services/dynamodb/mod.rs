//! DynamoDB tables: billing mode, provisioned read and write capacity of
//! the table and of each global secondary index, and the Application Auto
//! Scaling targets that would otherwise undo a lowered capacity.
//!
//! A provisioned table bills its capacity units every hour, busy or not;
//! parking lowers them (or switches the table to on-demand) and a restore
//! puts them back. AWS limits both: capacity decreases per table and index
//! per UTC day (`limits`), switches to on-demand per rolling day. The
//! planner enforces them, because the emulator does not.
//!
//! What AWS does to auto scaling across a mode switch (Amazon DynamoDB
//! Developer Guide, "Considerations when switching capacity modes"): a
//! switch made through the API or an SDK keeps every scalable target and
//! scaling policy, and they apply again once the table is provisioned; the
//! console deletes them, and a global table does not keep them. So parkctl
//! switches through the SDK, keeps targets and policies untouched, records
//! them in the snapshot, and refuses to switch a global table to on-demand.

mod aws;
mod limits;
mod plan;
mod raw;
mod scaling;

use crate::cost::money::Money;
use crate::cost::types::{Lookup, ResourceCost, HOURS_PER_MONTH};
use crate::iam::statements::{any, arns, Scope, Statements};
use crate::idle::MetricQuery;
use crate::model::{Live, Resource, Value};
use crate::plan::{Change, Notice, Notices, Now, Want};
use crate::profile::reporter::Reporter;
use crate::profile::rule::{quoted, Rule};
use crate::service::{
    Attr, Facts, IdleMetric, Kind, Planned, PriceKey, Service, TerraformHint, Ty, Wants,
};
use crate::service::{InitParked, LeftOut};
use std::fmt::Write;

pub const NAME: &str = "dynamodb";
pub const TABLE: &str = "table";
/// A global secondary index, named `TABLE/INDEX`, belonging to its table.
pub const INDEX: &str = "index";
pub const PROVISIONED: &str = "provisioned";
pub const ON_DEMAND: &str = "on_demand";
/// Auto scaling: every target's scaling runs, or every target is suspended
/// (dynamic scale in and out, and scheduled scaling), as every service
/// Application Auto Scaling scales says it.
pub use super::scaling::{ACTIVE, SUSPENDED};

/// A table's attributes as read: `status`, `billing`, `read_capacity`,
/// `write_capacity` (`null` on demand), `decreases_today`,
/// `last_decrease`, `last_on_demand` (the last switch to on-demand),
/// `size_bytes`, `global` (has replicas), `indexes` (GSI names),
/// `autoscaling` (`null` without targets, `active`, `suspended`, or each
/// target's suspended state where they differ), `targets` and `policies`.
/// An index has the capacity, decrease and scaling attributes of its own.
pub struct DynamoDb;

impl super::Section for DynamoDb {
    type Raw = raw::RawSection;

    fn build(raw: raw::RawSection, cx: &mut Reporter) -> Vec<Rule> {
        raw.tables
            .into_iter()
            .enumerate()
            .map(|(i, r)| raw::rule(cx, i, r))
            .collect()
    }
}

const KINDS: &[Kind] = &[
    Kind {
        name: TABLE,
        selectable: true,
        observed: &["billing", "read_capacity", "write_capacity", "autoscaling"],
        managed: &["billing", "read_capacity", "write_capacity", "autoscaling"],
    },
    Kind {
        name: INDEX,
        selectable: false,
        observed: &["read_capacity", "write_capacity", "autoscaling"],
        managed: &["read_capacity", "write_capacity", "autoscaling"],
    },
];

const ATTRS: &[Attr] = &[
    attr("billing", TABLE, "billing"),
    attr("read_capacity", TABLE, "read_capacity"),
    attr("write_capacity", TABLE, "write_capacity"),
    attr("autoscaling", TABLE, "autoscaling"),
    attr("autoscaling", INDEX, "autoscaling"),
    attr("index_read_capacity", INDEX, "read_capacity"),
    attr("index_write_capacity", INDEX, "write_capacity"),
    // The index names a rule gives, checked against the table's.
    attr("index_read_capacity", TABLE, "indexes"),
];

const fn attr(key: &'static str, kind: &'static str, attr: &'static str) -> Attr {
    Attr { key, kind, attr }
}

const PRICES: &[PriceKey] = &[
    PriceKey {
        key: "rcu_hour",
        unit: "RCU-hour",
        label: "DynamoDB provisioned read capacity unit-hour",
        everywhere: false,
    },
    PriceKey {
        key: "wcu_hour",
        unit: "WCU-hour",
        label: "DynamoDB provisioned write capacity unit-hour",
        everywhere: false,
    },
    PriceKey {
        key: "read_request_million",
        unit: "1M read request units",
        label: "DynamoDB on-demand read request units",
        everywhere: false,
    },
    PriceKey {
        key: "write_request_million",
        unit: "1M write request units",
        label: "DynamoDB on-demand write request units",
        everywhere: false,
    },
    PriceKey {
        key: "storage_gb_month",
        unit: "GB-month",
        label: "DynamoDB table storage GB-month",
        everywhere: false,
    },
];

const REQUEST_NOTE: &str =
    "an on-demand DynamoDB table's request cost assumes the last 24 h of consumed capacity continues";
const STORAGE_NOTE: &str =
    "DynamoDB bills table storage ($/GB-month of TableSizeBytes) in both modes: parking does not change it";
const ON_DEMAND_NOTE: &str =
    "an on-demand DynamoDB table bills requests only: its capacity costs $0 while idle";

/// What the core knows of this service without asking it anything.
static FACTS: Facts = Facts {
    name: NAME,
    kinds: KINDS,
    attrs: ATTRS,
    types: &[
        ("billing", Ty::TextOrNone),
        ("read_capacity", Ty::CountOrNone),
        ("write_capacity", Ty::CountOrNone),
    ],
    prices: PRICES,
    writes: &["UpdateTable", "RegisterScalableTarget"],
    request_keys: &[
        "\"TableName\":\"",
        "\"ResourceId\":\"",
        "\"ResourceArn\":\"",
    ],
    // DescribeTable and the Application Auto Scaling reads; the control
    // plane's documented rates are higher, this stays well under them.
    pace: (NAME, 20),
};

impl Service for DynamoDb {
    fn facts(&self) -> &'static Facts {
        &FACTS
    }

    fn child_value(&self, attr: &Attr, target: &Resource, value: &Value) -> Option<Value> {
        match (attr.key, target.id.kind) {
            ("index_read_capacity" | "index_write_capacity", INDEX) => {
                let map = value.as_object()?;
                let short = index_name(target.name());
                map.get(short).or_else(|| map.get("*")).cloned()
            }
            ("index_read_capacity", TABLE) => {
                let names: Vec<Value> = value
                    .as_object()?
                    .keys()
                    .filter(|k| *k != "*")
                    .map(|k| Value::from(k.as_str()))
                    .collect();
                Some(Value::Array(names))
            }
            _ => Some(value.clone()),
        }
    }

    fn plan(&self, live: &Resource, attr: &str, want: &Want, wants: &Wants, ctx: &Now) -> Planned {
        plan::plan(live, attr, want, wants, ctx)
    }

    /// A table's billing mode is its indexes' too; on demand neither has
    /// provisioned capacity.
    fn after(&self, resources: &mut [Resource], at: usize, c: &Change) {
        resources[at].attrs.set(c.attr, c.to.clone());
        if c.attr != "billing" || c.resource.kind != TABLE {
            return;
        }
        let table = c.resource.name.as_str();
        for r in resources.iter_mut() {
            let ours = r.name() == table || r.parent.as_deref() == Some(table);
            if !ours || r.id.service != NAME {
                continue;
            }
            r.attrs.insert("billing".into(), c.to.clone());
            if c.to == ON_DEMAND {
                r.attrs.insert("read_capacity".into(), Value::Null);
                r.attrs.insert("write_capacity".into(), Value::Null);
            }
        }
    }

    fn check(
        &self,
        live: &Live,
        found: &dyn crate::service::Found,
        changes: &[Change],
        out: &mut Notices,
    ) {
        plan::check(live, found, changes, out);
    }

    fn cost(&self, r: &Resource, lookup: &mut Lookup) -> Option<ResourceCost> {
        let mut parts = Vec::new();
        let mut month = Some(Money::ZERO);
        if r.text("billing") == ON_DEMAND {
            let (basis, requests) = requests(r, lookup);
            parts.push(basis);
            month = month.zip(requests).map(|(a, b)| a + b);
        } else {
            for (attr, p) in [
                ("read_capacity", &PRICES[0]),
                ("write_capacity", &PRICES[1]),
            ] {
                let n = u64::from(r.u32(attr).unwrap_or(0));
                let unit = &p.unit[..3];
                match lookup.price(NAME, p.key, p.label) {
                    Some(price) => {
                        parts.push(format!("{n} {unit} x {}/{}", price.usd.exact(), p.unit));
                        month = month.map(|m| m + price.usd.times(n * u64::from(HOURS_PER_MONTH)));
                    }
                    None => {
                        parts.push(format!("{n} {unit}, no price"));
                        month = None;
                    }
                }
            }
        }
        if r.id.kind == TABLE {
            let (basis, storage) = storage(r, lookup);
            parts.push(basis);
            month = month.zip(storage).map(|(a, b)| a + b);
        }
        Some(ResourceCost::new(&r.id, parts.join(" + "), month))
    }

    fn idle(&self, r: &Resource) -> Option<IdleMetric> {
        if r.id.kind != TABLE {
            return None;
        }
        let q = |metric| MetricQuery::of("AWS/DynamoDB", metric, "TableName", r.name());
        Some(IdleMetric {
            queries: vec![
                q("ConsumedReadCapacityUnits"),
                q("ConsumedWriteCapacityUnits"),
            ],
            quiet: "no reads or writes",
            free_when_idle: (r.text("billing") == ON_DEMAND).then_some(
                "on-demand: its capacity costs nothing while idle (storage is still billed)",
            ),
            busy_above: None,
        })
    }

    /// Consumed units price an on-demand table's and index's requests
    /// (and what a provisioned one would cost parked on demand). An
    /// index's requests are billed on their own: its metrics carry its
    /// name beside the table's.
    fn has_usage(&self) -> bool {
        true
    }

    fn usage(&self, r: &Resource) -> Vec<(&'static str, MetricQuery)> {
        if r.id.kind != TABLE && r.id.kind != INDEX {
            return vec![];
        }
        let mut dims = vec![("TableName", table_name(r.name()).to_string())];
        if r.id.kind == INDEX {
            dims.push(("GlobalSecondaryIndexName", index_name(r.name()).to_string()));
        }
        let q = |metric| MetricQuery {
            namespace: "AWS/DynamoDB",
            metric,
            dimensions: dims.clone(),
        };
        vec![
            ("read_units", q("ConsumedReadCapacityUnits")),
            ("write_units", q("ConsumedWriteCapacityUnits")),
        ]
    }

    fn summary(&self, resources: &[&Resource]) -> Vec<String> {
        resources.iter().map(|r| summary(r)).collect()
    }

    fn capture(&self, resources: &[&Resource]) -> String {
        capture(resources)
    }

    /// Parked: provisioned at 1/1, the table and every index, with auto
    /// scaling suspended (it would scale the table back up). Global tables
    /// are left alone, as parkctl leaves them everywhere.
    fn init_parked(&self, resources: &[&Resource]) -> InitParked {
        let mut lines = String::new();
        let mut left_out = Vec::new();
        for t in resources.iter().filter(|r| r.id.kind == TABLE) {
            if t.flag("global") {
                left_out.push(LeftOut {
                    resource: t.id.to_string(),
                    why: "a global table: its replicas' capacity is managed together, and parkctl leaves it alone".into(),
                });
                continue;
            }
            let _ = writeln!(
                lines,
                "    - name: {}\n      billing: provisioned\n      read_capacity: 1                   # capacity units bill every hour, busy or not\n      write_capacity: 1\n      indexes:\n        \"*\": {{read_capacity: 1, write_capacity: 1}}\n      autoscaling: suspended             # else its policy would scale it back up",
                crate::profile::rule::quoted(t.name())
            );
        }
        let section = if lines.is_empty() {
            String::new()
        } else {
            format!("dynamodb:\n  tables:\n{lines}")
        };
        InitParked { section, left_out }
    }

    fn iam(&self, rules: &[&Rule], scope: &Scope, st: &mut Statements) {
        st.add(
            &["dynamodb:ListTables", crate::aws::metrics::IAM_READ],
            &any(),
        );
        // Application Auto Scaling has no resource-level permissions.
        st.add(
            &[
                "application-autoscaling:DescribeScalableTargets",
                "application-autoscaling:DescribeScalingPolicies",
            ],
            &any(),
        );
        let base = format!("{}table/", scope.arn(NAME));
        for rule in rules {
            let tables = arns(&rule.selector, &base);
            st.add(&["dynamodb:DescribeTable"], &tables);
            if rule.selector.needs_tags() {
                st.add(&["dynamodb:ListTagsOfResource"], &tables);
            }
            let capacity = [
                "billing",
                "read_capacity",
                "write_capacity",
                "index_read_capacity",
            ];
            if capacity.iter().any(|k| rule.get(k).is_some()) {
                st.add(&["dynamodb:UpdateTable"], &tables);
            }
            if rule.get("autoscaling").is_some() {
                st.add(&["application-autoscaling:RegisterScalableTarget"], &any());
            }
        }
    }

    fn terraform(&self, rules: &[&Rule]) -> Vec<TerraformHint> {
        let mut out = vec![];
        if rules.iter().any(|r| {
            r.get("billing").is_some()
                || r.get("read_capacity").is_some()
                || r.get("index_read_capacity").is_some()
        }) {
            out.push(TerraformHint {
                resource: "aws_dynamodb_table",
                attributes: &[
                    "billing_mode",
                    "read_capacity",
                    "write_capacity",
                    "global_secondary_index",
                ],
                note: "parking lowers the table's capacities or switches it to on-demand",
            });
        }
        if rules.iter().any(|r| r.get("autoscaling").is_some()) {
            out.push(TerraformHint {
                resource: "aws_appautoscaling_target",
                attributes: &["suspended_state"],
                note: "parking suspends the table's auto scaling (targets and policies are kept)",
            });
        }
        out
    }
}

/// `by-user` of `sessions/by-user`.
pub fn index_name(full: &str) -> &str {
    full.rsplit_once('/').map_or(full, |(_, i)| i)
}

/// The table an index belongs to, or the table itself.
pub fn table_name(full: &str) -> &str {
    full.split_once('/').map_or(full, |(t, _)| t)
}

/// An on-demand table's requests over the last window, at the month's
/// rate: consumed capacity units are the request units AWS bills. Without
/// a usage read it is idle; an unreadable one is unknown.
fn requests(r: &Resource, lookup: &mut Lookup) -> (String, Option<Money>) {
    if !r.attrs.contains_key("usage") {
        lookup.note(ON_DEMAND_NOTE);
        return (
            "on-demand, $0 capacity while idle".into(),
            Some(Money::ZERO),
        );
    }
    let u = r.get("usage");
    if u.is_null() {
        return (
            format!("on-demand, requests unknown ({})", r.text("usage_error")),
            None,
        );
    }
    let (reads, writes) = (
        u["read_units"].as_f64().unwrap_or(0.0),
        u["write_units"].as_f64().unwrap_or(0.0),
    );
    let hours = u["hours"].as_f64().unwrap_or(24.0);
    if reads <= 0.0 && writes <= 0.0 {
        lookup.note(ON_DEMAND_NOTE);
        return (
            format!("on-demand, no requests in {hours} h"),
            Some(Money::ZERO),
        );
    }
    let rp = lookup
        .price(NAME, PRICES[2].key, PRICES[2].label)
        .map(|p| p.usd.as_f64());
    let wp = lookup
        .price(NAME, PRICES[3].key, PRICES[3].label)
        .map(|p| p.usd.as_f64());
    let (Some(rp), Some(wp)) = (rp, wp) else {
        return ("on-demand, no request price".into(), None);
    };
    lookup.note(REQUEST_NOTE);
    let window = reads / 1e6 * rp + writes / 1e6 * wp;
    (
        format!("on-demand, {reads} read + {writes} write units in {hours} h"),
        Some(crate::cost::types::month_of_window(window, hours)),
    )
}

fn storage(r: &Resource, lookup: &mut Lookup) -> (String, Option<Money>) {
    lookup.note(STORAGE_NOTE);
    let bytes = r.get("size_bytes").as_u64().unwrap_or(0);
    let gib = bytes as f64 / f64::from(1u32 << 30);
    match lookup.price(NAME, PRICES[4].key, PRICES[4].label) {
        Some(p) => (
            format!("{gib:.2} GB x {}/GB-month", p.usd.exact()),
            Some(p.usd.scale(i128::from(bytes), 1 << 30)),
        ),
        None => (format!("{gib:.2} GB, no storage price"), None),
    }
}

fn summary(r: &Resource) -> String {
    let kind = if r.id.kind == TABLE {
        "table "
    } else {
        "index "
    };
    let capacity = if r.text("billing") == ON_DEMAND {
        "on-demand".to_string()
    } else {
        format!(
            "{} RCU / {} WCU",
            r.u32("read_capacity").unwrap_or(0),
            r.u32("write_capacity").unwrap_or(0)
        )
    };
    let scaling = match r.get("autoscaling") {
        Value::Null => String::new(),
        Value::String(s) => format!(", auto scaling {s}"),
        _ => ", auto scaling partly suspended".to_string(),
    };
    format!("dynamodb {kind}  {:<48} {capacity}{scaling}", r.name())
}

fn capture(resources: &[&Resource]) -> String {
    let mut s = String::from("dynamodb:\n  tables:\n");
    let tables = resources.iter().filter(|r| r.id.kind == TABLE);
    for t in tables {
        let _ = writeln!(s, "    - name: {}", quoted(t.name()));
        if t.text("billing") == ON_DEMAND {
            s.push_str("      billing: on_demand\n");
        } else {
            let _ = writeln!(
                s,
                "      billing: provisioned\n      read_capacity: {}\n      write_capacity: {}",
                t.u32("read_capacity").unwrap_or(1),
                t.u32("write_capacity").unwrap_or(1)
            );
            let ix: Vec<&&Resource> = resources
                .iter()
                .filter(|r| r.id.kind == INDEX && r.parent.as_deref() == Some(t.name()))
                .collect();
            if !ix.is_empty() {
                s.push_str("      indexes:\n");
            }
            for i in ix {
                let _ = writeln!(
                    s,
                    "        {}: {{read_capacity: {}, write_capacity: {}}}",
                    quoted(index_name(i.name())),
                    i.u32("read_capacity").unwrap_or(1),
                    i.u32("write_capacity").unwrap_or(1)
                );
            }
        }
        match t.get("autoscaling") {
            Value::String(a) => {
                let _ = writeln!(s, "      autoscaling: {a}");
            }
            Value::Null => {}
            _ => s.push_str("      # auto scaling is partly suspended: not captured\n"),
        }
    }
    s
}

/// A table resource without attributes.
pub fn table(name: &str) -> Resource {
    Resource::new(NAME, TABLE, name)
}

/// An index resource of `table`, without attributes.
pub fn index(table: &str, index: &str) -> Resource {
    let mut r = Resource::new(NAME, INDEX, &format!("{table}/{index}"));
    r.parent = Some(table.to_string());
    r
}

/// Says why, on the resource (used by the planner's refusals).
fn notice(r: &Resource, why: String) -> Notice {
    Notice::on(&r.id, why)
}

#[cfg(test)]
mod tests;
