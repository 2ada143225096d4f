//! A plan: the ordered change set that takes live state to a profile, with
//! the warnings and errors found on the way. Plain data: rendered as text or
//! JSON, saved to disk, and executed by the apply engine.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The order in which changes run. Derived from what a change does, never
/// from the profile's name: silence alarms first so that nothing pages while
/// we work, stop consuming before throttling, and re-arm alarms last, once
/// everything else has converged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    AlarmsOff = 1,
    SourcesOff = 2,
    Capacity = 3,
    SourcesOn = 4,
    AlarmsOn = 5,
}

impl Phase {
    pub const ALL: [Phase; 5] = [
        Phase::AlarmsOff,
        Phase::SourcesOff,
        Phase::Capacity,
        Phase::SourcesOn,
        Phase::AlarmsOn,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Phase::AlarmsOff => "disable alarm actions",
            Phase::SourcesOff => "disable event sources",
            Phase::Capacity => "change capacity",
            Phase::SourcesOn => "enable event sources",
            Phase::AlarmsOn => "enable alarm actions",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Resource {
    Stream {
        name: String,
    },
    Function {
        name: String,
    },
    Mapping {
        function: String,
        uuid: String,
        source: String,
    },
    Alarm {
        name: String,
    },
}

impl Resource {
    pub fn mapping(function: &str, m: &crate::model::Mapping) -> Resource {
        Resource::Mapping {
            function: function.to_string(),
            uuid: m.uuid.clone(),
            source: m.source_name().to_string(),
        }
    }

    pub fn service(&self) -> &'static str {
        match self {
            Resource::Stream { .. } => "kinesis",
            Resource::Function { .. } | Resource::Mapping { .. } => "lambda",
            Resource::Alarm { .. } => "cloudwatch",
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Resource::Stream { .. } => "kinesis stream",
            Resource::Function { .. } => "lambda function",
            Resource::Mapping { .. } => "lambda event source",
            Resource::Alarm { .. } => "cloudwatch alarm",
        }
    }

    pub fn name(&self) -> String {
        match self {
            Resource::Stream { name } | Resource::Function { name } | Resource::Alarm { name } => {
                name.clone()
            }
            Resource::Mapping {
                function, source, ..
            } => format!("{function} <- {source}"),
        }
    }
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{} {}", self.kind(), self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "attr", rename_all = "snake_case")]
pub enum Action {
    /// Open shard count, reached through `steps` (each within half..double).
    Shards {
        from: u32,
        to: u32,
        steps: Vec<u32>,
    },
    /// `None` is unreserved.
    ReservedConcurrency {
        from: Option<u32>,
        to: Option<u32>,
    },
    EventSource {
        from: bool,
        to: bool,
    },
    AlarmActions {
        from: bool,
        to: bool,
    },
}

impl Action {
    pub fn attr(&self) -> &'static str {
        match self {
            Action::Shards { .. } => "shards",
            Action::ReservedConcurrency { .. } => "reserved_concurrency",
            Action::EventSource { .. } => "enabled",
            Action::AlarmActions { .. } => "actions",
        }
    }

    pub fn before(&self) -> String {
        match self {
            Action::Shards { from, .. } => from.to_string(),
            Action::ReservedConcurrency { from, .. } => show_reserved(*from),
            Action::EventSource { from, .. } | Action::AlarmActions { from, .. } => {
                show_toggle(*from)
            }
        }
    }

    pub fn after(&self) -> String {
        match self {
            Action::Shards { to, .. } => to.to_string(),
            Action::ReservedConcurrency { to, .. } => show_reserved(*to),
            Action::EventSource { to, .. } | Action::AlarmActions { to, .. } => show_toggle(*to),
        }
    }
}

pub fn show_reserved(v: Option<u32>) -> String {
    v.map_or_else(|| "none".to_string(), |n| n.to_string())
}

pub fn show_toggle(on: bool) -> String {
    if on { "enabled" } else { "disabled" }.to_string()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub phase: Phase,
    pub resource: Resource,
    #[serde(flatten)]
    pub action: Action,
    /// The profile rule (or snapshot) that asks for this change.
    pub rule: String,
}

/// What a plan found worth saying: errors block apply, warnings do not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

impl Notice {
    pub fn new(message: impl Into<String>) -> Self {
        Notice {
            message: message.into(),
            resource: None,
        }
    }
    pub fn on(resource: impl fmt::Display, message: impl Into<String>) -> Self {
        Notice {
            message: message.into(),
            resource: Some(resource.to_string()),
        }
    }
}

/// One observed live value the plan was computed from: a saved plan
/// refuses to apply when any of them changed since.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Observation {
    pub resource: String,
    pub attr: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub profile: String,
    pub profile_sha256: String,
    pub changes: Vec<Change>,
    pub warnings: Vec<Notice>,
    pub errors: Vec<Notice>,
    /// How many resources the profile selected, per kind.
    pub selected: Selected,
    pub observed: Vec<Observation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<crate::cost::CostComparison>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selected {
    pub streams: usize,
    pub functions: usize,
    pub mappings: usize,
    pub alarms: usize,
}

impl Plan {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Changes per service, in a fixed order, for the summary line.
    pub fn per_service(&self) -> Vec<(&'static str, usize)> {
        ["kinesis", "lambda", "cloudwatch"]
            .into_iter()
            .map(|s| {
                (
                    s,
                    self.changes
                        .iter()
                        .filter(|c| c.resource.service() == s)
                        .count(),
                )
            })
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    pub fn phases(&self) -> Vec<(Phase, Vec<&Change>)> {
        Phase::ALL
            .into_iter()
            .map(|p| {
                (
                    p,
                    self.changes
                        .iter()
                        .filter(|c| c.phase == p)
                        .collect::<Vec<_>>(),
                )
            })
            .filter(|(_, cs)| !cs.is_empty())
            .collect()
    }
}
