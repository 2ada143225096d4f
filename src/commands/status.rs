//! `parkctl status`: the live state of everything any profile selects,
//! which profile it matches, what it costs, and what sat idle. Read-only:
//! recommendations are previews. The view model is `crate::status`.

use crate::cli::Format;
use crate::context::{fail, Exit, Invocation, Res};
use crate::idle::{classify, parse_window};
use crate::measure::IdleFigure;
use crate::model::Live;
use crate::profile::Profile;
use crate::read::Selection;
use crate::session::Aws;
use crate::status::{build, ResourceActivity};
use chrono::{DateTime, Utc};

pub async fn run(ctx: &Invocation, format: Format, window: &str) -> Res {
    let started = std::time::Instant::now();
    let secs = parse_window(window)?;
    let (good, bad) = profiles(ctx)?;
    let (status, live, aws) = gather_of(ctx, secs, good, &bad).await?;
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&status).unwrap_or_default()
        ),
        _ => print!("{}", crate::render::status::text(&status, &live)),
    }
    if ctx.global.stats {
        eprint!(
            "{}",
            crate::render::stats::text(&aws.stats, started.elapsed())
        );
    }
    if status.invalid_profiles.is_empty() {
        return Ok(Exit::Ok);
    }
    for (_, e) in bad {
        crate::render::error::eprint(e);
    }
    eprintln!(
        "{} invalid profile(s) left out of the comparison: run `parkctl validate`",
        status.invalid_profiles.len()
    );
    Ok(Exit::Error)
}

/// The profiles of the profiles directory: those that load, and those that
/// do not with their errors. Status is read-only, so an invalid profile
/// does not stop it: it shows the rest and names the invalid one.
#[allow(clippy::type_complexity)]
fn profiles(
    ctx: &Invocation,
) -> Result<(Vec<Profile>, Vec<(String, crate::context::Error)>), crate::context::Error> {
    let names = ctx.profile_names();
    if names.is_empty() {
        return Err(fail(format!(
            "no profiles in {}",
            ctx.config.profiles_dir.display()
        )));
    }
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    for n in &names {
        match ctx.load_profile(n) {
            Ok(p) => good.push(p),
            Err(e) => bad.push((ctx.profile_path(n).display().to_string(), e)),
        }
    }
    if good.is_empty() {
        let (_, first) = bad.remove(0);
        return Err(first);
    }
    Ok((good, bad))
}

/// The status of one account and region: live state, prices, activity
/// over the window and the schedule.
pub async fn gather(
    ctx: &Invocation,
    window_secs: i64,
) -> Result<(crate::status::Status, Live, Aws), crate::context::Error> {
    let (good, bad) = profiles(ctx)?;
    gather_of(ctx, window_secs, good, &bad).await
}

/// [`gather`] over profiles already loaded (`invalid`: those that did not
/// load, named in the status), so that a caller printing their errors
/// reads the directory once.
async fn gather_of(
    ctx: &Invocation,
    window_secs: i64,
    profiles: Vec<Profile>,
    invalid: &[(String, crate::context::Error)],
) -> Result<(crate::status::Status, Live, Aws), crate::context::Error> {
    let selection = profiles
        .iter()
        .fold(Selection::default(), |w, p| w.merge(Selection::of(p)));
    let region_hint = profiles.iter().find_map(|p| p.guard.region.clone());
    let aws = ctx.connect(region_hint.as_deref()).await?;
    if ctx.target.is_some() {
        ctx.guard(&aws, &Default::default(), "status").await?;
    }
    let measure = crate::measure::Measure {
        usage: true,
        idle_secs: Some(window_secs),
    };
    let (mut live, idle) = crate::read::read_measured(&aws, &selection, measure).await?;
    // Since when parkctl parked what it parked, where AWS keeps no trace.
    crate::state::recent::mark_applied(&ctx.all_states(), &aws.region, &mut live);
    let pricing = crate::pipeline::pricing(ctx)?;
    let now = Utc::now();
    let activity = activity(&live, idle);
    let mut status = build(
        &pricing,
        &aws.region,
        &profiles,
        &live,
        activity,
        now,
        window_secs,
    );
    // The schedule and its hold are the project's, not a target's: a run
    // over targets shows them once (`parkctl schedule`).
    status.invalid_profiles = invalid
        .iter()
        .map(|(file, e)| format!("{file}: {}", first_line(e)))
        .collect();
    if ctx.target.is_none() {
        status.schedule = schedule(ctx, &aws, now).await;
    }
    Ok((status, live, aws))
}

/// What the schedule makes due now, with the hold; a schedule that does
/// not check is a warning here (`parkctl schedule` shows its errors).
async fn schedule(
    ctx: &Invocation,
    aws: &Aws,
    now: DateTime<Utc>,
) -> Option<crate::schedule::view::Summary> {
    ctx.config.schedule.as_ref()?;
    let got = async {
        let s = super::schedule::load(ctx)?;
        let hold = super::schedule::read_hold(ctx, Some(aws)).await?;
        Ok::<_, crate::context::Error>(crate::schedule::view::summary(&s, now, hold.as_ref()))
    };
    got.await
        .map_err(|e| eprintln!("Warning: the schedule is not shown: {e}"))
        .ok()
}

/// Each resource's activity over the window, from the read's metrics
/// pass. A resource without any datapoint is idle only if it existed for
/// the whole window (its read recorded since when): a younger one may
/// simply not have been measured yet.
fn activity(live: &Live, idle: Vec<IdleFigure>) -> Vec<ResourceActivity> {
    idle.into_iter()
        .map(|f| {
            let r = &live.resources[f.at];
            let older = crate::idle::created(r).is_some_and(|t| t <= f.since);
            let m = f.metric;
            ResourceActivity {
                kind: r.id.title(),
                name: r.name().to_string(),
                metric: m.queries.first().map_or("", |q| q.metric).into(),
                activity: match m.busy_above {
                    Some(p) => crate::idle::classify_above(f.value, p, older),
                    None => classify(f.value, older),
                },
                value: f.value.filter(|_| m.busy_above.is_some()),
                busy_above: m.busy_above,
                quiet: m.quiet.into(),
                free_when_idle: m.free_when_idle.map(str::to_string),
            }
        })
        .collect()
}

/// An error's first line, for a one-line mention in the status JSON.
fn first_line(e: &crate::context::Error) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}
