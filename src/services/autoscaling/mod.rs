//! EC2 Auto Scaling groups: parked by setting their sizes to zero (the
//! group terminates its instances) with the ScheduledActions process
//! suspended, so that none of the group's own scheduled actions scales it
//! back up; restored to the recorded (or the profile's) sizes, then the
//! process resumed.
//!
//! A group's instances are the group's: stopping one makes the group
//! replace it, so `crate::services::ec2` leaves them to this service.

mod aws;
mod plan;
mod raw;

use crate::cost::money::Money;
use crate::cost::types::{Lookup, ResourceCost, HOURS_PER_MONTH};
use crate::iam::statements::{any, Scope, Statements};
use crate::idle::MetricQuery;
use crate::model::{Live, Resource, Value};
use crate::plan::{Change, Notice, Notices, Now, Want};
use crate::profile::reporter::Reporter;
use crate::profile::rule::{quoted, Rule};
use crate::service::{
    Attr, Facts, Found, IdleMetric, InitParked, Kind, LeftOut, Planned, Service, TerraformHint, Ty,
    Wants,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

pub const NAME: &str = "autoscaling";
pub const GROUP: &str = "group";
pub const SUSPENDED: &str = "suspended";
pub const ACTIVE: &str = "active";
/// The size attributes, in the order UpdateAutoScalingGroup is read.
pub const SIZES: &[&str] = &["min_size", "max_size", "desired_capacity"];
/// The service whose instance prices a group is priced with.
const PRICED_AS: &str = "ec2";

/// A group's attributes as read: `min_size`, `max_size`,
/// `desired_capacity`, `scheduled_actions` (`suspended` or `active`),
/// `status` (set only while AWS deletes it), `instances` (launched and not
/// terminating), `protected` (of those, protected from scale-in),
/// `warm_pool`, `instance_type` (its launch template's or launch
/// configuration's, the first override of a mixed-instances group),
/// `instance_types` (of its instances) and `tags`.
pub struct AutoScaling;

impl super::Section for AutoScaling {
    type Raw = raw::RawSection;

    fn build(raw: raw::RawSection, cx: &mut Reporter) -> Vec<Rule> {
        raw.groups
            .into_iter()
            .enumerate()
            .map(|(i, r)| raw::rule(cx, i, r))
            .collect()
    }
}

const KINDS: &[Kind] = &[Kind {
    name: GROUP,
    selectable: true,
    observed: &[
        "min_size",
        "max_size",
        "desired_capacity",
        "scheduled_actions",
    ],
    managed: &[
        "min_size",
        "max_size",
        "desired_capacity",
        "scheduled_actions",
    ],
}];

const ATTRS: &[Attr] = &[
    attr("min_size"),
    attr("max_size"),
    attr("desired_capacity"),
    attr("scheduled_actions"),
];

const fn attr(key: &'static str) -> Attr {
    Attr {
        key,
        kind: GROUP,
        attr: key,
    }
}

/// What the core knows of this service without asking it anything.
static FACTS: Facts = Facts {
    name: NAME,
    kinds: KINDS,
    attrs: ATTRS,
    types: &[
        ("min_size", Ty::Count),
        ("max_size", Ty::Count),
        ("desired_capacity", Ty::Count),
        ("scheduled_actions", Ty::TextOrNone),
    ],
    // Priced with EC2's instance prices (`PRICED_AS`).
    prices: &[],
    writes: &[
        "UpdateAutoScalingGroup",
        "SuspendProcesses",
        "ResumeProcesses",
    ],
    request_keys: &["AutoScalingGroupName=", "AutoScalingGroupNames.member.1="],
    // Auto Scaling documents no per-account rate; its describe calls are
    // throttled well above this.
    pace: (NAME, 10),
};

impl Service for AutoScaling {
    fn facts(&self) -> &'static Facts {
        &FACTS
    }

    fn plan(&self, live: &Resource, attr: &str, want: &Want, wants: &Wants, ctx: &Now) -> Planned {
        plan::plan(live, attr, want, wants, ctx)
    }

    fn check(&self, _live: &Live, found: &dyn Found, changes: &[Change], out: &mut Notices) {
        for c in changes
            .iter()
            .filter(|c| c.resource.service == NAME && c.attr == "desired_capacity")
        {
            let Some(g) = found.named(&c.resource) else {
                continue;
            };
            warn_group(g, c, out);
        }
    }

    fn cost(&self, g: &Resource, lookup: &mut Lookup) -> Option<ResourceCost> {
        let (basis, month) = group_cost(g, lookup);
        Some(ResourceCost::new(&g.id, basis, month))
    }

    /// The CPU of the group's instances, averaged over the window (AWS/EC2
    /// by AutoScalingGroupName, which needs the group's detailed metrics
    /// or the instances' basic ones): idle at or under the threshold.
    fn idle(&self, g: &Resource) -> Option<IdleMetric> {
        if g.u32("desired_capacity").unwrap_or(0) == 0 {
            return None;
        }
        Some(IdleMetric {
            queries: vec![MetricQuery::of(
                "AWS/EC2",
                "CPUUtilization",
                "AutoScalingGroupName",
                g.name(),
            )],
            quiet: "no CPU use on its instances",
            free_when_idle: None,
            busy_above: Some(crate::idle::CPU_BUSY_ABOVE_PERCENT),
        })
    }

    fn summary(&self, resources: &[&Resource]) -> Vec<String> {
        resources.iter().map(|g| summary(g)).collect()
    }

    fn capture(&self, resources: &[&Resource]) -> String {
        let mut s = String::from("autoscaling:\n  groups:\n");
        for g in resources {
            let _ = writeln!(s, "    - name: {}\n{}", quoted(g.name()), sizes_yaml(g));
        }
        s
    }

    fn init_parked(&self, resources: &[&Resource]) -> InitParked {
        init_parked(resources)
    }

    fn iam(&self, rules: &[&Rule], scope: &Scope, st: &mut Statements) {
        iam(rules, scope, st)
    }

    fn terraform(&self, rules: &[&Rule]) -> Vec<TerraformHint> {
        if rules.is_empty() {
            return vec![];
        }
        let max = rules.iter().any(|r| r.get("max_size").is_some());
        let attributes: &'static [&'static str] = if max {
            &[
                "desired_capacity",
                "min_size",
                "max_size",
                "suspended_processes",
            ]
        } else {
            &["desired_capacity", "min_size", "suspended_processes"]
        };
        vec![TerraformHint {
            resource: "aws_autoscaling_group",
            attributes,
            note: "without these, a terraform apply while parked sets the group's sizes back (launching its instances) and resumes its scheduled actions",
        }]
    }
}

/// The plan says what parking a group does to its instances, and what it
/// cannot do (protected instances, a warm pool).
fn warn_group(g: &Resource, c: &Change, out: &mut Notices) {
    let (now, to) = (g.u32("instances").unwrap_or(0), c.to.as_u64().unwrap_or(0));
    if u64::from(now) > to {
        out.warnings.push(Notice::on(&g.id, format!(
            "{} terminates {} of its instances: a group's instances are disposable (their instance-store data, and root volumes deleted on termination, are gone); the group launches new ones from its launch template on restore",
            g.id, u64::from(now) - to
        )));
    }
    let protected = g.u32("protected").unwrap_or(0);
    if protected > 0 && u64::from(now) > to {
        out.warnings.push(Notice::on(&g.id, format!(
            "{} has {protected} instance(s) protected from scale-in: the group cannot terminate them, so they keep running (and billing); apply waits only for the others",
            g.id
        )));
    }
    if g.flag("warm_pool") {
        out.warnings.push(Notice::on(&g.id, format!(
            "{} has a warm pool, which the sizes do not change: its instances (stopped or running) stay as they are and bill as such",
            g.id
        )));
    }
}

/// desired x the instance price: the instances' own types when the group
/// has as many as it wants (a mixed-instances group), else its launch
/// template's. Unknown types are unknown; a group of 0 costs $0.
fn group_cost(g: &Resource, lookup: &mut Lookup) -> (String, Option<Money>) {
    let desired = g.get("desired_capacity").as_u64().unwrap_or(0);
    if desired == 0 {
        return ("0 instances".into(), Some(Money::ZERO));
    }
    let own: Vec<String> = g
        .get("instance_types")
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    if own.len() as u64 == desired {
        own.into_iter()
            .for_each(|t| *counts.entry(t).or_default() += 1);
    } else {
        let ty = g.text("instance_type");
        counts.insert(
            if ty.is_empty() {
                "unknown type".into()
            } else {
                ty.into()
            },
            desired,
        );
    }
    let mut parts = Vec::new();
    let mut month = Some(Money::ZERO);
    for (ty, n) in counts {
        match lookup.price(PRICED_AS, &ty, &format!("EC2 {ty} instance-hour")) {
            Some(p) => {
                parts.push(format!("{n} x {ty} x {}/instance-hour", p.usd.exact()));
                month = month.map(|m| m + p.usd.times(n * u64::from(HOURS_PER_MONTH)));
            }
            None => {
                parts.push(format!("{n} x {ty}, no price"));
                month = None;
            }
        }
    }
    (parts.join(" + "), month)
}

fn summary(g: &Resource) -> String {
    let n = |a: &str| g.get(a).as_u64().unwrap_or(0);
    format!(
        "autoscaling group {:<47} min/max/desired {}/{}/{}, {} instance(s){}, scheduled actions {}",
        g.name(),
        n("min_size"),
        n("max_size"),
        n("desired_capacity"),
        n("instances"),
        match g.text("instance_type") {
            "" => String::new(),
            t => format!(" of {t}"),
        },
        g.text("scheduled_actions")
    )
}

/// A group's sizes and process as rule lines (its live values).
fn sizes_yaml(g: &Resource) -> String {
    let n = |a: &str| g.get(a).as_u64().unwrap_or(0);
    format!(
        "      min_size: {}\n      max_size: {}\n      desired_capacity: {}\n      scheduled_actions: {}",
        n("min_size"),
        n("max_size"),
        n("desired_capacity"),
        g.text("scheduled_actions")
    )
}

/// Every group to 0 with its scheduled actions suspended, but one whose
/// instances are protected from scale-in (it cannot reach 0).
fn init_parked(resources: &[&Resource]) -> InitParked {
    let mut section = String::new();
    let mut left_out = Vec::new();
    for g in resources {
        if g.u32("protected").unwrap_or(0) > 0 {
            left_out.push(LeftOut {
                resource: g.id.to_string(),
                why: "its instances are protected from scale-in: the group cannot terminate them"
                    .into(),
            });
            continue;
        }
        let _ = writeln!(
            section,
            "    - name: {}\n      min_size: 0\n      desired_capacity: 0            # terminates its instances; restored from the launch template\n      scheduled_actions: suspended   # else its own scheduled actions scale it back up",
            quoted(g.name())
        );
    }
    if !section.is_empty() {
        section.insert_str(0, "autoscaling:\n  groups:\n");
    }
    InitParked { section, left_out }
}

/// Reads on every resource (describes take none); writes on the groups a
/// rule selects: by name or prefix in the ARN, by tag as a condition.
fn iam(rules: &[&Rule], scope: &Scope, st: &mut Statements) {
    st.add(
        &[
            "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:DescribeLaunchConfigurations",
            "ec2:DescribeLaunchTemplateVersions",
        ],
        &any(),
    );
    let base = format!(
        "{}autoScalingGroup:*:autoScalingGroupName/",
        scope.arn(NAME)
    );
    for rule in rules {
        let mut actions = Vec::new();
        if SIZES.iter().any(|s| rule.get(s).is_some()) {
            actions.push("autoscaling:UpdateAutoScalingGroup");
        }
        match rule.get("scheduled_actions").and_then(Value::as_str) {
            Some(SUSPENDED) => actions.push("autoscaling:SuspendProcesses"),
            Some(_) => actions.push("autoscaling:ResumeProcesses"),
            None => {}
        }
        let arns = crate::iam::statements::arns(&rule.selector, &base);
        if rule.selector.tags.is_empty() {
            st.add(&actions, &arns);
        } else {
            let tags: BTreeMap<String, BTreeSet<String>> = rule
                .selector
                .tags
                .iter()
                .map(|(k, v)| (k.clone(), BTreeSet::from([v.clone()])))
                .collect();
            st.tagged(&actions, &arns, "StringEquals", &tags);
        }
    }
}

/// A group resource without attributes.
pub fn group(name: &str) -> Resource {
    Resource::new(NAME, GROUP, name)
}

#[cfg(test)]
mod tests;
