//! `--format human|json` for commands whose output is data.

/// How a command prints its result on stdout. JSON output is a documented contract (README).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Text for people; may be coloured on a terminal.
    #[default]
    Human,
    /// One JSON document (or JSON Lines where the command says so), never coloured.
    Json,
}
