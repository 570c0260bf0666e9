//! Loading and merging the configuration layers.
//!
//! Each layer is validated on its own against the typed structs, so an error names the file,
//! line and column (or the variable, or the `--config` argument) it came from. Valid layers are
//! flattened to `key path -> (value, origin)` and overlaid, lowest first; the merged table is
//! then deserialized once more into `Config`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{keys, Config};
use crate::suggest::nearest;

/// The repository's configuration file, at the top of the work tree.
pub const REPO_FILE_NAME: &str = ".review.toml";

/// Where a configuration value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    /// Not configured; worked out from the repository (e.g. `refs/remotes/origin/HEAD`).
    Detected(String),
    UserFile(PathBuf),
    RepoFile(PathBuf),
    Env(String),
    CommandLine,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => f.write_str("default"),
            Origin::Detected(how) => write!(f, "detected from {how}"),
            Origin::UserFile(path) | Origin::RepoFile(path) => write!(f, "{}", path.display()),
            Origin::Env(var) => write!(f, "environment {var}"),
            Origin::CommandLine => f.write_str("--config"),
        }
    }
}

impl Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One `--config key=value` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigOverride {
    pub key: String,
    pub value: String,
}

impl ConfigOverride {
    /// clap value parser: `key=value`, key non-empty.
    pub fn parse(arg: &str) -> Result<Self, String> {
        match arg.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => Ok(ConfigOverride {
                key: key.trim().to_owned(),
                value: value.to_owned(),
            }),
            _ => Err(format!(
                "`{arg}` is not KEY=VALUE; write it like `--config lint.preset=cpython`"
            )),
        }
    }
}

/// A layer that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration file `{}`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid TOML in {location}: {message}")]
    Syntax { location: String, message: String },
    #[error("unknown configuration key `{key}` in {location}")]
    UnknownKey {
        location: String,
        key: String,
        suggestion: Option<String>,
    },
    #[error("invalid value in {location}: {message}")]
    InvalidValue { location: String, message: String },
    #[error("`REVIEW_CONFIG` names `{}`, which is not a file", path.display())]
    UserFileMissing { path: PathBuf },
}

/// Everything the loader reads, passed in so tests and library callers control it.
#[derive(Default)]
pub struct LoadOptions<'a> {
    /// The user configuration file, if any (already resolved from `REVIEW_CONFIG` or XDG).
    pub user_file: Option<PathBuf>,
    /// The top of the work tree, whose `.review.toml` is a layer.
    pub work_tree: Option<PathBuf>,
    /// Used to detect `branches.default` when no layer sets it.
    pub repo: Option<&'a git2::Repository>,
    /// The environment, as `(name, value)` pairs.
    pub env: Vec<(String, String)>,
    pub overrides: &'a [ConfigOverride],
}

/// The effective configuration and where each value came from.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub config: Config,
    /// Every set value by dotted key, with its origin.
    pub values: BTreeMap<String, (toml::Value, Origin)>,
    /// The top of the work tree when run inside one.
    pub work_tree: Option<PathBuf>,
}

impl LoadedConfig {
    pub fn origin(&self, key: &str) -> Option<&Origin> {
        self.values.get(key).map(|(_, origin)| origin)
    }
}

type Layer = BTreeMap<String, (toml::Value, Origin)>;

/// Loads every layer for the process's current directory and environment.
pub fn load_for_cwd(overrides: &[ConfigOverride]) -> Result<LoadedConfig, ConfigError> {
    let repo = crate::git::discover(Path::new(".")).ok();
    load_for_repo(repo.as_ref(), overrides, Detect::DefaultBranch)
}

/// Whether loading detects `branches.default` when no layer sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detect {
    DefaultBranch,
    /// The command names its commits and never asks for the default branch: the remotes'
    /// refs (and `packed-refs`, parsed whole) are not read. `branches.default` is then the
    /// built-in default unless a layer sets it.
    Nothing,
}

/// `load_for_cwd` with the repository the caller has already opened (`None`: outside one).
pub fn load_for_repo(
    repo: Option<&git2::Repository>,
    overrides: &[ConfigOverride],
    detect: Detect,
) -> Result<LoadedConfig, ConfigError> {
    let options = LoadOptions {
        user_file: user_file_path()?,
        work_tree: repo.and_then(|r| r.workdir().map(Path::to_path_buf)),
        repo: repo.filter(|_| detect == Detect::DefaultBranch),
        env: std::env::vars().collect(),
        overrides,
    };
    load(&options)
}

/// `REVIEW_CONFIG` (which must exist), else `$XDG_CONFIG_HOME/review/config.toml` or
/// `~/.config/review/config.toml` when present.
fn user_file_path() -> Result<Option<PathBuf>, ConfigError> {
    if let Some(path) = std::env::var_os("REVIEW_CONFIG").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        if !path.is_file() {
            return Err(ConfigError::UserFileMissing { path });
        }
        return Ok(Some(path));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")));
    Ok(base
        .map(|b| b.join("review").join("config.toml"))
        .filter(|p| p.is_file()))
}

/// Merges the layers described by `options`.
pub fn load(options: &LoadOptions<'_>) -> Result<LoadedConfig, ConfigError> {
    let mut merged = Layer::new();
    let defaults = toml::Table::try_from(Config::default()).expect("defaults serialize to TOML");
    flatten(&defaults, "", &Origin::Default, &mut merged);

    if let Some(path) = &options.user_file {
        merged.extend(file_layer(path, Origin::UserFile(path.clone()))?);
    }
    if let Some(top) = &options.work_tree {
        let path = top.join(REPO_FILE_NAME);
        if path.is_file() {
            merged.extend(file_layer(&path, Origin::RepoFile(path.clone()))?);
        }
    }
    merged.extend(env_layer(&options.env)?);
    for o in options.overrides {
        let location = format!("`--config {}={}`", o.key, o.value);
        merged.extend(single_value_layer(
            &o.key,
            &o.value,
            &location,
            Origin::CommandLine,
        )?);
    }

    if !merged.contains_key("branches.default") {
        if let Some((branch, how)) = options.repo.map(crate::git::detect_default_branch) {
            merged.insert(
                "branches.default".into(),
                (toml::Value::String(branch), Origin::Detected(how)),
            );
        }
    }

    let config =
        unflatten(&merged)
            .try_into::<Config>()
            .map_err(|e| ConfigError::InvalidValue {
                location: "the merged configuration".into(),
                message: e.to_string(),
            })?;
    Ok(LoadedConfig {
        config,
        values: merged,
        work_tree: options.work_tree.clone(),
    })
}

/// Reads and validates one TOML file; errors carry `path:line:column`.
pub fn file_layer(path: &Path, origin: Origin) -> Result<Layer, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let located = |span: Option<std::ops::Range<usize>>| {
        let (line, column) = span.map_or((1, 1), |s| line_column(&text, s.start));
        format!("{}:{line}:{column}", path.display())
    };
    let table: toml::Table = toml::from_str(&text).map_err(|e| ConfigError::Syntax {
        location: located(e.span()),
        message: e.message().trim().to_owned(),
    })?;
    if let Err(e) = toml::from_str::<Config>(&text) {
        return Err(classify(e.message(), located(e.span())));
    }
    let mut layer = Layer::new();
    flatten(&table, "", &origin, &mut layer);
    Ok(layer)
}

/// `REVIEW_<SECTION>_<KEY>` for every known key, e.g. `REVIEW_LINT_PRESET`.
fn env_layer(env: &[(String, String)]) -> Result<Layer, ConfigError> {
    let mut layer = Layer::new();
    for key in keys() {
        let var = env_var_name(&key);
        if let Some((_, value)) = env.iter().find(|(name, _)| *name == var) {
            let location = format!("environment variable `{var}`");
            layer.extend(single_value_layer(
                &key,
                value,
                &location,
                Origin::Env(var),
            )?);
        }
    }
    Ok(layer)
}

/// The environment variable that sets `key`.
pub fn env_var_name(key: &str) -> String {
    format!("REVIEW_{}", key.replace(['.', '-'], "_").to_uppercase())
}

/// One `key = value` from the environment or the command line. The value is read as TOML
/// (`["3.14", "3.13"]`, `true`, `4`) and, when that does not fit the key, as a plain string,
/// so `branches.default=3.14` means the branch `3.14`, not a number.
fn single_value_layer(
    key: &str,
    raw: &str,
    location: &str,
    origin: Origin,
) -> Result<Layer, ConfigError> {
    let path: Vec<&str> = key.split('.').collect();
    if path.iter().any(|p| p.is_empty()) {
        return Err(ConfigError::InvalidValue {
            location: location.into(),
            message: format!("`{key}` is not a dotted key like `lint.preset`"),
        });
    }
    let mut candidates = Vec::new();
    if let Ok(mut t) = toml::from_str::<toml::Table>(&format!("v = {raw}")) {
        candidates.extend(t.remove("v"));
    }
    candidates.push(toml::Value::String(raw.to_owned()));

    let mut first_error = None;
    for value in candidates {
        let table = nest(&path, value.clone());
        match toml::Value::Table(table).try_into::<Config>() {
            Ok(_) => {
                let mut layer = Layer::new();
                layer.insert(key.to_owned(), (value, origin));
                return Ok(layer);
            }
            Err(e) => {
                first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    let message = first_error.unwrap_or_default();
    match classify(&message, location.to_owned()) {
        ConfigError::UnknownKey { location, .. } => {
            let all = keys();
            let names: Vec<&str> = all.iter().map(String::as_str).collect();
            Err(ConfigError::UnknownKey {
                location,
                key: key.to_owned(),
                suggestion: nearest(key, &names).map(str::to_owned),
            })
        }
        other => Err(other),
    }
}

/// Turns a serde message into an unknown-key error (with the nearest expected name) or an
/// invalid-value error.
fn classify(message: &str, location: String) -> ConfigError {
    let message = message.trim();
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((key, expected)) = rest.split_once('`') {
            let names: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
            return ConfigError::UnknownKey {
                location,
                key: key.to_owned(),
                suggestion: nearest(key, &names).map(str::to_owned),
            };
        }
    }
    ConfigError::InvalidValue {
        location,
        message: message.to_owned(),
    }
}

fn nest(path: &[&str], value: toml::Value) -> toml::Table {
    let mut value = value;
    for part in path.iter().skip(1).rev() {
        let mut t = toml::Table::new();
        t.insert((*part).to_owned(), value);
        value = toml::Value::Table(t);
    }
    let mut top = toml::Table::new();
    top.insert(path[0].to_owned(), value);
    top
}

fn flatten(table: &toml::Table, prefix: &str, origin: &Origin, out: &mut Layer) {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(inner) => flatten(inner, &path, origin, out),
            other => {
                out.insert(path, (other.clone(), origin.clone()));
            }
        }
    }
}

fn unflatten(layer: &Layer) -> toml::Value {
    let mut root = toml::Table::new();
    for (key, (value, _)) in layer {
        let parts: Vec<&str> = key.split('.').collect();
        let mut table = &mut root;
        for part in &parts[..parts.len() - 1] {
            table = table
                .entry((*part).to_owned())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                .as_table_mut()
                .expect("a key path never passes through a value");
        }
        table.insert(parts[parts.len() - 1].to_owned(), value.clone());
    }
    toml::Value::Table(root)
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overrides(pairs: &[&str]) -> Vec<ConfigOverride> {
        pairs
            .iter()
            .map(|p| ConfigOverride::parse(p).unwrap())
            .collect()
    }

    #[test]
    fn later_layers_win_and_remember_their_origin() {
        let o = overrides(&["lint.preset=cpython"]);
        let loaded = load(&LoadOptions {
            env: vec![(
                "REVIEW_BRANCHES_BUGFIX".into(),
                r#"["3.14", "3.13"]"#.into(),
            )],
            overrides: &o,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(loaded.config.lint.preset, super::super::Preset::Cpython);
        assert_eq!(loaded.origin("lint.preset"), Some(&Origin::CommandLine));
        assert_eq!(loaded.config.branches.bugfix, ["3.14", "3.13"]);
        assert_eq!(
            loaded.origin("branches.bugfix"),
            Some(&Origin::Env("REVIEW_BRANCHES_BUGFIX".into()))
        );
        assert_eq!(loaded.origin("service.kind"), Some(&Origin::Default));
    }

    #[test]
    fn a_number_like_branch_name_stays_a_string() {
        let o = overrides(&["branches.default=3.14"]);
        let loaded = load(&LoadOptions {
            overrides: &o,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(loaded.config.branches.default.as_deref(), Some("3.14"));
    }

    #[test]
    fn unknown_override_key_suggests_the_nearest() {
        let o = overrides(&["lint.prest=cpython"]);
        let err = load(&LoadOptions {
            overrides: &o,
            ..Default::default()
        })
        .unwrap_err();
        match err {
            ConfigError::UnknownKey { suggestion, .. } => {
                assert_eq!(suggestion.as_deref(), Some("lint.preset"))
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn wrong_type_is_an_invalid_value() {
        let o = overrides(&["lint.preset=fancy"]);
        let err = load(&LoadOptions {
            overrides: &o,
            ..Default::default()
        })
        .unwrap_err();
        assert!(matches!(err, ConfigError::InvalidValue { .. }), "{err:?}");
    }

    #[test]
    fn line_column_counts_from_one() {
        assert_eq!(line_column("a\nbc = 1", 3), (2, 2));
        assert_eq!(line_column("x", 0), (1, 1));
    }
}
