//! AWS misbehaving: through a proxy that answers 30 % of requests with a
//! throttling error, an HTTP 500 or a reset connection, `apply` converges
//! (the SDK retries; what it cannot retry, a re-run finishes), and with
//! retries off the failures are reported readably, never as a panic.

use crate::common::proxy::{Proxy, ProxyOpts};
use crate::common::seed::{parked_table, Sdk, ALARMS, ENDPOINT, FUNCTIONS, STREAM};
use crate::common::{rt, Moto, Project};
use std::time::Duration;

const FAULT_RATE: f64 = 0.3;

/// The sample project's parked state, derived from its running state: the
/// stream at 1 shard, both functions throttled with their mappings off, the
/// project's alarms silenced, its tables at 1/1 with auto scaling
/// suspended; every other line unchanged.
fn parked_of(original: &str) -> String {
    original
        .lines()
        // Parking deletes the project's endpoint.
        .filter(|l| !l.starts_with(&format!("endpoint {ENDPOINT} ")))
        .map(|l| {
            let name = l.split_whitespace().nth(1).unwrap_or("");
            if l.starts_with("stream ") && name == STREAM {
                format!("stream {name} shards=1")
            } else if l.starts_with("function ") && FUNCTIONS.contains(&name) {
                format!("function {name} reserved=Some(0) mappings=[false]")
            } else if l.starts_with("alarm ") && ALARMS.contains(&name) {
                format!("alarm {name} actions=false")
            } else {
                parked_table(l)
            }
        })
        .map(|l| l + "\n")
        .collect()
}

/// `calls attempts` of the `--stats` total line.
fn stats_total(stderr: &str) -> Option<(u64, u64)> {
    let l = stderr
        .lines()
        .find(|l| l.trim_start().starts_with("total"))?;
    let mut f = l.split_whitespace().skip(1);
    Some((f.next()?.parse().ok()?, f.next()?.parse().ok()?))
}

/// Whether a line reads `service Operation failed for resource: Code: ...`.
fn names_a_call(l: &str) -> bool {
    let Some(i) = l.find(" failed for ") else {
        return false;
    };
    let words: Vec<&str> = l[..i].split_whitespace().collect();
    match words.as_slice() {
        [.., service, op] => {
            service.chars().all(|c| c.is_ascii_lowercase())
                && op.starts_with(|c: char| c.is_ascii_uppercase())
                && op.chars().all(|c| c.is_ascii_alphanumeric())
                && l[i..].contains(": ")
        }
        _ => false,
    }
}

fn assert_clean(p: &Project, what: &str, out: &str, err: &str) {
    assert!(
        !format!("{out}{err}").contains("panicked"),
        "{what}: panic\n{out}\n{err}"
    );
    assert!(
        !p.state().join("lock").exists(),
        "{what}: the lock was left behind\n{err}"
    );
    for dir in ["snapshots", "operations"] {
        for e in std::fs::read_dir(p.state().join(dir))
            .into_iter()
            .flatten()
            .flatten()
        {
            let n = e.file_name().to_string_lossy().into_owned();
            assert!(
                !n.starts_with('.') && !n.ends_with(".tmp"),
                "{what}: half-written {n}"
            );
        }
    }
}

/// Runs `args` (with `--stats`) until it exits 0, at most `runs` times;
/// prints what each run saw. Returns the exit codes.
pub(crate) fn until_converged(p: &Project, proxy: &Proxy, args: &[&str], runs: usize) -> Vec<i32> {
    let mut codes = Vec::new();
    let mut all: Vec<&str> = args.to_vec();
    all.push("--stats");
    for run in 1..=runs {
        let (r0, f0) = (proxy.requests(), proxy.faults());
        let (code, out, err) = p.run(&all);
        let what = format!("{} (run {run})", args.join(" "));
        let (requests, faults) = (proxy.requests() - r0, proxy.faults() - f0);
        let (calls, attempts) = stats_total(&err).unwrap_or((0, 0));
        eprintln!("{what}: exit {code}; {requests} requests, {faults} faults; {calls} calls in {attempts} attempts");
        assert_clean(p, &what, &out, &err);
        assert!(
            matches!(code, 0 | 1 | 3),
            "{what}: exit {code}\n{out}\n{err}"
        );
        if code != 0 {
            // Whatever went wrong is said in words, naming the AWS call.
            assert!(
                err.contains(" failed"),
                "{what}: no readable failure\n{out}\n{err}"
            );
            eprintln!(
                "  {}",
                err.lines()
                    .find(|l| l.contains(" failed"))
                    .unwrap_or("")
                    .trim()
            );
        }
        codes.push(code);
        if code == 0 {
            return codes;
        }
    }
    panic!(
        "{}: did not converge in {runs} runs: exit codes {codes:?}",
        args.join(" ")
    );
}

#[test]
fn thirty_percent_faults_converge_to_exactly_parked_and_back() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    let original = rt.block_on(sdk.state());
    let parked = parked_of(&original);
    assert_ne!(parked, original);
    let proxy = Proxy::start(
        moto.port,
        ProxyOpts {
            delay: Duration::from_millis(2),
            fault_rate: FAULT_RATE,
            seed: 20261125,
        },
    );
    let p = Project::new(&proxy.url());

    // The first run and at most two re-runs.
    let codes = until_converged(&p, &proxy, &["apply", "parked", "--yes"], 3);
    assert_eq!(
        rt.block_on(sdk.state()),
        parked,
        "after apply parked {codes:?}"
    );
    let codes = until_converged(&p, &proxy, &["apply", "running", "--yes"], 3);
    assert_eq!(
        rt.block_on(sdk.state()),
        original,
        "after apply running {codes:?}"
    );
    let (requests, faults) = (proxy.requests(), proxy.faults());
    eprintln!(
        "fault rate {FAULT_RATE}: {requests} requests, {faults} faults ({:.0} %) over the round trip",
        100.0 * faults as f64 / requests.max(1) as f64
    );
    assert!(
        faults * 5 >= requests,
        "too few faults to mean anything: {faults} of {requests}"
    );
}

#[test]
fn without_retries_failures_are_reported_and_re_runs_converge() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    let original = rt.block_on(sdk.state());
    let parked = parked_of(&original);
    let proxy = Proxy::start(
        moto.port,
        ProxyOpts {
            delay: Duration::ZERO,
            fault_rate: FAULT_RATE,
            seed: 7,
        },
    );
    let p = Project::new(&proxy.url());

    // One attempt per call: with 30 % faults, runs fail; each must say
    // which call failed and why, exit 1 (nothing changed) or 3 (partly
    // applied), release the lock and leave no half-written file.
    let mut codes = Vec::new();
    for run in 1..=6 {
        let (r0, f0) = (proxy.requests(), proxy.faults());
        let (code, out, err) = p.run(&["apply", "parked", "--yes", "--retries", "1", "--stats"]);
        let what = format!("apply parked --retries 1 (run {run})");
        eprintln!(
            "{what}: exit {code}; {} requests, {} faults",
            proxy.requests() - r0,
            proxy.faults() - f0
        );
        assert_clean(&p, &what, &out, &err);
        codes.push(code);
        if code == 0 {
            continue;
        }
        assert!(code == 1 || code == 3, "{what}: exit {code}\n{out}\n{err}");
        if codes.iter().all(|c| *c == 1) {
            // Only refusals so far (reading failed): nothing may have changed.
            assert_eq!(
                rt.block_on(sdk.state()),
                original,
                "{what}: exit 1, yet AWS changed"
            );
        }
        let line = err
            .lines()
            .find(|l| names_a_call(l))
            .unwrap_or_else(|| panic!("{what}: no message names the failed call\n{out}\n{err}"));
        eprintln!("  {}", line.trim());
        assert!(
            [
                "ThrottlingException",
                "Throttling",
                "InternalFailure",
                "DispatchFailure"
            ]
            .iter()
            .any(|c| line.contains(c)),
            "{what}: the message does not give the error code: {line}"
        );
        assert!(
            !line.contains("SdkError") && !line.contains("{ "),
            "{what}: a Debug dump instead of a message: {line}"
        );
    }
    assert!(
        codes.iter().any(|c| *c != 0),
        "no run failed at 30 % faults without retries: {codes:?}"
    );

    // With the SDK's retries back on, re-runs finish the job.
    until_converged(&p, &proxy, &["apply", "parked", "--yes"], 3);
    assert_eq!(rt.block_on(sdk.state()), parked);
    until_converged(&p, &proxy, &["apply", "running", "--yes"], 3);
    assert_eq!(rt.block_on(sdk.state()), original);
    eprintln!(
        "without retries: exit codes {codes:?}; {} requests, {} faults in all",
        proxy.requests(),
        proxy.faults()
    );
}
