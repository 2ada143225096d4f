//! The tables of a run over several targets: the plan summary (changes and
//! monthly cost before -> after), the apply results, live status with
//! totals, and history with the target named. Pure: rows in, text out.

use crate::cost::Money;
use serde::Serialize;

/// One target's line in a summary.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub target: String,
    pub account: String,
    pub region: String,
    /// None when the target was not planned (refused, locked, failed).
    pub changes: Option<usize>,
    pub before: Option<Money>,
    pub after: Option<Money>,
    /// `ok`, `no changes`, `applied 5`, or why the target stopped.
    pub result: String,
    pub exit_code: crate::error::Exit,
}

fn money(m: Option<Money>) -> String {
    m.map_or_else(|| "?".into(), |m| m.to_string())
}

fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let n = cells.len();
        let mut out = String::new();
        for (i, (c, w)) in cells.into_iter().zip(&widths).enumerate() {
            if i + 1 == n {
                out.push_str(&c);
            } else {
                out.push_str(&format!("{c:<w$}  "));
            }
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(header.iter().map(|h| h.to_string()).collect());
    for r in rows {
        out.push_str(&line(r));
    }
    out
}

/// The plan (or apply) summary: one line per target, the totals last.
pub fn summary(title: &str, rows: &[Row]) -> String {
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.target.clone(),
                r.account.clone(),
                r.region.clone(),
                r.changes.map_or_else(|| "-".into(), |c| c.to_string()),
                format!("{} -> {}", money(r.before), money(r.after)),
                r.result.clone(),
            ]
        })
        .collect();
    // Only rows priced on both sides, so that the total's saving is real.
    let priced = || {
        rows.iter()
            .filter(|r| r.before.is_some() && r.after.is_some())
    };
    let known =
        |f: fn(&Row) -> Option<Money>| priced().filter_map(f).fold(Money::ZERO, |a, m| a + m);
    let unpriced = rows
        .iter()
        .filter(|r| r.changes.is_some() && (r.before.is_none() || r.after.is_none()))
        .count();
    let changes: usize = rows.iter().filter_map(|r| r.changes).sum();
    let mut body = body;
    body.push(vec![
        "total".into(),
        String::new(),
        String::new(),
        changes.to_string(),
        match priced().next().is_some() {
            true => format!("{} -> {}", known(|r| r.before), known(|r| r.after)),
            false => "? -> ?".into(),
        },
        match unpriced {
            0 => String::new(),
            n => format!("without {n} unpriced (no prices for their region: --pricing FILE)"),
        },
    ]);
    format!(
        "\n{title}\n{}",
        table(
            &[
                "target",
                "account",
                "region",
                "changes",
                "cost/month",
                "result"
            ],
            body
        )
    )
}

/// A heading above one target's output.
pub fn heading(target: &str, account: &str, region: &str) -> String {
    format!("\n=== target {target} (account {account}, {region}) ===\n")
}

/// One target's live status line.
#[derive(Debug, Clone, Serialize)]
pub struct StatusRow {
    pub target: String,
    pub account: String,
    pub region: String,
    pub month: Option<Money>,
    /// The profiles the live state matches; empty: drifted from all.
    pub matches: Vec<String>,
    /// Why the target could not be read, if it could not.
    pub error: Option<String>,
}

pub fn status(rows: &[StatusRow]) -> String {
    let mut body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let matches = match (&r.error, r.matches.is_empty()) {
                (Some(e), _) => format!("not read: {e}"),
                (None, true) => "(drifted from every profile)".into(),
                (None, false) => r.matches.join(", "),
            };
            vec![
                r.target.clone(),
                r.account.clone(),
                r.region.clone(),
                money(r.month),
                matches,
            ]
        })
        .collect();
    let known: Vec<Money> = rows.iter().filter_map(|r| r.month).collect();
    let total = (!known.is_empty()).then(|| known.iter().fold(Money::ZERO, |a, m| a + *m));
    let missing = rows.len() - known.len();
    body.push(vec![
        "total".into(),
        String::new(),
        String::new(),
        money(total),
        match missing {
            0 => String::new(),
            n => format!("without {n} not read or unpriced"),
        },
    ]);
    table(
        &["target", "account", "region", "live cost/month", "matches"],
        body,
    )
}

/// One operation of history, with its target.
pub struct HistoryRow<'a> {
    pub target: &'a str,
    pub op: &'a crate::state::operation::Operation,
}

pub fn history(rows: &[HistoryRow]) -> String {
    let body = rows
        .iter()
        .map(|r| {
            vec![
                r.op.id.clone(),
                r.target.to_string(),
                r.op.command.clone(),
                format!("{:?}", r.op.result).to_lowercase(),
                r.op.profile.clone(),
                format!("{} applied", r.op.totals.applied),
                format!("{} failed", r.op.totals.failed),
                r.op.caller_arn.clone(),
            ]
        })
        .collect();
    table(
        &[
            "operation",
            "target",
            "command",
            "result",
            "profile",
            "applied",
            "failed",
            "caller",
        ],
        body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(t: &str, c: Option<usize>, b: f64, a: f64) -> Row {
        Row {
            target: t.into(),
            account: "111111111111".into(),
            region: "us-east-1".into(),
            changes: c,
            before: Some(Money::approx(b)),
            after: Some(Money::approx(a)),
            result: "ok".into(),
            exit_code: crate::error::Exit::Ok,
        }
    }

    #[test]
    fn summary_totals_and_unknowns() {
        let text = summary(
            "Plan",
            &[
                row("dev", Some(3), 100.0, 10.0),
                row("stage", Some(2), 50.0, 5.0),
            ],
        );
        assert!(text.contains("total"), "{text}");
        assert!(text.contains("$150.00 -> $15.00"), "{text}");
        let mut r = row("west", Some(2), 0.0, 0.0);
        r.before = None;
        r.after = None;
        let text = summary("Plan", &[row("dev", Some(3), 100.0, 10.0), r]);
        assert!(text.contains("? -> ?"), "{text}");
        assert!(
            text.contains("$100.00 -> $10.00  without 1 unpriced"),
            "{text}"
        );
    }
}
