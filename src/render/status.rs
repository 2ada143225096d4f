//! `parkctl status` as text: resources, profiles, a cost bar chart, idle
//! resources and recommendations.

use crate::cost::Money;
use crate::idle::Activity;
use crate::model::Live;
use crate::status::Status;
use std::fmt::Write;

const BAR: usize = 40;

fn money(m: Option<Money>) -> String {
    m.map_or_else(|| "unknown".to_string(), |m| m.to_string())
}

pub fn text(s: &Status, live: &Live) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "Region {}", s.region);
    let _ = writeln!(o, "\nResources");
    for svc in crate::services::SERVICES {
        let mine: Vec<&crate::model::Resource> = live.of_service(svc.name()).collect();
        if mine.is_empty() {
            continue;
        }
        for line in svc.summary(&mine) {
            let _ = writeln!(o, "  {line}");
        }
    }

    let t = &s.live.total;
    let hour = t.hour.map_or_else(|| "unknown".to_string(), |m| m.usd(3));
    let _ = writeln!(
        o,
        "\nLive cost  {hour} /hour  {} /day  {} /month",
        money(t.day),
        money(t.month)
    );
    for (name, c) in &s.live.services.0 {
        let _ = writeln!(o, "  {name:<11} {} /month", money(c.month));
    }
    for n in &s.live.notes {
        let _ = writeln!(o, "  note: {n}");
    }
    o.push_str(&matches(s));
    if let Some(sch) = &s.schedule {
        let _ = writeln!(o, "{}", schedule_line(sch));
    }

    let _ = writeln!(o, "\nMonthly cost");
    let mut rows: Vec<(String, Option<Money>)> = vec![("live".into(), s.live.total.month)];
    rows.extend(s.profiles.iter().map(|p| (p.name.clone(), p.month)));
    let max = rows
        .iter()
        .filter_map(|(_, m)| m.map(|m| m.picos()))
        .max()
        .unwrap_or(0)
        .max(1);
    for (name, m) in &rows {
        let len = m.map_or(0, |m| ((m.picos() * BAR as i128) / max) as usize);
        let bar: String = "█".repeat(len);
        let _ = writeln!(o, "  {name:<12} {bar:<width$} {}", money(*m), width = BAR);
    }

    busiest(&mut o, s);

    let _ = writeln!(o, "\nActivity over {:.0} h", s.window_hours);
    for a in &s.activity {
        let v = match (a.activity, a.busy_above, a.value) {
            (Activity::Active { count }, Some(p), _) => {
                format!("active ({} {count:.1}% on average, above {p}%)", a.metric)
            }
            (Activity::Idle, Some(p), Some(v)) => {
                format!("IDLE ({} {v:.1}% on average, at most {p}%)", a.metric)
            }
            (Activity::Active { count }, None, _) => format!("active ({count:.0} {})", a.metric),
            (Activity::Idle, _, _) => format!("IDLE (no {})", a.metric),
            (Activity::NoData, _, _) => "no data (younger than the window?)".into(),
        };
        let _ = writeln!(o, "  {:<16} {:<48} {v}", a.kind, a.name);
    }
    if !s.recommendations.is_empty() {
        let _ = writeln!(o, "\nRecommendations (previews; status changes nothing)");
        for r in &s.recommendations {
            let _ = writeln!(o, "  - {r}");
        }
    }
    o
}

/// The resources costing most a month, with how each figure was reached.
fn busiest(o: &mut String, s: &Status) {
    if s.busiest.is_empty() {
        return;
    }
    let _ = writeln!(o, "\nBusiest by monthly cost");
    for r in &s.busiest {
        let what = format!("{} {}", r.kind, r.name);
        let _ = writeln!(o, "  {what:<64} {:>10}  {}", money(r.month), in_parts(r));
    }
}

/// `$49.06 requests and duration + $30.42 logs (BASIS)` where the cost has
/// parts, else its basis.
fn in_parts(r: &crate::cost::types::ResourceCost) -> String {
    if r.parts.is_empty() {
        return r.basis.clone();
    }
    let parts: Vec<String> = r
        .parts
        .iter()
        .map(|p| format!("{} {}", money(p.month), p.what))
        .collect();
    format!("{} ({})", parts.join(" + "), r.basis)
}

/// `Schedule: `parked` due (default) until ...`, and the hold.
fn schedule_line(s: &crate::schedule::view::Summary) -> String {
    let tz = s.timezone.parse().unwrap_or(chrono_tz::Tz::UTC);
    let until = s.until.map_or_else(String::new, |t| {
        format!(" until {}", crate::schedule::time::local_label(t, tz))
    });
    format!(
        "Schedule: `{}` due ({}){until}\n{}",
        s.due,
        s.reason,
        crate::render::schedule::hold_line(s.hold.as_ref(), tz)
    )
}

/// Which profile the live state matches, or how far it is from each.
fn matches(s: &Status) -> String {
    let mut o = String::new();
    match s.matches.as_slice() {
        [] => {
            let _ = writeln!(
                o,
                "\nProfile: drifted from all ({})",
                s.profiles
                    .iter()
                    .map(|p| format!("{} {} change(s) away", p.name, p.pending_changes))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        m => {
            let _ = writeln!(o, "\nProfile: live state matches {}", m.join(", "));
        }
    }
    for bad in &s.invalid_profiles {
        let _ = writeln!(o, "  invalid, left out: {bad}");
    }

    o
}
