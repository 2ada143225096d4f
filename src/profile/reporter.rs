//! What a service's section parser needs to turn its raw rules into
//! [`Rule`]s: errors at the offending text, rule ids with their line, the
//! selector checks every rule shares.

use super::error::ProfileErrors;
use super::rule::{Rule, Selector};
use super::spans::SpanIndex;
use crate::model::{Tags, Value};
use std::collections::BTreeMap;

/// Where a profile's values are, and the errors found in them so far: a
/// section's parser reports each problem at its file, line and column
/// through it, and reads on to find the next.
pub struct Reporter<'a> {
    pub index: &'a SpanIndex,
    pub errors: ProfileErrors,
}

impl Reporter<'_> {
    pub fn err(&mut self, path: &str, message: &str, label: &str, help: Option<&str>) {
        let span = self.index.value(path);
        self.errors.push(message, span, label, help);
    }

    pub fn line(&self, path: &str) -> usize {
        self.errors.position(self.index.value(path).offset).0
    }

    pub fn selector(
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
            self.names(path, ns);
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
            kind: None,
            names: all,
            prefix,
            tags: tags.unwrap_or_default(),
        }
    }

    /// `names`: not empty, no empty name, none listed twice.
    fn names(&mut self, path: &str, ns: &[String]) {
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

    pub fn nothing_set(&mut self, path: &str, what: &str) {
        self.err(
            path,
            &format!("this rule changes nothing: set {what}"),
            "this rule",
            None,
        );
    }

    /// A rule at `path` of `service`, its id naming where it is.
    pub fn rule(
        &self,
        service: &str,
        path: &str,
        selector: Selector,
        attrs: BTreeMap<String, Value>,
    ) -> Rule {
        Rule {
            id: format!("{path} (line {})", self.line(path)),
            service: service.to_string(),
            path: path.to_string(),
            selector,
            attrs,
        }
    }

    /// `wait_minutes` of the rule at `path`: how long an apply waits for
    /// one resource, 1 minute to half a day; `help` says what it waits for.
    pub fn wait_minutes(&mut self, path: &str, n: i64, help: &str) -> Option<u32> {
        const MAX: i64 = 720;
        let msg = format!("wait_minutes must be between 1 and {MAX}, not {n}");
        self.in_range(&format!("{path}.wait_minutes"), n, 1..=MAX, &msg, help)
    }

    /// A whole number within `range`, or an error at `path` saying so.
    pub fn in_range(
        &mut self,
        path: &str,
        value: i64,
        range: std::ops::RangeInclusive<i64>,
        message: &str,
        help: &str,
    ) -> Option<u32> {
        if range.contains(&value) {
            u32::try_from(value).ok()
        } else {
            self.err(path, message, "out of range", Some(help));
            None
        }
    }
}
