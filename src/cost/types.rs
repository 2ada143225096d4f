//! The cost model's data: what one resource costs, totals at three scales,
//! before and after a plan, and the price look-up a service prices with.
//! No service is named here; each prices its own resources.

use super::money::Money;
use super::pricing::{Price, Pricing};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// AWS bills a month as 730 hours (365 * 24 / 12).
pub const HOURS_PER_MONTH: u32 = 730;
pub const HOURS_PER_DAY: u32 = 24;

/// What a window of `hours` that cost `usd` costs over a 730-hour month, at
/// the same rate (usage figures: the last window's rate continues).
pub fn month_of_window(usd: f64, hours: f64) -> Money {
    Money::approx(usd * f64::from(HOURS_PER_MONTH) / hours.max(1.0))
}

/// One cost at three scales. Derived from the month, the unit some prices
/// are in, so that hour and day are exact whenever they can be.
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
    /// The figure in its parts, where it has several a reader acts on
    /// apart (a busy function's compute and its logs); empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<CostPart>,
}

/// One part of a resource's monthly cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostPart {
    pub what: String,
    pub month: Option<Money>,
}

/// `None` is unknown (no price). `saving` is `before - after`: negative
/// when the plan costs more, as unparking does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CostDelta {
    pub before: Option<Money>,
    pub after: Option<Money>,
    pub saving: Option<Money>,
}

impl CostDelta {
    pub fn new(before: Option<Money>, after: Option<Money>) -> CostDelta {
        CostDelta {
            before,
            after,
            saving: before.zip(after).map(|(b, a)| b - a),
        }
    }
}

/// Monthly figures (730 h, USD) before and after a plan, carried in the
/// plan's JSON so that scripts see the numbers the text shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostComparison {
    pub region: String,
    /// The price table used: "built-in prices" or a `--pricing` file.
    pub pricing: String,
    pub currency: String,
    pub hours_per_month: u32,
    /// Per service, as `"SERVICE": {...}` keys beside the others.
    #[serde(flatten)]
    pub services: PerService<CostDelta>,
    pub total: CostDelta,
    pub notes: Vec<String>,
}

/// Values per service in registry order, written as JSON keys (so that a
/// script reads `cost.SERVICE.saving`).
#[derive(Debug, Clone, Default)]
pub struct PerService<T>(pub Vec<(String, T)>);

/// The same values per service, whatever the order (JSON read back sorts
/// its keys).
impl<T: PartialEq> PartialEq for PerService<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .all(|(k, v)| other.get(k).is_some_and(|w| w == v))
    }
}

impl<T> PerService<T> {
    pub fn get(&self, service: &str) -> Option<&T> {
        self.0.iter().find(|(s, _)| s == service).map(|(_, v)| v)
    }
}

impl<T: Serialize> Serialize for PerService<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for PerService<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let m = BTreeMap::<String, T>::deserialize(d)?;
        Ok(PerService(m.into_iter().collect()))
    }
}

/// Finds prices and says, once each, which were missing or unverified.
pub struct Lookup<'a> {
    pub region: &'a str,
    pub origin: &'a str,
    pricing: &'a Pricing,
    pub notes: Vec<String>,
}

impl<'a> Lookup<'a> {
    pub fn new(pricing: &'a Pricing, region: &'a str) -> Self {
        Lookup {
            region,
            origin: &pricing.origin,
            pricing,
            notes: Vec::new(),
        }
    }

    /// The price of `service`.`key`; `label` names it in notes.
    pub fn price(&mut self, service: &str, key: &str, label: &str) -> Option<&'a Price> {
        let (region, origin) = (self.region, self.origin);
        let Some(prices) = self.pricing.region(region) else {
            self.note(&format!(
                "no prices for region {region} in {origin}: costs are unknown; pass --pricing FILE with prices for {region}"
            ));
            return None;
        };
        let Some(p) = prices.get(service).and_then(|s| s.get(key)) else {
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

    pub fn note(&mut self, text: &str) {
        if !self.notes.iter().any(|n| n == text) {
            self.notes.push(text.to_string());
        }
    }
}

impl ResourceCost {
    pub fn new(id: &crate::model::ResourceId, basis: String, month: Option<Money>) -> ResourceCost {
        ResourceCost {
            service: id.service.to_string(),
            kind: id.title(),
            name: id.shown_name().to_string(),
            basis,
            month,
            parts: vec![],
        }
    }

    /// With its parts (`what`, monthly figure), which sum to `month`.
    pub fn with_parts(mut self, parts: Vec<(&str, Option<Money>)>) -> ResourceCost {
        self.parts = parts
            .into_iter()
            .map(|(what, month)| CostPart {
                what: what.to_string(),
                month,
            })
            .collect();
        self
    }
}
