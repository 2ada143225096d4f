//! Executes a plan phase by phase and, within a phase, wave by wave. The
//! changes of a wave run side by side, each service's through its adapter
//! (which bounds its own concurrency and batches where AWS allows); a
//! failure is recorded and the rest go on, except where a service finds
//! going on would lose data (it sees the outcomes of the waves before).

use crate::outcome::{skipped, Interrupt, Outcome, INTERRUPTED};
use crate::plan::{Change, Plan};
use crate::services::SERVICES;
use crate::session::Aws;
use std::collections::BTreeSet;

pub async fn execute(aws: &Aws, plan: &Plan, interrupt: &Interrupt) -> Vec<Outcome> {
    let mut out: Vec<Outcome> = Vec::new();
    for (_, changes) in plan.phases() {
        let waves: BTreeSet<crate::plan::Wave> = changes.iter().map(|c| c.wave).collect();
        for wave in waves {
            let these: Vec<&Change> = changes.iter().copied().filter(|c| c.wave == wave).collect();
            if interrupt.is_raised() {
                out.extend(these.iter().map(|c| skipped(c, INTERRUPTED)));
                continue;
            }
            let done = run_wave(aws, &these, &out, interrupt).await;
            out.extend(done);
        }
    }
    out
}

/// Every service's changes of one wave, side by side.
async fn run_wave(
    aws: &Aws,
    changes: &[&Change],
    earlier: &[Outcome],
    interrupt: &Interrupt,
) -> Vec<Outcome> {
    let per_service = SERVICES.iter().filter_map(|s| {
        let mine: Vec<&Change> = changes
            .iter()
            .copied()
            .filter(|c| c.resource.service == s.name())
            .collect();
        (!mine.is_empty())
            .then_some(async move { aws.adapter(s.name()).apply(&mine, earlier, interrupt).await })
    });
    let mut out: Vec<Outcome> = futures::future::join_all(per_service)
        .await
        .into_iter()
        .flatten()
        .collect();
    // A change of a service this parkctl does not have (a saved plan from
    // another build) is not silently dropped.
    for c in changes {
        if crate::services::get(c.resource.service).is_none() {
            out.push(skipped(c, "no such service in this parkctl"));
        }
    }
    out
}
