//! `make bench-targets`: N targets against one, through a loopback proxy
//! that adds a round trip's latency to every request.
//!
//! It seeds one moto server with the sample project in N accounts (moto
//! keeps what a role's assumed credentials create in the role's account),
//! one target each, then times `plan parked`, `apply parked` and `apply
//! running` with `--targets` naming one target and all N (median of
//! several runs each), with the default pacing (each target has its own
//! pacers: AWS's quotas are per account and region). The result replaces
//! the "Many targets" section of BENCHMARKS.md (between its markers).
//!
//!     cargo run --release --example bench_targets
//!
//! Options: --targets N (8), --delay-ms N (25), --runs N (3), --out FILE.

#[path = "../tests/common/mod.rs"]
mod common;

use common::proxy::{Proxy, ProxyOpts};
use common::seed::Sdk;
use common::Moto;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub const START: &str = "<!-- bench-targets:start -->";
pub const END: &str = "<!-- bench-targets:end -->";

struct Opts {
    targets: usize,
    delay: Duration,
    runs: usize,
    out: PathBuf,
}

impl Opts {
    fn parse() -> Opts {
        let mut o = Opts {
            targets: 8,
            delay: Duration::from_millis(25),
            runs: 3,
            out: Path::new(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md"),
        };
        let args: Vec<String> = std::env::args().skip(1).collect();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut v = || it.next().expect("a value after the flag").clone();
            match a.as_str() {
                "--targets" => o.targets = v().parse().unwrap(),
                "--delay-ms" => o.delay = Duration::from_millis(v().parse().unwrap()),
                "--runs" => o.runs = v().parse().unwrap(),
                "--out" => o.out = PathBuf::from(v()),
                other => panic!("unknown option {other}"),
            }
        }
        o
    }
}

fn account(i: usize) -> String {
    format!("{:012}", 100_000_000_000u64 + i as u64)
}

fn parkctl() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/parkctl");
    assert!(
        p.exists(),
        "{} is missing: run `make bench-targets` (it builds the release binary first)",
        p.display()
    );
    p
}

/// A scratch project: the shipped profiles without their `target:`, and
/// one target per account.
fn project(dir: &Path, n: usize) {
    let profiles = dir.join("profiles");
    std::fs::create_dir_all(&profiles).unwrap();
    for name in ["running", "parked"] {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("profiles/{name}.yaml"));
        let text = std::fs::read_to_string(src).unwrap();
        let text = text.replace("target:\n  region: us-east-1\n", "");
        std::fs::write(profiles.join(format!("{name}.yaml")), text).unwrap();
    }
    let mut config = String::from("targets:\n");
    for i in 1..=n {
        let a = account(i);
        writeln!(
            config,
            "  t{i}:\n    account: \"{a}\"\n    region: us-east-1\n    role_arn: arn:aws:iam::{a}:role/parkctl"
        )
        .unwrap();
    }
    std::fs::write(dir.join("parkctl.yaml"), config).unwrap();
}

/// One run of `parkctl ARGS` through `url`: its wall time.
fn time(dir: &Path, url: &str, args: &[&str]) -> Duration {
    let started = Instant::now();
    let out = Command::new(parkctl())
        .current_dir(dir)
        .args(args)
        .envs(common::env(url))
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "parkctl {args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

struct Row {
    what: &'static str,
    one: Duration,
    all: Duration,
    calls_one: u64,
    calls_all: u64,
}

/// `what` for one target and for all, `runs` times each; `then` (if any)
/// is run after each timed run to undo it (not timed).
fn measure(
    dir: &Path,
    proxy: &Proxy,
    what: &'static str,
    args: &[&str],
    then: Option<&[&str]>,
    runs: usize,
) -> Row {
    let url = proxy.url();
    let series = |sel: &str| {
        let mut times = vec![];
        let mut calls = 0;
        for _ in 0..runs {
            let mut a = args.to_vec();
            a.extend(["--targets", sel]);
            proxy.reset_counters();
            times.push(time(dir, &url, &a));
            calls = proxy.requests();
            if let Some(undo) = then {
                let mut u = undo.to_vec();
                u.extend(["--targets", sel]);
                time(dir, &url, &u);
            }
        }
        (median(times), calls)
    };
    let (one, calls_one) = series("t1");
    let (all, calls_all) = series("all");
    eprintln!(
        "{what}: one {:.0} ms, all {:.0} ms",
        one.as_secs_f64() * 1e3,
        all.as_secs_f64() * 1e3
    );
    Row {
        what,
        one,
        all,
        calls_one,
        calls_all,
    }
}

fn main() {
    let o = Opts::parse();
    let moto = Moto::start();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    rt.block_on(async {
        for i in 1..=o.targets {
            Sdk::in_account(&moto.url(), &account(i), "us-east-1")
                .await
                .sample()
                .await;
        }
    });
    eprintln!(
        "seeded {} accounts in {:.1} s",
        o.targets,
        started.elapsed().as_secs_f64()
    );
    let dir = tempfile::tempdir().unwrap();
    project(dir.path(), o.targets);
    let proxy = Proxy::start(
        moto.port,
        ProxyOpts {
            delay: o.delay,
            fault_rate: 0.0,
            seed: 1,
        },
    );
    // Warm-up: moto builds some indexes lazily.
    time(
        dir.path(),
        &moto.url(),
        &["plan", "parked", "--targets", "all"],
    );
    let yes = "--yes";
    let rows = vec![
        measure(
            dir.path(),
            &proxy,
            "plan parked",
            &["plan", "parked"],
            None,
            o.runs,
        ),
        measure(
            dir.path(),
            &proxy,
            "apply parked",
            &["apply", "parked", yes],
            Some(&["apply", "running", yes]),
            o.runs,
        ),
        measure(
            dir.path(),
            &proxy,
            "apply running",
            &["apply", "running", yes],
            None,
            1,
        ),
    ];
    let section = report(&o, &rows);
    let old = std::fs::read_to_string(&o.out).unwrap_or_default();
    std::fs::write(&o.out, splice(&old, &section)).unwrap();
    println!("{section}");
    eprintln!("wrote {}", o.out.display());
}

/// `text` with its marked section replaced by `section` (appended when
/// there is none).
fn splice(text: &str, section: &str) -> String {
    match (text.find(START), text.find(END)) {
        (Some(a), Some(b)) if a < b => {
            format!("{}{section}{}", &text[..a], &text[b + END.len()..])
        }
        _ => format!("{}\n{section}\n", text.trim_end()),
    }
}

fn report(o: &Opts, rows: &[Row]) -> String {
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1e3);
    let mut w = String::new();
    writeln!(w, "{START}").unwrap();
    writeln!(w, "## Many targets\n").unwrap();
    writeln!(
        w,
        "Generated by `make bench-targets` (`cargo run --release --example bench_targets`, source: examples/bench_targets.rs) on {}. Do not edit by hand: re-run it.\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    )
    .unwrap();
    writeln!(
        w,
        "The sample project (22 changes to park) in {n} accounts of one moto server, one target each (`role_arn`, assumed through STS), every request through a loopback proxy adding {d} ms; default settings (each target paced at AWS's documented rates on its own, at most 8 targets at once). `--targets t1` against `--targets all` ({n} targets); wall time around the process, median of {r} runs (`apply running` once, after the last park).\n",
        n = o.targets,
        d = o.delay.as_millis(),
        r = o.runs
    )
    .unwrap();
    writeln!(w, "| command | 1 target | {} targets | ratio (all / one) | AWS calls, 1 target | AWS calls, {} targets |", o.targets, o.targets).unwrap();
    writeln!(w, "|---|---:|---:|---:|---:|---:|").unwrap();
    for r in rows {
        writeln!(
            w,
            "| `{}` | {} | {} | **{:.2}x** | {} | {} |",
            r.what,
            ms(r.one),
            ms(r.all),
            r.all.as_secs_f64() / r.one.as_secs_f64(),
            r.calls_one,
            r.calls_all
        )
        .unwrap();
    }
    let worst = rows
        .iter()
        .map(|r| r.all.as_secs_f64() / r.one.as_secs_f64())
        .fold(0.0, f64::max);
    writeln!(
        w,
        "\nTarget: {} targets take at most 1.5x one target: **{}** (worst ratio {worst:.2}x). The calls grow {}x with the targets, as they must (each target reads and writes its own resources); the time does not, because the targets' calls overlap. The floor under AWS's quotas is one target's: each account and region has its own request rates, so the slowest target sets the pace.",
        o.targets,
        if worst <= 1.5 { "met" } else { "NOT met" },
        o.targets
    )
    .unwrap();
    writeln!(w, "{END}").unwrap();
    w
}
