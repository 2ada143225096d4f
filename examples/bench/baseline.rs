//! The sequential reader `parkctl plan` is compared with:
//! scripts/sequential_reader.py (boto3, one request at a time, the same
//! describes and one GetMetricStatistics per usage metric and resource),
//! run through the same proxy.

use super::account;
use super::common::proxy::Proxy;
use super::common::Moto;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

pub struct Baseline {
    /// Time in the reads, measured by the script (its start-up excluded).
    pub seconds: f64,
    /// Wall time around the process (Python and boto3 start-up included).
    pub process_seconds: f64,
    /// Calls by "Service Operation".
    pub calls: BTreeMap<String, u64>,
    pub total: u64,
    /// GetMetricStatistics calls (one per usage metric and resource).
    pub metrics: u64,
    /// CPU seconds the emulator spent meanwhile.
    pub moto_cpu: f64,
}

/// What the profile selects, for the script.
fn selection() -> serde_json::Value {
    serde_json::json!({
        "functions": account::PARK_FN,
        "streams": account::STREAM,
        "alarms": account::ALARM,
        "tables": account::TABLE,
        "endpoints": account::ENDPOINT,
        "notebooks": account::NOTEBOOK,
        "db": account::DB,
        "aurora": account::AURORA,
        "warehouses": account::WAREHOUSE,
        "tag": ["Project", account::PROJECT],
        "groups": account::GROUP,
        "ecs_cluster": account::ECS_CLUSTER,
        "services": account::SERVICE,
        "eks_cluster": account::EKS_CLUSTER,
        "nodegroups": account::NODEGROUP,
        "logs": account::LOG_PREFIX,
    })
}

/// Runs the reader once through `proxy`; `Err` says why it could not run.
pub fn run(moto: &Moto, proxy: &Proxy) -> Result<Baseline, String> {
    let b = run_once(moto, proxy);
    match &b {
        Ok(b) => eprintln!(
            "  sequential reader: {:.1} s in reads ({:.1} s with start-up), {} calls",
            b.seconds, b.process_seconds, b.total
        ),
        Err(e) => eprintln!("  sequential reader FAILED: {e}"),
    }
    b
}

fn run_once(moto: &Moto, proxy: &Proxy) -> Result<Baseline, String> {
    let python = super::common::moto_binary()
        .parent()
        .unwrap()
        .join("python");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/sequential_reader.py");
    proxy.reset_counters();
    let cpu = moto.cpu_seconds();
    let started = std::time::Instant::now();
    let out = Command::new(&python)
        .arg(&script)
        .args(["--endpoint", &proxy.url()])
        .args(["--account", &selection().to_string()])
        .env_remove("AWS_PROFILE")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .output()
        .map_err(|e| format!("{}: {e}", python.display()))?;
    let process_seconds = started.elapsed().as_secs_f64();
    let moto_cpu = moto.cpu_seconds() - cpu;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("its output: {e}"))?;
    let calls: BTreeMap<String, u64> = v["calls"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0)))
        .collect();
    let total = v["total"].as_u64().unwrap_or(0);
    if proxy.requests() != total {
        eprintln!(
            "  (the proxy saw {} requests, the reader counted {total} calls: retries)",
            proxy.requests()
        );
    }
    Ok(Baseline {
        seconds: v["seconds"].as_f64().unwrap_or(0.0),
        process_seconds,
        calls,
        total,
        metrics: v["metrics"].as_u64().unwrap_or(0),
        moto_cpu,
    })
}
