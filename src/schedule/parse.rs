//! The `schedule:` section of `parkctl.yaml`: serde reads its shape (and
//! refuses unknown keys at their position); the checks here turn the
//! strings into times, days and a zone, with every problem at its line
//! through the same span index and diagnostics as profiles.

use super::due::week_owners;
use super::time::parse_hhmm;
use super::{parse_day, DateRule, EndTime, Period, Schedule};
use crate::profile::spans::{Span, SpanIndex};
use crate::profile::ProfileErrors;
use chrono::{NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSchedule {
    pub timezone: String,
    pub default: String,
    #[serde(default)]
    pub periods: Vec<RawPeriod>,
    #[serde(default)]
    pub dates: Vec<RawDate>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPeriod {
    pub profile: String,
    /// Every day when absent.
    #[serde(default)]
    pub days: Option<Vec<String>>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDate {
    pub date: String,
    pub profile: String,
}

const ROOT: &str = "schedule";

/// Checks a schedule read from `text` (the whole config file, for
/// positions) against the profiles that exist.
pub fn build(
    file: &str,
    text: &str,
    raw: &RawSchedule,
    known: &[String],
) -> Result<Schedule, ProfileErrors> {
    let mut c = Checker {
        errors: ProfileErrors::new(file, text).in_file("config"),
        index: SpanIndex::walk(text).unwrap_or_default(),
        known,
    };
    let timezone = c.zone(&raw.timezone);
    c.profile(&raw.default, &format!("{ROOT}.default"));
    let periods: Vec<Period> = raw
        .periods
        .iter()
        .enumerate()
        .filter_map(|(i, p)| c.period(i, p))
        .collect();
    let dates = c.dates(&raw.dates);
    if periods.len() == raw.periods.len() {
        c.overlaps(&periods);
    }
    match timezone {
        Some(timezone) if c.errors.is_empty() => Ok(Schedule {
            timezone,
            default: raw.default.clone(),
            periods,
            dates,
        }),
        _ => Err(c.errors),
    }
}

struct Checker<'a> {
    errors: ProfileErrors,
    index: SpanIndex,
    known: &'a [String],
}

impl Checker<'_> {
    fn at(&self, path: &str) -> Span {
        self.index.value(path)
    }

    fn line(&self, path: &str) -> usize {
        self.errors.position(self.at(path).offset).0
    }

    fn zone(&mut self, name: &str) -> Option<Tz> {
        if let Ok(tz) = name.parse::<Tz>() {
            return Some(tz);
        }
        let near = chrono_tz::TZ_VARIANTS
            .iter()
            .find(|z| z.name().eq_ignore_ascii_case(name))
            .map(|z| format!("did you mean `{}`?", z.name()));
        let help = near
            .unwrap_or_else(|| "use an IANA name such as Europe/Berlin or America/New_York".into());
        let span = self.at(&format!("{ROOT}.timezone"));
        self.errors.push(
            &format!("unknown time zone `{name}`"),
            span,
            "not in the time zone database",
            Some(&help),
        );
        None
    }

    fn profile(&mut self, name: &str, path: &str) {
        if self.known.iter().any(|k| k == name) {
            return;
        }
        let help = if self.known.is_empty() {
            "no profiles found in the profiles directory".to_string()
        } else {
            format!("profiles: {}", self.known.join(", "))
        };
        let span = self.at(path);
        self.errors.push(
            &format!("unknown profile `{name}`"),
            span,
            "no such profile",
            Some(&help),
        );
    }

    fn period(&mut self, i: usize, p: &RawPeriod) -> Option<Period> {
        let path = format!("{ROOT}.periods[{i}]");
        self.profile(&p.profile, &format!("{path}.profile"));
        let days = self.days(&path, p.days.as_deref());
        let hours = self.hours(&path, p);
        Some(Period {
            profile: p.profile.clone(),
            days: days?,
            hours: hours?,
            line: self.line(&path),
        })
    }

    fn days(&mut self, path: &str, days: Option<&[String]>) -> Option<Vec<Weekday>> {
        let Some(days) = days else {
            return Some(super::WEEK.to_vec());
        };
        if days.is_empty() {
            let span = self.at(&format!("{path}.days"));
            self.errors.push(
                "a period with no days",
                span,
                "empty list",
                Some("name days (mon..sun), or leave `days` out for every day"),
            );
            return None;
        }
        let mut out = Vec::new();
        for (j, d) in days.iter().enumerate() {
            match parse_day(d) {
                Some(w) => out.push(w),
                None => {
                    let span = self.at(&format!("{path}.days[{j}]"));
                    self.errors.push(
                        &format!("unknown day `{d}`"),
                        span,
                        "not a day",
                        Some("days are mon, tue, wed, thu, fri, sat, sun"),
                    );
                }
            }
        }
        (out.len() == days.len()).then_some(out)
    }

    fn hours(&mut self, path: &str, p: &RawPeriod) -> Option<Option<(NaiveTime, EndTime)>> {
        match (&p.from, &p.to) {
            (None, None) => Some(None),
            (Some(_), None) | (None, Some(_)) => {
                let (key, missing) = if p.from.is_some() {
                    ("from", "to")
                } else {
                    ("to", "from")
                };
                let span = self.index.key(&format!("{path}.{key}"));
                self.errors.push(
                    &format!("`{key}` without `{missing}`"),
                    span,
                    "here",
                    Some("give both `from` and `to`, or neither for the whole day"),
                );
                None
            }
            (Some(f), Some(t)) => {
                let from = self.time(&format!("{path}.from"), f, false);
                let to = self.time(&format!("{path}.to"), t, true);
                let (EndTime::At(from), to) = (from?, to?) else {
                    return None;
                };
                if to == EndTime::At(from) {
                    let span = self.at(&format!("{path}.to"));
                    self.errors.push(
                        "`to` equals `from`",
                        span,
                        "same time",
                        Some("leave out `from` and `to` for a whole day"),
                    );
                    return None;
                }
                Some(Some((from, to)))
            }
        }
    }

    /// `HH:MM`; `24:00` as an end only.
    fn time(&mut self, path: &str, s: &str, end: bool) -> Option<EndTime> {
        if end && s.trim() == "24:00" {
            return Some(EndTime::Midnight);
        }
        if let Some(t) = parse_hhmm(s) {
            return Some(EndTime::At(t));
        }
        let span = self.at(path);
        let help = if end {
            "a local time from 00:00 to 24:00, quoted: \"20:00\""
        } else {
            "a local time from 00:00 to 23:59, quoted: \"07:00\""
        };
        self.errors.push(
            &format!("`{s}` is not a time of day"),
            span,
            "bad time",
            Some(help),
        );
        None
    }
}

impl Checker<'_> {
    fn dates(&mut self, raw: &[RawDate]) -> Vec<DateRule> {
        let mut out: Vec<(usize, DateRule)> = Vec::new();
        for (i, d) in raw.iter().enumerate() {
            let path = format!("{ROOT}.dates[{i}]");
            self.profile(&d.profile, &format!("{path}.profile"));
            let Ok(date) = NaiveDate::parse_from_str(d.date.trim(), "%Y-%m-%d") else {
                let span = self.at(&format!("{path}.date"));
                self.errors.push(
                    &format!("`{}` is not a date", d.date),
                    span,
                    "bad date",
                    Some("a local day as YYYY-MM-DD"),
                );
                continue;
            };
            if let Some((j, other)) = out
                .iter()
                .find(|(_, o)| o.date == date && o.profile != d.profile)
            {
                let msg = format!(
                    "{date} is `{}` at line {} and `{}` at line {}",
                    other.profile,
                    other.line,
                    d.profile,
                    self.line(&path)
                );
                let first = self.at(&format!("{ROOT}.dates[{j}]"));
                let second = self.at(&path);
                self.errors.push_many(
                    &msg,
                    &[(first, "this date"), (second, "and this one")],
                    Some("a day has one profile: remove one of them"),
                );
                continue;
            }
            let line = self.line(&path);
            out.push((
                i,
                DateRule {
                    date,
                    profile: d.profile.clone(),
                    line,
                },
            ));
        }
        out.into_iter().map(|(_, d)| d).collect()
    }

    /// Two periods that give one minute of the week different profiles.
    fn overlaps(&mut self, periods: &[Period]) {
        let Err((a, b, minute)) = week_owners(periods) else {
            return;
        };
        let day = super::day_name(super::WEEK[minute / 1440 % 7]);
        let msg = format!(
            "periods at lines {} and {} overlap on {day} at {:02}:{:02} with different profiles (`{}` and `{}`)",
            periods[a].line,
            periods[b].line,
            minute % 1440 / 60,
            minute % 60,
            periods[a].profile,
            periods[b].profile
        );
        let first = self.at(&format!("{ROOT}.periods[{a}]"));
        let second = self.at(&format!("{ROOT}.periods[{b}]"));
        self.errors.push_many(
            &msg,
            &[(first, "this period"), (second, "overlaps this one")],
            Some("an instant has one profile: shorten one period, or use a date for exceptions"),
        );
    }
}
