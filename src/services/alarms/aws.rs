//! CloudWatch alarms over the SDK: read with DescribeAlarms by prefix or by
//! names (100 a call), switched with Enable/DisableAlarmActions (100 names
//! a call).

use super::{alarm, NAME};
use crate::adapter::{Adapter, Connect, Read};
use crate::aws::{bounded, each_page, AwsError};
use crate::model::{Resource, Tags};
use crate::outcome::{timed, Interrupt, Outcome, INTERRUPTED};
use crate::plan::Change;
use crate::profile::rule::{sel, Selector};
use aws_sdk_cloudwatch::types::AlarmType;
use aws_sdk_cloudwatch::Client;
use std::collections::{BTreeMap, BTreeSet};

/// DescribeAlarms' largest page, and the most names
/// Enable/DisableAlarmActions accept in one call.
pub const BATCH: usize = 100;

pub struct AlarmClient {
    client: Client,
    concurrency: usize,
    pace: crate::aws::pace::Pace,
}

/// An alarm as read from AWS.
type Alarm = Resource;

impl AlarmClient {
    pub fn new(shared: &crate::aws::Shared) -> Self {
        let conf = aws_sdk_cloudwatch::config::Builder::from(&shared.conf)
            .interceptor(shared.log())
            .build();
        AlarmClient {
            client: Client::from_conf(conf),
            concurrency: shared.concurrency,
            pace: shared.pace(NAME),
        }
    }

    /// Alarms whose names start with `prefix`; `None` reads them all.
    pub async fn by_prefix(&self, prefix: Option<&str>) -> Result<Vec<Alarm>, AwsError> {
        let what = prefix.map_or("all alarms".to_string(), |p| {
            format!("alarms with prefix {p}")
        });
        let mut out = Vec::new();
        let pages = self
            .client
            .describe_alarms()
            .set_alarm_name_prefix(prefix.map(str::to_string))
            .alarm_types(AlarmType::MetricAlarm)
            .alarm_types(AlarmType::CompositeAlarm)
            .max_records(BATCH as i32)
            .into_paginator()
            .send();
        each_page(
            &self.pace,
            pages,
            ("cloudwatch", "DescribeAlarms", &what),
            |page| {
                collect(&page, &mut out);
            },
        )
        .await?;
        Ok(out)
    }

    pub async fn by_names(&self, names: &[String]) -> Result<Vec<Alarm>, AwsError> {
        let chunks: Vec<Vec<String>> = names.chunks(BATCH).map(<[String]>::to_vec).collect();
        let results = bounded(chunks, self.concurrency, |chunk| async move {
            self.pace.wait().await;
            let page = self
                .client
                .describe_alarms()
                .set_alarm_names(Some(chunk.clone()))
                .alarm_types(AlarmType::MetricAlarm)
                .alarm_types(AlarmType::CompositeAlarm)
                .max_records(BATCH as i32)
                .send()
                .await
                .map_err(|e| {
                    AwsError::from_sdk(
                        "cloudwatch",
                        "DescribeAlarms",
                        &format!("alarms {}", chunk.join(", ")),
                        e,
                    )
                })?;
            let mut out = Vec::new();
            collect(&page, &mut out);
            Ok::<_, AwsError>(out)
        })
        .await;
        let mut out = Vec::new();
        for r in results {
            out.extend(r?);
        }
        Ok(out)
    }

    pub async fn tags(&self, alarms: &[Alarm]) -> Result<Vec<(String, Tags)>, AwsError> {
        let results = bounded(alarms.iter().cloned(), self.concurrency, |a| async move {
            self.pace.wait().await;
            let out = self
                .client
                .list_tags_for_resource()
                .resource_arn(&a.arn)
                .send()
                .await
                .map_err(|e| {
                    AwsError::from_sdk(
                        "cloudwatch",
                        "ListTagsForResource",
                        &format!("alarm {}", a.name()),
                        e,
                    )
                })?;
            let tags = out
                .tags()
                .iter()
                .map(|t| {
                    (
                        t.key().unwrap_or_default().to_string(),
                        t.value().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            Ok((a.name().to_string(), tags))
        })
        .await;
        results.into_iter().collect()
    }

    /// Alarm names in batches of 100, one call each.
    pub async fn set_actions(&self, names: &[String], enabled: bool) -> Result<(), AwsError> {
        let what = if names.len() == 1 {
            format!("alarm {}", names[0])
        } else {
            format!("{} alarms ({} …)", names.len(), names[0])
        };
        self.pace.wait().await;
        if enabled {
            self.client
                .enable_alarm_actions()
                .set_alarm_names(Some(names.to_vec()))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| AwsError::from_sdk("cloudwatch", "EnableAlarmActions", &what, e))
        } else {
            self.client
                .disable_alarm_actions()
                .set_alarm_names(Some(names.to_vec()))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| AwsError::from_sdk("cloudwatch", "DisableAlarmActions", &what, e))
        }
    }
}

fn collect(
    page: &aws_sdk_cloudwatch::operation::describe_alarms::DescribeAlarmsOutput,
    out: &mut Vec<Alarm>,
) {
    let one = |name: Option<&str>, arn: Option<&str>, on: Option<bool>, high: bool| {
        let mut r = alarm(name.unwrap_or_default())
            .with("actions", on.unwrap_or(true))
            .with("high_resolution", high);
        r.arn = arn.unwrap_or_default().to_string();
        r
    };
    for a in page.metric_alarms() {
        let high = a.period().is_some_and(|p| p < 60);
        out.push(one(
            a.alarm_name(),
            a.alarm_arn(),
            a.actions_enabled(),
            high,
        ));
    }
    for a in page.composite_alarms() {
        out.push(one(
            a.alarm_name(),
            a.alarm_arn(),
            a.actions_enabled(),
            false,
        ));
    }
}

/// The prefixes to read: distinct, dropping prefixes another one covers.
fn covering(sels: &[Selector]) -> Vec<&str> {
    let mut prefixes: Vec<&str> = sels
        .iter()
        .filter(|s| s.names.is_empty())
        .filter_map(|s| s.prefix.as_deref())
        .collect();
    prefixes.sort();
    prefixes.dedup();
    prefixes
        .iter()
        .filter(|p| !prefixes.iter().any(|q| q != *p && p.starts_with(q)))
        .copied()
        .collect()
}

impl AlarmClient {
    /// The fewest DescribeAlarms reads covering every selector: one per
    /// distinct prefix (dropping prefixes another one covers), names in
    /// 100s, or one full listing when a selector has only tags.
    async fn found(&self, sels: &[Selector]) -> Result<BTreeMap<String, Alarm>, AwsError> {
        let mut found = BTreeMap::new();
        if sels
            .iter()
            .any(|s| s.names.is_empty() && s.prefix.is_none())
        {
            for a in self.by_prefix(None).await? {
                found.insert(a.name().to_string(), a);
            }
            return Ok(found);
        }
        let covering = covering(sels);
        let names: BTreeSet<String> = sels
            .iter()
            .flat_map(|s| s.names.iter())
            .filter(|n| !covering.iter().any(|p| n.starts_with(p)))
            .cloned()
            .collect();
        let by_prefix = bounded(covering, self.concurrency, |p| self.by_prefix(Some(p))).await;
        for r in by_prefix {
            for a in r? {
                found.insert(a.name().to_string(), a);
            }
        }
        let names: Vec<String> = names.into_iter().collect();
        for a in self.by_names(&names).await? {
            found.insert(a.name().to_string(), a);
        }
        Ok(found)
    }

    async fn read_alarms(&self, sels: &[Selector]) -> Result<Vec<Alarm>, AwsError> {
        if sels.is_empty() {
            return Ok(vec![]);
        }
        let cands: Vec<Alarm> = self
            .found(sels)
            .await?
            .into_values()
            .filter(|a| sels.iter().any(|s| s.name_may_match(a.name())))
            .collect();
        let tag_alarms: Vec<Alarm> = cands
            .iter()
            .filter(|a| sel::need_tags(sels, a.name()))
            .cloned()
            .collect();
        let tags: BTreeMap<String, Tags> = self.tags(&tag_alarms).await?.into_iter().collect();
        Ok(cands
            .into_iter()
            .filter_map(|mut a| {
                let t = tags.get(a.name()).cloned().unwrap_or_default();
                sel::selected(sels, a.name(), &t).then(|| {
                    a.tags = t;
                    a
                })
            })
            .collect())
    }
}

#[async_trait::async_trait(?Send)]
impl Adapter for AlarmClient {
    async fn read(
        &self,
        selectors: &[Selector],
        _facts: bool,
        _early: &crate::adapter::Early,
    ) -> Result<Read, AwsError> {
        Ok(Read::of(self.read_alarms(selectors).await?))
    }

    /// One call per 100 alarms switched the same way.
    async fn apply(
        &self,
        changes: &[&Change],
        _earlier: &[Outcome],
        interrupt: &Interrupt,
    ) -> Vec<Outcome> {
        let mut batches: Vec<Vec<&Change>> = Vec::new();
        for on in [false, true] {
            let same: Vec<&Change> = changes
                .iter()
                .copied()
                .filter(|c| c.to.as_bool() == Some(on))
                .collect();
            batches.extend(same.chunks(BATCH).map(<[&Change]>::to_vec));
        }
        let results = bounded(batches, self.concurrency, |batch| async move {
            if interrupt.is_raised() {
                return batch
                    .iter()
                    .map(|c| crate::outcome::skipped(c, INTERRUPTED))
                    .collect::<Vec<_>>();
            }
            let names: Vec<String> = batch.iter().map(|c| c.resource.name.clone()).collect();
            let enable = batch[0].to.as_bool() == Some(true);
            timed(&batch, self.set_actions(&names, enable)).await
        })
        .await;
        results.into_iter().flatten().collect()
    }
}

impl Connect for super::Alarms {
    fn connect(&self, shared: &crate::aws::Shared) -> Box<dyn Adapter> {
        Box::new(AlarmClient::new(shared))
    }
}
