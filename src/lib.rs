//! parkctl: a declarative reconciler for the cost of an idle AWS project.
//!
//! The core (`profile`, `model`, `planner`, `plan`, `cost`, `render`) is pure
//! and tested without a server; `aws` holds one adapter per service and
//! `commands` wires them together.

pub mod apply;
pub mod aws;
pub mod cli;
pub mod commands;
pub mod config;
pub mod cost;
pub mod fsutil;
pub mod iam;
pub mod idle;
pub mod logging;
pub mod model;
pub mod plan;
pub mod planner;
pub mod profile;
pub mod read;
pub mod render;
pub mod state;
