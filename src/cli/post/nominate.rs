//! Nomination from the issue: `review post --issue N` without `--target` or `--kind` reads the
//! issue's type and affected versions from the service and nominates as the project's rule
//! says: an enhancement goes to the default branch only; any other type to the default branch
//! and every maintained bugfix branch from the oldest affected version up; a security issue
//! also to the security-only branches it names.

use super::Args;
use crate::api::{self, ChangeKind};
use crate::cli::{client, Context};
use crate::config::Config;
use crate::error::CliError;
use crate::git::targets::BranchLists;
use crate::service::{ReviewService, ServiceError};

/// With `--issue` and neither `--target` nor `--kind`: the nomination from the issue, printed
/// (on stderr) with why. `None` otherwise.
pub fn for_post(
    ctx: &Context,
    config: &Config,
    args: &Args,
) -> Result<Option<FromIssue>, CliError> {
    let Some(reference) = args.issue.as_deref() else {
        return Ok(None);
    };
    if !args.targets.is_empty() || args.kind.is_some() {
        return Ok(None);
    }
    let service = client::connect(ctx, config)?;
    // A service without a tracker takes `--issue` as a plain reference: nominate by kind.
    let issue = match service.issue(reference) {
        Ok(issue) => issue,
        Err(ServiceError::NotFound {
            code: api::ErrorCode::NoTracker,
            ..
        }) => return Ok(None),
        Err(e) => return Err(crate::cli::issue::explain(e, &service)),
    };
    let nominated = from_issue(&issue, &BranchLists::from_config(config));
    ctx.printer.status(
        "Nominated",
        &format!(
            "{} from issue {}",
            nominated.targets.join(", "),
            issue.reference
        ),
    );
    ctx.printer.info(&format!("because {}", nominated.why));
    Ok(Some(nominated))
}

/// What was nominated, and why (one line for people).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FromIssue {
    pub kind: ChangeKind,
    pub targets: Vec<String>,
    pub why: String,
}

/// A version name as numbers (`3.13` -> [3, 13]); `None` for names that are not versions.
fn version_key(name: &str) -> Option<Vec<u64>> {
    name.split('.').map(|part| part.parse().ok()).collect()
}

pub fn from_issue(issue: &api::Issue, lists: &BranchLists) -> FromIssue {
    let type_name = issue.issue_type.as_deref().unwrap_or("untyped");
    let mut targets = vec![lists.default.clone()];
    let push = |name: &String, targets: &mut Vec<String>| {
        if !targets.contains(name) {
            targets.push(name.clone());
        }
    };
    let why = match issue.kind {
        ChangeKind::Feature => format!(
            "{} is an {type_name} issue: the default branch only",
            issue.reference
        ),
        _ => {
            let oldest = issue.versions.iter().filter_map(|v| version_key(v)).min();
            let from_oldest: Vec<&String> = lists
                .bugfix
                .iter()
                .filter(|b| match (&oldest, version_key(b)) {
                    (Some(oldest), Some(key)) => key >= *oldest,
                    _ => true,
                })
                .collect();
            from_oldest.iter().for_each(|b| push(b, &mut targets));
            let affects = match issue.versions.is_empty() {
                true => "names no affected version: every bugfix branch".to_owned(),
                false => format!(
                    "affects {}: the default branch and the bugfix branches from {} up",
                    issue.versions.join(", "),
                    oldest
                        .map(|k| k.iter().map(u64::to_string).collect::<Vec<_>>().join("."))
                        .unwrap_or_else(|| "the oldest".into())
                ),
            };
            let mut why = format!("{} is a {type_name} issue and {affects}", issue.reference);
            if issue.kind == ChangeKind::Security {
                let named: Vec<&String> = lists
                    .security
                    .iter()
                    .filter(|b| issue.versions.contains(b))
                    .collect();
                named.iter().for_each(|b| push(b, &mut targets));
                why.push_str("; the security-only branches it names");
            }
            why
        }
    };
    FromIssue {
        kind: issue.kind,
        targets,
        why,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(kind: ChangeKind, issue_type: &str, versions: &[&str]) -> api::Issue {
        api::Issue {
            reference: "bpo-7".into(),
            id: "7".into(),
            title: "t".into(),
            issue_type: Some(issue_type.into()),
            kind,
            status: None,
            versions: versions.iter().map(|v| v.to_string()).collect(),
            url: String::new(),
            changes: Vec::new(),
        }
    }

    #[test]
    fn the_rule_of_the_project() {
        let lists = BranchLists {
            default: "main".into(),
            bugfix: vec!["3.14".into(), "3.13".into(), "3.12".into()],
            security: vec!["3.10".into(), "3.9".into()],
        };
        let got = |i: &api::Issue| from_issue(i, &lists).targets;
        assert_eq!(
            got(&issue(ChangeKind::Feature, "enhancement", &["3.13"])),
            ["main"]
        );
        assert_eq!(
            got(&issue(ChangeKind::Bugfix, "behavior", &["3.14", "3.13"])),
            ["main", "3.14", "3.13"]
        );
        assert_eq!(
            got(&issue(ChangeKind::Bugfix, "crash", &["3.14"])),
            ["main", "3.14"]
        );
        assert_eq!(
            got(&issue(ChangeKind::Bugfix, "behavior", &[])),
            ["main", "3.14", "3.13", "3.12"]
        );
        assert_eq!(
            got(&issue(ChangeKind::Security, "security", &["3.13", "3.9"])),
            ["main", "3.14", "3.13", "3.12", "3.9"]
        );
        let why = from_issue(
            &issue(ChangeKind::Bugfix, "behavior", &["3.13", "3.14"]),
            &lists,
        )
        .why;
        assert!(why.contains("from 3.13 up"), "{why}");
    }
}
