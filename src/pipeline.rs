//! The plan pipeline that plan, apply and restore share, so that what is
//! applied is what was shown: where the desired state comes from (a
//! profile or a snapshot), connecting with the account and region guard,
//! reading live state, planning and pricing.

use crate::aws::sts::Caller;
use crate::context::{fail, Error, Invocation};
use crate::model::Live;
use crate::plan::Plan;
use crate::planner::{self, Now};
use crate::profile::{Guard, Profile};
use crate::read::Selection;
use crate::session::Aws;
use crate::state::snapshot::Snapshot;
use std::path::PathBuf;

/// What a plan is computed towards: a profile, or a snapshot to restore.
pub enum Source {
    Profile(Profile),
    Snapshot(PathBuf, Snapshot),
}

impl Source {
    pub fn name(&self) -> String {
        match self {
            Source::Profile(p) => p.name.clone(),
            Source::Snapshot(p, _) => format!(
                "restore:{}",
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            ),
        }
    }

    pub fn guard(&self) -> Guard {
        match self {
            Source::Profile(p) => p.guard.clone(),
            Source::Snapshot(_, s) => Guard {
                region: Some(s.region.clone()),
                account: Some(s.account.clone()).filter(|a| !a.is_empty()),
            },
        }
    }

    pub fn selection(&self) -> Selection {
        match self {
            Source::Profile(p) => Selection::of(p),
            Source::Snapshot(_, s) => Selection::named(&s.live),
        }
    }

    pub fn plan(&self, live: &Live, ctx: &Now) -> Plan {
        match self {
            Source::Profile(p) => planner::plan(p, live, ctx),
            Source::Snapshot(path, s) => {
                let desired =
                    planner::desired_from_live(&s.live, &format!("snapshot {}", path.display()));
                let sha = crate::profile::sha256_hex(
                    serde_json::to_string(&s.live)
                        .unwrap_or_default()
                        .as_bytes(),
                );
                planner::diff(&desired, live, ctx, &self.name(), &sha)
            }
        }
    }
}

pub struct Prepared {
    pub aws: Option<Aws>,
    pub region: String,
    pub caller: Option<Caller>,
    pub live: Live,
    pub plan: Plan,
    pub selection: Selection,
    /// The context the plan was made in, which the verify after an apply
    /// re-plans in too.
    pub now: Now,
}

/// A session checked against the account and region guard, before any
/// read of live state: an apply takes its locks here.
pub struct Connected {
    pub aws: Aws,
    pub caller: Option<Caller>,
}

/// What a plan is asked towards, as the command line names it: a profile,
/// or a snapshot (`latest`, or a file) of the run's own state directory.
/// One target's run and every target's of `--targets` load it the same way.
#[derive(Debug, Clone, Copy)]
pub enum Toward<'a> {
    Profile(&'a str),
    Snapshot(&'a str),
}

impl<'a> Toward<'a> {
    /// From `plan PROFILE` or `plan --snapshot S` (the snapshot wins).
    pub fn of(profile: Option<&'a str>, snapshot: Option<&'a str>) -> Result<Toward<'a>, Error> {
        match (profile, snapshot) {
            (_, Some(s)) => Ok(Toward::Snapshot(s)),
            (Some(p), None) => Ok(Toward::Profile(p)),
            (None, None) => Err(fail("name a profile or a snapshot")),
        }
    }
}

/// Loads what `toward` names in the run's context.
pub fn source(ctx: &Invocation, toward: Toward) -> Result<Source, Error> {
    match toward {
        Toward::Snapshot(s) => {
            let which = if s == "latest" { None } else { Some(s) };
            let path = Snapshot::find(&ctx.state(), which)?;
            let snap = Snapshot::read(&path)?;
            Ok(Source::Snapshot(path, snap))
        }
        Toward::Profile(p) => Ok(Source::Profile(ctx.load_profile(p)?)),
    }
}

/// Connects, checks account and region, reads live state and plans.
pub async fn prepare(ctx: &Invocation, src: &Source, need_caller: bool) -> Result<Prepared, Error> {
    if let Some(path) = &ctx.global.live_from {
        return from_file(path, src);
    }
    let connected = connect(ctx, src, need_caller).await?;
    read_and_plan(ctx, src, connected).await
}

/// `--live-from FILE`: plans against a saved live state, offline.
fn from_file(path: &std::path::Path, src: &Source) -> Result<Prepared, Error> {
    let live: Live = serde_json::from_slice(&crate::fsutil::read_capped(
        path,
        crate::state::MAX_STATE_BYTES,
    )?)
    .map_err(|e| {
        fail(format!(
            "{}: not a live-state JSON file: {e}",
            path.display()
        ))
    })?;
    let now = Now::at(chrono::Utc::now());
    let plan = src.plan(&live, &now);
    let region = src.guard().region.unwrap_or_else(|| "us-east-1".into());
    Ok(Prepared {
        aws: None,
        region,
        caller: None,
        live,
        plan,
        selection: src.selection(),
        now,
    })
}

/// Connects and checks the account and region (STS only: nothing of the
/// managed services is read yet).
pub async fn connect(
    ctx: &Invocation,
    src: &Source,
    need_caller: bool,
) -> Result<Connected, Error> {
    let target = src.guard();
    let aws = ctx.connect(target.region.as_deref()).await?;
    let mut caller = ctx
        .guard(&aws, &target, &format!("`{}`", src.name()))
        .await?;
    if need_caller && caller.is_none() {
        caller = Some(aws.sts.caller().await?);
    }
    Ok(Connected { aws, caller })
}

/// Reads live state and plans, in the context computed once here.
pub async fn read_and_plan(
    ctx: &Invocation,
    src: &Source,
    connected: Connected,
) -> Result<Prepared, Error> {
    let Connected { aws, caller } = connected;
    let selection = src.selection();
    let live = crate::read::read(&aws, &selection, crate::measure::Measure::USAGE).await?;
    let account = caller.as_ref().map_or("", |c| c.account.as_str());
    let now = self::now(ctx, Some(&aws), account, &aws.region).await;
    let mut plan = src.plan(&live, &now);
    let after = after(&aws, &live, &plan).await;
    plan.cost = cost(ctx, &aws.region, &live, &after);
    let region = aws.region.clone();
    Ok(Prepared {
        aws: Some(aws),
        region,
        caller,
        live,
        plan,
        selection,
        now,
    })
}

/// The planning context now: the time, and what parkctl applied in this
/// account and region within `Now::DONE_HOURS` (its records, and the S3
/// mirror's when there is one: a runner without local state sees them).
pub async fn now(ctx: &Invocation, aws: Option<&Aws>, account: &str, region: &str) -> Now {
    let now = chrono::Utc::now();
    let since = now - chrono::Duration::hours(Now::DONE_HOURS);
    let dirs = ctx.all_states();
    let local = || crate::state::recent::done_since(&dirs, account, region, since);
    let mirror = match (&ctx.config.state_s3, aws) {
        (Some(url), Some(aws)) => crate::aws::s3::Mirror::new(aws.s3.clone(), url).ok(),
        _ => None,
    };
    let done = match mirror {
        None => local(),
        Some(m) => {
            let found =
                crate::state::recent::done_since_mirrored(&dirs, &m, (account, region), since);
            found.await.unwrap_or_else(|e| {
                eprintln!("Warning: the S3 mirror's records could not be read ({e}); AWS's per-day limits are counted from the local records only");
                local()
            })
        }
    };
    Now::at(now).with_done(done)
}

pub fn pricing(ctx: &Invocation) -> Result<crate::cost::Pricing, String> {
    crate::cost::load(ctx.config.pricing.as_deref())
}

/// The live state once `plan` is applied, as it is priced: what a change
/// recreates completed by its service's read (`Adapter::recreated`); where
/// that read fails, the recreated resource stays unpriced ("unknown").
pub async fn after(aws: &Aws, live: &Live, plan: &Plan) -> Live {
    let mut after = planner::after(live, plan);
    let changed: std::collections::BTreeSet<&str> =
        plan.changes.iter().map(|c| c.resource.service).collect();
    for service in changed {
        if let Err(e) = aws.adapter(service).recreated(&mut after.resources).await {
            tracing::warn!("what {service} recreates is not priced: {e}");
        }
    }
    after
}

/// Each profile's monthly cost once applied to the live state, priced as
/// `plan` prices its after-state (what a change recreates included), all
/// from one read of what any of them selects; `None` where a profile's plan
/// has errors or its cost is unknown. `schedule` and `billing` share it.
pub async fn monthly(
    ctx: &Invocation,
    aws: &Aws,
    profiles: &[Profile],
) -> Result<std::collections::BTreeMap<String, Option<crate::cost::Money>>, String> {
    let selection = profiles
        .iter()
        .fold(Selection::default(), |w, p| w.merge(Selection::of(p)));
    let live = crate::read::read(aws, &selection, crate::measure::Measure::USAGE)
        .await
        .map_err(|e| e.to_string())?;
    let pricing = pricing(ctx)?;
    let now = Now::at(chrono::Utc::now());
    let mut out = std::collections::BTreeMap::new();
    for p in profiles {
        let plan = planner::plan(p, &live, &now);
        let month = if plan.errors.is_empty() {
            let after = after(aws, &live, &plan).await;
            crate::cost::estimate(&pricing, &aws.region, &after)
                .total
                .month
        } else {
            None
        };
        out.insert(p.name.clone(), month);
    }
    Ok(out)
}

fn cost(
    ctx: &Invocation,
    region: &str,
    live: &Live,
    after: &Live,
) -> Option<crate::cost::CostComparison> {
    match pricing(ctx) {
        Ok(p) => Some(crate::cost::compare(&p, region, live, after)),
        Err(e) => {
            tracing::warn!("no cost estimate: {e}");
            eprintln!("Warning: no cost estimate: {e}");
            None
        }
    }
}
