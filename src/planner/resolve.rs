//! From a profile's rules to one desired value per resource attribute,
//! finding missing named resources, empty selectors and conflicting rules.

use crate::model::{Live, Tags};
use crate::plan::Notice;
use crate::profile::{Profile, Rule, Selector};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Want<T> {
    pub value: T,
    pub rule: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FunctionWant {
    /// `Some(None)` asks for no reservation.
    pub reserved: Option<Want<Option<u32>>>,
    pub sources: Option<Want<bool>>,
    /// Per-mapping states, used when restoring a snapshot where a function's
    /// mappings were not all alike.
    pub per_mapping: BTreeMap<String, bool>,
    pub per_mapping_rule: String,
}

/// Every selected resource, with what is wanted of it (`None`: selected,
/// nothing set). Selected resources are observed for saved plans even when
/// no attribute of theirs is set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Desired {
    pub streams: BTreeMap<String, Option<Want<u32>>>,
    pub functions: BTreeMap<String, FunctionWant>,
    pub alarms: BTreeMap<String, Option<Want<bool>>>,
}

fn select<'a, S>(
    rule: &Rule<S>,
    kind: &str,
    live: impl Iterator<Item = (&'a str, &'a Tags)>,
    errors: &mut Vec<Notice>,
    warnings: &mut Vec<Notice>,
) -> Vec<String> {
    let all: Vec<(&str, &Tags)> = live.collect();
    let matched: Vec<String> = all
        .iter()
        .filter(|(n, t)| rule.selector.matches(n, Some(t)))
        .map(|(n, _)| n.to_string())
        .collect();
    let missing = missing_names(&rule.selector, &all);
    for name in &missing {
        errors.push(Notice::on(
            format!("{kind} {name}"),
            format!("{kind} `{name}` named by rule {} does not exist", rule.id),
        ));
    }
    if matched.is_empty() && missing.is_empty() {
        warnings.push(Notice::new(format!(
            "rule {} ({}) selects no {kind}",
            rule.id,
            rule.selector.describe()
        )));
    }
    matched
}

fn missing_names(sel: &Selector, all: &[(&str, &Tags)]) -> Vec<String> {
    sel.names
        .iter()
        .filter(|n| !all.iter().any(|(name, _)| name == n))
        .cloned()
        .collect()
}

/// Records a wanted value, or a conflict when another rule already wants a
/// different one for the same attribute.
fn want<T: PartialEq + std::fmt::Debug + Clone>(
    slot: &mut Option<Want<T>>,
    value: T,
    rule: &str,
    what: &str,
    show: impl Fn(&T) -> String,
    errors: &mut Vec<Notice>,
) {
    match slot {
        Some(w) if w.value != value => errors.push(Notice::on(
            what,
            format!(
                "rules {} and {} both set {what}, to {} and {}",
                w.rule,
                rule,
                show(&w.value),
                show(&value)
            ),
        )),
        Some(_) => {}
        None => {
            *slot = Some(Want {
                value,
                rule: rule.to_string(),
            })
        }
    }
}

pub fn resolve(profile: &Profile, live: &Live) -> (Desired, Vec<Notice>, Vec<Notice>) {
    let mut d = Desired::default();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();

    for rule in &profile.kinesis {
        let names = select(
            rule,
            "kinesis stream",
            live.streams.iter().map(|s| (s.name.as_str(), &s.tags)),
            &mut errors,
            &mut warnings,
        );
        for n in names {
            let slot = d.streams.entry(n.clone()).or_default();
            if let Some(v) = rule.spec.shards {
                want(
                    slot,
                    v,
                    &rule.id,
                    &format!("shards of kinesis stream {n}"),
                    |v| v.to_string(),
                    &mut errors,
                );
            }
        }
    }
    for rule in &profile.lambda {
        let names = select(
            rule,
            "lambda function",
            live.functions.iter().map(|f| (f.name.as_str(), &f.tags)),
            &mut errors,
            &mut warnings,
        );
        for n in names {
            let slot = d.functions.entry(n.clone()).or_default();
            if let Some(r) = rule.spec.reserved_concurrency {
                want(
                    &mut slot.reserved,
                    r.as_option(),
                    &rule.id,
                    &format!("reserved_concurrency of lambda function {n}"),
                    |v| crate::plan::show_reserved(*v),
                    &mut errors,
                );
            }
            if let Some(t) = rule.spec.event_sources {
                want(
                    &mut slot.sources,
                    t.is_on(),
                    &rule.id,
                    &format!("event_sources of lambda function {n}"),
                    |v| crate::plan::show_toggle(*v),
                    &mut errors,
                );
            }
        }
    }
    for rule in &profile.alarms {
        let names = select(
            rule,
            "cloudwatch alarm",
            live.alarms.iter().map(|a| (a.name.as_str(), &a.tags)),
            &mut errors,
            &mut warnings,
        );
        for n in names {
            let slot = d.alarms.entry(n.clone()).or_default();
            if let Some(t) = rule.spec.actions {
                want(
                    slot,
                    t.is_on(),
                    &rule.id,
                    &format!("actions of cloudwatch alarm {n}"),
                    |v| crate::plan::show_toggle(*v),
                    &mut errors,
                );
            }
        }
    }
    (d, errors, warnings)
}

/// The desired state that puts every resource of `recorded` back as it was
/// recorded (a snapshot), mapping by mapping.
pub fn desired_from_live(recorded: &Live, rule: &str) -> Desired {
    fn w<T>(value: T, rule: &str) -> Option<Want<T>> {
        Some(Want {
            value,
            rule: rule.to_string(),
        })
    }
    Desired {
        streams: recorded
            .streams
            .iter()
            .map(|s| (s.name.clone(), w(s.open_shards, rule)))
            .collect(),
        functions: recorded
            .functions
            .iter()
            .map(|f| {
                (
                    f.name.clone(),
                    FunctionWant {
                        reserved: Some(Want {
                            value: f.reserved,
                            rule: rule.to_string(),
                        }),
                        sources: None,
                        per_mapping: f
                            .mappings
                            .iter()
                            .map(|m| (m.uuid.clone(), m.enabled))
                            .collect(),
                        per_mapping_rule: rule.to_string(),
                    },
                )
            })
            .collect(),
        alarms: recorded
            .alarms
            .iter()
            .map(|a| (a.name.clone(), w(a.actions_enabled, rule)))
            .collect(),
    }
}
