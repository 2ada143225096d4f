//! What may be done to an endpoint, by its state: AWS allows only a delete
//! on a Failed endpoint, nothing while it is Creating, Updating or
//! Deleting, and parkctl deletes only what it can recreate.

use super::{DEFAULT_WAIT_MINUTES, DELETED, FAILED, IN_SERVICE};
use crate::model::{Attrs, Resource, Value};
use crate::plan::{Change, Notice, Now, Phase, Want, Wave};
use crate::service::{Planned, Wants};

/// States in which AWS refuses changes: wait for them to end.
const BUSY: &[&str] = &[
    "creating",
    "updating",
    "system_updating",
    "rolling_back",
    "deleting",
    "update_rollback_failed",
];

pub fn plan(live: &Resource, attr: &str, want: &Want, wants: &Wants, _ctx: &Now) -> Planned {
    let res = &live.id;
    let state = live.text("state");
    if attr != "state" {
        // The config, tags and options are how an endpoint comes back: they
        // travel with the state change. An endpoint in service on another
        // config is left as it is (parkctl does not switch configs).
        if attr == "endpoint_config" && state == IN_SERVICE {
            return Planned::Wait(Notice::on(
                res,
                format!(
                    "{res} runs endpoint config `{}`, not `{}` ({}): parkctl does not switch an endpoint's config, and leaves it as it is",
                    live.text("endpoint_config"),
                    crate::model::show(&want.value),
                    want.rule
                ),
            ));
        }
        return Planned::Covered;
    }
    if BUSY.contains(&state) {
        return Planned::Wait(Notice::on(
            res,
            format!("{res} is {state}: nothing is changed while it is; re-run once it is InService or Failed"),
        ));
    }
    match want.value.as_str() {
        Some(DELETED) => delete(live, want),
        Some(IN_SERVICE) if state == FAILED => replace(live, want, wants),
        Some(IN_SERVICE) => create(live, want, wants),
        _ => Planned::Refuse(Notice::on(
            res,
            format!("{res}: unknown state {}", want.value),
        )),
    }
}

/// Never delete what could not come back: its config and every model the
/// config names must still exist.
fn delete(live: &Resource, want: &Want) -> Planned {
    let res = &live.id;
    if live.flag("config_missing") {
        return Planned::Refuse(Notice::on(
            res,
            format!(
                "{res} cannot be deleted ({}): its endpoint config `{}` no longer exists, so it could not be recreated. Recreate the config, or drop the endpoint from the rule",
                want.rule,
                live.text("endpoint_config")
            ),
        ));
    }
    let missing: Vec<&str> = live
        .get("models_missing")
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if !missing.is_empty() {
        return Planned::Refuse(Notice::on(
            res,
            format!(
                "{res} cannot be deleted ({}): its endpoint config `{}` names model(s) that no longer exist ({}), so it could not be recreated. Recreate them, or drop the endpoint from the rule",
                want.rule,
                live.text("endpoint_config"),
                missing.join(", ")
            ),
        ));
    }
    let mut args = Attrs::new();
    args.insert(
        "endpoint_config".into(),
        live.get("endpoint_config").clone(),
    );
    args.insert("tags".into(), live.get("tags").clone());
    Planned::Change(Box::new(change(live, want, args, None)))
}

/// Recreate from the wanted config, with the recorded tags when a snapshot
/// has them (else the adapter takes those kept on the config).
fn create(live: &Resource, want: &Want, wants: &Wants) -> Planned {
    let config = wants
        .get("endpoint_config")
        .map(|w| w.value.clone())
        .unwrap_or_else(|| live.get("endpoint_config").clone());
    if !config.is_string() {
        return Planned::Refuse(Notice::on(
            &live.id,
            format!(
                "{}: no endpoint config to recreate it from ({})",
                live.id, want.rule
            ),
        ));
    }
    let mut args = Attrs::new();
    args.insert("endpoint_config".into(), config.clone());
    if let Some(t) = wants.get("tags") {
        args.insert("tags".into(), t.value.clone());
    }
    let wait = wants
        .get("wait_minutes")
        .and_then(|w| w.value.as_u64())
        .unwrap_or(u64::from(DEFAULT_WAIT_MINUTES));
    args.insert("wait_minutes".into(), Value::from(wait));
    let note = format!(
        "CreateEndpoint from config {}, then wait until InService (up to {wait} min)",
        crate::model::show(&config)
    );
    Planned::Change(Box::new(change(live, want, args, Some(note))))
}

/// A Failed endpoint recreated from the same config would fail the same
/// way: only when the profile asks for it.
fn replace(live: &Resource, want: &Want, wants: &Wants) -> Planned {
    let asked = wants
        .get("replace_failed")
        .is_some_and(|w| w.value == Value::Bool(true));
    if !asked {
        return Planned::Refuse(Notice::on(
            &live.id,
            format!(
                "{} is Failed ({}); recreating it from the same config would fail the same way ({}). Fix the config, or set `replace_failed: true` to delete and recreate it",
                live.id,
                live.text("failure_reason"),
                want.rule
            ),
        ));
    }
    match create(live, want, wants) {
        Planned::Change(mut c) => {
            c.args.insert("replace".into(), Value::Bool(true));
            c.note = Some(format!(
                "DeleteEndpoint, then {}",
                c.note.unwrap_or_default()
            ));
            Planned::Change(c)
        }
        other => other,
    }
}

fn change(live: &Resource, want: &Want, args: Attrs, note: Option<String>) -> Change {
    Change {
        note,
        args,
        ..Change::new(
            Phase::Capacity,
            // Beside the reshards: both wait minutes for AWS.
            Wave::MAIN,
            live.id.clone(),
            "state",
            live.get("state").clone(),
            want.value.clone(),
            want.rule,
        )
    }
}
