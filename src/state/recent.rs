//! What parkctl applied lately in one account and region, from its
//! operation records: the planner counts its own switches against AWS's
//! rolling-day limits with it (`crate::plan::Context::done`).

use super::operation::history;
use super::StateDir;
use crate::outcome::Status;
use crate::plan::Done;
use chrono::{DateTime, Utc};

/// Every change applied in `account` and `region` since `since`. A record
/// that cannot be read is skipped (`history` reports it); the limits are
/// then counted from what AWS shows.
pub fn done_since(dir: &StateDir, account: &str, region: &str, since: DateTime<Utc>) -> Vec<Done> {
    let mut out = Vec::new();
    for (_, op) in history(dir) {
        let Ok(op) = op else { continue };
        let same_place = op.region == region && (account.is_empty() || op.account == account);
        if !same_place || op.ended < since {
            continue;
        }
        out.extend(
            op.changes
                .iter()
                .filter(|o| o.status == Status::Applied && o.started >= since)
                .map(|o| Done {
                    at: o.started,
                    resource: o.change.resource.clone(),
                    attr: o.change.attr.clone(),
                    to: o.change.to.clone(),
                }),
        );
    }
    out
}
