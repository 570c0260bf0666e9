//! SL-WS: sphinx-lint's whitespace checkers (trailing blanks, TABs, final newline), as they
//! see a file read with universal newlines (so CR and CRLF endings are invisible).
//!
//! SL-DR: sphinx-lint's `default-role` check. Single-backtick interpreted text with no role
//! before or after it and no hyperlink underscore is a default role. Literal blocks (after a
//! paragraph ending in `::`), the bodies of code-like directives and comments are hidden first,
//! and each line is judged on its own (interpreted text spanning lines is not detected).

use super::check::{FileCheck, Found};
use super::column;
use super::table::RuleId;

/// Which lines (0-based) are hidden from the check.
pub fn hidden_lines(lines: &[&str]) -> Vec<bool> {
    const CODE_DIRECTIVES: &[&str] = &[
        "code-block",
        "code",
        "sourcecode",
        "doctest",
        "testcode",
        "testoutput",
        "productionlist",
        "highlight",
        "raw",
        "math",
        "literalinclude",
    ];
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut hidden = vec![false; lines.len()];
    // The indentation a hidden block must exceed, while inside one.
    let mut block: Option<usize> = None;
    for (i, line) in lines.iter().enumerate() {
        let blank = line.trim().is_empty();
        if let Some(outer) = block {
            if blank || indent(line) > outer {
                hidden[i] = true;
                continue;
            }
            block = None;
        }
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(".. ") {
            let directive = rest.split_once("::").map(|(name, _)| name.trim());
            match directive {
                Some(name) if CODE_DIRECTIVES.contains(&name) => block = Some(indent(line)),
                Some(_) => {}
                None if rest.starts_with('_') || rest.starts_with('[') || rest.starts_with('|') => {
                }
                None => {
                    hidden[i] = true;
                    block = Some(indent(line));
                }
            }
        } else if trimmed == ".." {
            hidden[i] = true;
            block = Some(indent(line));
        } else if line.trim_end().ends_with("::") {
            block = Some(indent(line));
        }
    }
    hidden
}

fn is_role_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '+' | ':')
}

/// `text` ends with a role tag such as `:func:` or `:py:func:`.
fn ends_with_role(text: &str) -> bool {
    let Some(inner) = text.strip_suffix(':') else {
        return false;
    };
    let name_len = inner
        .chars()
        .rev()
        .take_while(|&c| is_role_char(c) && c != ':')
        .map(char::len_utf8)
        .sum::<usize>();
    name_len > 0 && inner[..inner.len() - name_len].ends_with(':')
}

/// `text` starts with a role tag.
fn starts_with_role(text: &str) -> bool {
    let Some(inner) = text.strip_prefix(':') else {
        return false;
    };
    let name_len: usize = inner
        .chars()
        .take_while(|&c| is_role_char(c) && c != ':')
        .map(char::len_utf8)
        .sum();
    name_len > 0 && inner[name_len..].starts_with(':')
}

/// Replaces ``inline literals`` and escaped characters with spaces, so their backticks vanish.
fn blank_literals(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(pos) = rest.find(['\\', '`']) {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if let Some(after) = tail.strip_prefix('\\') {
            let skip = after.chars().next().map_or(0, char::len_utf8);
            out.push_str(&" ".repeat(1 + skip));
            rest = &after[skip..];
        } else if let Some(after) = tail.strip_prefix("``") {
            match after.find("``") {
                Some(end) => {
                    out.push_str(&" ".repeat(end + 4));
                    rest = &after[end + 2..];
                }
                None => {
                    out.push_str("``");
                    rest = after;
                }
            }
        } else {
            out.push('`');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

/// Whether the line uses the default role (reported once per line).
pub fn default_role(line: &str) -> bool {
    let line = blank_literals(line);
    let stripped = line.trim();
    let table_row =
        stripped.starts_with('|') && stripped.ends_with('|') && stripped.matches('|').count() >= 4;
    let bytes = line.as_bytes();
    let start_ok = |i: usize| {
        i == 0 || {
            let c = line[..i].chars().next_back().unwrap_or(' ');
            c.is_whitespace() || "-:/'\"<([{".contains(c)
        }
    };
    let end_ok = |rest: &str| {
        rest.chars()
            .next()
            .is_none_or(|c| c.is_whitespace() || "-.,:;!?\\/'\")]}>".contains(c))
    };
    for open in memchr::memchr_iter(b'`', bytes) {
        if !start_ok(open)
            || bytes
                .get(open + 1)
                .is_none_or(|b| b.is_ascii_whitespace() || *b == b'`')
        {
            continue;
        }
        for close in memchr::memchr_iter(b'`', &bytes[open + 2..]).map(|c| c + open + 2) {
            if bytes[close - 1].is_ascii_whitespace() {
                continue;
            }
            let after = &line[close + 1..];
            if after.starts_with('_') || starts_with_role(after) || ends_with_role(&line[..open]) {
                return false;
            }
            if end_ok(after) {
                if table_row && line[open..=close].contains('|') {
                    return false;
                }
                return true;
            }
        }
        return false;
    }
    false
}

/// What SL-WS finds on one line: (byte offset, message).
pub fn whitespace_line(line: &[u8]) -> Vec<(usize, &'static str)> {
    let body = line.strip_suffix(b"\n").unwrap_or(line);
    let body = body.strip_suffix(b"\r").unwrap_or(body);
    let mut found = Vec::new();
    if let Some(at) = memchr::memchr(b'\t', body) {
        found.push((at, "TAB character (sphinx-lint horizontal-tab)"));
    }
    let kept = body
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |i| i + 1);
    if kept < body.len() {
        found.push((
            kept,
            "trailing whitespace (sphinx-lint trailing-whitespace)",
        ));
    }
    found
}

/// SL-WS `missing-final-newline`: the last line has no line ending (CR counts as one).
pub fn missing_final_newline(content: &[u8]) -> bool {
    content.last().is_some_and(|&b| b != b'\n' && b != b'\r')
}

/// SL-WS and SL-DR on a reST file the range added lines to.
pub fn check_file(id: RuleId, ctx: &FileCheck<'_>, out: &mut Found<'_>) {
    if !ctx.has_added() {
        return;
    }
    match (id, std::str::from_utf8(ctx.content)) {
        // SL-DR reports an undecodable file when it runs; say it once.
        (RuleId::SlWs, Err(e)) if !ctx.judged_by(RuleId::SlDr) => {
            out.push(1, 1, id, decode_message(ctx.content, &e), false)
        }
        (RuleId::SlDr, Err(e)) => out.push(1, 1, id, decode_message(ctx.content, &e), false),
        (RuleId::SlWs, Ok(_)) => check_whitespace(ctx, out),
        (RuleId::SlDr, Ok(text)) => check_default_role(ctx, text, out),
        _ => {}
    }
}

/// sphinx-lint's complaint about a file that is not UTF-8.
fn decode_message(content: &[u8], e: &std::str::Utf8Error) -> String {
    format!(
        "cannot decode as UTF-8 (byte 0x{:02x} at offset {}); reST files must be UTF-8",
        content[e.valid_up_to()],
        e.valid_up_to()
    )
}

fn check_whitespace(ctx: &FileCheck<'_>, out: &mut Found<'_>) {
    // WS-TRAIL already reports trailing blanks where it applies; say it once.
    let trail = ctx.judged_by(RuleId::WsTrail);
    for &n in &ctx.file.added {
        let text = ctx.line(n);
        for (at, message) in whitespace_line(text) {
            if !trail || !message.starts_with("trailing") {
                out.push(n, column(text, at), RuleId::SlWs, message, false);
            }
        }
    }
    if missing_final_newline(ctx.content) && !ctx.base_has(missing_final_newline) {
        let last = ctx.line(ctx.last());
        out.push(
            ctx.last(),
            column(last, last.len()),
            RuleId::SlWs,
            "no newline at end of file (sphinx-lint missing-final-newline)",
            false,
        );
    }
}

fn check_default_role(ctx: &FileCheck<'_>, text: &str, out: &mut Found<'_>) {
    let lines: Vec<&str> = text
        .split_inclusive('\n')
        .map(|l| l.trim_end_matches(['\n', '\r']))
        .collect();
    let hidden = hidden_lines(&lines);
    for &n in &ctx.file.added {
        if n <= lines.len() && !hidden[n - 1] && default_role(lines[n - 1]) {
            out.push(
                n,
                1,
                RuleId::SlDr,
                "default role used (hint: for inline literals, use double backticks)",
                false,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Vec<usize> {
        let lines: Vec<&str> = text.lines().collect();
        let hidden = hidden_lines(&lines);
        (0..lines.len())
            .filter(|&i| !hidden[i] && default_role(lines[i]))
            .map(|i| i + 1)
            .collect()
    }

    /// (case name, input, (line, message) expected)
    type WsCase<'a> = (&'a str, &'a [u8], &'a [(usize, &'a str)]);

    /// (rule messages found, by line) for a whole file, as the engine would for a new one.
    fn sl_ws(content: &[u8]) -> Vec<(usize, &'static str)> {
        let mut found = Vec::new();
        let spans = crate::lint::source::line_spans(content);
        for (i, &(s, e)) in spans.iter().enumerate() {
            for (_, message) in whitespace_line(&content[s..e]) {
                found.push((i + 1, message));
            }
        }
        if missing_final_newline(content) {
            found.push((spans.len(), "missing final newline"));
        }
        found
    }

    #[test]
    fn lints_4_14_sl_ws() {
        let tab = "TAB character (sphinx-lint horizontal-tab)";
        let trail = "trailing whitespace (sphinx-lint trailing-whitespace)";
        let eof = "missing final newline";
        let cases: &[WsCase<'_>] = &[
            ("4.14#1", b"Text.\n", &[]),
            ("4.14#2", b"Text. \n", &[(1, trail)]),
            ("4.14#3", b"Text.\t\n", &[(1, tab), (1, trail)]),
            ("4.14#4", b"\tIndented.\n", &[(1, tab)]),
            ("4.14#5", b"Text.", &[(1, eof)]),
            ("4.14#6 CRLF", b"Text.\r\n", &[]),
            ("4.14#7", b"Text. \r\n", &[(1, trail)]),
            ("4.14#9", b"Example::\n\n\tcode\n", &[(3, tab)]),
            ("4.14#10 NBSP", b"Text.\xc2\xa0\n", &[]),
            ("4.14#11", b"   \n", &[(1, trail)]),
            ("4.14#13", b"Text.\n\n\n", &[]),
            ("4.14#14", b"", &[]),
            ("4.14#15", b"Text.\n   ", &[(2, trail), (2, eof)]),
            ("4.14 extra FF", b"Text.\x0c\n", &[]),
        ];
        for (name, input, expected) in cases {
            assert_eq!(sl_ws(input), *expected, "{name}");
        }
        // 4.14#8: a bare CR is a line break for sphinx-lint, so nothing trails.
        assert!(whitespace_line(b"Text.\rMore.\n").is_empty(), "4.14#8");
    }

    #[test]
    fn lints_4_15_sl_dr() {
        let cases: &[(&str, &str, &[usize])] = &[
            ("4.15#1", "Use ``print``.\n", &[]),
            ("4.15#2", "Use `print`.\n", &[1]),
            ("4.15#3", "Use :func:`print`.\n", &[]),
            ("4.15#4 hyperlink", "See `Python <https://python.org>`_.\n", &[]),
            ("4.15#5 reference", "See `target`_.\n", &[]),
            ("4.15#6 anonymous", "See `anon <https://x.org>`__.\n", &[]),
            ("4.15#7 literal block", "Example::\n\n    x = `y`\n", &[]),
            ("4.15#8 directive body", ".. code-block:: python\n\n   x = `y`\n", &[]),
            ("4.15#9 escaped", "Escaped \\`not a role\\`.\n", &[]),
            ("4.15#10 role suffix", "Suffix role `print`:func: here.\n", &[]),
            ("4.15#11 comment", ".. a comment with `backticks`\n", &[]),
            ("4.15#12 multi-line", "Starts `multi\nline` here.\n", &[]),
            (
                "4.15#13 once per line",
                "Improve performance of `PyFloat_Pack4`, `PyFloat_Pack8`, `PyFloat_Unpack4` and `PyFloat_Unpack8`.\n",
                &[1],
            ),
            ("4.15#14 grid table", "+-----+-----+\n| `a` | b   |\n+-----+-----+\n", &[2]),
            ("4.15#15", "Use `:func:`sum` here.\n", &[1]),
            ("4.15 extra suffix s", "Use `print`s.\n", &[]),
            ("4.15 extra triple", "Use ```triple```.\n", &[]),
            ("4.15 extra roles", ":pep:`8` and :gh:`1234`.\n", &[]),
            ("prose after a literal block", "Example::\n\n    x = `y`\n\nUse `z`.\n", &[5]),
            ("note body is prose", ".. note::\n\n   Use `z`.\n", &[3]),
        ];
        for (name, input, expected) in cases {
            assert_eq!(check(input), *expected, "{name}");
        }
    }
}
