//! quarry: a terminal workbench for data lakes built on "JSON events → Firehose → Parquet in S3
//! (year=/month=/day=) → Glue → Athena", with an embedded local lake on DataFusion.
//!
//! Layers point down: `cli` → `backend` (catalog and engine traits, sources) → `cost`, `lake`,
//! `text`. See `shared/DESIGN.md`.

pub mod app;
pub mod backend;
pub mod cli;
pub mod config;
pub mod cost;
pub mod estimate;
pub mod export;
pub mod ingest;
pub mod lake;
pub mod launch;
pub mod ledger;
pub mod output;
pub mod serve_cli;
pub mod session;
pub use quarry_sql as sql;
pub mod summary;
pub mod text;
pub mod tui;
pub mod ui;
