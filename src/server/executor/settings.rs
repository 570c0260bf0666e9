//! `serve.toml`'s `[[platform]]` (which executor runs a platform's jobs) and `[buildbot]` (how
//! the service reaches a Buildbot master). `local` needs no entry: it is always the local pool.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::local;

/// Who runs a platform's jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExecutorKind {
    /// The local process pool, in the sandbox.
    Local,
    /// A builder of the Buildbot master of `[buildbot]`.
    Buildbot,
}

impl ExecutorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExecutorKind::Local => "local",
            ExecutorKind::Buildbot => "buildbot",
        }
    }
}

/// `[[platform]]`: a platform label of `[[job]] platforms` and what runs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    pub name: String,
    pub executor: ExecutorKind,
    /// The Buildbot builder of this platform (`executor = "buildbot"`).
    #[serde(default)]
    pub builder: Option<String>,
    /// The master's workers that serve this platform (written into the builder by
    /// `review serve buildbot-config`).
    #[serde(default)]
    pub workers: Vec<String>,
}

/// `[buildbot]`: the master that runs the `executor = "buildbot"` platforms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Buildbot {
    /// The master's web server, e.g. `http://buildbot.example.org:8010`.
    pub url: String,
    /// The service's account on the master (`/auth/login`).
    #[serde(default = "default_user")]
    pub user: String,
    /// A file holding that account's password (relative: to the service directory).
    pub password_file: PathBuf,
    /// The force scheduler `review serve buildbot-config` defines.
    #[serde(default = "default_scheduler")]
    pub scheduler: String,
    /// How workers fetch the service's repository; absent: `http://<listen address>/git/<project>.git`.
    #[serde(default)]
    pub git_url: Option<String>,
    /// The Buildbot secret holding a token of the service that workers fetch with (a core
    /// user's, so they see every ref); absent: workers fetch without one (`[web] public`).
    #[serde(default)]
    pub git_token_secret: Option<String>,
    /// How often a running build is asked about.
    #[serde(default = "default_poll_ms")]
    pub poll_ms: u64,
}

fn default_user() -> String {
    "review".into()
}

fn default_scheduler() -> String {
    "review".into()
}

fn default_poll_ms() -> u64 {
    250
}

impl Buildbot {
    /// The password file's path: relative paths are in the service directory.
    pub fn password_path(&self, service_dir: &Path) -> PathBuf {
        service_dir.join(&self.password_file)
    }
}

/// A name Buildbot and Python take as they are: letters, digits, `-`, `_`, `.`.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Checks `[[platform]]` and `[buildbot]` together; the message names the key to fix.
pub fn validate(platforms: &[Platform], buildbot: Option<&Buildbot>) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for p in platforms {
        if !seen.insert(&p.name) {
            return Err(format!("two [[platform]] entries are named `{}`", p.name));
        }
        if !plain_name(&p.name) {
            return Err(format!(
                "platform `{}`: a name is letters, digits, `-`, `_` or `.`",
                p.name
            ));
        }
        match p.executor {
            ExecutorKind::Local if p.builder.is_some() || !p.workers.is_empty() => {
                return Err(format!(
                    "platform `{}`: builder and workers are for executor = \"buildbot\"",
                    p.name
                ))
            }
            ExecutorKind::Local => {}
            ExecutorKind::Buildbot => {
                if p.name == local::PLATFORM {
                    return Err(format!(
                        "platform `{}` is the local pool's own; give the Buildbot platform another name",
                        p.name
                    ));
                }
                let Some(builder) = &p.builder else {
                    return Err(format!(
                        "platform `{}`: executor = \"buildbot\" needs builder = \"<builder name>\"",
                        p.name
                    ));
                };
                if !plain_name(builder) || p.workers.iter().any(|w| !plain_name(w)) {
                    return Err(format!(
                        "platform `{}`: builder and worker names are letters, digits, `-`, `_` or `.`",
                        p.name
                    ));
                }
                if buildbot.is_none() {
                    return Err(format!(
                        "platform `{}` runs on Buildbot: add a [buildbot] section with url and password_file",
                        p.name
                    ));
                }
            }
        }
    }
    if let Some(b) = buildbot {
        let url = reqwest::Url::parse(&b.url)
            .map_err(|e| format!("buildbot.url `{}` is not a URL: {e}", b.url))?;
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(format!(
                "buildbot.url `{}` must be http:// or https://",
                b.url
            ));
        }
        if !plain_name(&b.scheduler) || !plain_name(&b.user) {
            return Err(
                "buildbot.scheduler and buildbot.user are letters, digits, `-`, `_` or `.`".into(),
            );
        }
        if b.git_token_secret
            .as_deref()
            .is_some_and(|s| !plain_name(s))
        {
            return Err("buildbot.git_token_secret is letters, digits, `-`, `_` or `.`".into());
        }
        if b.poll_ms == 0 {
            return Err("buildbot.poll_ms must be at least 1".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buildbot() -> Buildbot {
        Buildbot {
            url: "http://127.0.0.1:8010".into(),
            user: default_user(),
            password_file: "pw".into(),
            scheduler: default_scheduler(),
            git_url: None,
            git_token_secret: None,
            poll_ms: 250,
        }
    }

    fn platform(name: &str, builder: Option<&str>) -> Platform {
        Platform {
            name: name.into(),
            executor: ExecutorKind::Buildbot,
            builder: builder.map(Into::into),
            workers: vec!["w1".into()],
        }
    }

    #[test]
    fn bad_platforms_are_refused_naming_what_to_fix() {
        let good = [platform("linux", Some("review-linux"))];
        assert_eq!(validate(&good, Some(&buildbot())), Ok(()));
        for (platforms, with, says) in [
            (vec![platform("linux", None)], true, "needs builder"),
            (good.to_vec(), false, "add a [buildbot] section"),
            (vec![platform("local", Some("b"))], true, "local pool's own"),
            (vec![platform("a b", Some("b"))], true, "letters, digits"),
            (
                vec![platform("l", Some("b'; import os"))],
                true,
                "letters, digits",
            ),
            (
                vec![platform("l", Some("b")), platform("l", Some("c"))],
                true,
                "two [[platform]]",
            ),
        ] {
            let b = buildbot();
            let message = validate(&platforms, with.then_some(&b)).unwrap_err();
            assert!(message.contains(says), "{message}");
        }
        let mut bad_url = buildbot();
        bad_url.url = "ftp://x".into();
        assert!(validate(&[], Some(&bad_url))
            .unwrap_err()
            .contains("http://"));
    }
}
