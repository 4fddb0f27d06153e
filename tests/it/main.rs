//! Every integration test in one binary: one link and one copy of the dependencies' debug info
//! on disk instead of one per test file.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic by design

mod app;
mod athena_bytes;
#[cfg(feature = "aws")]
mod aws;
mod chart;
mod cli;
mod common;
mod compact;
mod completion;
mod dialect;
mod discovery;
mod doctor;
mod editor;
mod engine;
mod estimate;
mod grid;
mod history;
mod keep;
mod layouts;
mod overlays;
mod parameters;
mod partitions;
mod plans;
mod pty;
mod result_tabs;
mod results_filter;
mod reuse;
mod serve;
mod snapshots;
