//! The `ecs` profile section as written, and the checks that turn its
//! rules into rules of the registry's shape.

use super::{NAME, SERVICE};
use crate::model::{Tags, Value};
use crate::profile::raw::whole;
use crate::profile::reporter::Reporter;
use crate::profile::rule::Rule;
use crate::services::clustered;
use crate::services::scaling::{ACTIVE, SUSPENDED};
use serde::Deserialize;
use std::collections::BTreeMap;

/// ECS's default quota of tasks per service.
pub const MAX_COUNT: i64 = 5000;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping with `services`")]
pub struct RawSection {
    #[serde(default)]
    pub services: Vec<RawRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawScaling {
    Active,
    Suspended,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a rule: a mapping such as `cluster: my-cluster`, `prefix: my-` and `desired_count: 0`"
)]
pub struct RawRule {
    pub cluster: Option<String>,
    pub name: Option<String>,
    pub names: Option<Vec<String>>,
    pub prefix: Option<String>,
    pub tags: Option<Tags>,
    #[serde(default, deserialize_with = "whole")]
    pub desired_count: Option<i64>,
    pub autoscaling: Option<RawScaling>,
}

pub fn rule(cx: &mut Reporter, i: usize, r: RawRule) -> Rule {
    let path = format!("ecs.services[{i}]");
    let raw = clustered::Raw {
        cluster: r.cluster,
        name: r.name,
        names: r.names,
        prefix: r.prefix,
        tags: r.tags,
    };
    let selector = clustered::selector(cx, &path, SERVICE, "ECS services", raw);
    let mut attrs = BTreeMap::new();
    if let Some(n) = r.desired_count {
        let msg = format!("desired_count must be between 0 and {MAX_COUNT}, not {n}");
        let help = "the number of tasks the service keeps running (0 parks it)";
        let at = format!("{path}.desired_count");
        if let Some(n) = cx.in_range(&at, n, 0..=MAX_COUNT, &msg, help) {
            attrs.insert("desired_count".to_string(), Value::from(n));
        }
    }
    if let Some(a) = r.autoscaling {
        let a = if a == RawScaling::Suspended {
            SUSPENDED
        } else {
            ACTIVE
        };
        attrs.insert("autoscaling".to_string(), Value::from(a));
    }
    if r.desired_count.is_none() && r.autoscaling.is_none() {
        cx.nothing_set(&path, "`desired_count` or `autoscaling`");
    }
    cx.rule(NAME, &path, selector, attrs)
}
