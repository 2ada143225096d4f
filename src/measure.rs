//! The read's one metrics pass: every service declares the CloudWatch
//! metrics of a resource as data (`Service::usage` for what its cost is
//! computed from, `Service::idle` for whether it worked), and the read
//! fetches all of them together, GetMetricData with up to 500 queries a
//! call, instead of each service calling CloudWatch on its own and
//! `status` calling it again. A metric both asks for (a function's
//! invocations) is read once.

use crate::aws::metrics::{Metrics, USAGE_HOURS};
use crate::aws::AwsError;
use crate::idle::MetricQuery;
use crate::model::Live;
use crate::service::IdleMetric;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// What a read measures besides the resources.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Measure {
    /// Each resource's usage over the last [`USAGE_HOURS`], set as its
    /// `usage` attribute (the plan's cost is computed from it). A verify
    /// after an apply re-plans without it.
    pub usage: bool,
    /// Each resource's idle metric over this many seconds (`status`).
    pub idle_secs: Option<i64>,
}

impl Measure {
    /// The resources only (a verify, `capture`).
    pub const NOTHING: Measure = Measure {
        usage: false,
        idle_secs: None,
    };
    /// What a plan prices: usage.
    pub const USAGE: Measure = Measure {
        usage: true,
        idle_secs: None,
    };
}

/// One resource's idle figure over the window: its queries summed (counts)
/// or averaged (a utilisation); `value` is `None` where CloudWatch has no
/// datapoint at all, which is not zero.
#[derive(Debug)]
pub struct IdleFigure {
    /// The resource's position in `Live::resources`.
    pub at: usize,
    pub metric: IdleMetric,
    pub value: Option<f64>,
    /// The start of the window, against which the resource's age is told.
    pub since: DateTime<Utc>,
}

/// The queries of one window, each asked once.
#[derive(Default)]
struct Window {
    queries: Vec<(MetricQuery, bool)>,
    seen: HashMap<(MetricQuery, bool), usize>,
}

impl Window {
    /// The slot of `q` in this window's answers, adding it if new.
    fn slot(&mut self, q: &MetricQuery, average: bool) -> usize {
        let key = (q.clone(), average);
        if let Some(i) = self.seen.get(&key) {
            return *i;
        }
        self.queries.push(key.clone());
        self.seen.insert(key, self.queries.len() - 1);
        self.queries.len() - 1
    }
}

/// A resource's usage keys, each with its slot in a window's answers.
type UsageSlots = Vec<(&'static str, usize)>;

/// Which slots of which window each resource's figures come from.
#[derive(Default)]
struct Asked {
    /// Window lengths in seconds, each with its queries.
    windows: Vec<(i64, Window)>,
    /// (resource, window, [(usage key, slot)])
    usage: Vec<(usize, usize, UsageSlots)>,
    /// (resource, window, idle metric, slots)
    idle: Vec<(usize, usize, IdleMetric, Vec<usize>)>,
}

impl Asked {
    fn window(&mut self, secs: i64) -> usize {
        if let Some(i) = self.windows.iter().position(|(s, _)| *s == secs) {
            return i;
        }
        self.windows.push((secs, Window::default()));
        self.windows.len() - 1
    }

    /// Every query `measure` asks of the resources of `live`.
    fn of(live: &Live, measure: Measure) -> Asked {
        let mut a = Asked::default();
        for (at, r) in live.resources.iter().enumerate() {
            let Some(s) = crate::services::get(&r.id.service) else {
                continue;
            };
            if measure.usage {
                let qs = s.usage(r);
                if !qs.is_empty() {
                    let w = a.window(USAGE_HOURS * 3600);
                    let slots = qs
                        .iter()
                        .map(|(k, q)| (*k, a.windows[w].1.slot(q, false)))
                        .collect();
                    a.usage.push((at, w, slots));
                }
            }
            if let (Some(secs), Some(m)) = (measure.idle_secs, s.idle(r)) {
                let w = a.window(secs);
                let average = m.busy_above.is_some();
                let slots = m
                    .queries
                    .iter()
                    .map(|q| a.windows[w].1.slot(q, average))
                    .collect();
                a.idle.push((at, w, m, slots));
            }
        }
        a
    }
}

/// Reads what `measure` asks of `live`'s resources in one pass (one
/// GetMetricData call per 500 distinct queries of a window; the windows
/// side by side), sets each resource's `usage`, and returns the idle
/// figures. A failed read leaves `usage` `null` with `usage_error`, so that
/// a cost computed from it is unknown rather than $0; idle figures that
/// cannot be read are an error (status cannot judge without them).
pub async fn pass(
    metrics: &Metrics,
    live: &mut Live,
    measure: Measure,
) -> Result<Vec<IdleFigure>, AwsError> {
    let asked = Asked::of(live, measure);
    if asked.windows.is_empty() {
        return Ok(vec![]);
    }
    let now = Utc::now();
    let reads = asked.windows.iter().map(|(secs, w)| {
        let start = now - chrono::Duration::seconds(*secs);
        metrics.values(&w.queries, start, now)
    });
    let answers = futures::future::join_all(reads).await;
    set_usage(live, &asked, &answers);
    let mut out = Vec::new();
    for (at, w, metric, slots) in asked.idle {
        let got = answers[w].as_ref().map_err(Clone::clone)?;
        let parts: Vec<f64> = slots.iter().filter_map(|s| got[*s]).collect();
        let value = parts
            .iter()
            .copied()
            .reduce(|a, b| a + b)
            .map(|sum| match metric.busy_above {
                Some(_) => sum / parts.len() as f64,
                None => sum,
            });
        let since = now - chrono::Duration::seconds(asked.windows[w].0);
        out.push(IdleFigure {
            at,
            metric,
            value,
            since,
        });
    }
    Ok(out)
}

/// `usage: {hours, KEY: sum, ...}` on each resource that asked for usage
/// (a sum is `null` where CloudWatch has no datapoint), or `usage: null`
/// with `usage_error` where the window's read failed.
fn set_usage(live: &mut Live, asked: &Asked, answers: &[Result<Vec<Option<f64>>, AwsError>]) {
    for (at, w, slots) in &asked.usage {
        let r = &mut live.resources[*at];
        match &answers[*w] {
            Ok(got) => {
                let mut u = serde_json::Map::new();
                u.insert("hours".into(), serde_json::Value::from(USAGE_HOURS));
                for (k, s) in slots {
                    u.insert(k.to_string(), serde_json::json!(got[*s]));
                }
                r.attrs.insert("usage".into(), serde_json::Value::Object(u));
            }
            Err(e) => {
                r.attrs.insert("usage".into(), serde_json::Value::Null);
                r.attrs
                    .insert("usage_error".into(), serde_json::Value::from(e.to_string()));
            }
        }
    }
}
