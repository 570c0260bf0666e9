//! The pre-push hook `review hook install` writes: where hooks live (honouring
//! `core.hooksPath`, linked worktrees and submodules), and installing or removing ours without
//! ever overwriting someone else's.

use std::path::{Path, PathBuf};

/// The line that marks a hook as ours.
pub const MARKER: &str =
    "# Installed by `review hook install`; `review hook uninstall` removes it.";

/// Suffix of a foreign hook kept by `--chain`; ours runs it first.
pub const CHAINED_SUFFIX: &str = ".review-chained";

#[derive(Debug, thiserror::Error)]
pub enum HookError {
    #[error("`{}` exists and was not installed by `review`", path.display())]
    Foreign { path: PathBuf },
    #[error("`{}` already exists, so the existing hook cannot be chained", path.display())]
    ChainTaken { path: PathBuf },
    #[error("cannot update `{}`", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Git(#[from] git2::Error),
}

/// The directory git runs hooks from: `core.hooksPath` (relative to the top of the work
/// tree), else `hooks/` in the common git directory (shared by linked worktrees; a
/// submodule's own git directory for a submodule).
pub fn hooks_dir(repo: &git2::Repository) -> Result<PathBuf, HookError> {
    let config = repo.config()?;
    if let Ok(path) = config.get_path("core.hooksPath") {
        if path.is_absolute() {
            return Ok(path);
        }
        let base = repo.workdir().unwrap_or_else(|| repo.path());
        return Ok(base.join(path));
    }
    Ok(repo.commondir().join("hooks"))
}

/// The hook script: runs a chained hook first (same stdin), then `review lint --pre-push`.
pub fn script(review: &Path) -> String {
    let quoted = review.display().to_string().replace('\'', r"'\''");
    format!(
        r#"#!/bin/sh
{MARKER}
# It lints exactly the commits being pushed with `review lint --pre-push`.
review='{quoted}'
[ -x "$review" ] || review=review
input=$(cat)
chained="$0{CHAINED_SUFFIX}"
if [ -x "$chained" ]; then
    printf '%s\n' "$input" | "$chained" "$@" || exit $?
fi
printf '%s\n' "$input" | "$review" lint --pre-push --remote "$1"
"#
    )
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> HookError + '_ {
    move |source| HookError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn is_ours(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|c| String::from_utf8_lossy(&c).contains(MARKER))
}

/// What `install` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Installed {
    New,
    Updated,
    /// The foreign hook was moved aside to this path and is called first.
    Chained(PathBuf),
}

/// Installs the pre-push hook into `dir`.
pub fn install(dir: &Path, review: &Path, chain: bool) -> Result<Installed, HookError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let hook = dir.join("pre-push");
    let chained = dir.join(format!("pre-push{CHAINED_SUFFIX}"));
    let exists = hook.symlink_metadata().is_ok();
    let outcome = if !exists {
        Installed::New
    } else if is_ours(&hook) {
        Installed::Updated
    } else if !chain {
        return Err(HookError::Foreign { path: hook });
    } else if chained.symlink_metadata().is_ok() {
        return Err(HookError::ChainTaken { path: chained });
    } else {
        std::fs::rename(&hook, &chained).map_err(io(&hook))?;
        Installed::Chained(chained)
    };
    std::fs::write(&hook, script(review)).map_err(io(&hook))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))
            .map_err(io(&hook))?;
    }
    Ok(outcome)
}

/// What `uninstall` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Uninstalled {
    Nothing,
    Removed,
    /// Ours was removed and the chained hook put back.
    Restored,
}

/// Removes our hook from `dir` (never anyone else's), restoring a chained one.
pub fn uninstall(dir: &Path) -> Result<Uninstalled, HookError> {
    let hook = dir.join("pre-push");
    if hook.symlink_metadata().is_err() {
        return Ok(Uninstalled::Nothing);
    }
    if !is_ours(&hook) {
        return Err(HookError::Foreign { path: hook });
    }
    std::fs::remove_file(&hook).map_err(io(&hook))?;
    let chained = dir.join(format!("pre-push{CHAINED_SUFFIX}"));
    if chained.symlink_metadata().is_ok() {
        std::fs::rename(&chained, &hook).map_err(io(&chained))?;
        return Ok(Uninstalled::Restored);
    }
    Ok(Uninstalled::Removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_hooks_are_kept_unless_chained() {
        let dir = tempfile::tempdir().unwrap();
        let hook = dir.path().join("pre-push");
        std::fs::write(&hook, "#!/bin/sh\nexit 0\n").unwrap();
        assert!(matches!(
            install(dir.path(), Path::new("/bin/review"), false),
            Err(HookError::Foreign { .. })
        ));
        assert_eq!(
            std::fs::read_to_string(&hook).unwrap(),
            "#!/bin/sh\nexit 0\n"
        );
        assert!(matches!(
            install(dir.path(), Path::new("/bin/review"), true),
            Ok(Installed::Chained(_))
        ));
        assert!(is_ours(&hook));
        assert_eq!(
            install(dir.path(), Path::new("/bin/review"), false).unwrap(),
            Installed::Updated
        );
        assert_eq!(uninstall(dir.path()).unwrap(), Uninstalled::Restored);
        assert_eq!(
            std::fs::read_to_string(&hook).unwrap(),
            "#!/bin/sh\nexit 0\n"
        );
        assert!(matches!(
            uninstall(dir.path()),
            Err(HookError::Foreign { .. })
        ));
    }

    #[test]
    fn the_script_quotes_the_binary_path() {
        let s = script(Path::new("/opt/it's here/review"));
        assert!(s.contains(r"review='/opt/it'\''s here/review'"), "{s}");
    }
}
