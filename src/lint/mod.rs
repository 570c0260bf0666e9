//! The lint engine: judges what a commit range adds, file by file, with the enabled rules.
//!
//! Input is a range `base..tip` in a git2 repository. `source` reads one tree-to-tree diff
//! (renames followed, paths as bytes, `.gitattributes` honoured) into the touched files with
//! their tip content and added line numbers. Line rules look at added lines only; whole-file
//! rules (WS-EOF, WS-EOL, PC-PY's end of file) judge the tip and blame the range only when the
//! base did not have the same problem. Rule families live one per file.

pub mod conflict;
pub mod fix;
pub mod news;
pub mod patchcheck;
pub mod reminders;
pub mod rules;
pub mod source;
pub mod sphinx;
pub mod whitespace;

use git2::{Oid, Repository};
use serde::Serialize;

pub use rules::Rules;
pub use source::{FileInfo, Kind, Touched};

/// Why linting could not run.
#[derive(Debug, thiserror::Error)]
pub enum LintError {
    #[error("unknown lint rule `{id}` in `[lint.rules]`")]
    UnknownRule {
        id: String,
        suggestion: Option<String>,
    },
    #[error("invalid glob `{pattern}` in `{key}`: {message}")]
    BadGlob {
        key: String,
        pattern: String,
        message: String,
    },
    #[error("invalid `{key}`: {message}")]
    InvalidSetting { key: String, message: String },
    #[error(transparent)]
    Git(#[from] git2::Error),
}

/// One problem on one line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// Path at the tip, with undecodable bytes written `\xNN`.
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub rule: &'static str,
    pub message: String,
    /// Whether `review lint --fix` repairs it.
    pub fixable: bool,
}

/// Something worth knowing that never fails the run (reminders, skipped NEWS, skipped files).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub rule: &'static str,
    pub message: String,
}

/// The result of one run.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub notes: Vec<Note>,
    /// Files the range touched.
    pub files: usize,
    /// Lines the range added (judged or not).
    pub added_lines: usize,
    /// Bytes of the added lines.
    pub added_bytes: usize,
}

/// Choices made on the command line.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// `--skip-news`: the series needs no NEWS entry.
    pub skip_news: bool,
}

/// A path as text: UTF-8 as is, other bytes as `\xNN`.
pub fn display_path(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// 1-based column (in characters) of byte `offset` in `line`.
pub fn column(line: &[u8], offset: usize) -> usize {
    let prefix = &line[..offset.min(line.len())];
    match std::str::from_utf8(prefix) {
        Ok(s) => s.chars().count() + 1,
        Err(_) => String::from_utf8_lossy(prefix).chars().count() + 1,
    }
}

/// The commits of `base..tip`, newest first.
pub fn commits(repo: &Repository, base: Oid, tip: Oid) -> Result<Vec<Oid>, LintError> {
    let mut walk = repo.revwalk()?;
    walk.push(tip)?;
    if base != tip {
        walk.hide(base)?;
    } else {
        return Ok(Vec::new());
    }
    Ok(walk.collect::<Result<_, _>>()?)
}

/// The reason given in a skip trailer (`Skip-News: <reason>`) in any commit of the range.
pub fn skip_trailer(
    repo: &Repository,
    commits: &[Oid],
    trailer: &str,
) -> Result<Option<String>, LintError> {
    for id in commits {
        let commit = repo.find_commit(*id)?;
        let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
        if let Ok(trailers) = git2::message_trailers_strs(&message) {
            for (key, value) in trailers.iter() {
                if key.eq_ignore_ascii_case(trailer) && !value.trim().is_empty() {
                    return Ok(Some(value.trim().to_owned()));
                }
            }
        }
    }
    Ok(None)
}

/// Below this many touched files one thread does all the work.
const PARALLEL_MIN: usize = 256;

/// What one worker found: its share of the report and, per change index, the file and
/// whether it is a valid NEWS entry.
type Share = (Report, Vec<(usize, FileInfo, bool)>);

/// Loads and judges every `threads`-th change starting at `first`.
fn judge_share(
    repo: &Repository,
    tree: Oid,
    changes: &[source::Change],
    first: usize,
    threads: usize,
    rules: &Rules,
) -> Result<Share, LintError> {
    let mut loader = source::Loader::new(repo, tree)?;
    let mut report = Report::default();
    let mut files = Vec::new();
    for (index, change) in changes.iter().enumerate().skip(first).step_by(threads) {
        let file = loader.load(change)?;
        let path = display_path(&file.path);
        let valid_entry = match file.kind {
            Kind::Text => {
                let before = report.findings.len();
                check_file(repo, &file, &path, rules, &mut report)
                    && report.findings[before..]
                        .iter()
                        .all(|f| !f.rule.starts_with("NEWS"))
            }
            Kind::Deleted => false,
            other => {
                let what = match other {
                    Kind::Binary => "binary content or `binary`/`-text` attribute",
                    Kind::Symlink => "a symbolic link",
                    _ => "a submodule",
                };
                report.notes.push(Note {
                    rule: "SKIP",
                    message: format!("{path}: not checked ({what})"),
                });
                false
            }
        };
        files.push((index, file.info(), valid_entry));
    }
    Ok((report, files))
}

/// Lints the range `base..tip`. Large ranges are split over the available cores, each worker
/// with its own handle on the repository.
pub fn lint(
    repo: &Repository,
    base: Oid,
    tip: Oid,
    rules: &Rules,
    options: &Options,
) -> Result<(Report, Vec<FileInfo>), LintError> {
    let (changes, tree) = if base == tip {
        (Vec::new(), Oid::zero())
    } else {
        source::changes(repo, base, tip)?
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let shares: Vec<Share> = if changes.is_empty() {
        Vec::new()
    } else if threads < 2 || changes.len() < PARALLEL_MIN {
        vec![judge_share(repo, tree, &changes, 0, 1, rules)?]
    } else {
        let path = repo.path().to_path_buf();
        let workdir = repo.workdir().map(std::path::Path::to_path_buf);
        std::thread::scope(|scope| {
            let workers: Vec<_> = (1..threads)
                .map(|first| {
                    let (changes, path, workdir) = (&changes, &path, &workdir);
                    scope.spawn(move || {
                        let repo = Repository::open(path)?;
                        if let Some(w) = workdir {
                            repo.set_workdir(w, false)?;
                        }
                        judge_share(&repo, tree, changes, first, threads, rules)
                    })
                })
                .collect();
            let mut shares = vec![judge_share(repo, tree, &changes, 0, threads, rules)?];
            for worker in workers {
                shares.push(worker.join().expect("a lint worker panicked")?);
            }
            Ok::<_, LintError>(shares)
        })?
    };
    let mut report = Report {
        files: changes.len(),
        ..Report::default()
    };
    let mut files: Vec<(usize, FileInfo, bool)> = Vec::with_capacity(changes.len());
    for (share, share_files) in shares {
        report.findings.extend(share.findings);
        report.notes.extend(share.notes);
        report.added_lines += share.added_lines;
        report.added_bytes += share.added_bytes;
        files.extend(share_files);
    }
    files.sort_by_key(|(index, _, _)| *index);
    report.notes.sort_by(|a, b| a.message.cmp(&b.message));

    let paths: Vec<String> = files
        .iter()
        .map(|(_, f, _)| display_path(&f.path))
        .collect();
    if rules.enabled("NEWS-REQ") {
        let explicit = if options.skip_news {
            Some("--skip-news was given".to_owned())
        } else {
            let commits = commits(repo, base, tip)?;
            skip_trailer(repo, &commits, &rules.news.skip_trailer)?
                .map(|r| format!("{}: {r}", rules.news.skip_trailer))
        };
        let changed: Vec<news::Changed<'_>> = files
            .iter()
            .zip(&paths)
            .map(|((_, f, valid), path)| news::Changed {
                path,
                deleted: f.kind == Kind::Deleted,
                valid_entry: *valid,
            })
            .collect();
        match news::requirement(&changed, &rules.news, explicit.as_deref()) {
            news::Requirement::Met => {}
            news::Requirement::Skipped(why) => report.notes.push(Note {
                rule: "NEWS-REQ",
                message: format!("no NEWS entry needed: {why}"),
            }),
            news::Requirement::Missing(status, reason) => report.findings.push(Finding {
                path: news::entry_root(&rules.news)
                    .trim_end_matches('/')
                    .to_owned(),
                line: 1,
                column: 1,
                rule: "NEWS-REQ",
                message: format!("{status}: {reason}"),
                fixable: false,
            }),
        }
    }
    if rules.enabled("PC-REM") && !files.is_empty() {
        let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        for line in reminders::reminders(&refs) {
            report.notes.push(Note {
                rule: "PC-REM",
                message: line,
            });
        }
    }
    report.findings.sort();
    report.findings.dedup();
    Ok((report, files.into_iter().map(|(_, f, _)| f).collect()))
}

/// Runs every rule on one text file; returns whether it is a valid NEWS entry.
fn check_file(
    repo: &Repository,
    file: &Touched<'_>,
    path: &str,
    rules: &Rules,
    report: &mut Report,
) -> bool {
    let content = file.content();
    let spans = source::line_spans(content);
    let line = |n: usize| -> &[u8] { spans.get(n - 1).map_or(&[][..], |&(s, e)| &content[s..e]) };
    let on = |id: &str| rules.get(id).selects(path, content);
    let mut found: Vec<Finding> = Vec::new();
    let mut push = |line_no: usize, col: usize, rule: &'static str, message: String, fixable| {
        found.push(Finding {
            path: path.to_owned(),
            line: line_no,
            column: col,
            rule,
            message,
            fixable,
        })
    };
    let (trail, tabs, conflict, pc_c, pc_py, pc_doc) = (
        on("WS-TRAIL"),
        on("WS-TABS"),
        on("CONFLICT"),
        on("PC-C"),
        on("PC-PY"),
        on("PC-DOC"),
    );
    let mut added_bytes = 0;
    for &n in &file.added {
        let text = line(n);
        added_bytes += text.len();
        if trail {
            if let Some(at) = whitespace::trailing(text) {
                push(
                    n,
                    column(text, at),
                    "WS-TRAIL",
                    "trailing whitespace".into(),
                    true,
                );
            }
        }
        if tabs {
            if let Some(at) = whitespace::first_tab(text) {
                let width = rules.get("WS-TABS").tab_width;
                push(
                    n,
                    column(text, at),
                    "WS-TABS",
                    format!("TAB character (expand to {width} columns)"),
                    true,
                );
            }
        }
        if conflict {
            if let Some(marker) = conflict::marker(text) {
                push(
                    n,
                    1,
                    "CONFLICT",
                    format!("merge conflict marker `{marker}`"),
                    false,
                );
            }
        }
        if pc_c {
            if let Some(at) = patchcheck::c_tab(text) {
                let width = rules.get("PC-C").tab_width;
                push(
                    n,
                    column(text, at),
                    "PC-C",
                    format!("TAB in C source (legacy patchcheck expands it to {width} columns)"),
                    true,
                );
            }
        }
        if pc_doc {
            match patchcheck::doc_line(text) {
                Some(patchcheck::DocLine::Crlf(at)) => push(
                    n,
                    column(text, at),
                    "PC-DOC",
                    "CRLF line ending (legacy patchcheck makes it LF)".into(),
                    true,
                ),
                Some(patchcheck::DocLine::Trailing(at)) => push(
                    n,
                    column(text, at),
                    "PC-DOC",
                    "trailing whitespace (legacy patchcheck docs fixer)".into(),
                    true,
                ),
                None => {}
            }
        }
        if pc_py {
            match patchcheck::py_line(text) {
                Some(patchcheck::PyLine::Trailing(at)) => push(
                    n,
                    column(text, at),
                    "PC-PY",
                    "trailing whitespace (reindent)".into(),
                    true,
                ),
                Some(patchcheck::PyLine::Tab(at)) => push(
                    n,
                    column(text, at),
                    "PC-PY",
                    "TAB character (reindent expands TABs to 8 columns)".into(),
                    true,
                ),
                None => {}
            }
        }
    }

    // Whole-file rules: blamed only when the base did not already have the problem.
    let base = std::cell::OnceCell::new();
    let base_has = |check: &dyn Fn(&[u8]) -> bool| -> bool {
        base.get_or_init(|| file.base_content(repo))
            .as_deref()
            .is_some_and(check)
    };
    let last = spans.len().max(1);
    if on("WS-EOF") && !file.added.is_empty() {
        if let Some(problem) = whitespace::eof_problem(content) {
            if !base_has(&|b| whitespace::eof_problem(b).is_some()) {
                let (n, col, message) = match problem {
                    whitespace::EofProblem::Missing => (
                        last,
                        column(line(last), line(last).len()),
                        "no line ending at end of file".to_owned(),
                    ),
                    whitespace::EofProblem::Extra { keep } => {
                        let n = content[..keep].iter().filter(|&&b| b == b'\n').count() + 1;
                        (n.min(last), 1, "blank lines at end of file".to_owned())
                    }
                };
                push(n, col, "WS-EOF", message, true);
            }
        }
    }
    if on("WS-EOL") && !file.added.is_empty() {
        if let Some(target) = whitespace::eol_problem(content) {
            if !base_has(&|b| whitespace::eol_problem(b).is_some()) {
                let counts = whitespace::count_endings(content);
                let offending = file
                    .added
                    .iter()
                    .copied()
                    .find(|&n| whitespace::endings(line(n)).any(|(_, e)| e != target));
                let n = offending.unwrap_or(1);
                let message = format!(
                    "mixed line endings ({} LF, {} CRLF, {} CR); use {}",
                    counts[0],
                    counts[1],
                    counts[2],
                    target.name()
                );
                let text = line(n);
                let at = whitespace::endings(text)
                    .find(|&(_, e)| e != target)
                    .map_or(0, |(pos, _)| pos);
                push(n, column(text, at), "WS-EOL", message, offending.is_some());
            }
        }
    }
    if pc_py {
        for p in patchcheck::py_indentation(content) {
            if file.added.binary_search(&p.line).is_ok() {
                push(
                    p.line,
                    1,
                    "PC-PY",
                    format!(
                        "indented {} columns; reindent wants {} (4 per block level)",
                        p.actual, p.wanted
                    ),
                    false,
                );
            }
        }
    }
    if pc_py && !file.added.is_empty() {
        if let Some(message) = patchcheck::py_file(content) {
            if !base_has(&|b| patchcheck::py_file(b).is_some()) {
                push(last, 1, "PC-PY", format!("{message} (reindent)"), false);
            }
        }
    }
    if on("SL-WS") && !file.added.is_empty() {
        match std::str::from_utf8(content) {
            // SL-DR reports an undecodable file when it runs; say it once.
            Err(e) if !on("SL-DR") => push(1, 1, "SL-WS", decode_message(content, &e), false),
            Err(_) => {}
            Ok(_) => {
                // WS-TRAIL already reports trailing blanks where it applies; say it once.
                for &n in &file.added {
                    let text = line(n);
                    for (at, message) in sphinx::whitespace_line(text) {
                        if !trail || !message.starts_with("trailing") {
                            push(n, column(text, at), "SL-WS", message.to_owned(), false);
                        }
                    }
                }
                if sphinx::missing_final_newline(content)
                    && !base_has(&sphinx::missing_final_newline)
                {
                    push(
                        last,
                        column(line(last), line(last).len()),
                        "SL-WS",
                        "no newline at end of file (sphinx-lint missing-final-newline)".into(),
                        false,
                    );
                }
            }
        }
    }
    if on("SL-DR") && !file.added.is_empty() {
        match std::str::from_utf8(content) {
            Err(e) => push(1, 1, "SL-DR", decode_message(content, &e), false),
            Ok(text) => {
                let lines: Vec<&str> = text
                    .split_inclusive('\n')
                    .map(|l| l.trim_end_matches(['\n', '\r']))
                    .collect();
                let hidden = sphinx::hidden_lines(&lines);
                for &n in &file.added {
                    if n <= lines.len() && !hidden[n - 1] && sphinx::default_role(lines[n - 1]) {
                        push(
                            n,
                            1,
                            "SL-DR",
                            "default role used (hint: for inline literals, use double backticks)"
                                .into(),
                            false,
                        );
                    }
                }
            }
        }
    }
    let valid_entry = check_news_file(file, path, rules, &mut push);
    report.findings.extend(found);
    report.added_lines += file.added.len();
    report.added_bytes += added_bytes;
    valid_entry
}

/// sphinx-lint's complaint about a file that is not UTF-8.
fn decode_message(content: &[u8], e: &std::str::Utf8Error) -> String {
    format!(
        "cannot decode as UTF-8 (byte 0x{:02x} at offset {}); reST files must be UTF-8",
        content[e.valid_up_to()],
        e.valid_up_to()
    )
}

/// NEWS-PATH and NEWS-BODY for one file; true when it is a valid entry.
fn check_news_file(
    file: &Touched<'_>,
    path: &str,
    rules: &Rules,
    push: &mut dyn FnMut(usize, usize, &'static str, String, bool),
) -> bool {
    let news_settings = &rules.news;
    if news_settings.format == crate::config::NewsFormat::None
        || !news::is_entry_candidate(path, news_settings)
    {
        return false;
    }
    let entry = news::check_path(path, news_settings);
    if rules.enabled("NEWS-PATH") {
        if let Err(problem) = &entry {
            push(1, 1, "NEWS-PATH", problem.message(), false);
        }
    }
    let body_ok = match news::decode(file.content()) {
        Err(e) => {
            if rules.enabled("NEWS-BODY") {
                push(e.line, 1, "NEWS-BODY", e.message, false);
            }
            false
        }
        Ok(text) => {
            let result = if news_settings.format == crate::config::NewsFormat::Towncrier {
                if text.trim().is_empty() {
                    Err(news::BodyError {
                        line: 1,
                        message: "the fragment is empty".into(),
                    })
                } else {
                    Ok(())
                }
            } else {
                let meta = match &entry {
                    Ok(e) => vec![e.issue.clone(), ("section".to_owned(), e.section.clone())],
                    Err(_) => Vec::new(),
                };
                match news::parse_blurb(text, &meta, news_settings) {
                    Ok(_) => Ok(()),
                    // Without a valid name the file cannot supply the required keys; NEWS-PATH
                    // has already said why, so only body problems are reported.
                    Err(e)
                        if entry.is_err()
                            && (e.message.contains("must be specified")
                                || e.message.contains("No 'section'")) =>
                    {
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            };
            match result {
                Ok(()) => true,
                Err(e) => {
                    if rules.enabled("NEWS-BODY") {
                        push(e.line, 1, "NEWS-BODY", e.message, false);
                    }
                    false
                }
            }
        }
    };
    entry.is_ok() && body_ok
}
