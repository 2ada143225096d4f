//! The imperative shell: each command wires profile, AWS adapters, planner,
//! renderer and state together. Commands return an exit code or a report.

pub(crate) mod apply;
pub(crate) mod billing;
pub(crate) mod capture;
pub(crate) mod fleet;
pub(crate) mod history;
pub(crate) mod hold;
pub(crate) mod iam;
pub(crate) mod init;
pub(crate) mod lease;
pub(crate) mod plan;
pub(crate) mod schedule;
pub(crate) mod signals;
pub(crate) mod status;
pub(crate) mod terraform;
pub(crate) mod validate;

use crate::cli::{Cli, Command};
use crate::config::Config;
use crate::context::{fail_help, Exit, Invocation, Res};

pub async fn run(cli: Cli) -> Res {
    let config = Config::resolve(&cli.global)
        .map_err(|e| fail_help(e, "see `parkctl.yaml` in docs/profiles.md"))?;
    let ctx = Invocation {
        config,
        global: cli.global.clone(),
        target: None,
    };
    let talks_to_aws = matches!(
        cli.command,
        Command::Plan { .. }
            | Command::Apply { .. }
            | Command::Restore { .. }
            | Command::Capture { .. }
            | Command::Init(_)
            | Command::Status { .. }
            | Command::Billing { .. }
            | Command::Unlock { .. }
            | Command::Schedule { .. }
            | Command::Hold { .. }
    );
    crate::progress::set_sink(Box::<crate::render::progress::Terminal>::default());
    crate::logging::init(
        &ctx.global,
        talks_to_aws.then(|| ctx.state().logs()).as_deref(),
    );
    dispatch(&ctx, cli.command).await
}

/// Runs one command. Those that work in an account and region run over
/// the run's jobs (`fleet::Fleet`): one per target `--targets` names, or
/// the run's own context alone, so that one path serves one target or
/// many; the others are the project's, run once.
async fn dispatch(ctx: &Invocation, command: Command) -> Res {
    let jobs = fleet::Fleet::of(ctx)?;
    match command {
        Command::Plan {
            profile,
            format,
            out,
            detailed_exitcode,
            snapshot,
        } => {
            let (p, s) = (profile.as_deref(), snapshot.as_deref());
            jobs.plan_command(p, s, format, out.as_deref(), detailed_exitcode)
                .await
        }
        Command::Apply {
            target,
            confirm,
            dry_run,
            scheduled,
            at,
        } => match target.filter(|_| !scheduled) {
            Some(t) => jobs.apply(&t, confirm.yes, dry_run).await,
            None => {
                jobs.scheduled(ctx, at.as_deref(), confirm.yes, dry_run)
                    .await
            }
        },
        Command::Restore { snapshot, confirm } => {
            jobs.restore(snapshot.as_deref(), confirm.yes).await
        }
        Command::Capture {
            name,
            like,
            prefix,
            force,
        } => {
            jobs.capture(&name, like.as_deref(), prefix.as_deref(), force)
                .await
        }
        Command::Status {
            format,
            idle_window,
        } => jobs.status(format, &idle_window).await,
        Command::History { id, format } => jobs.history(id.as_deref(), format),
        Command::Unlock { confirm } => jobs.unlock(confirm.yes).await,
        Command::IamPolicy { profiles } => jobs.iam_policy(ctx, &profiles),
        _ if jobs.named() => Err(fail_help(
            "--targets is for plan, apply, restore, status, history, capture, unlock and iam-policy",
            "run this command without --targets",
        )),
        // The project's commands, run once: the profiles, the schedule and
        // its hold, the bill, the tooling.
        Command::Validate { profiles } => validate::run(ctx, &profiles),
        Command::Init(args) => init::run(ctx, &args).await,
        Command::Billing { days, tag, format } => billing::run(ctx, days, tag, format).await,
        Command::Schedule { at, days, format } => {
            schedule::run(ctx, at.as_deref(), days, format).await
        }
        Command::Hold {
            profile,
            until,
            reason,
            clear,
        } => {
            let (p, u, r) = (profile.as_deref(), until.as_deref(), reason.as_deref());
            hold::run(ctx, hold::Action::of(clear, p, u, r)).await
        }
        Command::TerraformHints { profiles } => terraform::run(ctx, &profiles),
        Command::Man => man(),
        Command::Completions { shell } => completions(shell),
    }
}

/// The shell's completion script, from the same clap definitions.
fn completions(shell: clap_complete::Shell) -> Res {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut cmd, "parkctl", &mut std::io::stdout());
    Ok(Exit::Ok)
}

/// The man page, `.TH` first (clap_mangen puts its string definitions
/// before it; roff takes them after as well).
fn man() -> Res {
    let cmd = <Cli as clap::CommandFactory>::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut page)
        .map_err(|e| crate::context::fail(format!("cannot render the man page: {e}")))?;
    let text = String::from_utf8_lossy(&page);
    let (head, rest): (Vec<&str>, Vec<&str>) = text.lines().partition(|l| l.starts_with(".TH "));
    let page = head.into_iter().chain(rest).collect::<Vec<_>>().join("\n") + "\n";
    use std::io::Write;
    match std::io::stdout().write_all(page.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(crate::context::fail(format!(
            "cannot write the man page: {e}"
        ))),
        _ => Ok(Exit::Ok),
    }
}
