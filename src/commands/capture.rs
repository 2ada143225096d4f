//! `parkctl capture`: the live state as a profile, to commit and review.

use crate::context::{fail, fail_help, Exit, Invocation, Res};
use crate::model::{Live, Resource};
use crate::profile::rule::quoted;
use crate::read::Selection;
use crate::services::SERVICES;
use std::fmt::Write;

pub async fn run(
    ctx: &Invocation,
    name: &str,
    like: Option<&str>,
    prefix: Option<&str>,
    force: bool,
) -> Res {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(fail(format!(
            "`{name}` is not a profile name: use letters, digits, - and _"
        )));
    }
    let path = ctx.config.profiles_dir.join(format!("{name}.yaml"));
    if path.exists() && !force {
        return Err(fail_help(
            format!("{} already exists", path.display()),
            "pass --force to overwrite it",
        ));
    }
    let (selection, target) = match (like, prefix) {
        (Some(p), _) => {
            let profile = ctx.load_profile(p)?;
            (Selection::of(&profile), profile.guard.clone())
        }
        (None, Some(px)) => (Selection::prefixed(px), Default::default()),
        (None, None) => return Err(fail("pass --like PROFILE or --prefix PREFIX")),
    };
    let started = std::time::Instant::now();
    let aws = ctx.connect(target.region.as_deref()).await?;
    ctx.guard(&aws, &target, "the profile").await?;
    let caller = aws.sts.caller().await?;
    let live = crate::read::read(&aws, &selection, crate::measure::Measure::NOTHING).await?;
    let text = to_yaml(
        &live,
        &caller.account,
        &aws.region,
        like.map_or_else(
            || format!("prefix {}", prefix.unwrap_or_default()),
            |l| format!("profile {l}"),
        ),
    );
    crate::fsutil::write_atomic(&path, text.as_bytes())?;
    println!(
        "Wrote {} ({}). Check it with: parkctl plan {name}",
        path.display(),
        counts(&live)
    );
    if ctx.global.stats {
        eprint!(
            "{}",
            crate::render::stats::text(&aws.stats, started.elapsed())
        );
    }
    Ok(Exit::Ok)
}

/// `1 SERVICE KIND, 2 SERVICE KINDs`: what was captured, per kind.
fn counts(live: &Live) -> String {
    let mut n: Vec<(String, usize)> = Vec::new();
    for r in &live.resources {
        match n.iter_mut().find(|(t, _)| *t == r.id.title()) {
            Some((_, c)) => *c += 1,
            None => n.push((r.id.title(), 1)),
        }
    }
    if n.is_empty() {
        return "no resources".into();
    }
    let parts: Vec<String> = n
        .into_iter()
        .map(|(t, c)| format!("{c} {t}{}", if c == 1 { "" } else { "s" }))
        .collect();
    parts.join(", ")
}

/// Explicit names and values, one section per service, so that the file
/// reads as the state it records.
pub fn to_yaml(live: &Live, account: &str, region: &str, from: String) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Captured by parkctl {} from {from}",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC")
    );
    let _ = writeln!(s, "# account {account}, region {region}");
    let _ = writeln!(
        s,
        "version: 1\ndescription: {}",
        quoted(&format!("Live state captured from {from}"))
    );
    let _ = writeln!(s, "target:\n  region: {region}");
    if !account.is_empty() {
        let _ = writeln!(s, "  account: \"{account}\"");
    }
    for svc in SERVICES {
        let mine: Vec<&Resource> = live.of_service(svc.name()).collect();
        if !mine.is_empty() {
            s.push_str(&svc.capture(&mine));
        }
    }
    s
}
