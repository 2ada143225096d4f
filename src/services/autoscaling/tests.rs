//! The group rules the emulator cannot show (moto has no scale-in
//! protection refusal, no warm pools, no group being deleted), the order
//! of a park and a restore, the profile checks, the cost.

use super::*;
use crate::cost::pricing::Pricing;
use crate::plan::{Plan, Wave};
use crate::profile::Profile;

const PARKED: &str = "version: 1\nautoscaling:\n  groups:\n    - prefix: acme-\n      min_size: 0\n      desired_capacity: 0\n      scheduled_actions: suspended\n";
const RUNNING: &str = "version: 1\nautoscaling:\n  groups:\n    - prefix: acme-\n      min_size: 2\n      desired_capacity: 3\n      scheduled_actions: active\n";

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

fn errors(text: &str) -> Vec<String> {
    let e = Profile::parse("p.yaml", "p", text).unwrap_err();
    e.errors.iter().map(|d| d.message.clone()).collect()
}

fn workers(min: u64, max: u64, desired: u64, processes: &str) -> Resource {
    group("acme-workers")
        .with("min_size", min)
        .with("max_size", max)
        .with("desired_capacity", desired)
        .with("scheduled_actions", processes)
        .with("status", Value::Null)
        .with("instances", desired)
        .with("protected", 0)
        .with("warm_pool", false)
        .with("instance_type", "t3.micro")
        .with(
            "instance_types",
            serde_json::json!(vec!["t3.micro"; desired as usize]),
        )
}

fn plan(p: &Profile, g: Resource) -> Plan {
    let live = Live {
        resources: vec![g],
        ..Live::default()
    };
    crate::planner::plan(p, &live, &Now::at(chrono::Utc::now()))
}

#[test]
fn parking_suspends_first_then_sizes_in_one_call_and_says_it_terminates() {
    let p = plan(&profile(PARKED), workers(2, 6, 3, ACTIVE));
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let shown: Vec<(u8, String)> = p
        .changes
        .iter()
        .map(|c| (c.wave.number(), c.describe()))
        .collect();
    assert_eq!(
        shown,
        vec![
            (
                1,
                "autoscaling group acme-workers scheduled_actions: active -> suspended".into()
            ),
            (
                2,
                "autoscaling group acme-workers desired_capacity: 3 -> 0".into()
            ),
            (2, "autoscaling group acme-workers min_size: 2 -> 0".into()),
        ]
    );
    // Each size change carries the group's three sizes: one call.
    for c in &p.changes[1..] {
        assert_eq!(c.args["min_size"], 0);
        assert_eq!(c.args["max_size"], 6, "max_size is left as it is");
        assert_eq!(c.args["desired_capacity"], 0);
    }
    assert!(
        p.warnings
            .iter()
            .any(|w| w.message.contains("terminates 3 of its instances")),
        "{:?}",
        p.warnings
    );
    // Parked twice: nothing.
    assert!(plan(&profile(PARKED), workers(0, 6, 0, SUSPENDED))
        .changes
        .is_empty());
}

#[test]
fn restoring_sets_sizes_first_then_resumes() {
    let p = plan(&profile(RUNNING), workers(0, 6, 0, SUSPENDED));
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let last = p.changes.last().unwrap();
    assert_eq!(last.attr, "scheduled_actions");
    assert_eq!(last.wave, Wave::AFTER);
    assert!(p.changes[..2].iter().all(|c| c.wave == Wave::MAIN));
}

#[test]
fn a_snapshot_restores_exact_sizes_and_the_suspended_process() {
    // Recorded with its process suspended by someone else: it stays so.
    let recorded = Live {
        resources: vec![workers(1, 5, 4, SUSPENDED)],
        ..Live::default()
    };
    let desired = crate::planner::desired_from_live(&recorded, "snapshot s");
    let now = Live {
        resources: vec![workers(0, 5, 0, SUSPENDED)],
        ..Live::default()
    };
    let p = crate::planner::diff(&desired, &now, &Now::at(chrono::Utc::now()), "restore", "");
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    assert_eq!(p.changes.len(), 2, "{:?}", p.changes);
    assert_eq!(p.changes[0].args["desired_capacity"], 4);
    assert_eq!(p.changes[0].args["min_size"], 1);
}

#[test]
fn sizes_outside_min_max_are_refused_against_the_live_ends() {
    // max_size left as it is (2), desired 3: AWS would refuse.
    let p = plan(&profile(RUNNING), workers(0, 2, 0, SUSPENDED));
    assert!(
        p.changes.iter().all(|c| c.attr == "scheduled_actions"),
        "{:?}",
        p.changes
    );
    assert!(
        p.errors[0].message.contains("outside min..max"),
        "{:?}",
        p.errors
    );
}

#[test]
fn protected_instances_warm_pools_and_deletion_are_said() {
    let g = workers(2, 6, 3, ACTIVE)
        .with("protected", 1)
        .with("warm_pool", true);
    let p = plan(&profile(PARKED), g);
    assert!(p
        .warnings
        .iter()
        .any(|w| w.message.contains("1 instance(s) protected from scale-in")));
    assert!(p.warnings.iter().any(|w| w.message.contains("warm pool")));
    let g = workers(2, 6, 3, ACTIVE).with("status", "Delete in progress");
    let p = plan(&profile(PARKED), g);
    assert!(p.changes.is_empty());
    assert!(p
        .warnings
        .iter()
        .any(|w| w.message.contains("`Delete in progress`")));
}

#[test]
fn profile_errors_name_the_key() {
    let e = errors("version: 1\nautoscaling:\n  groups:\n    - prefix: acme-\n      min_size: 3\n      desired_capacity: 1\n");
    assert!(
        e[0].contains("desired_capacity 1 is below min_size 3"),
        "{e:?}"
    );
    let e =
        errors("version: 1\nautoscaling:\n  groups:\n    - prefix: acme-\n      min_size: -1\n");
    assert!(e[0].contains("min_size must be between 0"), "{e:?}");
    let e = errors("version: 1\nautoscaling:\n  groups:\n    - prefix: acme-\n      max: 3\n");
    assert!(
        e[0].contains("p.yaml:5:7") && e[0].contains("unknown key `max`"),
        "{e:?}"
    );
}

fn priced(g: &Resource) -> Option<String> {
    let pricing = Pricing::parse(
        Pricing::builtin_text(),
        "built-in",
        &crate::cost::estimate::known(),
    )
    .unwrap();
    let mut lookup = Lookup::new(&pricing, "us-east-1");
    AutoScaling
        .cost(g, &mut lookup)
        .unwrap()
        .month
        .map(|m| m.exact())
}

#[test]
fn a_group_costs_desired_times_its_type() {
    // 3 x 0.0104 x 730
    assert_eq!(priced(&workers(2, 6, 3, ACTIVE)), Some("$22.776".into()));
    assert_eq!(priced(&workers(0, 6, 0, SUSPENDED)), Some("$0".into()));
    // Parked, then priced as restored: the launch template's type.
    let mut restored = workers(0, 6, 0, SUSPENDED);
    restored
        .attrs
        .insert("desired_capacity".into(), Value::from(2));
    assert_eq!(priced(&restored), Some("$15.184".into()));
    let unknown = workers(2, 6, 3, ACTIVE)
        .with("instance_type", Value::Null)
        .with("instance_types", serde_json::json!([]));
    assert_eq!(priced(&unknown), None);
}

#[test]
fn init_parks_groups_to_zero_but_not_protected_ones() {
    let a = workers(2, 6, 3, ACTIVE);
    let mut b = workers(1, 1, 1, ACTIVE).with("protected", 1);
    b.id.name = "acme-pinned".into();
    let out = AutoScaling.init_parked(&[&a, &b]);
    assert!(
        out.section.contains("desired_capacity: 0"),
        "{}",
        out.section
    );
    assert_eq!(out.left_out.len(), 1);
    assert!(out.left_out[0].why.contains("protected from scale-in"));
    let p = plan(&profile(&format!("version: 1\n{}", out.section)), a);
    assert_eq!(p.changes.len(), 3, "{p:?}");
}
