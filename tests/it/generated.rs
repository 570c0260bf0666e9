//! Checked-in generated files (completions, man pages) and the configuration example.
//!
//! Refresh the generated files with `REVIEW_BLESS=1 cargo test --test it generated`.

use std::path::{Path, PathBuf};

use clap_complete::Shell;

use crate::support::TestEnv;

const REFRESH: &str = "REVIEW_BLESS=1 cargo test --test it generated";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bless() -> bool {
    std::env::var_os("REVIEW_BLESS").is_some()
}

/// Compares `fresh` with the checked-in file, or rewrites it when blessing.
fn check(path: &Path, fresh: &[u8]) -> Option<String> {
    if bless() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, fresh).unwrap();
        return None;
    }
    match std::fs::read(path) {
        Ok(old) if old == fresh => None,
        _ => Some(path.display().to_string()),
    }
}

#[test]
fn completions_are_current() {
    let env = TestEnv::new();
    let mut stale = Vec::new();
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::PowerShell,
        Shell::Elvish,
    ] {
        let out = env
            .review(env.work())
            .args(["completions", &shell.to_string()])
            .output()
            .unwrap();
        assert!(out.status.success());
        let name = review::cli::completions::file_name(shell);
        stale.extend(check(&root().join("completions").join(name), &out.stdout));
    }
    assert!(
        stale.is_empty(),
        "stale: {stale:?}; refresh with `{REFRESH}`"
    );
}

#[test]
fn man_pages_are_current() {
    let env = TestEnv::new();
    let fresh = env.work().join("man");
    env.run(env.work(), ["man", "--dir", fresh.to_str().unwrap()])
        .success();
    let mut names: Vec<String> = std::fs::read_dir(&fresh)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.contains(&"review.1".to_owned()));
    assert!(names.contains(&"review-config-show.1".to_owned()));
    let mut stale = Vec::new();
    for name in &names {
        let text = std::fs::read(fresh.join(name)).unwrap();
        stale.extend(check(&root().join("man").join(name), &text));
    }
    let mut checked_in: Vec<String> = std::fs::read_dir(root().join("man"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    checked_in.sort();
    if bless() {
        for extra in checked_in.iter().filter(|n| !names.contains(n)) {
            std::fs::remove_file(root().join("man").join(extra)).unwrap();
        }
    } else {
        assert_eq!(
            checked_in, names,
            "man/ has other pages; refresh with `{REFRESH}`"
        );
    }
    assert!(
        stale.is_empty(),
        "stale: {stale:?}; refresh with `{REFRESH}`"
    );
}

#[test]
fn man_prints_one_page_or_explains() {
    let env = TestEnv::new();
    env.run(env.work(), ["man", "config-show"])
        .success()
        .stdout_has(".TH review-config-show 1");
    env.run(env.work(), ["man", "config-shw"])
        .code(2)
        .stderr_has("no manual page for `config-shw`")
        .stderr_has("did you mean `config-show`?");
}

#[test]
fn man_to_an_unwritable_directory_fails_and_writes_nothing() {
    let env = TestEnv::new();
    let file = env.work().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let dir = file.join("man");
    let run = env.run(env.work(), ["man", "--dir", dir.to_str().unwrap()]);
    run.code(2)
        .stderr_has(&format!(
            "error: cannot write manual pages to `{}`",
            dir.display()
        ))
        .stderr_has("hint:");
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

#[test]
fn the_example_configuration_loads_with_the_real_loader() {
    let path = root().join(".review.toml.example");
    let origin = review::config::Origin::RepoFile(path.clone());
    review::config::file_layer(&path, origin).expect("example loads");
}

#[test]
fn the_example_configuration_documents_every_key() {
    let path = root().join(".review.toml.example");
    let origin = review::config::Origin::RepoFile(path.clone());
    let layer = review::config::file_layer(&path, origin).unwrap();
    let missing: Vec<String> = review::config::keys()
        .into_iter()
        .filter(|key| {
            !layer
                .keys()
                .any(|k| k == key || k.starts_with(&format!("{key}.")))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "keys missing from .review.toml.example: {missing:?}"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    for line in text
        .lines()
        .filter(|l| l.contains(" = ") && !l.trim_start().starts_with('#'))
    {
        assert!(
            line.contains('#'),
            "undocumented line in the example: {line}"
        );
    }
}
