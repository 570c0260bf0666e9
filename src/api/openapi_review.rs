//! The review part of the OpenAPI description: diffs and interdiffs (schemas and paths).

use serde_json::{json, Value};

use super::openapi::{auth_errors, error_response, etag_param, json_response, number_param};
use super::review::{FileStatus, VoteValue};

fn vote_enum(with_withdraw: bool) -> Value {
    let values: Vec<&str> = VoteValue::ALL
        .iter()
        .filter(|v| with_withdraw || **v != VoteValue::Withdraw)
        .map(|v| v.as_str())
        .collect();
    json!({"type": "string", "enum": values})
}

fn nullable(kind: &str) -> Value {
    json!({"type": [kind, "null"]})
}

fn diff_properties() -> Value {
    json!({
        "files": {"type": "array", "items": {"$ref": "#/components/schemas/FileDiff"}},
        "truncated": {"type": "boolean", "description": "hunks were left out at limits.diff_bytes"},
        "truncated_note": {"type": ["string", "null"], "description": "where and why the diff was cut"}
    })
}

/// The diff schemas.
pub(super) fn diff_schemas() -> Value {
    let statuses: Vec<&str> = FileStatus::ALL.iter().map(|s| s.as_str()).collect();
    let mut version_diff = json!({
        "change": {"type": "integer"}, "version": {"type": "integer"}, "target": {"type": "string"},
        "base_commit": {"type": "string"}, "commit": {"type": "string"}, "context": {"type": "integer"}});
    for (key, value) in diff_properties().as_object().into_iter().flatten() {
        version_diff[key] = value.clone();
    }
    json!({
        "HunkLine": {"type": "object", "required": ["kind", "old_line", "new_line", "text"], "properties": {
            "kind": {"type": "string", "enum": ["context", "added", "removed"]},
            "old_line": nullable("integer"), "new_line": nullable("integer"),
            "text": {"type": "string", "description": "without its newline; invalid UTF-8 replaced"},
            "no_newline": {"type": "boolean", "description": "the file's last line, without a newline"}}},
        "Hunk": {"type": "object", "properties": {
            "old_start": {"type": "integer"}, "old_lines": {"type": "integer"},
            "new_start": {"type": "integer"}, "new_lines": {"type": "integer"},
            "header": {"type": "string"},
            "lines": {"type": "array", "items": {"$ref": "#/components/schemas/HunkLine"}}}},
        "FileDiff": {"type": "object", "properties": {
            "status": {"type": "string", "enum": statuses},
            "old_path": nullable("string"), "new_path": nullable("string"),
            "old_mode": nullable("string"), "new_mode": nullable("string"),
            "binary": {"type": "boolean"},
            "additions": {"type": "integer"}, "deletions": {"type": "integer"},
            "hunks": {"type": "array", "items": {"$ref": "#/components/schemas/Hunk"}},
            "truncated": {"type": "boolean"}}},
        "Diff": {"type": "object", "properties": diff_properties()},
        "VersionDiff": {"type": "object", "properties": version_diff},
        "RangeCommit": {"type": "object", "properties": {
            "index": {"type": "integer"}, "id": {"type": "string"}, "summary": {"type": "string"}}},
        "RangeEntry": {"type": "object", "properties": {
            "kind": {"type": "string", "enum": ["same", "changed", "removed", "added"]},
            "old": {"oneOf": [{"$ref": "#/components/schemas/RangeCommit"}, {"type": "null"}]},
            "new": {"oneOf": [{"$ref": "#/components/schemas/RangeCommit"}, {"type": "null"}]},
            "patch_diff": {"type": "array", "items": {"type": "object", "properties": {
                "kind": {"type": "string", "enum": ["hunk", "context", "removed", "added"]},
                "text": {"type": "string"}}}}}},
        "Interdiff": {"type": "object", "properties": {
            "change": {"type": "integer"}, "from": {"type": "integer"}, "to": {"type": "integer"},
            "target": {"type": "string"}, "same_base": {"type": "boolean"},
            "tree_diff": {"oneOf": [{"$ref": "#/components/schemas/Diff"}, {"type": "null"}],
                "description": "null when the versions were applied on different base commits"},
            "range_diff": {"type": "array", "items": {"$ref": "#/components/schemas/RangeEntry"}}}}
    })
}

fn diff_query() -> Vec<Value> {
    vec![
        json!({"name": "target", "in": "query", "description": "a target of the version (default: its first)",
               "schema": {"type": "string"}}),
        json!({"name": "context", "in": "query", "description": "lines of context (default 3)",
               "schema": {"type": "integer", "minimum": 0, "maximum": 10000}}),
        etag_param(),
    ]
}

/// The diff routes.
pub(super) fn diff_paths() -> Value {
    let version_param = json!({"name": "version", "in": "path", "required": true,
        "description": "the version number", "example": 1,
        "schema": {"type": "integer", "minimum": 1, "maximum": u32::MAX}});
    let mut diff_params = vec![number_param("number", "the change number"), version_param];
    diff_params.extend(diff_query());
    let mut interdiff_params = vec![number_param("number", "the change number")];
    for name in ["from", "to"] {
        interdiff_params.push(json!({"name": name, "in": "query", "required": true,
            "description": format!("the {name} version"), "example": 1,
            "schema": {"type": "integer", "minimum": 1, "maximum": u32::MAX}}));
    }
    interdiff_params.extend(diff_query());
    let errors = |mut responses: Value| {
        responses["304"] = json!({"description": "not modified"});
        responses["400"] = error_response("invalid_query");
        responses["404"] = error_response(
            "unknown_change, unknown_version or unknown_target (not a target of the version)",
        );
        responses["409"] =
            error_response("not_applied (pending, conflicts or already merged there)");
        auth_errors(responses)
    };
    json!({
        "/api/v1/changes/{number}/versions/{version}/diff": {"get": {
            "summary": "A version's diff as applied to a target: files, modes, binary marker, hunks with line numbers",
            "parameters": diff_params,
            "responses": errors(json!({"200": json_response("the diff", "VersionDiff")}))}},
        "/api/v1/changes/{number}/interdiff": {"get": {
            "summary": "What changed between two versions: the tree diff when both were applied on the same base, and the per-commit range-diff",
            "parameters": interdiff_params,
            "responses": errors(json!({"200": json_response("the interdiff", "Interdiff")}))}}
    })
}

fn text_field(description: &str) -> Value {
    json!({"type": "string", "minLength": 1, "pattern": "\\S", "description": description})
}

/// The comment schemas.
pub(super) fn comment_schemas() -> Value {
    let side = json!({"type": "string", "enum": ["old", "new"], "default": "new"});
    json!({
        "NewReview": {"type": "object", "required": ["version"], "additionalProperties": false,
            "description": "a summary, inline comments or both; stored together or not at all",
            "properties": {
                "version": {"type": "integer", "minimum": 0, "maximum": u32::MAX, "description": "the version read"},
                "target": {"type": "string", "description": "whose diff the lines are from (default: the version's first target)"},
                "summary": text_field("the review's message (at most limits.comment_bytes)"),
                "comments": {"type": "array", "items": {"type": "object", "additionalProperties": false,
                    "required": ["path", "line", "body"], "properties": {
                        "path": {"type": "string"},
                        "line": {"type": "integer", "minimum": 0, "maximum": u32::MAX},
                        "line_end": {"type": "integer", "minimum": 0, "maximum": u32::MAX,
                            "description": "a range's last line (inclusive, on the same side): not before line, at most 500 lines in all (else 422 bad_range); every line of the range must be in the diff"},
                        "side": side,
                        "body": text_field("at most limits.comment_bytes")}}},
                "vote": vote_enum(true)}},
        "NewVote": {"type": "object", "required": ["version", "vote"], "additionalProperties": false, "properties": {
            "version": {"type": "integer", "minimum": 0, "maximum": u32::MAX, "description": "the newest version (else 409 version_changed)"},
            "vote": vote_enum(true),
            "message": text_field("stored as a review summary")}},
        "Votes": {"type": "object", "properties": {
            "version": {"type": "integer", "description": "the newest version"},
            "votes": {"type": "array", "items": {"type": "object", "properties": {
                "user": {"type": "string"}, "vote": vote_enum(false),
                "version": {"type": "integer", "description": "cast on (older: carried over pure rebases)"}}}},
            "plus": {"type": "integer"}, "minus": {"type": "integer"},
            "request_changes": {"type": "array", "items": {"type": "string"}, "description": "who holds approval back"}}},
        "NewReply": {"type": "object", "required": ["body"], "additionalProperties": false, "properties": {
            "body": text_field("at most limits.comment_bytes"),
            "resolve": {"type": "boolean", "default": false, "description": "also resolve the thread"}}},
        "EditComment": {"type": "object", "required": ["body"], "additionalProperties": false, "properties": {
            "body": text_field("at most limits.comment_bytes")}},
        "Comment": {"type": "object", "properties": {
            "id": {"type": "integer"}, "author": {"type": "string"},
            "body": {"type": "string", "description": "verbatim; empty once deleted"},
            "created": {"type": "string", "format": "date-time"},
            "edited": {"type": ["string", "null"], "format": "date-time"},
            "deleted": {"type": "boolean"}}},
        "Thread": {"type": "object", "properties": {
            "id": {"type": "integer", "description": "its first comment's id"},
            "version": {"type": "integer"},
            "anchor": {"oneOf": [{"type": "null"}, {"type": "object", "properties": {
                "version": {"type": "integer"}, "target": {"type": "string"}, "path": {"type": "string"},
                "side": {"type": "string", "enum": ["old", "new"]}, "line": {"type": "integer"},
                "line_end": {"type": "integer", "description": "a range's last line; absent for one line"}}}]},
            "position": {"description": "an inline thread on the newest version: its line there, or outdated (line null) when the code changed",
                "oneOf": [{"type": "null"}, {"type": "object", "properties": {
                    "version": {"type": "integer"}, "line": nullable("integer"),
                    "line_end": {"type": "integer", "description": "a range's last line there (a range stays only when all of it is unchanged and together)"},
                    "outdated": {"type": "boolean"}}}]},
            "resolved": {"type": "boolean"}, "resolved_by": nullable("string"),
            "comments": {"type": "array", "items": {"$ref": "#/components/schemas/Comment"}}}},
        "Threads": {"type": "object", "properties": {
            "threads": {"type": "array", "items": {"$ref": "#/components/schemas/Thread"}},
            "unresolved": {"type": "integer", "description": "unresolved threads of the change"}}}
    })
}

fn write_errors(mut responses: Value, body: bool) -> Value {
    responses["403"] = error_response("forbidden");
    responses["404"] = error_response("unknown_change or unknown_comment (also: deleted)");
    responses["409"] = error_response("change_not_open");
    if body {
        responses["400"] = error_response("invalid_json");
        responses["413"] = error_response("request_too_large");
        responses["415"] = error_response("unsupported_media_type");
        responses["422"] = error_response("invalid_field (empty text) or comment_too_long");
    }
    auth_errors(responses)
}

fn comment_route(summary: &str, body: Option<&str>, status: &str) -> Value {
    let id = number_param("id", "a comment id (of any comment of the thread)");
    let mut route = json!({"summary": summary,
        "parameters": [number_param("number", "the change number"), id],
        "responses": write_errors(json!({status: json_response("every thread of the change", "Threads")}), body.is_some())});
    if let Some(schema) = body {
        route["requestBody"] = json!({"required": true, "content": {"application/json": {
            "schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
    }
    json!({"post": route})
}

fn vote_errors() -> Value {
    let mut errors = write_errors(json!({"200": json_response("the votes", "Votes")}), true);
    errors["404"] = error_response("unknown_change");
    errors["409"] = error_response("change_not_open or version_changed (not the newest version)");
    errors
}

/// The comment routes.
pub(super) fn comment_paths() -> Value {
    let mut review_errors = write_errors(
        json!({"201": json_response("every thread of the change", "Threads")}),
        true,
    );
    review_errors["404"] = error_response("unknown_change, unknown_version or unknown_target");
    review_errors["409"] = error_response(
        "change_not_open, not_applied or version_changed (a vote on an older version)",
    );
    review_errors["422"] = error_response(
        "invalid_field (empty review or text), comment_too_long, too_many_comments, bad_anchor (a file or line not in the version's diff), bad_range (line_end before line, or more than 500 lines)",
    );
    json!({
        "/api/v1/changes/{number}/comments": {"get": {
            "summary": "A change's threads with their comments, oldest first",
            "parameters": [number_param("number", "the change number"),
                {"name": "unresolved", "in": "query", "description": "1: only unresolved threads",
                 "schema": {"type": "string", "enum": ["0", "1", "false", "true"]}},
                {"name": "version", "in": "query", "description": "only threads made on this version",
                 "schema": {"type": "integer", "minimum": 0, "maximum": u32::MAX}},
                etag_param()],
            "responses": auth_errors(json!({"200": json_response("the threads", "Threads"),
                "304": {"description": "not modified"}, "400": error_response("invalid_query"),
                "404": error_response("unknown_change")}))}},
        "/api/v1/changes/{number}/reviews": {"post": {
            "summary": "Post a review: a summary and inline comments on one version, all or nothing (any user)",
            "parameters": [number_param("number", "the change number")],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewReview"}}}},
            "responses": review_errors}},
        "/api/v1/changes/{number}/votes": {
            "get": {"summary": "The votes counting on the newest version",
                "parameters": [number_param("number", "the change number"), etag_param()],
                "responses": auth_errors(json!({"200": json_response("the votes", "Votes"),
                    "304": {"description": "not modified"}, "404": error_response("unknown_change")}))},
            "post": {"summary": "Vote on the newest version: +1, -1, request-changes (core, release-manager) or withdraw",
                "parameters": [number_param("number", "the change number")],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewVote"}}}},
                "responses": vote_errors()}},
        "/api/v1/changes/{number}/comments/{id}/reply": comment_route(
            "Answer in the comment's thread, optionally resolving it (any user)", Some("NewReply"), "201"),
        "/api/v1/changes/{number}/comments/{id}/resolve": comment_route(
            "Resolve the comment's thread (its author, the change's owner, core, release-manager)", None, "200"),
        "/api/v1/changes/{number}/comments/{id}/edit": comment_route(
            "Replace the text of one's own comment", Some("EditComment"), "200"),
        "/api/v1/changes/{number}/comments/{id}/delete": comment_route(
            "Delete one's own comment: its text goes, the comment stays as a tombstone", None, "200")
    })
}

/// The event feed's schemas.
pub(super) fn event_schemas() -> Value {
    json!({
        "ChangeEvent": {"type": "object", "properties": {
            "id": {"type": "integer", "description": "grows with every event; ask `after` the last one seen"},
            "change": {"type": "integer"},
            "kind": {"type": "string", "enum": ["posted", "version", "comment", "comment-edited", "resolved",
                "vote", "job", "gate", "merged", "abandoned", "open"]},
            "detail": {"type": "object", "description": "what: {\"version\": 2}, {\"job\": 7, \"state\": \"failed\", ...}"},
            "created": {"type": "string", "format": "date-time"}}},
        "Events": {"type": "object", "properties": {
            "events": {"type": "array", "items": {"$ref": "#/components/schemas/ChangeEvent"}},
            "last": {"type": "integer", "description": "the id to ask after next"}}}
    })
}

/// The event feed's route.
pub(super) fn event_paths() -> Value {
    json!({
        "/api/v1/events": {"get": {
            "summary": "What happened to the changes the user may see, oldest first; long-polled with `timeout`",
            "parameters": [
                {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": super::openapi::MAX_ID},
                    "description": "the last event id seen (default 0: from the start)"},
                {"name": "timeout", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 20},
                    "description": "seconds to wait for an event when there is none yet (default 0)"},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500},
                    "description": "the most events in one answer (default 500)"}],
            "responses": auth_errors(json!({"200": json_response("the events", "Events"),
                "400": error_response("invalid_query")}))}}
    })
}
