//! The lint engine: judges what a commit range adds, file by file, with the enabled rules.
//!
//! Input is a range `base..tip` in a git2 repository. `source` reads what the two trees differ in
//! (renames followed, paths as bytes, `.gitattributes` honoured) into the touched files with
//! their tip content and added line numbers. Line rules look at added lines only; whole-file
//! rules (WS-EOF, WS-EOL, PC-PY's end of file) judge the tip and blame the range only when the
//! base did not have the same problem. Rule families live one per file.

pub mod attrs;
pub mod check;
pub mod conflict;
pub mod fix;
pub mod news;
pub mod patchcheck;
pub mod reminders;
pub mod rules;
pub mod source;
pub mod sphinx;
pub mod table;
pub mod whitespace;

use std::sync::atomic::{AtomicUsize, Ordering};

use git2::{Oid, Repository};
use serde::Serialize;

use check::{FileCheck, Found, SeriesCheck};
pub use rules::Rules;
pub use source::{FileInfo, Kind, Touched};
pub use table::RuleId;
use table::{Rule, TABLE};

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
    pub rule: RuleId,
    pub message: String,
    /// Whether `review lint --fix` repairs it.
    pub fixable: bool,
}

/// Something worth knowing that never fails the run (reminders, skipped NEWS, skipped files).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// The rule that noted it, or `None` for a file no rule could judge (binary, symbolic
    /// link, submodule), which the JSON report names `SKIP`.
    #[serde(serialize_with = "note_rule")]
    pub rule: Option<RuleId>,
    pub message: String,
}

impl Note {
    pub fn new(rule: RuleId, message: impl Into<String>) -> Self {
        Note {
            rule: Some(rule),
            message: message.into(),
        }
    }

    /// A file that was not checked, and why.
    pub fn skipped_file(message: String) -> Self {
        Note {
            rule: None,
            message,
        }
    }
}

fn note_rule<S: serde::Serializer>(rule: &Option<RuleId>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(rule.map_or("SKIP", RuleId::as_str))
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

/// How many consecutive changes a worker claims at a time: neighbours in tree order are often
/// one delta chain in a pack, whose base the pack cache keeps, and small blocks keep the
/// workers busy until the end.
const BLOCK: usize = 64;

/// Loads and judges blocks of changes, claiming the next unclaimed block from `next` until
/// none is left.
fn judge_share(
    repo: &Repository,
    range: &source::Changes,
    next: &AtomicUsize,
    rules: &Rules,
) -> Result<Share, LintError> {
    let changes = &range.changes;
    let objects = source::objects_handle(repo)?;
    let mut loader = source::Loader::new(repo, &objects, range.tip_tree, range.attr_files.clone())?;
    let mut report = Report::default();
    let mut files = Vec::new();
    let claimed = std::iter::from_fn(|| {
        let start = next.fetch_add(1, Ordering::Relaxed) * BLOCK;
        (start < changes.len()).then(|| start..(start + BLOCK).min(changes.len()))
    });
    for (index, change) in claimed.flatten().map(|i| (i, &changes[i])) {
        let file = loader.load(change)?;
        let path = display_path(&file.path);
        let valid_entry = match file.kind {
            Kind::Text => check_file(repo, &file, &path, rules, &mut report),
            Kind::Deleted => false,
            other => {
                let what = match other {
                    Kind::Binary => "binary content or `binary`/`-text` attribute",
                    Kind::Symlink => "a symbolic link",
                    _ => "a submodule",
                };
                report
                    .notes
                    .push(Note::skipped_file(format!("{path}: not checked ({what})")));
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
    let range = if base == tip {
        source::Changes {
            changes: Vec::new(),
            tip_tree: Oid::zero(),
            attr_files: Default::default(),
        }
    } else {
        source::changes(repo, base, tip)?
    };
    let changes = &range.changes;
    // Asked only for a large range: the answer reads cgroup files (2% of a one-commit run).
    let threads = if changes.len() < PARALLEL_MIN {
        1
    } else {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8)
    };
    let shares: Vec<Share> = if changes.is_empty() {
        Vec::new()
    } else if threads < 2 {
        vec![judge_share(repo, &range, &AtomicUsize::new(0), rules)?]
    } else {
        let path = repo.path().to_path_buf();
        let workdir = repo.workdir().map(std::path::Path::to_path_buf);
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            let workers: Vec<_> = (1..threads)
                .map(|_| {
                    let (range, path, workdir, next) = (&range, &path, &workdir, &next);
                    scope.spawn(move || {
                        let repo = Repository::open(path)?;
                        if let Some(w) = workdir {
                            repo.set_workdir(w, false)?;
                        }
                        judge_share(&repo, range, next, rules)
                    })
                })
                .collect();
            let mut shares = vec![judge_share(repo, &range, &next, rules)?];
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

    let files: Vec<(FileInfo, bool)> = files.into_iter().map(|(_, f, v)| (f, v)).collect();
    let paths: Vec<String> = files.iter().map(|(f, _)| display_path(&f.path)).collect();
    let series = SeriesCheck {
        repo,
        base,
        tip,
        rules,
        options,
        files: &files,
        paths: &paths,
    };
    for rule in &TABLE {
        if let Some(check) = rule.series.filter(|_| rules.enabled(rule.id)) {
            check(rule.id, &series, &mut report)?;
        }
    }
    report.findings.sort();
    report.findings.dedup();
    Ok((report, files.into_iter().map(|(f, _)| f).collect()))
}

/// Runs the rules that judge one text file; returns whether it is a valid NEWS entry.
fn check_file(
    repo: &Repository,
    file: &Touched<'_>,
    path: &str,
    rules: &Rules,
    report: &mut Report,
) -> bool {
    let ctx = FileCheck::new(repo, file, path, rules);
    let on: Vec<&Rule> = TABLE.iter().filter(|r| ctx.judged_by(r.id)).collect();
    let line_checks: Vec<(RuleId, table::LineCheck)> = on
        .iter()
        .filter_map(|r| r.line.map(|check| (r.id, check)))
        .collect();
    let mut found = Found::new(path);
    let mut added_bytes = 0;
    for &n in &file.added {
        let text = ctx.line(n);
        added_bytes += text.len();
        for (id, check) in &line_checks {
            check(*id, &ctx, n, text, &mut found);
        }
    }
    for rule in &on {
        if let Some(check) = rule.file {
            check(rule.id, &ctx, &mut found);
        }
    }
    report.findings.extend(found.findings);
    report.added_lines += file.added.len();
    report.added_bytes += added_bytes;
    ctx.news_entry().is_some_and(news::EntryVerdict::is_valid)
}
