//! EC2 over the SDK: DescribeInstances pages with filters (one query per
//! selector, not one call per instance), the Spot requests, stop
//! protection and EBS volumes of what they found; StopInstances and
//! StartInstances batched, then the SDK's waiters, bounded.

use super::{instance, GROUP_TAG, NAME, RUNNING, STOPPED};
use crate::adapter::{Adapter, Connect, Read};
use crate::aws::{bounded, each_page, AwsError};
use crate::model::{Resource, Value};
use crate::outcome::{skipped, timed, Interrupt, Outcome, INTERRUPTED};
use crate::plan::Change;
use crate::profile::rule::Selector;
use aws_sdk_ec2::client::Waiters;
use aws_sdk_ec2::types::{Filter, Instance, InstanceAttributeName};
use aws_sdk_ec2::Client;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Instances per StopInstances/StartInstances call, and ids per filter or
/// id list of a describe (AWS takes up to 1000 ids; smaller batches keep
/// one failure's reach small).
const BATCH: usize = 50;
/// How long an apply waits for a batch to be stopped or running.
const WAIT_MINUTES: u64 = 15;
/// Every state but terminated: a terminated instance stays listed for an
/// hour, with its tags, and is nothing to park.
const LIVE_STATES: &[&str] = &["pending", "running", "stopping", "stopped", "shutting-down"];

pub struct Instances {
    client: Client,
    concurrency: usize,
    pace: crate::aws::pace::Pace,
    region: String,
}

fn err<E>(op: &str, what: &str, e: aws_sdk_ec2::error::SdkError<E>) -> AwsError
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    AwsError::from_sdk(NAME, op, what, e)
}

fn filter(name: &str, values: impl IntoIterator<Item = String>) -> Filter {
    Filter::builder()
        .name(name)
        .set_values(Some(values.into_iter().collect()))
        .build()
}

/// The DescribeInstances filter sets that find what `sel` can select:
/// EC2 filters AND their names, so ids and `Name` tags are two queries.
fn queries(sel: &Selector) -> Vec<Vec<Filter>> {
    let mut base: Vec<Filter> = sel
        .tags
        .iter()
        .map(|(k, v)| filter(&format!("tag:{k}"), [v.clone()]))
        .collect();
    base.push(filter(
        "instance-state-name",
        LIVE_STATES.iter().map(|s| s.to_string()),
    ));
    let (ids, names): (Vec<String>, Vec<String>) =
        sel.names.iter().cloned().partition(|n| n.starts_with("i-"));
    let mut out = Vec::new();
    for chunk in ids.chunks(BATCH) {
        let mut q = base.clone();
        q.push(filter("instance-id", chunk.to_vec()));
        out.push(q);
    }
    for chunk in names.chunks(BATCH) {
        let mut q = base.clone();
        q.push(filter("tag:Name", chunk.to_vec()));
        out.push(q);
    }
    if let Some(p) = &sel.prefix {
        let mut q = base.clone();
        q.push(filter("tag:Name", [format!("{p}*")]));
        out.push(q);
    }
    if sel.names.is_empty() && sel.prefix.is_none() {
        out.push(base);
    }
    out
}

/// An instance as the model has it, before what other calls add.
fn resource(i: &Instance, owner: &str, region: &str) -> Resource {
    let id = i.instance_id().unwrap_or_default();
    let tags: crate::model::Tags = i
        .tags()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let state = i
        .state()
        .and_then(|s| s.name())
        .map_or("unknown", |s| s.as_str());
    let spot = i
        .instance_lifecycle()
        .filter(|l| l.as_str() == "spot")
        .map(|_| Value::from("spot"))
        .unwrap_or(Value::Null);
    let volumes: Vec<Value> = i
        .block_device_mappings()
        .iter()
        .filter_map(|m| m.ebs()?.volume_id())
        .map(|v| serde_json::json!({"id": v}))
        .collect();
    let mut r = instance(id, tags.get("Name").map(String::as_str))
        .with("state", state)
        .with(
            "instance_type",
            i.instance_type().map_or("", |t| t.as_str()),
        )
        .with(
            "hibernation_configured",
            i.hibernation_options()
                .and_then(|h| h.configured())
                .unwrap_or(false),
        )
        .with(
            "group",
            tags.get(GROUP_TAG)
                .map_or(Value::Null, |g| Value::from(g.as_str())),
        )
        .with("spot", spot)
        .with(
            "root_device",
            i.root_device_type().map_or("ebs", |d| d.as_str()),
        )
        .with("stop_protection", false)
        .with("volumes", Value::Array(volumes));
    r.arn = format!("arn:aws:ec2:{region}:{owner}:instance/{id}");
    r.attrs.insert(
        "tags".into(),
        serde_json::to_value(&tags).unwrap_or(Value::Null),
    );
    if let Some(req) = i.spot_instance_request_id() {
        r.attrs.insert("spot_request".into(), Value::from(req));
    }
    r.tags = tags;
    r
}

impl Instances {
    pub fn new(shared: &crate::aws::Shared) -> Self {
        let conf = aws_sdk_ec2::config::Builder::from(&shared.conf)
            .interceptor(shared.log())
            .build();
        Instances {
            client: Client::from_conf(conf),
            concurrency: shared.concurrency,
            pace: shared.pace(NAME),
            region: shared
                .conf
                .region()
                .map(|r| r.to_string())
                .unwrap_or_default(),
        }
    }

    /// Every page of one filtered DescribeInstances, into `out` by id.
    async fn describe(
        &self,
        filters: Vec<Filter>,
        out: &mut BTreeMap<String, Resource>,
    ) -> Result<(), AwsError> {
        let pages = self
            .client
            .describe_instances()
            .set_filters(Some(filters))
            .max_results(1000)
            .into_paginator()
            .send();
        let region = self.region.clone();
        each_page(
            &self.pace,
            pages,
            (NAME, "DescribeInstances", "the account's instances"),
            |p| {
                for res in p.reservations() {
                    let owner = res.owner_id().unwrap_or_default();
                    for i in res.instances() {
                        let r = resource(i, owner, &region);
                        out.insert(r.name().to_string(), r);
                    }
                }
            },
        )
        .await
    }

    async fn read_instances(&self, sels: &[Selector]) -> Result<Vec<Resource>, AwsError> {
        let mut found = BTreeMap::new();
        for sel in sels {
            for q in queries(sel) {
                self.describe(q, &mut found).await?;
            }
        }
        // The filters are EC2's (wildcards); the selectors are the truth.
        let mut out: Vec<Resource> = found
            .into_values()
            .filter(|r| {
                let alias = r.tags.get("Name").map(String::as_str);
                sels.iter().any(|s| {
                    s.matches(r.name(), Some(&r.tags))
                        || alias.is_some_and(|a| s.matches(a, Some(&r.tags)))
                })
            })
            .collect();
        self.add_spot(&mut out).await?;
        self.add_protection(&mut out).await?;
        self.add_volumes(&mut out).await?;
        Ok(out)
    }
}

impl Instances {
    /// One-time or persistent, from the Spot requests of the Spot
    /// instances found (AWS stops only persistent ones).
    async fn add_spot(&self, out: &mut [Resource]) -> Result<(), AwsError> {
        let ids: Vec<String> = out
            .iter()
            .filter_map(|r| r.get("spot_request").as_str().map(str::to_string))
            .collect();
        let mut kind = BTreeMap::new();
        for chunk in ids.chunks(BATCH) {
            let pages = self
                .client
                .describe_spot_instance_requests()
                .set_spot_instance_request_ids(Some(chunk.to_vec()))
                .into_paginator()
                .send();
            let what = "the Spot requests of the instances";
            each_page(
                &self.pace,
                pages,
                (NAME, "DescribeSpotInstanceRequests", what),
                |p| {
                    for s in p.spot_instance_requests() {
                        let id = s.spot_instance_request_id().unwrap_or_default().to_string();
                        kind.insert(id, s.r#type().map_or("spot", |t| t.as_str()).to_string());
                    }
                },
            )
            .await?;
        }
        for r in out.iter_mut() {
            let req = r.text("spot_request").to_string();
            if let Some(k) = kind.get(&req) {
                r.attrs.insert("spot".into(), Value::from(k.as_str()));
            }
        }
        Ok(())
    }

    /// Stop protection (DisableApiStop), which DescribeInstances does not
    /// show: one DescribeInstanceAttribute per running instance a stop
    /// could reach (not the stopped ones, nor group members).
    async fn add_protection(&self, out: &mut [Resource]) -> Result<(), AwsError> {
        let ids: Vec<String> = out
            .iter()
            .filter(|r| matches!(r.text("state"), RUNNING | "pending") && r.get("group").is_null())
            .map(|r| r.name().to_string())
            .collect();
        let found = bounded(ids, self.concurrency, |id| async move {
            self.pace.wait().await;
            let got = self
                .client
                .describe_instance_attribute()
                .instance_id(&id)
                .attribute(InstanceAttributeName::DisableApiStop)
                .send()
                .await
                .map_err(|e| err("DescribeInstanceAttribute", &format!("instance {id}"), e))?;
            let on = got
                .disable_api_stop()
                .and_then(|v| v.value())
                .unwrap_or(false);
            Ok::<_, AwsError>((id, on))
        })
        .await;
        let protected: BTreeMap<String, bool> = crate::aws::existing(found)?.into_iter().collect();
        for r in out.iter_mut() {
            if let Some(on) = protected.get(r.name()) {
                r.attrs.insert("stop_protection".into(), Value::Bool(*on));
            }
        }
        Ok(())
    }

    /// Type and size of each EBS volume (a stopped instance's cost).
    async fn add_volumes(&self, out: &mut [Resource]) -> Result<(), AwsError> {
        let ids: Vec<String> = out
            .iter()
            .flat_map(|r| r.get("volumes").as_array().cloned().unwrap_or_default())
            .filter_map(|v| v["id"].as_str().map(str::to_string))
            .collect();
        let mut vols = BTreeMap::new();
        for chunk in ids.chunks(BATCH) {
            let pages = self
                .client
                .describe_volumes()
                .set_volume_ids(Some(chunk.to_vec()))
                .into_paginator()
                .send();
            let what = "the EBS volumes of the instances";
            each_page(&self.pace, pages, (NAME, "DescribeVolumes", what), |p| {
                for v in p.volumes() {
                    vols.insert(
                        v.volume_id().unwrap_or_default().to_string(),
                        serde_json::json!({
                            "id": v.volume_id(),
                            "type": v.volume_type().map(|t| t.as_str()),
                            "size_gb": v.size().unwrap_or(0),
                        }),
                    );
                }
            })
            .await?;
        }
        for r in out.iter_mut() {
            let list: Vec<Value> = r
                .get("volumes")
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| vols.get(v["id"].as_str()?).cloned())
                .collect();
            r.attrs.insert("volumes".into(), Value::Array(list));
        }
        Ok(())
    }
}

impl Instances {
    /// One StopInstances or StartInstances of `ids`, then the SDK's waiter
    /// for the state it asks, bounded; Ctrl-C stops the wait.
    async fn switch(
        &self,
        ids: Vec<String>,
        to: &str,
        hibernate: bool,
        interrupt: &Interrupt,
    ) -> Result<(), AwsError> {
        let what = ids_what(&ids);
        self.pace.wait().await;
        let wait = Duration::from_secs(WAIT_MINUTES * 60);
        if to == STOPPED {
            self.client
                .stop_instances()
                .set_instance_ids(Some(ids.clone()))
                .hibernate(hibernate)
                .send()
                .await
                .map_err(|e| err("StopInstances", &what, e))?;
            let w = self
                .client
                .wait_until_instance_stopped()
                .set_instance_ids(Some(ids))
                .wait(wait);
            return waited(w, interrupt, &what, "stopped").await;
        }
        self.client
            .start_instances()
            .set_instance_ids(Some(ids.clone()))
            .send()
            .await
            .map_err(|e| err("StartInstances", &what, e))?;
        let w = self
            .client
            .wait_until_instance_running()
            .set_instance_ids(Some(ids))
            .wait(wait);
        waited(w, interrupt, &what, "running").await
    }
}

/// `instance i-1` or `instances i-1, i-2 (+3 more)`, for errors.
fn ids_what(ids: &[String]) -> String {
    match ids {
        [one] => format!("instance {one}"),
        _ => {
            let shown: Vec<&str> = ids.iter().take(3).map(String::as_str).collect();
            let more = ids.len().saturating_sub(3);
            let tail = if more > 0 {
                format!(" (+{more} more)")
            } else {
                String::new()
            };
            format!("instances {}{tail}", shown.join(", "))
        }
    }
}

/// A waiter's end, or Ctrl-C's: the instances go on changing either way.
async fn waited<F, T, E>(
    waiter: F,
    interrupt: &Interrupt,
    what: &str,
    state: &str,
) -> Result<(), AwsError>
where
    F: std::future::Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    let started = Instant::now();
    tokio::pin!(waiter);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let op = format!("DescribeInstances (waiting until {state})");
    loop {
        tokio::select! {
            r = &mut waiter => return r.map(|_| ()).map_err(|e| AwsError::other(NAME, &op, what, "WaiterError",
                format!("not {state} after up to {WAIT_MINUTES} min: {e}; re-run to wait more (the apply converges)"))),
            _ = tick.tick() => {
                if interrupt.is_raised() {
                    return Err(AwsError::other(NAME, &op, what, "Interrupted",
                        format!("stopped by Ctrl-C after {}s; the instances go on changing: re-run to wait for them", started.elapsed().as_secs())));
                }
            }
        }
    }
}

#[async_trait::async_trait(?Send)]
impl Adapter for Instances {
    async fn read(
        &self,
        selectors: &[Selector],
        _facts: bool,
        _early: &crate::adapter::Early,
    ) -> Result<Read, AwsError> {
        Ok(Read::of(self.read_instances(selectors).await?))
    }

    /// Stops (hibernating and not, apart: `Hibernate` is per call) and
    /// starts, `BATCH` instances a call, the batches side by side.
    async fn apply(
        &self,
        changes: &[&Change],
        _earlier: &[Outcome],
        interrupt: &Interrupt,
    ) -> Vec<Outcome> {
        let mut batches: BTreeMap<(String, bool), Vec<&Change>> = BTreeMap::new();
        for c in changes {
            let to = c.to.as_str().unwrap_or_default().to_string();
            let hibernate = c.args.get("hibernate") == Some(&Value::Bool(true));
            batches.entry((to, hibernate)).or_default().push(c);
        }
        let mut work = Vec::new();
        for ((to, hibernate), cs) in batches {
            for chunk in cs.chunks(BATCH) {
                work.push((to.clone(), hibernate, chunk.to_vec()));
            }
        }
        let done = bounded(
            work,
            self.concurrency,
            |(to, hibernate, chunk)| async move {
                if interrupt.is_raised() {
                    return chunk.iter().map(|c| skipped(c, INTERRUPTED)).collect();
                }
                let ids: Vec<String> = chunk.iter().map(|c| c.resource.name.clone()).collect();
                timed(&chunk, self.switch(ids, &to, hibernate, interrupt)).await
            },
        )
        .await;
        done.into_iter().flatten().collect()
    }
}

impl Connect for super::Ec2 {
    fn connect(&self, shared: &crate::aws::Shared) -> Box<dyn Adapter> {
        Box::new(Instances::new(shared))
    }
}
