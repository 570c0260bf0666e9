
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'review' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'review'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'review' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show or create configuration')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a completion script for your shell')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write the manual pages')
            [CompletionResult]::new('series', 'series', [CompletionResultType]::ParameterValue, 'Show the patch series of the current branch and whether it applies to each target')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the embedded review service')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Check what the series adds: whitespace, conflict markers, reST roles and NEWS entries')
            [CompletionResult]::new('news', 'news', [CompletionResultType]::ParameterValue, 'Write NEWS entries')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Install or remove the pre-push hook that lints what you push')
            [CompletionResult]::new('post', 'post', [CompletionResultType]::ParameterValue, 'Upload the series of the current branch for review')
            [CompletionResult]::new('backport', 'backport', [CompletionResultType]::ParameterValue, 'Carry a change''s series to another branch (a backport)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show a change''s checks: per target the apply verdict, each job and the gate state')
            [CompletionResult]::new('issue', 'issue', [CompletionResultType]::ParameterValue, 'Show an issue of the service''s tracker and the changes naming it')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the changes on the review service (open ones by default), newest first')
            [CompletionResult]::new('abandon', 'abandon', [CompletionResultType]::ParameterValue, 'Abandon a change: its jobs stop and it leaves the list of open changes')
            [CompletionResult]::new('download', 'download', [CompletionResultType]::ParameterValue, 'Fetch a version of a change into the local branch `review/<change>-v<N>`')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a change''s version: header, votes, unresolved threads, and the diff with its threads')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show what changed between two versions: the interdiff, or with `--range` the range-diff')
            [CompletionResult]::new('comments', 'comments', [CompletionResultType]::ParameterValue, 'List a change''s unresolved threads (`--all`: every thread), `path:line` first')
            [CompletionResult]::new('comment', 'comment', [CompletionResultType]::ParameterValue, 'Comment on a change: on the whole version, on a line of its diff, or in a thread')
            [CompletionResult]::new('vote', 'vote', [CompletionResultType]::ParameterValue, 'Vote on a change''s newest version: +1, -1, request-changes or withdraw')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'Approve a change for the merge gate (core developers and release managers)')
            [CompletionResult]::new('recheck', 'recheck', [CompletionResultType]::ParameterValue, 'Run a change''s failed checks again, e.g. after a known intermittent failure')
            [CompletionResult]::new('promote', 'promote', [CompletionResultType]::ParameterValue, 'Move a queued change to the head of a branch''s gate queue (release managers)')
            [CompletionResult]::new('dequeue', 'dequeue', [CompletionResultType]::ParameterValue, 'Take a change out of the merge gate''s queues, keeping its approval')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run the whole review workflow in a throw-away world, in under a minute')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Check a token against the review service and keep it in the OS keyring')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Forget the token of the review service')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'review;config' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective configuration')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented `.review.toml` at the top of the work tree')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'review;config;show' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; `json` prints `{"config": {...}, "origins": {"key": "origin"}}`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--origin', '--origin', [CompletionResultType]::ParameterName, 'Print one `key = value` line per setting with where it came from')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;config;init' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;config;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective configuration')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented `.review.toml` at the top of the work tree')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'review;config;help;show' {
            break
        }
        'review;config;help;init' {
            break
        }
        'review;config;help;help' {
            break
        }
        'review;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;man' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write every page into this directory instead of printing one')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;series' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--onto', '--onto', [CompletionResultType]::ParameterName, 'Measure the series against <REV> instead of the default branch: a branch, or any revision such as `HEAD~2` or a commit id (allows a detached HEAD)')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Check against <BRANCH>; repeat for several targets')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Nominate the targets from `[branches]` by the kind of change [default: feature]')
            [CompletionResult]::new('--compare', '--compare', [CompletionResultType]::ParameterName, 'Compare with an older version of the series, e.g. `main..feature-v1` or `feature-v1`')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; `json` prints the object described in the README')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--mbox', '--mbox', [CompletionResultType]::ParameterName, 'Print the series as an mbox (what `git format-patch --stdout` writes) and nothing else')
            [CompletionResult]::new('--no-stat', '--no-stat', [CompletionResultType]::ParameterName, 'Leave the diffstat out of the mbox')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;serve' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'The service directory (made by `review serve init`)')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'The address to listen on; port 0 picks a free port')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--exit-with-parent', '--exit-with-parent', [CompletionResultType]::ParameterName, 'Stop (as on SIGTERM) when the process that started this one ends, even if it was killed: for a program that runs the service as its child, as `review demo` does (Linux only)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create a service directory: a bare clone of the repository, `serve.toml`, the database')
            [CompletionResult]::new('user', 'user', [CompletionResultType]::ParameterValue, 'Add, list or remove the service''s users')
            [CompletionResult]::new('outbox', 'outbox', [CompletionResultType]::ParameterValue, 'List the notifications waiting to be sent to the issue tracker')
            [CompletionResult]::new('buildbot-config', 'buildbot-config', [CompletionResultType]::ParameterValue, 'Print the master.cfg fragment for the Buildbot platforms of serve.toml')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'review;serve;init' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The repository to serve (a path or URL); the service owns its bare clone from then on')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The project name (served as /git/<name>.git); defaults to the repository''s name')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;serve;user' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a user and print its token (shown only this once)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the users')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a user; its token stops working at once')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'review;serve;user;add' {
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'What the user may do')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'The service directory')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;serve;user;list' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'The service directory')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; `json` prints `{"users": [{"name": ..., "role": ...}]}`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;serve;user;remove' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'The service directory')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;serve;user;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a user and print its token (shown only this once)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the users')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a user; its token stops working at once')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'review;serve;user;help;add' {
            break
        }
        'review;serve;user;help;list' {
            break
        }
        'review;serve;user;help;remove' {
            break
        }
        'review;serve;user;help;help' {
            break
        }
        'review;serve;outbox' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'The service directory')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; `json` prints `{"pending": [...]}` (docs/json.md)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;serve;buildbot-config' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'The service directory')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;serve;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create a service directory: a bare clone of the repository, `serve.toml`, the database')
            [CompletionResult]::new('user', 'user', [CompletionResultType]::ParameterValue, 'Add, list or remove the service''s users')
            [CompletionResult]::new('outbox', 'outbox', [CompletionResultType]::ParameterValue, 'List the notifications waiting to be sent to the issue tracker')
            [CompletionResult]::new('buildbot-config', 'buildbot-config', [CompletionResultType]::ParameterValue, 'Print the master.cfg fragment for the Buildbot platforms of serve.toml')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'review;serve;help;init' {
            break
        }
        'review;serve;help;user' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Create a user and print its token (shown only this once)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the users')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a user; its token stops working at once')
            break
        }
        'review;serve;help;user;add' {
            break
        }
        'review;serve;help;user;list' {
            break
        }
        'review;serve;help;user;remove' {
            break
        }
        'review;serve;help;outbox' {
            break
        }
        'review;serve;help;buildbot-config' {
            break
        }
        'review;serve;help;help' {
            break
        }
        'review;lint' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; `json` prints one `lint-report` document (see README)')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, 'With `--pre-push`: the remote being pushed to (new branches start at its default branch)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--fix', '--fix', [CompletionResultType]::ParameterName, 'Repair what the series added in the work tree and print the changes as a diff')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'With `--fix`, also repair files with uncommitted changes (only lines still as committed)')
            [CompletionResult]::new('--skip-news', '--skip-news', [CompletionResultType]::ParameterName, 'The series needs no NEWS entry (same as a `Skip-News: <reason>` trailer)')
            [CompletionResult]::new('--pre-push', '--pre-push', [CompletionResultType]::ParameterName, 'Run as git''s pre-push hook: lint the commits named by git''s lines on stdin')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;news' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Write a NEWS entry for this change (blurb file or towncrier fragment)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'review;news;add' {
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'The entry''s text; without it `$GIT_EDITOR` or `$EDITOR` opens a template')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'The entry''s text; without it `$GIT_EDITOR` or `$EDITOR` opens a template')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Section (blurb, e.g. `Library` or `library`) or fragment type (towncrier, e.g. `bugfix`)')
            [CompletionResult]::new('--section', '--section', [CompletionResultType]::ParameterName, 'Section (blurb, e.g. `Library` or `library`) or fragment type (towncrier, e.g. `bugfix`)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Issue number: `118000`, `gh-118000`, `#118000` or the issue URL; blurb takes GitHub issues from 32426 on (default: from the branch name `gh-118000-...` or a `gh-issue:` trailer)')
            [CompletionResult]::new('--issue', '--issue', [CompletionResultType]::ParameterName, 'Issue number: `118000`, `gh-118000`, `#118000` or the issue URL; blurb takes GitHub issues from 32426 on (default: from the branch name `gh-118000-...` or a `gh-issue:` trailer)')
            [CompletionResult]::new('--cve', '--cve', [CompletionResultType]::ParameterName, 'CVE identifier of a Security entry (blurb), e.g. `CVE-2025-1234`')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;news;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Write a NEWS entry for this change (blurb file or towncrier fragment)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'review;news;help;add' {
            break
        }
        'review;news;help;help' {
            break
        }
        'review;hook' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install the pre-push hook (honours `core.hooksPath`; never overwrites another hook)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove the pre-push hook `review` installed (and restore a chained one)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'review;hook;install' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--chain', '--chain', [CompletionResultType]::ParameterName, 'Keep an existing pre-push hook and run it before `review lint`')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;hook;uninstall' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;hook;help' {
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install the pre-push hook (honours `core.hooksPath`; never overwrites another hook)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove the pre-push hook `review` installed (and restore a chained one)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'review;hook;help;install' {
            break
        }
        'review;hook;help;uninstall' {
            break
        }
        'review;hook;help;help' {
            break
        }
        'review;post' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Post for <BRANCH>; repeat for several targets (instead of nominating them by kind)')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'The kind of change; without `--target` it nominates the targets from `[branches]` [default: feature]')
            [CompletionResult]::new('--issue', '--issue', [CompletionResultType]::ParameterName, 'The issue the change resolves, e.g. `1234`, `bpo-1234` or `#1234`; without `--target` and `--kind` the targets are nominated from the issue''s type and affected versions')
            [CompletionResult]::new('--title', '--title', [CompletionResultType]::ParameterName, 'The change''s title [default: the first commit''s subject]')
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'Post the current branch as the series BRANCH carries in the change (`--change`, else the change this branch is linked to); the branch is based on BRANCH')
            [CompletionResult]::new('--change', '--change', [CompletionResultType]::ParameterName, 'With `--for`: the change to carry the series in')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; `json` prints the object described in the README')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--draft', '--draft', [CompletionResultType]::ParameterName, 'Post as a draft: checked, but not approvable until marked ready with `--ready`')
            [CompletionResult]::new('--ready', '--ready', [CompletionResultType]::ParameterName, 'Mark the change ready for review (it was posted with `--draft`)')
            [CompletionResult]::new('--all-or-nothing', '--all-or-nothing', [CompletionResultType]::ParameterName, 'Post nothing when the series does not apply to every target')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Do everything but the upload (and change nothing locally)')
            [CompletionResult]::new('--no-lint', '--no-lint', [CompletionResultType]::ParameterName, 'Post even when `review lint` finds problems in the series')
            [CompletionResult]::new('--skip-news', '--skip-news', [CompletionResultType]::ParameterName, 'The series needs no NEWS entry (as `review lint --skip-news`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation when the series is longer than `series.max-commits`')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation when the series is longer than `series.max-commits`')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;backport' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The branch to carry it to; repeat for several')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; `json` prints one object a line per branch, described in docs/json.md (post separately then: `review post --for BRANCH --format json`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--post', '--post', [CompletionResultType]::ParameterName, 'Post each backport once it is made')
            [CompletionResult]::new('--continue', '--continue', [CompletionResultType]::ParameterName, 'After resolving a conflict and `git add`ing the files: finish the pick (and go on)')
            [CompletionResult]::new('--abort', '--abort', [CompletionResultType]::ParameterName, 'Give up the backport in progress: back to the branch it started from')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;status' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; `json` prints the object described in the README')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Follow the change until every target has a final verdict and the gate is done with it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;issue' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; `json` prints the object of `GET /api/v1/issues/{reference}` (docs/json.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;list' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Show the merge gate''s queue of <BRANCH> (position, change, title, state)')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Only changes in this state [default: open]')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Only changes that target <BRANCH>')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; `json` prints the object described in the README')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--mine', '--mine', [CompletionResultType]::ParameterName, 'Only the changes you own')
            [CompletionResult]::new('--needs-review', '--needs-review', [CompletionResultType]::ParameterName, 'Only others'' open changes (not drafts) not yet approved on a target they apply to')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;abandon' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;download' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'The version [default: the newest]')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The target the series was applied to [default: its first target]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'review;show' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'The version [default: the newest]')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The target whose diff to show [default: the version''s first target]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; `json` prints the object described in docs/json.md')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--stat', '--stat', [CompletionResultType]::ParameterName, 'Only the files with their added and removed line counts')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'review;diff' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The target both versions were applied to [default: V2''s first target]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; `json` prints the service''s interdiff (docs/json.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--range', '--range', [CompletionResultType]::ParameterName, 'The per-commit range-diff instead of the tree interdiff')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;comments' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; `json` prints the threads (docs/json.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every thread, resolved ones too')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;comment' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'The comment''s text (Markdown-style code fences are kept as written)')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'The comment''s text (Markdown-style code fences are kept as written)')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Comment on a line of this file')
            [CompletionResult]::new('--line', '--line', [CompletionResultType]::ParameterName, 'The line (its number in the new file, or in the old one with `--old`), or lines `N-M`')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'The version commented on [default: the newest]')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The target whose diff the line is from [default: the version''s first target]')
            [CompletionResult]::new('--reply', '--reply', [CompletionResultType]::ParameterName, 'Answer in the thread of this comment')
            [CompletionResult]::new('--resolve', '--resolve', [CompletionResultType]::ParameterName, 'Resolve the thread of this comment')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; `json` prints every thread of the change (docs/json.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--old', '--old', [CompletionResultType]::ParameterName, 'The line is a removed line, numbered in the old file')
            [CompletionResult]::new('--edit', '--edit', [CompletionResultType]::ParameterName, 'Write the review in your editor: the diff quoted, comments typed under its lines')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'With `--edit`: send without asking for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'With `--edit`: send without asking for confirmation')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'review;vote' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('-m', '-m', [CompletionResultType]::ParameterName, 'Why, stored as a comment on the version')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'Why, stored as a comment on the version')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; `json` prints the tally (docs/json.md)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;approve' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Approve it for this branch only (repeatable) [default: every target it applies to]')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'The version you reviewed; refused if a newer one came since [default: the newest version, read from the service just before approving]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; `json` prints the object described in the README')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'review;recheck' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why the checks should run again (required), e.g. the issue of the known failure')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; `json` prints the object described in the README')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;promote' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'The branch whose queue it moves up in [default: the one it is queued on]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; `json` prints the object described in the README')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;dequeue' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format; `json` prints the object described in the README')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;demo' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Build the world in DIR (new or empty), keep it, and keep its service running until Ctrl-C')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;login' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The service''s base URL [default: `service.url`]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--token-stdin', '--token-stdin', [CompletionResultType]::ParameterName, 'Read the token from standard input (one line) instead of prompting')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;logout' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output: auto colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Run as if started in <PATH> (like `git -C`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The service''s base URL [default: `service.url`]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print less: `-q` hides progress, `-qq` hides warnings too')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more: `-v` explains, `-vv` shows every step')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'review;help' {
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'config')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'completions')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'man')
            [CompletionResult]::new('series', 'series', [CompletionResultType]::ParameterValue, 'series')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'serve')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'lint')
            [CompletionResult]::new('news', 'news', [CompletionResultType]::ParameterValue, 'news')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'hook')
            [CompletionResult]::new('post', 'post', [CompletionResultType]::ParameterValue, 'post')
            [CompletionResult]::new('backport', 'backport', [CompletionResultType]::ParameterValue, 'backport')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'status')
            [CompletionResult]::new('issue', 'issue', [CompletionResultType]::ParameterValue, 'issue')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'list')
            [CompletionResult]::new('abandon', 'abandon', [CompletionResultType]::ParameterValue, 'abandon')
            [CompletionResult]::new('download', 'download', [CompletionResultType]::ParameterValue, 'download')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'show')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'diff')
            [CompletionResult]::new('comments', 'comments', [CompletionResultType]::ParameterValue, 'comments')
            [CompletionResult]::new('comment', 'comment', [CompletionResultType]::ParameterValue, 'comment')
            [CompletionResult]::new('vote', 'vote', [CompletionResultType]::ParameterValue, 'vote')
            [CompletionResult]::new('approve', 'approve', [CompletionResultType]::ParameterValue, 'approve')
            [CompletionResult]::new('recheck', 'recheck', [CompletionResultType]::ParameterValue, 'recheck')
            [CompletionResult]::new('promote', 'promote', [CompletionResultType]::ParameterValue, 'promote')
            [CompletionResult]::new('dequeue', 'dequeue', [CompletionResultType]::ParameterValue, 'dequeue')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'demo')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'login')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'logout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'review;help;config' {
            break
        }
        'review;help;completions' {
            break
        }
        'review;help;man' {
            break
        }
        'review;help;series' {
            break
        }
        'review;help;serve' {
            break
        }
        'review;help;lint' {
            break
        }
        'review;help;news' {
            break
        }
        'review;help;hook' {
            break
        }
        'review;help;post' {
            break
        }
        'review;help;backport' {
            break
        }
        'review;help;status' {
            break
        }
        'review;help;issue' {
            break
        }
        'review;help;list' {
            break
        }
        'review;help;abandon' {
            break
        }
        'review;help;download' {
            break
        }
        'review;help;show' {
            break
        }
        'review;help;diff' {
            break
        }
        'review;help;comments' {
            break
        }
        'review;help;comment' {
            break
        }
        'review;help;vote' {
            break
        }
        'review;help;approve' {
            break
        }
        'review;help;recheck' {
            break
        }
        'review;help;promote' {
            break
        }
        'review;help;dequeue' {
            break
        }
        'review;help;demo' {
            break
        }
        'review;help;login' {
            break
        }
        'review;help;logout' {
            break
        }
        'review;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
