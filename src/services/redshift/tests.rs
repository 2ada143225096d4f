//! What the emulator cannot show (moto pauses and resumes at once): the
//! passing states, and the cost of a running and a paused cluster.

use super::*;
use crate::model::Live;
use crate::profile::Profile;

const PAUSE: &str = "version: 1\nredshift:\n  clusters:\n    - tags: {Project: acme}\n      state: paused\n      wait_minutes: 60\n";

fn live(state: &str) -> Resource {
    let mut r = cluster("acme-dw")
        .with("state", state)
        .with("node_type", "dc2.large")
        .with("nodes", 2);
    r.tags.insert("Project".into(), "acme".into());
    r
}

fn plan(state: &str) -> crate::plan::Plan {
    let p = Profile::parse("p.yaml", "p", PAUSE).unwrap();
    let live = Live {
        resources: vec![live(state)],
        ..Live::default()
    };
    crate::planner::plan(&p, &live, &Now::at(chrono::Utc::now()))
}

#[test]
fn an_available_cluster_is_paused_and_waited_for() {
    let p = plan(AVAILABLE);
    assert!(p.errors.is_empty() && p.warnings.is_empty(), "{p:?}");
    let c = &p.changes[0];
    assert_eq!(
        c.describe(),
        "redshift cluster acme-dw state: available -> paused"
    );
    assert_eq!(
        c.note.as_deref(),
        Some("PauseCluster, then wait until paused (up to 60 min)")
    );
    assert!(plan(PAUSED).changes.is_empty());
}

#[test]
fn a_cluster_in_a_passing_state_is_left_for_the_next_run() {
    for state in ["resuming", "pausing", "resizing", "modifying", "rebooting"] {
        let p = plan(state);
        assert!(p.changes.is_empty() && p.errors.is_empty(), "{state}");
        assert!(
            p.warnings[0].message.contains(&format!(
                "redshift cluster acme-dw is {state}: nothing is changed"
            )),
            "{:?}",
            p.warnings
        );
    }
}

#[test]
fn node_hours_while_available_and_none_while_paused() {
    let pricing = crate::cost::builtin();
    let mut lookup = Lookup::new(&pricing, "us-east-1");
    let c = Redshift.cost(&live(AVAILABLE), &mut lookup).unwrap();
    // 2 x 730 x $0.25.
    assert_eq!(c.month.map(|m| m.usd(2)), Some("$365.00".into()));
    let c = Redshift.cost(&live(PAUSED), &mut lookup).unwrap();
    assert_eq!(c.month.map(|m| m.usd(2)), Some("$0.00".into()));
    assert!(lookup.notes.iter().any(|n| n.contains("managed storage")));
    let odd = live(AVAILABLE).with("node_type", "ra3.xlplus");
    assert_eq!(Redshift.cost(&odd, &mut lookup).unwrap().month, None);
}
