//! Lambda: functions, their reserved concurrency and event-source mappings.
//! Reserved concurrency comes from GetFunctionConcurrency, the one call
//! that reports a reservation of 0 (GetFunction omits it on some servers).

use super::{bounded, AwsError};
use crate::model::{AccountFacts, Mapping, Tags};
use aws_sdk_lambda::Client;

pub struct Lambda {
    client: Client,
    concurrency: usize,
    pace: super::pace::Pace,
}

/// A function as listed: name and ARN.
#[derive(Debug, Clone)]
pub struct Listed {
    pub name: String,
    pub arn: String,
    /// ISO 8601, as Lambda reports it; the function existed at least since.
    pub last_modified: Option<String>,
}

impl Lambda {
    pub fn new(conf: aws_sdk_lambda::Config, concurrency: usize, pace: super::pace::Pace) -> Self {
        Lambda {
            client: Client::from_conf(conf),
            concurrency,
            pace,
        }
    }

    pub async fn list(&self) -> Result<Vec<Listed>, AwsError> {
        let mut out = Vec::new();
        // 50 is ListFunctions' largest page.
        let pages = self
            .client
            .list_functions()
            .max_items(50)
            .into_paginator()
            .send();
        super::each_page(
            &self.pace,
            pages,
            ("lambda", "ListFunctions", "the account's functions"),
            |page| {
                for f in page.functions() {
                    out.push(Listed {
                        name: f.function_name().unwrap_or_default().to_string(),
                        arn: f.function_arn().unwrap_or_default().to_string(),
                        last_modified: f.last_modified().map(str::to_string),
                    });
                }
            },
        )
        .await?;
        Ok(out)
    }

    /// Every mapping of the account, with its function's name: one paged
    /// list instead of one call per function.
    pub async fn mappings(&self) -> Result<Vec<(String, Mapping)>, AwsError> {
        let mut out = Vec::new();
        let pages = self
            .client
            .list_event_source_mappings()
            .max_items(10_000)
            .into_paginator()
            .send();
        super::each_page(
            &self.pace,
            pages,
            (
                "lambda",
                "ListEventSourceMappings",
                "the account's event source mappings",
            ),
            |page| {
                for m in page.event_source_mappings() {
                    let function = function_name_of(m.function_arn().unwrap_or_default());
                    let state = m.state().unwrap_or("Enabled").to_string();
                    out.push((
                        function,
                        Mapping {
                            uuid: m.uuid().unwrap_or_default().to_string(),
                            source_arn: m.event_source_arn().unwrap_or_default().to_string(),
                            enabled: !matches!(state.as_str(), "Disabled" | "Disabling"),
                            state,
                        },
                    ));
                }
            },
        )
        .await?;
        Ok(out)
    }

    /// Reserved concurrency per function; `Err` names the function.
    /// Functions that vanished since listing are left out.
    pub async fn reserved(&self, names: &[String]) -> Result<Vec<(String, Option<u32>)>, AwsError> {
        let results = bounded(names.iter().cloned(), self.concurrency, |name| async move {
            self.pace.wait().await;
            match self
                .client
                .get_function_concurrency()
                .function_name(&name)
                .send()
                .await
            {
                Ok(out) => Ok((
                    name,
                    out.reserved_concurrent_executions()
                        .map(|n| n.max(0) as u32),
                )),
                Err(e) => Err(AwsError::from_sdk(
                    "lambda",
                    "GetFunctionConcurrency",
                    &format!("function {name}"),
                    e,
                )),
            }
        })
        .await;
        super::existing(results)
    }

    pub async fn tags(&self, functions: &[Listed]) -> Result<Vec<(String, Tags)>, AwsError> {
        let results = bounded(
            functions.iter().cloned(),
            self.concurrency,
            |f| async move {
                self.pace.wait().await;
                let out = self
                    .client
                    .list_tags()
                    .resource(&f.arn)
                    .send()
                    .await
                    .map_err(|e| {
                        AwsError::from_sdk("lambda", "ListTags", &format!("function {}", f.name), e)
                    })?;
                let tags = out
                    .tags()
                    .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default();
                Ok((f.name, tags))
            },
        )
        .await;
        results.into_iter().collect()
    }

    /// The account's concurrency pool. Not every endpoint serves it (the
    /// emulator does not), so failure means "unknown", not an error.
    pub async fn account(&self) -> AccountFacts {
        self.pace.wait().await;
        match self.client.get_account_settings().send().await {
            Ok(out) => AccountFacts {
                unreserved_concurrency: out
                    .account_limit()
                    .and_then(|l| l.unreserved_concurrent_executions())
                    .map(|n| n.max(0) as u32),
                concurrency_limit: out
                    .account_limit()
                    .map(|l| l.concurrent_executions().max(0) as u32),
            },
            Err(e) => {
                let err = AwsError::from_sdk("lambda", "GetAccountSettings", "the account", e);
                tracing::debug!(error = %err, "account concurrency unknown");
                AccountFacts::default()
            }
        }
    }

    pub async fn set_reserved(&self, name: &str, value: Option<u32>) -> Result<(), AwsError> {
        self.pace.wait().await;
        match value {
            Some(n) => self
                .client
                .put_function_concurrency()
                .function_name(name)
                .reserved_concurrent_executions(n as i32)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    AwsError::from_sdk(
                        "lambda",
                        "PutFunctionConcurrency",
                        &format!("function {name}"),
                        e,
                    )
                }),
            None => self
                .client
                .delete_function_concurrency()
                .function_name(name)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| {
                    AwsError::from_sdk(
                        "lambda",
                        "DeleteFunctionConcurrency",
                        &format!("function {name}"),
                        e,
                    )
                }),
        }
    }

    /// Disabling keeps the mapping and its position in the stream, so that
    /// enabling it again resumes where it stopped.
    pub async fn set_mapping(&self, uuid: &str, what: &str, enabled: bool) -> Result<(), AwsError> {
        self.pace.wait().await;
        self.client
            .update_event_source_mapping()
            .uuid(uuid)
            .enabled(enabled)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                AwsError::from_sdk(
                    "lambda",
                    "UpdateEventSourceMapping",
                    &format!("event source {what} ({uuid})"),
                    e,
                )
            })
    }
}

/// `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` -> NAME.
pub fn function_name_of(arn: &str) -> String {
    arn.split(':').nth(6).unwrap_or(arn).to_string()
}
