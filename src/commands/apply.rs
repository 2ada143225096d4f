//! `parkctl apply` and `parkctl restore`: lock, plan, confirm, snapshot,
//! apply, verify, record. The order matters: the snapshot is on disk
//! before the first change, and the record is written whatever happens.

use super::plan::{prepare, show, source, Prepared, Source};
use super::{
    confirm, fail, fail_code, Ctx, Res, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_LOCKED, EXIT_OK,
    EXIT_PARTIAL,
};
use crate::apply::{execute, Interrupt, Status};
use crate::aws::s3::{LockOutcome, Mirror};
use crate::cli::Format;
use crate::model::Live;
use crate::plan::{Plan, Resource};
use crate::render::text::Style;
use crate::state::lock::{Lock, LockError, LockInfo};
use crate::state::operation::{Operation, Result_, Totals};
use crate::state::saved::{drift, SavedPlan};
use crate::state::snapshot::Snapshot;
use chrono::Utc;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub async fn run(ctx: &Ctx, target: &str, yes: bool) -> Res {
    let path = Path::new(target);
    if path.is_file() && SavedPlan::sniff(path) {
        return apply_saved(ctx, path, yes).await;
    }
    let src = source(ctx, Some(target), None)?;
    converge(ctx, "apply", src, yes).await
}

pub async fn restore(ctx: &Ctx, snapshot: Option<&str>, yes: bool) -> Res {
    let src = source(ctx, None, Some(snapshot.unwrap_or("latest")))?;
    converge(ctx, "restore", src, yes).await
}

/// Takes the lock and arms Ctrl-C: before the first change it just ends
/// the run (releasing the lock); once changes run, it lets the calls in
/// flight finish and stops there.
struct Guarded {
    _lock: Lock,
    interrupt: Interrupt,
    /// Claimed once, by whichever comes first: the first change (then
    /// Ctrl-C stops gracefully) or a Ctrl-C (then the run just ends).
    changing: Arc<AtomicBool>,
    /// The S3 lock, once taken, so that Ctrl-C can release it too.
    s3: Arc<tokio::sync::Mutex<Option<Mirror>>>,
}

fn take_lock(ctx: &Ctx, op_id: &str, command: &str) -> Result<Guarded, miette::Report> {
    let state = ctx.state();
    let lock_path = state.lock_path();
    // Catch Ctrl-C before the lock exists: a signal arriving between the
    // two would otherwise kill the process with the lock left behind.
    let mut sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .map_err(|e| fail(format!("cannot catch Ctrl-C, so not starting: {e}")))?;
    let lock = Lock::acquire(&lock_path, &LockInfo::mine(op_id, command)).map_err(|e| match e {
        LockError::Io(_) => fail(e.to_string()),
        _ => fail_code(EXIT_LOCKED, e.to_string()),
    })?;
    let interrupt = Interrupt::default();
    let changing = Arc::new(AtomicBool::new(false));
    let s3: Arc<tokio::sync::Mutex<Option<Mirror>>> = Arc::default();
    let (i, c, s3_held) = (interrupt.clone(), changing.clone(), s3.clone());
    tokio::spawn(async move {
        let mut count = 0;
        while sigint.recv().await.is_some() {
            count += 1;
            // Claim "before any change" atomically: either the apply has
            // started changing (and we stop it gracefully) or it never will.
            if c.compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                if let Some(m) = s3_held.lock().await.take() {
                    let _ = m.unlock().await;
                }
                let _ = std::fs::remove_file(&lock_path);
                eprintln!("\nInterrupted before any change: nothing was changed.");
                std::process::exit(EXIT_INTERRUPTED);
            }
            if count == 1 {
                eprintln!("\nInterrupted: finishing the AWS calls in flight, then stopping and recording what was done (Ctrl-C again to abort at once).");
                i.raise();
            } else {
                std::process::exit(EXIT_INTERRUPTED);
            }
        }
    });
    Ok(Guarded {
        _lock: lock,
        interrupt,
        changing,
        s3,
    })
}

fn operation_id() -> String {
    crate::state::stamp(Utc::now())
}

async fn converge(ctx: &Ctx, command: &str, src: Source, yes: bool) -> Res {
    let op_id = operation_id();
    let guarded = take_lock(ctx, &op_id, command)?;
    let prep = prepare(ctx, &src, true).await?;
    show(&prep.plan, Format::Text);
    let (name, sha) = (prep.plan.profile.clone(), prep.plan.profile_sha256.clone());
    let reread = |live: &Live| src.plan(live, Utc::now());
    finish(
        ctx, command, &op_id, &name, &sha, prep, guarded, yes, &reread,
    )
    .await
}

async fn apply_saved(ctx: &Ctx, path: &Path, yes: bool) -> Res {
    let saved = SavedPlan::read(path).map_err(fail)?;
    let op_id = operation_id();
    let guarded = take_lock(ctx, &op_id, "apply-saved-plan")?;
    let target = crate::profile::Target {
        region: Some(saved.region.clone()),
        account: Some(saved.account.clone()).filter(|a| !a.is_empty()),
    };
    let aws = ctx.connect(Some(&saved.region)).await?;
    ctx.guard(&aws, &target, &format!("the saved plan {}", path.display()))
        .await?;
    let caller = aws.sts.caller().await.map_err(super::aws_fail)?;
    let wanted = crate::read::Wanted::named(&saved.live);
    let live = crate::read::read(&aws, &wanted)
        .await
        .map_err(super::aws_fail)?;
    let moved = drift(
        &crate::planner::observe(&saved.live),
        &crate::planner::observe(&live),
    );
    if !moved.is_empty() {
        return Err(super::fail_help(
            format!(
                "the live state changed since this plan was made: {}",
                moved.join("; ")
            ),
            "make a new plan (`parkctl plan PROFILE --out FILE`) and review it",
        ));
    }
    let plan = saved.plan.clone();
    show(&plan, Format::Text);
    let region = aws.region.clone();
    let prep = Prepared {
        aws: Some(aws),
        region,
        caller: Some(caller),
        live,
        plan: plan.clone(),
        wanted,
    };
    // Verification re-plans the saved changes against what was re-read:
    // whatever of them is still pending did not converge.
    let desired =
        crate::planner::desired_from_live(&crate::cost::after(&saved.live, &plan), "saved plan");
    let reread = move |now: &Live| {
        crate::planner::diff(
            &desired,
            now,
            &crate::planner::Context::at(Utc::now()),
            &plan.profile,
            &plan.profile_sha256,
        )
    };
    let (name, sha) = (
        saved.plan.profile.clone(),
        saved.plan.profile_sha256.clone(),
    );
    finish(
        ctx,
        "apply-saved-plan",
        &op_id,
        &name,
        &sha,
        prep,
        guarded,
        yes,
        &reread,
    )
    .await
}

/// The resources a plan touches, as they are now: the snapshot content.
fn touched(live: &Live, plan: &Plan) -> Live {
    let has = |f: &dyn Fn(&Resource) -> bool| plan.changes.iter().any(|c| f(&c.resource));
    Live {
        streams: live
            .streams
            .iter()
            .filter(|s| has(&|r| matches!(r, Resource::Stream { name } if *name == s.name)))
            .cloned()
            .collect(),
        functions: live
            .functions
            .iter()
            .filter(|f| {
                has(&|r| {
                    matches!(r, Resource::Function { name } if *name == f.name)
                        || matches!(r, Resource::Mapping { function, .. } if *function == f.name)
                })
            })
            .cloned()
            .collect(),
        alarms: live
            .alarms
            .iter()
            .filter(|a| has(&|r| matches!(r, Resource::Alarm { name } if *name == a.name)))
            .cloned()
            .collect(),
        account: live.account.clone(),
    }
}

/// Takes the S3 lock when a mirror is configured, runs the apply, and
/// releases the S3 lock whatever happened.
#[allow(clippy::too_many_arguments)]
async fn finish(
    ctx: &Ctx,
    command: &str,
    op_id: &str,
    name: &str,
    sha: &str,
    prep: Prepared,
    guarded: Guarded,
    yes: bool,
    reread: &dyn Fn(&Live) -> Plan,
) -> Res {
    let aws = prep
        .aws
        .as_ref()
        .ok_or_else(|| fail("--live-from is for plan only"))?;
    let mirror = match &ctx.config.state_s3 {
        None => None,
        Some(url) => {
            let m = Mirror::new(aws.s3.clone(), url).map_err(fail)?;
            let info =
                serde_json::to_vec_pretty(&LockInfo::mine(op_id, command)).unwrap_or_default();
            match m.lock(info).await.map_err(super::aws_fail)? {
                LockOutcome::Taken => {}
                LockOutcome::Held(holder) => {
                    return Err(fail_code(
                        EXIT_LOCKED,
                        format!(
                            "another apply holds the S3 lock {}: {}",
                            m.url("lock"),
                            holder.split_whitespace().collect::<Vec<_>>().join(" ")
                        ),
                    ))
                }
            }
            *guarded.s3.lock().await = Some(m.clone());
            Some(m)
        }
    };
    let s3 = guarded.s3.clone();
    let result = run_apply(
        ctx,
        command,
        op_id,
        name,
        sha,
        prep,
        guarded,
        yes,
        reread,
        mirror.as_ref(),
    )
    .await;
    if let Some(m) = s3.lock().await.take() {
        if let Err(e) = m.unlock().await {
            eprintln!(
                "Warning: could not release the S3 lock: {e}. Remove {} once no apply runs.",
                m.url("lock")
            );
        }
    }
    result
}

#[allow(clippy::too_many_arguments)]
async fn run_apply(
    ctx: &Ctx,
    command: &str,
    op_id: &str,
    name: &str,
    sha: &str,
    prep: Prepared,
    guarded: Guarded,
    yes: bool,
    reread: &dyn Fn(&Live) -> Plan,
    mirror: Option<&Mirror>,
) -> Res {
    let Prepared {
        aws,
        region,
        caller,
        live,
        plan,
        wanted,
    } = prep;
    let aws = aws.ok_or_else(|| fail("--live-from is for plan only"))?;
    if plan.has_errors() {
        eprintln!("Nothing was changed: fix the errors above first.");
        return Ok(EXIT_ERROR);
    }
    if plan.is_empty() {
        return Ok(EXIT_OK);
    }
    if !confirm(
        &format!("Apply these {} changes?", plan.changes.len()),
        yes,
        ctx.config.confirm,
    )? {
        eprintln!("Not applied.");
        return Ok(EXIT_ERROR);
    }
    let caller = caller.unwrap_or(crate::aws::sts::Caller {
        account: String::new(),
        arn: String::new(),
    });
    let state = ctx.state();
    let started = Utc::now();
    let snapshot = Snapshot {
        created: started,
        account: caller.account.clone(),
        region: region.clone(),
        profile: name.to_string(),
        profile_sha256: sha.to_string(),
        caller_arn: caller.arn.clone(),
        operation_id: op_id.to_string(),
        live: touched(&live, &plan),
    };
    let snap_path = snapshot.write(&state).map_err(|e| {
        fail(format!(
            "could not write the snapshot, so nothing was changed: {e}"
        ))
    })?;
    eprintln!("Snapshot written to {}", snap_path.display());
    if let Some(m) = mirror {
        let rel = format!(
            "snapshots/{}",
            snap_path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        let bytes = std::fs::read(&snap_path).map_err(|e| fail(e.to_string()))?;
        m.put(&rel, bytes).await.map_err(|e| {
            fail(format!(
                "could not mirror the snapshot to S3, so nothing was changed: {e}"
            ))
        })?;
        eprintln!("Snapshot mirrored to {}", m.url(&rel));
    }

    if guarded
        .changing
        .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        // Ctrl-C won the race: the handler is releasing the lock and exiting.
        std::future::pending::<()>().await;
    }
    let t = std::time::Instant::now();
    let outcomes = execute(&aws, &plan, &guarded.interrupt).await;
    let interrupted = guarded.interrupt.is_raised();

    let unverified: Vec<String> = match crate::read::read(&aws, &wanted).await {
        Ok(now) => reread(&now)
            .changes
            .iter()
            .map(|c| {
                format!(
                    "{} {}: is {}, wanted {}",
                    c.resource,
                    c.action.attr(),
                    c.action.before(),
                    c.action.after()
                )
            })
            .collect(),
        Err(e) => vec![format!("could not re-read to verify: {e}")],
    };
    let totals = Totals::of(&outcomes);
    let result = if interrupted {
        Result_::Interrupted
    } else if totals.failed + totals.skipped > 0 || !unverified.is_empty() {
        Result_::Failed
    } else {
        Result_::Succeeded
    };
    let op = Operation {
        id: op_id.to_string(),
        command: command.to_string(),
        caller_arn: caller.arn,
        account: caller.account,
        region,
        profile: name.to_string(),
        profile_sha256: sha.to_string(),
        snapshot: Some(snap_path.display().to_string()),
        started,
        ended: Utc::now(),
        result,
        changes: outcomes.clone(),
        totals: totals.clone(),
        unverified: unverified.clone(),
    };
    let record = op.write(&state);
    if let (Some(m), Ok(p)) = (mirror, &record) {
        for path in [p.clone(), p.with_extension("txt")] {
            let rel = format!(
                "operations/{}",
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            );
            match std::fs::read(&path) {
                Ok(bytes) => {
                    if let Err(e) = m.put(&rel, bytes).await {
                        eprintln!("Warning: could not mirror the operation record to S3: {e}");
                    }
                }
                Err(e) => eprintln!(
                    "Warning: could not read {} to mirror it: {e}",
                    path.display()
                ),
            }
        }
    }
    let st = Style {
        color: crate::render::use_color(),
    };
    eprint!("{}", crate::render::text::failures(&outcomes, &st));
    for u in &unverified {
        eprintln!("Not converged: {u}");
    }
    match &record {
        Ok(p) => eprintln!("Operation {op_id} recorded in {}", p.display()),
        Err(e) => eprintln!("Warning: could not write the operation record: {e}"),
    }
    if ctx.global.stats {
        eprint!(
            "{}",
            crate::aws::calllog::render_stats(&aws.stats, t.elapsed())
        );
    }
    let applied = outcomes
        .iter()
        .filter(|o| o.status == Status::Applied)
        .count();
    match result {
        Result_::Succeeded => {
            println!("Applied {applied} changes; live state verified against `{name}`.");
            Ok(EXIT_OK)
        }
        Result_::Interrupted => {
            println!(
                "Interrupted after {applied} of {} changes; re-run to finish.",
                plan.changes.len()
            );
            Ok(EXIT_INTERRUPTED)
        }
        Result_::Failed => {
            println!(
                "Applied {applied} of {} changes; {} failed, {} skipped, {} not converged. Re-run `parkctl {command}` to converge.",
                plan.changes.len(),
                totals.failed,
                totals.skipped,
                unverified.len()
            );
            Ok(EXIT_PARTIAL)
        }
    }
}
