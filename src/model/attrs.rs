//! A resource's attributes: a map of names to values, kept as a short
//! sorted list of interned names.
//!
//! A `BTreeMap`'s smallest node holds eleven entries (640 bytes), and a
//! live state has a map per resource with two to six attributes in it: 7 MB
//! of a 10,000-resource plan's memory held room for entries that never
//! came. The list is read and written as the map was (`{"name": value}`,
//! names in order), so that state files stay as they are, and it answers
//! the map's methods that parkctl uses, so that services read it as one.

use super::intern as interned;
use super::Value;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, Serializer};
use std::fmt;

/// Attributes by name, in name order. The names are interned: a live state
/// names the same few dozen attributes on every resource, and a lookup
/// that compared against a string of its own per resource waited on
/// memory for each (a tenth of the planner's time at 10,000 resources).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Attrs(Vec<(&'static str, Value)>);

/// Looked up as a map of `String` keys was (`get(k)` with `k` a `&str` or
/// a `&String`), so that services read it as they did.
impl Attrs {
    pub fn new() -> Attrs {
        Attrs(Vec::new())
    }

    /// Looked for along the list, not by halves: a list holds a few
    /// attributes, and a name of another length is passed over without
    /// reading it, where ordering names read each one probed (a lookup is
    /// the planner's most frequent step).
    pub fn get<Q: AsRef<str> + ?Sized>(&self, name: &Q) -> Option<&Value> {
        let name = name.as_ref();
        self.0.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    pub fn get_mut<Q: AsRef<str> + ?Sized>(&mut self, name: &Q) -> Option<&mut Value> {
        self.at(name.as_ref()).ok().map(|i| &mut self.0[i].1)
    }

    pub fn contains_key<Q: AsRef<str> + ?Sized>(&self, name: &Q) -> bool {
        self.get(name).is_some()
    }

    /// Sets `name` to `value`, returning the value it had.
    pub fn insert(&mut self, name: String, value: Value) -> Option<Value> {
        self.set(interned(&name), value)
    }

    pub fn remove<Q: AsRef<str> + ?Sized>(&mut self, name: &Q) -> Option<Value> {
        self.at(name.as_ref()).ok().map(|i| self.0.remove(i).1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (*k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| *k)
    }

    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.0.iter().map(|(_, v)| v)
    }

    /// Sets `name`, already interned (a change's attribute), to `value`,
    /// returning the value it had: no string made, no lookup to intern.
    pub fn set(&mut self, name: super::Name, value: Value) -> Option<Value> {
        match self.at(name) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (name, value));
                None
            }
        }
    }

    /// Sorted by name, the last of equal names kept, at its length.
    fn of(mut all: Vec<(&'static str, Value)>) -> Attrs {
        // Stable: of equal names, the last is kept below.
        all.sort_by(|a, b| a.0.cmp(b.0));
        all.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                std::mem::swap(&mut later.1, &mut kept.1);
            }
            same
        });
        all.shrink_to_fit();
        Attrs(all)
    }

    fn at(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| (*k).cmp(name))
    }
}

impl<Q: AsRef<str> + ?Sized> std::ops::Index<&Q> for Attrs {
    type Output = Value;

    fn index(&self, name: &Q) -> &Value {
        self.get(name).expect("no such attribute")
    }
}

/// As a map is made from pairs: a later value of a name replaces an
/// earlier one.
impl FromIterator<(String, Value)> for Attrs {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(pairs: I) -> Attrs {
        let pairs = pairs.into_iter().map(|(k, v)| (interned(&k), v));
        Attrs::of(pairs.collect())
    }
}

impl<const N: usize> From<[(String, Value); N]> for Attrs {
    fn from(pairs: [(String, Value); N]) -> Attrs {
        pairs.into_iter().collect()
    }
}

impl Extend<(String, Value)> for Attrs {
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, pairs: I) {
        for (k, v) in pairs {
            self.insert(k, v);
        }
    }
}

impl<'a> IntoIterator for &'a Attrs {
    type Item = (&'a str, &'a Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (&'static str, Value)>,
        fn(&'a (&'static str, Value)) -> (&'a str, &'a Value),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (*k, v))
    }
}

impl fmt::Debug for Attrs {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Attrs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Attrs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Attrs, D::Error> {
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = Attrs;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Attrs, A::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
                while let Some(name) = map.next_key_seed(super::Interned)? {
                    pairs.push((name, map.next_value::<Value>()?));
                }
                Ok(Attrs::of(pairs))
            }
        }
        d.deserialize_map(Pairs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[test]
    fn reads_and_writes_as_the_map_did() {
        let text = r#"{"z":1,"a":{"y":2,"b":null},"m":"x","a":true}"#;
        let map: BTreeMap<String, Value> = serde_json::from_str(text).unwrap();
        let attrs: Attrs = serde_json::from_str(text).unwrap();
        assert_eq!(
            serde_json::to_string(&attrs).unwrap(),
            serde_json::to_string(&map).unwrap()
        );
        assert_eq!(format!("{attrs:?}"), format!("{map:?}"));
        assert_eq!(attrs["a"], json!(true));
    }

    #[test]
    fn answers_as_a_map() {
        let mut a = Attrs::new();
        assert_eq!(a.insert("b".into(), json!(1)), None);
        assert_eq!(a.insert("a".into(), json!(2)), None);
        assert_eq!(a.insert("b".into(), json!(3)), Some(json!(1)));
        assert_eq!(a.keys().collect::<Vec<_>>(), ["a", "b"]);
        assert!(a.contains_key("a") && !a.contains_key("c"));
        *a.get_mut("a").unwrap() = json!(4);
        assert_eq!(a.remove("a"), Some(json!(4)));
        assert_eq!((a.len(), a.get("b")), (1, Some(&json!(3))));
        let later_wins: Attrs = [("k".into(), json!(1)), ("k".into(), json!(2))].into();
        assert_eq!(later_wins.get("k"), Some(&json!(2)));
    }
}
