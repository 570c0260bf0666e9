//! NEWS-PATH: where entries live and how they are named (blurb's `<dir>/next/<Section>/` files,
//! towncrier's `<issue>.<type>[.<n>].<ext>` fragments).

use super::{NewsSettings, BAD_NAME, WRONG_DIRECTORY};

/// What a valid entry path says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryPath {
    /// `gh-issue`/`bpo` for blurb (`issue` for towncrier) with the number as written.
    pub issue: (String, String),
    /// The blurb section (un-sanitised) or the towncrier type.
    pub section: String,
}

/// Why a path under the NEWS directory is not a valid entry: bedevere's description when one
/// applies, and the precise reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathProblem {
    pub status: Option<&'static str>,
    pub reason: String,
}

impl PathProblem {
    pub fn message(&self) -> String {
        match self.status {
            Some(status) => format!("{status}: {}", self.reason),
            None => self.reason.clone(),
        }
    }
}

/// blurb's directory name for a section (`C API` -> `C_API`, `Tools/Demos` -> `Tools-Demos`).
pub fn section_directory(section: &str) -> String {
    section.replace('/', "-").replace(' ', "_")
}

/// The section whose directory is `dir`. blurb 2.3 reads both spellings: the current one
/// (`Core_and_Builtins`) and the one with spaces that CPython used until 2024 (`Core and Builtins`).
fn section_of_directory<'a>(dir: &str, sections: &'a [String]) -> Option<&'a String> {
    sections
        .iter()
        .find(|s| section_directory(s) == dir || s.replace('/', "-") == dir)
}

/// Where entries go: `<dir>/next/` for blurb, `<dir>/` for towncrier.
pub fn entry_root(news: &NewsSettings) -> String {
    match news.format {
        crate::config::NewsFormat::Towncrier => format!("{}/", news.directory),
        _ => format!("{}/next/", news.directory),
    }
}

/// Whether `path` is one the NEWS rules judge (under the entry root, not a README).
pub fn is_entry_candidate(path: &str, news: &NewsSettings) -> bool {
    let Some(rest) = path.strip_prefix(&entry_root(news)) else {
        return false;
    };
    let name = rest.rsplit('/').next().unwrap_or(rest);
    let towncrier_template =
        news.format == crate::config::NewsFormat::Towncrier && name.starts_with("template");
    !(name.starts_with('.') || name.starts_with("README") || towncrier_template)
}

pub(super) fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The first field: a date (`2024-05-01` or `2024-05-01-12-34-56`), or the sequence number that
/// the 2017 bulk conversion wrote there (`0019.bpo-28676.Wxf6Ds.rst`). blurb reads this field
/// without checking it; garbage is still refused here.
fn date_ok(date: &str) -> bool {
    if all_digits(date) {
        return true;
    }
    let parts: Vec<&str> = date.split('-').collect();
    let widths: &[usize] = match parts.len() {
        3 => &[4, 2, 2],
        6 => &[4, 2, 2, 2, 2, 2],
        _ => return false,
    };
    parts
        .iter()
        .zip(widths)
        .all(|(p, &w)| p.len() == w && all_digits(p))
}

/// NEWS-PATH for a candidate path (see `is_entry_candidate`).
pub fn check_path(path: &str, news: &NewsSettings) -> Result<EntryPath, PathProblem> {
    let root = entry_root(news);
    let rest = &path[root.len()..];
    if news.format == crate::config::NewsFormat::Towncrier {
        return check_fragment(rest, &root, news);
    }
    let bad_name = |reason: String| PathProblem {
        status: Some(BAD_NAME),
        reason,
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let [dir, name] = parts[..] else {
        return Err(PathProblem {
            status: Some(WRONG_DIRECTORY),
            reason: format!("entries go in `{root}<section>/`, one directory level deep"),
        });
    };
    let Some(section) = section_of_directory(dir, &news.sections) else {
        let dirs: Vec<String> = news.sections.iter().map(|s| section_directory(s)).collect();
        return Err(PathProblem {
            status: None,
            reason: format!(
                "`{dir}` is not a section directory; use one of: {}",
                dirs.join(", ")
            ),
        });
    };
    let expected = "expected `<YYYY-MM-DD-hh-mm-ss>.gh-issue-<number>.<nonce>.rst`";
    let Some(stem) = name.strip_suffix(".rst") else {
        return Err(bad_name(format!("the name must end in `.rst`; {expected}")));
    };
    let fields: Vec<&str> = stem.split('.').collect();
    // blurb: the date first, the nonce last, one or more issue fields between.
    let [date, issues @ .., nonce] = &fields[..] else {
        return Err(bad_name(format!(
            "`{name}` has 1 dot-separated field before `.rst`, not 3; {expected}"
        )));
    };
    if issues.is_empty() {
        return Err(bad_name(format!(
            "`{name}` has {} dot-separated fields before `.rst`, not 3; {expected}",
            fields.len()
        )));
    }
    if !date_ok(date) {
        return Err(bad_name(format!(
            "`{date}` is not a date like `2024-05-01-12-34-56`"
        )));
    }
    let mut found: Option<(&str, &str)> = None;
    let mut lowest: Option<&str> = None;
    for issue in issues {
        let (kind, number) = issue_field(issue)?;
        if kind == "gh-issue" && number.parse::<u64>().is_ok_and(|n| n < news.minimum_issue) {
            lowest.get_or_insert(number);
        }
        // blurb keeps the last field of each kind; a gh-issue outranks a bpo.
        if found.is_none_or(|(k, _)| k == kind || kind == "gh-issue") {
            found = Some((kind, number));
        }
    }
    if nonce.is_empty()
        || !nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(bad_name(format!(
            "the nonce `{nonce}` must be letters, digits, `_` or `-`"
        )));
    }
    if let Some(number) = lowest {
        return Err(PathProblem {
            status: None,
            reason: format!(
                "Invalid gh-issue number: '{number}' (must be >= {})",
                news.minimum_issue
            ),
        });
    }
    let (kind, number) = found.unwrap_or_default();
    Ok(EntryPath {
        issue: (kind.to_owned(), number.to_owned()),
        section: section.clone(),
    })
}

/// One issue field of a blurb name: `gh-issue-<digits>` or `bpo-<digits>`.
fn issue_field(issue: &str) -> Result<(&'static str, &str), PathProblem> {
    let bad_name = |reason: String| PathProblem {
        status: Some(BAD_NAME),
        reason,
    };
    let (kind, number) = if let Some(n) = issue.strip_prefix("gh-issue-") {
        ("gh-issue", n)
    } else if let Some(n) = issue.strip_prefix("bpo-") {
        ("bpo", n)
    } else {
        return Err(bad_name(format!(
            "`{issue}` is not `gh-issue-<number>` or `bpo-<number>`"
        )));
    };
    if !all_digits(number) {
        return Err(bad_name(format!(
            "the issue number `{number}` is not digits"
        )));
    }
    Ok((kind, number))
}

fn check_fragment(rest: &str, root: &str, news: &NewsSettings) -> Result<EntryPath, PathProblem> {
    let bad = |reason: String| PathProblem {
        status: None,
        reason,
    };
    if rest.contains('/') {
        return Err(bad(format!("fragments go directly in `{root}`")));
    }
    let fields: Vec<&str> = rest.split('.').collect();
    let expected = format!("expected `<issue>.<type>.{}`", news.extension);
    let (issue, kind, counter, ext) = match fields[..] {
        [i, t, e] => (i, t, None, e),
        [i, t, n, e] => (i, t, Some(n), e),
        _ => return Err(bad(format!("`{rest}` is not a fragment name; {expected}"))),
    };
    if ext != "md" && ext != "rst" {
        return Err(bad(format!("`.{ext}` is not `.md` or `.rst`; {expected}")));
    }
    if !(all_digits(issue) || issue.starts_with('+') && issue.len() > 1) {
        return Err(bad(format!(
            "the issue `{issue}` is not a number (or `+<name>`)"
        )));
    }
    if !news.sections.iter().any(|s| s == kind) {
        return Err(bad(format!(
            "`{kind}` is not a fragment type; use one of: {}",
            news.sections.join(", ")
        )));
    }
    if counter.is_some_and(|n| !all_digits(n)) {
        return Err(bad(format!("the counter in `{rest}` is not a number")));
    }
    Ok(EntryPath {
        issue: ("issue".into(), issue.to_owned()),
        section: kind.to_owned(),
    })
}
