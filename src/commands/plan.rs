//! `parkctl plan`: read live state, plan, show, and save the plan if asked.

use crate::cli::Format;
use crate::context::{Ctx, Exit, Res};
use crate::pipeline::{prepare, source};
use crate::plan::Plan;
use crate::render::text::Style;
use std::path::Path;

pub fn show(plan: &Plan, format: Format) {
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(plan).unwrap_or_default()),
        Format::Diff => {
            print!("{}", crate::render::diff::plan(plan));
            let st = Style { color: false };
            for w in &plan.warnings {
                eprintln!("Warning: {}", w.message);
            }
            for e in &plan.errors {
                eprintln!("Error: {}", e.message);
            }
            eprint!("{}", crate::render::text::summary(plan, &st));
        }
        Format::Text => print!(
            "{}",
            crate::render::text::plan(
                plan,
                &Style {
                    color: crate::render::use_color()
                }
            )
        ),
    }
}

pub async fn run(
    ctx: &Ctx,
    profile: Option<&str>,
    snapshot: Option<&str>,
    format: Format,
    out: Option<&Path>,
    detailed: bool,
) -> Res {
    let src = source(ctx, crate::pipeline::Toward::of(profile, snapshot)?)?;
    let started = std::time::Instant::now();
    let prep = prepare(ctx, &src, out.is_some()).await?;
    show(&prep.plan, format);
    if let Some(aws) = &prep.aws {
        if ctx.global.stats {
            eprint!(
                "{}",
                crate::render::stats::text(&aws.stats, started.elapsed())
            );
        }
    }
    if prep.plan.has_errors() {
        return Ok(Exit::Error);
    }
    if let Some(path) = out {
        let saved = crate::state::saved::SavedPlan {
            created: chrono::Utc::now(),
            region: prep.region.clone(),
            account: prep
                .caller
                .as_ref()
                .map(|c| c.account.clone())
                .unwrap_or_default(),
            fingerprint: crate::state::saved::fingerprint(&prep.plan.observed),
            plan: prep.plan.clone(),
            live: prep.live.clone(),
        };
        saved.write(path)?;
        eprintln!(
            "Saved the plan to {}. Apply exactly it with: parkctl apply {}",
            path.display(),
            path.display()
        );
    }
    if detailed && !prep.plan.is_empty() {
        Ok(Exit::Changes)
    } else {
        Ok(Exit::Ok)
    }
}
