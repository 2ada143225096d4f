//! `parkctl apply` and `parkctl restore`: lock, plan, confirm, snapshot,
//! apply, verify, record. The order matters: the snapshot is on disk
//! before the first change, and the record is written whatever happens.
//! A [`Run`] carries one apply through those steps, one method each.

use super::lease::{self, Refused};
use super::plan::show;
use super::signals::{S3Held, Signals};
use crate::apply::execute;
use crate::aws::s3::Mirror;
use crate::aws::sts::Caller;
use crate::cli::Format;
use crate::context::{confirm, fail, fail_code, fail_help, Error, Exit, Invocation, Res};
use crate::model::Live;
use crate::outcome::Outcome;
use crate::pipeline::{connect, read_and_plan, Connected, Prepared, Source};
use crate::plan::Plan;
use crate::render::text::Style;
use crate::session::Aws;
use crate::state::lock::{Lock, LockError, LockInfo};
use crate::state::operation::{Operation, Result_, Scheduled, Totals};
use crate::state::saved::{drift, SavedPlan};
use crate::state::snapshot::Snapshot;
use chrono::{DateTime, Utc};

/// A line on stderr, and one on stdout, under the target's label when the
/// run is one of several targets (`[dev] ...`).
macro_rules! note {
    ($($t:tt)*) => { crate::render::progress::note(&format!($($t)*)) };
}
macro_rules! say {
    ($($t:tt)*) => { println!("{}{}", crate::render::progress::label(), format!($($t)*)) };
}
use std::path::{Path, PathBuf};

/// The local lock, registered with the process's Ctrl-C handler (which
/// releases it, and the S3 lock once taken, if the run ends before any
/// change).
pub struct Guarded {
    lock: Lock,
    signals: &'static Signals,
    id: u64,
    s3: S3Held,
}

impl Drop for Guarded {
    fn drop(&mut self) {
        self.signals.release(self.id);
    }
}

fn take_lock(ctx: &Invocation, op_id: &str, command: &str) -> Result<Guarded, Error> {
    let lock_path = ctx.state().lock_path();
    let signals = super::signals::install()?;
    let s3 = S3Held::default();
    let info = LockInfo::mine(op_id, command);
    let (lock, id) = signals
        .hold(lock_path.clone(), s3.clone(), || {
            Lock::acquire(&lock_path, &info)
        })
        .map_err(|e| match e {
            LockError::Io(_) => fail(e.to_string()),
            _ => fail_code(Exit::Locked, e.to_string()),
        })?;
    if let Some(dead) = &lock.took_over {
        tracing::warn!(
            "took over the lock {}: {}",
            lock_path.display(),
            dead.describe()
        );
        note!(
            "Took over the lock {}: it was {}, whose process is gone. Check `parkctl history`: this run converges what it left.",
            lock_path.display(),
            dead.describe()
        );
    }
    Ok(Guarded {
        lock,
        signals,
        id,
        s3,
    })
}

fn operation_id() -> String {
    crate::state::stamp(Utc::now())
}

/// An apply up to its prompt: every lock taken, then the plan made.
pub struct Ready {
    op_id: String,
    guarded: Guarded,
    /// The lock of the target this account and region is, if it is one.
    _also: Option<Guarded>,
    pub prep: Prepared,
    src: Source,
}

impl Ready {
    /// Takes every lock the run needs (local, the target's, the S3 lease)
    /// before anything of the managed services is read, as Terraform locks
    /// before it refreshes: a plan read while another runner was still
    /// applying would be stale. Only STS (the guard) and S3 are called
    /// before the locks are held.
    pub async fn new(ctx: &Invocation, command: &str, src: Source) -> Result<Ready, Error> {
        if ctx.global.live_from.is_some() {
            return Err(fail("--live-from is for plan only"));
        }
        let op_id = operation_id();
        let guarded = take_lock(ctx, &op_id, command)?;
        let connected = connect(ctx, &src, true).await?;
        let also = target_lock(ctx, &connected, &op_id, command)?;
        lock_s3(ctx, &connected, &guarded, &op_id, command).await?;
        let prep = match read_and_plan(ctx, &src, connected).await {
            Ok(prep) => prep,
            Err(e) => {
                release_s3(&guarded.s3).await;
                return Err(e);
            }
        };
        Ok(Ready {
            op_id,
            guarded,
            _also: also,
            prep,
            src,
        })
    }

    /// Confirms (unless `yes`), snapshots, applies, verifies, records.
    pub async fn go(
        self,
        ctx: &Invocation,
        command: &str,
        yes: bool,
        why: Option<Scheduled>,
    ) -> Res {
        let pctx = self.prep.now.clone();
        let src = self.src;
        let reread = |live: &Live| src.plan(live, &pctx);
        let mut run = Run::new(ctx, command, self.op_id, &self.prep.plan, self.guarded);
        run.scheduled = why;
        run.go(self.prep, yes, &reread).await
    }

    /// Gives the locks back without applying (a fleet target with nothing
    /// to do, or a "no" at the prompt).
    pub async fn release(self) {
        release_s3(&self.guarded.s3).await;
    }
}

/// Takes the S3 lease when a mirror is configured. Held across the write,
/// so that a Ctrl-C meanwhile waits for it and then releases what it made.
async fn lock_s3(
    ctx: &Invocation,
    connected: &Connected,
    guarded: &Guarded,
    op_id: &str,
    command: &str,
) -> Result<(), Error> {
    let Some(url) = &ctx.config.state_s3 else {
        return Ok(());
    };
    let m = Mirror::new(connected.aws.s3.clone(), url)?;
    let mut slot = guarded.s3.lock().await;
    let info = LockInfo::mine(op_id, command);
    let lease = match lease::take(&m, &info, guarded.signals.interrupt.clone()).await {
        Ok(lease) => lease,
        Err(Refused::Held(holder)) => {
            return Err(fail_code(
                Exit::Locked,
                format!(
                    "another apply holds the S3 lock {}: {holder}",
                    m.url("lock")
                ),
            ))
        }
        Err(Refused::Aws(e)) => return Err(e.into()),
    };
    if let Some(dead) = &lease.took_over {
        tracing::warn!("took over the S3 lock {}: {dead}", lease.url());
        note!(
            "Took over the S3 lock {}: it was {dead}, and its holder stopped renewing it. Check `parkctl history`: this run converges what it left.",
            lease.url()
        );
    }
    *slot = Some(lease);
    Ok(())
}

/// Releases the S3 lease if one is held (a warning if S3 refuses: it
/// expires by itself after a few periods).
async fn release_s3(slot: &S3Held) {
    if let Some(lease) = slot.lock().await.take() {
        let url = lease.url();
        if let Err(e) = lease.release().await {
            note!(
                "Warning: could not release the S3 lock: {e}. It expires {} periods after its last renewal; or remove {url} once no apply runs.",
                lease::MISSED_PERIODS
            );
        }
    }
}

/// A run without `--targets` in an account and region that is one of the
/// config's targets takes that target's lock too, so that it and an
/// `apply --targets` cannot change the same resources at once.
fn target_lock(
    ctx: &Invocation,
    connected: &Connected,
    op_id: &str,
    command: &str,
) -> Result<Option<Guarded>, Error> {
    let (None, Some(_), Some(caller)) = (&ctx.target, &ctx.config.targets, &connected.caller)
    else {
        return Ok(None);
    };
    let Ok(targets) = crate::fleet::configured(ctx) else {
        return Ok(None);
    };
    let region = &connected.aws.region;
    let here = |t: &&crate::fleet::Target| t.account == caller.account && &t.region == region;
    match targets.iter().find(here) {
        Some(t) => {
            let tctx = crate::fleet::context_for(ctx, t);
            take_lock(&tctx, op_id, command).map(Some).map_err(|e| {
                fail_code(
                    e.exit(),
                    format!(
                        "account {} in {} is target `{}` of the config, whose lock ({}) is taken too: {e}",
                        t.account,
                        t.region,
                        t.name,
                        tctx.state().lock_path().display()
                    ),
                )
            })
        }
        None => Ok(None),
    }
}

/// `apply FILE` of a plan saved with `plan --out`: applied exactly, under
/// the locks, if the live state is still what it was made from.
pub async fn saved(ctx: &Invocation, path: &Path, yes: bool) -> Res {
    let saved = SavedPlan::read(path)?;
    let op_id = operation_id();
    let guarded = take_lock(ctx, &op_id, "apply-saved-plan")?;
    let target = crate::profile::Guard {
        region: Some(saved.region.clone()),
        account: Some(saved.account.clone()).filter(|a| !a.is_empty()),
    };
    let aws = ctx.connect(Some(&saved.region)).await?;
    ctx.guard(&aws, &target, &format!("the saved plan {}", path.display()))
        .await?;
    let caller = aws.sts.caller().await?;
    let connected = Connected {
        aws,
        caller: Some(caller.clone()),
    };
    lock_s3(ctx, &connected, &guarded, &op_id, "apply-saved-plan").await?;
    let aws = connected.aws;
    let selection = crate::read::Selection::named(&saved.live);
    let live = match read_unmoved(&aws, &selection, &saved).await {
        Ok(live) => live,
        Err(e) => {
            release_s3(&guarded.s3).await;
            return Err(e);
        }
    };
    let plan = saved.plan.clone();
    show(&plan, Format::Text);
    // Verification re-plans the saved changes against what was re-read:
    // whatever of them is still pending did not converge.
    let desired =
        crate::planner::desired_from_live(&crate::planner::after(&saved.live, &plan), "saved plan");
    let reread = |now: &Live| {
        let ctx = crate::planner::Now::at(Utc::now());
        crate::planner::diff(&desired, now, &ctx, &plan.profile, &plan.profile_sha256)
    };
    let region = aws.region.clone();
    let prep = Prepared {
        aws: Some(aws),
        region,
        caller: Some(caller),
        live,
        plan: plan.clone(),
        selection,
        now: crate::planner::Now::at(Utc::now()),
    };
    Run::new(ctx, "apply-saved-plan", op_id, &plan, guarded)
        .go(prep, yes, &reread)
        .await
}

/// The live state, read under the locks, if it is still what the saved
/// plan was made from.
async fn read_unmoved(
    aws: &Aws,
    selection: &crate::read::Selection,
    saved: &SavedPlan,
) -> Result<Live, Error> {
    let live = crate::read::read(aws, selection, crate::measure::Measure::NOTHING).await?;
    let moved = drift(
        &crate::planner::observe(&saved.live),
        &crate::planner::observe(&live),
    );
    if !moved.is_empty() {
        return Err(fail_help(
            format!(
                "the live state changed since this plan was made: {}",
                moved.join("; ")
            ),
            "make a new plan (`parkctl plan PROFILE --out FILE`) and review it",
        ));
    }
    Ok(live)
}

/// The resources a plan touches, with the resources they belong to and
/// those that belong to them, as they are now: the snapshot content.
fn touched(live: &Live, plan: &Plan) -> Live {
    let changed = |service: &str, name: &str| {
        plan.changes
            .iter()
            .any(|c| c.resource.service == service && c.resource.name == name)
    };
    // Families: a changed resource's parent, and every child of that parent.
    let mut heads: std::collections::BTreeSet<(&str, &str)> = Default::default();
    for r in &live.resources {
        if changed(r.id.service, r.name()) {
            heads.insert((r.id.service, r.parent.as_deref().unwrap_or(r.name())));
        }
    }
    let in_family = |r: &crate::model::Resource| {
        let head = r.parent.as_deref().unwrap_or(r.name());
        heads.contains(&(r.id.service, head))
    };
    Live {
        resources: live
            .resources
            .iter()
            .filter(|r| in_family(r))
            .cloned()
            .collect(),
        facts: live.facts.clone(),
    }
}

/// One apply, from the confirmed plan to the exit code.
struct Run<'a> {
    ctx: &'a Invocation,
    command: &'a str,
    op_id: String,
    name: String,
    sha: String,
    guarded: Guarded,
    mirror: Option<Mirror>,
    started: DateTime<Utc>,
    /// Why a scheduled apply ran, for its record.
    scheduled: Option<Scheduled>,
    /// The locks of killed runs this one took over, for its record.
    took_over: Vec<String>,
}

impl<'a> Run<'a> {
    fn new(
        ctx: &'a Invocation,
        command: &'a str,
        op_id: String,
        plan: &Plan,
        guarded: Guarded,
    ) -> Self {
        Run {
            ctx,
            command,
            op_id,
            name: plan.profile.clone(),
            sha: plan.profile_sha256.clone(),
            guarded,
            mirror: None,
            started: Utc::now(),
            scheduled: None,
            took_over: Vec::new(),
        }
    }

    /// Applies under the locks taken before the read, and releases the
    /// S3 lease whatever happened.
    async fn go(mut self, prep: Prepared, yes: bool, reread: &dyn Fn(&Live) -> Plan) -> Res {
        let s3 = self.guarded.s3.clone();
        if let Some(dead) = &self.guarded.lock.took_over {
            self.took_over
                .push(format!("state/lock {}", dead.describe()));
        }
        if let Some(lease) = s3.lock().await.as_ref() {
            self.mirror = Some(lease.mirror().clone());
            if let Some(dead) = &lease.took_over {
                self.took_over.push(format!("{} {dead}", lease.url()));
            }
        }
        let stats = prep.aws.as_ref().map(|a| a.stats.clone());
        let t = std::time::Instant::now();
        let result = self.apply(prep, yes, reread).await;
        if let (true, Some(stats)) = (self.ctx.global.stats, stats) {
            eprint!("{}", crate::render::stats::text(&stats, t.elapsed()));
        }
        release_s3(&s3).await;
        result
    }

    async fn apply(&mut self, prep: Prepared, yes: bool, reread: &dyn Fn(&Live) -> Plan) -> Res {
        let Prepared {
            aws,
            region,
            caller,
            live,
            plan,
            selection,
            ..
        } = prep;
        let Some(aws) = aws else {
            return Err(fail("--live-from is for plan only"));
        };
        if let Some(code) = self.nothing_to_do(&plan, yes)? {
            return Ok(code);
        }
        // `connect` was asked for the caller: the record names who applied.
        let Some(caller) = caller else {
            return Err(fail(
                "the caller's identity was not read (sts:GetCallerIdentity)",
            ));
        };
        self.started = Utc::now();
        let snap = self
            .snapshot(&caller, &region, touched(&live, &plan))
            .await?;
        self.guarded.signals.claim_first_change().await;
        let outcomes = execute(&aws, &plan, &self.guarded.signals.interrupt).await;
        let interrupted = self.guarded.signals.interrupt.is_raised();
        let unverified = verify(&aws, &selection, reread).await;
        let op = self.operation(&caller, &region, &snap, outcomes, unverified, interrupted);
        let record = self.record(&op).await;
        self.report(&op, &plan, record)
    }

    /// The exit code when nothing is to be applied (errors, no changes, a
    /// "no" at the prompt).
    fn nothing_to_do(&self, plan: &Plan, yes: bool) -> Result<Option<Exit>, Error> {
        if plan.has_errors() {
            note!("Nothing was changed: fix the errors above first.");
            return Ok(Some(Exit::Error));
        }
        if plan.is_empty() {
            return Ok(Some(Exit::Ok));
        }
        let question = format!("Apply these {} changes?", plan.changes.len());
        if !confirm(&question, yes, self.ctx.config.confirm)? {
            note!("Not applied.");
            return Ok(Some(Exit::Error));
        }
        Ok(None)
    }

    /// Writes the restore point (and mirrors it): nothing changes before.
    async fn snapshot(&self, caller: &Caller, region: &str, live: Live) -> Result<PathBuf, Error> {
        let snapshot = Snapshot {
            created: self.started,
            account: caller.account.clone(),
            region: region.to_string(),
            profile: self.name.clone(),
            profile_sha256: self.sha.clone(),
            caller_arn: caller.arn.clone(),
            operation_id: self.op_id.clone(),
            live,
        };
        let path = snapshot.write(&self.ctx.state()).map_err(|e| {
            fail(format!(
                "could not write the snapshot, so nothing was changed: {e}"
            ))
        })?;
        note!("Snapshot written to {}", path.display());
        if let Some(m) = &self.mirror {
            let rel = format!("snapshots/{}", file_name(&path));
            let bytes = std::fs::read(&path).map_err(|e| fail(e.to_string()))?;
            m.put(&rel, bytes).await.map_err(|e| {
                fail(format!(
                    "could not mirror the snapshot to S3, so nothing was changed: {e}"
                ))
            })?;
            note!("Snapshot mirrored to {}", m.url(&rel));
        }
        Ok(path)
    }

    fn operation(
        &self,
        caller: &Caller,
        region: &str,
        snap: &Path,
        outcomes: Vec<Outcome>,
        unverified: Vec<String>,
        interrupted: bool,
    ) -> Operation {
        let totals = Totals::of(&outcomes);
        let result = if interrupted {
            Result_::Interrupted
        } else if totals.failed + totals.skipped > 0 || !unverified.is_empty() {
            Result_::Failed
        } else {
            Result_::Succeeded
        };
        Operation {
            id: self.op_id.clone(),
            command: self.command.to_string(),
            caller_arn: caller.arn.clone(),
            account: caller.account.clone(),
            region: region.to_string(),
            profile: self.name.clone(),
            profile_sha256: self.sha.clone(),
            snapshot: Some(snap.display().to_string()),
            started: self.started,
            ended: Utc::now(),
            result,
            changes: outcomes,
            totals,
            unverified,
            scheduled: self.scheduled.clone(),
            took_over: self.took_over.clone(),
        }
    }

    /// Writes the operation record (and mirrors it; a mirror failure is a
    /// warning: the record is on disk).
    async fn record(&self, op: &Operation) -> Result<PathBuf, crate::state::StateError> {
        let record = op.write(&self.ctx.state());
        if let (Some(m), Ok(p)) = (&self.mirror, &record) {
            for path in [p.clone(), p.with_extension("txt")] {
                let rel = format!("operations/{}", file_name(&path));
                match std::fs::read(&path) {
                    Ok(bytes) => {
                        if let Err(e) = m.put(&rel, bytes).await {
                            note!("Warning: could not mirror the operation record to S3: {e}");
                        }
                    }
                    Err(e) => note!(
                        "Warning: could not read {} to mirror it: {e}",
                        path.display()
                    ),
                }
            }
        }
        record
    }

    fn report(
        &self,
        op: &Operation,
        plan: &Plan,
        record: Result<PathBuf, crate::state::StateError>,
    ) -> Res {
        let st = Style {
            color: crate::render::use_color(),
        };
        for line in crate::render::text::failures(&op.changes, &st).lines() {
            note!("{line}");
        }
        for u in &op.unverified {
            note!("Not converged: {u}");
        }
        match &record {
            Ok(p) => note!("Operation {} recorded in {}", op.id, p.display()),
            Err(e) => note!("Warning: could not write the operation record: {e}"),
        }
        let applied = op.totals.applied;
        let total = plan.changes.len();
        match op.result {
            Result_::Succeeded => {
                say!(
                    "Applied {applied} changes; live state verified against `{}`.",
                    self.name
                );
                Ok(Exit::Ok)
            }
            Result_::Interrupted => {
                say!("Interrupted after {applied} of {total} changes; re-run to finish.");
                Ok(Exit::Interrupted)
            }
            Result_::Failed => {
                say!(
                    "Applied {applied} of {total} changes; {} failed, {} skipped, {} not converged. Re-run `parkctl {}` to converge.",
                    op.totals.failed,
                    op.totals.skipped,
                    op.unverified.len(),
                    self.command
                );
                Ok(Exit::Partial)
            }
        }
    }
}

/// Re-reads and re-plans: every change still pending did not converge.
async fn verify(
    aws: &Aws,
    selection: &crate::read::Selection,
    reread: &dyn Fn(&Live) -> Plan,
) -> Vec<String> {
    // What converged is told by the managed attributes alone: no metrics.
    match crate::read::read(aws, selection, crate::measure::Measure::NOTHING).await {
        Ok(now) => reread(&now)
            .changes
            .iter()
            .map(|c| {
                format!(
                    "{} {}: is {}, wanted {}",
                    c.resource,
                    c.attr,
                    c.before(),
                    c.after()
                )
            })
            .collect(),
        Err(e) => vec![format!("could not re-read to verify: {e}")],
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
