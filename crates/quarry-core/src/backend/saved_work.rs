//! Work a source keeps on its own side: Athena's named queries, its workgroup's recent
//! executions and per-query scan limit. The TUI lists them beside the local history and
//! saved-query files; a source without them (the local lake) has none.

use async_trait::async_trait;

use crate::history::QueryItem;

/// A source's own saved work. Errors are sentences for the status line.
#[async_trait]
pub trait SavedWork: Send + Sync {
    /// The named queries, listed beside the saved-query files.
    async fn named_queries(&self) -> Result<Vec<QueryItem>, String>;

    /// The most recent runs, newest first, listed beside the local history.
    async fn recent_runs(&self) -> Result<Vec<QueryItem>, String>;

    /// Saves `sql` under `name` for `database`; answers the saved query's id.
    async fn save_named_query(
        &self,
        name: &str,
        database: &str,
        sql: &str,
    ) -> Result<String, String>;

    /// The most a query may scan, when the source sets a limit (the cost guard warns first).
    async fn scan_cutoff(&self) -> Result<Option<u64>, String>;
}
