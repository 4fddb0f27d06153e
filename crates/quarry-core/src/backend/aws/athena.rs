//! Athena as a [`QueryEngine`]: start, poll with backoff, stop, and fetch results from the
//! result CSV in S3 (fast) or `GetQueryResults` (always allowed).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use async_trait::async_trait;
use aws_sdk_athena::types::{
    QueryExecution, QueryExecutionContext, ResultConfiguration, ResultReuseByAgeConfiguration,
    ResultReuseConfiguration, StatementType,
};

use super::errors::describe;
use super::execution::{flatten_stages, non_negative, sql_position, status_of};
use super::fetch::Prefetched;
use super::s3::S3Location;
use super::unload::{FetchPlan, plan_fetch, run_name};
use super::{AwsClients, AwsOptions};
use crate::backend::{
    FetchPath, QueryContext, QueryEngine, QueryError, QueryErrorKind, QueryId, QueryState,
    QueryStatus, ResultFetch, ResultPage, RuntimeStats,
};
use crate::backend::engine::{Backoff, poll_until_ended, wait_polling};
use crate::cost::Pricing;

/// A status younger than this is answered from memory: the progress ticker and the waiter both
/// ask, and Athena throttles `GetQueryExecution`.
const STATUS_FRESHNESS: Duration = Duration::from_millis(200);
/// How long a cancel waits for Athena to confirm the query stopped.
const CANCEL_CONFIRMATION: Duration = Duration::from_secs(30);

/// Athena behind the [`QueryEngine`] interface.
pub struct AthenaEngine {
    pub(super) clients: AwsClients,
    pub(super) options: AwsOptions,
    pricing: Pricing,
    pub(super) row_limit: usize,
    runs: Mutex<HashMap<QueryId, Arc<Run>>>,
    /// The workgroup's result location, asked once when the options name none (UNLOAD's
    /// default folder lives under it).
    workgroup_location: tokio::sync::OnceCell<Option<String>>,
}

/// What is remembered about one submitted query.
#[derive(Default)]
pub(super) struct Run {
    last: Mutex<Option<(Instant, QueryStatus)>>,
    /// The finished execution, kept for fetching its results.
    execution: Mutex<Option<QueryExecution>>,
    /// Rows handed out so far, to stop at the row limit across pages.
    pub(super) fetched: AtomicUsize,
    /// How the result is fetched: chosen at submission.
    pub(super) plan: Mutex<FetchPlan>,
    /// The first call of the fetch, made as soon as the query succeeded, beside the runtime
    /// statistics: one round trip less before the rows start coming.
    pub(super) prefetched: Mutex<Option<Prefetched>>,
}

impl AthenaEngine {
    /// An engine over `clients`; `row_limit` bounds the rows a result keeps.
    pub fn new(
        clients: AwsClients,
        options: AwsOptions,
        pricing: Pricing,
        row_limit: usize,
    ) -> Self {
        Self {
            clients,
            options,
            pricing,
            row_limit: row_limit.max(1),
            runs: Mutex::new(HashMap::new()),
            workgroup_location: tokio::sync::OnceCell::new(),
        }
    }

    pub(super) fn run(&self, id: &QueryId) -> Arc<Run> {
        Arc::clone(
            self.runs
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(id.clone())
                .or_default(),
        )
    }

    async fn fetch_status(&self, id: &QueryId) -> Result<QueryStatus, QueryError> {
        let output = self
            .clients
            .athena
            .get_query_execution()
            .query_execution_id(&id.0)
            .send()
            .await
            .map_err(|e| service_error(&describe(&e, "Athena GetQueryExecution")))?;
        let execution = output
            .query_execution()
            .cloned()
            .unwrap_or_else(|| QueryExecution::builder().build());
        let mut status = status_of(id, &execution, self.pricing);
        if matches!(
            *self.run(id).plan.lock().unwrap_or_else(PoisonError::into_inner),
            FetchPlan::Unload { .. }
        ) && let Some(position) = status.error.as_mut().and_then(|e| e.position.as_mut())
        {
            // The statement starts on the second line of the UNLOAD quarry wrapped it in.
            position.line = position.line.saturating_sub(1).max(1);
        }
        if status.state.is_terminal() {
            if status.state == QueryState::Succeeded
                && let Some(athena) = status.stats.athena.as_mut()
            {
                let (runtime, ()) =
                    tokio::join!(self.runtime_statistics(id), self.prefetch(id, &execution));
                athena.runtime = runtime;
                if let Some(rows) = athena.runtime.as_ref().and_then(|r| r.output_rows) {
                    status.stats.rows = rows;
                }
            }
            *self
                .run(id)
                .execution
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(execution);
        }
        Ok(status)
    }

    /// Rows, bytes and stages of a finished query; `None` where Athena has none (DDL, or an
    /// emulator without the call).
    async fn runtime_statistics(&self, id: &QueryId) -> Option<RuntimeStats> {
        let output = self
            .clients
            .athena
            .get_query_runtime_statistics()
            .query_execution_id(&id.0)
            .send()
            .await
            .map_err(|e| tracing::debug!("no runtime statistics for {id}: {e}"))
            .ok()?;
        let stats = output.query_runtime_statistics()?;
        let rows = stats.rows();
        let mut stages = Vec::new();
        if let Some(stage) = stats.output_stage() {
            flatten_stages(stage, 0, &mut stages);
        }
        Some(RuntimeStats {
            input_rows: rows
                .and_then(aws_sdk_athena::types::QueryRuntimeStatisticsRows::input_rows)
                .map(non_negative),
            input_bytes: rows
                .and_then(aws_sdk_athena::types::QueryRuntimeStatisticsRows::input_bytes)
                .map(non_negative),
            output_rows: rows
                .and_then(aws_sdk_athena::types::QueryRuntimeStatisticsRows::output_rows)
                .map(non_negative),
            output_bytes: rows
                .and_then(aws_sdk_athena::types::QueryRuntimeStatisticsRows::output_bytes)
                .map(non_negative),
            stages,
        })
    }

    fn finished_execution(&self, id: &QueryId) -> Result<QueryExecution, QueryError> {
        self.run(id)
            .execution
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| {
                QueryError::new(
                    QueryErrorKind::UnknownQuery,
                    format!("query {id} has not finished; wait for it before reading results"),
                )
            })
    }

    /// Starts `sql` as written.
    async fn start(&self, sql: &str, context: &QueryContext) -> Result<QueryId, QueryError> {
        let mut query_context = QueryExecutionContext::builder().catalog(&self.options.catalog);
        if let Some(database) = context.database.as_ref().or(self.options.database.as_ref()) {
            query_context = query_context.database(database);
        }
        let mut request = self
            .clients
            .athena
            .start_query_execution()
            .query_string(sql)
            .query_execution_context(query_context.build())
            .work_group(&self.options.workgroup);
        if let Some(location) = &self.options.output_location {
            request = request.result_configuration(
                ResultConfiguration::builder()
                    .output_location(location)
                    .build(),
            );
        }
        // Parameters travel as literals beside the SQL, never spliced into it.
        for value in &context.parameters {
            request = request.execution_parameters(value.literal());
        }
        if let Some(minutes) = self.options.result_reuse_minutes {
            request = request.result_reuse_configuration(
                ResultReuseConfiguration::builder()
                    .result_reuse_by_age_configuration(
                        ResultReuseByAgeConfiguration::builder()
                            .enabled(true)
                            .max_age_in_minutes(minutes as i32)
                            .build(),
                    )
                    .build(),
            );
        }
        let output = request.send().await.map_err(|e| {
            let described = describe(&e, "Athena StartQueryExecution");
            // Athena rejects some bad SQL at start with its position in the message.
            let position = sql_position(&described.message);
            QueryError {
                kind: if position.is_some() {
                    QueryErrorKind::Syntax
                } else {
                    QueryErrorKind::Execution
                },
                message: described.message,
                position,
            }
        })?;
        Ok(QueryId(
            output.query_execution_id().unwrap_or_default().to_owned(),
        ))
    }

    /// Where Athena writes results: the configured location, else the workgroup's (asked once).
    async fn result_location(&self) -> Option<String> {
        if let Some(location) = &self.options.output_location {
            return Some(location.clone());
        }
        self.workgroup_location
            .get_or_init(|| async {
                let output = self
                    .clients
                    .athena
                    .get_work_group()
                    .work_group(&self.options.workgroup)
                    .send()
                    .await
                    .map_err(|e| tracing::info!("no workgroup result location: {e}"))
                    .ok()?;
                output
                    .work_group()?
                    .configuration()?
                    .result_configuration()?
                    .output_location()
                    .map(str::to_owned)
            })
            .await
            .clone()
    }

}

#[async_trait]
impl QueryEngine for AthenaEngine {
    /// Decides how the result will be fetched (see [`plan_fetch`]) and starts the statement,
    /// wrapped in `UNLOAD` when that is the way.
    async fn submit(&self, sql: &str, context: &QueryContext) -> Result<QueryId, QueryError> {
        let policy = &self.options.unload;
        let considered = context.unload_requested || policy.mode != super::UnloadMode::Never;
        let location = if considered && policy.location.is_none() {
            self.result_location().await
        } else {
            self.options.output_location.clone()
        };
        let plan = plan_fetch(
            sql,
            policy,
            context.unload_requested,
            location.as_deref(),
            &run_name(),
        );
        let (id, plan) = match plan {
            FetchPlan::Unload { ref unload_sql, .. } => match self.start(unload_sql, context).await {
                Ok(id) => (id, plan),
                // Refused before anything ran (a workgroup or engine version without UNLOAD, a
                // folder it may not write): nothing was scanned, so run the statement as written.
                Err(refused) => {
                    let reason = format!("Athena refused the UNLOAD: {}", refused.message);
                    tracing::info!("{reason}");
                    let id = self.start(sql, context).await?;
                    (id, FetchPlan::AsWritten { reason: Some(reason) })
                }
            },
            FetchPlan::AsWritten { .. } => (self.start(sql, context).await?, plan),
        };
        *self.run(&id).plan.lock().unwrap_or_else(PoisonError::into_inner) = plan;
        Ok(id)
    }

    async fn status(&self, id: &QueryId) -> Result<QueryStatus, QueryError> {
        let run = self.run(id);
        if let Some((at, status)) = run
            .last
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            && (at.elapsed() < STATUS_FRESHNESS || status.state.is_terminal())
        {
            return Ok(status.clone());
        }
        let status = self.fetch_status(id).await?;
        *run.last.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((Instant::now(), status.clone()));
        Ok(status)
    }

    async fn cancel(&self, id: &QueryId) -> Result<(), QueryError> {
        self.clients
            .athena
            .stop_query_execution()
            .query_execution_id(&id.0)
            .send()
            .await
            .map_err(|e| service_error(&describe(&e, "Athena StopQueryExecution")))?;
        // Stopping is asynchronous; the cancel counts once Athena says the query ended.
        let backoff = Backoff::doubling(Duration::from_millis(50), Duration::from_secs(1));
        match poll_until_ended(self, id, backoff, Some(CANCEL_CONFIRMATION)).await? {
            Some(_) => Ok(()),
            None => Err(QueryError::new(
                QueryErrorKind::Execution,
                format!("Athena accepted the stop of {id} but has not confirmed it after 30 s"),
            )),
        }
    }

    /// The first call reads the whole result CSV from S3 when it can (up to the row limit);
    /// otherwise each call is one `GetQueryResults` page, and `next_token` asks for the next.
    async fn results(
        &self,
        id: &QueryId,
        page_token: Option<&str>,
        max_rows: usize,
    ) -> Result<ResultPage, QueryError> {
        let started = Instant::now();
        let execution = self.finished_execution(id)?;
        let run = self.run(id);
        let room = self
            .row_limit
            .saturating_sub(run.fetched.load(Ordering::Relaxed));
        let max_rows = max_rows.min(room).max(1);
        let plan = run.plan.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let chosen_because = match plan {
            FetchPlan::Unload { target, reason, .. } if page_token.is_none() => {
                match self
                    .page_from_unload(&target, reason, max_rows, &run, started)
                    .await?
                {
                    Some(page) => return Ok(page),
                    None => Some(
                        "UNLOAD wrote no files (an empty result), so Athena's own result was read"
                            .to_owned(),
                    ),
                }
            }
            FetchPlan::Unload { .. } => None,
            FetchPlan::AsWritten { reason } => reason,
        };
        let is_select = execution.statement_type() == Some(&StatementType::Dml);
        let mut fallback_reason = None;
        if page_token.is_none() && is_select {
            let location = execution
                .result_configuration()
                .and_then(|r| r.output_location())
                .and_then(S3Location::parse);
            match location {
                None => {
                    fallback_reason = Some(
                        "the workgroup keeps results itself (managed results), so there is no \
                         CSV to read"
                            .to_owned(),
                    );
                }
                Some(location) => {
                    match self
                        .page_from_csv(id, &location, max_rows, &run, started)
                        .await?
                    {
                        Ok(mut page) => {
                            if let Some(fetch) = page.fetch.as_mut() {
                                fetch.reason = chosen_because;
                            }
                            return Ok(page);
                        }
                        Err(reason) => fallback_reason = Some(reason),
                    }
                }
            }
        }
        let (schema, batch, next) = self
            .results_from_api(id, page_token, max_rows, is_select)
            .await?;
        let rows = batch.num_rows();
        let fetched = run.fetched.fetch_add(rows, Ordering::Relaxed) + rows;
        let at_limit = fetched >= self.row_limit;
        Ok(ResultPage {
            schema,
            batches: if rows > 0 { vec![batch] } else { Vec::new() },
            truncated: at_limit && next.is_some(),
            next_token: if at_limit { None } else { next },
            fetch: Some(ResultFetch {
                path: FetchPath::ResultsApi,
                fallback_reason,
                reason: chosen_because,
                files: None,
                rows: fetched as u64,
                bytes: None,
                ms: started.elapsed().as_millis() as u64,
            }),
        })
    }

    async fn release(&self, id: &QueryId) {
        self.runs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id);
    }

    /// Polls fast at first (most interactive queries end within a second or two), then backs
    /// off to two seconds so long queries do not spend the account's request quota.
    async fn wait(&self, id: &QueryId) -> Result<QueryStatus, QueryError> {
        let backoff = Backoff {
            first: Duration::from_millis(100),
            max: Duration::from_secs(2),
            growth: (3, 2),
        };
        wait_polling(self, id, backoff).await
    }
}

pub(super) fn service_error(error: &super::AwsCallError) -> QueryError {
    QueryError::new(QueryErrorKind::Execution, error.message.clone())
}

impl From<super::AwsCallError> for QueryError {
    fn from(error: super::AwsCallError) -> Self {
        service_error(&error)
    }
}
