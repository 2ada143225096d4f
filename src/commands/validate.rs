//! `parkctl validate`: every profile checked offline, every problem shown.

use crate::context::{Ctx, Res, EXIT_ERROR, EXIT_OK};
use crate::profile::Profile;

pub fn run(ctx: &Ctx, names: &[String]) -> Res {
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
                eprintln!("{:?}", miette::Report::new(e));
            }
        }
    }
    if bad > 0 {
        eprintln!("{bad} of {} profile(s) invalid", paths.len());
        Ok(EXIT_ERROR)
    } else {
        Ok(EXIT_OK)
    }
}
