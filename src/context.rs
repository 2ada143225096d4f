//! What every command shares: the exit codes, the one failure type a run
//! ends with (rendered once, in `main`), the run's context (config, global
//! flags, profiles, the account guard) and the confirmation prompt.

use crate::cli::Global;
use crate::config::Config;
use crate::profile::Profile;
use crate::session::Aws;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

pub use crate::error::{Error, Exit};

pub fn fail(message: impl Into<String>) -> Error {
    fail_code(Exit::Error, message)
}

pub fn fail_help(message: impl Into<String>, help: impl Into<String>) -> Error {
    Error::Failure {
        message: message.into(),
        help: Some(help.into()),
        code: Exit::Error,
    }
}

pub fn fail_code(code: Exit, message: impl Into<String>) -> Error {
    Error::Failure {
        message: message.into(),
        help: None,
        code,
    }
}

pub type Res = Result<Exit, Error>;

/// One command as it was invoked: the resolved `parkctl.yaml`, the global
/// flags, and the fleet target it runs for (`--targets`), if any. Every
/// command gets one (a run over targets, one per target).
#[derive(Clone)]
pub struct Invocation {
    pub config: Config,
    pub global: Global,
    /// The target of `targets:` this run is for (`--targets`), if any.
    pub target: Option<FleetTarget>,
}

/// Which fleet target (of `targets:` in `parkctl.yaml`) a run is for: its
/// name and the account its credentials must be in.
#[derive(Debug, Clone)]
pub struct FleetTarget {
    pub name: String,
    pub account: String,
    /// How its credentials are had, for errors: `role ARN`, `profile P`.
    pub credentials: String,
}

impl Invocation {
    pub fn state(&self) -> crate::state::StateDir {
        crate::state::StateDir::new(&self.config.state_dir)
    }

    /// Every state directory of the project: the single-account one and
    /// each target's (`targets/NAME/`) that exists.
    pub fn all_states(&self) -> Vec<crate::state::StateDir> {
        let root = &self.config.state_root;
        let targets = std::fs::read_dir(root.join("targets"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir());
        std::iter::once(root.clone())
            .chain(targets)
            .map(crate::state::StateDir::new)
            .collect()
    }

    /// A profile by name (in the profiles directory) or by path.
    pub fn profile_path(&self, name: &str) -> PathBuf {
        let p = Path::new(name);
        if p.exists() || name.contains('/') || name.ends_with(".yaml") || name.ends_with(".yml") {
            return p.to_path_buf();
        }
        self.config.profiles_dir.join(format!("{name}.yaml"))
    }

    pub fn load_profile(&self, name: &str) -> Result<Profile, Error> {
        let path = self.profile_path(name);
        if !path.exists() {
            let known = self.profile_names();
            return Err(fail_help(
                format!("no profile `{name}` ({} does not exist)", path.display()),
                if known.is_empty() {
                    format!("create {}, or pass a path", path.display())
                } else {
                    format!(
                        "profiles in {}: {}",
                        self.config.profiles_dir.display(),
                        known.join(", ")
                    )
                },
            ));
        }
        Ok(Profile::load(&path)?)
    }

    pub fn profile_names(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&self.config.profiles_dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
            .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .collect();
        v.sort();
        v
    }

    pub async fn connect(&self, profile_region: Option<&str>) -> Result<Aws, Error> {
        let fallback = self.config.region_fallback.as_deref().or(profile_region);
        Aws::connect(&self.config.aws, fallback).await.map_err(fail)
    }

    /// Refuses to go on against the wrong account or region. There is no
    /// override flag on purpose: the fix is the right credentials.
    pub async fn guard(
        &self,
        aws: &Aws,
        target: &crate::profile::Guard,
        what: &str,
    ) -> Result<Option<crate::aws::sts::Caller>, Error> {
        if let Some(r) = &target.region {
            if *r != aws.region {
                let help = match &self.target {
                    Some(t) => format!("target `{}` is in {}: leave `target.region` out of a profile used with several targets, or name only the targets in {r}", t.name, aws.region),
                    None => format!("pass --region {r} or set AWS_REGION={r}"),
                };
                return Err(fail_help(
                    format!("{what} is for region {r}, but the resolved region is {}: refusing to go on", aws.region),
                    help,
                ));
            }
        }
        if let Some(t) = &self.target {
            return self.guard_target(aws, t, target, what).await.map(Some);
        }
        let account = target.account.as_ref().or(self.config.account.as_ref());
        match account {
            None => Ok(None),
            Some(want) => {
                let caller = aws.sts.caller().await?;
                if caller.account != *want {
                    return Err(fail_help(
                        format!(
                            "{what} is for account {want}, but these credentials are for account {} ({}): refusing to go on",
                            caller.account, caller.arn
                        ),
                        "use credentials for the right account (AWS_PROFILE, --profile)",
                    ));
                }
                Ok(Some(caller))
            }
        }
    }
}

impl Invocation {
    /// A target's guard: its credentials must be in its account (a role
    /// that lands elsewhere is refused, naming both), and a profile that
    /// names another account is not for this target.
    async fn guard_target(
        &self,
        aws: &Aws,
        t: &FleetTarget,
        target: &crate::profile::Guard,
        what: &str,
    ) -> Result<crate::aws::sts::Caller, Error> {
        if let Some(want) = target.account.as_ref().filter(|a| **a != t.account) {
            return Err(fail_help(
                format!(
                    "{what} is for account {want}, but target `{}` is account {}: refusing this target",
                    t.name, t.account
                ),
                "leave `target.account` out of a profile used with several targets, or name only the targets in its account",
            ));
        }
        let caller = aws.sts.caller().await.map_err(|e| {
            fail_help(
                format!(
                    "target `{}`: cannot confirm its account through {} ({e}): refusing this target",
                    t.name, t.credentials
                ),
                if let Some(p) = t.credentials.strip_prefix("profile ") {
                    format!("check the profile: `aws sts get-caller-identity --profile {p}`")
                } else if t.credentials.starts_with("role ") {
                    "the caller needs sts:AssumeRole on the role, and the role's trust policy must allow the caller (with the target's external_id)".into()
                } else {
                    "check the caller's credentials: `aws sts get-caller-identity`".into()
                },
            )
        })?;
        if caller.account != t.account {
            return Err(fail_help(
                format!(
                    "target `{}` is account {}, but its credentials are for account {} ({}): refusing this target",
                    t.name, t.account, caller.account, caller.arn
                ),
                "check the target's `role_arn` or `aws_profile` in parkctl.yaml",
            ));
        }
        Ok(caller)
    }
}

/// Asks `question [y/N]` on the terminal. Without a terminal it refuses,
/// so that a cron job never hangs on a prompt nobody sees.
pub fn confirm(question: &str, yes: bool, config_confirm: bool) -> Result<bool, Error> {
    if yes || !config_confirm {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(fail_help(
            "refusing to change anything without confirmation: stdin is not a terminal",
            "pass --yes (or --auto-approve) to apply without asking",
        ));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| fail(format!("cannot read the answer: {e}")))?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}
