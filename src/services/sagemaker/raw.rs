//! The `sagemaker` profile section as written, and the checks that turn
//! its rules into rules of the registry's shape.

use super::{DELETED, IN_SERVICE, NAME};
use crate::model::{Tags, Value};
use crate::profile::raw::whole;
use crate::profile::reporter::Reporter;
use crate::profile::rule::Rule;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping with `endpoints` and `notebooks`"
)]
pub struct RawSection {
    #[serde(default)]
    pub endpoints: Vec<RawRule>,
    /// Notebook instances (`super::notebook`).
    #[serde(default)]
    pub notebooks: Vec<super::notebook::RawRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawState {
    InService,
    Deleted,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a rule: a mapping such as `name: my-endpoint`, `state: in_service` and `endpoint_config: my-config`"
)]
pub struct RawRule {
    pub name: Option<String>,
    pub names: Option<Vec<String>>,
    pub prefix: Option<String>,
    pub tags: Option<Tags>,
    pub state: Option<RawState>,
    pub endpoint_config: Option<String>,
    pub replace_failed: Option<bool>,
    #[serde(default, deserialize_with = "whole")]
    pub wait_minutes: Option<i64>,
}

pub fn rule(cx: &mut Reporter, i: usize, r: RawRule) -> Rule {
    let path = format!("sagemaker.endpoints[{i}]");
    let named_only = r.prefix.is_none() && r.tags.is_none();
    let selector = cx.selector(&path, r.name, r.names, r.prefix, r.tags);
    let mut attrs = BTreeMap::new();
    match r.state {
        None => cx.nothing_set(&path, "`state`"),
        Some(RawState::Deleted) => {
            attrs.insert("state".to_string(), Value::from(DELETED));
            only_in_service(
                cx,
                &path,
                &r.endpoint_config,
                &r.replace_failed,
                r.wait_minutes,
            );
        }
        Some(RawState::InService) => {
            attrs.insert("state".to_string(), Value::from(IN_SERVICE));
            in_service(cx, &path, named_only, &r.endpoint_config);
        }
    }
    if let Some(c) = r.endpoint_config {
        attrs.insert("endpoint_config".into(), Value::from(c));
    }
    if let Some(b) = r.replace_failed {
        attrs.insert("replace_failed".into(), Value::Bool(b));
    }
    let help = "how long a restore waits for the endpoint to be InService";
    if let Some(n) = r.wait_minutes.and_then(|n| cx.wait_minutes(&path, n, help)) {
        attrs.insert("wait_minutes".into(), Value::from(n));
    }
    cx.rule(NAME, &path, selector, attrs)
}

/// A deleted endpoint cannot be found by prefix or tags, and is recreated
/// from a config: an `in_service` rule that selected otherwise would
/// silently never bring an endpoint back.
fn in_service(cx: &mut Reporter, path: &str, named_only: bool, config: &Option<String>) {
    if !named_only {
        cx.err(
            &format!("{path}.state"),
            "`state: in_service` must name its endpoints (`name` or `names`): a deleted endpoint cannot be found by prefix or tags, so this rule would never bring one back",
            "selects by prefix or tags",
            Some("name each endpoint, with its `endpoint_config`"),
        );
    }
    if config.as_deref().is_none_or(|c| c.trim().is_empty()) {
        cx.err(
            &format!("{path}.state"),
            "`state: in_service` needs `endpoint_config`: the endpoint config a deleted endpoint is recreated from",
            "no endpoint_config",
            Some("add `endpoint_config: NAME` (`parkctl capture` writes it)"),
        );
    }
}

fn only_in_service(
    cx: &mut Reporter,
    path: &str,
    config: &Option<String>,
    replace: &Option<bool>,
    wait: Option<i64>,
) {
    for (key, set) in [
        ("endpoint_config", config.is_some()),
        ("replace_failed", replace.is_some()),
        ("wait_minutes", wait.is_some()),
    ] {
        if set {
            cx.err(
                &format!("{path}.{key}"),
                &format!("`{key}` is for `state: in_service` rules: a deleted endpoint needs none"),
                "only with in_service",
                Some("remove it, or set `state: in_service`"),
            );
        }
    }
}
