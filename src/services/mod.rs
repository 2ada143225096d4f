//! The registry: every AWS service parkctl manages, one line each.
//!
//! Adding a service is a module beside these (implementing
//! `crate::service::Service`, `crate::adapter::{Connect, Adapter}` and
//! [`Section`]) and one line in
//! `registry!` below. The order of the lines is the order in which plans,
//! costs and status list the services.

pub mod alarms;
pub mod autoscaling;
pub mod clustered;
pub mod dynamodb;
pub mod ec2;
pub mod ecs;
pub mod eks;
pub mod kinesis;
pub mod lambda;
pub mod rds;
pub mod redshift;
pub mod sagemaker;
pub mod scaling;

use crate::profile::reporter::Reporter;
use crate::profile::rule::Rule;
use crate::service::Service;

/// How a service's profile section is parsed: its raw serde shape (so that
/// serde reports unknown keys and wrong types at their line), and the
/// checks that turn it into rules.
pub trait Section {
    type Raw: serde::de::DeserializeOwned + Default + std::fmt::Debug;
    fn build(raw: Self::Raw, cx: &mut Reporter) -> Vec<Rule>;
}

/// One line per service: `section key => the service's type`. It makes the
/// profile's serde shape (one section per service, unknown keys refused)
/// and the list the core iterates.
macro_rules! registry {
    ($($key:ident => $svc:path),* $(,)?) => {
        /// Every managed service, in listing order.
        pub static SERVICES: &[&dyn Service] = &[$(&$svc),*];

        /// The SDK half of each, in the same order.
        pub static CONNECTORS: &[&dyn crate::adapter::Connect] = &[$(&$svc),*];

        /// A profile exactly as written: the shared keys and one section
        /// per service.
        #[derive(Debug, serde::Deserialize)]
        #[serde(
            deny_unknown_fields,
            expecting = "a profile: a mapping of keys such as `version: 1` and a section per service"
        )]
        pub struct RawProfile {
            #[serde(default, deserialize_with = "crate::profile::raw::whole")]
            pub version: Option<i64>,
            pub description: Option<String>,
            #[serde(default)]
            pub target: crate::profile::raw::RawTarget,
            $(
                #[serde(default)]
                pub $key: <$svc as Section>::Raw,
            )*
        }

        impl RawProfile {
            /// Every section's rules, checked, in registry order.
            pub fn rules(self, cx: &mut Reporter) -> Vec<Rule> {
                let mut rules = Vec::new();
                $( rules.extend(<$svc as Section>::build(self.$key, cx)); )*
                rules
            }
        }
    };
}

registry! {
    kinesis => kinesis::Kinesis,
    lambda => lambda::Lambda,
    cloudwatch => alarms::Alarms,
    sagemaker => sagemaker::SageMaker,
    dynamodb => dynamodb::DynamoDb,
    ec2 => ec2::Ec2,
    autoscaling => autoscaling::AutoScaling,
    ecs => ecs::Ecs,
    eks => eks::Eks,
    rds => rds::Rds,
    redshift => redshift::Redshift,
}

/// The service registered under `name`.
pub fn get(name: &str) -> Option<&'static dyn Service> {
    SERVICES.iter().copied().find(|s| s.name() == name)
}

pub fn names() -> impl Iterator<Item = &'static str> {
    SERVICES.iter().map(|s| s.name())
}

/// `` `kinesis`, `lambda` and `cloudwatch` `` for messages.
pub fn section_list() -> String {
    let names: Vec<String> = names().map(|n| format!("`{n}`")).collect();
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Every operation that changes AWS, over all services.
pub fn writes() -> Vec<&'static str> {
    SERVICES.iter().flat_map(|s| s.writes()).copied().collect()
}
