//! Semantic checks that serde cannot make and that every profile shares:
//! the version, the target, and static conflicts between rules. Each
//! service checks its own rules' values (`services::*`).

use super::reporter::Reporter;
use super::rule::{Guard, Rule};
use super::spans::SpanIndex;
use super::{Profile, ProfileErrors};
use crate::services::RawProfile;
use std::collections::BTreeMap;

pub fn build(
    name: &str,
    sha: &str,
    mut raw: RawProfile,
    index: &SpanIndex,
    errors: ProfileErrors,
) -> Result<Profile, ProfileErrors> {
    let mut cx = Reporter { index, errors };
    version(&mut cx, raw.version);
    let guard = guard(&mut cx, std::mem::take(&mut raw.target));
    let description = raw.description.take();
    let rules = raw.rules(&mut cx);
    static_conflicts(&mut cx, &rules);
    if cx.errors.is_empty() {
        Ok(Profile {
            name: name.to_string(),
            sha256: sha.to_string(),
            description,
            guard,
            rules,
        })
    } else {
        Err(cx.errors)
    }
}

fn version(cx: &mut Reporter, version: Option<i64>) {
    let index = cx.index;
    match version {
        None if index.is_empty() => cx.err(
            "",
            "the profile is empty",
            "nothing here",
            Some(&format!(
                "a profile starts with `version: 1`, then its sections ({})",
                crate::services::section_list()
            )),
        ),
        None if index.has_key("version") => cx.errors.push(
            "`version` is empty",
            index.key("version"),
            "write `version: 1`",
            Some("this parkctl reads profiles of version 1"),
        ),
        None => {
            // Point at the document's first key, where `version` belongs.
            let span = index.value("");
            cx.errors.push(
                "`version` is missing",
                span,
                "add `version: 1` at the top",
                Some("every profile starts with `version: 1`"),
            );
        }
        Some(1) => {}
        Some(v) => cx.err(
            "version",
            &format!("unsupported profile version {v}"),
            "this parkctl reads version 1",
            Some("upgrade parkctl, or write the profile in version 1"),
        ),
    }
}

fn guard(cx: &mut Reporter, raw: super::raw::RawTarget) -> Guard {
    if let Some(r) = &raw.region {
        if !looks_like_region(r) {
            cx.err(
                "target.region",
                &format!("`{r}` is not an AWS region name"),
                "e.g. us-east-1",
                None,
            );
        }
    }
    if let Some(a) = &raw.account {
        if a.0.len() != 12 || !a.0.chars().all(|c| c.is_ascii_digit()) {
            cx.err(
                "target.account",
                &format!("`{}` is not a 12-digit AWS account ID", a.0),
                "here",
                None,
            );
        }
    }
    Guard {
        region: raw.region,
        account: raw.account.map(|a| a.0),
    }
}

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `ap-southeast-5` …
pub fn looks_like_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts.len() <= 4
        && parts[0].len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}

/// Two rules that name the same resource and set the same key to
/// different values. Overlaps through prefixes and tags depend on live
/// resources, so the planner finds those.
fn static_conflicts(cx: &mut Reporter, rules: &[Rule]) {
    type Seen<'r> = BTreeMap<(&'r str, &'r str, &'r str), (&'r Rule, String)>;
    let mut seen: Seen = BTreeMap::new();
    for rule in rules {
        if rule.selector.prefix.is_some() || !rule.selector.tags.is_empty() {
            continue;
        }
        for name in &rule.selector.names {
            for (key, value) in &rule.attrs {
                let value = crate::model::show(value);
                match seen.get(&(rule.service.as_str(), name.as_str(), key.as_str())) {
                    Some((first, other)) if *other != value => {
                        let a = cx.index.value(&first.path);
                        let b = cx.index.value(&rule.path);
                        cx.errors.push_many(
                            &format!(
                                "rules {} and {} both set `{key}` of `{name}`, to different values ({other} and {value})",
                                first.id, rule.id
                            ),
                            &[(b, "this rule"), (a, "conflicts with this rule")],
                            Some("keep one of the two values"),
                        );
                    }
                    Some(_) => {}
                    None => {
                        seen.insert((&rule.service, name, key), (rule, value));
                    }
                }
            }
        }
    }
}
