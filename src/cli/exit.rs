//! Exit codes, and how a failure reaches the user: one line on standard error.

use std::process::ExitCode;

use crate::backend::QueryErrorKind;

/// Exit code for a query that failed.
pub const EXIT_QUERY_ERROR: u8 = 1;
/// Exit code for bad usage: flags, missing files, missing lake, missing credentials.
pub const EXIT_USAGE: u8 = 2;
/// `--compare`: the two engines' answers differ (or a side failed).
pub const EXIT_DIFFERENT: u8 = 3;
/// Exit code after a crash, as Rust's own panics use.
pub const EXIT_CRASH: u8 = 101;
/// Exit code after Ctrl-C, as shells expect.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Prints `quarry: message` on standard error and gives the exit code.
pub fn fail(code: u8, message: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("quarry: {message}");
    ExitCode::from(code)
}

pub fn describe_error(error: &crate::backend::QueryError) -> String {
    let label = match error.kind {
        QueryErrorKind::Syntax => "syntax error",
        QueryErrorKind::Planning => "query error",
        _ => "query failed",
    };
    format!("{label}: {error}")
}
