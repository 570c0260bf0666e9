//! The rule catalogue, the presets and the per-rule settings from `[lint.rules.<ID>]`.

use std::collections::BTreeMap;

use glob::{MatchOptions, Pattern};

use super::LintError;
use crate::config::{Config, NewsFormat, Preset};

/// Every rule id with a one-line description (`review lint --help` and the README list them).
pub const RULES: &[(&str, &str)] = &[
    ("WS-TRAIL", "trailing whitespace on an added line"),
    (
        "WS-EOF",
        "a file must end with exactly one line ending (pre-commit end-of-file-fixer)",
    ),
    (
        "WS-EOL",
        "mixed line endings (pre-commit mixed-line-ending)",
    ),
    ("WS-TABS", "a TAB on an added line (Lucas-C remove-tabs)"),
    ("CONFLICT", "a merge-conflict marker on an added line"),
    (
        "PC-PY",
        "legacy patchcheck Python whitespace and indentation (reindent), opt-in",
    ),
    (
        "PC-C",
        "legacy patchcheck TABs in C files (untabify), opt-in",
    ),
    (
        "PC-DOC",
        "legacy patchcheck trailing whitespace and CRLF in Doc/ .rst and .inc, opt-in",
    ),
    (
        "SL-WS",
        "reST whitespace as sphinx-lint sees it: TABs, trailing blanks, final newline",
    ),
    (
        "SL-DR",
        "reST default role: single backticks without a role",
    ),
    ("NEWS-PATH", "a NEWS entry's directory and file name"),
    ("NEWS-BODY", "a NEWS entry's content"),
    ("NEWS-REQ", "the series needs a NEWS entry"),
    ("PC-REM", "patchcheck reminders, printed as notes"),
];

/// The rule list for `review lint --help`.
pub fn help_text() -> String {
    let mut text = String::from("Rules (switch and re-scope them in `[lint.rules.<ID>]`):\n");
    for (id, about) in RULES {
        text.push_str(&format!("  {id:<10} {about}\n"));
    }
    text
}

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
    rules: BTreeMap<&'static str, Settings>,
    pub news: NewsSettings,
}

fn patterns(globs: &[&str]) -> Vec<Pattern> {
    globs
        .iter()
        .map(|g| Pattern::new(g).expect("built-in globs are valid"))
        .collect()
}

fn preset_settings(preset: Preset, id: &str, news_on: bool) -> Settings {
    let cpython = preset == Preset::Cpython;
    let all = || patterns(&["*"]);
    let py = || patterns(&["*.py", "*.pyw"]);
    let (enabled, paths, exclude, tab_width, shebang) = match id {
        "WS-TRAIL" if cpython => (
            true,
            patterns(&["*.c", "*.h", "*.inc", "*.py", "*.pyw", "*.rst", "*.gram"]),
            vec![],
            4,
            true,
        ),
        "WS-TRAIL" => (true, all(), vec![], 4, false),
        "WS-EOF" if cpython => (
            true,
            py(),
            patterns(&["Lib/test/tokenizedata/coding20731.py"]),
            4,
            true,
        ),
        "WS-EOF" => (true, all(), vec![], 4, false),
        "WS-EOL" if cpython => (
            true,
            all(),
            patterns(&[
                "Lib/test/test_tomllib/data/invalid/multiline-basic-str/carriage-return.toml",
            ]),
            4,
            false,
        ),
        "WS-EOL" | "CONFLICT" => (true, all(), vec![], 4, false),
        "WS-TABS" => (
            cpython,
            py(),
            patterns(&["Makefile", "*/Makefile", "*.gitmodules"]),
            4,
            true,
        ),
        "PC-PY" => (
            false,
            patterns(&["*.py"]),
            patterns(&["Tools/c-analyzer/cpython/_parser.py"]),
            8,
            false,
        ),
        "PC-C" => (
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
        "PC-DOC" => (
            false,
            patterns(&["Doc/**/*.rst", "Doc/**/*.inc"]),
            vec![],
            4,
            false,
        ),
        "SL-DR" | "SL-WS" => (
            cpython,
            patterns(&["Doc/*.rst", "Misc/NEWS.d/*.rst"]),
            vec![],
            4,
            false,
        ),
        "NEWS-PATH" | "NEWS-BODY" | "NEWS-REQ" => (news_on, all(), vec![], 4, false),
        "PC-REM" => (cpython, all(), vec![], 4, false),
        other => unreachable!("rule {other} has no preset"),
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
        let ids: Vec<&str> = RULES.iter().map(|(id, _)| *id).collect();
        for id in config.lint.rules.keys() {
            if !ids.contains(&id.as_str()) {
                return Err(LintError::UnknownRule {
                    id: id.clone(),
                    suggestion: crate::config::nearest(id, &ids).map(str::to_owned),
                });
            }
        }
        let mut rules = BTreeMap::new();
        for (id, _) in RULES {
            let mut s = preset_settings(preset, id, news_on);
            if let Some(user) = config.lint.rules.get(*id) {
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
            }
            rules.insert(*id, s);
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

    pub fn get(&self, id: &str) -> &Settings {
        &self.rules[id]
    }

    pub fn enabled(&self, id: &str) -> bool {
        self.rules[id].enabled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_preset_runs_whitespace_rules_only() {
        let rules = Rules::from_config(&Config::default()).unwrap();
        for id in ["WS-TRAIL", "WS-EOF", "WS-EOL", "CONFLICT"] {
            assert!(rules.enabled(id), "{id}");
        }
        for id in [
            "WS-TABS",
            "PC-PY",
            "PC-C",
            "PC-DOC",
            "SL-DR",
            "SL-WS",
            "NEWS-PATH",
            "NEWS-REQ",
            "PC-REM",
        ] {
            assert!(!rules.enabled(id), "{id}");
        }
        assert!(rules.get("WS-TRAIL").selects("README.md", b""));
    }

    #[test]
    fn cpython_preset_scopes_like_cpython_pre_commit() {
        let mut config = Config::default();
        config.lint.preset = Preset::Cpython;
        let rules = Rules::from_config(&config).unwrap();
        let trail = rules.get("WS-TRAIL");
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
        let tabs = rules.get("WS-TABS");
        assert!(!tabs.selects("Lib/x.pyi", b"\tx: int\n"));
        assert!(tabs.selects("Tools/scripts/foo", b"#!/usr/bin/env python3\n\tpass\n"));
        // 4.13 #11: _parser.py is no longer excluded; 4.11 #15: coding20731.py is.
        assert!(tabs.selects("Tools/c-analyzer/cpython/_parser.py", b""));
        assert!(!rules
            .get("WS-EOF")
            .selects("Lib/test/tokenizedata/coding20731.py", b""));
        assert!(rules.enabled("NEWS-REQ"));
        for id in ["PC-PY", "PC-C", "PC-DOC"] {
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
        let pc = rules.get("PC-C");
        assert!(pc.selects("Include/x.h", b""), "4.3#12");
        assert!(pc.selects("Modules/clinic/x.c.h", b""), "4.3#13");
        assert!(!pc.selects("Modules/expat/xmlparse.c", b""), "4.3#14");
        assert!(!pc.selects("Lib/x.cpp", b""), "4.3 extra .cpp");
        assert!(
            !rules
                .get("PC-PY")
                .selects("Tools/c-analyzer/cpython/_parser.py", b""),
            "4.1 extra allow-list"
        );
    }

    fn with_rule_on(preset: Preset, id: &str) -> Rules {
        let mut config = Config::default();
        config.lint.preset = preset;
        config.lint.rules.insert(
            id.into(),
            crate::config::RuleConfig {
                enabled: Some(true),
                ..Default::default()
            },
        );
        Rules::from_config(&config).unwrap()
    }

    #[test]
    fn lints_4_4_pc_doc_scope() {
        for preset in [Preset::Generic, Preset::Cpython] {
            let rules = with_rule_on(preset, "PC-DOC");
            let doc = rules.get("PC-DOC");
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
        let doc = rules.get("PC-DOC");
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
        let pc = rules.get("PC-C");
        assert!(pc.enabled && pc.tab_width == 4);
        assert!(pc.selects("src/a/b.c", b""));
        assert!(!pc.selects("lib/b.c", b""));
    }
}
