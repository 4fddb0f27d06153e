//! The AWS source: Glue Data Catalog for tables and partitions, Athena for SQL, S3 for result
//! files and partition sizes. Nothing here knows about the UI; SDK types stay inside.
//!
//! Only [`AwsOptions`] is built without the `aws` feature: the command line and config name
//! the source either way, and a build without the SDK says it cannot open it.

mod options;

pub use options::{
    AwsOptions, DEFAULT_CATALOG, DEFAULT_UNLOAD_MIN_ROWS, DEFAULT_WORKGROUP, UnloadMode,
    UnloadPolicy,
};

/// Items that exist only with the AWS SDK (the `aws` feature).
macro_rules! with_sdk {
    ($($item:item)*) => { $(#[cfg(feature = "aws")] $item)* };
}

with_sdk! {
    mod athena;
    mod clients;
    mod compact;
    mod doctor;
    mod errors;
    mod estimate;
    mod execution;
    mod fetch;
    mod glue;
    pub mod projection;
    mod results;
    mod s3;
    mod stores;
    mod unload;
    mod workspace;

    pub use athena::AthenaEngine;
    pub use clients::{AwsClients, AwsSetupError};
    pub use errors::{AwsCallError, describe};
    pub use glue::{GlueCatalog, glue_expression};
    pub use results::{
        CsvNullMarker, CsvResultReader, ResultColumn, arrow_type_of, rows_to_batch, schema_of,
    };
    pub use s3::S3Location;
    pub use stores::S3Stores;
    pub use workspace::{NamedQuery, RecentExecution, Workspace};
}
