//! quarry's core: everything that is not a terminal. The backends behind one catalog and one
//! engine interface (the local lake on DataFusion, the AWS source on Glue, Athena and S3), scan
//! estimates and Athena's pricing, the lake writer and the demo lake, result writers, and the
//! files kept between runs (history, ledger, session).
//!
//! Nothing here draws or reads keys: this crate's dependency tree holds no ratatui or
//! crossterm, and CI checks it (`.ci/run`). See `ARCHITECTURE.md`.

pub mod backend;
pub mod cache;
pub mod chart;
pub mod cost;
pub mod doctor;
pub mod estimate;
pub mod export;
pub mod history;
pub mod jsonl;
pub mod lake;
pub mod ledger;
pub mod session;
pub mod summary;
pub mod text;

pub use quarry_sql as sql;
