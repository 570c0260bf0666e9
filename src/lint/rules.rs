//! The presets and the per-rule settings from `[lint.rules.<ID>]` (the rules themselves are
//! in `table`).

use glob::{MatchOptions, Pattern};

use super::table::RuleId;
use super::LintError;
use crate::config::{Config, NewsFormat, Preset};

/// The settings one rule runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    pub enabled: bool,
    pub paths: Vec<Pattern>,
    pub exclude: Vec<Pattern>,
    pub tab_width: usize,
    /// Also select extensionless scripts whose shebang names python (identify's `python` tag).
    pub python_shebang: bool,
}

const MATCH: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: false,
    require_literal_leading_dot: false,
};

impl Settings {
    /// Whether the rule judges `path` (with `content` for the shebang test).
    pub fn selects(&self, path: &str, content: &[u8]) -> bool {
        if !self.enabled || self.exclude.iter().any(|p| p.matches_with(path, MATCH)) {
            return false;
        }
        self.paths.iter().any(|p| p.matches_with(path, MATCH))
            || (self.python_shebang && is_python_script(path, content))
    }
}

/// An extensionless file whose first line is a `#!` naming python.
pub fn is_python_script(path: &str, content: &[u8]) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.contains('.') || !content.starts_with(b"#!") {
        return false;
    }
    let first = content.split(|&b| b == b'\n').next().unwrap_or_default();
    first.windows(6).any(|w| w == b"python")
}

/// The NEWS settings after presets and `[news]`.
#[derive(Debug, Clone)]
pub struct NewsSettings {
    pub format: NewsFormat,
    pub directory: String,
    pub sections: Vec<String>,
    pub minimum_issue: u64,
    pub skip_paths: Vec<Pattern>,
    pub skip_trailer: String,
    pub extension: String,
}

impl NewsSettings {
    pub fn is_blurb(&self) -> bool {
        self.format == NewsFormat::Blurb
    }

    pub fn skips(&self, path: &str) -> bool {
        self.skip_paths.iter().any(|p| p.matches_with(path, MATCH))
    }
}

/// blurb 2.3.0's sections, in merge order.
pub const BLURB_SECTIONS: &[&str] = &[
    "Security",
    "Core and Builtins",
    "Library",
    "Documentation",
    "Tests",
    "Build",
    "Windows",
    "macOS",
    "iOS",
    "Android",
    "FreeBSD",
    "WASI",
    "Emscripten",
    "Unsupported platforms",
    "IDLE",
    "Tools/Demos",
    "C API",
];

/// towncrier's default fragment types.
pub const TOWNCRIER_TYPES: &[&str] = &["feature", "bugfix", "doc", "removal", "misc"];

/// Every rule's settings for one run.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Indexed by `RuleId as usize`.
    rules: [Settings; RuleId::ALL.len()],
    pub news: NewsSettings,
}

fn patterns(globs: &[&str]) -> Vec<Pattern> {
    globs
        .iter()
        .map(|g| Pattern::new(g).expect("built-in globs are valid"))
        .collect()
}

/// Python files in CPython that hold tab-separated data, not code: excluded from every rule
/// that judges TABs in Python (PC-PY's reindent, WS-TABS).
const PYTHON_DATA_FILES: &[&str] = &["Tools/c-analyzer/cpython/_parser.py"];

fn preset_settings(preset: Preset, id: RuleId, news_on: bool) -> Settings {
    let cpython = preset == Preset::Cpython;
    let all = || patterns(&["*"]);
    let py = || patterns(&["*.py", "*.pyw"]);
    let (enabled, paths, exclude, tab_width, shebang) = match id {
        RuleId::WsTrail if cpython => (
            true,
            patterns(&["*.c", "*.h", "*.inc", "*.py", "*.pyw", "*.rst", "*.gram"]),
            vec![],
            4,
            true,
        ),
        RuleId::WsTrail => (true, all(), vec![], 4, false),
        RuleId::WsEof if cpython => (
            true,
            py(),
            patterns(&["Lib/test/tokenizedata/coding20731.py"]),
            4,
            true,
        ),
        RuleId::WsEof => (true, all(), vec![], 4, false),
        RuleId::WsEol if cpython => (
            true,
            all(),
            patterns(&[
                "Lib/test/test_tomllib/data/invalid/multiline-basic-str/carriage-return.toml",
            ]),
            4,
            false,
        ),
        RuleId::WsEol | RuleId::Conflict => (true, all(), vec![], 4, false),
        RuleId::WsTabs => (
            cpython,
            py(),
            patterns(
                &[
                    &["Makefile", "*/Makefile", "*.gitmodules"],
                    PYTHON_DATA_FILES,
                ]
                .concat(),
            ),
            4,
            true,
        ),
        RuleId::PcPy => (
            false,
            patterns(&["*.py"]),
            patterns(PYTHON_DATA_FILES),
            8,
            false,
        ),
        RuleId::PcC => (
            false,
            patterns(&["*.c", "*.h"]),
            patterns(&[
                "Modules/_decimal/libmpdec/*",
                "Modules/expat/*",
                "Modules/zlib/*",
            ]),
            8,
            false,
        ),
        RuleId::PcDoc => (
            false,
            patterns(&["Doc/**/*.rst", "Doc/**/*.inc"]),
            vec![],
            4,
            false,
        ),
        RuleId::SlDr | RuleId::SlWs => (
            cpython,
            patterns(&["Doc/*.rst", "Misc/NEWS.d/*.rst"]),
            vec![],
            4,
            false,
        ),
        RuleId::NewsPath | RuleId::NewsBody | RuleId::NewsReq => (news_on, all(), vec![], 4, false),
        RuleId::PcRem => (cpython, all(), vec![], 4, false),
    };
    Settings {
        enabled,
        paths,
        exclude,
        tab_width,
        python_shebang: shebang,
    }
}

fn compile(globs: &[String], key: &str) -> Result<Vec<Pattern>, LintError> {
    globs
        .iter()
        .map(|g| {
            Pattern::new(g).map_err(|e| LintError::BadGlob {
                key: key.to_owned(),
                pattern: g.clone(),
                message: e.msg.to_owned(),
            })
        })
        .collect()
}

impl Rules {
    /// The preset's settings overlaid with `[lint.rules]` and `[news]`.
    pub fn from_config(config: &Config) -> Result<Rules, LintError> {
        let preset = config.lint.preset;
        let news_cfg = &config.news;
        let format = news_cfg.format.unwrap_or(match preset {
            Preset::Cpython => NewsFormat::Blurb,
            Preset::Generic => NewsFormat::None,
        });
        let news_on = format != NewsFormat::None;
        for id in config.lint.rules.keys() {
            if RuleId::from_id(id).is_none() {
                let ids = RuleId::ALL.map(RuleId::as_str);
                return Err(LintError::UnknownRule {
                    id: id.clone(),
                    suggestion: crate::suggest::nearest(id, &ids).map(str::to_owned),
                });
            }
        }
        let mut rules = RuleId::ALL.map(|id| preset_settings(preset, id, news_on));
        for (id, s) in RuleId::ALL.into_iter().zip(&mut rules) {
            if let Some(user) = config.lint.rules.get(id.as_str()) {
                user_settings(s, user, id)?;
            }
        }
        let default_sections: &[&str] = match format {
            NewsFormat::Towncrier => TOWNCRIER_TYPES,
            _ => BLURB_SECTIONS,
        };
        let extension = news_cfg.extension.clone().unwrap_or_else(|| "md".into());
        if !["md", "rst"].contains(&extension.as_str()) {
            return Err(LintError::InvalidSetting {
                key: "news.extension".into(),
                message: format!("`{extension}` is not `md` or `rst`"),
            });
        }
        let news = NewsSettings {
            format,
            directory: news_cfg
                .directory
                .clone()
                .unwrap_or_else(|| match format {
                    NewsFormat::Towncrier => "newsfragments".into(),
                    _ => "Misc/NEWS.d".into(),
                })
                .trim_end_matches('/')
                .to_owned(),
            sections: news_cfg
                .sections
                .clone()
                .unwrap_or_else(|| default_sections.iter().map(|s| (*s).to_owned()).collect()),
            minimum_issue: news_cfg.minimum_issue.unwrap_or(match preset {
                Preset::Cpython => 32426,
                Preset::Generic => 1,
            }),
            skip_paths: match &news_cfg.skip_paths {
                Some(globs) => compile(globs, "news.skip-paths")?,
                None => patterns(&["*.rst", "*.md", "*.nitignore"]),
            },
            skip_trailer: news_cfg
                .skip_trailer
                .clone()
                .unwrap_or_else(|| "Skip-News".into()),
            extension,
        };
        Ok(Rules { rules, news })
    }

    pub fn get(&self, id: RuleId) -> &Settings {
        &self.rules[id as usize]
    }

    pub fn enabled(&self, id: RuleId) -> bool {
        self.get(id).enabled
    }
}

/// Overlays `[lint.rules.<id>]` on the preset's settings.
fn user_settings(
    s: &mut Settings,
    user: &crate::config::RuleConfig,
    id: RuleId,
) -> Result<(), LintError> {
    let key = format!("lint.rules.{id}");
    if let Some(enabled) = user.enabled {
        s.enabled = enabled;
    }
    if let Some(paths) = &user.paths {
        s.paths = compile(paths, &format!("{key}.paths"))?;
        s.python_shebang = false;
    }
    if let Some(exclude) = &user.exclude {
        s.exclude = compile(exclude, &format!("{key}.exclude"))?;
    }
    if let Some(width) = user.tab_width {
        if width == 0 {
            return Err(LintError::InvalidSetting {
                key: format!("{key}.tab-width"),
                message: "must be at least 1".into(),
            });
        }
        s.tab_width = width;
    }
    Ok(())
}

#[cfg(test)]
impl Rules {
    /// The preset's rules with `id` switched on.
    pub(crate) fn with_rule_on(preset: Preset, id: RuleId) -> Rules {
        let mut config = Config::default();
        config.lint.preset = preset;
        config.lint.rules.insert(
            id.as_str().into(),
            crate::config::RuleConfig {
                enabled: Some(true),
                ..Default::default()
            },
        );
        Rules::from_config(&config).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_preset_runs_whitespace_rules_only() {
        let rules = Rules::from_config(&Config::default()).unwrap();
        for id in [
            RuleId::WsTrail,
            RuleId::WsEof,
            RuleId::WsEol,
            RuleId::Conflict,
        ] {
            assert!(rules.enabled(id), "{id}");
        }
        for id in [
            RuleId::WsTabs,
            RuleId::PcPy,
            RuleId::PcC,
            RuleId::PcDoc,
            RuleId::SlDr,
            RuleId::SlWs,
            RuleId::NewsPath,
            RuleId::NewsReq,
            RuleId::PcRem,
        ] {
            assert!(!rules.enabled(id), "{id}");
        }
        assert!(rules.get(RuleId::WsTrail).selects("README.md", b""));
    }

    #[test]
    fn cpython_preset_scopes_like_cpython_pre_commit() {
        let mut config = Config::default();
        config.lint.preset = Preset::Cpython;
        let rules = Rules::from_config(&config).unwrap();
        let trail = rules.get(RuleId::WsTrail);
        // LINTS.md 4.10 #12-#15: .gram, .inc and .h are selected; .md, .txt, .cpp, .pyi are not.
        for p in [
            "Grammar/python.gram",
            "Doc/library/token-list.inc",
            "Include/x.h",
        ] {
            assert!(trail.selects(p, b""), "{p}");
        }
        for p in ["README.md", "Lib/x.txt", "Modules/x.cpp", "Lib/x.pyi"] {
            assert!(!trail.selects(p, b""), "{p}");
        }
        // 4.13 #13, #14: .pyi is not python; a python shebang script is.
        let tabs = rules.get(RuleId::WsTabs);
        assert!(!tabs.selects("Lib/x.pyi", b"\tx: int\n"));
        assert!(tabs.selects("Tools/scripts/foo", b"#!/usr/bin/env python3\n\tpass\n"));
        // 4.13 #11 said _parser.py is no longer excluded, but its tab-separated tables gave 109
        // false WS-TABS findings on CPython's history (issue 17): PC-PY's data exclusion is shared.
        // 4.11 #15: coding20731.py is excluded.
        assert!(!tabs.selects("Tools/c-analyzer/cpython/_parser.py", b""));
        assert!(!rules
            .get(RuleId::PcPy)
            .selects("Tools/c-analyzer/cpython/_parser.py", b""));
        assert!(!rules
            .get(RuleId::WsEof)
            .selects("Lib/test/tokenizedata/coding20731.py", b""));
        assert!(rules.enabled(RuleId::NewsReq));
        for id in [RuleId::PcPy, RuleId::PcC, RuleId::PcDoc] {
            assert!(
                !rules.enabled(id),
                "{id} is opt-in in the cpython preset too"
            );
        }
        assert_eq!(rules.news.sections.len(), 17);
        assert_eq!(rules.news.minimum_issue, 32426);
    }

    #[test]
    fn lints_4_3_pc_c_scope() {
        let mut config = Config::default();
        config.lint.rules.insert(
            "PC-C".into(),
            crate::config::RuleConfig {
                enabled: Some(true),
                ..Default::default()
            },
        );
        let rules = Rules::from_config(&config).unwrap();
        let pc = rules.get(RuleId::PcC);
        assert!(pc.selects("Include/x.h", b""), "4.3#12");
        assert!(pc.selects("Modules/clinic/x.c.h", b""), "4.3#13");
        assert!(!pc.selects("Modules/expat/xmlparse.c", b""), "4.3#14");
        assert!(!pc.selects("Lib/x.cpp", b""), "4.3 extra .cpp");
        assert!(
            !rules
                .get(RuleId::PcPy)
                .selects("Tools/c-analyzer/cpython/_parser.py", b""),
            "4.1 extra allow-list"
        );
    }

    #[test]
    fn lints_4_4_pc_doc_scope() {
        for preset in [Preset::Generic, Preset::Cpython] {
            let rules = Rules::with_rule_on(preset, RuleId::PcDoc);
            let doc = rules.get(RuleId::PcDoc);
            let cases: &[(&str, &str, bool)] = &[
                ("4.4 Doc/ top level", "Doc/x.rst", true),
                ("4.4 Doc/ nested", "Doc/library/os.rst", true),
                ("4.4 .inc", "Doc/library/token-list.inc", true),
                (
                    "4.4 extra NEWS entry",
                    "Misc/NEWS.d/next/Library/x.rst",
                    false,
                ),
                ("4.4 extra Doc/conf.py", "Doc/conf.py", false),
                // 4.1#14, Part A: `Doc/` itself, not any path starting with `Doc`.
                ("4.1#14 Documentation/", "Documentation/notes.rst", false),
                ("4.4 reST outside Doc/", "Lib/x.rst", false),
            ];
            for (name, path, selected) in cases {
                assert_eq!(
                    doc.selects(path, b"Text \n"),
                    *selected,
                    "{name} {preset:?}"
                );
            }
        }
    }

    #[test]
    fn pc_doc_can_be_rescoped() {
        let mut config = Config::default();
        config.lint.rules.insert(
            "PC-DOC".into(),
            crate::config::RuleConfig {
                enabled: Some(true),
                paths: Some(vec!["docs/*.rst".into()]),
                exclude: Some(vec!["docs/generated/*".into()]),
                tab_width: None,
            },
        );
        let rules = Rules::from_config(&config).unwrap();
        let doc = rules.get(RuleId::PcDoc);
        assert!(doc.selects("docs/guide/intro.rst", b""));
        assert!(!doc.selects("docs/generated/api.rst", b""));
        assert!(!doc.selects("Doc/x.rst", b""));
    }

    #[test]
    fn unknown_rule_id_suggests_the_nearest() {
        let mut config = Config::default();
        config
            .lint
            .rules
            .insert("WS-TRIAL".into(), Default::default());
        match Rules::from_config(&config).unwrap_err() {
            LintError::UnknownRule { suggestion, .. } => {
                assert_eq!(suggestion.as_deref(), Some("WS-TRAIL"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn user_settings_override_the_preset() {
        let mut config = Config::default();
        config.lint.rules.insert(
            "PC-C".into(),
            crate::config::RuleConfig {
                enabled: Some(true),
                paths: Some(vec!["src/*.c".into()]),
                exclude: None,
                tab_width: Some(4),
            },
        );
        let rules = Rules::from_config(&config).unwrap();
        let pc = rules.get(RuleId::PcC);
        assert!(pc.enabled && pc.tab_width == 4);
        assert!(pc.selects("src/a/b.c", b""));
        assert!(!pc.selects("lib/b.c", b""));
    }
}
