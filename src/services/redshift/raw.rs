//! The `redshift` profile section as written, and the checks that turn
//! its rules into rules of the registry's shape.

use super::{AVAILABLE, NAME, PAUSED};
use crate::model::{Tags, Value};
use crate::profile::ctx::Ctx;
use crate::profile::raw::whole;
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

/// The longest an apply may wait for one cluster: half a day.
const MAX_WAIT_MINUTES: i64 = 720;

pub fn rule(cx: &mut Ctx, i: usize, r: RawRule) -> Rule {
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
    if let Some(n) = r.wait_minutes {
        let msg = format!("wait_minutes must be between 1 and {MAX_WAIT_MINUTES}, not {n}");
        let help = "how long an apply waits for the cluster to be paused or available";
        let at = format!("{path}.wait_minutes");
        if let Some(n) = cx.in_range(&at, n, 1..=MAX_WAIT_MINUTES, &msg, help) {
            attrs.insert("wait_minutes".into(), Value::from(n));
        }
    }
    cx.rule(NAME, &path, selector, attrs)
}
