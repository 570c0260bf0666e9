//! What the gate does in the bare repository: build a speculative commit, move a branch by
//! compare-and-swap, make a revert change.

use super::*;

impl GateRunner {
    /// Applies the last version of `build` on `parent` (deterministic: same tree, same commit):
    /// the series that version carries on `target` (its own, else the version's).
    pub(super) fn build(
        &self,
        target: &str,
        build: &SpecBuild,
        parent: &CommitId,
    ) -> Result<BuildOutcome, GateError> {
        let item = build
            .last()
            .ok_or_else(|| GateError::Other("a build with no item".into()))?;
        let mbox = self
            .store
            .target_mbox(item.change.0, item.version.0, target)?
            .ok_or_else(|| GateError::Other(format!("no version {item}")))?;
        let patches = am::parse_mbox(&mbox).map_err(|e| GateError::Other(e.to_string()))?;
        let repo = Repository::open_bare(&self.repo)?;
        Ok(
            match am::apply_series(&repo, Oid::from_str(&parent.0)?, &patches, COMMITTER)? {
                Applied::Applies { commit, .. } => BuildOutcome::Applied {
                    commit: CommitId(commit.to_string()),
                },
                Applied::Conflicts { index, .. } => BuildOutcome::Conflict {
                    paths: patches[index - 1].paths.clone(),
                },
                Applied::AlreadyMerged => BuildOutcome::Conflict {
                    paths: vec!["(the series is already on the branch)".into()],
                },
            },
        )
    }

    /// Compare-and-swap of the branch ref: only from `from` to `to` (a fast-forward). `Merged`
    /// also when `to` is already in the branch's history (a merge re-issued after a crash).
    pub(super) fn merge(
        &self,
        target: &str,
        from: &CommitId,
        to: &CommitId,
        item: ItemRef,
    ) -> Result<MergeOutcome, GateError> {
        let repo = Repository::open_bare(&self.repo)?;
        let name = format!("refs/heads/{target}");
        let (from_id, to_id) = (Oid::from_str(&from.0)?, Oid::from_str(&to.0)?);
        loop {
            let current = repo.refname_to_id(&name)?;
            if current == to_id || repo.graph_descendant_of(current, to_id)? {
                return Ok(MergeOutcome::Merged);
            }
            if current != from_id {
                return Ok(MergeOutcome::BranchMoved {
                    tip: CommitId(current.to_string()),
                });
            }
            let message = format!("review serve: gate merge of change {item}");
            match repo.reference_matching(&name, to_id, true, from_id, &message) {
                Ok(_) => {
                    self.event(format!("gate: {target} moved to {} (change {item})", to.0));
                    return Ok(MergeOutcome::Merged);
                }
                // Someone moved the ref between the read and the swap: read it again.
                Err(e) if e.code() == git2::ErrorCode::Modified => continue,
                Err(e) if e.code() == git2::ErrorCode::Locked => {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Creates (or finds again) the change reverting `merged` on `target`: one commit on the
    /// branch's tip undoing the series, stored and applied like an upload.
    pub(super) fn create_revert(
        &self,
        target: &str,
        merged: ItemRef,
        commit: &CommitId,
    ) -> Result<(u64, u32), GateError> {
        if let Some(found) = self.store.revert_of(merged.change.0, target)? {
            return Ok((found.change, found.version));
        }
        let mbox = self
            .store
            .target_mbox(merged.change.0, merged.version.0, target)?
            .ok_or_else(|| GateError::Other(format!("no version {merged}")))?;
        let patches = am::parse_mbox(&mbox).map_err(|e| GateError::Other(e.to_string()))?;
        let repo = Repository::open_bare(&self.repo)?;
        let merged_commit = repo.find_commit(Oid::from_str(&commit.0)?)?;
        let mut base = merged_commit.clone();
        for _ in 0..patches.len() {
            base = base.parent(0)?;
        }
        let tip = repo
            .find_reference(&format!("refs/heads/{target}"))?
            .peel_to_commit()?;
        let mut index =
            repo.merge_trees(&merged_commit.tree()?, &tip.tree()?, &base.tree()?, None)?;
        if index.has_conflicts() {
            return Err(GateError::Other(
                "the revert conflicts with later commits: revert by hand".into(),
            ));
        }
        let tree = repo.find_tree(index.write_tree_to(&repo)?)?;
        let title = store::revert_title(merged.change.0, target);
        let message = format!(
            "{title}\n\nThis reverts commit {} (change {merged}): a post-merge job failed.\n",
            commit.0
        );
        let signature = git2::Signature::now(COMMITTER.0, COMMITTER.1)?;
        let id = repo.commit(None, &signature, &signature, &message, &tree, &[&tip])?;
        let mbox = crate::git::mbox::commit_message(
            &repo,
            id,
            1,
            1,
            &crate::git::mbox::MboxOptions::default(),
        )?;
        let patches = am::parse_mbox(&mbox).map_err(|e| GateError::Other(e.to_string()))?;
        let owner = self
            .store
            .change_owner(merged.change.0)?
            .map(|c| c.owner)
            .ok_or_else(|| GateError::Other(format!("no change {}", merged.change.0)))?;
        let targets = vec![target.to_owned()];
        let version = NewVersion {
            content_hash: pipeline::content_hash(&mbox, &targets),
            mbox,
            base: Some(tip.id().to_string()),
            docs_only: false,
            commits: patches
                .iter()
                .map(|p| api::SeriesCommit {
                    subject: p.subject.clone(),
                    author: format!("{} <{}>", p.author_name, p.author_email),
                    date: p.date.clone(),
                })
                .collect(),
            targets,
        };
        let stored = self.store.create_change(
            owner,
            &title,
            api::ChangeKind::Bugfix,
            None,
            false,
            &version,
        )?;
        self.pipeline
            .apply(
                &ApplyTarget {
                    version_id: stored.version_id,
                    change: stored.change,
                    version: stored.number,
                    docs_only: false,
                    target: target.to_owned(),
                },
                &patches,
            )
            .map_err(|e| GateError::Other(e.to_string()))?;
        self.event(format!(
            "gate: change {} reverts change {} on {target}",
            stored.change, merged.change.0
        ));
        Ok((stored.change, stored.number))
    }
}
