//! The `eks` profile section as written, and the checks that turn its
//! rules into rules of the registry's shape.

use super::{NAME, NODEGROUP};
use crate::model::{Tags, Value};
use crate::profile::raw::whole;
use crate::profile::reporter::Reporter;
use crate::profile::rule::Rule;
use crate::services::clustered;
use serde::Deserialize;
use std::collections::BTreeMap;

/// EKS's quota of nodes per managed node group.
pub const MAX_SIZE: i64 = 1000;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping with `nodegroups`")]
pub struct RawSection {
    #[serde(default)]
    pub nodegroups: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a rule: a mapping such as `cluster: my-cluster`, `name: my-nodes`, `min_size: 0` and `desired_size: 0` (max_size stays as it is)"
)]
pub struct RawRule {
    pub cluster: Option<String>,
    pub name: Option<String>,
    pub names: Option<Vec<String>>,
    pub prefix: Option<String>,
    pub tags: Option<Tags>,
    #[serde(default, deserialize_with = "whole")]
    pub min_size: Option<i64>,
    #[serde(default, deserialize_with = "whole")]
    pub desired_size: Option<i64>,
}

pub fn rule(cx: &mut Reporter, i: usize, r: RawRule) -> Rule {
    let path = format!("eks.nodegroups[{i}]");
    let raw = clustered::Raw {
        cluster: r.cluster,
        name: r.name,
        names: r.names,
        prefix: r.prefix,
        tags: r.tags,
    };
    let selector = clustered::selector(cx, &path, NODEGROUP, "EKS node groups", raw);
    let mut attrs = BTreeMap::new();
    for (key, v) in [("min_size", r.min_size), ("desired_size", r.desired_size)] {
        let Some(n) = v else { continue };
        let msg = format!("{key} must be between 0 and {MAX_SIZE}, not {n}");
        let help = "a node group's size in nodes (its max_size stays as it is)";
        if let Some(n) = cx.in_range(&format!("{path}.{key}"), n, 0..=MAX_SIZE, &msg, help) {
            attrs.insert(key.to_string(), Value::from(n));
        }
    }
    if let (Some(min), Some(desired)) = (r.min_size, r.desired_size) {
        if min > desired {
            cx.err(
                &format!("{path}.min_size"),
                &format!("min_size {min} is above desired_size {desired}: EKS keeps min <= desired <= max"),
                "above desired_size",
                Some("lower min_size with desired_size"),
            );
        }
    }
    if attrs.is_empty() && r.min_size.is_none() && r.desired_size.is_none() {
        cx.nothing_set(&path, "`min_size` or `desired_size`");
    }
    cx.rule(NAME, &path, selector, attrs)
}
