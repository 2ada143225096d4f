//! The service rules the emulator cannot show: a daemon service refused,
//! a lower count under a running target refused, the order of a park and
//! a restore with auto scaling, a service being deleted, the capacity
//! provider said, the profile checks at their lines, the cost.

use super::*;
use crate::model::Live;
use crate::plan::Plan;
use crate::profile::Profile;
use serde_json::json;

const PARKED: &str = "version: 1
ecs:
  services:
    - cluster: acme
      prefix: acme-
      desired_count: 0
      autoscaling: suspended
";

fn profile(text: &str) -> Profile {
    Profile::parse("p.yaml", "p", text).unwrap_or_else(|e| {
        panic!(
            "{:?}",
            e.errors
                .iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
        )
    })
}

/// Each error's message and line (`p.yaml:LINE:COL: message`).
fn errors(text: &str) -> Vec<(String, usize)> {
    let e = Profile::parse("p.yaml", "p", text).unwrap_err();
    e.errors
        .iter()
        .map(|d| {
            let line = d.message.split(':').nth(1).and_then(|l| l.parse().ok());
            (d.message.clone(), line.unwrap_or(0))
        })
        .collect()
}

fn target(suspended: bool) -> Value {
    let s = suspended;
    json!([{"dimension": "ecs:service:DesiredCount", "min": 2, "max": 10, "suspended": {"in": s, "out": s, "scheduled": s}}])
}

/// `acme/acme-web`: 3 Fargate tasks of 0.5 vCPU / 1 GB, scaled 2..10.
fn web() -> Resource {
    service("acme", "acme-web")
        .with("desired_count", 3)
        .with("running_count", 3)
        .with("status", "ACTIVE")
        .with("scheduling", "REPLICA")
        .with("launch_type", "FARGATE")
        .with("capacity_providers", json!([]))
        .with("cpu_units", 512)
        .with("memory_mb", 1024)
        .with("arch", "X86_64")
        .with("autoscaling", "active")
        .with("targets", target(false))
}

fn plan(p: &Profile, rs: Vec<Resource>) -> Plan {
    let live = Live {
        resources: rs,
        ..Live::default()
    };
    crate::planner::plan(p, &live, &Now::at(chrono::Utc::now()))
}

fn messages(n: &[crate::plan::Notice]) -> String {
    n.iter()
        .map(|n| n.message.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

fn shown(p: &Plan) -> Vec<(u8, String)> {
    p.changes
        .iter()
        .map(|c| (c.wave.number(), c.describe()))
        .collect()
}

#[test]
fn parking_suspends_scaling_first_then_sets_the_count_to_zero() {
    let p = plan(&profile(PARKED), vec![web()]);
    assert!(p.errors.is_empty(), "{}", messages(&p.errors));
    assert_eq!(
        shown(&p),
        [
            (
                1,
                "ecs service acme/acme-web autoscaling: active -> suspended".into()
            ),
            (2, "ecs service acme/acme-web desired_count: 3 -> 0".into()),
        ]
    );
}

#[test]
fn restoring_sets_the_count_before_resuming_scaling() {
    let parked = web()
        .with("desired_count", 0)
        .with("running_count", 0)
        .with("autoscaling", "suspended")
        .with("targets", target(true));
    let running = "version: 1\necs:\n  services:\n    - cluster: acme\n      name: acme-web\n      desired_count: 3\n      autoscaling: active\n";
    let p = plan(&profile(running), vec![parked]);
    assert!(p.errors.is_empty(), "{}", messages(&p.errors));
    assert_eq!(
        shown(&p),
        [
            (2, "ecs service acme/acme-web desired_count: 0 -> 3".into()),
            (
                3,
                "ecs service acme/acme-web autoscaling: suspended -> active".into()
            ),
        ]
    );
}

#[test]
fn a_lower_count_under_an_active_target_is_refused_naming_the_fix() {
    let text = PARKED.replace("      autoscaling: suspended\n", "");
    let p = plan(&profile(&text), vec![web()]);
    let e = messages(&p.errors);
    assert!(
        e.contains("ecs service acme/acme-web has active auto scaling"),
        "{e}"
    );
    assert!(e.contains("`autoscaling: suspended`"), "{e}");
    assert!(p.changes.is_empty());
}

#[test]
fn a_rule_keeping_scaling_active_leaves_the_count_to_the_target() {
    let text = "version: 1\necs:\n  services:\n    - cluster: acme\n      name: acme-web\n      desired_count: 2\n      autoscaling: active\n";
    let p = plan(&profile(text), vec![web().with("desired_count", 7)]);
    assert!(
        p.errors.is_empty() && p.changes.is_empty(),
        "{:?}",
        shown(&p)
    );
}

#[test]
fn a_daemon_service_is_refused_at_plan_time() {
    let daemon = service("acme", "acme-agent")
        .with("desired_count", Value::Null)
        .with("status", "ACTIVE")
        .with("scheduling", "DAEMON")
        .with("autoscaling", Value::Null);
    let p = plan(&profile(PARKED), vec![daemon]);
    let e = messages(&p.errors);
    assert!(
        e.contains("acme/acme-agent uses the DAEMON scheduling strategy"),
        "{e}"
    );
}

#[test]
fn a_service_being_deleted_is_left_alone() {
    let p = plan(&profile(PARKED), vec![web().with("status", "DRAINING")]);
    assert!(
        messages(&p.errors).contains("is DRAINING"),
        "{}",
        messages(&p.errors)
    );
    assert!(p.changes.is_empty());
}

#[test]
fn a_capacity_provider_that_scales_a_group_is_said() {
    let r = web()
        .with("launch_type", Value::Null)
        .with("capacity_providers", json!(["acme-asg-provider"]));
    let p = plan(&profile(PARKED), vec![r]);
    let w = messages(&p.warnings);
    assert!(
        w.contains(
            "its capacity provider (acme-asg-provider) scales its Auto Scaling group in by itself"
        ),
        "{w}"
    );
}

#[test]
fn every_rule_names_its_cluster_and_errors_are_at_their_lines() {
    let text = "version: 1
ecs:
  services:
    - prefix: acme-
      desired_count: 0
    - cluster: acme
      name: acme/web
      desired_count: -1
    - cluster: acme
      name: web
";
    let e = errors(text);
    let at = |m: &str| e.iter().find(|(x, _)| x.contains(m)).map(|(_, l)| *l);
    assert_eq!(
        at("`cluster` is required: ECS services are named within a cluster"),
        Some(4),
        "{e:?}"
    );
    assert_eq!(at("`acme/web` is not a name"), Some(7), "{e:?}");
    assert_eq!(
        at("desired_count must be between 0 and 5000, not -1"),
        Some(8),
        "{e:?}"
    );
    assert_eq!(at("this rule changes nothing"), Some(9), "{e:?}");
}

#[test]
fn rules_select_within_their_cluster_only() {
    let other = {
        let mut r = web();
        r.id.name = "other/acme-web".into();
        r
    };
    let p = plan(&profile(PARKED), vec![web(), other]);
    assert!(
        p.changes.iter().all(|c| c.resource.name == "acme/acme-web"),
        "{:?}",
        shown(&p)
    );
    let named = "version: 1\necs:\n  services:\n    - cluster: acme\n      name: nope\n      desired_count: 0\n";
    let p = plan(&profile(named), vec![web()]);
    assert!(
        messages(&p.errors).contains("ecs service `acme/nope` named by rule"),
        "{}",
        messages(&p.errors)
    );
}

#[test]
fn fargate_costs_vcpu_and_gb_hours_of_its_running_tasks_ec2_costs_nothing_here() {
    let pricing = crate::cost::builtin();
    let mut lookup = Lookup::new(&pricing, "us-east-1");
    // 3 x 730 h x (0.5 x 0.04048 + 1 x 0.004445) = 3 x 730 x 0.024685
    let c = Ecs.cost(&web(), &mut lookup).unwrap();
    assert_eq!(
        c.month.map(|m| m.usd(4)),
        Some("$54.0602".into()),
        "{}",
        c.basis
    );
    let arm = Ecs.cost(&web().with("arch", "ARM64"), &mut lookup).unwrap();
    // 3 x 730 x (0.5 x 0.03238 + 0.00356)
    assert_eq!(
        arm.month.map(|m| m.usd(4)),
        Some("$43.2525".into()),
        "{}",
        arm.basis
    );
    let ec2 = Ecs
        .cost(&web().with("launch_type", "EC2"), &mut lookup)
        .unwrap();
    assert_eq!(ec2.month, Some(Money::ZERO));
    let spot = web()
        .with("launch_type", Value::Null)
        .with("capacity_providers", json!(["FARGATE_SPOT"]));
    assert_eq!(Ecs.cost(&spot, &mut lookup).unwrap().month, None);
    // Parked: the after-state runs no task.
    let p = plan(&profile(PARKED), vec![web()]);
    let live = Live {
        resources: vec![web()],
        ..Live::default()
    };
    let after = crate::planner::after(&live, &p);
    assert_eq!(
        Ecs.cost(&after.resources[0], &mut lookup).unwrap().month,
        Some(Money::ZERO)
    );
}

#[test]
fn capture_and_init_write_the_cluster_and_name() {
    let daemon = service("acme", "acme-agent")
        .with("status", "ACTIVE")
        .with("scheduling", "DAEMON");
    let w = web();
    let text = format!("version: 1\n{}", Ecs.capture(&[&w, &daemon]));
    assert!(text.contains("- cluster: \"acme\"\n      name: \"acme-web\"\n      desired_count: 3\n      autoscaling: active"), "{text}");
    let p = plan(&profile(&text), vec![web()]);
    assert!(p.changes.is_empty() && p.errors.is_empty(), "{text}");
    let init = Ecs.init_parked(&[&w, &daemon]);
    assert!(
        init.section.contains("desired_count: 0"),
        "{}",
        init.section
    );
    assert!(
        init.section.contains("autoscaling: suspended"),
        "{}",
        init.section
    );
    assert_eq!(init.left_out.len(), 1);
    assert!(
        init.left_out[0].why.contains("daemon service"),
        "{:?}",
        init.left_out
    );
    let p = plan(
        &profile(&format!("version: 1\n{}", init.section)),
        vec![web()],
    );
    assert!(
        p.errors.is_empty() && p.changes.len() == 2,
        "{:?}",
        shown(&p)
    );
}

#[test]
fn the_policy_scopes_reads_and_writes_to_the_services_arns() {
    let p = profile(PARKED);
    let rules: Vec<&Rule> = p.rules.iter().collect();
    let scope = crate::iam::statements::Scope {
        region: "us-east-1".into(),
        account: "123456789012".into(),
    };
    let mut st = crate::iam::statements::Statements::default();
    Ecs.iam(&rules, &scope, &mut st);
    let doc = serde_json::to_string(&st.into_json()).unwrap();
    assert!(
        doc.contains("arn:aws:ecs:us-east-1:123456789012:service/acme/acme-*"),
        "{doc}"
    );
    assert!(doc.contains("ecs:UpdateService"), "{doc}");
    assert!(
        doc.contains("application-autoscaling:RegisterScalableTarget"),
        "{doc}"
    );
}
