//! The S3 lock as a lease. Runners on several machines (a laptop, a
//! Fargate task, a CI job) share one lock object; its holder rewrites it
//! every period while it runs, each write conditional on the last one's
//! ETag. A holder that is killed stops renewing, and after
//! [`MISSED_PERIODS`] periods the next runner takes the lease over with
//! a write conditional on the dead holder's ETag, so only one runner can
//! win it. A holder whose renewal finds another holder raises the run's
//! interrupt and so stops before its next change.

use crate::aws::s3::{Holder, LockOutcome, Mirror};
use crate::aws::AwsError;
use crate::outcome::Interrupt;
use crate::state::lock::LockInfo;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// Periods without a renewal after which a lease is taken over: long
/// enough that a slow network or a paused laptop does not lose it.
pub const MISSED_PERIODS: u32 = 4;
const DEFAULT_PERIOD_SECONDS: u64 = 30;

/// The renewal period: 30 s, or `PARKCTL_LEASE_SECONDS` (the tests use 1).
pub fn period() -> Duration {
    let secs = std::env::var("PARKCTL_LEASE_SECONDS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(DEFAULT_PERIOD_SECONDS);
    Duration::from_secs(secs)
}

/// The lock object's content: who holds it, and until when it counts.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Doc {
    #[serde(flatten)]
    holder: LockInfo,
    /// Absent in locks written before leases: those never expire (their
    /// writer does not renew them) and wait for `parkctl unlock`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lease_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    renewed: Option<DateTime<Utc>>,
}

impl Doc {
    fn bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }
}

/// A held lease; [`Lease::release`] gives it back.
pub struct Lease {
    mirror: Mirror,
    etag: Arc<tokio::sync::Mutex<String>>,
    renewer: tokio::task::JoinHandle<()>,
    /// The expired lease this one replaced, described.
    pub took_over: Option<String>,
}

/// Why the lease could not be had: another holder's lock (described), or
/// an S3 error.
pub enum Refused {
    Held(String),
    Aws(AwsError),
}

impl From<AwsError> for Refused {
    fn from(e: AwsError) -> Self {
        Refused::Aws(e)
    }
}

/// Takes the lease, or takes over one whose holder stopped renewing it.
/// `lost` is raised if a renewal later finds another holder.
pub async fn take(m: &Mirror, info: &LockInfo, lost: Interrupt) -> Result<Lease, Refused> {
    let period = period();
    let doc = Doc {
        holder: info.clone(),
        lease_seconds: Some(period.as_secs()),
        renewed: Some(Utc::now()),
    };
    let (etag, took_over) = match m.lock(doc.bytes()).await? {
        LockOutcome::Taken(etag) => (etag, None),
        LockOutcome::Held(h) => {
            let Some(expired) = expired(&h, Utc::now()) else {
                return Err(Refused::Held(describe(&h.doc)));
            };
            match m.replace_lock(doc.bytes(), &h.etag).await? {
                Some(etag) => (etag, Some(expired)),
                None => return Err(Refused::Held(describe(&m.read_lock().await?))),
            }
        }
    };
    let etag = Arc::new(tokio::sync::Mutex::new(etag));
    let renewer = tokio::spawn(renew(m.clone(), doc, etag.clone(), period, lost));
    Ok(Lease {
        mirror: m.clone(),
        etag,
        renewer,
        took_over,
    })
}

/// `Some(the holder described)` when the lease was not renewed for
/// [`MISSED_PERIODS`] periods, by S3's time of its last write or the
/// holder's own stamp, whichever is later.
fn expired(h: &Holder, now: DateTime<Utc>) -> Option<String> {
    let doc: Doc = serde_json::from_str(&h.doc).ok()?;
    let lease = doc.lease_seconds?;
    let last = [h.modified, doc.renewed].into_iter().flatten().max()?;
    let limit = chrono::Duration::seconds(lease.saturating_mul(MISSED_PERIODS as u64) as i64);
    (now - last > limit).then(|| {
        format!(
            "{}, last renewed {}",
            doc.holder.describe(),
            last.format("%Y-%m-%d %H:%M:%S UTC")
        )
    })
}

/// A lock document in one line, whatever wrote it.
fn describe(doc: &str) -> String {
    match serde_json::from_str::<Doc>(doc) {
        Ok(d) => d.holder.describe(),
        Err(_) => doc.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// Rewrites the lease every period. A write refused because another
/// runner holds it now ends the renewals and raises `lost`; a failed call
/// (the network) is retried at the next period.
async fn renew(
    m: Mirror,
    mut doc: Doc,
    etag: Arc<tokio::sync::Mutex<String>>,
    period: Duration,
    lost: Interrupt,
) {
    loop {
        tokio::time::sleep(period).await;
        let mut current = etag.lock().await;
        doc.renewed = Some(Utc::now());
        match m.replace_lock(doc.bytes(), &current).await {
            Ok(Some(next)) => *current = next,
            Ok(None) => {
                crate::render::progress::note(&format!(
                    "Another runner took over the S3 lock {}: stopping before the next change.",
                    m.url("lock")
                ));
                lost.raise();
                return;
            }
            Err(e) => tracing::warn!("could not renew the S3 lock: {e}"),
        }
    }
}

impl Lease {
    /// Stops renewing and removes the lock object if it is still ours.
    pub async fn release(self) -> Result<(), AwsError> {
        self.renewer.abort();
        let etag = self.etag.lock().await;
        self.mirror.unlock_if(&etag).await
    }

    pub fn url(&self) -> String {
        self.mirror.url("lock")
    }

    pub fn mirror(&self) -> &Mirror {
        &self.mirror
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(lease: Option<u64>, renewed: DateTime<Utc>, modified: DateTime<Utc>) -> Holder {
        let doc = Doc {
            holder: LockInfo::mine("op", "apply"),
            lease_seconds: lease,
            renewed: Some(renewed),
        };
        Holder {
            doc: String::from_utf8(doc.bytes()).unwrap(),
            etag: "e".into(),
            modified: Some(modified),
        }
    }

    #[test]
    fn a_lease_expires_after_missed_periods_by_the_later_clock() {
        let t0 = Utc::now();
        let s = chrono::Duration::seconds;
        let h = holder(Some(30), t0, t0);
        assert!(expired(&h, t0 + s(119)).is_none());
        assert!(expired(&h, t0 + s(121)).is_some());
        // S3 wrote it later than the holder's clock says: S3's time counts.
        let h = holder(Some(30), t0, t0 + s(60));
        assert!(expired(&h, t0 + s(121)).is_none());
    }

    #[test]
    fn a_lock_from_before_leases_never_expires() {
        let t0 = Utc::now() - chrono::Duration::days(30);
        assert!(expired(&holder(None, t0, t0), Utc::now()).is_none());
        let bare = Holder {
            doc: "not json".into(),
            etag: "e".into(),
            modified: Some(t0),
        };
        assert!(expired(&bare, Utc::now()).is_none());
    }
}
