//! What may be done to an Auto Scaling group: its sizes in one
//! UpdateAutoScalingGroup, which AWS refuses unless min <= desired <= max
//! (the ends a rule leaves out keep their live values); its ScheduledActions
//! process suspended before the sizes are parked (else a scheduled action
//! scales the group back up) and resumed after they are restored.

use super::{ACTIVE, SIZES, SUSPENDED};
use crate::model::{Attrs, Resource, Value};
use crate::plan::{Change, Notice, Now, Phase, Want, Wave};
use crate::service::{Planned, Wants};

pub fn plan(live: &Resource, attr: &str, want: &Want, wants: &Wants, _ctx: &Now) -> Planned {
    let res = &live.id;
    if let Some(status) = live.get("status").as_str() {
        return Planned::Wait(Notice::on(
            res,
            format!("{res} is `{status}`: nothing is changed while it is"),
        ));
    }
    match attr {
        "scheduled_actions" => processes(live, want),
        a if SIZES.contains(&a) => sizes(live, attr, want, wants),
        _ => Planned::Covered,
    }
}

/// The sizes the group has once the rule's are set: the wanted ones, the
/// live ones for the rest.
pub fn effective(live: &Resource, wants: &Wants) -> Attrs {
    SIZES
        .iter()
        .map(|a| {
            let v = wants
                .get(*a)
                .map(|w| w.value.clone())
                .unwrap_or_else(|| live.get(a).clone());
            (a.to_string(), v)
        })
        .collect()
}

fn sizes(live: &Resource, attr: &str, want: &Want, wants: &Wants) -> Planned {
    let res = &live.id;
    let sizes = effective(live, wants);
    let n = |a: &str| sizes.get(a).and_then(Value::as_u64).unwrap_or(0);
    let (min, max, desired) = (n("min_size"), n("max_size"), n("desired_capacity"));
    if !(min <= desired && desired <= max) {
        return Planned::Refuse(Notice::on(
            res,
            format!(
                "{res} would have min_size {min}, desired_capacity {desired}, max_size {max} ({}): AWS refuses a desired capacity outside min..max. Set the missing end in the rule",
                want.rule
            ),
        ));
    }
    let note = if attr == "desired_capacity" {
        Some(desired_note(live, desired))
    } else {
        None
    };
    let mut c = change(live, attr, want, Wave::MAIN);
    c.args = sizes;
    c.note = note;
    Planned::Change(Box::new(c))
}

/// What a new desired capacity does to the group's instances.
fn desired_note(live: &Resource, desired: u64) -> String {
    let now = live.get("desired_capacity").as_u64().unwrap_or(0);
    if desired < now {
        format!(
            "UpdateAutoScalingGroup: the group terminates {} instance(s) (their instance-store data and root volumes deleted on termination are gone), then wait until it has {desired}",
            now - desired
        )
    } else {
        format!("UpdateAutoScalingGroup: the group launches new instances from its launch template, then wait until it has {desired}")
    }
}

/// Suspended before the sizes are parked, resumed after they are restored.
fn processes(live: &Resource, want: &Want) -> Planned {
    let (wave, note) = match want.value.as_str() {
        Some(SUSPENDED) => (
            Wave::TAKE,
            "SuspendProcesses ScheduledActions, before the sizes change",
        ),
        Some(ACTIVE) => (
            Wave::AFTER,
            "ResumeProcesses ScheduledActions, after the sizes are restored",
        ),
        _ => {
            return Planned::Refuse(Notice::on(
                &live.id,
                format!("{}: unknown scheduled_actions {}", live.id, want.value),
            ))
        }
    };
    let mut c = change(live, "scheduled_actions", want, wave);
    c.note = Some(note.into());
    Planned::Change(Box::new(c))
}

fn change(live: &Resource, attr: &str, want: &Want, wave: Wave) -> Change {
    Change::new(
        Phase::Capacity,
        wave,
        live.id.clone(),
        attr,
        live.get(attr).clone(),
        want.value.clone(),
        want.rule,
    )
}
