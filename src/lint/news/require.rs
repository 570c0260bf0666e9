//! NEWS-REQ: whether the series needs an entry, from what it changes.

use super::{entry_root, NewsSettings, BAD_NAME, NO_ENTRY, WRONG_DIRECTORY};
use crate::lint::check::SeriesCheck;
use crate::lint::table::RuleId;
use crate::lint::{commits, skip_trailer, Finding, LintError, Note, Report};

/// NEWS-REQ: what a series' changes say about needing an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requirement {
    /// An entry is present and valid.
    Met,
    /// No entry needed, and why.
    Skipped(String),
    /// An entry is missing: bedevere's description and the precise reason.
    Missing(&'static str, String),
}

/// One changed path, as NEWS-REQ sees it.
#[derive(Debug, Clone)]
pub struct Changed<'a> {
    pub path: &'a str,
    pub deleted: bool,
    /// The path is a valid entry (NEWS-PATH and NEWS-BODY pass, content non-empty).
    pub valid_entry: bool,
}

/// Decides NEWS-REQ. `explicit` is a skip reason from `--skip-news` or the trailer.
pub fn requirement(
    changed: &[Changed<'_>],
    news: &NewsSettings,
    explicit: Option<&str>,
) -> Requirement {
    if changed.is_empty() {
        return Requirement::Skipped("the series changes no file".into());
    }
    if changed.iter().any(|c| c.valid_entry && !c.deleted) {
        return Requirement::Met;
    }
    // bedevere's docs rule; a file in the NEWS directory makes it a NEWS attempt, not docs.
    let news_dir = format!("{}/", news.directory);
    if changed
        .iter()
        .all(|c| news.skips(c.path) && !c.path.starts_with(&news_dir))
    {
        return Requirement::Skipped("every changed file is documentation".into());
    }
    if let Some(reason) = explicit {
        return Requirement::Skipped(reason.to_owned());
    }
    let root = entry_root(news);
    let hint = format!(
        "add one with `review news add`, or skip it with `--skip-news` or a `{}: <reason>` trailer",
        news.skip_trailer
    );
    let under: Vec<&Changed<'_>> = changed
        .iter()
        .filter(|c| !c.deleted && c.path.starts_with(&root))
        .collect();
    if under.is_empty() {
        let status = if news.format == crate::config::NewsFormat::Towncrier {
            "No news fragment found"
        } else {
            NO_ENTRY
        };
        return Requirement::Missing(status, format!("nothing added under `{root}`; {hint}"));
    }
    let deep = news.format == crate::config::NewsFormat::Towncrier
        || under
            .iter()
            .any(|c| c.path[root.len()..].split('/').count() == 2);
    if !deep {
        return Requirement::Missing(
            WRONG_DIRECTORY,
            format!("entries go in `{root}<section>/`; see NEWS-PATH"),
        );
    }
    Requirement::Missing(
        BAD_NAME,
        "no changed entry is valid; see NEWS-PATH and NEWS-BODY".into(),
    )
}

/// NEWS-REQ on the series: a finding when an entry is missing, a note when none is needed.
pub fn check_series(
    id: RuleId,
    series: &SeriesCheck<'_>,
    report: &mut Report,
) -> Result<(), LintError> {
    let news = &series.rules.news;
    let explicit = if series.options.skip_news {
        Some("--skip-news was given".to_owned())
    } else {
        let commits = commits(series.repo, series.base, series.tip)?;
        skip_trailer(series.repo, &commits, &news.skip_trailer)?
            .map(|r| format!("{}: {r}", news.skip_trailer))
    };
    let changed: Vec<Changed<'_>> = series
        .files
        .iter()
        .zip(series.paths)
        .map(|((f, valid), path)| Changed {
            path,
            deleted: f.kind == crate::lint::Kind::Deleted,
            valid_entry: *valid,
        })
        .collect();
    match requirement(&changed, news, explicit.as_deref()) {
        Requirement::Met => {}
        Requirement::Skipped(why) => report
            .notes
            .push(Note::new(id, format!("no NEWS entry needed: {why}"))),
        Requirement::Missing(status, reason) => report.findings.push(Finding {
            path: existing_anchor(series, &entry_root(news))?,
            line: 1,
            column: 1,
            rule: id,
            message: format!("{status}: {reason}"),
            fixable: false,
        }),
    }
    Ok(())
}

/// Where the finding points: the entry directory, or its nearest ancestor that the tip has (a
/// first entry creates `Misc/NEWS.d/next/`), else the first file the series changes.
fn existing_anchor(series: &SeriesCheck<'_>, root: &str) -> Result<String, LintError> {
    let tree = series.repo.find_commit(series.tip)?.tree()?;
    let mut dir = root.trim_end_matches('/');
    while !dir.is_empty() {
        if tree.get_path(std::path::Path::new(dir)).is_ok() {
            return Ok(dir.to_owned());
        }
        dir = dir.rsplit_once('/').map_or("", |(parent, _)| parent);
    }
    let first = series
        .files
        .iter()
        .zip(series.paths)
        .find(|((f, _), _)| f.kind != crate::lint::Kind::Deleted)
        .or_else(|| series.files.iter().zip(series.paths).next());
    Ok(first.map_or_else(|| root.trim_end_matches('/').to_owned(), |(_, p)| p.clone()))
}
