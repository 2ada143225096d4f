//! The `dynamodb` profile section as written, and the checks that turn its
//! rules into rules of the registry's shape.

use super::{ACTIVE, NAME, ON_DEMAND, PROVISIONED, SUSPENDED};
use crate::model::{Tags, Value};
use crate::profile::raw::whole;
use crate::profile::reporter::Reporter;
use crate::profile::rule::Rule;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The most capacity units a rule may ask of a table or index: far above
/// AWS's default per-table quota (40,000), which accounts can raise.
pub const MAX_CAPACITY: i64 = 1_000_000;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping with `tables`")]
pub struct RawSection {
    #[serde(default)]
    pub tables: Vec<RawRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawBilling {
    Provisioned,
    OnDemand,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawScaling {
    Active,
    Suspended,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a rule: a mapping such as `name: my-table`, `billing: provisioned`, `read_capacity: 1` and `write_capacity: 1`"
)]
pub struct RawRule {
    pub name: Option<String>,
    pub names: Option<Vec<String>>,
    pub prefix: Option<String>,
    pub tags: Option<Tags>,
    pub billing: Option<RawBilling>,
    #[serde(default, deserialize_with = "whole")]
    pub read_capacity: Option<i64>,
    #[serde(default, deserialize_with = "whole")]
    pub write_capacity: Option<i64>,
    /// Global secondary indexes by name, `*` for every one of the table.
    pub indexes: Option<BTreeMap<String, RawIndex>>,
    pub autoscaling: Option<RawScaling>,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an index's capacities: `{read_capacity: 1, write_capacity: 1}`"
)]
pub struct RawIndex {
    #[serde(default, deserialize_with = "whole")]
    pub read_capacity: Option<i64>,
    #[serde(default, deserialize_with = "whole")]
    pub write_capacity: Option<i64>,
}

pub fn rule(cx: &mut Reporter, i: usize, r: RawRule) -> Rule {
    let path = format!("dynamodb.tables[{i}]");
    let selector = cx.selector(&path, r.name, r.names, r.prefix, r.tags);
    let mut attrs = BTreeMap::new();
    if let Some(b) = r.billing {
        let b = if b == RawBilling::OnDemand {
            ON_DEMAND
        } else {
            PROVISIONED
        };
        attrs.insert("billing".to_string(), Value::from(b));
    }
    if let Some(a) = r.autoscaling {
        let a = if a == RawScaling::Suspended {
            SUSPENDED
        } else {
            ACTIVE
        };
        attrs.insert("autoscaling".to_string(), Value::from(a));
    }
    if r.billing == Some(RawBilling::OnDemand) {
        for (key, set) in [
            ("read_capacity", r.read_capacity.is_some()),
            ("write_capacity", r.write_capacity.is_some()),
            ("indexes", r.indexes.is_some()),
        ] {
            if set {
                cx.err(
                    &format!("{path}.{key}"),
                    &format!("`{key}` with `billing: on_demand`: an on-demand table has no provisioned capacity"),
                    "on-demand table",
                    Some("remove it, or set `billing: provisioned`"),
                );
            }
        }
    } else {
        capacities(
            cx,
            &path,
            &r.read_capacity,
            &r.write_capacity,
            r.billing,
            &mut attrs,
        );
        if let Some(ix) = r.indexes {
            indexes(cx, &path, ix, &mut attrs);
        }
    }
    if attrs.is_empty() {
        cx.nothing_set(&path, "`billing`, capacities or `autoscaling`");
    }
    cx.rule(NAME, &path, selector, attrs)
}

/// A switch to provisioned needs both capacities: AWS takes them in the
/// same UpdateTable.
fn capacities(
    cx: &mut Reporter,
    path: &str,
    read: &Option<i64>,
    write: &Option<i64>,
    billing: Option<RawBilling>,
    attrs: &mut BTreeMap<String, Value>,
) {
    for (key, v) in [("read_capacity", read), ("write_capacity", write)] {
        match v {
            Some(n) => {
                if let Some(n) = units(cx, &format!("{path}.{key}"), *n) {
                    attrs.insert(key.to_string(), Value::from(n));
                }
            }
            None if billing == Some(RawBilling::Provisioned) => cx.err(
                &format!("{path}.billing"),
                &format!("`billing: provisioned` needs `{key}`: switching a table back to provisioned sets its capacities in the same call"),
                "no capacity",
                Some("add `read_capacity` and `write_capacity` (`parkctl capture` writes them)"),
            ),
            None => {}
        }
    }
}

/// Index capacities become one value per key: a mapping of index names
/// (or `*`) to units, from which each index takes its own.
fn indexes(
    cx: &mut Reporter,
    path: &str,
    ix: BTreeMap<String, RawIndex>,
    attrs: &mut BTreeMap<String, Value>,
) {
    let mut read = serde_json::Map::new();
    let mut write = serde_json::Map::new();
    for (name, r) in ix {
        let at = format!("{path}.indexes.{name}");
        for (key, v, out) in [
            ("read_capacity", r.read_capacity, &mut read),
            ("write_capacity", r.write_capacity, &mut write),
        ] {
            match v {
                Some(n) => {
                    if let Some(n) = units(cx, &format!("{at}.{key}"), n) {
                        out.insert(name.clone(), Value::from(n));
                    }
                }
                None => cx.err(
                    &at,
                    &format!("index `{name}` needs `{key}`: DynamoDB sets an index's read and write capacity together"),
                    "incomplete",
                    Some("give both `read_capacity` and `write_capacity`"),
                ),
            }
        }
    }
    attrs.insert("index_read_capacity".into(), Value::Object(read));
    attrs.insert("index_write_capacity".into(), Value::Object(write));
}

fn units(cx: &mut Reporter, path: &str, n: i64) -> Option<u32> {
    cx.in_range(
        path,
        n,
        1..=MAX_CAPACITY,
        &format!("capacity must be between 1 and {MAX_CAPACITY} units, not {n}"),
        "a provisioned table or index has at least 1 read and 1 write capacity unit",
    )
}
