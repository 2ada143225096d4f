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
use crate::context::{fail_help, Ctx, Exit, Res};

pub async fn run(cli: Cli) -> Res {
    let config = Config::resolve(&cli.global)
        .map_err(|e| fail_help(e, "see `parkctl.yaml` in docs/profiles.md"))?;
    let ctx = Ctx {
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

/// Runs one command (in every target named with `--targets`).
async fn dispatch(ctx: &Ctx, command: Command) -> Res {
    if let Some(wanted) = &ctx.global.targets {
        return fleet::dispatch(ctx, wanted, command).await;
    }
    match command {
        Command::Validate { profiles } => validate::run(ctx, &profiles),
        Command::Plan {
            profile,
            format,
            out,
            detailed_exitcode,
            snapshot,
        } => {
            plan::run(
                ctx,
                profile.as_deref(),
                snapshot.as_deref(),
                format,
                out.as_deref(),
                detailed_exitcode,
            )
            .await
        }
        Command::Apply {
            target,
            confirm,
            dry_run,
            scheduled,
            at,
        } => match target {
            Some(t) if !scheduled => apply(ctx, &t, confirm.yes, dry_run).await,
            _ => schedule::apply(ctx, at.as_deref(), confirm.yes, dry_run).await,
        },
        Command::Restore { snapshot, confirm } => {
            apply::restore(ctx, snapshot.as_deref(), confirm.yes).await
        }
        Command::Capture {
            name,
            like,
            prefix,
            force,
        } => capture::run(ctx, &name, like.as_deref(), prefix.as_deref(), force).await,
        Command::Status {
            format,
            idle_window,
        } => status::run(ctx, format, &idle_window).await,
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
        Command::History { id, format } => history::run(ctx, id.as_deref(), format),
        Command::Unlock { confirm } => history::unlock(ctx, confirm.yes).await,
        Command::IamPolicy { profiles } => iam::run(ctx, &profiles),
        Command::TerraformHints { profiles } => terraform::run(ctx, &profiles),
        Command::Man => man(),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "parkctl", &mut std::io::stdout());
            Ok(Exit::Ok)
        }
    }
}

/// `apply TARGET`, or only its plan with --dry-run.
async fn apply(ctx: &Ctx, target: &str, yes: bool, dry_run: bool) -> Res {
    if dry_run {
        plan::run(
            ctx,
            Some(target),
            None,
            crate::cli::Format::Text,
            None,
            false,
        )
        .await
    } else {
        apply::run(ctx, target, yes).await
    }
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
