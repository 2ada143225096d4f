//! Resources named within a cluster (ECS services, EKS node groups): a
//! resource's name is `CLUSTER/NAME`, and a rule's `cluster:` turns its
//! names and prefix into selectors over those full names, so that the
//! shared selection (names, prefix, tags) works unchanged and two
//! clusters' `web` services are two resources.

use crate::model::Tags;
use crate::profile::reporter::Reporter;
use crate::profile::rule::Selector;
use std::collections::BTreeSet;

/// What a rule of a clustered section gives to select with.
pub struct Raw {
    pub cluster: Option<String>,
    pub name: Option<String>,
    pub names: Option<Vec<String>>,
    pub prefix: Option<String>,
    pub tags: Option<Tags>,
}

/// The selector of a rule at `path`, over `CLUSTER/NAME`; `what` says what
/// is named within a cluster (`ECS services`), for the error.
pub fn selector(cx: &mut Reporter, path: &str, kind: &str, what: &str, r: Raw) -> Selector {
    let slash = |s: &str| s.contains('/');
    if let Some(n) = r.name.as_deref().filter(|n| slash(n)) {
        cx.err(
            &format!("{path}.name"),
            &format!("`{n}` is not a name: give the name within the cluster, and the cluster as `cluster`"),
            "has a /",
            None,
        );
    }
    for (i, n) in r
        .names
        .iter()
        .flatten()
        .enumerate()
        .filter(|(_, n)| slash(n))
    {
        cx.err(
            &format!("{path}.names[{i}]"),
            &format!("`{n}` is not a name: give the name within the cluster, and the cluster as `cluster`"),
            "has a /",
            None,
        );
    }
    let mut sel = cx.selector(path, r.name, r.names, r.prefix, r.tags);
    sel.kind = Some(kind.to_string());
    let cluster = match r.cluster {
        Some(c) if !c.trim().is_empty() && !slash(&c) => c,
        Some(c) => {
            cx.err(
                &format!("{path}.cluster"),
                &format!("`{c}` is not a cluster's name"),
                "not a cluster",
                Some("give the cluster's name, not its ARN"),
            );
            return sel;
        }
        None => {
            cx.err(
                path,
                &format!("`cluster` is required: {what} are named within a cluster"),
                "no cluster",
                Some("add `cluster: NAME`"),
            );
            return sel;
        }
    };
    sel.names = sel.names.iter().map(|n| format!("{cluster}/{n}")).collect();
    if sel.prefix.is_some() || sel.names.is_empty() {
        sel.prefix = Some(format!("{cluster}/{}", sel.prefix.unwrap_or_default()));
    }
    sel
}

/// `(CLUSTER, NAME)` of a full name.
pub fn split(full: &str) -> (&str, &str) {
    full.split_once('/').unwrap_or(("", full))
}

/// The clusters the selectors reach, or `None` when one reaches every
/// cluster (a `--prefix` capture, whose prefix names no cluster).
pub fn clusters(sels: &[Selector]) -> Option<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for s in sels {
        if !s.names.is_empty() {
            for n in &s.names {
                let (c, _) = n.split_once('/')?;
                out.insert(c.to_string());
            }
        } else {
            let (c, _) = s.prefix.as_deref()?.split_once('/')?;
            out.insert(c.to_string());
        }
    }
    Some(out)
}

/// Whether a selector naming no cluster (`--prefix`) may match by the
/// name within the cluster.
fn short(s: &Selector) -> bool {
    s.names.is_empty() && s.prefix.as_deref().is_some_and(|p| !p.contains('/'))
}

/// Whether the name alone can rule the resource in.
pub fn may_match(sels: &[Selector], full: &str) -> bool {
    sels.iter()
        .any(|s| s.name_may_match(full) || (short(s) && s.name_may_match(split(full).1)))
}

pub fn needs_tags(sels: &[Selector], full: &str) -> bool {
    sels.iter().any(|s| s.needs_tags()) && may_match(sels, full)
}

pub fn selected(sels: &[Selector], full: &str, tags: &Tags) -> bool {
    sels.iter()
        .any(|s| s.matches(full, Some(tags)) || (short(s) && s.matches(split(full).1, Some(tags))))
}

/// The names the selectors give when none needs a listing.
pub fn names_only(sels: &[Selector]) -> Option<Vec<String>> {
    crate::profile::rule::sel::names_only(sels)
}

/// The names within `cluster` that `sels` may select: those the selectors
/// name, when they only name; else those `list` finds (called only then)
/// that may match by name.
pub async fn names_in<E, F, Fut>(
    cluster: &str,
    sels: &[Selector],
    list: F,
) -> Result<Vec<String>, E>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Vec<String>, E>>,
{
    Ok(match names_only(sels) {
        Some(all) => all
            .iter()
            .filter(|n| split(n).0 == cluster)
            .map(|n| split(n).1.to_string())
            .collect(),
        None => list()
            .await?
            .into_iter()
            .filter(|n| may_match(sels, &format!("{cluster}/{n}")))
            .collect(),
    })
}

/// The selectors' names and prefixes in lower case are not needed: ARNs of
/// clustered resources keep their case. The ARN patterns of a selector:
/// `BASE + CLUSTER/NAME` (or a prefix wildcard), then `suffix`.
pub fn arns(sel: &Selector, base: &str, suffix: &str) -> Vec<String> {
    crate::iam::statements::arns(sel, base)
        .into_iter()
        .map(|a| {
            if a.ends_with('*') {
                a
            } else {
                format!("{a}{suffix}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_capture_matches_the_name_within_any_cluster() {
        let sel = Selector {
            prefix: Some("acme-".into()),
            ..Default::default()
        };
        let sels = [sel];
        assert_eq!(clusters(&sels), None);
        assert!(selected(&sels, "default/acme-web", &Tags::new()));
        assert!(selected(&sels, "acme-cluster/web", &Tags::new()));
        assert!(!selected(&sels, "default/web", &Tags::new()));
    }

    #[test]
    fn a_rules_selector_reaches_its_cluster_only() {
        let sels = [Selector {
            prefix: Some("acme/acme-".into()),
            ..Default::default()
        }];
        assert_eq!(
            clusters(&sels).unwrap().into_iter().collect::<Vec<_>>(),
            ["acme"]
        );
        assert!(selected(&sels, "acme/acme-web", &Tags::new()));
        assert!(!selected(&sels, "other/acme-web", &Tags::new()));
    }
}
