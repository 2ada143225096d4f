//! The price table: shipped in the binary, replaceable with `--pricing`.
//!
//! Prices change and differ per region, so they live in a data file a
//! reader can check against the AWS pricing pages, not in code. Every
//! price carries its unit, and a unit other than the one parkctl computes
//! with is refused: converting silently is how a per-month price ends up
//! multiplied by 730 hours.

use super::money::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

const BUILTIN: &str = include_str!("../../pricing/prices.yaml");

/// A pricing file larger than this is not a price table.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct Pricing {
    /// Where the figures come from ("built-in prices" or the file's path),
    /// so that notes can say which table to fix.
    pub origin: String,
    pub regions: BTreeMap<String, RegionPrices>,
}

/// Prices of one region by service and key (`SERVICE` -> `KEY`). An
/// absent price is unknown, never free: estimates that need it say so.
pub type RegionPrices = BTreeMap<String, BTreeMap<String, Price>>;

/// A price key a service reads, with the unit it computes with.
pub struct Known<'a> {
    pub service: &'a str,
    pub key: &'a str,
    pub unit: &'a str,
    /// Expected in every region of the built-in table.
    pub everywhere: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub usd: Money,
    pub unit: String,
    /// The day the figure was read from `source`.
    pub taken: NaiveDate,
    pub source: String,
    /// Absent means unverified: a figure nobody checked must not pass for
    /// one somebody did.
    #[serde(default)]
    pub verified: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PricingFile {
    regions: BTreeMap<String, RegionPrices>,
}

impl Pricing {
    /// Reads a price table; `origin` names it in errors and notes. Every
    /// price must be one some service reads (`known`), in its unit.
    pub fn parse(text: &str, origin: &str, known: &[Known]) -> Result<Pricing, String> {
        let file: PricingFile = serde_yaml::from_str(text)
            .map_err(|e| format!("{origin}: not a valid pricing file: {e}"))?;
        if file.regions.is_empty() {
            return Err(format!("{origin}: the pricing file lists no region"));
        }
        for (region, services) in &file.regions {
            for (service, prices) in services {
                for (key, p) in prices {
                    let at = format!("{origin}: regions.{region}.{service}.{key}");
                    let Some(k) = known.iter().find(|k| k.service == service && k.key == key)
                    else {
                        return Err(format!("{at}: parkctl reads no such price"));
                    };
                    check(p, k.unit).map_err(|e| format!("{at}: {e}"))?;
                }
            }
        }
        Ok(Pricing {
            origin: origin.to_string(),
            regions: file.regions,
        })
    }

    /// Reads a pricing file (with a size cap).
    pub fn load(path: &Path, known: &[Known]) -> Result<Pricing, String> {
        let bytes = crate::fsutil::read_capped(path, MAX_FILE_BYTES)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("{}: pricing file is not UTF-8 text", path.display()))?;
        Pricing::parse(&text, &path.display().to_string(), known)
    }

    /// The table shipped with this build, as text.
    pub fn builtin_text() -> &'static str {
        BUILTIN
    }

    pub fn region(&self, name: &str) -> Option<&RegionPrices> {
        self.regions.get(name)
    }
}

fn check(p: &Price, expected_unit: &str) -> Result<(), String> {
    if p.unit != expected_unit {
        return Err(format!("unit is {:?}, expected {expected_unit:?}", p.unit));
    }
    if p.usd < Money::ZERO {
        return Err(format!("price {} is negative", p.usd.usd(12)));
    }
    if p.source.trim().is_empty() {
        return Err("source is empty: name the AWS pricing page the figure comes from".into());
    }
    Ok(())
}
