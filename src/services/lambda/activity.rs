//! The usage a function's cost is computed from, read beside it: its
//! `Invocations` and `Duration` sums and its log group's `IncomingBytes`
//! over the last 24 h (one GetMetricData for all functions, 500 queries a
//! call), and its log group's stored bytes (DescribeLogGroups, paged by
//! prefix). A read that fails leaves the figure `null` with the reason:
//! the cost is then unknown, never $0, and the plan still goes on.

use crate::aws::metrics::{MetricQuery, Metrics};
use crate::aws::{each_page, AwsError};
use crate::model::{Resource, Value};
use serde_json::json;
use std::collections::BTreeMap;

/// The window usage is read over.
pub const WINDOW_HOURS: i64 = 24;
/// Where Lambda logs unless a function's LoggingConfig names a group.
pub const DEFAULT_PREFIX: &str = "/aws/lambda/";

pub struct Activity {
    pub metrics: Metrics,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub pace: crate::aws::pace::Pace,
}

impl Activity {
    pub fn new(shared: &crate::aws::Shared) -> Self {
        let conf = aws_sdk_cloudwatchlogs::config::Builder::from(&shared.conf)
            .interceptor(shared.log())
            .build();
        Activity {
            metrics: Metrics::new(shared),
            logs: aws_sdk_cloudwatchlogs::Client::from_conf(conf),
            pace: shared.pace(crate::aws::metrics::PACE_FAMILY),
        }
    }

    /// Sets `usage` and `logs` on each function of `out`.
    pub async fn attach(&self, out: &mut [Resource]) {
        let fns: Vec<usize> = (0..out.len())
            .filter(|i| out[*i].id.kind == super::FUNCTION)
            .collect();
        if fns.is_empty() {
            return;
        }
        let mut queries = Vec::new();
        for &i in &fns {
            let (f, group) = (
                out[i].name().to_string(),
                out[i].text("log_group").to_string(),
            );
            queries.push(MetricQuery::of(
                "AWS/Lambda",
                "Invocations",
                "FunctionName",
                &f,
            ));
            queries.push(MetricQuery::of(
                "AWS/Lambda",
                "Duration",
                "FunctionName",
                &f,
            ));
            queries.push(MetricQuery::of(
                "AWS/Logs",
                "IncomingBytes",
                "LogGroupName",
                &group,
            ));
        }
        let end = chrono::Utc::now();
        let start = end - chrono::Duration::hours(WINDOW_HOURS);
        let groups: Vec<String> = fns
            .iter()
            .map(|i| out[*i].text("log_group").to_string())
            .collect();
        let (sums, stored) = tokio::join!(
            self.metrics.sums(&queries, start, end),
            self.stored(&groups)
        );
        for (k, &i) in fns.iter().enumerate() {
            let r = &mut out[i];
            match &sums {
                Ok(s) => {
                    r.attrs.insert("usage".into(), json!({"hours": WINDOW_HOURS, "invocations": s[3 * k], "duration_ms": s[3 * k + 1]}));
                }
                Err(e) => {
                    r.attrs.insert("usage".into(), Value::Null);
                    r.attrs
                        .insert("usage_error".into(), Value::from(e.to_string()));
                }
            }
            let logs = match (&sums, &stored) {
                (Ok(s), Ok(st)) => json!({
                    "group": groups[k],
                    "stored_bytes": st.get(&groups[k]).copied().unwrap_or(0),
                    "incoming_bytes": s[3 * k + 2],
                }),
                _ => Value::Null,
            };
            r.attrs.insert("logs".into(), logs);
        }
    }

    /// Stored bytes of each named group that exists: one paged listing for
    /// the default prefix, one for each group elsewhere.
    async fn stored(&self, groups: &[String]) -> Result<BTreeMap<String, i64>, AwsError> {
        let mut prefixes: Vec<&str> = groups
            .iter()
            .map(|g| {
                if g.starts_with(DEFAULT_PREFIX) {
                    DEFAULT_PREFIX
                } else {
                    g.as_str()
                }
            })
            .collect();
        prefixes.sort();
        prefixes.dedup();
        let mut out = BTreeMap::new();
        for p in prefixes {
            let pages = self
                .logs
                .describe_log_groups()
                .log_group_name_prefix(p)
                .into_paginator()
                .send();
            each_page(
                &self.pace,
                pages,
                ("logs", "DescribeLogGroups", p),
                |page| {
                    for g in page.log_groups() {
                        if let Some(n) = g.log_group_name() {
                            out.insert(n.to_string(), g.stored_bytes().unwrap_or(0));
                        }
                    }
                },
            )
            .await?;
        }
        Ok(out)
    }
}
