//! The `rds` profile section as written (`instances` and `clusters`), and
//! the checks that turn its rules into rules of the registry's shape.

use super::{AVAILABLE, CLUSTER, INSTANCE, NAME, STOPPED};
use crate::model::{Tags, Value};
use crate::profile::raw::whole;
use crate::profile::reporter::Reporter;
use crate::profile::rule::Rule;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping with `instances` and `clusters`"
)]
pub struct RawSection {
    /// RDS DB instances (not cluster members: their cluster is parked).
    #[serde(default)]
    pub instances: Vec<RawRule>,
    /// Aurora, DocumentDB and Neptune clusters.
    #[serde(default)]
    pub clusters: Vec<RawRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawState {
    Stopped,
    Available,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a rule: a mapping such as `prefix: acme-` and `state: stopped`"
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

/// Every rule of the section, instances first.
pub fn rules(raw: RawSection, cx: &mut Reporter) -> Vec<Rule> {
    let instances = raw.instances.into_iter().enumerate();
    let clusters = raw.clusters.into_iter().enumerate();
    let mut out: Vec<Rule> = instances
        .map(|(i, r)| rule(cx, (INSTANCE, "instances"), i, r))
        .collect();
    out.extend(clusters.map(|(i, r)| rule(cx, (CLUSTER, "clusters"), i, r)));
    out
}

fn rule(cx: &mut Reporter, (kind, list): (&str, &str), i: usize, r: RawRule) -> Rule {
    let path = format!("{NAME}.{list}[{i}]");
    let selector = cx
        .selector(&path, r.name, r.names, r.prefix, r.tags)
        .of_kind(kind);
    let mut attrs = BTreeMap::new();
    match r.state {
        None => cx.nothing_set(&path, "`state` (stopped or available)"),
        Some(RawState::Stopped) => {
            attrs.insert("state".to_string(), Value::from(STOPPED));
        }
        Some(RawState::Available) => {
            attrs.insert("state".to_string(), Value::from(AVAILABLE));
        }
    }
    let help = "how long an apply waits for the database to be stopped or available";
    if let Some(n) = r.wait_minutes.and_then(|n| cx.wait_minutes(&path, n, help)) {
        attrs.insert("wait_minutes".into(), Value::from(n));
    }
    cx.rule(NAME, &path, selector, attrs)
}
