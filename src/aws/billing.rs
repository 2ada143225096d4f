//! Cost Explorer's GetCostAndUsage: what AWS billed per day and service,
//! filtered by a cost-allocation tag. Cost Explorer charges $0.01 per
//! request, so only `parkctl billing` calls it: one request, plus one per
//! further page.

use super::AwsError;
use crate::cost::money::Money;
use aws_sdk_costexplorer::types::{
    DateInterval, Expression, Granularity, GroupDefinition, GroupDefinitionType, TagValues,
};
use aws_sdk_costexplorer::Client;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// The IAM action `parkctl billing` needs.
pub const IAM_READ: &str = "ce:GetCostAndUsage";
const METRIC: &str = "UnblendedCost";

/// One day as Cost Explorer reports it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Day {
    pub date: NaiveDate,
    /// AWS has not finalised the figures (the last day or two).
    pub estimated: bool,
    pub services: BTreeMap<String, Money>,
}

impl Day {
    pub fn total(&self) -> Money {
        self.services
            .values()
            .copied()
            .fold(Money::ZERO, |a, b| a + b)
    }
}

pub struct CostExplorer {
    client: Client,
}

impl CostExplorer {
    pub fn new(shared: &super::Shared) -> Self {
        // Cost Explorer has one endpoint, in us-east-1, for every region.
        let conf = aws_sdk_costexplorer::config::Builder::from(&shared.conf)
            .region(aws_types::region::Region::new("us-east-1"))
            .interceptor(shared.log())
            .build();
        CostExplorer {
            client: Client::from_conf(conf),
        }
    }

    /// Daily unblended cost per service from `start` to `end` (exclusive)
    /// of resources tagged `key=value`.
    pub async fn daily(
        &self,
        start: NaiveDate,
        end: NaiveDate,
        (key, value): (&str, &str),
    ) -> Result<Vec<Day>, AwsError> {
        let what = format!("cost of tag {key}={value}");
        let build = |e: aws_sdk_costexplorer::error::BuildError| {
            AwsError::other("ce", "GetCostAndUsage", &what, "BuildError", e.to_string())
        };
        let period = DateInterval::builder()
            .start(start.to_string())
            .end(end.to_string())
            .build()
            .map_err(build)?;
        let filter = Expression::builder()
            .tags(TagValues::builder().key(key).values(value).build())
            .build();
        let by_service = GroupDefinition::builder()
            .r#type(GroupDefinitionType::Dimension)
            .key("SERVICE")
            .build();
        let mut days = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .client
                .get_cost_and_usage()
                .time_period(period.clone())
                .granularity(Granularity::Daily)
                .metrics(METRIC)
                .group_by(by_service.clone())
                .filter(filter.clone())
                .set_next_page_token(token.take())
                .send()
                .await
                .map_err(|e| AwsError::from_sdk("ce", "GetCostAndUsage", &what, e))?;
            days.extend(out.results_by_time().iter().filter_map(day));
            match out.next_page_token {
                Some(t) if !t.is_empty() => token = Some(t),
                _ => return Ok(merge(days)),
            }
        }
    }
}

fn amount(m: Option<&aws_sdk_costexplorer::types::MetricValue>) -> Money {
    m.and_then(|m| m.amount())
        .and_then(|a| Money::parse_usd(a).ok())
        .unwrap_or(Money::ZERO)
}

fn day(r: &aws_sdk_costexplorer::types::ResultByTime) -> Option<Day> {
    let date = NaiveDate::parse_from_str(r.time_period()?.start(), "%Y-%m-%d").ok()?;
    let mut services = BTreeMap::new();
    for g in r.groups() {
        let name = g.keys().first().cloned().unwrap_or_else(|| "Other".into());
        let m = g.metrics().and_then(|m| m.get(METRIC));
        *services.entry(name).or_insert(Money::ZERO) = amount(m);
    }
    if services.is_empty() {
        // Ungrouped answers carry the day's total only.
        let total = amount(r.total().and_then(|t| t.get(METRIC)));
        if total != Money::ZERO {
            services.insert("Total".into(), total);
        }
    }
    Some(Day {
        date,
        estimated: r.estimated(),
        services,
    })
}

/// Pages may split a day's groups: one entry per day.
fn merge(days: Vec<Day>) -> Vec<Day> {
    let mut by: BTreeMap<NaiveDate, Day> = BTreeMap::new();
    for d in days {
        let e = by.entry(d.date).or_insert_with(|| Day {
            date: d.date,
            estimated: false,
            services: BTreeMap::new(),
        });
        e.estimated |= d.estimated;
        for (k, v) in d.services {
            let slot = e.services.entry(k).or_insert(Money::ZERO);
            *slot = *slot + v;
        }
    }
    by.into_values().collect()
}
