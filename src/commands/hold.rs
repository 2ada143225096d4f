//! `parkctl hold`: keep a profile in force over the schedule until a time,
//! show the hold, or clear it. Written to the state directory and, with
//! `--state-s3`, to the mirror, where scheduled runners read it.

use super::schedule::{connect, load, read_hold};
use crate::aws::s3::Mirror;
use crate::context::{fail, fail_help, Error, Exit, Invocation, Res};
use crate::render::schedule::hold_line;
use crate::schedule::time::{local_label, parse_instant};
use crate::schedule::Hold;
use crate::session::Aws;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// What `hold` was asked to do.
pub enum Action<'a> {
    Show,
    Clear,
    Set {
        profile: &'a str,
        until: &'a str,
        reason: Option<&'a str>,
    },
}

impl<'a> Action<'a> {
    /// From the command line: `--clear`, `PROFILE --until TIME`, or nothing.
    pub fn of(
        clear: bool,
        profile: Option<&'a str>,
        until: Option<&'a str>,
        reason: Option<&'a str>,
    ) -> Self {
        match (profile, until) {
            _ if clear => Action::Clear,
            (Some(profile), Some(until)) => Action::Set {
                profile,
                until,
                reason,
            },
            _ => Action::Show,
        }
    }
}

pub async fn run(ctx: &Invocation, action: Action<'_>) -> Res {
    let s = load(ctx)?;
    let aws = match &ctx.config.state_s3 {
        Some(_) => Some(connect(ctx, &s).await?),
        None => None,
    };
    let now = Utc::now();
    let current = read_hold(ctx, aws.as_ref()).await?;
    match action {
        Action::Show => {
            let view = current.as_ref().map(|h| crate::schedule::view::HoldView {
                hold: h.clone(),
                active: h.covers(now),
                expired: h.expired(now),
            });
            println!("{}", hold_line(view.as_ref(), s.timezone));
        }
        Action::Clear => clear(ctx, aws.as_ref(), current.as_ref(), s.timezone).await?,
        Action::Set {
            profile,
            until,
            reason,
        } => {
            let until = parse_instant(until, s.timezone).map_err(fail)?;
            set(ctx, aws.as_ref(), profile, until, reason, s.timezone).await?;
            return Ok(Exit::Ok);
        }
    }
    let due = s.due(
        now,
        if matches!(action, Action::Clear) {
            None
        } else {
            current.as_ref()
        },
    );
    println!("Due now: `{}` ({})", due.profile, due.reason);
    Ok(Exit::Ok)
}

async fn clear(
    ctx: &Invocation,
    aws: Option<&Aws>,
    current: Option<&Hold>,
    tz: Tz,
) -> Result<(), Error> {
    crate::state::hold::clear(&ctx.state())?;
    if let Some(m) = mirror(ctx, aws)? {
        m.delete(crate::state::hold::FILE).await?;
    }
    match current {
        Some(h) => println!(
            "Hold cleared (was `{}` until {}).",
            h.profile,
            local_label(h.until, tz)
        ),
        None => println!("No hold to clear."),
    }
    Ok(())
}

async fn set(
    ctx: &Invocation,
    aws: Option<&Aws>,
    profile: &str,
    until: DateTime<Utc>,
    reason: Option<&str>,
    tz: Tz,
) -> Result<(), Error> {
    ctx.load_profile(profile)?;
    let now = Utc::now();
    if until <= now {
        return Err(fail_help(
            format!("--until {} is not in the future", local_label(until, tz)),
            "give a later time, e.g. --until \"2026-12-01 23:00\"",
        ));
    }
    let hold = Hold {
        profile: profile.to_string(),
        until,
        set_at: now,
        set_by: who(aws).await,
        reason: reason.map(str::to_string),
    };
    store(ctx, aws, &hold).await?;
    println!(
        "Hold set: `{}` until {} ({}), over the schedule. `parkctl apply --scheduled` applies it.",
        hold.profile,
        local_label(until, tz),
        until.format("%Y-%m-%d %H:%M UTC"),
    );
    Ok(())
}

fn mirror(ctx: &Invocation, aws: Option<&Aws>) -> Result<Option<Mirror>, Error> {
    match (&ctx.config.state_s3, aws) {
        (Some(url), Some(aws)) => Ok(Some(Mirror::new(aws.s3.clone(), url)?)),
        _ => Ok(None),
    }
}

/// Writes the hold locally, then to the mirror: a runner in the cloud
/// sees only the mirror, so failing to write it is an error.
async fn store(ctx: &Invocation, aws: Option<&Aws>, hold: &Hold) -> Result<(), Error> {
    crate::state::hold::write(&ctx.state(), hold)?;
    if let Some(m) = mirror(ctx, aws)? {
        let bytes = crate::state::hold::encode(hold)?;
        m.put(crate::state::hold::FILE, bytes).await?;
        eprintln!("Hold mirrored to {}", m.url(crate::state::hold::FILE));
    }
    Ok(())
}

/// `user@host`, and the AWS identity when connected.
async fn who(aws: Option<&Aws>) -> String {
    let me = crate::state::lock::LockInfo::mine("", "");
    let base = format!("{}@{}", me.user, me.host);
    match aws {
        Some(aws) => match aws.sts.caller().await {
            Ok(c) => format!("{base} ({})", c.arn),
            Err(_) => base,
        },
        None => base,
    }
}
