//! The local process pool: each job in a fresh directory of the work root holding the tree under
//! test, run with `sh -c` in the sandbox (see `sandbox`) and its own process group, output
//! captured to the log (up to a limit), all of it killed on timeout or cancellation.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use tokio::process::Command;
use tokio::sync::{oneshot, Mutex};

use super::log::{pump, JobLog};
use super::sandbox::{self, JobEnv, Sandbox};
use super::{Executor, JobFuture, JobOutcome, JobSpec, OnStart};

/// The platform label the local executor serves.
pub const PLATFORM: &str = "local";

pub struct LocalPool {
    concurrency: usize,
    /// Where job directories are made (the work root, outside the service directory).
    scratch: PathBuf,
    sandbox: Arc<Sandbox>,
}

impl LocalPool {
    pub fn new(concurrency: usize, scratch: PathBuf, sandbox: Sandbox) -> Self {
        LocalPool {
            concurrency,
            scratch,
            sandbox: Arc::new(sandbox),
        }
    }
}

impl Executor for LocalPool {
    fn serves(&self, platform: &str) -> bool {
        platform == PLATFORM
    }

    fn capacity(&self) -> usize {
        self.concurrency
    }

    fn run(&self, spec: JobSpec, cancel: oneshot::Receiver<()>, on_start: OnStart) -> JobFuture {
        let scratch = self.scratch.clone();
        let sandbox = self.sandbox.clone();
        Box::pin(async move {
            match run_job(&scratch, sandbox, spec, cancel, on_start).await {
                Ok(outcome) => outcome,
                Err(message) => JobOutcome::Failed(message),
            }
        })
    }
}

/// Sends SIGKILL to a whole process group; it may be gone already.
pub fn kill_group(pgid: i32) {
    if let Some(pid) = rustix::process::Pid::from_raw(pgid) {
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

async fn run_job(
    scratch: &Path,
    sandbox: Arc<Sandbox>,
    spec: JobSpec,
    cancel: oneshot::Receiver<()>,
    on_start: OnStart,
) -> Result<JobOutcome, String> {
    let log = JobLog::create(&spec.log, &spec.header, spec.log_limit).await?;
    let log = Arc::new(Mutex::new(log));
    let dir = tempfile::Builder::new()
        .prefix(&format!("job-{}-", spec.id))
        .tempdir_in(scratch)
        .map_err(|e| format!("cannot make the job directory: {e}"))?;
    let (repo, tree, root) = (spec.repo.clone(), spec.tree.clone(), dir.path().to_owned());
    let owner = sandbox.clone();
    tokio::task::spawn_blocking(move || {
        materialize(&repo, &tree, &root).map_err(|e| e.message().to_owned())?;
        owner.prepare(&root).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| format!("cannot check out tree {}: {e}", spec.tree))?;

    let job = JobEnv {
        network: spec.network,
        env: spec.env.clone(),
    };
    let (program, args) = sandbox.argv(dir.path(), &spec.run, &job, spec.id);
    let mut command = Command::new(&program);
    command
        .args(&args)
        .current_dir(dir.path())
        // Nothing of the service's environment: the sandbox sets the job's own.
        .env_clear()
        .env("PATH", sandbox::PATH)
        .env("REVIEW_JOB_ID", spec.id.to_string());
    if sandbox.kind() == crate::server::config::SandboxKind::None {
        command
            .env("HOME", dir.path())
            .env("LANG", "C.UTF-8")
            .envs(spec.env.iter().map(|(k, v)| (k, v)));
    }
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start `{}`: {e}", program.to_string_lossy()))?;
    let pgid = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .ok_or("the job exited before it could be tracked")?;
    on_start(pgid);
    let readers = [
        child
            .stdout
            .take()
            .map(|out| tokio::spawn(pump(out, log.clone()))),
        child
            .stderr
            .take()
            .map(|err| tokio::spawn(pump(err, log.clone()))),
    ];

    let outcome = tokio::select! {
        status = child.wait() => match status {
            Ok(s) if s.success() => JobOutcome::Passed,
            Ok(s) => JobOutcome::Failed(match s.code() {
                Some(code) => match sandbox::explain_exit(code) {
                    Some(why) => format!("exit status {code} ({why})"),
                    None => format!("exit status {code}"),
                },
                None => "killed by a signal".to_owned(),
            }),
            Err(e) => JobOutcome::Failed(format!("cannot wait for the job: {e}")),
        },
        () = tokio::time::sleep(Duration::from_secs(spec.timeout_secs)) => JobOutcome::TimedOut(spec.timeout_secs),
        _ = cancel => JobOutcome::Cancelled,
    };
    // Whatever happened, nothing of the job may outlive it: killing bwrap (in the group) ends
    // its PID namespace, so every process of the job, `setsid` or not.
    kill_group(pgid);
    let _ = child.wait().await;
    for reader in readers.into_iter().flatten() {
        let _ = tokio::time::timeout(Duration::from_secs(5), reader).await;
    }
    log.lock().await.finish(&outcome).await;
    Ok(outcome)
}

/// Writes the files of `tree` under `root` (blobs with their executable bit, symlinks).
fn materialize(repo: &Path, tree: &str, root: &Path) -> Result<(), git2::Error> {
    let repo = git2::Repository::open_bare(repo)?;
    let tree = repo.find_tree(git2::Oid::from_str(tree)?)?;
    let mut failure = None;
    tree.walk(git2::TreeWalkMode::PreOrder, |parent, entry| {
        let Some(name) = entry.name() else {
            return git2::TreeWalkResult::Skip;
        };
        let path = root.join(parent).join(name);
        let result = match entry.kind() {
            Some(git2::ObjectType::Tree) => {
                std::fs::create_dir_all(&path).map_err(|e| e.to_string())
            }
            Some(git2::ObjectType::Blob) => write_blob(&repo, entry, &path),
            _ => Ok(()),
        };
        match result {
            Ok(()) => git2::TreeWalkResult::Ok,
            Err(e) => {
                failure = Some(format!("{}: {e}", path.display()));
                git2::TreeWalkResult::Abort
            }
        }
    })?;
    match failure {
        Some(message) => Err(git2::Error::from_str(&message)),
        None => Ok(()),
    }
}

fn write_blob(
    repo: &git2::Repository,
    entry: &git2::TreeEntry<'_>,
    path: &Path,
) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let blob = repo.find_blob(entry.id()).map_err(|e| e.to_string())?;
    let mode = entry.filemode();
    if mode == 0o120000 {
        let target = String::from_utf8_lossy(blob.content()).into_owned();
        return std::os::unix::fs::symlink(target, path).map_err(|e| e.to_string());
    }
    std::fs::write(path, blob.content()).map_err(|e| e.to_string())?;
    if mode == 0o100755 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
