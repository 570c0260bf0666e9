//! The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`. A test in
//! `server::http` checks that every route the server has is described here.

use serde_json::{json, Value};

use super::{ErrorCode, GateStatus, JobState, PostMergeStatus};

pub(super) fn error_response(description: &str) -> Value {
    json!({"description": description,
           "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

pub(super) fn json_response(description: &str, schema: &str) -> Value {
    json!({"description": description,
           "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

/// The largest id: ids are SQLite integers (a larger one answers 404, not found).
pub(super) const MAX_ID: i64 = i64::MAX;

pub(super) fn number_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description,
           "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "example": 1})
}

fn branch_param() -> Value {
    json!({"name": "name", "in": "path", "required": true, "description": "a branch of the service",
           "schema": {"type": "string"}, "example": "main"})
}

/// A log route (a job's or a gate run's): `offset`, `follow`, the ETag, plain text.
fn log_route(summary: &str, description: &str, id: Value) -> Value {
    json!({"get": {
        "summary": summary,
        "description": description,
        "parameters": [id,
            {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}},
            {"name": "follow", "in": "query", "description": "1 or true: stream until it ends",
             "schema": {"type": "string", "enum": ["0", "1", "false", "true"]}}, etag_param()],
        "responses": auth_errors(json!({"200": {"description": "text/plain log"},
            "304": {"description": "not modified"}, "404": error_response("unknown_job"),
            "400": error_response("invalid_query")}))}})
}

pub(super) fn etag_param() -> Value {
    json!({"name": "If-None-Match", "in": "header", "required": false,
           "description": "An ETag from an earlier response: 304 when nothing changed",
           "schema": {"type": "string"}})
}

pub(super) fn auth_errors(mut responses: Value) -> Value {
    responses["401"] =
        error_response("token_missing, token_malformed, token_invalid or token_revoked");
    responses
}

fn upload_errors(mut responses: Value) -> Value {
    responses["400"] = error_response("invalid_json");
    responses["413"] = error_response("request_too_large, mbox_too_large or expands_too_large");
    responses["415"] = error_response("unsupported_media_type");
    responses["422"] = error_response(
        "not_an_mbox, unsafe_path, unknown_target, bad_targets, too_many_commits, invalid_field, \
         unknown_issue (the tracker has no such issue, or it is not a reference)",
    );
    responses["503"] = error_response("tracker_unavailable: the issue cannot be checked");
    auth_errors(responses)
}

/// The gate's schemas and the ones after them (split off: one `json!` has a recursion limit).
fn gate_schemas() -> Value {
    let gate_states: Vec<&str> = GateStatus::ALL.iter().map(|s| s.as_str()).collect();
    let mut post_merge_states: Vec<Value> = PostMergeStatus::ALL
        .iter()
        .map(|s| Value::from(s.as_str()))
        .collect();
    post_merge_states.push(Value::Null);
    json!({
                "GateState": {"type": "object", "description": "The merge gate's view of the version on this target",
                    "properties": {
                        "state": {"type": "string", "enum": gate_states},
                        "summary": {"type": "string", "description": "e.g. `position 2 of 3, testing`, `merged as <commit>`, `ejected: why`"},
                        "position": {"type": ["integer", "null"]}, "queue_length": {"type": ["integer", "null"]},
                        "commit": {"type": ["string", "null"], "description": "the commit it merged as"},
                        "approvals": {"type": "array", "items": {"type": "string"}},
                        "post_merge": {"type": ["string", "null"], "enum": post_merge_states,
                            "description": "once merged: `running` while the post-merge checks run (it may yet be reverted), `passed` (or none configured), `failed`; null before the merge"}}},
                "Approve": {"type": "object", "required": ["version"], "additionalProperties": false, "properties": {
                    "version": {"type": "integer", "minimum": 0, "maximum": u32::MAX,
                        "description": "the version the reviewer read: refused (409 version_changed) unless it is the newest"},
                    "targets": {"type": "array", "items": {"type": "string"},
                        "description": "absent or empty: every target the current version applies to"}}},
                "Recheck": {"type": "object", "required": ["reason"], "additionalProperties": false,
                    "properties": {"reason": {"type": "string", "minLength": 1}}},
                "Promote": {"type": "object", "required": ["target"], "additionalProperties": false,
                    "properties": {"target": {"type": "string"}}},
                "BranchGate": {"type": "object", "properties": {
                    "branch": {"type": "string"}, "tip": {"type": ["string", "null"]}, "frozen": {"type": "boolean"},
                    "queue": {"type": "array", "items": {"type": "integer"}, "description": "change numbers, head first"}}},
                "Version": {"type": "object", "properties": {
                    "number": {"type": "integer"}, "id": {"type": "string"},
                    "created": {"type": "string", "format": "date-time"},
                    "base": {"type": ["string", "null"]},
                    "commits": {"type": "array", "items": {"type": "object", "properties": {
                        "subject": {"type": "string"}, "author": {"type": "string"}, "date": {"type": "string"}}}},
                    "docs_only": {"type": "boolean"},
                    "targets": {"type": "array", "items": {"$ref": "#/components/schemas/TargetResult"}}}},
                "Change": {"type": "object", "properties": {
                    "number": {"type": "integer"}, "title": {"type": "string"},
                    "kind": {"type": "string"}, "issue": {"type": ["string", "null"]},
                    "owner": {"type": "string"},
                    "state": {"type": "string", "enum": ["open", "abandoned", "merged"]},
                    "draft": {"type": "boolean", "description": "checked, but not approvable until marked ready"},
                    "created": {"type": "string", "format": "date-time"},
                    "current_version": {"type": "integer"},
                    "backport_of": {"type": ["integer", "null"], "description": "the change this one backports to another branch"},
                    "versions": {"type": "array", "items": {"$ref": "#/components/schemas/Version"}},
                    "cla": {"$ref": "#/components/schemas/ClaCheck"}}},
                "ChangeList": {"type": "object", "properties": {"changes": {"type": "array", "items": {
                    "type": "object", "properties": {
                        "number": {"type": "integer"}, "title": {"type": "string"}, "kind": {"type": "string"},
                        "owner": {"type": "string"}, "state": {"type": "string"},
                        "draft": {"type": "boolean"},
                        "current_version": {"type": "integer"},
                        "targets": {"type": "array", "items": {"type": "object", "properties": {
                            "target": {"type": "string"}, "apply": {"type": "string"}, "verdict": {"type": "string"}, "gate": {"type": "string", "enum": gate_states}}}},
                        "votes": {"$ref": "#/components/schemas/Votes"},
                        "feedback": {"type": "boolean", "description": "someone other than the owner commented since the current version was posted, or voted on it"}}}}}}
    })
}

/// The gate's routes.
fn gate_paths() -> Value {
    json!({
            "/api/v1/changes/{number}/approve": {"post": {
                "summary": "Approve the current version for the merge gate (core, release-manager)",
                "description": "Approves the version the reviewer read (`version`), refused with 409 version_changed when a newer one came since. Each approved target enters its branch's queue at the back once `gate.approvals_needed` distinct approvals are given. Self-approval (of a change one owns, or of a version one uploaded) is refused when `gate.self_approval = false` or the branch is frozen.",
                "parameters": [number_param("number", "the change number")],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Approve"}}}},
                "responses": auth_errors(json!({"200": json_response("the change", "Change"),
                    "400": error_response("invalid_json"), "403": error_response("forbidden"),
                    "404": error_response("unknown_change"), "409": error_response("change_not_open, change_is_draft, version_changed, changes_requested or gate_refused"),
                    "415": error_response("unsupported_media_type"),
                    "422": error_response("unknown_target or invalid_field (the version does not apply)"),
                    "503": error_response("tracker_unavailable: the CLA check (`[tracker] require_cla`) cannot be made")}))}},
            "/api/v1/changes/{number}/recheck": {"post": {
                "summary": "Re-run the current version's failed checks; re-enqueue it if it was ejected or dequeued with a valid approval and is not a draft (owner, core, release-manager)",
                "parameters": [number_param("number", "the change number")],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Recheck"}}}},
                "responses": auth_errors(json!({"200": json_response("the change", "Change"),
                    "400": error_response("invalid_json"), "403": error_response("forbidden"),
                    "404": error_response("unknown_change"), "409": error_response("change_not_open or gate_refused"),
                    "415": error_response("unsupported_media_type"), "422": error_response("invalid_field (no reason)")}))}},
            "/api/v1/changes/{number}/promote": {"post": {
                "summary": "Move a queued change to the head of a branch's queue (release-manager)",
                "parameters": [number_param("number", "the change number")],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Promote"}}}},
                "responses": auth_errors(json!({"200": json_response("the change", "Change"),
                    "400": error_response("invalid_json"), "403": error_response("forbidden"),
                    "404": error_response("unknown_change"), "409": error_response("change_not_open or gate_refused (not queued there)"),
                    "415": error_response("unsupported_media_type")}))}},
            "/api/v1/changes/{number}/dequeue": {"post": {
                "summary": "Take a change out of every gate queue, cancelling its gate jobs (owner, core, release-manager)",
                "parameters": [number_param("number", "the change number")],
                "responses": auth_errors(json!({"200": json_response("the change", "Change"),
                    "403": error_response("forbidden"), "404": error_response("unknown_change"),
                    "409": error_response("change_not_open")}))}},
            "/api/v1/branches/{name}/gate": {"get": {
                "summary": "A branch's gate queue",
                "parameters": [branch_param()],
                "responses": auth_errors(json!({"200": json_response("the queue", "BranchGate"),
                    "404": error_response("not_found (not a branch of the service)")}))}},
            "/api/v1/branches/{name}/freeze": {"post": {
                "summary": "Freeze a branch: self-approval is refused on it (release-manager)",
                "parameters": [branch_param()],
                "responses": auth_errors(json!({"200": json_response("the queue", "BranchGate"),
                    "403": error_response("forbidden"), "404": error_response("not_found")}))}},
            "/api/v1/branches/{name}/unfreeze": {"post": {
                "summary": "Lift a branch's freeze (release-manager)",
                "parameters": [branch_param()],
                "responses": auth_errors(json!({"200": json_response("the queue", "BranchGate"),
                    "403": error_response("forbidden"), "404": error_response("not_found")}))}},
            "/api/v1/gate/runs/{run}/log": log_route(
                "The log of a gate or post-merge run; follow a running one with ?offset=<bytes already read> or ?follow=1",
                "Headers: Review-Job-State (running, or ended), Review-Log-Size (total bytes).",
                number_param("run", "the gate run id"))
    })
}

/// The schemas of a version's results on a target: its apply state, verdict and jobs.
fn result_schemas() -> Value {
    let job_states: Vec<&str> = JobState::ALL.iter().map(|s| s.as_str()).collect();
    json!({
                "JobResult": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "name": {"type": "string"}, "platform": {"type": "string"},
                    "state": {"type": "string", "enum": job_states},
                    "start": {"type": ["string", "null"], "format": "date-time"},
                    "elapsed_secs": {"type": ["number", "null"], "description": "null until the job ends"},
                    "detail": {"type": ["string", "null"]},
                    "log_url": {"type": "string"},
                    "known_failure": {"type": ["string", "null"], "description":
                        "for a failed job whose log matched a [[known_failure]] pattern: its issue (e.g. gh-1234); recheck"},
                    "voting": {"type": "boolean", "description":
                        "false for a voting = false job: shown, but its failure fails neither the verdict nor the gate"}}},
                "SeriesCommit": {"type": "object", "properties": {
                    "subject": {"type": "string"}, "author": {"type": "string"}, "date": {"type": "string"}}},
                "BranchSeries": {"type": "object", "required": ["target"],
                    "description": "exactly one of `mbox` and `mbox_base64`",
                    "additionalProperties": false, "properties": {
                    "target": {"type": "string", "description": "a target of the change's current version"},
                    "mbox": {"type": "string", "description": "git format-patch --stdout output of a series based on that target"},
                    "mbox_base64": {"type": "string", "contentEncoding": "base64"}}},
                "TargetResult": {"type": "object", "properties": {
                    "target": {"type": "string"},
                    "apply": {"type": "string", "enum": ["pending", "applies", "conflicts", "already-merged"]},
                    "conflict": {"type": ["string", "null"]},
                    "base_commit": {"type": ["string", "null"]},
                    "commit": {"type": ["string", "null"]},
                    "git_ref": {"type": ["string", "null"]},
                    "series": {"type": "string", "enum": ["default", "branch-specific"],
                        "description": "which series this target carries: the version's (`default`), or one posted for it alone because the version's does not apply there"},
                    "series_commits": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/SeriesCommit"},
                        "description": "the commits of a branch-specific series; null for the default (the version's `commits`)"},
                    "verdict": {"type": "string", "enum": ["pending", "passed", "failed", "cancelled", "conflicts", "already-merged"]},
                    "jobs": {"type": "array", "items": {"$ref": "#/components/schemas/JobResult"}},
                    "gate": {"$ref": "#/components/schemas/GateState"}}}
    })
}

/// The issue tracker's schemas (docs/tracker.md).
fn tracker_schemas() -> Value {
    let kinds = ["feature", "bugfix", "security", "docs"];
    json!({
        "Issue": {"type": "object", "properties": {
            "reference": {"type": "string", "description": "the stored form, `<prefix><id>`, e.g. `bpo-1234`"},
            "id": {"type": "string"}, "title": {"type": "string"},
            "type": {"type": ["string", "null"], "description": "enhancement, behavior, security, crash..."},
            "kind": {"type": "string", "enum": kinds,
                "description": "the kind of change the type calls for: feature (enhancement), security, else bugfix"},
            "status": {"type": ["string", "null"]},
            "versions": {"type": "array", "items": {"type": "string"}, "description": "the affected versions"},
            "url": {"type": "string"},
            "changes": {"type": "array", "items": {"type": "object", "properties": {
                "number": {"type": "integer"}, "title": {"type": "string"},
                "state": {"type": "string", "enum": ["open", "abandoned", "merged"]}}}}}},
        "TrackerHealth": {"type": ["object", "null"], "description": "absent without [tracker]", "properties": {
            "kind": {"type": "string"},
            "access": {"type": "string", "enum": ["unknown", "ok", "unreachable", "denied"],
                "description": "denied: the tracker answered 401, 403 or 429 to the bot account"},
            "message": {"type": ["string", "null"]},
            "pending": {"type": "integer", "description": "notifications waiting in the outbox"}}},
        "ClaCheck": {"type": ["object", "null"], "description": "the CLA check of the newest version, with `require_cla`",
            "properties": {"passed": {"type": "boolean"}, "detail": {"type": "string"},
                "checked": {"type": "string", "format": "date-time"}}}
    })
}

/// The issue tracker's routes.
fn tracker_paths() -> Value {
    json!({
        "/api/v1/issues/{reference}": {"get": {
            "summary": "An issue of the service's tracker (title, type, status, affected versions) and the changes naming it",
            "parameters": [{"name": "reference", "in": "path", "required": true,
                "description": "1234, #1234, bpo-1234 or `<prefix>1234`", "schema": {"type": "string"}, "example": "1"}],
            "responses": auth_errors(json!({"200": json_response("the issue", "Issue"),
                "404": error_response("unknown_issue or no_tracker"),
                "503": error_response("tracker_unavailable")}))}}
    })
}

/// The whole description.
pub fn document() -> Value {
    let mut doc = base_document();
    let schemas = [
        gate_schemas(),
        result_schemas(),
        tracker_schemas(),
        super::openapi_review::diff_schemas(),
        super::openapi_review::comment_schemas(),
        super::openapi_review::event_schemas(),
    ];
    for (key, value) in schemas
        .iter()
        .flat_map(|s| s.as_object().into_iter().flatten())
    {
        doc["components"]["schemas"][key] = value.clone();
    }
    let paths = [
        gate_paths(),
        tracker_paths(),
        super::openapi_review::diff_paths(),
        super::openapi_review::comment_paths(),
        super::openapi_review::event_paths(),
    ];
    for (key, value) in paths
        .iter()
        .flat_map(|p| p.as_object().into_iter().flatten())
    {
        doc["paths"][key] = value.clone();
    }
    doc
}

/// The schemas every version of the document has (the routes' own come with their paths).
fn base_schemas() -> Value {
    let codes: Vec<String> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    json!({
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {
            "type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string", "enum": codes},
                "message": {"type": "string"}}}}},
        "Health": {"type": "object", "properties": {
            "status": {"type": "string", "enum": ["ok", "degraded"],
                "description": "degraded: a platform's executor cannot take jobs (see platforms)"},
            "version": {"type": "string"}, "project": {"type": "string"},
            "platforms": {"type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string"}, "executor": {"type": "string", "enum": ["local", "buildbot"]},
                "available": {"type": "boolean"}, "detail": {"type": ["string", "null"]}}}},
            "tracker": {"$ref": "#/components/schemas/TrackerHealth"}}},
        "User": {"type": "object", "properties": {
            "name": {"type": "string"},
            "role": {"type": "string", "enum": ["contributor", "core", "release-manager"]}}},
        "CreateChange": {"type": "object", "required": ["targets", "kind", "title"],
            "description": "exactly one of `mbox` and `mbox_base64`",
            "additionalProperties": false, "properties": {
            "mbox": {"type": "string", "description": "git format-patch --stdout output, when it is UTF-8"},
            "mbox_base64": {"type": "string", "contentEncoding": "base64",
                "description": "the same in base64, for a series that is not UTF-8"},
            "targets": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": true},
            "kind": {"type": "string", "enum": ["feature", "bugfix", "security", "docs"]},
            "title": {"type": "string", "minLength": 1, "pattern": "\\S",
                "description": "not only white space"},
            "issue": {"type": ["string", "null"]},
            "base": {"type": ["string", "null"]},
            "draft": {"type": "boolean", "default": false,
                "description": "a draft is checked but cannot be approved until it is marked ready"},
            "backport_of": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID,
                "description": "the change this one backports (a merged change carried to another branch); 422 invalid_field when there is no such change"}}},
        "AddVersion": {"type": "object", "required": ["targets"],
            "description": "exactly one of `mbox` and `mbox_base64`",
            "additionalProperties": false, "properties": {
            "mbox": {"type": "string"},
            "mbox_base64": {"type": "string", "contentEncoding": "base64"},
            "targets": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": true},
            "base": {"type": ["string", "null"]}}}
    })
}

fn base_document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {"title": "review serve", "version": "1",
                 "description": "The embedded review service: changes, versions, per-target checks."},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": base_schemas(),
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/health": {"get": {"summary": "Is the service up", "security": [],
                "responses": {"200": json_response("up", "Health")}}},
            "/api/v1/openapi.json": {"get": {"summary": "This description", "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1 JSON"}}}},
            "/api/v1/user": {"get": {"summary": "The token's user",
                "responses": auth_errors(json!({"200": json_response("the user", "User")}))}},
            "/api/v1/changes": {
                "get": {"summary": "List changes, newest first",
                    "parameters": [
                        {"name": "state", "in": "query", "schema": {"type": "string", "enum": ["open", "abandoned", "merged"]}},
                        {"name": "owner", "in": "query", "schema": {"type": "string"}},
                        {"name": "target", "in": "query", "schema": {"type": "string"}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
                        etag_param()],
                    "responses": auth_errors(json!({"200": json_response("changes", "ChangeList"),
                        "304": {"description": "not modified"}, "400": error_response("invalid_query")}))},
                "post": {"summary": "Create a change with its first version (any role)",
                    "description": "Posting the same mbox and targets again returns the existing change (200).",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateChange"}}}},
                    "responses": upload_errors(json!({"201": json_response("created", "Change"),
                        "200": json_response("the same upload was already stored", "Change")}))}},
            "/api/v1/changes/{number}": {"get": {"summary": "A change with all its versions and per-target results",
                "parameters": [number_param("number", "the change number"), etag_param()],
                "responses": auth_errors(json!({"200": json_response("the change", "Change"),
                    "304": {"description": "not modified"}, "404": error_response("unknown_change")}))}},
            "/api/v1/changes/{number}/versions": {"post": {
                "summary": "Add a version (owner, core, release-manager); older versions' jobs are cancelled",
                "parameters": [number_param("number", "the change number")],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AddVersion"}}}},
                "responses": upload_errors(json!({"201": json_response("created", "Change"),
                    "200": json_response("the same content is already a version", "Change"),
                    "403": error_response("forbidden"), "404": error_response("unknown_change"),
                    "409": error_response("change_not_open")}))}},
            "/api/v1/changes/{number}/series": {"post": {
                "summary": "Give one target a series of its own (owner, core, release-manager): a new version, the current one with that target's series replaced",
                "description": "For a target the change's series does not apply to: the series, based on that target, is parsed and tried on the target's tip before anything is stored. The other targets keep the series they carry. Older versions' jobs are cancelled and approvals are dropped, as for any new version. Posting the same series again returns the existing version (200).",
                "parameters": [number_param("number", "the change number")],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BranchSeries"}}}},
                "responses": upload_errors(json!({"201": json_response("created", "Change"),
                    "200": json_response("the same series is already a version", "Change"),
                    "403": error_response("forbidden"), "404": error_response("unknown_change"),
                    "409": error_response("change_not_open"),
                    "422": error_response("not_a_target, series_conflicts (it does not apply to the target's tip), not_an_mbox, unsafe_path, too_many_commits, invalid_field")}))}},
            "/api/v1/changes/{number}/abandon": {"post": {
                "summary": "Abandon a change (owner, core, release-manager); its jobs are cancelled",
                "parameters": [number_param("number", "the change number")],
                "responses": auth_errors(json!({"200": json_response("the change", "Change"),
                    "403": error_response("forbidden"), "404": error_response("unknown_change"),
                    "409": error_response("change_not_open")}))}},
            "/api/v1/changes/{number}/draft": {"post": {
                "summary": "Mark a change a draft: still checked, not approvable (owner, core, release-manager)",
                "parameters": [number_param("number", "the change number")],
                "responses": auth_errors(json!({"200": json_response("the change", "Change"),
                    "403": error_response("forbidden"), "404": error_response("unknown_change"),
                    "409": error_response("change_not_open, or gate_refused (the gate holds an approval of it: dequeue it first)")}))}},
            "/api/v1/changes/{number}/ready": {"post": {
                "summary": "Mark a draft ready for review, so that it can be approved (owner, core, release-manager)",
                "parameters": [number_param("number", "the change number")],
                "responses": auth_errors(json!({"200": json_response("the change", "Change"),
                    "403": error_response("forbidden"), "404": error_response("unknown_change"),
                    "409": error_response("change_not_open")}))}},
            "/api/v1/jobs/{id}/log": log_route(
                "A job's log; follow a running job with ?offset=<bytes already read> or ?follow=1",
                "Headers: Review-Job-State (the job's state), Review-Log-Size (total bytes).",
                number_param("id", "the job id"))
        }
    })
}
