//! What may be done to a table or index, by its state and by AWS's limits:
//! nothing while it is not ACTIVE, a decrease only within the day's
//! allowance and never under active auto scaling (a scaling policy would
//! undo it), a switch to on-demand only within the rolling day's four.

use super::limits::{self, Room};
use super::{notice, INDEX, NAME, ON_DEMAND, PROVISIONED, TABLE};
use crate::model::{Live, Resource, Value};
use crate::plan::{Change, Notice, Notices, Now, Phase, Want, Wave};
use crate::service::{Planned, Wants};
use crate::services::scaling;
use chrono::{DateTime, Utc};

pub fn plan(live: &Resource, attr: &str, want: &Want, wants: &Wants, ctx: &Now) -> Planned {
    let status = live.text("status");
    if status != "ACTIVE" {
        return Planned::Wait(notice(
            live,
            format!(
                "{} is {status}: DynamoDB takes no change until it is ACTIVE; re-run once it is",
                live.id
            ),
        ));
    }
    if live.flag("global") {
        // Billing mode and write capacity are kept in step across a global
        // table's replicas, in regions no rule selects; its auto scaling
        // settings do not survive a switch to on-demand.
        return Planned::Refuse(notice(
            live,
            format!("{} belongs to a global table: its billing mode and write capacity are synchronised to replicas in other regions, which no rule selects, so parkctl does not change it ({}). Drop it from the rule", live.id, want.rule),
        ));
    }
    match attr {
        "indexes" => indexes(live, want),
        "billing" => billing(live, want, wants, ctx),
        "read_capacity" | "write_capacity" => capacity(live, attr, want, wants, ctx),
        "autoscaling" => crate::services::scaling::plan(live, want),
        _ => Planned::Covered,
    }
}

/// Every index a rule names must exist: a misspelt one would otherwise be
/// silently left at its capacity.
fn indexes(live: &Resource, want: &Want) -> Planned {
    let have: Vec<&str> = live
        .get("indexes")
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let missing: Vec<&str> = want
        .value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|n| !have.contains(n))
        .collect();
    if missing.is_empty() {
        return Planned::Covered;
    }
    Planned::Refuse(notice(
        live,
        format!(
            "{} has no global secondary index {} (named by rule {}); its indexes: {}",
            live.id,
            missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", "),
            want.rule,
            if have.is_empty() {
                "none".to_string()
            } else {
                have.join(", ")
            }
        ),
    ))
}

fn billing(live: &Resource, want: &Want, wants: &Wants, ctx: &Now) -> Planned {
    let res = &live.id;
    let mut c = change(live, "billing", want, Wave::MAIN);
    if want.value == ON_DEMAND {
        let done = ctx.done_within(res, "billing", &Value::from(ON_DEMAND), 24);
        let left = limits::on_demand_left(&done, time(live, "last_on_demand"), ctx.now);
        if left == 0 {
            return Planned::Refuse(notice(live, format!("{res} was switched to on-demand {} times in the last 24 h, the most AWS allows in a rolling day ({}); keep it provisioned at low capacity until then", limits::MAX_ON_DEMAND_SWITCHES, want.rule)));
        }
        let kept = if live.get("autoscaling").is_null() {
            ""
        } else {
            "; its auto scaling targets and policies are kept"
        };
        c.note = Some(format!("UpdateTable to PAY_PER_REQUEST; {} of {} switches to on-demand left in 24 h after it{kept}", left - 1, limits::MAX_ON_DEMAND_SWITCHES));
        c.args.insert("switches_left".into(), Value::from(left - 1));
        return Planned::Change(Box::new(c));
    }
    if want.value != PROVISIONED {
        return Planned::Refuse(notice(
            live,
            format!("{res}: unknown billing mode {}", want.value),
        ));
    }
    let units = |k: &str| wants.get(k).and_then(|w| w.value.as_u64());
    let (Some(r), Some(w)) = (units("read_capacity"), units("write_capacity")) else {
        return Planned::Refuse(notice(live, format!("{res}: switching back to provisioned needs `read_capacity` and `write_capacity` ({}): AWS sets them in the same call", want.rule)));
    };
    c.note = Some(format!("UpdateTable to PROVISIONED at {r} RCU / {w} WCU"));
    c.args.insert("read_capacity".into(), Value::from(r));
    c.args.insert("write_capacity".into(), Value::from(w));
    Planned::Change(Box::new(c))
}

fn capacity(live: &Resource, attr: &str, want: &Want, wants: &Wants, ctx: &Now) -> Planned {
    let res = &live.id;
    // An index follows its table's billing, which `check` makes sure is
    // switched with it; only a table's rule says.
    let wanted_billing = match live.id.kind {
        INDEX => PROVISIONED,
        _ => wants
            .get("billing")
            .and_then(|w| w.value.as_str())
            .unwrap_or(live.text("billing")),
    };
    if wanted_billing == ON_DEMAND || want.value.is_null() {
        // An on-demand table has no capacity to set.
        return Planned::Covered;
    }
    let Some(to) = want.value.as_u64() else {
        return Planned::Refuse(notice(
            live,
            format!("{res}: {attr} {} is not a number of units", want.value),
        ));
    };
    if owned_by_scaling(live, attr, wants) {
        return Planned::Covered;
    }
    let switching = live.text("billing") == ON_DEMAND;
    if switching && live.id.kind == TABLE && !wants.contains_key("billing") {
        return Planned::Refuse(notice(live, format!("{res} is on-demand, which has no capacity to set ({}); add `billing: provisioned` to switch it", want.rule)));
    }
    let mut c = change(live, attr, want, Wave::MAIN);
    for k in ["read_capacity", "write_capacity"] {
        let v = wants
            .get(k)
            .map_or_else(|| live.get(k).clone(), |w| w.value.clone());
        c.args.insert(k.into(), v);
    }
    let decrease = !switching && live.get(attr).as_u64().is_some_and(|f| to < f);
    if decrease {
        if let Err(n) = may_decrease(live, attr, want, wants, ctx, &mut c) {
            return Planned::Refuse(n);
        }
    }
    Planned::Change(Box::new(c))
}

/// A rule that keeps auto scaling `active` leaves a scaled dimension's
/// capacity to its target while the target runs: setting it would fight
/// the policy (and spend the day's decreases on every scale-in). Its
/// capacity is set when scaling resumes from suspended (a restore).
fn owned_by_scaling(live: &Resource, attr: &str, wants: &Wants) -> bool {
    scaling::keeps_active(wants) && scaled(live, attr)
}

/// Whether a running scalable target scales this dimension (read or write)
/// of the table or index.
fn scaled(live: &Resource, attr: &str) -> bool {
    let suffix = if attr == "read_capacity" {
        "ReadCapacityUnits"
    } else {
        "WriteCapacityUnits"
    };
    scaling::running(live, |d| d.ends_with(suffix))
}

/// A decrease under active auto scaling would be undone; beyond the day's
/// allowance AWS refuses it. Read and write go down in one UpdateTable,
/// one decrease: the read change reports for both.
fn may_decrease(
    live: &Resource,
    attr: &str,
    want: &Want,
    wants: &Wants,
    ctx: &Now,
    c: &mut Change,
) -> Result<(), Notice> {
    let res = &live.id;
    if scaled(live, attr) && !scaling::suspends(wants) {
        return Err(scaling::would_undo(live, attr, want.rule));
    }
    let read_too = attr == "write_capacity"
        && wants
            .get("read_capacity")
            .and_then(|w| w.value.as_u64())
            .zip(live.get("read_capacity").as_u64())
            .is_some_and(|(t, f)| t < f);
    if read_too {
        return Ok(());
    }
    let today = live.get("decreases_today").as_u64().unwrap_or(0);
    match limits::decrease(today, time(live, "last_decrease"), ctx.now) {
        Room::Yes => {}
        Room::Last => {
            c.args
                .insert("last_free_decrease".into(), Value::Bool(true));
        }
        Room::Hourly => {
            c.note = Some(
                "beyond today's first 4 decreases: AWS allows the next one an hour after this"
                    .into(),
            );
        }
        Room::No(why) => {
            return Err(notice(
                live,
                format!(
                    "{res} cannot be decreased now ({}): {why}. Increases are not limited",
                    want.rule
                ),
            ));
        }
    }
    Ok(())
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

fn time(r: &Resource, attr: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(r.text(attr))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The checks over all of a plan's DynamoDB changes: a switch to
/// provisioned sets every index too; the last allowances are warned of.
pub fn check(
    live: &Live,
    _found: &dyn crate::service::Found,
    changes: &[Change],
    out: &mut Notices,
) {
    let ours: Vec<&Change> = changes
        .iter()
        .filter(|c| c.resource.service == NAME)
        .collect();
    for c in &ours {
        if c.attr == "billing" && c.to == PROVISIONED {
            switch_sets_indexes(live, c, &ours, out);
        }
        if c.resource.kind == INDEX && c.from.is_null() {
            index_needs_switch(c, &ours, out);
        }
        if c.resource.kind == INDEX && c.attr == "read_capacity" {
            index_with_on_demand(c, &ours, out);
        }
        if c.args.get("last_free_decrease") == Some(&Value::Bool(true)) {
            out.warnings.push(Notice::on(&c.resource, format!("{}: this decrease uses the last of the {} DynamoDB allows at any time in a UTC day; after it, one more each hour without a decrease", c.resource, limits::FREE_DECREASES)));
        }
        if c.attr == "billing" && c.args.get("switches_left") == Some(&Value::from(0)) {
            out.warnings.push(Notice::on(
                &c.resource,
                format!(
                    "{}: this is the last switch to on-demand AWS allows in a rolling 24 h",
                    c.resource
                ),
            ));
        }
    }
}

/// An index of an on-demand table gets capacities only with its table's
/// switch to provisioned.
fn index_needs_switch(c: &Change, ours: &[&Change], out: &mut Notices) {
    let table = super::table_name(&c.resource.name);
    let switched = ours.iter().any(|o| {
        o.resource.kind == TABLE
            && o.resource.name == table
            && o.attr == "billing"
            && o.to == PROVISIONED
    });
    if !switched && c.attr == "read_capacity" {
        out.errors.push(Notice::on(&c.resource, format!("{}: table `{table}` is on-demand, so its indexes have no capacity to set ({}); add `billing: provisioned` with the table's capacities to switch it", c.resource, c.rule)));
    }
}

/// Two rules may select one table, one switching it to on-demand and one
/// setting its indexes: AWS refuses throughput with PAY_PER_REQUEST.
fn index_with_on_demand(c: &Change, ours: &[&Change], out: &mut Notices) {
    let table = super::table_name(&c.resource.name);
    let to_on_demand = ours.iter().any(|o| {
        o.resource.kind == TABLE
            && o.resource.name == table
            && o.attr == "billing"
            && o.to == ON_DEMAND
    });
    if to_on_demand {
        out.errors.push(Notice::on(&c.resource, format!("{}: one rule switches table `{table}` to on-demand while {} sets its index capacity; an on-demand table has none. Drop `indexes` from that rule", c.resource, c.rule)));
    }
}

fn switch_sets_indexes(live: &Live, c: &Change, ours: &[&Change], out: &mut Notices) {
    let table = &c.resource.name;
    let indexes = live
        .of_service(NAME)
        .filter(|r| r.id.kind == INDEX && r.parent.as_deref() == Some(table.as_str()));
    for ix in indexes {
        let set = |attr: &str| ours.iter().any(|o| o.resource == ix.id && o.attr == attr);
        if !(set("read_capacity") && set("write_capacity")) {
            out.errors.push(Notice::on(&ix.id, format!("switching {} to provisioned needs the capacities of its index `{}` too, in the same call ({}): add it, or `\"*\"`, under `indexes`", c.resource, super::index_name(ix.name()), c.rule)));
        }
    }
}
