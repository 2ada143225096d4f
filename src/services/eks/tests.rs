//! The node group rules the emulator cannot show (moto's node groups are
//! ACTIVE at once): UPDATING waits, a failed one is refused, max is kept,
//! the cluster autoscaler is warned of, the control plane is the parked
//! cost, the profile checks at their lines.

use super::*;
use crate::plan::Plan;
use crate::profile::Profile;
use serde_json::json;

const PARKED: &str = "version: 1
eks:
  nodegroups:
    - cluster: acme-eks
      name: acme-workers
      min_size: 0
      desired_size: 0
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

fn workers() -> Resource {
    nodegroup("acme-eks", "acme-workers")
        .with("min_size", 2)
        .with("desired_size", 3)
        .with("max_size", 5)
        .with("status", "ACTIVE")
        .with("instance_types", json!(["t3.medium"]))
        .with("capacity_type", "ON_DEMAND")
}

fn cluster() -> Resource {
    Resource::new(NAME, CLUSTER, "acme-eks").with("status", "ACTIVE")
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

#[test]
fn parking_sets_min_and_desired_in_one_call_and_keeps_max() {
    let p = plan(&profile(PARKED), vec![workers(), cluster()]);
    assert!(p.errors.is_empty(), "{}", messages(&p.errors));
    let shown: Vec<String> = p.changes.iter().map(|c| c.describe()).collect();
    assert_eq!(
        shown,
        [
            "eks nodegroup acme-eks/acme-workers desired_size: 3 -> 0",
            "eks nodegroup acme-eks/acme-workers min_size: 2 -> 0"
        ]
    );
    for c in &p.changes {
        assert_eq!(
            (c.args["min_size"].clone(), c.args["desired_size"].clone()),
            (json!(0), json!(0))
        );
        assert!(c.note.as_deref().unwrap().contains("(max 5 stays)"));
    }
}

#[test]
fn an_updating_group_waits_and_a_failed_one_is_refused() {
    let p = plan(&profile(PARKED), vec![workers().with("status", "UPDATING")]);
    assert!(p.changes.is_empty() && p.errors.is_empty());
    assert!(
        messages(&p.warnings).contains("acme-eks/acme-workers is UPDATING: EKS takes no change"),
        "{}",
        messages(&p.warnings)
    );
    let p = plan(
        &profile(PARKED),
        vec![workers().with("status", "CREATE_FAILED")],
    );
    assert!(
        messages(&p.errors).contains("is CREATE_FAILED"),
        "{}",
        messages(&p.errors)
    );
}

#[test]
fn desired_above_max_and_min_above_desired_are_refused() {
    let high = "version: 1\neks:\n  nodegroups:\n    - cluster: acme-eks\n      name: acme-workers\n      desired_size: 8\n";
    let p = plan(&profile(high), vec![workers()]);
    assert!(
        messages(&p.errors).contains("desired_size 8 is above its max_size 5"),
        "{}",
        messages(&p.errors)
    );
    let low = "version: 1\neks:\n  nodegroups:\n    - cluster: acme-eks\n      name: acme-workers\n      desired_size: 1\n";
    let p = plan(&profile(low), vec![workers()]);
    assert!(
        messages(&p.errors).contains("min_size 2 would be above desired_size 1"),
        "{}",
        messages(&p.errors)
    );
    let e = Profile::parse("p.yaml", "p", "version: 1\neks:\n  nodegroups:\n    - cluster: c\n      name: n\n      min_size: 3\n      desired_size: 1\n    - name: m\n      desired_size: 0\n").unwrap_err();
    let all: Vec<String> = e.errors.iter().map(|d| d.message.clone()).collect();
    assert!(all.iter().any(|m| m.starts_with("p.yaml:6:") && m.contains("min_size 3 is above desired_size 1")), "{all:?}");
    assert!(
        all.iter()
            .any(|m| m.starts_with("p.yaml:8:")
                && m.contains("`cluster` is required: EKS node groups")),
        "{all:?}"
    );
}

#[test]
fn a_group_the_cluster_autoscaler_discovers_is_warned_of() {
    let mut w = workers();
    w.tags.insert(plan::AUTOSCALER_TAG.into(), "true".into());
    let p = plan(&profile(PARKED), vec![w]);
    let warn = messages(&p.warnings);
    assert!(
        warn.contains("the cluster autoscaler may scale it back up"),
        "{warn}"
    );
    assert_eq!(warn.matches("cluster autoscaler").count(), 1, "{warn}");
}

#[test]
fn nodes_cost_their_instances_and_the_control_plane_is_the_parked_cost() {
    let pricing = crate::cost::builtin();
    let live = Live {
        resources: vec![workers(), cluster()],
        ..Live::default()
    };
    let p = plan(&profile(PARKED), live.resources.clone());
    let after = crate::planner::after(&live, &p);
    let c = crate::cost::compare(&pricing, "us-east-1", &live, &after);
    // 3 x t3.medium x 730 h x $0.0416 + 730 h x $0.10; parked: the control plane.
    assert_eq!(c.total.before.map(|m| m.usd(2)), Some("$164.10".into()));
    assert_eq!(c.total.after.map(|m| m.usd(2)), Some("$73.00".into()));
    let mut lookup = Lookup::new(&pricing, "us-east-1");
    assert_eq!(
        Eks.cost(&workers().with("capacity_type", "SPOT"), &mut lookup)
            .unwrap()
            .month,
        None
    );
}

#[test]
fn capture_init_and_terraform_name_the_sizes() {
    let w = workers();
    let c = cluster();
    let text = format!("version: 1\n{}", Eks.capture(&[&w, &c]));
    assert!(text.contains("- cluster: \"acme-eks\"\n      name: \"acme-workers\"\n      min_size: 2\n      desired_size: 3"), "{text}");
    let p = plan(&profile(&text), vec![workers(), cluster()]);
    assert!(p.changes.is_empty() && p.errors.is_empty(), "{text}");
    let init = Eks.init_parked(&[&w, &c]);
    let p = plan(
        &profile(&format!("version: 1\n{}", init.section)),
        vec![workers()],
    );
    assert_eq!(p.changes.len(), 2, "{}", init.section);
    let parked = profile(PARKED);
    let rules: Vec<&Rule> = parked.rules.iter().collect();
    assert_eq!(
        Eks.terraform(&rules)[0].attributes,
        [
            "scaling_config[0].desired_size",
            "scaling_config[0].min_size"
        ]
    );
}
