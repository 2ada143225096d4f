//! What may be done to a node group: nothing while EKS is changing it
//! (UPDATING, CREATING), nothing to one that failed or is being deleted;
//! min and desired only within its max, which parkctl never changes.

use super::NAME;
use crate::model::Resource;
use crate::plan::{Change, Notice, Notices, Now, Phase, Want, Wave};
use crate::service::{Planned, Wants};

/// How long an apply waits for the node group to be ACTIVE again.
pub const WAIT_MINUTES: u64 = 30;

/// The cluster autoscaler's auto-discovery tag.
pub const AUTOSCALER_TAG: &str = "k8s.io/cluster-autoscaler/enabled";

pub fn plan(live: &Resource, attr: &str, want: &Want, wants: &Wants, _ctx: &Now) -> Planned {
    let res = &live.id;
    match live.text("status") {
        "ACTIVE" | "DEGRADED" => {}
        s @ ("UPDATING" | "CREATING") => {
            return Planned::Wait(Notice::on(
                res,
                format!("{res} is {s}: EKS takes no change until it is ACTIVE; re-run once it is"),
            ))
        }
        s => {
            return Planned::Refuse(Notice::on(
                res,
                format!(
                    "{res} is {s}: parkctl changes only an ACTIVE node group ({})",
                    want.rule
                ),
            ))
        }
    }
    let size = |k: &str| {
        wants
            .get(k)
            .and_then(|w| w.value.as_u64())
            .or_else(|| live.get(k).as_u64())
            .unwrap_or(0)
    };
    let (min, desired, max) = (
        size("min_size"),
        size("desired_size"),
        live.get("max_size").as_u64().unwrap_or(0),
    );
    if desired > max {
        return Planned::Refuse(Notice::on(res, format!("{res}: desired_size {desired} is above its max_size {max}, which parkctl does not change ({})", want.rule)));
    }
    if min > desired {
        return Planned::Refuse(Notice::on(res, format!("{res}: min_size {min} would be above desired_size {desired} ({}): set `min_size` in the rule too", want.rule)));
    }
    let mut c = Change::new(
        Phase::Capacity,
        Wave::MAIN,
        res.clone(),
        attr,
        live.get(attr).clone(),
        want.value.clone(),
        want.rule,
    );
    c.args.insert("min_size".into(), min.into());
    c.args.insert("desired_size".into(), desired.into());
    c.note = Some(format!("UpdateNodegroupConfig to min {min} / desired {desired} (max {max} stays), then wait until ACTIVE (up to {WAIT_MINUTES} min)"));
    Planned::Change(Box::new(c))
}

/// A node group the cluster autoscaler discovers may be scaled back up by
/// it while parked: said, since parkctl does not touch the autoscaler.
pub fn check(found: &dyn crate::service::Found, changes: &[Change], out: &mut Notices) {
    let mut said = Vec::new();
    for c in changes
        .iter()
        .filter(|c| c.resource.service == NAME && c.attr == "desired_size")
    {
        let Some(r) = found.named(&c.resource).filter(|_| c.lowers()) else {
            continue;
        };
        if r.tags.contains_key(AUTOSCALER_TAG) && !said.contains(&r.name()) {
            said.push(r.name());
            out.warnings.push(Notice::on(&c.resource, format!("{} is tagged `{AUTOSCALER_TAG}`: the cluster autoscaler may scale it back up while parked (scale the autoscaler's deployment to 0, or remove the tag)", c.resource)));
        }
    }
}
