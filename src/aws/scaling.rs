//! Application Auto Scaling over the SDK, shared by every service whose
//! capacity a scalable target moves: the targets and policies of the
//! selected resources (read once for all of them), and suspending or
//! resuming them with RegisterScalableTarget's SuspendedState, which keeps
//! every target's min and max and every policy as they are. The pure half
//! (states, flags, planning) is `crate::services::scaling`.

use crate::aws::{bounded, each_page, AwsError};
use crate::model::{Resource, ResourceId, Value};
use crate::outcome::{Interrupt, Outcome};
use crate::plan::Change;
use crate::services::scaling::{state, wanted_flags};
use aws_sdk_applicationautoscaling::types::{ScalableDimension, ServiceNamespace, SuspendedState};
use aws_sdk_applicationautoscaling::Client;
use serde_json::json;
use std::collections::BTreeMap;

/// DescribeScalableTargets takes at most 50 resource ids per request.
const IDS_PER_CALL: usize = 50;

/// One service namespace's scalable targets (the namespace is the service's).
pub struct Scaling {
    client: Client,
    namespace: ServiceNamespace,
    /// How Application Auto Scaling names a resource (`table/NAME`,
    /// `service/CLUSTER/NAME`).
    resource_id: fn(&ResourceId) -> String,
    concurrency: usize,
    pace: crate::aws::pace::Pace,
}

impl Scaling {
    /// Paced with the calling service's family (`pace`).
    pub fn new(
        shared: &crate::aws::Shared,
        namespace: ServiceNamespace,
        resource_id: fn(&ResourceId) -> String,
        pace: &str,
    ) -> Self {
        let conf = aws_sdk_applicationautoscaling::config::Builder::from(&shared.conf)
            .interceptor(shared.log())
            .build();
        Scaling {
            client: Client::from_conf(conf),
            namespace,
            resource_id,
            concurrency: shared.concurrency,
            pace: shared.pace(pace),
        }
    }

    /// Sets `autoscaling`, `targets` and `policies` on each resource.
    pub async fn attach(&self, resources: &mut [Resource]) -> Result<(), AwsError> {
        if resources.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = resources
            .iter()
            .map(|r| (self.resource_id)(&r.id))
            .collect();
        let mut targets: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for chunk in ids.chunks(IDS_PER_CALL) {
            let pages = self
                .client
                .describe_scalable_targets()
                .service_namespace(self.namespace.clone())
                .set_resource_ids(Some(chunk.to_vec()))
                .into_paginator()
                .send();
            let what = format!("the {} scalable targets", self.namespace.as_str());
            let call = (
                "application-autoscaling",
                "DescribeScalableTargets",
                what.as_str(),
            );
            each_page(&self.pace, pages, call, |p| {
                for t in p.scalable_targets() {
                    targets
                        .entry(t.resource_id().to_string())
                        .or_default()
                        .push(target(t));
                }
            })
            .await?;
        }
        let policies = self.policies(&targets).await?;
        for (r, id) in resources.iter_mut().zip(ids) {
            let ts = targets.remove(&id).unwrap_or_default();
            r.attrs.insert("autoscaling".into(), state(&ts));
            r.attrs.insert("targets".into(), Value::Array(ts));
            r.attrs.insert(
                "policies".into(),
                Value::Array(policies.get(&id).cloned().unwrap_or_default()),
            );
        }
        Ok(())
    }

    /// The scaling policies of the resources that have targets, by name and
    /// type, for the snapshot (they are never changed).
    async fn policies(
        &self,
        targets: &BTreeMap<String, Vec<Value>>,
    ) -> Result<BTreeMap<String, Vec<Value>>, AwsError> {
        let results = bounded(targets.keys(), self.concurrency, |id| async move {
            let mut found = Vec::new();
            let pages = self
                .client
                .describe_scaling_policies()
                .service_namespace(self.namespace.clone())
                .resource_id(id)
                .into_paginator()
                .send();
            each_page(
                &self.pace,
                pages,
                ("application-autoscaling", "DescribeScalingPolicies", id),
                |p| {
                    for pol in p.scaling_policies() {
                        found.push(json!({
                            "name": pol.policy_name(),
                            "dimension": pol.scalable_dimension().as_str(),
                            "type": pol.policy_type().as_str(),
                        }));
                    }
                },
            )
            .await?;
            Ok::<_, AwsError>((id.clone(), found))
        })
        .await;
        results.into_iter().collect()
    }

    /// Each `autoscaling` change, side by side.
    pub async fn apply(&self, changes: &[&Change], interrupt: &Interrupt) -> Vec<Outcome> {
        bounded(changes.iter(), self.concurrency, |c| async move {
            crate::outcome::one(c, interrupt, self.set(c)).await
        })
        .await
    }

    /// RegisterScalableTarget with only the suspended state on each of the
    /// resource's targets: min, max and policies stay.
    async fn set(&self, c: &Change) -> Result<(), AwsError> {
        let id = (self.resource_id)(&c.resource);
        for t in c
            .args
            .get("targets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let dim = t["dimension"].as_str().unwrap_or_default();
            let flags = wanted_flags(&c.to, dim);
            let suspended = SuspendedState::builder()
                .dynamic_scaling_in_suspended(flags[0])
                .dynamic_scaling_out_suspended(flags[1])
                .scheduled_scaling_suspended(flags[2])
                .build();
            self.pace.wait().await;
            self.client
                .register_scalable_target()
                .service_namespace(self.namespace.clone())
                .resource_id(&id)
                .scalable_dimension(ScalableDimension::from(dim))
                .suspended_state(suspended)
                .send()
                .await
                .map_err(|e| {
                    AwsError::from_sdk(
                        "application-autoscaling",
                        "RegisterScalableTarget",
                        &format!("{id} {dim}"),
                        e,
                    )
                })?;
        }
        Ok(())
    }
}

fn target(t: &aws_sdk_applicationautoscaling::types::ScalableTarget) -> Value {
    let s = t.suspended_state();
    let flag = |f: Option<bool>| f.unwrap_or(false);
    json!({
        "dimension": t.scalable_dimension().as_str(),
        "min": t.min_capacity(),
        "max": t.max_capacity(),
        "suspended": {
            "in": flag(s.and_then(|s| s.dynamic_scaling_in_suspended())),
            "out": flag(s.and_then(|s| s.dynamic_scaling_out_suspended())),
            "scheduled": flag(s.and_then(|s| s.scheduled_scaling_suspended())),
        },
    })
}
