use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::*;
use crate::cli::changes::{list_on, ListArgs};
use crate::cli::status::{show, watch};
use crate::cli::Context;
use crate::ui::{OutputFormat, Printer};

/// A sink the test reads back.
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Sink {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// A context whose printer writes into the returned stdout and stderr sinks.
fn context() -> (Context, Sink, Sink) {
    let (out, err) = (Sink::default(), Sink::default());
    let printer = Printer::to_writers(0, Box::new(out.clone()), Box::new(err.clone()));
    let ctx = Context {
        printer,
        config_overrides: Vec::new(),
    };
    (ctx, out, err)
}

fn service(name: &str) -> MemoryService {
    MemoryService::new(from_json(json!({"name": name, "role": "core"})))
}

fn job(id: u64, name: &str, state: &str, elapsed: f64) -> Value {
    json!({"id": id, "name": name, "platform": "local", "state": state, "start": null,
               "elapsed_secs": elapsed, "detail": null,
               "log_url": format!("/api/v1/jobs/{id}/log"), "known_failure": null})
}

fn target(name: &str, apply: &str, verdict: &str, gate: &str, jobs: Value) -> Value {
    json!({"target": name, "apply": apply, "conflict": null, "base_commit": null,
               "commit": null, "git_ref": null, "verdict": verdict, "jobs": jobs,
               "gate": {"state": gate, "summary": "", "position": null, "queue_length": null,
                        "commit": null, "approvals": []}})
}

/// Change `number` by `owner` whose newest version (of `versions`) has `targets`.
fn change(number: u64, owner: &str, title: &str, versions: u32, targets: Value) -> Change {
    let version = |n: u32| {
        json!({"number": n, "id": format!("v{n}"), "created": "2026-01-01T00:00:00Z",
                   "base": null, "commits": [], "docs_only": false,
                   "targets": if n == versions { targets.clone() } else { json!([]) }})
    };
    from_json(json!({
        "number": number, "title": title, "kind": "bugfix", "issue": null,
        "owner": owner, "state": "open", "draft": false,
        "created": "2026-01-01T00:00:00Z", "current_version": versions,
        "versions": (1..=versions).map(version).collect::<Vec<_>>(),
    }))
}

/// Change 7: on `main` a failed known-flaky job and a running one; `3.14` conflicts.
fn seven() -> Change {
    let mut failed = job(11, "tests", "failed", 3.5);
    failed["detail"] = json!("exit status 1");
    failed["known_failure"] = json!("gh-9");
    let mut conflicts = target("3.14", "conflicts", "conflicts", "none", json!([]));
    conflicts["conflict"] = json!("abc123: patch does not apply");
    let targets = json!([
        target(
            "main",
            "applies",
            "failed",
            "not-approved",
            json!([failed, job(12, "docs", "running", 1.0)])
        ),
        conflicts,
    ]);
    change(7, "ann", "Fix the frobnicator", 2, targets)
}

fn list_args(needs_review: bool, queue: Option<&str>) -> ListArgs {
    ListArgs {
        mine: false,
        needs_review,
        queue: queue.map(str::to_owned),
        state: None,
        target: None,
        format: OutputFormat::Human,
    }
}

#[test]
fn status_prints_each_target_and_job_with_absolute_log_urls() {
    let service = service("ann");
    let (ctx, out, err) = context();
    let (id, ()) = (ChangeId("7".into()), service.put(seven()));
    show(&ctx, &service, &id, &seven(), OutputFormat::Human, false).unwrap();
    assert_eq!(
            out.text(),
            "change 7 v2: Fix the frobnicator (open, by ann)\n\
             http://memory.invalid/changes/7\n  review: 0 unresolved thread(s), votes +1: 0, -1: 0\n\
             \x20 main: applies, checks failed, gate: not-approved\n\
             \x20   tests  local failed 3.5 s http://memory.invalid/api/v1/jobs/11/log \
             known flaky (gh-9): recheck with `review recheck 7 --reason ...` (exit status 1)\n\
             \x20   docs   local running 1.0 s http://memory.invalid/api/v1/jobs/12/log\n\
             \x20 3.14: conflicts (abc123: patch does not apply), checks not run, gate: none\n"
        );
    assert_eq!(err.text(), "");

    let (ctx, out, _) = context();
    show(&ctx, &service, &id, &seven(), OutputFormat::Json, false).unwrap();
    let record: Value = serde_json::from_str(&out.text()).unwrap();
    assert_eq!(record["url"], "http://memory.invalid/changes/7");
    assert_eq!(record["version"], 2);
    assert_eq!(record["outcome"], "failed");
    assert_eq!(
        record["targets"][0]["jobs"][1]["log_url"],
        "http://memory.invalid/api/v1/jobs/12/log"
    );
}

#[test]
fn list_prints_newest_first_and_needs_review_leaves_out_mine_and_drafts() {
    let service = service("ann");
    service.put(seven());
    let mut draft = change(
        8,
        "bob",
        "Add a knob",
        1,
        json!([target(
            "main",
            "applies",
            "pending",
            "not-approved",
            json!([])
        )]),
    );
    draft.draft = true;
    service.put(draft);
    service.put(change(
        9,
        "cora",
        "Tidy up",
        1,
        json!([target(
            "main",
            "applies",
            "passed",
            "not-approved",
            json!([])
        )]),
    ));
    let (ctx, out, _) = context();
    list_on(&ctx, &service, &list_args(false, None)).unwrap();
    assert_eq!(
            out.text(),
            "    9  v1  bugfix    cora        Tidy up  [main:passed]\n\
             \x20   8  v1  bugfix    bob         [draft] Add a knob  [main:pending]\n\
             \x20   7  v2  bugfix    ann         Fix the frobnicator  [main:failed 3.14:conflicts]\n"
        );
    let (ctx, out, _) = context();
    list_on(&ctx, &service, &list_args(true, None)).unwrap();
    assert_eq!(
        out.text(),
        "    9  v1  bugfix    cora        Tidy up  [main:passed]\n"
    );
    assert_eq!(
        service.requests(),
        ["list_changes", "whoami", "list_changes"]
    );

    let empty = self::service("ann");
    let (ctx, out, err) = context();
    list_on(&ctx, &empty, &list_args(false, None)).unwrap();
    assert_eq!(
        (out.text(), err.text()),
        (String::new(), "no changes\n".into())
    );
}

#[test]
fn list_queue_prints_the_gate_queue_and_warns_of_a_freeze() {
    let service = service("ann");
    service.put(seven());
    service.put(change(
        9,
        "cora",
        "Tidy up",
        1,
        json!([target("main", "applies", "passed", "testing", json!([]))]),
    ));
    service.set_queue("main", true, &[9, 7]);
    let (ctx, out, err) = context();
    list_on(&ctx, &service, &list_args(false, Some("main"))).unwrap();
    assert_eq!(
        out.text(),
        "  1      9  testing   Tidy up\n  2      7  not-approved  Fix the frobnicator\n"
    );
    assert_eq!(err.text(), "warning: `main` is frozen: nothing merges\n");
    let (ctx, _, _) = context();
    let unknown = list_on(&ctx, &service, &list_args(false, Some("nope"))).unwrap_err();
    assert!(
        unknown.message.contains("cannot show the queue of `nope`"),
        "{}",
        unknown.message
    );
}

/// Runs `status --watch` on change 7 from its current state; `step` is called at each pause
/// with its number (0 first) and may change the service. Returns the pauses, stdout and
/// stderr.
fn watched(
    service: &MemoryService,
    mut step: impl FnMut(usize),
) -> (Vec<Duration>, String, String) {
    let (ctx, out, err) = context();
    let id = ChangeId("7".into());
    let Fetched::Fresh { value, tag } = service.get_change(&id, None).unwrap() else {
        panic!("an unconditional read is fresh");
    };
    let mut pauses = Vec::new();
    let mut sleep = |pause: Duration| {
        step(pauses.len());
        pauses.push(pause);
        assert!(pauses.len() < 50, "the watch does not end: {pauses:?}");
    };
    watch(
        &ctx,
        service,
        &id,
        value,
        tag,
        OutputFormat::Human,
        &mut sleep,
    )
    .unwrap();
    (pauses, out.text(), err.text())
}

fn finish_docs(change: &mut Change) {
    change.versions[1].targets[0].jobs[1].state = crate::api::JobState::Passed;
}

#[test]
fn watch_backs_off_while_nothing_changes_and_prints_each_change() {
    let service = service("ann");
    service.put(seven());
    let (pauses, out, err) = watched(&service, |at| {
        if at == 6 {
            service.edit(7, finish_docs);
        }
    });
    let ms = |ms: u64| Duration::from_millis(ms);
    // Doubling from 200 ms to at most 2 s while unchanged; printed once when it changed.
    assert_eq!(
        pauses,
        [
            ms(200),
            ms(400),
            ms(800),
            ms(1600),
            ms(2000),
            ms(2000),
            ms(2000)
        ]
    );
    assert_eq!(out.matches("change 7 v2").count(), 1, "{out}");
    assert!(out.contains("docs   local passed"), "{out}");
    assert_eq!(err, "change 7: something failed\n");
    let unchanged = service
        .requests()
        .iter()
        .filter(|r| r.ends_with("-> unchanged"))
        .count();
    assert_eq!(unchanged, 6, "{:?}", service.requests());
}

#[test]
fn watch_reconnects_once_after_the_service_comes_back() {
    let service = service("ann");
    service.put(seven());
    let (pauses, _, err) = watched(&service, |at| {
        if at == 0 {
            service.go_away_for(2);
        }
        if at == 3 {
            service.edit(7, finish_docs);
        }
    });
    let ms = |ms: u64| Duration::from_millis(ms);
    // Two failed requests back off too; the unchanged answer after them reconnects.
    assert_eq!(pauses, [ms(200), ms(400), ms(800), ms(1600)]);
    assert_eq!(
        err,
        "warning: lost the service (cannot reach the review service at \
             http://memory.invalid); reconnecting\n\
             reconnected\n\
             change 7: something failed\n"
    );
}

#[test]
fn download_names_the_missing_version_before_fetching() {
    let service = service("ann");
    service.put(seven());
    let id = ChangeId("7".into());
    let err = service
        .download(Path::new("."), &id, Some(5), None)
        .unwrap_err();
    assert_eq!(err.to_string(), "change 7 has no version 5 (it has 1 to 2)");
    let err = service
        .download(Path::new("."), &id, None, Some("3.13"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "version 2 of change 7 does not target `3.13` (targets: main, 3.14)"
    );
    let err = service
        .download(Path::new("."), &id, None, None)
        .unwrap_err();
    assert!(
        err.to_string().contains("has no commits on `main`"),
        "{err}"
    );
}
