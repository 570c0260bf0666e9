//! `serve.toml`: the service's configuration (project, branches, jobs, limits).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The file name inside a service directory.
pub const FILE_NAME: &str = "serve.toml";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read `{}`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid `{}`", path.display())]
    Parse {
        path: PathBuf,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error("invalid `{}`: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    pub project: Project,
    #[serde(default)]
    pub executor: Executor,
    #[serde(default)]
    pub limits: Limits,
    #[serde(default)]
    pub docs: Docs,
    #[serde(default, rename = "branch")]
    pub branches: Vec<Branch>,
    #[serde(default, rename = "job")]
    pub jobs: Vec<Job>,
    #[serde(default, rename = "known_failure")]
    pub known_failures: Vec<KnownFailure>,
    #[serde(default)]
    pub gate: Gate,
    #[serde(default)]
    pub web: Web,
    /// The issue tracker (docs/tracker.md).
    #[serde(default)]
    pub tracker: Option<super::tracker::TrackerConfig>,
    /// `[[platform]]`: which executor runs each platform's jobs (`local` needs none).
    #[serde(default, rename = "platform")]
    pub platforms: Vec<super::executor::settings::Platform>,
    /// `[buildbot]`: the master of the `executor = "buildbot"` platforms.
    #[serde(default)]
    pub buildbot: Option<super::executor::settings::Buildbot>,
}

/// `[web]`: what the service shows to whom.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Web {
    /// Whether `/git/` and the web pages serve anyone without a token (security changes stay
    /// hidden from those who may not see them either way).
    pub public: bool,
    /// The address people reach the service at (`https://review.example.org/`), when a proxy
    /// stands in front of it: with `https` the session cookie is marked `Secure`.
    pub url: Option<String>,
}

/// `[gate]`: how the merge gate behaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Gate {
    /// Distinct core approvals a version needs to enter a queue.
    pub approvals_needed: u32,
    /// Whether core developers may approve their own changes (never on a frozen branch).
    pub self_approval: bool,
    /// Items of one branch's queue built or tested at once.
    pub concurrency: usize,
    /// The jobs that must pass on a speculative tree; absent means every `[[job]]`.
    pub jobs: Option<Vec<String>>,
    /// How often the branches are read to notice pushes made outside the gate.
    pub poll_ms: u64,
}

impl Default for Gate {
    fn default() -> Self {
        Gate {
            approvals_needed: 1,
            self_approval: true,
            concurrency: 4,
            jobs: None,
            poll_ms: 1000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// Served as `/git/<name>.git`; the bare repository is `<dir>/<name>.git`.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Executor {
    /// Jobs running at once.
    pub concurrency: usize,
    /// How jobs are confined (docs/sandbox.md).
    pub sandbox: SandboxKind,
    /// Where job checkouts are made; never inside the service directory. Absent: a directory
    /// of the system's temporary directory named after the service directory.
    pub work_root: Option<PathBuf>,
    /// Resource limits of every job (enforced in the sandbox).
    pub limits: JobLimits,
    /// Host directories mounted in every job besides the system.
    pub mounts: Mounts,
}

impl Default for Executor {
    fn default() -> Self {
        Executor {
            concurrency: 4,
            sandbox: SandboxKind::Bubblewrap,
            work_root: None,
            limits: JobLimits::default(),
            mounts: Mounts::default(),
        }
    }
}

/// `executor.sandbox`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SandboxKind {
    /// Every job in bubblewrap (`bwrap`); the service refuses to start without it.
    Bubblewrap,
    /// No confinement: jobs run as the service's user (a warning at every start).
    None,
}

/// `[executor.limits]`: what one job may use. Memory, file size and CPU time are limits of
/// each process (setrlimit); processes counts every process and thread of the job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobLimits {
    /// Address space of each process (RLIMIT_AS), in MiB.
    pub memory_mb: u64,
    /// Processes and threads of the job at once (RLIMIT_NPROC in the job's user namespace).
    pub processes: u64,
    /// Largest file a process may write (RLIMIT_FSIZE), in MiB.
    pub file_size_mb: u64,
    /// CPU time of each process (RLIMIT_CPU), in seconds.
    pub cpu_secs: u64,
    /// Size of the job's private `/tmp` (a tmpfs, so it is memory), in MiB.
    pub tmp_mb: u64,
}

impl Default for JobLimits {
    fn default() -> Self {
        JobLimits {
            memory_mb: 4096,
            processes: 256,
            file_size_mb: 1024,
            cpu_secs: 3600,
            tmp_mb: 512,
        }
    }
}

/// `[executor.mounts]`: host directories every job sees, by the same path. Neither may hold
/// or lie in the service directory or the work root.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Mounts {
    /// Read-only (toolchains outside `/usr`, say).
    pub read_only: Vec<PathBuf>,
    /// Writable, and shared by every job (caches): a job can leave things there for the next.
    pub writable: Vec<PathBuf>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest request body.
    pub request_bytes: usize,
    /// Largest mbox in a request.
    pub mbox_bytes: usize,
    /// Most commits in a series.
    pub commits: usize,
    /// Most targets of a version.
    pub targets: usize,
    /// A job's log is cut after this many bytes (the job keeps running).
    pub log_bytes: u64,
    /// Most files one version's series may create, change or delete.
    pub files: usize,
    /// Most bytes a version's series may write into one file (a binary patch inflated).
    pub file_bytes: u64,
    /// Most bytes a version's series may write in all, once its patches are inflated.
    pub expanded_bytes: u64,
    /// A diff served for review shows at most this many bytes of line text, then says so.
    pub diff_bytes: u64,
    /// Largest comment text.
    pub comment_bytes: usize,
    /// Most comments in one review request.
    pub comments_per_request: usize,
    /// Most live channels (`GET /live`) open at once; past it, `503 too_many_streams`.
    pub live_streams: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            request_bytes: 12 * 1024 * 1024,
            mbox_bytes: 10 * 1024 * 1024,
            commits: 100,
            targets: 8,
            log_bytes: 16 * 1024 * 1024,
            files: 5_000,
            file_bytes: 32 * 1024 * 1024,
            expanded_bytes: 128 * 1024 * 1024,
            diff_bytes: 4 * 1024 * 1024,
            comment_bytes: 16 * 1024,
            comments_per_request: 200,
            live_streams: 1000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Docs {
    /// Git pathspecs of documentation: a series touching only these runs only `docs` jobs.
    pub paths: Vec<String>,
}

impl Default for Docs {
    fn default() -> Self {
        Docs {
            paths: vec!["Doc/".into(), "docs/".into(), "*.md".into(), "*.rst".into()],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BranchRole {
    Development,
    Bugfix,
    Security,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Branch {
    pub name: String,
    pub role: BranchRole,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Job {
    pub name: String,
    /// Run with `sh -c` in a fresh directory holding the tree under test.
    pub run: String,
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    #[serde(default = "default_platforms")]
    pub platforms: Vec<String>,
    /// True: one of the only jobs run for documentation-only changes.
    #[serde(default)]
    pub docs: bool,
    /// Also run on the branch after a merge (the gate).
    #[serde(default)]
    pub post_merge: bool,
    /// The branches it runs for; empty means every branch.
    #[serde(default)]
    pub branches: Vec<String>,
    /// Whether the job may use the network (in the sandbox it has none otherwise).
    #[serde(default)]
    pub network: bool,
    /// The job's environment besides PATH, HOME, TMPDIR, LANG and REVIEW_JOB_ID: nothing of
    /// the service's own environment reaches a job.
    #[serde(default)]
    pub env: std::collections::BTreeMap<String, String>,
    /// False: it runs and is shown, but its failure never fails a verdict nor the gate (which
    /// does not run it).
    #[serde(default = "default_voting")]
    pub voting: bool,
}

fn default_voting() -> bool {
    true
}

fn default_timeout() -> u64 {
    600
}

fn default_platforms() -> Vec<String> {
    vec!["local".into()]
}

impl Job {
    pub fn runs_on(&self, branch: &str) -> bool {
        self.branches.is_empty() || self.branches.iter().any(|b| b == branch)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownFailure {
    /// A regular expression searched in a failed job's log.
    pub pattern: String,
    pub issue: String,
    /// Automatic re-runs of a gate job failing with it before the item is ejected.
    #[serde(default)]
    pub retries: u32,
}

/// The `[[known_failure]]` patterns, compiled: the one matcher of check jobs and gate runs.
#[derive(Debug, Clone, Default)]
pub struct KnownFailures(Vec<(regex::Regex, String)>);

impl KnownFailures {
    pub fn compile(known: &[KnownFailure]) -> Result<Self, regex::Error> {
        known
            .iter()
            .map(|k| regex::Regex::new(&k.pattern).map(|r| (r, k.issue.clone())))
            .collect::<Result<_, _>>()
            .map(KnownFailures)
    }

    /// The issue of the first known failure whose pattern occurs in a failed job's log.
    pub fn issue_in(&self, log: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(re, _)| re.is_match(log))
            .map(|(_, issue)| issue.as_str())
    }

    /// [`KnownFailures::issue_in`] of a log file; an unreadable log matches nothing.
    pub fn issue_in_file(&self, log: &Path) -> Option<String> {
        if self.0.is_empty() {
            return None;
        }
        let bytes = std::fs::read(log).ok()?;
        self.issue_in(&String::from_utf8_lossy(&bytes))
            .map(str::to_owned)
    }
}

impl ServeConfig {
    pub fn load(dir: &Path) -> Result<Self, ConfigError> {
        let path = dir.join(FILE_NAME);
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        let config: ServeConfig = toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.clone(),
            source: Box::new(source),
        })?;
        config
            .validate()
            .map_err(|message| ConfigError::Invalid { path, message })?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        let name = &self.project.name;
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            || name.starts_with('.')
        {
            return Err(format!(
                "project name `{name}` must be letters, digits, `-`, `_` or `.`"
            ));
        }
        if let Some(url) = &self.web.url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(format!(
                    "web.url `{url}` must start with `https://` (or `http://`)"
                ));
            }
        }
        if self.executor.concurrency == 0 {
            return Err("executor.concurrency must be at least 1".into());
        }
        let limits = &self.executor.limits;
        for (key, value) in [
            ("memory_mb", limits.memory_mb),
            ("processes", limits.processes),
            ("file_size_mb", limits.file_size_mb),
            ("cpu_secs", limits.cpu_secs),
            ("tmp_mb", limits.tmp_mb),
        ] {
            if value == 0 {
                return Err(format!("executor.limits.{key} must be at least 1"));
            }
        }
        let mounts = &self.executor.mounts;
        if let Some(relative) = mounts
            .read_only
            .iter()
            .chain(&mounts.writable)
            .chain(&self.executor.work_root)
            .find(|p| !p.is_absolute())
        {
            return Err(format!(
                "executor: `{}` must be an absolute path",
                relative.display()
            ));
        }
        if self.branches.is_empty() {
            return Err("at least one [[branch]] is needed".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        for job in &self.jobs {
            if !seen.insert(&job.name) {
                return Err(format!("two jobs are named `{}`", job.name));
            }
            if let Some(bad) = job.env.keys().find(|k| !valid_env_name(k)) {
                return Err(format!(
                    "job `{}`: env `{bad}` cannot be set: a name is letters, digits and `_`, \
                     not starting with a digit, and not REVIEW_JOB_ID",
                    job.name
                ));
            }
            if job.timeout_secs == 0 {
                return Err(format!(
                    "job `{}`: timeout_secs must be at least 1",
                    job.name
                ));
            }
        }
        super::executor::settings::validate(&self.platforms, self.buildbot.as_ref())?;
        if self.gate.concurrency == 0 {
            return Err("gate.concurrency must be at least 1".into());
        }
        if self.gate.approvals_needed == 0 {
            return Err("gate.approvals_needed must be at least 1".into());
        }
        if let Some(jobs) = &self.gate.jobs {
            if let Some(unknown) = jobs
                .iter()
                .find(|j| !self.jobs.iter().any(|k| &k.name == *j))
            {
                return Err(format!(
                    "gate.jobs names `{unknown}`, which is not a [[job]]"
                ));
            }
            if let Some(advisory) = jobs.iter().find(|j| self.job(j).is_some_and(|k| !k.voting)) {
                return Err(format!(
                    "gate.jobs names `{advisory}`, a job with voting = false: remove it from \
                     gate.jobs, or make the job voting"
                ));
            }
        }
        if let Some(tracker) = &self.tracker {
            tracker.validate()?;
        }
        for known in &self.known_failures {
            if let Err(e) = KnownFailures::compile(std::slice::from_ref(known)) {
                return Err(format!(
                    "known_failure `{}`: the pattern is not a regular expression: {e}",
                    known.issue
                ));
            }
        }
        Ok(())
    }

    /// The gate's configuration: `[gate]`, the gate and post-merge jobs from `[[job]]`, the
    /// retries of `[[known_failure]]`.
    pub fn gate_config(&self) -> super::gate::GateConfig {
        let jobs = match &self.gate.jobs {
            Some(jobs) => jobs.clone(),
            None => self
                .jobs
                .iter()
                .filter(|j| j.voting)
                .map(|j| j.name.clone())
                .collect(),
        };
        super::gate::GateConfig {
            approvals_needed: self.gate.approvals_needed,
            self_approval: self.gate.self_approval,
            concurrency: self.gate.concurrency,
            jobs,
            post_merge_jobs: self
                .jobs
                .iter()
                .filter(|j| j.post_merge && j.voting)
                .map(|j| j.name.clone())
                .collect(),
            known_failure_retries: self
                .known_failures
                .iter()
                .filter(|k| k.retries > 0)
                .map(|k| (k.issue.clone(), k.retries))
                .collect(),
        }
    }

    pub fn job(&self, name: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.name == name)
    }

    pub fn branch(&self, name: &str) -> Option<&Branch> {
        self.branches.iter().find(|b| b.name == name)
    }

    /// The bare repository's directory name.
    pub fn repo_dir_name(&self) -> String {
        format!("{}.git", self.project.name)
    }
}

/// A name a job's `env` may set: a portable variable name the service does not set itself.
fn valid_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "REVIEW_JOB_ID"
}

/// The commented `serve.toml` written by `review serve init`.
pub fn template(project: &str, branch: &str) -> String {
    format!(
        r#"# Configuration of `review serve`. Restart the service after editing.

[project]
name = "{project}"                 # served as /git/{project}.git

[executor]
concurrency = 4                   # jobs running at once
sandbox = "bubblewrap"            # every job in bubblewrap (bwrap); "none": unconfined
# work_root = "/var/tmp/review-jobs"  # where checkouts are made; default: under the system temp dir

[executor.limits]                 # what one job may use (see docs/sandbox.md)
memory_mb = 4096                  # address space of each process
processes = 256                   # processes and threads of the job at once
file_size_mb = 1024               # largest file it may write
cpu_secs = 3600                   # CPU time of each process
tmp_mb = 512                      # its private /tmp (in memory)

[executor.mounts]                 # host directories every job sees (never the service directory)
read_only = []                    # e.g. ["/opt/toolchains"]
writable = []                     # shared by every job, e.g. a compiler cache

[limits]
request_bytes = 12582912          # largest request body (413 request_too_large)
mbox_bytes = 10485760             # largest uploaded mbox (413 mbox_too_large)
commits = 100                     # most commits in one series (422 too_many_commits)
targets = 8                       # most target branches of one version (422 bad_targets)
log_bytes = 16777216              # a job's log is cut after this many bytes
files = 5000                      # most files one series touches (422 too_many_files)
file_bytes = 33554432             # most bytes a series writes into one file (413 expands_too_large)
expanded_bytes = 134217728        # most bytes a series writes in all, inflated (413 expands_too_large)
diff_bytes = 4194304              # a diff for review shows this many bytes of lines, then is cut
comment_bytes = 16384             # largest comment (422 comment_too_long)
comments_per_request = 200        # most comments in one review (422 too_many_comments)
live_streams = 1000               # most open live channels of the web pages (503 too_many_streams)

[docs]
paths = ["Doc/", "docs/", "*.md", "*.rst"]  # git pathspecs: series touching only these run only docs jobs

[[branch]]
name = "{branch}"
role = "development"              # development | bugfix | security

# [[branch]]
# name = "3.14"
# role = "bugfix"

[[job]]
name = "tests"
run = "./run-tests.sh"            # run with sh -c in a fresh directory holding the tree under test
timeout_secs = 600                # the job, and all it started, is killed after this
platforms = ["local"]             # runner labels; the local executor serves "local"
docs = false                      # true: the only jobs run for documentation-only changes
post_merge = true                 # also run on the branch after a merge (gate)
branches = []                     # branches it runs for; empty means all
network = false                   # true: the job may use the network
env = {{}}                          # its environment, e.g. {{ CI = "1" }}; nothing else of this one
voting = true                     # false: shown, but its failure fails neither the checks nor the gate

[gate]
approvals_needed = 1              # distinct core approvals a version needs to enter the queue
self_approval = true              # core developers may approve their own changes (never while frozen)
concurrency = 4                   # items of one branch's queue built or tested at once
# jobs = ["tests"]                # jobs that must pass before a merge; absent: every voting [[job]]
poll_ms = 1000                    # how often branches are read to notice outside pushes

[web]
public = false                    # true: `git clone` of /git/ and the web pages without a token (security changes stay hidden)
# url = "https://review.example.org/"  # where people reach it; https marks the session cookie Secure

# [tracker]                       # the issue tracker (docs/tracker.md)
# kind = "roundup"
# url = "https://bugs.example.org/cpython/"  # its tracker_web
# user = "review-bot"
# password_env = "REVIEW_TRACKER_PASSWORD"   # or password_file (chmod 600); never the password here
# require_cla = false
# [[platform]]                    # a platform label of job.platforms run by a Buildbot builder
# name = "linux"
# executor = "buildbot"           # or "local" (this machine's sandboxed pool)
# builder = "review-linux"
# workers = ["linux-1"]           # the master's workers for it (for `review serve buildbot-config`)

# [buildbot]                      # the master of the buildbot platforms (see docs/serve.md)
# url = "http://127.0.0.1:8010"
# user = "review"
# password_file = "buildbot-password"  # relative to this directory

# [[known_failure]]               # a known intermittent failure, recognised in job logs (gate)
# pattern = "ConnectionResetError"  # a regular expression searched in a failed job's log
# issue = "gh-1234"
# retries = 1                     # automatic re-runs in the gate before the item is ejected
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_loads_with_the_real_loader() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), template("demo", "main")).unwrap();
        let config = ServeConfig::load(dir.path()).unwrap();
        assert_eq!(config.project.name, "demo");
        assert_eq!(config.branches[0].name, "main");
        assert_eq!(config.jobs[0].timeout_secs, 600);
        assert_eq!(config.limits, Limits::default());
        assert_eq!(config.docs, Docs::default());
        assert_eq!(config.executor.concurrency, 4);
        assert_eq!(config.gate, Gate::default());
    }

    #[test]
    fn rejects_unknown_keys_and_bad_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, "[project]\nname = \"demo\"\ncolour = 1\n").unwrap();
        assert!(matches!(
            ServeConfig::load(dir.path()),
            Err(ConfigError::Parse { .. })
        ));
        std::fs::write(
            &path,
            "[project]\nname = \"../x\"\n[[branch]]\nname=\"main\"\nrole=\"development\"\n",
        )
        .unwrap();
        assert!(matches!(
            ServeConfig::load(dir.path()),
            Err(ConfigError::Invalid { .. })
        ));
        let with_url = |url: &str| {
            let toml = format!(
                "[project]\nname = \"demo\"\n[[branch]]\nname=\"main\"\nrole=\"development\"\n\
                 [web]\nurl = \"{url}\"\n"
            );
            std::fs::write(&path, toml).unwrap();
            ServeConfig::load(dir.path())
        };
        assert!(matches!(
            with_url("review.example.org"),
            Err(ConfigError::Invalid { message, .. }) if message.contains("web.url")
        ));
        let config = with_url("https://review.example.org/").unwrap();
        assert_eq!(
            config.web.url.as_deref(),
            Some("https://review.example.org/")
        );
    }

    #[test]
    fn gate_section_and_known_failures_make_the_gate_config() {
        let dir = tempfile::tempdir().unwrap();
        let base = "[project]\nname = \"demo\"\n[[branch]]\nname = \"main\"\nrole = \"development\"\n\
                    [[job]]\nname = \"tests\"\nrun = \"true\"\n[[job]]\nname = \"post\"\nrun = \"true\"\npost_merge = true\n";
        let load = |extra: &str| {
            std::fs::write(dir.path().join(FILE_NAME), format!("{base}{extra}")).unwrap();
            ServeConfig::load(dir.path())
        };
        let config = load("").unwrap().gate_config();
        assert_eq!(config.jobs, ["tests", "post"]);
        assert_eq!(config.post_merge_jobs, ["post"]);
        assert_eq!(
            (
                config.approvals_needed,
                config.self_approval,
                config.concurrency
            ),
            (1, true, 4)
        );
        let config = load(
            "[gate]\napprovals_needed = 2\nself_approval = false\nconcurrency = 2\njobs = [\"tests\"]\n\
             [[known_failure]]\npattern = \"Reset\"\nissue = \"gh-1\"\nretries = 2\n",
        )
        .unwrap()
        .gate_config();
        assert_eq!(config.jobs, ["tests"]);
        assert_eq!(
            (
                config.approvals_needed,
                config.self_approval,
                config.concurrency
            ),
            (2, false, 2)
        );
        assert_eq!(config.known_failure_retries.get("gh-1"), Some(&2));
        for (bad, says) in [
            ("[gate]\njobs = [\"nope\"]\n", "gate.jobs names `nope`"),
            (
                "[[job]]\nname = \"lint\"\nrun = \"true\"\nvoting = false\n[gate]\njobs = [\"lint\"]\n",
                "gate.jobs names `lint`, a job with voting = false",
            ),
            ("[gate]\nconcurrency = 0\n", "gate.concurrency"),
            ("[gate]\napprovals_needed = 0\n", "gate.approvals_needed"),
            (
                "[[known_failure]]\npattern = \"(\"\nissue = \"gh-2\"\n",
                "not a regular expression",
            ),
        ] {
            match load(bad) {
                Err(ConfigError::Invalid { message, .. }) => {
                    assert!(message.contains(says), "{message}")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert!(matches!(
            load("[gate]\ncolour = 1\n"),
            Err(ConfigError::Parse { .. })
        ));
    }
}
