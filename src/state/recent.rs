//! What parkctl applied lately in one account and region, from its
//! operation records: the planner counts its own switches against AWS's
//! rolling-day limits with it (`crate::plan::Now::done`).

use super::operation::{readable, Operation};
use super::StateDir;
use crate::outcome::Status;
use crate::plan::Done;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Every change applied in `account` and `region` since `since`, by the
/// records of every state directory of the project (`dirs`: the
/// single-account one and each target's, since AWS's limits are per
/// account and region whichever way parkctl ran there). A record that
/// cannot be read is skipped (`history` reports it); the limits are then
/// counted from what AWS shows.
pub fn done_since(
    dirs: &[StateDir],
    account: &str,
    region: &str,
    since: DateTime<Utc>,
) -> Vec<Done> {
    done_of(&readable_all(dirs), account, region, since)
}

/// The readable records of every directory, each operation once.
fn readable_all(dirs: &[StateDir]) -> Vec<Operation> {
    let mut ops: Vec<Operation> = Vec::new();
    for d in dirs {
        for op in readable(d) {
            let seen = ops
                .iter()
                .any(|o| o.id == op.id && o.account == op.account && o.region == op.region);
            if !seen {
                ops.push(op);
            }
        }
    }
    ops
}

/// The same, from the local records and the S3 mirror's (a runner that
/// keeps no state between runs sees the others' switches there), each
/// operation once.
pub async fn done_since_mirrored(
    dirs: &[StateDir],
    mirror: &crate::aws::s3::Mirror,
    (account, region): (&str, &str),
    since: DateTime<Utc>,
) -> Result<Vec<Done>, crate::aws::AwsError> {
    let mut ops = readable_all(dirs);
    // Record names start with their operation's stamp: older ones are not read.
    let first = super::stamp(since - chrono::Duration::hours(1));
    for rel in mirror.list("operations/").await? {
        let name = rel.trim_start_matches("operations/");
        if !name.ends_with(".json")
            || name < first.as_str()
            || ops.iter().any(|o| name.starts_with(&o.id))
        {
            continue;
        }
        if let Some(bytes) = mirror.get(&rel).await? {
            if let Ok(op) = Operation::parse(&rel, &bytes) {
                ops.push(op);
            }
        }
    }
    Ok(done_of(&ops, account, region, since))
}

fn done_of(ops: &[Operation], account: &str, region: &str, since: DateTime<Utc>) -> Vec<Done> {
    let mut out = Vec::new();
    for op in ops {
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
                    attr: o.change.attr.to_string(),
                    to: o.change.to.clone(),
                }),
        );
    }
    out
}

/// Marks each resource of `live` with `applied_at` (`crate::idle::APPLIED_AT`): for each attribute,
/// the end of the last operation in `region` that applied it, kept only
/// when the resource still has the value it set (records of another
/// account sharing the directory then do not mislead).
pub fn mark_applied(dirs: &[StateDir], region: &str, live: &mut crate::model::Live) {
    type Last = (DateTime<Utc>, serde_json::Value);
    let mut last: std::collections::HashMap<crate::model::ResourceId, BTreeMap<String, Last>> =
        Default::default();
    for op in readable_all(dirs)
        .into_iter()
        .filter(|o| o.region == region)
    {
        for c in op
            .changes
            .into_iter()
            .filter(|c| c.status == Status::Applied)
        {
            let attrs = last.entry(c.change.resource).or_default();
            match attrs.get(c.change.attr) {
                Some((t, _)) if *t >= op.ended => {}
                _ => {
                    attrs.insert(c.change.attr.to_string(), (op.ended, c.change.to));
                }
            }
        }
    }
    for r in &mut live.resources {
        let Some(attrs) = last.get(&r.id) else {
            continue;
        };
        let marks: serde_json::Map<String, serde_json::Value> = attrs
            .iter()
            .filter(|(attr, (_, to))| r.attrs.get(attr.as_str()) == Some(to))
            .map(|(attr, (at, _))| (attr.clone(), at.to_rfc3339().into()))
            .collect();
        if !marks.is_empty() {
            r.attrs.insert(
                crate::idle::APPLIED_AT.into(),
                serde_json::Value::Object(marks),
            );
        }
    }
}
