//! `plan --format diff`: live and desired state of the changed resources as
//! YAML-like lines, diffed with `similar`, for reviewers used to diffs.

use crate::plan::Plan;
use similar::TextDiff;
use std::collections::BTreeMap;

pub fn plan(p: &Plan) -> String {
    let mut before: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut after: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in &p.changes {
        let key = c.resource.to_string();
        before
            .entry(key.clone())
            .or_default()
            .push(format!("  {}: {}", c.attr, c.before()));
        after
            .entry(key)
            .or_default()
            .push(format!("  {}: {}", c.attr, c.after()));
    }
    let text = |m: &BTreeMap<String, Vec<String>>| -> String {
        m.iter()
            .map(|(k, v)| format!("{k}:\n{}\n", v.join("\n")))
            .collect()
    };
    let (a, b) = (text(&before), text(&after));
    TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(1)
        .header("live", &format!("profile {}", p.profile))
        .to_string()
}
