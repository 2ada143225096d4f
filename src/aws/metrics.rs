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
        let all: Vec<(MetricQuery, bool)> = queries.iter().map(|q| (q.clone(), false)).collect();
        self.values(&all, start, end).await
    }

    /// Each metric over the window: summed (`false`), or averaged (`true`,
    /// a utilisation), in one pass of GetMetricData calls whatever the mix;
    /// `None` where CloudWatch has no datapoint.
    pub async fn values(
        &self,
        queries: &[(MetricQuery, bool)],
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
                .map(|(i, (q, average))| {
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
                                .stat(if *average { "Average" } else { "Sum" })
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
                            out[i] =
                                Some(out[i].unwrap_or(0.0) + combined(r.values(), queries[i].1));
                        }
                    }
                },
            )
            .await?;
        }
        Ok(out)
    }
}

/// A query's datapoints as one figure: summed counts, or the mean of
/// averages (the period is the window, so there is usually one).
fn combined(values: &[f64], average: bool) -> f64 {
    let sum: f64 = values.iter().sum();
    if average {
        sum / values.len().max(1) as f64
    } else {
        sum
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
