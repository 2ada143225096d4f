//! `parkctl billing` as text: one line per day with its billed total, a
//! bar, whether parkctl had the project parked, and its top services; then
//! the comparison.

use crate::billing::{Mark, Report};
use crate::cost::money::Money;
use std::fmt::Write;

const BAR: usize = 24;

pub fn text(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Billed per day (Cost Explorer, UnblendedCost, tag {}):",
        r.tag
    );
    let max = r
        .days
        .iter()
        .map(|d| d.total.picos())
        .max()
        .unwrap_or(0)
        .max(1);
    for d in &r.days {
        let len = ((d.total.picos() * BAR as i128) / max) as usize;
        let mark = match d.mark {
            Mark::Running => "running".to_string(),
            Mark::Parked => "PARKED".to_string(),
            Mark::Partly => format!("parked {:.0} h", d.parked_hours),
            Mark::Unknown => "no record".to_string(),
        };
        let top: Vec<String> = d
            .top
            .iter()
            .map(|(s, m)| format!("{s} {}", m.usd(2)))
            .collect();
        let _ = writeln!(
            o,
            "  {} {:>9} {:<width$} {:<12}{} {}",
            d.date,
            d.total.usd(2),
            "█".repeat(len),
            mark,
            if d.estimated { " (estimated)" } else { "" },
            top.join(", "),
            width = BAR
        );
    }
    let _ = writeln!(
        o,
        "  {:<10} {:>9} over {} day(s)",
        "total",
        r.total.usd(2),
        r.days.len()
    );
    let show = |m: Option<Money>| m.map_or("unknown".to_string(), |m| m.usd(2));
    let _ = writeln!(
        o,
        "\nPer running day {}, per parked day {}",
        show(r.per_running_day),
        show(r.per_parked_day)
    );
    let _ = writeln!(
        o,
        "Saving per parked day: billed {}, parkctl's estimate {}",
        show(r.billed_saving_per_day),
        show(r.estimated_saving_per_day)
    );
    for n in &r.notes {
        let _ = writeln!(o, "note: {n}");
    }
    o
}
