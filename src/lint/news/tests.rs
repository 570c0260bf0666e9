use super::*;
use crate::config::{Config, Preset};
use crate::lint::rules::Rules;

fn cpython() -> NewsSettings {
    let mut config = Config::default();
    config.lint.preset = Preset::Cpython;
    Rules::from_config(&config).unwrap().news
}

fn path_verdict(path: &str) -> Result<EntryPath, String> {
    check_path(path, &cpython()).map_err(|p| p.message())
}

#[test]
fn lints_4_6_news_path() {
    let n = "Misc/NEWS.d/next";
    let pass = [
        (
            "4.6#1",
            format!("{n}/Library/2024-05-01-12-34-56.gh-issue-118000.AbC_d-.rst"),
        ),
        (
            "4.6#2",
            format!("{n}/Library/2024-05-01.gh-issue-118000.AbCdEf.rst"),
        ),
        (
            "4.6#3",
            format!("{n}/Library/2024-05-01-12-34-56.bpo-12345.AbCdEf.rst"),
        ),
        (
            "4.6#11",
            format!("{n}/Tools-Demos/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"),
        ),
        (
            "4.6 extra long nonce",
            format!("{n}/Library/2024-05-01-12-34-56.gh-issue-118000.fix-warning-dedup.rst"),
        ),
        (
            "4.6 extra iOS (2.3.0)",
            format!("{n}/iOS/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"),
        ),
        // blurb 2.3 reads the directories spelt with spaces (CPython's until 2024) too.
        (
            "4.6#9 (blurb 2.3)",
            format!("{n}/Core and Builtins/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"),
        ),
        (
            "4.6#10 (blurb 2.3)",
            format!("{n}/C API/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"),
        ),
        (
            "Tools/Demos, old spelling",
            format!("{n}/Tools-Demos/2017-01-01.bpo-28676.Wxf6Ds.rst"),
        ),
        (
            "2017 bulk conversion",
            format!("{n}/Library/0019.bpo-28676.Wxf6Ds.rst"),
        ),
        (
            "4.6 extra two issues (blurb reads every field between date and nonce)",
            format!("{n}/Library/2024-05-01-12-34-56.gh-issue-118000.bpo-1234.AbCdEf.rst"),
        ),
    ];
    for (name, path) in pass {
        assert!(
            path_verdict(&path).is_ok(),
            "{name}: {:?}",
            path_verdict(&path)
        );
    }
    let fail = [
        (
            "4.6#4",
            format!("{n}/Library/2024-05-01-12-34-56.gh-issue-118000,118001.AbCdEf.rst"),
            BAD_NAME,
        ),
        (
            "4.6#5",
            format!("{n}/Library/2024-05-01-12-34-56.gh-118000.AbCdEf.rst"),
            BAD_NAME,
        ),
        (
            "4.6#6",
            format!("{n}/Library/2024-05-01-12-34-56.gh-issue-118000.rst"),
            BAD_NAME,
        ),
        (
            "4.6#7",
            format!("{n}/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"),
            WRONG_DIRECTORY,
        ),
        (
            "4.6#8",
            format!("{n}/Funky/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"),
            "`Funky` is not a section directory",
        ),
        (
            "4.6#12",
            format!("{n}/Library/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.txt"),
            BAD_NAME,
        ),
        (
            "4.6#13",
            format!("{n}/Library/2024-5-1-12-34-56.gh-issue-118000.AbCdEf.rst"),
            BAD_NAME,
        ),
        (
            "4.6#14",
            format!("{n}/library/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"),
            "`library` is not a section directory",
        ),
        (
            "4.6#15",
            format!("{n}/Library/2024-05-01-12-34-56.gh-issue-100.AbCdEf.rst"),
            "Invalid gh-issue number: '100' (must be >= 32426)",
        ),
        (
            "4.6 extra two nonces",
            format!("{n}/Library/2024-05-01-12-34-56.gh-issue-118000.AbC.dE.rst"),
            BAD_NAME,
        ),
        (
            "4.6 extra .orig (Rec.)",
            format!("{n}/Library/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst.orig"),
            BAD_NAME,
        ),
        (
            "4.6 extra sub dir",
            format!("{n}/Library/sub/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"),
            WRONG_DIRECTORY,
        ),
        (
            "4.6 extra GH-ISSUE",
            format!("{n}/Library/2024-05-01-12-34-56.GH-ISSUE-118000.AbCdEf.rst"),
            BAD_NAME,
        ),
        (
            "4.6 extra .RST",
            format!("{n}/Library/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.RST"),
            BAD_NAME,
        ),
    ];
    for (name, path, expected) in fail {
        let message = path_verdict(&path).expect_err(name);
        assert!(message.contains(expected), "{name}: {message}");
    }
    let news = cpython();
    assert!(
        !is_entry_candidate(&format!("{n}/Library/README.rst"), &news),
        "4.6 extra README"
    );
    assert!(!is_entry_candidate("Misc/NEWS.d/3.13.0a1.rst", &news));
    // Part A 5: a project may pin blurb 2.2's 11 sections; then iOS is unknown.
    let newer = &crate::lint::rules::BLURB_SECTIONS[8..14]; // iOS to Unsupported platforms
    assert_eq!((newer[0], newer[5]), ("iOS", "Unsupported platforms"));
    let mut eleven = news.clone();
    eleven.sections.retain(|s| !newer.contains(&s.as_str()));
    assert!(check_path(
        &format!("{n}/iOS/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"),
        &eleven
    )
    .is_err());
}

fn body_verdict(content: &[u8]) -> Result<(), String> {
    let news = cpython();
    let path = "Misc/NEWS.d/next/Library/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst";
    let entry = check_path(path, &news).unwrap();
    let meta = vec![entry.issue, ("section".into(), entry.section)];
    let text = decode(content).map_err(|e| e.message)?;
    parse_blurb(text, &meta, &news)
        .map(|_| ())
        .map_err(|e| e.message)
}

#[test]
fn lints_4_7_news_body() {
    let cases: &[(&str, &[u8], Option<&str>)] = &[
        ("4.7#1", b"Fix a crash in :func:`os.stat`.\n", None),
        ("4.7#2", b"", Some("Blurb 'body' text must not be empty!")),
        (
            "4.7#3 template only",
            b"# just a comment\n\n",
            Some("Blurb 'body' text must not be empty!"),
        ),
        (
            "4.7#4",
            b".. gh-issue: 118000\n.. section: Library\n\nFix it.\n",
            Some("Blurb metadata sets 'gh-issue' twice!"),
        ),
        (
            "4.7#5",
            b"gh-118000: Fix it.\n",
            Some("Blurb 'body' can't start with 'gh-'!"),
        ),
        (
            "4.7#6",
            b"- Fix it.\n",
            Some("Blurb 'body' can't start with '- '!"),
        ),
        (
            "4.7#7",
            b"Issue #1234: Fix it.\n",
            Some("Blurb 'body' can't start with 'Issue #'!"),
        ),
        (
            "4.7#8",
            b"bpo-1234: Fix it.\n",
            Some("Blurb 'body' can't start with 'bpo-'!"),
        ),
        (
            "4.7#9",
            b"GH-118000 fixed.\n",
            Some("Blurb 'body' can't start with 'gh-'!"),
        ),
        (
            "4.7#10",
            b"First entry.\n..\nSecond entry.\n",
            Some("'gh-issue:' or 'bpo:' must be specified in the metadata!"),
        ),
        (
            "4.7#11",
            b".. note:: Something important\n",
            Some("Blurb 'body' text must not be empty!"),
        ),
        (
            "4.7#12 no colon",
            b".. hello there\n\nxyz!\n",
            Some("metadata line without a colon: `.. hello there`"),
        ),
        ("4.7#13", b"\n\n   Indented start.   \n\n\n", None),
        (
            "4.7#14 Latin-1",
            b"Caf\xe9 latin-1 byte.\n",
            Some("not valid UTF-8 (byte 0xe9 at offset 3)"),
        ),
        (
            "4.7#15 (2.3.0)",
            b".. cve: CVE-2025-1234\n\nFix it.\n",
            Some("'cve:' may only be used in the 'Security' section!"),
        ),
        ("4.7 extra list", b"* first item\n* second item\n", None),
        ("4.7 extra no EOL", b"No trailing newline", None),
        ("4.7 extra unknown key", b".. foo: bar\n\nFix.\n", None),
        (
            "4.7 extra section twice",
            b".. section: Library\n\nFix.\n",
            Some("Blurb metadata sets 'section' twice!"),
        ),
        (
            "4.7 extra commented cve",
            b"#.. cve: CVE-2025-12345\n\nFix it.\n",
            Some("CVE given but the line is still commented out: '#.. cve: CVE-2025-12345'"),
        ),
        (
            "4.7 extra bare ..",
            b"..\n",
            Some("metadata line without a colon"),
        ),
    ];
    for (name, input, expected) in cases {
        match (body_verdict(input), expected) {
            (Ok(()), None) => {}
            (Err(m), Some(e)) => assert!(m.contains(e), "{name}: {m}"),
            (got, _) => panic!("{name}: {got:?}"),
        }
    }
}

fn add_verdict(text: &str) -> Result<Vec<Entry>, String> {
    parse_blurb(text, &[], &cpython()).map_err(|e| e.message)
}

#[test]
fn lints_4_8_news_add() {
    let news = cpython();
    let t = |issue: &str, section: Option<&str>, body: &str| {
        let mut t = blurb_template(None, section, &news.sections)
            .replace(".. gh-issue: \n", &format!(".. gh-issue: {issue}\n"));
        t.push_str(body);
        t
    };
    assert_eq!(
        add_verdict(&t("", None, "")).unwrap_err(),
        "Blurb 'body' text must not be empty!",
        "4.8#1"
    );
    assert_eq!(
        add_verdict(&t("118000", Some("Library"), "")).unwrap_err(),
        "Blurb 'body' text must not be empty!",
        "4.8#2"
    );
    assert_eq!(
        add_verdict(&t("", None, "Fix it.\n")).unwrap_err(),
        "Invalid GitHub number: ''",
        "4.8#3"
    );
    let ok = add_verdict(&t("118000", Some("Library"), "Fix it.\n")).unwrap();
    assert_eq!(ok.len(), 1, "4.8#4");
    let body = wrap_body(&ok[0].body);
    assert_eq!(body, "Fix it.\n", "4.8#4");
    assert_eq!(nonce(&body), "uU4zSB", "4.8#4 nonce");
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "4.8#5",
            ".. gh-issue: 118000\n.. section: Funky Kong\n\nFix.\n",
            Some("Invalid section 'Funky Kong'!  You must use one of the predefined sections."),
        ),
        (
            "4.8#6",
            ".. gh-issue: 32425\n.. section: Library\n\nFix.\n",
            Some("Invalid gh-issue number: '32425' (must be >= 32426)"),
        ),
        (
            "4.8#7",
            ".. gh-issue: 32426\n.. section: Library\n\nFix.\n",
            None,
        ),
        (
            "4.8#8",
            ".. bpo: abc\n.. section: Library\n\nFix.\n",
            Some("Invalid bpo number: 'abc'"),
        ),
        ("4.8#9", ".. bpo: 12\n.. section: Library\n\nFix.\n", None),
        (
            "4.8#10",
            ".. gh-issue: 118000\n\nFix.\n",
            Some("No 'section' specified.  You must provide one!"),
        ),
        (
            "4.8#11",
            ".. section: Library\n\nFix.\n",
            Some("'gh-issue:' or 'bpo:' must be specified in the metadata!"),
        ),
        (
            "4.8#12",
            ".. GH-Issue: 118000\n.. section: Library\n\nFix.\n",
            None,
        ),
        (
            "4.8#13",
            ".. gh-issue: 118000\n.. section: library\n\nFix.\n",
            Some("Invalid section 'library'!"),
        ),
        (
            "4.8 extra gh- value",
            ".. gh-issue: gh-118000\n.. section: Library\n\nFix.\n",
            Some("Invalid GitHub number: 'gh-118000'"),
        ),
        (
            "4.8 extra both keys",
            ".. gh-issue: 118000\n.. bpo: 12\n.. section: Library\n\nFix.\n",
            None,
        ),
        (
            "4.8 extra cve",
            ".. gh-issue: 118000\n.. section: Security\n.. cve: cve-2025-1234\n\nFix.\n",
            None,
        ),
        (
            "4.8 extra bad cve",
            ".. gh-issue: 118000\n.. section: Security\n.. cve: 2025-12\n\nFix.\n",
            Some("Invalid CVE identifier: '2025-12' (expected CVE-YYYY-NNNN)"),
        ),
        (
            "4.8 extra +40000 (Rec.)",
            ".. gh-issue: +40000\n.. section: Library\n\nFix.\n",
            Some("Invalid GitHub number: '+40000'"),
        ),
    ];
    for (name, input, expected) in cases {
        match (add_verdict(input), expected) {
            (Ok(_), None) => {}
            (Err(m), Some(e)) => assert!(m.contains(e), "{name}: {m}"),
            (got, _) => panic!("{name}: {got:?}"),
        }
    }
    // 4.8#14: two entries parse; `news add` refuses more than one.
    let two = add_verdict(".. gh-issue: 118000\n.. section: Library\n\nOne.\n..\n.. gh-issue: 118001\n.. section: Library\n\nTwo.\n").unwrap();
    assert_eq!(two.len(), 2, "4.8#14");
    assert_eq!(normalise_cve("cve-2025-1234"), "CVE-2025-1234");
    // 4.8#15: the --issue forms.
    for ok in [
        "12345",
        "gh-12345",
        "GH-12345",
        "#12345",
        "github.com/python/cpython/issues/12345",
        "https://github.com/python/cpython/issues/12345",
        " 12345 ",
    ] {
        assert_eq!(parse_issue_option(ok), Ok(12345), "4.8#15 {ok}");
    }
    for bad in [
        "bpo-12345",
        "Gh-123",
        "gh-",
        "https://github.com/python/cpython/issues/1234?param=1",
    ] {
        assert_eq!(
            parse_issue_option(bad),
            Err(format!("Invalid GitHub issue number: {bad}")),
            "4.8#15 {bad}"
        );
    }
    assert_eq!(
        parse_section_option("c api", &news.sections),
        Ok("C API".into())
    );
    assert!(parse_section_option("C api", &news.sections)
        .unwrap_err()
        .starts_with("Invalid section name: 'C api'"));
    assert_eq!(
        parse_section_option(" ", &news.sections),
        Err("Empty section name!".into())
    );
}

#[test]
fn lints_4_9_news_req() {
    let news = cpython();
    let g = "Misc/NEWS.d/next/Library/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst";
    let valid = |p: &str| is_entry_candidate(p, &news) && check_path(p, &news).is_ok();
    let run = |files: &[&str], skip: Option<&str>| {
        let changed: Vec<Changed<'_>> = files
            .iter()
            .map(|p| Changed {
                path: p,
                deleted: false,
                valid_entry: valid(p),
            })
            .collect();
        requirement(&changed, &news, skip)
    };
    assert_eq!(run(&["Lib/os.py", g], None), Requirement::Met, "4.9#1");
    assert!(
        matches!(run(&["Lib/os.py"], None), Requirement::Missing(NO_ENTRY, _)),
        "4.9#2"
    );
    assert!(
        matches!(
            run(&["Lib/os.py"], Some("typo fix")),
            Requirement::Skipped(_)
        ),
        "4.9#3 as --skip-news"
    );
    assert!(
        matches!(
            run(
                &["Misc/NEWS.d/next/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"],
                None
            ),
            Requirement::Missing(WRONG_DIRECTORY, _)
        ),
        "4.9#5"
    );
    assert!(
        matches!(
            run(
                &["Misc/NEWS.d/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"],
                None
            ),
            Requirement::Missing(NO_ENTRY, _)
        ),
        "4.9#6"
    );
    assert!(
        matches!(
            run(
                &["Misc/NEWS.d/next/Library/2024-05-01.gh-issue-118000.rst"],
                None
            ),
            Requirement::Missing(BAD_NAME, _)
        ),
        "4.9#7"
    );
    // 4.9#8: an empty entry fails NEWS-BODY, so it is not a valid entry.
    let empty = [
        Changed {
            path: g,
            deleted: false,
            valid_entry: false,
        },
        Changed {
            path: "Lib/os.py",
            deleted: false,
            valid_entry: false,
        },
    ];
    assert!(
        matches!(
            requirement(&empty, &news, None),
            Requirement::Missing(BAD_NAME, _)
        ),
        "4.9#8"
    );
    assert!(
        matches!(
            run(
                &[
                    "Lib/os.py",
                    "Misc/NEWS.d/next/Funky/2024-05-01-12-34-56.gh-issue-118000.AbCdEf.rst"
                ],
                None
            ),
            Requirement::Missing(BAD_NAME, _)
        ),
        "4.9#9 (Rec.: FAIL)"
    );
    assert_eq!(
        run(&["Misc/NEWS.d/next/Library/bad.rst", g], None),
        Requirement::Met,
        "4.9#10"
    );
    assert!(
        matches!(run(&["Doc/library/os.rst"], None), Requirement::Skipped(_)),
        "4.9#12"
    );
    assert_eq!(
        run(&["Doc/library/os.rst", g], None),
        Requirement::Met,
        "4.9#13"
    );
    assert!(
        matches!(
            run(&["Lib/test/test_os.py"], None),
            Requirement::Missing(NO_ENTRY, _)
        ),
        "4.9#14"
    );
    assert!(
        matches!(
            run(&["Doc/library/os.rst", "Lib/os.py"], None),
            Requirement::Missing(NO_ENTRY, _)
        ),
        "4.9#15"
    );
    assert!(
        matches!(
            run(&["README.md", "Doc/.nitignore"], None),
            Requirement::Skipped(_)
        ),
        "4.9 extra docs"
    );
    assert!(
        matches!(run(&["Doc/conf.py"], None), Requirement::Missing(..)),
        "4.9 extra conf.py"
    );
}

#[test]
fn issue_comes_from_branch_names_like_gh_12345() {
    assert_eq!(issue_from_branch("gh-12345-fix-crash"), Some(12345));
    assert_eq!(issue_from_branch("me/gh-12345"), Some(12345));
    assert_eq!(issue_from_branch("gh-12a"), None);
    assert_eq!(issue_from_branch("main"), None);
}

#[test]
fn wrapping_keeps_lists_and_wraps_prose_at_76() {
    let long = "word ".repeat(30);
    let wrapped = wrap_body(&long);
    assert!(wrapped.lines().all(|l| l.len() <= 76), "{wrapped}");
    assert_eq!(wrap_body("* a\n* b"), "* a\n* b\n");
}
