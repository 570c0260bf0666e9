//! What the tracker is told about a change, computed from the change as the API shows it: a
//! notification per version posted, per version whose checks finished, per merge and per revert.
//! Each has a key naming it within the change, so computing them again enqueues nothing twice.

use serde::{Deserialize, Serialize};

use crate::api::{self, GateStatus, JobState, Verdict};

/// A notification, as stored in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub text: String,
    /// The version whose mbox is attached as `<change>-v<n>.patch`.
    #[serde(default)]
    pub patch_of: Option<u32>,
    /// The change merged on every target: set the configured status and resolution.
    #[serde(default)]
    pub close: bool,
}

/// What the outbox needs to know besides the change.
pub struct Context<'a> {
    /// The change's address, e.g. `http://review.example.org/api/v1/changes/3`.
    pub change_url: &'a str,
    /// The service's address, for log links.
    pub base_url: &'a str,
    /// The revert change of a reverted target, if it exists yet.
    pub revert_of: &'a dyn Fn(&str) -> Option<u64>,
}

/// Every notification due for the change now, in the order they happened: `(key, body)`.
/// The second value is true when nothing more will come for the change.
pub fn due(change: &api::Change, ctx: &Context<'_>) -> (Vec<(String, Notification)>, bool) {
    let mut notes = Vec::new();
    // A security change stays private until it merges: no patch, no results on the issue
    // (which anyone may read), only the merge and what follows.
    let private = change.kind == api::ChangeKind::Security;
    for version in change.versions.iter().filter(|_| !private) {
        notes.push((format!("v{}", version.number), posted(change, version, ctx)));
        if let Some(text) = results(change, version, ctx) {
            notes.push((format!("results-v{}", version.number), text_only(text)));
        }
    }
    let mut settled = change.state == api::ChangeState::Abandoned;
    if let Some(current) = change.current() {
        let (gate_notes, done) = gate_events(change, current, ctx);
        notes.extend(gate_notes);
        settled |= done;
    }
    (notes, settled)
}

fn text_only(text: String) -> Notification {
    Notification {
        text,
        patch_of: None,
        close: false,
    }
}

fn posted(change: &api::Change, version: &api::Version, ctx: &Context<'_>) -> Notification {
    let targets: Vec<&str> = version.targets.iter().map(|t| t.target.as_str()).collect();
    let mut text = format!(
        "review: change {} version {} posted: {}\n{}\nTargets: {}\nPatch: {}\n",
        change.number,
        version.number,
        ctx.change_url,
        change.title,
        targets.join(", "),
        patch_name(change.number, version.number),
    );
    for commit in &version.commits {
        text.push_str(&format!("  {} ({})\n", commit.subject, commit.author));
    }
    Notification {
        text,
        patch_of: Some(version.number),
        close: false,
    }
}

/// The name of a version's patch file on the tracker.
pub fn patch_name(change: u64, version: u32) -> String {
    format!("{change}-v{version}.patch")
}

/// The result table of a version once every target has its verdict (nothing for a version
/// whose checks were all cancelled: a newer one came).
fn results(change: &api::Change, version: &api::Version, ctx: &Context<'_>) -> Option<String> {
    let verdicts: Vec<Verdict> = version.targets.iter().map(|t| t.verdict).collect();
    if verdicts.contains(&Verdict::Pending) || verdicts.iter().all(|v| *v == Verdict::Cancelled) {
        return None;
    }
    let mut rows = vec![["branch", "apply", "job", "platform", "result", "log"].map(String::from)];
    for target in &version.targets {
        let apply = target.apply.as_str().to_owned();
        if target.jobs.is_empty() {
            rows.push([
                target.target.clone(),
                apply.clone(),
                "-".into(),
                "-".into(),
                "-".into(),
                "".into(),
            ]);
        }
        for job in &target.jobs {
            let mut result = job.state.as_str().to_owned();
            if let (JobState::Failed, Some(issue)) = (job.state, &job.known_failure) {
                result.push_str(&format!(" (known failure {issue})"));
            }
            if !job.voting {
                result.push_str(" (non-voting)");
            }
            let log = if job.state == JobState::Skipped {
                String::new()
            } else {
                format!("{}{}", ctx.base_url, job.log_url)
            };
            rows.push([
                target.target.clone(),
                apply.clone(),
                job.name.clone(),
                job.platform.clone(),
                result,
                log,
            ]);
        }
    }
    let mut text = format!(
        "review: checks of change {} version {} finished: {}\n\n",
        change.number, version.number, ctx.change_url
    );
    text.push_str(&table(&rows));
    Some(text)
}

/// Rows as columns padded to their widest cell.
fn table(rows: &[[String; 6]]) -> String {
    let mut widths = [0usize; 6];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        text.push_str(line.join("  ").trim_end());
        text.push('\n');
    }
    text
}

/// Merges and reverts of the current version, and whether the change is settled.
fn gate_events(
    change: &api::Change,
    current: &api::Version,
    ctx: &Context<'_>,
) -> (Vec<(String, Notification)>, bool) {
    let mut notes = Vec::new();
    let mut settled = true;
    // Merged for good: a post-merge check still running may yet revert it.
    let merged_everywhere = current.targets.iter().all(|t| {
        t.gate.state == GateStatus::Merged
            && t.gate.post_merge != Some(api::PostMergeStatus::Running)
    });
    for target in &current.targets {
        let gate = &target.gate;
        let merged = matches!(
            gate.state,
            GateStatus::Merged | GateStatus::Reverting | GateStatus::Reverted
        );
        if merged {
            let commit = gate.commit.as_deref().unwrap_or("?");
            notes.push((
                format!("merged-{}", target.target),
                text_only(format!(
                    "review: change {} version {} merged on {} as {commit}: {}\n",
                    change.number, current.number, target.target, ctx.change_url
                )),
            ));
        }
        match gate.state {
            GateStatus::Reverting | GateStatus::Reverted => {
                match (ctx.revert_of)(&target.target) {
                    Some(revert) => notes.push((
                        format!("reverted-{}", target.target),
                        text_only(format!(
                            "review: the post-merge checks of change {} failed on {}: {}\n\
                             Reverting it with change {revert}.\n",
                            change.number, target.target, gate.summary
                        )),
                    )),
                    None => settled = false,
                }
                settled &= gate.state == GateStatus::Reverted;
            }
            GateStatus::Merged => {
                settled &= gate.post_merge != Some(api::PostMergeStatus::Running);
            }
            _ => settled = false,
        }
    }
    if merged_everywhere {
        let targets: Vec<&str> = current.targets.iter().map(|t| t.target.as_str()).collect();
        notes.push((
            "merged-everywhere".into(),
            Notification {
                text: format!(
                    "review: change {} is merged on every target ({}).\n",
                    change.number,
                    targets.join(", ")
                ),
                patch_of: None,
                close: true,
            },
        ));
    }
    (notes, settled)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Change 3, version 1 on main: `tests` failed on freebsd (non-voting there is `lint`).
    fn checked() -> api::Change {
        serde_json::from_value(serde_json::json!({
            "number": 3, "title": "Fix", "kind": "bugfix", "issue": "bpo-7", "owner": "ann",
            "state": "open", "draft": false, "created": "2026-01-01T00:00:00Z",
            "current_version": 1,
            "versions": [{"number": 1, "id": "x", "created": "2026-01-01T00:00:00Z",
                "base": null, "commits": [], "docs_only": false,
                "targets": [{"target": "main", "apply": "applies", "verdict": "failed",
                    "gate": {"state": "not-approved", "summary": "", "position": null,
                        "queue_length": null, "commit": null, "approvals": []},
                    "jobs": [
                        {"id": 1, "name": "tests", "platform": "linux", "state": "passed",
                         "start": null, "elapsed_secs": 1.0, "detail": null,
                         "log_url": "/api/v1/jobs/1/log"},
                        {"id": 2, "name": "tests", "platform": "freebsd", "state": "failed",
                         "start": null, "elapsed_secs": 1.0, "detail": null,
                         "log_url": "/api/v1/jobs/2/log"},
                        {"id": 3, "name": "lint", "platform": "linux", "state": "failed",
                         "start": null, "elapsed_secs": 1.0, "detail": null,
                         "log_url": "/api/v1/jobs/3/log", "voting": false}]}]}]
        }))
        .unwrap()
    }

    #[test]
    fn the_result_table_has_a_row_per_job_and_platform_and_marks_non_voting_jobs() {
        let change = checked();
        let none = |_: &str| None;
        let ctx = Context {
            change_url: "http://r/changes/3",
            base_url: "http://r",
            revert_of: &none,
        };
        let text = results(&change, &change.versions[0], &ctx).unwrap();
        let row = |needle: &str| {
            text.lines()
                .find(|l| l.contains(needle))
                .unwrap_or_else(|| panic!("no row with {needle} in\n{text}"))
                .split_whitespace()
                .collect::<Vec<_>>()
        };
        assert_eq!(
            row("jobs/1/"),
            [
                "main",
                "applies",
                "tests",
                "linux",
                "passed",
                "http://r/api/v1/jobs/1/log"
            ]
        );
        assert_eq!(row("jobs/2/")[3..5], ["freebsd", "failed"]);
        assert_eq!(
            row("jobs/3/")[2..7],
            [
                "lint",
                "linux",
                "failed",
                "(non-voting)",
                "http://r/api/v1/jobs/3/log"
            ]
        );
    }
}
