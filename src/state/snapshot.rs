//! Snapshots: the live state of every resource a plan touches, written
//! before the first change. They are the restore point.

use super::StateError;
use super::{read_doc, to_json, StateDir};
use crate::model::Live;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub created: DateTime<Utc>,
    pub account: String,
    pub region: String,
    pub profile: String,
    pub profile_sha256: String,
    pub caller_arn: String,
    pub operation_id: String,
    pub live: Live,
}

pub const KIND: &str = "snapshot";

impl Snapshot {
    pub fn write(&self, dir: &StateDir) -> Result<PathBuf, StateError> {
        let path = dir.snapshots().join(format!(
            "{}-{}.json",
            super::stamp(self.created),
            safe(&self.profile)
        ));
        crate::fsutil::write_atomic(&path, &to_json(KIND, self)?)?;
        Ok(path)
    }

    pub fn read(path: &Path) -> Result<Snapshot, StateError> {
        let snap: Snapshot = read_doc(path, KIND, &|_, v| super::legacy::snapshot(v))?;
        let damaged = |why: String| StateError::Damaged {
            file: super::error::named(path),
            kind: KIND.into(),
            why,
        };
        for r in &snap.live.resources {
            let service = crate::services::get(r.id.service)
                .ok_or_else(|| damaged(format!("no service `{}` in this parkctl", r.id.service)))?;
            service.valid(r).map_err(damaged)?;
        }
        Ok(snap)
    }

    /// The newest snapshot, or a path/name given by the user.
    pub fn find(dir: &StateDir, which: Option<&str>) -> Result<PathBuf, StateError> {
        match which {
            None => super::list_json(&dir.snapshots())
                .into_iter()
                .next()
                .ok_or_else(|| {
                    StateError::Missing(format!(
                        "no snapshot in {}: an apply writes one before its first change",
                        dir.snapshots().display()
                    ))
                }),
            Some(w) => {
                let p = Path::new(w);
                if p.exists() {
                    return Ok(p.to_path_buf());
                }
                let in_dir = dir.snapshots().join(w);
                for c in [in_dir.clone(), in_dir.with_extension("json")] {
                    if c.exists() {
                        return Ok(c);
                    }
                }
                Err(StateError::Missing(format!(
                    "no snapshot `{w}` (looked in {}); `parkctl history` lists them",
                    dir.snapshots().display()
                )))
            }
        }
    }
}

/// Profile names become part of file names; keep them to safe characters.
pub fn safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
