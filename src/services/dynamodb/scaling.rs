//! Application Auto Scaling for DynamoDB: the scalable targets and scaling
//! policies of tables and indexes (read once for all selected tables), and
//! suspending or resuming them with RegisterScalableTarget's SuspendedState,
//! which keeps every target's min and max and every policy as they are.

use super::{ACTIVE, INDEX, NAME, SUSPENDED};
use crate::aws::{bounded, each_page, AwsError};
use crate::model::{Resource, Value};
use crate::outcome::{Interrupt, Outcome};
use crate::plan::Change;
use aws_sdk_applicationautoscaling::types::{ScalableDimension, ServiceNamespace, SuspendedState};
use aws_sdk_applicationautoscaling::Client;
use serde_json::json;
use std::collections::BTreeMap;

/// DescribeScalableTargets takes at most 50 resource ids per request.
const IDS_PER_CALL: usize = 50;

pub struct Scaling {
    client: Client,
    concurrency: usize,
    pace: crate::aws::pace::Pace,
}

/// `table/NAME` or `table/NAME/index/INDEX`, as Application Auto Scaling
/// names a DynamoDB resource.
pub fn resource_id(r: &crate::model::ResourceId) -> String {
    match r.name.split_once('/') {
        Some((t, i)) if r.kind == INDEX => format!("table/{t}/index/{i}"),
        _ => format!("table/{}", r.name),
    }
}

impl Scaling {
    pub fn new(shared: &crate::aws::Shared) -> Self {
        let conf = aws_sdk_applicationautoscaling::config::Builder::from(&shared.conf)
            .interceptor(shared.log())
            .build();
        Scaling {
            client: Client::from_conf(conf),
            concurrency: shared.concurrency,
            pace: shared.pace(NAME),
        }
    }

    /// Sets `autoscaling`, `targets` and `policies` on each resource.
    pub async fn attach(&self, resources: &mut [Resource]) -> Result<(), AwsError> {
        if resources.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = resources.iter().map(|r| resource_id(&r.id)).collect();
        let mut targets: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for chunk in ids.chunks(IDS_PER_CALL) {
            let pages = self
                .client
                .describe_scalable_targets()
                .service_namespace(ServiceNamespace::Dynamodb)
                .set_resource_ids(Some(chunk.to_vec()))
                .into_paginator()
                .send();
            each_page(
                &self.pace,
                pages,
                (
                    "application-autoscaling",
                    "DescribeScalableTargets",
                    "the tables' scalable targets",
                ),
                |p| {
                    for t in p.scalable_targets() {
                        targets
                            .entry(t.resource_id().to_string())
                            .or_default()
                            .push(target(t));
                    }
                },
            )
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
                .service_namespace(ServiceNamespace::Dynamodb)
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

    pub async fn apply(&self, changes: &[&Change], interrupt: &Interrupt) -> Vec<Outcome> {
        bounded(changes.iter(), self.concurrency, |c| async move {
            crate::outcome::one(c, interrupt, self.set(c)).await
        })
        .await
    }

    /// RegisterScalableTarget with only the suspended state on each of the
    /// resource's targets: min, max and policies stay.
    async fn set(&self, c: &Change) -> Result<(), AwsError> {
        let id = resource_id(&c.resource);
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
                .service_namespace(ServiceNamespace::Dynamodb)
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

/// In, out, scheduled: all suspended, none, or as recorded per dimension.
fn wanted_flags(to: &Value, dim: &str) -> [bool; 3] {
    match to.as_str() {
        Some(SUSPENDED) => [true; 3],
        Some(_) => [false; 3],
        None => {
            let f = &to[dim];
            ["in", "out", "scheduled"].map(|k| f[k].as_bool().unwrap_or(false))
        }
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

/// `null` without targets; `active` or `suspended` when every flag of every
/// target agrees; else each dimension's flags, so that a restore puts a
/// mixed state back exactly.
pub fn state(targets: &[Value]) -> Value {
    if targets.is_empty() {
        return Value::Null;
    }
    let flags: Vec<bool> = targets
        .iter()
        .flat_map(|t| {
            ["in", "out", "scheduled"].map(|k| t["suspended"][k].as_bool().unwrap_or(false))
        })
        .collect();
    if flags.iter().all(|f| *f) {
        return Value::from(SUSPENDED);
    }
    if flags.iter().all(|f| !*f) {
        return Value::from(ACTIVE);
    }
    let mut m = serde_json::Map::new();
    for t in targets {
        m.insert(
            t["dimension"].as_str().unwrap_or_default().to_string(),
            t["suspended"].clone(),
        );
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(dim: &str, s: bool) -> Value {
        json!({"dimension": dim, "min": 5, "max": 100, "suspended": {"in": s, "out": s, "scheduled": s}})
    }

    #[test]
    fn state_is_one_word_when_every_target_agrees() {
        assert_eq!(state(&[]), Value::Null);
        assert_eq!(state(&[t("r", false), t("w", false)]), Value::from(ACTIVE));
        assert_eq!(state(&[t("r", true), t("w", true)]), Value::from(SUSPENDED));
    }

    #[test]
    fn a_mixed_state_is_kept_per_dimension_and_restored_so() {
        let s = state(&[t("r", true), t("w", false)]);
        assert_eq!(wanted_flags(&s, "r"), [true; 3]);
        assert_eq!(wanted_flags(&s, "w"), [false; 3]);
    }

    #[test]
    fn resource_ids_follow_application_auto_scaling() {
        let ix = crate::services::dynamodb::index("sessions", "by-user");
        assert_eq!(resource_id(&ix.id), "table/sessions/index/by-user");
        let t = crate::services::dynamodb::table("sessions");
        assert_eq!(resource_id(&t.id), "table/sessions");
    }
}
