//! Semantic checks that serde cannot make: ranges, selector shape, static
//! conflicts between rules. Each problem points at its source text.

use super::raw::{RawProfile, RawReserved};
use super::spans::SpanIndex;
use super::{
    AlarmSpec, FunctionSpec, Profile, ProfileErrors, Reserved, Rule, Selector, StreamSpec, Target,
};
use crate::model::Tags;
use std::collections::BTreeMap;

pub const MAX_SHARDS: i64 = 10_000;
pub const MAX_RESERVED: i64 = 100_000;

struct Ctx<'a> {
    index: &'a SpanIndex,
    errors: ProfileErrors,
}

impl Ctx<'_> {
    fn err(&mut self, path: &str, message: &str, label: &str, help: Option<&str>) {
        let span = self.index.value(path);
        self.errors.push(message, span, label, help);
    }

    fn line(&self, path: &str) -> usize {
        self.errors.position(self.index.value(path).offset).0
    }

    fn selector(
        &mut self,
        path: &str,
        name: Option<String>,
        names: Option<Vec<String>>,
        prefix: Option<String>,
        tags: Option<Tags>,
    ) -> Selector {
        let explicit = [name.is_some(), names.is_some(), prefix.is_some()]
            .iter()
            .filter(|b| **b)
            .count();
        if explicit > 1 {
            self.err(
                path,
                "a rule selects by one of `name`, `names` or `prefix`, not several",
                "this rule",
                Some("split it into several rules"),
            );
        }
        if explicit == 0 && tags.is_none() {
            self.err(
                path,
                "this rule selects nothing",
                "no selector",
                Some("add `name`, `names`, `prefix` or `tags`"),
            );
        }
        if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            self.err(&format!("{path}.name"), "`name` is empty", "empty", None);
        }
        if let Some(ns) = &names {
            if ns.is_empty() {
                self.err(
                    &format!("{path}.names"),
                    "`names` is an empty list",
                    "empty",
                    Some("list at least one name"),
                );
            }
            // A set, not a scan of the names before: a list of many names
            // (or one aliased from many rules) must not cost quadratic time.
            let mut listed = std::collections::HashSet::new();
            for (i, n) in ns.iter().enumerate() {
                if n.trim().is_empty() {
                    self.err(
                        &format!("{path}.names[{i}]"),
                        "a name in `names` is empty",
                        "empty",
                        None,
                    );
                }
                if !listed.insert(n.as_str()) {
                    self.err(
                        &format!("{path}.names[{i}]"),
                        &format!("`{n}` is listed twice"),
                        "again here",
                        None,
                    );
                }
            }
        }
        if prefix.as_deref().is_some_and(str::is_empty) {
            self.err(
                &format!("{path}.prefix"),
                "`prefix` is empty: it would select every resource of the account",
                "empty",
                Some("name the project's prefix, e.g. `my-project-`"),
            );
        }
        if tags.as_ref().is_some_and(BTreeMap::is_empty) {
            self.err(
                &format!("{path}.tags"),
                "`tags` is empty",
                "empty",
                Some("give at least one key: value"),
            );
        }
        let mut all = names.unwrap_or_default();
        if let Some(n) = name {
            all.insert(0, n);
        }
        Selector {
            names: all,
            prefix,
            tags: tags.unwrap_or_default(),
        }
    }

    fn nothing_set(&mut self, path: &str, what: &str) {
        self.err(
            path,
            &format!("this rule changes nothing: set {what}"),
            "this rule",
            None,
        );
    }
}

pub fn build(
    name: &str,
    sha: &str,
    raw: RawProfile,
    index: &SpanIndex,
    errors: ProfileErrors,
) -> Result<Profile, ProfileErrors> {
    let mut cx = Ctx { index, errors };
    match raw.version {
        None if index.is_empty() => cx.err(
            "",
            "the profile is empty",
            "nothing here",
            Some("a profile starts with `version: 1`, then its `kinesis`, `lambda` and `cloudwatch` rules"),
        ),
        None if index.has_key("version") => cx.errors.push(
            "`version` is empty",
            index.key("version"),
            "write `version: 1`",
            Some("this parkctl reads profiles of version 1"),
        ),
        None => {
            // Point at the document's first key, where `version` belongs.
            let span = cx.index.value("");
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
    let target = target(&mut cx, raw.target);

    let mut kinesis = Vec::new();
    for (i, r) in raw.kinesis.into_iter().enumerate() {
        let path = format!("kinesis[{i}]");
        let selector = cx.selector(&path, r.name, r.names, r.prefix, r.tags);
        let shards = match r.shards {
            None => {
                cx.nothing_set(&path, "`shards`");
                None
            }
            Some(n) if !(1..=MAX_SHARDS).contains(&n) => {
                cx.err(
                    &format!("{path}.shards"),
                    &format!("shards must be between 1 and {MAX_SHARDS}, not {n}"),
                    "out of range",
                    Some("a provisioned stream has at least one open shard; parking keeps 1"),
                );
                None
            }
            Some(n) => Some(n as u32),
        };
        kinesis.push(Rule {
            id: format!("{path} (line {})", cx.line(&path)),
            selector,
            spec: StreamSpec { shards },
        });
    }

    let mut lambda = Vec::new();
    for (i, r) in raw.lambda.into_iter().enumerate() {
        let path = format!("lambda[{i}]");
        let selector = cx.selector(&path, r.name, r.names, r.prefix, r.tags);
        if r.reserved_concurrency.is_none() && r.event_sources.is_none() {
            cx.nothing_set(&path, "`reserved_concurrency` or `event_sources`");
        }
        let reserved = match r.reserved_concurrency {
            None => None,
            Some(RawReserved::None) => Some(Reserved::Unreserved),
            Some(RawReserved::Number(n)) if !(0..=MAX_RESERVED).contains(&n) => {
                cx.err(
                    &format!("{path}.reserved_concurrency"),
                    &format!("reserved_concurrency must be between 0 and {MAX_RESERVED} or `none`, not {n}"),
                    "out of range",
                    Some("0 throttles every invocation; `none` removes the reservation"),
                );
                None
            }
            Some(RawReserved::Number(n)) => Some(Reserved::Limit(n as u32)),
        };
        lambda.push(Rule {
            id: format!("{path} (line {})", cx.line(&path)),
            selector,
            spec: FunctionSpec {
                reserved_concurrency: reserved,
                event_sources: r.event_sources,
            },
        });
    }

    let mut alarms = Vec::new();
    for (i, r) in raw.cloudwatch.alarms.into_iter().enumerate() {
        let path = format!("cloudwatch.alarms[{i}]");
        let selector = cx.selector(&path, r.name, r.names, r.prefix, r.tags);
        if r.actions.is_none() {
            cx.nothing_set(&path, "`actions`");
        }
        alarms.push(Rule {
            id: format!("{path} (line {})", cx.line(&path)),
            selector,
            spec: AlarmSpec { actions: r.actions },
        });
    }

    let toggle = |t: super::Toggle| crate::plan::show_toggle(t.is_on());
    static_conflicts(&mut cx, "kinesis", &kinesis, |s| {
        vec![("shards", s.shards.map(|n| n.to_string()))]
    });
    static_conflicts(&mut cx, "lambda", &lambda, |s| {
        vec![
            (
                "reserved_concurrency",
                s.reserved_concurrency
                    .map(|r| crate::plan::show_reserved(r.as_option())),
            ),
            ("event_sources", s.event_sources.map(toggle)),
        ]
    });
    static_conflicts(&mut cx, "cloudwatch.alarms", &alarms, |s| {
        vec![("actions", s.actions.map(toggle))]
    });

    if cx.errors.is_empty() {
        Ok(Profile {
            name: name.to_string(),
            sha256: sha.to_string(),
            description: raw.description,
            target,
            kinesis,
            lambda,
            alarms,
        })
    } else {
        Err(cx.errors)
    }
}

fn target(cx: &mut Ctx, raw: super::raw::RawTarget) -> Target {
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
    Target {
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

/// Two rules that name the same resource and set the same attribute to
/// different values. Overlaps through prefixes and tags depend on live
/// resources, so the planner finds those.
fn static_conflicts<S>(
    cx: &mut Ctx,
    section: &str,
    rules: &[Rule<S>],
    attrs: impl Fn(&S) -> Vec<(&'static str, Option<String>)>,
) {
    let mut seen: BTreeMap<(String, &'static str), (usize, String)> = BTreeMap::new();
    for (i, rule) in rules.iter().enumerate() {
        if rule.selector.prefix.is_some() || !rule.selector.tags.is_empty() {
            continue;
        }
        for name in &rule.selector.names {
            for (attr, value) in attrs(&rule.spec) {
                let Some(value) = value else { continue };
                match seen.get(&(name.clone(), attr)) {
                    Some((j, other)) if *other != value => {
                        let a = cx.index.value(&format!("{section}[{j}]"));
                        let b = cx.index.value(&format!("{section}[{i}]"));
                        cx.errors.push_many(
                            &format!(
                                "rules {} and {} both set `{attr}` of `{name}`, to different values ({other} and {value})",
                                rules[*j].id, rule.id
                            ),
                            &[(b, "this rule"), (a, "conflicts with this rule")],
                            Some("keep one of the two values"),
                        );
                    }
                    Some(_) => {}
                    None => {
                        seen.insert((name.clone(), attr), (i, value));
                    }
                }
            }
        }
    }
}
