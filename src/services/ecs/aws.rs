//! ECS over the SDK: ListServices of each cluster a rule names and
//! DescribeServices in batches of 10 (with their tags), the task
//! definitions' sizes, the services' scalable targets; UpdateService, then
//! a bounded wait until the running count is the desired one (not for the
//! deployment's rollout, which may go on after the tasks are up).

use super::NAME;
use crate::adapter::{Adapter, Connect, Read};
use crate::aws::scaling::Scaling;
use crate::aws::{bounded, each_page, existing, AwsError};
use crate::model::{Resource, ResourceId, Tags, Value};
use crate::outcome::{Interrupt, Outcome};
use crate::plan::Change;
use crate::profile::rule::Selector;
use crate::services::clustered::{self, split};
use aws_sdk_ecs::types::{Service, ServiceField};
use aws_sdk_ecs::Client;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// DescribeServices takes at most 10 services a call.
const PER_DESCRIBE: usize = 10;
const POLL: Duration = Duration::from_secs(5);

pub struct Services {
    client: Client,
    scaling: Scaling,
    concurrency: usize,
    pace: crate::aws::pace::Pace,
}

/// `service/CLUSTER/NAME`, as Application Auto Scaling names a service.
fn resource_id(r: &ResourceId) -> String {
    format!("service/{}", r.name)
}

fn err<E>(op: &str, what: &str, e: aws_sdk_ecs::error::SdkError<E>) -> AwsError
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    AwsError::from_sdk(NAME, op, what, e)
}

/// The last part of an ARN (`.../cluster/NAME`, `.../service/C/NAME`).
fn last(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

impl Services {
    pub fn new(shared: &crate::aws::Shared) -> Self {
        let conf = aws_sdk_ecs::config::Builder::from(&shared.conf)
            .interceptor(shared.log())
            .build();
        let ns = aws_sdk_applicationautoscaling::types::ServiceNamespace::Ecs;
        Services {
            client: Client::from_conf(conf),
            scaling: Scaling::new(shared, ns, resource_id, NAME),
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
                out.extend(p.cluster_arns().iter().map(|a| last(a).to_string()));
            },
        )
        .await?;
        Ok(out)
    }

    /// The names of a cluster's services (none when the cluster is gone).
    async fn list_services(&self, cluster: &str) -> Result<Vec<String>, AwsError> {
        let mut out = Vec::new();
        let pages = self
            .client
            .list_services()
            .cluster(cluster)
            .into_paginator()
            .send();
        let what = format!("the services of cluster {cluster}");
        let r = each_page(&self.pace, pages, (NAME, "ListServices", &what), |p| {
            out.extend(p.service_arns().iter().map(|a| last(a).to_string()));
        })
        .await;
        match r {
            Err(e) if e.is_not_found() => Ok(vec![]),
            Err(e) => Err(e),
            Ok(()) => Ok(out),
        }
    }

    /// Up to 10 services of one cluster, with their tags; missing ones are
    /// left out (AWS lists them as failures).
    async fn describe(&self, cluster: &str, names: &[String]) -> Result<Vec<Service>, AwsError> {
        self.pace.wait().await;
        let what = format!("services {} of cluster {cluster}", names.join(", "));
        let out = self
            .client
            .describe_services()
            .cluster(cluster)
            .set_services(Some(names.to_vec()))
            .include(ServiceField::Tags)
            .send()
            .await
            .map_err(|e| err("DescribeServices", &what, e))?;
        Ok(out.services().to_vec())
    }

    /// The selected services of one cluster.
    async fn read_cluster(
        &self,
        cluster: &str,
        sels: &[Selector],
    ) -> Result<Vec<Resource>, AwsError> {
        let names = clustered::names_in(cluster, sels, || self.list_services(cluster)).await?;
        let batches: Vec<&[String]> = names.chunks(PER_DESCRIBE).collect();
        let found = bounded(batches, self.concurrency, |b| self.describe(cluster, b)).await;
        let mut out = Vec::new();
        for s in existing(found)?.into_iter().flatten() {
            let r = resource(cluster, &s);
            if clustered::selected(sels, r.name(), &r.tags) {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// vCPU units, MiB and architecture of each task definition.
    async fn sizes(&self, resources: &mut [Resource]) -> Result<(), AwsError> {
        let defs: BTreeSet<String> = resources
            .iter()
            .map(|r| r.text("task_definition").to_string())
            .filter(|d| !d.is_empty())
            .collect();
        let got = bounded(defs, self.concurrency, |d| async move {
            self.pace.wait().await;
            let out = self
                .client
                .describe_task_definition()
                .task_definition(&d)
                .send()
                .await
                .map_err(|e| err("DescribeTaskDefinition", &d, e))?;
            Ok::<_, AwsError>((d, out.task_definition().map(size)))
        })
        .await;
        let sizes: BTreeMap<String, Option<[Value; 3]>> = existing(got)?.into_iter().collect();
        for r in resources.iter_mut() {
            let [cpu, mb, arch] = sizes
                .get(r.text("task_definition"))
                .cloned()
                .flatten()
                .unwrap_or([Value::Null, Value::Null, Value::from("X86_64")]);
            r.attrs.insert("cpu_units".into(), cpu);
            r.attrs.insert("memory_mb".into(), mb);
            r.attrs.insert("arch".into(), arch);
        }
        Ok(())
    }

    async fn read_services(&self, sels: &[Selector]) -> Result<Vec<Resource>, AwsError> {
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
        let mut out: Vec<Resource> = Vec::new();
        for r in found {
            out.extend(r?);
        }
        self.sizes(&mut out).await?;
        self.scaling.attach(&mut out).await?;
        Ok(out)
    }
}

/// A task definition's `[cpu units, MiB, architecture]`.
fn size(t: &aws_sdk_ecs::types::TaskDefinition) -> [Value; 3] {
    let n = |s: Option<&str>| {
        s.and_then(|s| s.parse::<u64>().ok())
            .map_or(Value::Null, Value::from)
    };
    let arch = t
        .runtime_platform()
        .and_then(|p| p.cpu_architecture())
        .map_or("X86_64", |a| a.as_str());
    [n(t.cpu()), n(t.memory()), Value::from(arch)]
}

fn resource(cluster: &str, s: &Service) -> Resource {
    let name = s.service_name().unwrap_or_default();
    let tags: Tags = s
        .tags()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let providers: Vec<Value> = s
        .capacity_provider_strategy()
        .iter()
        .map(|p| Value::from(p.capacity_provider()))
        .collect();
    // A daemon service runs a task per instance: it has no count to set.
    let daemon = s
        .scheduling_strategy()
        .is_some_and(|x| x.as_str() == super::DAEMON);
    let desired = if daemon {
        Value::Null
    } else {
        Value::from(s.desired_count().max(0))
    };
    let mut r = super::service(cluster, name)
        .with(
            crate::idle::CREATED,
            s.created_at()
                .map_or(Value::Null, |t| crate::idle::created_value(t.secs())),
        )
        .with("desired_count", desired)
        .with("running_count", s.running_count().max(0))
        .with("pending_count", s.pending_count().max(0))
        .with("status", s.status().unwrap_or("ACTIVE"))
        .with(
            "scheduling",
            s.scheduling_strategy().map_or("REPLICA", |x| x.as_str()),
        )
        .with(
            "launch_type",
            s.launch_type()
                .map_or(Value::Null, |l| Value::from(l.as_str())),
        )
        .with("capacity_providers", Value::Array(providers))
        .with("task_definition", s.task_definition().unwrap_or_default());
    r.arn = s.service_arn().unwrap_or_default().to_string();
    r.tags = tags;
    r
}

impl Services {
    /// UpdateService desiredCount, then the bounded wait.
    async fn update(&self, c: &Change, interrupt: &Interrupt) -> Result<(), AwsError> {
        let (cluster, service) = split(&c.resource.name);
        let n = c.to.as_i64().unwrap_or_default() as i32;
        let what = format!("service {service} of cluster {cluster}");
        self.pace.wait().await;
        self.client
            .update_service()
            .cluster(cluster)
            .service(service)
            .desired_count(n)
            .send()
            .await
            .map_err(|e| err("UpdateService", &what, e))?;
        self.wait_running(cluster, service, n, interrupt).await
    }

    /// Polls DescribeServices until `n` tasks run, at most
    /// `plan::WAIT_MINUTES`; Ctrl-C stops the wait (ECS goes on).
    async fn wait_running(
        &self,
        cluster: &str,
        service: &str,
        n: i32,
        interrupt: &Interrupt,
    ) -> Result<(), AwsError> {
        let what = format!("service {service} of cluster {cluster}");
        let op = "DescribeServices (waiting for the running count)";
        let started = Instant::now();
        let limit = Duration::from_secs(super::plan::WAIT_MINUTES * 60);
        loop {
            let now = self.describe(cluster, &[service.to_string()]).await?;
            let running = now.first().map_or(-1, |s| s.running_count());
            if running == n {
                return Ok(());
            }
            if interrupt.is_raised() {
                return Err(AwsError::other(NAME, op, &what, "Interrupted",
                    format!("stopped by Ctrl-C with {running} of {n} task(s) running; ECS goes on: re-run to wait for it")));
            }
            if started.elapsed() > limit {
                return Err(AwsError::other(NAME, op, &what, "WaiterTimeout",
                    format!("{running} of {n} task(s) running after {} min; re-run once ECS has placed them (see the service's events)", super::plan::WAIT_MINUTES)));
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

#[async_trait::async_trait(?Send)]
impl Adapter for Services {
    async fn read(
        &self,
        selectors: &[Selector],
        _facts: bool,
        _early: &crate::adapter::Early,
    ) -> Result<Read, AwsError> {
        Ok(Read::of(self.read_services(selectors).await?))
    }

    async fn apply(
        &self,
        changes: &[&Change],
        earlier: &[Outcome],
        interrupt: &Interrupt,
    ) -> Vec<Outcome> {
        let (scaling, counts): (Vec<&Change>, Vec<&Change>) =
            changes.iter().partition(|c| c.attr == "autoscaling");
        let unsafe_ones = &crate::services::scaling::not_suspended(earlier, NAME);
        let mut out = self.scaling.apply(&scaling, interrupt).await;
        let done = bounded(counts, self.concurrency, |c| async move {
            if unsafe_ones.contains(&c.resource.name) {
                return crate::outcome::skipped(c, "its auto scaling could not be suspended, and would scale it back up; re-run once the suspend succeeds");
            }
            crate::outcome::one(c, interrupt, self.update(c, interrupt)).await
        })
        .await;
        out.extend(done);
        out
    }
}

impl Connect for super::Ecs {
    fn connect(&self, shared: &crate::aws::Shared) -> Box<dyn Adapter> {
        Box::new(Services::new(shared))
    }
}
