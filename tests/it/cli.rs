//! The command frame: help, global flags, exit codes, output discipline.

use std::process::Stdio;

use crate::support::TestEnv;

/// Every command path, e.g. `["config", "show"]`, from the clap definitions.
fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut path = prefix.to_vec();
            path.push(sub.get_name().to_owned());
            out.push(path.clone());
            walk(sub, &path, out);
        }
    }
    let mut out = vec![Vec::new()];
    walk(&review::cli::command(), &[], &mut out);
    out
}

#[test]
fn help_of_every_command_is_snapshotted() {
    let env = TestEnv::new();
    for path in command_paths() {
        let run = env.run(env.work(), path.iter().chain([&"--help".to_owned()]));
        run.success();
        assert!(
            run.stderr.is_empty(),
            "help wrote to stderr: {}",
            run.stderr
        );
        let name = if path.is_empty() {
            "help-review".to_owned()
        } else {
            format!("help-{}", path.join("-"))
        };
        insta::assert_snapshot!(name, run.stdout);
    }
}

#[test]
fn every_command_is_listed_in_exactly_one_help_group() {
    let cmd = review::cli::command();
    let grouped: Vec<&str> = review::cli::COMMAND_GROUPS
        .iter()
        .flat_map(|(_, names)| names.iter().copied())
        .collect();
    let mut sorted = grouped.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), grouped.len(), "a command is listed twice");
    for sub in cmd.get_subcommands() {
        assert!(
            grouped.contains(&sub.get_name()),
            "`{}` is in no help group",
            sub.get_name()
        );
    }
    for name in grouped.iter().filter(|n| **n != "help") {
        assert!(
            cmd.find_subcommand(name).is_some(),
            "help lists unknown `{name}`"
        );
    }
}

#[test]
fn top_level_help_groups_commands() {
    let env = TestEnv::new();
    let run = env.run(env.work(), ["--help"]);
    run.success().stdout_has("Setup:\n  config ");
    assert!(
        !run.stdout.contains("Commands:"),
        "ungrouped listing shown too"
    );
}

#[test]
fn version_names_the_crate_version() {
    let env = TestEnv::new();
    env.run(env.work(), ["--version"])
        .success()
        .stdout_has(&format!("review {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn unknown_subcommand_suggests_the_nearest() {
    let env = TestEnv::new();
    env.run(env.work(), ["confg"])
        .code(2)
        .stderr_has("unrecognized subcommand 'confg'")
        .stderr_has("a similar subcommand exists: 'config'");
}

#[test]
fn no_subcommand_prints_help_and_fails() {
    let env = TestEnv::new();
    let run = env.run(env.work(), [] as [&str; 0]);
    run.code(2).stderr_has("Usage: review");
}

#[test]
fn config_override_without_equals_is_a_usage_error() {
    let env = TestEnv::new();
    let run = env.run(env.work(), ["--config", "lint.preset", "config", "show"]);
    run.code(2)
        .stderr_has("`lint.preset` is not KEY=VALUE; write it like `--config lint.preset=cpython`");
    assert!(run.stdout.is_empty());
}

#[test]
fn dash_c_runs_in_another_directory() {
    let env = TestEnv::new();
    let repo = env.repo("elsewhere");
    repo.write(".review.toml", "[lint]\npreset = \"cpython\"\n");
    let target = repo.path.to_str().unwrap();
    env.run(env.work(), ["-C", target, "config", "show"])
        .success()
        .stdout_has("preset = \"cpython\"");
}

#[test]
fn dash_c_to_a_missing_directory_fails_cleanly() {
    let env = TestEnv::new();
    let missing = env.work().join("missing");
    let run = env.run(
        env.work(),
        ["-C", missing.to_str().unwrap(), "config", "show"],
    );
    run.code(2)
        .stderr_has(&format!(
            "error: cannot change to directory `{}`",
            missing.display()
        ))
        .stderr_has("hint:");
    assert!(run.stdout.is_empty());
    assert!(!missing.exists());
}

#[test]
fn quiet_and_verbose_conflict() {
    let env = TestEnv::new();
    env.run(env.work(), ["-q", "-v", "config", "show"])
        .code(2)
        .stderr_has("cannot be used with");
}

#[test]
fn a_closed_stdout_pipe_exits_quietly() {
    let env = TestEnv::new();
    let mut child = env
        .review(env.work())
        .args(["completions", "zsh"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let env = TestEnv::new();
    let missing = env.work().join("missing");
    let dir = missing.to_str().unwrap();
    // The sealed environment sets NO_COLOR: auto stays plain, `always` still colours.
    let plain = env.run(env.work(), ["-C", dir, "config", "show"]);
    assert!(!plain.stderr.contains('\x1b'), "{:?}", plain.stderr);
    let forced = env.run(
        env.work(),
        ["--color", "always", "-C", dir, "config", "show"],
    );
    assert!(
        forced.stderr.contains("\x1b[1m\x1b[31merror:"),
        "{:?}",
        forced.stderr
    );
    let never = env
        .review(env.work())
        .env_remove("NO_COLOR")
        .args(["--color", "never", "-C", dir, "config", "show"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&never.stderr).contains('\x1b'));
}

/// `review` runs the commands that need only the repository itself and hands the others to
/// `review-full` beside it. Alone, it still runs its own; the others say what is missing and
/// how to install it, with exit 2.
#[test]
fn review_alone_runs_its_own_commands_and_names_what_is_missing_for_the_rest() {
    let env = TestEnv::new();
    let alone = env.work().join("alone");
    std::fs::create_dir_all(&alone).unwrap();
    let exe = alone.join("review");
    std::fs::copy(env!("CARGO_BIN_EXE_review"), &exe).unwrap();
    let run = |args: &[&str]| {
        let mut cmd = std::process::Command::new(&exe);
        env.seal(&mut cmd);
        let out = cmd.current_dir(env.work()).args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stdout, _) = run(&["completions", "bash"]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("_review()"), "{stdout}");
    for args in [&["status"][..], &["serve", "--help"], &["--version"]] {
        let (code, stdout, stderr) = run(args);
        assert_eq!(code, Some(2), "{args:?}");
        assert_eq!(stdout, "", "{args:?}");
        assert_eq!(
            stderr,
            "error: `review-full`, which runs this command, is not installed beside `review`\n\
             hint: install both programs together: `cargo install --path .` (or `cargo build \
             --release`)\n",
            "{args:?}"
        );
    }
}
