//! EKS over the SDK: ListNodegroups of each cluster a rule names,
//! DescribeNodegroup (its tags come with it), DescribeCluster; one
//! UpdateNodegroupConfig per node group and wave (min and desired; max is
//! left out, so it stays), then the SDK's NodegroupActive waiter, bounded.

use super::{nodegroup, CLUSTER, NAME};
use crate::adapter::{Adapter, Connect, Read};
use crate::aws::{bounded, each_page, existing, AwsError};
use crate::model::{Resource, Value};
use crate::outcome::{Interrupt, Outcome};
use crate::plan::Change;
use crate::profile::rule::Selector;
use crate::services::clustered::{self, split};
use aws_sdk_eks::client::Waiters;
use aws_sdk_eks::types::{Nodegroup, NodegroupScalingConfig};
use aws_sdk_eks::Client;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

pub struct NodeGroups {
    client: Client,
    concurrency: usize,
    pace: crate::aws::pace::Pace,
}

fn err<E>(op: &str, what: &str, e: aws_sdk_eks::error::SdkError<E>) -> AwsError
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    AwsError::from_sdk(NAME, op, what, e)
}

impl NodeGroups {
    pub fn new(shared: &crate::aws::Shared) -> Self {
        let conf = aws_sdk_eks::config::Builder::from(&shared.conf)
            .interceptor(shared.log())
            .build();
        NodeGroups {
            client: Client::from_conf(conf),
            concurrency: shared.concurrency,
            pace: shared.pace(NAME),
        }
    }

    async fn list_clusters(&self) -> Result<BTreeSet<String>, AwsError> {
        let mut out = BTreeSet::new();
        let pages = self.client.list_clusters().into_paginator().send();
        each_page(
            &self.pace,
            pages,
            (NAME, "ListClusters", "the account's clusters"),
            |p| {
                out.extend(p.clusters().iter().cloned());
            },
        )
        .await?;
        Ok(out)
    }

    async fn list_nodegroups(&self, cluster: &str) -> Result<Vec<String>, AwsError> {
        let mut out = Vec::new();
        let pages = self
            .client
            .list_nodegroups()
            .cluster_name(cluster)
            .into_paginator()
            .send();
        let what = format!("the node groups of cluster {cluster}");
        match each_page(&self.pace, pages, (NAME, "ListNodegroups", &what), |p| {
            out.extend(p.nodegroups().iter().cloned());
        })
        .await
        {
            Err(e) if e.is_not_found() => Ok(vec![]),
            Err(e) => Err(e),
            Ok(()) => Ok(out),
        }
    }

    async fn describe(&self, cluster: &str, name: &str) -> Result<Nodegroup, AwsError> {
        self.pace.wait().await;
        let what = format!("node group {name} of cluster {cluster}");
        let out = self
            .client
            .describe_nodegroup()
            .cluster_name(cluster)
            .nodegroup_name(name)
            .send()
            .await
            .map_err(|e| err("DescribeNodegroup", &what, e))?;
        out.nodegroup.ok_or_else(|| {
            AwsError::other(
                NAME,
                "DescribeNodegroup",
                &what,
                "ResourceNotFoundException",
                "no node group in the answer",
            )
        })
    }

    async fn cluster(&self, name: &str) -> Result<Resource, AwsError> {
        self.pace.wait().await;
        let out = self
            .client
            .describe_cluster()
            .name(name)
            .send()
            .await
            .map_err(|e| err("DescribeCluster", &format!("cluster {name}"), e))?;
        let c = out.cluster();
        let mut r = Resource::new(NAME, CLUSTER, name)
            .with(
                "status",
                c.and_then(|c| c.status()).map_or("ACTIVE", |s| s.as_str()),
            )
            .with("version", c.and_then(|c| c.version()).unwrap_or_default());
        r.arn = c.and_then(|c| c.arn()).unwrap_or_default().to_string();
        Ok(r)
    }

    /// The selected node groups of one cluster, and the cluster when any is.
    async fn read_cluster(
        &self,
        cluster: &str,
        sels: &[Selector],
    ) -> Result<Vec<Resource>, AwsError> {
        let names = clustered::names_in(cluster, sels, || self.list_nodegroups(cluster)).await?;
        let found = bounded(names, self.concurrency, |n| async move {
            self.describe(cluster, &n).await
        })
        .await;
        let mut out: Vec<Resource> = existing(found)?
            .iter()
            .map(|g| resource(cluster, g))
            .filter(|r| clustered::selected(sels, r.name(), &r.tags))
            .collect();
        if !out.is_empty() {
            out.push(self.cluster(cluster).await?);
        }
        Ok(out)
    }

    async fn read_groups(&self, sels: &[Selector]) -> Result<Vec<Resource>, AwsError> {
        if sels.is_empty() {
            return Ok(vec![]);
        }
        let clusters = match clustered::clusters(sels) {
            Some(c) => c,
            None => self.list_clusters().await?,
        };
        let found = bounded(clusters, self.concurrency, |c| async move {
            self.read_cluster(&c, sels).await
        })
        .await;
        let mut out = Vec::new();
        for r in found {
            out.extend(r?);
        }
        Ok(out)
    }

    /// One UpdateNodegroupConfig with the final min and desired (the
    /// planner puts both in each change), then the bounded wait.
    async fn update(&self, c: &Change) -> Result<(), AwsError> {
        let (cluster, name) = split(&c.resource.name);
        let what = format!("node group {name} of cluster {cluster}");
        let size = |k: &str| c.args.get(k).and_then(Value::as_i64).map(|n| n as i32);
        let scaling = NodegroupScalingConfig::builder()
            .set_min_size(size("min_size"))
            .set_desired_size(size("desired_size"))
            .build();
        self.pace.wait().await;
        self.client
            .update_nodegroup_config()
            .cluster_name(cluster)
            .nodegroup_name(name)
            .scaling_config(scaling)
            .send()
            .await
            .map_err(|e| err("UpdateNodegroupConfig", &what, e))?;
        self.client
            .wait_until_nodegroup_active()
            .cluster_name(cluster)
            .nodegroup_name(name)
            .wait(Duration::from_secs(super::plan::WAIT_MINUTES * 60))
            .await
            .map(|_| ())
            .map_err(|e| {
                AwsError::other(
                    NAME,
                    "DescribeNodegroup (waiting for ACTIVE)",
                    &what,
                    "WaiterError",
                    format!(
                        "not ACTIVE within {} min ({e}); re-run once it is",
                        super::plan::WAIT_MINUTES
                    ),
                )
            })
    }
}

fn resource(cluster: &str, g: &Nodegroup) -> Resource {
    let sc = g.scaling_config();
    let n = |v: Option<i32>| Value::from(v.unwrap_or(0).max(0));
    let groups: Vec<Value> = g
        .resources()
        .map(|r| {
            r.auto_scaling_groups()
                .iter()
                .filter_map(|a| a.name())
                .map(Value::from)
                .collect()
        })
        .unwrap_or_default();
    let mut r = nodegroup(cluster, g.nodegroup_name().unwrap_or_default())
        .with(
            crate::idle::CREATED,
            g.created_at()
                .map_or(Value::Null, |t| crate::idle::created_value(t.secs())),
        )
        .with("min_size", n(sc.and_then(|s| s.min_size())))
        .with("desired_size", n(sc.and_then(|s| s.desired_size())))
        .with("max_size", n(sc.and_then(|s| s.max_size())))
        .with("status", g.status().map_or("ACTIVE", |s| s.as_str()))
        .with("instance_types", Value::from(g.instance_types().to_vec()))
        .with(
            "capacity_type",
            g.capacity_type().map_or("ON_DEMAND", |c| c.as_str()),
        )
        .with("groups", Value::Array(groups));
    r.arn = g.nodegroup_arn().unwrap_or_default().to_string();
    r.tags = g.tags().cloned().unwrap_or_default().into_iter().collect();
    r.parent = None;
    r
}

#[async_trait::async_trait(?Send)]
impl Adapter for NodeGroups {
    async fn read(
        &self,
        selectors: &[Selector],
        _facts: bool,
        _early: &crate::adapter::Early,
    ) -> Result<Read, AwsError> {
        Ok(Read::of(self.read_groups(selectors).await?))
    }

    async fn apply(
        &self,
        changes: &[&Change],
        _earlier: &[Outcome],
        interrupt: &Interrupt,
    ) -> Vec<Outcome> {
        let mut by_group: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
        for c in changes {
            by_group
                .entry(c.resource.name.as_str())
                .or_default()
                .push(c);
        }
        let groups: Vec<Vec<&Change>> = by_group.into_values().collect();
        let done = bounded(groups.iter(), self.concurrency, |cs| async move {
            if interrupt.is_raised() {
                return cs
                    .iter()
                    .map(|c| crate::outcome::skipped(c, crate::outcome::INTERRUPTED))
                    .collect();
            }
            crate::outcome::timed(cs, self.update(cs[0])).await
        })
        .await;
        done.into_iter().flatten().collect()
    }
}

impl Connect for super::Eks {
    fn connect(&self, shared: &crate::aws::Shared) -> Box<dyn Adapter> {
        Box::new(NodeGroups::new(shared))
    }
}
