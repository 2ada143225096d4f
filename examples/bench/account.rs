//! The benchmark account: what `make bench` seeds into the emulator, and
//! the profiles that select it.
//!
//! Lambda, Kinesis and CloudWatch alarms in large numbers (the read's
//! bulk); DynamoDB tables, SageMaker endpoints and notebooks, RDS instances
//! and clusters, Redshift clusters, EC2 instances, Auto Scaling groups, ECS
//! services and EKS node groups in tens (what every service adds to a read);
//! and a day of CloudWatch datapoints for the usage metrics a plan reads
//! (Lambda invocations and duration, log ingestion, Kinesis incoming bytes
//! and records, DynamoDB consumed capacity), so that its metrics pass
//! returns data.

use super::common::seed::Sdk;
use futures::stream::{self, StreamExt};

pub const PARK_FN: &str = "bench-park-fn-";
pub const KEEP_FN: &str = "bench-keep-fn-";
pub const STREAM: &str = "bench-stream-";
pub const ALARM: &str = "bench-alarm-";
pub const TABLE: &str = "bench-table-";
pub const ENDPOINT: &str = "bench-ep-";
pub const NOTEBOOK: &str = "bench-nb-";
pub const DB: &str = "bench-db-";
pub const AURORA: &str = "bench-aurora-";
pub const WAREHOUSE: &str = "bench-dw-";
pub const GROUP: &str = "bench-asg-";
pub const SERVICE: &str = "bench-svc-";
pub const NODEGROUP: &str = "bench-ng-";
pub const ECS_CLUSTER: &str = "bench-cluster";
pub const EKS_CLUSTER: &str = "bench-eks";
/// The `Project` tag of the selected EC2 instances.
pub const PROJECT: &str = "bench";
/// Where a function's logs go (Lambda's default group).
pub const LOG_PREFIX: &str = "/aws/lambda/";
/// Requests in flight while seeding.
pub const SEED_CONCURRENCY: usize = 32;

/// How many of each kind the account holds.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// All functions; the first half is selected.
    pub functions: usize,
    pub streams: usize,
    pub alarms: usize,
    /// Event-source mappings, one on each of the first selected functions.
    pub mappings: usize,
    pub tables: usize,
    /// Tables with a global secondary index (the first ones).
    pub indexed_tables: usize,
    pub endpoints: usize,
    pub notebooks: usize,
    pub db_instances: usize,
    /// Aurora clusters, one member instance each.
    pub db_clusters: usize,
    pub warehouses: usize,
    pub instances: usize,
    pub groups: usize,
    pub services: usize,
    pub nodegroups: usize,
}

impl Sizes {
    pub fn new(quick: bool) -> Sizes {
        if quick {
            Sizes {
                functions: 100,
                streams: 20,
                alarms: 100,
                mappings: 10,
                tables: 8,
                indexed_tables: 2,
                endpoints: 4,
                notebooks: 4,
                db_instances: 4,
                db_clusters: 2,
                warehouses: 2,
                instances: 8,
                groups: 4,
                services: 4,
                nodegroups: 2,
            }
        } else {
            Sizes {
                functions: 1000,
                streams: 200,
                alarms: 1000,
                mappings: 100,
                tables: 40,
                indexed_tables: 10,
                endpoints: 20,
                notebooks: 20,
                db_instances: 20,
                db_clusters: 10,
                warehouses: 10,
                instances: 40,
                groups: 20,
                services: 20,
                nodegroups: 10,
            }
        }
    }

    pub fn selected_functions(&self) -> usize {
        self.functions / 2
    }

    /// One line: the account's contents.
    pub fn describe(&self) -> String {
        format!(
            "{} Lambda functions (half named `{PARK_FN}*` and tagged `park: yes`, half `{KEEP_FN}*`; a log group each for the first half), {} Kinesis streams (2 shards), {} CloudWatch alarms, {} event-source mappings on selected functions; {} DynamoDB tables (provisioned 5/5, {} with a global secondary index), {} SageMaker endpoints (ml.m5.large) and {} notebook instances, {} RDS instances (postgres, db.t3.micro) and {} Aurora clusters (one member each), {} Redshift clusters (2 x dc2.large), {} EC2 instances (t3.micro), {} Auto Scaling groups (1 instance each), {} ECS services (Fargate, 1 task) and {} EKS node groups",
            self.functions,
            self.streams,
            self.alarms,
            self.mappings,
            self.tables,
            self.indexed_tables,
            self.endpoints,
            self.notebooks,
            self.db_instances,
            self.db_clusters,
            self.warehouses,
            self.instances,
            self.groups,
            self.services,
            self.nodegroups
        )
    }
}

pub fn fn_name(i: usize, n: usize) -> String {
    if i < n / 2 {
        format!("{PARK_FN}{i:05}")
    } else {
        format!("{KEEP_FN}{i:05}")
    }
}

pub fn selected_functions(s: &Sizes) -> Vec<String> {
    (0..s.selected_functions())
        .map(|i| fn_name(i, s.functions))
        .collect()
}

pub fn streams(s: &Sizes) -> Vec<String> {
    (0..s.streams).map(|i| format!("{STREAM}{i:05}")).collect()
}

pub fn tables(s: &Sizes) -> Vec<String> {
    (0..s.tables).map(|i| format!("{TABLE}{i:03}")).collect()
}

/// The profile `bench`: every kind of the account parked; `lambda_selector`
/// picks the functions (a prefix, or tags).
pub fn profile(lambda_selector: &str) -> String {
    format!(
        "version: 1
description: Benchmark, the large account parked.
target:
  region: us-east-1
kinesis:
  - prefix: {STREAM}
    shards: 1
lambda:
  - {lambda_selector}
    reserved_concurrency: 0
    event_sources: disabled
cloudwatch:
  alarms:
    - prefix: {ALARM}
      actions: disabled
dynamodb:
  tables:
    - prefix: {TABLE}
      billing: provisioned
      read_capacity: 1
      write_capacity: 1
      indexes:
        \"*\": {{read_capacity: 1, write_capacity: 1}}
sagemaker:
  endpoints:
    - prefix: {ENDPOINT}
      state: deleted
  notebooks:
    - prefix: {NOTEBOOK}
      state: stopped
rds:
  instances:
    - prefix: {DB}
      state: stopped
  clusters:
    - prefix: {AURORA}
      state: stopped
redshift:
  clusters:
    - prefix: {WAREHOUSE}
      state: paused
ec2:
  instances:
    - tags: {{Project: {PROJECT}}}
      state: stopped
autoscaling:
  groups:
    - prefix: {GROUP}
      min_size: 0
      desired_capacity: 0
ecs:
  services:
    - cluster: {ECS_CLUSTER}
      prefix: {SERVICE}
      desired_count: 0
eks:
  nodegroups:
    - cluster: {EKS_CLUSTER}
      prefix: {NODEGROUP}
      min_size: 0
      desired_size: 0
"
    )
}

/// Clients of the services `Sdk` has none for.
pub struct More {
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub rds: aws_sdk_rds::Client,
    pub redshift: aws_sdk_redshift::Client,
    pub ec2: aws_sdk_ec2::Client,
    pub asg: aws_sdk_autoscaling::Client,
    pub ecs: aws_sdk_ecs::Client,
    pub eks: aws_sdk_eks::Client,
}

impl More {
    pub async fn new(endpoint: &str) -> More {
        let conf = Sdk::conf(endpoint, super::common::REGION).await;
        More {
            logs: aws_sdk_cloudwatchlogs::Client::new(&conf),
            rds: aws_sdk_rds::Client::new(&conf),
            redshift: aws_sdk_redshift::Client::new(&conf),
            ec2: aws_sdk_ec2::Client::new(&conf),
            asg: aws_sdk_autoscaling::Client::new(&conf),
            ecs: aws_sdk_ecs::Client::new(&conf),
            eks: aws_sdk_eks::Client::new(&conf),
        }
    }
}

/// Runs `f(i)` for `0..n`, [`SEED_CONCURRENCY`] at a time.
pub async fn each<F, Fut>(n: usize, f: F)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    stream::iter(0..n)
        .for_each_concurrent(SEED_CONCURRENCY, f)
        .await;
}

/// Seeds the whole account; returns the number of metric datapoints put.
pub async fn seed(sdk: &Sdk, more: &More, s: &Sizes) -> usize {
    seed_serverless(sdk, more, s).await;
    super::services::seed(sdk, more, s).await;
    super::metrics::seed(sdk, s).await
}

/// Functions, streams, mappings, alarms and the functions' log groups.
async fn seed_serverless(sdk: &Sdk, more: &More, s: &Sizes) {
    let role = sdk.role().await;
    let arns: Vec<String> = stream::iter(streams(s))
        .map(|name| async move { sdk.stream(&name, 2).await })
        .buffered(SEED_CONCURRENCY)
        .collect()
        .await;
    let (role, n) = (&role, s.functions);
    each(n, |i| async move {
        // The smallest valid zip archive: an empty one.
        let mut zip = b"PK\x05\x06".to_vec();
        zip.extend([0u8; 18]);
        sdk.lambda
            .create_function()
            .function_name(fn_name(i, n))
            .runtime(aws_sdk_lambda::types::Runtime::Python312)
            .role(role)
            .handler("app.handler")
            .code(
                aws_sdk_lambda::types::FunctionCode::builder()
                    .zip_file(aws_smithy_types::Blob::new(zip))
                    .build(),
            )
            .tags("park", if i < n / 2 { "yes" } else { "no" })
            .tags("team", "bench")
            .send()
            .await
            .unwrap();
    })
    .await;
    let arns = &arns;
    // Mappings on the selected functions, one each, over the streams.
    each(s.mappings, |i| async move {
        sdk.mapping(&fn_name(i, n), &arns[i % arns.len()]).await;
    })
    .await;
    each(s.alarms, |i| async move {
        sdk.alarm(&format!("{ALARM}{i:05}")).await
    })
    .await;
    each(s.selected_functions(), |i| async move {
        more.logs
            .create_log_group()
            .log_group_name(format!("{LOG_PREFIX}{}", fn_name(i, n)))
            .send()
            .await
            .unwrap();
    })
    .await;
}
