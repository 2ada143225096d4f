//! From a profile's rules to one desired value per resource attribute,
//! finding missing named resources, empty selectors and conflicting rules.
//! Generic: each service's schema says which kind its rules select and
//! which attribute each rule key sets.

use super::Map;
use crate::model::{Live, Name, Resource, Value};
use crate::plan::{ByKey, Key, Notice, Notices, Want, Wants};
use crate::profile::{Profile, Rule, Selector};
use crate::service::{Kind, Service};
use crate::services::SERVICES;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Every selected resource, with what is wanted of each attribute (empty:
/// selected, nothing set). Selected resources are observed for saved plans
/// even when no attribute of theirs is set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Desired<'a> {
    pub resources: ByKey<'a>,
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

/// A rule's wanted value of one key, borrowed from the profile until the
/// wants are made: the key, the value and the rule's id (interned).
type Asked<'p> = (&'p str, &'p Value, Name);

/// Records a wanted value, or a conflict when another rule already wants a
/// different one for the same key of the same resource.
fn want<'p>(
    asked: &mut Vec<Asked<'p>>,
    new: Asked<'p>,
    what: impl Fn() -> String,
    out: &mut Notices,
) {
    let (key, value, rule) = new;
    match asked.iter().find(|(k, _, _)| *k == key) {
        Some((_, v, first)) if *v != value => {
            let what = what();
            out.errors.push(Notice::on(
                &what,
                format!(
                    "rules {first} and {rule} both set {what}, to {} and {}",
                    crate::model::show(v),
                    crate::model::show(value)
                ),
            ))
        }
        Some(_) => {}
        None => asked.push(new),
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
            by_kind.entry(r.id.kind).or_default().push(r);
            if let Some(p) = &r.parent {
                children.entry((p.as_str(), r.id.kind)).or_default().push(r);
            }
        }
        Scope { by_kind, children }
    }

    /// The resources of `kind` that belong to the one named `parent`.
    fn children_of(&self, parent: &'a str, kind: &'a str) -> &[&'a Resource] {
        self.children
            .get(&(parent, kind))
            .map_or(&[], Vec::as_slice)
    }
}

/// The resources the rules of one kind select, in the order first
/// selected, each with what the rules ask of it; and where each is in that
/// list, by name.
struct Picked<'a, 'p> {
    list: Vec<(&'a Resource, Vec<Asked<'p>>)>,
    at: Map<&'a str, usize>,
}

fn pick<'a, 'p>(
    s: &dyn Service,
    kind: &Kind,
    rules: &[&'p Rule],
    pool: &[&'a Resource],
    out: &mut Notices,
) -> Picked<'a, 'p> {
    let title = format!("{} {}", s.name(), kind.name);
    let mut p = Picked {
        list: Vec::new(),
        at: Map::default(),
    };
    for rule in rules {
        let id = crate::model::intern(&rule.id);
        for r in select(s, rule, &title, pool, out) {
            let i = *p.at.entry(r.name()).or_insert_with(|| {
                p.list.push((r, Vec::new()));
                p.list.len() - 1
            });
            for (k, v) in &rule.attrs {
                let what = || format!("{k} of {title} {}", r.name());
                want(&mut p.list[i].1, (k, v, id), what, out);
            }
        }
    }
    p
}

/// Where a rule key's wanted value goes: the selected resource `r` (its
/// own wants), or what belongs to it (`kids`), each taking its own value
/// (`Service::child_value`). A key may set an attribute of both (a
/// table's and its indexes' auto scaling).
fn assign<'a>(
    s: &dyn Service,
    kind: &str,
    scope: &Scope<'a>,
    r: &'a Resource,
    (key, value, rule): Asked,
    own: &mut Wants,
    kids: &mut Map<(&'a str, &'a str), Wants>,
) {
    let want = |value| Want { value, rule };
    for attr in s.attrs().iter().filter(|a| a.key == key) {
        if attr.kind == kind {
            if let Some(v) = s.child_value(attr, r, value) {
                own.insert(attr.attr, want(v));
            }
            continue;
        }
        for t in scope.children_of(r.name(), attr.kind) {
            if let Some(v) = s.child_value(attr, t, value) {
                let slot = kids.entry((t.id.kind, t.name())).or_default();
                slot.insert(attr.attr, want(v));
            }
        }
    }
}

/// What `profile` wants of `live`, and what is wrong with its rules.
pub fn resolve<'a>(profile: &Profile, live: &'a Live) -> (Desired<'a>, Notices) {
    let mut found = Vec::new();
    let mut out = Notices::default();
    for s in SERVICES {
        let rules: Vec<&Rule> = profile.rules_of(s.name()).collect();
        if !rules.is_empty() {
            resolve_service(*s, &rules, live, &mut found, &mut out);
        }
    }
    let d = Desired {
        resources: ByKey::of(found),
    };
    (d, out)
}

fn resolve_service<'a>(
    s: &dyn Service,
    rules: &[&Rule],
    live: &'a Live,
    found: &mut Vec<(Key<'a>, Wants)>,
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
            resolve_kind(s, kind, &mine, &scope, found, out);
        }
    }
}

fn resolve_kind<'a>(
    s: &dyn Service,
    kind: &Kind,
    rules: &[&Rule],
    scope: &Scope<'a>,
    found: &mut Vec<(Key<'a>, Wants)>,
    out: &mut Notices,
) {
    let pool = scope.by_kind.get(kind.name).map_or(&[][..], Vec::as_slice);
    let picked = pick(s, kind, rules, pool, out);
    // What is wanted of the resources that belong to the selected ones.
    let mut kids: Map<(&str, &str), Wants> = Map::default();
    let mut own = Vec::with_capacity(picked.list.len());
    for (r, asked) in &picked.list {
        let mut wants = Wants::default();
        for a in asked {
            assign(s, kind.name, scope, r, *a, &mut wants, &mut kids);
        }
        own.push(wants);
    }
    // Children of selected resources are selected with them.
    for ((p, _), children) in &scope.children {
        if picked.at.contains_key(p) {
            for c in children {
                kids.entry((c.id.kind, c.name())).or_default();
            }
        }
    }
    // Interned names (the resources' own), which `plan::key_order`
    // compares by address first.
    let service = crate::model::intern(s.name());
    let at = |k: &'a str, n: &'a str| (service.into(), k.into(), n.into());
    found.reserve(picked.list.len() + kids.len());
    for ((r, _), wants) in picked.list.iter().zip(own) {
        found.push((at(r.id.kind, r.name()), wants));
    }
    for ((k, n), wants) in kids {
        found.push((at(k, n), wants));
    }
}

/// The desired state that puts every resource of `recorded` back as it was
/// recorded (a snapshot): each managed attribute at its recorded value.
/// Its keys' names are owned (service and kind are interned, for the whole
/// run): it outlives what it is made from (a saved plan's after-state).
/// A key recorded twice wants what both ask, the later winning an
/// attribute both set, as inserting them in turn did.
pub fn desired_from_live(recorded: &Live, rule: &str) -> Desired<'static> {
    let rule = crate::model::intern(rule);
    let mut pairs = Vec::with_capacity(recorded.resources.len());
    for r in &recorded.resources {
        let managed = crate::services::get(r.id.service)
            .and_then(|s| s.kinds().iter().find(|k| k.name == r.id.kind))
            .map_or(&[][..], |k| k.managed);
        let mut wants = Wants::default();
        for a in managed {
            if let Some(v) = r.attrs.get(*a) {
                let value = v.clone();
                wants.insert(a, Want { value, rule });
            }
        }
        // Service and kind are interned, for the whole run: only the name
        // is copied.
        let (service, kind) = (Cow::Borrowed(r.id.service), Cow::Borrowed(r.id.kind));
        pairs.push(((service, kind, Cow::Owned(r.id.name.clone())), wants));
    }
    Desired {
        resources: ByKey::merged(pairs),
    }
}

#[cfg(test)]
mod tests {
    use crate::plan::{ByKey, Key, Want, Wants};

    #[test]
    fn a_later_pair_of_a_key_replaces_an_earlier_one() {
        let k = |n: &'static str| -> Key { ("s".into(), "k".into(), n.into()) };
        let w = |rule: &str| {
            let mut w = Wants::default();
            let rule = crate::model::intern(rule);
            w.insert(
                "a",
                Want {
                    value: 1.into(),
                    rule,
                },
            );
            w
        };
        let named = [("b", "1"), ("a", "2"), ("b", "3"), ("c", "4"), ("a", "5")];
        let pairs = named.iter().map(|(n, r)| (k(n), w(r))).collect();
        let made = ByKey::of(pairs);
        let rules: Vec<_> = made
            .iter()
            .map(|(k, w)| (k.2.as_ref(), w["a"].rule))
            .collect();
        assert_eq!(rules, [("a", "5"), ("b", "3"), ("c", "4")]);
        assert_eq!(made[&k("b")]["a"].rule, "3");
        assert!(made.get(&k("d")).is_none());
    }

    /// A snapshot naming a resource twice restores what both ask, as
    /// inserting them in turn did.
    #[test]
    fn a_key_recorded_twice_wants_what_both_ask() {
        let k: Key = ("s".into(), "k".into(), "x".into());
        let w = |pairs: &[(&'static str, i64)], rule: &str| {
            let mut w = Wants::default();
            let rule = crate::model::intern(rule);
            for (a, v) in pairs {
                w.insert(
                    a,
                    Want {
                        value: (*v).into(),
                        rule,
                    },
                );
            }
            w
        };
        let made = ByKey::merged(vec![
            (k.clone(), w(&[("a", 1), ("b", 1)], "first")),
            (k.clone(), w(&[("b", 2), ("c", 2)], "later")),
        ]);
        let got: Vec<_> = made[&k]
            .iter()
            .map(|(a, w)| (a, w.value.as_i64(), w.rule))
            .collect();
        let want = [("a", 1, "first"), ("b", 2, "later"), ("c", 2, "later")];
        assert_eq!(got, want.map(|(a, v, r)| (a, Some(v), r)));
    }
}
