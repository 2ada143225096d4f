//! `plan`, `apply`, `restore` and `apply --scheduled` over the jobs of a
//! run: every job is locked and planned (a fleet's side by side), and each
//! plan shown. The one job of a run without `--targets` then asks its own
//! question and applies, its error the run's. A fleet shows one summary
//! table, asks once for all, and the targets with changes apply side by
//! side; one target's failure, refusal or held lock stops no other, and the
//! exit code is the worst of the targets'.

use super::{Fleet, Member};
use crate::cli::Format;
use crate::commands::apply::Ready;
use crate::commands::plan::{save, show};
use crate::context::{confirm, fail_help, Error, Exit, Invocation, Res};
use crate::fleet::{each, worst};
use crate::pipeline::{prepare, source, Toward};
use crate::plan::Plan;
use crate::render::fleet::{summary, Row};
use crate::state::operation::Scheduled;
use std::path::Path;

/// A job's summary line: planned (`plan`), or stopped (`error`).
fn row(m: &Member, plan: Option<&Plan>, result: String, exit_code: Exit) -> Row {
    let cost = plan.and_then(|p| p.cost.as_ref());
    let [target, account, region] = m.place();
    Row {
        target,
        account,
        region,
        changes: plan.map(|p| p.changes.len()),
        before: cost.and_then(|c| c.total.before),
        after: cost.and_then(|c| c.total.after),
        result,
        exit_code,
    }
}

/// A planned job's summary line before anything is applied; its exit
/// code is a plan's (`--detailed-exitcode`: 2 for changes).
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

impl Fleet {
    /// A job that stopped before its plan: in a fleet, its error printed
    /// under its heading and its summary line; alone, the run's error.
    fn stopped(&self, m: &Member, e: Error) -> Result<Row, Error> {
        if !self.named() {
            return Err(e);
        }
        let code = e.exit();
        let why = match code {
            Exit::Locked => format!("locked: {e}"),
            _ => format!("not planned: {e}"),
        };
        crate::render::error::eprint(e);
        Ok(row(m, None, why, code))
    }

    /// `plan PROFILE` or `plan --snapshot S`; `--out` saves one job's
    /// plan, so a fleet refuses it.
    pub async fn plan_command(
        &self,
        profile: Option<&str>,
        snapshot: Option<&str>,
        format: Format,
        out: Option<&Path>,
        detailed: bool,
    ) -> Res {
        if out.is_some() && self.named() {
            return Err(fail_help(
                "--out saves one target's plan, not several",
                "plan one target without --targets (with its credentials), or drop --out",
            ));
        }
        let want = Toward::of(profile, snapshot)?;
        self.plan(want, format, out, detailed).await
    }

    /// Every job's plan (a target's under its heading), saved to `out` if
    /// asked and free of errors; in a fleet, the summary after.
    pub async fn plan(
        &self,
        want: Toward<'_>,
        format: Format,
        out: Option<&Path>,
        detailed: bool,
    ) -> Res {
        let started = std::time::Instant::now();
        let preps = self
            .each(|m| async move { prepare(&m.ctx, &source(&m.ctx, want)?, out.is_some()).await })
            .await;
        // A fleet's JSON is one document: every target's plan and the summary.
        let one_doc = self.named() && format == Format::Json;
        let mut rows = Vec::new();
        let mut json = Vec::new();
        for (m, p) in self.members.iter().zip(preps) {
            if !one_doc {
                m.print_heading();
            }
            let prep = match p {
                Ok(prep) => prep,
                Err(e) => {
                    rows.push(self.stopped(m, e)?);
                    continue;
                }
            };
            if one_doc {
                json.push(serde_json::json!({"target": m.name(), "plan": prep.plan}));
            } else {
                show(&prep.plan, format);
            }
            if let (true, Some(aws)) = (m.ctx.global.stats, &prep.aws) {
                eprint!(
                    "{}",
                    crate::render::stats::text(&aws.stats, started.elapsed())
                );
            }
            if let Some(path) = out.filter(|_| !prep.plan.has_errors()) {
                save(&prep, path)?;
            }
            rows.push(planned(m, &prep.plan, detailed));
        }
        if one_doc {
            let doc = serde_json::json!({"targets": json, "summary": rows});
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        } else if self.named() {
            print!("{}", summary("Plan by target:", &rows));
        }
        Ok(worst(rows.iter().map(|r| r.exit_code)))
    }

    /// `apply PROFILE`, or only its plan with `--dry-run`. A saved plan is
    /// one account's: applied in the run's own context, refused in a fleet.
    pub async fn apply(&self, profile: &str, yes: bool, dry_run: bool) -> Res {
        let path = Path::new(profile);
        let saved = path.is_file() && crate::state::saved::SavedPlan::sniff(path);
        if saved && self.named() {
            return Err(fail_help(
                "a saved plan is one target's: apply it without --targets",
                "or apply the profile to every target: parkctl apply PROFILE --targets ...",
            ));
        }
        if dry_run {
            let want = Toward::Profile(profile);
            return self.plan(want, Format::Text, None, false).await;
        }
        match self.members.first() {
            Some(m) if saved => crate::commands::apply::saved(&m.ctx, path, yes).await,
            _ => {
                self.converge("apply", Toward::Profile(profile), yes, None)
                    .await
            }
        }
    }

    /// `restore [SNAPSHOT]`: each job's own newest snapshot by default.
    pub async fn restore(&self, snapshot: Option<&str>, yes: bool) -> Res {
        let want = Toward::Snapshot(snapshot.unwrap_or("latest"));
        self.converge("restore", want, yes, None).await
    }

    /// `apply --scheduled`: the profile the schedule makes due (one
    /// schedule and hold for the project, read in its context `ctx`) in
    /// every job.
    pub async fn scheduled(
        &self,
        ctx: &Invocation,
        at: Option<&str>,
        yes: bool,
        dry_run: bool,
    ) -> Res {
        let (profile, why) = crate::commands::schedule::due(ctx, at).await?;
        if self.named() {
            say_due(&profile, &why);
        }
        let want = Toward::Profile(&profile);
        if dry_run {
            return self.plan(want, Format::Text, None, false).await;
        }
        self.converge("apply --scheduled", want, yes, Some(why))
            .await
    }

    /// Locks and plans every job, then applies: alone, as one account's
    /// run always has; in a fleet, after one summary and one question.
    async fn converge(
        &self,
        command: &str,
        want: Toward<'_>,
        yes: bool,
        why: Option<Scheduled>,
    ) -> Res {
        let readies = self
            .each(|m| async move { Ready::new(&m.ctx, command, source(&m.ctx, want)?).await })
            .await;
        let mut rows = Vec::new();
        let mut go = Vec::new();
        for (i, (m, r)) in self.members.iter().zip(readies).enumerate() {
            m.print_heading();
            let ready = match r {
                Ok(ready) => ready,
                Err(e) => {
                    rows.push(self.stopped(m, e)?);
                    continue;
                }
            };
            if !self.named() {
                return alone(&m.ctx, ready, command, yes, why.clone()).await;
            }
            let plan = &ready.prep.plan;
            match &why {
                Some(w) if nothing_due(plan, w) => {}
                _ => show(plan, Format::Text),
            }
            rows.push(planned(m, plan, false));
            if !plan.is_empty() && !plan.has_errors() {
                go.push((i, m, ready));
            } else {
                ready.release().await;
            }
        }
        print!("{}", summary("Plan by target:", &rows));
        if go.is_empty() {
            return Ok(worst(rows.iter().map(|r| r.exit_code)));
        }
        self.apply_all(command, go, rows, yes, why).await
    }

    /// Asks once for every target with changes, applies them side by side,
    /// and shows what each did.
    async fn apply_all(
        &self,
        command: &str,
        go: Vec<(usize, &Member, Ready)>,
        mut rows: Vec<Row>,
        yes: bool,
        why: Option<Scheduled>,
    ) -> Res {
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
            |(_, m, _)| m.name(),
            |(i, m, ready)| {
                let why = why.clone();
                async move { (i, ready.go(&m.ctx, command, true, why).await) }
            },
        )
        .await;
        for (i, result) in done {
            let (text, code) = outcome(&rows[i].target, result);
            rows[i].result = text;
            rows[i].exit_code = code;
        }
        print!("{}", summary("Result by target:", &rows));
        say_failed(&rows);
        Ok(worst(rows.iter().map(|r| r.exit_code)))
    }
}

/// The one job of a run without `--targets`: its plan, its own question
/// (`Apply these N changes?`, in `Ready::go`), its error the run's.
async fn alone(
    ctx: &Invocation,
    ready: Ready,
    command: &str,
    yes: bool,
    why: Option<Scheduled>,
) -> Res {
    if let Some(w) = &why {
        let plan = &ready.prep.plan;
        if nothing_due(plan, w) {
            ready.release().await;
            return Ok(Exit::Ok);
        }
        say_due(&plan.profile, w);
    }
    show(&ready.prep.plan, Format::Text);
    ready.go(ctx, command, yes, why).await
}

/// Whether a scheduled run has nothing to do, said in one quiet line (a
/// timer runs it every few minutes): the live state already matches.
fn nothing_due(plan: &Plan, why: &Scheduled) -> bool {
    let quiet = plan.is_empty() && !plan.has_errors();
    if quiet {
        println!(
            "{}",
            crate::render::schedule::nothing_due(&plan.profile, &why.detail)
        );
    }
    quiet
}

/// Which profile the schedule made due, when and why.
fn say_due(profile: &str, why: &Scheduled) {
    eprintln!(
        "Scheduled at {}: `{profile}` is due ({}).",
        why.at.format("%Y-%m-%d %H:%M UTC"),
        why.detail
    );
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
