//! CONFLICT: merge-conflict markers left in added lines (pre-commit's check-merge-conflict
//! patterns, checked on every series rather than only during a merge). A `=======` line counts
//! only when the file's added lines also hold a `<<<<<<<` or `>>>>>>>` half: alone, it is far
//! more often a reST heading underline than a leftover separator.

use super::check::{FileCheck, Found};
use super::table::RuleId;

/// The marker an added line starts with, if any.
pub fn marker(line: &[u8]) -> Option<&'static str> {
    const MARKERS: &[(&[u8], &str)] = &[
        (b"<<<<<<< ", "<<<<<<<"),
        (b"======= ", "======="),
        (b"=======\r\n", "======="),
        (b"=======\n", "======="),
        (b">>>>>>> ", ">>>>>>>"),
    ];
    MARKERS
        .iter()
        .find(|(prefix, _)| line.starts_with(prefix))
        .map(|(_, name)| *name)
}

/// Whether a line starts with one of the two halves' markers (`<<<<<<<`, `>>>>>>>`).
pub fn is_half(line: &[u8]) -> bool {
    matches!(marker(line), Some("<<<<<<<" | ">>>>>>>"))
}

/// CONFLICT on one added line.
pub fn check_line(id: RuleId, ctx: &FileCheck<'_>, n: usize, text: &[u8], out: &mut Found<'_>) {
    if let Some(marker) = marker(text) {
        if marker == "=======" && !ctx.has_conflict_halves() {
            return;
        }
        out.push(n, 1, id, format!("merge conflict marker `{marker}`"), false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_found_at_line_start_only() {
        assert_eq!(marker(b"<<<<<<< HEAD\n"), Some("<<<<<<<"));
        assert_eq!(marker(b"=======\n"), Some("======="));
        assert_eq!(marker(b"=======\r\n"), Some("======="));
        assert_eq!(marker(b">>>>>>> topic\n"), Some(">>>>>>>"));
        assert_eq!(marker(b"========\n"), None);
        assert_eq!(marker(b"  <<<<<<< x\n"), None);
        assert_eq!(marker(b"x = 1\n"), None);
        assert!(is_half(b"<<<<<<< HEAD\n") && is_half(b">>>>>>> topic\n"));
        assert!(!is_half(b"=======\n"));
    }
}
