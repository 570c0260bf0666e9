//! Everything written to the terminal goes through here: the printer, its styles and colour choice.

mod format;
pub mod pager;
mod printer;

pub use format::OutputFormat;
pub use printer::{ColorChoice, Printer, Stream};
pub use printer::{ADDED, DIM, EMPHASIS, ERROR, HINT, REMOVED, STATUS, WARNING};
