//! Application Auto Scaling, the pure half shared by every service whose
//! capacity a scalable target moves (DynamoDB tables and indexes, ECS
//! services): the one-word state of a resource's targets, the flags a
//! restore puts back, the change that suspends or resumes them, and the
//! refusal of a lower capacity that a running target would undo.
//!
//! The SDK half is `crate::aws::scaling`. A resource carries `autoscaling`
//! (`null` without targets, `active`, `suspended`, or each dimension's
//! flags where they differ), `targets` (dimension, min, max, the three
//! suspended flags) and `policies` (name, dimension, type), recorded in
//! snapshots and never changed but for the suspended flags.

use crate::model::{show, Resource, Value};
use crate::plan::{Change, Notice, Phase, Want, Wave};
use crate::service::Planned;

/// Every target's scaling runs (dynamic scale in and out, scheduled).
pub const ACTIVE: &str = "active";
/// Every target's scaling is suspended; targets and policies are kept.
pub const SUSPENDED: &str = "suspended";

const FLAGS: [&str; 3] = ["in", "out", "scheduled"];

/// `null` without targets; `active` or `suspended` when every flag of every
/// target agrees; else each dimension's flags, so that a restore puts a
/// mixed state back exactly.
pub fn state(targets: &[Value]) -> Value {
    if targets.is_empty() {
        return Value::Null;
    }
    let flags: Vec<bool> = targets
        .iter()
        .flat_map(|t| FLAGS.map(|k| t["suspended"][k].as_bool().unwrap_or(false)))
        .collect();
    if flags.iter().all(|f| *f) {
        return Value::from(SUSPENDED);
    }
    if flags.iter().all(|f| !*f) {
        return Value::from(ACTIVE);
    }
    let mut m = serde_json::Map::new();
    for t in targets {
        m.insert(
            t["dimension"].as_str().unwrap_or_default().to_string(),
            t["suspended"].clone(),
        );
    }
    Value::Object(m)
}

/// In, out, scheduled: all suspended, none, or as recorded per dimension.
pub fn wanted_flags(to: &Value, dim: &str) -> [bool; 3] {
    match to.as_str() {
        Some(SUSPENDED) => [true; 3],
        Some(_) => [false; 3],
        None => {
            let f = &to[dim];
            FLAGS.map(|k| f[k].as_bool().unwrap_or(false))
        }
    }
}

/// Whether a target whose dimension satisfies `dim` still scales the
/// resource (in or out not suspended): a capacity set by hand under it
/// would be undone.
pub fn running(live: &Resource, dim: impl Fn(&str) -> bool) -> bool {
    live.get("targets")
        .as_array()
        .into_iter()
        .flatten()
        .any(|t| {
            t["dimension"].as_str().is_some_and(&dim)
                && (t["suspended"]["in"] == false || t["suspended"]["out"] == false)
        })
}

/// Whether the resource's rule suspends its auto scaling.
pub fn suspends(wants: &crate::service::Wants) -> bool {
    wants
        .get("autoscaling")
        .is_some_and(|w| w.value == SUSPENDED)
}

/// Whether the resource's rule keeps its auto scaling active.
pub fn keeps_active(wants: &crate::service::Wants) -> bool {
    wants.get("autoscaling").is_some_and(|w| w.value == ACTIVE)
}

/// The refusal of a lower `what` under a running target, naming the fix.
pub fn would_undo(live: &Resource, what: &str, rule: &str) -> Notice {
    let res = &live.id;
    Notice::on(
        res,
        format!("{res} has active auto scaling, whose policies would undo a lower {what} ({rule}): set `autoscaling: suspended` in the rule (targets and policies are kept, and `autoscaling: active` resumes them)"),
    )
}

/// Suspending comes before the capacity changes it makes safe
/// (`Wave::TAKE`), resuming after them (`Wave::AFTER`). A resource
/// without targets has nothing to suspend.
pub fn plan(live: &Resource, want: &Want) -> Planned {
    if live.get("autoscaling").is_null() {
        return Planned::Covered;
    }
    let suspend = want.value == SUSPENDED;
    if want.value != ACTIVE && !suspend && !want.value.is_object() {
        return Planned::Refuse(Notice::on(
            &live.id,
            format!("{}: unknown auto scaling state {}", live.id, want.value),
        ));
    }
    let n = live.get("targets").as_array().map_or(0, Vec::len);
    let mut c = Change::new(
        Phase::Capacity,
        if suspend { Wave::TAKE } else { Wave::AFTER },
        live.id.clone(),
        "autoscaling",
        live.get("autoscaling").clone(),
        want.value.clone(),
        want.rule,
    );
    c.note = Some(if suspend {
        format!("RegisterScalableTarget (SuspendedState) on {n} target(s): dynamic scaling and scheduled actions stop; targets, min/max and policies are kept")
    } else {
        format!(
            "RegisterScalableTarget (SuspendedState) on {n} target(s): scaling resumes as {}",
            show(&want.value)
        )
    });
    c.args.insert("targets".into(), live.get("targets").clone());
    Planned::Change(Box::new(c))
}

/// Resources (by name) whose suspend, in an earlier wave of this run, did
/// not succeed: their capacity must not be lowered now.
pub fn not_suspended(
    earlier: &[crate::outcome::Outcome],
    service: &str,
) -> std::collections::BTreeSet<String> {
    earlier
        .iter()
        .filter(|o| o.status != crate::outcome::Status::Applied)
        .filter(|o| o.change.resource.service == service && o.change.attr == "autoscaling")
        .filter(|o| o.change.to == SUSPENDED)
        .map(|o| o.change.resource.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(dim: &str, s: bool) -> Value {
        json!({"dimension": dim, "min": 5, "max": 100, "suspended": {"in": s, "out": s, "scheduled": s}})
    }

    #[test]
    fn state_is_one_word_when_every_target_agrees() {
        assert_eq!(state(&[]), Value::Null);
        assert_eq!(state(&[t("r", false), t("w", false)]), Value::from(ACTIVE));
        assert_eq!(state(&[t("r", true), t("w", true)]), Value::from(SUSPENDED));
    }

    #[test]
    fn a_mixed_state_is_kept_per_dimension_and_restored_so() {
        let s = state(&[t("r", true), t("w", false)]);
        assert_eq!(wanted_flags(&s, "r"), [true; 3]);
        assert_eq!(wanted_flags(&s, "w"), [false; 3]);
    }

    #[test]
    fn a_target_runs_until_both_dynamic_directions_are_suspended() {
        let r = Resource::new("ecs", "service", "c/s")
            .with("targets", json!([t("ecs:service:DesiredCount", false)]));
        assert!(running(&r, |d| d.ends_with("DesiredCount")));
        assert!(!running(&r, |d| d.ends_with("ReadCapacityUnits")));
        let r = r.with("targets", json!([t("ecs:service:DesiredCount", true)]));
        assert!(!running(&r, |_| true));
    }
}
