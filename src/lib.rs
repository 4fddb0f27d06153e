//! quarry: a terminal workbench for data lakes built on "JSON events → Firehose → Parquet in S3
//! (year=/month=/day=) → Glue → Athena", with an embedded local lake on DataFusion.
//!
//! This crate is the terminal half: `cli` (arguments, exit codes, the headless query runner,
//! start-up), `tui` (terminal, event loop, effects run in tokio tasks), `ui` (drawing from
//! state only) and `app` (state and the one `update` that changes it). Everything else lives in
//! `quarry-core` and `quarry-ingest`, re-exported here under the names the code has always
//! used. `ARCHITECTURE.md` is the map.

pub mod app;
pub mod cli;
pub mod config;
pub mod tui;
pub mod ui;

pub use quarry_core::{
    backend, cache, chart, cost, doctor, estimate, export, history, jsonl, lake, ledger, session,
    sql, summary, text,
};
pub use quarry_ingest as ingest;
