//! `status`: the run's own account and region as `commands::status`
//! shows it; in a fleet, one table of live cost and matching profile per
//! target with the total, then each target's details under its heading.

use super::Fleet;
use crate::cli::Format;
use crate::commands::status::gather;
use crate::context::{Exit, Res};
use crate::idle::parse_window;
use crate::render::fleet::StatusRow;

impl Fleet {
    pub async fn status(&self, format: Format, window: &str) -> Res {
        match self.alone() {
            Some(m) => crate::commands::status::run(&m.ctx, format, window).await,
            None => self.statuses(format, window).await,
        }
    }

    /// Every target's status, read side by side: the table, then details.
    async fn statuses(&self, format: Format, window: &str) -> Res {
        let secs = parse_window(window)?;
        let got = self
            .each(|m| async move { gather(&m.ctx, secs).await })
            .await;
        let mut rows = Vec::new();
        let mut details = Vec::new();
        for (m, g) in self.members.iter().zip(got) {
            let [target, account, region] = m.place();
            let mut row = StatusRow {
                target,
                account,
                region,
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
                    Ok((s, _)) => serde_json::json!({"target": m.name(), "status": s}),
                    Err(e) => serde_json::json!({"target": m.name(), "error": e.to_string()}),
                })
                .collect();
            let doc = serde_json::json!({"summary": rows, "targets": targets});
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        } else {
            print!("{}", crate::render::fleet::status(&rows));
            for (m, d) in details {
                m.print_heading();
                match d {
                    Ok((s, live)) => print!("{}", crate::render::status::text(&s, &live)),
                    Err(e) => crate::render::error::eprint(e),
                }
            }
        }
        Ok(if failed { Exit::Error } else { Exit::Ok })
    }
}
