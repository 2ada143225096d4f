//! A plan's cost effect as plain lines, for plan and apply output: one per
//! service, the total, then the notes.

use crate::cost::{CostComparison, CostDelta, Money};

pub fn lines(c: &CostComparison) -> Vec<String> {
    let mut rows: Vec<(&str, &CostDelta)> =
        c.services.0.iter().map(|(n, d)| (n.as_str(), d)).collect();
    rows.push(("total", &c.total));
    let mut lines: Vec<String> = rows
        .iter()
        .map(|(name, d)| {
            format!(
                "cost/month  {name} {} -> {} ({})",
                money(d.before),
                money(d.after),
                saving(d.saving)
            )
        })
        .collect();
    lines.extend(c.notes.iter().map(|n| format!("note: {n}")));
    lines
}

pub fn money(m: Option<Money>) -> String {
    m.map_or_else(|| "unknown".to_string(), |m| m.to_string())
}

/// Judged on the cents shown, so that "$0.00 -> $0.00" never reads
/// "saves $0.00".
fn saving(s: Option<Money>) -> String {
    match s {
        None => "saving unknown".to_string(),
        Some(s) if s.to_string() == "$0.00" => "no change".to_string(),
        Some(s) if s > Money::ZERO => format!("saves {s}"),
        Some(s) => format!("costs {} more", -s),
    }
}
