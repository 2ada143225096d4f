//! What an operator sees: progress lines while applying (and no log lines),
//! a live line on a terminal, the man page, the Terraform hints, and a
//! clear message when the endpoint answers with something that is not AWS.

use crate::common::seed::Sdk;
use crate::common::{rt, Moto, Project};
use std::io::{Read, Write};

#[test]
fn apply_reports_each_change_with_its_duration_and_no_log_lines() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    let p = Project::new(&moto.url());
    let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let done: Vec<&str> = err.lines().filter(|l| l.contains(" done in ")).collect();
    assert_eq!(done.len(), 22, "one completion line per change:\n{err}");
    assert!(
        err.contains("  kinesis stream user-journey-analytics-events: shards 2 -> 1 done in "),
        "{err}"
    );
    assert!(
        err.contains("  sagemaker endpoint user-journey-analytics-exit-risk-endpoint: state in_service -> deleted done in "),
        "{err}"
    );
    for level in [" INFO ", " DEBUG ", " WARN ", " ERROR "] {
        assert!(!err.contains(level), "a log line in the output:\n{err}");
    }
    // -v brings the log lines back, on stderr.
    let (code, out, err) = p.run(&["apply", "running", "--yes", "-v"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(err.contains(" INFO "), "{err}");
    // -q: warnings and errors only.
    let (code, out, err) = p.run(&["apply", "parked", "--yes", "-q"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!err.contains(" done in "), "{err}");
}

#[test]
fn on_a_terminal_a_live_line_shows_the_change_in_flight() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    let p = Project::new(&moto.url());
    let bin = assert_cmd::cargo::cargo_bin("parkctl");
    // `script` runs the command under a pseudo-terminal and copies what it
    // writes, escape sequences and all.
    let mut c = std::process::Command::new("script");
    c.current_dir(p.path()).args([
        "-qec",
        &format!("{} apply parked --yes", bin.display()),
        "/dev/null",
    ]);
    for (k, v) in crate::common::env(&moto.url()) {
        c.env(k, v);
    }
    let out = c.output().expect("script(1) from util-linux");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    // The spinner line carries the change and its elapsed time, e.g.
    // `⠁ kinesis stream ...: shards 2 -> 1 (0s)`.
    assert!(
        text.contains("kinesis stream user-journey-analytics-events: shards 2 -> 1 (0s)"),
        "no live line:\n{text}"
    );
    assert!(text.contains("done in "), "{text}");
}

#[test]
fn man_page_and_terraform_hints() {
    let p = Project::new("http://127.0.0.1:9");
    let (code, out, err) = p.run(&["man"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(".TH parkctl 1"),
        "{}",
        &out[..out.len().min(200)]
    );
    assert!(
        out.contains("terraform\\-hints"),
        "the page lists the commands"
    );

    let (code, out, err) = p.run(&["terraform-hints"]);
    assert_eq!(code, 0, "{err}");
    for block in [
        "resource \"aws_kinesis_stream\" \"NAME\" {\n  lifecycle {\n    ignore_changes = [shard_count]",
        "ignore_changes = [reserved_concurrent_executions]",
        "resource \"aws_lambda_event_source_mapping\" \"NAME\" {\n  lifecycle {\n    ignore_changes = [enabled]",
        "ignore_changes = [actions_enabled]",
        "# aws_sagemaker_endpoint: parking deletes the endpoint",
    ] {
        assert!(out.contains(block), "missing {block}:\n{out}");
    }
    // Only what the given profiles change.
    p.write_profile(
        "alarms-only",
        "version: 1\ncloudwatch:\n  alarms:\n    - prefix: x-\n      actions: disabled\n",
    );
    let (code, out, _) = p.run(&["terraform-hints", "alarms-only"]);
    assert_eq!(code, 0);
    assert!(out.contains("aws_cloudwatch_metric_alarm"), "{out}");
    assert!(
        !out.contains("aws_kinesis_stream") && !out.contains("aws_lambda"),
        "{out}"
    );
}

/// A loopback server that answers every request as a proxy's error page.
fn html_502() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let mut s = s;
            let mut buf = [0u8; 65536];
            let _ = s.read(&mut buf);
            let body = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
            let _ = write!(
                s,
                "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn an_endpoint_that_is_not_aws_is_said_so() {
    let p = Project::new(&html_502());
    let (code, out, err) = p.run(&["plan", "parked", "--retries", "1"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains(
            "HTTP 502 (text/html), not an AWS response: <html><head><title>502 Bad Gateway"
        ),
        "{err}"
    );
    assert!(
        err.contains("check --endpoint-url / AWS_ENDPOINT_URL and any proxy"),
        "{err}"
    );
    assert!(
        !err.contains("malformed") && !err.contains("no root element"),
        "{err}"
    );
}
