//! The legacy patchcheck fixers as opt-in rules: PC-C (untabify: any TAB in a C file) and
//! PC-PY (reindent's whitespace part: trailing blanks, TABs, final newline, trailing blank
//! lines). PC-PY does not re-indent statements to four columns per level; see the notes.

use super::whitespace::split_eol;

/// PC-C: byte offset of the first TAB on the line.
pub fn c_tab(line: &[u8]) -> Option<usize> {
    memchr::memchr(b'\t', line)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn py_fails(content: &[u8]) -> bool {
        crate::lint::source::line_spans(content)
            .iter()
            .any(|&(s, e)| py_line(&content[s..e]).is_some())
            || py_file(content).is_some()
    }

    #[test]
    fn lints_4_2_pc_py_whitespace_cases() {
        // Part A keeps PC-PY opt-in; the re-indentation cases (#5, #6, #15) are not judged.
        let cases: &[(&str, &[u8], bool)] = &[
            ("4.2#1", b"def f():\n    return 1\n", false),
            ("4.2#2", b"x = 1   \n", true),
            ("4.2#3", b"x = 1\t\n", true),
            ("4.2#4", b"if x:\n\ty = 1\n", true),
            ("4.2#7", b"x = 1", true),
            ("4.2#8", b"x = 1\n\n\n", true),
            ("4.2#9", b"\n\n", true),
            ("4.2#10", b"", false),
            ("4.2#11 CRLF kept", b"if x:\r\n    y = 1\r\n", false),
            ("4.2#13", b"s = 'a\tb'\n", true),
            ("4.2#14", b"s = \"\"\"line   \nend\"\"\"\n", true),
            ("4.2 extra form feed", b"x = 1\x0c\n", false),
            ("4.2 extra continuation", b"f(a,\n       b)\n", false),
        ];
        for (name, input, fails) in cases {
            assert_eq!(py_fails(input), *fails, "{name}");
        }
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
