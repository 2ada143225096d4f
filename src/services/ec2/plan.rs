//! What may be done to an instance, by what it is and the state it is in.
//! AWS refuses to stop a one-time Spot instance, an instance whose root
//! device is an instance store, and one with stop protection; an instance
//! in an Auto Scaling group can be stopped, but its group replaces it (or,
//! with the group's own health checks off, keeps billing for a stopped
//! member): the group is what to park. Transitional states are waited out.

use super::{BY_NAME, RUNNING, STOPPED};
use crate::model::{Attrs, Resource, Value};
use crate::plan::{Change, Notice, Now, Phase, Want, Wave};
use crate::service::{Planned, Wants};

/// States in which a stop or start would be refused or undone: re-run
/// once they are over.
pub const BUSY: &[&str] = &["pending", "stopping", "shutting-down"];

pub fn plan(live: &Resource, attr: &str, want: &Want, wants: &Wants, _ctx: &Now) -> Planned {
    let res = &live.id;
    if attr != "state" {
        // `hibernate` says how a stop is made: it travels with the state.
        return Planned::Covered;
    }
    let state = live.text("state");
    if BUSY.contains(&state) {
        return Planned::Wait(Notice::on(
            res,
            format!(
                "{res} is {state}: nothing is changed while it is; re-run once it is running or stopped"
            ),
        ));
    }
    match want.value.as_str() {
        Some(STOPPED) => stop(live, want, wants),
        Some(RUNNING) => Planned::Change(Box::new(change(
            live,
            want,
            Attrs::new(),
            "StartInstances, then wait until running".into(),
        ))),
        _ => Planned::Refuse(Notice::on(
            res,
            format!("{res}: unknown state {}", want.value),
        )),
    }
}

/// Why AWS would refuse to stop `live`, or undo it; `None`: it may be
/// stopped. Group membership is apart (`group_member`).
pub fn unstoppable(live: &Resource) -> Option<String> {
    if live.text("spot") == "one-time" {
        return Some("it is a one-time Spot instance, which AWS cannot stop (only terminate): run it as a persistent Spot request or on demand to park it".into());
    }
    if live.text("root_device") == "instance-store" {
        return Some(
            "its root device is an instance store, which AWS cannot stop (only terminate)".into(),
        );
    }
    if live.flag("stop_protection") {
        return Some("it has stop protection (DisableApiStop): AWS refuses to stop it. Turn the protection off (`aws ec2 modify-instance-attribute --no-disable-api-stop`) or drop it from the rule".into());
    }
    None
}

fn stop(live: &Resource, want: &Want, wants: &Wants) -> Planned {
    let res = &live.id;
    if let Some(group) = live.get("group").as_str() {
        let named = wants.get(BY_NAME).is_some_and(|w| w.value == true);
        let why = format!(
            "{res} belongs to Auto Scaling group `{group}` ({}), which would replace a stopped instance: park the group instead (`autoscaling: groups:` with `desired_capacity: 0`)",
            want.rule
        );
        return if named {
            Planned::Refuse(Notice::on(res, format!("{why}; it is not stopped")))
        } else {
            Planned::Wait(Notice::on(res, format!("{why}; left out")))
        };
    }
    if let Some(why) = unstoppable(live) {
        return Planned::Refuse(Notice::on(
            res,
            format!("{res} cannot be stopped ({}): {why}", want.rule),
        ));
    }
    let asked = wants
        .get("hibernate")
        .is_some_and(|w| w.value == Value::Bool(true));
    let configured = live.flag("hibernation_configured");
    let hibernate = asked && configured;
    let note = match (asked, configured) {
        (true, true) => "StopInstances with Hibernate (memory kept on the root volume), then wait until stopped",
        (true, false) => "StopInstances (not configured for hibernation: stopped, not hibernated), then wait until stopped",
        _ => "StopInstances, then wait until stopped",
    };
    let mut args = Attrs::new();
    args.insert("hibernate".into(), Value::Bool(hibernate));
    Planned::Change(Box::new(change(live, want, args, note.into())))
}

fn change(live: &Resource, want: &Want, args: Attrs, note: String) -> Change {
    Change {
        note: Some(note),
        args,
        ..Change::new(
            Phase::Capacity,
            // Beside the other changes that wait minutes for AWS.
            Wave::MAIN,
            live.id.clone(),
            "state",
            live.get("state").clone(),
            want.value.clone(),
            want.rule,
        )
    }
}
