//! EC2 instances: parked by stopping them (hibernating those configured for
//! it, where the rule asks), restored by starting them.
//!
//! An instance is named by its id, which survives stops and starts, and
//! is also selected by its `Name` tag (`name`, `names`, `prefix`). A
//! stopped instance bills only its EBS volumes, which are the parked cost.
//! Instances AWS cannot stop (one-time Spot, instance-store roots, stop
//! protection) are refused at plan time, and members of an Auto Scaling
//! group are the group's to park (`crate::services::autoscaling`).

mod aws;
mod plan;
mod raw;

use crate::cost::money::Money;
use crate::cost::types::{Lookup, ResourceCost, HOURS_PER_MONTH};
use crate::iam::statements::{any, Scope, Statements};
use crate::idle::MetricQuery;
use crate::model::{Resource, Value};
use crate::plan::{Change, Notice, Notices, Now, Want};
use crate::profile::reporter::Reporter;
use crate::profile::rule::{quoted, Rule, Selector};
use crate::service::{
    Attr, Facts, IdleMetric, InitParked, Kind, LeftOut, Planned, PriceKey, Service, TerraformHint,
    Ty, Wants,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

pub const NAME: &str = "ec2";
pub const INSTANCE: &str = "instance";
pub const RUNNING: &str = "running";
pub const STOPPED: &str = "stopped";
/// The tag AWS puts on every instance an Auto Scaling group launches.
pub const GROUP_TAG: &str = "aws:autoscaling:groupName";
/// Set by a rule that names its instances (not by tags or prefix).
pub const BY_NAME: &str = "by_name";

/// An instance's attributes as read: `state` (`running`, `stopped`,
/// `pending`, `stopping`, `shutting-down`; terminated ones are not read),
/// `instance_type`, `hibernation_configured`, `group` (its Auto Scaling
/// group or null), `spot` (`one-time`, `persistent`, `spot` when its
/// request is unknown, or null), `root_device` (`ebs`, `instance-store`),
/// `stop_protection`, `volumes` (`[{id, type, size_gb}]`) and `tags`.
pub struct Ec2;

impl super::Section for Ec2 {
    type Raw = raw::RawSection;

    fn build(raw: raw::RawSection, cx: &mut Reporter) -> Vec<Rule> {
        raw.instances
            .into_iter()
            .enumerate()
            .map(|(i, r)| raw::rule(cx, i, r))
            .collect()
    }
}

const KINDS: &[Kind] = &[Kind {
    name: INSTANCE,
    selectable: true,
    observed: &["state"],
    managed: &["state"],
}];

const ATTRS: &[Attr] = &[
    Attr {
        key: "state",
        kind: INSTANCE,
        attr: "state",
    },
    Attr {
        key: "hibernate",
        kind: INSTANCE,
        attr: "hibernate",
    },
    Attr {
        key: BY_NAME,
        kind: INSTANCE,
        attr: BY_NAME,
    },
];

/// A price key per instance type of the common families up to 4xlarge
/// (Linux, on demand), and EBS storage by volume type. A type missing
/// here or in the price table is priced "unknown", never $0.
macro_rules! types {
    ($($t:literal),* $(,)?) => { &[$(PriceKey { key: $t, unit: "instance-hour", label: "EC2 instance-hour", everywhere: false }),*] };
}

const INSTANCE_PRICES: &[PriceKey] = types![
    "t3.nano",
    "t3.micro",
    "t3.small",
    "t3.medium",
    "t3.large",
    "t3.xlarge",
    "t3.2xlarge",
    "t3a.nano",
    "t3a.micro",
    "t3a.small",
    "t3a.medium",
    "t3a.large",
    "t3a.xlarge",
    "t3a.2xlarge",
    "t4g.nano",
    "t4g.micro",
    "t4g.small",
    "t4g.medium",
    "t4g.large",
    "t4g.xlarge",
    "t4g.2xlarge",
    "m5.large",
    "m5.xlarge",
    "m5.2xlarge",
    "m5.4xlarge",
    "m6i.large",
    "m6i.xlarge",
    "m6i.2xlarge",
    "m6i.4xlarge",
    "m6g.large",
    "m6g.xlarge",
    "m6g.2xlarge",
    "m6g.4xlarge",
    "m7i.large",
    "m7i.xlarge",
    "m7i.2xlarge",
    "m7i.4xlarge",
    "m7g.large",
    "m7g.xlarge",
    "m7g.2xlarge",
    "m7g.4xlarge",
    "c5.large",
    "c5.xlarge",
    "c5.2xlarge",
    "c5.4xlarge",
    "c6i.large",
    "c6i.xlarge",
    "c6i.2xlarge",
    "c6i.4xlarge",
    "c6g.large",
    "c6g.xlarge",
    "c6g.2xlarge",
    "c6g.4xlarge",
    "c7g.large",
    "c7g.xlarge",
    "c7g.2xlarge",
    "c7g.4xlarge",
    "r5.large",
    "r5.xlarge",
    "r5.2xlarge",
    "r5.4xlarge",
    "r6i.large",
    "r6i.xlarge",
    "r6i.2xlarge",
    "r6i.4xlarge",
    "r6g.large",
    "r6g.xlarge",
    "r6g.2xlarge",
    "r6g.4xlarge",
];

const EBS_PRICES: &[PriceKey] = &[
    ebs("ebs_gp2_gb_month"),
    ebs("ebs_gp3_gb_month"),
    ebs("ebs_io1_gb_month"),
    ebs("ebs_io2_gb_month"),
];

const fn ebs(key: &'static str) -> PriceKey {
    PriceKey {
        key,
        unit: "GB-month",
        label: "EBS storage GB-month",
        everywhere: false,
    }
}

/// Both lists as one, built at compile time.
const PRICES: &[PriceKey] = &{
    const N: usize = INSTANCE_PRICES.len() + EBS_PRICES.len();
    let mut out = [const { ebs("") }; N];
    let mut i = 0;
    while i < N {
        let p = if i < INSTANCE_PRICES.len() {
            &INSTANCE_PRICES[i]
        } else {
            &EBS_PRICES[i - INSTANCE_PRICES.len()]
        };
        out[i] = PriceKey {
            key: p.key,
            unit: p.unit,
            label: p.label,
            everywhere: p.everywhere,
        };
        i += 1;
    }
    out
};

const STOPPED_NOTE: &str = "a stopped EC2 instance bills only its EBS volumes (and any public IPv4 address), priced here as storage: gp3 IOPS and throughput above the baseline and io1/io2 provisioned IOPS are not counted";

/// What the core knows of this service without asking it anything.
static FACTS: Facts = Facts {
    name: NAME,
    kinds: KINDS,
    attrs: ATTRS,
    types: &[("state", Ty::TextOrNone)],
    prices: PRICES,
    writes: &["StopInstances", "StartInstances"],
    request_keys: &["InstanceId.1=", "Filter.1.Value.1="],
    // EC2's non-mutating actions refill at 20 a second per account
    // (request token bucket), its instance state changes at 5.
    pace: (NAME, 20),
};

impl Service for Ec2 {
    fn facts(&self) -> &'static Facts {
        &FACTS
    }

    fn aliases<'a>(&self, r: &'a Resource) -> Vec<&'a str> {
        r.tags.get("Name").map(String::as_str).into_iter().collect()
    }

    fn plan(&self, live: &Resource, attr: &str, want: &Want, wants: &Wants, ctx: &Now) -> Planned {
        plan::plan(live, attr, want, wants, ctx)
    }

    fn check(
        &self,
        _live: &crate::model::Live,
        _found: &dyn crate::service::Found,
        changes: &[Change],
        out: &mut Notices,
    ) {
        let hibernated = changes
            .iter()
            .filter(|c| {
                c.resource.service == NAME && c.args.get("hibernate") == Some(&Value::Bool(true))
            })
            .count();
        if hibernated > 0 {
            out.warnings.push(Notice::new(format!(
                "{hibernated} EC2 instance(s) will be hibernated: their memory is written to the root volume and comes back on start; the plan and the operation record are what say so (a hibernated instance reads as stopped)"
            )));
        }
    }

    /// A group's member is priced with its group (desired x type), so that
    /// it is not counted twice, and not as a saving the group's park makes.
    fn cost(&self, r: &Resource, lookup: &mut Lookup) -> Option<ResourceCost> {
        if r.get("group").is_string() {
            return None;
        }
        let (vol_basis, vols) = volumes_cost(r, lookup);
        if matches!(r.text("state"), STOPPED | "stopping") {
            lookup.note(STOPPED_NOTE);
            return Some(ResourceCost::new(
                &r.id,
                format!("stopped: {vol_basis}"),
                vols,
            ));
        }
        let ty = r.text("instance_type");
        let (basis, compute) = match lookup.price(NAME, ty, &format!("EC2 {ty} instance-hour")) {
            Some(p) => (
                format!("{ty} x {}/instance-hour", p.usd.exact()),
                Some(p.usd.times(u64::from(HOURS_PER_MONTH))),
            ),
            None => (format!("{ty}, no price"), None),
        };
        let month = compute.zip(vols).map(|(a, b)| a + b);
        Some(ResourceCost::new(
            &r.id,
            format!("{basis} + {vol_basis}"),
            month,
        ))
    }

    /// A running instance's CPU, averaged over the window: idle at or
    /// under the core's threshold. A group's member is measured with its
    /// group (`autoscaling`), as it is priced there.
    fn idle(&self, r: &Resource) -> Option<IdleMetric> {
        if r.text("state") != RUNNING || r.get("group").is_string() {
            return None;
        }
        Some(IdleMetric {
            queries: vec![MetricQuery::of(
                "AWS/EC2",
                "CPUUtilization",
                "InstanceId",
                r.name(),
            )],
            quiet: "no CPU use",
            free_when_idle: None,
            busy_above: Some(crate::idle::CPU_BUSY_ABOVE_PERCENT),
        })
    }

    fn summary(&self, resources: &[&Resource]) -> Vec<String> {
        resources.iter().map(|r| summary(r)).collect()
    }

    fn capture(&self, resources: &[&Resource]) -> String {
        capture(resources)
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
        vec![
            TerraformHint {
                resource: "aws_ec2_instance_state",
                attributes: &["state"],
                note: "if the instance's state is managed with aws_ec2_instance_state, ignore its `state` (or drop the resource), or a terraform apply while parked starts the instance again",
            },
            TerraformHint {
                resource: "aws_instance",
                attributes: &[],
                note: "aws_instance does not manage the running state: a stopped instance stays stopped through a terraform apply (parkctl changes nothing Terraform tracks on it)",
            },
        ]
    }
}

/// The EBS volumes' monthly storage cost and how it was reached; unknown
/// when a volume's type has no price.
fn volumes_cost(r: &Resource, lookup: &mut Lookup) -> (String, Option<Money>) {
    let mut parts = Vec::new();
    let mut month = Some(Money::ZERO);
    for v in r.get("volumes").as_array().into_iter().flatten() {
        let ty = v["type"].as_str().unwrap_or("unknown");
        let gb = v["size_gb"].as_u64().unwrap_or(0);
        let key = format!("ebs_{ty}_gb_month");
        match lookup.price(NAME, &key, &format!("EBS {ty} GB-month")) {
            Some(p) => {
                parts.push(format!("{gb} GB {ty} x {}/GB-month", p.usd.exact()));
                month = month.map(|m| m + p.usd.times(gb));
            }
            None => {
                parts.push(format!("{gb} GB {ty}, no price"));
                month = None;
            }
        }
    }
    if parts.is_empty() {
        return ("no EBS volumes".into(), month);
    }
    (parts.join(" + "), month)
}

fn summary(r: &Resource) -> String {
    let mut line = format!(
        "ec2 instance {:<47} {}, {}",
        r.id.shown_name(),
        r.text("state"),
        r.text("instance_type")
    );
    if let Some(g) = r.get("group").as_str() {
        let _ = write!(line, ", in Auto Scaling group {g}");
    }
    if r.flag("hibernation_configured") {
        line.push_str(", hibernation configured");
    }
    line
}

/// Why `init` or `capture` leaves an instance out; `None`: it may be
/// stopped.
fn left_out(r: &Resource) -> Option<String> {
    if let Some(g) = r.get("group").as_str() {
        return Some(format!(
            "it belongs to Auto Scaling group {g}, which would replace it: park the group"
        ));
    }
    plan::unstoppable(r)
}

fn capture(resources: &[&Resource]) -> String {
    let mut s = String::from("ec2:\n  instances:\n");
    for r in resources {
        if r.get("group").is_string() {
            let _ = writeln!(
                s,
                "    # {} is a member of Auto Scaling group {}: the group is captured instead",
                r.name(),
                r.text("group")
            );
            continue;
        }
        let state = match r.text("state") {
            STOPPED | "stopping" => STOPPED,
            _ => RUNNING,
        };
        let _ = writeln!(
            s,
            "    - name: {}{}\n      state: {state}",
            quoted(r.name()),
            name_comment(r)
        );
    }
    s
}

/// `  # NAME-TAG` after an instance id, for a reader.
fn name_comment(r: &Resource) -> String {
    r.tags
        .get("Name")
        .map(|n| format!("   # {n}"))
        .unwrap_or_default()
}

fn init_parked(resources: &[&Resource]) -> InitParked {
    let mut section = String::new();
    let mut out = Vec::new();
    for r in resources {
        if let Some(why) = left_out(r) {
            out.push(LeftOut {
                resource: r.id.to_string(),
                why,
            });
            continue;
        }
        let _ = writeln!(
            section,
            "    - name: {}{}\n      state: stopped                 # bills only its EBS volumes while stopped",
            quoted(r.name()),
            name_comment(r)
        );
        if r.flag("hibernation_configured") {
            section.push_str("      hibernate: true                # configured for it: memory kept on the root volume\n");
        }
    }
    if !section.is_empty() {
        section.insert_str(0, "ec2:\n  instances:\n");
    }
    InitParked {
        section,
        left_out: out,
    }
}

/// Reads on every resource (EC2 describes take no resource ARNs); stops
/// and starts on the instances a rule can select: by id, or by tag
/// (`aws:ResourceTag/KEY`, the `Name` tag for names and prefixes).
fn iam(rules: &[&Rule], scope: &Scope, st: &mut Statements) {
    st.add(
        &[
            "ec2:DescribeInstances",
            "ec2:DescribeInstanceAttribute",
            "ec2:DescribeVolumes",
            "ec2:DescribeSpotInstanceRequests",
        ],
        &any(),
    );
    let base = format!("{}instance/", scope.arn(NAME));
    for rule in rules {
        let actions: &[&str] = match rule.get("state").and_then(Value::as_str) {
            Some(STOPPED) => &["ec2:StopInstances"],
            _ => &["ec2:StartInstances"],
        };
        write_statements(&rule.selector, &base, actions, st);
    }
}

fn write_statements(sel: &Selector, base: &str, actions: &[&str], st: &mut Statements) {
    let all = vec![format!("{base}*")];
    let (ids, names): (Vec<&String>, Vec<&String>) =
        sel.names.iter().partition(|n| n.starts_with("i-"));
    let mut tags: BTreeMap<String, BTreeSet<String>> = sel
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), BTreeSet::from([v.clone()])))
        .collect();
    if !ids.is_empty() {
        let arns: Vec<String> = ids.iter().map(|i| format!("{base}{i}")).collect();
        if tags.is_empty() {
            st.add(actions, &arns);
        } else {
            st.tagged(actions, &arns, "StringEquals", &tags);
        }
    }
    if let Some(p) = &sel.prefix {
        let mut like = tags.clone();
        like.insert("Name".into(), BTreeSet::from([format!("{p}*")]));
        st.tagged(actions, &all, "StringLike", &like);
    } else if !names.is_empty() {
        tags.insert("Name".into(), names.into_iter().cloned().collect());
        st.tagged(actions, &all, "StringEquals", &tags);
    } else if ids.is_empty() {
        st.tagged(actions, &all, "StringEquals", &tags);
    }
}

/// An instance resource without attributes, labelled with its `Name` tag.
pub fn instance(id: &str, name: Option<&str>) -> Resource {
    let mut r = Resource::new(NAME, INSTANCE, id);
    r.id.label = name.map(|n| format!("{id} ({n})"));
    r
}

#[cfg(test)]
mod tests;
