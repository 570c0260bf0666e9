//! The integration tests: one binary, one module per subcommand, real git, sealed environment.

mod support;

mod backport;
mod cli;
mod client;
mod client_draft;
mod client_gate;
mod client_interrupt;
mod client_list;
mod client_review;
mod config;
mod docs;
mod generated;
mod hook;
mod keyring;
mod lint;
mod mbox_exact;
mod news;
mod series;
mod serve;
mod serve_api;
mod serve_approve;
mod serve_buildbot;
mod serve_bytes;
mod serve_comments;
mod serve_diff;
mod serve_edges;
mod serve_events;
mod serve_gate;
mod serve_git_auth;
mod serve_post_merge;
mod serve_sandbox;
mod serve_schemathesis;
mod serve_votes;
mod tracker;
mod web_live;
