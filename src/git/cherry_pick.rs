//! Cherry-picking a series onto another branch in memory, as `git cherry-pick -x` does: each
//! commit's change is replayed with libgit2's cherry-pick merge (renames found), keeps its
//! author and message, and gains the `(cherry picked from commit <id>)` trailer. A conflict in
//! `Misc/NEWS` (the single NEWS file of older branches) is resolved by keeping both sides' entries
//! (a union merge); any other conflict stops the pick. Only objects are written: no ref, index
//! or work-tree file changes, so the caller decides what to do with the result.

use git2::{FileFavor, IndexConflict, MergeFileOptions, MergeOptions, Oid, Repository, Signature};

/// The single-file NEWS of older branches, whose conflicts a backport resolves by union.
pub const SINGLE_NEWS: &str = "Misc/NEWS";

/// How a pick ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Picked {
    /// Every commit applied: the last picked commit.
    Clean { tip: Oid },
    /// Commit `index` (1-based) of the series conflicts in `paths`.
    Conflicts {
        index: usize,
        commit: Oid,
        paths: Vec<String>,
    },
}

/// Picks `commits` (oldest first) onto `onto`, committing as `committer`.
pub fn pick(
    repo: &Repository,
    onto: Oid,
    commits: &[Oid],
    committer: &Signature<'_>,
) -> Result<Picked, git2::Error> {
    let mut options = MergeOptions::new();
    options.find_renames(true);
    let mut tip = repo.find_commit(onto)?;
    for (i, &id) in commits.iter().enumerate() {
        let commit = repo.find_commit(id)?;
        if commit.parent_count() != 1 {
            return Err(git2::Error::from_str(&format!(
                "commit {id} is a merge or a root commit; only a linear series can be picked"
            )));
        }
        let mut index = repo.cherrypick_commit(&commit, &tip, 0, Some(&options))?;
        if index.has_conflicts() {
            resolve_news(repo, &mut index)?;
        }
        if index.has_conflicts() {
            let mut paths = Vec::new();
            for conflict in index.conflicts()? {
                paths.push(conflict_path(&conflict?));
            }
            return Ok(Picked::Conflicts {
                index: i + 1,
                commit: id,
                paths,
            });
        }
        let tree = repo.find_tree(index.write_tree_to(repo)?)?;
        let message = with_trailer(&String::from_utf8_lossy(commit.message_raw_bytes()), id);
        let new = repo.commit(None, &commit.author(), committer, &message, &tree, &[&tip])?;
        tip = repo.find_commit(new)?;
    }
    Ok(Picked::Clean { tip: tip.id() })
}

/// Resolves a conflict in [`SINGLE_NEWS`] by keeping both sides (every other conflict stays).
fn resolve_news(repo: &Repository, index: &mut git2::Index) -> Result<(), git2::Error> {
    let path = std::path::Path::new(SINGLE_NEWS);
    let Ok(IndexConflict {
        ancestor: Some(ancestor),
        our: Some(ours),
        their: Some(theirs),
    }) = index.conflict_get(path)
    else {
        return Ok(());
    };
    let mut options = MergeFileOptions::new();
    options.favor(FileFavor::Union);
    let merged = repo.merge_file_from_index(&ancestor, &ours, &theirs, Some(&mut options))?;
    let blob = repo.blob(merged.content())?;
    let mut entry = ours;
    entry.id = blob;
    entry.file_size = merged.content().len() as u32;
    entry.flags &= !0x3000; // stage 0: resolved
    index.conflict_remove(path)?;
    index.add(&entry)
}

fn conflict_path(conflict: &IndexConflict) -> String {
    [&conflict.our, &conflict.their, &conflict.ancestor]
        .into_iter()
        .flatten()
        .next()
        .map(|e| String::from_utf8_lossy(&e.path).into_owned())
        .unwrap_or_default()
}

/// `message` with git's `-x` trailer: on its own paragraph, unless the message already ends
/// with trailers (`Key: value` lines), which it then joins.
pub fn with_trailer(message: &str, id: Oid) -> String {
    let mut text = message.trim_end_matches('\n').to_owned();
    let last = text.rsplit("\n\n").next().unwrap_or("");
    let is_trailer = |line: &str| {
        line.starts_with("(cherry picked from commit ")
            || line.split_once(": ").is_some_and(|(key, _)| {
                !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
    };
    let has_trailers = text.contains("\n\n") && last.lines().all(is_trailer);
    text.push_str(if has_trailers { "\n" } else { "\n\n" });
    text.push_str(&format!("(cherry picked from commit {id})\n"));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(repo: &Repository, parent: Option<Oid>, files: &[(&str, &str)], msg: &str) -> Oid {
        let base = parent.map(|p| repo.find_commit(p).unwrap().tree().unwrap());
        let mut index = git2::Index::new().unwrap();
        if let Some(tree) = &base {
            index.read_tree(tree).unwrap();
        }
        for (path, content) in files {
            let blob = repo.blob(content.as_bytes()).unwrap();
            let entry = git2::IndexEntry {
                ctime: git2::IndexTime::new(0, 0),
                mtime: git2::IndexTime::new(0, 0),
                dev: 0,
                ino: 0,
                mode: 0o100644,
                uid: 0,
                gid: 0,
                file_size: content.len() as u32,
                id: blob,
                flags: 0,
                flags_extended: 0,
                path: path.as_bytes().to_vec(),
            };
            index.add(&entry).unwrap();
        }
        let tree = repo.find_tree(index.write_tree_to(repo).unwrap()).unwrap();
        let sig = Signature::new("Ann", "ann@example.org", &git2::Time::new(1, 0)).unwrap();
        let parents: Vec<git2::Commit> = parent
            .map(|p| repo.find_commit(p).unwrap())
            .into_iter()
            .collect();
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        repo.commit(None, &sig, &sig, msg, &tree, &refs).unwrap()
    }

    #[test]
    fn the_trailer_joins_trailers_and_is_its_own_paragraph_otherwise() {
        let id = Oid::from_str("1234567890123456789012345678901234567890").unwrap();
        assert_eq!(
            with_trailer("Fix it\n\nBecause.\n", id),
            format!("Fix it\n\nBecause.\n\n(cherry picked from commit {id})\n")
        );
        assert_eq!(
            with_trailer("Fix it\n\nCo-authored-by: B <b@x>\n", id),
            format!("Fix it\n\nCo-authored-by: B <b@x>\n(cherry picked from commit {id})\n")
        );
        assert_eq!(
            with_trailer("Fix it", id),
            format!("Fix it\n\n(cherry picked from commit {id})\n")
        );
    }

    #[test]
    fn a_pick_applies_keeps_both_news_entries_and_stops_on_other_conflicts() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let base = commit(
            &repo,
            None,
            &[("a.c", "one\n"), ("Misc/NEWS", "News\n====\n\n- old\n")],
            "base",
        );
        // main got an entry, then the fix with its own entry.
        let main = commit(
            &repo,
            Some(base),
            &[("Misc/NEWS", "News\n====\n\n- main only\n- old\n")],
            "main",
        );
        let fix = commit(
            &repo,
            Some(main),
            &[
                ("a.c", "two\n"),
                ("Misc/NEWS", "News\n====\n\n- the fix\n- main only\n- old\n"),
            ],
            "Fix a\n",
        );
        // the older branch got another entry at the same place.
        let old = commit(
            &repo,
            Some(base),
            &[("Misc/NEWS", "News\n====\n\n- 3.13 only\n- old\n")],
            "3.13",
        );
        let sig = Signature::new("Cora", "cora@example.org", &git2::Time::new(2, 0)).unwrap();
        let Picked::Clean { tip } = pick(&repo, old, &[fix], &sig).unwrap() else {
            panic!("the NEWS conflict should resolve");
        };
        let picked = repo.find_commit(tip).unwrap();
        assert_eq!(picked.author().name(), Some("Ann"));
        assert_eq!(picked.committer().name(), Some("Cora"));
        assert_eq!(
            picked.message(),
            Some(format!("Fix a\n\n(cherry picked from commit {fix})\n").as_str())
        );
        let tree = picked.tree().unwrap();
        let read = |path: &str| {
            let entry = tree.get_path(std::path::Path::new(path)).unwrap();
            String::from_utf8(repo.find_blob(entry.id()).unwrap().content().to_vec()).unwrap()
        };
        assert_eq!(read("a.c"), "two\n");
        let news = read("Misc/NEWS");
        assert!(
            news.contains("- the fix\n") && news.contains("- 3.13 only\n"),
            "{news}"
        );
        assert!(!news.contains("<<<<<<<"), "{news}");
        // A conflict elsewhere stops the pick, naming the commit and the path.
        let other = commit(&repo, Some(base), &[("a.c", "three\n")], "3.12");
        assert_eq!(
            pick(&repo, other, &[fix], &sig).unwrap(),
            Picked::Conflicts {
                index: 1,
                commit: fix,
                paths: vec!["a.c".into()]
            }
        );
    }
}
