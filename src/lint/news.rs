//! NEWS entries: where they live and how they are named (NEWS-PATH), what they contain
//! (NEWS-BODY), whether the series needs one (NEWS-REQ), and writing one (`review news add`).
//! blurb's rules follow LINTS.md §2 with Part A's strict file name; towncrier fragments are
//! `<issue>.<type>[.<n>].<ext>` files in one directory.

use base64::Engine as _;
use md5::Digest as _;

use super::rules::NewsSettings;

/// bedevere's three status descriptions, printed word for word (LINTS.md Part A 6).
pub const NO_ENTRY: &str = "No news entry in Misc/NEWS.d/next/ or \"skip news\" label found";
pub const WRONG_DIRECTORY: &str = "News entry not in an appropriate directory";
pub const BAD_NAME: &str = "News entry file name incorrectly formatted";

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

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn date_ok(date: &str) -> bool {
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
    if dir.contains(' ') {
        return Err(PathProblem {
            status: None,
            reason: format!(
                "Space found in path, move to {root}{}/",
                dir.replace(' ', "_")
            ),
        });
    }
    let Some(section) = news.sections.iter().find(|s| section_directory(s) == dir) else {
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
    let [date, issue, nonce] = fields[..] else {
        return Err(bad_name(format!(
            "`{name}` has {} dot-separated fields before `.rst`, not 3; {expected}",
            fields.len()
        )));
    };
    if !date_ok(date) {
        return Err(bad_name(format!(
            "`{date}` is not a date like `2024-05-01-12-34-56`"
        )));
    }
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
    if nonce.is_empty()
        || !nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(bad_name(format!(
            "the nonce `{nonce}` must be letters, digits, `_` or `-`"
        )));
    }
    if kind == "gh-issue" && number.parse::<u64>().is_ok_and(|n| n < news.minimum_issue) {
        return Err(PathProblem {
            status: None,
            reason: format!(
                "Invalid gh-issue number: '{number}' (must be >= {})",
                news.minimum_issue
            ),
        });
    }
    Ok(EntryPath {
        issue: (kind.to_owned(), number.to_owned()),
        section: section.clone(),
    })
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

/// One parsed blurb entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub metadata: Vec<(String, String)>,
    pub body: String,
}

/// A NEWS-BODY problem: 1-based line and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyError {
    pub line: usize,
    pub message: String,
}

fn body_error(line: usize, message: impl Into<String>) -> BodyError {
    BodyError {
        line,
        message: message.into(),
    }
}

/// The content of an entry file as UTF-8, or a clear reason it is not.
pub fn decode(content: &[u8]) -> Result<&str, BodyError> {
    std::str::from_utf8(content).map_err(|e| {
        let at = e.valid_up_to();
        let line = content[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        body_error(
            line,
            format!(
                "not valid UTF-8 (byte 0x{:02x} at offset {at}); NEWS entries must be UTF-8",
                content[at]
            ),
        )
    })
}

/// Parses and validates blurb text (LINTS.md §2.3). `path_meta` are the keys the file name
/// supplies (they apply to the first entry only).
pub fn parse_blurb(
    text: &str,
    path_meta: &[(String, String)],
    news: &NewsSettings,
) -> Result<Vec<Entry>, BodyError> {
    let mut entries = Vec::new();
    let mut meta: Vec<(String, String)> = path_meta.to_vec();
    let mut body: Vec<&str> = Vec::new();
    let mut in_meta = true;
    let mut entry_line = 1;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        let number = i + 1;
        if in_meta {
            if line.is_empty() {
                continue;
            }
            if let Some(comment) = line.strip_prefix('#') {
                if let Some((name, value)) = comment
                    .trim_start()
                    .strip_prefix("..")
                    .and_then(|m| m.split_once(':'))
                {
                    if name.trim().eq_ignore_ascii_case("cve") && !value.trim().is_empty() {
                        return Err(body_error(
                            number,
                            format!("CVE given but the line is still commented out: '{line}'; remove the leading '#' to use it"),
                        ));
                    }
                }
                continue;
            }
            if let Some(rest) = line.strip_prefix("..") {
                let Some((name, value)) = rest.split_once(':') else {
                    return Err(body_error(
                        number,
                        format!("metadata line without a colon: `{line}` (write `.. name: value`)"),
                    ));
                };
                let name = name.trim().to_lowercase();
                if meta.iter().any(|(n, _)| *n == name) {
                    return Err(body_error(
                        number,
                        format!("Blurb metadata sets '{name}' twice!"),
                    ));
                }
                meta.push((name, value.trim().to_owned()));
                continue;
            }
            in_meta = false;
            entry_line = number;
        }
        if line == ".." {
            entries.push(finish(std::mem::take(&mut meta), &body, entry_line, news)?);
            body.clear();
            in_meta = true;
            entry_line = number + 1;
            continue;
        }
        body.push(line);
    }
    entries.push(finish(meta, &body, entry_line, news)?);
    Ok(entries)
}

fn finish(
    meta: Vec<(String, String)>,
    body: &[&str],
    line: usize,
    news: &NewsSettings,
) -> Result<Entry, BodyError> {
    let err = |m: String| Err(body_error(line, m));
    let body = body.join("\n").trim().to_owned();
    if body.is_empty() {
        return err("Blurb 'body' text must not be empty!".into());
    }
    let lower = body.to_lowercase();
    for prefix in ["- ", "Issue #", "bpo-", "gh-", "gh-issue-"] {
        if lower.starts_with(&prefix.to_lowercase()) {
            return err(format!("Blurb 'body' can't start with '{prefix}'!"));
        }
    }
    for (name, value) in &meta {
        match name.as_str() {
            "gh-issue" if !all_digits(value) => {
                return err(format!("Invalid GitHub number: '{value}'"))
            }
            "gh-issue" if value.parse::<u64>().is_ok_and(|n| n < news.minimum_issue) => {
                return err(format!(
                    "Invalid gh-issue number: '{value}' (must be >= {})",
                    news.minimum_issue
                ))
            }
            "bpo" if !all_digits(value) => return err(format!("Invalid bpo number: '{value}'")),
            "section" if !news.sections.contains(value) => {
                return err(format!(
                    "Invalid section '{value}'!  You must use one of the predefined sections."
                ))
            }
            "cve" if !cve_ok(value) => {
                return err(format!(
                    "Invalid CVE identifier: '{value}' (expected CVE-YYYY-NNNN)"
                ))
            }
            _ => {}
        }
    }
    let get = |key: &str| meta.iter().find(|(n, _)| n == key).map(|(_, v)| v.as_str());
    if get("cve").is_some() && get("section") != Some("Security") {
        return err("'cve:' may only be used in the 'Security' section!".into());
    }
    if get("gh-issue").is_none() && get("bpo").is_none() {
        return err("'gh-issue:' or 'bpo:' must be specified in the metadata!".into());
    }
    if get("section").is_none() {
        return err("No 'section' specified.  You must provide one!".into());
    }
    Ok(Entry {
        metadata: meta,
        body,
    })
}

fn cve_ok(value: &str) -> bool {
    let upper = value.to_uppercase();
    let rest = upper.strip_prefix("CVE-").unwrap_or(&upper);
    matches!(rest.split_once('-'), Some((y, n)) if y.len() == 4 && all_digits(y) && n.len() >= 4 && all_digits(n))
}

/// `CVE-YYYY-NNNN` for an accepted identifier.
pub fn normalise_cve(value: &str) -> String {
    let upper = value.trim().to_uppercase();
    if upper.starts_with("CVE-") {
        upper
    } else {
        format!("CVE-{upper}")
    }
}

/// The body as blurb stores it: paragraphs re-wrapped to 76 columns, except list items and
/// paragraphs after one ending in `::`; ends with one newline.
pub fn wrap_body(body: &str) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut keep_next = false;
    for para in body.trim().split("\n\n").filter(|p| !p.trim().is_empty()) {
        let para = para.trim_matches('\n');
        let first = para.trim_start();
        let is_list = first.starts_with("* ")
            || first.starts_with("- ")
            || first.starts_with("#. ")
            || first.split_once(". ").is_some_and(|(n, _)| all_digits(n));
        if keep_next || is_list {
            paragraphs.push(
                para.lines()
                    .map(str::trim_end)
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
        } else {
            let mut lines: Vec<String> = Vec::new();
            let mut current = String::new();
            for word in para.split_whitespace() {
                if !current.is_empty() && current.len() + 1 + word.len() > 76 {
                    lines.push(std::mem::take(&mut current));
                }
                if !current.is_empty() {
                    current.push(' ');
                }
                current.push_str(word);
            }
            lines.push(current);
            paragraphs.push(lines.join("\n"));
        }
        keep_next = para.trim_end().ends_with("::");
    }
    let mut out = paragraphs.join("\n\n");
    out.push('\n');
    out
}

/// blurb's nonce: the first six characters of the URL-safe base64 MD5 of the body.
pub fn nonce(body: &str) -> String {
    let digest = md5::Md5::digest(body.as_bytes());
    base64::engine::general_purpose::URL_SAFE.encode(digest)[..6].to_owned()
}

/// `--issue` as blurb accepts it: `12345`, `gh-12345`, `GH-12345`, `#12345`, or
/// `[https://]github.com/python/cpython/issues/12345`.
pub fn parse_issue_option(raw: &str) -> Result<u64, String> {
    let s = raw.trim();
    let number = s
        .strip_prefix("gh-")
        .or_else(|| s.strip_prefix("GH-"))
        .or_else(|| s.strip_prefix('#'))
        .or_else(|| {
            s.strip_prefix("https://")
                .unwrap_or(s)
                .strip_prefix("github.com/python/cpython/issues/")
        })
        .unwrap_or(s);
    match number.parse::<u64>() {
        Ok(n) if all_digits(number) => Ok(n),
        _ => Err(format!("Invalid GitHub issue number: {raw}")),
    }
}

/// `--section` as blurb accepts it: a name exactly, or fully lower-cased.
pub fn parse_section_option(raw: &str, sections: &[String]) -> Result<String, String> {
    if raw.trim().is_empty() {
        return Err("Empty section name!".into());
    }
    sections
        .iter()
        .find(|s| *s == raw || s.to_lowercase() == raw)
        .cloned()
        .ok_or_else(|| {
            format!(
                "Invalid section name: '{raw}'; valid names: {}",
                sections.join(", ")
            )
        })
}

/// The issue number in a branch name such as `gh-12345-fix-crash`.
pub fn issue_from_branch(branch: &str) -> Option<u64> {
    let name = branch.rsplit('/').next().unwrap_or(branch);
    let rest = name.strip_prefix("gh-")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let after = &rest[digits.len()..];
    (after.is_empty() || after.starts_with(['-', '_', '.']))
        .then(|| digits.parse().ok())
        .flatten()
}

/// The editor template for a blurb entry. Only the `..` lines follow blurb's format.
pub fn blurb_template(issue: Option<u64>, section: Option<&str>, sections: &[String]) -> String {
    let mut t = String::from(
        "# New NEWS entry. Lines starting with '#' are ignored.\n#\n# The GitHub issue this change fixes:\n",
    );
    t.push_str(&format!(
        ".. gh-issue: {}\n\n# Keep exactly one section line, without its '#':\n",
        issue.map(|n| n.to_string()).unwrap_or_default()
    ));
    for s in sections {
        if Some(s.as_str()) == section {
            t.push_str(&format!(".. section: {s}\n"));
        } else {
            t.push_str(&format!("#.. section: {s}\n"));
        }
    }
    t.push_str(
        "\n# For a Security entry you may name the vulnerability, e.g. CVE-2025-1234:\n#.. cve:\n\n\
         # Below, describe the change for users in one reST paragraph. Do not start with\n\
         # \"gh-NNNN:\" or \"- \": the issue number is added when the NEWS file is built.\n",
    );
    t
}

/// NEWS-REQ: what a series' changes say about needing an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// An entry is present and valid.
    Met,
    /// No entry needed, and why.
    Skipped(String),
    /// An entry is missing: bedevere's description and the precise reason.
    Missing(&'static str, String),
}

/// One changed path, as NEWS-REQ sees it.
#[derive(Debug, Clone)]
pub struct Changed<'a> {
    pub path: &'a str,
    pub deleted: bool,
    /// The path is a valid entry (NEWS-PATH and NEWS-BODY pass, content non-empty).
    pub valid_entry: bool,
}

/// Decides NEWS-REQ. `explicit` is a skip reason from `--skip-news` or the trailer.
pub fn requirement(
    changed: &[Changed<'_>],
    news: &NewsSettings,
    explicit: Option<&str>,
) -> Requirement {
    if changed.is_empty() {
        return Requirement::Skipped("the series changes no file".into());
    }
    if changed.iter().any(|c| c.valid_entry && !c.deleted) {
        return Requirement::Met;
    }
    // bedevere's docs rule; a file in the NEWS directory makes it a NEWS attempt, not docs.
    let news_dir = format!("{}/", news.directory);
    if changed
        .iter()
        .all(|c| news.skips(c.path) && !c.path.starts_with(&news_dir))
    {
        return Requirement::Skipped("every changed file is documentation".into());
    }
    if let Some(reason) = explicit {
        return Requirement::Skipped(reason.to_owned());
    }
    let root = entry_root(news);
    let hint = format!(
        "add one with `review news add`, or skip it with `--skip-news` or a `{}: <reason>` trailer",
        news.skip_trailer
    );
    let under: Vec<&Changed<'_>> = changed
        .iter()
        .filter(|c| !c.deleted && c.path.starts_with(&root))
        .collect();
    if under.is_empty() {
        let status = if news.format == crate::config::NewsFormat::Towncrier {
            "No news fragment found"
        } else {
            NO_ENTRY
        };
        return Requirement::Missing(status, format!("nothing added under `{root}`; {hint}"));
    }
    let deep = news.format == crate::config::NewsFormat::Towncrier
        || under
            .iter()
            .any(|c| c.path[root.len()..].split('/').count() == 2);
    if !deep {
        return Requirement::Missing(
            WRONG_DIRECTORY,
            format!("entries go in `{root}<section>/`; see NEWS-PATH"),
        );
    }
    Requirement::Missing(
        BAD_NAME,
        "no changed entry is valid; see NEWS-PATH and NEWS-BODY".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Preset};
    use crate::lint::rules::Rules;

    fn cpython() -> NewsSettings {
        let mut config = Config::default();
        config.lint.preset = Preset::Cpython;
        Rules::from_config(&config).unwrap().news
    }

    fn path_verdict(path: &str) -> Result<EntryPath, String> {
        check_path(path, &cpython()).map_err(|p| p.message())
    }

    #[test]
    fn lints_4_6_news_path() {
        let n = "Misc/NEWS.d/next";
        let pass = [
            (
                "4.6#1",
                format!("{n}/Library/2024-05-01-12-34-56.gh-issue-118000.AbC_d-.rst"),
            ),
            (
                "4.6#2",
                format!("{n}/Library/2024-05-01.gh-issue-118000.AbCdEf.rst"),
            ),
            (
                "4.6#3",
                format!("{n}/Library/2024-05-01-12-34-56.bpo-12345.AbCdEf.rst"),
            ),
            (
                "4.6#11",
                format!("{n}/Tools-Demos/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"),
            ),
            (
                "4.6 extra long nonce",
                format!("{n}/Library/2024-05-01-12-34-56.gh-issue-118000.fix-warning-dedup.rst"),
            ),
            (
                "4.6 extra iOS (2.3.0)",
                format!("{n}/iOS/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"),
            ),
        ];
        for (name, path) in pass {
            assert!(
                path_verdict(&path).is_ok(),
                "{name}: {:?}",
                path_verdict(&path)
            );
        }
        let fail = [
            (
                "4.6#4",
                format!("{n}/Library/2024-05-01-12-34-56.gh-issue-118000,118001.AbCdEf.rst"),
                BAD_NAME,
            ),
            (
                "4.6#5",
                format!("{n}/Library/2024-05-01-12-34-56.gh-118000.AbCdEf.rst"),
                BAD_NAME,
            ),
            (
                "4.6#6",
                format!("{n}/Library/2024-05-01-12-34-56.gh-issue-118000.rst"),
                BAD_NAME,
            ),
            (
                "4.6#7",
                format!("{n}/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"),
                WRONG_DIRECTORY,
            ),
            (
                "4.6#8",
                format!("{n}/Funky/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"),
                "`Funky` is not a section directory",
            ),
            (
                "4.6#9",
                format!("{n}/Core and Builtins/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"),
                "Space found in path, move to Misc/NEWS.d/next/Core_and_Builtins/",
            ),
            (
                "4.6#10",
                format!("{n}/C API/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"),
                "Space found in path, move to Misc/NEWS.d/next/C_API/",
            ),
            (
                "4.6#12",
                format!("{n}/Library/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.txt"),
                BAD_NAME,
            ),
            (
                "4.6#13",
                format!("{n}/Library/2024-5-1-12-34-56.gh-issue-118000.AbCdEf.rst"),
                BAD_NAME,
            ),
            (
                "4.6#14",
                format!("{n}/library/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"),
                "`library` is not a section directory",
            ),
            (
                "4.6#15",
                format!("{n}/Library/2024-05-01-12-34-56.gh-issue-100.AbCdEf.rst"),
                "Invalid gh-issue number: '100' (must be >= 32426)",
            ),
            (
                "4.6 extra two nonces",
                format!("{n}/Library/2024-05-01-12-34-56.gh-issue-118000.AbC.dE.rst"),
                BAD_NAME,
            ),
            (
                "4.6 extra .orig (Rec.)",
                format!("{n}/Library/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst.orig"),
                BAD_NAME,
            ),
            (
                "4.6 extra sub dir",
                format!("{n}/Library/sub/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"),
                WRONG_DIRECTORY,
            ),
            (
                "4.6 extra two issues",
                format!("{n}/Library/2024-05-01-12-34-56.gh-issue-118000.bpo-1234.AbCdEf.rst"),
                BAD_NAME,
            ),
            (
                "4.6 extra GH-ISSUE",
                format!("{n}/Library/2024-05-01-12-34-56.GH-ISSUE-118000.AbCdEf.rst"),
                BAD_NAME,
            ),
            (
                "4.6 extra .RST",
                format!("{n}/Library/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.RST"),
                BAD_NAME,
            ),
        ];
        for (name, path, expected) in fail {
            let message = path_verdict(&path).expect_err(name);
            assert!(message.contains(expected), "{name}: {message}");
        }
        let news = cpython();
        assert!(
            !is_entry_candidate(&format!("{n}/Library/README.rst"), &news),
            "4.6 extra README"
        );
        assert!(!is_entry_candidate("Misc/NEWS.d/3.13.0a1.rst", &news));
        // Part A 5: a project may pin blurb 2.2's 11 sections; then iOS is unknown.
        let mut eleven = news.clone();
        eleven.sections.retain(|s| {
            ![
                "iOS",
                "Android",
                "FreeBSD",
                "WASI",
                "Emscripten",
                "Unsupported platforms",
            ]
            .contains(&s.as_str())
        });
        assert!(check_path(
            &format!("{n}/iOS/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"),
            &eleven
        )
        .is_err());
    }

    fn body_verdict(content: &[u8]) -> Result<(), String> {
        let news = cpython();
        let path = "Misc/NEWS.d/next/Library/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst";
        let entry = check_path(path, &news).unwrap();
        let meta = vec![entry.issue, ("section".into(), entry.section)];
        let text = decode(content).map_err(|e| e.message)?;
        parse_blurb(text, &meta, &news)
            .map(|_| ())
            .map_err(|e| e.message)
    }

    #[test]
    fn lints_4_7_news_body() {
        let cases: &[(&str, &[u8], Option<&str>)] = &[
            ("4.7#1", b"Fix a crash in :func:`os.stat`.\n", None),
            ("4.7#2", b"", Some("Blurb 'body' text must not be empty!")),
            (
                "4.7#3 template only",
                b"# just a comment\n\n",
                Some("Blurb 'body' text must not be empty!"),
            ),
            (
                "4.7#4",
                b".. gh-issue: 118000\n.. section: Library\n\nFix it.\n",
                Some("Blurb metadata sets 'gh-issue' twice!"),
            ),
            (
                "4.7#5",
                b"gh-118000: Fix it.\n",
                Some("Blurb 'body' can't start with 'gh-'!"),
            ),
            (
                "4.7#6",
                b"- Fix it.\n",
                Some("Blurb 'body' can't start with '- '!"),
            ),
            (
                "4.7#7",
                b"Issue #1234: Fix it.\n",
                Some("Blurb 'body' can't start with 'Issue #'!"),
            ),
            (
                "4.7#8",
                b"bpo-1234: Fix it.\n",
                Some("Blurb 'body' can't start with 'bpo-'!"),
            ),
            (
                "4.7#9",
                b"GH-118000 fixed.\n",
                Some("Blurb 'body' can't start with 'gh-'!"),
            ),
            (
                "4.7#10",
                b"First entry.\n..\nSecond entry.\n",
                Some("'gh-issue:' or 'bpo:' must be specified in the metadata!"),
            ),
            (
                "4.7#11",
                b".. note:: Something important\n",
                Some("Blurb 'body' text must not be empty!"),
            ),
            (
                "4.7#12 no colon",
                b".. hello there\n\nxyz!\n",
                Some("metadata line without a colon: `.. hello there`"),
            ),
            ("4.7#13", b"\n\n   Indented start.   \n\n\n", None),
            (
                "4.7#14 Latin-1",
                b"Caf\xe9 latin-1 byte.\n",
                Some("not valid UTF-8 (byte 0xe9 at offset 3)"),
            ),
            (
                "4.7#15 (2.3.0)",
                b".. cve: CVE-2025-1234\n\nFix it.\n",
                Some("'cve:' may only be used in the 'Security' section!"),
            ),
            ("4.7 extra list", b"* first item\n* second item\n", None),
            ("4.7 extra no EOL", b"No trailing newline", None),
            ("4.7 extra unknown key", b".. foo: bar\n\nFix.\n", None),
            (
                "4.7 extra section twice",
                b".. section: Library\n\nFix.\n",
                Some("Blurb metadata sets 'section' twice!"),
            ),
            (
                "4.7 extra commented cve",
                b"#.. cve: CVE-2025-12345\n\nFix it.\n",
                Some("CVE given but the line is still commented out: '#.. cve: CVE-2025-12345'"),
            ),
            (
                "4.7 extra bare ..",
                b"..\n",
                Some("metadata line without a colon"),
            ),
        ];
        for (name, input, expected) in cases {
            match (body_verdict(input), expected) {
                (Ok(()), None) => {}
                (Err(m), Some(e)) => assert!(m.contains(e), "{name}: {m}"),
                (got, _) => panic!("{name}: {got:?}"),
            }
        }
    }

    fn add_verdict(text: &str) -> Result<Vec<Entry>, String> {
        parse_blurb(text, &[], &cpython()).map_err(|e| e.message)
    }

    #[test]
    fn lints_4_8_news_add() {
        let news = cpython();
        let t = |issue: &str, section: Option<&str>, body: &str| {
            let mut t = blurb_template(None, section, &news.sections)
                .replace(".. gh-issue: \n", &format!(".. gh-issue: {issue}\n"));
            t.push_str(body);
            t
        };
        assert_eq!(
            add_verdict(&t("", None, "")).unwrap_err(),
            "Blurb 'body' text must not be empty!",
            "4.8#1"
        );
        assert_eq!(
            add_verdict(&t("118000", Some("Library"), "")).unwrap_err(),
            "Blurb 'body' text must not be empty!",
            "4.8#2"
        );
        assert_eq!(
            add_verdict(&t("", None, "Fix it.\n")).unwrap_err(),
            "Invalid GitHub number: ''",
            "4.8#3"
        );
        let ok = add_verdict(&t("118000", Some("Library"), "Fix it.\n")).unwrap();
        assert_eq!(ok.len(), 1, "4.8#4");
        let body = wrap_body(&ok[0].body);
        assert_eq!(body, "Fix it.\n", "4.8#4");
        assert_eq!(nonce(&body), "uU4zSB", "4.8#4 nonce");
        let cases: &[(&str, &str, Option<&str>)] = &[
            (
                "4.8#5",
                ".. gh-issue: 118000\n.. section: Funky Kong\n\nFix.\n",
                Some("Invalid section 'Funky Kong'!  You must use one of the predefined sections."),
            ),
            (
                "4.8#6",
                ".. gh-issue: 32425\n.. section: Library\n\nFix.\n",
                Some("Invalid gh-issue number: '32425' (must be >= 32426)"),
            ),
            (
                "4.8#7",
                ".. gh-issue: 32426\n.. section: Library\n\nFix.\n",
                None,
            ),
            (
                "4.8#8",
                ".. bpo: abc\n.. section: Library\n\nFix.\n",
                Some("Invalid bpo number: 'abc'"),
            ),
            ("4.8#9", ".. bpo: 12\n.. section: Library\n\nFix.\n", None),
            (
                "4.8#10",
                ".. gh-issue: 118000\n\nFix.\n",
                Some("No 'section' specified.  You must provide one!"),
            ),
            (
                "4.8#11",
                ".. section: Library\n\nFix.\n",
                Some("'gh-issue:' or 'bpo:' must be specified in the metadata!"),
            ),
            (
                "4.8#12",
                ".. GH-Issue: 118000\n.. section: Library\n\nFix.\n",
                None,
            ),
            (
                "4.8#13",
                ".. gh-issue: 118000\n.. section: library\n\nFix.\n",
                Some("Invalid section 'library'!"),
            ),
            (
                "4.8 extra gh- value",
                ".. gh-issue: gh-118000\n.. section: Library\n\nFix.\n",
                Some("Invalid GitHub number: 'gh-118000'"),
            ),
            (
                "4.8 extra both keys",
                ".. gh-issue: 118000\n.. bpo: 12\n.. section: Library\n\nFix.\n",
                None,
            ),
            (
                "4.8 extra cve",
                ".. gh-issue: 118000\n.. section: Security\n.. cve: cve-2025-1234\n\nFix.\n",
                None,
            ),
            (
                "4.8 extra bad cve",
                ".. gh-issue: 118000\n.. section: Security\n.. cve: 2025-12\n\nFix.\n",
                Some("Invalid CVE identifier: '2025-12' (expected CVE-YYYY-NNNN)"),
            ),
            (
                "4.8 extra +40000 (Rec.)",
                ".. gh-issue: +40000\n.. section: Library\n\nFix.\n",
                Some("Invalid GitHub number: '+40000'"),
            ),
        ];
        for (name, input, expected) in cases {
            match (add_verdict(input), expected) {
                (Ok(_), None) => {}
                (Err(m), Some(e)) => assert!(m.contains(e), "{name}: {m}"),
                (got, _) => panic!("{name}: {got:?}"),
            }
        }
        // 4.8#14: two entries parse; `news add` refuses more than one.
        let two = add_verdict(".. gh-issue: 118000\n.. section: Library\n\nOne.\n..\n.. gh-issue: 118001\n.. section: Library\n\nTwo.\n").unwrap();
        assert_eq!(two.len(), 2, "4.8#14");
        assert_eq!(normalise_cve("cve-2025-1234"), "CVE-2025-1234");
        // 4.8#15: the --issue forms.
        for ok in [
            "12345",
            "gh-12345",
            "GH-12345",
            "#12345",
            "github.com/python/cpython/issues/12345",
            "https://github.com/python/cpython/issues/12345",
            " 12345 ",
        ] {
            assert_eq!(parse_issue_option(ok), Ok(12345), "4.8#15 {ok}");
        }
        for bad in [
            "bpo-12345",
            "Gh-123",
            "gh-",
            "https://github.com/python/cpython/issues/1234?param=1",
        ] {
            assert_eq!(
                parse_issue_option(bad),
                Err(format!("Invalid GitHub issue number: {bad}")),
                "4.8#15 {bad}"
            );
        }
        assert_eq!(
            parse_section_option("c api", &news.sections),
            Ok("C API".into())
        );
        assert!(parse_section_option("C api", &news.sections)
            .unwrap_err()
            .starts_with("Invalid section name: 'C api'"));
        assert_eq!(
            parse_section_option(" ", &news.sections),
            Err("Empty section name!".into())
        );
    }

    #[test]
    fn lints_4_9_news_req() {
        let news = cpython();
        let g = "Misc/NEWS.d/next/Library/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst";
        let valid = |p: &str| is_entry_candidate(p, &news) && check_path(p, &news).is_ok();
        let run = |files: &[&str], skip: Option<&str>| {
            let changed: Vec<Changed<'_>> = files
                .iter()
                .map(|p| Changed {
                    path: p,
                    deleted: false,
                    valid_entry: valid(p),
                })
                .collect();
            requirement(&changed, &news, skip)
        };
        assert_eq!(run(&["Lib/os.py", g], None), Requirement::Met, "4.9#1");
        assert!(
            matches!(run(&["Lib/os.py"], None), Requirement::Missing(NO_ENTRY, _)),
            "4.9#2"
        );
        assert!(
            matches!(
                run(&["Lib/os.py"], Some("typo fix")),
                Requirement::Skipped(_)
            ),
            "4.9#3 as --skip-news"
        );
        assert!(
            matches!(
                run(
                    &["Misc/NEWS.d/next/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"],
                    None
                ),
                Requirement::Missing(WRONG_DIRECTORY, _)
            ),
            "4.9#5"
        );
        assert!(
            matches!(
                run(
                    &["Misc/NEWS.d/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"],
                    None
                ),
                Requirement::Missing(NO_ENTRY, _)
            ),
            "4.9#6"
        );
        assert!(
            matches!(
                run(
                    &["Misc/NEWS.d/next/Library/2024-05-01.gh-issue-118000.rst"],
                    None
                ),
                Requirement::Missing(BAD_NAME, _)
            ),
            "4.9#7"
        );
        // 4.9#8: an empty entry fails NEWS-BODY, so it is not a valid entry.
        let empty = [
            Changed {
                path: g,
                deleted: false,
                valid_entry: false,
            },
            Changed {
                path: "Lib/os.py",
                deleted: false,
                valid_entry: false,
            },
        ];
        assert!(
            matches!(
                requirement(&empty, &news, None),
                Requirement::Missing(BAD_NAME, _)
            ),
            "4.9#8"
        );
        assert!(
            matches!(
                run(
                    &[
                        "Lib/os.py",
                        "Misc/NEWS.d/next/Funky/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"
                    ],
                    None
                ),
                Requirement::Missing(BAD_NAME, _)
            ),
            "4.9#9 (Rec.: FAIL)"
        );
        assert_eq!(
            run(&["Misc/NEWS.d/next/Library/bad.rst", g], None),
            Requirement::Met,
            "4.9#10"
        );
        assert!(
            matches!(run(&["Doc/library/os.rst"], None), Requirement::Skipped(_)),
            "4.9#12"
        );
        assert_eq!(
            run(&["Doc/library/os.rst", g], None),
            Requirement::Met,
            "4.9#13"
        );
        assert!(
            matches!(
                run(&["Lib/test/test_os.py"], None),
                Requirement::Missing(NO_ENTRY, _)
            ),
            "4.9#14"
        );
        assert!(
            matches!(
                run(&["Doc/library/os.rst", "Lib/os.py"], None),
                Requirement::Missing(NO_ENTRY, _)
            ),
            "4.9#15"
        );
        assert!(
            matches!(
                run(&["README.md", "Doc/.nitignore"], None),
                Requirement::Skipped(_)
            ),
            "4.9 extra docs"
        );
        assert!(
            matches!(run(&["Doc/conf.py"], None), Requirement::Missing(..)),
            "4.9 extra conf.py"
        );
    }

    #[test]
    fn issue_comes_from_branch_names_like_gh_12345() {
        assert_eq!(issue_from_branch("gh-12345-fix-crash"), Some(12345));
        assert_eq!(issue_from_branch("me/gh-12345"), Some(12345));
        assert_eq!(issue_from_branch("gh-12a"), None);
        assert_eq!(issue_from_branch("main"), None);
    }

    #[test]
    fn wrapping_keeps_lists_and_wraps_prose_at_76() {
        let long = "word ".repeat(30);
        let wrapped = wrap_body(&long);
        assert!(wrapped.lines().all(|l| l.len() <= 76), "{wrapped}");
        assert_eq!(wrap_body("* a\n* b"), "* a\n* b\n");
    }
}
