//! SageMaker over the SDK: describe endpoints with their config, models and
//! tags; DeleteEndpoint (after keeping the tags on the config) and
//! CreateEndpoint, waiting for InService with the SDK's waiter.

use super::{endpoint, DELETED, IN_SERVICE, NAME};
use crate::adapter::{Adapter, Connect, Read};
use crate::aws::{bounded, each_page, AwsError};
use crate::model::{Resource, Tags, Value};
use crate::outcome::{one, Interrupt, Outcome};
use crate::plan::Change;
use crate::profile::rule::{sel, Selector};
use aws_sdk_sagemaker::client::Waiters;
use aws_sdk_sagemaker::types::Tag;
use aws_sdk_sagemaker::Client;
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// The endpoint config tag keys that keep a deleted endpoint's tags
/// (hex-encoded JSON: AWS tag values allow neither braces nor quotes),
/// `parkctl:endpoint-tags:0`, `:1`, ... in chunks of one value's length,
/// and `parkctl:endpoint-tags:n`, how many chunks there are.
const TAG_STORE: &str = "parkctl:endpoint-tags";
const TAG_VALUE_MAX: usize = 256;

pub struct Endpoints {
    client: Client,
    concurrency: usize,
    pace: crate::aws::pace::Pace,
    /// The notebook instances, on the same client.
    notebooks: super::notebooks_aws::Notebooks,
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

/// SageMaker answers a missing endpoint, config or model with a
/// ValidationException "Could not find ...".
fn not_found(e: &AwsError) -> bool {
    e.is_not_found() || (e.code == "ValidationException" && e.message.contains("Could not find"))
}

impl Endpoints {
    pub fn new(shared: &crate::aws::Shared) -> Self {
        let conf = aws_sdk_sagemaker::config::Builder::from(&shared.conf)
            .interceptor(shared.log())
            .build();
        let client = Client::from_conf(conf);
        Endpoints {
            notebooks: super::notebooks_aws::Notebooks::new(client.clone(), shared),
            client,
            concurrency: shared.concurrency,
            pace: shared.pace(NAME),
        }
    }

    async fn list_names(&self) -> Result<Vec<String>, AwsError> {
        let mut names = Vec::new();
        let pages = self
            .client
            .list_endpoints()
            .max_results(100)
            .into_paginator()
            .send();
        each_page(
            &self.pace,
            pages,
            (NAME, "ListEndpoints", "the account's endpoints"),
            |p| {
                names.extend(
                    p.endpoints()
                        .iter()
                        .map(|e| e.endpoint_name().unwrap_or_default().to_string()),
                );
            },
        )
        .await?;
        Ok(names)
    }

    /// The endpoint as it is, or a `deleted` one when it does not exist.
    async fn describe(&self, name: &str) -> Result<Resource, AwsError> {
        self.pace.wait().await;
        let what = format!("endpoint {name}");
        let out = match self
            .client
            .describe_endpoint()
            .endpoint_name(name)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                let e = err("DescribeEndpoint", &what, e);
                return if not_found(&e) {
                    Ok(endpoint(name).with("state", DELETED))
                } else {
                    Err(e)
                };
            }
        };
        let config = out.endpoint_config_name().unwrap_or_default().to_string();
        let state = out
            .endpoint_status()
            .map(|s| super::snake(s.as_str()))
            .unwrap_or_default();
        let counts: BTreeMap<String, i32> = out
            .production_variants()
            .iter()
            .map(|v| {
                (
                    v.variant_name().unwrap_or_default().to_string(),
                    v.current_instance_count().unwrap_or(0),
                )
            })
            .collect();
        let mut r = endpoint(name)
            .with("state", state)
            .with("endpoint_config", config.as_str())
            .with("failure_reason", out.failure_reason().unwrap_or_default())
            .with(
                crate::idle::CREATED,
                out.creation_time()
                    .map_or(Value::Null, |t| crate::idle::created_value(t.secs())),
            );
        r.arn = out.endpoint_arn().unwrap_or_default().to_string();
        self.add_config(&mut r, &config, &counts).await?;
        r.tags = self.tags(&r.arn, &what).await?;
        r.attrs.insert(
            "tags".into(),
            serde_json::to_value(&r.tags).unwrap_or(Value::Null),
        );
        Ok(r)
    }

    /// Variants (instance types from the config, counts from the endpoint)
    /// and what a restore would miss: the config, or a model it names.
    async fn add_config(
        &self,
        r: &mut Resource,
        config: &str,
        counts: &BTreeMap<String, i32>,
    ) -> Result<(), AwsError> {
        self.pace.wait().await;
        let what = format!("endpoint config {config}");
        let out = match self
            .client
            .describe_endpoint_config()
            .endpoint_config_name(config)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                let e = err("DescribeEndpointConfig", &what, e);
                if !not_found(&e) {
                    return Err(e);
                }
                r.attrs.insert("config_missing".into(), Value::Bool(true));
                return Ok(());
            }
        };
        let mut variants = Vec::new();
        let mut models = BTreeSet::new();
        for v in out.production_variants() {
            let name = v.variant_name().unwrap_or_default().to_string();
            variants.push(serde_json::json!({
                "name": name,
                "instance_type": v.instance_type().map(|t| t.as_str().to_string()),
                "instances": counts.get(&name).copied().unwrap_or(v.initial_instance_count().unwrap_or(0)),
                "serverless": v.serverless_config().is_some(),
            }));
            if let Some(m) = v.model_name() {
                models.insert(m.to_string());
            }
        }
        r.attrs.insert("variants".into(), Value::Array(variants));
        let mut missing = Vec::new();
        for m in models {
            self.pace.wait().await;
            if let Err(e) = self.client.describe_model().model_name(&m).send().await {
                let e = err("DescribeModel", &format!("model {m}"), e);
                if !not_found(&e) {
                    return Err(e);
                }
                missing.push(Value::from(m));
            }
        }
        r.attrs
            .insert("models_missing".into(), Value::Array(missing));
        Ok(())
    }

    async fn tags(&self, arn: &str, what: &str) -> Result<Tags, AwsError> {
        super::tags::of(&self.client, &self.pace, arn, what).await
    }

    async fn read_endpoints(&self, sels: &[Selector]) -> Result<Vec<Resource>, AwsError> {
        if sels.is_empty() {
            return Ok(vec![]);
        }
        // Named endpoints are described even when absent (a parked one is
        // `deleted`); the rest come from the listing.
        let mut names: BTreeSet<String> =
            sels.iter().flat_map(|s| s.names.iter().cloned()).collect();
        if sel::names_only(sels).is_none() {
            let listed = self.list_names().await?;
            names.extend(sel::candidates(sels, listed.iter().map(String::as_str)));
        }
        let found = bounded(names, self.concurrency, |n| async move {
            self.describe(&n).await
        })
        .await;
        let mut out = Vec::new();
        for r in found {
            let r = r?;
            if sel::selected(sels, r.name(), &r.tags) {
                out.push(r);
            }
        }
        Ok(out)
    }
}

impl Endpoints {
    /// Keeps the endpoint's tags on its config, so that a restore without
    /// local state finds them: one AddTags of the chunks and their count
    /// (AddTags overwrites the values an earlier park kept; chunks past the
    /// count are ignored when read). One write, whatever was there before.
    async fn keep_tags(&self, config: &str, tags: &Value) -> Result<(), AwsError> {
        let what = format!("endpoint config {config}");
        let arn = self.config_arn(config).await?;
        let encoded = hex::encode(serde_json::to_vec(tags).unwrap_or_default());
        let mut chunks: Vec<Tag> = encoded
            .as_bytes()
            .chunks(TAG_VALUE_MAX)
            .enumerate()
            .map(|(i, c)| {
                Tag::builder()
                    .key(format!("{TAG_STORE}:{i}"))
                    .value(String::from_utf8_lossy(c))
                    .build()
            })
            .collect();
        let count = chunks.len().to_string();
        chunks.push(
            Tag::builder()
                .key(format!("{TAG_STORE}:n"))
                .value(count)
                .build(),
        );
        self.pace.wait().await;
        self.client
            .add_tags()
            .resource_arn(&arn)
            .set_tags(Some(chunks))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| err("AddTags", &what, e))
    }

    /// The tags kept on the config at the last park (none if never).
    async fn kept_tags(&self, config: &str) -> Result<Tags, AwsError> {
        let what = format!("endpoint config {config}");
        let arn = self.config_arn(config).await?;
        let stored = self.tags(&arn, &what).await?;
        let mut parts: Vec<(usize, &String)> = stored
            .iter()
            .filter_map(|(k, v)| {
                Some((
                    k.strip_prefix(TAG_STORE)?.strip_prefix(':')?.parse().ok()?,
                    v,
                ))
            })
            .collect();
        parts.sort();
        let hexed: String = parts.into_iter().map(|(_, v)| v.as_str()).collect();
        Ok(hex::decode(hexed)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default())
    }

    async fn config_arn(&self, config: &str) -> Result<String, AwsError> {
        self.pace.wait().await;
        let what = format!("endpoint config {config}");
        let out = self
            .client
            .describe_endpoint_config()
            .endpoint_config_name(config)
            .send()
            .await
            .map_err(|e| err("DescribeEndpointConfig", &what, e))?;
        Ok(out.endpoint_config_arn().unwrap_or_default().to_string())
    }

    async fn delete(&self, name: &str) -> Result<(), AwsError> {
        self.pace.wait().await;
        self.client
            .delete_endpoint()
            .endpoint_name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| err("DeleteEndpoint", &format!("endpoint {name}"), e))
    }

    async fn create(&self, name: &str, config: &str, tags: &Tags) -> Result<(), AwsError> {
        let tags: Vec<Tag> = tags
            .iter()
            .filter(|(k, _)| !k.starts_with("aws:"))
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect();
        self.pace.wait().await;
        self.client
            .create_endpoint()
            .endpoint_name(name)
            .endpoint_config_name(config)
            .set_tags(Some(tags))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| {
                err(
                    "CreateEndpoint",
                    &format!("endpoint {name} (from config {config})"),
                    e,
                )
            })
    }
}

impl Endpoints {
    /// Waits with the SDK's waiter (the apply engine shows the elapsed
    /// time); Ctrl-C stops the wait (the endpoint goes on being created).
    async fn wait_in_service(
        &self,
        name: &str,
        minutes: u64,
        interrupt: &Interrupt,
    ) -> Result<(), AwsError> {
        let what = format!("endpoint {name}");
        let started = Instant::now();
        let waiter = self
            .client
            .wait_until_endpoint_in_service()
            .endpoint_name(name)
            .wait(Duration::from_secs(minutes * 60));
        tokio::pin!(waiter);
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                r = &mut waiter => return self.waited(name, r.map(|_| ()).map_err(|e| e.to_string()), minutes).await,
                _ = tick.tick() => {
                    if interrupt.is_raised() {
                        return Err(AwsError::other(NAME, "DescribeEndpoint (waiting for InService)", &what, "Interrupted",
                            format!("stopped by Ctrl-C after {}s; the endpoint goes on being created: re-run to wait for it", started.elapsed().as_secs())));
                    }
                }
            }
        }
    }

    /// A failed wait says why: the endpoint's FailureReason when it ended
    /// Failed, else what the waiter saw.
    async fn waited(
        &self,
        name: &str,
        r: Result<(), String>,
        minutes: u64,
    ) -> Result<(), AwsError> {
        let Err(waiter) = r else { return Ok(()) };
        let what = format!("endpoint {name}");
        let now = self.describe(name).await?;
        let (code, message) = match now.text("state") {
            "failed" => (
                "EndpointFailed",
                format!("the endpoint is Failed: {}", now.text("failure_reason")),
            ),
            s if s != IN_SERVICE => (
                "WaiterTimeout",
                format!(
                    "not InService after {minutes} min (it is {s}); re-run to wait more: {waiter}"
                ),
            ),
            _ => return Ok(()),
        };
        Err(AwsError::other(
            NAME,
            "DescribeEndpoint (waiting for InService)",
            &what,
            code,
            message,
        ))
    }

    async fn run(&self, c: &Change, interrupt: &Interrupt) -> Result<(), AwsError> {
        let name = &c.resource.name;
        let config = c
            .args
            .get("endpoint_config")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if c.to == DELETED {
            self.keep_tags(&config, c.args.get("tags").unwrap_or(&Value::Null))
                .await?;
            return self.delete(name).await;
        }
        if c.args.get("replace") == Some(&Value::Bool(true)) {
            self.delete(name).await?;
            self.client
                .wait_until_endpoint_deleted()
                .endpoint_name(name)
                .wait(Duration::from_secs(30 * 60))
                .await
                .map_err(|e| {
                    AwsError::other(
                        NAME,
                        "DescribeEndpoint (waiting for deletion)",
                        &format!("endpoint {name}"),
                        "WaiterError",
                        e.to_string(),
                    )
                })?;
        }
        let tags: Tags = match c.args.get("tags") {
            Some(t) if t.is_object() => serde_json::from_value(t.clone()).unwrap_or_default(),
            _ => self.kept_tags(&config).await?,
        };
        self.create(name, &config, &tags).await?;
        let minutes = c
            .args
            .get("wait_minutes")
            .and_then(Value::as_u64)
            .unwrap_or(u64::from(super::DEFAULT_WAIT_MINUTES));
        self.wait_in_service(name, minutes, interrupt).await
    }
}

#[async_trait::async_trait(?Send)]
impl Adapter for Endpoints {
    /// Each selector reads its kind; one naming none (a `--prefix`
    /// capture) reads both.
    async fn read(
        &self,
        selectors: &[Selector],
        _facts: bool,
        _early: &crate::adapter::Early,
    ) -> Result<Read, AwsError> {
        let of = |kind: &str| -> Vec<Selector> {
            selectors
                .iter()
                .filter(|s| s.kind.as_deref().is_none_or(|k| k == kind))
                .cloned()
                .collect()
        };
        let (e, n) = (of(super::ENDPOINT), of(super::NOTEBOOK));
        let (endpoints, notebooks) =
            futures::join!(self.read_endpoints(&e), self.notebooks.read(&n));
        let mut out = endpoints?;
        out.extend(notebooks?);
        Ok(Read::of(out))
    }

    async fn apply(
        &self,
        changes: &[&Change],
        _earlier: &[Outcome],
        interrupt: &Interrupt,
    ) -> Vec<Outcome> {
        let (notebooks, endpoints): (Vec<&Change>, Vec<&Change>) = changes
            .iter()
            .partition(|c| c.resource.kind == super::NOTEBOOK);
        let mut out = self.notebooks.apply(&notebooks, interrupt).await;
        out.extend(
            bounded(endpoints.iter(), self.concurrency, |c| async move {
                one(c, interrupt, self.run(c, interrupt)).await
            })
            .await,
        );
        out
    }

    async fn recreated(&self, after: &mut [Resource]) -> Result<(), AwsError> {
        self.recreated_endpoints(after).await
    }
}

impl Endpoints {
    /// Variants of the endpoints a plan recreates, from their config, with
    /// the config's initial instance counts.
    async fn recreated_endpoints(&self, after: &mut [Resource]) -> Result<(), AwsError> {
        for r in after.iter_mut().filter(|r| {
            r.id.service == super::NAME
                && r.id.kind == super::ENDPOINT
                && r.text("state") == super::IN_SERVICE
                && r.get("variants").is_null()
        }) {
            let config = r.text("endpoint_config").to_string();
            if !config.is_empty() {
                self.add_config(r, &config, &BTreeMap::new()).await?;
            }
        }
        Ok(())
    }
}

impl Connect for super::SageMaker {
    fn connect(&self, shared: &crate::aws::Shared) -> Box<dyn Adapter> {
        Box::new(Endpoints::new(shared))
    }
}
