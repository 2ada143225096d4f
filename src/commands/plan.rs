//! `parkctl plan`: how a plan is shown, and saved if asked. The run
//! itself (one job or every target's) is `commands::fleet`.

use crate::cli::Format;
use crate::context::Error;
use crate::pipeline::Prepared;
use crate::plan::Plan;
use crate::render::text::Style;
use std::io::{BufWriter, Write};
use std::path::Path;

pub fn show(plan: &Plan, format: Format) {
    match format {
        Format::Json => to_stdout(|out| {
            serde_json::to_writer_pretty(&mut *out, plan)?;
            writeln!(out)
        }),
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
        Format::Text => to_stdout(|out| {
            let st = Style {
                color: crate::render::use_color(),
            };
            crate::render::text::plan(out, plan, &st)
        }),
    }
}

/// Writes a plan to stdout as it is rendered, not held whole first (a plan
/// of 10,000 changes is 1.4 MB of text, 5.7 MB of JSON). A closed pipe
/// (`| head`) ends the output, as it would `print!`'s, without its panic.
fn to_stdout(write: impl FnOnce(&mut BufWriter<std::io::StdoutLock>) -> std::io::Result<()>) {
    let mut out = BufWriter::new(std::io::stdout().lock());
    let _ = write(&mut out).and_then(|()| out.flush());
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
