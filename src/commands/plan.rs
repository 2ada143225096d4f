//! `parkctl plan`: how a plan is shown, and saved if asked. The run
//! itself (one job or every target's) is `commands::fleet`.

use crate::cli::Format;
use crate::context::Error;
use crate::pipeline::Prepared;
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
        Format::Text => {
            let st = Style {
                color: crate::render::use_color(),
            };
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            // A closed pipe (`| head`) ends the output, as it would `print!`'s,
            // without its panic.
            let _ = crate::render::text::plan(&mut out, plan, &st)
                .and_then(|()| std::io::Write::flush(&mut out));
        }
    }
}

/// Saves `prep`'s plan to `path` (`plan --out`), with the live state it
/// was made from, so that `apply FILE` applies exactly it or refuses if
/// the live state moved.
pub fn save(prep: &Prepared, path: &Path) -> Result<(), Error> {
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
    Ok(())
}
