//! The `autoscaling` profile section as written, and the checks that turn
//! its rules into rules of the registry's shape.

use super::{ACTIVE, NAME, SUSPENDED};
use crate::model::{Tags, Value};
use crate::profile::raw::whole;
use crate::profile::reporter::Reporter;
use crate::profile::rule::Rule;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping with `groups`")]
pub struct RawSection {
    #[serde(default)]
    pub groups: Vec<RawRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawProcesses {
    Suspended,
    Active,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a rule: a mapping such as `prefix: acme-`, `min_size: 0`, `desired_capacity: 0` and `scheduled_actions: suspended`"
)]
pub struct RawRule {
    pub name: Option<String>,
    pub names: Option<Vec<String>>,
    pub prefix: Option<String>,
    pub tags: Option<Tags>,
    #[serde(default, deserialize_with = "whole")]
    pub min_size: Option<i64>,
    #[serde(default, deserialize_with = "whole")]
    pub max_size: Option<i64>,
    #[serde(default, deserialize_with = "whole")]
    pub desired_capacity: Option<i64>,
    pub scheduled_actions: Option<RawProcesses>,
}

/// The most instances a group may have (AWS's own bound is lower per
/// account; this only catches typos).
const MAX_SIZE: i64 = 10_000;

pub fn rule(cx: &mut Reporter, i: usize, r: RawRule) -> Rule {
    let path = format!("autoscaling.groups[{i}]");
    let selector = cx.selector(&path, r.name, r.names, r.prefix, r.tags);
    let mut attrs = BTreeMap::new();
    let sizes = [
        ("min_size", r.min_size),
        ("max_size", r.max_size),
        ("desired_capacity", r.desired_capacity),
    ];
    for (key, v) in sizes {
        let Some(n) = v else { continue };
        let msg = format!("{key} must be between 0 and {MAX_SIZE}, not {n}");
        if let Some(n) = cx.in_range(
            &format!("{path}.{key}"),
            n,
            0..=MAX_SIZE,
            &msg,
            "a number of instances",
        ) {
            attrs.insert(key.to_string(), Value::from(n));
        }
    }
    order(cx, &path, &attrs);
    if let Some(p) = r.scheduled_actions {
        let v = if p == RawProcesses::Suspended {
            SUSPENDED
        } else {
            ACTIVE
        };
        attrs.insert("scheduled_actions".into(), Value::from(v));
    }
    if attrs.is_empty() && cx.errors.is_empty() {
        cx.nothing_set(
            &path,
            "`min_size`, `max_size`, `desired_capacity` or `scheduled_actions`",
        );
    }
    cx.rule(NAME, &path, selector, attrs)
}

/// AWS refuses a group whose desired capacity is outside min..max: caught
/// here when the rule gives both ends (the planner checks against the
/// live values for the ends a rule leaves as they are).
fn order(cx: &mut Reporter, path: &str, attrs: &BTreeMap<String, Value>) {
    let get = |k: &str| attrs.get(k).and_then(Value::as_u64);
    let (min, max, desired) = (get("min_size"), get("max_size"), get("desired_capacity"));
    if let (Some(d), Some(m)) = (desired, min) {
        if d < m {
            cx.err(
                &format!("{path}.desired_capacity"),
                &format!("desired_capacity {d} is below min_size {m}: AWS refuses it"),
                "below min_size",
                Some("lower min_size, or raise desired_capacity"),
            );
        }
    }
    if let (Some(x), Some(m)) = (max, desired.or(min)) {
        if m > x {
            cx.err(
                &format!("{path}.max_size"),
                &format!(
                    "max_size {x} is below {m} (min_size or desired_capacity): AWS refuses it"
                ),
                "below the others",
                Some("raise max_size, or leave it out to keep the group's own"),
            );
        }
    }
}
