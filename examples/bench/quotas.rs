//! `parkctl plan` through the proxy enforcing AWS's request quotas
//! (`aws_default_quotas()`), paced (the default) and unpaced, and the floor
//! its own calls allow: the most calls of one quota family over its rate.

use super::common::proxy::{aws_default_quotas, Proxy, ProxyOpts, Quota, QUOTA_NOTES};
use super::common::Moto;
use super::run::{self, Stats};
use std::path::Path;
use std::time::Duration;

/// One quota family in one run.
pub struct Family {
    /// `monitoring GetMetricData`, `lambda (all but GetFunction, …)`.
    pub label: String,
    pub per_second: f64,
    /// Requests it let through, and refused.
    pub calls: u64,
    pub throttled: u64,
    /// How sure the rate is (see tests/common/proxy.rs).
    pub note: &'static str,
}

impl Family {
    /// The least time these calls take at this rate: the bucket starts
    /// full (one second's tokens, as the proxy models it), the rest come
    /// at the rate.
    pub fn floor(&self) -> f64 {
        let burst = self.per_second.max(1.0);
        (self.calls as f64 - burst).max(0.0) / self.per_second
    }
}

/// A plan through the proxy with AWS's request quotas.
pub struct QuotaRun {
    /// `paced (default)` or `unpaced`.
    pub mode: &'static str,
    pub took: Duration,
    pub result: Result<Stats, String>,
    pub requests: u64,
    pub throttled: u64,
    pub families: Vec<Family>,
    pub moto_cpu: f64,
}

impl QuotaRun {
    /// The family that bounds the run, if any call was covered.
    pub fn bound(&self) -> Option<&Family> {
        self.families
            .iter()
            .max_by(|a, b| a.floor().total_cmp(&b.floor()))
    }

    /// Wall time over the floor its calls allow (a run that failed has
    /// none).
    pub fn over_floor(&self) -> Option<f64> {
        let f = self.bound()?.floor();
        (f > 0.0 && self.result.is_ok()).then(|| self.took.as_secs_f64() / f)
    }
}

fn label(q: &Quota) -> String {
    if q.operations.is_empty() {
        if q.except.is_empty() {
            format!("{} (every call)", q.service)
        } else {
            format!("{} (all but {})", q.service, q.except.join(", "))
        }
    } else {
        format!("{} {}", q.service, q.operations.join(", "))
    }
}

fn note(q: &Quota) -> &'static str {
    QUOTA_NOTES
        .iter()
        .find(|(svc, op, _)| *svc == q.service && (*op == "*" || q.operations.contains(op)))
        .map_or("documented", |(_, _, n)| n)
}

/// The families the run's requests fell in.
fn families(proxy: &Proxy) -> Vec<Family> {
    let ops = proxy.operations();
    proxy
        .quotas()
        .iter()
        .map(|q| {
            let (calls, throttled) = ops
                .iter()
                .filter(|((svc, op), _)| q.covers(svc, op))
                .fold((0, 0), |(a, b), (_, (c, t))| (a + c, b + t));
            Family {
                label: label(q),
                per_second: q.per_second,
                calls,
                throttled,
                note: note(q),
            }
        })
        .filter(|f| f.calls + f.throttled > 0)
        .collect()
}

pub fn runs(dir: &Path, moto: &Moto, delay: Duration, profile: &str) -> Vec<QuotaRun> {
    let opts = ProxyOpts {
        delay,
        fault_rate: 0.0,
        seed: 1,
    };
    let proxy = Proxy::start_with_quotas(moto.port, opts, aws_default_quotas());
    let cfg = run::unpaced(dir);
    let c = super::DEFAULT_CONCURRENCY;
    let mut out = vec![];
    for mode in ["paced (default)", "unpaced"] {
        // A fresh second for the token buckets.
        std::thread::sleep(Duration::from_secs(2));
        proxy.reset_counters();
        let cs = c.to_string();
        let mut args = vec!["plan", profile, "--concurrency", &cs];
        if mode == "unpaced" {
            args.extend(["--config", &cfg]);
        }
        let cpu = moto.cpu_seconds();
        let (took, result) = run::run(dir, &proxy.url(), &args);
        let q = QuotaRun {
            mode,
            took,
            result,
            requests: proxy.requests(),
            throttled: proxy.throttled(),
            families: families(&proxy),
            moto_cpu: moto.cpu_seconds() - cpu,
        };
        eprintln!(
            "  quotas         {profile:<11} concurrency {c:>2} {mode:<16}: {:>8.1} ms, {}, {} requests, {} throttled, {:.2}x the floor",
            took.as_secs_f64() * 1000.0,
            if q.result.is_ok() { "ok" } else { "FAILED" },
            q.requests,
            q.throttled,
            q.over_floor().unwrap_or(0.0)
        );
        out.push(q);
    }
    out
}
