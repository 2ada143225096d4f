//! Kinesis Data Streams over the SDK: list, describe and tag reads;
//! UpdateShardCount in the steps the planner computed, waiting for ACTIVE
//! around each one.

use super::{stream, NAME};
use crate::adapter::{Adapter, Connect, Read};
use crate::aws::{bounded, each_page, error::causes, existing, AwsError};
use crate::model::{Resource, Tags, Value};
use crate::outcome::{Interrupt, Outcome};
use crate::plan::Change;
use crate::profile::rule::{sel, Selector};
use aws_sdk_kinesis::client::Waiters;
use aws_sdk_kinesis::types::{ScalingType, StreamMode as SdkMode, StreamModeDetails};
use aws_sdk_kinesis::Client;
use std::collections::BTreeMap;
use std::time::Duration;

/// Resharding a large stream can take many minutes per step.
const RESHARD_WAIT: Duration = Duration::from_secs(30 * 60);

pub struct Streams {
    client: Client,
    concurrency: usize,
    pace: crate::aws::pace::Pace,
}

impl Streams {
    pub fn new(shared: &crate::aws::Shared) -> Self {
        let conf = aws_sdk_kinesis::config::Builder::from(&shared.conf)
            .interceptor(shared.log())
            .build();
        Streams {
            client: Client::from_conf(conf),
            concurrency: shared.concurrency,
            pace: shared.pace(NAME),
        }
    }

    pub async fn list_names(&self) -> Result<Vec<String>, AwsError> {
        let mut names = Vec::new();
        let pages = self
            .client
            .list_streams()
            .limit(10_000)
            .into_paginator()
            .send();
        each_page(
            &self.pace,
            pages,
            ("kinesis", "ListStreams", "the account's streams"),
            |page| {
                names.extend(page.stream_names().iter().cloned());
            },
        )
        .await?;
        Ok(names)
    }

    /// Tags of each stream. Kinesis ListTagsForStream pages by the last key
    /// seen; the SDK has no paginator for it.
    pub async fn tags(&self, names: &[String]) -> Result<Vec<(String, Tags)>, AwsError> {
        let results = bounded(names.iter().cloned(), self.concurrency, |name| async move {
            let mut tags = Tags::new();
            let mut start: Option<String> = None;
            loop {
                self.pace.wait().await;
                let out = self
                    .client
                    .list_tags_for_stream()
                    .stream_name(&name)
                    .set_exclusive_start_tag_key(start.clone())
                    .limit(50)
                    .send()
                    .await
                    .map_err(|e| {
                        AwsError::from_sdk(
                            "kinesis",
                            "ListTagsForStream",
                            &format!("stream {name}"),
                            e,
                        )
                    })?;
                for t in out.tags() {
                    tags.insert(
                        t.key().to_string(),
                        t.value().unwrap_or_default().to_string(),
                    );
                }
                match out.tags().last() {
                    Some(last) if out.has_more_tags() => start = Some(last.key().to_string()),
                    _ => break,
                }
            }
            Ok((name, tags))
        })
        .await;
        results.into_iter().collect()
    }

    /// Describes the streams; ones that do not exist are left out.
    pub async fn describe(&self, names: &[String]) -> Result<Vec<Resource>, AwsError> {
        let results = bounded(names.iter().cloned(), self.concurrency, |name| async move {
            self.pace.wait().await;
            match self
                .client
                .describe_stream_summary()
                .stream_name(&name)
                .send()
                .await
            {
                Ok(out) => Ok(out.stream_description_summary().map(|d| {
                    let mode = match d.stream_mode_details().map(|m| m.stream_mode()) {
                        Some(SdkMode::OnDemand) => "on_demand",
                        _ => "provisioned",
                    };
                    let mut r = stream(d.stream_name())
                        .with("shards", d.open_shard_count().max(0))
                        .with("retention_hours", d.retention_period_hours().max(0))
                        .with("mode", mode)
                        .with("status", d.stream_status().as_str())
                        .with(
                            crate::idle::CREATED,
                            crate::idle::created_value(d.stream_creation_timestamp().secs()),
                        );
                    r.arn = d.stream_arn().to_string();
                    r
                })),
                Err(e) => Err(AwsError::from_sdk(
                    "kinesis",
                    "DescribeStreamSummary",
                    &format!("stream {name}"),
                    e,
                )),
            }
        })
        .await;
        Ok(existing(results)?.into_iter().flatten().collect())
    }

    async fn wait_active(&self, name: &str) -> Result<(), AwsError> {
        self.pace.wait().await;
        self.client
            .wait_until_stream_exists()
            .stream_name(name)
            .wait(RESHARD_WAIT)
            .await
            .map(|_| ())
            .map_err(|e| {
                AwsError::other(
                    "kinesis",
                    "DescribeStream (waiting for ACTIVE)",
                    &format!("stream {name}"),
                    "WaiterError",
                    causes(&e),
                )
            })
    }

    /// Each step waits for the stream to be ACTIVE first: UpdateShardCount
    /// on an UPDATING stream is refused. `stop` is asked before each step
    /// after the first (Ctrl-C): the stream is then left ACTIVE at the
    /// count of the last step, which a re-run continues from.
    pub async fn set_shards(
        &self,
        name: &str,
        steps: &[u32],
        stop: &(dyn Fn() -> bool + Send + Sync),
    ) -> Result<(), AwsError> {
        for (i, &target) in steps.iter().enumerate() {
            self.wait_active(name).await?;
            if i > 0 && stop() {
                return Err(AwsError::other(
                    "kinesis",
                    "UpdateShardCount",
                    &format!("stream {name}"),
                    "Interrupted",
                    format!("stopped by Ctrl-C at {} shards, before step {} of {} (to {target}); re-run to finish", steps[i - 1], i + 1, steps.len()),
                ));
            }
            self.pace.wait().await;
            self.client
                .update_shard_count()
                .stream_name(name)
                .target_shard_count(target as i32)
                .scaling_type(ScalingType::UniformScaling)
                .send()
                .await
                .map_err(|e| {
                    AwsError::from_sdk(
                        "kinesis",
                        "UpdateShardCount",
                        &format!("stream {name} (to {target} shards)"),
                        e,
                    )
                })?;
            tracing::debug!(stream = name, shards = target, "resharded");
        }
        self.wait_active(name).await
    }
}

impl Streams {
    /// UpdateStreamMode, then wait for ACTIVE: the stream is UPDATING while
    /// AWS moves it, and a reshard after it would be refused until then.
    pub async fn set_mode(&self, name: &str, arn: &str, mode: &str) -> Result<(), AwsError> {
        if arn.is_empty() {
            return Err(AwsError::other(
                "kinesis",
                "UpdateStreamMode",
                &format!("stream {name}"),
                "BuildError",
                "no stream ARN in the plan (a damaged plan?); make a new plan",
            ));
        }
        self.wait_active(name).await?;
        let sdk = if mode == super::ON_DEMAND {
            SdkMode::OnDemand
        } else {
            SdkMode::Provisioned
        };
        let details = StreamModeDetails::builder()
            .stream_mode(sdk)
            .build()
            .map_err(|e| {
                AwsError::other(
                    "kinesis",
                    "UpdateStreamMode",
                    &format!("stream {name}"),
                    "BuildError",
                    e.to_string(),
                )
            })?;
        self.pace.wait().await;
        self.client
            .update_stream_mode()
            .stream_arn(arn)
            .stream_mode_details(details)
            .send()
            .await
            .map_err(|e| {
                AwsError::from_sdk(
                    "kinesis",
                    "UpdateStreamMode",
                    &format!("stream {name} (to {mode})"),
                    e,
                )
            })?;
        tracing::debug!(stream = name, mode, "switched mode");
        self.wait_active(name).await
    }

    async fn read_streams(
        &self,
        sels: &[Selector],
        early: &crate::adapter::Early,
    ) -> Result<Vec<Resource>, AwsError> {
        if sels.is_empty() {
            return Ok(vec![]);
        }
        let cands = match sel::names_only(sels) {
            Some(n) => n,
            None => sel::candidates(sels, self.list_names().await?.iter().map(String::as_str)),
        };
        let tag_names: Vec<String> = cands
            .iter()
            .filter(|n| sel::need_tags(sels, n))
            .cloned()
            .collect();
        let tags: BTreeMap<String, Tags> = self.tags(&tag_names).await?.into_iter().collect();
        let chosen: Vec<String> = cands
            .into_iter()
            .filter(|n| sel::selected(sels, n, tags.get(n).unwrap_or(&Tags::new())))
            .collect();
        // A stream's metrics need only its name: read them beside the
        // describes.
        early.known(chosen.iter().map(|n| stream(n)).collect());
        let mut streams = self.describe(&chosen).await?;
        for s in &mut streams {
            s.tags = tags.get(s.name()).cloned().unwrap_or_default();
        }
        Ok(streams)
    }
}

#[async_trait::async_trait(?Send)]
impl Adapter for Streams {
    async fn read(
        &self,
        selectors: &[Selector],
        _facts: bool,
        early: &crate::adapter::Early,
    ) -> Result<Read, AwsError> {
        Ok(Read::of(self.read_streams(selectors, early).await?))
    }

    async fn apply(
        &self,
        changes: &[&Change],
        earlier: &[Outcome],
        interrupt: &Interrupt,
    ) -> Vec<Outcome> {
        // A reshard after a switch to provisioned that failed would be
        // refused by AWS (the stream is still on demand).
        let unswitched: &Vec<&str> = &earlier
            .iter()
            .filter(|o| o.change.resource.service == super::NAME && o.change.attr == "mode")
            .filter(|o| o.status != crate::outcome::Status::Applied)
            .map(|o| o.change.resource.name.as_str())
            .collect::<Vec<_>>();
        bounded(changes.iter(), self.concurrency, |c| async move {
            let name = &c.resource.name;
            if c.attr == "shards" && unswitched.contains(&name.as_str()) {
                return crate::outcome::skipped(
                    c,
                    "its switch to provisioned did not succeed; re-run once it has",
                );
            }
            if c.attr == "mode" {
                let arn = c
                    .args
                    .get("arn")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let mode = c.to.as_str().unwrap_or_default();
                return crate::outcome::one(c, interrupt, self.set_mode(name, arn, mode)).await;
            }
            let steps: Vec<u32> = c
                .steps
                .iter()
                .filter_map(Value::as_u64)
                .map(|n| n as u32)
                .collect();
            crate::outcome::one(
                c,
                interrupt,
                self.set_shards(name, &steps, &|| interrupt.is_raised()),
            )
            .await
        })
        .await
    }
}

impl Connect for super::Kinesis {
    fn connect(&self, shared: &crate::aws::Shared) -> Box<dyn Adapter> {
        Box::new(Streams::new(shared))
    }
}
