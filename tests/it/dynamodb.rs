//! DynamoDB tables and on-demand Kinesis streams against the emulator:
//! capacities parked and restored exactly (tables, indexes, auto scaling
//! suspended and resumed with targets and policies kept), a table to
//! on-demand and back, a stream to provisioned and back; what no rule
//! selects is never touched. The limits the emulator does not enforce are
//! unit-tested in the planner (`src/services/dynamodb/limits.rs`).

use crate::common::seed::{Sdk, JOURNEYS, SESSIONS};
use crate::common::{rt, Moto, Project};

fn sample() -> (Moto, tokio::runtime::Runtime, Sdk, Project) {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    let p = Project::new(&moto.url());
    (moto, rt, sdk, p)
}

/// Whether a plan line names `resource` and shows `change`.
fn shows(out: &str, resource: &str, change: &str) -> bool {
    out.lines()
        .any(|l| l.contains(&format!("{resource} ")) && l.contains(change))
}

fn table_line(rt: &tokio::runtime::Runtime, sdk: &Sdk, name: &str) -> String {
    rt.block_on(sdk.tables())
        .into_iter()
        .find(|l| l.starts_with(&format!("table {name} ")))
        .unwrap_or_default()
}

#[test]
fn tables_park_to_one_unit_with_scaling_suspended_and_restore_exactly() {
    let (_moto, rt, sdk, p) = sample();
    let original = rt.block_on(sdk.state());
    let bystander = table_line(&rt, &sdk, "billing-ledger");
    assert!(
        original.contains(&format!("table {SESSIONS} PROVISIONED 25/10 gsi by-user=5/5 scaling dynamodb:table:ReadCapacityUnits 5..100 suspended=nnn policies=1")),
        "{original}"
    );

    let (code, out, err) = p.run(&["plan", "parked"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let table = format!("dynamodb table {SESSIONS}");
    assert!(
        shows(&out, &table, "autoscaling: active -> suspended"),
        "{out}"
    );
    let index = format!("dynamodb index {SESSIONS}/by-user");
    assert!(shows(&out, &index, "read_capacity: 5 -> 1"), "{out}");
    let journeys = format!("dynamodb table {JOURNEYS}");
    assert!(shows(&out, &journeys, "write_capacity: 10 -> 1"), "{out}");
    assert!(
        out.contains("cost/month  dynamodb $15.66 -> $1.71 (saves $13.95)"),
        "{out}"
    );

    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        table_line(&rt, &sdk, SESSIONS),
        format!("table {SESSIONS} PROVISIONED 1/1 gsi by-user=1/1 scaling dynamodb:table:ReadCapacityUnits 5..100 suspended=yyy policies=1")
    );
    assert_eq!(
        table_line(&rt, &sdk, JOURNEYS),
        format!("table {JOURNEYS} PROVISIONED 1/1")
    );
    assert_eq!(table_line(&rt, &sdk, "billing-ledger"), bystander);
    let (code, out, _) = p.run(&["plan", "parked", "--detailed-exitcode"]);
    assert_eq!(code, 0, "parked twice still has changes:\n{out}");

    let (code, out, err) = p.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.state()), original);
    let (code, out, err) = p.run(&["plan", "running", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}\n{err}");
}

const ON_DEMAND: &str = "version: 1
dynamodb:
  tables:
    - name: user-journey-analytics-sessions
      billing: on_demand
      autoscaling: suspended
    - name: user-journey-analytics-journeys
      billing: on_demand
";

#[test]
fn a_table_goes_on_demand_and_back_to_its_exact_capacities_and_scaling() {
    let (_moto, rt, sdk, p) = sample();
    let original = rt.block_on(sdk.state());
    p.write_profile("ondemand", ON_DEMAND);
    let (code, out, err) = p.run(&["apply", "ondemand", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("switches to on-demand left in 24 h"), "{out}");
    // The SDK's switch keeps the scalable target and its policy (as AWS
    // does for a switch through the API).
    assert_eq!(
        table_line(&rt, &sdk, SESSIONS),
        format!("table {SESSIONS} PAY_PER_REQUEST - gsi by-user=- scaling dynamodb:table:ReadCapacityUnits 5..100 suspended=yyy policies=1")
    );
    let (code, out, _) = p.run(&["plan", "ondemand", "--detailed-exitcode"]);
    assert_eq!(code, 0, "on-demand twice still has changes:\n{out}");

    // From the snapshot the apply took: every capacity and the scaling
    // state exactly as they were.
    let (code, out, err) = p.run(&["restore", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.state()), original);
    // And from the profile alone.
    let (code, out, err) = p.run(&["apply", "ondemand", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let (code, out, err) = p.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.state()), original);
}

#[test]
fn lowering_a_table_under_active_auto_scaling_is_refused() {
    let (_moto, rt, sdk, p) = sample();
    let original = rt.block_on(sdk.state());
    p.write_profile(
        "low",
        "version: 1
dynamodb:
  tables:
    - name: user-journey-analytics-sessions
      read_capacity: 1
      write_capacity: 1
",
    );
    let (code, out, err) = p.run(&["apply", "low", "--yes"]);
    assert_ne!(code, 0, "{out}\n{err}");
    let all = format!("{out}{err}");
    assert!(
        all.contains(&format!(
            "dynamodb table {SESSIONS} has active auto scaling"
        )),
        "{all}"
    );
    assert!(all.contains("set `autoscaling: suspended`"), "{all}");
    assert_eq!(
        rt.block_on(sdk.state()),
        original,
        "a refused plan changed AWS"
    );
}

#[test]
fn switching_to_provisioned_without_every_index_is_refused() {
    let (_moto, rt, sdk, p) = sample();
    p.write_profile("ondemand", ON_DEMAND);
    let (code, out, err) = p.run(&["apply", "ondemand", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    p.write_profile(
        "back",
        "version: 1
dynamodb:
  tables:
    - name: user-journey-analytics-sessions
      billing: provisioned
      read_capacity: 5
      write_capacity: 5
",
    );
    let (code, out, err) = p.run(&["plan", "back"]);
    assert_ne!(code, 0, "{out}\n{err}");
    let all = format!("{out}{err}");
    assert!(
        all.contains("needs the capacities of its index `by-user`"),
        "{all}"
    );
    assert!(table_line(&rt, &sdk, SESSIONS).contains("PAY_PER_REQUEST"));
}

#[test]
fn an_on_demand_stream_parks_at_one_shard_and_comes_back_on_demand() {
    let (_moto, rt, sdk, p) = sample();
    rt.block_on(sdk.on_demand_stream("clickstream"));
    let before = rt.block_on(sdk.state());
    assert!(before.contains("stream clickstream shards=4"), "{before}");
    p.write_profile(
        "park-stream",
        "version: 1
kinesis:
  - name: clickstream
    mode: provisioned
    shards: 1
",
    );
    p.write_profile(
        "run-stream",
        "version: 1\nkinesis:\n  - name: clickstream\n    mode: on_demand\n",
    );
    let (code, out, err) = p.run(&["apply", "park-stream", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let stream = "kinesis stream clickstream";
    assert!(
        shows(&out, stream, "mode: on_demand -> provisioned"),
        "{out}"
    );
    assert!(shows(&out, stream, "shards: 4 -> 1"), "{out}");
    assert_eq!(rt.block_on(sdk.shards("clickstream")), 1);
    assert_eq!(rt.block_on(sdk.stream_mode("clickstream")), "PROVISIONED");

    let (code, out, err) = p.run(&["apply", "run-stream", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.stream_mode("clickstream")), "ON_DEMAND");
    // A third switch within 24 h: AWS allows two, and parkctl counts its own.
    let (code, out, err) = p.run(&["plan", "park-stream"]);
    assert_ne!(code, 0, "{out}\n{err}");
    assert!(
        format!("{out}{err}").contains("AWS allows 2 per rolling 24 h"),
        "{out}{err}"
    );
}

#[test]
fn validate_refuses_capacities_with_on_demand_at_their_lines() {
    let p = Project::new("http://127.0.0.1:1");
    p.write_profile(
        "bad",
        "version: 1
kinesis:
  - name: s
    mode: on_demand
    shards: 2
dynamodb:
  tables:
    - name: t
      billing: on_demand
      read_capacity: 5
",
    );
    let (code, out, err) = p.run(&["validate", "bad"]);
    assert_ne!(code, 0, "{out}\n{err}");
    let all = format!("{out}{err}");
    assert!(all.contains("`shards` with `mode: on_demand`"), "{all}");
    assert!(all.contains("bad.yaml:5:"), "{all}");
    assert!(
        all.contains("`read_capacity` with `billing: on_demand`"),
        "{all}"
    );
    assert!(all.contains("bad.yaml:10:"), "{all}");
}

#[test]
fn a_runner_without_local_state_counts_mode_switches_from_the_s3_mirror() {
    let (moto, rt, sdk, a) = sample();
    rt.block_on(async {
        sdk.on_demand_stream("clickstream").await;
        sdk.s3
            .create_bucket()
            .bucket("team-state")
            .send()
            .await
            .unwrap();
    });
    let park =
        "version: 1\nkinesis:\n  - name: clickstream\n    mode: provisioned\n    shards: 1\n";
    let run = "version: 1\nkinesis:\n  - name: clickstream\n    mode: on_demand\n";
    let s3 = ["--state-s3", "s3://team-state/parkctl"];
    for (name, text) in [("park-stream", park), ("run-stream", run)] {
        a.write_profile(name, text);
        let (code, out, err) = a.run(&[&s3[..], &["apply", name, "--yes"]].concat());
        assert_eq!(code, 0, "{out}\n{err}");
    }
    // Another runner, with a state directory of its own (a fresh container).
    let b = Project::new(&moto.url());
    b.write_profile("park-stream", park);
    let (code, out, err) = b.run(&[&s3[..], &["plan", "park-stream"]].concat());
    assert_ne!(code, 0, "{out}\n{err}");
    assert!(
        format!("{out}{err}").contains("AWS allows 2 per rolling 24 h"),
        "{out}{err}"
    );
    // Without the mirror it cannot know.
    let (code, out, err) = b.run(&["plan", "park-stream"]);
    assert_eq!(code, 0, "{out}\n{err}");
}
