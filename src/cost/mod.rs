//! The cost model: what the managed resources cost while idle, now and
//! once a plan has run.
//!
//! Pure (no clock, no I/O but `Pricing::load`) so that every figure parkctl
//! prints can be pinned by a unit test.

mod compare;
mod estimate;
mod money;
mod pricing;

pub use compare::{after, compare, render_comparison, CostComparison, CostDelta};
pub use estimate::{estimate, Costs, Estimate, ResourceCost, HOURS_PER_DAY, HOURS_PER_MONTH};
pub use money::Money;
pub use pricing::{CloudWatchPrices, KinesisPrices, LambdaPrices, Price, Pricing, RegionPrices};

/// Builders shared by the cost tests.
#[cfg(test)]
mod fixtures {
    use super::Money;
    use crate::model::{Alarm, Function, Live, Mapping, Stream, StreamMode};
    use crate::plan::{Action, Change, Phase, Plan, Resource, Selected};

    pub fn usd(s: &str) -> Money {
        Money::parse_usd(s).unwrap()
    }

    pub fn stream(name: &str, mode: StreamMode, shards: u32) -> Stream {
        Stream {
            name: name.into(),
            arn: format!("arn:aws:kinesis:us-east-1:123456789012:stream/{name}"),
            mode,
            open_shards: shards,
            retention_hours: 24,
            status: "ACTIVE".into(),
            tags: Default::default(),
        }
    }

    pub fn function(name: &str, reserved: Option<u32>, source: &str) -> Function {
        Function {
            name: name.into(),
            arn: format!("arn:aws:lambda:us-east-1:123456789012:function:{name}"),
            reserved,
            mappings: vec![Mapping {
                uuid: format!("{name}-uuid"),
                source_arn: format!("arn:aws:kinesis:us-east-1:123456789012:stream/{source}"),
                enabled: true,
                state: "Enabled".into(),
            }],
            tags: Default::default(),
        }
    }

    pub fn alarm(name: &str, actions_enabled: bool, high_resolution: bool) -> Alarm {
        Alarm {
            name: name.into(),
            arn: format!("arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}"),
            actions_enabled,
            high_resolution,
            tags: Default::default(),
        }
    }

    /// The sample project: one 2-shard stream, its consumer, nine alarms.
    pub fn project() -> Live {
        Live {
            streams: vec![stream("orders", StreamMode::Provisioned, 2)],
            functions: vec![function("consumer", None, "orders")],
            alarms: (1..=9)
                .map(|i| alarm(&format!("alarm-{i}"), true, false))
                .collect(),
            account: Default::default(),
        }
    }

    pub fn change(resource: Resource, action: Action) -> Change {
        Change {
            phase: Phase::Capacity,
            resource,
            action,
            rule: "test".into(),
        }
    }

    pub fn plan(changes: Vec<Change>) -> Plan {
        Plan {
            profile: "park".into(),
            profile_sha256: String::new(),
            changes,
            warnings: vec![],
            errors: vec![],
            selected: Selected::default(),
            observed: vec![],
            cost: None,
        }
    }

    /// Parks the sample project: 1 shard, consumer off, alarms silenced.
    pub fn park_plan(live: &Live) -> Plan {
        let mut changes = vec![
            change(
                Resource::Stream {
                    name: "orders".into(),
                },
                Action::Shards {
                    from: 2,
                    to: 1,
                    steps: vec![1],
                },
            ),
            change(
                Resource::Function {
                    name: "consumer".into(),
                },
                Action::ReservedConcurrency {
                    from: None,
                    to: Some(0),
                },
            ),
            change(
                Resource::Mapping {
                    function: "consumer".into(),
                    uuid: "consumer-uuid".into(),
                    source: "orders".into(),
                },
                Action::EventSource {
                    from: true,
                    to: false,
                },
            ),
        ];
        for a in &live.alarms {
            changes.push(change(
                Resource::Alarm {
                    name: a.name.clone(),
                },
                Action::AlarmActions {
                    from: true,
                    to: false,
                },
            ));
        }
        plan(changes)
    }
}
