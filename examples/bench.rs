//! `make bench`: how many AWS calls `parkctl plan` makes over a large
//! account, how long it takes, and what it costs in CPU and memory.
//!
//! It seeds a moto server with a large account (1,000 functions, half of
//! them matched by the profile; 200 streams; 1,000 alarms; 100 event-source
//! mappings), then times `parkctl plan` over it (median of several runs) at
//! concurrency 1 and at the default (16), both directly against the emulator
//! and through a loopback proxy that adds 50 ms to every request (what a real
//! account costs in round trips), and once more with the proxy enforcing
//! AWS's default request quotas. Calls come from `--stats`. It also compares
//! a tag selector with a prefix selector, and measures the planner's CPU time
//! and the peak memory of a plan over 10,000 resources from a recorded live
//! state (`--live-from`). Results go to BENCHMARKS.md.
//!
//!     cargo run --release --example bench             full account, writes BENCHMARKS.md
//!     cargo run --release --example bench -- --quick  small account, writes target/BENCHMARKS.quick.md
//!
//! Options: --quick, --runs N, --proxy-runs N, --delay-ms N, --out FILE,
//! --keep (leave the scratch project, with the 10,000-resource live state),
//! --write-live DIR (seed, write the bench profile and the live states the
//! planner is timed on into DIR, and stop: for `--planner-cpu` by hand).

#[path = "../tests/common/mod.rs"]
mod common;

use common::proxy::{Proxy, ProxyOpts};
use common::seed::Sdk;
use common::Moto;
use futures::stream::{self, StreamExt};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PARK_FN: &str = "bench-park-fn-";
/// The markers of the section examples/bench_targets.rs writes.
const TARGETS_START: &str = "<!-- bench-targets:start -->";
const TARGETS_END: &str = "<!-- bench-targets:end -->";
const KEEP_FN: &str = "bench-keep-fn-";
const STREAM: &str = "bench-stream-";
const ALARM: &str = "bench-alarm-";
/// Requests in flight while seeding.
const SEED_CONCURRENCY: usize = 32;
/// Largest pages real AWS serves for the list calls parkctl makes.
const PAGE_LIST_FUNCTIONS: u64 = 50;
const PAGE_LIST_STREAMS: u64 = 10_000;
const PAGE_LIST_MAPPINGS: u64 = 10_000;
const PAGE_DESCRIBE_ALARMS: u64 = 100;
const DEFAULT_CONCURRENCY: usize = 16;
/// The longest a single `parkctl plan` may run before it is stopped.
const RUN_LIMIT: Duration = Duration::from_secs(300);

#[derive(Debug, Clone)]
struct Opts {
    quick: bool,
    keep: bool,
    functions: usize,
    streams: usize,
    alarms: usize,
    mappings: usize,
    live_resources: usize,
    runs: usize,
    proxy_runs: usize,
    delay: Duration,
    out: PathBuf,
    /// `--write-live DIR`: write the planner's inputs there and stop.
    write_live: Option<PathBuf>,
}

impl Opts {
    fn parse() -> Opts {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let quick = args.iter().any(|a| a == "--quick");
        let value = |name: &str| {
            args.iter()
                .position(|a| a == name)
                .and_then(|i| args.get(i + 1))
                .cloned()
        };
        let num = |name: &str, default: usize| {
            value(name)
                .map(|v| {
                    v.parse()
                        .unwrap_or_else(|_| panic!("{name}: not a number: {v}"))
                })
                .unwrap_or(default)
        };
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (functions, streams, alarms, mappings) = if quick {
            (100, 20, 100, 10)
        } else {
            (1000, 200, 1000, 100)
        };
        Opts {
            quick,
            keep: args.iter().any(|a| a == "--keep"),
            functions,
            streams,
            alarms,
            mappings,
            live_resources: 10_000,
            runs: num("--runs", if quick { 3 } else { 5 }),
            proxy_runs: num("--proxy-runs", if quick { 1 } else { 3 }),
            delay: Duration::from_millis(num("--delay-ms", 50) as u64),
            write_live: value("--write-live").map(PathBuf::from),
            out: value("--out").map(PathBuf::from).unwrap_or_else(|| {
                if quick {
                    root.join("target/BENCHMARKS.quick.md")
                } else {
                    root.join("BENCHMARKS.md")
                }
            }),
        }
    }

    fn selected_functions(&self) -> usize {
        self.functions / 2
    }

    /// Streams, selected functions, alarms and the selected functions'
    /// event-source mappings.
    fn selected(&self) -> usize {
        self.streams + self.selected_functions() + self.alarms + self.mappings
    }
}

fn fn_name(i: usize, n: usize) -> String {
    if i < n / 2 {
        format!("{PARK_FN}{i:05}")
    } else {
        format!("{KEEP_FN}{i:05}")
    }
}

async fn seed(sdk: &Sdk, o: &Opts) {
    let role = sdk.role().await;
    let arns: Vec<String> = stream::iter(0..o.streams)
        .map(|i| async move { sdk.stream(&format!("{STREAM}{i:05}"), 2).await })
        .buffered(SEED_CONCURRENCY)
        .collect()
        .await;
    let role = &role;
    let n = o.functions;
    stream::iter(0..n)
        .for_each_concurrent(SEED_CONCURRENCY, |i| async move {
            // The smallest valid zip archive: an empty one.
            let mut zip = b"PK\x05\x06".to_vec();
            zip.extend([0u8; 18]);
            sdk.lambda
                .create_function()
                .function_name(fn_name(i, n))
                .runtime(aws_sdk_lambda::types::Runtime::Python312)
                .role(role)
                .handler("app.handler")
                .code(
                    aws_sdk_lambda::types::FunctionCode::builder()
                        .zip_file(aws_smithy_types::Blob::new(zip))
                        .build(),
                )
                .tags("park", if i < n / 2 { "yes" } else { "no" })
                .tags("team", "bench")
                .send()
                .await
                .unwrap();
        })
        .await;
    let arns = &arns;
    // Mappings on the selected functions, one each, over the streams.
    stream::iter(0..o.mappings)
        .for_each_concurrent(SEED_CONCURRENCY, |i| async move {
            sdk.mapping(&fn_name(i, n), &arns[i % arns.len()]).await;
        })
        .await;
    stream::iter(0..o.alarms)
        .for_each_concurrent(SEED_CONCURRENCY, |i| async move {
            sdk.alarm(&format!("{ALARM}{i:05}")).await
        })
        .await;
}

fn profile(lambda_selector: &str) -> String {
    format!(
        "version: 1
description: Benchmark, the large account parked.
target:
  region: us-east-1
kinesis:
  - prefix: {STREAM}
    shards: 1
lambda:
  - {lambda_selector}
    reserved_concurrency: 0
    event_sources: disabled
cloudwatch:
  alarms:
    - prefix: {ALARM}
      actions: disabled
"
    )
}

/// One `parkctl plan` run, as `--stats` reports it.
#[derive(Debug, Clone, Default)]
struct Stats {
    /// (service, operation) -> (calls, attempts, ms in calls)
    ops: BTreeMap<(String, String), (u64, u64, f64)>,
    calls: u64,
    attempts: u64,
    /// parkctl's own wall time (from start of plan to the stats line)
    wall_ms: f64,
}

impl Stats {
    fn calls(&self, op: &str) -> u64 {
        self.ops
            .iter()
            .filter(|((_, o), _)| o == op)
            .map(|(_, v)| v.0)
            .sum()
    }

    fn ms(&self, op: &str) -> f64 {
        self.ops
            .iter()
            .filter(|((_, o), _)| o == op)
            .map(|(_, v)| v.2)
            .sum()
    }
}

/// Parses the `--stats` block (format: src/aws/calllog.rs render_stats).
fn parse_stats(stderr: &str) -> Option<Stats> {
    let start = stderr.find("AWS calls (service operation")?;
    let mut s = Stats::default();
    for line in stderr[start..].lines().skip(1) {
        let w: Vec<&str> = line.split_whitespace().collect();
        if w.first() == Some(&"total") {
            s.calls = w.get(1)?.parse().ok()?;
            s.attempts = w.get(2)?.parse().ok()?;
            let i = w.iter().position(|x| *x == "(wall")?;
            s.wall_ms = w.get(i + 1)?.parse().ok()?;
            return Some(s);
        }
        if w.len() < 6 {
            return None;
        }
        s.ops.insert(
            (w[0].to_string(), w[1].to_string()),
            (w[2].parse().ok()?, w[3].parse().ok()?, w[4].parse().ok()?),
        );
    }
    None
}

fn parkctl() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/parkctl");
    assert!(
        p.exists(),
        "{} is missing: run `make bench` (it builds the release binary first)",
        p.display()
    );
    p
}

/// The latency series switch client-side pacing off, so that they show
/// what concurrency buys against round trips alone; the quota runs below
/// show the defaults against AWS's request rates.
const UNPACED: &str = "unpaced.yaml";

fn unpaced(dir: &Path) -> String {
    let p = dir.join(UNPACED);
    if !p.exists() {
        std::fs::write(&p, "rate_limits: {lambda: 0, kinesis: 0, cloudwatch: 0}\n").unwrap();
    }
    p.to_string_lossy().into_owned()
}

fn run_plan(dir: &Path, endpoint: &str, profile: &str, concurrency: usize) -> (Duration, Stats) {
    let cfg = unpaced(dir);
    match try_plan(dir, endpoint, profile, concurrency, &["--config", &cfg]) {
        (took, Ok(stats)) => (took, stats),
        (_, Err(e)) => panic!("parkctl plan {profile} failed:\n{e}"),
    }
}

/// Runs `parkctl plan PROFILE --stats --concurrency N EXTRA…`; `Err` holds
/// its output when it fails.
fn try_plan(
    dir: &Path,
    endpoint: &str,
    profile: &str,
    concurrency: usize,
    extra: &[&str],
) -> (Duration, Result<Stats, String>) {
    let started = Instant::now();
    // Output to files, so that a run past the time limit can be killed
    // without a pipe to drain.
    let tmp = tempfile::tempdir().unwrap();
    let (o_path, e_path) = (tmp.path().join("out"), tmp.path().join("err"));
    let mut child = Command::new(parkctl())
        .current_dir(dir)
        .args([
            "plan",
            profile,
            "--stats",
            "--concurrency",
            &concurrency.to_string(),
        ])
        .args(extra)
        .envs(common::env(endpoint))
        .env_remove("AWS_PROFILE")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&o_path).unwrap())
        .stderr(std::fs::File::create(&e_path).unwrap())
        .spawn()
        .expect("run parkctl");
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break Some(st);
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = std::process::Output {
        status: match status {
            Some(s) => s,
            None => {
                return (
                    started.elapsed(),
                    Err(format!(
                        "error: still running after {} s: stopped",
                        RUN_LIMIT.as_secs()
                    )),
                )
            }
        },
        stdout: std::fs::read(&o_path).unwrap_or_default(),
        stderr: std::fs::read(&e_path).unwrap_or_default(),
    };
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return (
            took,
            Err(format!(
                "{}\n{}\n{stderr}",
                out.status,
                String::from_utf8_lossy(&out.stdout)
            )),
        );
    }
    let stats = parse_stats(&stderr).unwrap_or_else(|| panic!("no --stats in:\n{stderr}"));
    (took, Ok(stats))
}

/// A plan through the proxy with AWS's request quotas.
struct QuotaRun {
    concurrency: usize,
    /// `paced (default)` or `unpaced`.
    retry_mode: &'static str,
    took: Duration,
    result: Result<Stats, String>,
    requests: u64,
    throttled: u64,
}

fn quota_runs(dir: &Path, moto_port: u16, o: &Opts) -> Vec<QuotaRun> {
    let proxy = Proxy::start_with_quotas(
        moto_port,
        ProxyOpts {
            delay: o.delay,
            fault_rate: 0.0,
            seed: 1,
        },
        common::proxy::aws_default_quotas(),
    );
    let cfg = unpaced(dir);
    let mut out = vec![];
    for (c, mode) in [
        (1, "paced (default)"),
        (DEFAULT_CONCURRENCY, "paced (default)"),
        (DEFAULT_CONCURRENCY, "unpaced"),
    ] {
        // A fresh second for the token buckets.
        std::thread::sleep(Duration::from_secs(2));
        proxy.reset_counters();
        let extra: Vec<&str> = if mode == "unpaced" {
            vec!["--config", &cfg]
        } else {
            vec![]
        };
        let (took, result) = try_plan(dir, &proxy.url(), "bench", c, &extra);
        eprintln!(
            "  quotas         bench       concurrency {c:>2} {mode:<8}: {:>8.1} ms, {}, {} requests, {} throttled",
            took.as_secs_f64() * 1000.0,
            if result.is_ok() { "ok" } else { "FAILED" },
            proxy.requests(),
            proxy.throttled()
        );
        out.push(QuotaRun {
            concurrency: c,
            retry_mode: mode,
            took,
            result,
            requests: proxy.requests(),
            throttled: proxy.throttled(),
        });
    }
    out
}

/// A set of runs of one configuration.
struct Series {
    via: String,
    concurrency: usize,
    walls: Vec<Duration>,
    stats: Vec<Stats>,
    /// The most requests the proxy saw in flight at once (proxy runs only).
    max_in_flight: Option<u64>,
}

impl Series {
    fn median(&self) -> Duration {
        let mut w = self.walls.clone();
        w.sort();
        w[w.len() / 2]
    }

    fn stats(&self) -> &Stats {
        &self.stats[0]
    }

    fn calls_range(&self) -> String {
        let min = self.stats.iter().map(|s| s.calls).min().unwrap_or(0);
        let max = self.stats.iter().map(|s| s.calls).max().unwrap_or(0);
        if min == max {
            min.to_string()
        } else {
            format!("{min}–{max}")
        }
    }
}

fn series(
    dir: &Path,
    via: &str,
    endpoint: &str,
    proxy: Option<&Proxy>,
    profile: &str,
    concurrency: usize,
    runs: usize,
) -> Series {
    let mut s = Series {
        via: via.to_string(),
        concurrency,
        walls: vec![],
        stats: vec![],
        max_in_flight: None,
    };
    for i in 0..runs {
        if let Some(p) = proxy {
            p.reset_counters();
        }
        let (took, stats) = run_plan(dir, endpoint, profile, concurrency);
        if let Some(p) = proxy {
            assert_eq!(
                p.requests(),
                stats.attempts,
                "the proxy and --stats disagree on the number of requests"
            );
            s.max_in_flight = Some(s.max_in_flight.unwrap_or(0).max(p.max_in_flight()));
        }
        eprintln!(
            "  {via:<14} {profile:<11} concurrency {concurrency:>2}  run {}/{runs}: {:>8.1} ms, {} calls",
            i + 1,
            took.as_secs_f64() * 1000.0,
            stats.calls
        );
        s.walls.push(took);
        s.stats.push(stats);
    }
    s
}

/// Calls real AWS would need: list calls at their largest page size.
fn real_aws(st: &Stats, o: &Opts) -> (u64, Vec<(String, u64, u64)>) {
    let expected = |op: &str, measured: u64| -> u64 {
        let pages = |n: usize, page: u64| (n as u64).div_ceil(page).max(1);
        match op {
            "ListFunctions" => pages(o.functions, PAGE_LIST_FUNCTIONS),
            "ListStreams" => pages(o.streams, PAGE_LIST_STREAMS),
            "ListEventSourceMappings" => pages(o.mappings, PAGE_LIST_MAPPINGS),
            // One prefix read over the alarms.
            "DescribeAlarms" => pages(o.alarms, PAGE_DESCRIBE_ALARMS),
            _ => measured,
        }
    };
    let mut total = 0;
    let mut rows = vec![];
    for ((svc, op), (calls, _, _)) in &st.ops {
        let e = expected(op, *calls);
        total += e;
        rows.push((format!("{svc} {op}"), *calls, e));
    }
    (total, rows)
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid clock id and a pointer to a timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// How a child's peak memory was measured.
const GNU_TIME: &str = "/usr/bin/time";

/// Runs `program args` to its end and returns (exit status, peak RSS in
/// KiB, user+system CPU time, wall time, how the peak was measured).
///
/// The peak comes from GNU time's `%M` when /usr/bin/time exists, else from
/// polling VmHWM in /proc/PID/status. Not from our own wait4(2): a child
/// spawned from this (large) process starts out sharing its pages, and Linux
/// folds that pre-exec high-water mark into the child's ru_maxrss.
/// CPU time comes from wait4(2) (it includes GNU time's own, a few ms).
// The child is reaped by wait4(2) below, which also gives its rusage;
// std's Child::wait cannot.
#[allow(clippy::zombie_processes)]
fn run_measured(
    dir: &Path,
    program: &Path,
    args: &[&str],
) -> (i32, u64, Duration, Duration, &'static str) {
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("time");
    let gnu_time = Path::new(GNU_TIME).exists();
    let mut cmd = if gnu_time {
        let mut c = Command::new(GNU_TIME);
        c.arg("-o").arg(&report).args(["-f", "%M"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.current_dir(dir)
        .args(args)
        .envs(common::env("http://127.0.0.1:9"))
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let started = Instant::now();
    let child = cmd.spawn().expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut hwm = 0u64;
    // SAFETY: rusage is plain data; zeroed is a valid value.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        if !gnu_time {
            if let Some(kib) = std::fs::read_to_string(format!("/proc/{pid}/status"))
                .ok()
                .and_then(|st| {
                    st.lines()
                        .find(|l| l.starts_with("VmHWM:"))
                        .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                })
            {
                hwm = hwm.max(kib);
            }
        }
        // SAFETY: waits for our own child; the pointers are to locals we own.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut ru) };
        if r == pid {
            break;
        }
        assert_eq!(r, 0, "wait4 failed");
        std::thread::sleep(Duration::from_micros(500));
    }
    let wall = started.elapsed();
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec * 1000) as u32);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    let (rss, how) = if gnu_time {
        let text = std::fs::read_to_string(&report).unwrap_or_default();
        let kib = text
            .lines()
            .rev()
            .find_map(|l| l.trim().parse::<u64>().ok())
            .unwrap_or(0);
        (kib, "max RSS from `/usr/bin/time -f %M`")
    } else {
        (hwm, "VmHWM of the child, polled every 0.5 ms")
    };
    (code, rss, tv(ru.ru_utime) + tv(ru.ru_stime), wall, how)
}

/// Makes a live state of `n` resources from a recorded one, by repeating
/// its resources under new names (that the same prefixes still select).
fn scale_live(recorded: &parkctl::model::Live, n: usize) -> parkctl::model::Live {
    let mut live = parkctl::model::Live {
        facts: recorded.facts.clone(),
        ..Default::default()
    };
    // Resources that belong to another (event sources) come with it and
    // are not counted, as before the generic model.
    let top = |l: &parkctl::model::Live| l.resources.iter().filter(|r| r.parent.is_none()).count();
    assert!(top(recorded) > 0, "the recorded live state is empty");
    let mut copy = 0;
    while top(&live) < n {
        let suffix = format!("-c{copy:03}");
        for r in &recorded.resources {
            if r.parent.is_none() && top(&live) >= n {
                break;
            }
            let mut r = r.clone();
            r.id.name.push_str(&suffix);
            r.arn.push_str(&suffix);
            if let Some(p) = &mut r.parent {
                p.push_str(&suffix);
            }
            if let Some(src) = r.attrs.get_mut("source_arn") {
                *src = format!("{}{suffix}", src.as_str().unwrap_or_default()).into();
            }
            live.resources.push(r);
        }
        copy += 1;
    }
    live
}

struct Big {
    resources: usize,
    mappings: usize,
    changes: usize,
    planner_cpu: Vec<Duration>,
    process: Vec<(u64, Duration, Duration)>,
    live_bytes: u64,
    rss_how: &'static str,
    /// (resources, median CPU of resolve, median CPU of the whole planner)
    scaling: Vec<(usize, Duration, Duration)>,
}

fn median_cpu(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut v: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = thread_cpu();
            f();
            thread_cpu() - t
        })
        .collect();
    v.sort();
    v[v.len() / 2]
}

fn big_plan(dir: &Path, recorded: &parkctl::model::Live, o: &Opts) -> Big {
    let live = scale_live(recorded, o.live_resources);
    let path = dir.join("live-10k.json");
    std::fs::write(&path, serde_json::to_vec(&live).unwrap()).unwrap();
    // The planner is timed in a fresh process of this program (see
    // `planner_cpu`): in this one, after seeding and a dozen runs, the heap
    // is no longer what parkctl's is.
    let measure = |file: &Path, runs: usize| -> (usize, Duration, Vec<Duration>) {
        let out = Command::new(std::env::current_exe().unwrap())
            .arg("--planner-cpu")
            .arg(dir.join("profiles/bench.yaml"))
            .arg(file)
            .arg(runs.to_string())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Vec<u64> = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(|x| x.parse().unwrap())
            .collect();
        let plans = v[2..].iter().map(|ns| Duration::from_nanos(*ns)).collect();
        (v[0] as usize, Duration::from_nanos(v[1]), plans)
    };
    let (changes, _, mut planner_cpu) = measure(&path, 9);
    planner_cpu.sort();
    // How the planner grows with the account: resolve (selectors to
    // desired values) and the whole planner, at a quarter, half, one and
    // two times the size.
    let mut scaling = vec![];
    for n in [
        o.live_resources / 4,
        o.live_resources / 2,
        o.live_resources,
        o.live_resources * 2,
    ] {
        let file = dir.join(format!("live-{n}.json"));
        std::fs::write(&file, serde_json::to_vec(&scale_live(recorded, n)).unwrap()).unwrap();
        let (_, resolve, mut whole) = measure(&file, 5);
        whole.sort();
        let whole = whole[whole.len() / 2];
        eprintln!(
            "  {n:>6} resources: resolve {:.1} ms, plan {:.1} ms",
            resolve.as_secs_f64() * 1000.0,
            whole.as_secs_f64() * 1000.0
        );
        scaling.push((n, resolve, whole));
        let _ = std::fs::remove_file(&file);
    }
    let mut process = vec![];
    let mut rss_how = "";
    for _ in 0..3 {
        let (code, rss, cpu, wall, how) = run_measured(
            dir,
            &parkctl(),
            &["plan", "bench", "--live-from", path.to_str().unwrap()],
        );
        rss_how = how;
        assert_eq!(code, 0, "parkctl plan --live-from failed");
        process.push((rss, cpu, wall));
    }
    Big {
        resources: live.resources.iter().filter(|r| r.parent.is_none()).count(),
        mappings: live.resources.iter().filter(|r| r.parent.is_some()).count(),
        changes,
        planner_cpu,
        process,
        live_bytes: std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
        rss_how,
        scaling,
    }
}

fn sh(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn machine() -> Vec<(String, String)> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map(|k| format!("{:.1} GiB", k as f64 / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown".into());
    let nproc = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let python = common::moto_binary().parent().unwrap().join("python");
    let moto = sh(
        python.to_str().unwrap(),
        &["-c", "import moto; print(moto.__version__)"],
    )
    .unwrap_or_else(|| "unknown".into());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let commit = sh(
        "git",
        &[
            "-C",
            env!("CARGO_MANIFEST_DIR"),
            "rev-parse",
            "--short",
            "HEAD",
        ],
    )
    .unwrap_or_default();
    let dirty = sh(
        "git",
        &[
            "-C",
            env!("CARGO_MANIFEST_DIR"),
            "status",
            "--porcelain",
            "--untracked-files=no",
        ],
    )
    .is_some_and(|s| !s.is_empty());
    vec![
        ("CPU".into(), format!("{model}, {nproc} CPUs (nproc)")),
        ("Memory".into(), mem),
        ("Kernel".into(), format!("Linux {kernel}")),
        (
            "Emulator".into(),
            format!("moto_server {moto} (one process, threaded)"),
        ),
        (
            "Rust".into(),
            sh("rustc", &["--version"]).unwrap_or_default(),
        ),
        (
            "parkctl".into(),
            format!(
                "{commit}{}, release build",
                if dirty { " + local changes" } else { "" }
            ),
        ),
    ]
}

/// `bench --planner-cpu PROFILE LIVE RUNS`: prints the number of changes,
/// the median CPU time of `resolve` and each run's CPU time of the whole
/// planner, in nanoseconds, for the profile over the live state.
fn planner_cpu(args: &[String]) {
    let text = std::fs::read_to_string(&args[0]).unwrap();
    let profile =
        parkctl::profile::Profile::parse(&args[0], "bench", &text).expect("bench profile");
    let live: parkctl::model::Live =
        serde_json::from_slice(&std::fs::read(&args[1]).unwrap()).unwrap();
    let runs: usize = args[2].parse().unwrap();
    let ctx = parkctl::planner::Context::at(chrono::Utc::now());
    let resolve = median_cpu(runs, || drop(parkctl::planner::resolve(&profile, &live)));
    let mut out = vec![0, resolve.as_nanos() as u64];
    for _ in 0..runs {
        let t = thread_cpu();
        let plan = parkctl::planner::plan(&profile, &live, &ctx);
        let took = thread_cpu() - t;
        out[0] = plan.changes.len() as u64;
        out.push(took.as_nanos() as u64);
    }
    println!(
        "{}",
        out.iter().map(u64::to_string).collect::<Vec<_>>().join(" ")
    );
}

/// Seeds the emulator, writes the profiles into `dir` and records the live
/// state the bench profile selects (a warm-up plan: moto builds some
/// indexes lazily). Returns the seeding time, that live state and the
/// saved plan.
fn seed_and_record(
    moto: &Moto,
    dir: &Path,
    o: &Opts,
) -> (Duration, parkctl::model::Live, serde_json::Value) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    rt.block_on(async {
        let sdk = Sdk::new(&moto.url()).await;
        seed(&sdk, o).await;
    });
    let seeding = started.elapsed();
    eprintln!("seeded in {:.1} s", seeding.as_secs_f64());
    std::fs::create_dir_all(dir.join("profiles")).unwrap();
    std::fs::write(
        dir.join("profiles/bench.yaml"),
        profile(&format!("prefix: {PARK_FN}")),
    )
    .unwrap();
    std::fs::write(
        dir.join("profiles/bench-tags.yaml"),
        profile("tags: {park: \"yes\"}"),
    )
    .unwrap();
    let saved = dir.join("saved.json");
    let out = Command::new(parkctl())
        .current_dir(dir)
        .args(["plan", "bench", "--format", "json", "--out"])
        .arg(&saved)
        .envs(common::env(&moto.url()))
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&saved).unwrap()).unwrap();
    let recorded: parkctl::model::Live = serde_json::from_value(saved["live"].clone()).unwrap();
    let seen = recorded.resources.len();
    assert_eq!(
        seen,
        o.selected(),
        "the profile selects {seen} resources, expected {}",
        o.selected()
    );
    (seeding, recorded, saved)
}

/// `--write-live DIR`: the planner's inputs, to time it by hand with
/// `--planner-cpu` and `parkctl plan bench --live-from`: the bench profile
/// (`DIR/profiles/bench.yaml`) and the live state scaled to a quarter,
/// half, one and two times `live_resources` (`DIR/live-N.json`).
fn write_live(out: &Path, scratch: &Path, recorded: &parkctl::model::Live, o: &Opts) {
    std::fs::create_dir_all(out.join("profiles")).unwrap();
    std::fs::copy(
        scratch.join("profiles/bench.yaml"),
        out.join("profiles/bench.yaml"),
    )
    .unwrap();
    let n = o.live_resources;
    for n in [n / 4, n / 2, n, n * 2] {
        let file = out.join(format!("live-{n}.json"));
        std::fs::write(&file, serde_json::to_vec(&scale_live(recorded, n)).unwrap()).unwrap();
        eprintln!("wrote {}", file.display());
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--planner-cpu") {
        return planner_cpu(&args[1..]);
    }
    let o = Opts::parse();
    // Fails early, before seeding, when the release binary is missing.
    parkctl();
    eprintln!(
        "bench: {} account: {} functions ({} selected), {} streams, {} alarms, {} mappings",
        if o.quick { "quick" } else { "full" },
        o.functions,
        o.selected_functions(),
        o.streams,
        o.alarms,
        o.mappings
    );

    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let (seeding, recorded, saved) = seed_and_record(&moto, dir.path(), &o);
    if let Some(out) = &o.write_live {
        return write_live(out, dir.path(), &recorded, &o);
    }
    let proxy = Proxy::start(
        moto.port,
        ProxyOpts {
            delay: o.delay,
            fault_rate: 0.0,
            seed: 1,
        },
    );
    let via_proxy = format!("proxy +{} ms", o.delay.as_millis());
    let plan_changes = saved["plan"]["changes"].as_array().map_or(0, |c| c.len());

    eprintln!("timing plan:");
    let mut all = vec![];
    for (via, url, px, runs) in [
        ("direct", moto.url(), None, o.runs),
        (via_proxy.as_str(), proxy.url(), Some(&proxy), o.proxy_runs),
    ] {
        for c in [1, DEFAULT_CONCURRENCY] {
            all.push(series(dir.path(), via, &url, px, "bench", c, runs));
        }
    }
    eprintln!("timing the tag selector (tagging API, then one ListTags per function):");
    let mut tags = vec![];
    for per_resource in [false, true] {
        // parkctl's hidden switch to the per-function reads, to measure both.
        if per_resource {
            std::env::set_var("PARKCTL_TAG_READS", "per-resource");
        }
        for (via, url, px, runs) in [
            ("direct", moto.url(), None, o.runs),
            (via_proxy.as_str(), proxy.url(), Some(&proxy), o.proxy_runs),
        ] {
            tags.push(series(
                dir.path(),
                via,
                &url,
                px,
                "bench-tags",
                DEFAULT_CONCURRENCY,
                runs,
            ));
        }
        std::env::remove_var("PARKCTL_TAG_READS");
    }
    eprintln!("timing plan through the proxy with AWS's request quotas:");
    let quotas = quota_runs(dir.path(), moto.port, &o);
    eprintln!(
        "planning {} resources from a recorded live state:",
        o.live_resources
    );
    let big = big_plan(dir.path(), &recorded, &o);

    let md = report(&o, seeding, plan_changes, &all, &tags, &quotas, &big);
    if let Some(parent) = o.out.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    // The "Many targets" section is `make bench-targets`'s: keep it.
    let kept = std::fs::read_to_string(&o.out).ok().and_then(|t| {
        let (a, b) = (t.find(TARGETS_START)?, t.find(TARGETS_END)?);
        (a < b).then(|| t[a..b + TARGETS_END.len()].to_string())
    });
    let md = match kept {
        Some(k) => format!("{}\n\n{k}\n", md.trim_end()),
        None => md,
    };
    std::fs::write(&o.out, &md).unwrap();
    println!("{md}");
    eprintln!("wrote {}", o.out.display());
    if o.keep {
        eprintln!("kept the scratch project: {}", dir.keep().display());
    }
}

fn report(
    o: &Opts,
    seeding: Duration,
    plan_changes: usize,
    all: &[Series],
    tags: &[Series],
    quotas: &[QuotaRun],
    big: &Big,
) -> String {
    let mut md = String::new();
    let w = &mut md;
    let resources = o.selected();
    let nf = o.selected_functions();
    let by = |via: &str, c: usize| {
        all.iter()
            .find(|s| s.via.starts_with(via) && s.concurrency == c)
            .unwrap()
    };
    let proxy_label = format!("proxy +{} ms", o.delay.as_millis());

    writeln!(w, "# Benchmarks\n").unwrap();
    writeln!(
        w,
        "Generated by `make bench` (`cargo run --release --example bench{}`, source: examples/bench.rs) on {}. Do not edit by hand: re-run it.\n",
        if o.quick { " -- --quick" } else { "" },
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    )
    .unwrap();
    writeln!(w, "## Machine\n").unwrap();
    writeln!(w, "| | |\n|---|---|").unwrap();
    for (k, v) in machine() {
        writeln!(w, "| {k} | {v} |").unwrap();
    }
    writeln!(w).unwrap();

    writeln!(w, "## The account\n").unwrap();
    writeln!(
        w,
        "Seeded into moto in {:.1} s ({SEED_CONCURRENCY} requests in flight): {} Lambda functions (half named `{PARK_FN}*` and tagged `park: yes`, half `{KEEP_FN}*`), {} Kinesis streams (2 shards), {} CloudWatch alarms, {} event-source mappings on selected functions.\n",
        seeding.as_secs_f64(),
        o.functions,
        o.streams,
        o.alarms,
        o.mappings
    )
    .unwrap();
    writeln!(
        w,
        "The profile `bench` selects streams by prefix `{STREAM}` (shards: 1), functions by prefix `{PARK_FN}` (reserved_concurrency: 0, event_sources: disabled) and alarms by prefix `{ALARM}` (actions: disabled): **{resources} resources** ({} streams, {nf} functions, {} alarms, {} mappings), {plan_changes} changes.\n",
        o.streams, o.alarms, o.mappings
    )
    .unwrap();
    writeln!(
        w,
        "Command, in a scratch project against the emulator (`direct`) or through a loopback proxy that adds {} ms to every request (tests/common/proxy.rs), with client-side pacing off (see the quota section):\n\n    parkctl plan bench --stats --concurrency N --config unpaced.yaml\n",
        o.delay.as_millis()
    )
    .unwrap();
    writeln!(
        w,
        "Wall time is the median of {} runs direct and {} through the proxy, measured around the process. moto ignores page sizes, so each list call returns everything in one page; the *real AWS* column counts list calls at AWS's largest page sizes (ListFunctions 50, DescribeAlarms 100, ListStreams and ListEventSourceMappings 10,000).\n",
        o.runs, o.proxy_runs
    )
    .unwrap();

    writeln!(w, "## plan over {resources} resources\n").unwrap();
    writeln!(w, "| endpoint | concurrency | resources | calls (moto) | calls (real AWS) | calls / resource (real AWS) | wall time | speed-up vs concurrency 1 |").unwrap();
    writeln!(w, "|---|---:|---:|---:|---:|---:|---:|---:|").unwrap();
    for s in all {
        let (real, _) = real_aws(s.stats(), o);
        let base = by(&s.via, 1).median();
        writeln!(
            w,
            "| {} | {}{} | {resources} | {} | {real} | {:.3} | {} | {} |",
            s.via,
            s.concurrency,
            if s.concurrency == DEFAULT_CONCURRENCY {
                " (default)"
            } else {
                ""
            },
            s.calls_range(),
            real as f64 / resources as f64,
            ms(s.median()),
            if s.concurrency == 1 {
                "1.0x".to_string()
            } else {
                format!("**{:.1}x**", base.as_secs_f64() / s.median().as_secs_f64())
            }
        )
        .unwrap();
    }
    writeln!(w).unwrap();

    let st = by("direct", DEFAULT_CONCURRENCY).stats();
    let p1 = by("proxy", 1).stats();
    let p16 = by("proxy", DEFAULT_CONCURRENCY).stats();
    writeln!(w, "### Calls per operation\n").unwrap();
    writeln!(
        w,
        "Time in calls is the sum over calls (they overlap at concurrency > 1), through the proxy.\n"
    )
    .unwrap();
    writeln!(w, "| operation | calls (moto) | calls (real AWS) | time in calls, concurrency 1 | time in calls, concurrency {DEFAULT_CONCURRENCY} |").unwrap();
    writeln!(w, "|---|---:|---:|---:|---:|").unwrap();
    let (_, rows) = real_aws(st, o);
    for ((svc, op), (name, calls, real)) in st.ops.keys().zip(rows) {
        let _ = svc;
        writeln!(
            w,
            "| {name} | {calls} | {real} | {:.0} ms | {:.0} ms |",
            p1.ms(op),
            p16.ms(op)
        )
        .unwrap();
    }
    writeln!(w).unwrap();

    // Targets.
    let list_pages = |s: &Stats| s.calls("ListFunctions");
    let lambda_calls = |s: &Stats| -> u64 {
        s.ops
            .iter()
            .filter(|((svc, op), _)| svc == "Lambda" && op != "ListFunctions")
            .map(|(_, v)| v.0)
            .sum()
    };
    let per_fn = lambda_calls(st) as f64 / nf as f64;
    let real_pages = (o.functions as u64).div_ceil(PAGE_LIST_FUNCTIONS);
    let alarm_reads = st.calls("DescribeAlarms");
    let real_alarm_reads = (o.alarms as u64).div_ceil(PAGE_DESCRIBE_ALARMS);
    let speedup = by("proxy", 1).median().as_secs_f64()
        / by("proxy", DEFAULT_CONCURRENCY).median().as_secs_f64();
    let planner_ms = big.planner_cpu[big.planner_cpu.len() / 2].as_secs_f64() * 1000.0;
    let peak_kib = big.process.iter().map(|p| p.0).max().unwrap_or(0);
    let peak_mib = peak_kib as f64 / 1024.0;
    let ok = |b: bool| if b { "met" } else { "**missed**" };

    let (tag_direct, tag_proxy) = (&tags[0], &tags[1]);
    let (each_direct, each_proxy) = (&tags[2], &tags[3]);
    writeln!(w, "## Tag selector vs prefix selector\n").unwrap();
    writeln!(
        w,
        "Profile `bench-tags`: the same, but functions selected by `tags: {{park: \"yes\"}}` (the same {nf} functions). The rule has no name or prefix, so every function is a candidate: parkctl reads their tags with the Resource Groups Tagging API (GetResources, every tagged function of the account, 100 a page) when that takes fewer calls than one ListTags per candidate, as here; the last row forces one ListTags per function (`PARKCTL_TAG_READS=per-resource`, a benchmark switch) to measure the other way. Concurrency {DEFAULT_CONCURRENCY}.\n"
    )
    .unwrap();
    writeln!(w, "| lambda selector | tag reads | calls (moto) | calls (real AWS) | Lambda calls / selected function (excl. list pages) | wall direct | wall {proxy_label} |").unwrap();
    writeln!(w, "|---|---:|---:|---:|---:|---:|---:|").unwrap();
    let pre_d = by("direct", DEFAULT_CONCURRENCY);
    let pre_p = by("proxy", DEFAULT_CONCURRENCY);
    for (label, d, p) in [
        (format!("`prefix: {PARK_FN}`"), pre_d, pre_p),
        (
            "`tags: {park: \"yes\"}` (GetResources)".to_string(),
            tag_direct,
            tag_proxy,
        ),
        (
            "`tags: {park: \"yes\"}` (ListTags each)".to_string(),
            each_direct,
            each_proxy,
        ),
    ] {
        let s = d.stats();
        writeln!(
            w,
            "| {label} | {} GetResources + {} ListTags | {} | {} | {:.2} | {} | {} |",
            s.calls("GetResources"),
            s.calls("ListTags"),
            d.calls_range(),
            real_aws(s, o).0,
            lambda_calls(s) as f64 / nf as f64,
            ms(d.median()),
            ms(p.median())
        )
        .unwrap();
    }
    writeln!(
        w,
        "\nOn real AWS GetResources returns 100 functions a page: about {} calls for this account's tagged functions, against {} ListTags. Without the `tag:GetResources` permission parkctl falls back to ListTags. A prefix with tags reads tags only for the prefix's functions.\n",
        (o.functions as u64).div_ceil(100),
        each_direct.stats().calls("ListTags")
    )
    .unwrap();

    writeln!(w, "## Through the proxy with AWS's request quotas\n").unwrap();
    writeln!(
        w,
        "The {} ms proxy does not model AWS's per-account request quotas, and those, not round trips, bound a real account: every Lambda control-plane call but GetFunction shares 15 requests/s (so {nf} GetFunctionConcurrency take at least {:.0} s however many are in flight), DescribeStreamSummary 20/s (at least {:.0} s for {} streams), DescribeAlarms 9/s, ListStreams 5/s. Here the proxy also enforces them (`Proxy::start_with_quotas` with `aws_default_quotas()`, token buckets of one second), answering with each service's throttling error; one run each. parkctl paces its requests at these rates by default (`rate_limits` in parkctl.yaml; the latency tables above run with pacing off, `rate_limits: {{lambda: 0, kinesis: 0, cloudwatch: 0}}`, to show what concurrency alone buys).\n",
        o.delay.as_millis(),
        nf as f64 / 15.0,
        o.streams as f64 / 20.0,
        o.streams
    )
    .unwrap();
    writeln!(
        w,
        "| concurrency | pacing | outcome | wall time | calls | attempts (requests) | throttled |"
    )
    .unwrap();
    writeln!(w, "|---:|---|---|---:|---:|---:|---:|").unwrap();
    for q in quotas {
        let (outcome, calls, attempts) = match &q.result {
            Ok(s) => (
                "ok".to_string(),
                s.calls.to_string(),
                s.attempts.to_string(),
            ),
            Err(e) => {
                let why = e
                    .lines()
                    .find(|l| l.contains("rror") || l.contains("×"))
                    .unwrap_or("failed")
                    .trim()
                    .replace('|', "/");
                (
                    format!("**failed**: {why}"),
                    "–".to_string(),
                    q.requests.to_string(),
                )
            }
        };
        writeln!(
            w,
            "| {} | {} | {outcome} | {} | {calls} | {attempts} | {} |",
            q.concurrency,
            q.retry_mode,
            ms(q.took),
            q.throttled
        )
        .unwrap();
    }
    writeln!(w).unwrap();

    writeln!(
        w,
        "## {} resources from a recorded live state\n",
        big.resources
    )
    .unwrap();
    writeln!(
        w,
        "The live state recorded by `plan bench --out` above, repeated under new names to {} resources ({} mappings, {:.1} MB of JSON; {} changes), planned with the hidden `--live-from FILE` flag (no AWS calls):\n\n    parkctl plan bench --live-from live-10k.json > /dev/null\n",
        big.resources,
        big.mappings,
        big.live_bytes as f64 / 1e6,
        big.changes
    )
    .unwrap();
    let med = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let mut cpu: Vec<Duration> = big.process.iter().map(|p| p.1).collect();
    let mut wall: Vec<Duration> = big.process.iter().map(|p| p.2).collect();
    writeln!(w, "| measure | value |\n|---|---:|").unwrap();
    writeln!(
        w,
        "| planner CPU time (`planner::plan`, thread CPU time in a fresh process, median of {}; min {:.1} ms) | {planner_ms:.1} ms |",
        big.planner_cpu.len(),
        big.planner_cpu[0].as_secs_f64() * 1000.0
    )
    .unwrap();
    writeln!(
        w,
        "| whole process CPU time, user + system (parse, plan, cost, render; median of {}) | {} |",
        cpu.len(),
        ms(med(&mut cpu))
    )
    .unwrap();
    writeln!(
        w,
        "| whole process wall time (median of {}) | {} |",
        wall.len(),
        ms(med(&mut wall))
    )
    .unwrap();
    writeln!(
        w,
        "| peak memory ({}; max of {}) | {peak_mib:.1} MiB |\n",
        big.rss_how,
        big.process.len()
    )
    .unwrap();

    writeln!(w, "Planner CPU time by size (median of 5 each; `resolve` turns selectors into desired values, the rest is the diff and the safety checks):\n").unwrap();
    writeln!(
        w,
        "| resources | resolve | whole planner | per resource |\n|---:|---:|---:|---:|"
    )
    .unwrap();
    for (n, r, p) in &big.scaling {
        writeln!(
            w,
            "| {n} | {:.1} ms | {:.1} ms | {:.1} µs |",
            r.as_secs_f64() * 1000.0,
            p.as_secs_f64() * 1000.0,
            p.as_secs_f64() * 1e6 / *n as f64
        )
        .unwrap();
    }
    writeln!(w).unwrap();

    writeln!(w, "## Targets\n").unwrap();
    writeln!(w, "| target | measured | |").unwrap();
    writeln!(w, "|---|---|---|").unwrap();
    writeln!(
        w,
        "| Lambda calls per selected function ≤ 1.05 + one per list page | {per_fn:.3} per function + {} ListFunctions page(s) (real AWS: {real_pages}) | {} |",
        list_pages(st),
        ok(per_fn <= 1.05)
    )
    .unwrap();
    writeln!(
        w,
        "| alarm reads ≤ 1 call per 100 alarms | {alarm_reads} DescribeAlarms for {} alarms (real AWS: {real_alarm_reads}, {:.2} per 100) | {} |",
        o.alarms,
        real_alarm_reads as f64 * 100.0 / o.alarms as f64,
        ok(real_alarm_reads as f64 * 100.0 / o.alarms as f64 <= 1.0 && alarm_reads <= real_alarm_reads)
    )
    .unwrap();
    writeln!(
        w,
        "| through the {} ms proxy, default concurrency ≥ 8x faster than concurrency 1 | {speedup:.1}x ({} → {}) | {} |",
        o.delay.as_millis(),
        ms(by("proxy", 1).median()),
        ms(by("proxy", DEFAULT_CONCURRENCY).median()),
        ok(speedup >= 8.0)
    )
    .unwrap();
    writeln!(
        w,
        "| planner CPU time for {} resources < 50 ms | {planner_ms:.1} ms | {} |",
        big.resources,
        ok(planner_ms < 50.0)
    )
    .unwrap();
    writeln!(
        w,
        "| peak memory < 64 MiB | {peak_mib:.1} MiB | {} |",
        ok(peak_mib < 64.0)
    )
    .unwrap();
    let default_quota = quotas
        .iter()
        .find(|q| q.concurrency == DEFAULT_CONCURRENCY && q.retry_mode == "paced (default)");
    writeln!(
        w,
        "| (not in the issue) plan succeeds under AWS's request quotas with the default settings | {} | {} |\n",
        match default_quota.map(|q| &q.result) {
            Some(Ok(_)) => "yes".to_string(),
            Some(Err(_)) => format!("no: fails after {} throttled requests", default_quota.map_or(0, |q| q.throttled)),
            None => "not run".to_string(),
        },
        ok(matches!(default_quota.map(|q| &q.result), Some(Ok(_))))
    )
    .unwrap();

    writeln!(w, "## Where the time goes\n").unwrap();
    let lanes = DEFAULT_CONCURRENCY;
    let d = o.delay.as_secs_f64() * 1000.0;
    let lambda_c1: u64 = p1
        .ops
        .iter()
        .filter(|((svc, _), _)| svc == "Lambda")
        .map(|(_, v)| v.0)
        .sum();
    let p16_wall = by("proxy", DEFAULT_CONCURRENCY).median().as_secs_f64() * 1000.0;
    let direct16 = by("direct", DEFAULT_CONCURRENCY);
    writeln!(
        w,
        "- **Concurrency 1 through the proxy**: each service reads one request at a time (the three services still run side by side), so Lambda is the critical path: {lambda_c1} calls × ({d:.0} ms + moto's own time) ≈ {}.",
        ms(by("proxy", 1).median())
    )
    .unwrap();
    writeln!(
        w,
        "- **Concurrency {lanes} through the proxy**: the {nf} GetFunctionConcurrency calls run {lanes} at a time (the proxy saw at most {} requests in flight, across services), about ⌈{nf}/{lanes}⌉ = {} rounds of {d:.0} ms ≈ {:.0} ms of round trips; the rest of the {p16_wall:.0} ms is moto serving {} requests one after another (it answers {:.1} ms a request when called directly) and process start-up.",
        by("proxy", DEFAULT_CONCURRENCY).max_in_flight.unwrap_or(0),
        nf.div_ceil(lanes),
        (nf.div_ceil(lanes) + 2) as f64 * d,
        p16.calls,
        direct16.median().as_secs_f64() * 1000.0 / direct16.stats().calls as f64
    )
    .unwrap();
    writeln!(
        w,
        "- **Directly against moto** the emulator is the bottleneck: one Python process serves every request, so concurrency buys little ({:.1}x).",
        by("direct", 1).median().as_secs_f64() / direct16.median().as_secs_f64()
    )
    .unwrap();
    writeln!(
        w,
        "- **On real AWS** ListFunctions takes {real_pages} sequential pages of 50 before the per-function reads can start: another {:.0} ms at {d:.0} ms a round trip, which this emulator (one page) does not show. More important, the request quotas above bound a real account's plan at about {:.0} s for {nf} functions whatever the concurrency: parkctl's default pacing keeps to them, and the same concurrency without pacing fails (see the quota table).",
        (real_pages.saturating_sub(list_pages(p16))) as f64 * d,
        (nf + 2) as f64 / 15.0
    )
    .unwrap();
    writeln!(
        w,
        "- Alarms cost {alarm_reads} DescribeAlarms call(s) by prefix ({real_alarm_reads} on real AWS), however many alarms; streams cost one ListStreams plus one DescribeStreamSummary per selected stream ({}); a tag selector adds GetResources pages (or one ListTags per candidate function, where that is fewer).",
        st.calls("DescribeStreamSummary")
    )
    .unwrap();
    md
}
