//! CloudWatch metrics: one metric per resource summed over a window, in as
//! few GetMetricData calls as the API allows. `status` uses it for every
//! service's idle metric; it is plumbing, not a managed service.

use super::AwsError;
use aws_sdk_cloudwatch::Client;

/// The IAM action the metric reads need.
pub const IAM_READ: &str = "cloudwatch:GetMetricData";

/// The rate family GetMetricData is paced in (the CloudWatch API's).
pub const PACE_FAMILY: &str = "cloudwatch";

pub struct Metrics {
    client: Client,
    pace: super::pace::Pace,
}

impl Metrics {
    pub fn new(shared: &super::Shared) -> Self {
        let conf = aws_sdk_cloudwatch::config::Builder::from(&shared.conf)
            .interceptor(shared.log())
            .build();
        Metrics {
            client: Client::from_conf(conf),
            pace: shared.pace(PACE_FAMILY),
        }
    }
}

pub use crate::idle::MetricQuery;

impl MetricQuery {
    /// A metric of one dimension (a resource's name).
    pub fn of(
        namespace: &'static str,
        metric: &'static str,
        dimension: &'static str,
        value: &str,
    ) -> Self {
        MetricQuery {
            namespace,
            metric,
            dimensions: vec![(dimension, value.to_string())],
        }
    }
}

/// GetMetricData takes at most 500 queries a call.
pub const METRIC_QUERIES_PER_CALL: usize = 500;

impl Metrics {
    /// The sum of each metric over the window, `None` where CloudWatch has
    /// no datapoint at all (which is not the same as zero).
    pub async fn sums(
        &self,
        queries: &[MetricQuery],
        start: chrono::DateTime<chrono::Utc>,
        end: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Option<f64>>, AwsError> {
        use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
        let secs = (end - start).num_seconds().max(60);
        let period = (secs + 59) / 60 * 60;
        let mut out = vec![None; queries.len()];
        for (chunk_no, chunk) in queries.chunks(METRIC_QUERIES_PER_CALL).enumerate() {
            let base = chunk_no * METRIC_QUERIES_PER_CALL;
            let qs: Vec<MetricDataQuery> = chunk
                .iter()
                .enumerate()
                .map(|(i, q)| {
                    MetricDataQuery::builder()
                        .id(format!("q{}", base + i))
                        .metric_stat(
                            MetricStat::builder()
                                .metric(
                                    Metric::builder()
                                        .namespace(q.namespace)
                                        .metric_name(q.metric)
                                        .set_dimensions(Some(
                                            q.dimensions
                                                .iter()
                                                .map(|(n, v)| {
                                                    Dimension::builder().name(*n).value(v).build()
                                                })
                                                .collect(),
                                        ))
                                        .build(),
                                )
                                .period(period as i32)
                                .stat("Sum")
                                .build(),
                        )
                        .return_data(true)
                        .build()
                })
                .collect();
            let pages = self
                .client
                .get_metric_data()
                .set_metric_data_queries(Some(qs))
                .start_time(aws_smithy_types::DateTime::from_secs(start.timestamp()))
                .end_time(aws_smithy_types::DateTime::from_secs(end.timestamp()))
                .into_paginator()
                .send();
            super::each_page(
                &self.pace,
                pages,
                ("cloudwatch", "GetMetricData", "activity metrics"),
                |page| {
                    for r in page.metric_data_results() {
                        let Some(i) = r
                            .id()
                            .and_then(|id| id.strip_prefix('q'))
                            .and_then(|n| n.parse::<usize>().ok())
                        else {
                            continue;
                        };
                        if i < out.len() && !r.values().is_empty() {
                            let sum: f64 = r.values().iter().sum();
                            out[i] = Some(out[i].unwrap_or(0.0) + sum);
                        }
                    }
                },
            )
            .await?;
        }
        Ok(out)
    }
}

/// How far back usage is read: a day shows a project's daily rhythm.
pub const USAGE_HOURS: i64 = 24;

impl Metrics {
    /// Sets `usage` on each resource `queries` names metrics for: `{hours,
    /// KEY: sum, ...}` over the last [`USAGE_HOURS`] (a sum is `null` where
    /// CloudWatch has no datapoint), or `null` with `usage_error` when the
    /// metrics cannot be read, so that a cost computed from them is unknown
    /// rather than $0. One GetMetricData call per 500 queries.
    pub async fn attach_usage(
        &self,
        resources: &mut [crate::model::Resource],
        queries: impl Fn(&crate::model::Resource) -> Vec<(&'static str, MetricQuery)>,
    ) {
        let wanted: Vec<(usize, Vec<(&'static str, MetricQuery)>)> = resources
            .iter()
            .enumerate()
            .map(|(i, r)| (i, queries(r)))
            .filter(|(_, q)| !q.is_empty())
            .collect();
        if wanted.is_empty() {
            return;
        }
        let all: Vec<MetricQuery> = wanted
            .iter()
            .flat_map(|(_, q)| q.iter().map(|(_, m)| m.clone()))
            .collect();
        let end = chrono::Utc::now();
        let start = end - chrono::Duration::hours(USAGE_HOURS);
        let sums = self.sums(&all, start, end).await;
        let mut at = 0;
        for (i, qs) in wanted {
            let r = &mut resources[i];
            match &sums {
                Ok(s) => {
                    let mut u = serde_json::Map::new();
                    u.insert("hours".into(), serde_json::Value::from(USAGE_HOURS));
                    for (k, _) in &qs {
                        u.insert(k.to_string(), serde_json::json!(s[at]));
                        at += 1;
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
}
