//! Crash safety and Ctrl-C: an apply killed at any write, or interrupted,
//! leaves a restore point, no half-written file, and a state that the next
//! run converges from.

use crate::common::proxy::{Proxy, ProxyOpts};
use crate::common::seed::{Sdk, ALARMS, FUNCTIONS, STREAM};
use crate::common::{rt, Moto, Project};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Successful write calls in a `--stats` table.
pub(crate) fn writes_in_stats(stderr: &str) -> usize {
    stderr
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (_service, op, calls) = (f.next()?, f.next()?, f.next()?);
            // Every operation that changes AWS, from the registry: a
            // service added later is counted without a copy here.
            parkctl::services::writes()
                .contains(&op)
                .then(|| calls.parse::<usize>().ok())
                .flatten()
        })
        .sum()
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    files(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect()
}

/// A snapshot's live values, in the line format of `Sdk::state()`.
fn snapshot_lines(path: &Path) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(v["kind"], "snapshot", "{}", path.display());
    let resources = v["live"]["resources"].as_array().unwrap();
    let of = |kind: &'static str| resources.iter().filter(move |r| r["kind"] == kind);
    let mut out = Vec::new();
    for s in of("stream") {
        out.push(format!(
            "stream {} shards={}",
            s["name"].as_str().unwrap(),
            s["attrs"]["shards"]
        ));
    }
    for f in of("function") {
        let name = f["name"].as_str().unwrap();
        let reserved = f["attrs"]["reserved_concurrency"]
            .as_i64()
            .map(|r| r as i32);
        let mappings: Vec<bool> = of("event source")
            .filter(|m| m["parent"] == name)
            .map(|m| m["attrs"]["enabled"].as_bool().unwrap())
            .collect();
        out.push(format!(
            "function {name} reserved={reserved:?} mappings={mappings:?}"
        ));
    }
    for e in of("endpoint") {
        let status: String = e["attrs"]["state"]
            .as_str()
            .unwrap()
            .split('_')
            .map(|w| format!("{}{}", w[..1].to_uppercase(), &w[1..]))
            .collect();
        let mut tags: Vec<String> = e["tags"]
            .as_object()
            .map(|t| {
                t.iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap()))
                    .collect()
            })
            .unwrap_or_default();
        tags.sort();
        out.push(format!(
            "endpoint {} status={status} config={} tags={}",
            e["name"].as_str().unwrap(),
            e["attrs"]["endpoint_config"].as_str().unwrap(),
            tags.join(",")
        ));
    }
    for t in of("table") {
        out.push(table_line(t, &resources[..]));
    }
    for a in of("alarm") {
        out.push(format!(
            "alarm {} actions={}",
            a["name"].as_str().unwrap(),
            a["attrs"]["actions"].as_bool().unwrap()
        ));
    }
    out.sort();
    out
}

/// A recorded table in the line format of `Sdk::tables()`.
fn table_line(t: &serde_json::Value, all: &[serde_json::Value]) -> String {
    let name = t["name"].as_str().unwrap();
    let on_demand = t["attrs"]["billing"] == "on_demand";
    let units = |r: &serde_json::Value| {
        if on_demand {
            "-".to_string()
        } else {
            format!(
                "{}/{}",
                r["attrs"]["read_capacity"], r["attrs"]["write_capacity"]
            )
        }
    };
    let mode = if on_demand {
        "PAY_PER_REQUEST"
    } else {
        "PROVISIONED"
    };
    let mut line = format!("table {name} {mode} {}", units(t));
    let indexes: Vec<&serde_json::Value> = all
        .iter()
        .filter(|r| r["kind"] == "index" && r["parent"] == name)
        .collect();
    for i in &indexes {
        let short = i["name"].as_str().unwrap().rsplit('/').next().unwrap();
        line.push_str(&format!(" gsi {short}={}", units(i)));
    }
    for r in std::iter::once(t).chain(indexes) {
        for tg in r["attrs"]["targets"].as_array().into_iter().flatten() {
            let f = |k: &str| if tg["suspended"][k] == true { "y" } else { "n" };
            let dim = tg["dimension"].as_str().unwrap();
            let n = r["attrs"]["policies"]
                .as_array()
                .map_or(0, |p| p.iter().filter(|p| p["dimension"] == dim).count());
            line.push_str(&format!(
                " scaling {dim} {}..{} suspended={}{}{} policies={n}",
                tg["min"],
                tg["max"],
                f("in"),
                f("out"),
                f("scheduled")
            ));
        }
    }
    line
}

/// No temp file of an atomic write was left behind.
pub(crate) fn assert_no_partial_files(state: &Path, what: &str) {
    for f in files(state) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            !name.starts_with('.') && !name.ends_with(".tmp"),
            "{what}: half-written file left behind: {}",
            f.display()
        );
    }
}

#[test]
fn killed_at_every_write_the_next_runs_converge() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    let original = rt.block_on(sdk.state());

    // Reference run: how many writes a parked apply makes, and the parked state.
    let p = Project::new(&moto.url());
    let (code, out, err) = p.run(&["apply", "parked", "--yes", "--stats"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let writes = writes_in_stats(&err);
    eprintln!("the parked apply of the sample project makes {writes} write calls");
    assert!(
        writes >= 6,
        "expected at least 6 write calls, counted {writes}:\n{err}"
    );
    let parked = rt.block_on(sdk.state());
    assert_eq!(rt.block_on(sdk.shards(STREAM)), 1);
    for f in FUNCTIONS {
        assert_eq!(rt.block_on(sdk.reserved(f)), Some(0));
    }
    let (code, out, err) = p.run(&["apply", "running", "--yes", "--stats"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.state()), original);
    let restore_writes = writes_in_stats(&err);
    assert!(restore_writes >= 6, "{err}");

    // The stream, the functions, the alarms, the endpoint and the two
    // tables (a table's line holds its indexes).
    let touched = 1 + FUNCTIONS.len() + ALARMS.len() + 1 + 2;
    for n in 1..=writes {
        let ctx = format!("killed after write {n} of {writes}");
        let p = Project::new(&moto.url());
        let state = p.state();
        let out = p
            .cmd(&["apply", "parked", "--yes"])
            .env("PARKCTL_TEST_KILL_AFTER_WRITES", n.to_string())
            .output()
            .unwrap();
        let (so, se) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert_eq!(
            out.status.code(),
            None,
            "{ctx}: expected death by signal, got {:?}\n{so}\n{se}",
            out.status
        );
        assert_eq!(
            out.status.signal(),
            Some(libc::SIGKILL),
            "{ctx}: {:?}",
            out.status
        );

        // The restore point is on disk and holds the pre-apply values.
        let snaps = json_files(&state.join("snapshots"));
        assert_eq!(snaps.len(), 1, "{ctx}: snapshots {snaps:?}");
        let lines = snapshot_lines(&snaps[0]);
        assert_eq!(lines.len(), touched, "{ctx}: snapshot covers {lines:?}");
        for l in &lines {
            assert!(
                original.lines().any(|o| o == l),
                "{ctx}: snapshot line `{l}` is not the pre-apply state:\n{original}"
            );
        }
        assert_no_partial_files(&state, &ctx);
        assert!(
            state.join("lock").exists(),
            "{ctx}: the lock of the killed run is gone"
        );
        let live = rt.block_on(sdk.state());
        assert_ne!(live, original, "{ctx}: nothing was changed before the kill");

        // The next plain run takes the dead run's lock over, says so,
        // records it, and converges: no `unlock`.
        let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
        assert_eq!(
            code, 0,
            "{ctx}: re-run over the dead run's lock\n{out}\n{err}"
        );
        assert!(err.contains("Took over the lock"), "{ctx}: {err}");
        assert!(!err.contains("panicked"), "{ctx}: {err}");
        let took: Vec<String> = json_files(&state.join("operations"))
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .filter(|t| t.contains("\"took_over\""))
            .collect();
        // Recorded in the run's operation record when it had changes to
        // make, and in the log whatever it did.
        assert!(took.len() <= 1, "{ctx}: the takeover is recorded once");
        assert!(
            logs(&state).contains("took over the lock"),
            "{ctx}: the takeover is not in the log"
        );
        assert_eq!(code, 0, "{ctx}: re-run of apply parked\n{out}\n{err}");
        assert_eq!(
            rt.block_on(sdk.state()),
            parked,
            "{ctx}: the re-run did not reach the parked state"
        );
        assert_no_partial_files(&state, &ctx);

        // Back: through the crash snapshot on odd kill points, through the
        // running profile on even ones; both end at the original state.
        if n % 2 == 1 {
            let snap = snaps[0].to_string_lossy().into_owned();
            let (code, out, err) = p.run(&["restore", &snap, "--yes"]);
            assert_eq!(code, 0, "{ctx}: restore {snap}\n{out}\n{err}");
            assert_eq!(
                rt.block_on(sdk.state()),
                original,
                "{ctx}: restore from the crash snapshot"
            );
        }
        let (code, out, err) = p.run(&["apply", "running", "--yes"]);
        assert_eq!(code, 0, "{ctx}: apply running\n{out}\n{err}");
        assert_eq!(
            rt.block_on(sdk.state()),
            original,
            "{ctx}: apply running did not restore the original state"
        );
        assert!(
            !state.join("lock").exists(),
            "{ctx}: lock left after a clean run"
        );

        let (code, out, err) = p.run(&["history"]);
        assert_eq!(code, 0, "{ctx}: history\n{out}\n{err}");
    }

    // One past the last write: the hook never fires and the run ends cleanly.
    let p = Project::new(&moto.url());
    let out = p
        .cmd(&["apply", "parked", "--yes"])
        .env("PARKCTL_TEST_KILL_AFTER_WRITES", (writes + 1).to_string())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(rt.block_on(sdk.state()), parked);
    let (code, out, err) = p.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.state()), original);

    // A restore killed at its first, middle and last write: the next plain
    // `apply running` takes the lock over and ends at the original state.
    for n in [1, restore_writes.div_ceil(2), restore_writes] {
        let ctx = format!("restore killed after write {n} of {restore_writes}");
        let p = Project::new(&moto.url());
        let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
        assert_eq!(code, 0, "{ctx}: park\n{out}\n{err}");
        let out = p
            .cmd(&["apply", "running", "--yes"])
            .env("PARKCTL_TEST_KILL_AFTER_WRITES", n.to_string())
            .output()
            .unwrap();
        assert_eq!(
            out.status.signal(),
            Some(libc::SIGKILL),
            "{ctx}: {:?}",
            out.status
        );
        assert!(p.state().join("lock").exists(), "{ctx}: no lock left");
        let (code, out, err) = p.run(&["apply", "running", "--yes"]);
        assert_eq!(code, 0, "{ctx}: re-run\n{out}\n{err}");
        assert!(err.contains("Took over the lock"), "{ctx}: {err}");
        assert_eq!(rt.block_on(sdk.state()), original, "{ctx}");
        assert!(!p.state().join("lock").exists(), "{ctx}: lock left");
    }
}

/// The project's DEBUG log files, concatenated.
fn logs(state: &Path) -> String {
    files(&state.join("logs"))
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap_or_default())
        .collect()
}

/// `parkctl ARGS` as a child process in project `p` against `endpoint`,
/// its output going to files in the project (read with `output_of`).
fn spawn(p: &Project, endpoint: &str, args: &[&str]) -> Child {
    let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("parkctl"));
    c.current_dir(p.path()).args(args).env_remove("AWS_PROFILE");
    for (k, v) in crate::common::env(endpoint) {
        c.env(k, v);
    }
    c.stdin(Stdio::null())
        .stdout(std::fs::File::create(p.path().join("child.out")).unwrap())
        .stderr(std::fs::File::create(p.path().join("child.err")).unwrap())
        .spawn()
        .expect("spawn parkctl")
}

fn output_of(p: &Project) -> String {
    let out = std::fs::read_to_string(p.path().join("child.out")).unwrap_or_default();
    let err = std::fs::read_to_string(p.path().join("child.err")).unwrap_or_default();
    format!("--- stdout\n{out}--- stderr\n{err}")
}

fn sigint(child: &Child) {
    // SAFETY: kill(2) on a child we spawned and have not yet reaped.
    let rc = unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    assert_eq!(rc, 0, "kill(SIGINT) failed");
}

fn wait_for(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("parkctl did not end within {limit:?} of Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Polls `cond` until it holds; fails if the child ends first.
fn until(child: &mut Child, p: &Project, what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !cond() {
        if let Some(s) = child.try_wait().unwrap() {
            panic!("parkctl ended ({s:?}) before {what}:\n{}", output_of(p));
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}:\n{}",
            output_of(p)
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The one operation record of a project, as JSON.
fn only_record(p: &Project, ctx: &str) -> serde_json::Value {
    let recs = json_files(&p.state().join("operations"));
    assert_eq!(recs.len(), 1, "{ctx}: operation records {recs:?}");
    serde_json::from_slice(&std::fs::read(&recs[0]).unwrap()).unwrap()
}

const WIDE: &str = "wide-events";

fn wide_profile(shards: u32) -> String {
    format!("version: 1\nkinesis:\n  - name: {WIDE}\n    shards: {shards}\n")
}

#[test]
fn ctrl_c_stops_cleanly_records_interrupted_and_releases_the_lock() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(sdk.sample());
    rt.block_on(sdk.stream(WIDE, 64));
    let original = rt.block_on(sdk.state());
    // Every request takes 100 ms more: slow enough to interrupt mid-apply.
    let proxy = Proxy::start(
        moto.port,
        ProxyOpts {
            delay: Duration::from_millis(100),
            ..Default::default()
        },
    );

    // A. Ctrl-C once the first change (alarm actions off) is made: the calls
    // in flight finish, the rest are skipped and the run says so.
    {
        let ctx = "Ctrl-C after the first write";
        let p = Project::new(&proxy.url());
        let mut child = spawn(&p, &proxy.url(), &["apply", "parked", "--yes"]);
        until(&mut child, &p, "the first write", || {
            rt.block_on(sdk.alarm_actions())
                .iter()
                .any(|(a, on)| ALARMS.contains(&a.as_str()) && !on)
        });
        sigint(&child);
        let status = wait_for(&mut child, Duration::from_secs(120));
        let out = output_of(&p);
        assert_eq!(status.code(), Some(130), "{ctx}: {status:?}\n{out}");
        assert!(!out.contains("panicked"), "{ctx}: {out}");
        assert!(out.contains("Interrupted"), "{ctx}: {out}");
        assert!(
            !p.state().join("lock").exists(),
            "{ctx}: the lock was left behind\n{out}"
        );
        assert_no_partial_files(&p.state(), ctx);
        let rec = only_record(&p, ctx);
        assert_eq!(rec["result"], "interrupted", "{ctx}: {rec:#}");
        let changes = rec["changes"].as_array().unwrap();
        let applied = changes.iter().filter(|c| c["status"] == "applied").count();
        assert!(
            applied >= ALARMS.len(),
            "{ctx}: the alarm changes are not recorded as applied: {rec:#}"
        );
        assert!(
            applied < changes.len(),
            "{ctx}: everything was applied despite Ctrl-C: {rec:#}"
        );
        assert!(
            changes.iter().any(|c| c["status"] == "skipped"),
            "{ctx}: nothing recorded as skipped: {rec:#}"
        );
        eprintln!(
            "{ctx}: {applied} of {} changes applied before stopping",
            changes.len()
        );

        let (code, o, e) = p.run(&["apply", "parked", "--yes"]);
        assert_eq!(code, 0, "{ctx}: re-run\n{o}\n{e}");
        let (code, o, e) = p.run(&["apply", "running", "--yes"]);
        assert_eq!(code, 0, "{ctx}: back to running\n{o}\n{e}");
        assert_eq!(rt.block_on(sdk.state()), original, "{ctx}");
    }

    // B. Ctrl-C in the middle of a multi-step reshard (64 -> 1 is six
    // UpdateShardCount calls, each waited for): no new step starts.
    {
        let ctx = "Ctrl-C during a reshard";
        let p = Project::new(&proxy.url());
        p.write_profile("wide", &wide_profile(1));
        let mut child = spawn(&p, &proxy.url(), &["apply", "wide", "--yes"]);
        until(&mut child, &p, "the first reshard step", || {
            rt.block_on(sdk.shards(WIDE)) < 64
        });
        sigint(&child);
        let status = wait_for(&mut child, Duration::from_secs(120));
        let out = output_of(&p);
        assert_eq!(status.code(), Some(130), "{ctx}: {status:?}\n{out}");
        assert!(!out.contains("panicked"), "{ctx}: {out}");
        assert!(
            !p.state().join("lock").exists(),
            "{ctx}: the lock was left behind\n{out}"
        );
        let rec = only_record(&p, ctx);
        assert_eq!(rec["result"], "interrupted", "{ctx}: {rec:#}");
        let shards = rt.block_on(sdk.shards(WIDE));
        eprintln!("{ctx}: stopped at {shards} shards");
        assert!(
            (2..=32).contains(&shards),
            "{ctx}: the reshard went on to {shards} shards after Ctrl-C\n{out}"
        );
        assert_ne!(rec["changes"][0]["status"], "applied", "{ctx}: {rec:#}");

        let (code, o, e) = p.run(&["apply", "wide", "--yes"]);
        assert_eq!(code, 0, "{ctx}: re-run\n{o}\n{e}");
        assert_eq!(rt.block_on(sdk.shards(WIDE)), 1, "{ctx}");
    }

    // C. Ctrl-C before any change, as soon as the lock is taken: nothing
    // changes, no record, no lock left. Repeated to hit the early moments.
    let before = rt.block_on(sdk.state());
    for i in 0..8 {
        let ctx = format!("Ctrl-C right after the lock is taken (try {i})");
        let p = Project::new(&proxy.url());
        let lock = p.state().join("lock");
        let mut child = spawn(&p, &proxy.url(), &["apply", "parked", "--yes"]);
        until(&mut child, &p, "the lock", || lock.exists());
        sigint(&child);
        let status = wait_for(&mut child, Duration::from_secs(60));
        let out = output_of(&p);
        assert_eq!(status.code(), Some(130), "{ctx}: {status:?}\n{out}");
        assert!(out.contains("nothing was changed"), "{ctx}: {out}");
        assert!(!lock.exists(), "{ctx}: the lock was left behind\n{out}");
        assert!(
            json_files(&p.state().join("operations")).is_empty(),
            "{ctx}"
        );
        assert_no_partial_files(&p.state(), &ctx);
        assert_eq!(rt.block_on(sdk.state()), before, "{ctx}: something changed");
    }
}

/// The crash and fault guarantees for any service's park: `project` makes
/// a fresh project with the `parked` and `running` profiles, `state` reads
/// the service's live state. An apply of `parked` killed after each of its
/// writes is converged by a plain re-run (the dead run's lock taken over),
/// the killed run's own snapshot restores the original state, and both
/// directions converge through a proxy failing 30% of requests.
pub(crate) fn crash_and_faults_converge(
    moto: &Moto,
    project: &dyn Fn(&str) -> Project,
    state: &dyn Fn() -> String,
) {
    let original = state();
    let p = project(&moto.url());
    let (code, out, err) = p.run(&["apply", "parked", "--yes", "--stats"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let writes = writes_in_stats(&err);
    assert!(writes >= 1, "no write counted:\n{err}");
    let parked = state();
    let (code, out, err) = p.run(&["apply", "running", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(state(), original);
    for n in 1..=writes {
        let what = format!("killed after write {n} of {writes}");
        let p = project(&moto.url());
        let out = p
            .cmd(&["apply", "parked", "--yes"])
            .env("PARKCTL_TEST_KILL_AFTER_WRITES", n.to_string())
            .output()
            .unwrap();
        assert_eq!(out.status.signal(), Some(libc::SIGKILL), "{what}");
        assert_no_partial_files(&p.state(), &what);
        let (code, out, err) = p.run(&["apply", "parked", "--yes"]);
        assert_eq!(code, 0, "{what}: re-run\n{out}\n{err}");
        assert!(err.contains("Took over the lock"), "{what}: {err}");
        assert_eq!(state(), parked, "{what}");
        let first = json_files(&p.state().join("snapshots"))
            .into_iter()
            .min()
            .expect("the killed run's snapshot");
        let first = first.to_string_lossy().into_owned();
        let (code, out, err) = p.run(&["restore", &first, "--yes"]);
        assert_eq!(code, 0, "{what}: restore\n{out}\n{err}");
        assert_eq!(state(), original, "{what}: restore");
    }
    let proxy = Proxy::start(
        moto.port,
        ProxyOpts {
            delay: Duration::from_millis(2),
            fault_rate: 0.3,
            seed: 25,
        },
    );
    let p = project(&proxy.url());
    crate::faults::until_converged(&p, &proxy, &["apply", "parked", "--yes"], 4);
    assert_eq!(state(), parked);
    crate::faults::until_converged(&p, &proxy, &["apply", "running", "--yes"], 4);
    assert_eq!(state(), original);
    assert!(proxy.faults() > 0);
}
