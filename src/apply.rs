//! Executes a plan phase by phase. Within a phase independent resources run
//! concurrently (bounded); a failure is recorded and the rest go on, except
//! where going on would lose data (see `unsafe_to_throttle`).

use crate::aws::{cloudwatch::BATCH, Aws, AwsError};
use crate::plan::{Action, Change, Phase, Plan, Resource};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Applied,
    Failed,
    /// Not attempted: interrupted, or unsafe after an earlier failure.
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    #[serde(flatten)]
    pub change: Change,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<AwsError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub started: DateTime<Utc>,
    pub duration_ms: u64,
}

/// Set by the first Ctrl-C: calls in flight finish, no new one starts.
#[derive(Debug, Clone, Default)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    pub fn raise(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_raised(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

fn skipped(c: &Change, reason: &str) -> Outcome {
    Outcome {
        change: c.clone(),
        status: Status::Skipped,
        error: None,
        reason: Some(reason.to_string()),
        started: Utc::now(),
        duration_ms: 0,
    }
}

async fn timed<F: std::future::Future<Output = Result<(), AwsError>>>(
    c: &Change,
    fut: F,
) -> Outcome {
    let started = Utc::now();
    let t = Instant::now();
    let r = fut.await;
    let o = Outcome {
        change: c.clone(),
        status: if r.is_ok() {
            Status::Applied
        } else {
            Status::Failed
        },
        reason: r.as_ref().err().map(AwsError::hint),
        error: r.err(),
        started,
        duration_ms: t.elapsed().as_millis() as u64,
    };
    match &o.error {
        None => tracing::info!(
            "{} {}: {} -> {}",
            o.change.resource,
            o.change.action.attr(),
            o.change.action.before(),
            o.change.action.after()
        ),
        Some(e) => tracing::error!("{e}"),
    }
    o
}

pub async fn execute(aws: &Aws, plan: &Plan, interrupt: &Interrupt) -> Vec<Outcome> {
    let mut out: Vec<Outcome> = Vec::new();
    for (phase, changes) in plan.phases() {
        if interrupt.is_raised() {
            out.extend(
                changes
                    .iter()
                    .map(|c| skipped(c, "interrupted before this change started")),
            );
            continue;
        }
        let done = match phase {
            Phase::AlarmsOff | Phase::AlarmsOn => alarms(aws, &changes, interrupt).await,
            Phase::SourcesOff | Phase::SourcesOn => mappings(aws, &changes, interrupt).await,
            Phase::Capacity => {
                let unsafe_fns = unsafe_to_throttle(&out);
                capacity(aws, &changes, interrupt, &unsafe_fns).await
            }
        };
        out.extend(done);
    }
    out
}

/// Functions whose event source could not be disabled: throttling them to
/// 0 now would make Lambda retry the stream's records until they expire.
fn unsafe_to_throttle(done: &[Outcome]) -> BTreeSet<String> {
    done.iter()
        .filter(|o| o.status != Status::Applied)
        .filter_map(|o| match (&o.change.resource, &o.change.action) {
            (Resource::Mapping { function, .. }, Action::EventSource { to: false, .. }) => {
                Some(function.clone())
            }
            _ => None,
        })
        .collect()
}

async fn alarms(aws: &Aws, changes: &[&Change], interrupt: &Interrupt) -> Vec<Outcome> {
    let batches: Vec<Vec<&Change>> = changes.chunks(BATCH).map(<[&Change]>::to_vec).collect();
    let results = crate::aws::bounded(batches, aws.concurrency, |batch| async move {
        if interrupt.is_raised() {
            return batch
                .iter()
                .map(|c| skipped(c, "interrupted before this change started"))
                .collect::<Vec<_>>();
        }
        let names: Vec<String> = batch.iter().map(|c| c.resource.name()).collect();
        let enable = matches!(batch[0].action, Action::AlarmActions { to: true, .. });
        let started = Utc::now();
        let t = Instant::now();
        let r = aws.cloudwatch.set_actions(&names, enable).await;
        let ms = t.elapsed().as_millis() as u64;
        if let Err(e) = &r {
            tracing::error!("{e}");
        } else {
            tracing::info!(
                "{} alarm(s): actions -> {}",
                names.len(),
                crate::plan::show_toggle(enable)
            );
        }
        batch
            .iter()
            .map(|c| Outcome {
                change: (*c).clone(),
                status: if r.is_ok() {
                    Status::Applied
                } else {
                    Status::Failed
                },
                error: r.as_ref().err().cloned(),
                reason: r.as_ref().err().map(AwsError::hint),
                started,
                duration_ms: ms,
            })
            .collect()
    })
    .await;
    results.into_iter().flatten().collect()
}

async fn mappings(aws: &Aws, changes: &[&Change], interrupt: &Interrupt) -> Vec<Outcome> {
    crate::aws::bounded(changes.iter(), aws.concurrency, |c| async move {
        if interrupt.is_raised() {
            return skipped(c, "interrupted before this change started");
        }
        match (&c.resource, &c.action) {
            (
                Resource::Mapping {
                    uuid,
                    function,
                    source,
                },
                Action::EventSource { to, .. },
            ) => {
                timed(
                    c,
                    aws.lambda
                        .set_mapping(uuid, &format!("{function} <- {source}"), *to),
                )
                .await
            }
            _ => skipped(c, "not an event source change"),
        }
    })
    .await
}

async fn capacity(
    aws: &Aws,
    changes: &[&Change],
    interrupt: &Interrupt,
    unsafe_fns: &BTreeSet<String>,
) -> Vec<Outcome> {
    // Shrinking reservations first frees room in the account's pool for the
    // ones that grow; streams are independent of both.
    let (shrink, rest): (Vec<&Change>, Vec<&Change>) = changes.iter().partition(|c| {
        matches!(c.action, Action::ReservedConcurrency { from, to } if to.unwrap_or(0) <= from.unwrap_or(0))
    });
    let mut out = Vec::new();
    for group in [shrink, rest] {
        let done = crate::aws::bounded(group, aws.concurrency, |c| async move {
            if interrupt.is_raised() {
                return skipped(c, "interrupted before this change started");
            }
            match (&c.resource, &c.action) {
                (Resource::Function { name }, Action::ReservedConcurrency { to, .. }) => {
                    if *to == Some(0) && unsafe_fns.contains(name) {
                        return skipped(c, "its event source could not be disabled; throttling it now would lose records");
                    }
                    timed(c, aws.lambda.set_reserved(name, *to)).await
                }
                (Resource::Stream { name }, Action::Shards { steps, .. }) => timed(c, aws.kinesis.set_shards(name, steps, &|| interrupt.is_raised())).await,
                _ => skipped(c, "not a capacity change"),
            }
        })
        .await;
        out.extend(done);
    }
    out
}
