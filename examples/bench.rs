//! `make bench`: how many AWS calls `parkctl plan` makes over a large
//! account, how long it takes, and what it costs in CPU and memory.
//!
//! It seeds a moto server with a large account (examples/bench/account.rs:
//! 1,000 functions, half of them selected; 200 streams; 1,000 alarms; 100
//! event-source mappings; tens of DynamoDB tables, SageMaker endpoints and
//! notebooks, RDS instances and clusters, Redshift clusters, EC2 instances,
//! Auto Scaling groups, ECS services and EKS node groups; a day of usage
//! metrics), then times `parkctl plan` over it (median of several runs) at
//! concurrency 1 and at the default (16), directly against the emulator and
//! through a loopback proxy that adds 25 ms to every request, pacing off;
//! compares it with a sequential boto3 reader doing the same reads through
//! the same proxy (scripts/sequential_reader.py); sets the plan's wall time
//! against its critical path and the emulator's own CPU time; counts
//! GetMetricData calls and queries of `plan` and `status`; runs the plan
//! once more with the proxy enforcing AWS's default request quotas (the
//! floor its calls allow); compares a tag selector with a prefix selector;
//! and measures the planner's CPU time and the peak memory of a plan over
//! 10,000 resources from a recorded live state (`--live-from`). Calls come
//! from `--stats`. Results go to BENCHMARKS.md.
//!
//!     make bench                                     full account, writes BENCHMARKS.md
//!     TARGET/release/examples/bench --quick          small account, writes target/BENCHMARKS.quick.md
//!
//! Options: --quick, --runs N, --proxy-runs N, --delay-ms N, --out FILE,
//! --keep (leave the scratch project, with the 10,000-resource live state).

#[path = "bench/account.rs"]
mod account;
#[path = "bench/baseline.rs"]
mod baseline;
#[path = "../tests/common/mod.rs"]
mod common;
#[path = "bench/compare.rs"]
mod compare;
#[path = "bench/metrics.rs"]
mod metrics;
#[path = "bench/quotas.rs"]
mod quotas;
#[path = "bench/report.rs"]
mod report;
#[path = "bench/run.rs"]
mod run;
#[path = "bench/services.rs"]
mod services;

use account::{Sizes, PARK_FN};
use common::proxy::{Proxy, ProxyOpts};
use common::seed::Sdk;
use common::Moto;
use report::ms;
use run::{parkctl, Series, Target};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The markers of the section examples/bench_targets.rs writes.
const TARGETS_START: &str = "<!-- bench-targets:start -->";
const TARGETS_END: &str = "<!-- bench-targets:end -->";
const DEFAULT_CONCURRENCY: usize = 16;

#[derive(Debug, Clone)]
struct Opts {
    quick: bool,
    keep: bool,
    sizes: Sizes,
    live_resources: usize,
    /// Runs of each series directly against the emulator.
    runs: usize,
    /// Runs of the default concurrency through the proxy.
    proxy_runs: usize,
    delay: Duration,
    out: PathBuf,
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
        Opts {
            quick,
            keep: args.iter().any(|a| a == "--keep"),
            sizes: Sizes::new(quick),
            live_resources: 10_000,
            runs: num("--runs", if quick { 1 } else { 3 }),
            proxy_runs: num("--proxy-runs", if quick { 1 } else { 3 }),
            delay: Duration::from_millis(num("--delay-ms", 25) as u64),
            out: value("--out").map(PathBuf::from).unwrap_or_else(|| {
                if quick {
                    root.join("target/BENCHMARKS.quick.md")
                } else {
                    root.join("BENCHMARKS.md")
                }
            }),
        }
    }
}

/// What the warm-up plan recorded: the live state and the plan's size.
struct Recorded {
    live: parkctl::model::Live,
    changes: usize,
}

/// The warm-up (moto builds some indexes lazily): a plan whose live state
/// is kept for the planner's measures.
fn warm_up(dir: &Path, moto: &Moto) -> Recorded {
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
    Recorded {
        live: serde_json::from_value(saved["live"].clone()).unwrap(),
        changes: saved["plan"]["changes"].as_array().map_or(0, |c| c.len()),
    }
}

/// A scratch project with the profiles `bench` and `bench-tags`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("profiles")).unwrap();
    for (name, selector) in [
        ("bench", format!("prefix: {PARK_FN}")),
        ("bench-tags", "tags: {park: \"yes\"}".to_string()),
    ] {
        std::fs::write(
            dir.path().join(format!("profiles/{name}.yaml")),
            account::profile(&selector),
        )
        .unwrap();
    }
    dir
}

/// Seeds the account; (time it took, metric datapoints put).
fn seed(moto: &Moto, o: &Opts) -> (Duration, usize) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let points = rt.block_on(async {
        let sdk = Sdk::new(&moto.url()).await;
        let more = account::More::new(&moto.url()).await;
        account::seed(&sdk, &more, &o.sizes).await
    });
    (started.elapsed(), points)
}

/// The plan at concurrency 1 and the default, direct and through the proxy.
fn latency(dir: &Path, direct: &Target, proxied: &Target, o: &Opts) -> Vec<Series> {
    vec![
        run::series(dir, direct, "bench", 1, o.runs),
        run::series(dir, direct, "bench", DEFAULT_CONCURRENCY, o.runs),
        // Concurrency 1 through the proxy is long and steady: one run.
        run::series(dir, proxied, "bench", 1, 1),
        run::series(dir, proxied, "bench", DEFAULT_CONCURRENCY, o.proxy_runs),
    ]
}

/// The tag selector, by the tagging API and by one ListTags per function:
/// one run each (the calls are the measure).
fn tag_series(dir: &Path, direct: &Target, proxied: &Target) -> Vec<Series> {
    let mut tags = vec![];
    for per_resource in [false, true] {
        // parkctl's hidden switch to the per-function reads, to measure both.
        if per_resource {
            std::env::set_var("PARKCTL_TAG_READS", "per-resource");
        }
        for t in [direct, proxied] {
            tags.push(run::series(dir, t, "bench-tags", DEFAULT_CONCURRENCY, 1));
        }
        std::env::remove_var("PARKCTL_TAG_READS");
    }
    tags
}

/// `parkctl status --stats` through the proxy: its metric reads.
struct StatusRun {
    took: Duration,
    stats: Result<run::Stats, String>,
    metric_queries: u64,
}

fn status(dir: &Path, proxy: &Proxy) -> StatusRun {
    proxy.reset_counters();
    let cfg = run::unpaced(dir);
    let (took, stats) = run::run(dir, &proxy.url(), &["status", "--config", &cfg]);
    eprintln!(
        "  status through the proxy: {:.0} ms, {}",
        took.as_secs_f64() * 1000.0,
        match &stats {
            Ok(s) => format!(
                "{} calls, {} GetMetricData",
                s.calls,
                s.calls("GetMetricData")
            ),
            Err(e) => format!("FAILED: {e}"),
        }
    );
    StatusRun {
        took,
        stats,
        metric_queries: proxy.metric_queries(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--planner-cpu") {
        return planner_cpu(&args[1..]);
    }
    let o = Opts::parse();
    let bench_started = Instant::now();
    let load = report::load();
    eprintln!(
        "bench: {} account: {}",
        if o.quick { "quick" } else { "full" },
        o.sizes.describe()
    );
    let moto = Moto::start();
    let (seeding, datapoints) = seed(&moto, &o);
    eprintln!("seeded in {:.1} s", seeding.as_secs_f64());
    let dir = project();
    let proxy = Proxy::start(
        moto.port,
        ProxyOpts {
            delay: o.delay,
            fault_rate: 0.0,
            seed: 1,
        },
    );
    let via_proxy = format!("proxy +{} ms", o.delay.as_millis());
    let direct = Target {
        via: "direct",
        moto: &moto,
        proxy: None,
    };
    let proxied = Target {
        via: &via_proxy,
        moto: &moto,
        proxy: Some(&proxy),
    };
    let recorded = warm_up(dir.path(), &moto);

    eprintln!("timing plan:");
    let all = latency(dir.path(), &direct, &proxied, &o);
    eprintln!("status, and the sequential reader through the proxy:");
    let status = status(dir.path(), &proxy);
    let base = baseline::run(&moto, &proxy);
    eprintln!("timing the tag selector (tagging API, then one ListTags per function):");
    let tags = tag_series(dir.path(), &direct, &proxied);
    eprintln!("timing plan through the proxy with AWS's request quotas:");
    let quotas = quotas::runs(dir.path(), &moto, o.delay, "bench");
    eprintln!(
        "planning {} resources from a recorded live state:",
        o.live_resources
    );
    let big = big_plan(dir.path(), &recorded.live, &o);

    let measured = report::Measured {
        seeding,
        datapoints,
        recorded: &recorded.live,
        plan_changes: recorded.changes,
        all: &all,
        tags: &tags,
        quotas: &quotas,
        status: &status,
        baseline: base.as_ref().ok(),
        baseline_error: base.as_ref().err().map(String::as_str),
        elapsed: bench_started.elapsed(),
        load,
    };
    let mut md = report::report(&o, &measured);
    md.push_str(&report_planner(&big));
    write(&o, md);
    if o.keep {
        eprintln!("kept the scratch project: {}", dir.keep().display());
    }
}

/// Writes the report, keeping `make bench-targets`'s section.
fn write(o: &Opts, md: String) {
    if let Some(parent) = o.out.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
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
}

/// The planner's section: CPU time and memory over a recorded live state.
fn report_planner(big: &Big) -> String {
    let mut md = String::new();
    let w = &mut md;
    let planner_ms = big.planner_cpu[big.planner_cpu.len() / 2].as_secs_f64() * 1000.0;
    let peak_kib = big.process.iter().map(|p| p.0).max().unwrap_or(0);
    let peak_mib = peak_kib as f64 / 1024.0;
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

    planner_targets(w, big, planner_ms, peak_mib);
    md
}

/// The planner's figures against issue 21's.
fn planner_targets(w: &mut String, big: &Big, planner_ms: f64, peak_mib: f64) {
    writeln!(w, "| target (issue 21) | measured | |\n|---|---|---|").unwrap();
    let ok = |b: bool| if b { "met" } else { "**missed**" };
    writeln!(
        w,
        "| planner CPU time for {} resources ≤ 15 ms (median of {}) | {planner_ms:.1} ms | {} |",
        big.resources,
        big.planner_cpu.len(),
        ok(planner_ms <= 15.0)
    )
    .unwrap();
    writeln!(
        w,
        "| peak memory of `plan --live-from` ≤ 32 MiB | {peak_mib:.1} MiB | {} |\n",
        ok(peak_mib <= 32.0)
    )
    .unwrap();
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
    let ctx = parkctl::planner::Now::at(chrono::Utc::now());
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
