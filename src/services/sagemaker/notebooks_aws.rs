//! Notebook instances over the SDK: ListNotebookInstances (or the named
//! ones), DescribeNotebookInstance for the volume, ListTags where a rule
//! needs them; StopNotebookInstance / StartNotebookInstance, each followed
//! by the SDK's waiter, bounded.

use super::notebook::{notebook, STOPPED, WAIT_MINUTES};
use super::NAME;
use crate::aws::{bounded, each_page, AwsError};
use crate::model::{Resource, Tags};
use crate::outcome::{Interrupt, Outcome};
use crate::plan::Change;
use crate::profile::rule::{sel, Selector};
use aws_sdk_sagemaker::client::Waiters;
use aws_sdk_sagemaker::Client;
use std::collections::BTreeSet;
use std::time::Duration;

pub struct Notebooks {
    client: Client,
    concurrency: usize,
    pace: crate::aws::pace::Pace,
}

fn err<E>(op: &str, what: &str, e: aws_sdk_sagemaker::error::SdkError<E>) -> AwsError
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    AwsError::from_sdk(NAME, op, what, e)
}

/// SageMaker answers a missing notebook with a ValidationException
/// "RecordNotFound".
fn not_found(e: &AwsError) -> bool {
    e.is_not_found() || (e.code == "ValidationException" && e.message.contains("RecordNotFound"))
}

impl Notebooks {
    pub fn new(client: Client, shared: &crate::aws::Shared) -> Self {
        Notebooks {
            client,
            concurrency: shared.concurrency,
            pace: shared.pace(NAME),
        }
    }

    async fn list_names(&self) -> Result<Vec<String>, AwsError> {
        let mut names = Vec::new();
        let pages = self
            .client
            .list_notebook_instances()
            .max_results(100)
            .into_paginator()
            .send();
        each_page(
            &self.pace,
            pages,
            (
                NAME,
                "ListNotebookInstances",
                "the account's notebook instances",
            ),
            |p| {
                names.extend(
                    p.notebook_instances()
                        .iter()
                        .filter_map(|n| n.notebook_instance_name())
                        .map(str::to_string),
                );
            },
        )
        .await?;
        Ok(names)
    }

    /// The notebook as it is, or `None` when it does not exist.
    async fn describe(&self, name: &str, sels: &[Selector]) -> Result<Option<Resource>, AwsError> {
        self.pace.wait().await;
        let what = format!("notebook instance {name}");
        let out = match self
            .client
            .describe_notebook_instance()
            .notebook_instance_name(name)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                let e = err("DescribeNotebookInstance", &what, e);
                return if not_found(&e) { Ok(None) } else { Err(e) };
            }
        };
        let state = out
            .notebook_instance_status()
            .map(|s| super::snake(s.as_str()))
            .unwrap_or_default();
        let mut r = notebook(name)
            .with("state", state)
            .with(
                "instance_type",
                out.instance_type().map_or("", |t| t.as_str()),
            )
            .with("volume_gb", out.volume_size_in_gb().unwrap_or(0).max(0))
            .with("failure_reason", out.failure_reason().unwrap_or_default());
        r.arn = out.notebook_instance_arn().unwrap_or_default().to_string();
        if sel::need_tags(sels, name) {
            r.tags = self.tags(&r.arn, &what).await?;
        }
        Ok(Some(r))
    }

    async fn tags(&self, arn: &str, what: &str) -> Result<Tags, AwsError> {
        super::tags::of(&self.client, &self.pace, arn, what).await
    }

    pub async fn read(&self, sels: &[Selector]) -> Result<Vec<Resource>, AwsError> {
        if sels.is_empty() {
            return Ok(vec![]);
        }
        let names: BTreeSet<String> = match sel::names_only(sels) {
            Some(n) => n.into_iter().collect(),
            None => sel::candidates(sels, self.list_names().await?.iter().map(String::as_str))
                .into_iter()
                .collect(),
        };
        let found = bounded(names, self.concurrency, |n| async move {
            self.describe(&n, sels).await
        })
        .await;
        let mut out = Vec::new();
        for r in found {
            if let Some(r) = r? {
                if sel::selected(sels, r.name(), &r.tags) {
                    out.push(r);
                }
            }
        }
        Ok(out)
    }

    /// Stop or start, then the waiter, bounded.
    async fn run(&self, c: &Change) -> Result<(), AwsError> {
        let name = c.resource.name.as_str();
        let what = format!("notebook instance {name}");
        let limit = Duration::from_secs(WAIT_MINUTES * 60);
        self.pace.wait().await;
        let waited = if c.to == STOPPED {
            self.client
                .stop_notebook_instance()
                .notebook_instance_name(name)
                .send()
                .await
                .map_err(|e| err("StopNotebookInstance", &what, e))?;
            self.client
                .wait_until_notebook_instance_stopped()
                .notebook_instance_name(name)
                .wait(limit)
                .await
                .map(|_| ())
        } else {
            self.client
                .start_notebook_instance()
                .notebook_instance_name(name)
                .send()
                .await
                .map_err(|e| err("StartNotebookInstance", &what, e))?;
            self.client
                .wait_until_notebook_instance_in_service()
                .notebook_instance_name(name)
                .wait(limit)
                .await
                .map(|_| ())
        };
        waited.map_err(|e| {
            AwsError::other(
                NAME,
                "DescribeNotebookInstance (waiting)",
                &what,
                "WaiterError",
                format!(
                    "not {} within {WAIT_MINUTES} min ({e}); re-run once it is",
                    if c.to == STOPPED {
                        "Stopped"
                    } else {
                        "InService"
                    }
                ),
            )
        })
    }

    pub async fn apply(&self, changes: &[&Change], interrupt: &Interrupt) -> Vec<Outcome> {
        bounded(changes.iter(), self.concurrency, |c| async move {
            crate::outcome::one(c, interrupt, self.run(c)).await
        })
        .await
    }
}
