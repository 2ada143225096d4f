//! Which profile is due at an instant, since when and until when, the next
//! transitions and a per-day view. Every rule becomes UTC intervals for
//! the local days around the instant, each end resolved through the time
//! zone database (`time::resolve`), so a day of 23 or 25 hours needs no
//! special case.

use super::time::{day_start, resolve};
use super::{EndTime, Hold, Period, Schedule};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Timelike, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// Why a profile is due: the record of a scheduled apply says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    Hold {
        set_by: String,
        until: DateTime<Utc>,
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    Date {
        date: NaiveDate,
        line: usize,
    },
    Period {
        period: String,
        line: usize,
    },
    Default,
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Reason::Hold {
                set_by,
                until,
                reason,
            } => {
                write!(
                    f,
                    "hold by {set_by} until {}",
                    until.format("%Y-%m-%d %H:%M UTC")
                )?;
                match reason {
                    Some(r) => write!(f, " ({r})"),
                    None => Ok(()),
                }
            }
            Reason::Date { date, line } => write!(f, "date {date} (line {line})"),
            Reason::Period { period, line } => write!(f, "period {period} (line {line})"),
            Reason::Default => f.write_str("default"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub profile: String,
    pub reason: Reason,
}

/// The due profile changes at `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transition {
    pub at: DateTime<Utc>,
    pub profile: String,
    pub reason: Reason,
}

/// One rule's stretch of time: `[start, end)`.
struct Stretch {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    due: Due,
}

/// How far `since` and `until` look: a weekly schedule changes at least
/// once a week if it changes at all.
pub const HORIZON_DAYS: i64 = 15;

impl Schedule {
    fn local_day(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.timezone).date_naive()
    }

    /// The date overrides of a local day.
    fn date_stretches(&self, day: NaiveDate) -> impl Iterator<Item = Stretch> + '_ {
        let tz = self.timezone;
        self.dates
            .iter()
            .filter(move |d| d.date == day)
            .map(move |d| Stretch {
                start: day_start(tz, day),
                end: day_start(tz, day + Duration::days(1)),
                due: Due {
                    profile: d.profile.clone(),
                    reason: Reason::Date {
                        date: d.date,
                        line: d.line,
                    },
                },
            })
    }

    /// The periods that start on a local day (one may end the next day).
    fn period_stretches(&self, day: NaiveDate) -> impl Iterator<Item = Stretch> + '_ {
        self.periods
            .iter()
            .filter(move |p| p.days.contains(&day.weekday()))
            .filter_map(move |p| {
                let (start, end) = self.bounds(p, day);
                (start < end).then(|| Stretch {
                    start,
                    end,
                    due: Due {
                        profile: p.profile.clone(),
                        reason: Reason::Period {
                            period: p.describe(),
                            line: p.line,
                        },
                    },
                })
            })
    }

    fn bounds(&self, p: &Period, day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
        let tz = self.timezone;
        let next = day + Duration::days(1);
        match p.hours {
            None => (day_start(tz, day), day_start(tz, next)),
            Some((from, to)) => {
                let end = match to {
                    EndTime::At(t) if t > from => day.and_time(t),
                    EndTime::At(t) => next.and_time(t),
                    EndTime::Midnight => next.and_time(NaiveTime::MIN),
                };
                (resolve(tz, day.and_time(from)), resolve(tz, end))
            }
        }
    }

    /// The profile the schedule alone makes due at `t`: a date, else a
    /// period, else the default.
    pub fn due_by_rules(&self, t: DateTime<Utc>) -> Due {
        let d = self.local_day(t);
        let days = [d - Duration::days(1), d, d + Duration::days(1)];
        let hit = |s: &Stretch| s.start <= t && t < s.end;
        let date = days.iter().flat_map(|&x| self.date_stretches(x)).find(hit);
        let period = || {
            days.iter()
                .flat_map(|&x| self.period_stretches(x))
                .find(hit)
        };
        match date.or_else(period) {
            Some(s) => s.due,
            None => Due {
                profile: self.default.clone(),
                reason: Reason::Default,
            },
        }
    }

    /// The profile due at `t`: a hold in force wins over the schedule.
    pub fn due(&self, t: DateTime<Utc>, hold: Option<&Hold>) -> Due {
        match hold.filter(|h| h.covers(t)) {
            Some(h) => Due {
                profile: h.profile.clone(),
                reason: Reason::Hold {
                    set_by: h.set_by.clone(),
                    until: h.until,
                    reason: h.reason.clone(),
                },
            },
            None => self.due_by_rules(t),
        }
    }

    /// Every instant in `(from, to]` at which some rule or the hold
    /// starts or ends, sorted: the due profile is constant between them.
    fn edges(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        hold: Option<&Hold>,
    ) -> Vec<DateTime<Utc>> {
        let mut v = Vec::new();
        let mut day = self.local_day(from) - Duration::days(1);
        let last = self.local_day(to) + Duration::days(1);
        while day <= last {
            let all = self.date_stretches(day).chain(self.period_stretches(day));
            for s in all {
                v.extend([s.start, s.end]);
            }
            v.push(day_start(self.timezone, day));
            day += Duration::days(1);
        }
        if let Some(h) = hold {
            v.extend([h.set_at, h.until]);
        }
        v.retain(|t| from < *t && *t <= to);
        v.sort();
        v.dedup();
        v
    }

    /// The instants in `(from, to]` where the due profile changes.
    pub fn transitions(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        hold: Option<&Hold>,
    ) -> Vec<Transition> {
        let mut prev = self.due(from, hold).profile;
        let mut out = Vec::new();
        for at in self.edges(from, to, hold) {
            let d = self.due(at, hold);
            if d.profile != prev {
                prev = d.profile.clone();
                out.push(Transition {
                    at,
                    profile: d.profile,
                    reason: d.reason,
                });
            }
        }
        out
    }

    /// Since when the profile due at `t` has been due (`None`: for longer
    /// than the horizon), and until when it stays due.
    pub fn since_until(
        &self,
        t: DateTime<Utc>,
        hold: Option<&Hold>,
    ) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let h = Duration::days(HORIZON_DAYS);
        let since = self.transitions(t - h, t, hold).last().map(|x| x.at);
        let until = self.transitions(t, t + h, hold).first().map(|x| x.at);
        (since, until)
    }
}

/// One local day: the hours each profile is due, and the profile due in
/// the middle of each local hour (for a bar).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayView {
    pub date: NaiveDate,
    pub hours: BTreeMap<String, f64>,
    pub hourly: Vec<String>,
}

pub fn day_view(s: &Schedule, day: NaiveDate, hold: Option<&Hold>) -> DayView {
    let tz = s.timezone;
    let (start, end) = (day_start(tz, day), day_start(tz, day + Duration::days(1)));
    let mut cuts = vec![start];
    cuts.extend(s.transitions(start, end, hold).into_iter().map(|x| x.at));
    cuts.push(end);
    let mut hours: BTreeMap<String, f64> = BTreeMap::new();
    for w in cuts.windows(2) {
        let secs = (w[1] - w[0]).num_seconds() as f64;
        *hours.entry(s.due(w[0], hold).profile).or_default() += secs / 3600.0;
    }
    hours.retain(|_, h| *h > 0.0);
    let hourly = (0..24)
        .map(|h| {
            let mid = NaiveTime::from_hms_opt(h, 30, 0).unwrap_or(NaiveTime::MIN);
            s.due(resolve(tz, day.and_time(mid)), hold).profile
        })
        .collect();
    DayView {
        date: day,
        hours,
        hourly,
    }
}

/// Minutes of the local week (Monday 00:00 = 0): which period owns each,
/// in wall-clock time. A period past Sunday midnight wraps to Monday.
/// `Err` names two periods that claim one minute for different profiles
/// (indices into `periods`, and the minute).
pub fn week_owners(periods: &[Period]) -> Result<Vec<Option<usize>>, (usize, usize, usize)> {
    const WEEK: usize = 7 * 1440;
    let mut owner: Vec<Option<usize>> = vec![None; WEEK];
    for (i, p) in periods.iter().enumerate() {
        for d in &p.days {
            let base = d.num_days_from_monday() as usize * 1440;
            let (from, to) = minutes(p);
            for m in from..to {
                let slot = &mut owner[(base + m) % WEEK];
                match *slot {
                    Some(j) if periods[j].profile != p.profile => {
                        return Err((j, i, (base + m) % WEEK))
                    }
                    Some(_) => {}
                    None => *slot = Some(i),
                }
            }
        }
    }
    Ok(owner)
}

/// A period's minutes from the start of its day: `[from, to)`, `to` up to
/// 2880 for a period that runs past midnight.
fn minutes(p: &Period) -> (usize, usize) {
    let of = |t: NaiveTime| (t.num_seconds_from_midnight() / 60) as usize;
    match p.hours {
        None => (0, 1440),
        Some((from, to)) => {
            let f = of(from);
            let t = match to {
                EndTime::At(t) if of(t) > f => of(t),
                EndTime::At(t) => 1440 + of(t),
                EndTime::Midnight => 1440,
            };
            (f, t)
        }
    }
}
