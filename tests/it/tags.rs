//! Tag selectors end to end: Lambda tags through the Resource Groups
//! Tagging API, stream tags through ListTagsForStream, alarm tags through
//! ListTagsForResource.

use crate::common::seed::{Sdk, FUNCTIONS, STREAM};
use crate::common::{rt, Moto, Project};

const PROFILE: &str = "version: 1
kinesis:
  - tags: {project: uja}
    shards: 1
lambda:
  - tags: {project: uja}
    reserved_concurrency: 0
    event_sources: disabled
cloudwatch:
  alarms:
    - tags: {project: uja}
      actions: disabled
";

#[test]
fn tag_selectors_select_exactly_the_tagged_resources() {
    let moto = Moto::start();
    let rt = rt();
    let sdk = rt.block_on(Sdk::new(&moto.url()));
    rt.block_on(async {
        sdk.sample().await;
        for f in FUNCTIONS {
            sdk.tag_function(f, "project", "uja").await;
        }
        // A function tagged otherwise must not be selected.
        sdk.tag_function("billing-worker", "project", "billing")
            .await;
        sdk.kinesis
            .add_tags_to_stream()
            .stream_name(STREAM)
            .tags("project", "uja")
            .send()
            .await
            .unwrap();
        let alarms = sdk
            .cloudwatch
            .describe_alarms()
            .alarm_names("user-journey-analytics-high-latency")
            .send()
            .await
            .unwrap();
        let alarm_arn = alarms.metric_alarms()[0].alarm_arn().unwrap().to_string();
        sdk.cloudwatch
            .tag_resource()
            .resource_arn(alarm_arn)
            .tags(
                aws_sdk_cloudwatch::types::Tag::builder()
                    .key("project")
                    .value("uja")
                    .build(),
            )
            .send()
            .await
            .unwrap();
    });
    let p = Project::new(&moto.url());
    p.write_profile("tagged", PROFILE);
    let (code, out, err) = p.run(&["plan", "tagged", "--stats"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("Plan: 6 to change (kinesis 1, lambda 4, cloudwatch 1)."),
        "{out}"
    );
    assert!(!out.contains("billing-"), "{out}");
    assert!(
        err.contains("GetResources"),
        "the tagging API was not used:\n{err}"
    );
    assert!(
        !err.contains("ListTags "),
        "one ListTags per function was made:\n{err}"
    );

    let (code, out, err) = p.run(&["apply", "tagged", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rt.block_on(sdk.reserved("billing-worker")), Some(5));
    assert_eq!(rt.block_on(sdk.reserved(FUNCTIONS[0])), Some(0));
    let actions = rt.block_on(sdk.alarm_actions());
    assert!(!actions["user-journey-analytics-high-latency"]);
    assert!(
        actions["user-journey-analytics-error-rate"],
        "an untagged alarm was changed"
    );
}
