//! PC-REM: patchcheck's reminders, as notes that never fail. Classes follow Part A: a doc file
//! is under `Doc/`, the NEWS line needs `Misc/NEWS.d/next/`.

use super::check::SeriesCheck;
use super::table::RuleId;
use super::{LintError, Note, Report};

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "NO"
    }
}

fn regenerated(changed: &[&str], source: &str, generated: &str) -> &'static str {
    match (changed.contains(&source), changed.contains(&generated)) {
        (false, _) => "not needed",
        (true, true) => "yes",
        (true, false) => "no",
    }
}

/// The reminder lines for a set of changed paths.
pub fn reminders(changed: &[&str]) -> Vec<String> {
    let doc = changed
        .iter()
        .any(|p| p.starts_with("Doc/") && (p.ends_with(".rst") || p.ends_with(".inc")));
    let c = changed
        .iter()
        .any(|p| p.ends_with(".c") || p.ends_with(".h"));
    let python = changed.iter().any(|p| p.ends_with(".py"));
    let mut lines = vec![
        format!("Docs modified ... {}", yes_no(doc)),
        format!(
            "Misc/ACKS updated ... {}",
            yes_no(changed.contains(&"Misc/ACKS"))
        ),
        format!(
            "Misc/NEWS.d updated with `blurb` ... {}",
            yes_no(changed.iter().any(|p| p.starts_with("Misc/NEWS.d/next/")))
        ),
        format!(
            "configure regenerated ... {}",
            regenerated(changed, "configure.ac", "configure")
        ),
        format!(
            "pyconfig.h.in regenerated ... {}",
            regenerated(changed, "configure.ac", "pyconfig.h.in")
        ),
    ];
    if c {
        lines.push("Did you run the test suite and check for refleaks?".into());
    } else if python {
        lines.push("Did you run the test suite?".into());
    }
    lines
}

/// PC-REM: the reminders for the series, as notes.
pub fn check_series(
    id: RuleId,
    series: &SeriesCheck<'_>,
    report: &mut Report,
) -> Result<(), LintError> {
    if series.files.is_empty() {
        return Ok(());
    }
    let refs: Vec<&str> = series.paths.iter().map(String::as_str).collect();
    for line in reminders(&refs) {
        report.notes.push(Note::new(id, line));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lints_4_5_pc_rem() {
        // (case, files, docs, acks, news, configure, pyconfig, test reminder)
        let g = "Misc/NEWS.d/next/Library/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst";
        let suite = Some("Did you run the test suite?");
        let refleaks = Some("Did you run the test suite and check for refleaks?");
        type Case<'a> = (&'a str, &'a [&'a str], [&'a str; 5], Option<&'a str>);
        let nn = "not needed";
        let cases: &[Case<'_>] = &[
            ("4.5#1", &["Lib/os.py"], ["NO", "NO", "NO", nn, nn], suite),
            (
                "4.5#2",
                &["Python/ceval.c"],
                ["NO", "NO", "NO", nn, nn],
                refleaks,
            ),
            (
                "4.5#3",
                &["Doc/library/os.rst"],
                ["yes", "NO", "NO", nn, nn],
                None,
            ),
            (
                "4.5#4",
                &["Misc/ACKS", "Lib/os.py"],
                ["NO", "yes", "NO", nn, nn],
                suite,
            ),
            ("4.5#5", &[g], ["NO", "NO", "yes", nn, nn], None),
            (
                "4.5#6",
                &["Misc/NEWS.d/3.13.0a1.rst"],
                ["NO", "NO", "NO", nn, nn],
                None,
            ),
            (
                "4.5#7",
                &["configure.ac"],
                ["NO", "NO", "NO", "no", "no"],
                None,
            ),
            (
                "4.5#8",
                &["configure.ac", "configure"],
                ["NO", "NO", "NO", "yes", "no"],
                None,
            ),
            (
                "4.5#9",
                &["configure.ac", "configure", "pyconfig.h.in"],
                ["NO", "NO", "NO", "yes", "yes"],
                None,
            ),
            ("4.5#10", &["configure"], ["NO", "NO", "NO", nn, nn], None),
            (
                "4.5#11",
                &["Lib/os.py", "Modules/posixmodule.c"],
                ["NO", "NO", "NO", nn, nn],
                refleaks,
            ),
            (
                "4.5#12",
                &["Doc/conf.py"],
                ["NO", "NO", "NO", nn, nn],
                suite,
            ),
            (
                "4.5#13",
                &["Include/Python.h"],
                ["NO", "NO", "NO", nn, nn],
                refleaks,
            ),
            (
                "4.5#14",
                &["Doc/library/token-list.inc"],
                ["yes", "NO", "NO", nn, nn],
                None,
            ),
            ("4.5#15", &[], ["NO", "NO", "NO", nn, nn], None),
            (
                "4.5 extra Misc/NEWS",
                &["Misc/NEWS"],
                ["NO", "NO", "NO", nn, nn],
                None,
            ),
            (
                "4.5 extra .pyi",
                &["Lib/foo.pyi"],
                ["NO", "NO", "NO", nn, nn],
                None,
            ),
            (
                "4.1#15 nextsteps (Rec.)",
                &["Misc/NEWS.d/nextsteps.txt"],
                ["NO", "NO", "NO", nn, nn],
                None,
            ),
            (
                "4.1#14 Documentation/ (Rec.)",
                &["Documentation/notes.rst"],
                ["NO", "NO", "NO", nn, nn],
                None,
            ),
        ];
        for (name, files, answers, trailer) in cases {
            let lines = reminders(files);
            for (line, answer) in lines.iter().zip(answers) {
                assert!(line.ends_with(&format!("... {answer}")), "{name}: {line}");
            }
            assert_eq!(lines.get(5).map(String::as_str), *trailer, "{name}");
        }
    }
}
