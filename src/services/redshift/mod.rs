//! Redshift provisioned clusters: parked by PauseCluster, restored by
//! ResumeCluster, each waited for. A paused cluster bills no node-hours;
//! its storage (RA3 managed storage, backups) goes on billing.

mod aws;
mod raw;

use crate::cost::money::Money;
use crate::cost::types::{Lookup, ResourceCost, HOURS_PER_MONTH};
use crate::iam::statements::{any, arns, Scope, Statements};
use crate::idle::MetricQuery;
use crate::model::{Attrs, Resource, Value};
use crate::plan::{Change, Notice, Now, Phase, Want, Wave};
use crate::profile::reporter::Reporter;
use crate::profile::rule::{quoted, Rule};
use crate::service::{
    Attr, Facts, IdleMetric, InitParked, Kind, Planned, PriceKey, Service, TerraformHint, Ty, Wants,
};
use std::fmt::Write;

pub const NAME: &str = "redshift";
pub const CLUSTER: &str = "cluster";
pub const AVAILABLE: &str = "available";
pub const PAUSED: &str = "paused";
/// How long an apply waits for a cluster unless the rule says otherwise.
pub const DEFAULT_WAIT_MINUTES: u32 = 30;

/// A cluster's attributes as read: `state` (AWS's ClusterStatus:
/// `available`, `paused`, `resizing`, ...), `node_type`, `nodes`.
pub struct Redshift;

impl super::Section for Redshift {
    type Raw = raw::RawSection;

    fn build(raw: raw::RawSection, cx: &mut Reporter) -> Vec<Rule> {
        raw.clusters
            .into_iter()
            .enumerate()
            .map(|(i, r)| raw::rule(cx, i, r))
            .collect()
    }
}

const KINDS: &[Kind] = &[Kind {
    name: CLUSTER,
    selectable: true,
    observed: &["state"],
    managed: &["state"],
}];

const ATTRS: &[Attr] = &[
    Attr {
        key: "state",
        kind: CLUSTER,
        attr: "state",
    },
    Attr {
        key: "wait_minutes",
        kind: CLUSTER,
        attr: "wait_minutes",
    },
];

const fn node(key: &'static str) -> PriceKey {
    PriceKey {
        key,
        unit: "node-hour",
        label: "Redshift node-hour",
        everywhere: false,
    }
}

/// Node-hours by node type; a type missing here or in the price table is
/// priced "unknown", never $0.
const PRICES: &[PriceKey] = &[
    node("dc2.large"),
    node("dc2.8xlarge"),
    node("ra3.large"),
    node("ra3.xlplus"),
    node("ra3.4xlarge"),
    node("ra3.16xlarge"),
];

const PAUSED_NOTE: &str = "a paused Redshift cluster bills no node-hours; its RA3 managed storage ($0.024/GB-month) and backups go on billing, are not read, and are not in these figures";

static FACTS: Facts = Facts {
    name: NAME,
    kinds: KINDS,
    attrs: ATTRS,
    types: &[
        ("state", Ty::TextOrNone),
        ("node_type", Ty::TextOrNone),
        ("nodes", Ty::Count),
    ],
    prices: PRICES,
    writes: &["PauseCluster", "ResumeCluster"],
    request_keys: &["ClusterIdentifier="],
    pace: (NAME, 10),
};

impl Service for Redshift {
    fn facts(&self) -> &'static Facts {
        &FACTS
    }

    fn plan(&self, live: &Resource, attr: &str, want: &Want, wants: &Wants, _ctx: &Now) -> Planned {
        plan(live, attr, want, wants)
    }

    fn cost(&self, r: &Resource, lookup: &mut Lookup) -> Option<ResourceCost> {
        if r.text("state") == PAUSED {
            lookup.note(PAUSED_NOTE);
            return Some(ResourceCost::new(
                &r.id,
                "paused: storage only".into(),
                Some(Money::ZERO),
            ));
        }
        let n = r.get("nodes").as_u64().unwrap_or(0);
        let ty = r.text("node_type");
        let label = format!("Redshift {ty} node-hour");
        Some(match lookup.price(NAME, ty, &label) {
            Some(p) => ResourceCost::new(
                &r.id,
                format!("{n} x {ty} x {}/node-hour", p.usd.exact()),
                Some(p.usd.times(n * u64::from(HOURS_PER_MONTH))),
            ),
            None => ResourceCost::new(&r.id, format!("{n} x {ty}, no price"), None),
        })
    }

    fn idle(&self, r: &Resource) -> Option<IdleMetric> {
        (r.text("state") == AVAILABLE).then(|| IdleMetric {
            queries: vec![MetricQuery {
                namespace: "AWS/Redshift",
                metric: "DatabaseConnections",
                dimensions: vec![("ClusterIdentifier", r.name().to_string())],
            }],
            quiet: "no connections",
            free_when_idle: None,
            busy_above: None,
        })
    }

    fn summary(&self, resources: &[&Resource]) -> Vec<String> {
        resources
            .iter()
            .map(|r| {
                format!(
                    "redshift cluster {:<47} {}, {} x {}",
                    r.name(),
                    r.text("state"),
                    r.get("nodes"),
                    r.text("node_type")
                )
            })
            .collect()
    }

    fn capture(&self, resources: &[&Resource]) -> String {
        let mut s = format!("{NAME}:\n  clusters:\n");
        for r in resources {
            let state = r.text("state");
            let captured = if state == PAUSED || state == "pausing" {
                PAUSED
            } else {
                AVAILABLE
            };
            if state != captured {
                let _ = writeln!(s, "    # {} is {state}: captured as {captured}", r.name());
            }
            let _ = writeln!(
                s,
                "    - name: {}\n      state: {captured}",
                quoted(r.name())
            );
        }
        s
    }

    fn init_parked(&self, resources: &[&Resource]) -> InitParked {
        if resources.is_empty() {
            return InitParked::default();
        }
        let names: Vec<String> = resources.iter().map(|r| quoted(r.name())).collect();
        InitParked {
            section: format!(
                "{NAME}:\n  clusters:\n    # Paused: no node-hours; managed storage and backups still bill.\n    - names: [{}]\n      state: paused\n",
                names.join(", ")
            ),
            left_out: vec![],
        }
    }

    fn iam(&self, rules: &[&Rule], scope: &Scope, st: &mut Statements) {
        // The listing needs `*`; the tags come with it.
        st.add(&["redshift:DescribeClusters"], &any());
        let base = format!("{}cluster:", scope.arn(NAME));
        for rule in rules {
            let targets = arns(&rule.selector, &base);
            match rule.get("state").and_then(Value::as_str) {
                Some(PAUSED) => st.add(&["redshift:PauseCluster"], &targets),
                Some(_) => st.add(&["redshift:ResumeCluster"], &targets),
                None => {}
            }
        }
    }

    fn terraform(&self, rules: &[&Rule]) -> Vec<TerraformHint> {
        if rules.is_empty() {
            return vec![];
        }
        vec![TerraformHint {
            resource: "aws_redshift_cluster",
            attributes: &[],
            note: "Terraform keeps no paused state for a cluster: nothing to ignore, and a terraform apply leaves a paused one paused; one that modifies a paused cluster fails: run `parkctl apply running` first",
        }]
    }
}

/// A cluster in a passing state (`pausing`, `resuming`, `resizing`,
/// `modifying`, ...) is left for the next run: AWS refuses both calls then.
pub fn plan(live: &Resource, attr: &str, want: &Want, wants: &Wants) -> Planned {
    if attr != "state" {
        return Planned::Covered;
    }
    let res = &live.id;
    let state = live.text("state");
    if state != AVAILABLE && state != PAUSED {
        return Planned::Wait(Notice::on(
            res,
            format!("{res} is {state}: nothing is changed while it is; it is left for the next run (once it is available or paused)"),
        ));
    }
    let wait = wants
        .get("wait_minutes")
        .and_then(|w| w.value.as_u64())
        .unwrap_or(u64::from(DEFAULT_WAIT_MINUTES));
    let (call, done) = if want.value == PAUSED {
        ("PauseCluster", PAUSED)
    } else {
        ("ResumeCluster", AVAILABLE)
    };
    let mut args = Attrs::new();
    args.insert("wait_minutes".into(), Value::from(wait));
    Planned::Change(Box::new(Change {
        note: Some(format!("{call}, then wait until {done} (up to {wait} min)")),
        args,
        ..Change::new(
            Phase::Capacity,
            Wave::MAIN,
            res.clone(),
            "state",
            live.get("state").clone(),
            want.value.clone(),
            want.rule,
        )
    }))
}

/// A cluster resource without attributes.
pub fn cluster(name: &str) -> Resource {
    Resource::new(NAME, CLUSTER, name)
}

#[cfg(test)]
mod tests;
