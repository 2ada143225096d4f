//! Profiles: the desired cost-relevant state of a project, as reviewed YAML.
//!
//! Loading goes bytes -> UTF-8 -> span index (syntax, duplicate keys) ->
//! serde (unknown keys, types) -> semantic checks. Every failure becomes a
//! miette diagnostic that points at file, line and column.

mod check;
mod error;
mod raw;
pub mod spans;

pub use error::{ProfileDiagnostic, ProfileErrors};

use crate::model::Tags;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Profiles larger than this are refused before parsing: a real one is a few
/// kilobytes, and the cap bounds the memory a hostile file can take.
pub const MAX_PROFILE_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub sha256: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub target: Target,
    #[serde(default)]
    pub kinesis: Vec<Rule<StreamSpec>>,
    #[serde(default)]
    pub lambda: Vec<Rule<FunctionSpec>>,
    #[serde(default)]
    pub alarms: Vec<Rule<AlarmSpec>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub region: Option<String>,
    pub account: Option<String>,
}

/// One rule of a profile: which resources, and what to make of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule<S> {
    /// Where the rule is, e.g. `lambda[1] (line 12)`: used in messages.
    pub id: String,
    pub selector: Selector,
    pub spec: S,
}

/// Resources are selected by explicit names, a name prefix, tags, or a
/// prefix and tags together (both must match).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Selector {
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
    pub fn from_bool(on: bool) -> Self {
        if on {
            Toggle::Enabled
        } else {
            Toggle::Disabled
        }
    }
    pub fn is_on(self) -> bool {
        self == Toggle::Enabled
    }
}

/// Reserved concurrency as a profile states it. `Unreserved` is `none` in
/// YAML: the function draws from the account's unreserved pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reserved {
    Unreserved,
    Limit(u32),
}

impl Reserved {
    pub fn from_option(v: Option<u32>) -> Self {
        v.map_or(Reserved::Unreserved, Reserved::Limit)
    }
    pub fn as_option(self) -> Option<u32> {
        match self {
            Reserved::Unreserved => None,
            Reserved::Limit(n) => Some(n),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StreamSpec {
    pub shards: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FunctionSpec {
    pub reserved_concurrency: Option<Reserved>,
    pub event_sources: Option<Toggle>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AlarmSpec {
    pub actions: Option<Toggle>,
}

impl Profile {
    /// Parses and validates a profile from text. `file` names it in errors.
    pub fn parse(file: &str, name: &str, text: &str) -> Result<Profile, ProfileErrors> {
        let errors = ProfileErrors::new(file, text);
        let index = spans::SpanIndex::walk(text)
            .map_err(|e| errors.clone().with_one(&e.message, e.span, &e.label, None))?;
        let raw = raw::parse(text).map_err(|e| errors.clone().with_serde(e, &index))?;
        check::build(name, &sha256_hex(text.as_bytes()), raw, &index, errors)
    }

    /// Reads a profile file with a size cap, refusing non-UTF-8 bytes with
    /// the position of the first bad byte.
    pub fn load(path: &Path) -> Result<Profile, ProfileErrors> {
        let file = path.display().to_string();
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| file.clone());
        let bytes = crate::fsutil::read_capped(path, MAX_PROFILE_BYTES)
            .map_err(|e| ProfileErrors::new(&file, "").with_message(&e))?;
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                return Err(ProfileErrors::new(&file, &lossy).with_one(
                    &format!("the profile is not valid UTF-8 (byte {at})"),
                    spans::Span {
                        offset: at.min(lossy.len()),
                        len: 1,
                    },
                    "invalid byte here",
                    Some("save the file as UTF-8"),
                ));
            }
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
        Profile::parse(&file, &name, &text)
    }

    pub fn is_empty(&self) -> bool {
        self.kinesis.is_empty() && self.lambda.is_empty() && self.alarms.is_empty()
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests;
