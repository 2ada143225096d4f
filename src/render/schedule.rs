//! `parkctl schedule` as text: the due profile, the hold, the next
//! transitions in local time and UTC, a bar per day and the month's cost.

use crate::cost::Money;
use crate::schedule::time::local_label;
use crate::schedule::view::{HoldView, Summary, View};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use std::fmt::Write;

/// Bar cells by profile, in legend order: the default is the light one.
const CELLS: [char; 5] = ['·', '█', '▓', '▒', '+'];

fn zone(s: &Summary) -> Tz {
    s.timezone.parse().unwrap_or(Tz::UTC)
}

/// `Tue 2026-12-01 20:00 CET (19:00 UTC)`.
fn both(t: DateTime<Utc>, tz: Tz) -> String {
    format!("{} ({})", local_label(t, tz), t.format("%H:%M UTC"))
}

/// The due profile, since and until, and the hold: also `status`'s lines.
pub fn summary(s: &Summary) -> String {
    let tz = zone(s);
    let mut o = String::new();
    let _ = writeln!(o, "Due: `{}` ({})", s.due, s.reason);
    let since = s
        .since
        .map_or_else(|| "more than two weeks".into(), |t| both(t, tz));
    let until = s
        .until
        .map_or_else(|| "no change in the next two weeks".into(), |t| both(t, tz));
    let _ = writeln!(o, "  since {since}\n  until {until}");
    let _ = writeln!(o, "{}", hold_line(s.hold.as_ref(), tz));
    o
}

pub fn hold_line(h: Option<&HoldView>, tz: Tz) -> String {
    let Some(h) = h else {
        return "Hold: none".into();
    };
    let state = if h.expired {
        "expired, ignored"
    } else if h.active {
        "in force"
    } else {
        "not yet in force"
    };
    let reason = h
        .hold
        .reason
        .as_deref()
        .map(|r| format!(": {r}"))
        .unwrap_or_default();
    format!(
        "Hold: `{}` until {}, set by {} at {} ({state}){reason}",
        h.hold.profile,
        both(h.hold.until, tz),
        h.hold.set_by,
        h.hold.set_at.format("%Y-%m-%d %H:%M UTC")
    )
}

pub fn text(v: &View) -> String {
    let tz = zone(&v.now);
    let mut o = format!(
        "Schedule in {}, at {}\n",
        v.now.timezone,
        both(v.now.at, tz)
    );
    o.push_str(&summary(&v.now));
    let _ = writeln!(o, "\nNext transitions");
    if v.transitions.is_empty() {
        let _ = writeln!(o, "  none in this window");
    }
    for t in &v.transitions {
        let _ = writeln!(
            o,
            "  {} ({})  -> {:<10} {}",
            t.local,
            t.at.format("%Y-%m-%d %H:%M UTC"),
            t.profile,
            t.reason
        );
    }
    o.push_str(&week(v));
    o.push_str(&cost(v));
    o
}

fn cell(v: &View, profile: &str) -> char {
    let i = v
        .profiles
        .iter()
        .position(|p| p == profile)
        .unwrap_or(CELLS.len() - 1);
    CELLS[i.min(CELLS.len() - 1)]
}

fn week(v: &View) -> String {
    let legend: Vec<String> = v
        .profiles
        .iter()
        .map(|p| format!("{} {p}", cell(v, p)))
        .collect();
    let mut o = format!("\nDays ({}; one cell per local hour)\n", legend.join("  "));
    let _ = writeln!(o, "  {:<14} 0     6     12    18    24", "");
    for d in &v.days {
        let bar: String = d.hourly.iter().map(|p| cell(v, p)).collect();
        let hours: Vec<String> = v
            .profiles
            .iter()
            .filter_map(|p| d.hours.get(p).map(|h| format!("{p} {}", hours(*h))))
            .collect();
        let _ = writeln!(
            o,
            "  {:<14} {bar}  {}",
            d.date.format("%a %Y-%m-%d"),
            hours.join(", ")
        );
    }
    o
}

fn hours(h: f64) -> String {
    if (h - h.round()).abs() < 1e-9 {
        format!("{h:.0} h")
    } else {
        format!("{h:.1} h")
    }
}

fn money(m: Option<Money>) -> String {
    m.map_or_else(|| "unknown".into(), |m| m.usd(2))
}

fn cost(v: &View) -> String {
    let Some(c) = &v.cost else {
        return "\nMonthly cost: unknown (the live state could not be read and priced)\n".into();
    };
    let mut o = "\nMonthly cost (an average week over a 730-hour month)\n".to_string();
    let shares: Vec<String> = c
        .profiles
        .iter()
        .map(|p| format!("{} {}/week", p.profile, hours(p.hours_per_week)))
        .collect();
    let _ = writeln!(
        o,
        "  {:<20} {:>10}  {}",
        "with the schedule",
        money(c.month),
        shares.join(", ")
    );
    for p in &c.profiles {
        let note = if p.default { "  (the default)" } else { "" };
        let _ = writeln!(
            o,
            "  {:<20} {:>10}{note}",
            format!("always {}", p.profile),
            money(p.always)
        );
    }
    if let Some(s) = c.saving.filter(|s| s.picos() > 0) {
        let _ = writeln!(
            o,
            "  the schedule saves {}/month against the dearest profile all the time",
            s.usd(2)
        );
    }
    o
}

/// What a scheduled run says when the due profile already matches (a
/// timer runs it every few minutes: one quiet line).
pub fn nothing_due(profile: &str, detail: &str) -> String {
    format!("Scheduled: `{profile}` is due ({detail}); the live state matches it, nothing to do.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::Hold;
    use chrono::{DateTime, Duration};

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn an_expired_hold_is_shown_as_expired_and_ignored() {
        let text = "schedule:\n  timezone: UTC\n  default: parked\n  periods:\n    - profile: running\n      days: [mon]\n";
        let f: crate::config::FileConfig = serde_yaml::from_str(text).unwrap();
        let known = ["parked".to_string(), "running".to_string()];
        let s = crate::schedule::parse::build("parkctl.yaml", text, &f.schedule.unwrap(), &known)
            .unwrap();
        let at = utc("2026-12-05T12:00:00Z");
        let hold = Hold {
            profile: "running".into(),
            until: at - Duration::hours(1),
            set_at: at - Duration::hours(5),
            set_by: "ana@laptop".into(),
            reason: None,
        };
        let v = crate::schedule::view::build(&s, at, Some(&hold), 3, None);
        assert_eq!(v.now.due, "parked");
        let out = super::text(&v);
        assert!(out.contains("Hold: `running` until Sat 2026-12-05 11:00 UTC (11:00 UTC), set by ana@laptop at 2026-12-05 07:00 UTC (expired, ignored)"), "{out}");
        assert!(
            out.contains("Mon 2026-12-07 ████████████████████████  running 24 h"),
            "{out}"
        );
        assert!(out.contains("Monthly cost: unknown"), "{out}");
    }
}
