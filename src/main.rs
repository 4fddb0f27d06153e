//! The `quarry` binary.

fn main() -> std::process::ExitCode {
    quarry::cli::main()
}
