//! The catalog interface every source implements.

use async_trait::async_trait;

use super::{
    CatalogError, Database, PartitionFilter, PartitionPage, ScanEstimate, ScanRequest, TableInfo,
    TableName,
};
use crate::doctor::{FixAction, Report};

/// Databases, tables and partitions of one source.
///
/// Calls are cheap to start and may be slow to finish (network, big folders); callers run them
/// in tasks and never on the UI thread.
#[async_trait]
pub trait Catalog: Send + Sync {
    /// All databases, sorted by name.
    async fn databases(&self) -> Result<Vec<Database>, CatalogError>;

    /// Table names of one database, sorted.
    async fn tables(&self, database: &str) -> Result<Vec<TableName>, CatalogError>;

    /// Columns, partition keys, location, format, properties and problems of one table.
    async fn table(&self, name: &TableName) -> Result<TableInfo, CatalogError>;

    /// One page of partitions in key order. `page_token` is the `next_token` of the previous
    /// page; `page_size` bounds how many come back so huge tables never load at once.
    async fn partitions(
        &self,
        name: &TableName,
        filter: &PartitionFilter,
        page_token: Option<&str>,
        page_size: usize,
    ) -> Result<PartitionPage, CatalogError>;

    /// How many partitions the table has, when the source can count them faster than paging
    /// through them (Glue: parallel segment scans; projection: arithmetic). `None` when not.
    async fn partition_count(&self, name: &TableName) -> Result<Option<u64>, CatalogError> {
        let _ = name;
        Ok(None)
    }

    /// Files and bytes of the partition at `location`, for sources whose partition pages come
    /// without sizes (Glue: an S3 listing). `None` when the source cannot tell.
    async fn partition_size(&self, location: &str) -> Result<Option<(u64, u64)>, CatalogError> {
        let _ = location;
        Ok(None)
    }

    /// What a scan of one table will read: matched partitions, files and bytes of the columns
    /// read, before the query runs. `None` when the source cannot tell.
    async fn estimate_scan(
        &self,
        request: &ScanRequest,
    ) -> Result<Option<ScanEstimate>, CatalogError> {
        let _ = request;
        Ok(None)
    }

    /// The lake doctor on one table: the catalog, the objects and every footer compared
    /// (`crate::doctor`). Reads every footer, so it is slow on big tables.
    async fn doctor(&self, name: &TableName) -> Result<Report, CatalogError> {
        Err(CatalogError::Service(format!(
            "this source cannot examine {name}"
        )))
    }

    /// Rows of every partition (its values and the sum of its files' footer row counts). Reads
    /// every footer, so callers run it on request.
    async fn partition_rows(
        &self,
        name: &TableName,
    ) -> Result<Vec<(Vec<String>, u64)>, CatalogError> {
        Err(CatalogError::Service(format!(
            "this source cannot count the rows of {name}'s partitions"
        )))
    }

    /// Applies a doctor's fix to the catalog; the answer says what changed.
    async fn apply_fix(
        &self,
        name: &TableName,
        action: &FixAction,
    ) -> Result<String, CatalogError> {
        let _ = action;
        Err(CatalogError::Service(format!(
            "this source has no catalog to change for {name}: its folders are its partitions"
        )))
    }
}
