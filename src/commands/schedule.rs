//! `parkctl schedule` (what is due, the days ahead, the month's cost) and
//! `parkctl apply --scheduled` (apply what is due, through the normal
//! apply path). The schedule is `crate::schedule`; this wires it to the
//! config, the state directory, the S3 mirror and AWS.

use crate::cli::Format;
use crate::context::{fail, fail_help, Error, Exit, Invocation, Res};
use crate::profile::Profile;
use crate::schedule::time::parse_instant;
use crate::schedule::{Hold, Reason, Schedule};
use crate::session::Aws;
use crate::state::operation::Scheduled;
use chrono::{DateTime, Utc};

/// The schedule of `parkctl.yaml`, checked against the profiles there are.
pub fn load(ctx: &Invocation) -> Result<Schedule, Error> {
    let Some(c) = &ctx.config.schedule else {
        return Err(fail_help(
            "no `schedule:` in the config (parkctl.yaml)",
            "add one: see `schedule:` in docs/profiles.md",
        ));
    };
    let known = ctx.profile_names();
    Ok(crate::schedule::parse::build(
        &c.file, &c.text, &c.raw, &known,
    )?)
}

/// `--at`, or now.
pub fn instant(at: Option<&str>, s: &Schedule) -> Result<DateTime<Utc>, Error> {
    match at {
        Some(a) => parse_instant(a, s.timezone).map_err(fail),
        None => Ok(Utc::now()),
    }
}

/// Connects for the region of the schedule's default profile.
pub async fn connect(ctx: &Invocation, s: &Schedule) -> Result<Aws, Error> {
    let region = ctx.load_profile(&s.default)?.guard.region;
    ctx.connect(region.as_deref()).await
}

/// The hold: from the S3 mirror when one is configured, which every
/// runner shares; else from the state directory.
pub async fn read_hold(ctx: &Invocation, aws: Option<&Aws>) -> Result<Option<Hold>, Error> {
    let (Some(url), Some(aws)) = (&ctx.config.state_s3, aws) else {
        return Ok(crate::state::hold::read(&ctx.state())?);
    };
    let m = crate::aws::s3::Mirror::new(aws.s3.clone(), url)?;
    let rel = crate::state::hold::FILE;
    match m.get(rel).await? {
        Some(bytes) => Ok(Some(crate::state::hold::parse(&m.url(rel), &bytes)?)),
        None => Ok(None),
    }
}

pub async fn run(ctx: &Invocation, at: Option<&str>, days: u32, format: Format) -> Res {
    let s = load(ctx)?;
    let t = instant(at, &s)?;
    let profiles: Vec<Profile> = s
        .profiles()
        .iter()
        .map(|n| ctx.load_profile(n))
        .collect::<Result<_, _>>()?;
    let aws = connect(ctx, &s).await;
    if let (Err(e), Some(_)) = (&aws, &ctx.config.state_s3) {
        return Err(fail(format!(
            "cannot read the hold from the S3 mirror: {e}"
        )));
    }
    let hold = read_hold(ctx, aws.as_ref().ok()).await?;
    let costs = match &aws {
        Ok(aws) => crate::pipeline::monthly(ctx, aws, &profiles).await,
        Err(e) => Err(e.to_string()),
    };
    let costs = costs
        .map_err(|e| eprintln!("Warning: no cost estimate: {e}"))
        .ok();
    let view = crate::schedule::view::build(&s, t, hold.as_ref(), days, costs.as_ref());
    match format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&view).unwrap_or_default()
        ),
        _ => print!("{}", crate::render::schedule::text(&view)),
    }
    Ok(Exit::Ok)
}

/// The profile the schedule makes due at `--at` (or now), with the hold,
/// and why, for the record.
pub async fn due(ctx: &Invocation, at: Option<&str>) -> Result<(String, Scheduled), Error> {
    let s = load(ctx)?;
    let t = instant(at, &s)?;
    let aws = match &ctx.config.state_s3 {
        Some(_) => Some(connect(ctx, &s).await?),
        None => None,
    };
    let hold = read_hold(ctx, aws.as_ref()).await?;
    let due = s.due(t, hold.as_ref());
    let why = Scheduled {
        at: t,
        why: kind(&due.reason).into(),
        detail: due.reason.to_string(),
    };
    Ok((due.profile, why))
}

fn kind(r: &Reason) -> &'static str {
    match r {
        Reason::Hold { .. } => "hold",
        Reason::Date { .. } => "date",
        Reason::Period { .. } => "period",
        Reason::Default => "default",
    }
}
