//! `review post --for BRANCH [--change N]`: the current branch, based on BRANCH, posted as the
//! series BRANCH carries in a change whose own series does not apply there.

use super::flow::{self, Checked};
use super::{client, current_series, lint_options, print_lint_failure, warn_if_dirty};
use super::{print, print_published, Args, Context, PostJson, TargetJson};
use crate::api::SeriesKind;
use crate::error::{CliError, CliResult, Outcome};
use crate::git::targets::ChangeKind;
use crate::service::{ChangeId, Fetched, ReviewService};

pub(super) fn run(ctx: &Context, args: &Args, target: &str) -> CliResult {
    let current = current_series(ctx, Some(target.to_owned()))?;
    let (config, repo) = (&current.loaded.config, &current.repo);
    let Some(branch) = current.series.head_branch.clone() else {
        return Err(
            CliError::usage("HEAD is not on a branch").with_hint(format!(
                "check out the branch based on {target} that holds the series"
            )),
        );
    };
    let request = flow::Request {
        targets: vec![target.to_owned()],
        kind: ChangeKind::Feature,
        issue: None,
        title: None,
        draft: None,
        lint: lint_options(args),
        all_or_nothing: true,
        backport_of: None,
    };
    let commits = current.series.commits.len();
    let checked = flow::check(repo, config, current.series, branch.clone(), &request)?;
    warn_if_dirty(ctx, current.dirty)?;
    let mut ready = match checked {
        Checked::LintFailed(report) => {
            print_lint_failure(ctx, &report);
            return Ok(Outcome::Problems);
        }
        Checked::Conflicts(conflicts) => {
            let at = conflicts
                .iter()
                .map(|c| {
                    format!(
                        "commit {}/{commits} conflicts in {}",
                        c.index,
                        c.paths.join(", ")
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            return Err(CliError::usage(format!(
                "not posted: the series of `{branch}` does not apply to {target}"
            ))
            .with_cause(at)
            .with_hint(format!(
                "rebase it onto {target} (`git rebase {target}`), resolve, and post again"
            )));
        }
        Checked::Ready(ready) => ready,
    };
    let change = match (&args.change, &ready.link.1) {
        (Some(text), _) => ChangeId(text.clone()),
        (None, Some(linked)) => linked.clone(),
        (None, None) => {
            return Err(CliError::usage(format!(
                "`{branch}` is not linked to a change; name the change with `--change N`"
            )))
        }
    };
    let service = client::connect(ctx, config)?;
    check_target(&service, &change, target)?;
    if args.dry_run {
        ctx.printer.status(
            "Would post",
            &format!("{commits} commit(s) of `{branch}` as the series {target} carries in change {change}"),
        );
        let targets = ready
            .verdicts
            .iter()
            .map(|v| TargetJson {
                target: &v.target.name,
                apply: v.verdict.name(),
                series: Some(SeriesKind::BranchSpecific),
                verdict: None,
            })
            .collect();
        let post = PostJson {
            dry_run: true,
            change: change.0.parse().ok(),
            url: None,
            web_url: None,
            version: None,
            created: None,
            draft: None,
            commits,
            targets,
            next: Vec::new(),
        };
        return print(ctx, args.format, &post);
    }
    ready.link.1 = Some(change);
    ready.carry = Some(target.to_owned());
    let published = flow::publish(repo, &service, &ready, &request)?;
    print_published(ctx, args.format, &published, commits, &[])
}

/// Refuses, before anything is posted, a `--for` branch that is not a target of the change.
fn check_target(
    service: &dyn ReviewService,
    change: &ChangeId,
    target: &str,
) -> Result<(), CliError> {
    let fetched = service
        .get_change(change, None)
        .map_err(|e| client::service_error(e, Some(service)))?;
    let Fetched::Fresh { value, .. } = fetched else {
        return Ok(());
    };
    let targets: Vec<&str> = value
        .current()
        .map(|v| v.targets.iter().map(|t| t.target.as_str()).collect())
        .unwrap_or_default();
    if targets.contains(&target) {
        return Ok(());
    }
    Err(CliError::usage(format!(
        "{target} is not a target of change {change} (its targets: {}); nothing was posted",
        targets.join(", ")
    ))
    .with_hint(format!(
        "`--for` names one of the change's targets; to add {target}, post a new version of the change with `--target {target}` among its targets"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ErrorCode, Role, SeriesKind, User};
    use crate::service::memory::MemoryService;
    use crate::service::{NewChange, ServiceError, Upload};

    #[test]
    fn for_names_a_target_of_the_change_whose_series_becomes_that_targets_own() {
        let service = MemoryService::new(User {
            name: "ann".into(),
            role: Role::Contributor,
        });
        let upload = Upload {
            mbox: b"From x".to_vec(),
            targets: vec!["main".into(), "3.13".into()],
            base: None,
        };
        let meta = NewChange {
            title: "Fix".into(),
            kind: ChangeKind::Bugfix,
            issue: None,
            draft: false,
            backport_of: None,
        };
        let number = service.create_change(&meta, &upload).unwrap().change.number;
        let id = ChangeId(number.to_string());
        let refused = check_target(&service, &id, "3.12").unwrap_err();
        assert_eq!(
            refused.message,
            "3.12 is not a target of change 1 (its targets: main, 3.13); nothing was posted"
        );
        check_target(&service, &id, "3.13").unwrap();
        let posted = service.add_branch_series(&id, "3.13", b"From y").unwrap();
        let version = posted.change.current().unwrap().clone();
        assert_eq!(posted.change.current_version, 2);
        let series: Vec<SeriesKind> = version.targets.iter().map(|t| t.series).collect();
        assert_eq!(series, [SeriesKind::Default, SeriesKind::BranchSpecific]);
        // The service refuses a branch that is not a target, and nothing changes.
        let err = service
            .add_branch_series(&id, "3.12", b"From y")
            .unwrap_err();
        assert!(matches!(
            err,
            ServiceError::Rejected {
                code: ErrorCode::NotATarget,
                ..
            }
        ));
        let Fetched::Fresh { value, .. } = service.get_change(&id, None).unwrap() else {
            panic!("an unconditional read is fresh");
        };
        assert_eq!(value.current_version, 2);
    }
}
