//! `parkctl capture`: the live state as a profile, to commit and review.

use super::{aws_fail, fail, fail_help, Ctx, Res, EXIT_OK};
use crate::model::Live;
use crate::profile::Selector;
use crate::read::Wanted;
use std::fmt::Write;

pub async fn run(
    ctx: &Ctx,
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
    let (wanted, target) = match (like, prefix) {
        (Some(p), _) => {
            let profile = ctx.load_profile(p)?;
            (Wanted::of(&profile), profile.target.clone())
        }
        (None, Some(px)) => {
            let sel = Selector {
                prefix: Some(px.to_string()),
                ..Default::default()
            };
            (
                Wanted {
                    streams: vec![sel.clone()],
                    functions: vec![sel.clone()],
                    alarms: vec![sel],
                    account: false,
                },
                Default::default(),
            )
        }
        (None, None) => return Err(fail("pass --like PROFILE or --prefix PREFIX")),
    };
    let aws = ctx.connect(target.region.as_deref()).await?;
    ctx.guard(&aws, &target, "the profile").await?;
    let caller = aws.sts.caller().await.map_err(aws_fail)?;
    let live = crate::read::read(&aws, &wanted).await.map_err(aws_fail)?;
    let text = to_yaml(
        &live,
        &caller.account,
        &aws.region,
        like.map_or_else(
            || format!("prefix {}", prefix.unwrap_or_default()),
            |l| format!("profile {l}"),
        ),
    );
    crate::fsutil::write_atomic(&path, text.as_bytes()).map_err(fail)?;
    println!(
        "Wrote {} ({} streams, {} functions, {} alarms). Check it with: parkctl plan {name}",
        path.display(),
        live.streams.len(),
        live.functions.len(),
        live.alarms.len()
    );
    Ok(EXIT_OK)
}

fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Explicit names and values, one rule per resource (alarms grouped by
/// state), so that the file reads as the state it records.
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
        q(&format!("Live state captured from {from}"))
    );
    let _ = writeln!(s, "target:\n  region: {region}");
    if !account.is_empty() {
        let _ = writeln!(s, "  account: \"{account}\"");
    }
    if !live.streams.is_empty() {
        s.push_str("kinesis:\n");
        for st in &live.streams {
            if st.mode == crate::model::StreamMode::OnDemand {
                let _ = writeln!(s, "  # {} is on-demand: no shard count to capture", st.name);
                continue;
            }
            let _ = writeln!(
                s,
                "  - name: {}\n    shards: {}",
                q(&st.name),
                st.open_shards
            );
        }
    }
    if !live.functions.is_empty() {
        s.push_str("lambda:\n");
        for f in &live.functions {
            let _ = writeln!(s, "  - name: {}", q(&f.name));
            let _ = writeln!(
                s,
                "    reserved_concurrency: {}",
                crate::plan::show_reserved(f.reserved)
            );
            let on = f.mappings.iter().filter(|m| m.enabled).count();
            if !f.mappings.is_empty() && (on == 0 || on == f.mappings.len()) {
                let _ = writeln!(s, "    event_sources: {}", crate::plan::show_toggle(on > 0));
            } else if !f.mappings.is_empty() {
                let _ = writeln!(
                    s,
                    "    # event sources are mixed ({on} of {} enabled): not captured",
                    f.mappings.len()
                );
            }
        }
    }
    if !live.alarms.is_empty() {
        s.push_str("cloudwatch:\n  alarms:\n");
        for state in [true, false] {
            let names: Vec<String> = live
                .alarms
                .iter()
                .filter(|a| a.actions_enabled == state)
                .map(|a| q(&a.name))
                .collect();
            if !names.is_empty() {
                let _ = writeln!(s, "    - names:");
                for n in names {
                    let _ = writeln!(s, "        - {n}");
                }
                let _ = writeln!(s, "      actions: {}", crate::plan::show_toggle(state));
            }
        }
    }
    s
}
