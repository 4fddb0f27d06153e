//! SQL analysis on sqlparser: statement boundaries for running the statement under the cursor,
//! adding partition filters to a query, and what a query scans (tables, columns, partition-key
//! conditions) for pruning hints and scan estimates.

pub mod analyze;
pub mod complete;
pub mod dates;
pub mod filter;
pub mod format;
pub mod params;
pub mod shape;
pub mod statements;
