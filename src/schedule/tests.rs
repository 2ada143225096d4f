//! The schedule without AWS: due profiles across both 2026 daylight saving
//! changes in Europe/Berlin and America/New_York, periods past midnight,
//! dates, holds, refused configs and the month's cost.

use super::parse::{build, RawSchedule};
use super::time::{parse_instant, resolve};
use super::*;
use crate::cost::Money;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use std::collections::BTreeMap;

fn known() -> Vec<String> {
    vec!["parked".into(), "running".into(), "demo".into()]
}

fn schedule(yaml: &str) -> Schedule {
    let raw: RawSchedule = serde_yaml::from_str(yaml).unwrap();
    build("parkctl.yaml", &config(yaml), &raw, &known()).unwrap()
}

/// The config as a file: `schedule:` around the body, for positions.
fn config(body: &str) -> String {
    let indented: String = body.lines().map(|l| format!("  {l}\n")).collect();
    format!("region: us-east-1\nschedule:\n{indented}")
}

fn errors(body: &str) -> Vec<String> {
    let text = config(body);
    #[derive(serde::Deserialize)]
    struct F {
        schedule: RawSchedule,
        #[allow(dead_code)]
        region: String,
    }
    let f: F = serde_yaml::from_str(&text).unwrap();
    match build("parkctl.yaml", &text, &f.schedule, &known()) {
        Ok(_) => vec![],
        Err(e) => e.errors.iter().map(|d| d.message.clone()).collect(),
    }
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

const WORKDAYS: &str = "timezone: Europe/Berlin
default: parked
periods:
  - profile: running
    days: [mon, tue, wed, thu, fri]
    from: \"07:00\"
    to: \"20:00\"
";

fn due(s: &Schedule, t: &str) -> String {
    s.due(utc(t), None).profile
}

#[test]
fn workdays_in_berlin_winter_and_summer() {
    let s = schedule(WORKDAYS);
    // Tue 2026-12-01: CET, UTC+1.
    assert_eq!(due(&s, "2026-12-01T05:59:00Z"), "parked");
    assert_eq!(due(&s, "2026-12-01T06:00:00Z"), "running");
    assert_eq!(due(&s, "2026-12-01T18:59:59Z"), "running");
    assert_eq!(due(&s, "2026-12-01T19:00:00Z"), "parked");
    // Wed 2026-07-01: CEST, UTC+2.
    assert_eq!(due(&s, "2026-07-01T05:00:00Z"), "running");
    assert_eq!(due(&s, "2026-07-01T04:59:00Z"), "parked");
    // Saturday: parked all day.
    assert_eq!(due(&s, "2026-12-05T12:00:00Z"), "parked");
}

#[test]
fn berlin_spring_forward_gap_takes_effect_after_the_gap() {
    // 2026-03-29 (Sunday): 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
    let s = schedule(
        "timezone: Europe/Berlin\ndefault: parked\nperiods:\n  - profile: running\n    days: [sun]\n    from: \"02:30\"\n    to: \"05:00\"\n",
    );
    assert_eq!(due(&s, "2026-03-29T00:59:59Z"), "parked");
    assert_eq!(due(&s, "2026-03-29T01:00:00Z"), "running");
    // 05:00 CEST is 03:00 UTC.
    assert_eq!(due(&s, "2026-03-29T02:59:59Z"), "running");
    assert_eq!(due(&s, "2026-03-29T03:00:00Z"), "parked");
    let (since, until) = s.since_until(utc("2026-03-29T02:00:00Z"), None);
    assert_eq!(since, Some(utc("2026-03-29T01:00:00Z")));
    assert_eq!(until, Some(utc("2026-03-29T03:00:00Z")));
    // The workday schedule on the Monday after: 07:00 CEST = 05:00 UTC.
    let w = schedule(WORKDAYS);
    assert_eq!(due(&w, "2026-03-27T06:00:00Z"), "running"); // Fri, CET
    assert_eq!(due(&w, "2026-03-30T04:59:00Z"), "parked");
    assert_eq!(due(&w, "2026-03-30T05:00:00Z"), "running");
}

#[test]
fn berlin_fall_back_takes_the_first_occurrence() {
    // 2026-10-25 (Sunday): 03:00 CEST falls back to 02:00 CET at 01:00 UTC;
    // 02:30 happens at 00:30 UTC and again at 01:30 UTC.
    let s = schedule(
        "timezone: Europe/Berlin\ndefault: parked\nperiods:\n  - profile: running\n    days: [sun]\n    from: \"00:00\"\n    to: \"02:30\"\n",
    );
    assert_eq!(due(&s, "2026-10-24T22:00:00Z"), "running"); // 00:00 CEST
    assert_eq!(due(&s, "2026-10-25T00:29:59Z"), "running");
    assert_eq!(due(&s, "2026-10-25T00:30:00Z"), "parked");
    // The repeated 02:00-02:30 does not bring the period back.
    assert_eq!(due(&s, "2026-10-25T01:15:00Z"), "parked");
    let start = schedule(
        "timezone: Europe/Berlin\ndefault: parked\nperiods:\n  - profile: running\n    days: [sun]\n    from: \"02:30\"\n    to: \"04:00\"\n",
    );
    assert_eq!(due(&start, "2026-10-25T00:29:00Z"), "parked");
    assert_eq!(due(&start, "2026-10-25T00:30:00Z"), "running");
    // 04:00 CET is 03:00 UTC: the period lasts 2.5 hours that night.
    assert_eq!(due(&start, "2026-10-25T02:59:00Z"), "running");
    assert_eq!(due(&start, "2026-10-25T03:00:00Z"), "parked");
}

#[test]
fn new_york_both_changes() {
    let s = schedule(
        "timezone: America/New_York\ndefault: parked\nperiods:\n  - profile: running\n    days: [sun]\n    from: \"02:30\"\n    to: \"06:00\"\n",
    );
    // 2026-03-08: 02:00 EST jumps to 03:00 EDT at 07:00 UTC.
    assert_eq!(due(&s, "2026-03-08T06:59:59Z"), "parked");
    assert_eq!(due(&s, "2026-03-08T07:00:00Z"), "running");
    assert_eq!(due(&s, "2026-03-08T09:59:59Z"), "running"); // 05:59 EDT
    assert_eq!(due(&s, "2026-03-08T10:00:00Z"), "parked");
    // 2026-11-01: 02:00 EDT falls back to 01:00 EST at 06:00 UTC. 02:30
    // occurs once (EST, 07:30 UTC); 01:30 twice.
    assert_eq!(due(&s, "2026-11-01T07:29:00Z"), "parked");
    assert_eq!(due(&s, "2026-11-01T07:30:00Z"), "running");
    let early = schedule(
        "timezone: America/New_York\ndefault: parked\nperiods:\n  - profile: running\n    days: [sun]\n    from: \"01:30\"\n    to: \"03:00\"\n",
    );
    // First 01:30 is EDT: 05:30 UTC.
    assert_eq!(due(&early, "2026-11-01T05:29:00Z"), "parked");
    assert_eq!(due(&early, "2026-11-01T05:30:00Z"), "running");
    assert_eq!(due(&early, "2026-11-01T07:59:00Z"), "running"); // 02:59 EST
    assert_eq!(due(&early, "2026-11-01T08:00:00Z"), "parked");
}

#[test]
fn local_times_resolve_by_the_gap_and_fold_rules() {
    let tz: chrono_tz::Tz = "America/New_York".parse().unwrap();
    let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    assert_eq!(
        resolve(tz, at("2026-03-08 02:30")),
        utc("2026-03-08T07:00:00Z")
    );
    assert_eq!(
        resolve(tz, at("2026-11-01 01:30")),
        utc("2026-11-01T05:30:00Z")
    );
    assert_eq!(
        parse_instant("2026-11-01 01:30", tz).unwrap(),
        utc("2026-11-01T05:30:00Z")
    );
    assert_eq!(
        parse_instant("2026-03-29T01:30:00Z", tz).unwrap(),
        utc("2026-03-29T01:30:00Z")
    );
    assert!(parse_instant("tomorrow", tz).is_err());
    assert!(parse_instant("+99999-01-01 00:00", tz).is_err());
    assert!(parse_instant("1900-01-01T00:00:00Z", tz).is_err());
}

#[test]
fn a_period_past_midnight_belongs_to_the_day_it_starts() {
    let s = schedule(
        "timezone: Europe/Berlin\ndefault: parked\nperiods:\n  - profile: running\n    days: [sun]\n    from: \"22:00\"\n    to: \"06:00\"\n",
    );
    // Sun 2026-12-06 22:00 CET = 21:00 UTC, to Mon 06:00 CET = 05:00 UTC.
    assert_eq!(due(&s, "2026-12-06T20:59:00Z"), "parked");
    assert_eq!(due(&s, "2026-12-06T21:00:00Z"), "running");
    assert_eq!(due(&s, "2026-12-07T04:59:00Z"), "running");
    assert_eq!(due(&s, "2026-12-07T05:00:00Z"), "parked");
    // Monday night is not Sunday's.
    assert_eq!(due(&s, "2026-12-07T22:00:00Z"), "parked");
    // In the week's minutes, it wraps to Monday morning.
    let minutes = cost::week_minutes(&s);
    assert_eq!(minutes[1], ("running".to_string(), 8 * 60));
}

#[test]
fn dates_override_whole_local_days() {
    let s = schedule(&format!(
        "{WORKDAYS}dates:\n  - date: 2026-12-24\n    profile: parked\n  - date: \"2026-12-26\"\n    profile: running\n"
    ));
    // Thu 2026-12-24 is a workday, parked by the date.
    assert_eq!(due(&s, "2026-12-24T10:00:00Z"), "parked");
    let d = s.due(utc("2026-12-24T10:00:00Z"), None);
    assert_eq!(d.reason.to_string(), "date 2026-12-24 (line 11)");
    // Sat 2026-12-26 runs from local midnight to midnight (23:00Z to 23:00Z).
    assert_eq!(due(&s, "2026-12-25T22:59:00Z"), "parked");
    assert_eq!(due(&s, "2026-12-25T23:00:00Z"), "running");
    assert_eq!(due(&s, "2026-12-26T22:59:00Z"), "running");
    assert_eq!(due(&s, "2026-12-26T23:00:00Z"), "parked");
}

#[test]
fn a_hold_is_honoured_until_it_expires() {
    let s = schedule(WORKDAYS);
    let hold = Hold {
        profile: "running".into(),
        until: utc("2026-12-01T22:00:00Z"),
        set_at: utc("2026-12-01T18:00:00Z"),
        set_by: "ana@laptop".into(),
        reason: Some("late demo".into()),
    };
    let at = |t: &str| s.due(utc(t), Some(&hold));
    assert_eq!(at("2026-12-01T20:00:00Z").profile, "running");
    assert!(matches!(
        at("2026-12-01T20:00:00Z").reason,
        Reason::Hold { .. }
    ));
    // Expired: the schedule again; before it was set: the schedule then.
    assert_eq!(at("2026-12-01T22:00:00Z").profile, "parked");
    assert!(hold.expired(utc("2026-12-01T22:00:00Z")));
    assert_eq!(at("2026-12-01T05:00:00Z").profile, "parked");
    // The hold moves the next transition to its end.
    let (_, until) = s.since_until(utc("2026-12-01T20:00:00Z"), Some(&hold));
    assert_eq!(until, Some(utc("2026-12-01T22:00:00Z")));
    // Cleared: no hold, the schedule.
    assert_eq!(s.due(utc("2026-12-01T20:00:00Z"), None).profile, "parked");
}

#[test]
fn transitions_and_day_views() {
    let s = schedule(WORKDAYS);
    let t = s.transitions(
        utc("2026-12-04T12:00:00Z"),
        utc("2026-12-08T12:00:00Z"),
        None,
    );
    let at: Vec<String> = t
        .iter()
        .map(|x| format!("{} {}", x.at.format("%m-%d %H:%M"), x.profile))
        .collect();
    assert_eq!(
        at,
        [
            "12-04 19:00 parked",
            "12-07 06:00 running",
            "12-07 19:00 parked",
            "12-08 06:00 running"
        ]
    );
    let v = due::day_view(
        &s,
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        None,
    );
    assert_eq!(v.hours["running"], 13.0);
    assert_eq!(v.hours["parked"], 11.0);
    assert_eq!(v.hourly[6], "parked");
    assert_eq!(v.hourly[7], "running");
    // The fall-back Sunday has 25 hours.
    let sun = due::day_view(
        &s,
        chrono::NaiveDate::from_ymd_opt(2026, 10, 25).unwrap(),
        None,
    );
    assert_eq!(sun.hours["parked"], 25.0);
}

#[test]
fn the_month_with_the_schedule() {
    // The example: $43.80 a month running, $10.95 parked, running
    // 65 of the week's 168 hours.
    let s = schedule(WORKDAYS);
    let month = |usd: &str| Some(Money::parse_usd(usd).unwrap());
    let costs: BTreeMap<String, Option<Money>> = [
        ("running".to_string(), month("43.80")),
        ("parked".to_string(), month("10.95")),
    ]
    .into();
    let c = cost::monthly(&s, &costs);
    assert_eq!(c.month.unwrap().usd(2), "$23.66");
    assert_eq!(c.profiles[0].profile, "parked");
    assert_eq!(c.profiles[0].hours_per_week, 103.0);
    assert_eq!(c.profiles[1].hours_per_week, 65.0);
    assert_eq!(c.saving.unwrap().usd(2), "$20.14");
    // An unknown cost makes the month unknown, never a partial sum.
    let unknown: BTreeMap<String, Option<Money>> = [
        ("running".to_string(), None),
        ("parked".to_string(), month("10.95")),
    ]
    .into();
    assert_eq!(cost::monthly(&s, &unknown).month, None);
    // Saturday as well: 65 + 24 hours running.
    let sat = schedule(&format!(
        "{WORKDAYS}  - profile: running\n    days: [sat]\n"
    ));
    let c = cost::monthly(&sat, &costs);
    assert_eq!(c.profiles[1].hours_per_week, 89.0);
    assert_eq!(c.month.unwrap().usd(2), "$28.35");
}

#[test]
fn overlapping_periods_are_refused_naming_both_lines() {
    let e = errors(
        "timezone: Europe/Berlin\ndefault: parked\nperiods:\n  - profile: running\n    days: [mon]\n    from: \"07:00\"\n    to: \"20:00\"\n  - profile: demo\n    days: [mon]\n    from: \"19:00\"\n    to: \"21:00\"\n",
    );
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("parkctl.yaml:6:7: periods at lines 6 and 10 overlap on mon at 19:00"),
        "{e:?}"
    );
    // The same profile twice is no conflict; a Sunday night into a Monday
    // morning of another profile is.
    assert!(errors("timezone: UTC\ndefault: parked\nperiods:\n  - profile: running\n    days: [mon]\n  - profile: running\n    days: [mon, tue]\n").is_empty());
    let e = errors("timezone: UTC\ndefault: parked\nperiods:\n  - profile: running\n    days: [sun]\n    from: \"22:00\"\n    to: \"02:00\"\n  - profile: demo\n    days: [mon]\n    to: \"08:00\"\n    from: \"01:00\"\n");
    assert!(e[0].contains("overlap on mon at 01:00"), "{e:?}");
    // Two dates with different profiles.
    let e = errors("timezone: UTC\ndefault: parked\ndates:\n  - date: 2026-12-24\n    profile: parked\n  - date: 2026-12-24\n    profile: running\n");
    assert!(
        e[0].starts_with(
            "parkctl.yaml:6:7: 2026-12-24 is `parked` at line 6 and `running` at line 8"
        ),
        "{e:?}"
    );
}

#[test]
fn bad_values_are_reported_at_their_lines() {
    let e = errors(
        "timezone: Europe/Berlinn\ndefault: idle\nperiods:\n  - profile: running\n    days: [mon, funday]\n    from: \"25:00\"\n    to: \"20:00\"\ndates:\n  - date: 2026-13-01\n    profile: parked\n",
    );
    let want = [
        "parkctl.yaml:3:13: unknown time zone `Europe/Berlinn`",
        "parkctl.yaml:4:12: unknown profile `idle`",
        "parkctl.yaml:7:19: unknown day `funday`",
        "parkctl.yaml:8:13: `25:00` is not a time of day",
        "parkctl.yaml:11:13: `2026-13-01` is not a date",
    ];
    assert_eq!(e, want);
    let e = errors("timezone: europe/berlin\ndefault: parked\n");
    assert_eq!(e, ["parkctl.yaml:3:13: unknown time zone `europe/berlin`"]);
    let e = errors(
        "timezone: UTC\ndefault: parked\nperiods:\n  - profile: running\n    from: \"07:00\"\n",
    );
    assert!(e[0].contains("`from` without `to`"), "{e:?}");
    assert!(errors("timezone: UTC\ndefault: parked\nperiods:\n  - profile: running\n    from: \"07:00\"\n    to: \"24:00\"\n").is_empty());
}

#[test]
fn describes_periods_for_records() {
    let s = schedule(WORKDAYS);
    assert_eq!(s.periods[0].describe(), "mon-fri 07:00-20:00");
    let d = s.due(utc("2026-12-01T10:00:00Z"), None);
    assert_eq!(d.reason.to_string(), "period mon-fri 07:00-20:00 (line 6)");
    assert_eq!(
        s.due(utc("2026-12-01T10:00:00Z") + Duration::hours(12), None)
            .reason,
        Reason::Default
    );
}
