//! The query engine interface every source implements.

use std::time::Duration;

use async_trait::async_trait;

use super::{PlanNode, QueryContext, QueryError, QueryId, QueryStatus, ResultPage};

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

    /// The plan a finished query ran with and what each part of it measured; `None` when the
    /// engine keeps no plan (Athena's stages come with its statistics instead).
    async fn plan(&self, _id: &QueryId) -> Result<Option<PlanNode>, QueryError> {
        Ok(None)
    }

    /// Names of the engine's SQL functions, for completion. Empty when the engine cannot list
    /// them.
    fn function_names(&self) -> Vec<String> {
        Vec::new()
    }

    /// Waits until the query reaches a terminal state. The default polls `status` with a
    /// backoff that starts fast (short queries finish in milliseconds) and settles at one
    /// second; engines that can be notified override it.
    async fn wait(&self, id: &QueryId) -> Result<QueryStatus, QueryError> {
        let backoff = Backoff::doubling(Duration::from_millis(5), Duration::from_secs(1));
        wait_polling(self, id, backoff).await
    }
}

/// How long to wait between two polls: `first`, then each wait `growth` times the last (a
/// ratio, numerator over denominator), never more than `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
    pub growth: (u32, u32),
}

impl Backoff {
    /// Doubling from `first` up to `max`.
    pub const fn doubling(first: Duration, max: Duration) -> Self {
        Self {
            first,
            max,
            growth: (2, 1),
        }
    }
}

/// Polls `engine.status` until the query ends, waiting as `backoff` says between polls. With a
/// `deadline`, gives up after it and answers `None`.
pub async fn poll_until_ended<E: QueryEngine + ?Sized>(
    engine: &E,
    id: &QueryId,
    backoff: Backoff,
    deadline: Option<Duration>,
) -> Result<Option<QueryStatus>, QueryError> {
    let started = tokio::time::Instant::now();
    let mut delay = backoff.first;
    loop {
        let status = engine.status(id).await?;
        if status.state.is_terminal() {
            return Ok(Some(status));
        }
        if deadline.is_some_and(|d| started.elapsed() >= d) {
            return Ok(None);
        }
        tokio::time::sleep(delay).await;
        delay = (delay * backoff.growth.0 / backoff.growth.1.max(1)).min(backoff.max);
    }
}

/// Polls until the query ends, however long it takes.
pub async fn wait_polling<E: QueryEngine + ?Sized>(
    engine: &E,
    id: &QueryId,
    backoff: Backoff,
) -> Result<QueryStatus, QueryError> {
    // Without a deadline the poll ends only with the query, so `None` is never seen.
    poll_until_ended(engine, id, backoff, None)
        .await?
        .ok_or_else(|| {
            QueryError::new(
                super::QueryErrorKind::Execution,
                format!("waiting for {id} ended without an answer"),
            )
        })
}

/// The plan of `sql` without running it: DataFusion's physical plan (`EXPLAIN`) on the local
/// engine, Athena's fragments (`EXPLAIN (TYPE DISTRIBUTED)`) when `athena`; as the indented text
/// the engine writes ([`PlanNode::from_indented`] reads it as a tree).
pub async fn explain_plan(
    engine: &dyn QueryEngine,
    context: &QueryContext,
    sql: &str,
    athena: bool,
) -> Result<String, QueryError> {
    let statement = sql.trim().trim_end_matches(';');
    let explain = if athena {
        format!("EXPLAIN (TYPE DISTRIBUTED) {statement}")
    } else {
        format!("EXPLAIN {statement}")
    };
    let id = engine.submit(&explain, context).await?;
    let status = engine.wait(&id).await?;
    if let Some(error) = status.error {
        return Err(error);
    }
    let page = all_results(engine, &id).await?;
    engine.release(&id).await;
    let mut text = String::new();
    for batch in &page.batches {
        let cell = |column: usize, row: usize| {
            crate::export::athena_text::value_text(batch.column(column).as_ref(), row)
                .unwrap_or_default()
        };
        for row in 0..batch.num_rows() {
            // DataFusion answers (plan_type, plan) rows; the physical plan is the one run.
            if batch.num_columns() >= 2 {
                if cell(0, row) == "physical_plan" {
                    text.push_str(&cell(1, row));
                }
            } else {
                text.push_str(&cell(0, row));
                text.push('\n');
            }
        }
    }
    Ok(text)
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
