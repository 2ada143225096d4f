//! What a function costs when it works: its requests and GB-seconds over
//! the last window (CloudWatch `Invocations` and `Duration` sums), and its
//! log group's ingestion (`AWS/Logs` `IncomingBytes`) and storage
//! (DescribeLogGroups `storedBytes`), each scaled from the window to a
//! 730-hour month. A throttled function (reserved concurrency 0) is
//! invoked by nobody and writes no logs while parked; its stored logs stay.
//!
//! The adapter sets `usage` (`{hours, invocations, duration_ms,
//! log_incoming_bytes}`, or `null` when the metrics could not be read) and
//! `log_stored_bytes` (or `null`) on each function; this module prices
//! them.
//! An unreadable figure is unknown, never $0.

use super::NAME;
use crate::cost::money::Money;
use crate::cost::types::{month_of_window, Lookup};
use crate::model::{Resource, Value};

/// AWS bills log bytes by the GiB.
const GIB: f64 = (1u64 << 30) as f64;

pub const FREE_TIER_NOTE: &str = "Lambda's free tier (1M requests and 400,000 GB-seconds a month) is account-wide: it is not subtracted";
pub const RATE_NOTE: &str = "a busy function's cost assumes the last window's usage rate continues (24 h of Invocations and Duration)";

/// One part of a function's cost: how it was reached, and the month.
pub struct Part {
    pub basis: String,
    pub month: Option<Money>,
}

fn price(lookup: &mut Lookup, key: &str, label: &str) -> Option<f64> {
    lookup.price(NAME, key, label).map(|p| p.usd.as_f64())
}

fn throttled(r: &Resource) -> bool {
    r.get("reserved_concurrency") == &Value::from(0)
}

/// Requests and compute.
pub fn invocations(r: &Resource, lookup: &mut Lookup) -> Part {
    if throttled(r) {
        return Part {
            basis: "throttled: no invocations".into(),
            month: Some(Money::ZERO),
        };
    }
    let u = r.get("usage");
    if u.is_null() {
        let why = r.text("usage_error");
        return Part {
            basis: format!(
                "usage unknown ({})",
                if why.is_empty() { "not read" } else { why }
            ),
            month: None,
        };
    }
    let hours = u["hours"].as_f64().unwrap_or(24.0);
    let n = u["invocations"].as_f64().unwrap_or(0.0);
    // A count summed from float datapoints (999999.9999999997) is shown
    // whole; the price uses the exact sum.
    let count = n.round();
    if n <= 0.0 {
        return Part {
            basis: format!("no invocations in {hours} h"),
            month: Some(Money::ZERO),
        };
    }
    let ms = u["duration_ms"].as_f64().unwrap_or(0.0);
    let mb = r.get("memory_mb").as_f64().unwrap_or(128.0);
    let arm = r.text("architecture") == "arm64";
    let (key, label) = if arm {
        ("gb_second_arm64", "Lambda GB-second (arm64)")
    } else {
        ("gb_second", "Lambda GB-second")
    };
    let (Some(req), Some(gbs)) = (
        price(lookup, "requests", "Lambda requests"),
        price(lookup, key, label),
    ) else {
        return Part {
            basis: format!("{count} invocations in {hours} h, no price"),
            month: None,
        };
    };
    lookup.note(FREE_TIER_NOTE);
    lookup.note(RATE_NOTE);
    let window = n / 1e6 * req + ms / 1000.0 * (mb / 1024.0) * gbs;
    Part {
        basis: format!(
            "{count} invocations x {:.0} ms at {mb} MB ({}) in {hours} h",
            ms / n,
            if arm { "arm64" } else { "x86_64" }
        ),
        month: Some(month_of_window(window, hours)),
    }
}

/// The log group's stored bytes, `None` where they were not read: its
/// `log_stored_bytes`, or `logs.stored_bytes` in a live state written
/// before that (a `--live-from` file).
fn stored_bytes(r: &Resource) -> Option<f64> {
    match r.get("log_stored_bytes") {
        Value::Null => r.get("logs").get("stored_bytes").and_then(Value::as_f64),
        n => n.as_f64(),
    }
}

/// Ingestion (none while throttled) and storage of the function's log group.
pub fn logs(r: &Resource, lookup: &mut Lookup) -> Part {
    let Some(stored) = stored_bytes(r) else {
        return Part {
            basis: "logs unknown".into(),
            month: None,
        };
    };
    let u = r.get("usage");
    if u.is_null() {
        return Part {
            basis: "log ingestion unknown".into(),
            month: None,
        };
    }
    let hours = u["hours"].as_f64().unwrap_or(24.0);
    let incoming = match throttled(r) {
        true => 0.0,
        false => u["log_incoming_bytes"].as_f64().unwrap_or(0.0),
    };
    if incoming <= 0.0 && stored <= 0.0 {
        return Part {
            basis: "no logs".into(),
            month: Some(Money::ZERO),
        };
    }
    let (Some(ing), Some(sto)) = (
        price(lookup, "logs_ingested_gb", "CloudWatch Logs ingestion GB"),
        price(
            lookup,
            "logs_stored_gb_month",
            "CloudWatch Logs storage GB-month",
        ),
    ) else {
        return Part {
            basis: "logs, no price".into(),
            month: None,
        };
    };
    let month = month_of_window(incoming / GIB * ing, hours) + Money::approx(stored / GIB * sto);
    Part {
        basis: format!(
            "logs {:.2} GB in {hours} h, {:.2} GB stored",
            incoming / GIB,
            stored / GIB
        ),
        month: Some(month),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn busy(arch: &str, n: f64, ms_each: f64, mb: u64) -> Resource {
        super::super::function("f")
            .with("reserved_concurrency", Value::Null)
            .with("memory_mb", mb)
            .with("architecture", arch)
            .with(
                "usage",
                json!({"hours": 24, "invocations": n, "duration_ms": n * ms_each}),
            )
            .with("log_stored_bytes", 0)
    }

    #[test]
    fn a_busy_x86_function_costs_requests_and_gb_seconds_scaled_to_the_month() {
        let pricing = crate::cost::builtin();
        let mut lookup = Lookup::new(&pricing, "us-east-1");
        // 864,000 x 100 ms at 1024 MB in 24 h = $1.6128/day = $49.06/month.
        let p = invocations(&busy("x86_64", 864_000.0, 100.0, 1024), &mut lookup);
        assert_eq!(
            p.month.map(|m| m.usd(2)),
            Some("$49.06".into()),
            "{}",
            p.basis
        );
    }

    #[test]
    fn arm64_is_billed_at_its_own_gb_second_price() {
        let pricing = crate::cost::builtin();
        let mut lookup = Lookup::new(&pricing, "us-east-1");
        // 0.1728 + 86,400 GB-s x 0.0000133334 = 1.32481 a day; x 730 / 24.
        let p = invocations(&busy("arm64", 864_000.0, 100.0, 1024), &mut lookup);
        assert_eq!(
            p.month.map(|m| m.usd(2)),
            Some("$40.30".into()),
            "{}",
            p.basis
        );
    }

    #[test]
    fn two_gib_of_logs_a_day_cost_thirty_dollars_a_month() {
        let pricing = crate::cost::builtin();
        let mut lookup = Lookup::new(&pricing, "us-east-1");
        let mut f = busy("x86_64", 0.0, 0.0, 128);
        f.attrs.insert(
            "usage".into(),
            json!({"hours": 24, "invocations": 0, "duration_ms": 0, "log_incoming_bytes": 2.0 * GIB}),
        );
        let p = logs(&f, &mut lookup);
        assert_eq!(
            p.month.map(|m| m.usd(2)),
            Some("$30.42".into()),
            "{}",
            p.basis
        );
        // Stored logs stay billed while throttled; ingestion stops.
        f.attrs.insert("reserved_concurrency".into(), json!(0));
        f.attrs.insert("log_stored_bytes".into(), json!(10.0 * GIB));
        assert_eq!(
            logs(&f, &mut lookup).month.map(|m| m.usd(2)),
            Some("$0.30".into())
        );
        // A live state written before `log_stored_bytes` priced the same.
        f.attrs.remove("log_stored_bytes");
        f.attrs.insert(
            "logs".into(),
            json!({"group": "/aws/lambda/f", "stored_bytes": 10.0 * GIB}),
        );
        assert_eq!(
            logs(&f, &mut lookup).month.map(|m| m.usd(2)),
            Some("$0.30".into())
        );
        f.attrs.remove("logs");
        assert_eq!(logs(&f, &mut lookup).month, None);
    }

    #[test]
    fn no_datapoints_is_zero_an_unreadable_metric_unknown() {
        let pricing = crate::cost::builtin();
        let mut lookup = Lookup::new(&pricing, "us-east-1");
        let mut f = busy("x86_64", 0.0, 0.0, 128);
        f.attrs.insert(
            "usage".into(),
            json!({"hours": 24, "invocations": null, "duration_ms": null}),
        );
        let p = invocations(&f, &mut lookup);
        assert_eq!(p.month, Some(Money::ZERO));
        assert_eq!(p.basis, "no invocations in 24 h");
        f.attrs.insert("usage".into(), Value::Null);
        f.attrs
            .insert("usage_error".into(), json!("AccessDenied on GetMetricData"));
        let p = invocations(&f, &mut lookup);
        assert_eq!(p.month, None);
        assert!(p.basis.contains("AccessDenied"), "{}", p.basis);
    }

    #[test]
    fn a_throttled_function_costs_nothing_to_invoke() {
        let pricing = crate::cost::builtin();
        let mut lookup = Lookup::new(&pricing, "us-east-1");
        let mut f = busy("x86_64", 864_000.0, 100.0, 1024);
        f.attrs.insert("reserved_concurrency".into(), json!(0));
        assert_eq!(invocations(&f, &mut lookup).month, Some(Money::ZERO));
    }
}
