//! A small git fixture builder: work-tree repositories in the sealed environment.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::PathBuf;

use super::{Run, TestEnv};

/// A work-tree repository in the sealed environment.
pub struct GitRepo<'e> {
    pub env: &'e TestEnv,
    pub path: PathBuf,
}

impl GitRepo<'_> {
    pub fn git<I, S>(&self, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.env.git(&self.path, args)
    }

    /// Runs `review` in this repository.
    pub fn review<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.env.run(&self.path, args)
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> &Self {
        let path = self.path.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, content).unwrap();
        self
    }

    pub fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.path.join(rel)).unwrap();
        self
    }

    /// Stages everything and commits; returns the new commit id.
    pub fn commit(&self, message: &str) -> String {
        self.git(["add", "-A"]);
        self.git(["commit", "-q", "--allow-empty", "-m", message]);
        self.env.tick();
        self.rev("HEAD")
    }

    pub fn branch(&self, name: &str) -> &Self {
        self.git(["branch", name]);
        self
    }

    pub fn checkout(&self, name: &str) -> &Self {
        self.git(["checkout", "-q", name]);
        self
    }

    /// `git checkout -b name [start]`.
    pub fn new_branch(&self, name: &str, start: &str) -> &Self {
        self.git(["checkout", "-q", "-b", name, start]);
        self
    }

    pub fn rev(&self, rev: &str) -> String {
        self.git(["rev-parse", rev])
    }

    /// Everything a command must not change: refs, HEAD, index, and `git status`.
    pub fn snapshot(&self) -> RepoSnapshot {
        // `git status` may refresh the index's stat data; let it do so before the index is read,
        // so two snapshots of an untouched repository compare equal.
        let status = self.git([
            "status",
            "--porcelain=v2",
            "--branch",
            "--untracked-files=all",
        ]);
        RepoSnapshot {
            refs: self.git(["for-each-ref", "--format=%(refname) %(objectname)"]),
            head: std::fs::read_to_string(self.path.join(".git/HEAD")).unwrap_or_default(),
            index: std::fs::read(self.path.join(".git/index")).unwrap_or_default(),
            status,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct RepoSnapshot {
    refs: String,
    head: String,
    index: Vec<u8>,
    status: String,
}
