//! parkctl: a declarative reconciler for the cost of an idle AWS project.
//!
//! The core (`profile`, `model`, `planner`, `plan`, `cost`, `render`) is pure
//! and tested without a server; `aws` holds one adapter per service and
//! `commands` wires them together.

pub mod cost;
pub mod fsutil;
pub mod iam;
pub mod idle;
pub mod model;
pub mod plan;
pub mod planner;
pub mod profile;
pub mod aws;
pub mod read;
pub mod apply;
pub mod state;
pub mod cli;
pub mod config;
pub mod render;
pub mod commands;
pub mod logging;
