//! `parkctl validate`: every profile checked offline, every problem shown;
//! and the schedule and targets of `parkctl.yaml` when it has them.

use crate::context::{Exit, Invocation, Res};
use crate::profile::Profile;

pub fn run(ctx: &Invocation, names: &[String]) -> Res {
    let paths: Vec<std::path::PathBuf> = if names.is_empty() {
        let names = ctx.profile_names();
        if names.is_empty() {
            return Err(crate::context::fail(format!(
                "no profiles in {}",
                ctx.config.profiles_dir.display()
            )));
        }
        names.iter().map(|n| ctx.profile_path(n)).collect()
    } else {
        names.iter().map(|n| ctx.profile_path(n)).collect()
    };
    let mut bad = 0;
    for p in &paths {
        match Profile::load(p) {
            Ok(profile) => {
                let rules = profile.rules.len();
                println!("ok       {} ({rules} rules)", p.display());
            }
            Err(e) => {
                bad += 1;
                println!("invalid  {}", p.display());
                crate::render::error::eprint(e);
            }
        }
    }
    // Every check runs, so that one run shows every problem.
    let schedule_ok = !names.is_empty() || schedule(ctx);
    let targets_ok = !names.is_empty() || targets(ctx);
    if !schedule_ok {
        eprintln!("the schedule in the config is invalid");
    }
    if !targets_ok {
        eprintln!("the targets in the config are invalid");
    }
    if bad > 0 {
        eprintln!("{bad} of {} profile(s) invalid", paths.len());
    }
    Ok(if bad == 0 && schedule_ok && targets_ok {
        Exit::Ok
    } else {
        Exit::Error
    })
}

/// Checks the schedule, if the config has one; whether it is valid.
fn schedule(ctx: &Invocation) -> bool {
    let Some(c) = &ctx.config.schedule else {
        return true;
    };
    match super::schedule::load(ctx) {
        Ok(s) => {
            let n = s.periods.len() + s.dates.len();
            println!(
                "ok       {} schedule ({n} rules, {})",
                c.file,
                s.timezone.name()
            );
            true
        }
        Err(e) => {
            println!("invalid  {} schedule", c.file);
            crate::render::error::eprint(e);
            false
        }
    }
}

/// Checks the targets, if the config has them; whether they are valid.
fn targets(ctx: &Invocation) -> bool {
    let Some(c) = &ctx.config.targets else {
        return true;
    };
    match crate::fleet::configured(ctx) {
        Ok(t) => {
            println!("ok       {} targets ({})", c.file, t.len());
            true
        }
        Err(e) => {
            println!("invalid  {} targets", c.file);
            crate::render::error::eprint(e);
            false
        }
    }
}
