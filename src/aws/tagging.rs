//! Resource Groups Tagging API: the tags of every resource of a type in one
//! call per 100 resources, where a service's own tag call needs one call per
//! resource (measured in BENCHMARKS.md). Services choose whether to use it:
//! not every endpoint lists every resource type here.

use super::{pace::Pace, AwsError};
use crate::model::Tags;
use aws_sdk_resourcegroupstagging::Client;

/// GetResources' largest page.
const PAGE: i32 = 100;

pub struct Tagging {
    client: Client,
    pace: Pace,
}

impl Tagging {
    pub fn new(conf: &aws_types::SdkConfig, log: super::calllog::CallLog, pace: Pace) -> Self {
        let conf = aws_sdk_resourcegroupstagging::config::Builder::from(conf)
            .interceptor(log)
            .build();
        Tagging {
            client: Client::from_conf(conf),
            pace,
        }
    }

    /// Tags by ARN of every resource of `resource_type` (`SERVICE:TYPE`)
    /// that has tags; an untagged one is absent.
    pub async fn tags_of(&self, resource_type: &str) -> Result<Vec<(String, Tags)>, AwsError> {
        let mut out = Vec::new();
        let pages = self
            .client
            .get_resources()
            .resource_type_filters(resource_type)
            .resources_per_page(PAGE)
            .into_paginator()
            .send();
        super::each_page(
            &self.pace,
            pages,
            ("tagging", "GetResources", &format!("{resource_type} tags")),
            |page| {
                for m in page.resource_tag_mapping_list() {
                    let tags = m
                        .tags()
                        .iter()
                        .map(|t| (t.key().to_string(), t.value().to_string()))
                        .collect();
                    out.push((m.resource_arn().unwrap_or_default().to_string(), tags));
                }
            },
        )
        .await?;
        Ok(out)
    }
}
