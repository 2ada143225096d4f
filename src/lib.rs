//! parkctl: a declarative reconciler for the cost of an idle AWS project.
//!
//! The core (`profile`, `model`, `planner`, `plan`, `cost`, `render`,
//! `status`, `schedule`) is pure and tested without a server. It is generic over the
//! registry of services (`services`, one module per AWS service behind the
//! interface in `service`) and names none of them. `aws` holds the shared
//! SDK plumbing, `session` a connected run, `fleet` the targets of a run over many
//! accounts and regions, and `commands` wires it all together.

pub(crate) mod adapter;
pub(crate) mod apply;
pub(crate) mod aws;
pub(crate) mod billing;
pub mod cli;
pub mod commands;
pub mod config;
pub(crate) mod context;
pub(crate) mod cost;
pub mod error;
pub(crate) mod fleet;
pub(crate) mod fsutil;
pub(crate) mod iam;
pub(crate) mod idle;
pub(crate) mod logging;
pub(crate) mod measure;
pub mod model;
pub(crate) mod order;
pub(crate) mod outcome;
pub(crate) mod pipeline;
pub mod plan;
pub mod planner;
pub mod profile;
pub(crate) mod progress;
pub(crate) mod read;
pub(crate) mod render;

/// How `main` prints the error a run ends with: the one renderer of errors.
pub use render::error::eprint as eprint_error;
pub mod schedule;
pub(crate) mod service;
pub mod services;
pub(crate) mod session;
pub mod state;
pub(crate) mod status;
