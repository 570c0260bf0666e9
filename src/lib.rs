//! `review`: post patch series for review, watch their checks and drive the merge gate.
//!
//! The binary is a thin shell over this library. Layout (see ARCHITECTURE.md):
//! `cli` parses and reports; `config`, `git` are domain modules that never print;
//! `ui` owns every byte written to the terminal; `error` maps failures to exit codes.

pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod error;
pub mod git;
pub mod interrupt;
pub mod lint;
pub mod review;
pub mod server;
pub mod service;
pub mod suggest;
#[cfg(test)]
mod test_random;
pub mod ui;
