//! `parkctl history` and `parkctl unlock`.

use crate::cli::Format;
use crate::context::{confirm, fail, Exit, Invocation, Res};
use crate::state::operation::{history, Operation};

pub fn run(ctx: &Invocation, id: Option<&str>, format: Format) -> Res {
    let state = ctx.state();
    let all = history(&state);
    if let Some(id) = id {
        let matches: Vec<_> = all
            .iter()
            .filter(|(p, _)| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(id))
            })
            .collect();
        let (_, op) = match matches.as_slice() {
            [one] => one,
            [] => {
                return Err(fail(format!(
                    "no operation `{id}` in {}",
                    state.operations().display()
                )))
            }
            _ => {
                return Err(fail(format!(
                    "`{id}` matches {} operations; give more of the id",
                    matches.len()
                )))
            }
        };
        let op = op
            .as_ref()
            .map_err(|e| crate::context::Error::State(e.clone()))?;
        match format {
            Format::Json => println!("{}", serde_json::to_string_pretty(op).unwrap_or_default()),
            _ => print!("{}", op.to_text()),
        }
        return Ok(Exit::Ok);
    }
    let mut bad = 0;
    let good: Vec<&Operation> = all
        .iter()
        .filter_map(|(_, r)| match r {
            Ok(op) => Some(op),
            Err(e) => {
                bad += 1;
                eprintln!("Warning: {e}");
                None
            }
        })
        .collect();
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&good).unwrap_or_default()
        ),
        _ => {
            if good.is_empty() {
                println!(
                    "No operations recorded in {} yet.",
                    state.operations().display()
                );
            }
            for op in &good {
                println!(
                    "{}  {:<17} {:<12} {:<16} {:>3} applied {:>3} failed  {}",
                    op.id,
                    op.command,
                    format!("{:?}", op.result).to_lowercase(),
                    op.profile,
                    op.totals.applied,
                    op.totals.failed,
                    op.caller_arn
                );
            }
        }
    }
    Ok(if bad > 0 { Exit::Error } else { Exit::Ok })
}

/// Breaks the local lock and, with an S3 mirror, the S3 lock too.
pub async fn unlock(ctx: &Invocation, yes: bool) -> Res {
    if let Some(url) = &ctx.config.state_s3 {
        let aws = ctx.connect(None).await?;
        let m = crate::aws::s3::Mirror::new(aws.s3.clone(), url)?;
        if let Ok(holder) = m.read_lock().await {
            let holder = holder.split_whitespace().collect::<Vec<_>>().join(" ");
            if confirm(
                &format!("Break the S3 lock {} ({holder})?", m.url("lock")),
                yes,
                true,
            )? {
                m.unlock().await?;
                println!("S3 lock removed.");
            }
        }
    }
    let path = ctx.state().lock_path();
    if !path.exists() {
        println!("No lock at {}.", path.display());
        return Ok(Exit::Ok);
    }
    let what = match crate::state::lock::read(&path) {
        Ok(info) if !info.is_stale() => {
            eprintln!(
                "Warning: the holder may still be running: {}",
                info.describe()
            );
            info.describe()
        }
        Ok(info) => format!("{} (its process is gone)", info.describe()),
        Err(e) => format!("unreadable lock: {e}"),
    };
    if !confirm(&format!("Break the lock {what}?"), yes, true)? {
        eprintln!("Lock kept.");
        return Ok(Exit::Error);
    }
    std::fs::remove_file(&path)
        .map_err(|e| fail(format!("cannot remove {}: {e}", path.display())))?;
    println!("Lock removed. Re-run the interrupted apply: it converges.");
    Ok(Exit::Ok)
}
