//! The core loop end to end: plan, apply, verify, against moto.

use crate::common::seed::{Sdk, ALARMS, ENDPOINT, FUNCTIONS, JOURNEYS, SESSIONS, STREAM};
use crate::common::{rt, Moto, Project};

#[test]
fn parked_round_trip_restores_exactly() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    let original = rt.block_on(sdk.state());
    let p = Project::new(&moto.url());

    let (code, out, err) = p.run(&["plan", "parked", "--detailed-exitcode"]);
    assert_eq!(code, 2, "{out}\n{err}");
    // Order: alarms off, event sources off, capacity.
    let a = out.find("1. disable alarm actions").expect(&out);
    let b = out.find("2. disable event sources").expect(&out);
    let c = out.find("3. change capacity").expect(&out);
    assert!(a < b && b < c, "{out}");
    assert!(
        out.contains("kinesis stream user-journey-analytics-events  shards: 2 -> 1")
            || out.contains("shards: 2 -> 1"),
        "{out}"
    );
    assert!(out.contains("reserved_concurrency: none -> 0"), "{out}");
    assert!(
        out.contains(
            "Plan: 22 to change (kinesis 1, lambda 4, cloudwatch 9, sagemaker 1, dynamodb 7)."
        ),
        "{out}"
    );
    assert!(
        !out.contains("billing-"),
        "resources outside the profile appear in the plan:\n{out}"
    );

    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.shards(STREAM)), 1);
    for f in FUNCTIONS {
        assert_eq!(rt.block_on(sdk.reserved(f)), Some(0));
        assert_eq!(rt.block_on(sdk.mappings(f)), vec![false]);
    }
    let alarms = rt.block_on(sdk.alarm_actions());
    for a in ALARMS {
        assert!(!alarms[a], "{a} still enabled");
    }
    assert!(
        alarms["billing-errors"],
        "an alarm outside the profile was touched"
    );

    let (code, out, _) = p.run(&["plan", "parked", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("No changes."), "{out}");

    let (code, out, err) = p.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, out, err) = p.run(&["plan", "running", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.state()), original);
}

/// A moto server, a runtime, an SDK client against it and a scratch project.
fn setup() -> (Moto, tokio::runtime::Runtime, Sdk, Project) {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    let p = Project::new(&moto.url());
    (moto, rt, sdk, p)
}

fn sample() -> (Moto, tokio::runtime::Runtime, Sdk, Project) {
    let (moto, rt, sdk, p) = setup();
    rt.block_on(sdk.sample());
    (moto, rt, sdk, p)
}

#[test]
fn eight_shards_park_to_one_in_three_steps_and_back() {
    let (_moto, rt, sdk, p) = setup();
    rt.block_on(sdk.stream("wide-stream", 8));
    p.write_profile(
        "narrow",
        "version: 1\nkinesis:\n  - name: wide-stream\n    shards: 1\n",
    );
    p.write_profile(
        "wide",
        "version: 1\nkinesis:\n  - name: wide-stream\n    shards: 8\n",
    );

    let (code, out, err) = p.run(&["plan", "narrow", "--detailed-exitcode"]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(out.contains("shards: 8 -> 1"), "{out}");
    assert!(out.contains("via 4, 2"), "{out}");
    assert!(out.contains("3 UpdateShardCount calls"), "{out}");

    let (code, out, err) = p.run(&["apply", "narrow", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.shards("wide-stream")), 1);
    let (code, out, err) = p.run(&["plan", "narrow", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}\n{err}");

    let (code, out, err) = p.run(&["plan", "wide"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("shards: 1 -> 8") && out.contains("via 2, 4"),
        "{out}"
    );
    let (code, out, err) = p.run(&["apply", "wide", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.shards("wide-stream")), 8);
}

#[test]
fn resources_outside_the_profile_are_untouched() {
    let (_moto, rt, sdk, p) = sample();
    // Look-alikes that no rule selects: an exact `name` and a prefix with a
    // trailing `-` must not reach them.
    rt.block_on(sdk.stream("user-journey-analytics-events-archive", 2));
    rt.block_on(sdk.alarm("user-journey-analytics_legacy"));
    rt.block_on(sdk.alarm("user-journey-analytics"));
    let mut managed: Vec<&str> = vec![STREAM, ENDPOINT, SESSIONS, JOURNEYS];
    managed.extend(FUNCTIONS);
    managed.extend(ALARMS);
    let before = rt.block_on(sdk.state_without(&managed));
    assert!(
        before.contains("billing-worker reserved=Some(5)"),
        "{before}"
    );
    assert!(
        before.contains("user-journey-analytics-events-archive"),
        "{before}"
    );

    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        rt.block_on(sdk.shards(STREAM)),
        1,
        "the profile's own stream was not parked"
    );
    assert_eq!(rt.block_on(sdk.state_without(&managed)), before, "parked");

    let (code, out, err) = p.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.state_without(&managed)), before, "running");
}

#[test]
fn a_named_stream_that_does_not_exist_is_a_plan_error() {
    let (_moto, rt, sdk, p) = setup();
    rt.block_on(sdk.stream("present", 1));
    p.write_profile(
        "ghost",
        "version: 1\nkinesis:\n  - name: no-such-stream\n    shards: 1\n",
    );
    let before = rt.block_on(sdk.state());
    let (code, out, err) = p.run(&["plan", "ghost"]);
    assert_eq!(code, 1, "{out}\n{err}");
    let all = format!("{out}{err}");
    assert!(
        all.contains("no-such-stream") && all.contains("does not exist"),
        "{all}"
    );
    let (code, out, err) = p.run(&["apply", "ghost", "--yes"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.state()), before);
}

#[test]
fn a_selector_that_matches_nothing_is_a_warning() {
    let (_moto, _rt, _sdk, p) = sample();
    p.write_profile("empty", "version: 1\ncloudwatch:\n  alarms:\n    - prefix: nothing-matches-this-\n      actions: disabled\n");
    let (code, out, err) = p.run(&["plan", "empty", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("Warning:") && out.contains("nothing-matches-this-"),
        "{out}\n{err}"
    );
    assert!(out.contains("No changes."), "{out}");
}

/// Calls of one operation in the `--stats` table.
fn calls(stats: &str, op: &str) -> Option<u64> {
    stats.lines().find_map(|l| {
        let mut t = l.split_whitespace();
        t.next()?;
        (t.next()? == op).then(|| t.next()?.parse().ok()).flatten()
    })
}

#[test]
fn more_than_a_batch_of_alarms_are_all_switched() {
    let (_moto, rt, sdk, p) = setup();
    let names = rt.block_on(sdk.alarms_many("bulk-", 150));
    rt.block_on(sdk.alarm("other-alarm"));
    p.write_profile(
        "quiet",
        "version: 1\ncloudwatch:\n  alarms:\n    - prefix: bulk-\n      actions: disabled\n",
    );
    p.write_profile(
        "loud",
        "version: 1\ncloudwatch:\n  alarms:\n    - prefix: bulk-\n      actions: enabled\n",
    );

    let (code, out, err) = p.run(&["plan", "quiet", "--detailed-exitcode"]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        out.contains("Plan: 150 to change (cloudwatch 150)."),
        "{out}"
    );

    let (code, out, err) = p.run(&["apply", "quiet", "--yes", "--stats"]);
    assert_eq!(code, 0, "{out}\n{err}");
    // 150 names are two calls (100 + 50): AWS refuses more than 100 a call.
    assert_eq!(calls(&err, "DisableAlarmActions"), Some(2), "{err}");
    let alarms = rt.block_on(sdk.alarm_actions());
    let still_on: Vec<&String> = names.iter().filter(|n| alarms[*n]).collect();
    assert!(
        still_on.is_empty(),
        "still enabled after parking: {still_on:?}"
    );
    assert!(alarms["other-alarm"]);
    let (code, out, _) = p.run(&["plan", "quiet", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}");

    let (code, out, err) = p.run(&["apply", "loud", "--yes", "--stats"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(calls(&err, "EnableAlarmActions"), Some(2), "{err}");
    let alarms = rt.block_on(sdk.alarm_actions());
    let still_off: Vec<&String> = names.iter().filter(|n| !alarms[*n]).collect();
    assert!(
        still_off.is_empty(),
        "still disabled after restoring: {still_off:?}"
    );
}

#[test]
fn plan_as_json_and_as_diff() {
    let (_moto, _rt, _sdk, p) = sample();
    let (code, out, err) = p.run(&["plan", "parked", "--format", "json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let v: serde_json::Value =
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"));
    let changes = v["changes"].as_array().expect("changes array");
    assert_eq!(changes.len(), 22, "{out}");
    assert!(
        v.get("cost").is_some_and(|c| !c.is_null()),
        "no cost in {out}"
    );
    assert_eq!(v["profile"], "parked");

    let (code, out, err) = p.run(&["plan", "parked", "--format", "diff"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.lines()
            .any(|l| l.starts_with('-') && !l.starts_with("---")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with('+') && !l.starts_with("+++")),
        "{out}"
    );
    assert!(
        out.contains("-  shards: 2") && out.contains("+  shards: 1"),
        "{out}"
    );
}

#[test]
fn apply_without_yes_and_without_a_terminal_refuses() {
    let (_moto, rt, sdk, p) = sample();
    let before = rt.block_on(sdk.state());
    let out = p
        .cmd(&["apply", "parked"])
        .write_stdin("y\n")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("stdin is not a terminal"), "{err}");
    assert_eq!(rt.block_on(sdk.state()), before);
    assert!(
        !p.state().join("snapshots").exists()
            || std::fs::read_dir(p.state().join("snapshots"))
                .unwrap()
                .next()
                .is_none()
    );
    assert!(!p.state().join("lock").exists(), "the lock was left behind");
}

#[test]
fn apply_dry_run_changes_nothing() {
    let (_moto, rt, sdk, p) = sample();
    let before = rt.block_on(sdk.state());
    let (code, out, err) = p.run(&["apply", "parked", "--dry-run"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("Plan: 22 to change"), "{out}");
    assert_eq!(rt.block_on(sdk.state()), before);
    assert!(
        !p.state().join("operations").exists(),
        "a dry run recorded an operation"
    );
}

#[test]
fn validate_shipped_and_bad_profiles() {
    // validate is offline: no server at all.
    let p = Project::new("http://127.0.0.1:9");
    let (code, out, err) = p.run(&["validate"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("parked.yaml") && out.contains("running.yaml"),
        "{out}"
    );

    p.write_profile("bad", "version: 1\nkinesis:\n  - name: s\n    shard: 1\n");
    let (code, out, err) = p.run(&["validate", "bad"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("bad.yaml:4:5"), "no file:line:col in:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    // All profiles: the good ones still pass, the run fails.
    let (code, out, err) = p.run(&["validate"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("ok") && out.contains("invalid"), "{out}");
}

#[test]
fn throttling_a_consumer_without_disabling_its_sources_is_a_plan_error() {
    let (_moto, rt, sdk, p) = sample();
    p.write_profile(
        "throttle",
        "version: 1\nlambda:\n  - name: user-journey-analytics-event-processor\n    reserved_concurrency: 0\n",
    );
    let before = rt.block_on(sdk.state());
    let (code, out, err) = p.run(&["plan", "throttle"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        format!("{out}{err}").contains("event_sources: disabled"),
        "{out}\n{err}"
    );
    let (code, out, err) = p.run(&["apply", "throttle", "--yes"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.state()), before);
}

#[test]
fn wrong_account_is_refused_and_nothing_changes() {
    let (_moto, rt, sdk, p) = sample();
    let text = std::fs::read_to_string(p.path().join("profiles/parked.yaml"))
        .unwrap()
        .replace(
            "target:\n  region: us-east-1\n",
            "target:\n  region: us-east-1\n  account: \"999999999999\"\n",
        );
    assert!(text.contains("999999999999"));
    p.write_profile("elsewhere", &text);
    let before = rt.block_on(sdk.state());
    for args in [
        &["plan", "elsewhere"][..],
        &["apply", "elsewhere", "--yes"][..],
    ] {
        let (code, out, err) = p.run(args);
        assert_eq!(code, 1, "{args:?}\n{out}\n{err}");
        assert!(
            err.contains("999999999999") && err.contains("123456789012"),
            "{args:?}\n{err}"
        );
    }
    assert_eq!(rt.block_on(sdk.state()), before);
    assert!(
        !p.state().join("snapshots").exists(),
        "a refused apply wrote a snapshot"
    );
}

#[test]
fn wrong_region_is_refused() {
    let (_moto, rt, sdk, p) = sample();
    let text = std::fs::read_to_string(p.path().join("profiles/parked.yaml"))
        .unwrap()
        .replace("region: us-east-1", "region: eu-west-1");
    p.write_profile("europe", &text);
    let before = rt.block_on(sdk.state());
    for args in [&["plan", "europe"][..], &["apply", "europe", "--yes"][..]] {
        let (code, out, err) = p.run(args);
        assert_eq!(code, 1, "{args:?}\n{out}\n{err}");
        assert!(
            err.contains("eu-west-1") && err.contains("us-east-1"),
            "{args:?}\n{err}"
        );
    }
    assert_eq!(rt.block_on(sdk.state()), before);
}
