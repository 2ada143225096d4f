//! The planner's test fixture, shared by the core's tests and the
//! services' (a service's planning tests live in its module): profiles
//! from YAML text, the sample project as a generic `model::Live` built
//! from the services' own constructors, helpers to read and change a
//! resource by kind and name, and helpers that plan, apply and show. No
//! server and no clock. Service-specific builders (a stream of N shards, a
//! function with a reservation) live in the services' test modules.

pub(crate) use crate::model::{Live, Resource, Tags, Value};
use crate::plan::{Notice, Phase, Plan};
pub(crate) use crate::planner::{desired_from_live, diff, plan, Now};
use crate::profile::Profile;
use crate::services::{alarms, kinesis, lambda};
use chrono::{DateTime, TimeZone, Utc};

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

pub(crate) fn ctx() -> Now {
    Now::at(now())
}

pub(crate) fn value(v: impl Into<Value>) -> Value {
    v.into()
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

// ------------------------------------------------- resources in a live state

/// A resource built by its service's constructor, with the ARN a read
/// would fill in: `kinesis::stream("s").with("shards", 2).at(arn)`.
pub(crate) trait WithArn {
    fn at(self, arn: impl Into<String>) -> Self;
}

impl WithArn for Resource {
    fn at(mut self, arn: impl Into<String>) -> Resource {
        self.arn = arn.into();
        self
    }
}

/// A live state of these resources and no account facts.
pub(crate) fn live_of(resources: impl IntoIterator<Item = Resource>) -> Live {
    Live {
        resources: resources.into_iter().collect(),
        ..Live::default()
    }
}

/// Where the one resource of `kind` named `name` is in `live`, of any
/// service; panics when there is none or more than one.
fn position(live: &Live, kind: &str, name: &str) -> usize {
    let mut at = live
        .resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.id.kind == kind && r.name() == name)
        .map(|(i, _)| i);
    match (at.next(), at.next()) {
        (Some(i), None) => i,
        (None, _) => panic!("no {kind} `{name}` in the live state"),
        (Some(_), Some(_)) => panic!("more than one {kind} `{name}` in the live state"),
    }
}

/// The resource of `kind` named `name` (`res(&live, "stream", STREAM)`).
pub(crate) fn res<'a>(live: &'a Live, kind: &str, name: &str) -> &'a Resource {
    &live.resources[position(live, kind, name)]
}

pub(crate) fn res_mut<'a>(live: &'a mut Live, kind: &str, name: &str) -> &'a mut Resource {
    let i = position(live, kind, name);
    &mut live.resources[i]
}

/// Sets one attribute of the resource of `kind` named `name`.
pub(crate) fn set(live: &mut Live, kind: &str, name: &str, attr: &str, v: impl Into<Value>) {
    res_mut(live, kind, name)
        .attrs
        .insert(attr.to_string(), v.into());
}

// ------------------------------------------------------ the sample project

/// The sample project in working hours, plus resources of another project
/// and one function of this project that no rule selects.
pub(crate) fn sample_running() -> Live {
    let stream = |name: &str, shards: u32| {
        kinesis::stream(name)
            .with("shards", shards)
            .with("retention_hours", 24)
            .with("mode", "provisioned")
            .with("status", "ACTIVE")
            .at(kinesis_arn(name))
    };
    let function = |name: &str, reserved: Option<u32>| {
        lambda::function(name)
            .with("reserved_concurrency", reserved)
            .at(format!(
                "arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"
            ))
    };
    let mapping = |function: &str, uuid: &str, stream: &str| {
        lambda::mapping(function, uuid, &kinesis_arn(stream), true, "Enabled")
    };
    let alarm = |name: &str| {
        alarms::alarm(name)
            .with("actions", true)
            .with("high_resolution", false)
            .at(format!(
                "arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:{name}"
            ))
    };
    let mut live = live_of([
        stream(STREAM, 2),
        stream("billing-service-events", 4),
        function(PROCESSOR, None),
        mapping(PROCESSOR, "uuid-processor", STREAM),
        function(EXECUTOR, None),
        mapping(EXECUTOR, "uuid-executor", STREAM),
        function(API, Some(20)),
        function("billing-service-worker", None),
        mapping(
            "billing-service-worker",
            "uuid-billing",
            "billing-service-events",
        ),
    ]);
    live.resources.extend(ALARMS.iter().map(|a| alarm(a)));
    live.resources.push(alarm("billing-service-errors"));
    live.facts.insert(
        lambda::NAME.into(),
        [
            ("unreserved_concurrency".to_string(), value(980)),
            ("concurrency_limit".to_string(), value(1000)),
        ]
        .into(),
    );
    live
}

// ------------------------------------------------------------- plans shown

/// What applying a plan does to live state, as the adapters would.
pub(crate) fn apply(live: &Live, plan: &Plan) -> Live {
    for c in &plan.changes {
        if c.attr == "shards" {
            assert_eq!(c.steps.last(), Some(&c.to), "{c:?}");
        }
    }
    super::after(live, plan)
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

/// How plans name an event source mapping of `function` reading `source`.
pub(crate) fn mapping_res(function: &str, _uuid: &str, source: &str) -> String {
    format!("lambda event source {function} <- {source}")
}
