//! CloudWatch alarms: whether their actions are enabled.
//!
//! Alarms are billed per alarm per month whether or not their actions are
//! enabled: disabling silences them while the project is parked (so that
//! nothing pages anyone) and saves nothing, and the estimates say so.

mod aws;

use crate::cost::types::{Lookup, ResourceCost};
use crate::iam::statements::{any, arns, Scope, Statements};
use crate::model::{Resource, Tags, Value};
use crate::plan::{Change, Now, Phase, Want, Wave};
use crate::profile::reporter::Reporter;
use crate::profile::rule::Toggle;
use crate::profile::rule::{quoted, Rule};
use crate::service::InitParked;
use crate::service::{Attr, Facts, Kind, Planned, PriceKey, Service, TerraformHint, Ty, Wants};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt::Write;

pub const NAME: &str = "cloudwatch";
pub const ALARM: &str = "alarm";

pub const CLOUDWATCH_NOTE: &str =
    "CloudWatch alarms are billed per alarm whether or not actions are enabled: disabling them saves nothing";

/// An alarm's attributes are `actions` (enabled or not) and
/// `high_resolution` (period under 60 s, three times the price).
pub struct Alarms;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping with `alarms`")]
pub struct RawSection {
    #[serde(default)]
    pub alarms: Vec<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a rule: a mapping such as `prefix: my-project-` and `actions: disabled`"
)]
pub struct RawRule {
    pub name: Option<String>,
    pub names: Option<Vec<String>>,
    pub prefix: Option<String>,
    pub tags: Option<Tags>,
    pub actions: Option<Toggle>,
}

impl super::Section for Alarms {
    type Raw = RawSection;

    fn build(raw: RawSection, cx: &mut Reporter) -> Vec<Rule> {
        let mut rules = Vec::new();
        for (i, r) in raw.alarms.into_iter().enumerate() {
            let path = format!("cloudwatch.alarms[{i}]");
            let selector = cx.selector(&path, r.name, r.names, r.prefix, r.tags);
            let mut attrs = BTreeMap::new();
            match r.actions {
                None => cx.nothing_set(&path, "`actions`"),
                Some(t) => {
                    attrs.insert("actions".to_string(), Value::Bool(t.is_on()));
                }
            }
            rules.push(cx.rule(NAME, &path, selector, attrs));
        }
        rules
    }
}

const KINDS: &[Kind] = &[Kind {
    name: ALARM,
    selectable: true,
    observed: &["actions"],
    managed: &["actions"],
}];

const ATTRS: &[Attr] = &[Attr {
    key: "actions",
    kind: ALARM,
    attr: "actions",
}];

const PRICES: &[PriceKey] = &[
    PriceKey {
        key: "standard_alarm",
        unit: "alarm-month",
        label: "CloudWatch standard alarm",
        everywhere: true,
    },
    PriceKey {
        key: "high_resolution_alarm",
        unit: "alarm-month",
        label: "CloudWatch high-resolution alarm",
        everywhere: true,
    },
];

/// What the core knows of this service without asking it anything.
static FACTS: Facts = Facts {
    name: NAME,
    kinds: KINDS,
    attrs: ATTRS,
    types: &[("actions", Ty::Flag)],
    prices: PRICES,
    writes: &["EnableAlarmActions", "DisableAlarmActions"],
    request_keys: &["AlarmNamePrefix=", "AlarmNames.member.1="],
    // DescribeAlarms.
    pace: (NAME, 9),
};

impl Service for Alarms {
    fn facts(&self) -> &'static Facts {
        &FACTS
    }

    fn plan(&self, a: &Resource, attr: &str, want: &Want, _wants: &Wants, _ctx: &Now) -> Planned {
        let on = want.value.as_bool().unwrap_or(false);
        Planned::Change(Box::new(Change::new(
            if on { Phase::Rearm } else { Phase::Silence },
            Wave::FREE,
            a.id.clone(),
            attr,
            a.get(attr).clone(),
            want.value.clone(),
            want.rule,
        )))
    }

    fn cost(&self, a: &Resource, lookup: &mut Lookup) -> Option<ResourceCost> {
        if !a.flag("actions") {
            lookup.note(CLOUDWATCH_NOTE);
        }
        let (kind, p) = if a.flag("high_resolution") {
            ("high-resolution", &PRICES[1])
        } else {
            ("standard", &PRICES[0])
        };
        let (basis, month) = match lookup.price(NAME, p.key, p.label) {
            Some(p) => (
                format!("{kind} alarm, {}/alarm-month", p.usd.exact()),
                Some(p.usd),
            ),
            None => (format!("{kind} alarm, no alarm price"), None),
        };
        Some(ResourceCost::new(&a.id, basis, month))
    }

    fn summary(&self, resources: &[&Resource]) -> Vec<String> {
        let on = resources.iter().filter(|a| a.flag("actions")).count();
        vec![format!(
            "cloudwatch       {} alarms, actions enabled on {on}",
            resources.len()
        )]
    }

    /// Alarms grouped by state, so that the file reads as the state it
    /// records.
    fn capture(&self, resources: &[&Resource]) -> String {
        let mut s = String::from("cloudwatch:\n  alarms:\n");
        for state in [true, false] {
            let names: Vec<String> = resources
                .iter()
                .filter(|a| a.flag("actions") == state)
                .map(|a| quoted(a.name()))
                .collect();
            if !names.is_empty() {
                let _ = writeln!(s, "    - names:");
                for n in names {
                    let _ = writeln!(s, "        - {n}");
                }
                let _ = writeln!(
                    s,
                    "      actions: {}",
                    crate::model::show(&Value::Bool(state))
                );
            }
        }
        s
    }

    /// Parked: actions disabled, so that parked resources page no one; the
    /// alarms stay (and bill) and come back armed.
    fn init_parked(&self, resources: &[&Resource]) -> InitParked {
        let names: Vec<String> = resources
            .iter()
            .filter(|r| r.id.kind == ALARM)
            .map(|r| format!("        - {}", crate::profile::rule::quoted(r.name())))
            .collect();
        let section = if names.is_empty() {
            String::new()
        } else {
            format!(
                "cloudwatch:\n  alarms:\n    - names:\n{}\n      actions: disabled            # silences alarms; they are still billed\n",
                names.join("\n")
            )
        };
        InitParked {
            section,
            left_out: vec![],
        }
    }

    fn iam(&self, rules: &[&Rule], scope: &Scope, st: &mut Statements) {
        st.add(&["cloudwatch:DescribeAlarms"], &any());
        let base = format!("{}alarm:", scope.arn(NAME));
        for rule in rules {
            let res = arns(&rule.selector, &base);
            if rule.selector.needs_tags() {
                st.add(&["cloudwatch:ListTagsForResource"], &res);
            }
            match rule.get("actions").and_then(Value::as_bool) {
                Some(true) => st.add(&["cloudwatch:EnableAlarmActions"], &res),
                Some(false) => st.add(&["cloudwatch:DisableAlarmActions"], &res),
                None => {}
            }
        }
    }

    fn terraform(&self, rules: &[&Rule]) -> Vec<TerraformHint> {
        if !rules.iter().any(|r| r.get("actions").is_some()) {
            return vec![];
        }
        let note = "parking disables the alarm's actions";
        vec![
            TerraformHint {
                resource: "aws_cloudwatch_metric_alarm",
                attributes: &["actions_enabled"],
                note,
            },
            TerraformHint {
                resource: "aws_cloudwatch_composite_alarm",
                attributes: &["actions_enabled"],
                note,
            },
        ]
    }

    fn upgrade_v1(&self, live: &serde_json::Value) -> Vec<Resource> {
        let alarms = live["alarms"].as_array().cloned().unwrap_or_default();
        alarms
            .iter()
            .map(|a| {
                let mut r = alarm(a["name"].as_str().unwrap_or_default())
                    .with("actions", a["actions_enabled"].as_bool().unwrap_or(true))
                    .with(
                        "high_resolution",
                        a["high_resolution"].as_bool().unwrap_or(false),
                    );
                r.arn = a["arn"].as_str().unwrap_or_default().to_string();
                r.tags = serde_json::from_value(a["tags"].clone()).unwrap_or_default();
                r
            })
            .collect()
    }

    fn upgrade_v1_change(&self, c: &serde_json::Value) -> Option<Change> {
        let phase = if c["to"] == Value::Bool(true) {
            Phase::Rearm
        } else {
            Phase::Silence
        };
        (c["kind"] == "alarm").then(|| {
            Change::new(
                phase,
                Wave::FREE,
                alarm(c["name"].as_str().unwrap_or_default()).id,
                "actions",
                c["from"].clone(),
                c["to"].clone(),
                crate::model::intern(c["rule"].as_str().unwrap_or_default()),
            )
        })
    }
}

/// An alarm resource without attributes.
pub fn alarm(name: &str) -> Resource {
    Resource::new(NAME, ALARM, name)
}
