//! Diff routes: a version's diff as applied to a target, and the interdiff of two versions.
//! Computed on a blocking thread from the bare repository, cached per database generation
//! (their ETag is the body's hash, so an unchanged diff answers 304).

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};

use crate::api::review::{Interdiff, VersionDiff};
use crate::api::ErrorCode;
use crate::server::diff::{self, DiffSpec};
use crate::server::store::VersionTarget;

use super::extract::{etag_of, invalid_query, json_bytes, query_of, with_etag, ChangeRead};
use super::{ApiError, ApiResult, AppState};

/// The bare repository and how to diff in it.
pub(super) fn diff_setup(state: &AppState, context: u32) -> (PathBuf, DiffSpec) {
    let repo = state.dir.join(state.pipeline.config.repo_dir_name());
    let spec = DiffSpec {
        context,
        max_bytes: state.pipeline.config.limits.diff_bytes,
    };
    (repo, spec)
}

/// Most lines of context a diff may ask for.
const MAX_CONTEXT: u32 = 10_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DiffQuery {
    target: Option<String>,
    context: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct InterdiffQuery {
    from: u32,
    to: u32,
    target: Option<String>,
    context: Option<u32>,
}

fn context_of(context: Option<u32>) -> Result<u32, ApiError> {
    match context {
        None => Ok(3),
        Some(n) if n <= MAX_CONTEXT => Ok(n),
        Some(n) => Err(invalid_query(format!(
            "invalid `context`: {n}; ask for 0 to {MAX_CONTEXT} lines"
        ))),
    }
}

pub(super) fn unknown_version(change: u64, version: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorCode::UnknownVersion,
        format!("change {change} has no version `{version}`"),
    )
}

/// The targets of a version; `unknown_version` when it has none (no such version).
pub(super) fn targets_of(
    state: &AppState,
    change: u64,
    version: u32,
) -> Result<Vec<VersionTarget>, ApiError> {
    let targets = state.pipeline.store.version_targets(change, version)?;
    if targets.is_empty() {
        return Err(unknown_version(change, &version.to_string()));
    }
    Ok(targets)
}

/// The target named (or the version's first), applied: its (base commit, commit).
pub(super) fn applied_on(
    targets: &[VersionTarget],
    name: Option<&str>,
    version: u32,
) -> Result<(String, String, String), ApiError> {
    let target = match name {
        None => &targets[0],
        Some(name) => targets.iter().find(|t| t.target == name).ok_or_else(|| {
            let names: Vec<&str> = targets.iter().map(|t| t.target.as_str()).collect();
            ApiError::new(
                StatusCode::NOT_FOUND,
                ErrorCode::UnknownTarget,
                format!(
                    "version {version} is not nominated for `{name}`; its targets: {}",
                    names.join(", ")
                ),
            )
        })?,
    };
    let (base, commit) = target.applied().ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::NotApplied,
            format!(
                "version {version} has no diff on `{}`: it is {} there",
                target.target,
                target.apply.as_str()
            ),
        )
    })?;
    Ok((target.target.clone(), base.to_owned(), commit.to_owned()))
}

/// A JSON body computed on a blocking thread, cached per database generation under `key`.
pub(super) async fn cached_blocking<T: Serialize + Send + 'static>(
    state: &Arc<AppState>,
    headers: &HeaderMap,
    key: String,
    load: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> ApiResult {
    if let Some((etag, body)) = state.cache().bodies.get(&key).cloned() {
        return Ok(with_etag(headers, etag, body, "application/json"));
    }
    let generation = state.pipeline.store.generation();
    let value = tokio::task::spawn_blocking(load)
        .await
        .map_err(ApiError::internal)??;
    let body = json_bytes(&value)?;
    let etag = etag_of(&body);
    let mut cache = state.cache();
    if cache.generation == generation {
        cache.bodies.insert(key, (etag.clone(), body.clone()));
    }
    Ok(with_etag(headers, etag, body, "application/json"))
}

fn git_error(err: git2::Error) -> ApiError {
    ApiError::internal(format!("reading the repository: {err}"))
}

/// A version's diff on a target, resolved (cheap) and computed later on a blocking thread:
/// what the API handler caches under `key` and the web page renders.
pub(crate) struct DiffPlan {
    pub(crate) key: String,
    repo: PathBuf,
    spec: DiffSpec,
    change: u64,
    version: u32,
    target: String,
    base_commit: String,
    commit: String,
}

/// Resolves the version's targets and the one named (default: the first).
pub(crate) fn diff_plan(
    state: &AppState,
    change: u64,
    version: u32,
    target: Option<&str>,
    context: u32,
) -> Result<DiffPlan, ApiError> {
    let targets = targets_of(state, change, version)?;
    let (target, base_commit, commit) = applied_on(&targets, target, version)?;
    let (repo, spec) = diff_setup(state, context);
    Ok(DiffPlan {
        key: format!("diff/{change}/{version}/{target}/{context}"),
        repo,
        spec,
        change,
        version,
        target,
        base_commit,
        commit,
    })
}

impl DiffPlan {
    /// Reads the diff (blocking).
    pub(crate) fn run(self) -> Result<VersionDiff, ApiError> {
        let diff = diff::commit_diff(&self.repo, &self.base_commit, &self.commit, self.spec)
            .map_err(git_error)?;
        Ok(VersionDiff {
            change: self.change,
            version: self.version,
            target: self.target,
            base_commit: self.base_commit,
            commit: self.commit,
            context: self.spec.context,
            diff,
        })
    }
}

/// `GET /changes/{number}/versions/{version}/diff?target=B&context=N`.
pub(super) async fn version_diff(
    State(state): State<Arc<AppState>>,
    ChangeRead { change, params }: ChangeRead,
    query: Result<Query<DiffQuery>, QueryRejection>,
    headers: HeaderMap,
) -> ApiResult {
    let query = query_of(query)?;
    let context = context_of(query.context)?;
    let version = params.get("version").map_or("", String::as_str);
    let version: u32 = version
        .parse()
        .map_err(|_| unknown_version(change, version))?;
    let plan = diff_plan(&state, change, version, query.target.as_deref(), context)?;
    cached_blocking(&state, &headers, plan.key.clone(), move || plan.run()).await
}

/// The interdiff of two versions on a target, resolved, to compute on a blocking thread.
pub(crate) struct InterdiffPlan {
    pub(crate) key: String,
    repo: PathBuf,
    spec: DiffSpec,
    change: u64,
    from: u32,
    to: u32,
    target: String,
    old: (String, String),
    new: (String, String),
}

/// Resolves both versions on the target named (default: the newer version's first).
pub(crate) fn interdiff_plan(
    state: &AppState,
    change: u64,
    (from, to): (u32, u32),
    target: Option<&str>,
    context: u32,
) -> Result<InterdiffPlan, ApiError> {
    let new_targets = targets_of(state, change, to)?;
    let old_targets = targets_of(state, change, from)?;
    let (target, new_base, new_commit) = applied_on(&new_targets, target, to)?;
    let (_, old_base, old_commit) = applied_on(&old_targets, Some(&target), from)?;
    let (repo, spec) = diff_setup(state, context);
    Ok(InterdiffPlan {
        key: format!("interdiff/{change}/{from}/{to}/{target}/{context}"),
        repo,
        spec,
        change,
        from,
        to,
        target,
        old: (old_base, old_commit),
        new: (new_base, new_commit),
    })
}

impl InterdiffPlan {
    /// Reads the tree diff (same base only) and the range-diff (blocking).
    pub(crate) fn run(self) -> Result<Interdiff, ApiError> {
        let (old, new) = (&self.old, &self.new);
        let same_base = old.0 == new.0;
        let tree_diff = same_base
            .then(|| diff::commit_diff(&self.repo, &old.1, &new.1, self.spec))
            .transpose()
            .map_err(git_error)?;
        let range_diff =
            diff::range_diff(&self.repo, (&old.0, &old.1), (&new.0, &new.1)).map_err(git_error)?;
        Ok(Interdiff {
            change: self.change,
            from: self.from,
            to: self.to,
            target: self.target,
            same_base,
            tree_diff,
            range_diff,
        })
    }
}

/// `GET /changes/{number}/interdiff?from=V1&to=V2&target=B&context=N`.
pub(super) async fn interdiff(
    State(state): State<Arc<AppState>>,
    ChangeRead { change, .. }: ChangeRead,
    query: Result<Query<InterdiffQuery>, QueryRejection>,
    headers: HeaderMap,
) -> ApiResult {
    let query = query_of(query)?;
    let context = context_of(query.context)?;
    let versions = (query.from, query.to);
    let plan = interdiff_plan(&state, change, versions, query.target.as_deref(), context)?;
    cached_blocking(&state, &headers, plan.key.clone(), move || plan.run()).await
}
