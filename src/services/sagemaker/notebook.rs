//! SageMaker notebook instances: parked by stopping them (their storage
//! volume, and what is on it, stays and keeps billing), restored by
//! starting them. The pure half: the profile rule, planning, cost, status,
//! capture and `init` lines; the SDK half is `notebooks_aws.rs`.

use super::{IN_SERVICE, NAME};
use crate::cost::money::Money;
use crate::cost::types::{Lookup, HOURS_PER_MONTH};
use crate::model::{Resource, Tags, Value};
use crate::plan::{Change, Notice, Phase, Want, Wave};
use crate::profile::reporter::Reporter;
use crate::profile::rule::{quoted, Rule};
use crate::service::Planned;
use serde::Deserialize;
use std::collections::BTreeMap;

pub const NOTEBOOK: &str = "notebook";
pub const STOPPED: &str = "stopped";
/// How long an apply waits for a notebook to be Stopped or InService.
pub const WAIT_MINUTES: u64 = 15;

/// States in which SageMaker takes no start or stop: wait for them to end.
const BUSY: &[&str] = &["pending", "stopping", "updating"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawState {
    InService,
    Stopped,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a rule: a mapping such as `prefix: my-` and `state: stopped`"
)]
pub struct RawRule {
    pub name: Option<String>,
    pub names: Option<Vec<String>>,
    pub prefix: Option<String>,
    pub tags: Option<Tags>,
    pub state: Option<RawState>,
}

pub fn rule(cx: &mut Reporter, i: usize, r: RawRule) -> Rule {
    let path = format!("sagemaker.notebooks[{i}]");
    let mut selector = cx.selector(&path, r.name, r.names, r.prefix, r.tags);
    selector.kind = Some(NOTEBOOK.to_string());
    let mut attrs = BTreeMap::new();
    match r.state {
        None => cx.nothing_set(&path, "`state`"),
        Some(s) => {
            let s = if s == RawState::Stopped {
                STOPPED
            } else {
                IN_SERVICE
            };
            attrs.insert("state".to_string(), Value::from(s));
        }
    }
    cx.rule(NAME, &path, selector, attrs)
}

/// The storage price key (instance types are `notebook.TYPE`): none has
/// a built-in figure yet, so both are unknown, never $0, without a
/// `--pricing` file that gives them.
pub const STORAGE: &str = "notebook_storage_gb_month";

const STORAGE_NOTE: &str = "a SageMaker notebook's storage volume bills while it is stopped too: it is what a parked notebook still costs";

/// The settled state a wanted one means (a snapshot may have recorded a
/// notebook on its way): `None` for one there is nothing to restore to.
fn settled(want: &Value) -> Option<&'static str> {
    match want.as_str()? {
        "in_service" | "pending" | "updating" => Some(IN_SERVICE),
        "stopped" | "stopping" => Some(STOPPED),
        _ => None,
    }
}

pub fn plan(live: &Resource, attr: &str, want: &Want) -> Planned {
    let res = &live.id;
    let state = live.text("state");
    let Some(to) = settled(&want.value).filter(|_| attr == "state") else {
        return Planned::Covered;
    };
    if state == to {
        return Planned::Covered;
    }
    if BUSY.contains(&state) {
        return Planned::Wait(Notice::on(res, format!("{res} is {state}: SageMaker takes no start or stop until it settles; re-run once it is InService or Stopped")));
    }
    if state == "failed" {
        return Planned::Refuse(Notice::on(res, format!("{res} is Failed ({}): parkctl does not start or stop it ({}); fix or delete it in SageMaker", live.text("failure_reason"), want.rule)));
    }
    if state != IN_SERVICE && state != STOPPED {
        return Planned::Refuse(Notice::on(res, format!("{res} is {state}: parkctl starts only a Stopped notebook and stops only an InService one ({})", want.rule)));
    }
    let mut c = Change::new(
        Phase::Capacity,
        Wave::MAIN,
        res.clone(),
        "state",
        live.get("state").clone(),
        Value::from(to),
        want.rule,
    );
    c.note = Some(if to == STOPPED {
        format!("StopNotebookInstance, then wait until Stopped (up to {WAIT_MINUTES} min); its storage volume is kept")
    } else {
        format!("StartNotebookInstance, then wait until InService (up to {WAIT_MINUTES} min)")
    });
    Planned::Change(Box::new(c))
}

/// The ml instance while it runs, its storage always.
pub fn cost(r: &Resource, lookup: &mut Lookup) -> (String, Option<Money>) {
    lookup.note(STORAGE_NOTE);
    let gb = u64::from(r.u32("volume_gb").unwrap_or(0));
    let storage = lookup
        .price(NAME, STORAGE, "SageMaker notebook ML storage GB-month")
        .map(|p| p.usd.times(gb));
    let mut basis = match storage {
        Some(_) => format!("{gb} GB storage"),
        None => format!("{gb} GB storage, no price"),
    };
    if matches!(r.text("state"), STOPPED | "failed" | "deleting") {
        return (format!("stopped, {basis}"), storage);
    }
    let ty = r.text("instance_type");
    let instance = lookup
        .price(
            NAME,
            &format!("notebook.{ty}"),
            &format!("SageMaker notebook {ty} instance-hour"),
        )
        .map(|p| p.usd.times(u64::from(HOURS_PER_MONTH)));
    basis = match instance {
        Some(_) => format!("{ty} x 730 h + {basis}"),
        None => format!("{ty}, no price + {basis}"),
    };
    (basis, instance.zip(storage).map(|(a, b)| a + b))
}

pub fn summary(r: &Resource) -> String {
    let mut line = format!(
        "sagemaker notebook {:<47} {}, {}, {} GB (no usable idle metric)",
        r.name(),
        r.text("state"),
        r.text("instance_type"),
        r.u32("volume_gb").unwrap_or(0)
    );
    if r.text("state") == "failed" {
        line.push_str(&format!("\n    FAILED: {}", r.text("failure_reason")));
    }
    line
}

/// The `notebooks:` lines of `capture`: each by name at its settled state.
pub fn capture(resources: &[&&Resource]) -> String {
    let mut s = String::from("  notebooks:\n");
    for r in resources {
        match settled(r.get("state")) {
            Some(st) => s.push_str(&format!(
                "    - name: {}\n      state: {st}\n",
                quoted(r.name())
            )),
            None => s.push_str(&format!(
                "    # {} is {}: not captured\n",
                r.name(),
                r.text("state")
            )),
        }
    }
    s
}

/// A notebook resource without attributes.
pub fn notebook(name: &str) -> Resource {
    Resource::new(NAME, NOTEBOOK, name)
}
