//! Configuration: typed sections, loaded in layers that each remember where a value came from.
//!
//! Layers, lowest first: built-in defaults; the user file (`$XDG_CONFIG_HOME/review/config.toml`
//! or `REVIEW_CONFIG`); the repository's `.review.toml`; `REVIEW_<SECTION>_<KEY>` environment
//! variables; `--config key=value`. See `load.rs` for the merge and `schema.rs` for the key list.

mod load;
mod schema;

pub use load::{
    file_layer, load, load_for_cwd, load_for_repo, ConfigError, ConfigOverride, Detect,
    LoadOptions, LoadedConfig, Origin, REPO_FILE_NAME,
};
pub use schema::{field_names, keys, sections};

use serde::{Deserialize, Serialize};

/// The whole configuration. Unknown keys are errors, so a typo never passes silently.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub service: ServiceConfig,
    pub branches: BranchesConfig,
    pub lint: LintConfig,
    pub news: NewsConfig,
    pub series: SeriesConfig,
}

/// The development branch when neither a layer nor the repository names one.
pub const FALLBACK_BRANCH: &str = "main";

impl Config {
    /// `branches.default`, else `main` (the loader fills it in from the repository when it can).
    pub fn default_branch(&self) -> String {
        self.branches
            .default
            .clone()
            .unwrap_or_else(|| FALLBACK_BRANCH.to_owned())
    }
}

impl crate::git::targets::BranchLists {
    /// The branches `[branches]` names, the default one filled in.
    pub fn from_config(config: &Config) -> Self {
        crate::git::targets::BranchLists {
            default: config.default_branch(),
            bugfix: config.branches.bugfix.clone(),
            security: config.branches.security.clone(),
        }
    }
}

impl crate::git::series::SeriesOptions {
    /// The series against the configured default branch (or `onto`), warning above
    /// `series.max-commits`. Lives here so that `git` needs nothing from `config`.
    pub fn from_config(config: &Config, onto: Option<String>) -> Self {
        crate::git::series::SeriesOptions {
            default_branch: config.default_branch(),
            onto,
            max_commits: config.series.max_commits,
        }
    }
}

/// `[service]`: where changes are posted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceConfig {
    /// Which kind of service speaks at `url`.
    pub kind: ServiceKind,
    /// Base URL of the service, e.g. `http://127.0.0.1:8080`.
    pub url: Option<String>,
    /// Project name on the service.
    pub project: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceKind {
    /// The embedded `review serve`.
    #[default]
    Native,
}

/// `[branches]`: the branches changes can target.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BranchesConfig {
    /// The development branch. Detected when unset (see `load.rs`).
    pub default: Option<String>,
    /// Maintained bugfix branches, newest first.
    pub bugfix: Vec<String>,
    /// Branches that take security fixes only.
    pub security: Vec<String>,
}

/// `[lint]`: which rules run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LintConfig {
    pub preset: Preset,
    /// Per-rule settings by rule id (`[lint.rules.WS-TABS]`), over the preset's defaults.
    pub rules: std::collections::BTreeMap<String, RuleConfig>,
}

/// `[lint.rules.<RULE-ID>]`: switch a rule on or off, re-scope it, set its options.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleConfig {
    /// On or off; unset keeps the preset's choice.
    pub enabled: Option<bool>,
    /// Globs of the paths the rule judges (`*` also matches `/`); unset keeps the preset's.
    pub paths: Option<Vec<String>>,
    /// Globs of paths the rule never judges.
    pub exclude: Option<Vec<String>>,
    /// Columns per TAB stop, for rules that expand TABs (WS-TABS, PC-C).
    pub tab_width: Option<usize>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    #[default]
    Generic,
    Cpython,
}

/// `[series]`: how a patch series is packaged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct SeriesConfig {
    /// Warn when a series has more commits than this.
    pub max_commits: usize,
}

impl Default for SeriesConfig {
    fn default() -> Self {
        SeriesConfig { max_commits: 10 }
    }
}

/// `[news]`: how NEWS entries are written and checked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct NewsConfig {
    /// `blurb`, `towncrier` or `none`; unset follows the lint preset.
    pub format: Option<NewsFormat>,
    /// Where entries live, relative to the top of the work tree.
    pub directory: Option<String>,
    /// blurb section names (in order), or towncrier fragment types.
    pub sections: Option<Vec<String>>,
    /// The lowest accepted `gh-issue` number.
    pub minimum_issue: Option<u64>,
    /// Globs: when every changed path matches one, no entry is required.
    pub skip_paths: Option<Vec<String>>,
    /// The commit-message trailer that skips the entry with a reason.
    pub skip_trailer: Option<String>,
    /// File extension of towncrier fragments: `md` or `rst`.
    pub extension: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NewsFormat {
    Blurb,
    Towncrier,
    None,
}
