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
    /// Operations that change AWS, from the services: the crash test
    /// counts these.
    writes: Arc<Vec<&'static str>>,
    /// Request body keys that name a call's resource, from the services.
    keys: Arc<Vec<&'static str>>,
}

impl CallStats {
    pub fn new(writes: Vec<&'static str>, keys: Vec<&'static str>) -> Self {
        CallStats {
            writes: Arc::new(writes),
            keys: Arc::new(keys),
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
/// fields (`keys`) of JSON and query bodies. Bodies of S3 objects are
/// never read.
fn target_of(service: &str, uri: &str, body: Option<&[u8]>, keys: &[&str]) -> String {
    let path = uri
        .split("://")
        .nth(1)
        .and_then(|r| r.find('/').map(|i| &r[i..]))
        .unwrap_or(uri);
    let path = path.split('?').next().unwrap_or(path);
    if service.eq_ignore_ascii_case("s3") || path.len() > 1 {
        return path.to_string();
    }
    let Some(text) = body.and_then(|b| std::str::from_utf8(b).ok()) else {
        return String::new();
    };
    for key in keys {
        if let Some(i) = text.find(key) {
            let rest = &text[i + key.len()..];
            let end = rest.find(['"', '&']).unwrap_or(rest.len()).min(200);
            // A query list (`Names.member.1=`): say how many more it names.
            let more = key
                .strip_suffix("1=")
                .map_or(0, |list| text.matches(list).count());
            let suffix = if more > 1 {
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
        let target = target_of(&service, req.uri(), req.body().bytes(), &self.stats.keys);
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
        if ok && self.stats.writes.contains(&op.as_str()) {
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

#[cfg(test)]
mod tests {
    use super::target_of;

    const KEYS: &[&str] = &["\"StreamName\":\"", "NamePrefix=", "Names.member.1="];

    #[test]
    fn targets() {
        let t = |svc, uri, body: Option<&[u8]>| target_of(svc, uri, body, KEYS);
        assert_eq!(
            t(
                "Json",
                "https://svc/",
                Some(br#"{"StreamName":"s1","Limit":5}"#)
            ),
            "s1"
        );
        assert_eq!(
            t(
                "Rest",
                "http://x:1/2015-03-31/functions/f1/concurrency",
                None
            ),
            "/2015-03-31/functions/f1/concurrency"
        );
        assert_eq!(
            t(
                "Query",
                "http://x/",
                Some(b"Action=Disable&Names.member.1=a1&Names.member.2=a2")
            ),
            "a1 (+1 more)"
        );
        assert_eq!(
            t(
                "Query",
                "http://x/",
                Some(b"Action=Describe&NamePrefix=p-&MaxRecords=100")
            ),
            "p-"
        );
        assert_eq!(t("STS", "http://x/", Some(b"Action=GetCallerIdentity")), "");
    }
}
