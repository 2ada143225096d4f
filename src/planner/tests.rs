//! Unit tests of the pure planner: profiles parsed from YAML text, live
//! state built by hand as generic resources (`model::Resource`, made by
//! the services' own constructors), no server and no clock. A service's
//! own planning rules are tested in its module, on the same fixture
//! (`testkit`).

use super::testkit::*;
use crate::plan::{Change, Notice, Observation, Phase};
use crate::profile::Profile;
use crate::services::{alarms, kinesis, lambda};

// ------------------------------------------------------ the sample project

fn expected_parked_lines() -> Vec<String> {
    let mut want: Vec<String> = ALARMS
        .iter()
        .map(|a| format!("AlarmsOff cloudwatch alarm {a}: enabled -> disabled"))
        .collect();
    want.push(format!(
        "SourcesOff {}: enabled -> disabled",
        mapping_res(PROCESSOR, "uuid-processor", STREAM)
    ));
    want.push(format!(
        "SourcesOff {}: enabled -> disabled",
        mapping_res(EXECUTOR, "uuid-executor", STREAM)
    ));
    want.push(format!("Capacity lambda function {PROCESSOR}: none -> 0"));
    want.push(format!("Capacity lambda function {EXECUTOR}: none -> 0"));
    want.push(format!("Capacity kinesis stream {STREAM}: 2 -> 1"));
    want
}

fn expected_running_lines() -> Vec<String> {
    let mut want = vec![
        format!("Capacity lambda function {PROCESSOR}: 0 -> none"),
        format!("Capacity lambda function {EXECUTOR}: 0 -> none"),
        format!("Capacity kinesis stream {STREAM}: 1 -> 2"),
        format!(
            "SourcesOn {}: disabled -> enabled",
            mapping_res(PROCESSOR, "uuid-processor", STREAM)
        ),
        format!(
            "SourcesOn {}: disabled -> enabled",
            mapping_res(EXECUTOR, "uuid-executor", STREAM)
        ),
    ];
    want.extend(
        ALARMS
            .iter()
            .map(|a| format!("AlarmsOn cloudwatch alarm {a}: disabled -> enabled")),
    );
    want
}

#[test]
fn sample_project_parks_in_safe_order() {
    let live = sample_running();
    let plan = plan(&profile(PARKED), &live, &ctx());
    assert_clean(&plan);
    assert_eq!(lines(&plan), expected_parked_lines());
    assert_eq!(
        phases(&plan),
        vec![Phase::Silence, Phase::StopIntake, Phase::Capacity]
    );
    assert_eq!(plan.changes.len(), 14);
    assert_eq!(plan.profile, "parked");
    assert_eq!(
        plan.profile_sha256,
        crate::profile::sha256_hex(PARKED.as_bytes())
    );
    assert_eq!(
        plan.selected,
        [
            ("cloudwatch alarm".to_string(), 9),
            ("kinesis stream".to_string(), 1),
            ("lambda event source".to_string(), 2),
            ("lambda function".to_string(), 2),
        ]
        .into()
    );

    let shards = plan.changes.iter().find(|c| c.attr == "shards").unwrap();
    assert_eq!(
        (&shards.from, &shards.to, &shards.steps),
        (&value(2), &value(1), &vec![value(1)])
    );
    assert_eq!(shards.rule, "kinesis[0] (line 7)");
    for c in plan
        .changes
        .iter()
        .filter(|c| c.resource.service == "lambda")
    {
        assert_eq!(c.rule, "lambda[0] (line 10)", "{c:?}");
    }
    for c in plan.changes.iter().filter(|c| c.phase == Phase::Silence) {
        assert_eq!(c.rule, "cloudwatch.alarms[0] (line 15)", "{c:?}");
    }
}

#[test]
fn sample_project_round_trip() {
    let running = sample_running();
    let parked_plan = plan(&profile(PARKED), &running, &ctx());
    assert_clean(&parked_plan);
    let parked = apply(&running, &parked_plan);

    // Parked twice: nothing left to do.
    let again = plan(&profile(PARKED), &parked, &ctx());
    assert_clean(&again);
    assert!(again.is_empty(), "{:#?}", lines(&again));

    // Back to running, in the mirror order.
    let running_plan = plan(&profile_named("running", RUNNING), &parked, &ctx());
    assert_clean(&running_plan);
    assert_eq!(lines(&running_plan), expected_running_lines());
    assert_eq!(
        phases(&running_plan),
        vec![Phase::Capacity, Phase::StartIntake, Phase::Rearm]
    );
    assert_eq!(apply(&parked, &running_plan), running);

    let settled = plan(&profile_named("running", RUNNING), &running, &ctx());
    assert_clean(&settled);
    assert!(settled.is_empty(), "{:#?}", lines(&settled));
}

#[test]
fn running_direction_has_no_parking_warnings() {
    let parked = apply(
        &sample_running(),
        &plan(&profile(PARKED), &sample_running(), &ctx()),
    );
    let p = plan(&profile_named("running", RUNNING), &parked, &ctx());
    assert_clean(&p);
    // Growing the stream still counts against the daily scaling calls, but
    // nothing is parked, so no retention warning.
    assert!(
        !text(&p.warnings).contains("keeps records for"),
        "{}",
        text(&p.warnings)
    );
    assert!(text(&p.warnings).contains("UpdateShardCount"));
}

#[test]
fn order_comes_from_the_changes_not_the_profile_name() {
    let running = sample_running();
    let parked_named_running = plan(&profile_named("running", PARKED), &running, &ctx());
    assert_eq!(lines(&parked_named_running), expected_parked_lines());
    assert_eq!(parked_named_running.profile, "running");

    let parked = apply(&running, &parked_named_running);
    let running_named_parked = plan(&profile_named("parked", RUNNING), &parked, &ctx());
    assert_eq!(lines(&running_named_parked), expected_running_lines());
}

#[test]
fn mixed_directions_in_one_plan_keep_all_five_phases() {
    // One alarm goes off, another on; one mapping stops, another starts.
    let live = live_of([
        kinesis::stream("s")
            .with("shards", 4)
            .with("retention_hours", 168)
            .with("mode", "provisioned")
            .with("status", "ACTIVE")
            .at(kinesis_arn("s")),
        lambda::function("f-stop").with("reserved_concurrency", Value::Null),
        lambda::mapping("f-stop", "u-stop", &sqs_arn("q1"), true, "Enabled"),
        lambda::function("f-start").with("reserved_concurrency", Value::Null),
        lambda::mapping("f-start", "u-start", &sqs_arn("q2"), false, "Disabled"),
        alarms::alarm("a-off").with("actions", true),
        alarms::alarm("a-on").with("actions", false),
    ]);
    let p = plan(
        &profile(
            "version: 1
kinesis:
  - name: s
    shards: 2
lambda:
  - name: f-stop
    event_sources: disabled
  - name: f-start
    event_sources: enabled
cloudwatch:
  alarms:
    - name: a-on
      actions: enabled
    - name: a-off
      actions: disabled
",
        ),
        &live,
        &ctx(),
    );
    assert_clean(&p);
    assert_eq!(phases(&p), Phase::ALL.to_vec());
    assert_eq!(
        lines(&p),
        vec![
            "AlarmsOff cloudwatch alarm a-off: enabled -> disabled".to_string(),
            format!(
                "SourcesOff {}: enabled -> disabled",
                mapping_res("f-stop", "u-stop", "q1")
            ),
            "Capacity kinesis stream s: 4 -> 2".to_string(),
            format!(
                "SourcesOn {}: disabled -> enabled",
                mapping_res("f-start", "u-start", "q2")
            ),
            "AlarmsOn cloudwatch alarm a-on: disabled -> enabled".to_string(),
        ]
    );
}

// --------------------------------------------------------------- selection

#[test]
fn resources_no_rule_selects_are_untouched_and_unobserved() {
    let live = sample_running();
    let p = plan(&profile(PARKED), &live, &ctx());
    for c in &p.changes {
        let name = c.resource.to_string();
        assert!(
            !name.contains("billing-service"),
            "touches another project: {c:?}"
        );
        assert_ne!(c.resource, lambda::function(API).id);
    }
    for o in &p.observed {
        assert!(
            !o.resource.contains("billing-service"),
            "observes another project: {o:?}"
        );
        assert_ne!(
            o.resource,
            format!("lambda function {API}"),
            "observes an unselected function"
        );
    }
    // And what was left alone is still as it was after applying.
    let after = apply(&live, &p);
    for (kind, name) in [
        ("stream", "billing-service-events"),
        ("function", "billing-service-worker"),
        ("event source", "uuid-billing"),
        ("function", API),
        ("alarm", "billing-service-errors"),
    ] {
        assert_eq!(res(&after, kind, name), res(&live, kind, name));
    }
}

#[test]
fn a_named_resource_that_does_not_exist_is_an_error() {
    let p = plan(
        &profile(
            "version: 1
kinesis:
  - name: no-such-stream
    shards: 1
lambda:
  - names: [user-journey-analytics-event-processor, no-such-function]
    event_sources: disabled
cloudwatch:
  alarms:
    - name: no-such-alarm
      actions: disabled
",
        ),
        &sample_running(),
        &ctx(),
    );
    let errors = text(&p.errors);
    assert!(p.has_errors());
    assert!(
        errors.contains(
            "kinesis stream `no-such-stream` named by rule kinesis[0] (line 3) does not exist"
        ),
        "{errors}"
    );
    assert!(
        errors.contains(
            "lambda function `no-such-function` named by rule lambda[0] (line 6) does not exist"
        ),
        "{errors}"
    );
    assert!(errors.contains("cloudwatch alarm `no-such-alarm` named by rule cloudwatch.alarms[0] (line 10) does not exist"), "{errors}");
    assert_eq!(p.errors.len(), 3, "{errors}");
    assert_eq!(
        p.errors[0].resource.as_deref(),
        Some("kinesis stream no-such-stream")
    );
    // The function that does exist is still planned (apply refuses anyway).
    assert_eq!(p.changes.len(), 1);
    // A missing name is an error, not also a "selects nothing" warning.
    assert!(
        !text(&p.warnings).contains("selects no"),
        "{}",
        text(&p.warnings)
    );
}

#[test]
fn a_selector_that_matches_nothing_is_a_warning() {
    let p = plan(
        &profile(
            "version: 1
kinesis:
  - prefix: nothing-here-
    shards: 1
lambda:
  - tags: {team: nobody}
    reserved_concurrency: 0
    event_sources: disabled
cloudwatch:
  alarms:
    - prefix: nothing-here-
      actions: disabled
",
        ),
        &sample_running(),
        &ctx(),
    );
    assert_clean(&p);
    assert!(p.is_empty());
    let w = text(&p.warnings);
    assert!(
        w.contains("rule kinesis[0] (line 3) (prefix nothing-here-) selects no kinesis stream"),
        "{w}"
    );
    assert!(
        w.contains("rule lambda[0] (line 6) (tags {team=nobody}) selects no lambda function"),
        "{w}"
    );
    assert!(w.contains("rule cloudwatch.alarms[0] (line 11) (prefix nothing-here-) selects no cloudwatch alarm"), "{w}");
    assert_eq!(p.warnings.len(), 3, "{w}");
    assert!(p.selected.is_empty(), "{:?}", p.selected);
}

#[test]
fn overlapping_rules_with_different_values_are_an_error_naming_both() {
    let p = plan(
        &profile(
            "version: 1
cloudwatch:
  alarms:
    - prefix: user-journey-analytics-
      actions: disabled
    - prefix: user-journey-analytics-processor-
      actions: enabled
lambda:
  - prefix: user-journey-analytics-
    reserved_concurrency: 0
    event_sources: disabled
  - tags: {tier: critical}
    reserved_concurrency: 5
",
        ),
        &{
            let mut live = sample_running();
            res_mut(&mut live, "function", PROCESSOR).tags = tags(&[("tier", "critical")]);
            live
        },
        &ctx(),
    );
    let errors = text(&p.errors);
    for a in ALARMS.iter().filter(|a| a.contains("-processor-")) {
        assert!(
            errors.contains(&format!(
                "rules cloudwatch.alarms[0] (line 4) and cloudwatch.alarms[1] (line 6) both set actions of cloudwatch alarm {a}, to disabled and enabled"
            )),
            "{errors}"
        );
    }
    assert!(
        errors.contains(&format!(
            "rules lambda[0] (line 9) and lambda[1] (line 12) both set reserved_concurrency of lambda function {PROCESSOR}, to 0 and 5"
        )),
        "{errors}"
    );
    // Three processor alarms and one function: nothing else conflicts.
    assert_eq!(p.errors.len(), 4, "{errors}");
}

#[test]
fn overlapping_rules_with_the_same_values_are_fine() {
    let p = plan(
        &profile(
            "version: 1
cloudwatch:
  alarms:
    - prefix: user-journey-analytics-
      actions: disabled
    - prefix: user-journey-analytics-processor-
      actions: disabled
lambda:
  - prefix: user-journey-analytics-
    event_sources: disabled
  - names: [user-journey-analytics-event-processor, user-journey-analytics-intervention-executor]
    reserved_concurrency: 0
    event_sources: disabled
",
        ),
        &sample_running(),
        &ctx(),
    );
    assert_clean(&p);
    // Each resource changes once, credited to the first rule that set it.
    assert_eq!(
        p.changes
            .iter()
            .filter(|c| c.phase == Phase::Silence)
            .count(),
        9
    );
    let processor_alarm = p
        .changes
        .iter()
        .find(|c| c.resource == alarms::alarm(ALARMS[8]).id)
        .unwrap();
    assert_eq!(processor_alarm.rule, "cloudwatch.alarms[0] (line 4)");
    assert_eq!(
        p.changes
            .iter()
            .filter(|c| c.phase == Phase::StopIntake)
            .count(),
        2
    );
    assert_eq!(
        p.changes
            .iter()
            .filter(|c| c.phase == Phase::Capacity)
            .count(),
        2
    );
}

#[test]
fn tag_selectors_match_all_given_tags_and_combine_with_prefix() {
    let mut live = sample_running();
    for (kind, name, pairs) in [
        ("stream", STREAM, &[("project", "uja"), ("env", "dev")][..]),
        (
            "stream",
            "billing-service-events",
            &[("project", "billing"), ("env", "dev")],
        ),
        (
            "function",
            PROCESSOR,
            &[("project", "uja"), ("park", "yes")],
        ),
        ("function", EXECUTOR, &[("project", "uja")]), // no `park` tag
        (
            "function",
            "billing-service-worker",
            &[("project", "billing"), ("park", "yes")],
        ),
    ] {
        res_mut(&mut live, kind, name).tags = tags(pairs);
    }
    // Every other alarm of the project; not the other project's.
    for a in ALARMS.iter().step_by(2) {
        res_mut(&mut live, "alarm", a).tags = tags(&[("project", "uja")]);
    }
    let p = plan(
        &profile(
            "version: 1
kinesis:
  - tags: {env: dev, project: uja}
    shards: 1
lambda:
  - prefix: user-journey-analytics-
    tags: {park: \"yes\"}
    event_sources: disabled
cloudwatch:
  alarms:
    - tags: {project: uja}
      actions: disabled
",
        ),
        &live,
        &ctx(),
    );
    assert_clean(&p);
    let touched: Vec<String> = p.changes.iter().map(|c| c.resource.to_string()).collect();
    assert!(
        touched.contains(&format!("kinesis stream {STREAM}")),
        "{touched:#?}"
    );
    assert!(
        !touched.iter().any(|t| t.contains("billing-service")),
        "{touched:#?}"
    );
    assert!(
        touched.contains(&mapping_res(PROCESSOR, "uuid-processor", STREAM)),
        "{touched:#?}"
    );
    assert!(
        !touched.iter().any(|t| t.contains(EXECUTOR)),
        "{touched:#?}"
    );
    // Alarms 0, 2, 4, 6 and 8 of the project carry the tag; the other project's does not.
    let alarms: Vec<&Change> = p
        .changes
        .iter()
        .filter(|c| c.phase == Phase::Silence)
        .collect();
    assert_eq!(alarms.len(), 5);
    assert_eq!(p.selected["lambda function"], 1);
    assert_eq!(p.selected["kinesis stream"], 1);
}

// ------------------------------------------------------------------- guards

fn throttle_live(source_arn: &str) -> Live {
    live_of([
        kinesis::stream(STREAM)
            .with("shards", 2)
            .with("retention_hours", 168)
            .with("mode", "provisioned")
            .with("status", "ACTIVE")
            .at(kinesis_arn(STREAM)),
        lambda::function("f").with("reserved_concurrency", Value::Null),
        lambda::mapping("f", "u1", source_arn, true, "Enabled"),
    ])
}

#[test]
fn zero_concurrency_with_a_kinesis_mapping_left_enabled_is_an_error() {
    let p = plan(
        &profile("version: 1\nlambda:\n  - name: f\n    reserved_concurrency: 0\n"),
        &throttle_live(&kinesis_arn(STREAM)),
        &ctx(),
    );
    let e = text(&p.errors);
    assert_eq!(p.errors.len(), 1, "{e}");
    assert!(
        e.contains("lambda function f would get reserved concurrency 0 (lambda[0] (line 3))"),
        "{e}"
    );
    assert!(
        e.contains(&format!("event source {STREAM} (u1) stays enabled")),
        "{e}"
    );
    assert!(e.contains("`event_sources: disabled`"), "{e}");
    assert_eq!(p.errors[0].resource.as_deref(), Some("lambda function f"));
}

#[test]
fn zero_concurrency_is_fine_when_the_rule_disables_event_sources() {
    let p = plan(
        &profile("version: 1\nlambda:\n  - name: f\n    reserved_concurrency: 0\n    event_sources: disabled\n"),
        &throttle_live(&kinesis_arn(STREAM)),
        &ctx(),
    );
    assert_clean(&p);
    assert_eq!(
        lines(&p),
        vec![
            format!(
                "SourcesOff {}: enabled -> disabled",
                mapping_res("f", "u1", STREAM)
            ),
            "Capacity lambda function f: none -> 0".to_string(),
        ]
    );
}

#[test]
fn zero_concurrency_with_an_sqs_mapping_is_not_that_error() {
    let p = plan(
        &profile("version: 1\nlambda:\n  - name: f\n    reserved_concurrency: 0\n"),
        &throttle_live(&sqs_arn("jobs")),
        &ctx(),
    );
    assert_clean(&p);
    assert_eq!(
        lines(&p),
        vec!["Capacity lambda function f: none -> 0".to_string()]
    );
}

#[test]
fn zero_concurrency_with_a_dynamodb_stream_mapping_is_an_error() {
    let arn =
        format!("arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders/stream/2024-01-01T00:00:00.000");
    let p = plan(
        &profile("version: 1\nlambda:\n  - name: f\n    reserved_concurrency: 0\n"),
        &throttle_live(&arn),
        &ctx(),
    );
    assert!(
        text(&p.errors).contains("event_sources: disabled"),
        "{}",
        text(&p.errors)
    );
}

#[test]
fn short_retention_when_parking_warns_with_the_expiry_time() {
    let live = sample_running(); // retention 24 h
    let p = plan(&profile(PARKED), &live, &ctx());
    assert_clean(&p);
    let w: Vec<&Notice> = p
        .warnings
        .iter()
        .filter(|n| n.message.contains("keeps records for"))
        .collect();
    assert_eq!(w.len(), 1, "{}", text(&p.warnings));
    assert_eq!(
        w[0].resource.as_deref(),
        Some(format!("kinesis stream {STREAM}").as_str())
    );
    // 2025-01-10 18:30 UTC + 24 h.
    assert!(
        w[0].message.contains("keeps records for 24 h only"),
        "{}",
        w[0].message
    );
    assert!(
        w[0].message.contains("2025-01-11 18:30 UTC"),
        "{}",
        w[0].message
    );
    let expected = (now() + chrono::Duration::hours(24))
        .format("%Y-%m-%d %H:%M UTC")
        .to_string();
    assert!(w[0].message.contains(&expected));
}

#[test]
fn retention_warning_comes_from_disabled_consumers_too() {
    // Shards stay, but the stream's consumer stops: records still expire.
    let p = plan(
        &profile("version: 1\nlambda:\n  - name: f\n    event_sources: disabled\n"),
        &{
            let mut live = throttle_live(&kinesis_arn(STREAM));
            set(&mut live, "stream", STREAM, "retention_hours", 48);
            live
        },
        &ctx(),
    );
    assert_clean(&p);
    let w = text(&p.warnings);
    assert!(
        w.contains(&format!(
            "kinesis stream {STREAM} keeps records for 48 h only"
        )),
        "{w}"
    );
    assert!(w.contains("2025-01-12 18:30 UTC"), "{w}");
}

#[test]
fn retention_of_a_week_or_more_does_not_warn() {
    let one_shard = profile("version: 1\nkinesis:\n  - name: s\n    shards: 1\n");
    let two_shards_kept_for = |hours: u32| {
        live_of([kinesis::stream("s")
            .with("shards", 2)
            .with("retention_hours", hours)
            .with("mode", "provisioned")
            .with("status", "ACTIVE")
            .at(kinesis_arn("s"))])
    };
    let p = plan(&one_shard, &two_shards_kept_for(168), &ctx());
    assert!(
        !text(&p.warnings).contains("keeps records"),
        "{}",
        text(&p.warnings)
    );
    let p = plan(&one_shard, &two_shards_kept_for(167), &ctx());
    assert!(
        text(&p.warnings).contains("keeps records for 167 h"),
        "{}",
        text(&p.warnings)
    );
}

// ------------------------------------------------------------------ restore

#[test]
fn desired_from_live_restores_mapping_by_mapping() {
    let q = sqs_arn("jobs");
    let k = kinesis_arn(STREAM);
    let stream = |shards: u32| {
        kinesis::stream(STREAM)
            .with("shards", shards)
            .with("retention_hours", 168)
            .with("mode", "provisioned")
            .with("status", "ACTIVE")
            .at(k.clone())
    };
    let state = |enabled: bool| if enabled { "Enabled" } else { "Disabled" };
    let mapping = |uuid: &str, arn: &str, on: bool| lambda::mapping("f", uuid, arn, on, state(on));
    // Recorded before parking: one mapping of the function was already off.
    let recorded = live_of([
        stream(2),
        lambda::function("f").with("reserved_concurrency", 7),
        mapping("m-on", &k, true),
        mapping("m-off", &q, false),
        alarms::alarm("a").with("actions", true),
    ]);
    // Now: parked, and a mapping created since the snapshot.
    let live = live_of([
        stream(1),
        lambda::function("f").with("reserved_concurrency", 0),
        mapping("m-on", &k, false),
        mapping("m-off", &q, false),
        mapping("m-new", &q, true),
        alarms::alarm("a").with("actions", false),
    ]);
    let desired = desired_from_live(&recorded, "snapshot 2025-01-10");
    let sources: Vec<_> = desired
        .resources
        .iter()
        .filter(|((_, kind, _), _)| kind == "event source")
        .collect();
    assert_eq!(sources.len(), 2);
    let off = ("lambda".into(), "event source".into(), "m-off".into());
    assert_eq!(desired.resources[&off]["enabled"].value, Value::Bool(false));
    let f = ("lambda".into(), "function".into(), "f".into());
    assert!(!desired.resources[&f].contains_key("event_sources"));

    let p = diff(&desired, &live, &ctx(), "restore", "");
    assert_clean(&p);
    assert_eq!(
        lines(&p),
        vec![
            "Capacity lambda function f: 0 -> 7".to_string(),
            "Capacity kinesis stream user-journey-analytics-events: 1 -> 2".to_string(),
            format!(
                "SourcesOn {}: disabled -> enabled",
                mapping_res("f", "m-on", STREAM)
            ),
            "AlarmsOn cloudwatch alarm a: disabled -> enabled".to_string(),
        ]
    );
    assert!(p.changes.iter().all(|c| c.rule == "snapshot 2025-01-10"));
    // The mapping the snapshot did not know is observed but untouched.
    assert!(p
        .observed
        .iter()
        .any(|o| o.resource.contains("f <- jobs") && o.attr == "enabled"));
    let restored = apply(&live, &p);
    let enabled = |uuid: &str| res(&restored, "event source", uuid).flag("enabled");
    assert!(enabled("m-new"));
    assert!(!enabled("m-off"));
    assert!(enabled("m-on"));
    assert_eq!(
        diff(&desired, &restored, &ctx(), "restore", "").changes,
        vec![]
    );
}

#[test]
fn restoring_a_resource_that_is_gone_is_an_error() {
    let recorded = live_of([
        kinesis::stream("gone-stream")
            .with("shards", 2)
            .with("retention_hours", 24)
            .with("mode", "provisioned")
            .with("status", "ACTIVE")
            .at(kinesis_arn("gone-stream")),
        lambda::function("gone-fn").with("reserved_concurrency", Value::Null),
        alarms::alarm("gone-alarm").with("actions", true),
    ]);
    let p = diff(
        &desired_from_live(&recorded, "snapshot"),
        &Live::default(),
        &ctx(),
        "restore",
        "",
    );
    let e = text(&p.errors);
    assert!(
        e.contains("kinesis stream `gone-stream` (wanted by snapshot) does not exist"),
        "{e}"
    );
    assert!(
        e.contains("lambda function `gone-fn` (wanted by snapshot) does not exist"),
        "{e}"
    );
    assert!(
        e.contains("cloudwatch alarm `gone-alarm` (wanted by snapshot) does not exist"),
        "{e}"
    );
    assert!(p.is_empty());
}

// ------------------------------------------------------------- observation

#[test]
fn observations_are_sorted_and_cover_every_selected_resource() {
    let live = sample_running();
    let p = plan(&profile(PARKED), &live, &ctx());
    let mut sorted = p.observed.clone();
    sorted.sort();
    assert_eq!(p.observed, sorted);

    let has = |resource: &str, attr: &str, value: &str| {
        p.observed.contains(&Observation {
            resource: resource.into(),
            attr: attr.to_string().into(),
            value: value.to_string().into(),
        })
    };
    assert!(has(&format!("kinesis stream {STREAM}"), "shards", "2"));
    assert!(has(
        &format!("kinesis stream {STREAM}"),
        "retention_hours",
        "24"
    ));
    assert!(has(
        &format!("lambda function {PROCESSOR}"),
        "reserved_concurrency",
        "none"
    ));
    assert!(has(
        &format!("lambda function {EXECUTOR}"),
        "reserved_concurrency",
        "none"
    ));
    assert!(has(
        &mapping_res(PROCESSOR, "uuid-processor", STREAM),
        "enabled",
        "true"
    ));
    assert!(has(
        &mapping_res(EXECUTOR, "uuid-executor", STREAM),
        "enabled",
        "true"
    ));
    for a in ALARMS {
        assert!(
            has(&format!("cloudwatch alarm {a}"), "actions", "true"),
            "{a}"
        );
    }
    // 3 stream (shards, retention, mode) + 2 functions + 2 mappings + 9 alarms.
    assert_eq!(p.observed.len(), 16);

    // Selected but unchanged resources are observed too: a saved plan must
    // notice if they move.
    let parked = apply(&live, &p);
    let q = plan(&profile(PARKED), &parked, &ctx());
    assert!(q.is_empty());
    assert_eq!(q.observed.len(), 16);
    assert_ne!(q.observed, p.observed);
}

#[test]
fn a_rule_on_one_attribute_still_observes_the_others() {
    let p = plan(
        &profile("version: 1\nlambda:\n  - name: f\n    event_sources: disabled\n"),
        &{
            let mut live = throttle_live(&sqs_arn("q"));
            set(&mut live, "function", "f", "reserved_concurrency", 3);
            live
        },
        &ctx(),
    );
    assert!(p
        .observed
        .iter()
        .any(|o| o.attr == "reserved_concurrency" && o.value == "3"));
}

#[test]
fn no_changes_when_live_already_matches() {
    let running = sample_running();
    let p = plan(&profile_named("running", RUNNING), &running, &ctx());
    assert_clean(&p);
    assert!(p.is_empty());
    assert!(p.warnings.is_empty(), "{}", text(&p.warnings));
    assert_eq!(p.selected["cloudwatch alarm"], 9);
    assert!(p.phases().is_empty());
}

#[test]
fn plan_is_deterministic() {
    let live = sample_running();
    let a = plan(&profile(PARKED), &live, &ctx());
    let mut shuffled = live.clone();
    shuffled.resources.reverse();
    let b = plan(&profile(PARKED), &shuffled, &ctx());
    assert_eq!(a.changes, b.changes);
    assert_eq!(a.observed, b.observed);
}

#[test]
fn stream_still_being_created_is_refused_not_planned_as_a_no_op() {
    let profile = Profile::parse(
        "test.yaml",
        "p",
        "version: 1\nkinesis:\n  - name: s\n    shards: 1\n",
    )
    .unwrap();
    let live = live_of([kinesis::stream("s")
        .with("shards", 0)
        .with("retention_hours", 24)
        .with("mode", "provisioned")
        .with("status", "CREATING")
        .at("arn:aws:kinesis:us-east-1:1:stream/s")]);
    let plan = plan(&profile, &live, &Now::at(chrono::Utc::now()));
    assert!(plan.changes.is_empty());
    assert!(
        plan.errors[0].message.contains("is CREATING"),
        "{:?}",
        plan.errors
    );
}

// ------------------------------------------------------ the order of changes

#[test]
fn changes_sort_in_place_as_a_stable_sort_orders_them() {
    use crate::plan::Wave;
    let phases = [Phase::Capacity, Phase::Silence, Phase::Rearm];
    let waves = [Wave::MAIN, Wave::FREE];
    // Pseudo-random keys with many ties (same resource, several changes),
    // told apart by their rule, which the order does not look at.
    let mut changes: Vec<Change> = (0..500u64)
        .map(|i| {
            let x = i.wrapping_mul(2_654_435_761) % 1009;
            let r = crate::model::Resource::new("svc", "kind", &format!("r{}", x % 7)).id;
            Change::new(
                phases[(x % 3) as usize],
                waves[(x % 2) as usize],
                r,
                "attr",
                Value::Null,
                Value::Null,
                crate::model::intern(&format!("rule {i}")),
            )
        })
        .collect();
    let mut stable = changes.clone();
    stable.sort_by(super::order);
    crate::order::sort_moving_once(&mut changes, super::order);
    assert_eq!(changes, stable);
}
