//! Which branches a series is meant for: named with `--target`, or nominated by the kind of
//! change from the `[branches]` configuration. Every name is checked against the repository.

use git2::Repository;

use super::series::{resolve_branch, BranchRef, SeriesError};
pub use crate::api::ChangeKind;

/// The `[branches]` configuration, as plain values.
#[derive(Debug, Clone, Default)]
pub struct BranchLists {
    pub default: String,
    pub bugfix: Vec<String>,
    pub security: Vec<String>,
}

/// What to nominate.
#[derive(Debug, Clone)]
pub enum Nomination {
    /// `--target a --target b`: exactly these, in this order.
    Explicit(Vec<String>),
    /// `--kind K`: from the configured lists.
    Kind(ChangeKind),
}

/// Why a target could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("target branch `{name}` does not exist")]
    Unknown {
        name: String,
        suggestion: Option<String>,
        /// The configuration key that named it, when it came from `[branches]`.
        configured_in: Option<&'static str>,
    },
    #[error("target branch `{name}` is the current branch")]
    CurrentBranch { name: String },
    #[error(transparent)]
    Git(#[from] git2::Error),
}

/// The names a nomination stands for, with the configuration key each came from.
pub fn names(nomination: &Nomination, lists: &BranchLists) -> Vec<(String, Option<&'static str>)> {
    let mut names: Vec<(String, Option<&'static str>)> = Vec::new();
    let mut push = |name: &str, key: Option<&'static str>| {
        if !names.iter().any(|(n, _)| n == name) {
            names.push((name.to_owned(), key));
        }
    };
    match nomination {
        Nomination::Explicit(list) => list.iter().for_each(|n| push(n, None)),
        Nomination::Kind(kind) => {
            push(&lists.default, Some("branches.default"));
            if matches!(
                kind,
                ChangeKind::Bugfix | ChangeKind::Security | ChangeKind::Docs
            ) {
                lists
                    .bugfix
                    .iter()
                    .for_each(|n| push(n, Some("branches.bugfix")));
            }
            if *kind == ChangeKind::Security {
                lists
                    .security
                    .iter()
                    .for_each(|n| push(n, Some("branches.security")));
            }
        }
    }
    names
}

/// Resolves the nominated branches. `current_branch` is the short name of the checked-out
/// branch: a target that is that very branch is refused (its own tip cannot be a target).
pub fn nominate(
    repo: &Repository,
    nomination: &Nomination,
    lists: &BranchLists,
    current_branch: Option<&str>,
) -> Result<Vec<BranchRef>, TargetError> {
    let mut targets = Vec::new();
    for (name, configured_in) in names(nomination, lists) {
        let target = match resolve_branch(repo, &name) {
            Ok(target) => target,
            Err(SeriesError::UnknownBranch { name, suggestion }) => {
                return Err(TargetError::Unknown {
                    name,
                    suggestion,
                    configured_in,
                })
            }
            Err(SeriesError::Git(e)) => return Err(e.into()),
            Err(other) => return Err(git2::Error::from_str(&other.to_string()).into()),
        };
        if let Some(current) = current_branch {
            if target.refname == format!("refs/heads/{current}") {
                return Err(TargetError::CurrentBranch { name });
            }
        }
        targets.push(target);
    }
    Ok(targets)
}

/// Configured branches (any list) that the repository does not have, with their key, for a
/// warning when they were not nominated this time.
pub fn missing_configured(
    repo: &Repository,
    lists: &BranchLists,
) -> Vec<(String, &'static str, Option<String>)> {
    names(&Nomination::Kind(ChangeKind::Security), lists)
        .into_iter()
        .filter_map(|(name, key)| match resolve_branch(repo, &name) {
            Err(SeriesError::UnknownBranch { name, suggestion }) => {
                Some((name, key.unwrap_or("branches"), suggestion))
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists() -> BranchLists {
        BranchLists {
            default: "main".into(),
            bugfix: vec!["3.14".into(), "3.13".into()],
            security: vec!["3.12".into()],
        }
    }

    fn plain(nomination: Nomination) -> Vec<String> {
        names(&nomination, &lists())
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    }

    #[test]
    fn kinds_nominate_their_branches() {
        assert_eq!(plain(Nomination::Kind(ChangeKind::Feature)), ["main"]);
        assert_eq!(
            plain(Nomination::Kind(ChangeKind::Bugfix)),
            ["main", "3.14", "3.13"]
        );
        assert_eq!(
            plain(Nomination::Kind(ChangeKind::Docs)),
            ["main", "3.14", "3.13"]
        );
        assert_eq!(
            plain(Nomination::Kind(ChangeKind::Security)),
            ["main", "3.14", "3.13", "3.12"]
        );
    }

    #[test]
    fn explicit_targets_keep_order_and_drop_repeats() {
        assert_eq!(
            plain(Nomination::Explicit(vec![
                "3.13".into(),
                "main".into(),
                "3.13".into()
            ])),
            ["3.13", "main"]
        );
    }

    #[test]
    fn configured_names_remember_their_key() {
        let names = names(&Nomination::Kind(ChangeKind::Security), &lists());
        assert_eq!(names[0].1, Some("branches.default"));
        assert_eq!(names[3].1, Some("branches.security"));
    }
}
