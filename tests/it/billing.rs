//! `parkctl billing` against the emulator: Cost Explorer's answers are
//! configured through moto's `/moto-api/static/ce/cost-and-usage-results`;
//! busy functions and their logs are priced from back-dated metrics.

use crate::common::seed::{Sdk, FUNCTIONS};
use crate::common::{rt, Moto, Project};
use std::io::{Read, Write};

const ARM: &str = "user-journey-analytics-arm-scorer";

/// Queues Cost Explorer answers in moto (a plain HTTP POST).
fn queue_ce(moto: &Moto, results: &serde_json::Value) {
    let body = serde_json::json!({ "results": results }).to_string();
    let mut s = std::net::TcpStream::connect(("127.0.0.1", moto.port)).unwrap();
    write!(
        s,
        "POST /moto-api/static/ce/cost-and-usage-results HTTP/1.1\r\nHost: motoapi.amazonaws.com\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
}

fn day(date: &str, estimated: bool, groups: &[(&str, &str)]) -> serde_json::Value {
    let next = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap() + chrono::Days::new(1);
    serde_json::json!({
        "TimePeriod": {"Start": date, "End": next.to_string()},
        "Total": {},
        "Groups": groups.iter().map(|(k, v)| serde_json::json!({
            "Keys": [k],
            "Metrics": {"UnblendedCost": {"Amount": v, "Unit": "USD"}}
        })).collect::<Vec<_>>(),
        "Estimated": estimated
    })
}

#[test]
fn billing_shows_each_day_its_top_services_and_the_estimate() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    queue_ce(
        &moto,
        &serde_json::json!([{
            "ResultsByTime": [
                day("2026-11-28", false, &[("Amazon SageMaker", "2.76"), ("Amazon DynamoDB", "0.51"), ("Amazon Kinesis", "0.72")]),
                day("2026-11-29", true, &[("Amazon SageMaker", "2.76"), ("AWS Lambda", "0.02")]),
            ],
            "DimensionValueAttributes": []
        }]),
    );
    let p = Project::new(&moto.url());
    let (code, out, err) = p.run(&[
        "billing",
        "--tag",
        "Project=user-journey-analytics",
        "--stats",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("2026-11-28     $3.99"), "{out}");
    assert!(
        out.contains("Amazon SageMaker $2.76, Amazon Kinesis $0.72, Amazon DynamoDB $0.51"),
        "{out}"
    );
    assert!(out.contains("(estimated)"), "{out}");
    // The window's billed total beside the days: $3.99 + $2.78.
    assert!(out.contains("total          $6.77 over 2 day(s)"), "{out}");
    // Running profile $122.41 a month, parked $13.56: $108.85 x 24 / 730.
    assert!(out.contains("parkctl's estimate $3.58"), "{out}");
    assert!(
        out.contains("needs at least one fully running and one fully parked day"),
        "{out}"
    );
    let ce_calls: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("GetCostAndUsage"))
        .collect();
    assert_eq!(ce_calls.len(), 1, "{err}");
    assert!(
        ce_calls[0].split_whitespace().nth(2) == Some("1"),
        "one request: {err}"
    );

    let (code, out, err) = p.run(&[
        "billing",
        "--tag",
        "Project=user-journey-analytics",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["days"].as_array().unwrap().len(), 2, "{out}");
    assert_eq!(v["days"][1]["estimated"], true);
    // No apply yet: what was in force those days is not known.
    assert_eq!(v["days"][0]["mark"], "unknown");
}

#[test]
fn no_data_for_the_tag_says_it_may_not_be_activated() {
    let moto = Moto::start();
    let p = Project::new(&moto.url());
    let (code, out, err) = p.run(&["billing", "--tag", "Project=nothing"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("no cost for resources tagged Project=nothing"),
        "{err}"
    );
    assert!(
        err.contains("may not be activated as a cost-allocation tag"),
        "{err}"
    );
    assert!(
        !out.contains("Billed per day"),
        "an empty table was printed:\n{out}"
    );
    let (code, _, err) = p.run(&["billing"]);
    assert_eq!(code, 1);
    assert!(err.contains("pass --tag KEY=VALUE"), "{err}");
    let (code, _, err) = p.run(&["billing", "--tag", "Project"]);
    assert_eq!(code, 1);
    assert!(err.contains("must be KEY=VALUE"), "{err}");
}

#[test]
fn a_busy_function_and_its_logs_are_priced_from_their_metrics() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(async {
        sdk.sample().await;
        // 864,000 invocations of 100 ms at 1024 MB in the last 24 h, and
        // 2 GiB of logs: $49.06 + $30.42 a month.
        sdk.busy_function(FUNCTIONS[0], 1024, "x86_64", 864_000.0, 100.0)
            .await;
        sdk.log_bytes(
            &format!("/aws/lambda/{}", FUNCTIONS[0]),
            2.0 * (1u64 << 30) as f64,
        )
        .await;
        sdk.busy_function(ARM, 1024, "arm64", 864_000.0, 100.0)
            .await;
    });
    let p = Project::new(&moto.url());
    p.write_profile("quiet", "version: 1\nlambda:\n  - prefix: user-journey-analytics-\n    reserved_concurrency: 0\n    event_sources: disabled\n");
    let (code, out, err) = p.run(&["plan", "quiet"]);
    assert_eq!(code, 0, "{out}\n{err}");
    // x86: $49.056 + logs $30.417; arm64: $40.296.
    assert!(
        out.contains("cost/month  lambda $119.77 -> $0.00 (saves $119.77)"),
        "{out}"
    );
    assert!(
        out.contains("assumes the last window's usage rate"),
        "{out}"
    );
    let (code, out, err) = p.run(&["status", "--format", "json"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = v["live"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == FUNCTIONS[0])
        .unwrap_or_else(|| panic!("{out}"));
    let month = f["month"].as_f64().unwrap();
    assert_eq!(format!("{month:.2}"), "79.47", "{out}");
    // The endpoint ($83.95), then this function, then the arm64 one.
    let busiest: Vec<&str> = v["busiest"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(busiest[1..3], [FUNCTIONS[0], ARM], "{out}");
    // Each part of a busy function's cost, which sum to its figure.
    let f = &v["busiest"][1];
    let parts = f["parts"].as_array().expect("parts");
    assert_eq!(parts.len(), 2, "{f}");
    assert_eq!(parts[0]["what"], "requests and duration", "{f}");
    assert_eq!(parts[1]["what"], "logs", "{f}");
    let (code, out, _) = p.run(&["status"]);
    assert_eq!(code, 0);
    assert!(out.contains("Busiest by monthly cost"), "{out}");
    let line = out
        .lines()
        .find(|l| l.contains(FUNCTIONS[0]) && l.contains("requests and duration"))
        .unwrap_or_else(|| panic!("no parts for the busy function:\n{out}"));
    assert!(line.contains(" + $") && line.contains(" logs ("), "{line}");
}
