//! Exit codes, and how a failure reaches the user: one line on standard error.

use std::process::ExitCode;

use crate::backend::QueryErrorKind;

/// Exit code for a query that failed.
pub const EXIT_QUERY_ERROR: u8 = 1;
/// Exit code for bad usage: flags, missing files, missing lake, missing credentials.
pub const EXIT_USAGE: u8 = 2;
/// `--compare`: the two engines' answers differ (or a side failed).
pub const EXIT_DIFFERENT: u8 = 3;
/// `quarry doctor` found errors (findings of severity `error`).
pub const EXIT_FINDINGS: u8 = 4;
/// Exit code after a crash, as Rust's own panics use.
pub const EXIT_CRASH: u8 = 101;
/// Exit code after Ctrl-C, as shells expect.
pub const EXIT_INTERRUPTED: u8 = 130;

/// Prints `quarry: message` on standard error and gives the exit code.
pub fn fail(code: u8, message: &dyn std::fmt::Display) -> ExitCode {
    say_line(&format!("quarry: {message}"));
    ExitCode::from(code)
}

/// Prints a line on standard error with every control and bidirectional character escaped:
/// messages quote data (a value that failed a cast) and folder names, which must never
/// move the cursor or retitle the terminal.
pub fn say_line(line: &str) {
    eprintln!("{}", crate::text::escape_control_keep_lines(line));
}

/// `eprintln!` through [`say_line`].
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::exit::say_line(&format!($($arg)*))
    };
}
pub(crate) use say;

pub fn describe_error(error: &crate::backend::QueryError) -> String {
    let label = match error.kind {
        QueryErrorKind::Syntax => "syntax error",
        QueryErrorKind::Planning => "query error",
        _ => "query failed",
    };
    format!("{label}: {error}")
}
