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

/// An absent price is unknown, never free: estimates that need it say so.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionPrices {
    #[serde(default)]
    pub kinesis: KinesisPrices,
    #[serde(default)]
    pub lambda: LambdaPrices,
    #[serde(default)]
    pub cloudwatch: CloudWatchPrices,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KinesisPrices {
    pub shard_hour: Option<Price>,
    pub on_demand_stream_hour: Option<Price>,
}

/// Recorded for reference only: both are usage, so an idle function costs
/// nothing whatever its settings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LambdaPrices {
    pub requests: Option<Price>,
    pub gb_second: Option<Price>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudWatchPrices {
    pub standard_alarm: Option<Price>,
    pub high_resolution_alarm: Option<Price>,
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
    /// The table shipped with this build.
    pub fn builtin() -> Pricing {
        // A broken shipped table is a build defect, caught by the tests.
        Pricing::parse(BUILTIN, "built-in prices").expect("pricing/prices.yaml is valid")
    }

    pub fn load(path: &Path) -> Result<Pricing, String> {
        let bytes = crate::fsutil::read_capped(path, MAX_FILE_BYTES)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("{}: pricing file is not UTF-8 text", path.display()))?;
        Pricing::parse(&text, &path.display().to_string())
    }

    /// `origin` names the source in errors and notes.
    pub fn parse(text: &str, origin: &str) -> Result<Pricing, String> {
        let file: PricingFile = serde_yaml::from_str(text)
            .map_err(|e| format!("{origin}: not a valid pricing file: {e}"))?;
        if file.regions.is_empty() {
            return Err(format!("{origin}: the pricing file lists no region"));
        }
        for (region, prices) in &file.regions {
            for (key, expected, price) in prices.entries() {
                if let Some(p) = price {
                    check(p, expected)
                        .map_err(|e| format!("{origin}: regions.{region}.{key}: {e}"))?;
                }
            }
        }
        Ok(Pricing {
            origin: origin.to_string(),
            regions: file.regions,
        })
    }

    pub fn region(&self, name: &str) -> Option<&RegionPrices> {
        self.regions.get(name)
    }
}

impl RegionPrices {
    /// Every price with its key in the file and the unit the cost model
    /// computes with.
    fn entries(&self) -> [(&'static str, &'static str, Option<&Price>); 6] {
        [
            (
                "kinesis.shard_hour",
                "shard-hour",
                self.kinesis.shard_hour.as_ref(),
            ),
            (
                "kinesis.on_demand_stream_hour",
                "stream-hour",
                self.kinesis.on_demand_stream_hour.as_ref(),
            ),
            (
                "lambda.requests",
                "1M requests",
                self.lambda.requests.as_ref(),
            ),
            (
                "lambda.gb_second",
                "GB-second",
                self.lambda.gb_second.as_ref(),
            ),
            (
                "cloudwatch.standard_alarm",
                "alarm-month",
                self.cloudwatch.standard_alarm.as_ref(),
            ),
            (
                "cloudwatch.high_resolution_alarm",
                "alarm-month",
                self.cloudwatch.high_resolution_alarm.as_ref(),
            ),
        ]
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

#[cfg(test)]
mod tests {
    use super::*;

    const REGIONS: [&str; 6] = [
        "us-east-1",
        "us-east-2",
        "us-west-2",
        "eu-west-1",
        "eu-central-1",
        "ap-southeast-1",
    ];

    fn usd(s: &str) -> Money {
        Money::parse_usd(s).unwrap()
    }

    #[test]
    fn builtin_parses_and_covers_the_regions() {
        let p = Pricing::builtin();
        assert_eq!(p.origin, "built-in prices");
        for r in REGIONS {
            let prices = p.region(r).unwrap_or_else(|| panic!("{r} missing"));
            for (key, _, price) in prices.entries() {
                let price = price.unwrap_or_else(|| panic!("{r} {key} missing"));
                assert!(
                    price.source.starts_with("https://aws.amazon.com/"),
                    "{r} {key}"
                );
            }
        }
    }

    #[test]
    fn builtin_us_east_1_figures() {
        let p = Pricing::builtin();
        let r = p.region("us-east-1").unwrap();
        let get = |p: &Option<Price>| p.clone().unwrap();
        let shard = get(&r.kinesis.shard_hour);
        assert_eq!(shard.usd, usd("0.015"));
        assert!(shard.verified);
        assert_eq!(shard.taken, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
        assert_eq!(
            shard.source,
            "https://aws.amazon.com/kinesis/data-streams/pricing/"
        );
        assert_eq!(get(&r.kinesis.on_demand_stream_hour).usd, usd("0.04"));
        assert_eq!(get(&r.lambda.requests).usd, usd("0.20"));
        assert_eq!(get(&r.lambda.gb_second).usd, usd("0.0000166667"));
        assert_eq!(get(&r.cloudwatch.standard_alarm).usd, usd("0.10"));
        assert_eq!(get(&r.cloudwatch.high_resolution_alarm).usd, usd("0.30"));
    }

    #[test]
    fn load_reads_a_file_and_names_it_in_errors() {
        let d = tempfile::tempdir().unwrap();
        let good = d.path().join("prices.yaml");
        std::fs::write(&good, BUILTIN).unwrap();
        let p = Pricing::load(&good).unwrap();
        assert_eq!(p.origin, good.display().to_string());
        assert_eq!(p.regions, Pricing::builtin().regions);

        let missing = d.path().join("nope.yaml");
        let e = Pricing::load(&missing).unwrap_err();
        assert!(e.contains("nope.yaml") && e.contains("no such file"), "{e}");

        let bad = d.path().join("bad.yaml");
        for text in [
            "regions: {us-east-1: [unclosed\n",
            "regions: [a, b]\n",
            "regions:\n  x: \"unterminated\n",
        ] {
            std::fs::write(&bad, text).unwrap();
            let e = Pricing::load(&bad).unwrap_err();
            assert!(
                e.contains("bad.yaml: not a valid pricing file") && e.contains("line"),
                "{e}"
            );
        }
    }

    #[test]
    fn semantic_errors() {
        let price = |unit: &str, usd: &str| {
            format!("regions:\n  eu-west-1:\n    kinesis:\n      shard_hour: {{usd: {usd}, unit: {unit}, taken: 2026-11-01, source: \"https://x\"}}\n")
        };
        let e = Pricing::parse(&price("shard-month", "0.015"), "f.yaml").unwrap_err();
        assert!(
            e.contains("f.yaml: regions.eu-west-1.kinesis.shard_hour: unit is \"shard-month\""),
            "{e}"
        );
        let e = Pricing::parse(&price("shard-hour", "-1"), "f.yaml").unwrap_err();
        assert!(e.contains("negative"), "{e}");
        let e = Pricing::parse(&price("shard-hour", "abc"), "f.yaml").unwrap_err();
        assert!(e.contains("f.yaml: not a valid pricing file"), "{e}");
        let e = Pricing::parse("regions: {}\n", "f.yaml").unwrap_err();
        assert!(e.contains("lists no region"), "{e}");
        let e = Pricing::parse(
            "regions:\n  eu-west-1:\n    kinesis:\n      shard_hours: {}\n",
            "f.yaml",
        )
        .unwrap_err();
        assert!(e.contains("shard_hours"), "{e}");
    }

    #[test]
    fn partial_file_leaves_the_rest_unknown_and_unverified_by_default() {
        let text = "regions:\n  eu-west-1:\n    kinesis:\n      shard_hour: {usd: \"0.015\", unit: shard-hour, taken: 2026-11-01, source: \"https://x\"}\n";
        let p = Pricing::parse(text, "f.yaml").unwrap();
        let r = p.region("eu-west-1").unwrap();
        let shard = r.kinesis.shard_hour.as_ref().unwrap();
        assert_eq!(shard.usd, usd("0.015"));
        assert!(!shard.verified);
        assert!(r.cloudwatch.standard_alarm.is_none());
        assert!(p.region("us-east-1").is_none());
    }
}
