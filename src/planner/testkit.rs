//! The planner's test fixture, shared by the core's tests and the
//! services' (a service's planning tests live in its module): typed
//! builders over the generic model for the sample project's streams,
//! functions with their mappings and alarms, and helpers that plan, apply
//! and show. No server and no clock.

use crate::model::Tags;
use crate::plan::{Notice, Observation, Phase, Plan};
use crate::planner::{Context, Desired};
use crate::profile::Profile;
use chrono::{DateTime, TimeZone, Utc};
pub(crate) use fx::*;

/// Typed builders over the generic model, so that the tests read as the
/// project's resources do: streams, functions with their mappings, alarms.
pub(crate) mod fx {
    use crate::model::{self, Resource, Tags, Value};
    use crate::services::{alarms, kinesis, lambda};

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum StreamMode {
        Provisioned,
        OnDemand,
    }

    #[derive(Debug, Clone, PartialEq)]
    pub struct Stream {
        pub name: String,
        pub arn: String,
        pub mode: StreamMode,
        pub open_shards: u32,
        pub retention_hours: u32,
        pub status: String,
        pub tags: Tags,
    }

    #[derive(Debug, Clone, PartialEq)]
    pub struct Mapping {
        pub uuid: String,
        pub source_arn: String,
        pub enabled: bool,
        pub state: String,
    }

    #[derive(Debug, Clone, PartialEq)]
    pub struct Function {
        pub name: String,
        pub arn: String,
        pub reserved: Option<u32>,
        pub mappings: Vec<Mapping>,
        pub tags: Tags,
    }

    #[derive(Debug, Clone, PartialEq)]
    pub struct Alarm {
        pub name: String,
        pub arn: String,
        pub actions_enabled: bool,
        pub high_resolution: bool,
        pub tags: Tags,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct AccountFacts {
        pub unreserved_concurrency: Option<u32>,
        pub concurrency_limit: Option<u32>,
    }

    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Live {
        pub streams: Vec<Stream>,
        pub functions: Vec<Function>,
        pub alarms: Vec<Alarm>,
        pub account: AccountFacts,
    }

    impl Live {
        pub fn stream(&self, name: &str) -> Option<&Stream> {
            self.streams.iter().find(|s| s.name == name)
        }
        pub fn function(&self, name: &str) -> Option<&Function> {
            self.functions.iter().find(|f| f.name == name)
        }
        pub fn alarm(&self, name: &str) -> Option<&Alarm> {
            self.alarms.iter().find(|a| a.name == name)
        }

        pub fn model(&self) -> model::Live {
            let mut out = model::Live::default();
            for s in &self.streams {
                let mode = match s.mode {
                    StreamMode::Provisioned => "provisioned",
                    StreamMode::OnDemand => "on_demand",
                };
                let mut r = kinesis::stream(&s.name)
                    .with("shards", s.open_shards)
                    .with("retention_hours", s.retention_hours)
                    .with("mode", mode)
                    .with("status", s.status.as_str());
                r.arn = s.arn.clone();
                r.tags = s.tags.clone();
                out.resources.push(r);
            }
            for f in &self.functions {
                let mut r = lambda::function(&f.name).with("reserved_concurrency", f.reserved);
                r.arn = f.arn.clone();
                r.tags = f.tags.clone();
                out.resources.push(r);
                for m in &f.mappings {
                    out.resources.push(lambda::mapping(
                        &f.name,
                        &m.uuid,
                        &m.source_arn,
                        m.enabled,
                        &m.state,
                    ));
                }
            }
            for a in &self.alarms {
                let mut r = alarms::alarm(&a.name)
                    .with("actions", a.actions_enabled)
                    .with("high_resolution", a.high_resolution);
                r.arn = a.arn.clone();
                r.tags = a.tags.clone();
                out.resources.push(r);
            }
            let mut facts = model::Attrs::new();
            if let Some(n) = self.account.unreserved_concurrency {
                facts.insert("unreserved_concurrency".into(), Value::from(n));
            }
            if let Some(n) = self.account.concurrency_limit {
                facts.insert("concurrency_limit".into(), Value::from(n));
            }
            if !facts.is_empty() {
                out.facts.insert(lambda::NAME.into(), facts);
            }
            out
        }

        pub fn from_model(m: &model::Live) -> Live {
            let of = |kind: &'static str| m.resources.iter().filter(move |r| r.id.kind == kind);
            let streams = of(kinesis::STREAM)
                .map(|r| Stream {
                    name: r.name().into(),
                    arn: r.arn.clone(),
                    mode: if r.text("mode") == "on_demand" {
                        StreamMode::OnDemand
                    } else {
                        StreamMode::Provisioned
                    },
                    open_shards: r.u32("shards").unwrap(),
                    retention_hours: r.u32("retention_hours").unwrap(),
                    status: r.text("status").into(),
                    tags: r.tags.clone(),
                })
                .collect();
            let mapping = |r: &Resource| Mapping {
                uuid: r.name().into(),
                source_arn: r.text("source_arn").into(),
                enabled: r.flag("enabled"),
                state: if r.flag("enabled") {
                    "Enabled"
                } else {
                    "Disabled"
                }
                .into(),
            };
            let functions = of(lambda::FUNCTION)
                .map(|r| Function {
                    name: r.name().into(),
                    arn: r.arn.clone(),
                    reserved: r.u32("reserved_concurrency"),
                    mappings: of(lambda::SOURCE)
                        .filter(|m| m.parent.as_deref() == Some(r.name()))
                        .map(mapping)
                        .collect(),
                    tags: r.tags.clone(),
                })
                .collect();
            let alarms = of(alarms::ALARM)
                .map(|r| Alarm {
                    name: r.name().into(),
                    arn: r.arn.clone(),
                    actions_enabled: r.flag("actions"),
                    high_resolution: r.flag("high_resolution"),
                    tags: r.tags.clone(),
                })
                .collect();
            let fact = |k: &str| m.fact(lambda::NAME, k).as_u64().map(|n| n as u32);
            Live {
                streams,
                functions,
                alarms,
                account: AccountFacts {
                    unreserved_concurrency: fact("unreserved_concurrency"),
                    concurrency_limit: fact("concurrency_limit"),
                },
            }
        }
    }

    #[allow(dead_code)]
    pub fn value(v: impl Into<Value>) -> Value {
        v.into()
    }
}

pub(crate) fn plan(p: &Profile, live: &Live, ctx: &Context) -> Plan {
    crate::planner::plan(p, &live.model(), ctx)
}

pub(crate) fn diff(d: &Desired, live: &Live, ctx: &Context, name: &str, sha: &str) -> Plan {
    crate::planner::diff(d, &live.model(), ctx, name, sha)
}

pub(crate) fn desired_from_live(live: &Live, rule: &str) -> Desired<'static> {
    crate::planner::desired_from_live(&live.model(), rule)
}

#[allow(dead_code)]
pub(crate) fn observe(live: &Live) -> Vec<Observation> {
    crate::planner::observe(&live.model())
}

pub(crate) fn old_phase(p: Phase) -> &'static str {
    match p {
        Phase::Silence => "AlarmsOff",
        Phase::StopIntake => "SourcesOff",
        Phase::Capacity => "Capacity",
        Phase::StartIntake => "SourcesOn",
        Phase::Rearm => "AlarmsOn",
    }
}

pub(crate) const ACCOUNT: &str = "123456789012";
pub(crate) const STREAM: &str = "user-journey-analytics-events";
pub(crate) const PROCESSOR: &str = "user-journey-analytics-event-processor";
pub(crate) const EXECUTOR: &str = "user-journey-analytics-intervention-executor";
pub(crate) const API: &str = "user-journey-analytics-api";

/// The nine alarms of the sample project, in name order.
pub(crate) const ALARMS: [&str; 9] = [
    "user-journey-analytics-api-5xx",
    "user-journey-analytics-dlq-depth",
    "user-journey-analytics-events-iterator-age",
    "user-journey-analytics-events-write-throttled",
    "user-journey-analytics-executor-errors",
    "user-journey-analytics-executor-throttles",
    "user-journey-analytics-processor-duration",
    "user-journey-analytics-processor-errors",
    "user-journey-analytics-processor-throttles",
];

pub(crate) const PARKED: &str = "\
version: 1
description: Nights and weekends — lowest cost, nothing lost.
target:
  region: us-east-1
  account: \"123456789012\"
kinesis:
  - name: user-journey-analytics-events
    shards: 1
lambda:
  - names: [user-journey-analytics-event-processor, user-journey-analytics-intervention-executor]
    reserved_concurrency: 0
    event_sources: disabled
cloudwatch:
  alarms:
    - prefix: user-journey-analytics-
      actions: disabled
";

pub(crate) const RUNNING: &str = "\
version: 1
description: Working hours.
target:
  region: us-east-1
  account: \"123456789012\"
kinesis:
  - name: user-journey-analytics-events
    shards: 2
lambda:
  - names: [user-journey-analytics-event-processor, user-journey-analytics-intervention-executor]
    reserved_concurrency: none
    event_sources: enabled
cloudwatch:
  alarms:
    - prefix: user-journey-analytics-
      actions: enabled
";

// ---------------------------------------------------------------- helpers

pub(crate) fn profile_named(name: &str, yaml: &str) -> Profile {
    match Profile::parse("test.yaml", name, yaml) {
        Ok(p) => p,
        Err(e) => {
            let msgs: Vec<&str> = e.errors.iter().map(|d| d.message.as_str()).collect();
            panic!("test profile does not parse: {msgs:#?}\n{yaml}")
        }
    }
}

pub(crate) fn profile(yaml: &str) -> Profile {
    profile_named("parked", yaml)
}

pub(crate) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 10, 18, 30, 0).unwrap()
}

pub(crate) fn ctx() -> Context {
    Context::at(now())
}

pub(crate) fn kinesis_arn(name: &str) -> String {
    format!("arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/{name}")
}

pub(crate) fn sqs_arn(name: &str) -> String {
    format!("arn:aws:sqs:us-east-1:{ACCOUNT}:{name}")
}

pub(crate) fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub(crate) fn stream(name: &str, shards: u32, retention_hours: u32) -> Stream {
    Stream {
        name: name.to_string(),
        arn: kinesis_arn(name),
        mode: StreamMode::Provisioned,
        open_shards: shards,
        retention_hours,
        status: "ACTIVE".into(),
        tags: Tags::new(),
    }
}

pub(crate) fn mapping(uuid: &str, source_arn: &str, enabled: bool) -> Mapping {
    Mapping {
        uuid: uuid.to_string(),
        source_arn: source_arn.to_string(),
        enabled,
        state: if enabled { "Enabled" } else { "Disabled" }.into(),
    }
}

pub(crate) fn function(name: &str, reserved: Option<u32>, mappings: Vec<Mapping>) -> Function {
    Function {
        name: name.to_string(),
        arn: format!("arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"),
        reserved,
        mappings,
        tags: Tags::new(),
    }
}

pub(crate) fn alarm(name: &str, actions_enabled: bool) -> Alarm {
    Alarm {
        name: name.to_string(),
        arn: format!("arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{name}"),
        actions_enabled,
        high_resolution: false,
        tags: Tags::new(),
    }
}

/// The sample project in working hours, plus resources of another project
/// and one function of this project that no rule selects.
pub(crate) fn sample_running() -> Live {
    let mut alarms: Vec<Alarm> = ALARMS.iter().map(|n| alarm(n, true)).collect();
    alarms.push(alarm("billing-service-errors", true));
    Live {
        streams: vec![
            stream(STREAM, 2, 24),
            stream("billing-service-events", 4, 24),
        ],
        functions: vec![
            function(
                PROCESSOR,
                None,
                vec![mapping("uuid-processor", &kinesis_arn(STREAM), true)],
            ),
            function(
                EXECUTOR,
                None,
                vec![mapping("uuid-executor", &kinesis_arn(STREAM), true)],
            ),
            function(API, Some(20), vec![]),
            function(
                "billing-service-worker",
                None,
                vec![mapping(
                    "uuid-billing",
                    &kinesis_arn("billing-service-events"),
                    true,
                )],
            ),
        ],
        alarms,
        account: AccountFacts {
            unreserved_concurrency: Some(980),
            concurrency_limit: Some(1000),
        },
    }
}

/// What applying a plan does to live state, as the adapters would.
pub(crate) fn apply(live: &Live, plan: &Plan) -> Live {
    for c in &plan.changes {
        if c.attr == "shards" {
            assert_eq!(c.steps.last(), Some(&c.to), "{c:?}");
        }
    }
    Live::from_model(&super::after(&live.model(), plan))
}

/// One line per change: `phase resource: before -> after`.
pub(crate) fn lines(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .map(|c| {
            format!(
                "{} {}: {} -> {}",
                old_phase(c.phase),
                c.resource,
                c.before(),
                c.after()
            )
        })
        .collect()
}

pub(crate) fn phases(plan: &Plan) -> Vec<Phase> {
    let mut out: Vec<Phase> = plan.changes.iter().map(|c| c.phase).collect();
    out.dedup();
    out
}

pub(crate) fn text(notices: &[Notice]) -> String {
    notices
        .iter()
        .map(|n| n.message.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn assert_clean(plan: &Plan) {
    assert!(
        plan.errors.is_empty(),
        "unexpected errors:\n{}",
        text(&plan.errors)
    );
}

pub(crate) fn mapping_res(function: &str, _uuid: &str, source: &str) -> String {
    format!("lambda event source {function} <- {source}")
}

pub(crate) fn one_stream(shards: u32, retention: u32) -> Live {
    Live {
        streams: vec![stream("s", shards, retention)],
        ..Default::default()
    }
}

pub(crate) fn shards_profile(n: u32) -> Profile {
    profile(&format!(
        "version: 1\nkinesis:\n  - name: s\n    shards: {n}\n"
    ))
}
