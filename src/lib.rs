//! parkctl: a declarative reconciler for the cost of an idle AWS project.
//!
//! The core (`profile`, `model`, `planner`, `plan`, `cost`, `render`,
//! `status`, `schedule`) is pure and tested without a server. It is generic over the
//! registry of services (`services`, one module per AWS service behind the
//! interface in `service`) and names none of them. `aws` holds the shared
//! SDK plumbing, `session` a connected run, `fleet` the targets of a run over many
//! accounts and regions, and `commands` wires it all together.

pub mod adapter;
pub mod apply;
pub mod aws;
pub mod billing;
pub mod cli;
pub mod commands;
pub mod config;
pub mod context;
pub mod cost;
pub mod error;
pub mod fleet;
pub mod fsutil;
pub mod iam;
pub mod idle;
pub mod logging;
pub mod model;
pub mod outcome;
pub mod pipeline;
pub mod plan;
pub mod planner;
pub mod profile;
pub mod progress;
pub mod read;
pub mod render;
pub mod schedule;
pub mod service;
pub mod services;
pub mod session;
pub mod state;
pub mod status;
