//! `POST /changes/{n}/series`: the series one target carries when the change's series does not
//! apply there (issue 14). It makes a new version: the current one with that target's series
//! replaced, checked to apply to the target's tip before anything is stored.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::HeaderMap;

use crate::api::{self, ErrorCode};
use crate::server::pipeline::{content_hash, series_hash};
use crate::server::store::TargetSeries;

use super::changes::{decoded_mbox, new_version_and_answer, open_change_request, parse_upload};
use super::extract::{unknown_change, unprocessable, ChangeWrite};
use super::{ApiError, ApiResult, AppState};

pub(super) async fn add_series(
    State(state): State<Arc<AppState>>,
    ChangeWrite { user, number }: ChangeWrite,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let verb = "add a branch-specific series to";
    let request: api::BranchSeries =
        open_change_request(&state, (&user, number), verb, &headers, body)?;
    let store = state.pipeline.store.clone();
    let current = store
        .current_series(number)?
        .ok_or_else(|| unknown_change(number))?;
    let target = request.target;
    if !current.targets.contains(&target) {
        return Err(unprocessable(
            ErrorCode::NotATarget,
            format!(
                "`{target}` is not a target of change {number} (its targets: {}); a branch-specific series is for one of them",
                current.targets.join(", ")
            ),
        ));
    }
    let mbox = decoded_mbox(&state, request.mbox, request.mbox_base64)?;
    let branch = parse_upload(&state, mbox.clone(), vec![target.clone()], None).await?;
    let pipeline = state.pipeline.clone();
    let (trial_target, patches) = (target.clone(), branch.patches);
    let (why, patches) = tokio::task::spawn_blocking(move || {
        pipeline
            .trial_apply(&trial_target, &patches)
            .map(|why| (why, patches))
    })
    .await
    .map_err(ApiError::internal)??;
    if let Some(why) = why {
        return Err(unprocessable(
            ErrorCode::SeriesConflicts,
            format!("the series for `{target}` does not apply to `{target}`: {why}; rebase it onto `{target}` and post it again"),
        ));
    }
    // The new version: the current one's series for every target, this one for `target`.
    let mut upload = parse_upload(&state, current.mbox, current.targets, current.base).await?;
    let mut own: Vec<TargetSeries> = Vec::new();
    let mut own_patches = BTreeMap::new();
    for kept in current.own.into_iter().filter(|s| s.target != target) {
        let parsed =
            parse_upload(&state, kept.mbox.clone(), vec![kept.target.clone()], None).await?;
        own_patches.insert(kept.target.clone(), parsed.patches);
        own.push(kept);
    }
    own.push(TargetSeries {
        target: target.clone(),
        mbox,
        commits: branch.version.commits,
    });
    own_patches.insert(target, patches);
    upload.version.content_hash = series_hash(
        &content_hash(&upload.version.mbox, &upload.version.targets),
        &own,
    );
    upload.own_patches = own_patches;
    let stored = store.add_version_with_series(number, user.id, &upload.version, &own)?;
    new_version_and_answer(&state, stored, upload).await
}
