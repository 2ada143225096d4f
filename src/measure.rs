//! The read's one metrics pass: every service declares the CloudWatch
//! metrics of a resource as data (`Service::usage` for what its cost is
//! computed from, `Service::idle` for whether it worked), and the read
//! fetches all of them together, GetMetricData with up to 500 queries a
//! call, instead of each service calling CloudWatch on its own and
//! `status` calling it again. A metric both ask for (a function's
//! invocations) is read once.
//!
//! The pass starts as soon as every service has told which resources it
//! will return (`adapter::Early`), beside the describes still running, not
//! after them. What the describes then add that changes a query (a log
//! group named by a function's configuration, an index found in a table's
//! description) is read in a second, usually empty, pass.

use crate::aws::metrics::{Metrics, USAGE_HOURS};
use crate::aws::AwsError;
use crate::idle::MetricQuery;
use crate::model::{Live, Resource};
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

    pub fn any(&self) -> bool {
        self.usage || self.idle_secs.is_some()
    }
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

/// A query of a window: (window in seconds, query, averaged).
type Key = (i64, MetricQuery, bool);

/// What the metrics passes answered: each query's figure, and the error of
/// each window whose read failed.
#[derive(Default)]
pub struct Answers {
    now: Option<DateTime<Utc>>,
    values: HashMap<Key, Option<f64>>,
    failed: HashMap<i64, AwsError>,
}

/// Every query `measure` asks of `resources`, each once, in the order
/// first asked.
fn asked(resources: &[Resource], measure: Measure) -> Vec<Key> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for r in resources {
        let Some(s) = crate::services::get(r.id.service) else {
            continue;
        };
        let mut add = |k: Key| {
            if seen.insert(k.clone()) {
                out.push(k);
            }
        };
        if measure.usage {
            for (_, q) in s.usage(r) {
                add((USAGE_HOURS * 3600, q, false));
            }
        }
        if let (Some(secs), Some(m)) = (measure.idle_secs, s.idle(r)) {
            for q in m.queries {
                add((secs, q, m.busy_above.is_some()));
            }
        }
    }
    out
}

impl Answers {
    /// Reads the queries of `keys` not answered yet: per window, one
    /// GetMetricData call per 500 queries, the windows side by side.
    async fn read(&mut self, metrics: &Metrics, keys: Vec<Key>) {
        let now = *self.now.get_or_insert_with(Utc::now);
        let mut windows: Vec<(i64, Vec<(MetricQuery, bool)>)> = Vec::new();
        for (secs, q, avg) in keys {
            if self.values.contains_key(&(secs, q.clone(), avg)) || self.failed.contains_key(&secs)
            {
                continue;
            }
            match windows.iter_mut().find(|(s, _)| *s == secs) {
                Some((_, qs)) => qs.push((q, avg)),
                None => windows.push((secs, vec![(q, avg)])),
            }
        }
        let reads = windows
            .iter()
            .map(|(secs, qs)| metrics.values(qs, now - chrono::Duration::seconds(*secs), now));
        let got = futures::future::join_all(reads).await;
        for ((secs, qs), got) in windows.into_iter().zip(got) {
            match got {
                Ok(vals) => {
                    for ((q, avg), v) in qs.into_iter().zip(vals) {
                        self.values.insert((secs, q, avg), v);
                    }
                }
                Err(e) => {
                    self.failed.insert(secs, e);
                }
            }
        }
    }

    fn get(&self, key: &Key) -> Result<Option<f64>, &AwsError> {
        match self.failed.get(&key.0) {
            Some(e) => Err(e),
            None => Ok(self.values.get(key).copied().flatten()),
        }
    }
}

/// The pass over what the services told early (`known`): every query
/// they ask, read before their describes end.
pub async fn early(metrics: &Metrics, known: &[Resource], measure: Measure) -> Answers {
    let mut answers = Answers::default();
    if measure.any() {
        answers.read(metrics, asked(known, measure)).await;
    }
    answers
}

/// Completes `answers` for the resources as read (a second pass only for
/// queries the early one could not know), sets each resource's `usage`,
/// and returns the idle figures. A failed usage read leaves `usage` `null`
/// with `usage_error`, so that a cost computed from it is unknown rather
/// than $0; idle figures that cannot be read are an error (status cannot
/// judge without them).
pub async fn settle(
    metrics: &Metrics,
    live: &mut Live,
    mut answers: Answers,
    measure: Measure,
) -> Result<Vec<IdleFigure>, AwsError> {
    if !measure.any() {
        return Ok(vec![]);
    }
    answers.read(metrics, asked(&live.resources, measure)).await;
    let now = answers.now.unwrap_or_else(Utc::now);
    let mut out = Vec::new();
    for (at, r) in live.resources.iter_mut().enumerate() {
        let Some(s) = crate::services::get(r.id.service) else {
            continue;
        };
        if measure.usage {
            set_usage(r, &s.usage(r), &answers);
        }
        if let (Some(secs), Some(metric)) = (measure.idle_secs, s.idle(r)) {
            let value = idle_value(&metric, secs, &answers).map_err(Clone::clone)?;
            let since = now - chrono::Duration::seconds(secs);
            out.push(IdleFigure {
                at,
                metric,
                value,
                since,
            });
        }
    }
    Ok(out)
}

/// The idle metric's queries as one figure: summed counts, or the mean of
/// utilisations; `None` without any datapoint.
fn idle_value<'a>(
    m: &IdleMetric,
    secs: i64,
    answers: &'a Answers,
) -> Result<Option<f64>, &'a AwsError> {
    let average = m.busy_above.is_some();
    let mut parts = Vec::new();
    for q in &m.queries {
        parts.extend(answers.get(&(secs, q.clone(), average))?);
    }
    let sum = parts.iter().copied().reduce(|a, b| a + b);
    Ok(sum.map(|s| if average { s / parts.len() as f64 } else { s }))
}

/// `usage: {hours, KEY: sum, ...}` (a sum is `null` where CloudWatch has no
/// datapoint), or `usage: null` with `usage_error` where the read failed.
fn set_usage(r: &mut Resource, queries: &[(&'static str, MetricQuery)], answers: &Answers) {
    if queries.is_empty() {
        return;
    }
    let mut u = serde_json::Map::new();
    u.insert("hours".into(), serde_json::Value::from(USAGE_HOURS));
    for (k, q) in queries {
        match answers.get(&(USAGE_HOURS * 3600, q.clone(), false)) {
            Ok(v) => {
                u.insert(k.to_string(), serde_json::json!(v));
            }
            Err(e) => {
                r.attrs.insert("usage".into(), serde_json::Value::Null);
                r.attrs
                    .insert("usage_error".into(), serde_json::Value::from(e.to_string()));
                return;
            }
        }
    }
    r.attrs.insert("usage".into(), serde_json::Value::Object(u));
}

#[cfg(test)]
mod tests {
    use crate::model::Resource;
    use crate::services::SERVICES;

    /// A plan's metrics pass waits only for the services that say they
    /// have usage (`Service::has_usage`): one that declared queries
    /// without saying so would have them read in a second pass.
    #[test]
    fn a_service_with_usage_queries_says_so() {
        for s in SERVICES {
            for kind in s.kinds() {
                let r = Resource::new(s.name(), kind.name, "x");
                assert!(
                    s.usage(&r).is_empty() || s.has_usage(),
                    "{} {} has usage queries, but {}'s has_usage is false",
                    s.name(),
                    kind.name,
                    s.name()
                );
            }
        }
    }

    /// And one that says so declares some, or the pass would wait on it
    /// for nothing.
    #[test]
    fn a_service_that_says_it_has_usage_declares_queries() {
        for s in SERVICES.iter().filter(|s| s.has_usage()) {
            let any = s
                .kinds()
                .iter()
                .any(|k| !s.usage(&Resource::new(s.name(), k.name, "x")).is_empty());
            assert!(any, "{} says it has usage but declares none", s.name());
        }
    }
}
