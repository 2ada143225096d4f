//! Redshift over the SDK: DescribeClusters (paginated, tags in the
//! listing), PauseCluster and ResumeCluster, each waited for (bounded by
//! `wait_minutes`): the SDK's waiter for `available`, a poll for `paused`.

use super::{cluster, AVAILABLE, NAME, PAUSED};
use crate::adapter::{Adapter, Connect, Read};
use crate::aws::{bounded, each_page, wait, AwsError};
use crate::model::{Resource, Value};
use crate::outcome::{one, Interrupt, Outcome};
use crate::plan::Change;
use crate::profile::rule::{sel, Selector};
use aws_sdk_redshift::client::Waiters;
use aws_sdk_redshift::types::Cluster;
use aws_sdk_redshift::Client;
use std::time::Duration;

pub struct Clusters {
    client: Client,
    concurrency: usize,
    pace: crate::aws::pace::Pace,
}

fn err<E>(op: &str, what: &str, e: aws_sdk_redshift::error::SdkError<E>) -> AwsError
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    AwsError::from_sdk(NAME, op, what, e)
}

fn resource(c: &Cluster) -> Resource {
    let mut r = cluster(c.cluster_identifier().unwrap_or_default())
        .with("state", c.cluster_status().unwrap_or_default())
        .with("node_type", c.node_type().unwrap_or_default())
        .with("nodes", c.number_of_nodes().unwrap_or(0).max(0))
        .with(
            crate::idle::CREATED,
            c.cluster_create_time()
                .map_or(Value::Null, |t| crate::idle::created_value(t.secs())),
        );
    r.tags = c
        .tags()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    r
}

impl Clusters {
    pub fn new(shared: &crate::aws::Shared) -> Self {
        let conf = aws_sdk_redshift::config::Builder::from(&shared.conf)
            .interceptor(shared.log())
            .build();
        Clusters {
            client: Client::from_conf(conf),
            concurrency: shared.concurrency,
            pace: shared.pace(NAME),
        }
    }

    /// Every cluster of the account and region (one call per 100).
    async fn list(&self) -> Result<Vec<Cluster>, AwsError> {
        let mut out = Vec::new();
        let pages = self
            .client
            .describe_clusters()
            .max_records(100)
            .into_paginator()
            .send();
        let what = (NAME, "DescribeClusters", "the account's clusters");
        each_page(&self.pace, pages, what, |p| {
            out.extend(p.clusters().iter().cloned())
        })
        .await?;
        Ok(out)
    }

    async fn status(&self, name: &str) -> Result<String, AwsError> {
        self.pace.wait().await;
        let out = self
            .client
            .describe_clusters()
            .cluster_identifier(name)
            .send()
            .await
            .map_err(|e| err("DescribeClusters", &format!("cluster {name}"), e))?;
        let c = out.clusters().first();
        Ok(c.and_then(|c| c.cluster_status())
            .unwrap_or_default()
            .to_string())
    }

    async fn run(&self, c: &Change, interrupt: &Interrupt) -> Result<(), AwsError> {
        let name = c.resource.name.as_str();
        let what = format!("cluster {name}");
        let pause = c.to == PAUSED;
        self.pace.wait().await;
        let called = if pause {
            let r = self.client.pause_cluster().cluster_identifier(name).send();
            r.await
                .map(|_| ())
                .map_err(|e| err("PauseCluster", &what, e))
        } else {
            let r = self.client.resume_cluster().cluster_identifier(name).send();
            r.await
                .map(|_| ())
                .map_err(|e| err("ResumeCluster", &what, e))
        };
        called?;
        let minutes = c
            .args
            .get("wait_minutes")
            .and_then(Value::as_u64)
            .unwrap_or(u64::from(super::DEFAULT_WAIT_MINUTES));
        let to = if pause { PAUSED } else { AVAILABLE };
        let op = format!("waiting for {to}");
        wait::bounded(
            self.until(name, pause),
            minutes,
            interrupt,
            (NAME, &op, &what),
        )
        .await
    }

    /// Until AWS reports the cluster paused (a poll: the SDK has no
    /// waiter for it) or available (the SDK's waiter).
    async fn until(&self, name: &str, pause: bool) -> Result<(), AwsError> {
        if pause {
            return wait::poll(PAUSED, || self.status(name)).await;
        }
        let long = Duration::from_secs(24 * 3600);
        let w = self.client.wait_until_cluster_available();
        w.cluster_identifier(name)
            .wait(long)
            .await
            .map(|_| ())
            .map_err(|e| {
                let what = format!("cluster {name}");
                AwsError::other(
                    NAME,
                    "waiting for available",
                    &what,
                    "WaiterError",
                    e.to_string(),
                )
            })
    }
}

#[async_trait::async_trait(?Send)]
impl Adapter for Clusters {
    async fn read(
        &self,
        selectors: &[Selector],
        _facts: bool,
        _early: &crate::adapter::Early,
    ) -> Result<Read, AwsError> {
        if selectors.is_empty() {
            return Ok(Read::default());
        }
        let found = self.list().await?.iter().map(resource).collect::<Vec<_>>();
        Ok(Read::of(
            found
                .into_iter()
                .filter(|r| sel::selected(selectors, r.name(), &r.tags))
                .collect(),
        ))
    }

    async fn apply(
        &self,
        changes: &[&Change],
        _earlier: &[Outcome],
        interrupt: &Interrupt,
    ) -> Vec<Outcome> {
        bounded(changes.iter(), self.concurrency, |c| async move {
            one(c, interrupt, self.run(c, interrupt)).await
        })
        .await
    }
}

impl Connect for super::Redshift {
    fn connect(&self, shared: &crate::aws::Shared) -> Box<dyn Adapter> {
        Box::new(Clusters::new(shared))
    }
}
