//! From a profile's rules to one desired value per resource attribute,
//! finding missing named resources, empty selectors and conflicting rules.
//! Generic: each service's schema says which kind its rules select and
//! which attribute each rule key sets.

use crate::model::{Live, Resource, ResourceId, Value};
use crate::plan::{Notice, Notices, Want};
use crate::profile::{Profile, Rule, Selector};
use crate::service::Service;
use crate::services::SERVICES;
use std::collections::{BTreeMap, HashMap};

/// A resource as the planner keys it: service, kind, name.
pub type Key = (String, String, String);

pub fn key(id: &ResourceId) -> Key {
    (id.service.clone(), id.kind.clone(), id.name.clone())
}

/// Every selected resource, with what is wanted of each attribute (empty:
/// selected, nothing set). Selected resources are observed for saved plans
/// even when no attribute of theirs is set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Desired {
    pub resources: BTreeMap<Key, BTreeMap<String, Want>>,
}

/// The resources `rule` selects among `live`; missing named ones are
/// errors, a selector matching nothing a warning.
fn select<'a>(
    s: &dyn Service,
    rule: &Rule,
    title: &str,
    live: &[&'a Resource],
    out: &mut Notices,
) -> Vec<&'a Resource> {
    let matched: Vec<&Resource> = live
        .iter()
        .filter(|r| {
            let sel = &rule.selector;
            sel.matches(r.name(), Some(&r.tags))
                || s.aliases(r).iter().any(|a| sel.matches(a, Some(&r.tags)))
        })
        .copied()
        .collect();
    let missing = missing_names(s, &rule.selector, live);
    for name in &missing {
        out.errors.push(Notice::on(
            format!("{title} {name}"),
            format!("{title} `{name}` named by rule {} does not exist", rule.id),
        ));
    }
    if matched.is_empty() && missing.is_empty() {
        out.warnings.push(Notice::new(format!(
            "rule {} ({}) selects no {title}",
            rule.id,
            rule.selector.describe()
        )));
    }
    matched
}

fn missing_names(s: &dyn Service, sel: &Selector, all: &[&Resource]) -> Vec<String> {
    if sel.names.is_empty() {
        return vec![];
    }
    let have: std::collections::HashSet<&str> = all
        .iter()
        .flat_map(|r| std::iter::once(r.name()).chain(s.aliases(r)))
        .collect();
    sel.names
        .iter()
        .filter(|n| !have.contains(n.as_str()))
        .cloned()
        .collect()
}

/// Records a wanted value, or a conflict when another rule already wants a
/// different one for the same key of the same resource.
fn want(
    slot: &mut Option<Want>,
    value: &Value,
    rule: &str,
    what: impl Fn() -> String,
    out: &mut Notices,
) {
    match slot {
        Some(w) if w.value != *value => {
            let what = what();
            out.errors.push(Notice::on(
                &what,
                format!(
                    "rules {} and {} both set {what}, to {} and {}",
                    w.rule,
                    rule,
                    crate::model::show(&w.value),
                    crate::model::show(value)
                ),
            ))
        }
        Some(_) => {}
        None => {
            *slot = Some(Want {
                value: value.clone(),
                rule: rule.to_string(),
            })
        }
    }
}

/// The resources of `service` by kind, and each one's children by kind.
struct Scope<'a> {
    by_kind: BTreeMap<&'a str, Vec<&'a Resource>>,
    children: BTreeMap<(&'a str, &'a str), Vec<&'a Resource>>,
}

impl<'a> Scope<'a> {
    fn of(live: &'a Live, service: &'a str) -> Self {
        let mut by_kind: BTreeMap<&str, Vec<&Resource>> = BTreeMap::new();
        let mut children: BTreeMap<(&str, &str), Vec<&Resource>> = BTreeMap::new();
        for r in live.of_service(service) {
            by_kind.entry(r.id.kind.as_str()).or_default().push(r);
            if let Some(p) = &r.parent {
                children
                    .entry((p.as_str(), r.id.kind.as_str()))
                    .or_default()
                    .push(r);
            }
        }
        Scope { by_kind, children }
    }
}

/// Where a rule key's wanted value goes: the selected resource, or what
/// belongs to it, each taking its own value (`Service::child_value`).
struct Targets<'s, 'a> {
    s: &'s dyn Service,
    kind: &'s str,
    by_name: &'s HashMap<&'a str, &'a Resource>,
    scope: &'s Scope<'a>,
}

impl<'a> Targets<'_, 'a> {
    /// A key may set an attribute of the selected resource and of what
    /// belongs to it (a table's and its indexes' auto scaling).
    fn assign(
        &self,
        name: &'a str,
        key: &str,
        w: &Want,
        local: &mut HashMap<(&'a str, &'a str), BTreeMap<String, Want>>,
    ) {
        for attr in self.s.attrs().iter().filter(|a| a.key == key) {
            let targets: Vec<&Resource> = if attr.kind == self.kind {
                self.by_name.get(name).copied().into_iter().collect()
            } else {
                self.scope
                    .children
                    .get(&(name, attr.kind))
                    .cloned()
                    .unwrap_or_default()
            };
            for t in targets {
                let Some(value) = self.s.child_value(attr, t, &w.value) else {
                    continue;
                };
                let slot = local.entry((t.id.kind.as_str(), t.name())).or_default();
                let want = Want {
                    value,
                    rule: w.rule.clone(),
                };
                slot.insert(attr.attr.to_string(), want);
            }
        }
    }
}

pub fn resolve(profile: &Profile, live: &Live) -> (Desired, Notices) {
    let mut d = Desired::default();
    let mut out = Notices::default();
    for s in SERVICES {
        let rules: Vec<&Rule> = profile.rules_of(s.name()).collect();
        if !rules.is_empty() {
            resolve_service(*s, &rules, live, &mut d, &mut out);
        }
    }
    (d, out)
}

fn resolve_service(
    s: &dyn Service,
    rules: &[&Rule],
    live: &Live,
    d: &mut Desired,
    out: &mut Notices,
) {
    let scope = Scope::of(live, s.name());
    // A service whose rules select several kinds resolves each kind's
    // rules apart (two kinds of one service may share a name).
    for kind in s.kinds().iter().filter(|k| k.selectable) {
        let first = s.kinds().iter().find(|k| k.selectable).map(|k| k.name);
        let mine: Vec<&Rule> = rules
            .iter()
            .filter(|r| r.selector.kind.as_deref().or(first) == Some(kind.name))
            .copied()
            .collect();
        if !mine.is_empty() {
            resolve_kind(s, kind, &mine, &scope, d, out);
        }
    }
}

fn resolve_kind(
    s: &dyn Service,
    kind: &crate::service::Kind,
    rules: &[&Rule],
    scope: &Scope,
    d: &mut Desired,
    out: &mut Notices,
) {
    let title = format!("{} {}", s.name(), kind.name);
    let pool = scope.by_kind.get(kind.name).cloned().unwrap_or_default();
    // The value per (resource, rule key), for conflicts between rules.
    let mut wants: HashMap<(&str, &str), Option<Want>> = HashMap::new();
    // What is wanted of each resource, by (kind, name), borrowing from
    // `live` until the end: one key per resource is built, not one per use.
    let mut local: HashMap<(&str, &str), BTreeMap<String, Want>> = HashMap::new();
    for rule in rules {
        for r in select(s, rule, &title, &pool, out) {
            local.entry((kind.name, r.name())).or_default();
            for (k, v) in &rule.attrs {
                let what = || format!("{k} of {title} {}", r.name());
                want(
                    wants.entry((r.name(), k.as_str())).or_default(),
                    v,
                    &rule.id,
                    what,
                    out,
                );
            }
        }
    }
    let by_name: HashMap<&str, &Resource> = pool.iter().map(|r| (r.name(), *r)).collect();
    for ((name, k), w) in wants {
        let Some(w) = w else { continue };
        let targets = Targets {
            s,
            kind: kind.name,
            by_name: &by_name,
            scope,
        };
        targets.assign(name, k, &w, &mut local);
    }
    // Children of selected resources are selected with them.
    for ((p, _), kids) in &scope.children {
        if local.contains_key(&(kind.name, *p)) {
            for c in kids {
                local.entry((c.id.kind.as_str(), c.name())).or_default();
            }
        }
    }
    for ((k, n), w) in local {
        d.resources
            .insert((s.name().to_string(), k.to_string(), n.to_string()), w);
    }
}

/// The desired state that puts every resource of `recorded` back as it was
/// recorded (a snapshot): each managed attribute at its recorded value.
pub fn desired_from_live(recorded: &Live, rule: &str) -> Desired {
    let mut d = Desired::default();
    for r in &recorded.resources {
        let managed = crate::services::get(&r.id.service)
            .and_then(|s| s.kinds().iter().find(|k| k.name == r.id.kind))
            .map_or(&[][..], |k| k.managed);
        let slot = d.resources.entry(key(&r.id)).or_default();
        for a in managed {
            if let Some(v) = r.attrs.get(*a) {
                slot.insert(
                    a.to_string(),
                    Want {
                        value: v.clone(),
                        rule: rule.to_string(),
                    },
                );
            }
        }
    }
    d
}
