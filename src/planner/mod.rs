//! The pure planner: (desired, live) -> Plan. No I/O, no clock (the time is
//! passed in), no SDK types, so every rule about AWS it enforces is unit
//! tested here rather than discovered half-way through an apply.

mod guards;
pub mod reshard;
mod resolve;

pub use resolve::{desired_from_live, resolve, Desired, FunctionWant, Want};

use crate::model::{Alarm, Function, Live, Stream, StreamMode};
use crate::plan::{Action, Change, Notice, Observation, Phase, Plan, Resource, Selected};
use crate::profile::Profile;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone)]
pub struct Context {
    pub now: DateTime<Utc>,
}

impl Context {
    pub fn at(now: DateTime<Utc>) -> Self {
        Context { now }
    }
}

/// Plans the changes that take `live` to what `profile` describes.
pub fn plan(profile: &Profile, live: &Live, ctx: &Context) -> Plan {
    let (desired, errors, warnings) = resolve(profile, live);
    let mut plan = diff(&desired, live, ctx, &profile.name, &profile.sha256);
    plan.errors.splice(0..0, errors);
    plan.warnings.splice(0..0, warnings);
    plan
}

/// Plans the changes that take `live` to `desired`, which says for each
/// selected resource what it should be and which rule asks for it.
pub fn diff(desired: &Desired, live: &Live, ctx: &Context, name: &str, sha: &str) -> Plan {
    let idx = Index::of(live);
    let mut changes = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut observed = Vec::new();
    let mut selected = Selected::default();

    for (name, want) in &desired.streams {
        let Some(s) = idx.streams.get(name.as_str()).copied() else {
            gone(
                &mut errors,
                "kinesis stream",
                name,
                want.as_ref().map(|w| w.rule.as_str()),
            );
            continue;
        };
        selected.streams += 1;
        let res = Resource::Stream { name: name.clone() };
        observe_stream(s, &mut observed);
        let Some(want) = want else { continue };
        if want.value == s.open_shards {
            continue;
        }
        if s.status == "CREATING" || s.status == "DELETING" {
            errors.push(Notice::on(
                &res,
                format!("{res} is {}; its shard count cannot change now. Wait until it is ACTIVE and re-run", s.status),
            ));
            continue;
        }
        if s.mode == StreamMode::OnDemand {
            errors.push(Notice::on(
                &res,
                format!(
                    "{res} is in on-demand mode, which has no shard count to set ({}); switch it to provisioned first or drop it from the rule",
                    want.rule
                ),
            ));
            continue;
        }
        if want.value == 0 {
            // Only a recorded state can ask for this (profiles refuse 0): a
            // provisioned stream keeps at least one open shard.
            errors.push(Notice::on(
                &res,
                format!(
                    "{res} cannot be scaled to 0 shards ({}); a stream keeps at least 1 open shard",
                    want.rule
                ),
            ));
            continue;
        }
        let steps = reshard::steps(s.open_shards, want.value);
        if steps.len() > reshard::MAX_SCALING_CALLS_PER_DAY {
            errors.push(Notice::on(
                &res,
                format!(
                    "{res}: {} -> {} shards needs {} UpdateShardCount calls, but AWS allows {} per stream per rolling 24 h; choose a target within {} steps",
                    s.open_shards,
                    want.value,
                    steps.len(),
                    reshard::MAX_SCALING_CALLS_PER_DAY,
                    reshard::MAX_SCALING_CALLS_PER_DAY
                ),
            ));
            continue;
        }
        changes.push(Change {
            phase: Phase::Capacity,
            resource: res,
            action: Action::Shards {
                from: s.open_shards,
                to: want.value,
                steps,
            },
            rule: want.rule.clone(),
        });
    }

    for (name, want) in &desired.functions {
        let Some(f) = idx.functions.get(name.as_str()).copied() else {
            let rule = want
                .reserved
                .as_ref()
                .map(|w| w.rule.as_str())
                .or(Some(want.per_mapping_rule.as_str()));
            gone(&mut errors, "lambda function", name, rule);
            continue;
        };
        selected.functions += 1;
        let res = Resource::Function { name: name.clone() };
        observe_function(f, &mut observed);
        if let Some(r) = &want.reserved {
            if r.value != f.reserved {
                changes.push(Change {
                    phase: Phase::Capacity,
                    resource: res.clone(),
                    action: Action::ReservedConcurrency {
                        from: f.reserved,
                        to: r.value,
                    },
                    rule: r.rule.clone(),
                });
            }
        }
        for m in &f.mappings {
            selected.mappings += 1;
            let mres = Resource::mapping(name, m);
            let target = want
                .per_mapping
                .get(&m.uuid)
                .map(|on| (*on, want.per_mapping_rule.clone()))
                .or_else(|| want.sources.as_ref().map(|s| (s.value, s.rule.clone())));
            let Some((on, rule)) = target else { continue };
            if on != m.enabled {
                changes.push(Change {
                    phase: if on {
                        Phase::SourcesOn
                    } else {
                        Phase::SourcesOff
                    },
                    resource: mres,
                    action: Action::EventSource {
                        from: m.enabled,
                        to: on,
                    },
                    rule,
                });
            }
        }
    }

    for (name, want) in &desired.alarms {
        let Some(a) = idx.alarms.get(name.as_str()).copied() else {
            gone(
                &mut errors,
                "cloudwatch alarm",
                name,
                want.as_ref().map(|w| w.rule.as_str()),
            );
            continue;
        };
        selected.alarms += 1;
        let res = Resource::Alarm { name: name.clone() };
        observe_alarm(a, &mut observed);
        let Some(want) = want else { continue };
        if want.value != a.actions_enabled {
            changes.push(Change {
                phase: if want.value {
                    Phase::AlarmsOn
                } else {
                    Phase::AlarmsOff
                },
                resource: res,
                action: Action::AlarmActions {
                    from: a.actions_enabled,
                    to: want.value,
                },
                rule: want.rule.clone(),
            });
        }
    }

    guards::check(
        desired,
        live,
        &idx,
        ctx,
        &changes,
        &mut errors,
        &mut warnings,
    );
    changes.sort_by_cached_key(order_key);
    observed.sort();

    Plan {
        profile: name.to_string(),
        profile_sha256: sha.to_string(),
        changes,
        warnings,
        errors,
        selected,
        observed,
        cost: None,
    }
}

/// The observable values of `live`, in a stable order: what a saved plan
/// compares to decide whether the world moved since it was made.
pub fn observe(live: &Live) -> Vec<Observation> {
    let mut out = Vec::new();
    live.streams
        .iter()
        .for_each(|s| observe_stream(s, &mut out));
    live.functions
        .iter()
        .for_each(|f| observe_function(f, &mut out));
    live.alarms.iter().for_each(|a| observe_alarm(a, &mut out));
    out.sort();
    out
}

/// What is observed of each kind of resource: shared by `observe` and by
/// `diff` (for the resources a plan selects), so the two cannot drift.
fn observe_stream(s: &Stream, out: &mut Vec<Observation>) {
    let res = Resource::Stream {
        name: s.name.clone(),
    };
    out.push(obs(&res, "shards", s.open_shards));
    out.push(obs(&res, "retention_hours", s.retention_hours));
}

fn observe_function(f: &Function, out: &mut Vec<Observation>) {
    let res = Resource::Function {
        name: f.name.clone(),
    };
    out.push(obs(
        &res,
        "reserved_concurrency",
        crate::plan::show_reserved(f.reserved),
    ));
    for m in &f.mappings {
        out.push(obs(&Resource::mapping(&f.name, m), "enabled", m.enabled));
    }
}

fn observe_alarm(a: &Alarm, out: &mut Vec<Observation>) {
    let res = Resource::Alarm {
        name: a.name.clone(),
    };
    out.push(obs(&res, "actions", a.actions_enabled));
}

fn gone(errors: &mut Vec<Notice>, kind: &str, name: &str, rule: Option<&str>) {
    let from = rule
        .filter(|r| !r.is_empty())
        .map(|r| format!(" (wanted by {r})"))
        .unwrap_or_default();
    errors.push(Notice::on(
        format!("{kind} {name}"),
        format!("{kind} `{name}`{from} does not exist"),
    ));
}

fn obs(res: &Resource, attr: &str, value: impl ToString) -> Observation {
    Observation {
        resource: res.to_string(),
        attr: attr.to_string(),
        value: value.to_string(),
    }
}

/// Within the capacity phase, reservations that shrink go first so that the
/// ones that grow find room in the account's pool; then streams.
fn order_key(c: &Change) -> (Phase, u8, Resource) {
    let sub = match &c.action {
        Action::ReservedConcurrency { from, to } => {
            let grows = to.unwrap_or(0) > from.unwrap_or(0);
            if grows {
                1
            } else {
                0
            }
        }
        Action::Shards { .. } => 2,
        _ => 0,
    };
    (c.phase, sub, c.resource.clone())
}

#[cfg(test)]
mod tests;

/// Live resources by name (and streams by ARN), built once per plan so that
/// each lookup is O(1): linear scans made planning quadratic in the account.
pub(crate) struct Index<'a> {
    pub streams: std::collections::HashMap<&'a str, &'a crate::model::Stream>,
    pub stream_by_arn: std::collections::HashMap<&'a str, &'a crate::model::Stream>,
    pub functions: std::collections::HashMap<&'a str, &'a crate::model::Function>,
    pub alarms: std::collections::HashMap<&'a str, &'a crate::model::Alarm>,
}

impl<'a> Index<'a> {
    pub fn of(live: &'a Live) -> Self {
        // First one wins, as with the linear `find` it replaces.
        fn first<'a, T>(
            items: impl Iterator<Item = (&'a str, &'a T)>,
        ) -> std::collections::HashMap<&'a str, &'a T> {
            let mut m = std::collections::HashMap::new();
            for (k, v) in items {
                m.entry(k).or_insert(v);
            }
            m
        }
        Index {
            streams: first(live.streams.iter().map(|s| (s.name.as_str(), s))),
            stream_by_arn: first(live.streams.iter().map(|s| (s.arn.as_str(), s))),
            functions: first(live.functions.iter().map(|f| (f.name.as_str(), f))),
            alarms: first(live.alarms.iter().map(|a| (a.name.as_str(), a))),
        }
    }
}
