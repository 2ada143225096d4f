//! DynamoDB over the SDK: ListTables, DescribeTable and ListTagsOfResource
//! reads; one UpdateTable per table and wave (billing mode, the table's
//! and every index's throughput together, as AWS requires for a switch to
//! provisioned), then waiting until the table and its indexes are ACTIVE.

use super::{index, table, table_name, INDEX, NAME, ON_DEMAND, PROVISIONED, TABLE};
use crate::adapter::{Adapter, Connect, Read};
use crate::aws::scaling::Scaling;
use crate::aws::{bounded, each_page, existing, AwsError};
use crate::model::{Resource, Tags, Value};
use crate::outcome::{Interrupt, Outcome};
use crate::plan::Change;
use crate::profile::rule::{sel, Selector};
use aws_sdk_dynamodb::types::{
    BillingMode, GlobalSecondaryIndexUpdate, ProvisionedThroughput,
    ProvisionedThroughputDescription, TableDescription, UpdateGlobalSecondaryIndexAction,
};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::time::Duration;

/// A switch of a large table's mode can take many minutes.
const UPDATE_WAIT: Duration = Duration::from_secs(30 * 60);
const POLL: Duration = Duration::from_secs(5);

pub struct Tables {
    client: Client,
    scaling: Scaling,
    concurrency: usize,
    pace: crate::aws::pace::Pace,
}

impl Tables {
    pub fn new(shared: &crate::aws::Shared) -> Self {
        let conf = aws_sdk_dynamodb::config::Builder::from(&shared.conf)
            .interceptor(shared.log())
            .build();
        Tables {
            client: Client::from_conf(conf),
            scaling: Scaling::new(
                shared,
                aws_sdk_applicationautoscaling::types::ServiceNamespace::Dynamodb,
                super::scaling::resource_id,
                NAME,
            ),
            concurrency: shared.concurrency,
            pace: shared.pace(NAME),
        }
    }

    async fn list_names(&self) -> Result<Vec<String>, AwsError> {
        let mut names = Vec::new();
        let pages = self.client.list_tables().into_paginator().send();
        each_page(
            &self.pace,
            pages,
            ("dynamodb", "ListTables", "the account's tables"),
            |p| names.extend(p.table_names().iter().cloned()),
        )
        .await?;
        Ok(names)
    }

    async fn describe_one(&self, name: &str) -> Result<TableDescription, AwsError> {
        self.pace.wait().await;
        let out = self
            .client
            .describe_table()
            .table_name(name)
            .send()
            .await
            .map_err(|e| {
                AwsError::from_sdk("dynamodb", "DescribeTable", &format!("table {name}"), e)
            })?;
        out.table.ok_or_else(|| {
            AwsError::other(
                "dynamodb",
                "DescribeTable",
                &format!("table {name}"),
                "ResourceNotFoundException",
                "no table in the answer",
            )
        })
    }

    /// Descriptions of the named tables; ones that do not exist are left out.
    async fn describe(&self, names: &[String]) -> Result<Vec<TableDescription>, AwsError> {
        let results = bounded(names.iter(), self.concurrency, |n| self.describe_one(n)).await;
        existing(results)
    }

    /// ListTagsOfResource pages by a token the SDK has no paginator for.
    async fn tags(&self, arn: &str) -> Result<Tags, AwsError> {
        let mut tags = Tags::new();
        let mut token: Option<String> = None;
        loop {
            self.pace.wait().await;
            let out = self
                .client
                .list_tags_of_resource()
                .resource_arn(arn)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("dynamodb", "ListTagsOfResource", arn, e))?;
            for t in out.tags() {
                tags.insert(t.key().to_string(), t.value().to_string());
            }
            match out.next_token {
                Some(t) if !t.is_empty() => token = Some(t),
                _ => return Ok(tags),
            }
        }
    }

    async fn read_tables(&self, sels: &[Selector]) -> Result<Vec<Resource>, AwsError> {
        if sels.is_empty() {
            return Ok(vec![]);
        }
        let cands = match sel::names_only(sels) {
            Some(n) => n,
            None => sel::candidates(sels, self.list_names().await?.iter().map(String::as_str)),
        };
        let mut chosen = Vec::new();
        for d in self.describe(&cands).await? {
            let name = d.table_name().unwrap_or_default().to_string();
            let tags = if sel::need_tags(sels, &name) {
                self.tags(d.table_arn().unwrap_or_default()).await?
            } else {
                Tags::new()
            };
            if sel::selected(sels, &name, &tags) {
                chosen.push((d, tags));
            }
        }
        let mut out = Vec::new();
        for (d, tags) in chosen {
            out.extend(resources(&d, tags));
        }
        self.scaling.attach(&mut out).await?;
        Ok(out)
    }

    /// One UpdateTable for every change of `table` in this wave.
    async fn update(&self, table: &str, changes: &[&Change]) -> Result<(), AwsError> {
        let mut req = self.client.update_table().table_name(table);
        for c in changes.iter().filter(|c| c.resource.kind == TABLE) {
            if c.attr == "billing" {
                let mode = if c.to == ON_DEMAND {
                    BillingMode::PayPerRequest
                } else {
                    BillingMode::Provisioned
                };
                req = req.billing_mode(mode);
            }
            if c.attr != "billing" || c.to == PROVISIONED {
                req = req.provisioned_throughput(throughput(c, table)?);
            }
        }
        let mut seen = Vec::new();
        for c in changes.iter().filter(|c| c.resource.kind == INDEX) {
            if seen.contains(&&c.resource.name) {
                continue;
            }
            seen.push(&c.resource.name);
            let action = UpdateGlobalSecondaryIndexAction::builder()
                .index_name(super::index_name(&c.resource.name))
                .provisioned_throughput(throughput(c, table)?)
                .build()
                .map_err(|e| build_err(table, e))?;
            req = req.global_secondary_index_updates(
                GlobalSecondaryIndexUpdate::builder().update(action).build(),
            );
        }
        self.pace.wait().await;
        req.send().await.map_err(|e| {
            AwsError::from_sdk("dynamodb", "UpdateTable", &format!("table {table}"), e)
        })?;
        tracing::debug!(table, "updated");
        self.wait_active(table).await
    }

    /// Bounded polling until the table and every index are ACTIVE: the next
    /// UpdateTable on it would be refused before.
    async fn wait_active(&self, table: &str) -> Result<(), AwsError> {
        let started = std::time::Instant::now();
        loop {
            let d = self.describe_one(table).await?;
            let busy = d.table_status().is_some_and(|s| s.as_str() != "ACTIVE")
                || d.global_secondary_indexes()
                    .iter()
                    .any(|i| i.index_status().is_some_and(|s| s.as_str() != "ACTIVE"));
            if !busy {
                return Ok(());
            }
            if started.elapsed() > UPDATE_WAIT {
                return Err(AwsError::other(
                    "dynamodb",
                    "DescribeTable (waiting for ACTIVE)",
                    &format!("table {table}"),
                    "Timeout",
                    format!(
                        "still not ACTIVE after {} min; re-run once it is",
                        UPDATE_WAIT.as_secs() / 60
                    ),
                ));
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

const NOT_SUSPENDED: &str = "its auto scaling could not be suspended, and would undo a lower capacity (and spend a decrease); re-run once the suspend succeeds";

/// Tables whose auto scaling suspend (an earlier wave) did not succeed:
/// their capacity is not changed in this run.
fn not_suspended(earlier: &[Outcome]) -> std::collections::BTreeSet<String> {
    crate::services::scaling::not_suspended(earlier, NAME)
        .iter()
        .map(|n| table_name(n).to_string())
        .collect()
}

fn build_err(table: &str, e: impl std::fmt::Display) -> AwsError {
    AwsError::other(
        "dynamodb",
        "UpdateTable",
        &format!("table {table}"),
        "BuildError",
        e.to_string(),
    )
}

/// The change's final read and write units (the planner puts both in its
/// arguments: AWS takes them together).
fn throughput(c: &Change, table: &str) -> Result<ProvisionedThroughput, AwsError> {
    let units = |k: &str| {
        c.args.get(k).and_then(Value::as_i64).ok_or_else(|| {
            build_err(
                table,
                format!(
                    "{} has no {k} to set (a damaged plan?); make a new plan",
                    c.resource
                ),
            )
        })
    };
    ProvisionedThroughput::builder()
        .read_capacity_units(units("read_capacity")?)
        .write_capacity_units(units("write_capacity")?)
        .build()
        .map_err(|e| build_err(table, e))
}

fn time(t: Option<&aws_smithy_types::DateTime>) -> Value {
    t.and_then(|t| DateTime::<Utc>::from_timestamp(t.secs(), 0))
        .map_or(Value::Null, |t| Value::from(t.to_rfc3339()))
}

/// The table and its indexes as resources (auto scaling attached after).
fn resources(d: &TableDescription, tags: Tags) -> Vec<Resource> {
    let name = d.table_name().unwrap_or_default();
    let on_demand = d
        .billing_mode_summary()
        .and_then(|b| b.billing_mode())
        .is_some_and(|m| *m == BillingMode::PayPerRequest);
    let billing = if on_demand { ON_DEMAND } else { PROVISIONED };
    let last_on_demand = d
        .billing_mode_summary()
        .and_then(|b| b.last_update_to_pay_per_request_date_time());
    let mut t = throughput_of(table(name), d.provisioned_throughput(), on_demand)
        .with("status", d.table_status().map_or("ACTIVE", |s| s.as_str()))
        .with("billing", billing)
        .with("last_on_demand", time(last_on_demand))
        .with("size_bytes", d.table_size_bytes().unwrap_or(0).max(0))
        .with("global", !d.replicas().is_empty());
    if let Some(c) = d.creation_date_time() {
        t = t.with(crate::idle::CREATED, crate::idle::created_value(c.secs()));
    }
    t.arn = d.table_arn().unwrap_or_default().to_string();
    t.tags = tags;
    let mut out = vec![];
    let mut names = vec![];
    for g in d.global_secondary_indexes() {
        let ix_name = g.index_name().unwrap_or_default();
        names.push(Value::from(ix_name));
        let mut ix = throughput_of(index(name, ix_name), g.provisioned_throughput(), on_demand)
            .with("status", g.index_status().map_or("ACTIVE", |s| s.as_str()))
            .with("billing", billing)
            .with("global", !d.replicas().is_empty());
        ix.arn = g.index_arn().unwrap_or_default().to_string();
        out.push(ix);
    }
    t.attrs.insert("indexes".into(), Value::Array(names));
    out.insert(0, t);
    out
}

/// Capacities and the decrease counters of a table or an index. On demand
/// the capacities are `null`: AWS shows 0 (moto the old figures), and
/// neither is capacity that bills.
fn throughput_of(
    r: Resource,
    pt: Option<&ProvisionedThroughputDescription>,
    on_demand: bool,
) -> Resource {
    let units = |v: Option<i64>| match on_demand {
        true => Value::Null,
        false => Value::from(v.unwrap_or(0).max(0)),
    };
    let decreases = pt.and_then(|p| p.number_of_decreases_today());
    r.with(
        "read_capacity",
        units(pt.and_then(|p| p.read_capacity_units())),
    )
    .with(
        "write_capacity",
        units(pt.and_then(|p| p.write_capacity_units())),
    )
    .with("decreases_today", decreases.unwrap_or(0).max(0))
    .with(
        "last_decrease",
        time(pt.and_then(|p| p.last_decrease_date_time())),
    )
}

#[async_trait::async_trait(?Send)]
impl Adapter for Tables {
    async fn read(
        &self,
        selectors: &[Selector],
        _facts: bool,
        _early: &crate::adapter::Early,
    ) -> Result<Read, AwsError> {
        Ok(Read::of(self.read_tables(selectors).await?))
    }

    async fn apply(
        &self,
        changes: &[&Change],
        earlier: &[Outcome],
        interrupt: &Interrupt,
    ) -> Vec<Outcome> {
        let (scaling, capacity): (Vec<&Change>, Vec<&Change>) =
            changes.iter().partition(|c| c.attr == "autoscaling");
        let unsafe_tables = &not_suspended(earlier);
        let mut out = self.scaling.apply(&scaling, interrupt).await;
        let mut by_table: BTreeMap<&str, Vec<&Change>> = BTreeMap::new();
        for c in capacity {
            by_table
                .entry(table_name(&c.resource.name))
                .or_default()
                .push(c);
        }
        let groups: Vec<(&str, Vec<&Change>)> = by_table.into_iter().collect();
        let done = bounded(groups.iter(), self.concurrency, |(t, cs)| async move {
            if interrupt.is_raised() {
                return cs
                    .iter()
                    .map(|c| crate::outcome::skipped(c, crate::outcome::INTERRUPTED))
                    .collect();
            }
            if unsafe_tables.contains(*t) {
                return cs
                    .iter()
                    .map(|c| crate::outcome::skipped(c, NOT_SUSPENDED))
                    .collect();
            }
            crate::outcome::timed(cs, self.update(t, cs)).await
        })
        .await;
        out.extend(done.into_iter().flatten());
        out
    }
}

impl Connect for super::DynamoDb {
    fn connect(&self, shared: &crate::aws::Shared) -> Box<dyn Adapter> {
        Box::new(Tables::new(shared))
    }
}
