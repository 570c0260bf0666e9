//! The rule table: every rule's id, its one-line description, and the family entry points that
//! judge it. The engine loops over this table; nothing dispatches on id strings.

use serde::Serialize;

use super::check::{FileCheck, Found, SeriesCheck};
use super::{conflict, news, patchcheck, reminders, sphinx, whitespace};
use super::{LintError, Report};

/// A rule. Its string form (`WS-TABS`) is the public id: in output, JSON and `[lint.rules]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleId {
    WsTrail,
    WsEof,
    WsEol,
    WsTabs,
    Conflict,
    PcPy,
    PcC,
    PcDoc,
    SlWs,
    SlDr,
    NewsPath,
    NewsBody,
    NewsReq,
    PcRem,
}

impl RuleId {
    /// Every rule, in the order `review lint --help` lists them (and of the enum).
    pub const ALL: [RuleId; 14] = [
        RuleId::WsTrail,
        RuleId::WsEof,
        RuleId::WsEol,
        RuleId::WsTabs,
        RuleId::Conflict,
        RuleId::PcPy,
        RuleId::PcC,
        RuleId::PcDoc,
        RuleId::SlWs,
        RuleId::SlDr,
        RuleId::NewsPath,
        RuleId::NewsBody,
        RuleId::NewsReq,
        RuleId::PcRem,
    ];

    /// The public id.
    pub const fn as_str(self) -> &'static str {
        match self {
            RuleId::WsTrail => "WS-TRAIL",
            RuleId::WsEof => "WS-EOF",
            RuleId::WsEol => "WS-EOL",
            RuleId::WsTabs => "WS-TABS",
            RuleId::Conflict => "CONFLICT",
            RuleId::PcPy => "PC-PY",
            RuleId::PcC => "PC-C",
            RuleId::PcDoc => "PC-DOC",
            RuleId::SlWs => "SL-WS",
            RuleId::SlDr => "SL-DR",
            RuleId::NewsPath => "NEWS-PATH",
            RuleId::NewsBody => "NEWS-BODY",
            RuleId::NewsReq => "NEWS-REQ",
            RuleId::PcRem => "PC-REM",
        }
    }

    /// The rule with public id `id`, exactly as spelled.
    pub fn from_id(id: &str) -> Option<RuleId> {
        RuleId::ALL.into_iter().find(|r| r.as_str() == id)
    }

    /// This rule's row of the table.
    pub fn rule(self) -> &'static Rule {
        &TABLE[self as usize]
    }
}

impl std::fmt::Display for RuleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Findings sort by the public id, as they did when the id was a string.
impl Ord for RuleId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for RuleId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A family's check of one added line (`n`, with its bytes).
pub type LineCheck = fn(RuleId, &FileCheck<'_>, usize, &[u8], &mut Found<'_>);
/// A family's check of a whole text file.
pub type FileCheckFn = fn(RuleId, &FileCheck<'_>, &mut Found<'_>);

/// A check of the series as a whole, after every file.
pub type SeriesCheckFn = fn(RuleId, &SeriesCheck<'_>, &mut Report) -> Result<(), LintError>;

/// Which files a rule judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The files its `paths`/`exclude` select (after the preset and `[lint.rules]`).
    Paths,
    /// NEWS entry candidates, whatever `paths` says (the rule only needs to be enabled).
    NewsEntries,
    /// The series as a whole, after every file (NEWS-REQ, PC-REM); no per-file check.
    Series,
}

/// One row of the table.
pub struct Rule {
    pub id: RuleId,
    pub about: &'static str,
    pub scope: Scope,
    pub line: Option<LineCheck>,
    pub file: Option<FileCheckFn>,
    pub series: Option<SeriesCheckFn>,
}

const fn row(
    id: RuleId,
    about: &'static str,
    scope: Scope,
    line: Option<LineCheck>,
    file: Option<FileCheckFn>,
) -> Rule {
    Rule {
        id,
        about,
        scope,
        line,
        file,
        series: None,
    }
}

const fn series_row(id: RuleId, about: &'static str, series: SeriesCheckFn) -> Rule {
    Rule {
        series: Some(series),
        ..row(id, about, Scope::Series, None, None)
    }
}

const WS_LINE: Option<LineCheck> = Some(whitespace::check_line);
const WS_FILE: Option<FileCheckFn> = Some(whitespace::check_file);
const PC_LINE: Option<LineCheck> = Some(patchcheck::check_line);
const PC_FILE: Option<FileCheckFn> = Some(patchcheck::check_file);
const SL_FILE: Option<FileCheckFn> = Some(sphinx::check_file);
const NEWS_FILE: Option<FileCheckFn> = Some(news::check_file);

/// Every rule, indexed by `RuleId as usize`.
pub static TABLE: [Rule; 14] = [
    row(
        RuleId::WsTrail,
        "trailing whitespace on an added line",
        Scope::Paths,
        WS_LINE,
        None,
    ),
    row(
        RuleId::WsEof,
        "a file must end with exactly one line ending (pre-commit end-of-file-fixer)",
        Scope::Paths,
        None,
        WS_FILE,
    ),
    row(
        RuleId::WsEol,
        "mixed line endings (pre-commit mixed-line-ending)",
        Scope::Paths,
        None,
        WS_FILE,
    ),
    row(
        RuleId::WsTabs,
        "a TAB on an added line (Lucas-C remove-tabs)",
        Scope::Paths,
        WS_LINE,
        None,
    ),
    row(
        RuleId::Conflict,
        "a merge-conflict marker on an added line",
        Scope::Paths,
        Some(conflict::check_line),
        None,
    ),
    row(
        RuleId::PcPy,
        "legacy patchcheck Python whitespace and indentation (reindent), opt-in",
        Scope::Paths,
        PC_LINE,
        PC_FILE,
    ),
    row(
        RuleId::PcC,
        "legacy patchcheck TABs in C files (untabify), opt-in",
        Scope::Paths,
        PC_LINE,
        None,
    ),
    row(
        RuleId::PcDoc,
        "legacy patchcheck trailing whitespace and CRLF in Doc/ .rst and .inc, opt-in",
        Scope::Paths,
        PC_LINE,
        None,
    ),
    row(
        RuleId::SlWs,
        "reST whitespace as sphinx-lint sees it: TABs, trailing blanks, final newline",
        Scope::Paths,
        None,
        SL_FILE,
    ),
    row(
        RuleId::SlDr,
        "reST default role: single backticks without a role",
        Scope::Paths,
        None,
        SL_FILE,
    ),
    row(
        RuleId::NewsPath,
        "a NEWS entry's directory and file name",
        Scope::NewsEntries,
        None,
        NEWS_FILE,
    ),
    row(
        RuleId::NewsBody,
        "a NEWS entry's content",
        Scope::NewsEntries,
        None,
        NEWS_FILE,
    ),
    series_row(
        RuleId::NewsReq,
        "the series needs a NEWS entry",
        news::check_series,
    ),
    series_row(
        RuleId::PcRem,
        "patchcheck reminders, printed as notes",
        reminders::check_series,
    ),
];

/// The rule list for `review lint --help`.
pub fn help_text() -> String {
    let mut text = String::from("Rules (switch and re-scope them in `[lint.rules.<ID>]`):\n");
    for rule in &TABLE {
        text.push_str(&format!("  {:<10} {}\n", rule.id.as_str(), rule.about));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_indexed_by_the_enum() {
        for (index, id) in RuleId::ALL.into_iter().enumerate() {
            assert_eq!(id as usize, index);
            assert_eq!(TABLE[index].id, id);
            assert_eq!(RuleId::from_id(id.as_str()), Some(id));
        }
        assert_eq!(RuleId::from_id("ws-trail"), None);
    }
}
