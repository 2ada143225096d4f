//! What a function's logs cost besides its metrics (which the read's one
//! metrics pass brings, `Service::usage`): its log group's stored bytes
//! (DescribeLogGroups, paged by prefix), read beside the functions'
//! describes. A read that fails leaves the figure `null` with the reason:
//! the cost is then unknown, never $0, and the plan still goes on.

use crate::aws::{each_page, AwsError};
use crate::model::{Resource, Value};
use std::collections::BTreeMap;

/// Where Lambda logs unless a function's LoggingConfig names a group.
pub const DEFAULT_PREFIX: &str = "/aws/lambda/";

pub struct Activity {
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pace: crate::aws::pace::Pace,
}

impl Activity {
    pub fn new(shared: &crate::aws::Shared) -> Self {
        let conf = aws_sdk_cloudwatchlogs::config::Builder::from(&shared.conf)
            .interceptor(shared.log())
            .build();
        Activity {
            logs: aws_sdk_cloudwatchlogs::Client::from_conf(conf),
            pace: shared.pace("logs"),
        }
    }

    /// Sets `log_stored_bytes` on each function of `out` from what
    /// [`Self::stored`] found: a failed read leaves it `null` with the
    /// reason. A number, not an object (`logs: {group, stored_bytes}` until
    /// now): a JSON object is a tree node of 632 bytes whatever it holds, 2 MB
    /// of a 10,000-resource plan's memory, and the group is `log_group`.
    pub fn attach(out: &mut [Resource], stored: &Result<BTreeMap<String, i64>, AwsError>) {
        for r in out.iter_mut().filter(|r| r.id.kind == super::FUNCTION) {
            let bytes = match stored {
                Ok(st) => Value::from(st.get(r.text("log_group")).copied().unwrap_or(0)),
                Err(e) => {
                    r.attrs
                        .insert("logs_error".into(), Value::from(e.to_string()));
                    Value::Null
                }
            };
            r.attrs.insert("log_stored_bytes".into(), bytes);
        }
    }

    /// Stored bytes of each named group that exists: one paged listing for
    /// the default prefix, one for each group elsewhere.
    pub async fn stored(&self, groups: &[String]) -> Result<BTreeMap<String, i64>, AwsError> {
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
