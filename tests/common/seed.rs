//! Seeds and inspects resources with the real AWS SDK.

use aws_config::BehaviorVersion;
use std::collections::BTreeMap;

pub const STREAM: &str = "user-journey-analytics-events";
pub const FUNCTIONS: [&str; 2] = [
    "user-journey-analytics-event-processor",
    "user-journey-analytics-intervention-executor",
];
pub const ALARMS: [&str; 9] = [
    "user-journey-analytics-high-latency",
    "user-journey-analytics-error-rate",
    "user-journey-analytics-iterator-age",
    "user-journey-analytics-throttles",
    "user-journey-analytics-dlq-depth",
    "user-journey-analytics-processor-errors",
    "user-journey-analytics-executor-errors",
    "user-journey-analytics-incoming-drop",
    "user-journey-analytics-write-throttled",
];

pub const ENDPOINT: &str = "user-journey-analytics-exit-risk-endpoint";
pub const ENDPOINT_CONFIG: &str = "user-journey-analytics-exit-risk-config";
pub const MODEL: &str = "user-journey-analytics-exit-risk-model";

pub const SESSIONS: &str = "user-journey-analytics-sessions";
pub const JOURNEYS: &str = "user-journey-analytics-journeys";

/// A sample table's `state()` line once parked (1/1 everywhere, auto
/// scaling suspended with its target and policy kept); other lines as is.
pub fn parked_table(line: &str) -> String {
    let name = line.split_whitespace().nth(1).unwrap_or("");
    if !line.starts_with("table ") || (name != SESSIONS && name != JOURNEYS) {
        return line.to_string();
    }
    line.replace(" 25/10", " 1/1")
        .replace(" 10/10", " 1/1")
        .replace("by-user=5/5", "by-user=1/1")
        .replace("suspended=nnn", "suspended=yyy")
}

pub struct Sdk {
    pub kinesis: aws_sdk_kinesis::Client,
    pub lambda: aws_sdk_lambda::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub iam: aws_sdk_iam::Client,
    pub s3: aws_sdk_s3::Client,
    pub sagemaker: aws_sdk_sagemaker::Client,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub scaling: aws_sdk_applicationautoscaling::Client,
}

impl Sdk {
    pub async fn new(endpoint: &str) -> Sdk {
        Sdk::of(&Sdk::conf(endpoint, super::REGION).await)
    }

    pub async fn conf(endpoint: &str, region: &str) -> aws_types::SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .region(aws_config::Region::new(region.to_string()))
            .credentials_provider(aws_sdk_kinesis::config::Credentials::new(
                "testing", "testing", None, None, "tests",
            ))
            .load()
            .await
    }

    /// Clients in another account and region: moto puts what is created
    /// with a role's assumed credentials in the role's account.
    pub async fn in_account(endpoint: &str, account: &str, region: &str) -> Sdk {
        let base = Sdk::conf(endpoint, region).await;
        let role = format!("arn:aws:iam::{account}:role/parkctl");
        let provider = aws_config::sts::AssumeRoleProvider::builder(role)
            .session_name("parkctl-tests")
            .configure(&base)
            .build()
            .await;
        let conf = base
            .into_builder()
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(provider),
            )
            .build();
        Sdk::of(&conf)
    }

    fn of(conf: &aws_types::SdkConfig) -> Sdk {
        let conf = conf.clone();
        Sdk {
            kinesis: aws_sdk_kinesis::Client::new(&conf),
            lambda: aws_sdk_lambda::Client::new(&conf),
            cloudwatch: aws_sdk_cloudwatch::Client::new(&conf),
            iam: aws_sdk_iam::Client::new(&conf),
            sagemaker: aws_sdk_sagemaker::Client::new(&conf),
            dynamodb: aws_sdk_dynamodb::Client::new(&conf),
            scaling: aws_sdk_applicationautoscaling::Client::new(&conf),
            s3: aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(&conf)
                    .force_path_style(true)
                    .build(),
            ),
        }
    }

    pub async fn role(&self) -> String {
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        match self
            .iam
            .create_role()
            .role_name("parkctl-test-role")
            .assume_role_policy_document(doc)
            .send()
            .await
        {
            Ok(out) => out.role().map(|r| r.arn().to_string()).unwrap(),
            Err(_) => self
                .iam
                .get_role()
                .role_name("parkctl-test-role")
                .send()
                .await
                .unwrap()
                .role()
                .unwrap()
                .arn()
                .to_string(),
        }
    }

    pub async fn stream(&self, name: &str, shards: i32) -> String {
        self.kinesis
            .create_stream()
            .stream_name(name)
            .shard_count(shards)
            .send()
            .await
            .unwrap();
        self.kinesis
            .describe_stream_summary()
            .stream_name(name)
            .send()
            .await
            .unwrap()
            .stream_description_summary()
            .unwrap()
            .stream_arn()
            .to_string()
    }

    pub async fn function(&self, name: &str, role: &str) {
        self.function_on(name, role, aws_sdk_lambda::types::Architecture::X8664)
            .await
    }

    pub async fn function_on(
        &self,
        name: &str,
        role: &str,
        arch: aws_sdk_lambda::types::Architecture,
    ) {
        // The smallest valid zip archive: an empty one.
        let mut zip = b"PK\x05\x06".to_vec();
        zip.extend([0u8; 18]);
        self.lambda
            .create_function()
            .function_name(name)
            .runtime(aws_sdk_lambda::types::Runtime::Python312)
            .role(role)
            .handler("app.handler")
            .architectures(arch)
            .code(
                aws_sdk_lambda::types::FunctionCode::builder()
                    .zip_file(aws_smithy_types::Blob::new(zip))
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }

    pub async fn mapping(&self, function: &str, stream_arn: &str) -> String {
        self.lambda
            .create_event_source_mapping()
            .function_name(function)
            .event_source_arn(stream_arn)
            .starting_position(aws_sdk_lambda::types::EventSourcePosition::Latest)
            .enabled(true)
            .send()
            .await
            .unwrap()
            .uuid()
            .unwrap()
            .to_string()
    }

    pub async fn tag_function(&self, name: &str, key: &str, value: &str) {
        let arn = self
            .lambda
            .get_function()
            .function_name(name)
            .send()
            .await
            .unwrap()
            .configuration()
            .unwrap()
            .function_arn()
            .unwrap()
            .to_string();
        self.lambda
            .tag_resource()
            .resource(arn)
            .tags(key, value)
            .send()
            .await
            .unwrap();
    }

    /// Records `n` of a metric two hours back, as the service would have
    /// (CloudWatch accepts back-dated datapoints).
    pub async fn activity(&self, namespace: &str, metric: &str, dim: &str, value: &str, n: f64) {
        use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
        let t = chrono::Utc::now() - chrono::Duration::hours(2);
        self.cloudwatch
            .put_metric_data()
            .namespace(namespace)
            .metric_data(
                MetricDatum::builder()
                    .metric_name(metric)
                    .dimensions(Dimension::builder().name(dim).value(value).build())
                    .timestamp(aws_smithy_types::DateTime::from_secs(t.timestamp()))
                    .value(n)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }

    /// Gives a function `mb` of memory (and creates it on `arm64` when it
    /// does not exist yet), and `n` invocations of `ms` each in the last day.
    pub async fn busy_function(&self, name: &str, mb: i32, arch: &str, n: f64, ms: f64) {
        if arch == "arm64" {
            let role = self.role().await;
            self.function_on(name, &role, aws_sdk_lambda::types::Architecture::Arm64)
                .await;
        }
        self.lambda
            .update_function_configuration()
            .function_name(name)
            .memory_size(mb)
            .send()
            .await
            .unwrap();
        self.activity("AWS/Lambda", "Invocations", "FunctionName", name, n)
            .await;
        self.activity("AWS/Lambda", "Duration", "FunctionName", name, n * ms)
            .await;
    }

    /// `bytes` ingested into a log group in the last day.
    pub async fn log_bytes(&self, group: &str, bytes: f64) {
        self.activity("AWS/Logs", "IncomingBytes", "LogGroupName", group, bytes)
            .await;
    }

    pub async fn alarm(&self, name: &str) {
        self.cloudwatch
            .put_metric_alarm()
            .alarm_name(name)
            .metric_name("IncomingRecords")
            .namespace("AWS/Kinesis")
            .statistic(aws_sdk_cloudwatch::types::Statistic::Sum)
            .period(300)
            .evaluation_periods(1)
            .threshold(1.0)
            .comparison_operator(aws_sdk_cloudwatch::types::ComparisonOperator::LessThanThreshold)
            .actions_enabled(true)
            .alarm_actions("arn:aws:sns:us-east-1:123456789012:ops")
            .send()
            .await
            .unwrap();
    }

    /// The sample project in its running state, plus resources no profile
    /// selects (which must never change).
    pub async fn sample(&self) {
        let role = self.role().await;
        let arn = self.stream(STREAM, 2).await;
        for f in FUNCTIONS {
            self.function(f, &role).await;
            self.mapping(f, &arn).await;
        }
        for a in ALARMS {
            self.alarm(a).await;
        }
        let other = self.stream("billing-events", 4).await;
        self.function("billing-worker", &role).await;
        self.mapping("billing-worker", &other).await;
        self.lambda
            .put_function_concurrency()
            .function_name("billing-worker")
            .reserved_concurrent_executions(5)
            .send()
            .await
            .unwrap();
        self.alarm("billing-errors").await;
        self.model(MODEL, &role).await;
        self.endpoint_config(ENDPOINT_CONFIG, MODEL).await;
        self.endpoint(
            ENDPOINT,
            ENDPOINT_CONFIG,
            &[("project", "user-journey-analytics"), ("team", "growth")],
        )
        .await;
        self.model("billing-scorer-model", &role).await;
        self.endpoint_config("billing-scorer-config", "billing-scorer-model")
            .await;
        self.endpoint("billing-scorer", "billing-scorer-config", &[])
            .await;
        self.table(SESSIONS, (25, 10), &[("by-user", 5, 5)]).await;
        self.read_scaling(SESSIONS, 5, 100).await;
        self.table(JOURNEYS, (10, 10), &[]).await;
        self.table("billing-ledger", (5, 5), &[]).await;
    }

    pub async fn model(&self, name: &str, role: &str) {
        self.sagemaker
            .create_model()
            .model_name(name)
            .execution_role_arn(role)
            .primary_container(
                aws_sdk_sagemaker::types::ContainerDefinition::builder()
                    .image("123456789012.dkr.ecr.us-east-1.amazonaws.com/exit-risk:1")
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }

    /// One `ml.m5.large` variant serving `model`.
    pub async fn endpoint_config(&self, name: &str, model: &str) {
        self.sagemaker
            .create_endpoint_config()
            .endpoint_config_name(name)
            .production_variants(
                aws_sdk_sagemaker::types::ProductionVariant::builder()
                    .variant_name("AllTraffic")
                    .model_name(model)
                    .instance_type(
                        aws_sdk_sagemaker::types::ProductionVariantInstanceType::MlM5Large,
                    )
                    .initial_instance_count(1)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }

    pub async fn endpoint(&self, name: &str, config: &str, tags: &[(&str, &str)]) {
        let tags = tags
            .iter()
            .map(|(k, v)| {
                aws_sdk_sagemaker::types::Tag::builder()
                    .key(*k)
                    .value(*v)
                    .build()
            })
            .collect();
        self.sagemaker
            .create_endpoint()
            .endpoint_name(name)
            .endpoint_config_name(config)
            .set_tags(Some(tags))
            .send()
            .await
            .unwrap();
    }

    /// Each endpoint: status, config and tags (`-` when it does not exist).
    pub async fn endpoints(&self) -> Vec<String> {
        let out = self.sagemaker.list_endpoints().send().await.unwrap();
        let mut lines = Vec::new();
        for e in out.endpoints() {
            let name = e.endpoint_name().unwrap_or_default();
            let d = self
                .sagemaker
                .describe_endpoint()
                .endpoint_name(name)
                .send()
                .await
                .unwrap();
            let tags = self
                .sagemaker
                .list_tags()
                .resource_arn(d.endpoint_arn().unwrap_or_default())
                .send()
                .await
                .unwrap();
            let mut tags: Vec<String> = tags
                .tags()
                .iter()
                .map(|t| {
                    format!(
                        "{}={}",
                        t.key().unwrap_or_default(),
                        t.value().unwrap_or_default()
                    )
                })
                .collect();
            tags.sort();
            lines.push(format!(
                "endpoint {name} status={} config={} tags={}",
                d.endpoint_status().map(|s| s.as_str()).unwrap_or_default(),
                d.endpoint_config_name().unwrap_or_default(),
                tags.join(",")
            ));
        }
        lines.sort();
        lines
    }

    pub async fn shards(&self, name: &str) -> i32 {
        self.kinesis
            .describe_stream_summary()
            .stream_name(name)
            .send()
            .await
            .unwrap()
            .stream_description_summary()
            .unwrap()
            .open_shard_count()
    }

    pub async fn reserved(&self, name: &str) -> Option<i32> {
        self.lambda
            .get_function_concurrency()
            .function_name(name)
            .send()
            .await
            .unwrap()
            .reserved_concurrent_executions()
    }

    /// Mapping states of a function: enabled flags.
    pub async fn mappings(&self, function: &str) -> Vec<bool> {
        let out = self
            .lambda
            .list_event_source_mappings()
            .function_name(function)
            .send()
            .await
            .unwrap();
        out.event_source_mappings()
            .iter()
            .map(|m| m.state() == Some("Enabled"))
            .collect()
    }

    pub async fn alarm_actions(&self) -> BTreeMap<String, bool> {
        let mut out = BTreeMap::new();
        let mut pages = self.cloudwatch.describe_alarms().into_paginator().send();
        while let Some(p) = pages.next().await {
            for a in p.unwrap().metric_alarms() {
                out.insert(
                    a.alarm_name().unwrap().to_string(),
                    a.actions_enabled().unwrap_or(false),
                );
            }
        }
        out
    }

    /// A provisioned table (read, write) with global secondary indexes
    /// (name, read, write).
    pub async fn table(&self, name: &str, (r, w): (i64, i64), gsis: &[(&str, i64, i64)]) {
        use aws_sdk_dynamodb::types::*;
        let pt = |r: i64, w: i64| {
            ProvisionedThroughput::builder()
                .read_capacity_units(r)
                .write_capacity_units(w)
                .build()
                .unwrap()
        };
        let key = |a: &str| {
            KeySchemaElement::builder()
                .attribute_name(a)
                .key_type(KeyType::Hash)
                .build()
                .unwrap()
        };
        let def = |a: &str| {
            AttributeDefinition::builder()
                .attribute_name(a)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap()
        };
        let mut req = self
            .dynamodb
            .create_table()
            .table_name(name)
            .billing_mode(BillingMode::Provisioned)
            .provisioned_throughput(pt(r, w))
            .key_schema(key("id"))
            .attribute_definitions(def("id"));
        for (g, gr, gw) in gsis {
            req = req
                .attribute_definitions(def("user"))
                .global_secondary_indexes(
                    GlobalSecondaryIndex::builder()
                        .index_name(*g)
                        .key_schema(key("user"))
                        .projection(
                            Projection::builder()
                                .projection_type(ProjectionType::All)
                                .build(),
                        )
                        .provisioned_throughput(pt(*gr, *gw))
                        .build()
                        .unwrap(),
                );
        }
        req.send().await.unwrap();
    }

    /// A read-capacity scalable target on a table and its target-tracking
    /// policy, as the sample project has.
    pub async fn read_scaling(&self, table: &str, min: i32, max: i32) {
        use aws_sdk_applicationautoscaling::types::*;
        let id = format!("table/{table}");
        self.scaling
            .register_scalable_target()
            .service_namespace(ServiceNamespace::Dynamodb)
            .resource_id(&id)
            .scalable_dimension(ScalableDimension::DynamoDbTableReadCapacityUnits)
            .min_capacity(min)
            .max_capacity(max)
            .send()
            .await
            .unwrap();
        self.scaling
            .put_scaling_policy()
            .policy_name(format!("{table}-read"))
            .service_namespace(ServiceNamespace::Dynamodb)
            .resource_id(&id)
            .scalable_dimension(ScalableDimension::DynamoDbTableReadCapacityUnits)
            .policy_type(PolicyType::TargetTrackingScaling)
            .target_tracking_scaling_policy_configuration(
                TargetTrackingScalingPolicyConfiguration::builder()
                    .target_value(70.0)
                    .predefined_metric_specification(
                        PredefinedMetricSpecification::builder()
                            .predefined_metric_type(MetricType::DynamoDbReadCapacityUtilization)
                            .build()
                            .unwrap(),
                    )
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }

    pub async fn tag_table(&self, name: &str, key: &str, value: &str) {
        let d = self
            .dynamodb
            .describe_table()
            .table_name(name)
            .send()
            .await
            .unwrap();
        let arn = d.table().unwrap().table_arn().unwrap().to_string();
        self.dynamodb
            .tag_resource()
            .resource_arn(arn)
            .tags(
                aws_sdk_dynamodb::types::Tag::builder()
                    .key(key)
                    .value(value)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }

    /// An on-demand stream (moto gives it 4 shards).
    pub async fn on_demand_stream(&self, name: &str) {
        self.kinesis
            .create_stream()
            .stream_name(name)
            .stream_mode_details(
                aws_sdk_kinesis::types::StreamModeDetails::builder()
                    .stream_mode(aws_sdk_kinesis::types::StreamMode::OnDemand)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }

    pub async fn stream_mode(&self, name: &str) -> String {
        let d = self
            .kinesis
            .describe_stream_summary()
            .stream_name(name)
            .send()
            .await
            .unwrap();
        let s = d.stream_description_summary().unwrap();
        s.stream_mode_details().map_or("PROVISIONED".into(), |m| {
            m.stream_mode().as_str().to_string()
        })
    }

    /// Each table's billing mode, capacities, indexes and scaling targets.
    pub async fn tables(&self) -> Vec<String> {
        let mut names = self
            .dynamodb
            .list_tables()
            .send()
            .await
            .unwrap()
            .table_names()
            .to_vec();
        names.sort();
        let mut out = Vec::new();
        for n in names {
            let d = self
                .dynamodb
                .describe_table()
                .table_name(&n)
                .send()
                .await
                .unwrap();
            let t = d.table().unwrap();
            let mode = t
                .billing_mode_summary()
                .and_then(|b| b.billing_mode())
                .map_or("PROVISIONED", |m| m.as_str())
                .to_string();
            let pt = |p: Option<&aws_sdk_dynamodb::types::ProvisionedThroughputDescription>| {
                if mode == "PAY_PER_REQUEST" {
                    return "-".to_string();
                }
                p.map_or("-".into(), |p| {
                    format!(
                        "{}/{}",
                        p.read_capacity_units().unwrap_or(0),
                        p.write_capacity_units().unwrap_or(0)
                    )
                })
            };
            let mut line = format!("table {n} {mode} {}", pt(t.provisioned_throughput()));
            for g in t.global_secondary_indexes() {
                line.push_str(&format!(
                    " gsi {}={}",
                    g.index_name().unwrap(),
                    pt(g.provisioned_throughput())
                ));
            }
            line.push_str(&self.scaling_of(&n).await);
            out.push(line);
        }
        out
    }

    /// ` scaling DIMENSION MIN..MAX suspended=IN,OUT,SCHEDULED policies=N`
    /// for each target of the table and its indexes.
    pub async fn scaling_of(&self, table: &str) -> String {
        use aws_sdk_applicationautoscaling::types::ServiceNamespace;
        let out = self
            .scaling
            .describe_scalable_targets()
            .service_namespace(ServiceNamespace::Dynamodb)
            .send()
            .await
            .unwrap();
        let policies = self
            .scaling
            .describe_scaling_policies()
            .service_namespace(ServiceNamespace::Dynamodb)
            .send()
            .await
            .unwrap();
        let mut s = String::new();
        let prefix = format!("table/{table}");
        for t in out.scalable_targets() {
            let id = t.resource_id();
            if id != prefix && !id.starts_with(&format!("{prefix}/")) {
                continue;
            }
            let st = t.suspended_state();
            let f = |b: Option<bool>| if b.unwrap_or(false) { "y" } else { "n" };
            let n = policies
                .scaling_policies()
                .iter()
                .filter(|p| {
                    p.resource_id() == id && p.scalable_dimension() == t.scalable_dimension()
                })
                .count();
            s.push_str(&format!(
                " scaling {} {}..{} suspended={}{}{} policies={n}",
                t.scalable_dimension().as_str(),
                t.min_capacity(),
                t.max_capacity(),
                f(st.and_then(|s| s.dynamic_scaling_in_suspended())),
                f(st.and_then(|s| s.dynamic_scaling_out_suspended())),
                f(st.and_then(|s| s.scheduled_scaling_suspended())),
            ));
        }
        s
    }

    /// Everything observable, for before/after comparisons.
    pub async fn state(&self) -> String {
        let mut s = String::new();
        let mut streams = self
            .kinesis
            .list_streams()
            .send()
            .await
            .unwrap()
            .stream_names()
            .to_vec();
        streams.sort();
        for n in streams {
            s.push_str(&format!("stream {n} shards={}\n", self.shards(&n).await));
        }
        let mut fns: Vec<String> = self
            .lambda
            .list_functions()
            .send()
            .await
            .unwrap()
            .functions()
            .iter()
            .map(|f| f.function_name().unwrap().to_string())
            .collect();
        fns.sort();
        for f in fns {
            s.push_str(&format!(
                "function {f} reserved={:?} mappings={:?}\n",
                self.reserved(&f).await,
                self.mappings(&f).await
            ));
        }
        for (a, on) in self.alarm_actions().await {
            s.push_str(&format!("alarm {a} actions={on}\n"));
        }
        for e in self.endpoints().await {
            s.push_str(&e);
            s.push('\n');
        }
        for t in self.tables().await {
            s.push_str(&t);
            s.push('\n');
        }
        s
    }
}

impl Sdk {
    /// `n` alarms named `{prefix}{i:03}`, created a few at a time.
    pub async fn alarms_many(&self, prefix: &str, n: usize) -> Vec<String> {
        let names: Vec<String> = (0..n).map(|i| format!("{prefix}{i:03}")).collect();
        for chunk in names.chunks(16) {
            futures::future::join_all(chunk.iter().map(|a| self.alarm(a))).await;
        }
        names
    }

    /// Sets a function's reserved concurrency behind parkctl's back.
    pub async fn set_reserved(&self, function: &str, n: i32) {
        self.lambda
            .put_function_concurrency()
            .function_name(function)
            .reserved_concurrent_executions(n)
            .send()
            .await
            .unwrap();
    }

    /// `state()` without the lines of the resources named `names` (exact
    /// names, so that look-alike resources stay in).
    pub async fn state_without(&self, names: &[&str]) -> String {
        self.state()
            .await
            .lines()
            .filter(|l| {
                !l.split_whitespace()
                    .nth(1)
                    .is_some_and(|n| names.contains(&n))
            })
            .map(|l| format!("{l}\n"))
            .collect()
    }
}
