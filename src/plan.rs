//! A plan: the ordered change set that takes live state to a profile, with
//! the warnings and errors found on the way. Plain data: rendered as text or
//! JSON, saved to disk, and executed by the apply engine.
//!
//! A change is one attribute of one resource going from one value to
//! another (Terraform's `Change{Before, After}`), so that everything that
//! renders, records or compares plans is the same for every service.

use crate::model::{intern, name_order, show, Name, ResourceId, Value};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// The order in which changes run. Derived from what a change does, never
/// from the profile's name: silence alarms first so that nothing pages while
/// we work, stop consuming before throttling, and re-arm alarms last, once
/// everything else has converged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Silence = 1,
    StopIntake = 2,
    Capacity = 3,
    StartIntake = 4,
    Rearm = 5,
}

impl Phase {
    pub const ALL: [Phase; 5] = [
        Phase::Silence,
        Phase::StopIntake,
        Phase::Capacity,
        Phase::StartIntake,
        Phase::Rearm,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Phase::Silence => "disable alarm actions",
            Phase::StopIntake => "disable event sources",
            Phase::Capacity => "change capacity",
            Phase::StartIntake => "enable event sources",
            Phase::Rearm => "enable alarm actions",
        }
    }
}

/// The order of changes within a phase, named so that services agree on
/// it without agreeing on numbers. Recorded as its number (0 to 3), as
/// plans and records always had it.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Wave(u8);

impl Wave {
    /// First: what frees room in a shared pool (a function's reserved
    /// concurrency lowered), so that later changes find it.
    pub const FREE: Wave = Wave(0);
    /// What takes that room (reservations raised), and what must stop
    /// before the main changes (auto scaling suspended).
    pub const TAKE: Wave = Wave(1);
    /// The main changes: capacity, modes, endpoints.
    pub const MAIN: Wave = Wave(2);
    /// What needs a main change done first: capacity after a mode switch,
    /// auto scaling resumed after the capacity it would fight.
    pub const AFTER: Wave = Wave(3);

    /// Its place in the order, for tests and tables.
    pub fn number(self) -> u8 {
        self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub phase: Phase,
    /// Within a phase, waves run one after the other and the changes of a
    /// wave side by side: a service picks one where order matters (shrink
    /// reservations before growing others, so the pool has room).
    #[serde(default)]
    pub wave: Wave,
    pub resource: ResourceId,
    /// Interned, as the rule ([`crate::model::intern`]): a plan changes the
    /// same few attributes, by the same few rules, of thousands of
    /// resources.
    #[serde(deserialize_with = "crate::model::interned")]
    pub attr: Name,
    pub from: Value,
    pub to: Value,
    /// Intermediate values the service passes through, in order, when AWS
    /// limits one call's reach (a reshard of 8 -> 1 goes 4, 2, 1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Value>,
    /// What the service wants a reader of the plan to know about how the
    /// change is made (`3 UpdateShardCount calls, via 4, 2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What the service needs to make the change besides the new value
    /// (the config and tags an endpoint is recreated with).
    #[serde(default, skip_serializing_if = "crate::model::Attrs::is_empty")]
    pub args: crate::model::Attrs,
    /// The profile rule (or snapshot) that asks for this change.
    #[serde(deserialize_with = "crate::model::interned")]
    pub rule: Name,
}

impl Change {
    /// A change of one attribute, with no steps, note or arguments (set
    /// those after, where a service needs them).
    pub fn new(
        phase: Phase,
        wave: Wave,
        resource: ResourceId,
        attr: &str,
        from: Value,
        to: Value,
        rule: Name,
    ) -> Change {
        Change {
            phase,
            wave,
            resource,
            attr: intern(attr),
            from,
            to,
            steps: vec![],
            note: None,
            args: Default::default(),
            rule,
        }
    }

    pub fn before(&self) -> String {
        show(&self.from)
    }

    /// Whether the change lowers a count: both values counts, the new one
    /// smaller (a size parked towards zero).
    pub fn lowers(&self) -> bool {
        self.to
            .as_u64()
            .zip(self.from.as_u64())
            .is_some_and(|(to, from)| to < from)
    }

    pub fn after(&self) -> String {
        show(&self.to)
    }

    /// `SERVICE KIND NAME ATTR: BEFORE -> AFTER`, as plans and records print it.
    pub fn describe(&self) -> String {
        format!(
            "{} {}: {} -> {}",
            self.resource,
            self.attr,
            self.before(),
            self.after()
        )
    }
}

/// What a plan found worth saying: errors block apply, warnings do not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

impl Notice {
    pub fn new(message: impl Into<String>) -> Self {
        Notice {
            message: message.into(),
            resource: None,
        }
    }
    pub fn on(resource: impl fmt::Display, message: impl Into<String>) -> Self {
        Notice {
            message: message.into(),
            resource: Some(resource.to_string()),
        }
    }
}

/// The errors and warnings a planning step found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notices {
    pub errors: Vec<Notice>,
    pub warnings: Vec<Notice>,
}

/// One observed live value the plan was computed from: a saved plan
/// refuses to apply when any of them changed since.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Observation {
    pub resource: String,
    /// Borrowed where it can be (a kind's observed attribute, a flag's
    /// `true`): a plan observes every selected resource, and two strings
    /// of their own per observation were a sixth of its allocations.
    pub attr: Cow<'static, str>,
    pub value: Cow<'static, str>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub profile: String,
    pub profile_sha256: String,
    pub changes: Vec<Change>,
    pub warnings: Vec<Notice>,
    pub errors: Vec<Notice>,
    /// How many resources the profile selected, per kind (`SERVICE KIND`).
    pub selected: std::collections::BTreeMap<String, usize>,
    pub observed: Vec<Observation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<crate::cost::CostComparison>,
}

impl Plan {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    pub fn selected_total(&self) -> usize {
        self.selected.values().sum()
    }

    pub fn phases(&self) -> Vec<(Phase, Vec<&Change>)> {
        Phase::ALL
            .into_iter()
            .map(|p| {
                (
                    p,
                    self.changes
                        .iter()
                        .filter(|c| c.phase == p)
                        .collect::<Vec<_>>(),
                )
            })
            .filter(|(_, cs)| !cs.is_empty())
            .collect()
    }
}

/// What the planner knows besides the profile and the live state: the
/// time, passed in so that planning stays pure, and what parkctl itself
/// applied lately (AWS limits some changes per rolling day, and counts
/// switches that a read does not show).
#[derive(Debug, Clone)]
pub struct Now {
    pub now: chrono::DateTime<chrono::Utc>,
    /// Changes applied within [`Now::DONE_HOURS`] of `now`, from the
    /// operation records.
    pub done: Vec<Done>,
}

/// One change parkctl applied, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Done {
    pub at: chrono::DateTime<chrono::Utc>,
    pub resource: ResourceId,
    pub attr: String,
    pub to: Value,
}

/// `t` to the minute as plans show a time (`2025-01-10 22:00 UTC`), from
/// a format parsed once: a plan may show one per resource (a warning per
/// parked stream), and parsing it each time was a fortieth of the
/// planner's time at 10,000 resources.
pub fn minute(t: chrono::DateTime<chrono::Utc>) -> impl fmt::Display {
    use chrono::format::{Item, StrftimeItems};
    static ITEMS: std::sync::LazyLock<Vec<Item<'static>>> = std::sync::LazyLock::new(|| {
        StrftimeItems::new("%Y-%m-%d %H:%M UTC")
            .parse_to_owned()
            .expect("a valid format")
    });
    t.format_with_items(ITEMS.iter())
}

impl Now {
    /// How far back the records are read: AWS's rolling windows are a
    /// day, and AWS starts a stopped database again after 7 days (a
    /// service tells its own stop from AWS's start by the last record).
    pub const DONE_HOURS: i64 = 8 * 24;

    pub fn at(now: chrono::DateTime<chrono::Utc>) -> Self {
        Now { now, done: vec![] }
    }

    pub fn with_done(mut self, done: Vec<Done>) -> Self {
        self.done = done;
        self
    }

    /// The last change parkctl applied to `attr` of `resource` within
    /// [`Now::DONE_HOURS`], whatever its value.
    pub fn last_done(&self, resource: &ResourceId, attr: &str) -> Option<&Done> {
        self.done
            .iter()
            .filter(|d| d.resource == *resource && d.attr == attr)
            .max_by_key(|d| d.at)
    }

    /// When parkctl set `attr` of `resource` to `to` within the last
    /// `hours`, newest first.
    pub fn done_within(
        &self,
        resource: &ResourceId,
        attr: &str,
        to: &Value,
        hours: i64,
    ) -> Vec<chrono::DateTime<chrono::Utc>> {
        let since = self.now - chrono::Duration::hours(hours);
        let mut at: Vec<_> = self
            .done
            .iter()
            .filter(|d| d.at > since && d.resource == *resource && d.attr == attr && d.to == *to)
            .map(|d| d.at)
            .collect();
        at.sort_by(|a, b| b.cmp(a));
        at
    }
}

/// A resource as the planner keys what is wanted of it: service, kind,
/// name. Here beside `Wants`, for the services' checks too. Borrowed from
/// the live state a profile is resolved against, so that resolving copies
/// no name (three strings per resource made a quarter of the planner's
/// allocations); the name owned where the desired state outlives what it
/// was made from (a snapshot's), service and kind interned names.
pub type Key<'a> = (Cow<'a, str>, Cow<'a, str>, Cow<'a, str>);

/// The key of `id`, borrowed from it.
pub fn key(id: &ResourceId) -> Key<'_> {
    (
        Cow::Borrowed(id.service),
        Cow::Borrowed(id.kind),
        Cow::Borrowed(&id.name),
    )
}

/// Keys in order, each once, and what is wanted of each resource: a list
/// sorted once when made, searched by halves. A `BTreeMap` built from the
/// same sorted list sorted and compared every key again, and freed node by
/// node: resolving a 10,000-resource profile takes 14 % less without it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ByKey<'a>(Vec<(Key<'a>, Wants)>);

impl<'a> ByKey<'a> {
    /// The map of `pairs`, a later pair of a key replacing an earlier one
    /// as inserting them in turn would.
    pub fn of(pairs: Vec<(Key<'a>, Wants)>) -> ByKey<'a> {
        Self::made(pairs, std::mem::swap)
    }

    /// The map of `pairs`, the wants of a key's pairs merged, a later
    /// pair's want of an attribute replacing an earlier one's.
    pub fn merged(pairs: Vec<(Key<'a>, Wants)>) -> ByKey<'a> {
        Self::made(pairs, |kept, later| {
            for (attr, want) in std::mem::take(later).0 {
                kept.insert(attr, want);
            }
        })
    }

    /// Sorted by key (stably), `join` taking each later pair of a key
    /// into the first.
    fn made(mut pairs: Vec<(Key<'a>, Wants)>, join: impl Fn(&mut Wants, &mut Wants)) -> Self {
        crate::order::sort_moving_once(&mut pairs, |a, b| key_order(&a.0, &b.0));
        pairs.dedup_by(|later, kept| {
            let same = key_order(&later.0, &kept.0).is_eq();
            if same {
                join(&mut kept.1, &mut later.1);
            }
            same
        });
        pairs.shrink_to_fit();
        ByKey(pairs)
    }

    pub fn get(&self, k: &Key) -> Option<&Wants> {
        let at = self.0.binary_search_by(|(have, _)| key_order(have, k));
        at.ok().map(|i| &self.0[i].1)
    }

    pub fn contains_key(&self, k: &Key) -> bool {
        self.get(k).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Key<'a>, &Wants)> {
        self.into_iter()
    }

    pub fn values(&self) -> impl Iterator<Item = &Wants> {
        self.0.iter().map(|(_, w)| w)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'b, 'a> IntoIterator for &'b ByKey<'a> {
    type Item = (&'b Key<'a>, &'b Wants);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'b, (Key<'a>, Wants)>,
        fn(&'b (Key<'a>, Wants)) -> (&'b Key<'a>, &'b Wants),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, w)| (k, w))
    }
}

impl std::ops::Index<&Key<'_>> for ByKey<'_> {
    type Output = Wants;

    fn index(&self, k: &Key) -> &Wants {
        self.get(k).expect("no such resource")
    }
}

/// Keys in order (service, kind, name), interned names compared by address
/// first: most keys share their service and kind, and reading those was
/// most of the time sorting them.
pub fn key_order(a: &Key, b: &Key) -> std::cmp::Ordering {
    name_order(&a.0, &b.0)
        .then_with(|| name_order(&a.1, &b.1))
        .then_with(|| a.2.cmp(&b.2))
}

/// A wanted value of one attribute and the rule that wants it (interned:
/// one rule wants the same of thousands of resources).
#[derive(Debug, Clone, PartialEq)]
pub struct Want {
    pub value: Value,
    pub rule: Name,
}

/// Every wanted attribute of one resource, in attribute order. A resource
/// has a few wants at most, so they are a short sorted list: a map's node
/// per resource weighed more than the wants in it (9 MB of the planner's
/// peak at 10,000 resources). The attributes are the services' own names
/// (`Attr::attr`, `Kind::managed`), never copied.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Wants(Vec<(&'static str, Want)>);

/// Looked up as a map of `String` keys was (`get(k)` with `k` a `&str`, a
/// `&&str` or a `&String`), so that the services read it as they did.
impl Wants {
    /// Looked for along the list, as [`crate::model::Attrs::get`] is.
    pub fn get<A: AsRef<str> + ?Sized>(&self, attr: &A) -> Option<&Want> {
        let attr = attr.as_ref();
        self.0.iter().find(|(a, _)| *a == attr).map(|(_, w)| w)
    }

    pub fn contains_key<A: AsRef<str> + ?Sized>(&self, attr: &A) -> bool {
        self.get(attr).is_some()
    }

    /// Sets what is wanted of `attr`, returning what was wanted before.
    pub fn insert(&mut self, attr: &'static str, want: Want) -> Option<Want> {
        match self.at(attr) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, want)),
            Err(i) => {
                // One at a time: most resources have one or two wants, and
                // a first insert would otherwise make room for four.
                self.0.reserve_exact(1);
                self.0.insert(i, (attr, want));
                None
            }
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Want)> {
        self.0.iter().map(|(a, w)| (*a, w))
    }

    pub fn values(&self) -> impl Iterator<Item = &Want> {
        self.0.iter().map(|(_, w)| w)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn at(&self, attr: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(a, _)| (*a).cmp(attr))
    }
}

impl std::ops::Index<&str> for Wants {
    type Output = Want;

    fn index(&self, attr: &str) -> &Want {
        self.get(attr)
            .unwrap_or_else(|| panic!("nothing is wanted of `{attr}`"))
    }
}
