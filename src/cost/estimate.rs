//! What a live state costs while idle: per resource, per service, in total.
//!
//! Only state is priced (shards, streams, alarms), never usage (requests,
//! data, GB-seconds): usage depends on traffic parkctl cannot foresee, and
//! an idle project has none. A figure that needs a price the table lacks is
//! `None`, shown as "unknown", so that a missing price never reads as free.

use super::money::Money;
use super::pricing::{Price, Pricing, RegionPrices};
use crate::model::{Alarm, Live, Stream, StreamMode};
use serde::{Deserialize, Serialize};

/// AWS bills a month as 730 hours (365 * 24 / 12).
pub const HOURS_PER_MONTH: u32 = 730;
pub const HOURS_PER_DAY: u32 = 24;

pub const CLOUDWATCH_NOTE: &str =
    "CloudWatch alarms are billed per alarm whether or not actions are enabled: disabling them saves nothing";
pub const LAMBDA_NOTE: &str =
    "Lambda costs only when invoked: reserved concurrency changes save nothing directly, idle functions cost $0";
const ON_DEMAND_NOTE: &str =
    "on-demand Kinesis streams are also billed per GB written and read: only their stream-hours are counted";
const RETENTION_NOTE: &str =
    "Kinesis streams keeping data longer than 24 h also pay for extended retention, which is not counted";

/// One cost at three scales. Derived from the month, the unit alarms are
/// billed in, so that hour and day are exact whenever they can be.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Costs {
    pub hour: Option<Money>,
    pub day: Option<Money>,
    pub month: Option<Money>,
}

impl Costs {
    pub fn from_month(month: Option<Money>) -> Costs {
        let per =
            |hours: u32| month.map(|m| m.scale(i128::from(hours), i128::from(HOURS_PER_MONTH)));
        Costs {
            hour: per(1),
            day: per(HOURS_PER_DAY),
            month,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceCost {
    pub service: String,
    pub kind: String,
    pub name: String,
    /// How the figure was reached ("2 shards x $0.015/shard-hour"), so that
    /// a reader can check it against the pricing page.
    pub basis: String,
    pub month: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub region: String,
    /// The price table used: "built-in prices" or a `--pricing` file.
    pub pricing: String,
    pub currency: String,
    pub hours_per_month: u32,
    pub resources: Vec<ResourceCost>,
    pub kinesis: Costs,
    pub lambda: Costs,
    pub cloudwatch: Costs,
    pub total: Costs,
    pub notes: Vec<String>,
}

pub fn estimate(pricing: &Pricing, region: &str, live: &Live) -> Estimate {
    let mut lookup = Lookup {
        region,
        origin: &pricing.origin,
        prices: pricing.region(region),
        notes: Vec::new(),
    };
    let mut resources: Vec<ResourceCost> = live
        .streams
        .iter()
        .map(|s| stream_cost(&mut lookup, s))
        .collect();
    for f in &live.functions {
        lookup.note(LAMBDA_NOTE);
        let basis = "billed per request and GB-second only: $0 while idle".to_string();
        resources.push(line(
            "lambda",
            "lambda function",
            &f.name,
            basis,
            Some(Money::ZERO),
        ));
    }
    resources.extend(live.alarms.iter().map(|a| alarm_cost(&mut lookup, a)));

    let service = |name: &str| {
        sum(resources
            .iter()
            .filter(|r| r.service == name)
            .map(|r| r.month))
    };
    let (kinesis, lambda, cloudwatch) =
        (service("kinesis"), service("lambda"), service("cloudwatch"));
    let total = sum([kinesis, lambda, cloudwatch].into_iter());
    Estimate {
        region: region.to_string(),
        pricing: pricing.origin.clone(),
        currency: "USD".to_string(),
        hours_per_month: HOURS_PER_MONTH,
        resources,
        kinesis: Costs::from_month(kinesis),
        lambda: Costs::from_month(lambda),
        cloudwatch: Costs::from_month(cloudwatch),
        total: Costs::from_month(total),
        notes: lookup.notes,
    }
}

fn stream_cost(lookup: &mut Lookup, s: &Stream) -> ResourceCost {
    if s.retention_hours > 24 {
        lookup.note(RETENTION_NOTE);
    }
    let hours = u64::from(HOURS_PER_MONTH);
    let (basis, month) = match s.mode {
        StreamMode::Provisioned => {
            let shards = format!(
                "{} shard{}",
                s.open_shards,
                if s.open_shards == 1 { "" } else { "s" }
            );
            match lookup.price("Kinesis shard-hour", |r| r.kinesis.shard_hour.as_ref()) {
                Some(p) => (
                    format!("{shards} x {}/shard-hour", p.usd.exact()),
                    Some(p.usd.times(u64::from(s.open_shards) * hours)),
                ),
                None => (format!("{shards}, no shard-hour price"), None),
            }
        }
        StreamMode::OnDemand => {
            lookup.note(ON_DEMAND_NOTE);
            match lookup.price("Kinesis on-demand stream-hour", |r| {
                r.kinesis.on_demand_stream_hour.as_ref()
            }) {
                Some(p) => (
                    format!("on-demand, {}/stream-hour plus data", p.usd.exact()),
                    Some(p.usd.times(hours)),
                ),
                None => ("on-demand, no stream-hour price".to_string(), None),
            }
        }
    };
    line("kinesis", "kinesis stream", &s.name, basis, month)
}

fn alarm_cost(lookup: &mut Lookup, a: &Alarm) -> ResourceCost {
    if !a.actions_enabled {
        lookup.note(CLOUDWATCH_NOTE);
    }
    let (kind, price) = if a.high_resolution {
        let p = lookup.price("CloudWatch high-resolution alarm", |r| {
            r.cloudwatch.high_resolution_alarm.as_ref()
        });
        ("high-resolution", p)
    } else {
        (
            "standard",
            lookup.price("CloudWatch standard alarm", |r| {
                r.cloudwatch.standard_alarm.as_ref()
            }),
        )
    };
    let (basis, month) = match price {
        Some(p) => (
            format!("{kind} alarm, {}/alarm-month", p.usd.exact()),
            Some(p.usd),
        ),
        None => (format!("{kind} alarm, no alarm price"), None),
    };
    line("cloudwatch", "cloudwatch alarm", &a.name, basis, month)
}

fn line(
    service: &str,
    kind: &str,
    name: &str,
    basis: String,
    month: Option<Money>,
) -> ResourceCost {
    ResourceCost {
        service: service.to_string(),
        kind: kind.to_string(),
        name: name.to_string(),
        basis,
        month,
    }
}

/// Unknown if any part is: a partial sum would understate the bill.
fn sum(parts: impl Iterator<Item = Option<Money>>) -> Option<Money> {
    parts.sum()
}

/// Finds prices and says, once each, which were missing or unverified.
struct Lookup<'a> {
    region: &'a str,
    origin: &'a str,
    prices: Option<&'a RegionPrices>,
    notes: Vec<String>,
}

impl<'a> Lookup<'a> {
    fn price(
        &mut self,
        label: &str,
        pick: impl Fn(&'a RegionPrices) -> Option<&'a Price>,
    ) -> Option<&'a Price> {
        let (region, origin) = (self.region, self.origin);
        let Some(prices) = self.prices else {
            self.note(&format!(
                "no prices for region {region} in {origin}: costs are unknown; pass --pricing FILE with prices for {region}"
            ));
            return None;
        };
        let Some(p) = pick(prices) else {
            self.note(&format!(
                "no {label} price for {region} in {origin}: those costs are unknown"
            ));
            return None;
        };
        if !p.verified {
            self.note(&format!(
                "the {label} price for {region} ({}/{}, {}) is unverified: check it on {}",
                p.usd.exact(),
                p.unit,
                p.taken,
                p.source
            ));
        }
        Some(p)
    }

    fn note(&mut self, text: &str) {
        if !self.notes.iter().any(|n| n == text) {
            self.notes.push(text.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::fixtures::*;

    fn builtin(region: &str, live: &Live) -> Estimate {
        estimate(&Pricing::builtin(), region, live)
    }

    fn streams(shards: u32) -> Live {
        Live {
            streams: vec![stream("s", StreamMode::Provisioned, shards)],
            ..Live::default()
        }
    }

    #[test]
    fn two_shard_stream_us_east_1() {
        let e = builtin("us-east-1", &streams(2));
        assert_eq!(e.kinesis.hour, Some(usd("0.030")));
        assert_eq!(e.kinesis.hour.unwrap().usd(3), "$0.030");
        assert_eq!(e.kinesis.day, Some(usd("0.72")));
        assert_eq!(e.kinesis.month, Some(usd("21.90")));
        assert_eq!(e.total.month.unwrap().to_string(), "$21.90");
        assert_eq!(e.resources[0].basis, "2 shards x $0.015/shard-hour");
        assert!(e.notes.is_empty(), "{:?}", e.notes);
    }

    #[test]
    fn one_shard_stream_us_east_1() {
        let e = builtin("us-east-1", &streams(1));
        assert_eq!(e.kinesis.month.unwrap().to_string(), "$10.95");
        assert_eq!(e.resources[0].basis, "1 shard x $0.015/shard-hour");
    }

    #[test]
    fn nine_standard_alarms_cost_the_same_enabled_or_not() {
        for enabled in [true, false] {
            let live = Live {
                alarms: (0..9)
                    .map(|i| alarm(&format!("a{i}"), enabled, false))
                    .collect(),
                ..Live::default()
            };
            let e = builtin("us-east-1", &live);
            assert_eq!(e.cloudwatch.month, Some(usd("0.90")));
            assert_eq!(e.total.month.unwrap().to_string(), "$0.90");
            assert_eq!(e.notes.iter().any(|n| n == CLOUDWATCH_NOTE), !enabled);
        }
    }

    #[test]
    fn high_resolution_alarm_and_on_demand_stream() {
        let live = Live {
            streams: vec![stream("od", StreamMode::OnDemand, 4)],
            alarms: vec![alarm("fast", true, true)],
            ..Live::default()
        };
        let e = builtin("us-east-1", &live);
        assert_eq!(e.cloudwatch.month, Some(usd("0.30")));
        assert_eq!(e.kinesis.month, Some(usd("29.20")));
        assert!(e
            .notes
            .iter()
            .any(|n| n.contains("per GB written and read")));
    }

    #[test]
    fn functions_cost_nothing_whatever_their_concurrency() {
        let live = Live {
            functions: vec![
                function("a", None, "s"),
                function("b", Some(0), "s"),
                function("c", Some(50), "s"),
            ],
            ..Live::default()
        };
        let e = builtin("us-east-1", &live);
        assert_eq!(e.lambda, Costs::from_month(Some(Money::ZERO)));
        assert!(e.resources.iter().all(|r| r.month == Some(Money::ZERO)));
        assert_eq!(e.notes, vec![LAMBDA_NOTE.to_string()]);
    }

    #[test]
    fn unknown_region_is_unknown_not_zero() {
        let e = builtin("mars-north-1", &project());
        assert_eq!(e.kinesis, Costs::default());
        assert_eq!(e.cloudwatch.month, None);
        assert_eq!(e.total, Costs::default());
        assert_eq!(e.lambda.month, Some(Money::ZERO));
        assert!(e
            .resources
            .iter()
            .filter(|r| r.service != "lambda")
            .all(|r| r.month.is_none()));
        let missing: Vec<_> = e
            .notes
            .iter()
            .filter(|n| n.contains("no prices for region mars-north-1"))
            .collect();
        assert_eq!(missing.len(), 1, "{:?}", e.notes);
    }

    #[test]
    fn a_missing_price_makes_only_its_service_unknown() {
        let text = "regions:\n  us-east-1:\n    kinesis:\n      shard_hour: {usd: 0.015, unit: shard-hour, taken: 2026-11-01, verified: true, source: \"https://x\"}\n";
        let e = estimate(
            &Pricing::parse(text, "mine.yaml").unwrap(),
            "us-east-1",
            &project(),
        );
        assert_eq!(e.kinesis.month, Some(usd("21.90")));
        assert_eq!(e.cloudwatch.month, None);
        assert_eq!(e.total.month, None);
        assert!(e.notes.iter().any(|n| n == "no CloudWatch standard alarm price for us-east-1 in mine.yaml: those costs are unknown"));
    }

    #[test]
    fn unverified_prices_are_flagged_once() {
        let e = builtin("eu-central-1", &project());
        let flagged: Vec<_> = e
            .notes
            .iter()
            .filter(|n| n.contains("unverified"))
            .collect();
        assert_eq!(flagged.len(), 2, "{flagged:?}");
        assert!(flagged[0].contains("Kinesis shard-hour price for eu-central-1"));
        assert!(flagged[0].contains("https://aws.amazon.com/kinesis/data-streams/pricing/"));
    }

    #[test]
    fn extended_retention_is_noted_not_priced() {
        let mut live = streams(1);
        live.streams[0].retention_hours = 168;
        let e = builtin("us-east-1", &live);
        assert_eq!(e.kinesis.month, Some(usd("10.95")));
        assert!(e.notes.iter().any(|n| n.contains("extended retention")));
    }

    #[test]
    fn empty_state_costs_zero() {
        let e = builtin("us-east-1", &Live::default());
        assert_eq!(e.total, Costs::from_month(Some(Money::ZERO)));
        assert!(e.resources.is_empty() && e.notes.is_empty());
    }

    #[test]
    fn alarm_hour_is_rounded_to_the_picodollar() {
        let c = Costs::from_month(Some(usd("0.90")));
        assert_eq!(c.hour.unwrap().picos(), 1_232_876_712);
        assert_eq!(c.day.unwrap().usd(4), "$0.0296");
    }
}
