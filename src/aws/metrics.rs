//! CloudWatch metrics: each query summed or averaged over a window, in as
//! few GetMetricData calls as the API allows. The read's one metrics pass
//! (`crate::measure`) is its only caller; it is plumbing, not a managed
//! service.

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
    /// Each metric over the window: summed (`false`), or averaged (`true`,
    /// a utilisation), in one pass of GetMetricData calls whatever the mix;
    /// `None` where CloudWatch has no datapoint.
    ///
    /// The calls go one after another, not side by side. The pass runs
    /// beside the describes, whose paced calls are the read's critical
    /// path, so its own length rarely matters; but a server answering four
    /// 500-query calls at once answered nothing else meanwhile (the bench's
    /// emulator, for 6 s), and the paced describes lost that time for good.
    pub async fn values(
        &self,
        queries: &[(MetricQuery, bool)],
        start: chrono::DateTime<chrono::Utc>,
        end: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Option<f64>>, AwsError> {
        let mut out = Vec::with_capacity(queries.len());
        for chunk in queries.chunks(METRIC_QUERIES_PER_CALL) {
            out.extend(self.call(chunk, start, end).await?);
        }
        Ok(out)
    }

    /// One GetMetricData call (and its pages) for at most 500 queries.
    async fn call(
        &self,
        queries: &[(MetricQuery, bool)],
        start: chrono::DateTime<chrono::Utc>,
        end: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Option<f64>>, AwsError> {
        let secs = (end - start).num_seconds().max(60);
        let period = ((secs + 59) / 60 * 60) as i32;
        let qs = queries
            .iter()
            .enumerate()
            .map(|(i, (q, average))| data_query(i, q, *average, period))
            .collect();
        let pages = self
            .client
            .get_metric_data()
            .set_metric_data_queries(Some(qs))
            .start_time(aws_smithy_types::DateTime::from_secs(start.timestamp()))
            .end_time(aws_smithy_types::DateTime::from_secs(end.timestamp()))
            .into_paginator()
            .send();
        let mut out = vec![None; queries.len()];
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
                        out[i] = Some(out[i].unwrap_or(0.0) + combined(r.values(), queries[i].1));
                    }
                }
            },
        )
        .await?;
        Ok(out)
    }
}

/// The `i`th query of a call, over one period the length of the window.
fn data_query(
    i: usize,
    q: &MetricQuery,
    average: bool,
    period: i32,
) -> aws_sdk_cloudwatch::types::MetricDataQuery {
    use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat};
    let dimensions = q
        .dimensions
        .iter()
        .map(|(n, v)| Dimension::builder().name(*n).value(v).build())
        .collect();
    let metric = Metric::builder()
        .namespace(q.namespace)
        .metric_name(q.metric)
        .set_dimensions(Some(dimensions))
        .build();
    let stat = MetricStat::builder()
        .metric(metric)
        .period(period)
        .stat(if average { "Average" } else { "Sum" })
        .build();
    // `ReturnData` is left to its default, true: each key of an awsQuery
    // request is parsed against every other by some servers (moto's
    // parser), so one key less per query is 7 % less of a 500-query
    // call's time there.
    MetricDataQuery::builder()
        .id(format!("q{i}"))
        .metric_stat(stat)
        .build()
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
