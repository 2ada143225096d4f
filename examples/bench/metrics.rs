//! CloudWatch datapoints for the usage metrics a plan reads, so that its
//! metrics pass (and the sequential reader's GetMetricStatistics) find
//! data: per busy function its invocations, duration and log ingestion,
//! per busy stream its incoming bytes and records, per busy table (and
//! index) its consumed read and write capacity. One resource in
//! [`BUSY_EVERY`] is busy; the others are idle and have no datapoint, as
//! CloudWatch has none for a resource nothing used. (moto answers each
//! query by scanning every datapoint of the window, so more datapoints
//! would make the emulator, not the reads, the measure.)

use super::account::{self, Sizes};
use super::common::seed::Sdk;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum};
use futures::stream::{self, StreamExt};

/// Datapoints per PutMetricData call (AWS takes up to 1,000).
const PER_CALL: usize = 500;
/// One resource in this many is busy.
pub const BUSY_EVERY: usize = 4;
/// Hours back: one datapoint within the last day.
const HOURS: [i64; 1] = [2];

/// A metric: (namespace, name, dimensions).
type Metric = (&'static str, &'static str, Vec<(&'static str, String)>);

/// The usage metrics of the busy resources.
fn busy_metrics(s: &Sizes) -> Vec<Metric> {
    let busy = |i: &usize| i.is_multiple_of(BUSY_EVERY);
    let mut out = vec![];
    for (_, f) in account::selected_functions(s)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| busy(i))
    {
        for m in ["Invocations", "Duration"] {
            out.push(("AWS/Lambda", m, vec![("FunctionName", f.clone())]));
        }
        let group = format!("{}{f}", account::LOG_PREFIX);
        out.push(("AWS/Logs", "IncomingBytes", vec![("LogGroupName", group)]));
    }
    for (_, st) in account::streams(s)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| busy(i))
    {
        for m in ["IncomingBytes", "IncomingRecords"] {
            out.push(("AWS/Kinesis", m, vec![("StreamName", st.clone())]));
        }
    }
    for (i, t) in account::tables(s)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| busy(i))
    {
        for m in ["ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits"] {
            out.push(("AWS/DynamoDB", m, vec![("TableName", t.clone())]));
            if i < s.indexed_tables {
                out.push((
                    "AWS/DynamoDB",
                    m,
                    vec![
                        ("TableName", t.clone()),
                        ("GlobalSecondaryIndexName", "by-user".into()),
                    ],
                ));
            }
        }
    }
    out
}

/// Puts a datapoint of each usage metric of the busy resources; returns
/// how many.
pub async fn seed(sdk: &Sdk, s: &Sizes) -> usize {
    let now = chrono::Utc::now();
    let mut data: Vec<(&str, MetricDatum)> = vec![];
    for (i, (ns, metric, dims)) in busy_metrics(s).into_iter().enumerate() {
        for h in HOURS {
            let t = now - chrono::Duration::hours(h);
            let d = MetricDatum::builder()
                .metric_name(metric)
                .set_dimensions(Some(
                    dims.iter()
                        .map(|(n, v)| Dimension::builder().name(*n).value(v).build())
                        .collect(),
                ))
                .timestamp(aws_smithy_types::DateTime::from_secs(t.timestamp()))
                .value(((i % 97) + 1) as f64 * 10.0)
                .build();
            data.push((ns, d));
        }
    }
    let total = data.len();
    // One namespace per call.
    let mut batches: Vec<(&str, Vec<MetricDatum>)> = vec![];
    for (ns, d) in data {
        match batches.last_mut() {
            Some((n, b)) if *n == ns && b.len() < PER_CALL => b.push(d),
            _ => batches.push((ns, vec![d])),
        }
    }
    stream::iter(batches)
        .for_each_concurrent(4, |(ns, b)| async move {
            sdk.cloudwatch
                .put_metric_data()
                .namespace(ns)
                .set_metric_data(Some(b))
                .send()
                .await
                .unwrap();
        })
        .await;
    total
}
