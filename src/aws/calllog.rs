//! One interceptor on every client: it logs each AWS call (service,
//! operation, duration, outcome) at DEBUG, counts calls for `--stats`, and
//! carries the crash-test hook. Seeing calls at the SDK level, rather than
//! in each adapter, means none can be missed or counted twice.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Default, Clone)]
pub struct OpStats {
    pub calls: u64,
    pub attempts: u64,
    pub failures: u64,
    pub time: Duration,
}

/// Calls per (service, operation), shared by every client of a run.
#[derive(Debug, Default, Clone)]
pub struct CallStats {
    inner: Arc<Mutex<BTreeMap<(String, String), OpStats>>>,
    writes_done: Arc<AtomicUsize>,
    kill_after_writes: Option<usize>,
}

/// Operations that change AWS. The crash test counts these.
const WRITES: &[&str] = &[
    "UpdateShardCount",
    "PutFunctionConcurrency",
    "DeleteFunctionConcurrency",
    "UpdateEventSourceMapping",
    "EnableAlarmActions",
    "DisableAlarmActions",
];

impl CallStats {
    pub fn new() -> Self {
        CallStats {
            // Test hook for the crash-safety tests: SIGKILL ourselves right
            // after the Nth successful write, the worst moment to die.
            kill_after_writes: std::env::var("PARKCTL_TEST_KILL_AFTER_WRITES")
                .ok()
                .and_then(|v| v.parse().ok()),
            ..Default::default()
        }
    }

    pub fn snapshot(&self) -> BTreeMap<(String, String), OpStats> {
        self.inner.lock().map(|m| m.clone()).unwrap_or_default()
    }

    pub fn total_calls(&self) -> u64 {
        self.snapshot().values().map(|s| s.calls).sum()
    }

    fn record(&self, service: &str, op: &str, f: impl FnOnce(&mut OpStats)) {
        if let Ok(mut m) = self.inner.lock() {
            f(m.entry((service.to_string(), op.to_string())).or_default());
        }
    }
}

#[derive(Debug, Clone)]
struct Started(Instant);
impl Storable for Started {
    type Storer = StoreReplace<Self>;
}

#[derive(Debug, Clone)]
struct Target(String);
impl Storable for Target {
    type Storer = StoreReplace<Self>;
}

/// The resource a request is about, from the request itself (the SDK's
/// typed input is erased here): the URI path for REST services, the name
/// fields of JSON and query bodies. Bodies of S3 objects are never read.
fn target_of(service: &str, uri: &str, body: Option<&[u8]>) -> String {
    let path = uri
        .split("://")
        .nth(1)
        .and_then(|r| r.find('/').map(|i| &r[i..]))
        .unwrap_or(uri);
    let path = path.split('?').next().unwrap_or(path);
    if service.eq_ignore_ascii_case("s3") || service.eq_ignore_ascii_case("lambda") {
        return path.to_string();
    }
    let Some(text) = body.and_then(|b| std::str::from_utf8(b).ok()) else {
        return String::new();
    };
    for key in [
        "\"StreamName\":\"",
        "AlarmNamePrefix=",
        "AlarmNames.member.1=",
    ] {
        if let Some(i) = text.find(key) {
            let rest = &text[i + key.len()..];
            let end = rest.find(['"', '&']).unwrap_or(rest.len()).min(200);
            let more = text.matches("AlarmNames.member.").count();
            let suffix = if key.starts_with("AlarmNames") && more > 1 {
                format!(" (+{} more)", more - 1)
            } else {
                String::new()
            };
            return format!("{}{suffix}", &rest[..end]);
        }
    }
    String::new()
}

#[derive(Debug)]
pub struct CallLog {
    stats: CallStats,
}

impl CallLog {
    pub fn new(stats: CallStats) -> Self {
        CallLog { stats }
    }
}

fn names(cfg: &ConfigBag) -> (String, String) {
    cfg.load::<Metadata>()
        .map(|m| (m.service().to_string(), m.name().to_string()))
        .unwrap_or_else(|| ("aws".into(), "call".into()))
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "parkctl-call-log"
    }

    fn read_before_execution(
        &self,
        _ctx: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(Started(Instant::now()));
        Ok(())
    }

    fn read_before_attempt(
        &self,
        ctx: &BeforeTransmitInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (service, op) = names(cfg);
        self.stats.record(&service, &op, |s| s.attempts += 1);
        let req = ctx.request();
        let target = target_of(&service, req.uri(), req.body().bytes());
        cfg.interceptor_state().store_put(Target(target));
        Ok(())
    }

    fn read_after_execution(
        &self,
        ctx: &FinalizerInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let (service, op) = names(cfg);
        let took = cfg
            .load::<Started>()
            .map(|s| s.0.elapsed())
            .unwrap_or_default();
        let ok = matches!(ctx.output_or_error(), Some(Ok(_)));
        self.stats.record(&service, &op, |s| {
            s.calls += 1;
            s.time += took;
            if !ok {
                s.failures += 1;
            }
        });
        let resource = cfg
            .load::<Target>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        tracing::debug!(target: "parkctl::aws", service = %service, operation = %op, resource = %resource, ms = took.as_millis() as u64, ok, "aws call");
        if ok && WRITES.contains(&op.as_str()) {
            let n = self.stats.writes_done.fetch_add(1, Ordering::SeqCst) + 1;
            if self.stats.kill_after_writes == Some(n) {
                // SAFETY: kill(2) on our own pid has no memory-safety
                // preconditions; SIGKILL ends the process at once.
                unsafe {
                    libc::kill(libc::getpid(), libc::SIGKILL);
                }
            }
        }
        Ok(())
    }
}

/// `--stats` output: calls per service and operation, and the time in them.
pub fn render_stats(stats: &CallStats, wall: Duration) -> String {
    let snap = stats.snapshot();
    let mut out = String::from("AWS calls (service operation: calls, attempts, time in calls):\n");
    let mut total = OpStats::default();
    for ((service, op), s) in &snap {
        // One word per column, so that scripts can split the table.
        let service = service.replace(' ', "");
        out.push_str(&format!(
            "  {service:<12} {op:<32} {:>6} {:>6} {:>9.1} ms\n",
            s.calls,
            s.attempts,
            s.time.as_secs_f64() * 1000.0
        ));
        total.calls += s.calls;
        total.attempts += s.attempts;
        total.time += s.time;
    }
    out.push_str(&format!(
        "  {:<45} {:>6} {:>6} {:>9.1} ms   (wall {:.1} ms)\n",
        "total",
        total.calls,
        total.attempts,
        total.time.as_secs_f64() * 1000.0,
        wall.as_secs_f64() * 1000.0
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::target_of;

    #[test]
    fn targets() {
        assert_eq!(
            target_of(
                "Kinesis",
                "https://kinesis/",
                Some(br#"{"StreamName":"s1","Limit":5}"#)
            ),
            "s1"
        );
        assert_eq!(
            target_of(
                "Lambda",
                "http://x:1/2015-03-31/functions/f1/concurrency",
                None
            ),
            "/2015-03-31/functions/f1/concurrency"
        );
        assert_eq!(
            target_of(
                "CloudWatch",
                "http://x/",
                Some(b"Action=DisableAlarmActions&AlarmNames.member.1=a1&AlarmNames.member.2=a2")
            ),
            "a1 (+1 more)"
        );
        assert_eq!(
            target_of(
                "CloudWatch",
                "http://x/",
                Some(b"Action=DescribeAlarms&AlarmNamePrefix=p-&MaxRecords=100")
            ),
            "p-"
        );
        assert_eq!(
            target_of("STS", "http://x/", Some(b"Action=GetCallerIdentity")),
            ""
        );
    }
}
