# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_review_global_optspecs
    string join \n q/quiet v/verbose color= C= config= h/help V/version
end

function __fish_review_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_review_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_review_using_subcommand
    set -l cmd (__fish_review_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c review -n "__fish_review_needs_command" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_needs_command" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_needs_command" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_needs_command" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_needs_command" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_needs_command" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_needs_command" -f -a "config" -d 'Show or create configuration'
complete -c review -n "__fish_review_needs_command" -f -a "completions" -d 'Print a completion script for your shell'
complete -c review -n "__fish_review_needs_command" -f -a "man" -d 'Write the manual pages'
complete -c review -n "__fish_review_needs_command" -f -a "series" -d 'Show the patch series of the current branch and whether it applies to each target'
complete -c review -n "__fish_review_needs_command" -f -a "serve" -d 'Run the embedded review service'
complete -c review -n "__fish_review_needs_command" -f -a "lint" -d 'Check what the series adds: whitespace, conflict markers, reST roles and NEWS entries'
complete -c review -n "__fish_review_needs_command" -f -a "news" -d 'Write NEWS entries'
complete -c review -n "__fish_review_needs_command" -f -a "hook" -d 'Install or remove the pre-push hook that lints what you push'
complete -c review -n "__fish_review_needs_command" -f -a "post" -d 'Upload the series of the current branch for review'
complete -c review -n "__fish_review_needs_command" -f -a "backport" -d 'Carry a change\'s series to another branch (a backport)'
complete -c review -n "__fish_review_needs_command" -f -a "status" -d 'Show a change\'s checks: per target the apply verdict, each job and the gate state'
complete -c review -n "__fish_review_needs_command" -f -a "issue" -d 'Show an issue of the service\'s tracker and the changes naming it'
complete -c review -n "__fish_review_needs_command" -f -a "list" -d 'List the changes on the review service (open ones by default), newest first'
complete -c review -n "__fish_review_needs_command" -f -a "abandon" -d 'Abandon a change: its jobs stop and it leaves the list of open changes'
complete -c review -n "__fish_review_needs_command" -f -a "download" -d 'Fetch a version of a change into the local branch `review/<change>-v<N>`'
complete -c review -n "__fish_review_needs_command" -f -a "show" -d 'Show a change\'s version: header, votes, unresolved threads, and the diff with its threads'
complete -c review -n "__fish_review_needs_command" -f -a "diff" -d 'Show what changed between two versions: the interdiff, or with `--range` the range-diff'
complete -c review -n "__fish_review_needs_command" -f -a "comments" -d 'List a change\'s unresolved threads (`--all`: every thread), `path:line` first'
complete -c review -n "__fish_review_needs_command" -f -a "comment" -d 'Comment on a change: on the whole version, on a line of its diff, or in a thread'
complete -c review -n "__fish_review_needs_command" -f -a "vote" -d 'Vote on a change\'s newest version: +1, -1, request-changes or withdraw'
complete -c review -n "__fish_review_needs_command" -f -a "approve" -d 'Approve a change for the merge gate (core developers and release managers)'
complete -c review -n "__fish_review_needs_command" -f -a "recheck" -d 'Run a change\'s failed checks again, e.g. after a known intermittent failure'
complete -c review -n "__fish_review_needs_command" -f -a "promote" -d 'Move a queued change to the head of a branch\'s gate queue (release managers)'
complete -c review -n "__fish_review_needs_command" -f -a "dequeue" -d 'Take a change out of the merge gate\'s queues, keeping its approval'
complete -c review -n "__fish_review_needs_command" -f -a "demo" -d 'Run the whole review workflow in a throw-away world, in under a minute'
complete -c review -n "__fish_review_needs_command" -f -a "login" -d 'Check a token against the review service and keep it in the OS keyring'
complete -c review -n "__fish_review_needs_command" -f -a "logout" -d 'Forget the token of the review service'
complete -c review -n "__fish_review_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c review -n "__fish_review_using_subcommand config; and not __fish_seen_subcommand_from show init help" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand config; and not __fish_seen_subcommand_from show init help" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand config; and not __fish_seen_subcommand_from show init help" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand config; and not __fish_seen_subcommand_from show init help" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand config; and not __fish_seen_subcommand_from show init help" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand config; and not __fish_seen_subcommand_from show init help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand config; and not __fish_seen_subcommand_from show init help" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand config; and not __fish_seen_subcommand_from show init help" -f -a "show" -d 'Print the effective configuration'
complete -c review -n "__fish_review_using_subcommand config; and not __fish_seen_subcommand_from show init help" -f -a "init" -d 'Write a commented `.review.toml` at the top of the work tree'
complete -c review -n "__fish_review_using_subcommand config; and not __fish_seen_subcommand_from show init help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c review -n "__fish_review_using_subcommand config; and __fish_seen_subcommand_from show" -l format -d 'Output format; `json` prints `{"config": {...}, "origins": {"key": "origin"}}`' -r -f -a "human\t'Text for people; may be coloured on a terminal'
json\t'One JSON document (or JSON Lines where the command says so), never coloured'"
complete -c review -n "__fish_review_using_subcommand config; and __fish_seen_subcommand_from show" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand config; and __fish_seen_subcommand_from show" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand config; and __fish_seen_subcommand_from show" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand config; and __fish_seen_subcommand_from show" -l origin -d 'Print one `key = value` line per setting with where it came from'
complete -c review -n "__fish_review_using_subcommand config; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand config; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand config; and __fish_seen_subcommand_from init" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand config; and __fish_seen_subcommand_from init" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand config; and __fish_seen_subcommand_from init" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand config; and __fish_seen_subcommand_from init" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand config; and __fish_seen_subcommand_from init" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand config; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand config; and __fish_seen_subcommand_from init" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the effective configuration'
complete -c review -n "__fish_review_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "init" -d 'Write a commented `.review.toml` at the top of the work tree'
complete -c review -n "__fish_review_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c review -n "__fish_review_using_subcommand completions" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand completions" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand completions" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand completions" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand completions" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand completions" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand man" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand man" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand man" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand man" -l dir -d 'Write every page into this directory instead of printing one' -r -F
complete -c review -n "__fish_review_using_subcommand man" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand man" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand man" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand series" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand series" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand series" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand series" -l onto -d 'Measure the series against <REV> instead of the default branch: a branch, or any revision such as `HEAD~2` or a commit id (allows a detached HEAD)' -r
complete -c review -n "__fish_review_using_subcommand series" -l target -d 'Check against <BRANCH>; repeat for several targets' -r
complete -c review -n "__fish_review_using_subcommand series" -l kind -d 'Nominate the targets from `[branches]` by the kind of change [default: feature]' -r -f -a "feature\t'The default branch only'
bugfix\t'The default branch and every maintained bugfix branch'
security\t'The default, bugfix and security-only branches'
docs\t'The default branch and the bugfix branches'"
complete -c review -n "__fish_review_using_subcommand series" -l compare -d 'Compare with an older version of the series, e.g. `main..feature-v1` or `feature-v1`' -r
complete -c review -n "__fish_review_using_subcommand series" -l format -d 'Output format; `json` prints the object described in the README' -r -f -a "human\t'Text for people; may be coloured on a terminal'
json\t'One JSON document (or JSON Lines where the command says so), never coloured'"
complete -c review -n "__fish_review_using_subcommand series" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand series" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand series" -l mbox -d 'Print the series as an mbox (what `git format-patch --stdout` writes) and nothing else'
complete -c review -n "__fish_review_using_subcommand series" -l no-stat -d 'Leave the diffstat out of the mbox'
complete -c review -n "__fish_review_using_subcommand series" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand series" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand serve; and not __fish_seen_subcommand_from init user outbox buildbot-config help" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand serve; and not __fish_seen_subcommand_from init user outbox buildbot-config help" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand serve; and not __fish_seen_subcommand_from init user outbox buildbot-config help" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand serve; and not __fish_seen_subcommand_from init user outbox buildbot-config help" -l dir -d 'The service directory (made by `review serve init`)' -r -F
complete -c review -n "__fish_review_using_subcommand serve; and not __fish_seen_subcommand_from init user outbox buildbot-config help" -l listen -d 'The address to listen on; port 0 picks a free port' -r
complete -c review -n "__fish_review_using_subcommand serve; and not __fish_seen_subcommand_from init user outbox buildbot-config help" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand serve; and not __fish_seen_subcommand_from init user outbox buildbot-config help" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand serve; and not __fish_seen_subcommand_from init user outbox buildbot-config help" -l exit-with-parent -d 'Stop (as on SIGTERM) when the process that started this one ends, even if it was killed: for a program that runs the service as its child, as `review demo` does (Linux only)'
complete -c review -n "__fish_review_using_subcommand serve; and not __fish_seen_subcommand_from init user outbox buildbot-config help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand serve; and not __fish_seen_subcommand_from init user outbox buildbot-config help" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand serve; and not __fish_seen_subcommand_from init user outbox buildbot-config help" -f -a "init" -d 'Create a service directory: a bare clone of the repository, `serve.toml`, the database'
complete -c review -n "__fish_review_using_subcommand serve; and not __fish_seen_subcommand_from init user outbox buildbot-config help" -f -a "user" -d 'Add, list or remove the service\'s users'
complete -c review -n "__fish_review_using_subcommand serve; and not __fish_seen_subcommand_from init user outbox buildbot-config help" -f -a "outbox" -d 'List the notifications waiting to be sent to the issue tracker'
complete -c review -n "__fish_review_using_subcommand serve; and not __fish_seen_subcommand_from init user outbox buildbot-config help" -f -a "buildbot-config" -d 'Print the master.cfg fragment for the Buildbot platforms of serve.toml'
complete -c review -n "__fish_review_using_subcommand serve; and not __fish_seen_subcommand_from init user outbox buildbot-config help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from init" -l repo -d 'The repository to serve (a path or URL); the service owns its bare clone from then on' -r
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from init" -l name -d 'The project name (served as /git/<name>.git); defaults to the repository\'s name' -r
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from init" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from init" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from init" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from init" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from init" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from init" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from user" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from user" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from user" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from user" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from user" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from user" -s h -l help -d 'Print help'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from user" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from user" -f -a "add" -d 'Create a user and print its token (shown only this once)'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from user" -f -a "list" -d 'List the users'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from user" -f -a "remove" -d 'Remove a user; its token stops working at once'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from user" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from outbox" -l dir -d 'The service directory' -r -F
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from outbox" -l format -d 'Output format; `json` prints `{"pending": [...]}` (docs/json.md)' -r -f -a "human\t'Text for people; may be coloured on a terminal'
json\t'One JSON document (or JSON Lines where the command says so), never coloured'"
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from outbox" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from outbox" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from outbox" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from outbox" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from outbox" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from outbox" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from outbox" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from buildbot-config" -l dir -d 'The service directory' -r -F
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from buildbot-config" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from buildbot-config" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from buildbot-config" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from buildbot-config" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from buildbot-config" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from buildbot-config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from buildbot-config" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from help" -f -a "init" -d 'Create a service directory: a bare clone of the repository, `serve.toml`, the database'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from help" -f -a "user" -d 'Add, list or remove the service\'s users'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from help" -f -a "outbox" -d 'List the notifications waiting to be sent to the issue tracker'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from help" -f -a "buildbot-config" -d 'Print the master.cfg fragment for the Buildbot platforms of serve.toml'
complete -c review -n "__fish_review_using_subcommand serve; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c review -n "__fish_review_using_subcommand lint" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand lint" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand lint" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand lint" -l format -d 'Output format; `json` prints one `lint-report` document (see README)' -r -f -a "human\t'Text for people; may be coloured on a terminal'
json\t'One JSON document (or JSON Lines where the command says so), never coloured'"
complete -c review -n "__fish_review_using_subcommand lint" -l remote -d 'With `--pre-push`: the remote being pushed to (new branches start at its default branch)' -r
complete -c review -n "__fish_review_using_subcommand lint" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand lint" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand lint" -l fix -d 'Repair what the series added in the work tree and print the changes as a diff'
complete -c review -n "__fish_review_using_subcommand lint" -l force -d 'With `--fix`, also repair files with uncommitted changes (only lines still as committed)'
complete -c review -n "__fish_review_using_subcommand lint" -l skip-news -d 'The series needs no NEWS entry (same as a `Skip-News: <reason>` trailer)'
complete -c review -n "__fish_review_using_subcommand lint" -l pre-push -d 'Run as git\'s pre-push hook: lint the commits named by git\'s lines on stdin'
complete -c review -n "__fish_review_using_subcommand lint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand lint" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand news; and not __fish_seen_subcommand_from add help" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand news; and not __fish_seen_subcommand_from add help" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand news; and not __fish_seen_subcommand_from add help" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand news; and not __fish_seen_subcommand_from add help" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand news; and not __fish_seen_subcommand_from add help" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand news; and not __fish_seen_subcommand_from add help" -s h -l help -d 'Print help'
complete -c review -n "__fish_review_using_subcommand news; and not __fish_seen_subcommand_from add help" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand news; and not __fish_seen_subcommand_from add help" -f -a "add" -d 'Write a NEWS entry for this change (blurb file or towncrier fragment)'
complete -c review -n "__fish_review_using_subcommand news; and not __fish_seen_subcommand_from add help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c review -n "__fish_review_using_subcommand news; and __fish_seen_subcommand_from add" -s m -l message -d 'The entry\'s text; without it `$GIT_EDITOR` or `$EDITOR` opens a template' -r
complete -c review -n "__fish_review_using_subcommand news; and __fish_seen_subcommand_from add" -s s -l section -d 'Section (blurb, e.g. `Library` or `library`) or fragment type (towncrier, e.g. `bugfix`)' -r
complete -c review -n "__fish_review_using_subcommand news; and __fish_seen_subcommand_from add" -s i -l issue -d 'Issue number: `118000`, `gh-118000`, `#118000` or the issue URL; blurb takes GitHub issues from 32426 on (default: from the branch name `gh-118000-...` or a `gh-issue:` trailer)' -r
complete -c review -n "__fish_review_using_subcommand news; and __fish_seen_subcommand_from add" -l cve -d 'CVE identifier of a Security entry (blurb), e.g. `CVE-2025-1234`' -r
complete -c review -n "__fish_review_using_subcommand news; and __fish_seen_subcommand_from add" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand news; and __fish_seen_subcommand_from add" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand news; and __fish_seen_subcommand_from add" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand news; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand news; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand news; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c review -n "__fish_review_using_subcommand news; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand news; and __fish_seen_subcommand_from help" -f -a "add" -d 'Write a NEWS entry for this change (blurb file or towncrier fragment)'
complete -c review -n "__fish_review_using_subcommand news; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c review -n "__fish_review_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall help" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall help" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall help" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall help" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall help" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall help" -s h -l help -d 'Print help'
complete -c review -n "__fish_review_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall help" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall help" -f -a "install" -d 'Install the pre-push hook (honours `core.hooksPath`; never overwrites another hook)'
complete -c review -n "__fish_review_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall help" -f -a "uninstall" -d 'Remove the pre-push hook `review` installed (and restore a chained one)'
complete -c review -n "__fish_review_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c review -n "__fish_review_using_subcommand hook; and __fish_seen_subcommand_from install" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand hook; and __fish_seen_subcommand_from install" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand hook; and __fish_seen_subcommand_from install" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand hook; and __fish_seen_subcommand_from install" -l chain -d 'Keep an existing pre-push hook and run it before `review lint`'
complete -c review -n "__fish_review_using_subcommand hook; and __fish_seen_subcommand_from install" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand hook; and __fish_seen_subcommand_from install" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand hook; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help'
complete -c review -n "__fish_review_using_subcommand hook; and __fish_seen_subcommand_from install" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -s h -l help -d 'Print help'
complete -c review -n "__fish_review_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "install" -d 'Install the pre-push hook (honours `core.hooksPath`; never overwrites another hook)'
complete -c review -n "__fish_review_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "uninstall" -d 'Remove the pre-push hook `review` installed (and restore a chained one)'
complete -c review -n "__fish_review_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c review -n "__fish_review_using_subcommand post" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand post" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand post" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand post" -l target -d 'Post for <BRANCH>; repeat for several targets (instead of nominating them by kind)' -r
complete -c review -n "__fish_review_using_subcommand post" -l kind -d 'The kind of change; without `--target` it nominates the targets from `[branches]` [default: feature]' -r -f -a "feature\t'The default branch only'
bugfix\t'The default branch and every maintained bugfix branch'
security\t'The default, bugfix and security-only branches'
docs\t'The default branch and the bugfix branches'"
complete -c review -n "__fish_review_using_subcommand post" -l issue -d 'The issue the change resolves, e.g. `1234`, `bpo-1234` or `#1234`; without `--target` and `--kind` the targets are nominated from the issue\'s type and affected versions' -r
complete -c review -n "__fish_review_using_subcommand post" -l title -d 'The change\'s title [default: the first commit\'s subject]' -r
complete -c review -n "__fish_review_using_subcommand post" -l for -d 'Post the current branch as the series BRANCH carries in the change (`--change`, else the change this branch is linked to); the branch is based on BRANCH' -r
complete -c review -n "__fish_review_using_subcommand post" -l change -d 'With `--for`: the change to carry the series in' -r
complete -c review -n "__fish_review_using_subcommand post" -l format -d 'Output format; `json` prints the object described in the README' -r -f -a "human\t'Text for people; may be coloured on a terminal'
json\t'One JSON document (or JSON Lines where the command says so), never coloured'"
complete -c review -n "__fish_review_using_subcommand post" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand post" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand post" -l draft -d 'Post as a draft: checked, but not approvable until marked ready with `--ready`'
complete -c review -n "__fish_review_using_subcommand post" -l ready -d 'Mark the change ready for review (it was posted with `--draft`)'
complete -c review -n "__fish_review_using_subcommand post" -l all-or-nothing -d 'Post nothing when the series does not apply to every target'
complete -c review -n "__fish_review_using_subcommand post" -l dry-run -d 'Do everything but the upload (and change nothing locally)'
complete -c review -n "__fish_review_using_subcommand post" -l no-lint -d 'Post even when `review lint` finds problems in the series'
complete -c review -n "__fish_review_using_subcommand post" -l skip-news -d 'The series needs no NEWS entry (as `review lint --skip-news`)'
complete -c review -n "__fish_review_using_subcommand post" -s y -l yes -d 'Do not ask for confirmation when the series is longer than `series.max-commits`'
complete -c review -n "__fish_review_using_subcommand post" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand post" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand backport" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand backport" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand backport" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand backport" -l to -d 'The branch to carry it to; repeat for several' -r
complete -c review -n "__fish_review_using_subcommand backport" -l format -d 'Output format; `json` prints one object a line per branch, described in docs/json.md (post separately then: `review post --for BRANCH --format json`)' -r -f -a "human\t'Text for people; may be coloured on a terminal'
json\t'One JSON document (or JSON Lines where the command says so), never coloured'"
complete -c review -n "__fish_review_using_subcommand backport" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand backport" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand backport" -l post -d 'Post each backport once it is made'
complete -c review -n "__fish_review_using_subcommand backport" -l continue -d 'After resolving a conflict and `git add`ing the files: finish the pick (and go on)'
complete -c review -n "__fish_review_using_subcommand backport" -l abort -d 'Give up the backport in progress: back to the branch it started from'
complete -c review -n "__fish_review_using_subcommand backport" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand backport" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand status" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand status" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand status" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand status" -l format -d 'Output format; `json` prints the object described in the README' -r -f -a "human\t'Text for people; may be coloured on a terminal'
json\t'One JSON document (or JSON Lines where the command says so), never coloured'"
complete -c review -n "__fish_review_using_subcommand status" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand status" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand status" -l watch -d 'Follow the change until every target has a final verdict and the gate is done with it'
complete -c review -n "__fish_review_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand status" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand issue" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand issue" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand issue" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand issue" -l format -d 'Output format; `json` prints the object of `GET /api/v1/issues/{reference}` (docs/json.md)' -r -f -a "human\t'Text for people; may be coloured on a terminal'
json\t'One JSON document (or JSON Lines where the command says so), never coloured'"
complete -c review -n "__fish_review_using_subcommand issue" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand issue" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand issue" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand issue" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand list" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand list" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand list" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand list" -l queue -d 'Show the merge gate\'s queue of <BRANCH> (position, change, title, state)' -r
complete -c review -n "__fish_review_using_subcommand list" -l state -d 'Only changes in this state [default: open]' -r -f -a "open\t''
abandoned\t''
merged\t''"
complete -c review -n "__fish_review_using_subcommand list" -l target -d 'Only changes that target <BRANCH>' -r
complete -c review -n "__fish_review_using_subcommand list" -l format -d 'Output format; `json` prints the object described in the README' -r -f -a "human\t'Text for people; may be coloured on a terminal'
json\t'One JSON document (or JSON Lines where the command says so), never coloured'"
complete -c review -n "__fish_review_using_subcommand list" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand list" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand list" -l mine -d 'Only the changes you own'
complete -c review -n "__fish_review_using_subcommand list" -l needs-review -d 'Only others\' open changes (not drafts) not yet approved on a target they apply to'
complete -c review -n "__fish_review_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand list" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand abandon" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand abandon" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand abandon" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand abandon" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand abandon" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand abandon" -s h -l help -d 'Print help'
complete -c review -n "__fish_review_using_subcommand abandon" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand download" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand download" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand download" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand download" -l version -d 'The version [default: the newest]' -r
complete -c review -n "__fish_review_using_subcommand download" -l target -d 'The target the series was applied to [default: its first target]' -r
complete -c review -n "__fish_review_using_subcommand download" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand download" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand download" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand show" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand show" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand show" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand show" -l version -d 'The version [default: the newest]' -r
complete -c review -n "__fish_review_using_subcommand show" -l target -d 'The target whose diff to show [default: the version\'s first target]' -r
complete -c review -n "__fish_review_using_subcommand show" -l format -d 'Output format; `json` prints the object described in docs/json.md' -r -f -a "human\t'Text for people; may be coloured on a terminal'
json\t'One JSON document (or JSON Lines where the command says so), never coloured'"
complete -c review -n "__fish_review_using_subcommand show" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand show" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand show" -l stat -d 'Only the files with their added and removed line counts'
complete -c review -n "__fish_review_using_subcommand show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand diff" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand diff" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand diff" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand diff" -l target -d 'The target both versions were applied to [default: V2\'s first target]' -r
complete -c review -n "__fish_review_using_subcommand diff" -l format -d 'Output format; `json` prints the service\'s interdiff (docs/json.md)' -r -f -a "human\t'Text for people; may be coloured on a terminal'
json\t'One JSON document (or JSON Lines where the command says so), never coloured'"
complete -c review -n "__fish_review_using_subcommand diff" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand diff" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand diff" -l range -d 'The per-commit range-diff instead of the tree interdiff'
complete -c review -n "__fish_review_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand diff" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand comments" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand comments" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand comments" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand comments" -l format -d 'Output format; `json` prints the threads (docs/json.md)' -r -f -a "human\t'Text for people; may be coloured on a terminal'
json\t'One JSON document (or JSON Lines where the command says so), never coloured'"
complete -c review -n "__fish_review_using_subcommand comments" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand comments" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand comments" -l all -d 'Every thread, resolved ones too'
complete -c review -n "__fish_review_using_subcommand comments" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand comments" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand comment" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand comment" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand comment" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand comment" -s m -l message -d 'The comment\'s text (Markdown-style code fences are kept as written)' -r
complete -c review -n "__fish_review_using_subcommand comment" -l file -d 'Comment on a line of this file' -r
complete -c review -n "__fish_review_using_subcommand comment" -l line -d 'The line (its number in the new file, or in the old one with `--old`), or lines `N-M`' -r
complete -c review -n "__fish_review_using_subcommand comment" -l version -d 'The version commented on [default: the newest]' -r
complete -c review -n "__fish_review_using_subcommand comment" -l target -d 'The target whose diff the line is from [default: the version\'s first target]' -r
complete -c review -n "__fish_review_using_subcommand comment" -l reply -d 'Answer in the thread of this comment' -r
complete -c review -n "__fish_review_using_subcommand comment" -l resolve -d 'Resolve the thread of this comment' -r
complete -c review -n "__fish_review_using_subcommand comment" -l format -d 'Output format; `json` prints every thread of the change (docs/json.md)' -r -f -a "human\t'Text for people; may be coloured on a terminal'
json\t'One JSON document (or JSON Lines where the command says so), never coloured'"
complete -c review -n "__fish_review_using_subcommand comment" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand comment" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand comment" -l old -d 'The line is a removed line, numbered in the old file'
complete -c review -n "__fish_review_using_subcommand comment" -l edit -d 'Write the review in your editor: the diff quoted, comments typed under its lines'
complete -c review -n "__fish_review_using_subcommand comment" -s y -l yes -d 'With `--edit`: send without asking for confirmation'
complete -c review -n "__fish_review_using_subcommand comment" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand vote" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand vote" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand vote" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand vote" -s m -l message -d 'Why, stored as a comment on the version' -r
complete -c review -n "__fish_review_using_subcommand vote" -l format -d 'Output format; `json` prints the tally (docs/json.md)' -r -f -a "human\t'Text for people; may be coloured on a terminal'
json\t'One JSON document (or JSON Lines where the command says so), never coloured'"
complete -c review -n "__fish_review_using_subcommand vote" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand vote" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand vote" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand vote" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand approve" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand approve" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand approve" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand approve" -l target -d 'Approve it for this branch only (repeatable) [default: every target it applies to]' -r
complete -c review -n "__fish_review_using_subcommand approve" -l version -d 'The version you reviewed; refused if a newer one came since [default: the newest version, read from the service just before approving]' -r
complete -c review -n "__fish_review_using_subcommand approve" -l format -d 'Output format; `json` prints the object described in the README' -r -f -a "human\t'Text for people; may be coloured on a terminal'
json\t'One JSON document (or JSON Lines where the command says so), never coloured'"
complete -c review -n "__fish_review_using_subcommand approve" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand approve" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand approve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand recheck" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand recheck" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand recheck" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand recheck" -l reason -d 'Why the checks should run again (required), e.g. the issue of the known failure' -r
complete -c review -n "__fish_review_using_subcommand recheck" -l format -d 'Output format; `json` prints the object described in the README' -r -f -a "human\t'Text for people; may be coloured on a terminal'
json\t'One JSON document (or JSON Lines where the command says so), never coloured'"
complete -c review -n "__fish_review_using_subcommand recheck" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand recheck" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand recheck" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand recheck" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand promote" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand promote" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand promote" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand promote" -l target -d 'The branch whose queue it moves up in [default: the one it is queued on]' -r
complete -c review -n "__fish_review_using_subcommand promote" -l format -d 'Output format; `json` prints the object described in the README' -r -f -a "human\t'Text for people; may be coloured on a terminal'
json\t'One JSON document (or JSON Lines where the command says so), never coloured'"
complete -c review -n "__fish_review_using_subcommand promote" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand promote" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand promote" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand promote" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand dequeue" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand dequeue" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand dequeue" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand dequeue" -l format -d 'Output format; `json` prints the object described in the README' -r -f -a "human\t'Text for people; may be coloured on a terminal'
json\t'One JSON document (or JSON Lines where the command says so), never coloured'"
complete -c review -n "__fish_review_using_subcommand dequeue" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand dequeue" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand dequeue" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand dequeue" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand demo" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand demo" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand demo" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand demo" -l keep -d 'Build the world in DIR (new or empty), keep it, and keep its service running until Ctrl-C' -r -F
complete -c review -n "__fish_review_using_subcommand demo" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand demo" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand demo" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand login" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand login" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand login" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand login" -l service -d 'The service\'s base URL [default: `service.url`]' -r
complete -c review -n "__fish_review_using_subcommand login" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand login" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand login" -l token-stdin -d 'Read the token from standard input (one line) instead of prompting'
complete -c review -n "__fish_review_using_subcommand login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c review -n "__fish_review_using_subcommand login" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand logout" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c review -n "__fish_review_using_subcommand logout" -s C -d 'Run as if started in <PATH> (like `git -C`)' -r -F
complete -c review -n "__fish_review_using_subcommand logout" -l config -d 'Override a configuration value for this run, e.g. `--config lint.preset=cpython`' -r
complete -c review -n "__fish_review_using_subcommand logout" -l service -d 'The service\'s base URL [default: `service.url`]' -r
complete -c review -n "__fish_review_using_subcommand logout" -s q -l quiet -d 'Print less: `-q` hides progress, `-qq` hides warnings too'
complete -c review -n "__fish_review_using_subcommand logout" -s v -l verbose -d 'Print more: `-v` explains, `-vv` shows every step'
complete -c review -n "__fish_review_using_subcommand logout" -s h -l help -d 'Print help'
complete -c review -n "__fish_review_using_subcommand logout" -s V -l version -d 'Print version'
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "config"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "completions"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "man"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "series"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "serve"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "lint"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "news"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "hook"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "post"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "backport"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "status"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "issue"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "list"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "abandon"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "download"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "show"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "diff"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "comments"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "comment"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "vote"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "approve"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "recheck"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "promote"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "dequeue"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "demo"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "login"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "logout"
complete -c review -n "__fish_review_using_subcommand help; and not __fish_seen_subcommand_from config completions man series serve lint news hook post backport status issue list abandon download show diff comments comment vote approve recheck promote dequeue demo login logout help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
