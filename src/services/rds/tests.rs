//! What the emulator cannot show (moto stops and starts at once, lets a
//! cluster member and a replica's source stop, and never restarts a
//! database after 7 days): the refusals, the waits, the restart note, the
//! kinds' rules, the cost.

use super::*;
use crate::model::Value;
use crate::plan::{Done, Plan};
use crate::profile::Profile;
use chrono::{Duration, Utc};

const PARKED: &str = "version: 1\nrds:\n  instances:\n    - prefix: acme-\n      state: stopped\n  clusters:\n    - prefix: acme-\n      state: stopped\n      wait_minutes: 45\n";
const RUNNING: &str = "version: 1\nrds:\n  instances:\n    - prefix: acme-\n      state: available\n  clusters:\n    - prefix: acme-\n      state: available\n";

fn profile(text: &str) -> Profile {
    Profile::parse("p.yaml", "p", text).unwrap_or_else(|e| {
        let messages: Vec<String> = e.errors.iter().map(|d| d.message.clone()).collect();
        panic!("{messages:?}")
    })
}

fn instance(name: &str, state: &str) -> Resource {
    resource(INSTANCE, name)
        .with("state", state)
        .with("engine", "postgres")
        .with("class", "db.t3.micro")
        .with("multi_az", false)
        .with("cluster", Value::Null)
        .with("replica_of", Value::Null)
        .with("replicas", serde_json::json!([]))
        .with("storage_gb", 20)
        .with("storage_type", "gp2")
}

fn cluster(name: &str, state: &str) -> Resource {
    resource(CLUSTER, name)
        .with("state", state)
        .with("engine", "aurora-postgresql")
        .with("engine_mode", "provisioned")
        .with("multi_az", false)
        .with("global", Value::Null)
        .with(
            "members",
            serde_json::json!([{"name": "acme-aurora-1", "class": "db.r6g.large"}, {"name": "acme-aurora-2", "class": "db.r6g.large"}]),
        )
}

fn plan_with(text: &str, resources: Vec<Resource>, ctx: &Now) -> Plan {
    let live = Live {
        resources,
        ..Live::default()
    };
    crate::planner::plan(&profile(text), &live, ctx)
}

fn plan(text: &str, resources: Vec<Resource>) -> Plan {
    plan_with(text, resources, &Now::at(Utc::now()))
}

fn messages(p: &Plan) -> Vec<String> {
    p.errors.iter().map(|n| n.message.clone()).collect()
}

#[test]
fn instances_and_clusters_are_parked_by_their_own_rules() {
    let p = plan(
        PARKED,
        vec![
            instance("acme-db", "available"),
            cluster("acme-aurora", "available"),
        ],
    );
    assert!(p.errors.is_empty(), "{:?}", p.errors);
    let got: Vec<String> = p.changes.iter().map(Change::describe).collect();
    assert_eq!(
        got,
        [
            "rds cluster acme-aurora state: available -> stopped",
            "rds instance acme-db state: available -> stopped"
        ]
    );
    assert_eq!(p.changes[0].args["wait_minutes"], 45);
    assert_eq!(p.changes[1].args["wait_minutes"], DEFAULT_WAIT_MINUTES);
    assert_eq!(p.selected["rds cluster"], 1);
    assert_eq!(p.selected["rds instance"], 1);
    assert!(
        p.warnings.iter().any(|w| w
            .message
            .contains("AWS starts a stopped RDS database again after 7 days")),
        "{:?}",
        p.warnings
    );
    // A rule of one kind never selects the other: an instance and a
    // cluster of the same name are two resources.
    let only_clusters =
        "version: 1\nrds:\n  clusters:\n    - name: acme-db\n      state: stopped\n";
    let p = plan(only_clusters, vec![instance("acme-db", "available")]);
    assert_eq!(
        messages(&p),
        ["rds cluster `acme-db` named by rule rds.clusters[0] (line 4) does not exist"]
    );
}

#[test]
fn restoring_starts_them_and_says_no_restart() {
    let p = plan(
        RUNNING,
        vec![
            instance("acme-db", "stopped"),
            cluster("acme-aurora", "stopped"),
        ],
    );
    assert!(p.errors.is_empty() && p.warnings.is_empty(), "{p:?}");
    let notes: Vec<&str> = p.changes.iter().filter_map(|c| c.note.as_deref()).collect();
    assert_eq!(
        notes,
        [
            "StartDBCluster, then wait until available (up to 30 min)",
            "StartDBInstance, then wait until available (up to 30 min)"
        ]
    );
}

#[test]
fn what_aws_refuses_to_stop_is_refused_naming_it_and_why() {
    let member = instance("acme-aurora-1", "available").with("cluster", "acme-aurora");
    let replica = instance("acme-replica", "available").with("replica_of", "acme-db");
    let source =
        instance("acme-db", "available").with("replicas", serde_json::json!(["acme-replica"]));
    let sqlserver = instance("acme-mssql", "available")
        .with("engine", "sqlserver-se")
        .with("multi_az", true);
    let global = cluster("acme-global", "available").with("global", "acme-world");
    let v1 = cluster("acme-v1", "available").with("engine_mode", "serverless");
    let p = plan(PARKED, vec![member, replica, source, sqlserver, global, v1]);
    assert!(p.changes.is_empty(), "{:?}", p.changes);
    let m = messages(&p);
    for (res, why) in [
        (
            "rds instance acme-aurora-1 cannot be stopped",
            "member of the cluster `acme-aurora`: park the cluster",
        ),
        (
            "rds instance acme-replica cannot be stopped",
            "read replica of `acme-db`",
        ),
        (
            "rds instance acme-db cannot be stopped",
            "has read replicas (acme-replica)",
        ),
        (
            "rds instance acme-mssql cannot be stopped",
            "SQL Server Multi-AZ",
        ),
        (
            "rds cluster acme-global cannot be stopped",
            "global database `acme-world`",
        ),
        (
            "rds cluster acme-v1 cannot be stopped",
            "Aurora Serverless v1",
        ),
    ] {
        assert!(
            m.iter().any(|e| e.starts_with(res) && e.contains(why)),
            "no `{res}` ... `{why}` in {m:#?}"
        );
    }
    // A SQL Server Single-AZ instance stops.
    let single = instance("acme-mssql", "available").with("engine", "sqlserver-se");
    assert_eq!(plan(PARKED, vec![single]).changes.len(), 1);
}

#[test]
fn a_member_is_not_started_alone_but_a_replica_is() {
    let member = instance("acme-aurora-1", "stopped").with("cluster", "acme-aurora");
    let replica = instance("acme-replica", "stopped").with("replica_of", "acme-db");
    let p = plan(RUNNING, vec![member, replica]);
    assert_eq!(p.changes.len(), 1, "{p:?}");
    assert_eq!(p.changes[0].resource.name, "acme-replica");
    assert!(messages(&p)[0].contains("rds instance acme-aurora-1 cannot be started"));
}

#[test]
fn a_database_in_a_passing_state_is_left_for_the_next_run() {
    for state in [
        "stopping",
        "starting",
        "backing-up",
        "modifying",
        "rebooting",
        "storage-optimization",
    ] {
        let p = plan(
            PARKED,
            vec![instance("acme-db", state), cluster("acme-aurora", state)],
        );
        assert!(
            p.changes.is_empty() && p.errors.is_empty(),
            "{state}: {p:?}"
        );
        assert_eq!(p.warnings.len(), 2, "{state}: {:?}", p.warnings);
        assert!(
            p.warnings[0]
                .message
                .contains(&format!("is {state}: nothing is changed while it is")),
            "{:?}",
            p.warnings
        );
    }
}

fn stopped_by_parkctl(days_ago: i64) -> Now {
    let now = Utc::now();
    Now::at(now).with_done(vec![Done {
        at: now - Duration::days(days_ago),
        resource: resource(INSTANCE, "acme-db").id,
        attr: "state".into(),
        to: Value::from(STOPPED),
    }])
}

#[test]
fn one_available_after_parkctl_stopped_it_is_stopped_again_saying_why() {
    let ctx = stopped_by_parkctl(8);
    let p = plan_with(PARKED, vec![instance("acme-db", "available")], &ctx);
    let note = p.changes[0].note.clone().unwrap();
    assert!(
        note.contains("it was started by AWS, 7 days after parkctl stopped it at")
            && note.contains("(parkctl has no record of starting it)"),
        "{note}"
    );
    let ctx = stopped_by_parkctl(1);
    let p = plan_with(PARKED, vec![instance("acme-db", "available")], &ctx);
    let note = p.changes[0].note.clone().unwrap();
    assert!(
        note.contains("has no record of starting it: it was started outside parkctl"),
        "{note}"
    );
    // Started by parkctl since: the usual park, nothing to explain.
    let mut ctx = stopped_by_parkctl(3);
    ctx.done.push(Done {
        to: Value::from(AVAILABLE),
        at: ctx.now - Duration::days(1),
        ..ctx.done[0].clone()
    });
    let p = plan_with(PARKED, vec![instance("acme-db", "available")], &ctx);
    assert_eq!(
        p.changes[0].note.as_deref(),
        Some("StopDBInstance, then wait until stopped (up to 30 min)")
    );
}

#[test]
fn the_section_is_checked_at_its_lines() {
    let errs = |text: &str| -> Vec<String> {
        Profile::parse("p.yaml", "p", text)
            .unwrap_err()
            .errors
            .iter()
            .map(|d| d.message.clone())
            .collect()
    };
    let e = errs("version: 1\nrds:\n  instances:\n    - prefix: acme-\n");
    assert!(
        e[0].contains("this rule changes nothing: set `state`"),
        "{e:?}"
    );
    let e = errs("version: 1\nrds:\n  instances:\n    - name: a\n      state: stopped\n      wait_minutes: 721\n");
    assert!(
        e[0].contains("wait_minutes must be between 1 and 720"),
        "{e:?}"
    );
    let e = errs("version: 1\nrds:\n  databases:\n    - name: a\n");
    assert!(e[0].contains("databases"), "{e:?}");
}

fn cost(r: &Resource) -> (Option<String>, String, Vec<String>) {
    let pricing = crate::cost::builtin();
    let mut lookup = Lookup::new(&pricing, "us-east-1");
    let c = Rds.cost(r, &mut lookup);
    let c = c.map_or((None, String::new()), |c| {
        (c.month.map(|m| m.usd(2)), c.basis)
    });
    (c.0, c.1, lookup.notes)
}

#[test]
fn cost_is_instance_hours_and_storage_and_stopped_is_storage_only() {
    let (month, basis, _) = cost(&instance("acme-db", "available"));
    // 730 x $0.018 + 20 GB x $0.115.
    assert_eq!(month, Some("$15.44".into()), "{basis}");
    let (month, basis, notes) = cost(&instance("acme-db", "stopped"));
    assert_eq!(month, Some("$2.30".into()), "{basis}");
    assert!(notes
        .iter()
        .any(|n| n.contains("parked cost, not a saving")));
    // Multi-AZ at its own listed price, storage twice.
    let maz = instance("acme-db", "available")
        .with("class", "db.t4g.micro")
        .with("multi_az", true);
    let (month, basis, _) = cost(&maz);
    assert_eq!(month, Some("$27.96".into()), "{basis}");
    // An unknown class is unknown, never $0.
    let odd = instance("acme-db", "available").with("class", "db.x2iedn.32xlarge");
    assert_eq!(cost(&odd).0, None);
    let (month, _, _) = cost(&cluster("acme-aurora", "available"));
    assert_eq!(month, Some("$379.60".into()));
    let (month, _, _) = cost(&cluster("acme-aurora", "stopped"));
    assert_eq!(month, Some("$0.00".into()));
    // A member is priced with its cluster.
    let member = instance("acme-aurora-1", "available").with("cluster", "acme-aurora");
    assert_eq!(cost(&member).1, "");
}

#[test]
fn init_parks_what_stops_and_says_why_of_the_rest() {
    let ok = instance("acme-db", "available");
    let member = instance("acme-aurora-1", "available").with("cluster", "acme-aurora");
    let c = cluster("acme-aurora", "available");
    let v1 = cluster("acme-v1", "available").with("engine_mode", "serverless");
    let got = Rds.init_parked(&[&ok, &member, &c, &v1]);
    assert!(got.section.contains("  instances:\n"), "{}", got.section);
    assert!(
        got.section
            .contains("- names: [\"acme-db\"]\n      state: stopped"),
        "{}",
        got.section
    );
    assert!(
        got.section
            .contains("- names: [\"acme-aurora\"]\n      state: stopped"),
        "{}",
        got.section
    );
    let left: Vec<&str> = got.left_out.iter().map(|l| l.resource.as_str()).collect();
    assert_eq!(left, ["rds instance acme-aurora-1", "rds cluster acme-v1"]);
    assert!(got.left_out[0].why.contains("park the cluster"));
    // What init writes is a profile that parses.
    profile(&format!("version: 1\n{}", got.section));
}

#[test]
fn iam_grants_each_rule_its_call_on_its_arns() {
    let p = profile(PARKED);
    let rules: Vec<&Rule> = p.rules_of(NAME).collect();
    let scope = Scope {
        region: "us-east-1".into(),
        account: "123456789012".into(),
    };
    let mut st = Statements::default();
    Rds.iam(&rules, &scope, &mut st);
    let json = serde_json::to_string(&st.into_json()).unwrap();
    for part in [
        "rds:StopDBInstance",
        "arn:aws:rds:us-east-1:123456789012:db:acme-*",
        "rds:StopDBCluster",
        "arn:aws:rds:us-east-1:123456789012:cluster:acme-*",
        "rds:DescribeDBClusters",
        "rds:DescribeDBInstances",
    ] {
        assert!(json.contains(part), "{part} missing in {json}");
    }
    assert!(!json.contains("StartDB"), "{json}");
}

#[test]
fn status_says_since_when_it_is_stopped_and_when_aws_starts_it() {
    let r = instance("acme-db", "stopped").with("stopped_since", "2026-12-01T20:00:00+00:00");
    let line = &Rds.summary(&[&r])[0];
    assert!(
        line.contains(
            "stopped since 2026-12-01 20:00 UTC (RDS event); AWS starts it again at 2026-12-08 20:00 UTC"
        ),
        "{line}"
    );
    // No event (older than AWS keeps, or moto's): parkctl's record of the
    // apply that stopped it says.
    let r = instance("acme-db", "stopped").with(
        crate::idle::APPLIED_AT,
        serde_json::json!({"state": "2026-11-20T06:00:00+00:00"}),
    );
    let line = &Rds.summary(&[&r])[0];
    assert!(
        line.contains(
            "stopped since 2026-11-20 06:00 UTC (parkctl's record); AWS starts it again at 2026-11-27 06:00 UTC"
        ),
        "{line}"
    );
    let r = instance("acme-db", "stopped");
    let line = &Rds.summary(&[&r])[0];
    assert!(
        line.contains("no RDS event of its stop in the last 14 days"),
        "{line}"
    );
}
