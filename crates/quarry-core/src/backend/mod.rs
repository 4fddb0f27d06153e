//! Sources behind one interface: catalog and query engine traits, their plain-data models, and
//! the implementations (`local`: a folder of Parquet on DataFusion; `aws`: Glue, Athena, S3).

pub mod aws;
mod catalog;
pub mod compare;
pub mod engine;
mod error;
pub mod local;
mod model;
mod saved_work;
mod scan;

pub use catalog::Catalog;
pub use engine::{QueryEngine, all_results, explain_plan};
pub use error::{CatalogError, QueryError, QueryErrorKind, SqlPosition};
pub use model::*;
pub use saved_work::SavedWork;
pub use scan::{EstimateBasis, PartitionMatcher, ScanEstimate, ScanRequest};
