//! Questions on the terminal: asked only when stdin is a terminal; elsewhere the command
//! refuses and names the flag that answers in advance.

use std::io::{BufRead, IsTerminal};

use super::Context;
use crate::error::CliError;

/// Asks `question [y/N]` on stderr and reads the answer from stdin: true only for yes. When
/// stdin is not a terminal nothing is asked: the error says `refusal` and hints `hint`.
pub fn confirm(ctx: &Context, question: &str, refusal: &str, hint: &str) -> Result<bool, CliError> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(CliError::usage(refusal.to_owned()).with_hint(hint.to_owned()));
    }
    ctx.printer.info(&format!("{question} [y/N]"));
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::io("cannot read the answer").with_cause(e))?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes"))
}
