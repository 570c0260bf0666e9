//! Wire types of review itself: a version's diff as applied to a target, and the interdiff of
//! two versions (tree diff and per-commit range-diff).

use serde::{Deserialize, Serialize};

/// How a file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileStatus {
    Added,
    Deleted,
    Modified,
    Renamed,
    Copied,
    /// A file became a symbolic link or a submodule, or the other way round.
    TypeChanged,
}

impl FileStatus {
    pub const ALL: &'static [FileStatus] = &[
        FileStatus::Added,
        FileStatus::Deleted,
        FileStatus::Modified,
        FileStatus::Renamed,
        FileStatus::Copied,
        FileStatus::TypeChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Added => "added",
            FileStatus::Deleted => "deleted",
            FileStatus::Modified => "modified",
            FileStatus::Renamed => "renamed",
            FileStatus::Copied => "copied",
            FileStatus::TypeChanged => "type-changed",
        }
    }
}

/// What a line of a hunk is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineKind {
    Context,
    Added,
    Removed,
}

/// One line of a hunk. `old_line` is set for context and removed lines, `new_line` for context
/// and added lines (1-based). The text is without its newline (invalid UTF-8 replaced).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HunkLine {
    pub kind: LineKind,
    pub old_line: Option<u32>,
    pub new_line: Option<u32>,
    pub text: String,
    /// The line is the last of its file and has no newline at its end.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_newline: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hunk {
    pub old_start: u32,
    pub old_lines: u32,
    pub new_start: u32,
    pub new_lines: u32,
    /// The `@@ -a,b +c,d @@ context` line.
    pub header: String,
    pub lines: Vec<HunkLine>,
}

/// One file of a diff. Paths are relative to the tree's root; `old_path` is null for an added
/// file and `new_path` for a deleted one; modes are octal strings such as `100644`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDiff {
    pub status: FileStatus,
    pub old_path: Option<String>,
    pub new_path: Option<String>,
    pub old_mode: Option<String>,
    pub new_mode: Option<String>,
    pub binary: bool,
    pub additions: u32,
    pub deletions: u32,
    pub hunks: Vec<Hunk>,
    /// The hunks were cut (or left out) at `limits.diff_bytes`.
    #[serde(default)]
    pub truncated: bool,
}

impl FileDiff {
    /// The path a reader knows the file by: the new one, else the old one.
    pub fn path(&self) -> &str {
        self.new_path
            .as_deref()
            .or(self.old_path.as_deref())
            .unwrap_or_default()
    }
}

/// A list of file diffs, cut at `limits.diff_bytes` of line text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diff {
    pub files: Vec<FileDiff>,
    /// Some hunks were left out; `truncated_note` says where and why.
    pub truncated: bool,
    pub truncated_note: Option<String>,
}

/// `GET /api/v1/changes/{number}/versions/{version}/diff`: the version as applied to `target`,
/// from the target's tip it was applied on (`base_commit`) to the applied series (`commit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionDiff {
    pub change: u64,
    pub version: u32,
    pub target: String,
    pub base_commit: String,
    pub commit: String,
    pub context: u32,
    #[serde(flatten)]
    pub diff: Diff,
}

/// One commit of a range-diff side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeCommit {
    /// 1-based position in its version's series.
    pub index: usize,
    pub id: String,
    pub summary: String,
}

/// A row of a range-diff: `same` (`=`), `changed` (`!`, with the diff of the two patches),
/// `removed` (`<`, only in the old version) or `added` (`>`, only in the new one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RangeKind {
    Same,
    Changed,
    Removed,
    Added,
}

/// A line of the diff of two patches: `hunk` (`@@`), `context`, `removed` or `added`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchLine {
    pub kind: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeEntry {
    pub kind: RangeKind,
    pub old: Option<RangeCommit>,
    pub new: Option<RangeCommit>,
    /// For `changed`: how the patch (message and diff) changed.
    pub patch_diff: Vec<PatchLine>,
}

/// `GET /api/v1/changes/{number}/interdiff?from=V1&to=V2`: what changed between two versions
/// on `target`. `tree_diff` is the diff of the two applied trees when both versions were
/// applied on the same base commit (else null: the difference would mix in the branch's own
/// moves); `range_diff` pairs their commits always.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interdiff {
    pub change: u64,
    pub from: u32,
    pub to: u32,
    pub target: String,
    pub same_base: bool,
    pub tree_diff: Option<Diff>,
    pub range_diff: Vec<RangeEntry>,
}
