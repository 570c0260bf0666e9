//! `review config`: layers, origins, init, and every bad input named by the frame issue.

use crate::support::TestEnv;

#[test]
fn show_merges_layers_with_origins() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    std::fs::create_dir_all(env.xdg_config().join("review")).unwrap();
    std::fs::write(
        env.xdg_config().join("review/config.toml"),
        "[service]\nurl = \"http://127.0.0.1:9\"\nproject = \"user\"\n",
    )
    .unwrap();
    repo.write(
        ".review.toml",
        "[service]\nproject = \"demo\"\n[branches]\nbugfix = [\"3.14\", \"3.13\"]\n",
    );
    let run = repo
        .env
        .review(&repo.path)
        .env("REVIEW_LINT_PRESET", "cpython")
        .args([
            "--config",
            "branches.security=[\"3.12\"]",
            "config",
            "show",
            "--origin",
        ])
        .output()
        .unwrap();
    let run = crate::support::Run::from(run);
    run.success();
    let user_file = env.xdg_config().join("review/config.toml");
    let repo_file = repo.path.join(".review.toml");
    let lines: Vec<&str> = run.stdout.lines().collect();
    let line = |key: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("{key} = ")))
            .unwrap_or_else(|| panic!("no {key} in {}", run.stdout))
            .to_string()
    };
    assert!(line("service.url").ends_with(&format!("# {}", user_file.display())));
    assert!(line("service.project").contains("\"demo\""));
    assert!(line("service.project").ends_with(&format!("# {}", repo_file.display())));
    assert!(line("lint.preset").ends_with("# environment REVIEW_LINT_PRESET"));
    assert!(line("branches.security").ends_with("# --config"));
    assert!(line("branches.default").contains("\"main\""));
    assert!(line("branches.default").ends_with("# detected from the existing branch `main`"));
    assert!(line("service.kind").ends_with("# default"));
}

#[test]
fn show_json_is_the_documented_shape() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    let run = repo.review(["config", "show", "--format", "json"]);
    run.success();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["config"]["branches"]["default"], "main");
    assert_eq!(json["config"]["lint"]["preset"], "generic");
    assert_eq!(json["origins"]["lint.preset"], "default");
    assert_eq!(
        json["origins"]["branches.default"],
        "detected from the existing branch `main`"
    );
}

#[test]
fn default_branch_is_detected_from_the_upstream_remote_head() {
    let env = TestEnv::new();
    let upstream = env.repo("upstream");
    upstream.new_branch("trunk", "main").commit("on trunk");
    let clone = env.work().join("clone");
    env.git(
        env.work(),
        ["clone", "-q", upstream.path.to_str().unwrap(), "clone"],
    );
    let run = env.run(&clone, ["config", "show", "--origin"]);
    run.success()
        .stdout_has("branches.default = \"trunk\"")
        .stdout_has("detected from refs/remotes/origin/HEAD");
}

#[test]
fn show_works_outside_a_repository() {
    let env = TestEnv::new();
    let run = env.run(env.work(), ["config", "show"]);
    run.success().stdout_has("[lint]\npreset = \"generic\"");
}

/// Issue 17: the hint after `config init` names what an installed binary has, and that help
/// documents every key.
#[test]
fn init_hint_names_help_that_documents_every_key() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    repo.review(["config", "init"]).success().stderr_has(
        "hint: `review config init --help` documents every key; `review config show --origin` prints the effective values",
    );
    let help = repo.review(["config", "init", "--help"]);
    help.success();
    for key in [
        "[service]",
        "bugfix = [",
        "preset = ",
        "tab-width = ",
        "[news]",
    ] {
        assert!(help.stdout.contains(key), "{key}: {}", help.stdout);
    }
}

#[test]
fn init_writes_a_loadable_file_and_refuses_to_overwrite() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    std::fs::create_dir(repo.path.join("sub")).unwrap();
    env.run(repo.path.join("sub"), ["config", "init"])
        .success()
        .stderr_has("Created");
    let written = std::fs::read_to_string(repo.path.join(".review.toml")).unwrap();
    assert!(written.contains("default = \"main\"                 # the development branch\n"));
    repo.review(["config", "show", "--origin"])
        .success()
        .stdout_has(".review.toml");

    std::fs::write(repo.path.join(".review.toml"), "# mine\n").unwrap();
    repo.review(["config", "init"])
        .code(2)
        .stderr_has("already exists")
        .stderr_has("hint:");
    assert_eq!(
        std::fs::read_to_string(repo.path.join(".review.toml")).unwrap(),
        "# mine\n"
    );
}

#[test]
fn init_outside_a_repository_fails() {
    let env = TestEnv::new();
    let run = env.run(env.work(), ["config", "init"]);
    run.code(2).stderr_has("error: not a git repository");
    assert!(!env.work().join(".review.toml").exists());
}

#[test]
fn init_in_a_bare_repository_fails() {
    let env = TestEnv::new();
    let bare = env.bare_repo("bare.git");
    let run = env.run(&bare, ["config", "init"]);
    run.code(2)
        .stderr_has("is a bare repository; this command needs a work tree");
    assert!(!bare.join(".review.toml").exists());
}

#[test]
fn invalid_toml_names_file_line_and_column() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    repo.write(".review.toml", "[lint]\npreset = \n");
    let file = repo.path.join(".review.toml");
    repo.review(["config", "show"])
        .code(2)
        .stderr_has(&format!("error: invalid TOML in {}:2:10", file.display()));
}

#[test]
fn unknown_key_names_the_place_and_the_nearest_key() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    repo.write(".review.toml", "[lint]\nprest = \"cpython\"\n");
    let file = repo.path.join(".review.toml");
    let run = repo.review(["config", "show"]);
    run.code(2)
        .stderr_has(&format!(
            "error: unknown configuration key `prest` in {}:2:1",
            file.display()
        ))
        .stderr_has("hint: did you mean `preset`?");
    assert!(run.stdout.is_empty());
}

#[test]
fn unknown_section_suggests_the_nearest() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    repo.write(".review.toml", "[branchs]\ndefault = \"main\"\n");
    repo.review(["config", "show"])
        .code(2)
        .stderr_has("unknown configuration key `branchs`")
        .stderr_has("did you mean `branches`?");
}

#[test]
fn wrong_type_names_the_place_and_the_expectation() {
    let env = TestEnv::new();
    let repo = env.repo("proj");
    repo.write(".review.toml", "[branches]\nbugfix = \"3.13\"\n");
    let file = repo.path.join(".review.toml");
    repo.review(["config", "show"])
        .code(2)
        .stderr_has(&format!("error: invalid value in {}:2:10", file.display()))
        .stderr_has("expected a sequence");
}

#[test]
fn bad_environment_value_names_the_variable() {
    let env = TestEnv::new();
    let run = env
        .review(env.work())
        .env("REVIEW_LINT_PRESET", "fancy")
        .args(["config", "show"])
        .output()
        .unwrap();
    let run = crate::support::Run::from(run);
    run.code(2)
        .stderr_has("invalid value in environment variable `REVIEW_LINT_PRESET`")
        .stderr_has("unknown variant `fancy`");
}

#[test]
fn missing_review_config_file_is_an_error() {
    let env = TestEnv::new();
    let run = env
        .review(env.work())
        .env("REVIEW_CONFIG", env.work().join("nope.toml"))
        .args(["config", "show"])
        .output()
        .unwrap();
    crate::support::Run::from(run)
        .code(2)
        .stderr_has("`REVIEW_CONFIG` names");
}
