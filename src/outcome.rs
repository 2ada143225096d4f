//! What became of each change of an apply, and the Ctrl-C flag every
//! service's apply honours. Shared by the apply engine and the services.

use crate::aws::error::AwsError;
use crate::plan::Change;
use crate::progress::{emit, next_id, Event};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
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

/// `SERVICE KIND NAME: ATTR BEFORE -> AFTER`, as progress lines name a change.
fn what(c: &Change) -> String {
    let (before, after) = (c.before(), c.after());
    // `enabled -> disabled` says it all of an attribute named `enabled`.
    if c.attr == before || c.attr == after {
        return format!("{}: {before} -> {after}", c.resource);
    }
    format!("{}: {} {before} -> {after}", c.resource, c.attr)
}

pub const INTERRUPTED: &str = "interrupted before this change started";

pub fn skipped(c: &Change, reason: &str) -> Outcome {
    Outcome {
        change: c.clone(),
        status: Status::Skipped,
        error: None,
        reason: Some(reason.to_string()),
        started: Utc::now(),
        duration_ms: 0,
    }
}

/// The outcome of one call that made `changes` (one change, or a batch
/// that AWS takes in one call), timed, logged and shown as it goes.
pub async fn timed<F>(changes: &[&Change], fut: F) -> Vec<Outcome>
where
    F: std::future::Future<Output = Result<(), AwsError>>,
{
    let started = Utc::now();
    let t = Instant::now();
    let ids: Vec<u64> = changes
        .iter()
        .map(|c| {
            let id = next_id();
            emit(Event::Started { id, what: &what(c) });
            id
        })
        .collect();
    let r = {
        tokio::pin!(fut);
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            tokio::select! {
                r = &mut fut => break r,
                _ = tick.tick() => ids.iter().for_each(|&id| emit(Event::Waiting { id })),
            }
        }
    };
    let ms = t.elapsed().as_millis() as u64;
    for (&id, c) in ids.iter().zip(changes) {
        let n = c.steps.len();
        let note = if n > 1 {
            format!(" ({n} steps)")
        } else {
            String::new()
        };
        emit(Event::Done {
            id,
            ok: r.is_ok(),
            note: &note,
        });
    }
    match &r {
        Ok(()) => changes
            .iter()
            .for_each(|c| tracing::info!("{}", c.describe())),
        Err(e) => tracing::error!("{e}"),
    }
    changes
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
}

/// One change through `timed`, unless Ctrl-C came first.
pub async fn one<F>(c: &Change, interrupt: &Interrupt, fut: F) -> Outcome
where
    F: std::future::Future<Output = Result<(), AwsError>>,
{
    if interrupt.is_raised() {
        return skipped(c, INTERRUPTED);
    }
    timed(&[c], fut).await.remove(0)
}
