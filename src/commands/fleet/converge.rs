//! `plan`, `apply`, `restore` and `apply --scheduled` over several
//! targets: every target is locked and planned side by side, each plan is
//! shown under its heading, one summary table follows, one question is
//! asked for all, and the targets with changes apply side by side. One
//! target's failure, refusal or held lock stops no other; the exit code is
//! the worst of the targets'.

use super::Member;
use crate::cli::Format;
use crate::commands::apply::Ready;
use crate::commands::plan::show;
use crate::context::{confirm, Ctx, Error, Exit, Res};
use crate::fleet::{each, worst};
use crate::pipeline::{prepare, source, Toward};
use crate::plan::Plan;
use crate::render::fleet::{heading, summary, Row};
use crate::state::operation::Scheduled;

pub struct Fleet<'a> {
    pub members: &'a [Member],
    pub n: usize,
}

fn name(m: &&Member) -> String {
    m.target.name.clone()
}

/// A target's summary line: planned (`plan`), or stopped (`error`).
fn row(m: &Member, plan: Option<&Plan>, result: String, exit_code: Exit) -> Row {
    let cost = plan.and_then(|p| p.cost.as_ref());
    Row {
        target: m.target.name.clone(),
        account: m.target.account.clone(),
        region: m.target.region.clone(),
        changes: plan.map(|p| p.changes.len()),
        before: cost.and_then(|c| c.total.before),
        after: cost.and_then(|c| c.total.after),
        result,
        exit_code,
    }
}

/// Prints a target's error under its heading; its summary line.
fn stopped(m: &Member, e: Error) -> Row {
    let code = e.exit();
    let why = match code {
        Exit::Locked => format!("locked: {e}"),
        _ => format!("not planned: {e}"),
    };
    crate::render::error::eprint(e);
    row(m, None, why, code)
}

/// A planned target's summary line before anything is applied.
fn planned(m: &Member, plan: &Plan, detailed: bool) -> Row {
    let (result, code) = if plan.has_errors() {
        ("plan has errors".to_string(), Exit::Error)
    } else if plan.is_empty() {
        ("no changes".to_string(), Exit::Ok)
    } else if detailed {
        ("changes".to_string(), Exit::Changes)
    } else {
        ("changes".to_string(), Exit::Ok)
    };
    row(m, Some(plan), result, code)
}

fn print_heading(m: &Member) {
    print!(
        "{}",
        heading(&m.target.name, &m.target.account, &m.target.region)
    );
}

impl Fleet<'_> {
    /// Every target's plan under its heading, then the summary.
    pub async fn plan(&self, want: Toward<'_>, format: Format, detailed: bool) -> Res {
        let started = std::time::Instant::now();
        let preps = each(self.members, self.n, name, |m| async move {
            prepare(&m.ctx, &source(&m.ctx, want)?, false).await
        })
        .await;
        let mut rows = Vec::new();
        let mut json = Vec::new();
        for (m, p) in self.members.iter().zip(preps) {
            if format != Format::Json {
                print_heading(m);
            }
            let r = match p {
                Ok(prep) => {
                    if format == Format::Json {
                        json.push(serde_json::json!({"target": m.target.name, "plan": prep.plan}));
                    } else {
                        show(&prep.plan, format);
                    }
                    if let (true, Some(aws)) = (m.ctx.global.stats, &prep.aws) {
                        eprint!(
                            "{}",
                            crate::render::stats::text(&aws.stats, started.elapsed())
                        );
                    }
                    planned(m, &prep.plan, detailed)
                }
                Err(e) => stopped(m, e),
            };
            rows.push(r);
        }
        if format == Format::Json {
            let doc = serde_json::json!({"targets": json, "summary": rows});
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        } else {
            print!("{}", summary("Plan by target:", &rows));
        }
        Ok(worst(rows.iter().map(|r| r.exit_code)))
    }

    /// Lock and plan every target, ask once, apply those with changes.
    pub async fn apply(
        &self,
        command: &str,
        want: Toward<'_>,
        yes: bool,
        why: Option<Scheduled>,
    ) -> Res {
        let readies = each(self.members, self.n, name, |m| async move {
            Ready::new(&m.ctx, command, source(&m.ctx, want)?).await
        })
        .await;
        let mut rows = Vec::new();
        let mut go = Vec::new();
        for (i, (m, r)) in self.members.iter().zip(readies).enumerate() {
            print_heading(m);
            match r {
                Ok(ready) => {
                    show_ready(&ready.prep.plan, why.as_ref());
                    rows.push(planned(m, &ready.prep.plan, false));
                    let plan = &ready.prep.plan;
                    if !plan.is_empty() && !plan.has_errors() {
                        go.push((i, m, ready));
                    } else {
                        ready.release().await;
                    }
                }
                Err(e) => rows.push(stopped(m, e)),
            }
        }
        print!("{}", summary("Plan by target:", &rows));
        if go.is_empty() {
            return Ok(worst(rows.iter().map(|r| r.exit_code)));
        }
        let total: usize = go.iter().map(|(_, _, r)| r.prep.plan.changes.len()).sum();
        let question = match go.len() {
            1 => format!("Apply {total} changes in 1 target?"),
            n => format!("Apply {total} changes in {n} targets?"),
        };
        let config_confirm = self.members[0].ctx.config.confirm;
        let answer = confirm(&question, yes, config_confirm);
        if !matches!(answer, Ok(true)) {
            for (_, _, ready) in go {
                ready.release().await;
            }
            answer?;
            eprintln!("Not applied.");
            return Ok(Exit::Error);
        }
        let done = each(
            go,
            self.n,
            |(_, m, _)| m.target.name.clone(),
            |(i, m, ready)| {
                let why = why.clone();
                async move { (i, ready.go(&m.ctx, command, true, why).await) }
            },
        )
        .await;
        for (i, result) in done {
            let (text, code) = outcome(&self.members[i].target.name, result);
            rows[i].result = text;
            rows[i].exit_code = code;
        }
        print!("{}", summary("Result by target:", &rows));
        say_failed(&rows);
        Ok(worst(rows.iter().map(|r| r.exit_code)))
    }

    /// `apply --scheduled --targets`: the profile the schedule makes due
    /// (one schedule and hold for the project) in every target.
    pub async fn scheduled(&self, ctx: &Ctx, at: Option<&str>, yes: bool, dry_run: bool) -> Res {
        let (profile, why) = crate::commands::schedule::due(ctx, at).await?;
        eprintln!(
            "Scheduled at {}: `{profile}` is due ({}).",
            why.at.format("%Y-%m-%d %H:%M UTC"),
            why.detail
        );
        if dry_run {
            return self
                .plan(Toward::Profile(&profile), Format::Text, false)
                .await;
        }
        self.apply(
            "apply --scheduled",
            Toward::Profile(&profile),
            yes,
            Some(why),
        )
        .await
    }
}

/// A target's plan; for a scheduled run whose target already matches,
/// one line.
fn show_ready(plan: &Plan, why: Option<&Scheduled>) {
    match why {
        Some(w) if plan.is_empty() && !plan.has_errors() => {
            println!(
                "{}",
                crate::render::schedule::nothing_due(&plan.profile, &w.detail)
            )
        }
        _ => show(plan, Format::Text),
    }
}

/// A target's result line from its apply's exit code or error (printed
/// in full, under the target's name).
fn outcome(target: &str, result: Res) -> (String, Exit) {
    match result {
        Ok(Exit::Ok) => ("applied, verified".into(), Exit::Ok),
        Ok(Exit::Partial) => ("partly applied: re-run to converge".into(), Exit::Partial),
        Ok(Exit::Interrupted) => ("interrupted: re-run to finish".into(), Exit::Interrupted),
        Ok(code) => ("nothing applied".into(), code),
        Err(e) => {
            let code = e.exit();
            let text = match code {
                Exit::Locked => format!("locked: {e}"),
                _ => format!("failed: {e}"),
            };
            crate::render::error::eprint_under(&format!("Target {target}:"), e);
            (text, code)
        }
    }
}

/// Which targets did not converge, in one line each, for the log.
fn say_failed(rows: &[Row]) {
    for r in rows.iter().filter(|r| r.exit_code != Exit::Ok) {
        eprintln!(
            "Target {} (exit {}): {}",
            r.target,
            r.exit_code.code(),
            r.result
        );
    }
}
