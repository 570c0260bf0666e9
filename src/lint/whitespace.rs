//! Whitespace rules: WS-TRAIL (trailing whitespace), WS-EOF (final line ending), WS-EOL (line
//! endings) and WS-TABS (TABs). Each has a check on bytes and a fix that returns new bytes; the
//! engine applies line checks to added lines only and whole-file checks at the tip.

use super::check::{FileCheck, Found};
use super::column;
use super::table::RuleId;

/// Splits a line into its body and its line ending (`\r\n`, `\n` or none).
pub fn split_eol(line: &[u8]) -> (&[u8], &[u8]) {
    if line.ends_with(b"\r\n") {
        line.split_at(line.len() - 2)
    } else if line.ends_with(b"\n") {
        line.split_at(line.len() - 1)
    } else {
        (line, &[])
    }
}

/// ASCII whitespace as Python's `bytes.rstrip()` sees it.
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c)
}

/// A line of form feeds only: a page break (C sources, Python's stdlib), not trailing whitespace.
fn is_page_break(body: &[u8]) -> bool {
    !body.is_empty() && body.iter().all(|&b| b == 0x0c)
}

/// WS-TRAIL: byte offset where trailing whitespace starts, if the line has any.
pub fn trailing(line: &[u8]) -> Option<usize> {
    let (body, _) = split_eol(line);
    if is_page_break(body) {
        return None;
    }
    let kept = body
        .iter()
        .rposition(|&b| !is_ascii_space(b))
        .map_or(0, |i| i + 1);
    (kept < body.len()).then_some(kept)
}

/// WS-TRAIL fix: the line without trailing whitespace, its line ending kept.
pub fn fix_trailing(line: &[u8]) -> Vec<u8> {
    let (body, eol) = split_eol(line);
    if is_page_break(body) {
        return line.to_vec();
    }
    let kept = body
        .iter()
        .rposition(|&b| !is_ascii_space(b))
        .map_or(0, |i| i + 1);
    let mut out = body[..kept].to_vec();
    out.extend_from_slice(eol);
    out
}

/// WS-TABS / PC-C: byte offset of the first TAB.
pub fn first_tab(line: &[u8]) -> Option<usize> {
    memchr::memchr(b'\t', line)
}

/// Python's `bytes.expandtabs(width)`: TABs to spaces up to the next stop; CR and LF reset
/// the column.
pub fn expand_tabs(line: &[u8], width: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len() + 8);
    let mut column = 0;
    for &b in line {
        match b {
            b'\t' => {
                let spaces = width - column % width;
                out.extend(std::iter::repeat_n(b' ', spaces));
                column += spaces;
            }
            b'\n' | b'\r' => {
                out.push(b);
                column = 0;
            }
            _ => {
                out.push(b);
                column += 1;
            }
        }
    }
    out
}

/// What is wrong at the end of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EofProblem {
    /// The last line has no line ending.
    Missing,
    /// Blank lines (or lone line endings) after the last line; `keep` bytes are right.
    Extra { keep: usize },
}

/// WS-EOF, as pre-commit's end-of-file-fixer decides it.
pub fn eof_problem(content: &[u8]) -> Option<EofProblem> {
    let last = *content.last()?;
    if last != b'\n' && last != b'\r' {
        return Some(EofProblem::Missing);
    }
    let Some(k) = content
        .iter()
        .rposition(|&b| b != b'\n' && b != b'\r')
        .map(|i| i + 1)
    else {
        return Some(EofProblem::Extra { keep: 0 });
    };
    let rest = &content[k..];
    for seq in [b"\n".as_slice(), b"\r\n", b"\r"] {
        if rest == seq {
            return None;
        }
        if rest.starts_with(seq) {
            return Some(EofProblem::Extra {
                keep: k + seq.len(),
            });
        }
    }
    None
}

/// WS-EOF fix.
pub fn fix_eof(content: &[u8]) -> Vec<u8> {
    match eof_problem(content) {
        None => content.to_vec(),
        Some(EofProblem::Missing) => {
            let mut out = content.to_vec();
            out.push(b'\n');
            out
        }
        Some(EofProblem::Extra { keep }) => content[..keep].to_vec(),
    }
}

/// A line ending kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eol {
    Lf,
    Crlf,
    Cr,
}

impl Eol {
    pub fn bytes(self) -> &'static [u8] {
        match self {
            Eol::Lf => b"\n",
            Eol::Crlf => b"\r\n",
            Eol::Cr => b"\r",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Eol::Lf => "LF",
            Eol::Crlf => "CRLF",
            Eol::Cr => "CR",
        }
    }
}

/// Every line ending of `content` (as `bytes.splitlines()` splits), with its byte offset.
pub fn endings(content: &[u8]) -> impl Iterator<Item = (usize, Eol)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let pos = i + memchr::memchr2(b'\n', b'\r', content.get(i..)?)?;
        if content[pos] == b'\r' && content.get(pos + 1) == Some(&b'\n') {
            i = pos + 2;
            Some((pos, Eol::Crlf))
        } else {
            i = pos + 1;
            Some((
                pos,
                if content[pos] == b'\r' {
                    Eol::Cr
                } else {
                    Eol::Lf
                },
            ))
        }
    })
}

/// Counts of (LF, CRLF, CR) endings.
pub fn count_endings(content: &[u8]) -> [usize; 3] {
    let mut counts = [0; 3];
    for (_, eol) in endings(content) {
        counts[eol as usize] += 1;
    }
    counts
}

/// The most frequent ending; ties go to LF, then CRLF, then CR.
pub fn majority(counts: [usize; 3]) -> Eol {
    let mut best = Eol::Lf;
    for (eol, n) in [(Eol::Crlf, counts[1]), (Eol::Cr, counts[2])] {
        if n > counts[best as usize] {
            best = eol;
        }
    }
    best
}

/// WS-EOL: the ending every line should have, when some line has another.
pub fn eol_problem(content: &[u8]) -> Option<Eol> {
    // Without a CR every ending is LF: one pass over the whole text instead of one search per
    // line (5% of linting a large series).
    memchr::memchr(b'\r', content)?;
    let counts = count_endings(content);
    let kinds = counts.iter().filter(|&&n| n > 0).count();
    (kinds > 1).then(|| majority(counts))
}

/// WS-EOL fix: every ending in `text` becomes `target`.
pub fn fix_eol(text: &[u8], target: Eol) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 8);
    let mut last = 0;
    for (pos, eol) in endings(text) {
        out.extend_from_slice(&text[last..pos]);
        out.extend_from_slice(target.bytes());
        last = pos + eol.bytes().len();
    }
    out.extend_from_slice(&text[last..]);
    out
}

/// WS-TRAIL and WS-TABS on one added line.
pub fn check_line(id: RuleId, ctx: &FileCheck<'_>, n: usize, text: &[u8], out: &mut Found<'_>) {
    match id {
        RuleId::WsTrail => {
            if let Some(at) = trailing(text) {
                out.push(n, column(text, at), id, "trailing whitespace", true);
            }
        }
        RuleId::WsTabs => {
            if let Some(at) = first_tab(text) {
                let width = ctx.rules.get(id).tab_width;
                let message = format!("TAB character (expand to {width} columns)");
                out.push(n, column(text, at), id, message, true);
            }
        }
        _ => {}
    }
}

/// WS-EOF and WS-EOL on a file the range added lines to.
pub fn check_file(id: RuleId, ctx: &FileCheck<'_>, out: &mut Found<'_>) {
    if !ctx.has_added() {
        return;
    }
    match id {
        RuleId::WsEof => check_eof(ctx, out),
        RuleId::WsEol => check_eol(ctx, out),
        _ => {}
    }
}

fn check_eof(ctx: &FileCheck<'_>, out: &mut Found<'_>) {
    let content = ctx.content;
    let Some(problem) = eof_problem(content) else {
        return;
    };
    if ctx.base_has(|b| eof_problem(b).is_some()) {
        return;
    }
    // Counting the lines splits the whole file: only for a finding.
    let last = ctx.last();
    let (n, col, message) = match problem {
        EofProblem::Missing => (
            last,
            column(ctx.line(last), ctx.line(last).len()),
            "no line ending at end of file",
        ),
        EofProblem::Extra { keep } => {
            let n = content[..keep].iter().filter(|&&b| b == b'\n').count() + 1;
            (n.min(last), 1, "blank lines at end of file")
        }
    };
    out.push(n, col, RuleId::WsEof, message, true);
}

fn check_eol(ctx: &FileCheck<'_>, out: &mut Found<'_>) {
    let Some(target) = eol_problem(ctx.content) else {
        return;
    };
    if ctx.base_has(|b| eol_problem(b).is_some()) {
        return;
    }
    let counts = count_endings(ctx.content);
    let offending = ctx
        .file
        .added
        .iter()
        .copied()
        .find(|&n| endings(ctx.line(n)).any(|(_, e)| e != target));
    let n = offending.unwrap_or(1);
    let message = format!(
        "mixed line endings ({} LF, {} CRLF, {} CR); use {}",
        counts[0],
        counts[1],
        counts[2],
        target.name()
    );
    let text = ctx.line(n);
    let at = endings(text)
        .find(|&(_, e)| e != target)
        .map_or(0, |(pos, _)| pos);
    out.push(
        n,
        column(text, at),
        RuleId::WsEol,
        message,
        offending.is_some(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (case name, input, fixed bytes when it fails)
    type Case<'a> = (&'a str, &'a [u8], Option<&'a [u8]>);

    /// Applies WS-TRAIL to every line, as the engine does for a new file.
    fn trail_file(content: &[u8]) -> (bool, Vec<u8>) {
        crate::lint::source::every_line(content, |l| trailing(l).is_some(), fix_trailing)
    }

    #[test]
    fn lints_4_10_ws_trail() {
        let cases: &[(&str, &[u8], bool, &[u8])] = &[
            ("4.10#1", b"x = 1\n", false, b"x = 1\n"),
            ("4.10#2", b"x = 1 \n", true, b"x = 1\n"),
            ("4.10#3", b"x = 1\t\n", true, b"x = 1\n"),
            ("4.10#4 CRLF kept", b"int x;  \r\n", true, b"int x;\r\n"),
            ("4.10#5", b"text\n   \n", true, b"text\n\n"),
            ("4.10#6 no EOL added", b"x = 1   ", true, b"x = 1"),
            ("4.10#7 form feed", b"x = 1\x0c\n", true, b"x = 1\n"),
            (
                "page break",
                b"x = 1\n\x0c\ny = 2\n",
                false,
                b"x = 1\n\x0c\ny = 2\n",
            ),
            ("page break CRLF", b"\x0c\r\n", false, b"\x0c\r\n"),
            ("page break and a space", b"\x0c \n", true, b"\n"),
            ("4.10#8 NBSP kept", b"x\xc2\xa0\n", false, b"x\xc2\xa0\n"),
            ("4.10#9", b"x\r\r\n", true, b"x\r\n"),
            ("4.10#10 VT", b"x\x0b\n", true, b"x\n"),
            ("4.10#11", b"\n\n", false, b"\n\n"),
            ("4.10#12 .gram", b"rule: a  \n", true, b"rule: a\n"),
            ("4.10#13 .inc", b"x \n", true, b"x\n"),
            ("4.10#14 .h", b"int y; \n", true, b"int y;\n"),
        ];
        for (name, input, fails, fixed) in cases {
            let (failed, out) = trail_file(input);
            assert_eq!(failed, *fails, "{name}");
            assert_eq!(out, *fixed, "{name}");
        }
        assert_eq!(trailing(b"x = 1 \n"), Some(5));
    }

    #[test]
    fn lints_4_11_ws_eof() {
        let cases: &[(&str, &[u8], bool, &[u8])] = &[
            ("4.11#1", b"x\n", false, b"x\n"),
            ("4.11#2", b"x", true, b"x\n"),
            ("4.11#3", b"x\n\n", true, b"x\n"),
            ("4.11#4", b"x\n\n\n", true, b"x\n"),
            ("4.11#5", b"", false, b""),
            ("4.11#6", b"\n", true, b""),
            ("4.11#7", b"\n\n", true, b""),
            ("4.11#8", b"x\r\n", false, b"x\r\n"),
            ("4.11#9", b"x\r\n\r\n", true, b"x\r\n"),
            ("4.11#10", b"x\r", false, b"x\r"),
            ("4.11#11", b"x  ", true, b"x  \n"),
            ("4.11#12", b"x\n \n", false, b"x\n \n"),
            ("4.11#13", b"x\n\r\n", true, b"x\n"),
            ("4.11#14", b"x\r\r", true, b"x\r"),
        ];
        for (name, input, fails, fixed) in cases {
            assert_eq!(eof_problem(input).is_some(), *fails, "{name}");
            assert_eq!(fix_eof(input), *fixed, "{name}");
        }
    }

    #[test]
    fn lints_4_12_ws_eol() {
        let cases: &[Case<'_>] = &[
            ("4.12#1", b"a\nb\n", None),
            ("4.12#2", b"a\r\nb\r\n", None),
            ("4.12#3", b"a\rb\r", None),
            ("4.12#4", b"a\nb\nc\r\n", Some(b"a\nb\nc\n")),
            ("4.12#5", b"a\r\nb\r\nc\n", Some(b"a\r\nb\r\nc\r\n")),
            ("4.12#6 tie to LF", b"a\nb\r\n", Some(b"a\nb\n")),
            ("4.12#7 tie CR/CRLF", b"a\rb\r\n", Some(b"a\r\nb\r\n")),
            ("4.12#8", b"a\nb\nc", None),
            ("4.12#9", b"", None),
            ("4.12#10", b"abc", None),
            ("4.12#11", b"a\r\r\nb\n", Some(b"a\n\nb\n")),
            ("4.12#12 FF", b"a\x0cb\n", None),
            ("4.12#13", b"a\r\nb\rc\n", Some(b"a\nb\nc\n")),
        ];
        for (name, input, fixed) in cases {
            let problem = eol_problem(input);
            assert_eq!(problem.is_some(), fixed.is_some(), "{name}");
            if let (Some(target), Some(fixed)) = (problem, fixed) {
                assert_eq!(fix_eol(input, target), *fixed, "{name}");
            }
        }
        // 4.12#14: consistent CRLF passes. (With `eol=crlf`, git stores the blob as LF and
        // writes CRLF on checkout, so the engine, which reads blobs, never sees that case.)
        assert_eq!(
            eol_problem(
                b"a
b
"
            ),
            None,
            "4.12#14"
        );
    }

    #[test]
    fn lints_4_13_ws_tabs() {
        let cases: &[Case<'_>] = &[
            ("4.13#1", b"x = 1\n", None),
            ("4.13#2", b"\tx = 1\n", Some(b"    x = 1\n")),
            ("4.13#3", b"x = '\t'\n", Some(b"x = '   '\n")),
            ("4.13#4", b"x = 1\t# c\n", Some(b"x = 1   # c\n")),
            ("4.13#5 escape", b"x = '\\t'\n", None),
            ("4.13#6", b"    \tx\n", Some(b"        x\n")),
            ("4.13#7", b"  \tx\n", Some(b"    x\n")),
            (
                "4.13#8",
                b"\"\"\"doc\twith tab\"\"\"\n",
                Some(b"\"\"\"doc  with tab\"\"\"\n"),
            ),
            ("4.13#9", b"x\t\n", Some(b"x   \n")),
            (
                "4.13#10",
                b"if x:\n\t\ty = 1\n",
                Some(b"if x:\n        y = 1\n"),
            ),
        ];
        for (name, input, fixed) in cases {
            assert_eq!(first_tab(input).is_some(), fixed.is_some(), "{name}");
            if let Some(fixed) = fixed {
                assert_eq!(expand_tabs(input, 4), *fixed, "{name}");
            }
        }
    }
}
