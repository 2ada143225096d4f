//! `history`, `unlock` and `capture` over targets: one after the other
//! (they read local files or ask at the terminal), each in its target's
//! context.

use super::Member;
use crate::cli::Format;
use crate::context::{Exit, Res};
use crate::fleet::worst;
use crate::render::fleet::{heading, HistoryRow};
use crate::state::operation::{history as read_history, Operation};

/// Every target's operations, newest first, each with its target; with
/// an id, that operation (`history ID --targets` names the target too).
pub fn history(members: &[Member], id: Option<&str>, format: Format) -> Res {
    if let Some(id) = id {
        let codes: Vec<Exit> = members
            .iter()
            .filter(|m| has_operation(m, id))
            .map(|m| {
                let t = &m.target;
                print!("{}", heading(&t.name, &t.account, &t.region));
                code_of(crate::commands::history::run(&m.ctx, Some(id), format))
            })
            .collect();
        if codes.is_empty() {
            eprintln!("No operation `{id}` in the targets' state.");
            return Ok(Exit::Error);
        }
        return Ok(worst(codes));
    }
    let mut bad = 0;
    let mut all: Vec<(&str, Operation)> = Vec::new();
    for m in members {
        for (_, r) in read_history(&m.ctx.state()) {
            match r {
                Ok(op) => all.push((&m.target.name, op)),
                Err(e) => {
                    bad += 1;
                    eprintln!("Warning: [{}] {e}", m.target.name);
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

fn has_operation(m: &Member, id: &str) -> bool {
    read_history(&m.ctx.state()).iter().any(|(p, _)| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(id))
    })
}

/// A target's exit code; its error, if any, printed in full.
fn code_of(r: Res) -> Exit {
    r.unwrap_or_else(|e| {
        let code = e.exit();
        crate::render::error::eprint(e);
        code
    })
}

/// Each target's locks, one after the other (each asks).
pub async fn unlock(members: &[Member], yes: bool) -> Res {
    let mut codes = Vec::new();
    for m in members {
        let t = &m.target;
        print!("{}", heading(&t.name, &t.account, &t.region));
        let code = code_of(crate::commands::history::unlock(&m.ctx, yes).await);
        codes.push(code);
    }
    Ok(worst(codes))
}

/// Each target's live state as its own profile, `NAME-TARGET.yaml`.
pub async fn capture(
    members: &[Member],
    name: &str,
    like: Option<&str>,
    prefix: Option<&str>,
    force: bool,
) -> Res {
    let mut codes = Vec::new();
    for m in members {
        let t = &m.target;
        print!("{}", heading(&t.name, &t.account, &t.region));
        let each_name = format!("{name}-{}", t.name);
        let code =
            code_of(crate::commands::capture::run(&m.ctx, &each_name, like, prefix, force).await);
        codes.push(code);
    }
    Ok(worst(codes))
}

/// `iam-policy --targets`: each target's role policy (scoped to its
/// account and region, without the mirror, which the caller reaches), and
/// the caller's: assume those roles, and the mirror's prefix.
pub fn iam_policy(ctx: &crate::context::Ctx, members: &[Member], names: &[String]) -> Res {
    let profiles = crate::commands::iam::profiles(ctx, names)?;
    let refs: Vec<&crate::profile::Profile> = profiles.iter().collect();
    let targets: Vec<serde_json::Value> = members
        .iter()
        .map(|m| {
            let t = &m.target;
            let policy = crate::iam::policy(&refs, Some(&t.region), Some(&t.account), None);
            serde_json::json!({"target": t.name, "account": t.account, "region": t.region, "policy": policy})
        })
        .collect();
    let roles: Vec<&str> = members
        .iter()
        .filter_map(|m| match &m.target.credentials {
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

fn mirror(ctx: &crate::context::Ctx) -> Option<(String, String)> {
    ctx.config
        .state_s3
        .as_deref()
        .and_then(crate::aws::s3::parse_url)
}
