//! The integration tests, one binary (as ripgrep and just have it): each
//! module drives the real parkctl binary and the real AWS SDK against a
//! moto server it starts on a free port. One binary links the SDK crates
//! once instead of once per file.

mod autoscaling;
mod bad_state;
mod billing;
#[path = "../common/mod.rs"]
mod common;
mod deploy;
mod dynamodb;
mod ec2;
mod ecs;
mod eks;
mod faults;
mod iam_coverage;
mod init;
mod legacy;
mod mirror;
mod notebooks;
mod operator;
mod profile_corpus;
mod proxy;
mod rds;
mod reconcile;
mod safety;
mod sagemaker;
mod schedule;
mod state;
mod status;
mod tags;
mod targets;
