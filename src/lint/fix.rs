//! `review lint --fix`: repairs what the range added, in the work tree's copy of a file.
//! A line is rewritten only when it is one the range added and the work tree still holds it
//! exactly as the tip does, so edits made since are never touched.

use std::collections::{BTreeMap, BTreeSet};

use super::patchcheck;
use super::source::line_spans;
use super::whitespace;
use super::{Finding, RuleId, Rules};

/// Whether a work-tree line is the tip's line, allowing for git's CRLF checkout conversion
/// (`eol=crlf`, `core.autocrlf`).
pub fn same_line(tip: &[u8], work: &[u8]) -> bool {
    tip == work
        || (tip.ends_with(b"\n")
            && !tip.ends_with(b"\r\n")
            && work.ends_with(b"\r\n")
            && tip[..tip.len() - 1] == work[..work.len() - 2])
}

/// Whether the work-tree file is the tip's content as git checks it out.
pub fn same_content(tip: &[u8], work: &[u8]) -> bool {
    tip == work
        || (work.len() >= tip.len() && whitespace::fix_eol(work, whitespace::Eol::Lf) == tip)
}

/// The fixed content of one file, or `None` when nothing changes. `tip` is the file at the
/// tip of the range and `added` the line numbers the range added.
pub fn fix_content(
    work: &[u8],
    tip: &[u8],
    added: &[usize],
    findings: &[&Finding],
    rules: &Rules,
) -> Option<Vec<u8>> {
    let tip_spans = line_spans(tip);
    let tip_line = |n: usize| tip_spans.get(n - 1).map(|&(s, e)| &tip[s..e]);
    let mut per_line: BTreeMap<usize, BTreeSet<RuleId>> = BTreeMap::new();
    let mut eol_target = None;
    let mut eof = false;
    for f in findings.iter().filter(|f| f.fixable) {
        match f.rule {
            RuleId::WsEof => eof = true,
            RuleId::WsEol => eol_target = whitespace::eol_problem(tip),
            rule => {
                per_line.entry(f.line).or_default().insert(rule);
            }
        }
    }
    if let Some(target) = eol_target {
        // Added lines follow the ending the file's other lines use (or the majority).
        let added_set: BTreeSet<usize> = added.iter().copied().collect();
        let mut kept = [0usize; 3];
        for (i, &(s, e)) in tip_spans.iter().enumerate() {
            if !added_set.contains(&(i + 1)) {
                for (_, eol) in whitespace::endings(&tip[s..e]) {
                    kept[eol as usize] += 1;
                }
            }
        }
        let target = if kept.iter().all(|&n| n == 0) {
            target
        } else {
            whitespace::majority(kept)
        };
        eol_target = Some(target);
        for &n in added {
            if tip_line(n).is_some_and(|l| whitespace::endings(l).any(|(_, e)| e != target)) {
                per_line.entry(n).or_default().insert(RuleId::WsEol);
            }
        }
    }
    let mut out = Vec::with_capacity(work.len());
    for (i, &(s, e)) in line_spans(work).iter().enumerate() {
        let n = i + 1;
        let original = &work[s..e];
        let Some(rules_here) = per_line
            .get(&n)
            .filter(|_| tip_line(n).is_some_and(|t| same_line(t, original)))
        else {
            out.extend_from_slice(original);
            continue;
        };
        let mut text = original.to_vec();
        if rules_here.contains(&RuleId::WsTabs) {
            text = whitespace::expand_tabs(&text, rules.get(RuleId::WsTabs).tab_width);
        }
        if rules_here.contains(&RuleId::PcC) {
            text = whitespace::expand_tabs(&text, rules.get(RuleId::PcC).tab_width);
        }
        if rules_here.contains(&RuleId::PcPy) {
            text = whitespace::expand_tabs(&text, 8);
            text = whitespace::fix_trailing(&text);
        }
        if rules_here.contains(&RuleId::WsTrail) {
            text = whitespace::fix_trailing(&text);
        }
        if let (true, Some(target)) = (rules_here.contains(&RuleId::WsEol), eol_target) {
            text = whitespace::fix_eol(&text, target);
        }
        // Last, so an opted-in PC-DOC line ends in LF as legacy patchcheck writes it, unless
        // the CRLF is git's own checkout conversion of an LF line (`eol=crlf`, autocrlf).
        if rules_here.contains(&RuleId::PcDoc) {
            let checkout_crlf =
                !tip_line(n).is_some_and(|t| t.ends_with(b"\r\n")) && original.ends_with(b"\r\n");
            text = patchcheck::fix_doc_line(&text);
            if checkout_crlf && text.ends_with(b"\n") {
                text.insert(text.len() - 1, b'\r');
            }
        }
        out.extend(text);
    }
    if eof {
        out = whitespace::fix_eof(&out);
    }
    (out != work).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(line: usize, rule: &str) -> Finding {
        Finding {
            path: "Doc/x.rst".into(),
            line,
            column: 1,
            rule: RuleId::from_id(rule).unwrap(),
            message: String::new(),
            fixable: true,
        }
    }

    #[test]
    fn pc_doc_fixes_added_lines_only_and_keeps_checkout_crlf() {
        let rules = Rules::with_rule_on(crate::config::Preset::Generic, RuleId::PcDoc);
        let tip = b"Text  \r\nold \nB\t\n\r\nC \n";
        // Lines 1, 3, 4 and 5 were added; line 5 has been edited in the work tree since.
        let work = b"Text  \r\nold \nB\t\n\r\nC edited \n";
        let found = [
            finding(1, "PC-DOC"),
            finding(1, "WS-TRAIL"),
            finding(3, "PC-DOC"),
            finding(4, "PC-DOC"),
            finding(5, "PC-DOC"),
        ];
        let refs: Vec<&Finding> = found.iter().collect();
        let fixed = fix_content(work, tip, &[1, 3, 4, 5], &refs, &rules).unwrap();
        assert_eq!(fixed, b"Text\nold \nB\n\nC edited \n");

        // An LF line that git checked out as CRLF (`eol=crlf`) keeps git's CRLF.
        let refs = [&found[0]];
        let fixed = fix_content(b"A \t\r\nB\r\n", b"A \t\nB\n", &[1], &refs, &rules).unwrap();
        assert_eq!(fixed, b"A\r\nB\r\n");
    }
}
