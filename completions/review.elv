
use builtin;
use str;

set edit:completion:arg-completer[review] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'review'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'review'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand config 'Show or create configuration'
            cand completions 'Print a completion script for your shell'
            cand man 'Write the manual pages'
            cand series 'Show the patch series of the current branch and whether it applies to each target'
            cand serve 'Run the embedded review service'
            cand lint 'Check what the series adds: whitespace, conflict markers, reST roles and NEWS entries'
            cand news 'Write NEWS entries'
            cand hook 'Install or remove the pre-push hook that lints what you push'
            cand post 'Upload the series of the current branch for review'
            cand backport 'Carry a change''s series to another branch (a backport)'
            cand status 'Show a change''s checks: per target the apply verdict, each job and the gate state'
            cand issue 'Show an issue of the service''s tracker and the changes naming it'
            cand list 'List the changes on the review service (open ones by default), newest first'
            cand abandon 'Abandon a change: its jobs stop and it leaves the list of open changes'
            cand download 'Fetch a version of a change into the local branch `review/<change>-v<N>`'
            cand show 'Show a change''s version: header, votes, unresolved threads, and the diff with its threads'
            cand diff 'Show what changed between two versions: the interdiff, or with `--range` the range-diff'
            cand comments 'List a change''s unresolved threads (`--all`: every thread), `path:line` first'
            cand comment 'Comment on a change: on the whole version, on a line of its diff, or in a thread'
            cand vote 'Vote on a change''s newest version: +1, -1, request-changes or withdraw'
            cand approve 'Approve a change for the merge gate (core developers and release managers)'
            cand recheck 'Run a change''s failed checks again, e.g. after a known intermittent failure'
            cand promote 'Move a queued change to the head of a branch''s gate queue (release managers)'
            cand dequeue 'Take a change out of the merge gate''s queues, keeping its approval'
            cand demo 'Run the whole review workflow in a throw-away world, in under a minute'
            cand login 'Check a token against the review service and keep it in the OS keyring'
            cand logout 'Forget the token of the review service'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'review;config'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand show 'Print the effective configuration'
            cand init 'Write a commented `.review.toml` at the top of the work tree'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'review;config;show'= {
            cand --format 'Output format; `json` prints `{"config": {...}, "origins": {"key": "origin"}}`'
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --origin 'Print one `key = value` line per setting with where it came from'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;config;init'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;config;help'= {
            cand show 'Print the effective configuration'
            cand init 'Write a commented `.review.toml` at the top of the work tree'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'review;config;help;show'= {
        }
        &'review;config;help;init'= {
        }
        &'review;config;help;help'= {
        }
        &'review;completions'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;man'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --dir 'Write every page into this directory instead of printing one'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;series'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --onto 'Measure the series against <REV> instead of the default branch: a branch, or any revision such as `HEAD~2` or a commit id (allows a detached HEAD)'
            cand --target 'Check against <BRANCH>; repeat for several targets'
            cand --kind 'Nominate the targets from `[branches]` by the kind of change [default: feature]'
            cand --compare 'Compare with an older version of the series, e.g. `main..feature-v1` or `feature-v1`'
            cand --format 'Output format; `json` prints the object described in the README'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand --mbox 'Print the series as an mbox (what `git format-patch --stdout` writes) and nothing else'
            cand --no-stat 'Leave the diffstat out of the mbox'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;serve'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --dir 'The service directory (made by `review serve init`)'
            cand --listen 'The address to listen on; port 0 picks a free port'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand --exit-with-parent 'Stop (as on SIGTERM) when the process that started this one ends, even if it was killed: for a program that runs the service as its child, as `review demo` does (Linux only)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Create a service directory: a bare clone of the repository, `serve.toml`, the database'
            cand user 'Add, list or remove the service''s users'
            cand outbox 'List the notifications waiting to be sent to the issue tracker'
            cand buildbot-config 'Print the master.cfg fragment for the Buildbot platforms of serve.toml'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'review;serve;init'= {
            cand --repo 'The repository to serve (a path or URL); the service owns its bare clone from then on'
            cand --name 'The project name (served as /git/<name>.git); defaults to the repository''s name'
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;serve;user'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand add 'Create a user and print its token (shown only this once)'
            cand list 'List the users'
            cand remove 'Remove a user; its token stops working at once'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'review;serve;user;add'= {
            cand --role 'What the user may do'
            cand --dir 'The service directory'
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;serve;user;list'= {
            cand --dir 'The service directory'
            cand --format 'Output format; `json` prints `{"users": [{"name": ..., "role": ...}]}`'
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;serve;user;remove'= {
            cand --dir 'The service directory'
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;serve;user;help'= {
            cand add 'Create a user and print its token (shown only this once)'
            cand list 'List the users'
            cand remove 'Remove a user; its token stops working at once'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'review;serve;user;help;add'= {
        }
        &'review;serve;user;help;list'= {
        }
        &'review;serve;user;help;remove'= {
        }
        &'review;serve;user;help;help'= {
        }
        &'review;serve;outbox'= {
            cand --dir 'The service directory'
            cand --format 'Output format; `json` prints `{"pending": [...]}` (docs/json.md)'
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;serve;buildbot-config'= {
            cand --dir 'The service directory'
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;serve;help'= {
            cand init 'Create a service directory: a bare clone of the repository, `serve.toml`, the database'
            cand user 'Add, list or remove the service''s users'
            cand outbox 'List the notifications waiting to be sent to the issue tracker'
            cand buildbot-config 'Print the master.cfg fragment for the Buildbot platforms of serve.toml'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'review;serve;help;init'= {
        }
        &'review;serve;help;user'= {
            cand add 'Create a user and print its token (shown only this once)'
            cand list 'List the users'
            cand remove 'Remove a user; its token stops working at once'
        }
        &'review;serve;help;user;add'= {
        }
        &'review;serve;help;user;list'= {
        }
        &'review;serve;help;user;remove'= {
        }
        &'review;serve;help;outbox'= {
        }
        &'review;serve;help;buildbot-config'= {
        }
        &'review;serve;help;help'= {
        }
        &'review;lint'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --format 'Output format; `json` prints one `lint-report` document (see README)'
            cand --remote 'With `--pre-push`: the remote being pushed to (new branches start at its default branch)'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand --fix 'Repair what the series added in the work tree and print the changes as a diff'
            cand --force 'With `--fix`, also repair files with uncommitted changes (only lines still as committed)'
            cand --skip-news 'The series needs no NEWS entry (same as a `Skip-News: <reason>` trailer)'
            cand --pre-push 'Run as git''s pre-push hook: lint the commits named by git''s lines on stdin'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;news'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand add 'Write a NEWS entry for this change (blurb file or towncrier fragment)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'review;news;add'= {
            cand -m 'The entry''s text; without it `$GIT_EDITOR` or `$EDITOR` opens a template'
            cand --message 'The entry''s text; without it `$GIT_EDITOR` or `$EDITOR` opens a template'
            cand -s 'Section (blurb, e.g. `Library` or `library`) or fragment type (towncrier, e.g. `bugfix`)'
            cand --section 'Section (blurb, e.g. `Library` or `library`) or fragment type (towncrier, e.g. `bugfix`)'
            cand -i 'Issue number: `118000`, `gh-118000`, `#118000` or the issue URL; blurb takes GitHub issues from 32426 on (default: from the branch name `gh-118000-...` or a `gh-issue:` trailer)'
            cand --issue 'Issue number: `118000`, `gh-118000`, `#118000` or the issue URL; blurb takes GitHub issues from 32426 on (default: from the branch name `gh-118000-...` or a `gh-issue:` trailer)'
            cand --cve 'CVE identifier of a Security entry (blurb), e.g. `CVE-2025-1234`'
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;news;help'= {
            cand add 'Write a NEWS entry for this change (blurb file or towncrier fragment)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'review;news;help;add'= {
        }
        &'review;news;help;help'= {
        }
        &'review;hook'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand install 'Install the pre-push hook (honours `core.hooksPath`; never overwrites another hook)'
            cand uninstall 'Remove the pre-push hook `review` installed (and restore a chained one)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'review;hook;install'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --chain 'Keep an existing pre-push hook and run it before `review lint`'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;hook;uninstall'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;hook;help'= {
            cand install 'Install the pre-push hook (honours `core.hooksPath`; never overwrites another hook)'
            cand uninstall 'Remove the pre-push hook `review` installed (and restore a chained one)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'review;hook;help;install'= {
        }
        &'review;hook;help;uninstall'= {
        }
        &'review;hook;help;help'= {
        }
        &'review;post'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --target 'Post for <BRANCH>; repeat for several targets (instead of nominating them by kind)'
            cand --kind 'The kind of change; without `--target` it nominates the targets from `[branches]` [default: feature]'
            cand --issue 'The issue the change resolves, e.g. `1234`, `bpo-1234` or `#1234`; without `--target` and `--kind` the targets are nominated from the issue''s type and affected versions'
            cand --title 'The change''s title [default: the first commit''s subject]'
            cand --for 'Post the current branch as the series BRANCH carries in the change (`--change`, else the change this branch is linked to); the branch is based on BRANCH'
            cand --change 'With `--for`: the change to carry the series in'
            cand --format 'Output format; `json` prints the object described in the README'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand --draft 'Post as a draft: checked, but not approvable until marked ready with `--ready`'
            cand --ready 'Mark the change ready for review (it was posted with `--draft`)'
            cand --all-or-nothing 'Post nothing when the series does not apply to every target'
            cand --dry-run 'Do everything but the upload (and change nothing locally)'
            cand --no-lint 'Post even when `review lint` finds problems in the series'
            cand --skip-news 'The series needs no NEWS entry (as `review lint --skip-news`)'
            cand -y 'Do not ask for confirmation when the series is longer than `series.max-commits`'
            cand --yes 'Do not ask for confirmation when the series is longer than `series.max-commits`'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;backport'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --to 'The branch to carry it to; repeat for several'
            cand --format 'Output format; `json` prints one object a line per branch, described in docs/json.md (post separately then: `review post --for BRANCH --format json`)'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand --post 'Post each backport once it is made'
            cand --continue 'After resolving a conflict and `git add`ing the files: finish the pick (and go on)'
            cand --abort 'Give up the backport in progress: back to the branch it started from'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;status'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --format 'Output format; `json` prints the object described in the README'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand --watch 'Follow the change until every target has a final verdict and the gate is done with it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;issue'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --format 'Output format; `json` prints the object of `GET /api/v1/issues/{reference}` (docs/json.md)'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;list'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --queue 'Show the merge gate''s queue of <BRANCH> (position, change, title, state)'
            cand --state 'Only changes in this state [default: open]'
            cand --target 'Only changes that target <BRANCH>'
            cand --format 'Output format; `json` prints the object described in the README'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand --mine 'Only the changes you own'
            cand --needs-review 'Only others'' open changes (not drafts) not yet approved on a target they apply to'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;abandon'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;download'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --version 'The version [default: the newest]'
            cand --target 'The target the series was applied to [default: its first target]'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'review;show'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --version 'The version [default: the newest]'
            cand --target 'The target whose diff to show [default: the version''s first target]'
            cand --format 'Output format; `json` prints the object described in docs/json.md'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand --stat 'Only the files with their added and removed line counts'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'review;diff'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --target 'The target both versions were applied to [default: V2''s first target]'
            cand --format 'Output format; `json` prints the service''s interdiff (docs/json.md)'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand --range 'The per-commit range-diff instead of the tree interdiff'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;comments'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --format 'Output format; `json` prints the threads (docs/json.md)'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand --all 'Every thread, resolved ones too'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;comment'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand -m 'The comment''s text (Markdown-style code fences are kept as written)'
            cand --message 'The comment''s text (Markdown-style code fences are kept as written)'
            cand --file 'Comment on a line of this file'
            cand --line 'The line (its number in the new file, or in the old one with `--old`), or lines `N-M`'
            cand --version 'The version commented on [default: the newest]'
            cand --target 'The target whose diff the line is from [default: the version''s first target]'
            cand --reply 'Answer in the thread of this comment'
            cand --resolve 'Resolve the thread of this comment'
            cand --format 'Output format; `json` prints every thread of the change (docs/json.md)'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand --old 'The line is a removed line, numbered in the old file'
            cand --edit 'Write the review in your editor: the diff quoted, comments typed under its lines'
            cand -y 'With `--edit`: send without asking for confirmation'
            cand --yes 'With `--edit`: send without asking for confirmation'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'review;vote'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand -m 'Why, stored as a comment on the version'
            cand --message 'Why, stored as a comment on the version'
            cand --format 'Output format; `json` prints the tally (docs/json.md)'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;approve'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --target 'Approve it for this branch only (repeatable) [default: every target it applies to]'
            cand --version 'The version you reviewed; refused if a newer one came since [default: the newest version, read from the service just before approving]'
            cand --format 'Output format; `json` prints the object described in the README'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'review;recheck'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --reason 'Why the checks should run again (required), e.g. the issue of the known failure'
            cand --format 'Output format; `json` prints the object described in the README'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;promote'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --target 'The branch whose queue it moves up in [default: the one it is queued on]'
            cand --format 'Output format; `json` prints the object described in the README'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;dequeue'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --format 'Output format; `json` prints the object described in the README'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;demo'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --keep 'Build the world in DIR (new or empty), keep it, and keep its service running until Ctrl-C'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;login'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --service 'The service''s base URL [default: `service.url`]'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand --token-stdin 'Read the token from standard input (one line) instead of prompting'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;logout'= {
            cand --color 'When to colour output: auto colours a terminal unless NO_COLOR is set'
            cand -C 'Run as if started in <PATH> (like `git -C`)'
            cand --config 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`'
            cand --service 'The service''s base URL [default: `service.url`]'
            cand -q 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand --quiet 'Print less: `-q` hides progress, `-qq` hides warnings too'
            cand -v 'Print more: `-v` explains, `-vv` shows every step'
            cand --verbose 'Print more: `-v` explains, `-vv` shows every step'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'review;help'= {
            cand config 'config'
            cand completions 'completions'
            cand man 'man'
            cand series 'series'
            cand serve 'serve'
            cand lint 'lint'
            cand news 'news'
            cand hook 'hook'
            cand post 'post'
            cand backport 'backport'
            cand status 'status'
            cand issue 'issue'
            cand list 'list'
            cand abandon 'abandon'
            cand download 'download'
            cand show 'show'
            cand diff 'diff'
            cand comments 'comments'
            cand comment 'comment'
            cand vote 'vote'
            cand approve 'approve'
            cand recheck 'recheck'
            cand promote 'promote'
            cand dequeue 'dequeue'
            cand demo 'demo'
            cand login 'login'
            cand logout 'logout'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'review;help;config'= {
        }
        &'review;help;completions'= {
        }
        &'review;help;man'= {
        }
        &'review;help;series'= {
        }
        &'review;help;serve'= {
        }
        &'review;help;lint'= {
        }
        &'review;help;news'= {
        }
        &'review;help;hook'= {
        }
        &'review;help;post'= {
        }
        &'review;help;backport'= {
        }
        &'review;help;status'= {
        }
        &'review;help;issue'= {
        }
        &'review;help;list'= {
        }
        &'review;help;abandon'= {
        }
        &'review;help;download'= {
        }
        &'review;help;show'= {
        }
        &'review;help;diff'= {
        }
        &'review;help;comments'= {
        }
        &'review;help;comment'= {
        }
        &'review;help;vote'= {
        }
        &'review;help;approve'= {
        }
        &'review;help;recheck'= {
        }
        &'review;help;promote'= {
        }
        &'review;help;dequeue'= {
        }
        &'review;help;demo'= {
        }
        &'review;help;login'= {
        }
        &'review;help;logout'= {
        }
        &'review;help;help'= {
        }
    ]
    $completions[$command]
}
