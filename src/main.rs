//! The `review` binary: the local commands, run here; the others are handed to `review-full`.

fn main() -> std::process::ExitCode {
    review::cli::local::main()
}
