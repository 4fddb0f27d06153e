//! The embedded engine: DataFusion over a folder of Hive-partitioned Parquet (the local lake),
//! or over a remote catalog's tables read from S3.

mod athena_scan;
mod catalog;
mod dialect;
pub mod discovery;
mod drift_guard;
mod engine;
mod errors;
mod estimate;
mod inline_files;
mod plan_tree;
mod remote;
mod scan_metrics;
mod yielding;

pub use catalog::{LocalCatalog, athena_type_name, columns_of};
pub use drift_guard::DriftGuardFactory;
pub use engine::{CATALOG_NAME, EngineOptions, LocalEngine};
pub use estimate::{FOOTER_SAMPLE, FooterSummary, spread_sample};
pub use remote::ObjectStoreFactory;
