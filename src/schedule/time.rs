//! Local times in a time zone, resolved by the rules of the issue that
//! introduced schedules: a local time skipped by a spring-forward change
//! takes effect at the first instant after the gap; one that occurs twice
//! on a fall-back day takes effect at its first occurrence.

use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};
use chrono_tz::Tz;

/// The instant a local date and time stands for in `tz`.
pub fn resolve(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => after_gap(tz, local),
    }
}

/// The first instant whose local time is past `local`, which lies in a
/// gap: the instant of the change itself. Gaps in the database are whole
/// minutes long and at most a day, so a walk by minutes finds the local
/// time just after the gap, and the instant just before it is checked by
/// seconds back to the change.
fn after_gap(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    for minutes in 1..=1440 {
        let probe = local + Duration::minutes(minutes);
        if let Some(t) = tz.from_local_datetime(&probe).earliest() {
            let mut t = t.with_timezone(&Utc);
            // Step back to the change when the gap ends inside a minute.
            while (t - Duration::seconds(1)).with_timezone(&tz).naive_local() >= local {
                t -= Duration::seconds(1);
            }
            return t;
        }
    }
    // Unreachable with the real database; read the time as UTC rather
    // than fail on a zone the walk cannot cross.
    local.and_utc()
}

/// The instant a local day starts.
pub fn day_start(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    resolve(tz, day.and_time(NaiveTime::MIN))
}

/// `HH:MM` (or `H:MM`), 00:00 to 23:59. `24:00` is an end of day and is
/// accepted by the caller, not here.
pub fn parse_hhmm(s: &str) -> Option<NaiveTime> {
    let (h, m) = s.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    if !h.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// `--at` and `--until`: RFC 3339 (`2026-03-29T01:30:00Z`), or a local
/// `YYYY-MM-DD HH:MM` in the schedule's zone.
pub fn parse_instant(s: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    let t = DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
                .map(|local| resolve(tz, local))
        });
    // Weeks are added to it: keep far from the calendar's ends.
    match t {
        Some(t) if (1970..=9999).contains(&t.year()) => return Ok(t),
        Some(t) => {
            return Err(format!(
                "`{s}` is in the year {}: give a time from 1970 to 9999",
                t.year()
            ))
        }
        None => {}
    }
    Err(format!(
        "`{s}` is not a time: use RFC 3339 (2026-03-29T01:30:00Z) or a local `YYYY-MM-DD HH:MM` in {}",
        tz.name()
    ))
}

/// `Tue 2026-12-01 20:00 CET`: an instant as local time in the zone.
pub fn local_label(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}
