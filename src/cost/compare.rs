//! Before and after a plan: what parking (or unparking) changes on the bill.

use super::estimate::{estimate, HOURS_PER_MONTH};
use super::money::Money;
use super::pricing::Pricing;
use crate::model::Live;
use crate::plan::{Action, Plan, Resource};
use serde::{Deserialize, Serialize};

/// Monthly figures (730 h, USD) before and after a plan, carried in the
/// plan's JSON so that scripts see the numbers the text shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostComparison {
    pub region: String,
    /// The price table used: "built-in prices" or a `--pricing` file.
    pub pricing: String,
    pub currency: String,
    pub hours_per_month: u32,
    pub kinesis: CostDelta,
    pub lambda: CostDelta,
    pub cloudwatch: CostDelta,
    pub total: CostDelta,
    pub notes: Vec<String>,
}

/// `None` is unknown (no price). `saving` is `before - after`: negative
/// when the plan costs more, as unparking does.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CostDelta {
    pub before: Option<Money>,
    pub after: Option<Money>,
    pub saving: Option<Money>,
}

impl CostDelta {
    pub fn new(before: Option<Money>, after: Option<Money>) -> CostDelta {
        CostDelta {
            before,
            after,
            saving: before.zip(after).map(|(b, a)| b - a),
        }
    }
}

/// The live state once every change of `plan` has run. A change whose
/// resource is missing or of another kind is skipped: the apply engine
/// refuses such a stale plan, and an estimate should not fail over it.
pub fn after(live: &Live, plan: &Plan) -> Live {
    let mut out = live.clone();
    for change in &plan.changes {
        match (&change.resource, &change.action) {
            (Resource::Stream { name }, Action::Shards { to, .. }) => {
                if let Some(s) = out.streams.iter_mut().find(|s| &s.name == name) {
                    s.open_shards = *to;
                }
            }
            (Resource::Function { name }, Action::ReservedConcurrency { to, .. }) => {
                if let Some(f) = out.functions.iter_mut().find(|f| &f.name == name) {
                    f.reserved = *to;
                }
            }
            (Resource::Mapping { function, uuid, .. }, Action::EventSource { to, .. }) => {
                let mut mappings = out
                    .functions
                    .iter_mut()
                    .filter(|f| &f.name == function)
                    .flat_map(|f| &mut f.mappings);
                if let Some(m) = mappings.find(|m| &m.uuid == uuid) {
                    m.enabled = *to;
                    m.state = if *to { "Enabled" } else { "Disabled" }.to_string();
                }
            }
            (Resource::Alarm { name }, Action::AlarmActions { to, .. }) => {
                if let Some(a) = out.alarms.iter_mut().find(|a| &a.name == name) {
                    a.actions_enabled = *to;
                }
            }
            _ => {}
        }
    }
    out
}

pub fn compare(pricing: &Pricing, region: &str, live: &Live, plan: &Plan) -> CostComparison {
    let before = estimate(pricing, region, live);
    let later = estimate(pricing, region, &after(live, plan));
    let mut notes = before.notes.clone();
    for n in later.notes {
        if !notes.contains(&n) {
            notes.push(n);
        }
    }
    CostComparison {
        region: region.to_string(),
        pricing: pricing.origin.clone(),
        currency: "USD".to_string(),
        hours_per_month: HOURS_PER_MONTH,
        kinesis: CostDelta::new(before.kinesis.month, later.kinesis.month),
        lambda: CostDelta::new(before.lambda.month, later.lambda.month),
        cloudwatch: CostDelta::new(before.cloudwatch.month, later.cloudwatch.month),
        total: CostDelta::new(before.total.month, later.total.month),
        notes,
    }
}

/// Plain lines for plan and apply output: one per service, the total,
/// then the notes.
pub fn render_comparison(c: &CostComparison) -> Vec<String> {
    let rows = [
        ("kinesis", &c.kinesis),
        ("lambda", &c.lambda),
        ("cloudwatch", &c.cloudwatch),
        ("total", &c.total),
    ];
    let mut lines: Vec<String> = rows
        .iter()
        .map(|(name, d)| {
            format!(
                "cost/month  {name} {} -> {} ({})",
                money(d.before),
                money(d.after),
                saving(d.saving)
            )
        })
        .collect();
    lines.extend(c.notes.iter().map(|n| format!("note: {n}")));
    lines
}

fn money(m: Option<Money>) -> String {
    m.map_or_else(|| "unknown".to_string(), |m| m.to_string())
}

/// Judged on the cents shown, so that "$0.00 -> $0.00" never reads
/// "saves $0.00".
fn saving(s: Option<Money>) -> String {
    match s {
        None => "saving unknown".to_string(),
        Some(s) if s.to_string() == "$0.00" => "no change".to_string(),
        Some(s) if s > Money::ZERO => format!("saves {s}"),
        Some(s) => format!("costs {} more", -s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::estimate::{CLOUDWATCH_NOTE, LAMBDA_NOTE};
    use crate::cost::fixtures::*;
    use crate::model::StreamMode;

    #[test]
    fn after_applies_every_kind_of_change() {
        let live = project();
        let out = after(&live, &park_plan(&live));
        assert_eq!(out.streams[0].open_shards, 1);
        assert_eq!(out.functions[0].reserved, Some(0));
        let m = &out.functions[0].mappings[0];
        assert!(!m.enabled);
        assert_eq!(m.state, "Disabled");
        assert!(out.alarms.iter().all(|a| !a.actions_enabled));
        // The input is untouched.
        assert_eq!(live, project());
    }

    #[test]
    fn after_skips_changes_it_cannot_place() {
        let live = project();
        let stale = plan(vec![
            change(
                Resource::Stream {
                    name: "gone".into(),
                },
                Action::Shards {
                    from: 2,
                    to: 8,
                    steps: vec![4, 8],
                },
            ),
            change(
                Resource::Alarm {
                    name: "orders".into(),
                },
                Action::Shards {
                    from: 2,
                    to: 8,
                    steps: vec![4, 8],
                },
            ),
            change(
                Resource::Mapping {
                    function: "consumer".into(),
                    uuid: "other".into(),
                    source: "orders".into(),
                },
                Action::EventSource {
                    from: true,
                    to: false,
                },
            ),
        ]);
        assert_eq!(after(&live, &stale), live);
    }

    #[test]
    fn parking_the_sample_project() {
        let live = project();
        let c = compare(&Pricing::builtin(), "us-east-1", &live, &park_plan(&live));
        assert_eq!(
            c.kinesis,
            CostDelta::new(Some(usd("21.90")), Some(usd("10.95")))
        );
        assert_eq!(c.kinesis.saving, Some(usd("10.95")));
        assert_eq!(c.cloudwatch.saving, Some(Money::ZERO));
        assert_eq!(
            c.lambda,
            CostDelta::new(Some(Money::ZERO), Some(Money::ZERO))
        );
        assert_eq!(c.total.saving, Some(usd("10.95")));
        assert!(c.notes.iter().any(|n| n == CLOUDWATCH_NOTE));
        assert!(c.notes.iter().any(|n| n == LAMBDA_NOTE));
        assert_eq!(
            render_comparison(&c),
            vec![
                "cost/month  kinesis $21.90 -> $10.95 (saves $10.95)",
                "cost/month  lambda $0.00 -> $0.00 (no change)",
                "cost/month  cloudwatch $0.90 -> $0.90 (no change)",
                "cost/month  total $22.80 -> $11.85 (saves $10.95)",
                &format!("note: {LAMBDA_NOTE}"),
                &format!("note: {CLOUDWATCH_NOTE}"),
            ]
        );
    }

    #[test]
    fn unparking_shows_the_increase() {
        let parked = after(&project(), &park_plan(&project()));
        let unpark = plan(vec![change(
            Resource::Stream {
                name: "orders".into(),
            },
            Action::Shards {
                from: 1,
                to: 2,
                steps: vec![2],
            },
        )]);
        let c = compare(&Pricing::builtin(), "us-east-1", &parked, &unpark);
        assert_eq!(c.total.saving, Some(-usd("10.95")));
        assert_eq!(
            render_comparison(&c)[0],
            "cost/month  kinesis $10.95 -> $21.90 (costs $10.95 more)"
        );
    }

    #[test]
    fn unknown_region_renders_unknown() {
        let live = project();
        let c = compare(
            &Pricing::builtin(),
            "mars-north-1",
            &live,
            &park_plan(&live),
        );
        assert_eq!(c.total, CostDelta::new(None, None));
        assert_eq!(c.kinesis.saving, None);
        let lines = render_comparison(&c);
        assert_eq!(
            lines[0],
            "cost/month  kinesis unknown -> unknown (saving unknown)"
        );
        assert_eq!(lines[1], "cost/month  lambda $0.00 -> $0.00 (no change)");
        assert!(lines
            .iter()
            .any(|l| l.contains("no prices for region mars-north-1")));
    }

    #[test]
    fn json_carries_the_numbers_and_reads_back() {
        let mut live = project();
        live.streams.push(stream("burst", StreamMode::OnDemand, 4));
        let c = compare(&Pricing::builtin(), "us-east-1", &live, &park_plan(&live));
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["kinesis"]["before"], serde_json::json!(51.1));
        assert_eq!(json["total"]["saving"], serde_json::json!(10.95));
        assert_eq!(json["hours_per_month"], 730);
        let back: CostComparison = serde_json::from_value(json).unwrap();
        assert_eq!(back, c);

        let unknown = compare(
            &Pricing::builtin(),
            "mars-north-1",
            &live,
            &park_plan(&live),
        );
        let json = serde_json::to_value(&unknown).unwrap();
        assert!(json["total"]["before"].is_null());
        assert_eq!(
            serde_json::from_value::<CostComparison>(json).unwrap(),
            unknown
        );
    }
}
