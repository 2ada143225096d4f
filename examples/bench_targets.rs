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

/// One run: its wall time, parkctl's CPU time, the emulator's CPU time
/// and the AWS calls it made (through the proxy).
#[derive(Clone, Copy, Default)]
struct Sample {
    wall: Duration,
    cpu: f64,
    emulator: f64,
    calls: u64,
}

/// CPU seconds of the children reaped so far (parkctl runs).
fn children_cpu() -> f64 {
    // SAFETY: getrusage fills the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) };
    let s = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    s(u.ru_utime) + s(u.ru_stime)
}

/// One run of `parkctl ARGS` through the proxy.
fn run(dir: &Path, moto: &Moto, proxy: &Proxy, args: &[&str]) -> Sample {
    proxy.reset_counters();
    let (cpu0, emu0) = (children_cpu(), moto.cpu_seconds());
    let started = Instant::now();
    let out = Command::new(parkctl())
        .current_dir(dir)
        .args(args)
        .envs(common::env(&proxy.url()))
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let wall = started.elapsed();
    assert!(
        out.status.success(),
        "parkctl {args:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Sample {
        wall,
        cpu: children_cpu() - cpu0,
        emulator: moto.cpu_seconds() - emu0,
        calls: proxy.requests(),
    }
}

/// The run of median wall time.
fn median(mut v: Vec<Sample>) -> Sample {
    v.sort_by_key(|s| s.wall);
    v[v.len() / 2]
}

struct Row {
    what: &'static str,
    one: Sample,
    all: Sample,
}

/// `--targets t1` then `--targets all`, `runs` times each: for every run,
/// each command of `steps` in turn (a park and its restore), so that each
/// is timed against the state it changes.
fn measure(
    dir: &Path,
    moto: &Moto,
    proxy: &Proxy,
    steps: &[(&'static str, &[&str])],
    runs: usize,
) -> Vec<Row> {
    let series = |sel: &str| {
        let mut got: Vec<Vec<Sample>> = vec![vec![]; steps.len()];
        for _ in 0..runs {
            for (k, (_, args)) in steps.iter().enumerate() {
                let mut a = args.to_vec();
                a.extend(["--targets", sel]);
                got[k].push(run(dir, moto, proxy, &a));
            }
        }
        got.into_iter().map(median).collect::<Vec<_>>()
    };
    let (one, all) = (series("t1"), series("all"));
    steps
        .iter()
        .zip(one.into_iter().zip(all))
        .map(|((what, _), (one, all))| {
            eprintln!(
                "{what}: one {:.0} ms, all {:.0} ms",
                one.wall.as_secs_f64() * 1e3,
                all.wall.as_secs_f64() * 1e3
            );
            Row { what, one, all }
        })
        .collect()
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
    run(
        dir.path(),
        &moto,
        &proxy,
        &["plan", "parked", "--targets", "all"],
    );
    if std::env::var_os("BENCH_TARGETS_HOLD").is_some() {
        eprintln!(
            "holding: project {} moto {} proxy {}; press Enter to go on",
            dir.path().display(),
            moto.url(),
            proxy.url()
        );
        let _ = std::io::stdin().read_line(&mut String::new());
    }
    let yes = "--yes";
    let mut rows = measure(
        dir.path(),
        &moto,
        &proxy,
        &[("plan parked", &["plan", "parked"])],
        o.runs,
    );
    rows.extend(measure(
        dir.path(),
        &moto,
        &proxy,
        &[
            ("apply parked", &["apply", "parked", yes]),
            ("apply running", &["apply", "running", yes]),
        ],
        o.runs,
    ));
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
    let secs = |x: f64| format!("{:.0} ms", x * 1e3);
    let ratio = |r: &Row| r.all.wall.as_secs_f64() / r.one.wall.as_secs_f64();
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
        "The sample project (22 changes to park) in {n} accounts of one moto server, one target each (`role_arn`, assumed through STS), every request through a loopback proxy adding {d} ms; default settings (each target paced at AWS's documented rates on its own, at most 8 targets at once). `--targets t1` against `--targets all` ({n} targets): wall time around the process, median of {r} runs, each park followed by its restore; parkctl's CPU time (getrusage of the child) and the emulator's (its /proc stat) over the same run.\n",
        n = o.targets,
        d = o.delay.as_millis(),
        r = o.runs
    )
    .unwrap();
    writeln!(w, "| command | wall, 1 target | wall, {n} targets | ratio (all / one) | calls, 1 / {n} | parkctl CPU, 1 / {n} | emulator CPU, 1 / {n} |", n = o.targets).unwrap();
    writeln!(w, "|---|---:|---:|---:|---:|---:|---:|").unwrap();
    for r in rows {
        writeln!(
            w,
            "| `{}` | {} | {} | **{:.2}x** | {} / {} | {} / {} | {} / {} |",
            r.what,
            ms(r.one.wall),
            ms(r.all.wall),
            ratio(r),
            r.one.calls,
            r.all.calls,
            secs(r.one.cpu),
            secs(r.all.cpu),
            secs(r.one.emulator),
            secs(r.all.emulator),
        )
        .unwrap();
    }
    let worst = rows.iter().max_by(|a, b| ratio(a).total_cmp(&ratio(b)));
    if let Some(r) = worst {
        writeln!(
            w,
            "\nTarget: {n} targets take at most 1.5x one target: **{met}** (worst: `{what}`, {x:.2}x). The calls grow {n}x with the targets, as they must (each target reads and writes its own resources in its own account); parkctl's own CPU stays small. The emulator is one Python process serving every account: for `{what}` it computed for {emu} of the {wall} the {n} targets took, where AWS serves each account and region apart. Under AWS's quotas the floor is one target's time, since each account and region has its own request rates and the targets run side by side; here it is the larger of one target's wall time and the emulator's CPU time for all of them ({floor}), and the {n} targets take {over:.2}x that.",
            n = o.targets,
            met = if ratio(r) <= 1.5 { "met" } else { "not met on this emulator" },
            what = r.what,
            x = ratio(r),
            emu = secs(r.all.emulator),
            wall = ms(r.all.wall),
            floor = secs(r.one.wall.as_secs_f64().max(r.all.emulator)),
            over = r.all.wall.as_secs_f64() / r.one.wall.as_secs_f64().max(r.all.emulator),
        )
        .unwrap();
    }
    writeln!(w, "{END}").unwrap();
    w
}
