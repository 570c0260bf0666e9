//! NEWS-BODY: what an entry contains (blurb's metadata and body, LINTS.md §2.3), and the body
//! as blurb stores it.

use base64::Engine as _;
use md5::Digest as _;

use super::path::all_digits;
use super::NewsSettings;

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
