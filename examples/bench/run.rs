//! Runs of `parkctl` with `--stats`: what each call cost, and what the
//! emulator and the proxy saw meanwhile.

use super::common::proxy::Proxy;
use super::common::Moto;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The longest a single parkctl command may run before it is stopped.
const RUN_LIMIT: Duration = Duration::from_secs(300);

/// One run's calls, as `--stats` reports them.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// (service, operation) -> (calls, attempts, ms in calls)
    pub ops: BTreeMap<(String, String), (u64, u64, f64)>,
    pub calls: u64,
    pub attempts: u64,
    /// parkctl's own wall time (from start of the command to the stats line)
    pub wall_ms: f64,
}

impl Stats {
    pub fn calls(&self, op: &str) -> u64 {
        self.ops
            .iter()
            .filter(|((_, o), _)| o == op)
            .map(|(_, v)| v.0)
            .sum()
    }

    /// Calls by service.
    pub fn by_service(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for ((svc, _), v) in &self.ops {
            *out.entry(svc.clone()).or_default() += v.0;
        }
        out
    }
}

/// Parses the `--stats` block (format: src/render/stats.rs).
pub fn parse_stats(stderr: &str) -> Option<Stats> {
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

/// The parkctl binary of the same build as this program:
/// `TARGET/PROFILE/examples/bench` runs `TARGET/PROFILE/parkctl`.
pub fn parkctl() -> PathBuf {
    let exe = std::env::current_exe().expect("this program's path");
    let p = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("parkctl"))
        .expect("TARGET/PROFILE/examples/bench");
    assert!(
        p.exists(),
        "{} is missing: run `make bench` (it builds the release binary first)",
        p.display()
    );
    p
}

/// The latency series switch client-side pacing off, so that they show
/// what concurrency buys against round trips alone; the quota runs show
/// the defaults against AWS's request rates.
pub const UNPACED: &str = "unpaced.yaml";

/// Writes `unpaced.yaml` (every rate family of parkctl at 0) once; its path.
pub fn unpaced(dir: &Path) -> String {
    let p = dir.join(UNPACED);
    if !p.exists() {
        let families: Vec<String> = parkctl::config::RateLimits::default()
            .resolve()
            .keys()
            .map(|f| format!("{f}: 0"))
            .collect();
        std::fs::write(&p, format!("rate_limits: {{{}}}\n", families.join(", "))).unwrap();
    }
    p.to_string_lossy().into_owned()
}

/// Runs `parkctl ARGS --stats`; `Err` holds its output when it fails.
pub fn run(dir: &Path, endpoint: &str, args: &[&str]) -> (Duration, Result<Stats, String>) {
    let started = Instant::now();
    // Output to files, so that a run past the time limit can be killed
    // without a pipe to drain.
    let tmp = tempfile::tempdir().unwrap();
    let (o_path, e_path) = (tmp.path().join("out"), tmp.path().join("err"));
    let mut child = Command::new(parkctl())
        .current_dir(dir)
        .args(args)
        .arg("--stats")
        .envs(super::common::env(endpoint))
        .env_remove("AWS_PROFILE")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&o_path).unwrap())
        .stderr(std::fs::File::create(&e_path).unwrap())
        .spawn()
        .expect("run parkctl");
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            let why = format!(
                "error: still running after {} s: stopped",
                RUN_LIMIT.as_secs()
            );
            return (started.elapsed(), Err(why));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = started.elapsed();
    let stdout = std::fs::read_to_string(&o_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&e_path).unwrap_or_default();
    // `status` exits 0, or non-zero when something is idle or drifted:
    // its stats are there either way.
    match parse_stats(&stderr) {
        Some(stats) if status.success() || args.first() == Some(&"status") => (took, Ok(stats)),
        _ => (took, Err(format!("{status}\n{stdout}\n{stderr}"))),
    }
}

/// `parkctl plan PROFILE --concurrency N --config unpaced.yaml`, which must
/// succeed.
pub fn plan_unpaced(
    dir: &Path,
    endpoint: &str,
    profile: &str,
    concurrency: usize,
) -> (Duration, Stats) {
    let cfg = unpaced(dir);
    let c = concurrency.to_string();
    let args = ["plan", profile, "--concurrency", &c, "--config", &cfg];
    match run(dir, endpoint, &args) {
        (took, Ok(stats)) => (took, stats),
        (_, Err(e)) => panic!("parkctl plan {profile} failed:\n{e}"),
    }
}

/// What one run cost besides its calls.
#[derive(Debug, Clone, Copy, Default)]
pub struct Around {
    /// CPU seconds the emulator spent during the run.
    pub moto_cpu: f64,
    /// The most requests the proxy saw in flight at once (proxy runs only).
    pub max_in_flight: u64,
    /// Queries the GetMetricData requests carried (proxy runs only).
    pub metric_queries: u64,
}

/// A set of runs of one configuration.
pub struct Series {
    pub via: String,
    pub concurrency: usize,
    pub walls: Vec<Duration>,
    pub stats: Vec<Stats>,
    pub around: Vec<Around>,
}

impl Series {
    pub fn median(&self) -> Duration {
        let mut w = self.walls.clone();
        w.sort();
        w[w.len() / 2]
    }

    /// The run of the median wall time.
    fn median_index(&self) -> usize {
        let m = self.median();
        self.walls.iter().position(|w| *w == m).unwrap_or(0)
    }

    pub fn stats(&self) -> &Stats {
        &self.stats[self.median_index()]
    }

    pub fn around(&self) -> Around {
        self.around[self.median_index()]
    }

    pub fn calls_range(&self) -> String {
        let min = self.stats.iter().map(|s| s.calls).min().unwrap_or(0);
        let max = self.stats.iter().map(|s| s.calls).max().unwrap_or(0);
        if min == max {
            min.to_string()
        } else {
            format!("{min}–{max}")
        }
    }

    /// Slowest over fastest run, minus one: how far apart the runs were.
    pub fn spread(&self) -> f64 {
        let min = self.walls.iter().min().map_or(0.0, Duration::as_secs_f64);
        let max = self.walls.iter().max().map_or(0.0, Duration::as_secs_f64);
        if min > 0.0 {
            max / min - 1.0
        } else {
            0.0
        }
    }
}

/// Where a series runs: the emulator, and the proxy in front of it if any.
pub struct Target<'a> {
    pub via: &'a str,
    pub moto: &'a Moto,
    pub proxy: Option<&'a Proxy>,
}

impl Target<'_> {
    pub fn url(&self) -> String {
        self.proxy.map_or_else(|| self.moto.url(), Proxy::url)
    }
}

/// `runs` unpaced plans of `profile` at `concurrency`.
pub fn series(dir: &Path, t: &Target, profile: &str, concurrency: usize, runs: usize) -> Series {
    let mut s = Series {
        via: t.via.to_string(),
        concurrency,
        walls: vec![],
        stats: vec![],
        around: vec![],
    };
    for i in 0..runs {
        if let Some(p) = t.proxy {
            p.reset_counters();
        }
        let cpu = t.moto.cpu_seconds();
        let (took, stats) = plan_unpaced(dir, &t.url(), profile, concurrency);
        let mut around = Around {
            moto_cpu: t.moto.cpu_seconds() - cpu,
            ..Around::default()
        };
        if let Some(p) = t.proxy {
            assert_eq!(
                p.requests(),
                stats.attempts,
                "the proxy and --stats disagree on the number of requests"
            );
            around.max_in_flight = p.max_in_flight();
            around.metric_queries = p.metric_queries();
        }
        eprintln!(
            "  {:<14} {profile:<11} concurrency {concurrency:>2}  run {}/{runs}: {:>8.1} ms, {} calls, emulator CPU {:.0} ms",
            t.via,
            i + 1,
            took.as_secs_f64() * 1000.0,
            stats.calls,
            around.moto_cpu * 1000.0
        );
        s.walls.push(took);
        s.stats.push(stats);
        s.around.push(around);
    }
    s
}
