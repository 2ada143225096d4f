//! RDS over the SDK: DescribeDBInstances and DescribeDBClusters (paginated,
//! tags in the listing), Stop/StartDBInstance and Stop/StartDBCluster, each
//! waited for (bounded by `wait_minutes`): the SDK's waiter for
//! `available`, a poll for `stopped` (the SDK has no waiter for it).

use super::{resource, AVAILABLE, CLUSTER, INSTANCE, NAME, STOPPED};
use crate::adapter::{Adapter, Connect, Read};
use crate::aws::{bounded, each_page, wait, AwsError};
use crate::model::{Resource, Tags, Value};
use crate::outcome::{one, Interrupt, Outcome};
use crate::plan::Change;
use crate::profile::rule::{sel, Selector};
use aws_sdk_rds::client::Waiters;
use aws_sdk_rds::types::{DbCluster, DbInstance, SourceType, Tag};
use aws_sdk_rds::Client;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::time::Duration;

pub struct Databases {
    client: Client,
    concurrency: usize,
    pace: crate::aws::pace::Pace,
}

fn err<E>(op: &str, what: &str, e: aws_sdk_rds::error::SdkError<E>) -> AwsError
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    AwsError::from_sdk(NAME, op, what, e)
}

fn tags(list: &[Tag]) -> Tags {
    list.iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn time_of(t: Option<&aws_smithy_types::DateTime>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::from_timestamp(t.secs(), 0))
}

/// A describe's creation time as the `created` attribute.
fn created(t: Option<&aws_smithy_types::DateTime>) -> Value {
    t.map_or(Value::Null, |t| crate::idle::created_value(t.secs()))
}

fn text(v: Option<&str>) -> Value {
    v.map_or(Value::Null, Value::from)
}

/// An instance in the generic model.
fn instance(d: &DbInstance) -> Resource {
    let replicas: Vec<Value> = d
        .read_replica_db_instance_identifiers()
        .iter()
        .chain(d.read_replica_db_cluster_identifiers())
        .map(|n| Value::from(n.as_str()))
        .collect();
    let mut r = resource(INSTANCE, d.db_instance_identifier().unwrap_or_default())
        .with("state", d.db_instance_status().unwrap_or_default())
        .with("engine", d.engine().unwrap_or_default())
        .with("class", d.db_instance_class().unwrap_or_default())
        .with("multi_az", d.multi_az().unwrap_or(false))
        .with("cluster", text(d.db_cluster_identifier()))
        .with(
            "replica_of",
            text(
                d.read_replica_source_db_instance_identifier()
                    .or(d.read_replica_source_db_cluster_identifier()),
            ),
        )
        .with("replicas", Value::Array(replicas))
        .with("storage_gb", d.allocated_storage().unwrap_or(0).max(0))
        .with("storage_type", d.storage_type().unwrap_or_default())
        .with(crate::idle::CREATED, created(d.instance_create_time()));
    r.arn = d.db_instance_arn().unwrap_or_default().to_string();
    r.tags = tags(d.tag_list());
    r
}

/// A cluster in the generic model; `classes` gives its members' classes.
fn cluster(c: &DbCluster, classes: &BTreeMap<String, String>) -> Resource {
    let members: Vec<Value> = c
        .db_cluster_members()
        .iter()
        .filter_map(|m| m.db_instance_identifier())
        .map(|n| serde_json::json!({"name": n, "class": classes.get(n)}))
        .collect();
    let mut r = resource(CLUSTER, c.db_cluster_identifier().unwrap_or_default())
        .with("state", c.status().unwrap_or_default())
        .with("engine", c.engine().unwrap_or_default())
        .with("engine_mode", c.engine_mode().unwrap_or("provisioned"))
        .with("multi_az", c.multi_az().unwrap_or(false))
        .with("global", text(c.global_cluster_identifier()))
        .with("members", Value::Array(members))
        .with(crate::idle::CREATED, created(c.cluster_create_time()));
    r.arn = c.db_cluster_arn().unwrap_or_default().to_string();
    r.tags = tags(c.tag_list());
    r
}

impl Databases {
    pub fn new(shared: &crate::aws::Shared) -> Self {
        let conf = aws_sdk_rds::config::Builder::from(&shared.conf)
            .interceptor(shared.log())
            .build();
        Databases {
            client: Client::from_conf(conf),
            concurrency: shared.concurrency,
            pace: shared.pace(NAME),
        }
    }

    /// Every DB instance of the account and region (one call per 100).
    async fn instances(&self) -> Result<Vec<DbInstance>, AwsError> {
        let mut out = Vec::new();
        let pages = self
            .client
            .describe_db_instances()
            .max_records(100)
            .into_paginator()
            .send();
        let what = (NAME, "DescribeDBInstances", "the account's DB instances");
        each_page(&self.pace, pages, what, |p| {
            out.extend(p.db_instances().iter().cloned())
        })
        .await?;
        Ok(out)
    }

    /// Every DB cluster (Aurora, DocumentDB, Neptune), one call per 100.
    async fn clusters(&self) -> Result<Vec<DbCluster>, AwsError> {
        let mut out = Vec::new();
        let pages = self
            .client
            .describe_db_clusters()
            .max_records(100)
            .into_paginator()
            .send();
        let what = (NAME, "DescribeDBClusters", "the account's DB clusters");
        each_page(&self.pace, pages, what, |p| {
            out.extend(p.db_clusters().iter().cloned())
        })
        .await?;
        Ok(out)
    }

    /// The instances and clusters the selectors pick, by kind.
    async fn read_all(&self, sels: &[Selector]) -> Result<Vec<Resource>, AwsError> {
        if sels.is_empty() {
            return Ok(vec![]);
        }
        let (of_instances, of_clusters): (Vec<Selector>, Vec<Selector>) = sels
            .iter()
            .cloned()
            .partition(|s| s.is_of(INSTANCE, INSTANCE));
        // Clusters need their members' classes (priced with the cluster).
        let instances = self.instances().await?;
        let mut out: Vec<Resource> = instances
            .iter()
            .map(instance)
            .filter(|r| sel::selected(&of_instances, r.name(), &r.tags))
            .collect();
        if !of_clusters.is_empty() {
            let classes: BTreeMap<String, String> = instances
                .iter()
                .map(|d| {
                    (
                        d.db_instance_identifier().unwrap_or_default().to_string(),
                        d.db_instance_class().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            out.extend(
                self.clusters()
                    .await?
                    .iter()
                    .map(|c| cluster(c, &classes))
                    .filter(|r| sel::selected(&of_clusters, r.name(), &r.tags)),
            );
        }
        self.stopped_since(&mut out).await?;
        Ok(out)
    }

    /// When each stopped database was stopped, from the RDS event AWS
    /// writes on a stop (DescribeEvents keeps 14 days): one listing per
    /// kind, and only when one of that kind is stopped.
    async fn stopped_since(&self, found: &mut [Resource]) -> Result<(), AwsError> {
        for (kind, source) in [
            (INSTANCE, SourceType::DbInstance),
            (CLUSTER, SourceType::DbCluster),
        ] {
            let stopped = |r: &Resource| r.id.kind == kind && r.text("state") == STOPPED;
            if !found.iter().any(stopped) {
                continue;
            }
            let mut since: BTreeMap<String, DateTime<Utc>> = BTreeMap::new();
            let pages = self
                .client
                .describe_events()
                .source_type(source)
                .duration(EVENT_MINUTES)
                .event_categories("notification")
                .max_records(100)
                .into_paginator()
                .send();
            let what = (NAME, "DescribeEvents", "the account's RDS events");
            each_page(&self.pace, pages, what, |p| {
                for e in p.events() {
                    let msg = e.message().unwrap_or_default().trim_end_matches('.');
                    let (Some(id), Some(at)) = (e.source_identifier(), time_of(e.date())) else {
                        continue;
                    };
                    if msg.to_lowercase().ends_with("stopped") {
                        let t = since.entry(id.to_string()).or_insert(at);
                        *t = (*t).max(at);
                    }
                }
            })
            .await?;
            for r in found.iter_mut().filter(|r| stopped(r)) {
                if let Some(t) = since.get(r.name()) {
                    r.attrs
                        .insert("stopped_since".into(), Value::from(t.to_rfc3339()));
                }
            }
        }
        Ok(())
    }
}

/// How far back DescribeEvents reads: all it keeps, 14 days.
const EVENT_MINUTES: i32 = 14 * 24 * 60;

impl Databases {
    /// AWS's status of one instance or cluster now.
    async fn status(&self, kind: &str, name: &str) -> Result<String, AwsError> {
        self.pace.wait().await;
        if kind == CLUSTER {
            let what = format!("cluster {name}");
            let out = self
                .client
                .describe_db_clusters()
                .db_cluster_identifier(name)
                .send()
                .await
                .map_err(|e| err("DescribeDBClusters", &what, e))?;
            let c = out.db_clusters().first();
            return Ok(c.and_then(|c| c.status()).unwrap_or_default().to_string());
        }
        let what = format!("DB instance {name}");
        let out = self
            .client
            .describe_db_instances()
            .db_instance_identifier(name)
            .send()
            .await
            .map_err(|e| err("DescribeDBInstances", &what, e))?;
        let d = out.db_instances().first();
        Ok(d.and_then(|d| d.db_instance_status())
            .unwrap_or_default()
            .to_string())
    }

    /// The one call that stops or starts it.
    async fn switch(&self, kind: &str, name: &str, to: &str) -> Result<(), AwsError> {
        self.pace.wait().await;
        let (c, what) = (&self.client, format!("{kind} {name}"));
        match (kind == CLUSTER, to == STOPPED) {
            (true, true) => c
                .stop_db_cluster()
                .db_cluster_identifier(name)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| err("StopDBCluster", &what, e)),
            (true, false) => c
                .start_db_cluster()
                .db_cluster_identifier(name)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| err("StartDBCluster", &what, e)),
            (false, true) => c
                .stop_db_instance()
                .db_instance_identifier(name)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| err("StopDBInstance", &what, e)),
            (false, false) => c
                .start_db_instance()
                .db_instance_identifier(name)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| err("StartDBInstance", &what, e)),
        }
    }

    /// Until AWS reports `to`: the SDK's waiter for `available`, a poll
    /// for `stopped`.
    async fn until(&self, kind: &str, name: &str, to: &str) -> Result<(), AwsError> {
        if to == STOPPED {
            return wait::poll(STOPPED, || self.status(kind, name)).await;
        }
        // The waiter's own bound is the outer one's: it never ends first.
        let long = Duration::from_secs(24 * 3600);
        let r = if kind == CLUSTER {
            let w = self.client.wait_until_db_cluster_available();
            w.db_cluster_identifier(name)
                .wait(long)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        } else {
            let w = self.client.wait_until_db_instance_available();
            w.db_instance_identifier(name)
                .wait(long)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        };
        r.map_err(|e| {
            let what = format!("{kind} {name}");
            AwsError::other(NAME, "waiting for available", &what, "WaiterError", e)
        })
    }

    async fn run(&self, c: &Change, interrupt: &Interrupt) -> Result<(), AwsError> {
        let (kind, name) = (c.resource.kind, c.resource.name.as_str());
        let to = c.to.as_str().unwrap_or(AVAILABLE);
        self.switch(kind, name, to).await?;
        let minutes = c
            .args
            .get("wait_minutes")
            .and_then(Value::as_u64)
            .unwrap_or(u64::from(super::DEFAULT_WAIT_MINUTES));
        let what = format!("{kind} {name}");
        let op = format!("waiting for {to}");
        wait::bounded(
            self.until(kind, name, to),
            minutes,
            interrupt,
            (NAME, &op, &what),
        )
        .await
    }
}

#[async_trait::async_trait(?Send)]
impl Adapter for Databases {
    async fn read(
        &self,
        selectors: &[Selector],
        _facts: bool,
        _early: &crate::adapter::Early,
    ) -> Result<Read, AwsError> {
        Ok(Read::of(self.read_all(selectors).await?))
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

impl Connect for super::Rds {
    fn connect(&self, shared: &crate::aws::Shared) -> Box<dyn Adapter> {
        Box::new(Databases::new(shared))
    }
}
