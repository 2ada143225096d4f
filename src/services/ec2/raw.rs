//! The `ec2` profile section as written, and the checks that turn its
//! rules into rules of the registry's shape.

use super::{BY_NAME, NAME, RUNNING, STOPPED};
use crate::model::{Tags, Value};
use crate::profile::reporter::Reporter;
use crate::profile::rule::Rule;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping with `instances`")]
pub struct RawSection {
    #[serde(default)]
    pub instances: Vec<RawRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawState {
    Running,
    Stopped,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a rule: a mapping such as `tags: {Project: acme}` and `state: stopped`"
)]
pub struct RawRule {
    /// An instance id (`i-0abc...`) or the value of its `Name` tag.
    pub name: Option<String>,
    pub names: Option<Vec<String>>,
    /// A prefix of the `Name` tag.
    pub prefix: Option<String>,
    pub tags: Option<Tags>,
    pub state: Option<RawState>,
    pub hibernate: Option<bool>,
}

pub fn rule(cx: &mut Reporter, i: usize, r: RawRule) -> Rule {
    let path = format!("ec2.instances[{i}]");
    let by_name = r.name.is_some() || r.names.is_some();
    let selector = cx.selector(&path, r.name, r.names, r.prefix, r.tags);
    let mut attrs = BTreeMap::new();
    match r.state {
        None => cx.nothing_set(&path, "`state` (`stopped` or `running`)"),
        Some(RawState::Stopped) => {
            attrs.insert("state".to_string(), Value::from(STOPPED));
        }
        Some(RawState::Running) => {
            attrs.insert("state".to_string(), Value::from(RUNNING));
            if r.hibernate.is_some() {
                cx.err(
                    &format!("{path}.hibernate"),
                    "`hibernate` is for `state: stopped` rules: it says how an instance is stopped",
                    "only with stopped",
                    Some("remove it, or set `state: stopped`"),
                );
            }
        }
    }
    if let Some(h) = r.hibernate {
        attrs.insert("hibernate".into(), Value::Bool(h));
    }
    // A rule that names its instances means them: a group member named
    // here is refused, where one a tag or prefix also matches is left out.
    if by_name {
        attrs.insert(BY_NAME.into(), Value::Bool(true));
    }
    cx.rule(NAME, &path, selector, attrs)
}
