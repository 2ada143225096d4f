//! Everything parkctl writes: snapshots (restore points), operation records
//! (the audit trail), saved plans, the lock and the schedule's hold. Each file carries a kind and
//! a schema version; a damaged, foreign or newer file is refused with a
//! message naming it, and never overwritten.

pub mod error;
pub mod hold;
pub mod legacy;
pub mod lock;
pub mod operation;
pub mod recent;
pub mod saved;
pub mod snapshot;

pub use error::StateError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Schema 2: resources in the generic model (`service`, `kind`, `name`,
/// `attrs`). Schema 1 snapshots and records are still read (`legacy`).
pub const SCHEMA: u32 = 2;

/// State files are small (a snapshot of thousands of resources is a few
/// MiB); the cap keeps a wrong or hostile file from eating memory.
pub const MAX_STATE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct StateDir {
    pub root: PathBuf,
}

impl StateDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        StateDir { root: root.into() }
    }
    pub fn snapshots(&self) -> PathBuf {
        self.root.join("snapshots")
    }
    pub fn operations(&self) -> PathBuf {
        self.root.join("operations")
    }
    pub fn logs(&self) -> PathBuf {
        self.root.join("logs")
    }
    pub fn lock_path(&self) -> PathBuf {
        self.root.join("lock")
    }
    pub fn hold_path(&self) -> PathBuf {
        self.root.join(hold::FILE)
    }
}

/// A file name stamp that sorts in time order: `20261125T221836Z`.
pub fn stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y%m%dT%H%M%S%.3fZ").to_string().replace('.', "")
}

/// Serializes a state document with its envelope (`kind`, `schema`).
pub fn to_json<T: Serialize>(kind: &str, doc: &T) -> Result<Vec<u8>, StateError> {
    let encode = |e: serde_json::Error| StateError::Encode {
        kind: kind.into(),
        why: e.to_string(),
    };
    let mut v = serde_json::to_value(doc).map_err(encode)?;
    if let Some(m) = v.as_object_mut() {
        m.insert("kind".into(), kind.into());
        m.insert("schema".into(), SCHEMA.into());
    }
    let mut bytes = serde_json::to_vec_pretty(&v).map_err(encode)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// How an older schema is read: the upgraded document, or why not.
pub type Upgrade<'a> = &'a dyn Fn(u64, serde_json::Value) -> Result<serde_json::Value, String>;

/// Reads a state document, checking its envelope before its content so the
/// message says what is wrong: not JSON, another kind, a newer schema.
/// Older schemas go through `upgrade` (which refuses what it cannot read).
pub fn read_doc<T: DeserializeOwned>(
    path: &Path,
    kind: &str,
    upgrade: Upgrade,
) -> Result<T, StateError> {
    let bytes = crate::fsutil::read_capped(path, MAX_STATE_BYTES)?;
    parse_doc(&error::named(path), &bytes, kind, upgrade)
}

/// [`read_doc`] on bytes already read (from the S3 mirror); `p` names
/// where they came from.
pub fn parse_doc<T: DeserializeOwned>(
    p: &str,
    bytes: &[u8],
    kind: &str,
    upgrade: Upgrade,
) -> Result<T, StateError> {
    let v = envelope(p, bytes, kind)?;
    let (file, kind_) = (p.to_string(), kind.to_string());
    let v = match v.get("schema").and_then(|s| s.as_u64()) {
        Some(s) if s == u64::from(SCHEMA) => v,
        Some(schema) if schema > u64::from(SCHEMA) => {
            return Err(StateError::Newer { file, schema })
        }
        Some(s @ 1) => upgrade(s, v).map_err(|why| StateError::Old { file, why })?,
        Some(schema) => return Err(StateError::UnknownSchema { file, schema }),
        None => return Err(StateError::NoSchema { file }),
    };
    serde_json::from_value(v).map_err(|e| StateError::Damaged {
        file: p.to_string(),
        kind: kind_,
        why: e.to_string(),
    })
}

/// The document as JSON if it is text, JSON, and of `kind`.
fn envelope(p: &str, bytes: &[u8], kind: &str) -> Result<serde_json::Value, StateError> {
    let (file, kind_) = (p.to_string(), kind.to_string());
    if bytes.is_empty() {
        return Err(StateError::Empty { file, kind: kind_ });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| StateError::NotText {
        file: file.clone(),
        kind: kind_.clone(),
        at: e.valid_up_to(),
    })?;
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        let (line, column) = (e.line(), e.column());
        if e.is_eof() {
            StateError::Truncated {
                file: file.clone(),
                kind: kind_.clone(),
                line,
                column,
            }
        } else {
            StateError::NotJson {
                file: file.clone(),
                line,
                column,
                why: strip_pos(&e.to_string()),
            }
        }
    })?;
    match v.get("kind").and_then(|k| k.as_str()) {
        Some(k) if k == kind => Ok(v),
        Some(k) => Err(StateError::OtherKind {
            file,
            found: k.into(),
            kind: kind_,
        }),
        None => Err(StateError::NoKind { file, kind: kind_ }),
    }
}

fn strip_pos(s: &str) -> String {
    match s.find(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s.to_string(),
    }
}

/// Files in `dir` ending in `.json`, newest (by name, which is a time
/// stamp) first. Hidden temp files are ignored.
pub fn list_json(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    v.sort();
    v.reverse();
    v
}
