//! What a range touches: one git2 tree-to-tree diff (renames followed), each touched file's
//! content at the tip, the numbers of the lines the range adds, and its `.gitattributes`.

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

/// One path the range touched.
#[derive(Debug, Clone)]
pub struct Touched<'r> {
    /// Path at the tip (bytes: any name git accepts).
    pub path: Vec<u8>,
    /// Path at the base when the range renamed or copied the file.
    pub old_path: Option<Vec<u8>>,
    pub status: Delta,
    pub kind: Kind,
    /// The blob at the tip (only when `kind` is `Text`); read once, never copied.
    blob: Option<git2::Blob<'r>>,
    /// Blob at the base, when the file existed there.
    pub base_blob: Option<Oid>,
    /// Line numbers (1-based, ascending) of the lines the range added.
    pub added: Vec<usize>,
}

impl Touched<'_> {
    /// Content at the tip (empty unless `kind` is `Text`).
    pub fn content(&self) -> &[u8] {
        self.blob.as_ref().map_or(&[], |b| b.content())
    }

    /// Whether every line counts as added (a new file).
    pub fn all_added(&self) -> bool {
        self.base_blob.is_none()
    }

    /// Content at the base, read on demand (whole-file rules only need it when the tip fails).
    pub fn base_content(&self, repo: &Repository) -> Option<Vec<u8>> {
        let id = self.base_blob?;
        repo.find_blob(id).ok().map(|b| b.content().to_vec())
    }
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

/// How many lines `line_spans` would find.
pub fn line_count(content: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', content).count()
        + usize::from(!content.ends_with(b"\n") && !content.is_empty())
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

/// Every path the range `base..tip` touched, in diff order.
pub fn touched(repo: &Repository, base: Oid, tip: Oid) -> Result<Vec<Touched<'_>>, LintError> {
    // Like git itself, trust the object database when reading: re-hashing every blob read
    // (libgit2's default) costs a quarter of the run on large series.
    git2::opts::strict_hash_verification(false);
    let tree_of =
        |id: Oid| -> Result<git2::Tree<'_>, LintError> { Ok(repo.find_commit(id)?.tree()?) };
    let base_tree = tree_of(base)?;
    let tip_tree = tree_of(tip)?;
    let mut opts = DiffOptions::new();
    opts.context_lines(0).include_typechange(true);
    let mut diff = repo.diff_tree_to_tree(Some(&base_tree), Some(&tip_tree), Some(&mut opts))?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))?;

    let mut attrs = AttrSources::new(repo, &tip_tree);
    let mut out = Vec::with_capacity(diff.deltas().len());
    for (index, delta) in diff.deltas().enumerate() {
        let new = delta.new_file();
        let old = delta.old_file();
        let status = delta.status();
        let path = new
            .path_bytes()
            .or_else(|| old.path_bytes())
            .unwrap_or_default()
            .to_vec();
        let old_path = match status {
            Delta::Renamed | Delta::Copied => old.path_bytes().map(<[u8]>::to_vec),
            _ => None,
        };
        let mut file = Touched {
            path,
            old_path,
            status,
            kind: Kind::Text,
            blob: None,
            base_blob: None,
            added: Vec::new(),
        };
        if status == Delta::Deleted {
            file.kind = Kind::Deleted;
            out.push(file);
            continue;
        }
        let mode = new.mode();
        if mode == git2::FileMode::Link {
            file.kind = Kind::Symlink;
            out.push(file);
            continue;
        }
        if mode == git2::FileMode::Commit {
            file.kind = Kind::Submodule;
            out.push(file);
            continue;
        }
        let text = if attrs.may_apply(&file.path) {
            let attr_path = bytes_path(&file.path);
            let flags = git2::AttrCheckFlags::FILE_THEN_INDEX;
            git2::AttrValue::from_bytes(repo.get_attr_bytes(&attr_path, "text", flags)?)
        } else {
            git2::AttrValue::Unspecified
        };
        if matches!(text, git2::AttrValue::False) {
            file.kind = Kind::Binary;
            out.push(file);
            continue;
        }
        let blob = repo.find_blob(new.id())?;
        if looks_binary(blob.content()) && !matches!(text, git2::AttrValue::True) {
            file.kind = Kind::Binary;
            out.push(file);
            continue;
        }
        let lines = line_count(blob.content());
        file.blob = Some(blob);
        let old_is_blob = !old.id().is_zero()
            && matches!(
                old.mode(),
                git2::FileMode::Blob | git2::FileMode::BlobExecutable
            );
        if old_is_blob && status != Delta::Added {
            file.base_blob = Some(old.id());
            if let Some(patch) = git2::Patch::from_diff(&diff, index)? {
                for h in 0..patch.num_hunks() {
                    for l in 0..patch.num_lines_in_hunk(h)? {
                        let line = patch.line_in_hunk(h, l)?;
                        if line.origin() == '+' {
                            if let Some(n) = line.new_lineno() {
                                file.added.push(n as usize);
                            }
                        }
                    }
                }
            }
        } else {
            file.added = (1..=lines).collect();
        }
        out.push(file);
    }
    Ok(out)
}

/// Which paths can have attributes at all. Asking libgit2 costs a dozen system calls per path,
/// so it is asked only when an attributes file exists that could apply: a global one (system,
/// `core.attributesFile` or its XDG default, `info/attributes`) or a `.gitattributes` in one of
/// the path's directories, in the tip tree or the work tree.
struct AttrSources<'r> {
    global: bool,
    tree: &'r git2::Tree<'r>,
    workdir: Option<std::path::PathBuf>,
    dirs: std::collections::HashMap<Vec<u8>, bool>,
}

impl<'r> AttrSources<'r> {
    fn new(repo: &Repository, tree: &'r git2::Tree<'r>) -> Self {
        let config_file = repo
            .config()
            .ok()
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
            global,
            tree,
            workdir: repo.workdir().map(Path::to_path_buf),
            dirs: std::collections::HashMap::new(),
        }
    }

    fn may_apply(&mut self, path: &[u8]) -> bool {
        if self.global {
            return true;
        }
        let mut dir: &[u8] = path;
        loop {
            dir = match dir.iter().rposition(|&b| b == b'/') {
                Some(i) => &dir[..i],
                None if dir.is_empty() => return false,
                None => &[],
            };
            let (tree, workdir) = (self.tree, &self.workdir);
            let has = *self.dirs.entry(dir.to_vec()).or_insert_with(|| {
                let mut file = dir.to_vec();
                if !file.is_empty() {
                    file.push(b'/');
                }
                file.extend_from_slice(b".gitattributes");
                let rel = bytes_path(&file);
                tree.get_path(&rel).is_ok()
                    || workdir.as_ref().is_some_and(|w| w.join(&rel).exists())
            });
            if has {
                return true;
            }
            if dir.is_empty() {
                return false;
            }
        }
    }
}
