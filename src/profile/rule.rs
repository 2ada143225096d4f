//! Profile rules and selectors: which resources a rule is about, and what
//! it wants of them. Shared by every service; a service's module turns its
//! profile section into these.

use crate::model::{Tags, Value};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Guard {
    pub region: Option<String>,
    pub account: Option<String>,
}

/// One rule of a profile: which resources of a service, and the values it
/// sets, by the rule keys of the service's schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// Where the rule is, e.g. `section[1] (line 12)`: used in messages.
    pub id: String,
    pub service: String,
    /// The path of the rule in the document (`section[1]`), for positions.
    pub path: String,
    pub selector: Selector,
    pub attrs: BTreeMap<String, Value>,
}

impl Rule {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.attrs.get(key)
    }
}

/// Resources are selected by explicit names, a name prefix, tags, or a
/// prefix and tags together (both must match).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Selector {
    /// The kind of resource selected, where a service has several that
    /// rules select (a service's instances and clusters, say); `None` in a
    /// rule: the service's first selectable kind.
    /// Every read names it (`crate::read::Selection`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
}

impl Selector {
    pub fn named(name: &str) -> Self {
        Selector {
            names: vec![name.to_string()],
            ..Default::default()
        }
    }

    /// Whether a resource with this name and these tags is selected.
    /// `tags` is `None` when they were not read (no rule needs them).
    pub fn matches(&self, name: &str, tags: Option<&Tags>) -> bool {
        if !self.names.is_empty() && !self.names.iter().any(|n| n == name) {
            return false;
        }
        if let Some(p) = &self.prefix {
            if !name.starts_with(p.as_str()) {
                return false;
            }
        }
        if !self.tags.is_empty() {
            let Some(have) = tags else { return false };
            return self.tags.iter().all(|(k, v)| have.get(k) == Some(v));
        }
        true
    }

    /// Whether a resource's name alone can rule it in, so that tags need
    /// only be read for the candidates.
    pub fn name_may_match(&self, name: &str) -> bool {
        (self.names.is_empty() || self.names.iter().any(|n| n == name))
            && self.prefix.as_deref().is_none_or(|p| name.starts_with(p))
    }

    /// The selector of the same resources of another kind.
    pub fn of_kind(mut self, kind: &str) -> Self {
        self.kind = Some(kind.to_string());
        self
    }

    /// Whether it selects resources of `kind`, the first selectable kind
    /// of its service being `first`.
    pub fn is_of(&self, kind: &str, first: &str) -> bool {
        self.kind.as_deref().unwrap_or(first) == kind
    }

    pub fn needs_tags(&self) -> bool {
        !self.tags.is_empty()
    }

    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        match self.names.len() {
            0 => {}
            1 => parts.push(format!("name {}", self.names[0])),
            _ => parts.push(format!("names [{}]", self.names.join(", "))),
        }
        if let Some(p) = &self.prefix {
            parts.push(format!("prefix {p}"));
        }
        if !self.tags.is_empty() {
            let t: Vec<String> = self.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
            parts.push(format!("tags {{{}}}", t.join(", ")));
        }
        parts.join(" and ")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Toggle {
    Enabled,
    Disabled,
}

impl Toggle {
    pub fn is_on(self) -> bool {
        self == Toggle::Enabled
    }
}

/// Selector helpers for reads: read only what some selector can match.
pub mod sel {
    use super::{BTreeSet, Selector, Tags};

    /// The names when every selector only names resources (no listing
    /// needed), else `None`.
    pub fn names_only(sels: &[Selector]) -> Option<Vec<String>> {
        let mut out = BTreeSet::new();
        for s in sels {
            if s.names.is_empty() || s.prefix.is_some() || s.needs_tags() {
                return None;
            }
            out.extend(s.names.iter().cloned());
        }
        Some(out.into_iter().collect())
    }

    pub fn candidates<'a>(sels: &[Selector], names: impl Iterator<Item = &'a str>) -> Vec<String> {
        names
            .filter(|n| sels.iter().any(|s| s.name_may_match(n)))
            .map(str::to_string)
            .collect()
    }

    pub fn need_tags(sels: &[Selector], name: &str) -> bool {
        sels.iter()
            .any(|s| s.needs_tags() && s.name_may_match(name))
    }

    pub fn selected(sels: &[Selector], name: &str, tags: &Tags) -> bool {
        sels.iter().any(|s| s.matches(name, Some(tags)))
    }
}

/// A name as a YAML scalar that reads back as the same string.
pub fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}
