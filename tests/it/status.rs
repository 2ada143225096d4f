//! `parkctl status` with faked activity metrics (back-dated PutMetricData).

use crate::common::seed::{Sdk, FUNCTIONS, STREAM};
use crate::common::{rt, Moto, Project};

#[test]
fn status_shows_cost_match_chart_and_idle_resources() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(async {
        sdk.sample().await;
        // The stream is idle (zero records), one function busy, one idle.
        sdk.activity("AWS/Kinesis", "IncomingRecords", "StreamName", STREAM, 0.0)
            .await;
        sdk.activity(
            "AWS/Lambda",
            "Invocations",
            "FunctionName",
            FUNCTIONS[0],
            42.0,
        )
        .await;
        sdk.activity(
            "AWS/Lambda",
            "Invocations",
            "FunctionName",
            FUNCTIONS[1],
            0.0,
        )
        .await;
    });
    let before = rt.block_on(sdk.state());
    let p = Project::new(&moto.url());
    let (code, out, err) = p.run(&["status"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("Live cost  $0.168 /hour  $4.02 /day  $122.41 /month"),
        "{out}"
    );
    assert!(out.contains("Profile: live state matches running"), "{out}");
    assert!(out.contains("█"), "no chart:\n{out}");
    assert!(
        out.contains(STREAM) && out.contains("IDLE (no IncomingRecords)"),
        "{out}"
    );
    assert!(out.contains("active (42 Invocations)"), "{out}");
    assert!(
        out.contains(&format!("kinesis stream {STREAM} had no incoming records in 24 h: `parkctl apply parked` would save $10.95/month on it")),
        "{out}"
    );
    insta::assert_snapshot!("status_text", out);

    let (code, json, _) = p.run(&["status", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["matches"], serde_json::json!(["running"]));
    // 42 invocations cost a fraction of a cent.
    let month = v["live"]["total"]["month"].as_f64().unwrap();
    assert_eq!(format!("{month:.2}"), "122.41", "{json}");
    insta::assert_snapshot!("status_json", json);

    // Status only reads.
    assert_eq!(rt.block_on(sdk.state()), before);

    // Parked: the live state matches parked and the chart shows both.
    let (code, _, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = p.run(&["status"]);
    assert!(out.contains("Profile: live state matches parked"), "{out}");
    assert!(
        out.contains("Live cost  $0.019 /hour  $0.45 /day  $13.56 /month"),
        "{out}"
    );
}

#[test]
fn young_resources_without_metrics_are_no_data_not_idle() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    let p = Project::new(&moto.url());
    let (code, out, err) = p.run(&["status", "--idle-window", "24h"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("no data"), "{out}");
    assert!(!out.contains("IDLE"), "{out}");
    assert!(!out.contains("Recommendations"), "{out}");
    let (code, _, err) = p.run(&["status", "--idle-window", "1w"]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown unit"), "{err}");
}

#[test]
fn iam_policy_for_the_sample_profiles() {
    let p = Project::new("http://127.0.0.1:9");
    let (code, out, err) = p.run(&["iam-policy"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let text = v.to_string();
    for action in [
        "kinesis:UpdateShardCount",
        "lambda:PutFunctionConcurrency",
        "lambda:DeleteFunctionConcurrency",
        "lambda:UpdateEventSourceMapping",
        "cloudwatch:EnableAlarmActions",
        "cloudwatch:DisableAlarmActions",
        "sts:GetCallerIdentity",
        "dynamodb:UpdateTable",
        "application-autoscaling:RegisterScalableTarget",
        "ce:GetCostAndUsage",
        "logs:DescribeLogGroups",
        "cloudwatch:GetMetricData",
    ] {
        assert!(text.contains(action), "{action} missing:\n{out}");
    }
    assert!(
        !text.contains("\"kinesis:*\"") && !text.contains("\"lambda:*\""),
        "{out}"
    );
    assert!(
        text.contains("arn:aws:kinesis:us-east-1:*:stream/user-journey-analytics-events"),
        "{out}"
    );
    insta::assert_snapshot!("iam_policy_sample", out);
}

#[test]
fn an_invalid_profile_is_named_and_the_rest_is_shown() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    let p = Project::new(&moto.url());
    p.write_profile(
        "broken",
        "version: 1\nkinesis:\n  - name: x\n    shards: lots\n",
    );
    let (code, out, err) = p.run(&["status"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("Region us-east-1"), "{out}");
    assert!(
        out.contains("invalid, left out") && out.contains("broken.yaml"),
        "{out}"
    );
    assert!(
        err.contains("broken.yaml") && err.contains("parkctl validate"),
        "{err}"
    );
    let (code, out, err) = p.run(&["status", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["invalid_profiles"].as_array().map(Vec::len),
        Some(1),
        "{out}"
    );
}

/// One metrics pass per read: the plan's usage of every service, and
/// status's idle metrics with it, each in ceil(queries / 500) GetMetricData
/// calls (one for the sample); the verify after an apply reads none.
#[test]
fn each_read_makes_one_metrics_pass_and_the_verify_none() {
    use crate::ec2::count;
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    let p = Project::new(&moto.url());
    let getmetricdata = |err: &str| count(err, "cloudwatch:GetMetricData");

    let (code, out, err) = p.run(&["plan", "parked", "--stats"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(getmetricdata(&err), 1, "{err}");

    let (code, out, err) = p.run(&["status", "--stats"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(getmetricdata(&err), 1, "{err}");

    // The plan's read measures usage; the verify's re-read does not.
    let (code, out, err) = p.run(&["apply", "parked", "--yes", "--stats"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(getmetricdata(&err), 1, "{err}");
}
