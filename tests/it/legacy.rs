//! State files of schema 1, written by the parkctl before the service
//! registry (the fixtures under tests/fixtures/v1/ are that binary's own
//! output for the sample project): a snapshot still restores exactly, its
//! operation record still lists in `history`, and an old saved plan is
//! refused with what to do instead.

use crate::common::seed::{Sdk, ENDPOINT, FUNCTIONS, JOURNEYS, SESSIONS};
use crate::common::{rt, Moto, Project};
use std::path::Path;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/v1")
            .join(name),
    )
    .unwrap()
}

#[test]
fn a_schema_1_snapshot_restores_exactly() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    // Schema 1 predates endpoints: the snapshot restores all the rest.
    // Schema 1 predates SageMaker and DynamoDB: its snapshot holds neither.
    let newer = [ENDPOINT, SESSIONS, JOURNEYS];
    let original = rt.block_on(sdk.state_without(&newer));
    let p = Project::new(&moto.url());
    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_ne!(rt.block_on(sdk.state_without(&newer)), original);

    // moto gives mappings new UUIDs on every run: put this run's in place
    // of the recorded ones, function by function.
    let mut text = fixture("snapshot.json");
    let old: serde_json::Value = serde_json::from_str(&text).unwrap();
    for f in old["live"]["functions"].as_array().unwrap() {
        let name = f["name"].as_str().unwrap();
        let recorded = f["mappings"][0]["uuid"].as_str().unwrap();
        let live = rt
            .block_on(
                sdk.lambda
                    .list_event_source_mappings()
                    .function_name(name)
                    .send(),
            )
            .unwrap();
        let uuid = live.event_source_mappings()[0].uuid().unwrap();
        text = text.replace(recorded, uuid);
    }
    assert!(FUNCTIONS.iter().all(|f| text.contains(f)));
    let path = p.path().join("v1-snapshot.json");
    std::fs::write(&path, text).unwrap();

    let (code, out, err) = p.run(&["plan", "--snapshot", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("Plan: 14 to change"), "{out}");
    let (code, out, err) = p.run(&["restore", path.to_str().unwrap(), "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.state_without(&newer)), original);
}

#[test]
fn schema_1_records_still_list_in_history() {
    let p = Project::new("http://127.0.0.1:9");
    let ops = p.state().join("operations");
    std::fs::create_dir_all(&ops).unwrap();
    let id = "20261201T211222919Z";
    std::fs::write(
        ops.join(format!("{id}-parked.json")),
        fixture("operation.json"),
    )
    .unwrap();
    std::fs::write(
        ops.join(format!("{id}-parked.txt")),
        fixture("operation.txt"),
    )
    .unwrap();

    let (code, out, err) = p.run(&["history"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains(id) && out.contains("succeeded"), "{out}");
    assert!(out.contains(" 14 applied"), "{out}");

    let (code, out, err) = p.run(&["history", id]);
    assert_eq!(code, 0, "{out}\n{err}");
    for line in [
        "kinesis stream user-journey-analytics-events shards: 2 -> 1",
        "lambda function user-journey-analytics-event-processor reserved_concurrency: none -> 0",
        "lambda event source user-journey-analytics-event-processor <- user-journey-analytics-events enabled: enabled -> disabled",
        "cloudwatch alarm user-journey-analytics-dlq-depth actions: enabled -> disabled",
    ] {
        assert!(out.contains(line), "missing `{line}`:\n{out}");
    }

    let (code, out, err) = p.run(&["history", "--format", "json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let changes = v[0]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 14);
    assert!(changes.iter().all(|c| c["status"] == "applied"), "{out}");
    assert!(changes
        .iter()
        .any(|c| c["resource"]["service"] == "kinesis"));
}

#[test]
fn a_schema_1_saved_plan_is_refused_with_what_to_do() {
    let p = Project::new("http://127.0.0.1:9");
    let path = p.path().join("old-plan.json");
    std::fs::write(&path, fixture("plan.json")).unwrap();
    let (code, out, err) = p.run(&["apply", path.to_str().unwrap(), "--yes"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("old-plan.json"), "{err}");
    assert!(
        err.contains("older parkctl") && err.contains("make a new plan"),
        "{err}"
    );
}
