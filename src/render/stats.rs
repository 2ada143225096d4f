//! `--stats`: AWS calls per service and operation, and the time in them.

use crate::aws::calllog::{CallStats, OpStats};
use std::time::Duration;

/// `--stats` output: calls per service and operation, and the time in them.
pub fn text(stats: &CallStats, wall: Duration) -> String {
    let snap = stats.snapshot();
    let mut out = String::from("AWS calls (service operation: calls, attempts, time in calls):\n");
    let mut total = OpStats::default();
    for ((service, op), s) in &snap {
        // One word per column, so that scripts can split the table.
        let service = service.replace(' ', "");
        out.push_str(&format!(
            "  {service:<12} {op:<32} {:>6} {:>6} {:>9.1} ms\n",
            s.calls,
            s.attempts,
            s.time.as_secs_f64() * 1000.0
        ));
        total.calls += s.calls;
        total.attempts += s.attempts;
        total.time += s.time;
    }
    out.push_str(&format!(
        "  {:<45} {:>6} {:>6} {:>9.1} ms   (wall {:.1} ms)\n",
        "total",
        total.calls,
        total.attempts,
        total.time.as_secs_f64() * 1000.0,
        wall.as_secs_f64() * 1000.0
    ));
    out
}
