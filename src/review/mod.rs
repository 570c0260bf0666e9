//! The review conversation as text: how a diff and its threads read in a terminal or an
//! editor (`text.rs`), and the file of `review comment --edit` (`edit.rs`: written quoted like
//! a mail reply, read back into one review). Pure: no I/O, no printing.

pub mod edit;
pub mod text;
