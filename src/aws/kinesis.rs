//! Kinesis Data Streams: list, describe and tag reads; UpdateShardCount in
//! the steps the planner computed, waiting for ACTIVE around each one.

use super::{bounded, AwsError};
use crate::model::{Stream, StreamMode, Tags};
use aws_sdk_kinesis::client::Waiters;
use aws_sdk_kinesis::types::{ScalingType, StreamMode as SdkMode};
use aws_sdk_kinesis::Client;
use std::time::Duration;

/// Resharding a large stream can take many minutes per step.
const RESHARD_WAIT: Duration = Duration::from_secs(30 * 60);

pub struct Kinesis {
    client: Client,
    concurrency: usize,
    pace: super::pace::Pace,
}

impl Kinesis {
    pub fn new(conf: aws_sdk_kinesis::Config, concurrency: usize, pace: super::pace::Pace) -> Self {
        Kinesis {
            client: Client::from_conf(conf),
            concurrency,
            pace,
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
        super::each_page(
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
    pub async fn describe(&self, names: &[String]) -> Result<Vec<Stream>, AwsError> {
        let results = bounded(names.iter().cloned(), self.concurrency, |name| async move {
            self.pace.wait().await;
            match self
                .client
                .describe_stream_summary()
                .stream_name(&name)
                .send()
                .await
            {
                Ok(out) => Ok(out.stream_description_summary().map(|d| Stream {
                    name: d.stream_name().to_string(),
                    arn: d.stream_arn().to_string(),
                    mode: match d.stream_mode_details().map(|m| m.stream_mode()) {
                        Some(SdkMode::OnDemand) => StreamMode::OnDemand,
                        _ => StreamMode::Provisioned,
                    },
                    open_shards: d.open_shard_count().max(0) as u32,
                    retention_hours: d.retention_period_hours().max(0) as u32,
                    status: d.stream_status().as_str().to_string(),
                    tags: Tags::new(),
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
        Ok(super::existing(results)?.into_iter().flatten().collect())
    }

    /// When each stream was created, for telling "idle" from "too young to
    /// judge" in status.
    pub async fn created(
        &self,
        names: &[String],
    ) -> Result<Vec<(String, chrono::DateTime<chrono::Utc>)>, AwsError> {
        let results = bounded(names.iter().cloned(), self.concurrency, |name| async move {
            self.pace.wait().await;
            let out = self
                .client
                .describe_stream_summary()
                .stream_name(&name)
                .send()
                .await
                .map_err(|e| {
                    AwsError::from_sdk(
                        "kinesis",
                        "DescribeStreamSummary",
                        &format!("stream {name}"),
                        e,
                    )
                })?;
            let secs = out
                .stream_description_summary()
                .map(|d| d.stream_creation_timestamp().secs())
                .unwrap_or(0);
            Ok((
                name,
                chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default(),
            ))
        })
        .await;
        results.into_iter().collect()
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
                    super::error::causes(&e),
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
            tracing::info!(stream = name, shards = target, "resharded");
        }
        self.wait_active(name).await
    }
}
