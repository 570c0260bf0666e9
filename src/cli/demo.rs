//! `review demo`: a throw-away world (an upstream repository, a running `review serve`, a
//! contributor and a core developer) and the whole workflow run in it with the real commands.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::Context;
use crate::error::{CliError, CliResult, ErrorKind, Outcome};

/// Run the whole review workflow in a throw-away world, in under a minute
///
/// Builds an upstream repository with `main` and the maintenance branches `3.13` and `3.12`,
/// a passing `tests` job and a `flaky` job that fails with a known intermittent failure,
/// starts `review serve` on a free loopback port, creates a contributor (ann) and a core
/// developer (cora), and clones the repository with a two-commit series. Then it runs the
/// real commands one after another, printing each before its output:
///
///   review post            ann posts the series for main, 3.13 and 3.12
///   review status --watch  the checks pass; non-voting `flaky` fails, labelled as known
///   review approve         cora approves; the gate tests and merges it on every branch
///   review status --watch  until merged everywhere
///   git log                the merged branch
///
/// It ends by saying where the world is and what to try next. The world is removed and the
/// service stopped, unless `--keep DIR` names where to build it: then the service keeps
/// running, its web pages open at the printed address, until Ctrl-C.
///
/// Exit status: 0 the change merged on every branch, 2 a step failed (the output says which).
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Build the world in DIR (new or empty), keep it, and keep its service running until Ctrl-C
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
}

/// The branches of the demo's upstream repository; the series targets all of them.
const BRANCHES: [&str; 3] = ["main", "3.13", "3.12"];
/// No step may take longer than this (the whole demo aims at well under a minute).
const STEP_LIMIT: Duration = Duration::from_secs(90);

const SERVE_TOML: &str = r#"# The demo's service: two jobs, one of them flaky.
[project]
name = "demo"

[executor]
concurrency = 4

# The demo's own throw-away world: `git fetch` of /git/ works without a token.
[web]
public = true

[[branch]]
name = "main"
role = "development"

[[branch]]
name = "3.13"
role = "bugfix"

[[branch]]
name = "3.12"
role = "bugfix"

[[job]]
name = "tests"
run = "sh ./tests.sh"
timeout_secs = 60
post_merge = false

# Fails every time with a known intermittent error. It runs with the checks (and its failure
# is labelled), but it does not vote: its failure fails neither the checks nor the gate.
[[job]]
name = "flaky"
run = "sh ./flaky.sh"
timeout_secs = 60
post_merge = false
voting = false

[gate]
poll_ms = 200

[[known_failure]]
pattern = "ConnectionResetError"
issue = "demo-1"
"#;

pub fn run(ctx: &Context, args: Args) -> CliResult {
    let started = Instant::now();
    let exe = std::env::current_exe()
        .map_err(|e| CliError::io("cannot find the `review` binary").with_cause(e))?;
    // The world: a kept directory, or a temporary one removed when `_temp` drops.
    let (_temp, root) = world_dir(args.keep.as_deref())?;
    let world = World {
        ctx,
        root: root.clone(),
        exe,
    };
    ctx.printer
        .status("Building", &format!("the demo world in {}", root.display()));
    world.upstream()?;
    world.review_in(
        &root,
        &[
            "serve", "init", "service", "--repo", "upstream", "--name", "demo",
        ],
    )?;
    // The demo's jobs are its own scripts: without bubblewrap they may run unconfined.
    let serve_toml = if crate::server::executor::sandbox::bubblewrap_works() {
        SERVE_TOML.to_owned()
    } else {
        ctx.printer
            .note("bubblewrap (bwrap) is not installed: the demo's jobs run without a sandbox");
        SERVE_TOML.replace(
            "concurrency = 4\n",
            "concurrency = 4\nsandbox = \"none\"   # bubblewrap is not installed\n",
        )
    };
    std::fs::write(root.join("service/serve.toml"), serve_toml)
        .map_err(|e| CliError::io("cannot write serve.toml").with_cause(e))?;
    let ann = world.add_user("ann", "contributor")?;
    let cora = world.add_user("cora", "core")?;
    let service = world.start_service()?;
    ctx.printer.status(
        "Serving",
        &format!(
            "{} (log: {})",
            service.url,
            root.join("service.log").display()
        ),
    );
    world.clone_with_series()?;
    let clone = root.join("clone");
    let as_ann = Who {
        name: "ann",
        role: "contributor",
        token: &ann,
    };
    let as_cora = Who {
        name: "cora",
        role: "core developer",
        token: &cora,
    };

    let mut post = vec!["post"];
    for b in BRANCHES {
        post.extend(["--target", b]);
    }
    post.extend(["--kind", "bugfix", "--title", "Greet with more enthusiasm"]);
    world.step(&service, &as_ann, &clone, &post, &[0])?;
    ctx.printer
        .info("the checks run on every branch; `flaky` is non-voting: its failure blocks nothing");
    world.step(&service, &as_ann, &clone, &["status", "--watch"], &[0])?;
    world.step(&service, &as_cora, &clone, &["approve", "1"], &[0])?;
    world.step(&service, &as_ann, &clone, &["status", "1", "--watch"], &[0])?;
    let git_url = format!("{}/git/demo.git", service.url);
    world.shown_git(&clone, &["fetch", "--quiet", &git_url, "main"])?;
    world.shown_git(&clone, &["log", "--oneline", "--graph", "-6", "FETCH_HEAD"])?;

    let port = service.url.rsplit(':').next().unwrap_or("0").to_owned();
    let p = &ctx.printer;
    p.status(
        "Merged",
        &format!(
            "change 1 on {} in {:.1} s",
            BRANCHES.join(", "),
            started.elapsed().as_secs_f64()
        ),
    );
    p.out_line("")?;
    if args.keep.is_none() {
        drop(service);
        print_next(p, &root, &port, None)?;
        return Ok(Outcome::Success);
    }
    write_env_files(&root, &port, &ann, &cora)?;
    print_next(p, &root, &port, Some(&service.url))?;
    serve_until_interrupted(p, service)
}

/// Keeps the kept world's service running until Ctrl-C or SIGTERM (or until it stops by
/// itself), then stops it: the demo ends cleanly (exit 0), its service never left running.
fn serve_until_interrupted(p: &crate::ui::Printer, mut service: RunningService) -> CliResult {
    let section = crate::interrupt::Critical::enter()
        .map_err(|e| CliError::io("cannot wait for Ctrl-C").with_cause(e))?;
    p.status(
        "Serving",
        &format!("{}/changes/1 until Ctrl-C", service.url),
    );
    while section.stopped().is_none() && matches!(service.child.try_wait(), Ok(None)) {
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(section);
    drop(service);
    p.status("Stopped", "the demo's service; the world stays");
    Ok(Outcome::Success)
}

/// The world's directory: the kept one, or a temporary one removed when the guard drops.
fn world_dir(keep: Option<&Path>) -> Result<(Option<tempfile::TempDir>, PathBuf), CliError> {
    match keep {
        Some(dir) => Ok((None, prepare_kept(dir)?)),
        None => {
            let temp = tempfile::Builder::new()
                .prefix("review-demo-")
                .tempdir()
                .map_err(|e| CliError::io("cannot create a temporary directory").with_cause(e))?;
            let root = temp.path().to_path_buf();
            Ok((Some(temp), root))
        }
    }
}

/// `ann.env` and `cora.env` in a kept world: the service URL and each user's token.
fn write_env_files(root: &Path, port: &str, ann: &str, cora: &str) -> Result<(), CliError> {
    for (who, token) in [("ann", ann), ("cora", cora)] {
        std::fs::write(
            root.join(format!("{who}.env")),
            format!(
                "export REVIEW_SERVICE_URL=http://127.0.0.1:{port}\nexport REVIEW_TOKEN={token}\n"
            ),
        )
        .map_err(|e| CliError::io("cannot write the demo's env files").with_cause(e))?;
    }
    Ok(())
}

/// What to try next, in a kept world or after a temporary one.
/// `serving` is the kept world's service address, running until Ctrl-C.
fn print_next(
    p: &crate::ui::Printer,
    root: &Path,
    port: &str,
    serving: Option<&str>,
) -> Result<(), CliError> {
    if let Some(url) = serving {
        let dir = root.display();
        for line in [
            format!("The service runs at {url} until Ctrl-C; open in a browser:"),
            format!("  {url}/changes/1   the change"),
            format!("  {url}/gate        the gate's queues"),
            String::new(),
            format!("The world is kept in {dir}:"),
            "  upstream/   the project's repository (main, 3.13, 3.12)".to_owned(),
            "  service/    the service directory (serve.toml, users, store); log in service.log"
                .to_owned(),
            "  clone/      ann's clone, branch `greet` linked to change 1".to_owned(),
            "  ann.env, cora.env   the service URL and each user's token (throw-away demo users)"
                .to_owned(),
            String::new(),
            "Try next, in another terminal:".to_owned(),
            format!("  cd {dir}/clone && . ../ann.env"),
            "  review status 1              the merged change".to_owned(),
            "  review list --state merged   every merged change".to_owned(),
            "  review series --help         write a series, then `review post` it".to_owned(),
            "  . ../cora.env && review approve <N>   approve it as the core developer".to_owned(),
            String::new(),
            "After Ctrl-C, start the service again with:".to_owned(),
            format!("  review serve --dir {dir}/service --listen 127.0.0.1:{port} &"),
        ] {
            p.out_line(&line)?;
        }
    } else {
        for line in [
            "The world was temporary and is removed now; keep it with `review demo --keep DIR`.",
            "",
            "Try next:",
            "  review demo --keep /tmp/review-demo   the same, kept, with commands to explore it",
            "  review serve init --help              a service for your own repository",
            "  review post --help                    post a series for review",
        ] {
            p.out_line(line)?;
        }
    }
    Ok(())
}

/// Who runs a step.
struct Who<'a> {
    name: &'a str,
    role: &'a str,
    token: &'a str,
}

struct World<'c> {
    ctx: &'c Context,
    root: PathBuf,
    exe: PathBuf,
}

/// The running service, stopped when dropped.
struct RunningService {
    child: Child,
    url: String,
}

impl Drop for RunningService {
    fn drop(&mut self) {
        let stopped = rustix::process::Pid::from_raw(self.child.id() as i32)
            .map(|pid| rustix::process::kill_process(pid, rustix::process::Signal::TERM).is_ok())
            .unwrap_or(false);
        if stopped {
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The world's git commands need an identity, and must not follow the user's configuration
/// (`commit.gpgsign`, hooks, aliases): fixed by the environment, for git and `review` alike.
fn git_identity(cmd: &mut Command) -> &mut Command {
    cmd.env("GIT_AUTHOR_NAME", "Ann Example")
        .env("GIT_AUTHOR_EMAIL", "ann@example.org")
        .env("GIT_COMMITTER_NAME", "Ann Example")
        .env("GIT_COMMITTER_EMAIL", "ann@example.org")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
}

fn prepare_kept(dir: &Path) -> Result<PathBuf, CliError> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir)
            .map_err(|e| CliError::io(format!("cannot read `{}`", dir.display())).with_cause(e))?;
        if entries.next().is_some() {
            return Err(CliError::usage(format!("`{}` is not empty", dir.display()))
                .with_hint("`--keep` builds the world in a new or empty directory"));
        }
    }
    std::fs::create_dir_all(dir)
        .and_then(|()| dir.canonicalize())
        .map_err(|e| CliError::io(format!("cannot create `{}`", dir.display())).with_cause(e))
}

impl World<'_> {
    fn write(&self, path: &Path, text: &str) -> Result<(), CliError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| CliError::io("cannot build the demo world").with_cause(e))?;
        }
        std::fs::write(path, text)
            .map_err(|e| CliError::io(format!("cannot write `{}`", path.display())).with_cause(e))
    }

    /// `git` in `dir`, quietly; its output on success.
    fn git(&self, dir: &Path, args: &[&str]) -> Result<String, CliError> {
        let output = git_identity(Command::new("git").arg("-C").arg(dir).args(args))
            .output()
            .map_err(|e| CliError::git("cannot run `git`").with_cause(e))?;
        if !output.status.success() {
            return Err(CliError::git(format!("`git {}` failed", args.join(" ")))
                .with_cause(String::from_utf8_lossy(&output.stderr).trim().to_owned()));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// The upstream repository: a tiny project with its job scripts on three branches.
    fn upstream(&self) -> Result<(), CliError> {
        let up = self.root.join("upstream");
        std::fs::create_dir_all(&up)
            .map_err(|e| CliError::io("cannot build the demo world").with_cause(e))?;
        self.git(&up, &["init", "--quiet", "--initial-branch=main"])?;
        self.write(&up.join("greet.sh"), "#!/bin/sh\necho \"Hello, $1.\"\n")?;
        self.write(
            &up.join("tests.sh"),
            "#!/bin/sh\nset -e\nout=$(sh ./greet.sh world)\necho \"greet.sh world: $out\"\ncase \"$out\" in Hello,*) echo '1 test passed' ;; *) echo 'greeting is wrong'; exit 1 ;; esac\n",
        )?;
        self.write(
            &up.join("flaky.sh"),
            "#!/bin/sh\necho 'connecting to the package mirror...'\necho 'ConnectionResetError: [Errno 104] Connection reset by peer'\nexit 1\n",
        )?;
        self.write(&up.join("README.md"), "# greet\n\nSays hello.\n")?;
        self.git(&up, &["add", "-A"])?;
        self.git(&up, &["commit", "--quiet", "-m", "Start the greeter"])?;
        for (branch, version) in [("3.12", "3.12.9"), ("3.13", "3.13.2")] {
            self.git(&up, &["switch", "--quiet", "-c", branch, "main"])?;
            self.write(&up.join("VERSION"), &format!("{version}\n"))?;
            self.git(&up, &["add", "VERSION"])?;
            self.git(
                &up,
                &["commit", "--quiet", "-m", &format!("Release {version}")],
            )?;
        }
        self.git(&up, &["switch", "--quiet", "main"])?;
        self.write(&up.join("VERSION"), "3.14.0a1\n")?;
        self.git(&up, &["add", "VERSION"])?;
        self.git(&up, &["commit", "--quiet", "-m", "Start 3.14"])?;
        Ok(())
    }

    /// ann's clone with the two-commit series on `greet`.
    fn clone_with_series(&self) -> Result<(), CliError> {
        self.git(&self.root, &["clone", "--quiet", "upstream", "clone"])?;
        let clone = self.root.join("clone");
        for b in &BRANCHES[1..] {
            self.git(&clone, &["branch", "--quiet", b, &format!("origin/{b}")])?;
        }
        self.git(&clone, &["switch", "--quiet", "-c", "greet", "main"])?;
        self.write(&clone.join("greet.sh"), "#!/bin/sh\necho \"Hello, $1!\"\n")?;
        self.git(
            &clone,
            &["commit", "--quiet", "-am", "Greet with an exclamation mark"],
        )?;
        self.write(
            &clone.join("README.md"),
            "# greet\n\nSays hello, with enthusiasm.\n",
        )?;
        self.git(
            &clone,
            &["commit", "--quiet", "-am", "Say so in the README"],
        )?;
        Ok(())
    }

    /// `review ARGS` in `dir`, quietly, for building the world; its stdout.
    fn review_in(&self, dir: &Path, args: &[&str]) -> Result<String, CliError> {
        let output = git_identity(&mut Command::new(&self.exe))
            .current_dir(dir)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| CliError::io("cannot run `review`").with_cause(e))?;
        if !output.status.success() {
            return Err(CliError::new(
                ErrorKind::Io,
                format!("`review {}` failed", args.join(" ")),
            )
            .with_cause(String::from_utf8_lossy(&output.stderr).trim().to_owned()));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// A user of the service; their token.
    fn add_user(&self, name: &str, role: &str) -> Result<String, CliError> {
        let out = self.review_in(
            &self.root,
            &[
                "serve", "user", "add", name, "--role", role, "--dir", "service",
            ],
        )?;
        Ok(out.trim().to_owned())
    }

    fn start_service(&self) -> Result<RunningService, CliError> {
        let log = std::fs::File::create(self.root.join("service.log"))
            .map_err(|e| CliError::io("cannot create the service log").with_cause(e))?;
        let mut child = git_identity(&mut Command::new(&self.exe))
            .current_dir(&self.root)
            // Killed (SIGKILL: no handler runs), the demo still takes its service with it.
            .args(["serve", "--dir", "service", "--listen", "127.0.0.1:0"])
            .arg("--exit-with-parent")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| CliError::io("cannot start `review serve`").with_cause(e))?;
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        let read = stdout.read_line(&mut line);
        let mut service = RunningService {
            child,
            url: String::new(),
        };
        match line.trim().strip_prefix("listening on ") {
            Some(url) if read.is_ok() => service.url = url.to_owned(),
            _ => {
                return Err(
                    CliError::io("`review serve` did not start").with_hint(format!(
                        "its log is {}",
                        self.root.join("service.log").display()
                    )),
                )
            }
        }
        // Keep draining its stdout so it never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while stdout.read_line(&mut sink).unwrap_or(0) > 0 {
                sink.clear();
            }
        });
        Ok(service)
    }

    /// Prints `$ review ARGS` (as `who`), runs it with the terminal as its output and checks its
    /// exit code is one of `ok`.
    fn step(
        &self,
        service: &RunningService,
        who: &Who<'_>,
        dir: &Path,
        args: &[&str],
        ok: &[i32],
    ) -> Result<(), CliError> {
        let p = &self.ctx.printer;
        p.out_line("")?;
        p.out_line(&format!(
            "# as {}, the {}, in {}",
            who.name,
            who.role,
            dir.strip_prefix(&self.root).unwrap_or(dir).display()
        ))?;
        p.out_line(&format!("$ review {}", quoted(args)))?;
        let mut cmd = Command::new(&self.exe);
        cmd.current_dir(dir)
            .args(args)
            .env("REVIEW_SERVICE_URL", &service.url)
            .env("REVIEW_TOKEN", who.token)
            .stdin(Stdio::null());
        let status = wait_limited(git_identity(&mut cmd), args)?;
        match status.code() {
            Some(code) if ok.contains(&code) => Ok(()),
            code => Err(CliError::new(
                ErrorKind::Io,
                format!(
                    "the demo stopped: `review {}` exited with {}",
                    quoted(args),
                    code.map_or_else(|| "a signal".to_owned(), |c| c.to_string())
                ),
            )
            .with_hint(
                "its output is above; `review demo --keep DIR` keeps the world to look into it",
            )),
        }
    }

    /// Prints `$ git ARGS` and runs it in `dir` with the terminal as its output.
    fn shown_git(&self, dir: &Path, args: &[&str]) -> Result<(), CliError> {
        let p = &self.ctx.printer;
        p.out_line("")?;
        p.out_line(&format!("$ git {}", quoted(args)))?;
        let mut cmd = Command::new("git");
        cmd.current_dir(dir).args(args).stdin(Stdio::null());
        let status = wait_limited(git_identity(&mut cmd), args)?;
        if !status.success() {
            return Err(CliError::git(format!("`git {}` failed", quoted(args))));
        }
        Ok(())
    }
}

/// Runs `cmd`, killing it after [`STEP_LIMIT`].
fn wait_limited(cmd: &mut Command, args: &[&str]) -> Result<ExitStatus, CliError> {
    let mut child = cmd
        .spawn()
        .map_err(|e| CliError::io("cannot run a demo step").with_cause(e))?;
    let deadline = Instant::now() + STEP_LIMIT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(CliError::io(format!(
                    "the demo stopped: `{}` took more than {} s",
                    quoted(args),
                    STEP_LIMIT.as_secs()
                )));
            }
            Err(e) => return Err(CliError::io("cannot wait for a demo step").with_cause(e)),
        }
    }
}

/// Arguments as a shell would need them typed.
fn quoted(args: &[&str]) -> String {
    args.iter()
        .map(|a| {
            if a.is_empty() || a.contains(|c: char| c.is_whitespace() || "'\"$\\".contains(c)) {
                format!("'{}'", a.replace('\'', "'\\''"))
            } else {
                (*a).to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_shown_as_they_would_be_typed() {
        assert_eq!(
            quoted(&["post", "--title", "Greet with more", "it's"]),
            "post --title 'Greet with more' 'it'\\''s'"
        );
    }

    #[test]
    fn the_demo_service_configuration_loads() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("serve.toml"), SERVE_TOML).unwrap();
        let config = crate::server::config::ServeConfig::load(dir.path()).unwrap();
        assert_eq!(config.branches.len(), BRANCHES.len());
        assert_eq!(config.known_failures.len(), 1);
    }
}
