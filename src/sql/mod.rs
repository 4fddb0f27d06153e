//! SQL analysis on sqlparser: statement boundaries for running the statement under the cursor,
//! and adding partition filters to a query.

pub mod complete;
pub mod filter;
pub mod format;
pub mod statements;
