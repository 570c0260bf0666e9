//! Every error body and its stable code.

use serde::{Deserialize, Serialize};

/// Every error body: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
}

/// Stable error codes. Clients match on these, never on messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 401: no `Authorization` header.
    TokenMissing,
    /// 401: the header is not `Bearer <token>` with a token of the right form.
    TokenMalformed,
    /// 401: no user has this token.
    TokenInvalid,
    /// 401: the token's user was removed.
    TokenRevoked,
    /// 403: the role or ownership does not allow it.
    Forbidden,
    /// 404: no such route.
    NotFound,
    /// 404: no change with this number.
    UnknownChange,
    /// 404: no job with this id.
    UnknownJob,
    /// 405.
    MethodNotAllowed,
    /// 400: the body is not the JSON the route expects.
    InvalidJson,
    /// 415: the body is not `application/json`.
    UnsupportedMediaType,
    /// 413: the request is larger than `limits.request_bytes`.
    RequestTooLarge,
    /// 413: the mbox is larger than `limits.mbox_bytes`.
    MboxTooLarge,
    /// 422: more commits than `limits.commits`.
    TooManyCommits,
    /// 422: the series touches more files than `limits.files`.
    TooManyFiles,
    /// 413: once inflated, the series writes more than `limits.file_bytes` into one file or
    /// `limits.expanded_bytes` in all.
    ExpandsTooLarge,
    /// 422: more targets than `limits.targets`, or none.
    BadTargets,
    /// 422: a target is not a branch of the service.
    UnknownTarget,
    /// 422: the mbox holds no patch.
    NotAnMbox,
    /// 422: a patch touches `.git/` or leaves the tree (`../`, absolute paths).
    UnsafePath,
    /// 422: a field is empty or invalid (e.g. an empty title).
    InvalidField,
    /// 422: a branch-specific series names a branch that is not a target of the change.
    NotATarget,
    /// 422: a branch-specific series does not apply to its branch.
    SeriesConflicts,
    /// 409: the change is not open.
    ChangeNotOpen,
    /// 409: the change is a draft, which is checked but not approved until it is marked ready.
    ChangeIsDraft,
    /// 409: the version approved is not the newest (a new one came since the reviewer read it).
    VersionChanged,
    /// 400: a query parameter is invalid.
    InvalidQuery,
    /// 409: the gate refused (self-approval, frozen branch, stale version, no reason, not
    /// queued).
    GateRefused,
    /// 404: the change has no version with this number.
    UnknownVersion,
    /// 409: the version did not apply to the target (pending, conflicts, already merged), so
    /// it has no diff there.
    NotApplied,
    /// 404: no comment with this id on this change.
    UnknownComment,
    /// 422: a comment is longer than `limits.comment_bytes`.
    CommentTooLong,
    /// 422: more comments in one review than `limits.comments_per_request`.
    TooManyComments,
    /// 422: an inline comment names a file or line that is not in the version's diff.
    BadAnchor,
    /// 422: an inline comment's `line_end` is before its `line`, or the range spans more than
    /// 500 lines.
    BadRange,
    /// 409: a core developer asked for changes on the newest version.
    ChangesRequested,
    /// 503: the service is shutting down.
    ShuttingDown,
    /// 503: `limits.live_streams` live channels are open already.
    TooManyStreams,
    /// 422 at upload, 404 at `/issues`: the tracker has no such issue (or it is not a reference).
    UnknownIssue,
    /// 503: the issue tracker cannot be reached or refuses the bot account.
    TrackerUnavailable,
    /// 404: the service has no issue tracker (`[tracker]`).
    NoTracker,
    /// 500.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// Every code, for the OpenAPI description and its test.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::TokenMissing,
        ErrorCode::TokenMalformed,
        ErrorCode::TokenInvalid,
        ErrorCode::TokenRevoked,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::UnknownChange,
        ErrorCode::UnknownJob,
        ErrorCode::MethodNotAllowed,
        ErrorCode::InvalidJson,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::RequestTooLarge,
        ErrorCode::MboxTooLarge,
        ErrorCode::TooManyCommits,
        ErrorCode::TooManyFiles,
        ErrorCode::ExpandsTooLarge,
        ErrorCode::BadTargets,
        ErrorCode::UnknownTarget,
        ErrorCode::NotAnMbox,
        ErrorCode::UnsafePath,
        ErrorCode::InvalidField,
        ErrorCode::NotATarget,
        ErrorCode::SeriesConflicts,
        ErrorCode::ChangeNotOpen,
        ErrorCode::ChangeIsDraft,
        ErrorCode::VersionChanged,
        ErrorCode::InvalidQuery,
        ErrorCode::GateRefused,
        ErrorCode::UnknownVersion,
        ErrorCode::NotApplied,
        ErrorCode::UnknownComment,
        ErrorCode::CommentTooLong,
        ErrorCode::TooManyComments,
        ErrorCode::BadAnchor,
        ErrorCode::BadRange,
        ErrorCode::ChangesRequested,
        ErrorCode::ShuttingDown,
        ErrorCode::TooManyStreams,
        ErrorCode::UnknownIssue,
        ErrorCode::TrackerUnavailable,
        ErrorCode::NoTracker,
        ErrorCode::Internal,
    ];
}
