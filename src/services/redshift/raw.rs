//! The `redshift` profile section as written, and the checks that turn
//! its rules into rules of the registry's shape.

use super::{AVAILABLE, NAME, PAUSED};
use crate::model::{Tags, Value};
use crate::profile::raw::whole;
use crate::profile::reporter::Reporter;
use crate::profile::rule::Rule;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping with `clusters`")]
pub struct RawSection {
    #[serde(default)]
    pub clusters: Vec<RawRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawState {
    Paused,
    Available,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a rule: a mapping such as `tags: {Project: acme}` and `state: paused`"
)]
pub struct RawRule {
    pub name: Option<String>,
    pub names: Option<Vec<String>>,
    pub prefix: Option<String>,
    pub tags: Option<Tags>,
    pub state: Option<RawState>,
    #[serde(default, deserialize_with = "whole")]
    pub wait_minutes: Option<i64>,
}

pub fn rule(cx: &mut Reporter, i: usize, r: RawRule) -> Rule {
    let path = format!("{NAME}.clusters[{i}]");
    let selector = cx.selector(&path, r.name, r.names, r.prefix, r.tags);
    let mut attrs = BTreeMap::new();
    match r.state {
        None => cx.nothing_set(&path, "`state` (paused or available)"),
        Some(s) => {
            let v = if s == RawState::Paused {
                PAUSED
            } else {
                AVAILABLE
            };
            attrs.insert("state".to_string(), Value::from(v));
        }
    }
    let help = "how long an apply waits for the cluster to be paused or available";
    if let Some(n) = r.wait_minutes.and_then(|n| cx.wait_minutes(&path, n, help)) {
        attrs.insert("wait_minutes".into(), Value::from(n));
    }
    cx.rule(NAME, &path, selector, attrs)
}
