//! Tree-to-tree diffs that read only the trees that differ.
//!
//! libgit2's tree-to-tree diff walks every entry of both trees, reading every subtree even when
//! the two sides share it, so a one-file commit in a repository of 4,000 files in 400
//! directories reads 800 trees (most of a small `review lint` run, and of each patch-id a
//! history walk computes). `git diff-tree` skips a subtree whose id is the same on both sides;
//! `changed_paths` does the same through git2's tree entries, and `diff_trees` hands libgit2
//! only those paths (an exact path list: its iterators then skip every other directory). The
//! result is the full diff: a path outside the list is the same on both sides, and rename
//! detection pairs only deletions and additions, which are all in the list.

use std::cmp::Ordering;

use git2::{Diff, DiffOptions, ObjectType, Oid, Repository, Tree};

/// One side of an entry: id and whether it is a tree (mode is compared as libgit2 reports it).
type Side = Option<(Oid, i32, bool)>;

/// An entry name and its two sides.
type Differing = (Vec<u8>, (Side, Side));

/// Every file path (blob, link or submodule entry) that differs between `old` and `new`, in no
/// particular order. A subtree with the same id on both sides is never read.
pub fn changed_paths(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
) -> Result<Vec<Vec<u8>>, git2::Error> {
    Ok(changed_files(repo, old, new)?
        .into_iter()
        .map(|f| f.path)
        .collect())
}

/// A file entry (blob, link or submodule) that differs between two trees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: Vec<u8>,
    /// Id and mode on the old side; `None` when no file is there (nothing, or a directory).
    pub old: Option<(Oid, i32)>,
    /// The same on the new side.
    pub new: Option<(Oid, i32)>,
}

/// Every file entry that differs between `old` and `new`, in no particular order, with both
/// sides; a path that is a file on one side and a directory on the other comes once for the
/// file, and its files below once each. A subtree with the same id on both sides is never read.
pub fn changed_files(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
) -> Result<Vec<FileChange>, git2::Error> {
    changed_files_visiting(repo, old, new, &mut |_, _| {})
}

/// [`changed_files`], showing `visit` each tree of the new side the walk reads, with its
/// directory (`""` for the root, else `a/b`, no trailing slash): every directory of a changed
/// file present on that side, and no other. Lets a caller look inside those trees without
/// reading them again (libgit2 keeps no tree over 4 kB in its cache).
pub fn changed_files_visiting(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    visit: &mut dyn FnMut(&[u8], &Tree<'_>),
) -> Result<Vec<FileChange>, git2::Error> {
    let mut out = Vec::new();
    walk(repo, old, new, &mut Vec::new(), &mut out, visit)?;
    Ok(out)
}

/// The entries of `old` and `new` by name, both sides, where they differ. A name that is a
/// file on one side and a tree on the other may come as two entries, one side each.
fn differing(old: Option<&Tree<'_>>, new: Option<&Tree<'_>>) -> Vec<Differing> {
    merge_sorted(old, new).unwrap_or_else(|| differing_by_name(old, new))
}

fn side(entry: &git2::TreeEntry<'_>) -> Side {
    let is_tree = entry.kind() == Some(ObjectType::Tree);
    Some((entry.id(), entry.filemode(), is_tree))
}

/// Git's order of tree entries: by name, a tree's name compared as if it ended in `/`.
fn git_order(a: &git2::TreeEntry<'_>, b: &git2::TreeEntry<'_>) -> Ordering {
    let (an, bn) = (a.name_bytes(), b.name_bytes());
    let n = an.len().min(bn.len());
    an[..n].cmp(&bn[..n]).then_with(|| {
        let next = |name: &[u8], entry: &git2::TreeEntry<'_>| match name.get(n) {
            Some(&byte) => byte,
            None if entry.kind() == Some(ObjectType::Tree) => b'/',
            None => 0,
        };
        next(an, a).cmp(&next(bn, b))
    })
}

/// `differing` by one pass over both trees in git's order, allocating only for the entries
/// that differ (the common case: two large trees that share all but a few entries). `None`
/// if either tree is not in git's order (a tree git itself would refuse), to be judged by name.
fn merge_sorted(old: Option<&Tree<'_>>, new: Option<&Tree<'_>>) -> Option<Vec<Differing>> {
    fn entry<'t>(tree: Option<&'t Tree<'_>>, i: usize) -> Option<git2::TreeEntry<'t>> {
        tree.and_then(|t| t.get(i))
    }
    /// Whether entry `i` comes after entry `i - 1`.
    fn after_previous(tree: Option<&Tree<'_>>, i: usize, entry_i: &git2::TreeEntry<'_>) -> bool {
        i == 0 || entry(tree, i - 1).is_some_and(|p| git_order(&p, entry_i) == Ordering::Less)
    }
    let (old_len, new_len) = (old.map_or(0, Tree::len), new.map_or(0, Tree::len));
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < old_len || j < new_len {
        let (a, b) = (entry(old, i), entry(new, j));
        let order = match (&a, &b) {
            (Some(a), Some(b)) => git_order(a, b),
            (Some(_), None) => Ordering::Less,
            (None, _) => Ordering::Greater,
        };
        let (a, b) = match order {
            Ordering::Equal => (a, b),
            Ordering::Less => (a, None),
            Ordering::Greater => (None, b),
        };
        if let Some(a) = &a {
            if !after_previous(old, i, a) {
                return None;
            }
            i += 1;
        }
        if let Some(b) = &b {
            if !after_previous(new, j, b) {
                return None;
            }
            j += 1;
        }
        let same = match (&a, &b) {
            (Some(a), Some(b)) => a.id() == b.id() && a.filemode() == b.filemode(),
            _ => false,
        };
        if !same {
            let name = a.as_ref().or(b.as_ref())?.name_bytes().to_vec();
            out.push((name, (a.as_ref().and_then(side), b.as_ref().and_then(side))));
        }
    }
    Some(out)
}

/// `differing` through a map by name: any entry order.
fn differing_by_name(old: Option<&Tree<'_>>, new: Option<&Tree<'_>>) -> Vec<Differing> {
    let mut names: std::collections::BTreeMap<Vec<u8>, (Side, Side)> = Default::default();
    for entry in old.into_iter().flat_map(Tree::iter) {
        names.entry(entry.name_bytes().to_vec()).or_default().0 = side(&entry);
    }
    for entry in new.into_iter().flat_map(Tree::iter) {
        names.entry(entry.name_bytes().to_vec()).or_default().1 = side(&entry);
    }
    names.into_iter().filter(|(_, (a, b))| a != b).collect()
}

fn walk(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    prefix: &mut Vec<u8>,
    out: &mut Vec<FileChange>,
    visit: &mut dyn FnMut(&[u8], &Tree<'_>),
) -> Result<(), git2::Error> {
    if let Some(new) = new {
        visit(prefix.strip_suffix(b"/").unwrap_or(prefix), new);
    }
    for (name, (a, b)) in differing(old, new) {
        let len = prefix.len();
        prefix.extend_from_slice(&name);
        let tree = |s: Side| s.filter(|s| s.2).map(|s| repo.find_tree(s.0)).transpose();
        let (ta, tb) = (tree(a)?, tree(b)?);
        if ta.is_some() || tb.is_some() {
            prefix.push(b'/');
            walk(repo, ta.as_ref(), tb.as_ref(), prefix, out, visit)?;
            prefix.truncate(len + name.len());
        }
        // A file on either side (a file may replace a directory, or the reverse).
        let file = |s: Side| s.filter(|s| !s.2).map(|s| (s.0, s.1));
        if file(a).is_some() || file(b).is_some() {
            out.push(FileChange {
                path: prefix.clone(),
                old: file(a),
                new: file(b),
            });
        }
        prefix.truncate(len);
    }
    Ok(())
}

/// The paths among `paths` (sorted files) that differ between `old` and `new`, sorted, or
/// `None` as soon as anything else differs; only the trees along `paths` are read.
pub fn changed_only_within(
    repo: &Repository,
    old: &Tree<'_>,
    new: &Tree<'_>,
    paths: &[Vec<u8>],
) -> Result<Option<Vec<Vec<u8>>>, git2::Error> {
    let mut out = Vec::new();
    if !within(repo, Some(old), Some(new), &mut Vec::new(), paths, &mut out)? {
        return Ok(None);
    }
    out.sort();
    Ok(Some(out))
}

fn within(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    prefix: &mut Vec<u8>,
    paths: &[Vec<u8>],
    out: &mut Vec<Vec<u8>>,
) -> Result<bool, git2::Error> {
    for (name, (a, b)) in differing(old, new) {
        let len = prefix.len();
        prefix.extend_from_slice(&name);
        let is_path = paths.binary_search(prefix).is_ok();
        let file = |s: Side| s.is_some_and(|s| !s.2);
        // A file here that is not one of `paths`: something else changed.
        if (file(a) || file(b)) && !is_path {
            return Ok(false);
        }
        if file(a) || file(b) {
            out.push(prefix.clone());
        }
        let tree = |s: Side| s.filter(|s| s.2).map(|s| repo.find_tree(s.0)).transpose();
        let (ta, tb) = (tree(a)?, tree(b)?);
        if ta.is_some() || tb.is_some() {
            prefix.push(b'/');
            let under = paths.iter().any(|p| p.starts_with(prefix));
            if !under || !within(repo, ta.as_ref(), tb.as_ref(), prefix, paths, out)? {
                return Ok(false);
            }
        }
        prefix.truncate(len);
    }
    Ok(true)
}

/// libgit2's diff of `old` -> `new` with `options` (none: the defaults), reading only the
/// trees along the paths that differ. The same deltas as `diff_tree_to_tree` on whole trees
/// for any options without unmodified files or a path filter of their own.
pub fn diff_trees<'r>(
    repo: &'r Repository,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    options: Option<&mut DiffOptions>,
) -> Result<Diff<'r>, git2::Error> {
    let paths = changed_paths(repo, old, new)?;
    diff_of_paths(repo, old, new, &paths, options)
}

/// libgit2's diff of `old` -> `new` limited to exactly `paths` (files, or directories and
/// everything below them), reading only the trees along them.
pub fn diff_of_paths<'r>(
    repo: &'r Repository,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
    paths: &[Vec<u8>],
    options: Option<&mut DiffOptions>,
) -> Result<Diff<'r>, git2::Error> {
    let mut defaults = DiffOptions::new();
    let options = options.unwrap_or(&mut defaults);
    if paths.is_empty() {
        // No path list means every path to libgit2: an empty diff without reading a tree.
        return repo.diff_tree_to_tree(None, None, Some(options));
    }
    for path in paths {
        options.pathspec(path.as_slice());
    }
    options.disable_pathspec_match(true);
    repo.diff_tree_to_tree(old, new, Some(options))
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::build::TreeUpdateBuilder;
    use git2::FileMode;

    /// The deltas of a diff as comparable text.
    fn deltas(diff: &Diff<'_>) -> Vec<String> {
        diff.deltas()
            .map(|d| {
                format!(
                    "{:?} {:?} {} {:o} -> {:?} {} {:o}",
                    d.status(),
                    d.old_file().path_bytes().map(String::from_utf8_lossy),
                    d.old_file().id(),
                    u32::from(d.old_file().mode()),
                    d.new_file().path_bytes().map(String::from_utf8_lossy),
                    d.new_file().id(),
                    u32::from(d.new_file().mode()),
                )
            })
            .collect()
    }

    #[test]
    fn a_diff_of_only_the_changed_paths_equals_the_full_diff() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let blob = |s: &str| repo.blob(s.as_bytes()).unwrap();
        let empty = repo
            .find_tree(repo.treebuilder(None).unwrap().write().unwrap())
            .unwrap();
        let mut base = TreeUpdateBuilder::new();
        let files = [
            "a.txt",
            "same/x",
            "same/deep/y",
            "d/kept",
            "d/edit",
            "d/gone",
            "f2d",
            "moved/old",
            "mode",
            "link",
            "z",
        ];
        for (i, path) in files.iter().enumerate() {
            base.upsert(
                *path,
                blob(&format!("{path} {i}\nshared body line\n").repeat(3)),
                FileMode::Blob,
            );
        }
        let base = repo
            .find_tree(base.create_updated(&repo, &empty).unwrap())
            .unwrap();
        // Directory/file swaps need the old entry gone first.
        let mut removed = TreeUpdateBuilder::new();
        removed.remove("f2d").remove("same/deep/y");
        let removed = repo
            .find_tree(removed.create_updated(&repo, &base).unwrap())
            .unwrap();
        let mut next = TreeUpdateBuilder::new();
        next.upsert("d/edit", blob("changed\n"), FileMode::Blob)
            .remove("d/gone")
            .upsert("d/new/inner", blob("new\n"), FileMode::Blob)
            // A file replaced by a directory and a directory by a file.
            .upsert("f2d/child", blob("child\n"), FileMode::Blob)
            .upsert("same/deep", blob("now a file\n"), FileMode::Blob)
            // A rename (same content), a mode change and a type change.
            .remove("moved/old")
            .upsert(
                "moved/new",
                base.get_path("moved/old".as_ref()).unwrap().id(),
                FileMode::Blob,
            )
            .upsert(
                "mode",
                base.get_path("mode".as_ref()).unwrap().id(),
                FileMode::BlobExecutable,
            )
            .upsert("link", blob("target"), FileMode::Link);
        let new = repo
            .find_tree(next.create_updated(&repo, &removed).unwrap())
            .unwrap();

        let mut paths = changed_paths(&repo, Some(&base), Some(&new)).unwrap();
        paths.sort();
        let paths: Vec<String> = paths
            .iter()
            .map(|p| String::from_utf8_lossy(p).into())
            .collect();
        assert_eq!(
            paths,
            [
                "d/edit",
                "d/gone",
                "d/new/inner",
                "f2d",
                "f2d/child",
                "link",
                "mode",
                "moved/new",
                "moved/old",
                "same/deep",
                "same/deep/y"
            ]
        );
        for renames in [false, true] {
            let options = || {
                let mut o = DiffOptions::new();
                o.context_lines(0).include_typechange(true);
                o
            };
            let mut full = repo
                .diff_tree_to_tree(Some(&base), Some(&new), Some(&mut options()))
                .unwrap();
            let mut fast =
                diff_trees(&repo, Some(&base), Some(&new), Some(&mut options())).unwrap();
            if renames {
                let mut find = git2::DiffFindOptions::new();
                find.renames(true);
                full.find_similar(Some(&mut find)).unwrap();
                fast.find_similar(Some(&mut find)).unwrap();
            }
            assert_eq!(deltas(&fast), deltas(&full), "renames: {renames}");
            assert_eq!(
                fast.patchid(None).unwrap(),
                full.patchid(None).unwrap(),
                "renames: {renames}"
            );
        }
        // Limited to paths: all of them changed (and nothing else), or something else did.
        let bytes: Vec<Vec<u8>> = paths.iter().map(|p| p.as_bytes().to_vec()).collect();
        let mut wider = bytes.clone();
        wider.push(b"a.txt".to_vec());
        wider.sort();
        assert_eq!(
            changed_only_within(&repo, &base, &new, &wider).unwrap(),
            Some(bytes.clone())
        );
        let without_link: Vec<Vec<u8>> = bytes.iter().filter(|p| *p != b"link").cloned().collect();
        assert_eq!(
            changed_only_within(&repo, &base, &new, &without_link).unwrap(),
            None
        );
        let d_only = [
            b"d/edit".to_vec(),
            b"d/gone".to_vec(),
            b"d/new/inner".to_vec(),
        ];
        assert_eq!(
            changed_only_within(&repo, &base, &new, &d_only).unwrap(),
            None
        );
        assert_eq!(
            changed_only_within(&repo, &new, &new, &d_only).unwrap(),
            Some(Vec::new())
        );
        // Against nothing, and nothing changed.
        let all = diff_trees(&repo, None, Some(&base), None).unwrap();
        assert_eq!(
            deltas(&all),
            deltas(&repo.diff_tree_to_tree(None, Some(&base), None).unwrap())
        );
        assert_eq!(
            diff_trees(&repo, Some(&new), Some(&new), None)
                .unwrap()
                .deltas()
                .len(),
            0
        );
    }

    /// `merge_sorted`'s entries with one name combined, as a map by name.
    fn by_name(entries: Vec<Differing>) -> Vec<Differing> {
        let mut map: std::collections::BTreeMap<Vec<u8>, (Side, Side)> = Default::default();
        for (name, (a, b)) in entries {
            let slot = map.entry(name).or_default();
            slot.0 = slot.0.or(a);
            slot.1 = slot.1.or(b);
        }
        map.into_iter().collect()
    }

    /// Names that sort differently as files and as trees (`a` < `a.b` < `a/`), on both sides
    /// in every combination of file, tree, absent and changed: one pass in git's order finds
    /// what a map by name finds.
    #[test]
    fn one_pass_in_git_order_agrees_with_a_map_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let names = ["a", "a.b", "a-b", "a0", "ab", "b", "b.c"];
        let mut next = crate::test_random::xorshift(0x2545_f491_4f6c_dd1d);
        for _round in 0..300 {
            let mut trees = Vec::new();
            for _side in 0..2 {
                let mut builder = repo.treebuilder(None).unwrap();
                for name in names {
                    let content = format!("{}", next() % 2);
                    match next() % 3 {
                        0 => {}
                        1 => {
                            let blob = repo.blob(content.as_bytes()).unwrap();
                            builder.insert(name, blob, 0o100644).unwrap();
                        }
                        _ => {
                            let mut sub = repo.treebuilder(None).unwrap();
                            let blob = repo.blob(content.as_bytes()).unwrap();
                            sub.insert("f", blob, 0o100644).unwrap();
                            builder
                                .insert(name, sub.write().unwrap(), 0o040000)
                                .unwrap();
                        }
                    }
                }
                trees.push(repo.find_tree(builder.write().unwrap()).unwrap());
            }
            let (old, new) = (Some(&trees[0]), Some(&trees[1]));
            let merged = merge_sorted(old, new).expect("libgit2 writes trees in git's order");
            assert_eq!(by_name(merged), differing_by_name(old, new));
        }
    }

    /// A tree whose entries are out of git's order (written raw: libgit2 sorts what it
    /// builds) is judged by name, so no change hides behind the order.
    #[test]
    fn a_tree_out_of_order_is_judged_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let (one, two) = (repo.blob(b"1").unwrap(), repo.blob(b"2").unwrap());
        let raw = |entries: &[(&str, Oid)]| {
            let mut bytes = Vec::new();
            for (name, id) in entries {
                bytes.extend_from_slice(format!("100644 {name}\0").as_bytes());
                bytes.extend_from_slice(id.as_bytes());
            }
            let id = repo.odb().unwrap().write(ObjectType::Tree, &bytes).unwrap();
            repo.find_tree(id).unwrap()
        };
        let sorted = raw(&[("a", one), ("b", one)]);
        let unsorted = raw(&[("b", two), ("a", one)]);
        assert_eq!(merge_sorted(Some(&sorted), Some(&unsorted)), None);
        let paths = changed_paths(&repo, Some(&sorted), Some(&unsorted)).unwrap();
        assert_eq!(paths, vec![b"b".to_vec()]);
    }
}
