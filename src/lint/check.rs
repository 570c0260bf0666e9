//! What a rule family sees of one text file (`FileCheck`) and where it reports (`Found`).

use std::cell::OnceCell;

use git2::Repository;

use super::news::{self, EntryVerdict};
use super::source::{self, FileInfo, Touched};
use super::table::{RuleId, Scope};
use super::{Finding, Rules};

/// One text file as the rules judge it: its tip content split in lines, its base content and
/// its NEWS-entry verdict read on demand.
pub struct FileCheck<'a> {
    repo: &'a Repository,
    pub file: &'a Touched<'a>,
    /// The path as text (see `display_path`).
    pub path: &'a str,
    pub content: &'a [u8],
    pub rules: &'a Rules,
    /// Every line's span, split only when a rule asks for a line the range did not add.
    spans: OnceCell<Vec<(usize, usize)>>,
    base: OnceCell<Option<Vec<u8>>>,
    news: OnceCell<Option<EntryVerdict>>,
    conflict_halves: OnceCell<bool>,
}

impl<'a> FileCheck<'a> {
    pub fn new(
        repo: &'a Repository,
        file: &'a Touched<'a>,
        path: &'a str,
        rules: &'a Rules,
    ) -> Self {
        let content = file.content();
        FileCheck {
            repo,
            file,
            path,
            content,
            rules,
            spans: OnceCell::new(),
            base: OnceCell::new(),
            news: OnceCell::new(),
            conflict_halves: OnceCell::new(),
        }
    }

    /// Line `n` (1-based), EOL included; empty past the end.
    pub fn line(&self, n: usize) -> &'a [u8] {
        let span = match self.file.added.binary_search(&n) {
            Ok(i) => self.file.added_spans.get(i),
            Err(_) => self.spans().get(n - 1),
        };
        span.map_or(&[][..], |&(s, e)| &self.content[s..e])
    }

    /// The number of the last line (1 for an empty file).
    pub fn last(&self) -> usize {
        self.spans().len().max(1)
    }

    fn spans(&self) -> &[(usize, usize)] {
        self.spans.get_or_init(|| source::line_spans(self.content))
    }

    /// Whether the range added any line to the file.
    pub fn has_added(&self) -> bool {
        !self.file.added.is_empty()
    }

    /// Whether the base had the same problem, so that a whole-file rule does not blame the range.
    pub fn base_has(&self, check: impl Fn(&[u8]) -> bool) -> bool {
        self.base
            .get_or_init(|| self.file.base_content(self.repo))
            .as_deref()
            .is_some_and(check)
    }

    /// Whether the rule `id` judges this file.
    pub fn judged_by(&self, id: RuleId) -> bool {
        match id.rule().scope {
            Scope::Paths => self.rules.get(id).selects(self.path, self.content),
            Scope::NewsEntries => self.rules.enabled(id),
            Scope::Series => false,
        }
    }

    /// Whether an added line starts with a `<<<<<<<` or `>>>>>>>` conflict half: only then is an
    /// added `=======` a separator rather than, say, a reST heading underline.
    pub fn has_conflict_halves(&self) -> bool {
        *self.conflict_halves.get_or_init(|| {
            self.file
                .added
                .iter()
                .any(|&n| super::conflict::is_half(self.line(n)))
        })
    }

    /// NEWS-PATH and NEWS-BODY's verdict on the file, when it is a NEWS entry candidate.
    pub fn news_entry(&self) -> Option<&EntryVerdict> {
        self.news
            .get_or_init(|| news::judge_entry(self.path, self.content, &self.rules.news))
            .as_ref()
    }
}

/// The findings of one file.
pub struct Found<'a> {
    path: &'a str,
    pub findings: Vec<Finding>,
}

impl<'a> Found<'a> {
    pub fn new(path: &'a str) -> Self {
        Found {
            path,
            findings: Vec::new(),
        }
    }

    pub fn push(
        &mut self,
        line: usize,
        column: usize,
        rule: RuleId,
        message: impl Into<String>,
        fixable: bool,
    ) {
        self.findings.push(Finding {
            path: self.path.to_owned(),
            line,
            column,
            rule,
            message: message.into(),
            fixable,
        });
    }
}

/// What the series-wide rules (NEWS-REQ, PC-REM) see: the range and every touched file.
pub struct SeriesCheck<'a> {
    pub repo: &'a Repository,
    pub base: git2::Oid,
    pub tip: git2::Oid,
    pub rules: &'a Rules,
    pub options: &'a super::Options,
    /// The touched files in diff order, with whether each is a valid NEWS entry.
    pub files: &'a [(FileInfo, bool)],
    /// Their paths as text.
    pub paths: &'a [String],
}
