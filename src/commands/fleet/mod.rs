//! Commands over several targets (`--targets`): each target runs the
//! single-target steps with its own context (`crate::fleet`); these
//! modules gather what the targets did into one summary and one exit code.

mod converge;
mod each;
mod status;

use crate::cli::Command;
use crate::context::{fail, fail_help, Ctx, Res};
use crate::fleet::{self, Target};

/// A target and the run's context for it.
pub struct Member {
    pub target: Target,
    pub ctx: Ctx,
}

/// The targets a run names, each with its context.
fn members(ctx: &Ctx, wanted: &str) -> Result<Vec<Member>, crate::context::Error> {
    let targets = fleet::select(fleet::configured(ctx)?, wanted)?;
    Ok(targets
        .into_iter()
        .map(|t| Member {
            ctx: fleet::context_for(ctx, &t),
            target: t,
        })
        .collect())
}

/// How many targets run at once: `--parallel-targets`, default 8.
fn parallel(ctx: &Ctx) -> Result<usize, crate::context::Error> {
    match ctx.global.parallel_targets {
        None => Ok(8),
        Some(n @ 1..=64) => Ok(n),
        Some(n) => Err(fail(format!(
            "--parallel-targets must be between 1 and 64, not {n}"
        ))),
    }
}

/// Runs `command` in the targets `wanted` names.
pub async fn dispatch(ctx: &Ctx, wanted: &str, command: Command) -> Res {
    let members = members(ctx, wanted)?;
    let n = parallel(ctx)?;
    let run = converge::Fleet {
        members: &members,
        n,
    };
    match command {
        Command::Plan {
            profile,
            format,
            out,
            detailed_exitcode,
            snapshot,
        } => {
            if out.is_some() {
                return Err(fail_help(
                    "--out saves one target's plan, not several",
                    "plan one target without --targets (with its credentials), or drop --out",
                ));
            }
            let want = crate::pipeline::Toward::of(profile.as_deref(), snapshot.as_deref())?;
            run.plan(want, format, detailed_exitcode).await
        }
        Command::Apply {
            target,
            confirm,
            dry_run,
            scheduled,
            at,
        } => {
            let Some(profile) = target.filter(|_| !scheduled) else {
                return run
                    .scheduled(ctx, at.as_deref(), confirm.yes, dry_run)
                    .await;
            };
            if std::path::Path::new(&profile).is_file()
                && crate::state::saved::SavedPlan::sniff(std::path::Path::new(&profile))
            {
                return Err(fail_help(
                    "a saved plan is one target's: apply it without --targets",
                    "or apply the profile to every target: parkctl apply PROFILE --targets ...",
                ));
            }
            let want = crate::pipeline::Toward::Profile(&profile);
            if dry_run {
                return run.plan(want, crate::cli::Format::Text, false).await;
            }
            run.apply("apply", want, confirm.yes, None).await
        }
        Command::Restore { snapshot, confirm } => {
            let snap = snapshot.unwrap_or_else(|| "latest".into());
            run.apply(
                "restore",
                crate::pipeline::Toward::Snapshot(&snap),
                confirm.yes,
                None,
            )
            .await
        }
        Command::Status {
            format,
            idle_window,
        } => status::run(&run, format, &idle_window).await,
        Command::History { id, format } => each::history(&members, id.as_deref(), format),
        Command::Unlock { confirm } => each::unlock(&members, confirm.yes).await,
        Command::Capture {
            name,
            like,
            prefix,
            force,
        } => each::capture(&members, &name, like.as_deref(), prefix.as_deref(), force).await,
        Command::IamPolicy { profiles } => each::iam_policy(ctx, &members, &profiles),
        _ => Err(fail_help(
            "--targets is for plan, apply, restore, status, history, capture, unlock and iam-policy",
            "run this command without --targets",
        )),
    }
}
