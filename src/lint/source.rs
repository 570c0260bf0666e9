//! What a range touches: one walk of the two trees (renames followed, through libgit2's diff
//! when there can be any), each touched file's content at the tip, the numbers of the lines the
//! range adds, and its `.gitattributes`.

use std::path::Path;

use git2::{Delta, DiffFindOptions, DiffOptions, Oid, Repository};

use super::LintError;

/// How git would treat a touched path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text content the rules judge.
    Text,
    /// `binary` or `-text` in `.gitattributes`, or content git itself calls binary (a NUL byte
    /// in the first 8000 bytes).
    Binary,
    Symlink,
    Submodule,
    /// Gone at the tip: nothing was added, nothing to judge.
    Deleted,
}

/// One entry of the range's diff, owned, so worker threads can take their share.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// Path at the tip (bytes: any name git accepts); the old path for a deletion.
    pub path: Vec<u8>,
    /// Path at the base when the range renamed or copied the file.
    pub old_path: Option<Vec<u8>>,
    pub status: Delta,
    old_id: Oid,
    old_mode: git2::FileMode,
    new_id: Oid,
    new_mode: git2::FileMode,
}

/// One touched path, loaded: its kind, tip blob and added lines.
pub struct Touched<'r> {
    pub path: Vec<u8>,
    pub status: Delta,
    pub kind: Kind,
    /// The blob at the tip (only when `kind` is `Text`); read once, never copied.
    blob: Option<git2::Blob<'r>>,
    /// Blob at the base, when the file existed there as a regular file.
    pub base_blob: Option<Oid>,
    /// Line numbers (1-based, ascending) of the lines the range added.
    pub added: Vec<usize>,
    /// Where each of `added` lies in the tip content (as `line_spans` gives it); from the
    /// patch, so a file the range edits is not split into lines whole.
    pub added_spans: Vec<(usize, usize)>,
}

/// What the command layer keeps of a touched file (owned; the blob is read again on demand).
#[derive(Debug, Clone)]
pub struct FileInfo {
    pub path: Vec<u8>,
    pub kind: Kind,
    /// The tip blob of a text file.
    pub tip_blob: Option<Oid>,
    pub added: Vec<usize>,
}

impl Touched<'_> {
    /// Content at the tip (empty unless `kind` is `Text`).
    pub fn content(&self) -> &[u8] {
        self.blob.as_ref().map_or(&[], |b| b.content())
    }

    /// Content at the base, read on demand (whole-file rules only need it when the tip fails).
    pub fn base_content(&self, repo: &Repository) -> Option<Vec<u8>> {
        let id = self.base_blob?;
        repo.find_blob(id).ok().map(|b| b.content().to_vec())
    }

    pub fn info(&self) -> FileInfo {
        FileInfo {
            path: self.path.clone(),
            kind: self.kind,
            tip_blob: self.blob.as_ref().map(git2::Blob::id),
            added: self.added.clone(),
        }
    }
}

/// A line check and its fix applied to every line, as the engine does for a new file:
/// whether any line failed, and the fixed content (tests of the rule families).
#[cfg(test)]
pub fn every_line(
    content: &[u8],
    fails: impl Fn(&[u8]) -> bool,
    fix: impl Fn(&[u8]) -> Vec<u8>,
) -> (bool, Vec<u8>) {
    let mut failed = false;
    let mut out = Vec::new();
    for (s, e) in line_spans(content) {
        let line = &content[s..e];
        failed |= fails(line);
        out.extend(fix(line));
    }
    (failed, out)
}

/// `[start, end)` byte offsets of every line, EOL included; a final line without EOL counts.
pub fn line_spans(content: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::with_capacity(content.len() / 32 + 1);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', content) {
        spans.push((start, end + 1));
        start = end + 1;
    }
    if start < content.len() {
        spans.push((start, content.len()));
    }
    spans
}

/// Bytes of a path as a `Path` (unix keeps every byte; elsewhere lossily).
pub fn bytes_path(bytes: &[u8]) -> std::borrow::Cow<'_, Path> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        std::borrow::Cow::Borrowed(Path::new(std::ffi::OsStr::from_bytes(bytes)))
    }
    #[cfg(not(unix))]
    {
        std::borrow::Cow::Owned(std::path::PathBuf::from(
            String::from_utf8_lossy(bytes).into_owned(),
        ))
    }
}

/// Git's own test for binary content.
pub fn looks_binary(content: &[u8]) -> bool {
    memchr::memchr(0, &content[..content.len().min(8000)]).is_some()
}

/// What the range `base..tip` touched.
#[derive(Debug)]
pub struct Changes {
    /// Every path, in the order of libgit2's diff (renames found).
    pub changes: Vec<Change>,
    /// The tip's tree.
    pub tip_tree: Oid,
    /// The `.gitattributes` of the tip tree's directories the walk read.
    pub attr_files: super::attrs::TreeAttrFiles,
}

/// What the range `base..tip` touched: one walk of its two trees.
pub fn changes(repo: &Repository, base: Oid, tip: Oid) -> Result<Changes, LintError> {
    // Like git itself, trust the object database when reading: re-hashing every blob read
    // (libgit2's default) costs a quarter of the run on large series.
    git2::opts::strict_hash_verification(false);
    let tree_of =
        |id: Oid| -> Result<git2::Tree<'_>, LintError> { Ok(repo.find_commit(id)?.tree()?) };
    let base_tree = tree_of(base)?;
    let tip_tree = tree_of(tip)?;
    let mut attr_files = super::attrs::TreeAttrFiles::new();
    let files = crate::git::tree_diff::changed_files_visiting(
        repo,
        Some(&base_tree),
        Some(&tip_tree),
        &mut |dir, tree| super::attrs::note_attr_file(&mut attr_files, dir, tree),
    )?;
    let changes = match direct_changes(repo, &files) {
        Some(changes) => changes,
        None => libgit2_changes(repo, &base_tree, &tip_tree, &files)?,
    };
    Ok(Changes {
        changes,
        tip_tree: tip_tree.id(),
        attr_files,
    })
}

/// The range's changes straight from the trees' walk, as libgit2's diff would list them, when
/// its rename search has nothing to pair (no file both gone and added, and no change of type,
/// which the search splits into both) and paths sort as bytes (not `core.ignorecase`): a diff
/// then only walks the same trees again.
fn direct_changes(
    repo: &Repository,
    files: &[crate::git::tree_diff::FileChange],
) -> Option<Vec<Change>> {
    let kind = |mode: i32| match mode {
        0o120000 => 1,
        0o160000 => 2,
        _ => 0,
    };
    let added = files.iter().any(|f| f.old.is_none());
    let gone = files.iter().any(|f| f.new.is_none());
    let retyped = files
        .iter()
        .any(|f| matches!((f.old, f.new), (Some((_, a)), Some((_, b))) if kind(a) != kind(b)));
    let ignore_case = repo
        .config()
        .ok()
        .and_then(|c| c.get_bool("core.ignorecase").ok())
        .unwrap_or(false);
    if (added && gone) || retyped || ignore_case {
        return None;
    }
    let mut changes: Vec<Change> = files
        .iter()
        .map(|f| {
            let status = match (f.old, f.new) {
                (None, _) => Delta::Added,
                (_, None) => Delta::Deleted,
                _ => Delta::Modified,
            };
            let (old_id, old_mode) = f.old.unwrap_or((Oid::zero(), 0));
            let (new_id, new_mode) = f.new.unwrap_or((Oid::zero(), 0));
            Change {
                path: f.path.clone(),
                old_path: None,
                status,
                old_id,
                old_mode: file_mode(old_mode),
                new_id,
                new_mode: file_mode(new_mode),
            }
        })
        .collect();
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    Some(changes)
}

/// git2's name for a tree entry's mode.
fn file_mode(mode: i32) -> git2::FileMode {
    use git2::FileMode;
    [
        FileMode::Blob,
        FileMode::BlobExecutable,
        FileMode::BlobGroupWritable,
        FileMode::Link,
        FileMode::Commit,
        FileMode::Tree,
    ]
    .into_iter()
    .find(|m| i32::from(*m) == mode)
    .unwrap_or(FileMode::Unreadable)
}

/// The range's changes by libgit2's diff of exactly the walked paths, renames found.
fn libgit2_changes(
    repo: &Repository,
    base_tree: &git2::Tree<'_>,
    tip_tree: &git2::Tree<'_>,
    files: &[crate::git::tree_diff::FileChange],
) -> Result<Vec<Change>, LintError> {
    let mut opts = DiffOptions::new();
    opts.context_lines(0).include_typechange(true);
    let paths: Vec<Vec<u8>> = files.iter().map(|f| f.path.clone()).collect();
    let mut diff = crate::git::tree_diff::diff_of_paths(
        repo,
        Some(base_tree),
        Some(tip_tree),
        &paths,
        Some(&mut opts),
    )?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;
    Ok(diff
        .deltas()
        .map(|delta| {
            let (new, old) = (delta.new_file(), delta.old_file());
            let status = delta.status();
            Change {
                path: new
                    .path_bytes()
                    .or_else(|| old.path_bytes())
                    .unwrap_or_default()
                    .to_vec(),
                old_path: match status {
                    Delta::Renamed | Delta::Copied => old.path_bytes().map(<[u8]>::to_vec),
                    _ => None,
                },
                status,
                old_id: old.id(),
                old_mode: old.mode(),
                new_id: new.id(),
                new_mode: new.mode(),
            }
        })
        .collect())
}

/// Loads touched files: attributes, tip blob, added lines.
pub struct Loader<'r> {
    /// Reads the blobs: a handle without a work tree (see [`objects_handle`]).
    objects: &'r Repository,
    attrs: super::attrs::AttrSources<'r>,
    opts: DiffOptions,
}

/// A handle on `repo`'s objects without its work tree, for reading blobs. A patch of two blobs
/// looks up their `diff` attribute through the blobs' handle: on this one that reads no index
/// (a work tree's would load and check the whole index), and the blobs' ids are known (a patch
/// of two buffers hashes both, a quarter of a run on a commit touching large files).
pub fn objects_handle(repo: &Repository) -> Result<Repository, LintError> {
    Ok(Repository::from_odb(repo.odb()?)?)
}

impl<'r> Loader<'r> {
    /// Loads with `repo`'s attributes and reads blobs through `objects` ([`objects_handle`]).
    pub fn new(
        repo: &'r Repository,
        objects: &'r Repository,
        tip_tree: Oid,
        attr_files: super::attrs::TreeAttrFiles,
    ) -> Result<Self, LintError> {
        let mut opts = DiffOptions::new();
        opts.context_lines(0);
        Ok(Loader {
            objects,
            attrs: super::attrs::AttrSources::new(repo, repo.find_tree(tip_tree)?, attr_files),
            opts,
        })
    }

    pub fn load(&mut self, change: &Change) -> Result<Touched<'r>, LintError> {
        let repo = self.objects;
        let mut file = Touched {
            path: change.path.clone(),
            status: change.status,
            kind: Kind::Text,
            blob: None,
            base_blob: None,
            added: Vec::new(),
            added_spans: Vec::new(),
        };
        file.kind = match (change.status, change.new_mode) {
            (Delta::Deleted, _) => Kind::Deleted,
            (_, git2::FileMode::Link) => Kind::Symlink,
            (_, git2::FileMode::Commit) => Kind::Submodule,
            _ => Kind::Text,
        };
        if file.kind != Kind::Text {
            return Ok(file);
        }
        let text = self.attrs.text(&file.path)?;
        let (text_false, text_true) = (
            matches!(text, git2::AttrValue::False),
            matches!(text, git2::AttrValue::True),
        );
        if text_false {
            file.kind = Kind::Binary;
            return Ok(file);
        }
        let blob = repo.find_blob(change.new_id)?;
        if looks_binary(blob.content()) && !text_true {
            file.kind = Kind::Binary;
            return Ok(file);
        }
        let old_is_blob = !change.old_id.is_zero()
            && matches!(
                change.old_mode,
                git2::FileMode::Blob | git2::FileMode::BlobExecutable
            );
        if old_is_blob && change.status != Delta::Added {
            file.base_blob = Some(change.old_id);
            let old = repo.find_blob(change.old_id)?;
            // An empty path: libgit2 then looks up no `diff` attribute (a dozen calls for a
            // made-up path, "file") and uses its automatic driver, as it did for that path.
            let no_path = Some(Path::new(""));
            let patch =
                git2::Patch::from_blobs(&old, no_path, &blob, no_path, Some(&mut self.opts))?;
            let content = blob.content();
            for h in 0..patch.num_hunks() {
                for l in 0..patch.num_lines_in_hunk(h)? {
                    let line = patch.line_in_hunk(h, l)?;
                    if line.origin() != '+' {
                        continue;
                    }
                    // An added line's offset is into the new blob's content.
                    let (Some(n), Ok(start)) =
                        (line.new_lineno(), usize::try_from(line.content_offset()))
                    else {
                        continue;
                    };
                    let start = start.min(content.len());
                    let end = memchr::memchr(b'\n', &content[start..])
                        .map_or(content.len(), |i| start + i + 1);
                    file.added.push(n as usize);
                    file.added_spans.push((start, end));
                }
            }
        } else {
            file.added_spans = line_spans(blob.content());
            file.added = (1..=file.added_spans.len()).collect();
        }
        file.blob = Some(blob);
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spans of added lines taken from the patch are the spans `line_spans` gives the
    /// same lines, for random edits of files with LF, CRLF and CR endings, blank lines and a
    /// missing final newline.
    #[test]
    fn added_lines_from_the_patch_lie_where_line_spans_puts_them() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let tree = repo.treebuilder(None).unwrap().write().unwrap();
        let mut loader = Loader::new(&repo, &repo, tree, Default::default()).unwrap();
        let mut next = crate::test_random::xorshift(0x2545_f491_4f6c_dd1d);
        let pieces: [&[u8]; 7] = [b"a", b"bb", b" ", b"\t", b"\n", b"\r\n", b"\r"];
        let mut random_text = |len: u64| -> Vec<u8> {
            let len = next() % len;
            (0..len)
                .flat_map(|_| pieces[(next() % 7) as usize].iter().copied())
                .collect()
        };
        let mut checked = 0;
        for _ in 0..300 {
            let old = random_text(40);
            let mut new = old.clone();
            for _ in 0..3 {
                let at = (random_text(3).len() * new.len() / 3).min(new.len());
                let cut = (at + random_text(4).len()).min(new.len());
                new.splice(at..cut, random_text(6));
            }
            let change = Change {
                path: b"f".to_vec(),
                old_path: None,
                status: Delta::Modified,
                old_id: repo.blob(&old).unwrap(),
                old_mode: git2::FileMode::Blob,
                new_id: repo.blob(&new).unwrap(),
                new_mode: git2::FileMode::Blob,
            };
            let file = loader.load(&change).unwrap();
            let spans = line_spans(&new);
            assert_eq!(file.added.len(), file.added_spans.len());
            for (n, span) in file.added.iter().zip(&file.added_spans) {
                assert_eq!(
                    Some(span),
                    spans.get(n - 1),
                    "line {n} of {new:?} from {old:?}"
                );
                checked += 1;
            }
        }
        assert!(checked > 300, "too few added lines checked: {checked}");
    }

    /// Changes taken straight from the trees' walk equal libgit2's diff of the same trees,
    /// status, modes and order, for random edits of files, links and submodules in nested
    /// directories (where the walk declines, libgit2's rename search has something to pair).
    #[test]
    fn changes_from_the_walk_equal_libgit2s() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init_bare(dir.path()).unwrap();
        let paths = ["a", "a.b", "d/x", "d/y.c", "d/e/z", "e-f", "z"];
        let mut next = crate::test_random::xorshift(0x9e37_79b9_7f4a_7c15);
        let (mut direct, mut rounds) = (0, 0);
        while direct < 150 {
            rounds += 1;
            assert!(rounds < 600, "too few rounds without a pair to search");
            let mut trees = Vec::new();
            let mut entries: Vec<Option<(Oid, i32)>> = Vec::new();
            for side in 0..2 {
                let mut builder = git2::build::TreeUpdateBuilder::new();
                for (i, path) in paths.iter().enumerate() {
                    let content = format!("{}\n", next() % 3);
                    let blob = |mode: i32| {
                        let id = if mode == 0o160000 {
                            Oid::hash_object(git2::ObjectType::Blob, content.as_bytes())
                        } else {
                            repo.blob(content.as_bytes())
                        };
                        Some((id.unwrap(), mode))
                    };
                    let modes = [0o100644, 0o100755, 0o120000, 0o160000];
                    let random = |n: u64| match n % 6 {
                        0 => None,
                        k => blob(modes[(k as usize - 1).min(3)]),
                    };
                    let entry = match (side, next() % 8) {
                        (0, n) => random(n),
                        // Mostly the same entry, or new content of the same mode; now and then
                        // anything (gone, added, another type: what the search pairs).
                        (_, 0..=3) => entries[i],
                        (_, 4..=6) => entries[i].and_then(|(_, mode)| blob(mode)),
                        (_, _) => random(next()),
                    };
                    if side == 0 {
                        entries.push(entry);
                    }
                    if let Some((id, mode)) = entry {
                        builder.upsert(*path, id, file_mode(mode));
                    }
                }
                let empty = repo.treebuilder(None).unwrap().write().unwrap();
                let empty = repo.find_tree(empty).unwrap();
                trees.push(
                    repo.find_tree(builder.create_updated(&repo, &empty).unwrap())
                        .unwrap(),
                );
            }
            let files =
                crate::git::tree_diff::changed_files(&repo, Some(&trees[0]), Some(&trees[1]))
                    .unwrap();
            let Some(ours) = direct_changes(&repo, &files) else {
                continue;
            };
            direct += 1;
            let theirs = libgit2_changes(&repo, &trees[0], &trees[1], &files).unwrap();
            assert_eq!(ours, theirs);
        }
    }
}
