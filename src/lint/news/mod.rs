//! NEWS entries: where they live and how they are named (NEWS-PATH), what they contain
//! (NEWS-BODY), whether the series needs one (NEWS-REQ), and writing one (`review news add`).
//! blurb's rules follow LINTS.md §2 with Part A's strict file name; towncrier fragments are
//! `<issue>.<type>[.<n>].<ext>` files in one directory.

mod add;
mod body;
mod path;
mod require;
#[cfg(test)]
mod tests;

pub use add::{blurb_template, issue_from_branch, parse_issue_option, parse_section_option};
pub use body::{decode, nonce, normalise_cve, parse_blurb, wrap_body, BodyError, Entry};
pub use path::{
    check_path, entry_root, is_entry_candidate, section_directory, EntryPath, PathProblem,
};
pub use require::{check_series, requirement, Changed, Requirement};

use super::check::{FileCheck, Found};
use super::rules::NewsSettings;
use super::table::RuleId;
use crate::config::NewsFormat;

/// No entry at all: said in this tool's terms (bedevere's words name a GitHub label).
pub const NO_ENTRY: &str = "No NEWS entry";
/// bedevere's other two status descriptions, printed word for word (LINTS.md Part A 6).
pub const WRONG_DIRECTORY: &str = "News entry not in an appropriate directory";
pub const BAD_NAME: &str = "News entry file name incorrectly formatted";

/// NEWS-PATH and NEWS-BODY's verdict on one entry candidate.
#[derive(Debug, Clone)]
pub struct EntryVerdict {
    pub path: Result<EntryPath, PathProblem>,
    pub body: Result<(), BodyError>,
}

impl EntryVerdict {
    /// A valid entry: what NEWS-REQ looks for.
    pub fn is_valid(&self) -> bool {
        self.path.is_ok() && self.body.is_ok()
    }
}

/// Judges `path` as a NEWS entry, or `None` when it is not a candidate (or NEWS is off).
pub fn judge_entry(path: &str, content: &[u8], news: &NewsSettings) -> Option<EntryVerdict> {
    if news.format == NewsFormat::None || !is_entry_candidate(path, news) {
        return None;
    }
    let entry = check_path(path, news);
    let body = decode(content).and_then(|text| judge_body(text, &entry, news));
    Some(EntryVerdict { path: entry, body })
}

fn judge_body(
    text: &str,
    entry: &Result<EntryPath, PathProblem>,
    news: &NewsSettings,
) -> Result<(), BodyError> {
    if news.format == NewsFormat::Towncrier {
        return if text.trim().is_empty() {
            Err(BodyError {
                line: 1,
                message: "the fragment is empty".into(),
            })
        } else {
            Ok(())
        };
    }
    // The keys blurb takes from the name, so that the text cannot set them again.
    let meta = match entry {
        Ok(e) => ["date", "nonce"]
            .into_iter()
            .map(|k| (k.to_owned(), String::new()))
            .chain([e.issue.clone(), ("section".to_owned(), e.section.clone())])
            .collect(),
        Err(_) => Vec::new(),
    };
    match parse_blurb(text, &meta, news) {
        Ok(entries) if entries.len() > 1 => Err(BodyError {
            line: 1,
            message: format!(
                "the file holds {} entries separated by `..`; a NEWS entry file holds one",
                entries.len()
            ),
        }),
        Ok(_) => Ok(()),
        // Without a valid name the file cannot supply the required keys; NEWS-PATH has already
        // said why, so only body problems are reported.
        Err(e)
            if entry.is_err()
                && (e.message.contains("must be specified")
                    || e.message.contains("No 'section'")) =>
        {
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// NEWS-PATH and NEWS-BODY on one file.
pub fn check_file(id: RuleId, ctx: &FileCheck<'_>, out: &mut Found<'_>) {
    let Some(verdict) = ctx.news_entry() else {
        return;
    };
    match (id, &verdict.path, &verdict.body) {
        (RuleId::NewsPath, Err(problem), _) => out.push(1, 1, id, problem.message(), false),
        (RuleId::NewsBody, _, Err(e)) => out.push(e.line, 1, id, e.message.clone(), false),
        _ => {}
    }
}
