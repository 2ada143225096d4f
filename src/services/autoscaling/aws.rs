//! Auto Scaling over the SDK: DescribeAutoScalingGroups pages (by name
//! where every rule names its groups), the instance type each group
//! launches (its launch configuration, or its launch template through
//! EC2); UpdateAutoScalingGroup with the group's sizes in one call,
//! Suspend/ResumeProcesses for ScheduledActions, and a bounded wait until
//! the group has the instances it wants.

use super::{group, ACTIVE, NAME, SIZES, SUSPENDED};
use crate::adapter::{Adapter, Connect, Read};
use crate::aws::{each_page, AwsError};
use crate::model::{Resource, Value};
use crate::outcome::{skipped, timed, Interrupt, Outcome, Status, INTERRUPTED};
use crate::plan::Change;
use crate::profile::rule::{sel, Selector};
use aws_sdk_autoscaling::types::AutoScalingGroup;
use aws_sdk_autoscaling::Client;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Group names per DescribeAutoScalingGroups (AWS takes up to 100), and
/// launch configuration names per DescribeLaunchConfigurations (50).
const NAMES_PER_CALL: usize = 50;
/// How long an apply waits for a group to have the instances it wants.
const WAIT_MINUTES: u64 = 10;
const POLL: Duration = Duration::from_secs(5);
const PROCESS: &str = "ScheduledActions";

pub struct Groups {
    client: Client,
    ec2: aws_sdk_ec2::Client,
    concurrency: usize,
    pace: crate::aws::pace::Pace,
}

fn err<E>(
    op: &str,
    what: &str,
    e: aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> AwsError
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata
        + std::error::Error
        + Send
        + Sync
        + 'static,
{
    AwsError::from_sdk(NAME, op, what, e)
}

/// Launched and not on its way out.
fn counted(i: &aws_sdk_autoscaling::types::Instance) -> bool {
    let s = i.lifecycle_state().map_or("", |s| s.as_str());
    !(s.starts_with("Terminat")
        || s.starts_with("Warmed")
        || s == "Detached"
        || s.starts_with("Detaching"))
}

/// A group as the model has it; `instance_type` is added after.
fn resource(g: &AutoScalingGroup) -> Resource {
    let n = |v: Option<i32>| Value::from(v.unwrap_or(0).max(0));
    let suspended = g
        .suspended_processes()
        .iter()
        .any(|p| p.process_name() == Some(PROCESS));
    let live: Vec<_> = g.instances().iter().filter(|i| counted(i)).collect();
    let types: Vec<Value> = live
        .iter()
        .filter_map(|i| i.instance_type())
        .map(Value::from)
        .collect();
    let protected = live
        .iter()
        .filter(|i| i.protected_from_scale_in() == Some(true))
        .count();
    let tags: crate::model::Tags = g
        .tags()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let mut r = group(g.auto_scaling_group_name().unwrap_or_default())
        .with(
            crate::idle::CREATED,
            g.created_time()
                .map_or(Value::Null, |t| crate::idle::created_value(t.secs())),
        )
        .with("min_size", n(g.min_size()))
        .with("max_size", n(g.max_size()))
        .with("desired_capacity", n(g.desired_capacity()))
        .with(
            "scheduled_actions",
            if suspended { SUSPENDED } else { ACTIVE },
        )
        .with("status", g.status().map_or(Value::Null, Value::from))
        .with("instances", live.len())
        .with("protected", protected)
        .with("warm_pool", g.warm_pool_configuration().is_some())
        .with("instance_types", Value::Array(types));
    r.arn = g.auto_scaling_group_arn().unwrap_or_default().to_string();
    r.attrs.insert(
        "tags".into(),
        serde_json::to_value(&tags).unwrap_or(Value::Null),
    );
    r.tags = tags;
    r
}

/// Where a group's instance type is written: a launch configuration, or
/// a launch template (id or name) and version; a mixed-instances group's
/// first override wins over both.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    Type(String),
    Config(String),
    Template {
        id: Option<String>,
        name: Option<String>,
        version: String,
    },
    Unknown,
}

fn source(g: &AutoScalingGroup) -> Source {
    let mixed = g.mixed_instances_policy().and_then(|m| m.launch_template());
    if let Some(t) = mixed.and_then(|t| t.overrides().iter().find_map(|o| o.instance_type())) {
        return Source::Type(t.to_string());
    }
    if let Some(c) = g.launch_configuration_name() {
        return Source::Config(c.to_string());
    }
    let spec = g
        .launch_template()
        .or_else(|| mixed.and_then(|t| t.launch_template_specification()));
    match spec {
        Some(s) => Source::Template {
            id: s.launch_template_id().map(str::to_string),
            name: s.launch_template_name().map(str::to_string),
            version: s.version().unwrap_or("$Default").to_string(),
        },
        None => Source::Unknown,
    }
}

impl Groups {
    pub fn new(shared: &crate::aws::Shared) -> Self {
        let conf = aws_sdk_autoscaling::config::Builder::from(&shared.conf)
            .interceptor(shared.log())
            .build();
        let ec2 = aws_sdk_ec2::config::Builder::from(&shared.conf)
            .interceptor(shared.log())
            .build();
        Groups {
            client: Client::from_conf(conf),
            ec2: aws_sdk_ec2::Client::from_conf(ec2),
            concurrency: shared.concurrency,
            pace: shared.pace(NAME),
        }
    }

    /// Every page of DescribeAutoScalingGroups, of `names` or of all.
    async fn describe(
        &self,
        names: Option<Vec<String>>,
    ) -> Result<Vec<AutoScalingGroup>, AwsError> {
        let mut out = Vec::new();
        let pages = self
            .client
            .describe_auto_scaling_groups()
            .set_auto_scaling_group_names(names)
            .max_records(100)
            .into_paginator()
            .send();
        each_page(
            &self.pace,
            pages,
            (NAME, "DescribeAutoScalingGroups", "the account's groups"),
            |p| {
                out.extend(p.auto_scaling_groups().iter().cloned());
            },
        )
        .await?;
        Ok(out)
    }

    async fn read_groups(&self, sels: &[Selector]) -> Result<Vec<Resource>, AwsError> {
        if sels.is_empty() {
            return Ok(vec![]);
        }
        let found = match sel::names_only(sels) {
            Some(names) => {
                let mut all = Vec::new();
                for chunk in names.chunks(NAMES_PER_CALL) {
                    all.extend(self.describe(Some(chunk.to_vec())).await?);
                }
                all
            }
            None => self.describe(None).await?,
        };
        let found: Vec<&AutoScalingGroup> = found
            .iter()
            .filter(|g| {
                let r = resource(g);
                sel::selected(sels, r.name(), &r.tags)
            })
            .collect();
        let types = self
            .types(found.iter().map(|g| source(g)).collect())
            .await?;
        Ok(found
            .into_iter()
            .map(|g| {
                let ty = types.get(&source(g)).cloned().flatten();
                resource(g).with("instance_type", ty.map_or(Value::Null, Value::from))
            })
            .collect())
    }
}

impl Groups {
    /// The instance type behind each source: launch configurations in
    /// batches, one DescribeLaunchTemplateVersions per template version.
    async fn types(
        &self,
        sources: Vec<Source>,
    ) -> Result<BTreeMap<Source, Option<String>>, AwsError> {
        let mut out = BTreeMap::new();
        let mut configs = Vec::new();
        for s in sources {
            match &s {
                Source::Type(t) => {
                    out.insert(s.clone(), Some(t.clone()));
                }
                Source::Config(c) => configs.push(c.clone()),
                Source::Template { .. } if !out.contains_key(&s) => {
                    let t = self.template_type(&s).await?;
                    out.insert(s, t);
                }
                _ => {}
            }
        }
        configs.sort();
        configs.dedup();
        for chunk in configs.chunks(NAMES_PER_CALL) {
            let pages = self
                .client
                .describe_launch_configurations()
                .set_launch_configuration_names(Some(chunk.to_vec()))
                .into_paginator()
                .send();
            each_page(
                &self.pace,
                pages,
                (
                    NAME,
                    "DescribeLaunchConfigurations",
                    "the groups' launch configurations",
                ),
                |p| {
                    for c in p.launch_configurations() {
                        let name = c
                            .launch_configuration_name()
                            .unwrap_or_default()
                            .to_string();
                        out.insert(Source::Config(name), c.instance_type().map(str::to_string));
                    }
                },
            )
            .await?;
        }
        Ok(out)
    }

    /// A template version's instance type; a template that is gone (or not
    /// readable) leaves the type unknown rather than failing the read.
    async fn template_type(&self, s: &Source) -> Result<Option<String>, AwsError> {
        let Source::Template { id, name, version } = s else {
            return Ok(None);
        };
        let what = format!(
            "launch template {}",
            id.as_deref().or(name.as_deref()).unwrap_or("?")
        );
        self.pace.wait().await;
        let got = self
            .ec2
            .describe_launch_template_versions()
            .set_launch_template_id(id.clone())
            .set_launch_template_name(if id.is_some() { None } else { name.clone() })
            .versions(version)
            .send()
            .await;
        match got {
            Ok(out) => Ok(out
                .launch_template_versions()
                .first()
                .and_then(|v| v.launch_template_data()?.instance_type())
                .map(|t| t.as_str().to_string())),
            Err(e) => {
                let e = AwsError::from_sdk("ec2", "DescribeLaunchTemplateVersions", &what, e);
                if e.is_not_found() || e.code.contains("Malformed") {
                    Ok(None)
                } else {
                    Err(e)
                }
            }
        }
    }
}

impl Groups {
    /// One UpdateAutoScalingGroup with the group's three sizes (AWS checks
    /// min <= desired <= max against what it is sent), then the wait.
    async fn resize(
        &self,
        name: &str,
        sizes: &crate::model::Attrs,
        interrupt: &Interrupt,
    ) -> Result<(), AwsError> {
        let n = |a: &str| {
            sizes
                .get(a)
                .and_then(Value::as_u64)
                .and_then(|v| i32::try_from(v).ok())
        };
        self.pace.wait().await;
        self.client
            .update_auto_scaling_group()
            .auto_scaling_group_name(name)
            .set_min_size(n("min_size"))
            .set_max_size(n("max_size"))
            .set_desired_capacity(n("desired_capacity"))
            .send()
            .await
            .map_err(|e| err("UpdateAutoScalingGroup", &format!("group {name}"), e))?;
        let desired = sizes
            .get("desired_capacity")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        self.wait_for(name, desired, interrupt).await
    }

    /// Polls the group until it has `desired` instances (fewer is enough
    /// when the ones left are protected from scale-in): there is no SDK
    /// waiter for a count (GroupInService waits for min_size).
    async fn wait_for(
        &self,
        name: &str,
        desired: u64,
        interrupt: &Interrupt,
    ) -> Result<(), AwsError> {
        let started = Instant::now();
        let op = "DescribeAutoScalingGroups (waiting for the desired capacity)";
        let what = format!("group {name}");
        loop {
            let g = self.describe(Some(vec![name.to_string()])).await?;
            let r = g.first().map(resource);
            let have = r
                .as_ref()
                .and_then(|r| r.get("instances").as_u64())
                .unwrap_or(0);
            let protected = r
                .as_ref()
                .and_then(|r| r.get("protected").as_u64())
                .unwrap_or(0);
            if have == desired || (have > desired && have <= protected) {
                return Ok(());
            }
            if started.elapsed() > Duration::from_secs(WAIT_MINUTES * 60) {
                return Err(AwsError::other(NAME, op, &what, "WaiterTimeout",
                    format!("{have} instance(s), not {desired}, after {WAIT_MINUTES} min; re-run to wait more (the apply converges)")));
            }
            if interrupt.is_raised() {
                return Err(AwsError::other(NAME, op, &what, "Interrupted",
                    format!("stopped by Ctrl-C after {}s; the group goes on to {desired}: re-run to wait for it", started.elapsed().as_secs())));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn processes(&self, name: &str, to: &str) -> Result<(), AwsError> {
        self.pace.wait().await;
        let what = format!("group {name}");
        if to == SUSPENDED {
            return self
                .client
                .suspend_processes()
                .auto_scaling_group_name(name)
                .scaling_processes(PROCESS)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| err("SuspendProcesses", &what, e));
        }
        self.client
            .resume_processes()
            .auto_scaling_group_name(name)
            .scaling_processes(PROCESS)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| err("ResumeProcesses", &what, e))
    }

    /// The changes of one group in one wave: its sizes in one call, or its
    /// process. Sizes are not parked where the suspend before them failed
    /// (the group's scheduled actions would undo them).
    async fn group(
        &self,
        cs: Vec<&Change>,
        earlier: &[Outcome],
        interrupt: &Interrupt,
    ) -> Vec<Outcome> {
        let name = cs[0].resource.name.clone();
        if interrupt.is_raised() {
            return cs.iter().map(|c| skipped(c, INTERRUPTED)).collect();
        }
        let failed = earlier.iter().any(|o| {
            o.status != Status::Applied
                && o.change.resource == cs[0].resource
                && o.change.attr == "scheduled_actions"
        });
        let (sizes, procs): (Vec<&Change>, Vec<&Change>) =
            cs.into_iter().partition(|c| SIZES.contains(&c.attr));
        let mut out = Vec::new();
        if !sizes.is_empty() {
            if failed {
                let why = "not changed: suspending the group's scheduled actions failed, and they would undo it";
                out.extend(sizes.iter().map(|c| skipped(c, why)));
            } else {
                out.extend(timed(&sizes, self.resize(&name, &sizes[0].args, interrupt)).await);
            }
        }
        for c in procs {
            let to = c.to.as_str().unwrap_or(ACTIVE).to_string();
            out.extend(timed(&[c], self.processes(&name, &to)).await);
        }
        out
    }
}

#[async_trait::async_trait(?Send)]
impl Adapter for Groups {
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
        earlier: &[Outcome],
        interrupt: &Interrupt,
    ) -> Vec<Outcome> {
        let mut by_group: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
        for c in changes {
            by_group
                .entry(c.resource.name.as_str())
                .or_default()
                .push(c);
        }
        crate::aws::bounded(by_group.into_values(), self.concurrency, |cs| {
            self.group(cs, earlier, interrupt)
        })
        .await
        .into_iter()
        .flatten()
        .collect()
    }
}

impl Connect for super::AutoScaling {
    fn connect(&self, shared: &crate::aws::Shared) -> Box<dyn Adapter> {
        Box::new(Groups::new(shared))
    }
}
