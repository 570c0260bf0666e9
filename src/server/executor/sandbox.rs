//! How a job is confined: bubblewrap (docs/sandbox.md has the threat model).
//!
//! A sandboxed job runs as `bwrap … prlimit … sh -c RUN`:
//! - the system (`/usr`, `/etc` and the `/bin`, `/lib*` links) read-only, nothing else of the
//!   host: not the service directory (its database, bare repository and logs), not `/home`,
//!   `/root`, `/run` or `/var`; the job's checkout at `/job` is the only writable host directory
//!   (plus `[executor.mounts] writable`), `/tmp` a private tmpfs of `tmp_mb`;
//! - new user, PID, network, IPC, UTS and cgroup namespaces: uid and gid 65534 inside, no
//!   network but its own loopback unless the job says `network = true`, and the job is PID 1's
//!   child, so killing `bwrap` (the timeout, a cancel, the service's own death through
//!   `--die-with-parent`) ends every process of the job, `setsid` or not;
//! - `--new-session` (no TIOCSTI on the service's terminal), `--clearenv` then only PATH, HOME,
//!   TMPDIR, LANG, REVIEW_JOB_ID and the job's `env`;
//! - limits set by `prlimit` (util-linux) inside the sandbox, just before `sh`: `unsafe_code`
//!   is forbidden, so no `pre_exec` hook, and a shell's `ulimit` flags differ between dash and
//!   bash. Set inside the new user namespace, RLIMIT_NPROC counts the job's processes only.
//!
//! When the service runs as root, `setpriv` drops to uid 65534 before `bwrap`: a user namespace
//! made by root maps the job's uid onto root, so the job would own every root-owned file it can
//! see, and the kernel does not enforce RLIMIT_NPROC on root.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::server::config::{Executor as ExecutorConfig, JobLimits, SandboxKind};

/// Where the checkout is mounted in the sandbox (the job's working directory).
pub const JOB_DIR: &str = "/job";
/// The unprivileged uid and gid of jobs (`nobody`, `nogroup`).
pub const NOBODY: u32 = 65534;
/// PATH of every job.
pub const PATH: &str = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";

/// How the local executor runs a job.
#[derive(Debug, Clone)]
pub struct Sandbox {
    kind: SandboxKind,
    bwrap: PathBuf,
    limits: JobLimits,
    read_only: Vec<PathBuf>,
    writable: Vec<PathBuf>,
    /// Directories of the service a bound path would show: covered with an empty tmpfs.
    hidden: Vec<PathBuf>,
    /// Running as root: drop to [`NOBODY`] before `bwrap`, checkouts owned by it.
    drop_root: bool,
}

/// What a job adds to the command: its network and environment.
#[derive(Debug, Clone, Default)]
pub struct JobEnv {
    pub network: bool,
    pub env: Vec<(String, String)>,
}

/// `bwrap` on PATH, if any.
pub fn find_bwrap() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("bwrap"))
        .find(|p| p.is_file())
}

/// Whether bubblewrap is installed and can make a sandbox here (for `review demo`).
pub fn bubblewrap_works() -> bool {
    let (Ok(service), Ok(root)) = (tempfile::tempdir(), tempfile::tempdir()) else {
        return false;
    };
    let config = ExecutorConfig::default();
    Sandbox::new(&config, service.path(), root.path()).is_ok()
}

fn euid_is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// `path` made absolute and, where it exists, free of symlinks (for overlap checks).
fn resolved(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
}

fn overlaps(a: &Path, b: &Path) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// The system directories every job sees read-only: real directories are bound, symlinks
/// (merged /usr) are recreated.
const SYSTEM: [&str; 8] = [
    "/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
];

impl Sandbox {
    /// Checks the configuration against the service's directories and, for bubblewrap, that
    /// a sandbox can be made here (one trivial job is run). `service_dir` and `work_root` are
    /// never mounted in a job.
    pub fn new(
        config: &ExecutorConfig,
        service_dir: &Path,
        work_root: &Path,
    ) -> Result<Sandbox, String> {
        let service_dir = resolved(service_dir);
        let work_root = resolved(work_root);
        if overlaps(&service_dir, &work_root) {
            return Err(format!(
                "executor.work_root `{}` must not be in, or hold, the service directory `{}`: jobs must not reach the service",
                work_root.display(),
                service_dir.display()
            ));
        }
        let mounts = &config.mounts;
        for path in mounts.read_only.iter().chain(&mounts.writable) {
            let real = resolved(path);
            for (what, dir) in [
                ("the service directory", &service_dir),
                ("executor.work_root", &work_root),
            ] {
                if overlaps(&real, dir) {
                    return Err(format!(
                        "executor.mounts: `{}` is in, or holds, {what} `{}`",
                        path.display(),
                        dir.display()
                    ));
                }
            }
        }
        let bound: Vec<PathBuf> = SYSTEM
            .iter()
            .map(PathBuf::from)
            .chain(mounts.read_only.iter().map(|p| resolved(p)))
            .chain(mounts.writable.iter().map(|p| resolved(p)))
            .collect();
        let hidden = [service_dir, work_root]
            .into_iter()
            .filter(|dir| bound.iter().any(|b| dir.starts_with(b)))
            .collect();
        let sandbox = Sandbox {
            kind: config.sandbox,
            bwrap: PathBuf::from("bwrap"),
            limits: config.limits.clone(),
            read_only: mounts.read_only.clone(),
            writable: mounts.writable.clone(),
            hidden,
            drop_root: euid_is_root(),
        };
        match config.sandbox {
            SandboxKind::None => Ok(sandbox),
            SandboxKind::Bubblewrap => {
                let bwrap = find_bwrap().ok_or(
                    "executor.sandbox is \"bubblewrap\" but `bwrap` is not installed: install it \
                     (Debian: apt-get install bubblewrap), or set `sandbox = \"none\"` in \
                     [executor] to run contributors' code unconfined",
                )?;
                let sandbox = Sandbox { bwrap, ..sandbox };
                sandbox.probe()?;
                Ok(sandbox)
            }
        }
    }

    pub fn kind(&self) -> SandboxKind {
        self.kind
    }

    /// Runs `true` in a sandbox like a job's: the service starts only if it works.
    fn probe(&self) -> Result<(), String> {
        let dir = tempfile::tempdir().map_err(|e| format!("cannot make a directory: {e}"))?;
        self.prepare(dir.path())
            .map_err(|e| format!("cannot prepare a job directory: {e}"))?;
        let (program, args) = self.argv(dir.path(), "true", &JobEnv::default(), 0);
        let out = std::process::Command::new(program)
            .args(args)
            .env_clear()
            .env("PATH", PATH)
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| format!("cannot run `bwrap`: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "bubblewrap cannot make a sandbox here ({}): {}; set `sandbox = \"none\"` in \
                 [executor] only if contributors' code may run as this user",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    /// Makes a materialised checkout the job's own (when the job runs as another uid).
    pub fn prepare(&self, dir: &Path) -> std::io::Result<()> {
        if self.kind == SandboxKind::Bubblewrap && self.drop_root {
            chown_tree(dir)?;
        }
        Ok(())
    }

    /// The program and arguments that run `run` in `dir` for job `id`.
    pub fn argv(&self, dir: &Path, run: &str, job: &JobEnv, id: u64) -> (OsString, Vec<OsString>) {
        let mut args: Vec<OsString> = Vec::new();
        let mut push = |items: &[&dyn AsRef<std::ffi::OsStr>]| {
            args.extend(items.iter().map(|i| i.as_ref().to_owned()));
        };
        if self.kind == SandboxKind::None {
            push(&[&"-c", &run]);
            return ("sh".into(), args);
        }
        let program: OsString = if self.drop_root {
            let (uid, gid) = (format!("--reuid={NOBODY}"), format!("--regid={NOBODY}"));
            push(&[&uid, &gid, &"--clear-groups", &"--", &self.bwrap]);
            "setpriv".into()
        } else {
            self.bwrap.clone().into()
        };
        push(&[&"--unshare-all"]);
        if job.network {
            push(&[&"--share-net"]);
        }
        let nobody = NOBODY.to_string();
        push(&[
            &"--uid",
            &nobody,
            &"--gid",
            &nobody,
            &"--hostname",
            &"review-job",
            &"--die-with-parent",
            &"--new-session",
            &"--clearenv",
        ]);
        let id = id.to_string();
        for (name, value) in [
            ("PATH", PATH),
            ("HOME", "/tmp"),
            ("TMPDIR", "/tmp"),
            ("LANG", "C.UTF-8"),
            ("USER", "nobody"),
            ("REVIEW_JOB_ID", id.as_str()),
        ] {
            push(&[&"--setenv", &name, &value]);
        }
        for (name, value) in &job.env {
            push(&[&"--setenv", name, value]);
        }
        for dir in SYSTEM {
            let path = Path::new(dir);
            match std::fs::symlink_metadata(path) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    if let Ok(target) = std::fs::read_link(path) {
                        push(&[&"--symlink", &target, &path]);
                    }
                }
                Ok(meta) if meta.is_dir() => push(&[&"--ro-bind", &path, &path]),
                _ => {}
            }
        }
        if job.network && Path::new("/run/systemd/resolve").is_dir() {
            // /etc/resolv.conf may point there (systemd-resolved).
            push(&[
                &"--ro-bind",
                &"/run/systemd/resolve",
                &"/run/systemd/resolve",
            ]);
        }
        // /dev, /proc and /tmp before the mounts: a mount may lie under /tmp.
        let tmp_bytes = (self.limits.tmp_mb * 1024 * 1024).to_string();
        push(&[
            &"--dev", &"/dev", &"--proc", &"/proc", &"--size", &tmp_bytes, &"--tmpfs", &"/tmp",
        ]);
        for path in &self.read_only {
            push(&[&"--ro-bind", path, path]);
        }
        for path in &self.writable {
            push(&[&"--bind", path, path]);
        }
        for path in &self.hidden {
            push(&[&"--tmpfs", path]);
        }
        push(&[&"--bind", &dir, &JOB_DIR, &"--chdir", &JOB_DIR]);
        let limits = &self.limits;
        let memory = format!("--as={}", limits.memory_mb * 1024 * 1024);
        let processes = format!("--nproc={}", limits.processes);
        let file_size = format!("--fsize={}", limits.file_size_mb * 1024 * 1024);
        let cpu = format!("--cpu={}", limits.cpu_secs);
        push(&[
            &"--",
            &"prlimit",
            &memory,
            &processes,
            &file_size,
            &cpu,
            &"--core=0",
            &"--",
            &"sh",
            &"-c",
            &run,
        ]);
        (program, args)
    }
}

/// `chown -hR 65534:65534 dir` (the service runs as root).
fn chown_tree(dir: &Path) -> std::io::Result<()> {
    std::os::unix::fs::lchown(dir, Some(NOBODY), Some(NOBODY))?;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            chown_tree(&entry.path())?;
        } else {
            std::os::unix::fs::lchown(entry.path(), Some(NOBODY), Some(NOBODY))?;
        }
    }
    Ok(())
}

/// Why a job ended with `code`, when it names a limit (128 + the signal, as `sh` and `bwrap`
/// report a child killed by a signal).
pub fn explain_exit(code: i32) -> Option<&'static str> {
    match code {
        137 => Some("killed (SIGKILL)"),
        152 => Some("SIGXCPU: the CPU time limit (executor.limits.cpu_secs)"),
        153 => Some("SIGXFSZ: a file reached the size limit (executor.limits.file_size_mb)"),
        _ => None,
    }
}

/// The default work root: a directory of the system's temporary directory named after the
/// service directory (several services may share a machine).
pub fn default_work_root(service_dir: &Path) -> PathBuf {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(service_dir.as_os_str().as_encoded_bytes());
    let short: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    std::env::temp_dir().join(format!("review-jobs-{short}"))
}

/// Creates the work root (mode 0711: jobs of another uid reach their own directory, nobody
/// lists it), checks it is a real directory of ours (the temporary directory is shared), and
/// removes the job directories a previous run left.
pub fn prepare_work_root(root: &Path) -> Result<(), String> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    let fail = |e: std::io::Error| format!("work root `{}`: {e}", root.display());
    if !root.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o711)
            .create(root)
            .map_err(fail)?;
    }
    let meta = std::fs::symlink_metadata(root).map_err(fail)?;
    if !meta.is_dir() || meta.uid() != rustix::process::geteuid().as_raw() {
        return Err(format!(
            "work root `{}` is not a directory owned by this user: remove it or set executor.work_root",
            root.display()
        ));
    }
    std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o711)).map_err(fail)?;
    for entry in std::fs::read_dir(root).map_err(fail)? {
        let entry = entry.map_err(fail)?;
        if entry.file_name().to_string_lossy().starts_with("job-") {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::executor::local::LocalPool;
    use crate::server::executor::{Executor, JobOutcome, JobSpec};

    fn config(kind: SandboxKind) -> ExecutorConfig {
        ExecutorConfig {
            sandbox: kind,
            ..ExecutorConfig::default()
        }
    }

    #[test]
    fn unconfined_is_plain_sh_and_confined_hides_the_service() {
        let service = tempfile::tempdir().unwrap();
        let root = tempfile::tempdir().unwrap();
        let none = Sandbox::new(&config(SandboxKind::None), service.path(), root.path()).unwrap();
        let (program, args) = none.argv(root.path(), "make", &JobEnv::default(), 7);
        assert_eq!((program.as_os_str(), args.len()), ("sh".as_ref(), 2));
        // A service directory under a path every job sees is covered by an empty tmpfs.
        let mut bound = config(SandboxKind::None);
        bound.mounts.read_only = vec![std::env::temp_dir()];
        assert!(Sandbox::new(&bound, service.path(), root.path()).is_err());
        let sandbox = Sandbox {
            hidden: vec![service.path().to_owned()],
            kind: SandboxKind::Bubblewrap,
            ..none
        };
        let job = JobEnv {
            network: false,
            env: vec![("CI".into(), "1".into())],
        };
        let (_, args) = sandbox.argv(root.path(), "make", &job, 7);
        let args: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let has = |window: &[&str]| args.windows(window.len()).any(|w| w == window);
        assert!(
            has(&["--tmpfs", &service.path().to_string_lossy()]),
            "{args:?}"
        );
        assert!(has(&["--setenv", "CI", "1"]) && has(&["--setenv", "REVIEW_JOB_ID", "7"]));
        assert!(has(&["--clearenv"]) && has(&["--die-with-parent"]) && has(&["--new-session"]));
        assert!(!has(&["--share-net"]));
        assert!(has(&["sh", "-c", "make"]));
    }

    /// The cost of the sandbox per job: the same trivial job (`true`) run through the local
    /// executor (checkout of a one-file tree, start, wait, log) with `sandbox = "none"` and
    /// with bubblewrap, in the same run. Run with
    /// `cargo test --release --lib sandbox_cost -- --ignored --nocapture`.
    #[test]
    #[ignore = "a measurement: run it by name"]
    #[allow(clippy::print_stdout)]
    fn sandbox_cost_per_job() {
        let runs: u32 = std::env::var("BENCH_RUNS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(50);
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init_bare(dir.path().join("r.git")).unwrap();
        let blob = repo.blob(b"hello\n").unwrap();
        let mut builder = repo.treebuilder(None).unwrap();
        builder.insert("README", blob, 0o100644).unwrap();
        let tree = builder.write().unwrap().to_string();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        for kind in [SandboxKind::None, SandboxKind::Bubblewrap] {
            let root = tempfile::tempdir().unwrap();
            let sandbox = Sandbox::new(&config(kind), dir.path(), root.path()).unwrap();
            let pool = LocalPool::new(1, root.path().to_owned(), sandbox);
            let mut times = Vec::new();
            for id in 0..runs {
                let spec = JobSpec {
                    id: u64::from(id),
                    key: format!("job-{id}-1"),
                    platform: "local".into(),
                    job: "bench".into(),
                    commit: String::new(),
                    repo: dir.path().join("r.git"),
                    tree: tree.clone(),
                    run: "true".into(),
                    timeout_secs: 60,
                    log: dir.path().join("job.log"),
                    log_limit: 4096,
                    header: String::new(),
                    network: false,
                    env: Vec::new(),
                };
                let (_tx, rx) = tokio::sync::oneshot::channel();
                let start = std::time::Instant::now();
                let outcome = runtime.block_on(pool.run(spec, rx, Box::new(|_| {})));
                times.push(start.elapsed().as_secs_f64() * 1000.0);
                assert_eq!(outcome, JobOutcome::Passed);
            }
            times.sort_by(f64::total_cmp);
            let mean = times.iter().sum::<f64>() / f64::from(runs);
            println!(
                "sandbox = {kind:?}: {runs} jobs, mean {mean:.1} ms, median {:.1} ms, max {:.1} ms",
                times[times.len() / 2],
                times[times.len() - 1]
            );
        }
    }
}
