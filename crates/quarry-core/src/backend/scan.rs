//! Scan estimates: what a query will read of one table, asked of the catalog before the query
//! runs. The SQL layer decides which partitions and columns; the source measures them.

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use super::TableName;

/// A test on one partition's key values.
type PartitionTest = dyn Fn(&[String]) -> bool + Send + Sync;

/// The partitions a query may read: a test on key values (in key order), and the same
/// condition as a Glue `Expression` for sources that filter on the server.
#[derive(Clone)]
pub struct PartitionMatcher {
    test: Arc<PartitionTest>,
    /// `None` when the condition restricts nothing Glue can evaluate.
    pub glue_expression: Option<String>,
}

impl PartitionMatcher {
    /// Every partition.
    pub fn all() -> Self {
        Self::new(|_| true, None)
    }

    /// Partitions for which `test` holds.
    pub fn new(
        test: impl Fn(&[String]) -> bool + Send + Sync + 'static,
        glue_expression: Option<String>,
    ) -> Self {
        Self {
            test: Arc::new(test),
            glue_expression,
        }
    }

    /// True when the partition with these key values may be read.
    pub fn matches(&self, values: &[String]) -> bool {
        (self.test)(values)
    }
}

impl fmt::Debug for PartitionMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PartitionMatcher")
            .field("glue_expression", &self.glue_expression)
            .finish_non_exhaustive()
    }
}

/// One table scan to estimate.
#[derive(Debug, Clone)]
pub struct ScanRequest {
    pub table: TableName,
    pub partitions: PartitionMatcher,
    /// Lowercased names of the columns read; `None` reads every column.
    pub columns: Option<Vec<String>>,
}

impl ScanRequest {
    /// True when the request reads `column` (names compare case-insensitively).
    pub fn reads(&self, column: &str) -> bool {
        self.columns
            .as_ref()
            .is_none_or(|names| names.iter().any(|n| n.eq_ignore_ascii_case(column)))
    }
}

/// Where an estimate's bytes come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum EstimateBasis {
    /// Column chunk sizes from Parquet footers of `sampled` of the `files` matched (all of
    /// them when equal; else scaled up by object size).
    Footers { sampled: u64, files: u64 },
    /// Whole-object sizes from listings of `sized` of the `partitions` matched (scaled up when
    /// fewer): an upper bound, since Parquet lets engines skip unread columns.
    ObjectSizes { sized: u64, partitions: u64 },
}

/// What a scan will read, measured before it runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScanEstimate {
    pub partitions_matched: u64,
    /// Partitions of the table (0 for an unpartitioned table).
    pub partitions_total: u64,
    pub files: u64,
    /// Bytes of the objects in the matched partitions.
    pub object_bytes: u64,
    /// Bytes the query is expected to read.
    pub bytes: u64,
    pub basis: EstimateBasis,
}
