//! What a live state costs while idle: per resource (each service prices
//! its own), per service, in total; and before and after a plan.
//!
//! Only state is priced (capacity held, resources kept), never usage: usage
//! depends on traffic parkctl cannot foresee, and an idle project has none.
//! A figure that needs a price the table lacks is `None`, shown as
//! "unknown", so that a missing price never reads as free.

use super::money::Money;
use super::pricing::{Known, Pricing};
use super::types::{
    CostComparison, CostDelta, Costs, Lookup, PerService, ResourceCost, HOURS_PER_MONTH,
};
use crate::model::Live;
use crate::services::SERVICES;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub region: String,
    /// The price table used: "built-in prices" or a `--pricing` file.
    pub pricing: String,
    pub currency: String,
    pub hours_per_month: u32,
    pub resources: Vec<ResourceCost>,
    /// Per service that has resources, as `"SERVICE": {...}` keys.
    #[serde(flatten)]
    pub services: PerService<Costs>,
    pub total: Costs,
    pub notes: Vec<String>,
}

/// Every price key some service reads.
pub fn known() -> Vec<Known<'static>> {
    SERVICES
        .iter()
        .flat_map(|s| {
            s.prices().iter().map(|p| Known {
                service: s.name(),
                key: p.key,
                unit: p.unit,
                everywhere: p.everywhere,
            })
        })
        .collect()
}

/// The table shipped with this build.
pub fn builtin() -> Pricing {
    // A broken shipped table is a build defect, caught by the tests.
    Pricing::parse(Pricing::builtin_text(), "built-in prices", &known())
        .expect("pricing/prices.yaml is valid")
}

/// `--pricing FILE`, or the built-in table.
pub fn load(path: Option<&Path>) -> Result<Pricing, String> {
    match path {
        Some(p) => Pricing::load(p, &known()),
        None => Ok(builtin()),
    }
}

pub fn estimate(pricing: &Pricing, region: &str, live: &Live) -> Estimate {
    let mut lookup = Lookup::new(pricing, region);
    let mut resources = Vec::new();
    let mut services = Vec::new();
    for s in SERVICES {
        let mine: Vec<_> = live.of_service(s.name()).collect();
        if mine.is_empty() {
            continue;
        }
        let costs: Vec<ResourceCost> = mine.iter().filter_map(|r| s.cost(r, &mut lookup)).collect();
        let month = sum(costs.iter().map(|c| c.month));
        services.push((s.name().to_string(), Costs::from_month(month)));
        resources.extend(costs);
    }
    let total = sum(services.iter().map(|(_, c)| c.month));
    Estimate {
        region: region.to_string(),
        pricing: pricing.origin.clone(),
        currency: "USD".to_string(),
        hours_per_month: HOURS_PER_MONTH,
        resources,
        services: PerService(services),
        total: Costs::from_month(total),
        notes: lookup.notes,
    }
}

/// Unknown if any part is: a partial sum would understate the bill. An
/// empty sum is zero.
fn sum(parts: impl Iterator<Item = Option<Money>>) -> Option<Money> {
    parts.sum()
}

/// What the state `after` costs beside `before` (the live state once a
/// plan has run: `planner::after`).
pub fn compare(pricing: &Pricing, region: &str, before: &Live, after: &Live) -> CostComparison {
    let a = estimate(pricing, region, before);
    let b = estimate(pricing, region, after);
    let mut notes = a.notes.clone();
    for n in &b.notes {
        if !notes.contains(n) {
            notes.push(n.clone());
        }
    }
    let services = SERVICES
        .iter()
        .map(|s| s.name())
        .filter(|s| a.services.get(s).is_some() || b.services.get(s).is_some())
        .map(|s| {
            let month = |e: &Estimate| match e.services.get(s) {
                Some(c) => c.month,
                None => Some(Money::ZERO),
            };
            (s.to_string(), CostDelta::new(month(&a), month(&b)))
        })
        .collect();
    CostComparison {
        region: region.to_string(),
        pricing: pricing.origin.clone(),
        currency: "USD".to_string(),
        hours_per_month: HOURS_PER_MONTH,
        services: PerService(services),
        total: CostDelta::new(a.total.month, b.total.month),
        notes,
    }
}
