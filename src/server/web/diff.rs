//! `/changes/{n}/v{v}` (a version's diff on a target, `?target=`, `?view=unified|split`) and
//! `/changes/{n}/v{a}..v{b}` (the interdiff): the file list with +/- counts, each file
//! unified or side by side, whitespace errors made visible, inline threads under their lines
//! with reply and resolve forms, and a comment form for any line (`?comment=` opens it with
//! JavaScript off; `review.js` opens it in place).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use maud::{html, Markup};
use serde::Deserialize;

use crate::api::review::{
    Diff, FileDiff, Hunk, HunkLine, Interdiff, LineKind, RangeKind, Side, Thread, VersionDiff,
};
use crate::api::time::now_millis;
use crate::server::http::{diff_plan, interdiff_plan, ApiError, AppState};

use super::change::{change_number, load, ChangePage};
use super::split::{split_rows, SplitRow};
use super::{age, csrf_field, html_page, page, PageResult, Viewer, WebError};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DiffQuery {
    target: Option<String>,
    view: Option<String>,
    /// `<file index>:<old|new>:<line>`: open the comment form under that line.
    comment: Option<String>,
}

/// What the path after `/changes/{n}/` names: `v3` or `v1..v3`.
#[derive(Debug, PartialEq, Eq)]
enum Spec {
    Version(u32),
    Between(u32, u32),
}

fn parse_spec(text: &str) -> Option<Spec> {
    let version = |t: &str| t.strip_prefix('v')?.parse::<u32>().ok();
    match text.split_once("..") {
        Some((a, b)) => Some(Spec::Between(version(a)?, version(b)?)),
        None => Some(Spec::Version(version(text)?)),
    }
}

/// How the page is asked for, kept in every link it makes.
struct View {
    number: u64,
    version: u32,
    target: String,
    split: bool,
    /// (file index, side, line) of the open comment form.
    comment: Option<(usize, Side, u32)>,
}

impl View {
    fn href(&self, split: bool) -> String {
        let pairs = [
            ("target", self.target.as_str()),
            ("view", if split { "split" } else { "unified" }),
        ];
        format!(
            "/changes/{}/v{}?{}",
            self.number,
            self.version,
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }

    /// The start of every line link's query (see `Ctx::line_query`).
    fn line_query(&self) -> String {
        let pairs = [
            ("target", self.target.as_str()),
            ("view", if self.split { "split" } else { "unified" }),
        ];
        format!(
            "?{}&comment=",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }

    /// Where forms on this page come back to.
    fn back(&self) -> String {
        self.href(self.split)
    }
}

fn parse_comment(text: &str) -> Option<(usize, Side, u32)> {
    let mut parts = text.splitn(3, ':');
    let file = parts.next()?.parse().ok()?;
    let side = Side::parse(parts.next()?)?;
    let line = parts.next()?.parse().ok()?;
    Some((file, side, line))
}

pub(super) async fn diff_page(
    State(state): State<Arc<AppState>>,
    viewer: Viewer,
    Path((number, spec)): Path<(String, String)>,
    query: Result<Query<DiffQuery>, QueryRejection>,
) -> PageResult {
    let number = change_number(&number)?;
    let query = query
        .map(|Query(q)| q)
        .map_err(|e| WebError::new(StatusCode::BAD_REQUEST, "Bad query", e.body_text()))?;
    let spec = parse_spec(&spec).ok_or_else(|| {
        WebError::not_found(format!(
            "`{spec}` is not a version (`v2`) or two versions (`v1..v2`)"
        ))
    })?;
    let split = match query.view.as_deref() {
        None | Some("unified") => false,
        Some("split") => true,
        Some(other) => {
            return Err(WebError::new(
                StatusCode::BAD_REQUEST,
                "Bad query",
                format!("`view` is `{other}`: use unified or split"),
            ))
        }
    };
    let data = load(&state, &viewer, number).await?;
    match spec {
        Spec::Version(version) => {
            let plan = diff_plan(&state, number, version, query.target.as_deref(), 3)?;
            let diff = tokio::task::spawn_blocking(move || plan.run())
                .await
                .map_err(ApiError::internal)??;
            let view = View {
                number,
                version,
                target: diff.target.clone(),
                split,
                comment: query.comment.as_deref().and_then(parse_comment),
            };
            let title = format!("v{version} of #{number}");
            let body = version_body(&viewer, &data, &diff, &view);
            Ok(html_page(page(&title, &viewer, body)))
        }
        Spec::Between(from, to) => {
            let plan = interdiff_plan(&state, number, (from, to), query.target.as_deref(), 3)?;
            let inter = tokio::task::spawn_blocking(move || plan.run())
                .await
                .map_err(ApiError::internal)??;
            let view = View {
                number,
                version: to,
                target: inter.target.clone(),
                split,
                comment: None,
            };
            let title = format!("v{from}..v{to} of #{number}");
            Ok(html_page(page(
                &title,
                &viewer,
                interdiff_body(&data, &inter, &view),
            )))
        }
    }
}

/// Threads by the line they are shown under: (path, side, line).
type Placed<'a> = HashMap<(&'a str, Side, u32), Vec<&'a Thread>>;

/// The inline threads shown on this version and target: made there, or (on the newest
/// version) carried to an unchanged line. The rest are listed after the diff.
fn place<'a>(threads: &'a [Thread], view: &View, newest: u32) -> (Placed<'a>, Vec<&'a Thread>) {
    let mut placed: Placed<'a> = HashMap::new();
    let mut elsewhere = Vec::new();
    for t in threads {
        let Some(anchor) = &t.anchor else { continue };
        let line = if anchor.version == view.version && anchor.target == view.target {
            Some(anchor.line)
        } else if view.version == newest && anchor.target == view.target {
            t.position.as_ref().and_then(|p| p.line)
        } else {
            None
        };
        match line {
            Some(line) => placed
                .entry((anchor.path.as_str(), anchor.side, line))
                .or_default()
                .push(t),
            None => elsewhere.push(t),
        }
    }
    (placed, elsewhere)
}

fn version_body(viewer: &Viewer, data: &ChangePage, diff: &VersionDiff, view: &View) -> Markup {
    let change = &data.change;
    let newest = change.current_version;
    let (placed, elsewhere) = place(&data.threads, view, newest);
    let targets: Vec<&str> = change
        .versions
        .iter()
        .find(|v| v.number == view.version)
        .map(|v| v.targets.iter().map(|t| t.target.as_str()).collect())
        .unwrap_or_default();
    let ctx = Ctx {
        line_query: view.line_query(),
        viewer,
        view,
        placed: &placed,
        open: data.change.state == crate::api::ChangeState::Open,
    };
    html! {
        h1 {
            a href={ "/changes/" (change.number) } { "#" (change.number) } " " (change.title)
        }
        p.meta {
            span { "v" (view.version) " of " (newest) " on " strong { (view.target) } }
            span.muted { "base " code { (short(&diff.base_commit)) } " → " code { (short(&diff.commit)) } }
            @if view.version > 1 {
                a href={ "/changes/" (change.number) "/v" (view.version - 1) "..v" (view.version) } {
                    "interdiff v" (view.version - 1) "→v" (view.version)
                }
            }
        }
        nav.tabs aria-label="view" {
            a href=(view.href(false)) aria-current=[(!view.split).then_some("page")] { "Unified" }
            a href=(view.href(true)) aria-current=[view.split.then_some("page")] { "Side by side" }
            @for t in &targets {
                @if *t != view.target {
                    a href={ "/changes/" (change.number) "/v" (view.version) "?target=" (t) } { "on " (t) }
                }
            }
        }
        p.kbd-help.hide-narrow { "Keys: j/k next/previous file, n/p next/previous unresolved thread, r reply." }
        (file_list(&diff.diff))
        @if let Some(note) = &diff.diff.truncated_note { p.notice { (note) } }
        @for (i, file) in diff.diff.files.iter().enumerate() {
            (file_view(&ctx, i, file))
        }
        @if !elsewhere.is_empty() {
            h2 { "Threads on other versions or targets" }
            @for t in &elsewhere {
                (thread_view(t, ctx.forms(t)))
            }
        }
        (line_form_template(&ctx))
    }
}

fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// What rendering one page's files needs.
struct Ctx<'a> {
    viewer: &'a Viewer,
    view: &'a View,
    placed: &'a Placed<'a>,
    /// The change takes comments (it is open).
    open: bool,
    /// `?target=..&view=..&comment=`: a line's link adds `<file>:<side>:<line>` (relative, and
    /// made once: a diff has thousands of them).
    line_query: String,
}

/// The forms under a thread: (viewer, where to come back to, change number).
pub(super) struct ThreadForms<'a> {
    viewer: &'a Viewer,
    back: String,
    number: u64,
}

impl<'a> Ctx<'a> {
    fn forms(&self, _thread: &Thread) -> Option<ThreadForms<'a>> {
        (self.open && self.viewer.user.is_some()).then(|| ThreadForms {
            viewer: self.viewer,
            back: self.view.back(),
            number: self.view.number,
        })
    }
}

fn file_list(diff: &Diff) -> Markup {
    html! {
        h2 { (diff.files.len()) " files" }
        ol.files {
            @for (i, f) in diff.files.iter().enumerate() {
                li {
                    a href={ "#file-" (i) } { (f.path()) }
                    " " span.add { "+" (f.additions) } " " span.del { "−" (f.deletions) }
                    @if f.status != crate::api::review::FileStatus::Modified {
                        " " span.muted { (f.status.as_str()) }
                    }
                }
            }
        }
    }
}

fn file_view(ctx: &Ctx<'_>, index: usize, file: &FileDiff) -> Markup {
    html! {
        section.file id={ "file-" (index) } data-path=(file.path()) data-index=(index) {
            h3 {
                (file.path())
                @if let (Some(old), crate::api::review::FileStatus::Renamed | crate::api::review::FileStatus::Copied) = (&file.old_path, file.status) {
                    span.muted { " (from " (old) ")" }
                }
                " " span.add { "+" (file.additions) } " " span.del { "−" (file.deletions) }
            }
            @if file.binary {
                p.muted { "binary file" }
            }
            @if file.truncated {
                p.notice { "this file's diff is cut here (limits.diff_bytes)" }
            }
            @if !file.hunks.is_empty() {
                table class={ "diff " (if ctx.view.split { "split" } else { "unified" }) } {
                    @for hunk in &file.hunks {
                        @if ctx.view.split {
                            (split_hunk(ctx, index, file, hunk))
                        } @else {
                            (unified_hunk(ctx, index, file, hunk))
                        }
                    }
                }
            }
        }
    }
}

/// The side and number a comment on this line is made on.
fn line_key(line: &HunkLine) -> Option<(Side, u32)> {
    match line.kind {
        LineKind::Removed => line.old_line.map(|n| (Side::Old, n)),
        _ => line.new_line.map(|n| (Side::New, n)),
    }
}

fn unified_hunk(ctx: &Ctx<'_>, index: usize, file: &FileDiff, hunk: &Hunk) -> Markup {
    html! {
        tr.hunk { td.ln {} td.ln {} td.code { (hunk.header) } }
        @for line in &hunk.lines {
            @let class = match line.kind { LineKind::Added => "add", LineKind::Removed => "del", LineKind::Context => "ctx" };
            tr class=(class) {
                td.ln { (number_cell(ctx, index, line, Side::Old)) }
                td.ln { (number_cell(ctx, index, line, Side::New)) }
                td.code { (code_text(line)) }
            }
            (under_line(ctx, index, file, line_key(line), 3))
        }
    }
}

fn split_hunk(ctx: &Ctx<'_>, index: usize, file: &FileDiff, hunk: &Hunk) -> Markup {
    html! {
        tr.hunk { td.ln {} td.code colspan="3" { (hunk.header) } }
        @for row in split_rows(&hunk.lines) {
            (split_row(ctx, index, file, &row))
        }
    }
}

fn split_row(ctx: &Ctx<'_>, index: usize, file: &FileDiff, row: &SplitRow<'_>) -> Markup {
    let side_class = |l: Option<&HunkLine>| match l.map(|l| l.kind) {
        Some(LineKind::Added) => "code add",
        Some(LineKind::Removed) => "code del",
        Some(LineKind::Context) => "code",
        None => "code empty",
    };
    html! {
        tr {
            td.ln { @if let Some(l) = row.old { (number_cell(ctx, index, l, Side::Old)) } }
            td class=(side_class(row.old)) { @if let Some(l) = row.old { (code_text(l)) } }
            td.ln { @if let Some(l) = row.new { (number_cell(ctx, index, l, Side::New)) } }
            td class=(side_class(row.new)) { @if let Some(l) = row.new { (code_text(l)) } }
        }
        @if let Some(l) = row.old.filter(|l| l.kind == LineKind::Removed) {
            (under_line(ctx, index, file, line_key(l), 4))
        }
        @if let Some(l) = row.new {
            (under_line(ctx, index, file, line_key(l), 4))
        }
    }
}

/// A line number; on the side comments are made on, a link that opens the comment form.
fn number_cell(ctx: &Ctx<'_>, index: usize, line: &HunkLine, side: Side) -> Markup {
    let number = match side {
        Side::Old => line.old_line,
        Side::New => line.new_line,
    };
    let Some(number) = number else {
        return html! {};
    };
    let commentable =
        ctx.open && ctx.viewer.user.is_some() && line_key(line) == Some((side, number));
    html! {
        @if commentable {
            a.comment-here href={ (ctx.line_query) (index) ":" (side.as_str()) ":" (number) "#open-form" } { (number) }
        } @else {
            (number)
        }
    }
}

/// The threads under a line, and the comment form when it is the one asked for.
fn under_line(
    ctx: &Ctx<'_>,
    index: usize,
    file: &FileDiff,
    key: Option<(Side, u32)>,
    span: u32,
) -> Markup {
    let Some((side, line)) = key else {
        return html! {};
    };
    let threads = ctx.placed.get(&(file.path(), side, line));
    let form_here = ctx.view.comment == Some((index, side, line));
    html! {
        @if threads.is_some() || form_here {
            tr.threads id=[form_here.then_some("open-form")] { td colspan=(span) {
                @for t in threads.into_iter().flatten() {
                    (thread_view(t, ctx.forms(t)))
                }
                @if form_here && ctx.open {
                    (line_form(ctx, file.path(), side, line, false))
                }
            } }
        }
    }
}

/// A line's text with whitespace errors of added lines marked: trailing whitespace, and tabs.
fn code_text(line: &HunkLine) -> Markup {
    let text = line.text.as_str();
    if line.kind != LineKind::Added {
        return html! { (text) };
    }
    let body = text.trim_end_matches([' ', '\t', '\r']);
    let trailing = &text[body.len()..];
    html! {
        @for (i, piece) in body.split('\t').enumerate() {
            @if i > 0 { span.ws.tab title="tab" { "\t" } }
            (piece)
        }
        @if !trailing.is_empty() {
            span.ws title="trailing whitespace" { (trailing) }
        }
    }
}

/// One thread: its comments, then (signed in, change open) reply and resolve forms.
pub(super) fn thread_view(thread: &Thread, forms: Option<ThreadForms<'_>>) -> Markup {
    let now = now_millis();
    let state = if thread.resolved {
        "resolved"
    } else {
        "unresolved"
    };
    html! {
        article class={ "thread " (state) } id={ "thread-" (thread.id) } {
            @if let Some(anchor) = &thread.anchor {
                div.comment.muted {
                    (anchor.path) ":" (anchor.line) " (" (anchor.side.as_str()) ", v" (anchor.version) " on " (anchor.target) ")"
                    @if thread.position.as_ref().is_some_and(|p| p.outdated) { " " span.badge.off { "outdated" } }
                    @if thread.resolved {
                        " " span.badge.ok { "resolved" @if let Some(by) = &thread.resolved_by { " by " (by) } }
                    } @else {
                        " " span.badge.wait { "unresolved" }
                    }
                }
            }
            @for c in &thread.comments {
                div.comment {
                    strong { (c.author) } " " span.muted { (age(&c.created, now)) @if c.edited.is_some() { " (edited)" } }
                    @if c.deleted {
                        p.body.muted { "(deleted)" }
                    } @else {
                        pre.body { (c.body) }
                    }
                }
            }
            @if let Some(f) = forms {
                @if thread.anchor.is_some() {
                    details.reply {
                        summary { "Reply" }
                        form method="post" action={ "/changes/" (f.number) "/comments/" (thread.id) "/reply" } {
                            (csrf_field(f.viewer))
                            input type="hidden" name="back" value=(f.back);
                            label for={ "reply-" (thread.id) } { "Reply" }
                            textarea id={ "reply-" (thread.id) } name="body" required {}
                            @if !thread.resolved {
                                label { input type="checkbox" name="resolve" value="1"; " and resolve" }
                            }
                            button type="submit" { "Reply" }
                        }
                    }
                    @if !thread.resolved {
                        form.inline method="post" action={ "/changes/" (f.number) "/comments/" (thread.id) "/resolve" } {
                            (csrf_field(f.viewer))
                            input type="hidden" name="back" value=(f.back);
                            button type="submit" { "Resolve" }
                        }
                    }
                }
            }
        }
    }
}

/// The form of a comment on one line (`template`: the hidden copy `review.js` fills in).
fn line_form(ctx: &Ctx<'_>, path: &str, side: Side, line: u32, template: bool) -> Markup {
    let id = if template {
        "line-form".to_owned()
    } else {
        format!("line-form-{}-{line}", side.as_str())
    };
    html! {
        form.line-form id=(id) method="post" action={ "/changes/" (ctx.view.number) "/review" } hidden[template] {
            (csrf_field(ctx.viewer))
            input type="hidden" name="version" value=(ctx.view.version);
            input type="hidden" name="target" value=(ctx.view.target);
            input type="hidden" name="path" value=(path);
            input type="hidden" name="side" value=(side.as_str());
            input type="hidden" name="line" value=(line);
            input type="hidden" name="back" value=(ctx.view.back());
            label for={ (id) "-body" } { "Comment on " span.where { (path) ":" (line) } }
            textarea id={ (id) "-body" } name="body" required {}
            button type="submit" { "Comment" }
        }
    }
}

fn line_form_template(ctx: &Ctx<'_>) -> Markup {
    html! {
        @if ctx.open && ctx.viewer.user.is_some() {
            (line_form(ctx, "", Side::New, 0, true))
        }
    }
}

fn interdiff_body(data: &ChangePage, inter: &Interdiff, view: &View) -> Markup {
    let change = &data.change;
    let none = Placed::new();
    let anonymous = Viewer::unknown();
    let ctx = Ctx {
        viewer: &anonymous,
        view,
        placed: &none,
        open: false,
        line_query: String::new(),
    };
    html! {
        h1 { a href={ "/changes/" (change.number) } { "#" (change.number) } " " (change.title) }
        p.meta { "v" (inter.from) " → v" (inter.to) " on " strong { (inter.target) } }
        h2 { "Commits" }
        ul.range-diff {
            @for e in &inter.range_diff {
                li {
                    @let (sym, word) = match e.kind { RangeKind::Same => ("=", "same"), RangeKind::Changed => ("!", "changed"), RangeKind::Removed => ("<", "only in v" ), RangeKind::Added => (">", "only in v") };
                    span.sym aria-hidden="true" { (sym) } " " (word)
                    @if e.kind == RangeKind::Removed { (inter.from) }
                    @if e.kind == RangeKind::Added { (inter.to) }
                    ": " (e.new.as_ref().or(e.old.as_ref()).map(|c| c.summary.as_str()).unwrap_or(""))
                    @if !e.patch_diff.is_empty() {
                        pre.patch-diff { @for l in &e.patch_diff {
                            span class=(l.kind) { (l.text) } "\n"
                        } }
                    }
                }
            }
        }
        @match &inter.tree_diff {
            Some(diff) => {
                (file_list(diff))
                @for (i, file) in diff.files.iter().enumerate() { (file_view(&ctx, i, file)) }
            }
            None => {
                p.notice { "The two versions were applied on different commits of " (inter.target)
                    ": the tree diff would mix in the branch's own changes, so only the commits are compared." }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_name_a_version_or_two() {
        assert_eq!(parse_spec("v3"), Some(Spec::Version(3)));
        assert_eq!(parse_spec("v1..v3"), Some(Spec::Between(1, 3)));
        assert_eq!(parse_spec("3"), None);
        assert_eq!(parse_spec("v1..3"), None);
        assert_eq!(parse_comment("2:old:14"), Some((2, Side::Old, 14)));
        assert_eq!(parse_comment("2:left:14"), None);
    }

    #[test]
    fn whitespace_errors_of_added_lines_are_marked() {
        let line = |kind, text: &str| HunkLine {
            kind,
            old_line: None,
            new_line: Some(1),
            text: text.into(),
            no_newline: false,
        };
        let html = code_text(&line(LineKind::Added, "\tx = 1  ")).into_string();
        assert!(
            html.contains("ws tab") && html.contains("trailing whitespace"),
            "{html}"
        );
        let html = code_text(&line(LineKind::Context, "\tx = 1  ")).into_string();
        assert!(!html.contains("ws"), "{html}");
        let html = code_text(&line(LineKind::Added, "<script>")).into_string();
        assert_eq!(html, "&lt;script&gt;");
    }
}
