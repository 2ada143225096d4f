//! Lambda: functions' reserved concurrency and their event source mappings.
//!
//! A function is selected by rules; its event source mappings (`event
//! source` resources, named by UUID) come with it. Reserved concurrency 0
//! throttles every invocation; disabling a mapping stops reading and keeps
//! its position. The account's unreserved pool is a fact the planner checks.

mod activity;
mod aws;
mod guard;
mod raw;
mod usage;

use crate::cost::money::Money;
use crate::cost::types::{Lookup, ResourceCost};
use crate::iam::statements::{any, arns, Scope, Statements};
use crate::idle::MetricQuery;
use crate::model::{show, Live, Resource, Value};
use crate::plan::{Change, Notice, Notices, Now, Phase, Want, Wave};
use crate::profile::reporter::Reporter;
use crate::profile::rule::{quoted, Rule};
use crate::service::InitParked;
use crate::service::{
    Across, Attr, Facts, Found, IdleMetric, Kind, Planned, PriceKey, Service, TerraformHint, Ty,
    Wants,
};
use raw::{RawReserved, RawRule};
use std::collections::BTreeMap;
use std::fmt::Write;

pub const NAME: &str = "lambda";
pub const FUNCTION: &str = "function";
pub const SOURCE: &str = "event source";
pub const MAX_RESERVED: i64 = 100_000;
/// AWS keeps at least this much of an account's concurrency unreserved.
pub const UNRESERVED_FLOOR: i64 = 100;

pub const LAMBDA_NOTE: &str =
    "Lambda costs only when invoked: reserved concurrency changes save nothing directly, idle functions cost $0";

/// A function's attribute is `reserved_concurrency` (`null`: unreserved);
/// an event source's are `enabled`, `state` and `source_arn`.
pub struct Lambda;

impl super::Section for Lambda {
    type Raw = Vec<RawRule>;

    fn build(raw: Vec<RawRule>, cx: &mut Reporter) -> Vec<Rule> {
        let mut rules = Vec::new();
        for (i, r) in raw.into_iter().enumerate() {
            let path = format!("lambda[{i}]");
            let selector = cx.selector(&path, r.name, r.names, r.prefix, r.tags);
            if r.reserved_concurrency.is_none() && r.event_sources.is_none() {
                cx.nothing_set(&path, "`reserved_concurrency` or `event_sources`");
            }
            let mut attrs = BTreeMap::new();
            match r.reserved_concurrency {
                None => {}
                Some(RawReserved::None) => {
                    attrs.insert("reserved_concurrency".into(), Value::Null);
                }
                Some(RawReserved::Number(n)) => {
                    let ok = cx.in_range(
                        &format!("{path}.reserved_concurrency"),
                        n,
                        0..=MAX_RESERVED,
                        &format!("reserved_concurrency must be between 0 and {MAX_RESERVED} or `none`, not {n}"),
                        "0 throttles every invocation; `none` removes the reservation",
                    );
                    if let Some(n) = ok {
                        attrs.insert("reserved_concurrency".into(), Value::from(n));
                    }
                }
            }
            if let Some(t) = r.event_sources {
                attrs.insert("event_sources".into(), Value::Bool(t.is_on()));
            }
            rules.push(cx.rule(NAME, &path, selector, attrs));
        }
        rules
    }
}

const KINDS: &[Kind] = &[
    Kind {
        name: FUNCTION,
        selectable: true,
        observed: &["reserved_concurrency"],
        managed: &["reserved_concurrency"],
    },
    Kind {
        name: SOURCE,
        selectable: false,
        observed: &["enabled"],
        managed: &["enabled"],
    },
];

const ATTRS: &[Attr] = &[
    Attr {
        key: "reserved_concurrency",
        kind: FUNCTION,
        attr: "reserved_concurrency",
    },
    Attr {
        key: "event_sources",
        kind: SOURCE,
        attr: "enabled",
    },
];

/// Recorded for reference only: both are usage, so an idle function costs
/// nothing whatever its settings.
const PRICES: &[PriceKey] = &[
    PriceKey {
        key: "gb_second_arm64",
        unit: "GB-second",
        label: "Lambda GB-second (arm64)",
        everywhere: true,
    },
    PriceKey {
        key: "logs_ingested_gb",
        unit: "GB",
        label: "CloudWatch Logs ingestion GB",
        everywhere: true,
    },
    PriceKey {
        key: "logs_stored_gb_month",
        unit: "GB-month",
        label: "CloudWatch Logs storage GB-month",
        everywhere: true,
    },
    PriceKey {
        key: "requests",
        unit: "1M requests",
        label: "Lambda requests",
        everywhere: true,
    },
    PriceKey {
        key: "gb_second",
        unit: "GB-second",
        label: "Lambda GB-second",
        everywhere: true,
    },
];

/// A reservation as a number, unreserved counting as 0.
fn reserved(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

/// What the core knows of this service without asking it anything.
static FACTS: Facts = Facts {
    name: NAME,
    kinds: KINDS,
    attrs: ATTRS,
    types: &[
        ("reserved_concurrency", Ty::CountOrNone),
        ("enabled", Ty::Flag),
    ],
    prices: PRICES,
    writes: &[
        "PutFunctionConcurrency",
        "DeleteFunctionConcurrency",
        "UpdateEventSourceMapping",
    ],
    request_keys: &[],
    // The Lambda control plane (all but Invoke, GetFunction, GetPolicy).
    pace: (NAME, 15),
};

impl Service for Lambda {
    fn facts(&self) -> &'static Facts {
        &FACTS
    }

    fn plan(
        &self,
        live: &Resource,
        attr: &str,
        want: &Want,
        _wants: &Wants,
        _ctx: &Now,
    ) -> Planned {
        let from = live.get(attr).clone();
        let (phase, wave) = if live.id.kind == SOURCE {
            let on = want.value.as_bool().unwrap_or(false);
            (
                if on {
                    Phase::StartIntake
                } else {
                    Phase::StopIntake
                },
                Wave::FREE,
            )
        } else {
            // Reservations that shrink go first, so that the ones that grow
            // find room in the account's pool.
            let grows = reserved(&want.value) > reserved(&from);
            (Phase::Capacity, if grows { Wave::TAKE } else { Wave::FREE })
        };
        Planned::Change(Box::new(Change::new(
            phase,
            wave,
            live.id.clone(),
            attr,
            from,
            want.value.clone(),
            want.rule,
        )))
    }

    fn check(&self, live: &Live, _found: &dyn Found, changes: &[Change], out: &mut Notices) {
        unreserved_floor(live, changes, out);
    }

    fn guard(&self, plan: &Across, out: &mut Notices) {
        guard::throttled_consumers(plan, out);
    }

    fn parks<'a>(&self, c: &Change, live: &'a dyn Found) -> Option<&'a Resource> {
        guard::parks(c, live)
    }

    fn needs_facts(&self, rule: &Rule) -> bool {
        rule.get("reserved_concurrency").is_some()
    }

    fn cost(&self, r: &Resource, lookup: &mut Lookup) -> Option<ResourceCost> {
        if r.id.kind != FUNCTION {
            return None;
        }
        if !r.attrs.contains_key("usage") {
            // Recorded without usage (state from before usage was read, or
            // a hand-made live file): what it costs idle.
            lookup.note(LAMBDA_NOTE);
            let basis = "billed per request and GB-second only: $0 while idle".to_string();
            return Some(ResourceCost::new(&r.id, basis, Some(Money::ZERO)));
        }
        let inv = usage::invocations(r, lookup);
        let logs = usage::logs(r, lookup);
        if inv.month == Some(Money::ZERO) {
            lookup.note(LAMBDA_NOTE);
        }
        let month = inv.month.zip(logs.month).map(|(a, b)| a + b);
        let parts = vec![("requests and duration", inv.month), ("logs", logs.month)];
        Some(
            ResourceCost::new(&r.id, format!("{} + {}", inv.basis, logs.basis), month)
                .with_parts(parts),
        )
    }

    fn idle(&self, r: &Resource) -> Option<IdleMetric> {
        (r.id.kind == FUNCTION).then(|| IdleMetric {
            queries: vec![MetricQuery::of(
                "AWS/Lambda",
                "Invocations",
                "FunctionName",
                r.name(),
            )],
            quiet: "no invocations",
            free_when_idle: Some("it costs nothing while idle (Lambda bills per invocation)"),
            busy_above: None,
        })
    }

    /// A function bills by invocations and duration, its log group by
    /// the bytes it ingests.
    fn has_usage(&self) -> bool {
        true
    }

    fn usage(&self, r: &Resource) -> Vec<(&'static str, MetricQuery)> {
        if r.id.kind != FUNCTION {
            return vec![];
        }
        let f = |m| MetricQuery::of("AWS/Lambda", m, "FunctionName", r.name());
        let group = r.text("log_group");
        vec![
            ("invocations", f("Invocations")),
            ("duration_ms", f("Duration")),
            (
                "log_incoming_bytes",
                MetricQuery::of("AWS/Logs", "IncomingBytes", "LogGroupName", group),
            ),
        ]
    }

    fn summary(&self, resources: &[&Resource]) -> Vec<String> {
        functions(resources)
            .map(|(f, sources)| {
                let on = sources.iter().filter(|m| m.flag("enabled")).count();
                format!(
                    "lambda function  {:<48} reserved {}, event sources {on}/{} enabled",
                    f.name(),
                    show(f.get("reserved_concurrency")),
                    sources.len()
                )
            })
            .collect()
    }

    fn capture(&self, resources: &[&Resource]) -> String {
        let mut s = String::from("lambda:\n");
        for (f, sources) in functions(resources) {
            let _ = writeln!(s, "  - name: {}", quoted(f.name()));
            let _ = writeln!(
                s,
                "    reserved_concurrency: {}",
                show(f.get("reserved_concurrency"))
            );
            let on = sources.iter().filter(|m| m.flag("enabled")).count();
            if !sources.is_empty() && (on == 0 || on == sources.len()) {
                let _ = writeln!(s, "    event_sources: {}", show(&Value::Bool(on > 0)));
            } else if !sources.is_empty() {
                let _ = writeln!(
                    s,
                    "    # event sources are mixed ({on} of {} enabled): not captured",
                    sources.len()
                );
            }
        }
        s
    }

    /// Parked: reserved concurrency 0 (every invocation throttled, nothing
    /// runs) with the event sources disabled first, so that no stream's
    /// records are retried until they expire.
    fn init_parked(&self, resources: &[&Resource]) -> InitParked {
        let names: Vec<String> = resources
            .iter()
            .filter(|r| r.id.kind == FUNCTION)
            .map(|r| format!("      - {}", crate::profile::rule::quoted(r.name())))
            .collect();
        let section = if names.is_empty() {
            String::new()
        } else {
            format!(
                "lambda:\n  - names:\n{}\n    reserved_concurrency: 0        # 0 throttles every invocation\n    event_sources: disabled        # stop reading first: the mapping keeps its position\n",
                names.join("\n")
            )
        };
        InitParked {
            section,
            left_out: vec![],
        }
    }

    fn iam(&self, rules: &[&Rule], scope: &Scope, st: &mut Statements) {
        st.add(
            &[
                "lambda:ListFunctions",
                "lambda:ListEventSourceMappings",
                "lambda:GetAccountSettings",
            ],
            &any(),
        );
        // What a busy function costs: its metrics and its log groups'
        // stored bytes (neither takes resource-level scoping for reads of
        // many at once).
        st.add(
            &[crate::aws::metrics::IAM_READ, "logs:DescribeLogGroups"],
            &any(),
        );
        let base = format!("{}function:", scope.arn(NAME));
        let mut mapping_fns = Vec::new();
        for rule in rules {
            let res = arns(&rule.selector, &base);
            st.add(&["lambda:GetFunctionConcurrency"], &res);
            if rule.selector.needs_tags() {
                st.add(&["lambda:ListTags"], &res);
                // Tags of many functions at once; GetResources takes no
                // resource-level scoping.
                st.add(&["tag:GetResources"], &any());
            }
            match rule.get("reserved_concurrency") {
                Some(Value::Null) => st.add(&["lambda:DeleteFunctionConcurrency"], &res),
                Some(_) => st.add(&["lambda:PutFunctionConcurrency"], &res),
                None => {}
            }
            if rule.get("event_sources").is_some() {
                mapping_fns.extend(res);
            }
        }
        if !mapping_fns.is_empty() {
            // UpdateEventSourceMapping is authorized on the mapping, whose ARN
            // holds a UUID; the condition key ties it to the functions instead.
            st.conditioned(
                "ParkctlEventSources",
                "lambda:UpdateEventSourceMapping",
                "lambda:FunctionArn",
                &mapping_fns,
            );
        }
    }

    fn terraform(&self, rules: &[&Rule]) -> Vec<TerraformHint> {
        let mut out = Vec::new();
        if rules
            .iter()
            .any(|r| r.get("reserved_concurrency").is_some())
        {
            out.push(TerraformHint {
                resource: "aws_lambda_function",
                attributes: &["reserved_concurrent_executions"],
                note: "parking throttles the function (0) or lifts its reservation",
            });
        }
        if rules.iter().any(|r| r.get("event_sources").is_some()) {
            out.push(TerraformHint {
                resource: "aws_lambda_event_source_mapping",
                attributes: &["enabled"],
                note: "parking disables the mapping (it keeps its position)",
            });
        }
        out
    }

    fn upgrade_v1(&self, live: &serde_json::Value) -> Vec<Resource> {
        let mut out = Vec::new();
        for f in live["functions"].as_array().into_iter().flatten() {
            let name = f["name"].as_str().unwrap_or_default();
            let mut r = function(name).with("reserved_concurrency", f["reserved"].clone());
            r.arn = f["arn"].as_str().unwrap_or_default().to_string();
            r.tags = serde_json::from_value(f["tags"].clone()).unwrap_or_default();
            out.push(r);
            for m in f["mappings"].as_array().into_iter().flatten() {
                out.push(mapping(
                    name,
                    m["uuid"].as_str().unwrap_or_default(),
                    m["source_arn"].as_str().unwrap_or_default(),
                    m["enabled"].as_bool().unwrap_or(false),
                    m["state"].as_str().unwrap_or_default(),
                ));
            }
        }
        out
    }

    fn upgrade_v1_change(&self, c: &serde_json::Value) -> Option<Change> {
        let text = |k: &str| c[k].as_str().unwrap_or_default().to_string();
        let (resource, attr, phase, wave) = match c["kind"].as_str()? {
            "function" => {
                let grows = reserved(&c["to"]) > reserved(&c["from"]);
                (
                    function(&text("name")).id,
                    "reserved_concurrency",
                    Phase::Capacity,
                    if grows { Wave::TAKE } else { Wave::FREE },
                )
            }
            "mapping" => {
                let mut id = Resource::new(NAME, SOURCE, &text("uuid")).id;
                id.label = Some(format!("{} <- {}", text("function"), text("source")));
                let on = c["to"].as_bool().unwrap_or(false);
                (
                    id,
                    "enabled",
                    if on {
                        Phase::StartIntake
                    } else {
                        Phase::StopIntake
                    },
                    Wave::FREE,
                )
            }
            _ => return None,
        };
        Some(Change::new(
            phase,
            wave,
            resource,
            attr,
            c["from"].clone(),
            c["to"].clone(),
            crate::model::intern(&text("rule")),
        ))
    }
}

/// Each function with its event sources.
fn functions<'a>(
    resources: &'a [&'a Resource],
) -> impl Iterator<Item = (&'a Resource, Vec<&'a Resource>)> + 'a {
    resources
        .iter()
        .filter(|r| r.id.kind == FUNCTION)
        .map(move |f| {
            let sources = resources
                .iter()
                .filter(|m| m.id.kind == SOURCE && m.parent.as_deref() == Some(f.name()))
                .copied()
                .collect();
            (*f, sources)
        })
}

/// AWS refuses a reservation that would leave fewer than 100 unreserved.
fn unreserved_floor(live: &Live, changes: &[Change], out: &mut Notices) {
    let delta: i64 = changes
        .iter()
        .filter(|c| c.resource.service == NAME && c.attr == "reserved_concurrency")
        .map(|c| reserved(&c.to) - reserved(&c.from))
        .sum();
    if delta <= 0 {
        return;
    }
    match live.fact(NAME, "unreserved_concurrency").as_i64() {
        Some(now) => {
            let after = now - delta;
            if after < UNRESERVED_FLOOR {
                out.errors.push(Notice::new(format!(
                    "the plan reserves {delta} more concurrency, leaving {after} unreserved in the account; AWS keeps at least {UNRESERVED_FLOOR} unreserved (now {now}). Lower the reservations or raise the account's concurrency quota"
                )));
            }
        }
        None => out.warnings.push(Notice::new(format!(
            "could not read the account's unreserved concurrency (GetAccountSettings); the plan reserves {delta} more, which AWS refuses if fewer than {UNRESERVED_FLOOR} would stay unreserved"
        ))),
    }
}

/// A function resource without attributes.
pub fn function(name: &str) -> Resource {
    Resource::new(NAME, FUNCTION, name)
}

/// An event source mapping of `function`.
pub fn mapping(
    function: &str,
    uuid: &str,
    source_arn: &str,
    enabled: bool,
    state: &str,
) -> Resource {
    let mut r = Resource::new(NAME, SOURCE, uuid)
        .with("enabled", enabled)
        .with("state", state)
        .with("source_arn", source_arn);
    r.id.label = Some(format!("{function} <- {}", source_name(source_arn)));
    r.parent = Some(function.to_string());
    r
}

/// The short name of a mapping's source (stream, table or queue).
pub fn source_name(arn: &str) -> &str {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or(arn);
    let mut parts = resource.split('/');
    match (parts.next(), parts.next()) {
        (Some("stream") | Some("table"), Some(name)) => name,
        _ => resource,
    }
}

#[cfg(test)]
mod tests;
