//! The cost model's tests: figures pinned for the sample project, unknown
//! prices that stay unknown, price files refused for the right reasons.

use super::estimate::{builtin, compare, estimate, known, Estimate};
use super::money::Money;
use super::pricing::{Price, Pricing};
use super::types::{CostComparison, CostDelta, Costs, PerService};
use crate::model::{Live, Resource};
use crate::plan::{Change, Phase, Plan};
use crate::services::alarms::{self, CLOUDWATCH_NOTE};
use crate::services::kinesis;
use crate::services::lambda::{self, LAMBDA_NOTE};
use chrono::NaiveDate;

#[derive(Clone, Copy)]
enum StreamMode {
    Provisioned,
    OnDemand,
}

fn usd(s: &str) -> Money {
    Money::parse_usd(s).unwrap()
}

/// A service's figures, default (unknown) where it has none.
fn svc<T: Clone + Default>(m: &PerService<T>, name: &str) -> T {
    m.get(name).cloned().unwrap_or_default()
}

fn stream(name: &str, mode: StreamMode, shards: u32) -> Resource {
    let mode = match mode {
        StreamMode::Provisioned => "provisioned",
        StreamMode::OnDemand => "on_demand",
    };
    kinesis::stream(name)
        .with("shards", shards)
        .with("retention_hours", 24)
        .with("mode", mode)
        .with("status", "ACTIVE")
}

/// A function and its one mapping, from the stream `source`.
fn function(name: &str, reserved: Option<u32>, source: &str) -> Vec<Resource> {
    vec![
        lambda::function(name).with("reserved_concurrency", reserved),
        lambda::mapping(
            name,
            &format!("{name}-uuid"),
            &format!("arn:aws:kinesis:us-east-1:123456789012:stream/{source}"),
            true,
            "Enabled",
        ),
    ]
}

fn alarm(name: &str, actions_enabled: bool, high_resolution: bool) -> Resource {
    alarms::alarm(name)
        .with("actions", actions_enabled)
        .with("high_resolution", high_resolution)
}

fn live(resources: Vec<Resource>) -> Live {
    Live {
        resources,
        ..Live::default()
    }
}

/// The sample project: one 2-shard stream, its consumer, nine alarms.
fn project() -> Live {
    let mut r = vec![stream("orders", StreamMode::Provisioned, 2)];
    r.extend(function("consumer", None, "orders"));
    r.extend((1..=9).map(|i| alarm(&format!("alarm-{i}"), true, false)));
    live(r)
}

fn change(
    r: Resource,
    attr: &str,
    from: impl Into<crate::model::Value>,
    to: impl Into<crate::model::Value>,
) -> Change {
    Change::new(
        Phase::Capacity,
        crate::plan::Wave::FREE,
        r.id,
        attr,
        from.into(),
        to.into(),
        "test",
    )
}

fn plan(changes: Vec<Change>) -> Plan {
    Plan {
        profile: "park".into(),
        profile_sha256: String::new(),
        changes,
        warnings: vec![],
        errors: vec![],
        selected: Default::default(),
        observed: vec![],
        cost: None,
    }
}

/// Parks the sample project: 1 shard, consumer off, alarms silenced.
fn park_plan(live: &Live) -> Plan {
    let mut changes = vec![
        change(kinesis::stream("orders"), "shards", 2, 1),
        change(
            lambda::function("consumer"),
            "reserved_concurrency",
            None::<u32>,
            0,
        ),
        change(
            lambda::mapping(
                "consumer",
                "consumer-uuid",
                "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
                true,
                "Enabled",
            ),
            "enabled",
            true,
            false,
        ),
    ];
    for a in live.resources.iter().filter(|r| r.id.kind == alarms::ALARM) {
        changes.push(change(alarms::alarm(a.name()), "actions", true, false));
    }
    plan(changes)
}

fn after(live: &Live, plan: &Plan) -> Live {
    crate::planner::after(live, plan)
}

fn compare_plan(p: &Pricing, region: &str, live: &Live, plan: &Plan) -> CostComparison {
    compare(p, region, live, &after(live, plan))
}

fn render_comparison(c: &CostComparison) -> Vec<String> {
    crate::render::cost::lines(c)
}

mod estimates {
    use super::*;

    fn builtin_at(region: &str, live: &Live) -> Estimate {
        estimate(&builtin(), region, live)
    }

    fn streams(shards: u32) -> Live {
        super::live(vec![stream("s", StreamMode::Provisioned, shards)])
    }

    #[test]
    fn two_shard_stream_us_east_1() {
        let e = builtin_at("us-east-1", &streams(2));
        assert_eq!(svc(&e.services, "kinesis").hour, Some(usd("0.030")));
        assert_eq!(svc(&e.services, "kinesis").hour.unwrap().usd(3), "$0.030");
        assert_eq!(svc(&e.services, "kinesis").day, Some(usd("0.72")));
        assert_eq!(svc(&e.services, "kinesis").month, Some(usd("21.90")));
        assert_eq!(e.total.month.unwrap().to_string(), "$21.90");
        assert_eq!(e.resources[0].basis, "2 shards x $0.015/shard-hour");
        assert!(e.notes.is_empty(), "{:?}", e.notes);
    }

    #[test]
    fn one_shard_stream_us_east_1() {
        let e = builtin_at("us-east-1", &streams(1));
        assert_eq!(
            svc(&e.services, "kinesis").month.unwrap().to_string(),
            "$10.95"
        );
        assert_eq!(e.resources[0].basis, "1 shard x $0.015/shard-hour");
    }

    #[test]
    fn nine_standard_alarms_cost_the_same_enabled_or_not() {
        for enabled in [true, false] {
            let live = live(
                (0..9)
                    .map(|i| alarm(&format!("a{i}"), enabled, false))
                    .collect(),
            );
            let e = builtin_at("us-east-1", &live);
            assert_eq!(svc(&e.services, "cloudwatch").month, Some(usd("0.90")));
            assert_eq!(e.total.month.unwrap().to_string(), "$0.90");
            assert_eq!(e.notes.iter().any(|n| n == CLOUDWATCH_NOTE), !enabled);
        }
    }

    #[test]
    fn high_resolution_alarm_and_on_demand_stream() {
        let live = live(vec![
            stream("od", StreamMode::OnDemand, 4),
            alarm("fast", true, true),
        ]);
        let e = builtin_at("us-east-1", &live);
        assert_eq!(svc(&e.services, "cloudwatch").month, Some(usd("0.30")));
        assert_eq!(svc(&e.services, "kinesis").month, Some(usd("29.20")));
        assert!(e
            .notes
            .iter()
            .any(|n| n.contains("per GB written and read")));
    }

    #[test]
    fn functions_cost_nothing_whatever_their_concurrency() {
        let live = live(
            [
                function("a", None, "s"),
                function("b", Some(0), "s"),
                function("c", Some(50), "s"),
            ]
            .concat(),
        );
        let e = builtin_at("us-east-1", &live);
        assert_eq!(
            svc(&e.services, "lambda"),
            Costs::from_month(Some(Money::ZERO))
        );
        assert!(e.resources.iter().all(|r| r.month == Some(Money::ZERO)));
        assert_eq!(e.notes, vec![LAMBDA_NOTE.to_string()]);
    }

    #[test]
    fn unknown_region_is_unknown_not_zero() {
        let e = builtin_at("mars-north-1", &project());
        assert_eq!(svc(&e.services, "kinesis"), Costs::default());
        assert_eq!(svc(&e.services, "cloudwatch").month, None);
        assert_eq!(e.total, Costs::default());
        assert_eq!(svc(&e.services, "lambda").month, Some(Money::ZERO));
        assert!(e
            .resources
            .iter()
            .filter(|r| r.service != "lambda")
            .all(|r| r.month.is_none()));
        let missing: Vec<_> = e
            .notes
            .iter()
            .filter(|n| n.contains("no prices for region mars-north-1"))
            .collect();
        assert_eq!(missing.len(), 1, "{:?}", e.notes);
    }

    #[test]
    fn a_missing_price_makes_only_its_service_unknown() {
        let text = "regions:\n  us-east-1:\n    kinesis:\n      shard_hour: {usd: 0.015, unit: shard-hour, taken: 2026-11-01, verified: true, source: \"https://x\"}\n";
        let e = estimate(
            &Pricing::parse(text, "mine.yaml", &known()).unwrap(),
            "us-east-1",
            &project(),
        );
        assert_eq!(svc(&e.services, "kinesis").month, Some(usd("21.90")));
        assert_eq!(svc(&e.services, "cloudwatch").month, None);
        assert_eq!(e.total.month, None);
        assert!(e.notes.iter().any(|n| n == "no CloudWatch standard alarm price for us-east-1 in mine.yaml: those costs are unknown"));
    }

    #[test]
    fn unverified_prices_are_flagged_once() {
        let e = builtin_at("eu-central-1", &project());
        let flagged: Vec<_> = e
            .notes
            .iter()
            .filter(|n| n.contains("unverified"))
            .collect();
        assert_eq!(flagged.len(), 2, "{flagged:?}");
        assert!(flagged[0].contains("Kinesis shard-hour price for eu-central-1"));
        assert!(flagged[0].contains("https://aws.amazon.com/kinesis/data-streams/pricing/"));
    }

    #[test]
    fn extended_retention_is_noted_not_priced() {
        let mut live = streams(1);
        live.resources[0] = live.resources[0].clone().with("retention_hours", 168);
        let e = builtin_at("us-east-1", &live);
        assert_eq!(svc(&e.services, "kinesis").month, Some(usd("10.95")));
        assert!(e.notes.iter().any(|n| n.contains("extended retention")));
    }

    #[test]
    fn empty_state_costs_zero() {
        let e = builtin_at("us-east-1", &Live::default());
        assert_eq!(e.total, Costs::from_month(Some(Money::ZERO)));
        assert!(e.resources.is_empty() && e.notes.is_empty());
    }

    #[test]
    fn alarm_hour_is_rounded_to_the_picodollar() {
        let c = Costs::from_month(Some(usd("0.90")));
        assert_eq!(c.hour.unwrap().picos(), 1_232_876_712);
        assert_eq!(c.day.unwrap().usd(4), "$0.0296");
    }
}

mod comparisons {
    use super::*;

    #[test]
    fn after_applies_every_kind_of_change() {
        let live = project();
        let out = after(&live, &park_plan(&live));
        assert_eq!(out.resources[0].u32("shards"), Some(1));
        assert_eq!(out.resources[1].u32("reserved_concurrency"), Some(0));
        assert!(!out.resources[2].flag("enabled"));
        assert!(out.resources[3..].iter().all(|a| !a.flag("actions")));
        // The input is untouched.
        assert_eq!(live, project());
    }

    #[test]
    fn after_skips_changes_it_cannot_place() {
        let live = project();
        let stale = plan(vec![
            change(kinesis::stream("gone"), "shards", 2, 8),
            change(
                lambda::mapping(
                    "consumer",
                    "other",
                    "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
                    true,
                    "Enabled",
                ),
                "enabled",
                true,
                false,
            ),
        ]);
        assert_eq!(after(&live, &stale), live);
    }

    #[test]
    fn parking_the_sample_project() {
        let live = project();
        let c = compare_plan(&builtin(), "us-east-1", &live, &park_plan(&live));
        assert_eq!(
            svc(&c.services, "kinesis"),
            CostDelta::new(Some(usd("21.90")), Some(usd("10.95")))
        );
        assert_eq!(svc(&c.services, "kinesis").saving, Some(usd("10.95")));
        assert_eq!(svc(&c.services, "cloudwatch").saving, Some(Money::ZERO));
        assert_eq!(
            svc(&c.services, "lambda"),
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
        let unpark = plan(vec![change(kinesis::stream("orders"), "shards", 1, 2)]);
        let c = compare_plan(&builtin(), "us-east-1", &parked, &unpark);
        assert_eq!(c.total.saving, Some(-usd("10.95")));
        assert_eq!(
            render_comparison(&c)[0],
            "cost/month  kinesis $10.95 -> $21.90 (costs $10.95 more)"
        );
    }

    #[test]
    fn unknown_region_renders_unknown() {
        let live = project();
        let c = compare_plan(&builtin(), "mars-north-1", &live, &park_plan(&live));
        assert_eq!(c.total, CostDelta::new(None, None));
        assert_eq!(svc(&c.services, "kinesis").saving, None);
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
        live.resources
            .push(stream("burst", StreamMode::OnDemand, 4));
        let c = compare_plan(&builtin(), "us-east-1", &live, &park_plan(&live));
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["kinesis"]["before"], serde_json::json!(51.1));
        assert_eq!(json["total"]["saving"], serde_json::json!(10.95));
        assert_eq!(json["hours_per_month"], 730);
        let back: CostComparison = serde_json::from_value(json).unwrap();
        assert_eq!(back, c);

        let unknown = compare_plan(&builtin(), "mars-north-1", &live, &park_plan(&live));
        let json = serde_json::to_value(&unknown).unwrap();
        assert!(json["total"]["before"].is_null());
        assert_eq!(
            serde_json::from_value::<CostComparison>(json).unwrap(),
            unknown
        );
    }
}

mod pricing_files {
    use super::*;

    const REGIONS: [&str; 6] = [
        "us-east-1",
        "us-east-2",
        "us-west-2",
        "eu-west-1",
        "eu-central-1",
        "ap-southeast-1",
    ];

    fn usd(s: &str) -> Money {
        Money::parse_usd(s).unwrap()
    }

    #[test]
    fn builtin_parses_and_covers_the_regions() {
        let p = builtin();
        assert_eq!(p.origin, "built-in prices");
        for r in REGIONS {
            let prices = p.region(r).unwrap_or_else(|| panic!("{r} missing"));
            for k in known().into_iter().filter(|k| k.everywhere) {
                let key = format!("{}.{}", k.service, k.key);
                let price = prices
                    .get(k.service)
                    .and_then(|s| s.get(k.key))
                    .unwrap_or_else(|| panic!("{r} {key} missing"));
                assert!(
                    price.source.starts_with("https://aws.amazon.com/"),
                    "{r} {key}"
                );
            }
        }
    }

    #[test]
    fn builtin_us_east_1_figures() {
        let p = builtin();
        let r = p.region("us-east-1").unwrap();
        let get = |(s, k): (&str, &str)| -> Price { r[s][k].clone() };
        let shard = get(("kinesis", "shard_hour"));
        assert_eq!(shard.usd, usd("0.015"));
        assert!(shard.verified);
        assert_eq!(shard.taken, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
        assert_eq!(
            shard.source,
            "https://aws.amazon.com/kinesis/data-streams/pricing/"
        );
        assert_eq!(get(("kinesis", "on_demand_stream_hour")).usd, usd("0.04"));
        assert_eq!(get(("lambda", "requests")).usd, usd("0.20"));
        assert_eq!(get(("lambda", "gb_second")).usd, usd("0.0000166667"));
        assert_eq!(get(("cloudwatch", "standard_alarm")).usd, usd("0.10"));
        assert_eq!(
            get(("cloudwatch", "high_resolution_alarm")).usd,
            usd("0.30")
        );
    }

    #[test]
    fn load_reads_a_file_and_names_it_in_errors() {
        let d = tempfile::tempdir().unwrap();
        let good = d.path().join("prices.yaml");
        std::fs::write(&good, Pricing::builtin_text()).unwrap();
        let p = Pricing::load(&good, &known()).unwrap();
        assert_eq!(p.origin, good.display().to_string());
        assert_eq!(p.regions, builtin().regions);

        let missing = d.path().join("nope.yaml");
        let e = Pricing::load(&missing, &known()).unwrap_err();
        assert!(e.contains("nope.yaml") && e.contains("no such file"), "{e}");

        let bad = d.path().join("bad.yaml");
        for text in [
            "regions: {us-east-1: [unclosed\n",
            "regions: [a, b]\n",
            "regions:\n  x: \"unterminated\n",
        ] {
            std::fs::write(&bad, text).unwrap();
            let e = Pricing::load(&bad, &known()).unwrap_err();
            assert!(
                e.contains("bad.yaml: not a valid pricing file") && e.contains("line"),
                "{e}"
            );
        }
    }

    #[test]
    fn semantic_errors() {
        let price = |unit: &str, usd: &str| {
            format!("regions:\n  eu-west-1:\n    kinesis:\n      shard_hour: {{usd: {usd}, unit: {unit}, taken: 2026-11-01, source: \"https://x\"}}\n")
        };
        let e = Pricing::parse(&price("shard-month", "0.015"), "f.yaml", &known()).unwrap_err();
        assert!(
            e.contains("f.yaml: regions.eu-west-1.kinesis.shard_hour: unit is \"shard-month\""),
            "{e}"
        );
        let e = Pricing::parse(&price("shard-hour", "-1"), "f.yaml", &known()).unwrap_err();
        assert!(e.contains("negative"), "{e}");
        let e = Pricing::parse(&price("shard-hour", "abc"), "f.yaml", &known()).unwrap_err();
        assert!(e.contains("f.yaml: not a valid pricing file"), "{e}");
        let e = Pricing::parse("regions: {}\n", "f.yaml", &known()).unwrap_err();
        assert!(e.contains("lists no region"), "{e}");
        let e = Pricing::parse(
            "regions:\n  eu-west-1:\n    kinesis:\n      shard_hours: {usd: 1, unit: shard-hour, taken: 2026-11-01, source: \"https://x\"}\n",
            "f.yaml",
            &known(),
        )
        .unwrap_err();
        assert!(e.contains("shard_hours"), "{e}");
    }

    #[test]
    fn partial_file_leaves_the_rest_unknown_and_unverified_by_default() {
        let text = "regions:\n  eu-west-1:\n    kinesis:\n      shard_hour: {usd: \"0.015\", unit: shard-hour, taken: 2026-11-01, source: \"https://x\"}\n";
        let p = Pricing::parse(text, "f.yaml", &known()).unwrap();
        let r = p.region("eu-west-1").unwrap();
        let shard = &r["kinesis"]["shard_hour"];
        assert_eq!(shard.usd, usd("0.015"));
        assert!(!shard.verified);
        assert!(!r.contains_key("cloudwatch"));
        assert!(p.region("us-east-1").is_none());
    }
}
