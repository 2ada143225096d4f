//! Switching a stream between provisioned and on-demand capacity. AWS
//! allows two switches per stream per rolling 24 h (one park and one
//! restore a day) and shows no count of them: parkctl counts its own,
//! from its records, and refuses a third.

use super::{MAX_MODE_SWITCHES_PER_DAY, ON_DEMAND, PROVISIONED};
use crate::model::{Resource, Value};
use crate::plan::{Change, Notice, Now, Phase, Want, Wave};
use crate::service::Planned;

pub fn plan(s: &Resource, want: &Want, ctx: &Now) -> Planned {
    let res = &s.id;
    let to = want.value.as_str().unwrap_or_default();
    if to != ON_DEMAND && to != PROVISIONED {
        return Planned::Refuse(Notice::on(
            res,
            format!("{res}: unknown capacity mode {}", want.value),
        ));
    }
    let mut at = switches(s, ctx);
    at.sort();
    if at.len() >= MAX_MODE_SWITCHES_PER_DAY {
        let next = at[at.len() - MAX_MODE_SWITCHES_PER_DAY] + chrono::Duration::hours(24);
        return Planned::Refuse(Notice::on(
            res,
            format!(
                "{res}: parkctl already switched its capacity mode {} times in the last 24 h (at {}), and AWS allows {MAX_MODE_SWITCHES_PER_DAY} per rolling 24 h; it can switch to {to} again after {} ({})",
                at.len(),
                at.iter().map(|t| crate::plan::minute(*t).to_string()).collect::<Vec<_>>().join(", "),
                crate::plan::minute(next),
                want.rule
            ),
        ));
    }
    let left = MAX_MODE_SWITCHES_PER_DAY - at.len() - 1;
    let note = format!(
        "UpdateStreamMode, then wait for ACTIVE; {left} more mode switch{} left in 24 h",
        if left == 1 { "" } else { "es" }
    );
    let mut c = Change::new(
        Phase::Capacity,
        Wave::MAIN,
        res.clone(),
        "mode",
        s.get("mode").clone(),
        want.value.clone(),
        want.rule,
    );
    c.note = Some(note);
    c.args.insert("arn".into(), Value::from(s.arn.clone()));
    Planned::Change(Box::new(c))
}

/// When parkctl switched the stream's mode within the last 24 h.
fn switches(s: &Resource, ctx: &Now) -> Vec<chrono::DateTime<chrono::Utc>> {
    [ON_DEMAND, PROVISIONED]
        .iter()
        .flat_map(|m| ctx.done_within(&s.id, "mode", &Value::from(*m), 24))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Done;

    fn stream(mode: &str) -> Resource {
        super::super::stream("events")
            .with("mode", mode)
            .with("shards", 1)
            .with("status", "ACTIVE")
    }

    fn want(v: &str) -> Want {
        Want {
            value: Value::from(v),
            rule: "kinesis[0]",
        }
    }

    fn done(s: &Resource, hours_ago: i64, to: &str, now: chrono::DateTime<chrono::Utc>) -> Done {
        Done {
            at: now - chrono::Duration::hours(hours_ago),
            resource: s.id.clone(),
            attr: "mode".into(),
            to: Value::from(to),
        }
    }

    #[test]
    fn a_first_and_second_switch_are_planned_a_third_refused() {
        let now = chrono::Utc::now();
        let s = stream(PROVISIONED);
        let ctx = Now::at(now);
        let Planned::Change(c) = plan(&s, &want(ON_DEMAND), &ctx) else {
            panic!("first switch refused")
        };
        assert!(c
            .note
            .as_deref()
            .unwrap()
            .contains("1 more mode switch left"));
        let ctx = Now::at(now).with_done(vec![done(&s, 3, ON_DEMAND, now)]);
        let Planned::Change(c) = plan(&s, &want(ON_DEMAND), &ctx) else {
            panic!("second switch refused")
        };
        assert!(c.note.as_deref().unwrap().contains("0 more mode switches"));
        let ctx = Now::at(now).with_done(vec![
            done(&s, 10, ON_DEMAND, now),
            done(&s, 3, PROVISIONED, now),
        ]);
        let Planned::Refuse(n) = plan(&s, &want(ON_DEMAND), &ctx) else {
            panic!("third switch planned")
        };
        assert!(
            n.message.contains("allows 2 per rolling 24 h"),
            "{}",
            n.message
        );
        // The oldest of the two leaves the window 14 h from now.
        let next = (now + chrono::Duration::hours(14))
            .format("%Y-%m-%d %H:%M UTC")
            .to_string();
        assert!(n.message.contains(&next), "{}", n.message);
    }

    #[test]
    fn switches_older_than_a_day_do_not_count() {
        let now = chrono::Utc::now();
        let s = stream(PROVISIONED);
        let ctx = Now::at(now).with_done(vec![
            done(&s, 30, ON_DEMAND, now),
            done(&s, 25, PROVISIONED, now),
        ]);
        assert!(matches!(
            plan(&s, &want(ON_DEMAND), &ctx),
            Planned::Change(_)
        ));
    }
}
