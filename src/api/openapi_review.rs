//! The review part of the OpenAPI description: diffs and interdiffs (schemas and paths).

use serde_json::{json, Value};

use super::openapi::{auth_errors, error_response, etag_param, json_response, number_param};
use super::review::FileStatus;

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
