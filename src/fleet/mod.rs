//! Many accounts and regions: the `targets:` of `parkctl.yaml`, which of
//! them a run names (`--targets`), and the run's context for each (its
//! region, credentials, account guard, and its own state directory and S3
//! prefix, so that each target has its own lock, snapshots and records).
//! AWS's quotas are per account and region, so targets run side by side,
//! bounded by `--parallel-targets`.

pub mod parse;

use crate::context::{fail_help, Error, Exit, Invocation};
use std::future::Future;

/// One target, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub name: String,
    pub account: String,
    pub region: String,
    pub credentials: Credentials,
}

/// How a target's credentials are had.
#[derive(Debug, Clone, PartialEq)]
pub enum Credentials {
    /// Assumed from the caller's credentials (the SDK's assume-role
    /// provider, which refreshes them for a long apply).
    Role {
        arn: String,
        external_id: Option<String>,
    },
    /// A named profile of the shared config files.
    Profile(String),
    /// The caller's own credentials (the guard still checks the account).
    Caller,
}

/// The targets of the config, checked; an error when there are none.
pub fn configured(ctx: &Invocation) -> Result<Vec<Target>, Error> {
    let Some(c) = &ctx.config.targets else {
        return Err(fail_help(
            "--targets needs a `targets:` section in the config (parkctl.yaml)",
            "add one: see docs/targets.md",
        ));
    };
    let targets = parse::build(&c.file, &c.text, &c.raw)?;
    if targets.is_empty() {
        return Err(fail_help(
            format!("`targets:` in {} lists no target", c.file),
            "add one: see docs/targets.md",
        ));
    }
    Ok(targets)
}

/// `all`, or names separated by commas, in the config's order.
pub fn select(all: Vec<Target>, wanted: &str) -> Result<Vec<Target>, Error> {
    if wanted.trim() == "all" {
        return Ok(all);
    }
    let names: Vec<&str> = wanted
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let known = || {
        all.iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(bad) = names.iter().find(|n| !all.iter().any(|t| t.name == **n)) {
        return Err(fail_help(
            format!("no target `{bad}` in the config"),
            format!("targets: {} (or `all`)", known()),
        ));
    }
    if names.is_empty() {
        return Err(fail_help(
            "--targets names no target",
            "pass `all` or NAME[,NAME...]",
        ));
    }
    Ok(all
        .into_iter()
        .filter(|t| names.contains(&t.name.as_str()))
        .collect())
}

/// The run's context for one target: its region and credentials, its
/// account for the guard, and its own state under `targets/NAME/`.
pub fn context_for(ctx: &Invocation, t: &Target) -> Invocation {
    let mut config = ctx.config.clone();
    config.aws.state_from = Some(Box::new(crate::aws::StateFrom {
        settings: ctx.config.aws.clone(),
        fallback_region: ctx.config.region_fallback.clone(),
    }));
    config.state_dir = ctx.config.state_dir.join("targets").join(&t.name);
    config.state_s3 = ctx
        .config
        .state_s3
        .as_ref()
        .map(|u| format!("{}/targets/{}", u.trim_end_matches('/'), t.name));
    config.aws.region = Some(t.region.clone());
    config.region_fallback = Some(t.region.clone());
    config.account = Some(t.account.clone());
    match &t.credentials {
        Credentials::Role { arn, external_id } => {
            config.aws.assume = Some(crate::aws::AssumeRole {
                role_arn: arn.clone(),
                external_id: external_id.clone(),
                session_name: session_name(),
            });
        }
        Credentials::Profile(p) => {
            config.aws.profile = Some(p.clone());
            config.aws.profile_credentials = true;
        }
        Credentials::Caller => {}
    }
    Invocation {
        config,
        global: ctx.global.clone(),
        target: Some(crate::context::FleetTarget {
            name: t.name.clone(),
            account: t.account.clone(),
            credentials: match &t.credentials {
                Credentials::Role { arn, .. } => format!("role {arn}"),
                Credentials::Profile(p) => format!("profile {p}"),
                Credentials::Caller => "the caller's own credentials".into(),
            },
        }),
    }
}

/// `parkctl-USER`, in the characters a role session name may hold, so
/// that CloudTrail in the target account says who parked it.
pub fn session_name() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    let ok = |c: &char| c.is_ascii_alphanumeric() || "+=,.@-_".contains(*c);
    let name: String = format!("parkctl-{user}").chars().filter(ok).collect();
    name.chars().take(64).collect()
}

/// Runs `f` over `items` (one per target), at most `n` at once, each
/// under its target's name (`name`), so that progress lines say which
/// target they are about; results in the items' order. An item without a
/// name (the one job of a run without `--targets`) runs unlabelled, so
/// that its lines read as they always have.
pub async fn each<I, T, F, Fut>(
    items: I,
    n: usize,
    name: impl Fn(&I::Item) -> Option<String>,
    f: F,
) -> Vec<T>
where
    I: IntoIterator,
    F: Fn(I::Item) -> Fut,
    Fut: Future<Output = T>,
{
    use futures::stream::{self, StreamExt};
    // Unordered, so that a slow target does not keep the next from
    // starting once another has finished; put back in order after.
    let f = &f;
    let mut done: Vec<(usize, T)> = stream::iter(items.into_iter().enumerate())
        .map(|(k, i)| {
            let label = name(&i);
            async move {
                let t = match label {
                    Some(l) => crate::render::progress::LABEL.scope(l, f(i)).await,
                    None => f(i).await,
                };
                (k, t)
            }
        })
        .buffer_unordered(n.max(1))
        .collect()
        .await;
    done.sort_by_key(|(k, _)| *k);
    done.into_iter().map(|(_, t)| t).collect()
}

/// The worst of the targets' exit statuses (`Ok` for none).
pub fn worst(codes: impl IntoIterator<Item = Exit>) -> Exit {
    codes.into_iter().max().unwrap_or(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str) -> Target {
        Target {
            name: name.into(),
            account: "111111111111".into(),
            region: "us-east-1".into(),
            credentials: Credentials::Caller,
        }
    }

    #[test]
    fn worst_code_wins() {
        use Exit::*;
        assert_eq!(worst([Ok, Changes, Ok]), Changes);
        assert_eq!(worst([Ok, Locked, Partial]), Partial);
        assert_eq!(worst([Partial, Error, Locked]), Error);
        assert_eq!(worst([Error, Interrupted]), Interrupted);
        assert_eq!(worst([]), Ok);
    }

    #[test]
    fn selects_in_config_order_and_names_unknown_ones() {
        let all = vec![t("dev"), t("stage"), t("west")];
        let got = select(all.clone(), "west,dev").unwrap();
        assert_eq!(
            got.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            ["dev", "west"]
        );
        assert_eq!(select(all.clone(), "all").unwrap().len(), 3);
        let e = select(all, "dev,prod").unwrap_err().to_string();
        assert!(e.contains("no target `prod`"), "{e}");
    }

    #[test]
    fn a_targets_context_has_its_own_state_credentials_and_guard() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("parkctl.yaml");
        std::fs::write(&file, "state_s3: s3://team/uja/\n").unwrap();
        let g = crate::cli::Global {
            config: Some(file),
            state_dir: Some("st".into()),
            ..Default::default()
        };
        let ctx = Invocation {
            config: crate::config::Config::resolve(&g).unwrap(),
            global: g,
            target: None,
        };
        let mut dev = t("dev");
        dev.credentials = Credentials::Role {
            arn: "arn:aws:iam::111111111111:role/parkctl".into(),
            external_id: Some("x".into()),
        };
        let c = context_for(&ctx, &dev);
        assert_eq!(c.config.state_dir, std::path::Path::new("st/targets/dev"));
        assert_eq!(
            c.config.state_s3.as_deref(),
            Some("s3://team/uja/targets/dev")
        );
        assert_eq!(c.config.aws.region.as_deref(), Some("us-east-1"));
        let role = c.config.aws.assume.as_ref().unwrap();
        assert_eq!(role.external_id.as_deref(), Some("x"));
        let from = c.config.aws.state_from.as_ref().unwrap();
        assert!(from.settings.assume.is_none());
        assert_eq!(c.target.unwrap().account, "111111111111");
    }

    #[test]
    fn session_names_are_what_sts_takes() {
        let s = session_name();
        assert!(s.starts_with("parkctl-") && s.len() <= 64);
    }
}
