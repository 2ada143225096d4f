//! The live state of the resources parkctl manages, as plain data.
//!
//! Adapters fill it from AWS; the planner, cost model and renderers read it.
//! It carries no SDK type so that the core can be tested without a server
//! and saved to disk (snapshots, saved plans) as JSON.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub type Tags = BTreeMap<String, String>;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Live {
    #[serde(default)]
    pub streams: Vec<Stream>,
    #[serde(default)]
    pub functions: Vec<Function>,
    #[serde(default)]
    pub alarms: Vec<Alarm>,
    #[serde(default)]
    pub account: AccountFacts,
}

/// Account-wide facts the planner needs to respect AWS limits. `None` means
/// the value could not be read (the emulator does not serve it, or the
/// caller lacks permission); the planner then warns instead of guessing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountFacts {
    pub unreserved_concurrency: Option<u32>,
    pub concurrency_limit: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamMode {
    Provisioned,
    OnDemand,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stream {
    pub name: String,
    pub arn: String,
    pub mode: StreamMode,
    pub open_shards: u32,
    pub retention_hours: u32,
    pub status: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Function {
    pub name: String,
    pub arn: String,
    /// Reserved concurrency; `None` means unreserved (draws from the pool).
    pub reserved: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mappings: Vec<Mapping>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mapping {
    pub uuid: String,
    pub source_arn: String,
    pub enabled: bool,
    pub state: String,
}

impl Mapping {
    /// Kinesis and DynamoDB stream sources keep retrying a throttled batch
    /// until its records expire, which is why they matter for data safety.
    pub fn is_stream_source(&self) -> bool {
        self.source_arn.contains(":kinesis:") || self.source_arn.contains(":dynamodb:")
    }

    /// The short name of the source (stream, table or queue) for display.
    pub fn source_name(&self) -> &str {
        let resource = self
            .source_arn
            .splitn(6, ':')
            .nth(5)
            .unwrap_or(&self.source_arn);
        let mut parts = resource.split('/');
        match (parts.next(), parts.next()) {
            (Some("stream") | Some("table"), Some(name)) => name,
            _ => resource,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alarm {
    pub name: String,
    pub arn: String,
    pub actions_enabled: bool,
    /// High-resolution alarms (period under 60 s) cost three times as much.
    #[serde(default)]
    pub high_resolution: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: Tags,
}

impl Live {
    pub fn stream(&self, name: &str) -> Option<&Stream> {
        self.streams.iter().find(|s| s.name == name)
    }
    pub fn function(&self, name: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.name == name)
    }
    pub fn alarm(&self, name: &str) -> Option<&Alarm> {
        self.alarms.iter().find(|a| a.name == name)
    }
    pub fn resource_count(&self) -> usize {
        self.streams.len() + self.functions.len() + self.alarms.len()
    }
}
