//! Idle detection, pure: activity sums from metrics in, a verdict out.
//! "No data" is not "idle": a resource younger than the window may simply
//! not have been measured yet.

use serde::{Deserialize, Serialize};

/// One metric summed over a window, e.g. a stream's IncomingRecords (the
/// AWS layer reads it: `crate::aws::metrics`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MetricQuery {
    pub namespace: &'static str,
    pub metric: &'static str,
    /// (name, value) of each dimension, all of which must match.
    pub dimensions: Vec<(&'static str, String)>,
}

impl MetricQuery {
    /// A metric of one dimension (a resource's name).
    pub fn of(
        namespace: &'static str,
        metric: &'static str,
        dimension: &'static str,
        value: &str,
    ) -> Self {
        MetricQuery {
            namespace,
            metric,
            dimensions: vec![(dimension, value.to_string())],
        }
    }
}

/// The attribute a read records a resource's creation time in (RFC 3339),
/// where its describe tells one: a resource younger than the idle window
/// cannot be judged idle, and the read already has the answer.
pub const CREATED: &str = "created";

/// The attribute `status` records, on a live resource, when parkctl last
/// set each of its attributes to the value it still has (`{ATTR: TIME}`,
/// from its operation records): a service tells since when a resource is
/// parked where AWS keeps no trace (a stop event older than AWS keeps).
pub const APPLIED_AT: &str = "applied_at";

/// The value of [`CREATED`] for a time in seconds since the epoch.
pub fn created_value(secs: i64) -> serde_json::Value {
    chrono::DateTime::from_timestamp(secs, 0)
        .map_or(serde_json::Value::Null, |t| t.to_rfc3339().into())
}

/// Since when `r` exists, where its read recorded it.
pub fn created(r: &crate::model::Resource) -> Option<chrono::DateTime<chrono::Utc>> {
    let t = r.attrs.get(CREATED)?.as_str()?;
    chrono::DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "activity", rename_all = "snake_case")]
pub enum Activity {
    Active { count: f64 },
    Idle,
    NoData,
}

/// The CPU utilisation (percent, averaged over the window) at or under
/// which a host or a task counts as idle: an idle machine still runs its
/// agents at a few percent, so zero never comes.
pub const CPU_BUSY_ABOVE_PERCENT: f64 = 5.0;

/// A utilisation averaged over the window against `busy_above`; like
/// [`classify`] otherwise (no datapoint is "no data" for a young resource).
pub fn classify_above(average: Option<f64>, busy_above: f64, older_than_window: bool) -> Activity {
    match average {
        Some(v) if v > busy_above => Activity::Active { count: v },
        Some(_) => Activity::Idle,
        None if older_than_window => Activity::Idle,
        None => Activity::NoData,
    }
}

/// `sum`: the metric summed over the window (`None`: no datapoint).
/// `older_than_window`: the resource existed for the whole window.
pub fn classify(sum: Option<f64>, older_than_window: bool) -> Activity {
    match sum {
        Some(n) if n > 0.0 => Activity::Active { count: n },
        Some(_) => Activity::Idle,
        None if older_than_window => Activity::Idle,
        None => Activity::NoData,
    }
}

/// `24h`, `3d`, `90m`, `3600s` -> seconds.
pub fn parse_window(s: &str) -> Result<i64, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a window: use e.g. 24h, 3d, 90m"))?;
    let per = match unit {
        "s" => 1,
        "m" => 60,
        "h" | "" => 3600,
        "d" => 86_400,
        _ => return Err(format!("`{s}` has an unknown unit: use s, m, h or d")),
    };
    // An overflowing product is out of range like any other too-long window.
    let secs = n.checked_mul(per).unwrap_or(i64::MAX);
    if !(300..=15 * 86_400).contains(&secs) {
        return Err(format!(
            "the idle window must be between 5 minutes and 15 days, not {s}"
        ));
    }
    Ok(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts() {
        assert_eq!(classify(Some(12.0), true), Activity::Active { count: 12.0 });
        assert_eq!(classify(Some(0.0), true), Activity::Idle);
        assert_eq!(classify(Some(0.0), false), Activity::Idle);
        assert_eq!(classify(None, true), Activity::Idle);
        assert_eq!(classify(None, false), Activity::NoData);
        assert_eq!(
            classify_above(Some(37.0), 5.0, true),
            Activity::Active { count: 37.0 }
        );
        assert_eq!(classify_above(Some(3.5), 5.0, true), Activity::Idle);
        assert_eq!(classify_above(Some(5.0), 5.0, true), Activity::Idle);
        assert_eq!(classify_above(None, 5.0, false), Activity::NoData);
    }

    #[test]
    fn windows() {
        assert_eq!(parse_window("24h"), Ok(86_400));
        assert_eq!(parse_window("3d"), Ok(259_200));
        assert_eq!(parse_window("90m"), Ok(5_400));
        assert!(parse_window("0h").is_err());
        assert!(parse_window("x").is_err());
        assert!(parse_window("1w").is_err());
        assert!(parse_window("100d").is_err());
        assert!(parse_window("999999999999999999d").is_err());
    }
}
