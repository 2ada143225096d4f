//! EKS managed node groups: parked by setting min and desired size to zero
//! (max stays: AWS requires at least 1), restored to the exact sizes. The
//! cluster's control plane keeps billing whatever its node groups do, so
//! the cluster of each selected node group is read beside it (a kind no
//! rule selects) and priced: it is what a parked cluster still costs.
//!
//! A node group is named within its cluster: `CLUSTER/NODEGROUP`.

mod aws;
mod plan;
mod raw;

use crate::cost::money::Money;
use crate::cost::types::{Lookup, ResourceCost, HOURS_PER_MONTH};
use crate::iam::statements::{any, Scope, Statements};
use crate::idle::MetricQuery;
use crate::model::{Live, Resource, Value};
use crate::plan::{Change, Notices, Now, Want};
use crate::profile::reporter::Reporter;
use crate::profile::rule::{quoted, Rule};
use crate::service::{
    Attr, Facts, IdleMetric, InitParked, Kind, LeftOut, Planned, PriceKey, Service, TerraformHint,
    Ty, Wants,
};
use crate::services::clustered::{self, split};
use std::fmt::Write;

pub const NAME: &str = "eks";
pub const NODEGROUP: &str = "nodegroup";
/// A node group's cluster, read for its control plane's cost.
pub const CLUSTER: &str = "cluster";

/// A node group's attributes as read: `min_size`, `desired_size`,
/// `max_size`, `status`, `instance_types`, `capacity_type` (ON_DEMAND,
/// SPOT), `groups` (its Auto Scaling groups). A cluster's: `status`,
/// `version`.
pub struct Eks;

impl super::Section for Eks {
    type Raw = raw::RawSection;

    fn build(raw: raw::RawSection, cx: &mut Reporter) -> Vec<Rule> {
        raw.nodegroups
            .into_iter()
            .enumerate()
            .map(|(i, r)| raw::rule(cx, i, r))
            .collect()
    }
}

const KINDS: &[Kind] = &[
    Kind {
        name: NODEGROUP,
        selectable: true,
        observed: &["min_size", "desired_size", "max_size"],
        managed: &["min_size", "desired_size"],
    },
    Kind {
        name: CLUSTER,
        selectable: false,
        observed: &[],
        managed: &[],
    },
];

const ATTRS: &[Attr] = &[
    Attr {
        key: "min_size",
        kind: NODEGROUP,
        attr: "min_size",
    },
    Attr {
        key: "desired_size",
        kind: NODEGROUP,
        attr: "desired_size",
    },
];

const fn instance(key: &'static str) -> PriceKey {
    PriceKey {
        key,
        unit: "instance-hour",
        label: "EC2 on-demand instance-hour",
        everywhere: false,
    }
}

/// The control plane, and the EC2 instance types of the price table.
const PRICES: &[PriceKey] = &[
    PriceKey {
        key: "cluster_hour",
        unit: "cluster-hour",
        label: "EKS control plane cluster-hour",
        everywhere: false,
    },
    instance("t3.micro"),
    instance("t3.small"),
    instance("t3.medium"),
    instance("t3.large"),
    instance("t3.xlarge"),
    instance("t3.2xlarge"),
    instance("t3a.medium"),
    instance("t3a.large"),
    instance("t4g.micro"),
    instance("t4g.small"),
    instance("t4g.medium"),
    instance("t4g.large"),
    instance("t4g.xlarge"),
    instance("m5.large"),
    instance("m5.xlarge"),
    instance("m5.2xlarge"),
    instance("m5.4xlarge"),
    instance("m6i.large"),
    instance("m6i.xlarge"),
    instance("m6i.2xlarge"),
    instance("m6g.large"),
    instance("m6g.xlarge"),
    instance("m6g.2xlarge"),
    instance("m7i.large"),
    instance("m7g.large"),
    instance("m7g.xlarge"),
    instance("m7g.2xlarge"),
    instance("c5.large"),
    instance("c5.xlarge"),
    instance("c5.2xlarge"),
    instance("c6i.large"),
    instance("c6i.xlarge"),
    instance("c6i.2xlarge"),
    instance("c6g.large"),
    instance("c7g.large"),
    instance("r5.large"),
    instance("r5.xlarge"),
    instance("r5.2xlarge"),
    instance("r6i.large"),
    instance("r6g.large"),
    instance("r6g.xlarge"),
];

const CONTROL_NOTE: &str = "an EKS cluster's control plane bills every hour whether its node groups run or not: it is what a parked cluster still costs";
const SPOT_NOTE: &str = "Spot node groups are priced unknown: the price table has no Spot price";

static FACTS: Facts = Facts {
    name: NAME,
    kinds: KINDS,
    attrs: ATTRS,
    types: &[("min_size", Ty::Count), ("desired_size", Ty::Count)],
    prices: PRICES,
    writes: &["UpdateNodegroupConfig"],
    request_keys: &["\"nodegroupName\":\"", "\"clusterName\":\""],
    pace: (NAME, 10),
};

impl Service for Eks {
    fn facts(&self) -> &'static Facts {
        &FACTS
    }

    fn plan(&self, live: &Resource, attr: &str, want: &Want, wants: &Wants, ctx: &Now) -> Planned {
        plan::plan(live, attr, want, wants, ctx)
    }

    fn check(
        &self,
        _live: &Live,
        found: &dyn crate::service::Found,
        changes: &[Change],
        out: &mut Notices,
    ) {
        plan::check(found, changes, out);
    }

    fn cost(&self, r: &Resource, lookup: &mut Lookup) -> Option<ResourceCost> {
        let (basis, month) = if r.id.kind == CLUSTER {
            lookup.note(CONTROL_NOTE);
            match lookup.price(NAME, PRICES[0].key, PRICES[0].label) {
                Some(p) => (
                    format!("control plane x {}/cluster-hour", p.usd.exact()),
                    Some(p.usd.times(u64::from(HOURS_PER_MONTH))),
                ),
                None => ("control plane, no price".into(), None),
            }
        } else {
            nodes_cost(r, lookup)
        };
        Some(ResourceCost::new(&r.id, basis, month))
    }

    fn idle(&self, r: &Resource) -> Option<IdleMetric> {
        if r.id.kind != NODEGROUP || r.u32("desired_size").unwrap_or(0) == 0 {
            return None;
        }
        let queries: Vec<MetricQuery> = r
            .get("groups")
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|g| MetricQuery::of("AWS/EC2", "CPUUtilization", "AutoScalingGroupName", g))
            .collect();
        (!queries.is_empty()).then_some(IdleMetric {
            queries,
            quiet: "no CPU use on its nodes",
            free_when_idle: None,
            busy_above: Some(crate::idle::CPU_BUSY_ABOVE_PERCENT),
        })
    }

    fn summary(&self, resources: &[&Resource]) -> Vec<String> {
        resources.iter().map(|r| summary(r)).collect()
    }

    fn capture(&self, resources: &[&Resource]) -> String {
        let mut s = String::from("eks:\n  nodegroups:\n");
        for r in resources.iter().filter(|r| r.id.kind == NODEGROUP) {
            let _ = writeln!(
                s,
                "{}      min_size: {}\n      desired_size: {}",
                named(r),
                r.u32("min_size").unwrap_or(0),
                r.u32("desired_size").unwrap_or(0)
            );
        }
        s
    }

    fn init_parked(&self, resources: &[&Resource]) -> InitParked {
        let mut section = String::new();
        let mut left_out = Vec::new();
        for r in resources.iter().filter(|r| r.id.kind == NODEGROUP) {
            if !matches!(r.text("status"), "ACTIVE" | "DEGRADED") {
                left_out.push(LeftOut {
                    resource: r.id.to_string(),
                    why: format!("it is {}", r.text("status")),
                });
                continue;
            }
            section.push_str(&named(r));
            section.push_str("      min_size: 0                  # its nodes are terminated; max_size stays\n      desired_size: 0\n");
        }
        if !section.is_empty() {
            section.insert_str(0, "eks:\n  nodegroups:\n");
        }
        InitParked { section, left_out }
    }

    fn iam(&self, rules: &[&Rule], scope: &Scope, st: &mut Statements) {
        st.add(&[crate::aws::metrics::IAM_READ], &any());
        let base = scope.arn(NAME);
        for rule in rules {
            let groups = clustered::arns(&rule.selector, &format!("{base}nodegroup/"), "/*");
            let clusters: Vec<String> = clustered::clusters(std::slice::from_ref(&rule.selector))
                .into_iter()
                .flatten()
                .map(|c| format!("{base}cluster/{c}"))
                .collect();
            st.add(&["eks:DescribeCluster", "eks:ListNodegroups"], &clusters);
            st.add(&["eks:DescribeNodegroup"], &groups);
            if rule.get("min_size").is_some() || rule.get("desired_size").is_some() {
                st.add(&["eks:UpdateNodegroupConfig"], &groups);
            }
        }
    }

    fn terraform(&self, rules: &[&Rule]) -> Vec<TerraformHint> {
        if rules.is_empty() {
            return vec![];
        }
        vec![TerraformHint {
            resource: "aws_eks_node_group",
            attributes: &[
                "scaling_config[0].desired_size",
                "scaling_config[0].min_size",
            ],
            note: "parking sets the node group's min and desired size (max stays)",
        }]
    }
}

fn named(r: &Resource) -> String {
    let (cluster, name) = split(r.name());
    format!(
        "    - cluster: {}\n      name: {}\n",
        quoted(cluster),
        quoted(name)
    )
}

/// Desired nodes x the first instance type's price x 730 h.
fn nodes_cost(r: &Resource, lookup: &mut Lookup) -> (String, Option<Money>) {
    let n = u64::from(r.u32("desired_size").unwrap_or(0));
    if n == 0 {
        return ("no node".into(), Some(Money::ZERO));
    }
    if r.text("capacity_type") == "SPOT" {
        lookup.note(SPOT_NOTE);
        return (format!("{n} Spot node(s), no price"), None);
    }
    let ty = r
        .get("instance_types")
        .get(0)
        .and_then(Value::as_str)
        .unwrap_or("unknown type");
    match lookup.price(NAME, ty, &format!("EC2 {ty} instance-hour")) {
        Some(p) => (
            format!("{n} x {ty} x {}/instance-hour", p.usd.exact()),
            Some(p.usd.times(n * u64::from(HOURS_PER_MONTH))),
        ),
        None => (format!("{n} x {ty}, no price"), None),
    }
}

fn summary(r: &Resource) -> String {
    if r.id.kind == CLUSTER {
        return format!(
            "eks cluster   {:<48} {} (control plane, billed while it exists)",
            r.name(),
            r.text("status")
        );
    }
    let types: Vec<&str> = r
        .get("instance_types")
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    format!(
        "eks nodegroup {:<48} {}: min {} / desired {} / max {} ({})",
        r.name(),
        r.text("status"),
        r.u32("min_size").unwrap_or(0),
        r.u32("desired_size").unwrap_or(0),
        r.u32("max_size").unwrap_or(0),
        types.join(", ")
    )
}

/// A node group resource `CLUSTER/NAME` without attributes.
pub fn nodegroup(cluster: &str, name: &str) -> Resource {
    Resource::new(NAME, NODEGROUP, &format!("{cluster}/{name}"))
}

#[cfg(test)]
mod tests;
