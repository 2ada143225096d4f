//! SageMaker tags over the SDK, which the endpoints' and the notebooks'
//! adapters both read with the one client kind.

use super::NAME;
use crate::aws::{each_page, AwsError};
use crate::model::Tags;
use aws_sdk_sagemaker::Client;

/// A SageMaker resource's tags (endpoint, config, notebook), every page.
pub(super) async fn of(
    client: &Client,
    pace: &crate::aws::pace::Pace,
    arn: &str,
    what: &str,
) -> Result<Tags, AwsError> {
    let mut tags = Tags::new();
    let pages = client
        .list_tags()
        .resource_arn(arn)
        .max_results(100)
        .into_paginator()
        .send();
    each_page(pace, pages, (NAME, "ListTags", what), |p| {
        for t in p.tags() {
            tags.insert(
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            );
        }
    })
    .await?;
    Ok(tags)
}
