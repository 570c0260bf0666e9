//! The `text` attribute of the paths lint loads: which paths an attributes file can reach,
//! and a libgit2 handle that answers for them without loading the on-disk index.

use std::path::Path;

use git2::{Oid, Repository};

use super::source::bytes_path;
use super::LintError;

/// Each directory's `.gitattributes` in the tip tree (id and mode; `None`: it has none), for the
/// directories the walk of the range read already: [`AttrSources`] looks up only the others.
/// Looking one up by path reads every tree above it again (libgit2 caches no tree over 4 kB:
/// CPython's `Lib` and `Lib/test` are inflated once more per lookup).
pub type TreeAttrFiles = std::collections::HashMap<Vec<u8>, Option<(Oid, i32)>>;

/// Notes `tree`'s `.gitattributes` as directory `dir`'s: the visitor of
/// [`crate::git::tree_diff::changed_files_visiting`] on the tip side.
pub fn note_attr_file(files: &mut TreeAttrFiles, dir: &[u8], tree: &git2::Tree<'_>) {
    let entry = tree
        .get_name_bytes(b".gitattributes")
        .map(|e| (e.id(), e.filemode()));
    files.insert(dir.to_vec(), entry);
}

/// Which paths can have attributes at all, and a handle that answers for them. Asking libgit2
/// costs a dozen system calls per path, so it is asked only when an attributes file exists that
/// could apply: a global one (system, `core.attributesFile` or its XDG default,
/// `info/attributes`) or a `.gitattributes` in one of the path's directories, in the tip tree or
/// the work tree.
///
/// In a work tree, libgit2 reads each directory's `.gitattributes` from the work tree, then
/// from the index; loading the index (every entry hashed and checked: 4 ms of a 20 ms run on
/// CPython) is replaced by an in-memory index that holds the tip tree's `.gitattributes`
/// files, on a handle of its own, so the commits are judged with the attributes they carry
/// (what the index holds when the series is committed) and the caller's handle keeps its
/// index.
///
/// While every `.gitattributes` met in the work tree holds what the tip tree holds (attributes
/// are committed, as a rule), the work tree adds nothing to the index's answer, and the lookup
/// handle is not given it: a work-tree lookup costs about twenty system calls per path (is
/// the path a directory, its real path component by component, each directory's file checked
/// again), an index-only one none. The first work-tree file that differs gives the handle the
/// work tree, for that path and every later one.
pub struct AttrSources<'r> {
    repo: &'r Repository,
    global: bool,
    tree: git2::Tree<'r>,
    /// `.gitattributes` of directories of `tree` known without a lookup.
    known: TreeAttrFiles,
    workdir: Option<std::path::PathBuf>,
    dirs: std::collections::HashMap<Vec<u8>, bool>,
    /// The handle that answers attribute lookups in a work tree, opened at the first one.
    lookup: Option<Repository>,
    /// The tip tree's `.gitattributes` files met so far: the lookup handle's index.
    attr_files: Vec<git2::IndexEntry>,
    /// `attr_files` grew since the lookup handle was given its index.
    index_stale: bool,
    /// A work-tree `.gitattributes` differs from the tip tree's: lookups read the work tree.
    work_tree_differs: bool,
}

impl<'r> AttrSources<'r> {
    /// Sources for paths of `tree`, the tip tree; `known` holds what a walk of it found.
    pub fn new(repo: &'r Repository, tree: git2::Tree<'r>, known: TreeAttrFiles) -> Self {
        let config = repo.config().ok();
        let config_file = config
            .as_ref()
            .and_then(|c| c.get_path("core.attributesFile").ok());
        let xdg = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".config")))
            .map(|base| base.join("git/attributes"));
        let global = [
            Some(repo.commondir().join("info/attributes")),
            Some(std::path::PathBuf::from("/etc/gitattributes")),
            config_file,
            xdg,
        ]
        .into_iter()
        .flatten()
        .any(|p| p.exists());
        AttrSources {
            repo,
            global,
            tree,
            known,
            workdir: repo.workdir().map(Path::to_path_buf),
            dirs: std::collections::HashMap::new(),
            lookup: None,
            attr_files: Vec::new(),
            index_stale: false,
            work_tree_differs: false,
        }
    }

    /// The `text` attribute of `path`, `Unspecified` without asking when no attributes file
    /// can apply.
    pub fn text(&mut self, path: &[u8]) -> Result<git2::AttrValue<'_>, LintError> {
        if !self.may_apply(path) {
            return Ok(git2::AttrValue::Unspecified);
        }
        let mut flags = git2::AttrCheckFlags::FILE_THEN_INDEX;
        if !self.global {
            // No system file exists (checked in `new`): not looking for it saves two calls.
            flags |= git2::AttrCheckFlags::NO_SYSTEM;
        }
        if self.index_stale {
            self.give_index();
        }
        let repo = match &self.lookup {
            Some(repo) => repo,
            // A bare repository: no work tree and no index, only the global files.
            None => self.repo,
        };
        let value = repo.get_attr_bytes(&bytes_path(path), "text", flags)?;
        Ok(git2::AttrValue::from_bytes(value))
    }

    /// Whether an attributes file can apply to `path`; each directory's tip-tree
    /// `.gitattributes` goes into the lookup handle's index on the way.
    fn may_apply(&mut self, path: &[u8]) -> bool {
        let mut any = self.global;
        let mut dir: &[u8] = path;
        loop {
            dir = match dir.iter().rposition(|&b| b == b'/') {
                Some(i) => &dir[..i],
                None if dir.is_empty() => return any,
                None => &[],
            };
            if !self.dirs.contains_key(dir) {
                let has = self.find_in(dir);
                self.dirs.insert(dir.to_vec(), has);
            }
            any |= self.dirs[dir];
            if dir.is_empty() {
                return any;
            }
        }
    }

    /// Whether `dir` has a `.gitattributes` in the tip tree (then added to the lookup index)
    /// or the work tree.
    fn find_in(&mut self, dir: &[u8]) -> bool {
        let mut file = dir.to_vec();
        if !file.is_empty() {
            file.push(b'/');
        }
        file.extend_from_slice(b".gitattributes");
        let rel = bytes_path(&file);
        let in_tree = match self.known.get(dir) {
            Some(known) => *known,
            None => self
                .tree
                .get_path(&rel)
                .ok()
                .map(|e| (e.id(), e.filemode())),
        };
        let Some(workdir) = self.workdir.clone() else {
            return in_tree.is_some();
        };
        if let Some((id, mode)) = in_tree {
            self.attr_files
                .push(crate::git::index_entry(&file, id, mode));
            self.index_stale = true;
        }
        let in_work = workdir.join(&rel);
        let same_as_tree = match std::fs::symlink_metadata(&in_work) {
            // Absent: libgit2 reads the index's, which is the tip tree's.
            Err(_) => return in_tree.is_some(),
            Ok(meta) if meta.is_file() => {
                let hashed = Oid::hash_file(git2::ObjectType::Blob, &in_work).ok();
                hashed.is_some() && hashed == in_tree.map(|(id, _)| id)
            }
            // A link or a directory: libgit2 decides what it reads.
            Ok(_) => false,
        };
        if !same_as_tree {
            self.read_work_tree(&workdir);
        }
        true
    }

    /// From now on, lookups read the work tree's `.gitattributes` before the index's.
    fn read_work_tree(&mut self, workdir: &Path) {
        self.work_tree_differs = true;
        if let Some(repo) = &self.lookup {
            // Failing, lookups go on from the index: the tip tree's attributes.
            let _ = repo.set_workdir(workdir, false);
        }
    }

    /// Gives the lookup handle (opened at the first call) a new index of `attr_files`. The index
    /// is filled before the handle owns it: libgit2 checks each entry added to an owned index
    /// (the object's header read, the configuration loaded for path rules), and these entries
    /// come from the tip tree.
    fn give_index(&mut self) {
        self.index_stale = false;
        let Ok(mut index) = git2::Index::new() else {
            return;
        };
        for entry in &self.attr_files {
            // A failure here leaves the file out, as an unreadable index file would.
            let _ = index.add(entry);
        }
        if let Some(repo) = self.lookup_handle() {
            // Failing, the handle keeps its last index.
            let _ = repo.set_index(&mut index);
        }
    }

    /// The lookup handle of a work tree (`None` in a bare repository, or if it cannot open).
    fn lookup_handle(&mut self) -> Option<&Repository> {
        if self.lookup.is_none() {
            let workdir = self.workdir.as_ref()?;
            let open = || -> Result<Repository, git2::Error> {
                // Opened as the caller's handle was, from the environment, so that it reads
                // the configuration files the environment names (`GIT_CONFIG_GLOBAL` and the
                // like: an attributes file, `core.ignorecase`); bare, so that it has no work
                // tree until a `.gitattributes` there differs, and reads its configuration
                // only when the first lookup needs it.
                use git2::RepositoryOpenFlags as Open;
                let flags = Open::NO_SEARCH | Open::FROM_ENV | Open::BARE;
                let repo =
                    Repository::open_ext(self.repo.path(), flags, [] as [&std::ffi::OsStr; 0])?;
                if self.work_tree_differs {
                    repo.set_workdir(workdir, false)?;
                }
                Ok(repo)
            };
            self.lookup = open().ok();
        }
        self.lookup.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` as a handle opened on the repository answers it (work tree, then index).
    fn full_answer(repo: &Repository, path: &str) -> String {
        let value = repo
            .get_attr_bytes(
                Path::new(path),
                "text",
                git2::AttrCheckFlags::FILE_THEN_INDEX,
            )
            .unwrap();
        format!("{:?}", git2::AttrValue::from_bytes(value))
    }

    /// The lookup handle (on the objects alone when no configuration can matter, else opened
    /// on the repository) answers as the repository's own handle does, case-sensitive or not.
    #[test]
    fn attribute_lookups_answer_as_the_repository_does() {
        // Case-sensitive or not; with or without an attributes file outside the trees.
        for (ignore_case, info) in [(false, false), (true, false), (false, true)] {
            let dir = tempfile::tempdir().unwrap();
            let repo = Repository::init(dir.path()).unwrap();
            repo.config()
                .unwrap()
                .set_bool("core.ignorecase", ignore_case)
                .unwrap();
            if info {
                let info_dir = repo.path().join("info");
                std::fs::create_dir_all(&info_dir).unwrap();
                let rules = "e.rs -text\n*.dat text\n";
                std::fs::write(info_dir.join("attributes"), rules).unwrap();
            }
            let files = [
                (
                    ".gitattributes",
                    "*.bin -text\n*.TXT text\nsub/*.dat binary\n",
                ),
                ("sub/.gitattributes", "*.md -text\n"),
                ("a.bin", "x"),
                ("a.txt", "x"),
                ("b.TXT", "x"),
                ("sub/c.dat", "x"),
                ("sub/d.md", "x"),
                ("e.rs", "x"),
            ];
            let mut index = repo.index().unwrap();
            for (path, content) in files {
                let full = dir.path().join(path);
                std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                std::fs::write(&full, content).unwrap();
                index.add_path(Path::new(path)).unwrap();
            }
            index.write().unwrap();
            let tree_id = index.write_tree().unwrap();
            // The work tree as committed, then edited: a changed file (which wins over the
            // index's), a deleted one (the index's applies) and an untracked one.
            let edits: [(&str, Option<&str>); 4] = [
                ("sub/.gitattributes", None),
                (".gitattributes", Some("*.txt -text\n*.bin text\n")),
                ("sub/.gitattributes", Some("")),
                ("new/.gitattributes", Some("*.rs -text\n")),
            ];
            for step in 0..=edits.len() {
                if let Some((path, content)) = step.checked_sub(1).map(|i| edits[i]) {
                    let full = dir.path().join(path);
                    match content {
                        Some(text) => {
                            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
                            std::fs::write(&full, text).unwrap();
                        }
                        None => std::fs::remove_file(&full).unwrap(),
                    }
                }
                // Each directory's `.gitattributes` looked up by path, then known from a walk
                // of the tree (all but `new`, which the tree lacks).
                let tree = repo.find_tree(tree_id).unwrap();
                let mut walked = TreeAttrFiles::new();
                crate::git::tree_diff::changed_files_visiting(
                    &repo,
                    None,
                    Some(&tree),
                    &mut |dir, tree| note_attr_file(&mut walked, dir, tree),
                )
                .unwrap();
                let mut dirs: Vec<&[u8]> = walked.keys().map(Vec::as_slice).collect();
                dirs.sort();
                assert_eq!(dirs, [&b""[..], b"sub"]);
                for known in [TreeAttrFiles::new(), walked] {
                    let walked = !known.is_empty();
                    let mut sources = AttrSources::new(&repo, tree.clone(), known);
                    assert_eq!(
                        sources.global, info,
                        "the test needs no attributes file outside the trees but its own"
                    );
                    for path in files.iter().map(|(p, _)| *p).chain(["new/f.rs"]) {
                        let ours = format!("{:?}", sources.text(path.as_bytes()).unwrap());
                        assert_eq!(
                            ours,
                            full_answer(&repo, path),
                            "{path}, ignorecase {ignore_case}, info/attributes {info}, \
                             edit {step}, walked {walked}"
                        );
                    }
                    // Only a work tree that differs from the tip tree is read.
                    assert_eq!(sources.work_tree_differs, step > 1, "edit {step}");
                }
            }
        }
    }
}
