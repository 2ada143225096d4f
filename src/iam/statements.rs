//! The pieces of an IAM policy: statements grouped by resource set, ARN
//! patterns for selectors. Each service adds its own actions.

use crate::profile::rule::Selector;
use std::collections::{BTreeMap, BTreeSet};

/// Where a policy applies: `*` where the profile does not pin it.
pub struct Scope {
    pub region: String,
    pub account: String,
}

impl Scope {
    /// `arn:aws:SERVICE:REGION:ACCOUNT:` for building resource ARNs.
    pub fn arn(&self, service: &str) -> String {
        format!("arn:aws:{service}:{}:{}:", self.region, self.account)
    }
}

/// Every resource.
pub fn any() -> Vec<String> {
    vec!["*".to_string()]
}

/// ARN patterns for what a selector can match: exact names, a prefix
/// wildcard, or every resource of the kind for tag selectors (tags are not
/// part of the ARN).
pub fn arns(sel: &Selector, base: &str) -> Vec<String> {
    if !sel.names.is_empty() {
        sel.names.iter().map(|n| format!("{base}{n}")).collect()
    } else if let Some(p) = &sel.prefix {
        vec![format!("{base}{p}*")]
    } else {
        vec![format!("{base}*")]
    }
}

#[derive(Default, Debug)]
pub struct Statements(
    BTreeMap<BTreeSet<String>, BTreeSet<String>>,
    /// Actions authorized through a condition key rather than the
    /// resource: (sid, action, condition key) -> values.
    BTreeMap<(String, String, String), BTreeSet<String>>,
    /// Actions on resources that carry given tags: (resources, condition
    /// operator, `aws:ResourceTag/KEY` -> values) -> actions.
    BTreeMap<Tagged, BTreeSet<String>>,
);

/// The resources and tag condition of a [`Statements::tagged`] statement.
type Tagged = (
    BTreeSet<String>,
    &'static str,
    BTreeMap<String, BTreeSet<String>>,
);

impl Statements {
    /// Groups actions by identical resource sets, for a short policy.
    pub fn add(&mut self, actions: &[&str], resources: &[String]) {
        let mut by_res: BTreeMap<BTreeSet<String>, BTreeSet<String>> = BTreeMap::new();
        for (res, acts) in std::mem::take(&mut self.0) {
            by_res.insert(res, acts);
        }
        // Each action keeps the union of every resource it was given.
        let mut per_action: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (res, acts) in by_res {
            for a in acts {
                per_action.entry(a).or_default().extend(res.iter().cloned());
            }
        }
        for a in actions {
            per_action
                .entry(a.to_string())
                .or_default()
                .extend(resources.iter().cloned());
        }
        for (a, res) in per_action {
            self.0.entry(res).or_default().insert(a);
        }
    }
}

impl Statements {
    /// Statements with their Sids, for the policy document.
    pub fn into_json(self) -> Vec<serde_json::Value> {
        let mut out: Vec<serde_json::Value> = self
            .0
            .into_iter()
            .enumerate()
            .map(|(i, (res, acts))| {
                serde_json::json!({
                    "Sid": format!("Parkctl{}", i + 1),
                    "Effect": "Allow",
                    "Action": acts.into_iter().collect::<Vec<_>>(),
                    "Resource": res.into_iter().collect::<Vec<_>>(),
                })
            })
            .collect();
        let n = out.len();
        for (i, ((res, op, tags), acts)) in self.2.into_iter().enumerate() {
            let cond: serde_json::Map<String, serde_json::Value> = tags
                .into_iter()
                .map(|(k, v)| {
                    let v: Vec<String> = v.into_iter().collect();
                    (format!("aws:ResourceTag/{k}"), serde_json::json!(v))
                })
                .collect();
            out.push(serde_json::json!({
                "Sid": format!("Parkctl{}", n + i + 1),
                "Effect": "Allow",
                "Action": acts.into_iter().collect::<Vec<_>>(),
                "Resource": res.into_iter().collect::<Vec<_>>(),
                "Condition": {op: cond},
            }));
        }
        for ((sid, action, key), values) in self.1 {
            out.push(serde_json::json!({
                "Sid": sid,
                "Effect": "Allow",
                "Action": [action],
                "Resource": ["*"],
                "Condition": {"ArnLike": {key: values.into_iter().collect::<Vec<_>>()}},
            }));
        }
        out
    }

    /// `actions` on `resources` only where the resource carries `tags`
    /// (each key one of its values), compared with `op` (`StringEquals`,
    /// or `StringLike` for a `prefix*`): for a rule that selects by tags,
    /// whose resources' ARNs the profile cannot know.
    pub fn tagged(
        &mut self,
        actions: &[&str],
        resources: &[String],
        op: &'static str,
        tags: &BTreeMap<String, BTreeSet<String>>,
    ) {
        let key = (resources.iter().cloned().collect(), op, tags.clone());
        self.2
            .entry(key)
            .or_default()
            .extend(actions.iter().map(|a| a.to_string()));
    }

    /// An action on any resource whose condition key `key` matches one of
    /// `values` (ArnLike): for APIs that authorize on a resource whose ARN
    /// the profile cannot know. Merged per `sid` over every profile.
    pub fn conditioned(&mut self, sid: &str, action: &str, key: &str, values: &[String]) {
        self.1
            .entry((sid.into(), action.into(), key.into()))
            .or_default()
            .extend(values.iter().cloned());
    }
}
