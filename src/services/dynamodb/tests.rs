//! The table rules the emulator cannot show (moto enforces no limit and
//! keeps no decrease counter after an update): decreases per UTC day,
//! switches to on-demand per rolling day, auto scaling guarding a
//! decrease, a switch back setting every index, states, and the cost.

use super::*;
use crate::model::Live;
use crate::plan::{Done, Plan};
use crate::profile::Profile;
use chrono::{TimeZone, Utc};
use serde_json::json;

const PARKED: &str = "version: 1
dynamodb:
  tables:
    - name: sessions
      billing: provisioned
      read_capacity: 1
      write_capacity: 1
      indexes:
        \"*\": {read_capacity: 1, write_capacity: 1}
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

fn errors(text: &str) -> Vec<String> {
    Profile::parse("p.yaml", "p", text)
        .unwrap_err()
        .errors
        .iter()
        .map(|d| d.message.clone())
        .collect()
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0).unwrap()
}

fn target(suspended: bool) -> serde_json::Value {
    let s = suspended;
    json!([{"dimension": "dynamodb:table:ReadCapacityUnits", "min": 5, "max": 100, "suspended": {"in": s, "out": s, "scheduled": s}}])
}

/// `sessions` at 25/10 with index `by-user` at 5/5, active read scaling.
fn live() -> Live {
    let t = table("sessions")
        .with("status", "ACTIVE")
        .with("billing", PROVISIONED)
        .with("read_capacity", 25)
        .with("write_capacity", 10)
        .with("decreases_today", 0)
        .with("last_decrease", Value::Null)
        .with("size_bytes", 3u64 << 30)
        .with("global", false)
        .with("indexes", json!(["by-user"]))
        .with("autoscaling", ACTIVE)
        .with("targets", target(false));
    let i = index("sessions", "by-user")
        .with("status", "ACTIVE")
        .with("billing", PROVISIONED)
        .with("read_capacity", 5)
        .with("write_capacity", 5)
        .with("decreases_today", 0)
        .with("autoscaling", Value::Null);
    Live {
        resources: vec![t, i],
        ..Live::default()
    }
}

fn set(live: &mut Live, name: &str, attr: &str, v: Value) {
    let r = live
        .resources
        .iter_mut()
        .find(|r| r.name() == name)
        .unwrap();
    r.attrs.insert(attr.into(), v);
}

fn plan_at(p: &Profile, live: &Live, ctx: &Now) -> Plan {
    crate::planner::plan(p, live, ctx)
}

fn plan(p: &Profile, live: &Live) -> Plan {
    plan_at(p, live, &Now::at(now()))
}

fn messages(n: &[crate::plan::Notice]) -> String {
    n.iter()
        .map(|n| n.message.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn parking_suspends_scaling_first_then_lowers_table_and_index_in_one_wave() {
    let p = plan(&profile(PARKED), &live());
    assert!(p.errors.is_empty(), "{}", messages(&p.errors));
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
                "dynamodb table sessions autoscaling: active -> suspended".into()
            ),
            (
                2,
                "dynamodb index sessions/by-user read_capacity: 5 -> 1".into()
            ),
            (
                2,
                "dynamodb index sessions/by-user write_capacity: 5 -> 1".into()
            ),
            (2, "dynamodb table sessions read_capacity: 25 -> 1".into()),
            (2, "dynamodb table sessions write_capacity: 10 -> 1".into()),
        ]
    );
    // Both capacities travel with each change: AWS sets them together.
    let c = &p.changes[3];
    assert_eq!(c.args["read_capacity"], json!(1));
    assert_eq!(c.args["write_capacity"], json!(1));
}

#[test]
fn a_decrease_under_active_scaling_names_the_table_and_the_fix() {
    let text = PARKED.replace("      autoscaling: suspended\n", "");
    let p = plan(&profile(&text), &live());
    let e = messages(&p.errors);
    assert!(
        e.contains("dynamodb table sessions has active auto scaling"),
        "{e}"
    );
    assert!(e.contains("set `autoscaling: suspended`"), "{e}");
    // An index without targets of its own may go down.
    assert!(!e.contains("index sessions/by-user has active"), "{e}");
}

#[test]
fn the_fourth_decrease_of_the_day_is_warned_the_fifth_within_an_hour_refused() {
    let mut l = live();
    let an_hour_ago = (now() - chrono::Duration::minutes(20)).to_rfc3339();
    set(&mut l, "sessions", "decreases_today", json!(3));
    set(&mut l, "sessions", "last_decrease", json!(an_hour_ago));
    let p = plan(&profile(PARKED), &l);
    assert!(p.errors.is_empty(), "{}", messages(&p.errors));
    let w = messages(&p.warnings);
    assert!(
        w.contains("dynamodb table sessions: this decrease uses the last of the 4"),
        "{w}"
    );
    // Read and write go down in one call: one warning, not two.
    assert_eq!(w.matches("table sessions: this decrease").count(), 1, "{w}");

    set(&mut l, "sessions", "decreases_today", json!(4));
    let p = plan(&profile(PARKED), &l);
    let e = messages(&p.errors);
    assert!(
        e.contains("dynamodb table sessions cannot be decreased now"),
        "{e}"
    );
    assert!(
        e.contains("the next is possible after 2026-12-01 12:40 UTC"),
        "{e}"
    );
    assert_eq!(e.matches("cannot be decreased").count(), 1, "{e}");
    // The index has its own allowance.
    assert!(!e.contains("by-user cannot"), "{e}");
}

#[test]
fn a_restore_is_never_blocked_by_the_decrease_limit() {
    let mut l = live();
    for (n, r, w) in [("sessions", 1, 1), ("sessions/by-user", 1, 1)] {
        set(&mut l, n, "read_capacity", json!(r));
        set(&mut l, n, "write_capacity", json!(w));
        set(&mut l, n, "decreases_today", json!(27));
        set(
            &mut l,
            n,
            "last_decrease",
            json!((now() - chrono::Duration::minutes(1)).to_rfc3339()),
        );
    }
    let running = "version: 1
dynamodb:
  tables:
    - name: sessions
      read_capacity: 25
      write_capacity: 10
      indexes:
        by-user: {read_capacity: 5, write_capacity: 5}
";
    let p = plan(&profile(running), &l);
    assert!(p.errors.is_empty(), "{}", messages(&p.errors));
    assert_eq!(p.changes.len(), 4);
}

#[test]
fn the_fifth_switch_to_on_demand_in_a_day_is_refused() {
    let text = "version: 1\ndynamodb:\n  tables:\n    - name: sessions\n      billing: on_demand\n";
    let id = table("sessions").id;
    let done = |h: i64| Done {
        at: now() - chrono::Duration::hours(h),
        resource: id.clone(),
        attr: "billing".into(),
        to: json!(ON_DEMAND),
    };
    let ctx = Now::at(now()).with_done(vec![done(20), done(14), done(8)]);
    let p = plan_at(&profile(text), &live(), &ctx);
    assert!(p.errors.is_empty(), "{}", messages(&p.errors));
    assert!(messages(&p.warnings).contains("the last switch to on-demand AWS allows"));
    let ctx = Now::at(now()).with_done(vec![done(20), done(14), done(8), done(2)]);
    let p = plan_at(&profile(text), &live(), &ctx);
    assert!(
        messages(&p.errors).contains("switched to on-demand 4 times in the last 24 h"),
        "{}",
        messages(&p.errors)
    );
}

#[test]
fn a_global_table_is_not_switched_to_on_demand() {
    let mut l = live();
    set(&mut l, "sessions", "global", json!(true));
    let text = "version: 1\ndynamodb:\n  tables:\n    - name: sessions\n      billing: on_demand\n";
    let p = plan(&profile(text), &l);
    assert!(
        messages(&p.errors).contains("belongs to a global table"),
        "{}",
        messages(&p.errors)
    );
}

#[test]
fn a_table_that_is_updating_waits() {
    let mut l = live();
    set(&mut l, "sessions", "status", json!("UPDATING"));
    let p = plan(&profile(PARKED), &l);
    assert!(messages(&p.warnings).contains("sessions is UPDATING: DynamoDB takes no change"));
    assert!(p.changes.iter().all(|c| c.resource.name != "sessions"));
}

#[test]
fn a_misspelt_index_is_an_error() {
    let text = PARKED.replace("\"*\"", "by-usr");
    let p = plan(&profile(&text), &live());
    let e = messages(&p.errors);
    assert!(e.contains("has no global secondary index `by-usr`"), "{e}");
    assert!(e.contains("its indexes: by-user"), "{e}");
}

#[test]
fn switching_back_needs_capacities_of_the_table_and_every_index() {
    assert!(errors(
        "version: 1\ndynamodb:\n  tables:\n    - name: t\n      billing: provisioned\n"
    )
    .iter()
    .any(|e| e.contains("`billing: provisioned` needs `read_capacity`")));
    let mut l = live();
    for n in ["sessions", "sessions/by-user"] {
        set(&mut l, n, "billing", json!(ON_DEMAND));
        set(&mut l, n, "read_capacity", Value::Null);
        set(&mut l, n, "write_capacity", Value::Null);
    }
    let text = "version: 1\ndynamodb:\n  tables:\n    - name: sessions\n      billing: provisioned\n      read_capacity: 5\n      write_capacity: 5\n";
    let p = plan(&profile(text), &l);
    assert!(
        messages(&p.errors).contains("needs the capacities of its index `by-user`"),
        "{}",
        messages(&p.errors)
    );
    let with =
        format!("{text}      indexes:\n        \"*\": {{read_capacity: 2, write_capacity: 2}}\n");
    let p = plan(&profile(&with), &l);
    assert!(p.errors.is_empty(), "{}", messages(&p.errors));
    assert!(p
        .changes
        .iter()
        .any(|c| c.describe() == "dynamodb index sessions/by-user read_capacity: none -> 2"));
}

#[test]
fn cost_counts_capacity_per_hour_and_storage_in_both_modes() {
    let pricing = crate::cost::builtin();
    let l = live();
    let mut lookup = Lookup::new(&pricing, "us-east-1");
    let t = DynamoDb.cost(&l.resources[0], &mut lookup).unwrap();
    // 25 x 0.00013 x 730 + 10 x 0.00065 x 730 + 3 GB x 0.25 = 2.3725 + 4.745 + 0.75
    assert_eq!(t.month.map(|m| m.usd(4)), Some("$7.8675".into()));
    let i = DynamoDb.cost(&l.resources[1], &mut lookup).unwrap();
    // 5 x 0.00013 x 730 + 5 x 0.00065 x 730
    assert_eq!(i.month.map(|m| m.usd(3)), Some("$2.847".into()));
    let mut od = l.resources[0].clone();
    od.attrs.insert("billing".into(), json!(ON_DEMAND));
    let c = DynamoDb.cost(&od, &mut lookup).unwrap();
    assert_eq!(c.month.map(|m| m.usd(2)), Some("$0.75".into()));
}

#[test]
fn capture_writes_billing_capacities_indexes_and_scaling() {
    let l = live();
    let refs: Vec<&Resource> = l.resources.iter().collect();
    let text = format!("version: 1\n{}", DynamoDb.capture(&refs));
    assert!(
        text.contains("\"by-user\": {read_capacity: 5, write_capacity: 5}"),
        "{text}"
    );
    assert!(text.contains("autoscaling: active"), "{text}");
    let p = plan(&profile(&text), &l);
    assert!(
        p.changes.is_empty() && p.errors.is_empty(),
        "{text}\n{:?}",
        p.changes
    );
}

#[test]
fn a_rule_keeping_scaling_active_leaves_the_scaled_capacity_to_it() {
    // Auto scaling moved reads to 40: `running` neither fights it nor
    // spends a decrease; write capacity has no target and is still set.
    let mut l = live();
    set(&mut l, "sessions", "read_capacity", json!(40));
    set(&mut l, "sessions", "write_capacity", json!(12));
    let running = "version: 1
dynamodb:
  tables:
    - name: sessions
      read_capacity: 25
      write_capacity: 10
      autoscaling: active
";
    let p = plan(&profile(running), &l);
    assert!(p.errors.is_empty(), "{}", messages(&p.errors));
    let shown: Vec<String> = p.changes.iter().map(|c| c.describe()).collect();
    assert_eq!(shown, ["dynamodb table sessions write_capacity: 12 -> 10"]);
    // Restoring from suspended sets it, then resumes scaling.
    set(&mut l, "sessions", "read_capacity", json!(1));
    set(&mut l, "sessions", "autoscaling", json!(SUSPENDED));
    set(&mut l, "sessions", "targets", target(true));
    let p = plan(&profile(running), &l);
    let shown: Vec<(u8, String)> = p
        .changes
        .iter()
        .map(|c| (c.wave.number(), c.describe()))
        .collect();
    assert!(
        shown.contains(&(2, "dynamodb table sessions read_capacity: 1 -> 25".into())),
        "{shown:?}"
    );
    assert!(
        shown.contains(&(
            3,
            "dynamodb table sessions autoscaling: suspended -> active".into()
        )),
        "{shown:?}"
    );
}

#[test]
fn index_capacity_beside_a_switch_to_on_demand_is_refused() {
    let text = "version: 1
dynamodb:
  tables:
    - name: sessions
      billing: on_demand
      autoscaling: suspended
    - prefix: sess
      indexes:
        \"*\": {read_capacity: 1, write_capacity: 1}
";
    let p = plan(&profile(text), &live());
    assert!(
        messages(&p.errors).contains("switches table `sessions` to on-demand"),
        "{}",
        messages(&p.errors)
    );
}

#[test]
fn the_after_state_of_a_switch_to_on_demand_prices_its_indexes_on_demand_too() {
    let text = "version: 1\ndynamodb:\n  tables:\n    - name: sessions\n      billing: on_demand\n      autoscaling: suspended\n";
    let l = live();
    let p = plan(&profile(text), &l);
    assert!(p.errors.is_empty(), "{}", messages(&p.errors));
    let after = crate::planner::after(&l, &p);
    let ix = after.resources.iter().find(|r| r.id.kind == INDEX).unwrap();
    assert_eq!(ix.text("billing"), ON_DEMAND);
    assert!(ix.get("read_capacity").is_null());
    let pricing = crate::cost::builtin();
    let mut lookup = Lookup::new(&pricing, "us-east-1");
    assert_eq!(
        DynamoDb.cost(ix, &mut lookup).unwrap().month,
        Some(Money::ZERO)
    );
}
