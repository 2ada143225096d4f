//! The policy `iam-policy PROFILE` prints covers every AWS call that each
//! command makes for that profile, measured from the calls themselves
//! (`--stats`) against the emulator, profile by profile: a policy for a
//! profile without alarm rules must still let `status` read metrics.

use crate::common::seed::{Sdk, FUNCTIONS, JOURNEYS, STREAM};
use crate::common::{rt, Moto, Project};
use std::collections::BTreeSet;

const PROFILES: [(&str, &str); 9] = [
    (
        "streams",
        "version: 1\nkinesis:\n  - name: user-journey-analytics-events\n    shards: 1\n",
    ),
    (
        "functions",
        "version: 1\nlambda:\n  - prefix: user-journey-analytics-\n    reserved_concurrency: 0\n    event_sources: disabled\n",
    ),
    (
        "alarms",
        "version: 1\ncloudwatch:\n  alarms:\n    - prefix: user-journey-analytics-\n      actions: disabled\n",
    ),
    (
        "tagged",
        "version: 1\nkinesis:\n  - tags: {project: uja}\n    shards: 1\nlambda:\n  - tags: {project: uja}\n    reserved_concurrency: 0\n    event_sources: disabled\n",
    ),
    (
        "endpoints-parked",
        "version: 1\nsagemaker:\n  endpoints:\n    - prefix: user-journey-analytics-\n      state: deleted\n",
    ),
    (
        "endpoints-running",
        "version: 1\nsagemaker:\n  endpoints:\n    - name: user-journey-analytics-exit-risk-endpoint\n      state: in_service\n      endpoint_config: user-journey-analytics-exit-risk-config\n",
    ),
    (
        "tables-parked",
        "version: 1\ndynamodb:\n  tables:\n    - prefix: user-journey-analytics-\n      billing: provisioned\n      read_capacity: 1\n      write_capacity: 1\n      indexes:\n        \"*\": {read_capacity: 1, write_capacity: 1}\n      autoscaling: suspended\n",
    ),
    (
        "tables-on-demand",
        "version: 1\ndynamodb:\n  tables:\n    - tags: {project: uja}\n      billing: on_demand\n",
    ),
    (
        "stream-mode",
        "version: 1\nkinesis:\n  - name: clickstream\n    mode: provisioned\n    shards: 1\n",
    ),
];

/// `service:Operation` of every call in a `--stats` table.
pub(crate) fn calls(stderr: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut table = false;
    for line in stderr.lines() {
        if line.starts_with("AWS calls") {
            table = true;
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if !table || words.len() < 3 || words[0] == "total" {
            continue;
        }
        let prefix = match words[0] {
            "ResourceGroupsTaggingAPI" => "tag".to_string(),
            "ApplicationAutoScaling" => "application-autoscaling".to_string(),
            "CloudWatchLogs" => "logs".to_string(),
            "CostExplorer" => "ce".to_string(),
            other => other.to_lowercase(),
        };
        out.insert(format!("{prefix}:{}", words[1]));
    }
    out
}

pub(crate) fn granted(p: &Project, profile: &str) -> BTreeSet<String> {
    let (code, out, err) = p.run(&["iam-policy", profile]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap().clone())
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_call_of_every_command_is_in_that_profiles_policy() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(async {
        sdk.sample().await;
        sdk.activity("AWS/Kinesis", "IncomingRecords", "StreamName", STREAM, 0.0)
            .await;
        sdk.tag_function(FUNCTIONS[0], "project", "uja").await;
        sdk.tag_table(JOURNEYS, "project", "uja").await;
        sdk.on_demand_stream("clickstream").await;
    });
    for (name, text) in PROFILES {
        let p = Project::new(&moto.url());
        // Only this profile: status reads every profile of the project.
        for f in ["running", "parked"] {
            std::fs::remove_file(p.path().join(format!("profiles/{f}.yaml"))).unwrap();
        }
        p.write_profile(name, text);
        let policy = granted(&p, name);
        let commands: [&[&str]; 4] = [
            &["plan", name],
            &["status"],
            &["capture", "captured", "--like", name],
            &["apply", name, "--yes"],
        ];
        for args in commands {
            let mut args = args.to_vec();
            args.push("--stats");
            let (code, out, err) = p.run(&args);
            assert!(code == 0, "{name}: {args:?}\n{out}\n{err}");
            let made = calls(&err);
            assert!(!made.is_empty(), "{name}: {args:?} made no call?\n{err}");
            let missing: Vec<&String> = made.difference(&policy).collect();
            assert!(
                missing.is_empty(),
                "{name}: `parkctl {}` calls {missing:?}, which its policy lacks",
                args.join(" ")
            );
        }
    }
}

/// Runs plan, status, capture and apply of `profile` in `p` (with
/// `--stats`) and asserts that every AWS call each makes is granted by
/// `iam-policy PROFILE`: the services' own coverage tests call this.
pub(crate) fn assert_covered(p: &Project, profile: &str) {
    let policy = granted(p, profile);
    let commands: [&[&str]; 4] = [
        &["plan", profile],
        &["status"],
        &["capture", "captured", "--like", profile, "--force"],
        &["apply", profile, "--yes"],
    ];
    for args in commands {
        let mut args = args.to_vec();
        args.push("--stats");
        let (code, out, err) = p.run(&args);
        assert_eq!(code, 0, "{profile}: {args:?}\n{out}\n{err}");
        let made = calls(&err);
        let missing: Vec<&String> = made.difference(&policy).collect();
        assert!(
            missing.is_empty(),
            "{profile}: `{}` calls {missing:?}, which its policy lacks:\n{policy:?}",
            args.join(" ")
        );
    }
}
