//! `[tracker]` in `serve.toml`: which tracker, the bot account (its password never in the
//! file), the issue prefix, the field names, what happens on merge, the CLA gate.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// `[tracker]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackerConfig {
    pub kind: TrackerKind,
    /// The tracker's web address as it knows itself (Roundup's `tracker_web`), e.g.
    /// `https://bugs.example.org/cpython/`.
    pub url: String,
    /// The bot account's user name.
    pub user: String,
    /// The environment variable holding the bot's password.
    #[serde(default)]
    pub password_env: Option<String>,
    /// A file holding the bot's password, readable only by the service's user.
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// How issues are written besides `1234` and `#1234`; stored as `<prefix><id>`.
    #[serde(default = "default_prefix")]
    pub prefix: String,
    /// True: an unreachable tracker at post time is a warning in the log and the change is
    /// accepted (its issue is not checked); false: the post is refused (503).
    #[serde(default)]
    pub optional: bool,
    /// Refuse approvals of versions with a commit author lacking the contributor agreement.
    #[serde(default)]
    pub require_cla: bool,
    /// Set the issue's status to this when the change merged on every target.
    #[serde(default)]
    pub on_merge_status: Option<String>,
    /// Set the issue's resolution to this when the change merged on every target.
    #[serde(default)]
    pub on_merge_resolution: Option<String>,
    /// The service's address as people reach it, for links in messages; absent: the address
    /// it listens on.
    #[serde(default)]
    pub public_url: Option<String>,
    /// First delay before sending a failed notification again; doubled each time up to a minute.
    #[serde(default = "default_retry_ms")]
    pub retry_ms: u64,
    /// How often the outbox is looked at.
    #[serde(default = "default_poll_ms")]
    pub poll_ms: u64,
    /// Seconds a request to the tracker may take.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    #[serde(default)]
    pub fields: Fields,
}

/// `[tracker.fields]`: the names of the properties `review` reads and sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Fields {
    /// The issue's type (a link to a class keyed by name: enhancement, behavior, security...).
    pub issue_type: String,
    /// The affected versions (a multilink to a class keyed by name: 3.13, 3.14...).
    pub versions: String,
    pub status: String,
    pub resolution: String,
    /// The user's contributor-agreement flag (a boolean).
    pub contrib_form: String,
    /// The user's email address.
    pub address: String,
    /// The issue type that goes to the default branch only.
    pub enhancement: String,
    /// The issue type that adds the security-only branches.
    pub security: String,
}

impl Default for Fields {
    fn default() -> Self {
        Fields {
            issue_type: "type".into(),
            versions: "versions".into(),
            status: "status".into(),
            resolution: "resolution".into(),
            contrib_form: "contrib_form".into(),
            address: "address".into(),
            enhancement: "enhancement".into(),
            security: "security".into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TrackerKind {
    Roundup,
}

fn default_prefix() -> String {
    "bpo-".into()
}

fn default_retry_ms() -> u64 {
    1000
}

fn default_poll_ms() -> u64 {
    500
}

fn default_timeout() -> u64 {
    10
}

impl TrackerConfig {
    /// Checks the values that serde cannot.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            return Err(format!(
                "tracker.url `{}` must be an http:// or https:// address",
                self.url
            ));
        }
        if self.password_env.is_some() == self.password_file.is_some() {
            return Err(
                "[tracker] needs exactly one of password_env and password_file (the bot's \
                 password is never written in serve.toml)"
                    .into(),
            );
        }
        if self.user.is_empty() {
            return Err("tracker.user is empty".into());
        }
        if self.retry_ms == 0 || self.poll_ms == 0 || self.timeout_secs == 0 {
            return Err("tracker.retry_ms, poll_ms and timeout_secs must be at least 1".into());
        }
        Ok(())
    }

    /// The bot's password, from the environment variable or the file (which must be readable
    /// by this user only).
    pub fn password(&self) -> Result<String, String> {
        if let Some(var) = &self.password_env {
            return std::env::var(var).map_err(|_| {
                format!("tracker.password_env names `{var}`, which is not set (or not UTF-8)")
            });
        }
        let path = self.password_file.as_deref().unwrap_or(Path::new(""));
        check_private(path)?;
        let text = std::fs::read_to_string(path).map_err(|e| {
            format!(
                "cannot read tracker.password_file `{}`: {e}",
                path.display()
            )
        })?;
        Ok(text.trim_end_matches(['\n', '\r']).to_owned())
    }
}

/// A secret file: owned by this user, no access for group or others.
fn check_private(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).map_err(|e| {
        format!(
            "cannot read tracker.password_file `{}`: {e}",
            path.display()
        )
    })?;
    let uid = rustix::process::geteuid().as_raw();
    if meta.uid() != uid || meta.mode() & 0o077 != 0 {
        return Err(format!(
            "tracker.password_file `{}` must be owned by the service's user and readable by it \
             only (chmod 600)",
            path.display()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> TrackerConfig {
        toml::from_str(&format!(
            "kind = \"roundup\"\nurl = \"http://127.0.0.1:1/t/\"\nuser = \"bot\"\n{extra}"
        ))
        .unwrap()
    }

    #[test]
    fn the_password_comes_from_one_place_and_a_private_file() {
        assert!(config("").validate().unwrap_err().contains("exactly one"));
        let both = config("password_env = \"X\"\npassword_file = \"/x\"\n");
        assert!(both.validate().is_err());
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        std::fs::write(&file, "s3cret\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let from_file = config(&format!("password_file = \"{}\"\n", file.display()));
        from_file.validate().unwrap();
        assert!(from_file.password().unwrap_err().contains("chmod 600"));
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(from_file.password().unwrap(), "s3cret");
        let unset = config("password_env = \"REVIEW_TEST_SURELY_UNSET_VARIABLE\"\n");
        assert!(unset.password().unwrap_err().contains("not set"));
        let bad_url = config("password_env = \"X\"\n");
        assert!(TrackerConfig {
            url: "ftp://x".into(),
            ..bad_url
        }
        .validate()
        .is_err());
    }
}
