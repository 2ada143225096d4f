//! The policy parkctl asks for: exactly what the profiles' changes need.

use super::policy;
use crate::profile::Profile;
use serde_json::Value;
use std::collections::BTreeSet;

fn load(name: &str) -> Profile {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("profiles")
        .join(format!("{name}.yaml"));
    Profile::load(&path).unwrap()
}

fn actions(v: &Value) -> BTreeSet<String> {
    v["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["Action"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn parked_alone_cannot_restore() {
    let v = policy(&[&load("parked")], None, Some("123456789012"), None);
    let a = actions(&v);
    assert!(a.contains("lambda:PutFunctionConcurrency"));
    assert!(a.contains("cloudwatch:DisableAlarmActions"));
    assert!(!a.contains("lambda:DeleteFunctionConcurrency"));
    assert!(!a.contains("cloudwatch:EnableAlarmActions"));
    let text = v.to_string();
    assert!(text
        .contains("arn:aws:kinesis:us-east-1:123456789012:stream/user-journey-analytics-events"));
    assert!(
        text.contains("arn:aws:cloudwatch:us-east-1:123456789012:alarm:user-journey-analytics-*")
    );
}

/// `status` reads idle metrics for streams and functions: a profile
/// without alarm rules still needs GetMetricData.
#[test]
fn status_metrics_are_granted_without_alarm_rules() {
    let p = Profile::parse(
        "p.yaml",
        "p",
        "version: 1\nkinesis:\n  - name: s\n    shards: 1\nlambda:\n  - name: f\n    reserved_concurrency: 0\n    event_sources: disabled\n",
    )
    .unwrap();
    assert!(actions(&policy(&[&p], None, None, None)).contains("cloudwatch:GetMetricData"));
}

/// Every AWS call an adapter makes is in the policy for a profile that
/// uses every feature, so that the policy cannot fall behind the code.
/// (Per command and per profile, the integration test `iam_coverage`
/// checks the calls actually made.)
#[test]
fn policy_covers_every_adapter_call() {
    let all = Profile::parse(
        "all.yaml",
        "all",
        "version: 1\nkinesis:\n  - tags: {a: b}\n    shards: 1\n  - name: s\n    mode: on_demand\nlambda:\n  - tags: {a: b}\n    reserved_concurrency: 0\n    event_sources: disabled\n  - name: f\n    reserved_concurrency: none\ncloudwatch:\n  alarms:\n    - tags: {a: b}\n      actions: disabled\n    - name: x\n      actions: enabled\ndynamodb:\n  tables:\n    - tags: {a: b}\n      billing: provisioned\n      read_capacity: 1\n      write_capacity: 1\n      autoscaling: suspended\n",
    )
    .unwrap();
    let a = actions(&policy(&[&all], None, None, None));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: Vec<std::path::PathBuf> = ["sts", "tagging", "metrics"]
        .iter()
        .map(|f| root.join(format!("aws/{f}.rs")))
        .collect();
    for dir in std::fs::read_dir(root.join("services")).unwrap().flatten() {
        for f in ["aws.rs", "scaling.rs", "activity.rs"] {
            let adapter = dir.path().join(f);
            if adapter.exists() {
                files.push(adapter);
            }
        }
    }
    let mut seen = 0;
    for file in files {
        let src = std::fs::read_to_string(&file).unwrap();
        // Calls may be formatted over several lines.
        let src = src.split_whitespace().collect::<Vec<_>>().join(" ");
        for prefix in [
            "kinesis",
            "lambda",
            "cloudwatch",
            "sts",
            "tagging",
            "dynamodb",
            "application-autoscaling",
            "logs",
        ] {
            let iam = if prefix == "tagging" { "tag" } else { prefix };
            for part in src.split(&format!("\"{prefix}\", \"")).skip(1) {
                let op = part.split('"').next().unwrap();
                let op = op.split(' ').next().unwrap();
                seen += 1;
                assert!(
                    a.contains(&format!("{iam}:{op}")),
                    "{iam}:{op} is called in {} but not in the policy",
                    file.display()
                );
            }
        }
    }
    assert!(seen >= 15, "found only {seen} calls");
}
