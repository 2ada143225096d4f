//! Schedules: which profile is due at an instant, by a reviewed weekly
//! calendar in one IANA time zone (the `schedule:` section of
//! `parkctl.yaml`), with whole-day date overrides and an operator's hold
//! on top.
//!
//! Pure: no I/O and no clock. Every rule is turned into concrete UTC
//! intervals for the local days around an instant (`due`), so daylight
//! saving is the time zone database's business and never a fixed offset.
//! `parse` builds the model from the config with errors at their lines,
//! `cost` prices an average week, `hold` is the override's data.

pub mod cost;
pub mod due;
pub mod hold;
pub mod parse;
pub mod time;
pub mod view;

pub use due::{Due, Reason, Transition};
pub use hold::Hold;
pub use parse::RawSchedule;

use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;

/// A schedule, validated: every profile named exists, no two rules give
/// one instant different profiles.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub timezone: Tz,
    /// The profile outside every period and date.
    pub default: String,
    pub periods: Vec<Period>,
    pub dates: Vec<DateRule>,
}

/// A weekly period: on each of its days, from `from` (inclusive) to `to`
/// (exclusive), local time. A `to` at or before `from` ends the next day.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    pub profile: String,
    pub days: Vec<Weekday>,
    /// `None`: the whole day.
    pub hours: Option<(NaiveTime, EndTime)>,
    /// 1-based line in the config, for messages and records.
    pub line: usize,
}

/// Where a period ends: a time of day, or the end of the day (`24:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndTime {
    At(NaiveTime),
    Midnight,
}

/// A whole local day that overrides the periods.
#[derive(Debug, Clone, PartialEq)]
pub struct DateRule {
    pub date: NaiveDate,
    pub profile: String,
    pub line: usize,
}

impl Schedule {
    /// Every profile the schedule can make due, the default first.
    pub fn profiles(&self) -> Vec<String> {
        let mut v = vec![self.default.clone()];
        let rest = self.periods.iter().map(|p| &p.profile);
        for p in rest.chain(self.dates.iter().map(|d| &d.profile)) {
            if !v.contains(p) {
                v.push(p.clone());
            }
        }
        v
    }
}

impl Period {
    /// `mon-fri 07:00-20:00`, `sat`, `sun 22:00-06:00`: how records and
    /// the week view name a period.
    pub fn describe(&self) -> String {
        let days = describe_days(&self.days);
        match self.hours {
            None => days,
            Some((from, to)) => {
                let to = match to {
                    EndTime::At(t) => t.format("%H:%M").to_string(),
                    EndTime::Midnight => "24:00".into(),
                };
                format!("{days} {}-{to}", from.format("%H:%M"))
            }
        }
    }
}

const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

pub fn day_name(d: Weekday) -> &'static str {
    DAY_NAMES[d.num_days_from_monday() as usize]
}

pub fn parse_day(s: &str) -> Option<Weekday> {
    let s = s.trim().to_ascii_lowercase();
    let long = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let i = DAY_NAMES
        .iter()
        .position(|d| *d == s)
        .or_else(|| long.iter().position(|d| *d == s))?;
    Some(WEEK[i])
}

/// Monday first, as `num_days_from_monday` counts.
pub const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// Runs of consecutive days as ranges: `mon-fri`, `sat,sun`, `mon,wed`.
fn describe_days(days: &[Weekday]) -> String {
    let mut idx: Vec<u32> = days.iter().map(|d| d.num_days_from_monday()).collect();
    idx.sort_unstable();
    idx.dedup();
    if idx.len() == 7 {
        return "every day".into();
    }
    let mut parts = Vec::new();
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && idx[j + 1] == idx[j] + 1 {
            j += 1;
        }
        let name = |k: usize| DAY_NAMES[idx[k] as usize];
        parts.push(match j - i {
            0 => name(i).to_string(),
            1 => format!("{},{}", name(i), name(j)),
            _ => format!("{}-{}", name(i), name(j)),
        });
        i = j + 1;
    }
    parts.join(",")
}

#[cfg(test)]
mod tests;
