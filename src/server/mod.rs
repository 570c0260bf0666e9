//! The embedded review service (`review serve`): configuration, SQLite store, HTTP API, check
//! pipeline and executors. It never prints: log lines go to the channel the caller passes.

pub mod config;
pub mod diff;
pub mod executor;
pub mod follow;
pub mod gate;
pub mod gate_runner;
pub mod gate_view;
pub mod http;
pub mod pipeline;
pub mod store;
pub mod tracker;
pub mod users;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::mpsc;

use config::{ConfigError, ServeConfig};
use pipeline::Pipeline;
use store::{Store, StoreError};

/// The database file inside a service directory.
pub const DB_FILE: &str = "review.db";

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot open the database `{}`", path.display())]
    Store {
        path: PathBuf,
        #[source]
        source: StoreError,
    },
    #[error("`{}` is not a service directory (no `serve.toml`)", dir.display())]
    NotAServiceDir { dir: PathBuf },
    #[error("the repository `{}` cannot be opened", path.display())]
    Repo {
        path: PathBuf,
        #[source]
        source: git2::Error,
    },
    #[error("`{}` exists and is not empty", dir.display())]
    DirNotEmpty { dir: PathBuf },
    #[error("`git clone --bare {repo}` failed: {stderr}")]
    Clone { repo: String, stderr: String },
    #[error("cannot listen on {addr}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("I/O error on `{}`", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot recover the state left by the last run")]
    Recover(#[source] pipeline::PipelineError),
    #[error("a task of the service failed: {0}")]
    Task(String),
    #[error("cannot start the merge gate")]
    Gate(#[source] gate_runner::GateError),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ServeError + '_ {
    move |source| ServeError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A service directory opened: configuration, store, repository path.
pub struct Service {
    pub dir: PathBuf,
    pub config: Arc<ServeConfig>,
    pub store: Arc<Store>,
}

impl Service {
    pub fn open(dir: &Path) -> Result<Self, ServeError> {
        if !dir.join(config::FILE_NAME).is_file() {
            return Err(ServeError::NotAServiceDir {
                dir: dir.to_owned(),
            });
        }
        let dir = std::path::absolute(dir).map_err(io_err(dir))?;
        let config = ServeConfig::load(&dir)?;
        let repo = dir.join(config.repo_dir_name());
        git2::Repository::open_bare(&repo)
            .map_err(|source| ServeError::Repo { path: repo, source })?;
        let store = open_store(&dir)?;
        Ok(Service {
            dir,
            config: Arc::new(config),
            store: Arc::new(store),
        })
    }

    pub fn repo_path(&self) -> PathBuf {
        self.dir.join(self.config.repo_dir_name())
    }
}

/// Opens (creating) the database of a service directory.
pub fn open_store(dir: &Path) -> Result<Store, ServeError> {
    let path = dir.join(DB_FILE);
    Store::open(&path).map_err(|source| ServeError::Store { path, source })
}

/// What `init` made.
pub struct InitReport {
    pub dir: PathBuf,
    pub repo: PathBuf,
    pub project: String,
    pub branch: String,
}

/// Creates a service directory: a bare clone of `repo` (its `origin` removed: the service owns
/// it), a commented `serve.toml` and the database.
pub fn init(dir: &Path, repo: &str, name: Option<&str>) -> Result<InitReport, ServeError> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(io_err(dir))?
            .next()
            .is_some()
    {
        return Err(ServeError::DirNotEmpty {
            dir: dir.to_owned(),
        });
    }
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let project = name.map(str::to_owned).unwrap_or_else(|| {
        let last = repo
            .trim_end_matches('/')
            .rsplit(['/', ':'])
            .next()
            .unwrap_or("project");
        let stem = last.strip_suffix(".git").unwrap_or(last);
        if stem.is_empty() {
            "project".to_owned()
        } else {
            stem.to_owned()
        }
    });
    let bare = dir.join(format!("{project}.git"));
    let out = std::process::Command::new("git")
        .args(["clone", "--bare", "--quiet", "--", repo])
        .arg(&bare)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(io_err(dir))?;
    if !out.status.success() {
        return Err(ServeError::Clone {
            repo: repo.to_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        });
    }
    let repository = git2::Repository::open_bare(&bare).map_err(|source| ServeError::Repo {
        path: bare.clone(),
        source,
    })?;
    let _ = repository.remote_delete("origin");
    let branch = repository
        .head()
        .ok()
        .and_then(|h| h.shorthand().map(str::to_owned))
        .unwrap_or_else(|| "main".into());
    let toml_path = dir.join(config::FILE_NAME);
    std::fs::write(&toml_path, config::template(&project, &branch)).map_err(io_err(&toml_path))?;
    open_store(dir)?;
    Ok(InitReport {
        dir: dir.to_owned(),
        repo: bare,
        project,
        branch,
    })
}

/// Binds the listener (port 0 picks a free port).
pub async fn bind(addr: &str) -> Result<(tokio::net::TcpListener, SocketAddr), ServeError> {
    let bind_err = |source| ServeError::Bind {
        addr: addr.to_owned(),
        source,
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(bind_err)?;
    let local = listener.local_addr().map_err(bind_err)?;
    Ok((listener, local))
}

/// The sandbox of the local executor and the work root, checked: the service does not start
/// with a sandbox that does not work.
fn sandbox_for(service: &Service) -> Result<(executor::sandbox::Sandbox, PathBuf), ServeError> {
    use executor::sandbox;
    let config = &service.config.executor;
    let root = config
        .work_root
        .clone()
        .unwrap_or_else(|| sandbox::default_work_root(&service.dir));
    let invalid = |message: String| {
        ServeError::Config(ConfigError::Invalid {
            path: service.dir.join(config::FILE_NAME),
            message,
        })
    };
    let sandbox = sandbox::Sandbox::new(config, &service.dir, &root).map_err(invalid)?;
    sandbox::prepare_work_root(&root).map_err(invalid)?;
    Ok((sandbox, root))
}

/// The issue tracker of `[tracker]`, its task started (it ends with the runtime).
fn start_tracker(
    service: &Service,
    listener: &tokio::net::TcpListener,
    events: &mpsc::UnboundedSender<String>,
) -> Result<Option<Arc<tracker::TrackerService>>, ServeError> {
    let Some(config) = &service.config.tracker else {
        return Ok(None);
    };
    let listen = listener
        .local_addr()
        .map(|a| format!("http://{a}"))
        .map_err(io_err(&service.dir))?;
    let tracker = tracker::TrackerService::new(
        config,
        service.store.clone(),
        &service.config.project.name,
        &listen,
        events.clone(),
    )
    .map_err(|message| ConfigError::Invalid {
        path: service.dir.join(config::FILE_NAME),
        message,
    })?;
    let tracker = Arc::new(tracker);
    tokio::spawn(tracker.clone().run());
    Ok(Some(tracker))
}

/// The Buildbot executor when `[buildbot]` is configured (its password read now, so a missing
/// file stops the start), watching the master from now on.
fn buildbot_for(
    service: &Service,
    default_git_url: String,
) -> Result<Option<Arc<executor::buildbot::BuildbotExecutor>>, ServeError> {
    let Some(settings) = &service.config.buildbot else {
        return Ok(None);
    };
    let invalid = |message: String| {
        ServeError::Config(ConfigError::Invalid {
            path: service.dir.join(config::FILE_NAME),
            message,
        })
    };
    let path = settings.password_path(&service.dir);
    let password = std::fs::read_to_string(&path).map_err(|e| {
        invalid(format!(
            "buildbot.password_file: cannot read `{}`: {e}",
            path.display()
        ))
    })?;
    let executor = executor::buildbot::BuildbotExecutor::new(
        settings,
        password.trim(),
        &service.config.platforms,
        settings.git_url.clone().unwrap_or(default_git_url),
        &service.config.project.name,
        service.store.clone(),
    )
    .map_err(invalid)?;
    executor.watch();
    Ok(Some(Arc::new(executor)))
}

/// Runs the service until `shutdown` resolves: recovers the last run's state, serves HTTP,
/// runs jobs. On shutdown it stops taking work, cancels running jobs (queued again for the
/// next start) and returns once their state is recorded.
pub async fn run(
    service: Service,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    events: mpsc::UnboundedSender<String>,
) -> Result<(), ServeError> {
    let logs = service.dir.join("logs");
    std::fs::create_dir_all(&logs).map_err(io_err(&logs))?;
    // Checkouts of older versions lived in the service directory: gone with them.
    let _ = std::fs::remove_dir_all(service.dir.join("tmp"));
    let (sandbox, scratch) = sandbox_for(&service)?;
    if sandbox.kind() == config::SandboxKind::None {
        let _ = events.send(
            "warning: executor.sandbox = \"none\": jobs run contributors' code unconfined, as \
             this user, with access to the service's database, repository and everything else \
             this user can reach"
                .into(),
        );
    }
    let local = Arc::new(executor::local::LocalPool::new(
        service.config.executor.concurrency,
        scratch,
        sandbox,
    ));
    let git_url = listener
        .local_addr()
        .map(|a| format!("http://{a}/git/{}", service.config.repo_dir_name()))
        .unwrap_or_default();
    let remote = buildbot_for(&service, git_url)?;
    let executor = Arc::new(executor::platforms::Platforms::new(
        local,
        remote.map(|b| b as Arc<dyn executor::Executor>),
        &service.config.platforms,
        service.config.executor.concurrency,
    ));
    let known_failures =
        config::KnownFailures::compile(&service.config.known_failures).map_err(|e| {
            ConfigError::Invalid {
                path: service.dir.join(config::FILE_NAME),
                message: format!("a known_failure pattern is not a regular expression: {e}"),
            }
        })?;
    let pipeline = Arc::new(Pipeline::new(
        service.store.clone(),
        service.config.clone(),
        service.repo_path(),
        logs.clone(),
        executor.clone(),
        known_failures,
        events.clone(),
    ));
    let recovering = pipeline.clone();
    tokio::task::spawn_blocking(move || recovering.recover())
        .await
        .map_err(|e| ServeError::Task(e.to_string()))?
        .map_err(ServeError::Recover)?;
    let gate = gate_runner::GateRunner::open(
        pipeline.clone(),
        service.repo_path(),
        logs,
        executor,
        events.clone(),
    )
    .map_err(ServeError::Gate)?;
    let starting = gate.clone();
    tokio::task::spawn_blocking(move || starting.start())
        .await
        .map_err(|e| ServeError::Gate(gate_runner::GateError::Other(e.to_string())))?
        .map_err(ServeError::Gate)?;
    let scheduler = tokio::spawn(pipeline.clone().schedule());
    let tracker = start_tracker(&service, &listener, &events)?;
    let state = Arc::new(
        http::AppState::new(pipeline.clone(), gate.clone(), service.dir.clone())
            .with_tracker(tracker),
    );
    let app = http::router(state);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let stopping = pipeline.clone();
    let stop_events = events.clone();
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_events.send("stopping: cancelling running jobs".into());
        gate.stop();
        stopping.stop().await;
        let _ = stop_tx.send(());
    });
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = stop_rx.await;
        })
        .await;
    scheduler.abort();
    let _ = events.send("stopped".into());
    served.map_err(|source| ServeError::Io {
        path: service.dir.clone(),
        source,
    })
}
