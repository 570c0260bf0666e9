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

/// Which side of a diff an inline comment is on: the old file (a removed or context line, by
/// its old number) or the new file (added or context, by its new number).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    Old,
    #[default]
    New,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Old => "old",
            Side::New => "new",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
    }
}

/// The most lines an inline comment's range may span (`line` to `line_end`).
pub const MAX_RANGE_LINES: u32 = 500;

/// An inline comment of a review: on `line` of `path` (or the lines `line` to `line_end`), on
/// `side`, in the version's diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewInline {
    pub path: String,
    #[serde(deserialize_with = "super::whole_number")]
    pub line: u32,
    /// The last line of a range (inclusive, on the same side; at most [`MAX_RANGE_LINES`]).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::optional_whole_u32"
    )]
    pub line_end: Option<u32>,
    #[serde(default)]
    pub side: Side,
    pub body: String,
}

/// `POST /api/v1/changes/{number}/reviews`: a summary, any number of inline comments on one
/// version and a vote, stored together or not at all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewReview {
    /// The version read.
    #[serde(deserialize_with = "super::whole_number")]
    pub version: u32,
    /// The target whose diff the inline comments' lines are from (default: the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<NewInline>,
    /// A vote on the version, stored with the comments (only on the newest version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vote: Option<VoteValue>,
}

/// `POST .../comments/{id}/reply`: an answer in the comment's thread, which it may resolve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewReply {
    pub body: String,
    #[serde(default)]
    pub resolve: bool,
}

/// `POST .../comments/{id}/edit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditComment {
    pub body: String,
}

/// One comment. A deleted comment stays, with an empty body, so its thread still reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: u64,
    pub author: String,
    pub body: String,
    pub created: String,
    pub edited: Option<String>,
    pub deleted: bool,
}

/// Where an inline thread was made: the version, target and line (or lines `line` to
/// `line_end`) of its first comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub version: u32,
    pub target: String,
    pub path: String,
    pub side: Side,
    pub line: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_end: Option<u32>,
}

/// Where an inline thread is on the newest version: at `line` when the code it was made on is
/// unchanged there, else `outdated` (then `line` is null; the anchor still says where it was).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub version: u32,
    pub line: Option<u32>,
    /// The range's last line there, for a range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_end: Option<u32>,
    pub outdated: bool,
}

/// A thread: its first comment and the replies. Its id is its first comment's id. A review's
/// summary is a thread without an anchor, resolved from the start; inline threads start
/// unresolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thread {
    pub id: u64,
    pub version: u32,
    pub anchor: Option<Anchor>,
    /// For an inline thread: where it is on the newest version.
    pub position: Option<Position>,
    pub resolved: bool,
    pub resolved_by: Option<String>,
    pub comments: Vec<Comment>,
}

/// `GET /api/v1/changes/{number}/comments`, and what the writes return.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threads {
    pub threads: Vec<Thread>,
    /// Unresolved threads of the whole change (whatever the filter).
    pub unresolved: usize,
}

/// A vote on a version: `+1` (looks good), `-1` (needs work), `request-changes` (core: holds
/// the change out of the gate), or `withdraw` (takes one's vote back; never stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VoteValue {
    #[serde(rename = "+1")]
    Plus,
    #[serde(rename = "-1")]
    Minus,
    #[serde(rename = "request-changes")]
    RequestChanges,
    #[serde(rename = "withdraw")]
    Withdraw,
}

impl VoteValue {
    pub const ALL: &'static [VoteValue] = &[
        VoteValue::Plus,
        VoteValue::Minus,
        VoteValue::RequestChanges,
        VoteValue::Withdraw,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VoteValue::Plus => "+1",
            VoteValue::Minus => "-1",
            VoteValue::RequestChanges => "request-changes",
            VoteValue::Withdraw => "withdraw",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(text.to_owned())).ok()
    }
}

/// `POST /api/v1/changes/{number}/votes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewVote {
    /// The version voted on: the newest (else `version_changed`).
    #[serde(deserialize_with = "super::whole_number")]
    pub version: u32,
    pub vote: VoteValue,
    /// Said with the vote: stored as a review summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A vote that counts on the newest version: cast on it, or on an older version whose
/// successors up to the newest changed no patch (pure rebases).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    pub user: String,
    pub vote: VoteValue,
    /// The version it was cast on.
    pub version: u32,
}

/// `GET /api/v1/changes/{number}/votes`: the votes counting on the newest version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Votes {
    pub version: u32,
    pub votes: Vec<Vote>,
    pub plus: usize,
    pub minus: usize,
    /// Who asks for changes (the change cannot be approved until none does).
    pub request_changes: Vec<String>,
}

impl Votes {
    /// The tally of `votes` counting on `version`.
    pub fn tally(version: u32, votes: Vec<Vote>) -> Self {
        let count = |v: VoteValue| votes.iter().filter(|x| x.vote == v).count();
        Votes {
            version,
            plus: count(VoteValue::Plus),
            minus: count(VoteValue::Minus),
            request_changes: votes
                .iter()
                .filter(|v| v.vote == VoteValue::RequestChanges)
                .map(|v| v.user.clone())
                .collect(),
            votes,
        }
    }
}
