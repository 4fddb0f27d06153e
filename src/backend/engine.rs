//! The query engine interface every source implements.

use std::time::Duration;

use async_trait::async_trait;

use super::{QueryContext, QueryError, QueryId, QueryStatus, ResultPage};

/// Runs SQL in the background and reports state, statistics and results.
///
/// `submit` returns at once; the query runs in its own task until it ends or `cancel` stops it.
#[async_trait]
pub trait QueryEngine: Send + Sync {
    /// Starts a query and returns its id.
    async fn submit(&self, sql: &str, context: &QueryContext) -> Result<QueryId, QueryError>;

    /// Current state and statistics (live while running, final afterwards).
    async fn status(&self, id: &QueryId) -> Result<QueryStatus, QueryError>;

    /// Asks the query to stop. Returns once the engine has accepted the request.
    async fn cancel(&self, id: &QueryId) -> Result<(), QueryError>;

    /// A page of results of a finished query; `page_token` is the previous page's `next_token`.
    async fn results(
        &self,
        id: &QueryId,
        page_token: Option<&str>,
        max_rows: usize,
    ) -> Result<ResultPage, QueryError>;

    /// Forgets a query's results so their memory is freed.
    async fn release(&self, id: &QueryId);

    /// Names of the engine's SQL functions, for completion. Empty when the engine cannot list
    /// them.
    fn function_names(&self) -> Vec<String> {
        Vec::new()
    }

    /// Waits until the query reaches a terminal state. The default polls `status` with a
    /// backoff that starts fast (short queries finish in milliseconds) and settles at one
    /// second; engines that can be notified override it.
    async fn wait(&self, id: &QueryId) -> Result<QueryStatus, QueryError> {
        let mut delay = Duration::from_millis(5);
        loop {
            let status = self.status(id).await?;
            if status.state.is_terminal() {
                return Ok(status);
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(1));
        }
    }
}

/// Reads every page of a finished query's results (up to the engine's row limit) as one page.
/// Engines that page (Athena's `GetQueryResults`) are asked until they have no next page.
pub async fn all_results(engine: &dyn QueryEngine, id: &QueryId) -> Result<ResultPage, QueryError> {
    let mut page = engine.results(id, None, usize::MAX).await?;
    while let Some(token) = page.next_token.take() {
        let next = engine.results(id, Some(&token), usize::MAX).await?;
        page.append(next);
    }
    Ok(page)
}
