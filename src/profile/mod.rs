//! Profiles: the desired cost-relevant state of a project, as reviewed YAML.
//!
//! Loading goes bytes -> UTF-8 -> span index (syntax, duplicate keys) ->
//! serde (unknown keys, types) -> semantic checks. Every failure becomes a
//! miette diagnostic that points at file, line and column.

mod check;
mod error;
pub mod raw;
pub mod reporter;
pub mod rule;
pub mod spans;

pub use error::{ProfileDiagnostic, ProfileErrors};
pub use rule::{Guard, Rule, Selector, Toggle};

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
    pub guard: Guard,
    /// Every rule of every service section, in document order per section
    /// and registry order between sections.
    #[serde(default)]
    pub rules: Vec<Rule>,
}

impl Profile {
    /// Parses and validates a profile from text. `file` names it in errors.
    pub fn parse(file: &str, name: &str, text: &str) -> Result<Profile, ProfileErrors> {
        let errors = ProfileErrors::new(file, text);
        let index = spans::SpanIndex::walk(text)
            .map_err(|e| errors.clone().with_one(&e.message, e.span, &e.label, None))?;
        // serde_yaml guards against alias bombs and deep nesting itself; the
        // span walk, which ran first, also refuses deep nesting.
        let raw: crate::services::RawProfile =
            serde_yaml::from_str(text).map_err(|e| errors.clone().with_serde(e, &index))?;
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
        self.rules.is_empty()
    }

    /// The rules of one service.
    pub fn rules_of<'a>(&'a self, service: &'a str) -> impl Iterator<Item = &'a Rule> + 'a {
        self.rules.iter().filter(move |r| r.service == service)
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests;
