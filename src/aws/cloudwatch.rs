//! CloudWatch alarms: read with DescribeAlarms by prefix or by names (100
//! a call), switched with Enable/DisableAlarmActions (100 names a call).

use super::{bounded, AwsError};
use crate::model::{Alarm, Tags};
use aws_sdk_cloudwatch::types::AlarmType;
use aws_sdk_cloudwatch::Client;

/// DescribeAlarms' largest page, and the most names
/// Enable/DisableAlarmActions accept in one call.
pub const BATCH: usize = 100;

pub struct CloudWatch {
    pub(crate) client: Client,
    concurrency: usize,
    pace: super::pace::Pace,
}

impl CloudWatch {
    pub fn new(
        conf: aws_sdk_cloudwatch::Config,
        concurrency: usize,
        pace: super::pace::Pace,
    ) -> Self {
        CloudWatch {
            client: Client::from_conf(conf),
            concurrency,
            pace,
        }
    }

    /// Alarms whose names start with `prefix`; `None` reads them all.
    pub async fn by_prefix(&self, prefix: Option<&str>) -> Result<Vec<Alarm>, AwsError> {
        let what = prefix.map_or("all alarms".to_string(), |p| {
            format!("alarms with prefix {p}")
        });
        let mut out = Vec::new();
        let pages = self
            .client
            .describe_alarms()
            .set_alarm_name_prefix(prefix.map(str::to_string))
            .alarm_types(AlarmType::MetricAlarm)
            .alarm_types(AlarmType::CompositeAlarm)
            .max_records(BATCH as i32)
            .into_paginator()
            .send();
        super::each_page(
            &self.pace,
            pages,
            ("cloudwatch", "DescribeAlarms", &what),
            |page| {
                collect(&page, &mut out);
            },
        )
        .await?;
        Ok(out)
    }

    pub async fn by_names(&self, names: &[String]) -> Result<Vec<Alarm>, AwsError> {
        let chunks: Vec<Vec<String>> = names.chunks(BATCH).map(<[String]>::to_vec).collect();
        let results = bounded(chunks, self.concurrency, |chunk| async move {
            self.pace.wait().await;
            let page = self
                .client
                .describe_alarms()
                .set_alarm_names(Some(chunk.clone()))
                .alarm_types(AlarmType::MetricAlarm)
                .alarm_types(AlarmType::CompositeAlarm)
                .max_records(BATCH as i32)
                .send()
                .await
                .map_err(|e| {
                    AwsError::from_sdk(
                        "cloudwatch",
                        "DescribeAlarms",
                        &format!("alarms {}", chunk.join(", ")),
                        e,
                    )
                })?;
            let mut out = Vec::new();
            collect(&page, &mut out);
            Ok::<_, AwsError>(out)
        })
        .await;
        let mut out = Vec::new();
        for r in results {
            out.extend(r?);
        }
        Ok(out)
    }

    pub async fn tags(&self, alarms: &[Alarm]) -> Result<Vec<(String, Tags)>, AwsError> {
        let results = bounded(alarms.iter().cloned(), self.concurrency, |a| async move {
            self.pace.wait().await;
            let out = self
                .client
                .list_tags_for_resource()
                .resource_arn(&a.arn)
                .send()
                .await
                .map_err(|e| {
                    AwsError::from_sdk(
                        "cloudwatch",
                        "ListTagsForResource",
                        &format!("alarm {}", a.name),
                        e,
                    )
                })?;
            let tags = out
                .tags()
                .iter()
                .map(|t| {
                    (
                        t.key().unwrap_or_default().to_string(),
                        t.value().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            Ok((a.name, tags))
        })
        .await;
        results.into_iter().collect()
    }

    /// Alarm names in batches of 100, one call each.
    pub async fn set_actions(&self, names: &[String], enabled: bool) -> Result<(), AwsError> {
        let what = if names.len() == 1 {
            format!("alarm {}", names[0])
        } else {
            format!("{} alarms ({} …)", names.len(), names[0])
        };
        self.pace.wait().await;
        if enabled {
            self.client
                .enable_alarm_actions()
                .set_alarm_names(Some(names.to_vec()))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| AwsError::from_sdk("cloudwatch", "EnableAlarmActions", &what, e))
        } else {
            self.client
                .disable_alarm_actions()
                .set_alarm_names(Some(names.to_vec()))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| AwsError::from_sdk("cloudwatch", "DisableAlarmActions", &what, e))
        }
    }
}

fn collect(
    page: &aws_sdk_cloudwatch::operation::describe_alarms::DescribeAlarmsOutput,
    out: &mut Vec<Alarm>,
) {
    for a in page.metric_alarms() {
        out.push(Alarm {
            name: a.alarm_name().unwrap_or_default().to_string(),
            arn: a.alarm_arn().unwrap_or_default().to_string(),
            actions_enabled: a.actions_enabled().unwrap_or(true),
            high_resolution: a.period().is_some_and(|p| p < 60),
            tags: Tags::new(),
        });
    }
    for a in page.composite_alarms() {
        out.push(Alarm {
            name: a.alarm_name().unwrap_or_default().to_string(),
            arn: a.alarm_arn().unwrap_or_default().to_string(),
            actions_enabled: a.actions_enabled().unwrap_or(true),
            high_resolution: false,
            tags: Tags::new(),
        });
    }
}

/// One metric summed over a window, e.g. a stream's IncomingRecords.
#[derive(Debug, Clone)]
pub struct MetricQuery {
    pub namespace: &'static str,
    pub metric: &'static str,
    pub dimension: &'static str,
    pub value: String,
}

/// GetMetricData takes at most 500 queries a call.
pub const METRIC_QUERIES_PER_CALL: usize = 500;

impl CloudWatch {
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
                                        .dimensions(
                                            Dimension::builder()
                                                .name(q.dimension)
                                                .value(&q.value)
                                                .build(),
                                        )
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
