//! `history`, `unlock`, `capture` and `iam-policy` over the jobs of a
//! run: one after the other (they read local files or ask at the
//! terminal), each in its job's context, a target's under its heading.

use super::{Fleet, Member};
use crate::cli::Format;
use crate::context::{Exit, Res};
use crate::fleet::worst;
use crate::render::fleet::HistoryRow;
use crate::state::operation::{history as read_history, Operation};

impl Fleet {
    /// `history [ID]`: the operations of the run's own state, or, in a
    /// fleet, every target's in one list, newest first, each with its
    /// target.
    pub fn history(&self, id: Option<&str>, format: Format) -> Res {
        if let Some(id) = id {
            return self.operation(id, format);
        }
        match self.alone() {
            Some(m) => crate::commands::history::run(&m.ctx, None, format),
            None => all_history(&self.members, format),
        }
    }

    /// `history ID`: that operation, in a fleet under the heading of the
    /// target whose state holds it.
    fn operation(&self, id: &str, format: Format) -> Res {
        let named = self.named();
        let codes: Vec<Exit> = self
            .members
            .iter()
            .filter(|m| !named || has_operation(m, id))
            .map(|m| {
                m.print_heading();
                self.settle(crate::commands::history::run(&m.ctx, Some(id), format))
            })
            .collect::<Result<_, _>>()?;
        if codes.is_empty() {
            eprintln!("No operation `{id}` in the targets' state.");
            return Ok(Exit::Error);
        }
        Ok(worst(codes))
    }

    /// Each job's locks, one after the other (each asks).
    pub async fn unlock(&self, yes: bool) -> Res {
        let mut codes = Vec::new();
        for m in &self.members {
            m.print_heading();
            let r = crate::commands::history::unlock(&m.ctx, yes).await;
            codes.push(self.settle(r)?);
        }
        Ok(worst(codes))
    }

    /// The live state as a profile, `NAME.yaml`; in a fleet, each
    /// target's as its own, `NAME-TARGET.yaml`.
    pub async fn capture(
        &self,
        name: &str,
        like: Option<&str>,
        prefix: Option<&str>,
        force: bool,
    ) -> Res {
        let mut codes = Vec::new();
        for m in &self.members {
            m.print_heading();
            let each_name = match &m.target {
                Some(t) => format!("{name}-{}", t.name),
                None => name.to_string(),
            };
            let r = crate::commands::capture::run(&m.ctx, &each_name, like, prefix, force).await;
            codes.push(self.settle(r)?);
        }
        Ok(worst(codes))
    }

    /// `iam-policy`: the policy for parkctl's role; in a fleet, each
    /// target role's and the caller's.
    pub fn iam_policy(&self, ctx: &crate::context::Invocation, names: &[String]) -> Res {
        match self.alone() {
            Some(m) => crate::commands::iam::run(&m.ctx, names),
            None => iam_policies(ctx, &self.members, names),
        }
    }
}

/// Every target's operations, newest first, each with its target.
fn all_history(members: &[Member], format: Format) -> Res {
    let mut bad = 0;
    let mut all: Vec<(&str, Operation)> = Vec::new();
    for m in members {
        for (_, r) in read_history(&m.ctx.state()) {
            match r {
                Ok(op) => all.push((name_of(m), op)),
                Err(e) => {
                    bad += 1;
                    eprintln!("Warning: [{}] {e}", name_of(m));
                }
            }
        }
    }
    all.sort_by(|a, b| b.1.started.cmp(&a.1.started).then(b.1.id.cmp(&a.1.id)));
    match format {
        Format::Json => {
            let doc: Vec<serde_json::Value> = all
                .iter()
                .map(|(t, op)| serde_json::json!({"target": t, "operation": op}))
                .collect();
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        _ if all.is_empty() => println!("No operations recorded in the targets' state yet."),
        _ => {
            let rows: Vec<HistoryRow> = all
                .iter()
                .map(|(target, op)| HistoryRow { target, op })
                .collect();
            print!("{}", crate::render::fleet::history(&rows));
        }
    }
    Ok(if bad > 0 { Exit::Error } else { Exit::Ok })
}

/// A job's target's name (in a fleet, every job has one).
fn name_of(m: &Member) -> &str {
    m.target.as_ref().map_or("", |t| t.name.as_str())
}

fn has_operation(m: &Member, id: &str) -> bool {
    read_history(&m.ctx.state()).iter().any(|(p, _)| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(id))
    })
}

/// `iam-policy --targets`: each target's role policy (scoped to its
/// account and region, without the mirror, which the caller reaches), and
/// the caller's: assume those roles, and the mirror's prefix.
fn iam_policies(ctx: &crate::context::Invocation, members: &[Member], names: &[String]) -> Res {
    let profiles = crate::commands::iam::profiles(ctx, names)?;
    let refs: Vec<&crate::profile::Profile> = profiles.iter().collect();
    let targets: Vec<serde_json::Value> = members
        .iter()
        .filter_map(|m| m.target.as_ref())
        .map(|t| {
            let policy = crate::iam::policy(&refs, Some(&t.region), Some(&t.account), None);
            serde_json::json!({"target": t.name, "account": t.account, "region": t.region, "policy": policy})
        })
        .collect();
    let roles: Vec<&str> = members
        .iter()
        .filter_map(|m| match &m.target.as_ref()?.credentials {
            crate::fleet::Credentials::Role { arn, .. } => Some(arn.as_str()),
            _ => None,
        })
        .collect();
    let mut caller = crate::iam::policy(
        &[],
        None,
        None,
        mirror(ctx).as_ref().map(|(b, p)| (b.as_str(), p.as_str())),
    );
    if let (false, Some(list)) = (roles.is_empty(), caller["Statement"].as_array_mut()) {
        list.push(serde_json::json!({
            "Sid": "ParkctlAssumeTargetRoles",
            "Effect": "Allow",
            "Action": ["sts:AssumeRole"],
            "Resource": roles,
        }));
    }
    let doc = serde_json::json!({"caller": caller, "targets": targets});
    println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    Ok(Exit::Ok)
}

fn mirror(ctx: &crate::context::Invocation) -> Option<(String, String)> {
    ctx.config
        .state_s3
        .as_deref()
        .and_then(crate::aws::s3::parse_url)
}
