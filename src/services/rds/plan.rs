//! What may be done to a DB instance or cluster: AWS stops and starts
//! only some of them, and refuses the rest half-way (moto lets them
//! through), so the planner refuses them first, naming why. A database in
//! a passing state (`stopping`, `backing-up`, ...) is left for the next run.

use super::{AVAILABLE, CLUSTER, DEFAULT_WAIT_MINUTES, STOPPED};
use crate::model::{Attrs, Resource, Value};
use crate::plan::{Change, Notice, Now, Phase, Want, Wave};
use crate::service::{Planned, Wants};

/// AWS starts a stopped DB instance or cluster again after this long.
pub const RESTART_DAYS: i64 = 7;

pub fn plan(live: &Resource, attr: &str, want: &Want, wants: &Wants, ctx: &Now) -> Planned {
    if attr != "state" {
        // `wait_minutes` travels with the state change.
        return Planned::Covered;
    }
    let res = &live.id;
    let to = want.value.as_str().unwrap_or_default();
    if let Some(why) = refusal(live, to) {
        let verb = if to == STOPPED { "stopped" } else { "started" };
        return Planned::Refuse(Notice::on(
            res,
            format!("{res} cannot be {verb} ({}): {why}", want.rule),
        ));
    }
    let state = live.text("state");
    if state != AVAILABLE && state != STOPPED {
        return Planned::Wait(Notice::on(
            res,
            format!("{res} is {state}: nothing is changed while it is; it is left for the next run (once it is available or stopped)"),
        ));
    }
    Planned::Change(Box::new(change(live, want, wants, ctx)))
}

/// Why AWS would refuse to stop (or start) this one, if it would.
pub fn refusal(r: &Resource, to: &str) -> Option<String> {
    let text = |a: &str| r.get(a).as_str().map(str::to_string);
    if r.id.kind == CLUSTER {
        if r.text("engine_mode") == "serverless" {
            return Some("it is an Aurora Serverless v1 cluster, which AWS neither stops nor starts (it pauses itself when idle)".into());
        }
        if let Some(g) = text("global") {
            return Some(format!(
                "it is a member of the global database `{g}`, whose clusters AWS does not stop"
            ));
        }
        return None;
    }
    if let Some(c) = text("cluster") {
        return Some(format!("it is a member of the cluster `{c}`: park the cluster (`rds: clusters:`), which stops its instances"));
    }
    if to != STOPPED {
        return None;
    }
    if let Some(s) = text("replica_of") {
        return Some(format!(
            "it is a read replica of `{s}`, which AWS does not stop"
        ));
    }
    let replicas = names(r.get("replicas"));
    if !replicas.is_empty() {
        return Some(format!(
            "it has read replicas ({}), and AWS does not stop the source of a read replica",
            replicas.join(", ")
        ));
    }
    if r.text("engine").starts_with("sqlserver") && r.flag("multi_az") {
        return Some("it is a SQL Server Multi-AZ instance, which AWS does not stop".into());
    }
    None
}

/// The texts of a list attribute.
pub fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str().or_else(|| n["name"].as_str()))
        .map(str::to_string)
        .collect()
}

fn change(live: &Resource, want: &Want, wants: &Wants, ctx: &Now) -> Change {
    let wait = wants
        .get("wait_minutes")
        .and_then(|w| w.value.as_u64())
        .unwrap_or(u64::from(DEFAULT_WAIT_MINUTES));
    let to = want.value.as_str().unwrap_or_default();
    let (call, done) = match (live.id.kind == CLUSTER, to == STOPPED) {
        (false, true) => ("StopDBInstance", "stopped"),
        (false, false) => ("StartDBInstance", "available"),
        (true, true) => ("StopDBCluster", "stopped"),
        (true, false) => ("StartDBCluster", "available"),
    };
    let mut note = format!("{call}, then wait until {done} (up to {wait} min)");
    if to == STOPPED {
        if let Some(why) = restarted(live, ctx) {
            note = format!("{note}; {why}");
        }
    }
    let mut args = Attrs::new();
    args.insert("wait_minutes".into(), Value::from(wait));
    Change {
        note: Some(note),
        args,
        ..Change::new(
            Phase::Capacity,
            Wave::MAIN,
            live.id.clone(),
            "state",
            live.get("state").clone(),
            want.value.clone(),
            want.rule,
        )
    }
}

/// Why a database parkctl stopped is available again: parkctl's last
/// change to it stopped it, and it has no record of starting it since.
pub fn restarted(live: &Resource, ctx: &Now) -> Option<String> {
    let last = ctx.last_done(&live.id, "state")?;
    if last.to != STOPPED {
        return None;
    }
    let at = crate::plan::minute(last.at);
    let since = ctx.now - last.at;
    Some(if since >= chrono::Duration::days(RESTART_DAYS) {
        format!("it was started by AWS, {RESTART_DAYS} days after parkctl stopped it at {at} (parkctl has no record of starting it)")
    } else {
        format!("parkctl stopped it at {at} and has no record of starting it: it was started outside parkctl (AWS itself starts a stopped database after {RESTART_DAYS} days)")
    })
}
