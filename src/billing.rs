//! `parkctl billing`, the view model: what AWS billed each day (Cost
//! Explorer, by the project's cost-allocation tag) beside what parkctl did
//! (its operation records: which profile was in force when), and the
//! comparison of the two: billed per running day against billed per parked
//! day, beside parkctl's own estimate of the saving. Pure: the command
//! reads, this computes, `render::billing` draws.

use crate::aws::billing::Day;
use crate::cost::money::Money;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

/// A day counts as parked when the project was parked this many hours of
/// it (nights alone make a "partly" day).
pub const PARKED_HOURS: f64 = 20.0;
const TOP_SERVICES: usize = 3;

/// From when a profile was in force: an apply's end.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub ended: DateTime<Utc>,
    /// Anything but the `running` profile or a restore parks the project.
    pub parked: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    Running,
    Parked,
    Partly,
    /// Before parkctl's first record: what was in force is not known.
    Unknown,
}

#[derive(Debug, Clone, Serialize)]
pub struct BilledDay {
    pub date: NaiveDate,
    pub total: Money,
    pub estimated: bool,
    pub top: Vec<(String, Money)>,
    pub mark: Mark,
    pub parked_hours: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub tag: String,
    pub days: Vec<BilledDay>,
    /// What AWS billed over the whole window (the days summed).
    pub total: Money,
    /// Average billed per fully running and fully parked day.
    pub per_running_day: Option<Money>,
    pub per_parked_day: Option<Money>,
    /// What the bill shows a parked day saves, and what parkctl estimates.
    pub billed_saving_per_day: Option<Money>,
    pub estimated_saving_per_day: Option<Money>,
    pub notes: Vec<String>,
}

/// Whether the records say the project was parked at `t`.
fn parked_at(applied: &[Applied], t: DateTime<Utc>) -> bool {
    applied
        .iter()
        .filter(|a| a.ended <= t)
        .max_by_key(|a| a.ended)
        .is_some_and(|a| a.parked)
}

/// Hours of the UTC day `d` the project was parked, by the quarter hour.
pub fn parked_hours(applied: &[Applied], d: NaiveDate) -> f64 {
    let start = d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    let Some(start) = start else { return 0.0 };
    (0..96)
        .filter(|q| parked_at(applied, start + Duration::minutes(15 * q + 7)))
        .count() as f64
        / 4.0
}

fn mark(applied: &[Applied], d: NaiveDate, hours: f64) -> Mark {
    let first = applied.iter().map(|a| a.ended).min();
    let end = (d + chrono::Days::new(1))
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc());
    if first.zip(end).is_none_or(|(f, e)| f >= e) {
        return Mark::Unknown;
    }
    if hours >= PARKED_HOURS {
        Mark::Parked
    } else if hours <= 24.0 - PARKED_HOURS {
        Mark::Running
    } else {
        Mark::Partly
    }
}

fn average(days: &[&BilledDay]) -> Option<Money> {
    let n = days.len() as i128;
    (n > 0).then(|| {
        let sum = days.iter().map(|d| d.total).fold(Money::ZERO, |a, b| a + b);
        sum.scale(1, n)
    })
}

/// The report; `estimate` is parkctl's saving per parked day (running
/// profile's monthly cost minus the parked one's, per 24 of 730 hours).
pub fn report(tag: &str, days: &[Day], applied: &[Applied], estimate: Option<Money>) -> Report {
    let billed: Vec<BilledDay> = days
        .iter()
        .map(|d| {
            let hours = parked_hours(applied, d.date);
            let mut top: Vec<(String, Money)> =
                d.services.iter().map(|(k, v)| (k.clone(), *v)).collect();
            top.sort_by_key(|t| std::cmp::Reverse(t.1));
            top.truncate(TOP_SERVICES);
            BilledDay {
                date: d.date,
                total: d.total(),
                estimated: d.estimated,
                top,
                mark: mark(applied, d.date, hours),
                parked_hours: hours,
            }
        })
        .collect();
    // A $0 day is a day the tag found nothing (not yet active), not a free
    // one: it would drag an average down.
    let of = |m: Mark| {
        billed
            .iter()
            .filter(|d| d.mark == m && d.total != Money::ZERO)
            .collect::<Vec<_>>()
    };
    let (running, parked) = (average(&of(Mark::Running)), average(&of(Mark::Parked)));
    let mut notes = vec![];
    if billed.iter().any(|d| d.estimated) {
        notes.push("days marked `estimated` are not final: AWS may still change them".to_string());
    }
    if running.is_none() || parked.is_none() {
        notes.push("a comparison needs at least one fully running and one fully parked day (parked 20 h or more) in the window, after parkctl's first record".to_string());
    }
    Report {
        tag: tag.to_string(),
        total: billed
            .iter()
            .map(|d| d.total)
            .fold(Money::ZERO, |a, b| a + b),
        per_running_day: running,
        per_parked_day: parked,
        billed_saving_per_day: running.zip(parked).map(|(r, p)| r - p),
        estimated_saving_per_day: estimate,
        days: billed,
        notes,
    }
}

/// Whether Cost Explorer found anything: no day with a cost means the tag
/// found nothing, not that the project is free.
pub fn is_empty(days: &[Day]) -> bool {
    days.iter().all(|d| d.total() == Money::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::collections::BTreeMap;

    fn day(d: u32, usd: &str) -> Day {
        let mut services = BTreeMap::new();
        services.insert(
            "Amazon SageMaker".to_string(),
            Money::parse_usd(usd).unwrap(),
        );
        Day {
            date: NaiveDate::from_ymd_opt(2026, 11, d).unwrap(),
            estimated: d == 30,
            services,
        }
    }

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap()
    }

    #[test]
    fn days_are_marked_by_the_hours_parked_and_compared() {
        // Running since the 20th, parked Friday 20:00 to Monday 07:00
        // (Nov 27 to 30).
        let applied = [
            Applied {
                ended: at(20, 9),
                parked: false,
            },
            Applied {
                ended: at(27, 20),
                parked: true,
            },
            Applied {
                ended: at(30, 7),
                parked: false,
            },
        ];
        let days = [
            day(26, "4.00"),
            day(27, "3.50"),
            day(28, "0.50"),
            day(29, "0.50"),
            day(30, "3.00"),
        ];
        let r = report(
            "Project=uja",
            &days,
            &applied,
            Some(Money::parse_usd("3.40").unwrap()),
        );
        let marks: Vec<Mark> = r.days.iter().map(|d| d.mark).collect();
        // Monday was parked until 07:00: partly, left out of both averages.
        assert_eq!(
            marks,
            [
                Mark::Running,
                Mark::Running,
                Mark::Parked,
                Mark::Parked,
                Mark::Partly
            ]
        );
        assert_eq!(r.days[1].parked_hours, 4.0);
        assert_eq!(r.days[4].parked_hours, 7.0);
        // Running days: (4 + 3.5) / 2 = 3.75; parked: 0.50.
        assert_eq!(r.per_running_day.map(|m| m.usd(2)), Some("$3.75".into()));
        assert_eq!(r.per_parked_day.map(|m| m.usd(2)), Some("$0.50".into()));
        assert_eq!(
            r.billed_saving_per_day.map(|m| m.usd(2)),
            Some("$3.25".into())
        );
        assert!(r.days[4].estimated);
        assert!(r.notes[0].contains("estimated"));
    }

    #[test]
    fn days_before_the_first_record_and_empty_days_are_not_averaged() {
        let applied = [Applied {
            ended: at(27, 12),
            parked: true,
        }];
        let days = [day(26, "4.00"), day(28, "0"), day(29, "0.50")];
        let r = report("t", &days, &applied, None);
        assert_eq!(r.days[0].mark, Mark::Unknown);
        assert_eq!(r.per_parked_day.map(|m| m.usd(2)), Some("$0.50".into()));
    }

    #[test]
    fn without_parked_days_there_is_no_comparison() {
        let r = report("t", &[day(26, "4.00")], &[], None);
        assert_eq!(r.billed_saving_per_day, None);
        assert!(r.notes.iter().any(|n| n.contains("fully parked day")));
    }

    #[test]
    fn no_cost_at_all_is_empty_not_free() {
        assert!(is_empty(&[day(26, "0")]));
        assert!(!is_empty(&[day(26, "0.01")]));
    }
}
