//! Terraform-style plan text: a line per change under its phase, then the
//! warnings, errors and a summary.

use crate::outcome::{Outcome, Status};
use crate::plan::Plan;
use owo_colors::OwoColorize;

pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, s: &str, f: impl Fn(&str) -> String) -> String {
        if self.color {
            f(s)
        } else {
            s.to_string()
        }
    }
    fn yellow(&self, s: &str) -> String {
        self.paint(s, |x| x.yellow().to_string())
    }
    fn red(&self, s: &str) -> String {
        self.paint(s, |x| x.red().bold().to_string())
    }
    fn green(&self, s: &str) -> String {
        self.paint(s, |x| x.green().to_string())
    }
    fn bold(&self, s: &str) -> String {
        self.paint(s, |x| x.bold().to_string())
    }
}

/// Writes the plan to `out` as it is rendered: the text of 10,000 changes
/// is 1.4 MB, which a `String` held whole (and up to twice over while it
/// grew) at the peak of the process's memory.
pub fn plan(out: &mut impl std::io::Write, p: &Plan, st: &Style) -> std::io::Result<()> {
    let width = p
        .changes
        .iter()
        .map(|c| c.resource.to_string().len())
        .max()
        .unwrap_or(0);
    for (i, (phase, changes)) in p.phases().into_iter().enumerate() {
        write!(
            out,
            "{}",
            st.bold(&format!("{}. {}\n", i + 1, phase.title()))
        )?;
        for c in changes {
            write!(
                out,
                "  {} {:<width$}  {}: {} -> {}",
                st.yellow("~"),
                c.resource.to_string(),
                c.attr,
                c.before(),
                c.after()
            )?;
            if let Some(note) = &c.note {
                write!(out, "  ({note})")?;
            }
            writeln!(out)?;
        }
    }
    for w in &p.warnings {
        writeln!(out, "{} {}", st.yellow("Warning:"), w.message)?;
    }
    for e in &p.errors {
        writeln!(out, "{} {}", st.red("Error:"), e.message)?;
    }
    if let Some(c) = &p.cost {
        for l in super::cost::lines(c) {
            writeln!(out, "{l}")?;
        }
    }
    write!(out, "{}", summary(p, st))
}

pub fn summary(p: &Plan, st: &Style) -> String {
    if p.changes.is_empty() {
        return format!(
            "{} Live state matches profile `{}` ({} resources checked).\n",
            st.green("No changes."),
            p.profile,
            p.selected_total()
        );
    }
    let per: Vec<String> = crate::services::names()
        .map(|s| {
            (
                s,
                p.changes.iter().filter(|c| c.resource.service == s).count(),
            )
        })
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    let mut s = format!(
        "{} {} to change ({}).",
        st.bold("Plan:"),
        p.changes.len(),
        per.join(", ")
    );
    if p.has_errors() {
        s.push_str(&format!(
            " {}",
            st.red(&format!(
                "{} error(s): this plan cannot be applied.",
                p.errors.len()
            ))
        ));
    }
    s.push('\n');
    s
}

/// The table of what did not go through, with the reason and what to do.
pub fn failures(outcomes: &[Outcome], st: &Style) -> String {
    let bad: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.status != Status::Applied)
        .collect();
    if bad.is_empty() {
        return String::new();
    }
    let mut out = st.red("Not applied:\n");
    for o in bad {
        let what = o.change.describe();
        let status = format!("{:?}", o.status).to_lowercase();
        out.push_str(&format!("  {status:<8} {what}\n"));
        if let Some(e) = &o.error {
            out.push_str(&format!("           {e}\n"));
        }
        if let Some(r) = &o.reason {
            out.push_str(&format!("           -> {r}\n"));
        }
    }
    out
}
