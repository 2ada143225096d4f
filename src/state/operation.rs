//! Operation records: who applied what, when, and how each change went.
//! Written as JSON (for tools) and as text (for people) side by side.

use super::StateError;
use super::{read_doc, to_json, StateDir};
use crate::outcome::{Outcome, Status};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const KIND: &str = "operation";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Result_ {
    Succeeded,
    /// Some changes failed; re-running converges.
    Failed,
    /// Ctrl-C: the in-flight calls finished, the rest did not start.
    Interrupted,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    pub id: String,
    /// `apply`, `apply --scheduled`, `restore`, or `apply-saved-plan`.
    pub command: String,
    pub caller_arn: String,
    pub account: String,
    pub region: String,
    pub profile: String,
    pub profile_sha256: String,
    pub snapshot: Option<String>,
    pub started: DateTime<Utc>,
    pub ended: DateTime<Utc>,
    pub result: Result_,
    pub changes: Vec<Outcome>,
    pub totals: Totals,
    /// Changes still pending when the result was re-read.
    #[serde(default)]
    pub unverified: Vec<String>,
    /// Set by `apply --scheduled`: the instant the schedule was read at,
    /// and why the profile was due. Absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled: Option<Scheduled>,
    /// Locks of runs that were gone (killed) which this run took over,
    /// described. Absent in older records.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub took_over: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scheduled {
    pub at: DateTime<Utc>,
    /// `period`, `date`, `hold` or `default`.
    pub why: String,
    /// `period mon-fri 07:00-20:00 (line 4)`, `hold by ana@host until ...`.
    pub detail: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub applied: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Totals {
    pub fn of(outcomes: &[Outcome]) -> Self {
        let n = |s| outcomes.iter().filter(|o| o.status == s).count();
        Totals {
            applied: n(Status::Applied),
            failed: n(Status::Failed),
            skipped: n(Status::Skipped),
        }
    }
}

impl Operation {
    pub fn path(&self, dir: &StateDir) -> PathBuf {
        dir.operations().join(format!(
            "{}-{}.json",
            self.id,
            super::snapshot::safe(&self.profile)
        ))
    }

    pub fn write(&self, dir: &StateDir) -> Result<PathBuf, StateError> {
        let path = self.path(dir);
        crate::fsutil::write_atomic(&path.with_extension("txt"), self.to_text().as_bytes())?;
        crate::fsutil::write_atomic(&path, &to_json(KIND, self)?)?;
        Ok(path)
    }

    pub fn read(path: &Path) -> Result<Operation, StateError> {
        read_doc(path, KIND, &|_, v| super::legacy::operation(v))
    }

    /// A record's bytes read from elsewhere (the S3 mirror), `name` for
    /// messages; schema 1 upgraded as from a file.
    pub fn parse(name: &str, bytes: &[u8]) -> Result<Operation, StateError> {
        super::parse_doc(name, bytes, KIND, &|_, v| super::legacy::operation(v))
    }

    pub fn to_text(&self) -> String {
        let mut s = format!(
            "operation {}\ncommand   {}\nprofile   {} (sha256 {})\ncaller    {}\naccount   {}  region {}\nstarted   {}\nended     {}  ({:.1} s)\nresult    {:?}\nsnapshot  {}\n\n",
            self.id,
            self.command,
            self.profile,
            &self.profile_sha256[..self.profile_sha256.len().min(12)],
            self.caller_arn,
            self.account,
            self.region,
            self.started.format("%Y-%m-%d %H:%M:%S UTC"),
            self.ended.format("%Y-%m-%d %H:%M:%S UTC"),
            (self.ended - self.started).num_milliseconds() as f64 / 1000.0,
            self.result,
            self.snapshot.as_deref().unwrap_or("-"),
        );
        if let Some(sch) = &self.scheduled {
            s.insert_str(
                s.len() - 1,
                &format!(
                    "scheduled at {}: {}\n",
                    sch.at.format("%Y-%m-%d %H:%M:%S UTC"),
                    sch.detail
                ),
            );
        }
        for t in &self.took_over {
            s.insert_str(s.len() - 1, &format!("took over the lock {t}\n"));
        }
        for o in &self.changes {
            s.push_str(&format!(
                "{:<8} {}  ({} ms)",
                format!("{:?}", o.status).to_lowercase(),
                o.change.describe(),
                o.duration_ms
            ));
            // What the service said of the change (why it is made).
            if let Some(n) = &o.change.note {
                s.push_str(&format!("\n         {n}"));
            }
            if let Some(e) = &o.error {
                s.push_str(&format!("\n         error: {e}"));
            }
            if let Some(r) = &o.reason {
                s.push_str(&format!("\n         {r}"));
            }
            s.push('\n');
        }
        for u in &self.unverified {
            s.push_str(&format!("not converged: {u}\n"));
        }
        s.push_str(&format!(
            "\n{} applied, {} failed, {} skipped\n",
            self.totals.applied, self.totals.failed, self.totals.skipped
        ));
        s
    }
}

/// Every operation record, newest first; unreadable ones are reported, not
/// skipped silently.
/// The records that read cleanly (what `history` cannot read, it reports).
pub fn readable(dir: &StateDir) -> Vec<Operation> {
    history(dir)
        .into_iter()
        .filter_map(|(_, op)| op.ok())
        .collect()
}

pub fn history(dir: &StateDir) -> Vec<(PathBuf, Result<Operation, StateError>)> {
    super::list_json(&dir.operations())
        .into_iter()
        .map(|p| {
            let r = Operation::read(&p);
            (p, r)
        })
        .collect()
}
