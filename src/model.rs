//! The live state of the resources parkctl manages, as plain data.
//!
//! One generic shape for every service: a resource is a service, a kind, a
//! name and its attributes (plain JSON values). Service modules fill it from
//! AWS and give each attribute its meaning; the planner, the cost model, the
//! renderers and the state files read it without knowing any service. It
//! carries no SDK type, so that the core is tested without a server and
//! saved to disk (snapshots, saved plans) as JSON.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::{LazyLock, Mutex, PoisonError};

pub type Tags = BTreeMap<String, String>;

/// An attribute value: a number, a flag, a text, or `null` for "not set"
/// (a function without a reservation).
pub type Value = serde_json::Value;

mod attrs;
pub use attrs::Attrs;

/// Which resource, as plans, records and messages name it. Its service
/// and kind are interned ([`intern`]): a live state and a plan name the
/// same few of each on every resource and change, and a string of their
/// own was two allocations per resource, copied again into every change
/// (with observations borrowing their names, 2.8 MB of a 10,000-resource
/// plan's peak memory).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ResourceId {
    /// The registry name of the service (`crate::services`).
    #[serde(deserialize_with = "interned")]
    pub service: Name,
    /// The kind within the service (`stream`, `function`, `event source`).
    #[serde(deserialize_with = "interned")]
    pub kind: Name,
    /// Unique within service and kind (a stream name, a mapping's UUID).
    pub name: String,
    /// Shown instead of the name where the name means little to a reader
    /// (an event source mapping is `function <- stream`, not a UUID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl ResourceId {
    /// `SERVICE KIND` (`queue consumer`): the kind as people say it.
    pub fn title(&self) -> String {
        format!("{} {}", self.service, self.kind)
    }

    pub fn shown_name(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.name)
    }

    /// `SERVICE KIND NAME`, as `Display` writes it, made at its length: a
    /// plan observes every selected resource, and `to_string` grows its
    /// buffer three or four times on the way.
    pub fn shown(&self) -> String {
        let name = self.shown_name();
        let mut s = String::with_capacity(self.service.len() + self.kind.len() + name.len() + 2);
        for (i, part) in [self.service, self.kind, name].iter().enumerate() {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(part);
        }
        s
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{} {} {}", self.service, self.kind, self.shown_name())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    #[serde(flatten)]
    pub id: ResourceId,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub arn: String,
    /// The name of the resource this one belongs to, in the same service
    /// (an event source mapping's function).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default)]
    pub attrs: Attrs,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: Tags,
}

impl Resource {
    pub fn new(service: &str, kind: &str, name: &str) -> Resource {
        Resource {
            id: ResourceId {
                service: intern(service),
                kind: intern(kind),
                name: name.to_string(),
                label: None,
            },
            arn: String::new(),
            parent: None,
            attrs: Attrs::new(),
            tags: Tags::new(),
        }
    }

    pub fn with(mut self, attr: &str, value: impl Into<Value>) -> Resource {
        self.attrs.insert(attr.to_string(), value.into());
        self
    }

    pub fn name(&self) -> &str {
        &self.id.name
    }

    pub fn is(&self, service: &str, kind: &str) -> bool {
        self.id.service == service && self.id.kind == kind
    }

    /// An attribute, `null` when absent.
    pub fn get(&self, attr: &str) -> &Value {
        self.attrs.get(attr).unwrap_or(&Value::Null)
    }

    pub fn u32(&self, attr: &str) -> Option<u32> {
        self.get(attr).as_u64().and_then(|n| u32::try_from(n).ok())
    }

    pub fn flag(&self, attr: &str) -> bool {
        self.get(attr).as_bool().unwrap_or(false)
    }

    pub fn text(&self, attr: &str) -> &str {
        self.get(attr).as_str().unwrap_or_default()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Live {
    #[serde(default, deserialize_with = "fitted")]
    pub resources: Vec<Resource>,
    /// Account-wide facts per service that the planner needs to respect AWS
    /// limits (a service's quota pool). Absent means unknown: the planner
    /// then warns instead of guessing.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, Attrs>,
}

impl Live {
    pub fn of_service<'a>(&'a self, service: &'a str) -> impl Iterator<Item = &'a Resource> + 'a {
        self.resources
            .iter()
            .filter(move |r| r.id.service == service)
    }

    pub fn fact(&self, service: &str, name: &str) -> &Value {
        self.facts
            .get(service)
            .and_then(|f| f.get(name))
            .unwrap_or(&Value::Null)
    }
}

/// An interned name ([`intern`]). Named, so that serde's derive reads
/// it in a field with `deserialize_with` and asks no `'static` of its
/// input, which it does of a `&'static str` written out.
pub type Name = &'static str;

/// The one copy of a name for the whole run: attribute names, services,
/// kinds and rule ids. Kept to the end of the process, and bounded by what
/// one run reads: the services' schemas, the rules of the profiles, and
/// the rule ids of the records and snapshots it opens (`history` reads
/// them all); never a resource's own name.
pub fn intern(name: &str) -> &'static str {
    static NAMES: LazyLock<Mutex<HashSet<&'static str, foldhash::fast::RandomState>>> =
        LazyLock::new(Mutex::default);
    let mut names = NAMES.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(n) = names.get(name) {
        return n;
    }
    let n: &'static str = Box::leak(name.into());
    names.insert(n);
    n
}

/// Two names in order, where interned ones (the same copy) are equal
/// without reading them: the planner sorts thousands of keys and changes
/// whose service and kind are mostly the same copy.
pub fn name_order(a: &str, b: &str) -> std::cmp::Ordering {
    if std::ptr::eq(a, b) {
        std::cmp::Ordering::Equal
    } else {
        a.cmp(b)
    }
}

/// A name read straight into its interned copy, with no string of its own.
pub(crate) struct Interned;

impl<'de> serde::de::DeserializeSeed<'de> for Interned {
    type Value = &'static str;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<&'static str, D::Error> {
        d.deserialize_str(self)
    }
}

impl serde::de::Visitor<'_> for Interned {
    type Value = &'static str;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a name")
    }

    fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<&'static str, E> {
        Ok(intern(name))
    }
}

pub(crate) fn interned<'de, D: serde::Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    serde::de::DeserializeSeed::deserialize(Interned, d)
}

/// A list read at its length: one grown while parsing holds up to twice
/// the room it needs (3 MB at 10,000 resources), for as long as the live
/// state lives.
fn fitted<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Resource>, D::Error> {
    let mut v = Vec::<Resource>::deserialize(d)?;
    v.shrink_to_fit();
    Ok(v)
}

/// How an unset value reads ([`show`]).
pub const NONE: &str = "none";

/// How a value reads in plans and records: `none` for unset, `enabled` or
/// `disabled` for flags, numbers and texts as they are.
pub fn show(v: &Value) -> String {
    match v {
        Value::Null => NONE.to_string(),
        Value::Bool(on) => if *on { "enabled" } else { "disabled" }.to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
