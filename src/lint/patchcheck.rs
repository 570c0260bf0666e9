//! The legacy patchcheck fixers as opt-in rules: PC-C (untabify: any TAB in a C file),
//! PC-DOC (the docs fixer: whitespace before each LF in `Doc/` reST) and PC-PY (reindent's
//! whitespace part: trailing blanks, TABs, final newline, trailing blank lines, and indentation
//! of four columns per block level). The indentation check follows statements with a small
//! scanner (strings, brackets, comments, backslash continuations), not Python's tokenizer:
//! continuation lines and comment lines are not judged.

use super::check::{FileCheck, Found};
use super::column;
use super::table::RuleId;

use super::whitespace::split_eol;

/// PC-C: byte offset of the first TAB on the line.
pub fn c_tab(line: &[u8]) -> Option<usize> {
    memchr::memchr(b'\t', line)
}

/// What PC-DOC finds on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocLine {
    /// A CRLF ending and nothing else before the LF: the CR at this byte offset.
    Crlf(usize),
    /// ASCII whitespace (CR included) before the LF, from this byte offset.
    Trailing(usize),
}

/// Whitespace as a Python bytes regex's `\s` sees it, less LF (the line ends there).
fn is_doc_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
}

/// Where the whitespace before a line's final LF starts (`line.len() - 1` when there is none);
/// `None` for a line without LF, which legacy patchcheck never touches.
fn doc_kept(line: &[u8]) -> Option<usize> {
    let body = line.strip_suffix(b"\n")?;
    Some(
        body.iter()
            .rposition(|&b| !is_doc_space(b))
            .map_or(0, |i| i + 1),
    )
}

/// PC-DOC line check. Legacy patchcheck splits a file at LF only and rewrites each line with
/// `re.sub(br'\s+(\r?\n)$', br'\1', line)`: any run of space, TAB, FF, VT or CR before the LF
/// goes (so CRLF becomes LF and a whitespace-only line becomes empty), a last line without LF
/// stays, NBSP is not whitespace, and a CR inside a line is no line break.
pub fn doc_line(line: &[u8]) -> Option<DocLine> {
    let kept = doc_kept(line)?;
    let body = &line[..line.len() - 1];
    match &body[kept..] {
        [] => None,
        b"\r" => Some(DocLine::Crlf(kept)),
        _ => Some(DocLine::Trailing(kept)),
    }
}

/// PC-DOC fix: the line without the whitespace before its LF (CRLF becomes LF).
pub fn fix_doc_line(line: &[u8]) -> Vec<u8> {
    match doc_kept(line) {
        Some(kept) => {
            let mut out = line[..kept].to_vec();
            out.push(b'\n');
            out
        }
        None => line.to_vec(),
    }
}

/// What PC-PY finds on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PyLine {
    /// Spaces or TABs before the line ending (reindent strips only those).
    Trailing(usize),
    /// A TAB anywhere (reindent expands them, inside strings too).
    Tab(usize),
}

/// PC-PY line check. Form feed and other whitespace are left alone, as reindent does.
pub fn py_line(line: &[u8]) -> Option<PyLine> {
    let (mut body, _) = split_eol(line);
    if body.ends_with(b"\r") {
        body = &body[..body.len() - 1];
    }
    let kept = body
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |i| i + 1);
    if kept < body.len() {
        return Some(PyLine::Trailing(kept));
    }
    memchr::memchr(b'\t', body).map(PyLine::Tab)
}

/// PC-PY whole-file check: a missing final newline or trailing blank lines.
pub fn py_file(content: &[u8]) -> Option<&'static str> {
    if content.is_empty() {
        return None;
    }
    if !content.ends_with(b"\n") && !content.ends_with(b"\r") {
        return Some("no newline at end of file");
    }
    let body_end = content
        .iter()
        .rposition(|b| !b" \t\r\n".contains(b))
        .map_or(0, |i| i + 1);
    let tail = &content[body_end..];
    let newlines = tail
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        .max(tail.iter().filter(|&&b| b == b'\r').count());
    (newlines > 1).then_some("blank lines at end of file")
}

/// A statement line whose indentation is not four columns per block level (TABs count to the
/// next multiple of 8, as reindent expands them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Indent {
    /// 1-based line number.
    pub line: usize,
    pub actual: usize,
    pub wanted: usize,
}

/// PC-PY indentation: every statement line whose indentation differs from 4 × its depth.
pub fn py_indentation(content: &[u8]) -> Vec<Indent> {
    let mut problems = Vec::new();
    let mut levels: Vec<usize> = vec![0];
    let mut opens_block = false;
    let mut scan = Scanner::default();
    for (i, raw) in content.split(|&b| b == b'\n').enumerate() {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        let continuation = scan.continues();
        let Some(start) = line
            .iter()
            .position(|&b| b != b' ' && b != b'\t' && b != 0x0c)
        else {
            continue; // blank lines do not count, even inside brackets
        };
        if !continuation && line[start] != b'#' {
            let actual = line[..start].iter().fold(0, |col, &b| match b {
                b'\t' => (col / 8 + 1) * 8,
                _ => col + 1,
            });
            let top = *levels.last().unwrap_or(&0);
            if opens_block && actual > top {
                levels.push(actual);
            } else {
                while levels.len() > 1 && actual < *levels.last().unwrap_or(&0) {
                    levels.pop();
                }
            }
            let wanted = 4 * (levels.len() - 1);
            if actual != wanted && actual != 0 {
                problems.push(Indent {
                    line: i + 1,
                    actual,
                    wanted,
                });
            }
        }
        let ends_with_colon = scan.line(line);
        if !scan.continues() && (line[start] != b'#' || continuation) {
            opens_block = ends_with_colon;
        }
    }
    problems
}

/// Just enough of Python's lexical structure to tell statement lines from continuations.
#[derive(Debug, Default)]
struct Scanner {
    /// The open string's closing quote.
    string: Option<&'static [u8]>,
    brackets: usize,
    backslash: bool,
    /// The last significant byte of the logical line so far.
    last: u8,
}

impl Scanner {
    fn continues(&self) -> bool {
        self.string.is_some() || self.brackets > 0 || self.backslash
    }

    /// Scans one physical line; returns whether the logical line ended with `:`.
    fn line(&mut self, line: &[u8]) -> bool {
        self.backslash = false;
        let mut i = 0;
        while i < line.len() {
            if let Some(quote) = self.string {
                if line[i] == b'\\' {
                    i += 2;
                } else if line[i..].starts_with(quote) {
                    i += quote.len();
                    self.string = None;
                    self.last = b'"';
                } else {
                    i += 1;
                }
                continue;
            }
            match line[i] {
                b'#' => break,
                q @ (b'\'' | b'"') => {
                    let (triple, single): (&'static [u8], &'static [u8]) = if q == b'"' {
                        (b"\"\"\"", b"\"")
                    } else {
                        (b"'''", b"'")
                    };
                    let quote = if line[i..].starts_with(triple) {
                        triple
                    } else {
                        single
                    };
                    self.string = Some(quote);
                    i += quote.len();
                    continue;
                }
                b'(' | b'[' | b'{' => self.brackets += 1,
                b')' | b']' | b'}' => self.brackets = self.brackets.saturating_sub(1),
                b'\\' if i + 1 == line.len() => {
                    self.backslash = true;
                    return false;
                }
                b' ' | b'\t' | 0x0c => {
                    i += 1;
                    continue;
                }
                _ => {}
            }
            self.last = line[i];
            i += 1;
        }
        // A single-quoted string cannot span lines: an unterminated one ends here.
        if matches!(self.string, Some(q) if q.len() == 1) {
            self.string = None;
        }
        !self.continues() && self.last == b':'
    }
}

/// PC-C, PC-DOC and PC-PY on one added line.
pub fn check_line(id: RuleId, ctx: &FileCheck<'_>, n: usize, text: &[u8], out: &mut Found<'_>) {
    let (at, message) = match id {
        RuleId::PcC => match c_tab(text) {
            Some(at) => {
                let width = ctx.rules.get(id).tab_width;
                let message =
                    format!("TAB in C source (legacy patchcheck expands it to {width} columns)");
                (at, message)
            }
            None => return,
        },
        RuleId::PcDoc => match doc_line(text) {
            Some(DocLine::Crlf(at)) => (
                at,
                "CRLF line ending (legacy patchcheck makes it LF)".into(),
            ),
            Some(DocLine::Trailing(at)) => (
                at,
                "trailing whitespace (legacy patchcheck docs fixer)".into(),
            ),
            None => return,
        },
        RuleId::PcPy => match py_line(text) {
            Some(PyLine::Trailing(at)) => (at, "trailing whitespace (reindent)".into()),
            Some(PyLine::Tab(at)) => (
                at,
                "TAB character (reindent expands TABs to 8 columns)".into(),
            ),
            None => return,
        },
        _ => return,
    };
    out.push(n, column(text, at), id, message, true);
}

/// PC-PY's whole-file part: indentation of added lines, and the end of the file.
pub fn check_file(id: RuleId, ctx: &FileCheck<'_>, out: &mut Found<'_>) {
    if id != RuleId::PcPy {
        return;
    }
    for p in py_indentation(ctx.content) {
        if ctx.file.added.binary_search(&p.line).is_ok() {
            let message = format!(
                "indented {} columns; reindent wants {} (4 per block level)",
                p.actual, p.wanted
            );
            out.push(p.line, 1, id, message, false);
        }
    }
    if ctx.has_added() {
        if let Some(message) = py_file(ctx.content) {
            if !ctx.base_has(|b| py_file(b).is_some()) {
                out.push(ctx.last(), 1, id, format!("{message} (reindent)"), false);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn py_fails(content: &[u8]) -> bool {
        crate::lint::source::line_spans(content)
            .iter()
            .any(|&(s, e)| py_line(&content[s..e]).is_some())
            || py_file(content).is_some()
            || !py_indentation(content).is_empty()
    }

    #[test]
    fn lints_4_2_pc_py() {
        let cases: &[(&str, &[u8], bool)] = &[
            ("4.2#1", b"def f():\n    return 1\n", false),
            ("4.2#2", b"x = 1   \n", true),
            ("4.2#3", b"x = 1\t\n", true),
            ("4.2#4", b"if x:\n\ty = 1\n", true),
            ("4.2#5", b"if x:\n  y = 1\n", true),
            ("4.2#6", b"if x:\n        y = 1\n", true),
            ("4.2#7", b"x = 1", true),
            ("4.2#8", b"x = 1\n\n\n", true),
            ("4.2#9", b"\n\n", true),
            ("4.2#10", b"", false),
            ("4.2#11 CRLF kept", b"if x:\r\n    y = 1\r\n", false),
            ("4.2#13", b"s = 'a\tb'\n", true),
            ("4.2#14", b"s = \"\"\"line   \nend\"\"\"\n", true),
            ("4.2#15", b"if x:\n   # note\n   y = 1\n", true),
            ("4.2 extra form feed", b"x = 1\x0c\n", false),
            ("4.2 extra continuation", b"f(a,\n       b)\n", false),
        ];
        for (name, input, fails) in cases {
            assert_eq!(py_fails(input), *fails, "{name}");
        }
        // 4.2#12: reindent refuses mixed newlines silently; Part A reports them as WS-EOL.
        assert!(crate::lint::whitespace::eol_problem(b"x = 1\r\ny = 2\n").is_some());
    }

    #[test]
    fn pc_py_indentation_follows_blocks_and_skips_continuations() {
        let at = |src: &str| -> Vec<(usize, usize, usize)> {
            py_indentation(src.as_bytes())
                .iter()
                .map(|p| (p.line, p.actual, p.wanted))
                .collect()
        };
        assert_eq!(at("if x:\n  y = 1\n"), [(2, 2, 4)]);
        assert_eq!(at("if x:\n\ty = 1\n"), [(2, 8, 4)]);
        let good = r#"class A:
    def f(self,
          a):
        s = '''
  text:
'''
        if a:  # c
            return {
  1: 2}
    x = \
  1

y = 2
"#;
        assert_eq!(at(good), []);
        assert_eq!(
            at("def f():\n    if a:\n        pass\n      b = 1\n"),
            [(4, 6, 4)]
        );
    }

    /// Applies PC-DOC to every line, as the engine does for a new file: (failed, fixed bytes).
    fn doc_file(content: &[u8]) -> (bool, Vec<u8>) {
        crate::lint::source::every_line(content, |l| doc_line(l).is_some(), fix_doc_line)
    }

    #[test]
    fn lints_4_4_pc_doc() {
        let cases: &[(&str, &[u8], bool, &[u8])] = &[
            ("4.4#1", b"Text\n", false, b"Text\n"),
            ("4.4#2", b"Text   \n", true, b"Text\n"),
            ("4.4#3", b"Text\t\n", true, b"Text\n"),
            ("4.4#4 CRLF to LF", b"Text\r\n", true, b"Text\n"),
            ("4.4#5", b"Text  \r\n", true, b"Text\n"),
            ("4.4#6 whitespace-only line", b"   \n", true, b"\n"),
            ("4.4#7", b"\n", false, b"\n"),
            ("4.4#8 last line without LF", b"Text   ", false, b"Text   "),
            ("4.4#9 no final newline", b"Text", false, b"Text"),
            ("4.4#10", b"\r\n", true, b"\n"),
            ("4.4#11 form feed", b"\x0c\n", true, b"\n"),
            (
                "4.4#12 NBSP kept",
                b"Text\xc2\xa0\n",
                false,
                b"Text\xc2\xa0\n",
            ),
            (
                "4.4#13 blank lines at EOF",
                b"Text\n\n\n",
                false,
                b"Text\n\n\n",
            ),
            ("4.4#14", b"Text\r\r\n", true, b"Text\n"),
            (
                "4.4#15 leading blanks kept",
                b"a \n b\t\n",
                true,
                b"a\n b\n",
            ),
            ("4.4 extra bare CR", b"Text\rmore\n", false, b"Text\rmore\n"),
            ("4.4 extra VT", b"Text\x0b\n", true, b"Text\n"),
        ];
        for (name, input, fails, fixed) in cases {
            let (failed, out) = doc_file(input);
            assert_eq!(failed, *fails, "{name}");
            assert_eq!(out, *fixed, "{name}");
        }
        // Where the finding points, and which message it gets.
        assert_eq!(doc_line(b"Text\r\n"), Some(DocLine::Crlf(4)));
        assert_eq!(doc_line(b"\r\n"), Some(DocLine::Crlf(0)));
        assert_eq!(doc_line(b"Text  \r\n"), Some(DocLine::Trailing(4)));
        assert_eq!(doc_line(b"Text\r\r\n"), Some(DocLine::Trailing(4)));
        assert_eq!(doc_line(b"   \n"), Some(DocLine::Trailing(0)));
    }

    #[test]
    fn lints_4_3_pc_c() {
        let cases: &[(&str, &[u8], bool)] = &[
            ("4.3#1", b"int x;\n", false),
            ("4.3#2", b"if (x) {\n\treturn 1;\n}\n", true),
            ("4.3#3", b"const char *s = \"a\tb\";\n", true),
            ("4.3#4", b"/* a\tcomment */\n", true),
            ("4.3#5", b"const char *s = \"a\\tb\";\n", false),
            ("4.3#6", b"int x;\t/* c */\n", true),
            ("4.3#7", b"int x;   \n", false),
            ("4.3#8", b"int x;\r\n", false),
            ("4.3#9", b"#define X\t1\n", true),
            ("4.3#10", b"int x;\x0b\x0c\n", false),
            ("4.3#11", b"    \tint y;\n", true),
            // Part A (Rec.): bytes are read, so a Latin-1 byte is no abort.
            ("4.3#15", b"int \xe9;\t\n", true),
        ];
        for (name, input, fails) in cases {
            assert_eq!(c_tab(input).is_some(), *fails, "{name}");
        }
        use crate::lint::whitespace::expand_tabs;
        assert_eq!(expand_tabs(b"\treturn 1;\n", 8), b"        return 1;\n");
        assert_eq!(expand_tabs(b"#define X\t1\n", 8), b"#define X       1\n");
        assert_eq!(expand_tabs(b"int x;\t/* c */\n", 8), b"int x;  /* c */\n");
    }
}
