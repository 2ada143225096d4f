//! Saved plans (`plan --out FILE`, `apply FILE`): the changes plus the live
//! values they were computed from, so that applying a plan whose world has
//! moved on is refused instead of doing something nobody reviewed.

use super::StateError;
use super::{read_doc, to_json};
use crate::model::Live;
use crate::plan::{Observation, Plan};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub const KIND: &str = "plan";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedPlan {
    pub created: DateTime<Utc>,
    pub region: String,
    pub account: String,
    pub plan: Plan,
    /// The live state of the selected resources when the plan was made.
    pub live: Live,
    /// sha256 over the observations: a quick equality check.
    pub fingerprint: String,
}

pub fn fingerprint(obs: &[Observation]) -> String {
    let text: String = obs
        .iter()
        .map(|o| format!("{}\t{}\t{}\n", o.resource, o.attr, o.value))
        .collect();
    crate::profile::sha256_hex(text.as_bytes())
}

impl SavedPlan {
    pub fn write(&self, path: &Path) -> Result<(), StateError> {
        Ok(crate::fsutil::write_atomic(path, &to_json(KIND, self)?)?)
    }

    pub fn read(path: &Path) -> Result<SavedPlan, StateError> {
        read_doc(path, KIND, &|s, _| {
            Err(format!("this saved plan has schema {s}, from an older parkctl: make a new plan (`parkctl plan PROFILE --out FILE`) and review it"))
        })
    }

    /// Whether `path` looks like a saved plan (rather than a profile), from
    /// its first bytes only.
    pub fn sniff(path: &Path) -> bool {
        use std::io::Read;
        let mut buf = [0u8; 4096];
        let n = std::fs::File::open(path)
            .and_then(|mut f| f.read(&mut buf))
            .unwrap_or(0);
        let head = String::from_utf8_lossy(&buf[..n]);
        head.trim_start().starts_with('{') && head.contains("\"kind\"")
    }
}

/// What changed between the observations a plan was made from and now:
/// `resource attr was X, is now Y` lines, empty when nothing did.
pub fn drift(then: &[Observation], now: &[Observation]) -> Vec<String> {
    let key = |o: &Observation| (o.resource.clone(), o.attr.clone());
    let a: BTreeMap<_, _> = then.iter().map(|o| (key(o), o.value.clone())).collect();
    let b: BTreeMap<_, _> = now.iter().map(|o| (key(o), o.value.clone())).collect();
    let mut out = Vec::new();
    for (k, v) in &a {
        match b.get(k) {
            Some(w) if w != v => out.push(format!("{} {} was {v}, is now {w}", k.0, k.1)),
            None => out.push(format!("{} {} was {v}, is now gone", k.0, k.1)),
            _ => {}
        }
    }
    for (k, w) in &b {
        if !a.contains_key(k) {
            out.push(format!("{} {} is new (now {w})", k.0, k.1));
        }
    }
    out
}
