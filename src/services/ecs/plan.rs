//! What may be done to a service: nothing to a daemon service (it has no
//! count), nothing while it is being deleted, no lower count under a
//! running scalable target (its policies would scale it back up).

use super::{DAEMON, NAME};
use crate::model::Resource;
use crate::plan::{Change, Notice, Notices, Now, Phase, Want, Wave};
use crate::service::{Planned, Wants};
use crate::services::scaling;

/// How long an apply waits for the running count to reach the desired one.
pub const WAIT_MINUTES: u64 = 15;

pub fn plan(live: &Resource, attr: &str, want: &Want, wants: &Wants, _ctx: &Now) -> Planned {
    let res = &live.id;
    let status = live.text("status");
    if status != "ACTIVE" {
        return Planned::Refuse(Notice::on(
            res,
            format!("{res} is {status} (being deleted or gone): parkctl changes only an ACTIVE service ({})", want.rule),
        ));
    }
    match attr {
        "desired_count" => count(live, want, wants),
        "autoscaling" => scaling::plan(live, want),
        _ => Planned::Covered,
    }
}

/// The target's dimension of a service.
fn scaled(live: &Resource) -> bool {
    scaling::running(live, |d| d == "ecs:service:DesiredCount")
}

fn count(live: &Resource, want: &Want, wants: &Wants) -> Planned {
    let res = &live.id;
    if live.text("scheduling") == DAEMON {
        return Planned::Refuse(Notice::on(
            res,
            format!("{res} uses the DAEMON scheduling strategy: it runs one task on each container instance and has no desired count to set ({}). Drop it from the rule; park its cluster's instances instead", want.rule),
        ));
    }
    let Some(to) = want.value.as_u64() else {
        return Planned::Refuse(Notice::on(
            res,
            format!(
                "{res}: desired_count {} is not a number of tasks",
                want.value
            ),
        ));
    };
    // A rule keeping auto scaling active leaves the count to its target.
    if scaling::keeps_active(wants) && scaled(live) {
        return Planned::Covered;
    }
    let lower = live.get("desired_count").as_u64().is_some_and(|f| to < f);
    if lower && scaled(live) && !scaling::suspends(wants) {
        return Planned::Refuse(scaling::would_undo(live, "desired_count", want.rule));
    }
    let mut c = Change::new(
        Phase::Capacity,
        Wave::MAIN,
        res.clone(),
        "desired_count",
        live.get("desired_count").clone(),
        want.value.clone(),
        want.rule,
    );
    c.note = Some(format!(
        "UpdateService desiredCount, then wait until {to} task(s) run (up to {WAIT_MINUTES} min)"
    ));
    Planned::Change(Box::new(c))
}

/// The service's capacity providers that scale an Auto Scaling group (not
/// FARGATE or FARGATE_SPOT).
pub fn group_providers(r: &Resource) -> Vec<&str> {
    r.get("capacity_providers")
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str())
        .filter(|p| !p.starts_with("FARGATE"))
        .collect()
}

/// A service parked on a capacity provider leaves its instances to the
/// provider's managed scaling: said, since parkctl does not touch them.
pub fn check(found: &dyn crate::service::Found, changes: &[Change], out: &mut Notices) {
    for c in changes.iter().filter(|c| c.resource.service == NAME) {
        let lower = c.attr == "desired_count" && c.lowers();
        let Some(r) = found.named(&c.resource).filter(|_| lower) else {
            continue;
        };
        let providers = group_providers(r);
        if !providers.is_empty() {
            out.warnings.push(Notice::on(
                &c.resource,
                format!("{}: its tasks go to {} and its capacity provider ({}) scales its Auto Scaling group in by itself; parkctl leaves the group to it", c.resource, c.to, providers.join(", ")),
            ));
        }
    }
}
