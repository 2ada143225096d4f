//! The pure planner: (desired, live) -> Plan. No I/O, no clock (the time is
//! passed in), no SDK types, so that every rule about AWS it enforces is
//! unit tested here rather than discovered half-way through an apply.
//!
//! Generic over the registry: resolve and diff work on resources and
//! attributes; each service plans its own attribute changes
//! (`Service::plan`) and checks them as a whole (`Service::check`); checks
//! that span services are the guards.

mod guards;
mod resolve;

pub use crate::plan::{key, Key};
pub use resolve::{desired_from_live, resolve, Desired};

use crate::model::{name_order, Live, Resource, Value};
pub use crate::plan::Now;
use crate::plan::{Change, Notice, Notices, Observation, Plan, Want};
use crate::profile::Profile;
use crate::service::{Planned, Wants};
use crate::services::{self, SERVICES};
use hashbrown::HashTable;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

/// Plans the changes that take `live` to what `profile` describes.
pub fn plan(profile: &Profile, live: &Live, ctx: &Now) -> Plan {
    let (desired, found) = resolve(profile, live);
    let mut plan = diff(&desired, live, ctx, &profile.name, &profile.sha256);
    plan.errors.splice(0..0, found.errors);
    plan.warnings.splice(0..0, found.warnings);
    plan
}

/// Plans the changes that take `live` to `desired`, which says for each
/// selected resource what it should be and which rule asks for it.
pub fn diff(desired: &Desired, live: &Live, ctx: &Now, name: &str, sha: &str) -> Plan {
    let idx = Index::of(live);
    // At most one change per wanted attribute: room for them all at once
    // rather than up to twice that grown into (a change is 288 bytes).
    let mut changes = Vec::with_capacity(desired.resources.values().map(Wants::len).sum());
    let mut out = Notices::default();
    let mut observed = Vec::new();
    let mut selected = Vec::new();
    for (k, wants) in &desired.resources {
        let Some(r) = idx.get(k) else {
            gone(&mut out, k, wants.values().next().map(|w| w.rule));
            continue;
        };
        count(&mut selected, r);
        observe_one(r, &mut observed);
        // What belongs to a selected resource is observed with it, even
        // where nothing is wanted of it (a mapping created since a snapshot).
        for c in idx.children(r.id.service, r.name()) {
            if !desired.resources.contains_key(&key(&c.id)) {
                count(&mut selected, c);
                observe_one(c, &mut observed);
            }
        }
        for (attr, want) in wants.iter() {
            if r.get(attr) == &want.value {
                continue;
            }
            match plan_one(r, attr, want, wants, ctx) {
                Planned::Change(c) => changes.push(*c),
                Planned::Covered => {}
                Planned::Wait(n) => out.warnings.push(n),
                Planned::Refuse(n) => out.errors.push(n),
            }
        }
    }
    guards::check(desired, &idx, ctx, &changes, &mut out);
    for s in SERVICES {
        s.check(live, &idx, &changes, &mut out);
    }
    changes.shrink_to_fit();
    crate::order::sort_moving_once(&mut changes, order);
    // They come nearly in order (resources in key order): a stable sort
    // finds the runs.
    crate::order::sort_moving_once(&mut observed, Observation::cmp);
    Plan {
        profile: name.to_string(),
        profile_sha256: sha.to_string(),
        changes,
        warnings: out.warnings,
        errors: out.errors,
        selected: selected
            .into_iter()
            .map(|((s, k), n)| (format!("{s} {k}"), n))
            .collect::<BTreeMap<_, _>>(),
        observed,
        cost: None,
    }
}

/// Counts `r` among the selected resources of its kind. A plan selects a
/// few kinds: a short list, searched, is cheaper than hashing two names
/// per resource.
fn count(selected: &mut Vec<((&'static str, &'static str), usize)>, r: &Resource) {
    let kind = (r.id.service, r.id.kind);
    let same =
        |(s, k): (&str, &str)| name_order(s, kind.0).is_eq() && name_order(k, kind.1).is_eq();
    match selected.iter_mut().find(|(k, _)| same(*k)) {
        Some((_, n)) => *n += 1,
        None => selected.push((kind, 1)),
    }
}

fn plan_one(r: &Resource, attr: &str, want: &Want, wants: &Wants, ctx: &Now) -> Planned {
    match services::get(r.id.service) {
        Some(s) => s.plan(r, attr, want, wants, ctx),
        None => Planned::Refuse(Notice::on(
            &r.id,
            format!("{}: no service `{}` in this parkctl", r.id, r.id.service),
        )),
    }
}

/// The observable values of `live`, in a stable order: what a saved plan
/// compares to decide whether the world moved since it was made.
pub fn observe(live: &Live) -> Vec<Observation> {
    let mut out = Vec::new();
    live.resources.iter().for_each(|r| observe_one(r, &mut out));
    out.sort();
    out
}

/// What is observed of a resource: its kind's observed attributes. Shared
/// by `observe` and by `diff`, so the two cannot drift.
fn observe_one(r: &Resource, out: &mut Vec<Observation>) {
    let kind =
        services::get(r.id.service).and_then(|s| s.kinds().iter().find(|k| k.name == r.id.kind));
    let observed = kind.map_or(&[][..], |k| k.observed);
    // The resource as shown, made once for all its attributes.
    let shown = if observed.is_empty() {
        String::new()
    } else {
        r.id.shown()
    };
    for attr in observed {
        out.push(Observation {
            resource: shown.clone(),
            attr: Cow::Borrowed(attr),
            value: match r.get(attr) {
                Value::Bool(true) => Cow::Borrowed("true"),
                Value::Bool(false) => Cow::Borrowed("false"),
                Value::Null => Cow::Borrowed(crate::model::NONE),
                v => Cow::Owned(crate::model::show(v)),
            },
        });
    }
}

/// The live state once every change of `plan` has run. A change whose
/// resource is missing is skipped: the apply engine refuses such a stale
/// plan, and an estimate should not fail over it.
pub fn after(live: &Live, plan: &Plan) -> Live {
    let mut out = live.clone();
    // Positions in `live` are positions in `out`: a change moves none.
    let mut at: HashMap<Key, usize> = HashMap::new();
    for (i, r) in live.resources.iter().enumerate() {
        at.entry(key(&r.id)).or_insert(i);
    }
    for c in &plan.changes {
        let Some(&i) = at.get(&key(&c.resource)) else {
            continue;
        };
        match services::get(c.resource.service) {
            Some(s) => s.after(&mut out.resources, i, c),
            None => {
                out.resources[i].attrs.set(c.attr, c.to.clone());
            }
        }
    }
    out
}

fn gone(out: &mut Notices, k: &Key, rule: Option<&str>) {
    let (service, kind, name) = k;
    let from = rule
        .filter(|r| !r.is_empty())
        .map(|r| format!(" (wanted by {r})"))
        .unwrap_or_default();
    out.errors.push(Notice::on(
        format!("{service} {kind} {name}"),
        format!("{service} {kind} `{name}`{from} does not exist"),
    ));
}

/// Phases in order; within one, waves in order; then by resource as shown
/// (an event source by its function, not its UUID). Read from the changes
/// in place: a key copied per change was four strings each.
fn order(a: &Change, b: &Change) -> std::cmp::Ordering {
    let (r, s) = (&a.resource, &b.resource);
    (a.phase, a.wave)
        .cmp(&(b.phase, b.wave))
        .then_with(|| name_order(r.service, s.service))
        .then_with(|| name_order(r.kind, s.kind))
        .then_with(|| r.shown_name().cmp(s.shown_name()))
        .then_with(|| r.name.cmp(&s.name))
}

#[cfg(test)]
pub(crate) mod testkit;
#[cfg(test)]
mod tests;

/// Live resources by key (and by ARN), built once per plan so that each
/// lookup is O(1): linear scans made planning quadratic in the account.
/// Hashed with foldhash: SipHash over every resource's key and ARN was an
/// eighth of the planner's time at 10,000 resources. The tables hold
/// positions in the live state, compared there: a table of keys and
/// references was 1.3 MB at 10,000 resources, four bytes a slot is 0.2.
pub(crate) struct Index<'a> {
    live: &'a [Resource],
    by_key: HashTable<u32>,
    by_arn: HashTable<u32>,
    children: Map<(&'a str, &'a str), Vec<&'a Resource>>,
    hasher: foldhash::fast::RandomState,
}

/// The planner's hash map (see [`Index`]).
pub(crate) type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

impl<'a> Index<'a> {
    pub fn of(live: &'a Live) -> Self {
        let n = live.resources.len();
        let mut idx = Index {
            live: &live.resources,
            by_key: HashTable::with_capacity(n),
            by_arn: HashTable::with_capacity(n),
            children: Map::default(),
            hasher: Default::default(),
        };
        for (i, r) in live.resources.iter().enumerate() {
            idx.add(i as u32, r);
        }
        idx
    }

    /// Adds the resource at `i`; of two with one key (or ARN), the first
    /// is kept, as with the linear `find` this replaces.
    fn add(&mut self, i: u32, r: &'a Resource) {
        if let Some(p) = &r.parent {
            let kids = self.children.entry((r.id.service, p.as_str()));
            kids.or_default().push(r);
        }
        let (live, h) = (self.live, &self.hasher);
        let hash = h.hash_one(id_key(r));
        let same = |&j: &u32| id_key(&live[j as usize]) == id_key(r);
        if self.by_key.find(hash, same).is_none() {
            self.by_key
                .insert_unique(hash, i, |&j| h.hash_one(id_key(&live[j as usize])));
        }
        if !r.arn.is_empty() {
            let hash = h.hash_one(r.arn.as_str());
            let same = |&j: &u32| live[j as usize].arn == r.arn;
            if self.by_arn.find(hash, same).is_none() {
                self.by_arn
                    .insert_unique(hash, i, |&j| h.hash_one(live[j as usize].arn.as_str()));
            }
        }
    }

    pub fn get(&self, k: &Key) -> Option<&'a Resource> {
        self.find(&k.0, &k.1, &k.2)
    }

    pub fn find(&self, service: &str, kind: &str, name: &str) -> Option<&'a Resource> {
        let hash = self.hasher.hash_one((service, kind, name));
        let live = self.live;
        let at = self.by_key.find(hash, |&j| {
            id_key(&live[j as usize]) == (service, kind, name)
        })?;
        Some(&live[*at as usize])
    }

    /// The resources of `service` that belong to `parent`.
    pub fn children(&self, service: &'a str, parent: &'a str) -> &[&'a Resource] {
        self.children
            .get(&(service, parent))
            .map_or(&[], Vec::as_slice)
    }

    pub fn by_arn(&self, arn: &str) -> Option<&'a Resource> {
        let live = self.live;
        let at = self
            .by_arn
            .find(self.hasher.hash_one(arn), |&j| live[j as usize].arn == arn)?;
        Some(&live[*at as usize])
    }
}

/// What a resource is found by: its service, kind and name.
fn id_key(r: &Resource) -> (&str, &str, &str) {
    (r.id.service, r.id.kind, &r.id.name)
}
