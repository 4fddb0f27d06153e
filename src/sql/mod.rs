//! SQL analysis on sqlparser: statement boundaries for running the statement under the cursor.

pub mod statements;
