//! The integration tests: one binary, one module per subcommand, real git, sealed environment.

mod support;

mod cli;
mod config;
mod generated;
mod series;
mod serve;
mod serve_api;
mod serve_gate;
mod serve_support;
