//! `status --targets`: one table of live cost and matching profile per
//! target with the total, then each target's details under its heading.

use super::converge::Fleet;
use crate::cli::Format;
use crate::commands::status::gather;
use crate::context::{Exit, Res};
use crate::fleet::each;
use crate::idle::parse_window;
use crate::render::fleet::{heading, StatusRow};

pub async fn run(fleet: &Fleet<'_>, format: Format, window: &str) -> Res {
    let secs = parse_window(window)?;
    let got = each(
        fleet.members,
        fleet.n,
        |m| m.target.name.clone(),
        |m| async move { gather(&m.ctx, secs).await },
    )
    .await;
    let mut rows = Vec::new();
    let mut details = Vec::new();
    for (m, g) in fleet.members.iter().zip(got) {
        let t = &m.target;
        let mut row = StatusRow {
            target: t.name.clone(),
            account: t.account.clone(),
            region: t.region.clone(),
            month: None,
            matches: vec![],
            error: None,
        };
        match g {
            Ok((status, live, _)) => {
                row.month = status.live.total.month;
                row.matches = status.matches.clone();
                details.push((m, Ok((status, live))));
            }
            Err(e) => {
                row.error = Some(e.to_string());
                details.push((m, Err(e)));
            }
        }
        rows.push(row);
    }
    let failed = rows.iter().any(|r| r.error.is_some());
    if format == Format::Json {
        let targets: Vec<serde_json::Value> = details
            .iter()
            .map(|(m, d)| match d {
                Ok((s, _)) => serde_json::json!({"target": m.target.name, "status": s}),
                Err(e) => serde_json::json!({"target": m.target.name, "error": e.to_string()}),
            })
            .collect();
        let doc = serde_json::json!({"summary": rows, "targets": targets});
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        print!("{}", crate::render::fleet::status(&rows));
        for (m, d) in details {
            let t = &m.target;
            print!("{}", heading(&t.name, &t.account, &t.region));
            match d {
                Ok((s, live)) => print!("{}", crate::render::status::text(&s, &live)),
                Err(e) => crate::render::error::eprint(e),
            }
        }
    }
    Ok(if failed { Exit::Error } else { Exit::Ok })
}
