//! The embedded local lake: a folder of Hive-partitioned Parquet queried by DataFusion.

mod catalog;
pub mod discovery;
mod engine;
mod errors;
mod scan_metrics;

pub use catalog::{LocalCatalog, athena_type_name, columns_of};
pub use engine::{CATALOG_NAME, EngineOptions, LocalEngine};
