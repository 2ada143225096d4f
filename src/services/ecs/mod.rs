//! ECS services: parked by setting the desired count to zero (the task
//! definition, load balancer and everything else of the service stay),
//! restored to the exact count they had, with the Application Auto Scaling
//! target that would otherwise scale a parked service back up suspended
//! while parked (`crate::services::scaling`, shared with DynamoDB).
//!
//! A service is named within its cluster: its resource name is
//! `CLUSTER/SERVICE`, and every rule names its `cluster`.
//! A Fargate task bills its vCPU and memory every hour it runs; a task on
//! EC2 instances bills nothing of its own (its instances are billed, and
//! priced, where they are).

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

pub const NAME: &str = "ecs";
pub const SERVICE: &str = "service";
pub const DAEMON: &str = "DAEMON";

/// A service's attributes as read: `desired_count` (`null` for a daemon
/// service, which has none), `running_count`,
/// `pending_count`, `status` (ACTIVE, DRAINING, INACTIVE), `scheduling`
/// (REPLICA, DAEMON), `launch_type` (FARGATE, EC2, EXTERNAL, or `null`
/// with a capacity provider strategy), `capacity_providers`,
/// `task_definition`, its `cpu_units` and `memory_mb` (`null` when the
/// task definition does not set them) and `arch` (X86_64, ARM64), and
/// `autoscaling`, `targets`, `policies`.
pub struct Ecs;

impl super::Section for Ecs {
    type Raw = raw::RawSection;

    fn build(raw: raw::RawSection, cx: &mut Reporter) -> Vec<Rule> {
        raw.services
            .into_iter()
            .enumerate()
            .map(|(i, r)| raw::rule(cx, i, r))
            .collect()
    }
}

const KINDS: &[Kind] = &[Kind {
    name: SERVICE,
    selectable: true,
    observed: &["desired_count", "autoscaling"],
    managed: &["desired_count", "autoscaling"],
}];

const ATTRS: &[Attr] = &[
    Attr {
        key: "desired_count",
        kind: SERVICE,
        attr: "desired_count",
    },
    Attr {
        key: "autoscaling",
        kind: SERVICE,
        attr: "autoscaling",
    },
];

const fn price(key: &'static str, unit: &'static str, label: &'static str) -> PriceKey {
    PriceKey {
        key,
        unit,
        label,
        everywhere: false,
    }
}

const PRICES: &[PriceKey] = &[
    price(
        "fargate_vcpu_hour",
        "vCPU-hour",
        "Fargate Linux/x86 vCPU-hour",
    ),
    price("fargate_gb_hour", "GB-hour", "Fargate Linux/x86 GB-hour"),
    price(
        "fargate_vcpu_hour_arm64",
        "vCPU-hour",
        "Fargate Linux/ARM vCPU-hour",
    ),
    price(
        "fargate_gb_hour_arm64",
        "GB-hour",
        "Fargate Linux/ARM GB-hour",
    ),
];

const EC2_NOTE: &str = "ECS tasks on EC2 instances (EC2 launch type or an Auto Scaling group capacity provider) cost $0 here: their instances are billed, and priced, where they are";
const SPOT_NOTE: &str =
    "Fargate Spot tasks are priced unknown: the price table has no Fargate Spot price";

static FACTS: Facts = Facts {
    name: NAME,
    kinds: KINDS,
    attrs: ATTRS,
    types: &[("desired_count", Ty::CountOrNone)],
    prices: PRICES,
    writes: &["UpdateService", "RegisterScalableTarget"],
    request_keys: &[
        "\"service\":\"",
        "\"services\":[\"",
        "\"cluster\":\"",
        "\"ResourceId\":\"",
    ],
    // ECS's cluster read actions: 20 a second sustained.
    pace: (NAME, 20),
};

impl Service for Ecs {
    fn facts(&self) -> &'static Facts {
        &FACTS
    }

    fn plan(&self, live: &Resource, attr: &str, want: &Want, wants: &Wants, ctx: &Now) -> Planned {
        plan::plan(live, attr, want, wants, ctx)
    }

    /// Once the count is set, that many tasks run (what the cost is of).
    fn after(&self, resources: &mut [Resource], at: usize, c: &Change) {
        resources[at].attrs.set(c.attr, c.to.clone());
        if c.attr == "desired_count" {
            resources[at]
                .attrs
                .insert("running_count".into(), c.to.clone());
        }
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
        let (basis, month) = task_cost(r, lookup);
        Some(ResourceCost::new(&r.id, basis, month))
    }

    fn idle(&self, r: &Resource) -> Option<IdleMetric> {
        if r.u32("running_count").unwrap_or(0) == 0 {
            return None;
        }
        let (cluster, service) = split(r.name());
        Some(IdleMetric {
            queries: vec![MetricQuery {
                namespace: "AWS/ECS",
                metric: "CPUUtilization",
                dimensions: vec![
                    ("ClusterName", cluster.to_string()),
                    ("ServiceName", service.to_string()),
                ],
            }],
            quiet: "no CPU use",
            free_when_idle: on_ec2(r)
                .then_some("its tasks run on EC2 instances, which are billed where they are"),
            busy_above: Some(crate::idle::CPU_BUSY_ABOVE_PERCENT),
        })
    }

    fn summary(&self, resources: &[&Resource]) -> Vec<String> {
        resources.iter().map(|r| summary(r)).collect()
    }

    fn capture(&self, resources: &[&Resource]) -> String {
        let mut s = String::from("ecs:\n  services:\n");
        for r in resources {
            if r.text("scheduling") == DAEMON {
                let _ = writeln!(
                    s,
                    "    # {}: a daemon service has no desired count",
                    r.name()
                );
                continue;
            }
            let _ = writeln!(
                s,
                "{}      desired_count: {}",
                named(r),
                r.u32("desired_count").unwrap_or(0)
            );
            if let Value::String(a) = r.get("autoscaling") {
                let _ = writeln!(s, "      autoscaling: {a}");
            }
        }
        s
    }

    fn init_parked(&self, resources: &[&Resource]) -> InitParked {
        let mut section = String::new();
        let mut left_out = Vec::new();
        for r in resources {
            let why = match (r.text("scheduling"), r.text("status")) {
                (DAEMON, _) => Some("a daemon service runs one task per container instance and has no desired count: park its cluster's instances instead"),
                (_, "ACTIVE") => None,
                _ => Some("it is being deleted"),
            };
            if let Some(why) = why {
                left_out.push(LeftOut {
                    resource: r.id.to_string(),
                    why: why.into(),
                });
                continue;
            }
            section.push_str(&named(r));
            section.push_str("      desired_count: 0             # no task runs; the service and its task definition stay\n");
            if !r.get("autoscaling").is_null() {
                section.push_str(
                    "      autoscaling: suspended       # else its target would scale it back up\n",
                );
            }
        }
        if !section.is_empty() {
            section.insert_str(0, "ecs:\n  services:\n");
        }
        InitParked { section, left_out }
    }

    fn iam(&self, rules: &[&Rule], scope: &Scope, st: &mut Statements) {
        st.add(
            &[
                "ecs:DescribeTaskDefinition",
                "application-autoscaling:DescribeScalableTargets",
                "application-autoscaling:DescribeScalingPolicies",
                crate::aws::metrics::IAM_READ,
            ],
            &any(),
        );
        let base = format!("{}service/", scope.arn(NAME));
        for rule in rules {
            let services = clustered::arns(&rule.selector, &base, "");
            st.add(&["ecs:DescribeServices"], &services);
            if clustered::names_only(std::slice::from_ref(&rule.selector)).is_none() {
                // ListServices has no resource-level permission.
                st.add(&["ecs:ListServices"], &any());
            }
            if rule.selector.needs_tags() {
                st.add(&["ecs:ListTagsForResource"], &services);
            }
            if rule.get("desired_count").is_some() {
                st.add(&["ecs:UpdateService"], &services);
            }
            if rule.get("autoscaling").is_some() {
                st.add(&["application-autoscaling:RegisterScalableTarget"], &any());
            }
        }
    }

    fn terraform(&self, rules: &[&Rule]) -> Vec<TerraformHint> {
        let mut out = vec![];
        if rules.iter().any(|r| r.get("desired_count").is_some()) {
            out.push(TerraformHint {
                resource: "aws_ecs_service",
                attributes: &["desired_count"],
                note: "parking sets the service's desired count (0 runs no task)",
            });
        }
        if rules.iter().any(|r| r.get("autoscaling").is_some()) {
            out.push(TerraformHint {
                resource: "aws_appautoscaling_target",
                attributes: &["suspended_state"],
                note: "parking suspends the service's auto scaling (targets and policies are kept)",
            });
        }
        out
    }
}

/// `    - cluster: C\n      name: S\n`
fn named(r: &Resource) -> String {
    let (cluster, name) = split(r.name());
    format!(
        "    - cluster: {}\n      name: {}\n",
        quoted(cluster),
        quoted(name)
    )
}

/// Whether its tasks run on EC2 instances (launch type or a provider).
fn on_ec2(r: &Resource) -> bool {
    matches!(r.text("launch_type"), "EC2" | "EXTERNAL") || !plan::group_providers(r).is_empty()
}

/// Fargate: vCPU and GB of the task definition x running tasks x 730 h, at
/// the rate of its architecture. On EC2 instances: $0 here.
fn task_cost(r: &Resource, lookup: &mut Lookup) -> (String, Option<Money>) {
    let n = u64::from(r.u32("running_count").unwrap_or(0));
    if on_ec2(r) {
        lookup.note(EC2_NOTE);
        return (
            format!("{n} task(s) on EC2 instances, $0 here"),
            Some(Money::ZERO),
        );
    }
    if n == 0 {
        return ("no task running".into(), Some(Money::ZERO));
    }
    let spot = r
        .get("capacity_providers")
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p == "FARGATE_SPOT"));
    if spot {
        lookup.note(SPOT_NOTE);
        return (format!("{n} Fargate Spot task(s), no price"), None);
    }
    let (Some(cpu), Some(mb)) = (r.u32("cpu_units"), r.u32("memory_mb")) else {
        return (format!("{n} Fargate task(s), task size unknown"), None);
    };
    let arm = r.text("arch") == "ARM64";
    let (vp, gp) = if arm {
        (&PRICES[2], &PRICES[3])
    } else {
        (&PRICES[0], &PRICES[1])
    };
    let vcpu = lookup.price(NAME, vp.key, vp.label).map(|p| p.usd);
    let gb = lookup.price(NAME, gp.key, gp.label).map(|p| p.usd);
    let size = format!(
        "{} vCPU + {} GB",
        f64::from(cpu) / 1024.0,
        f64::from(mb) / 1024.0
    );
    let (Some(vcpu), Some(gb)) = (vcpu, gb) else {
        return (format!("{n} x ({size}), no Fargate price"), None);
    };
    let hours = i128::from(n * u64::from(HOURS_PER_MONTH));
    let month = vcpu.scale(hours * i128::from(cpu), 1024) + gb.scale(hours * i128::from(mb), 1024);
    let basis = format!(
        "{n} x ({size}) x ({}/vCPU-hour + {}/GB-hour){}",
        vcpu.exact(),
        gb.exact(),
        if arm { ", ARM64" } else { "" }
    );
    (basis, Some(month))
}

fn summary(r: &Resource) -> String {
    let scaling = match r.get("autoscaling") {
        Value::Null => String::new(),
        Value::String(s) => format!(", auto scaling {s}"),
        _ => ", auto scaling partly suspended".to_string(),
    };
    let on = match r.text("launch_type") {
        "" => plan::group_providers(r).join("+"),
        t => t.to_string(),
    };
    format!(
        "ecs service   {:<48} {} of {} running ({on}, {}){scaling}",
        r.name(),
        r.u32("running_count").unwrap_or(0),
        r.u32("desired_count").unwrap_or(0),
        r.text("scheduling"),
    )
}

/// A service resource `CLUSTER/NAME` without attributes.
pub fn service(cluster: &str, name: &str) -> Resource {
    Resource::new(NAME, SERVICE, &format!("{cluster}/{name}"))
}

#[cfg(test)]
mod tests;
