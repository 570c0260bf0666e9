//! SL-DR: sphinx-lint's `default-role` check. Single-backtick interpreted text with no role
//! before or after it and no hyperlink underscore is a default role. Literal blocks (after a
//! paragraph ending in `::`), the bodies of code-like directives and comments are hidden first,
//! and each line is judged on its own (interpreted text spanning lines is not detected).

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
