//! `review news add`: the options blurb accepts and the editor template.

use super::path::all_digits;

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
