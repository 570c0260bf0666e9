//! `review-full`: every command of `review`, including the service, the client of a review
//! service and the demo. `review` hands it what it does not run itself (see `cli::local`).

fn main() -> std::process::ExitCode {
    review::cli::main()
}
