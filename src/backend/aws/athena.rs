//! Athena as a [`QueryEngine`]: start, poll with backoff, stop, and fetch results from the
//! result CSV in S3 (fast) or `GetQueryResults` (always allowed).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use async_trait::async_trait;
use aws_sdk_athena::types::{
    QueryExecution, QueryExecutionContext, QueryExecutionState, QueryStage, ResultConfiguration,
    ResultReuseByAgeConfiguration, ResultReuseConfiguration, StatementType,
};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;

use super::errors::describe;
use super::results::{CsvResultReader, ResultColumn, rows_to_batch, schema_of};
use super::s3::S3Location;
use super::{AwsClients, AwsOptions};
use crate::backend::{
    AthenaStats, EngineKind, FetchPath, QueryContext, QueryEngine, QueryError, QueryErrorKind,
    QueryId, QueryState, QueryStats, QueryStatus, ResultFetch, ResultPage, RuntimeStats,
    SqlPosition, StageStats,
};
use crate::cost::Pricing;

/// Rows per `GetQueryResults` call: Athena's maximum.
const API_PAGE_ROWS: usize = 1000;
/// A status younger than this is answered from memory: the progress ticker and the waiter both
/// ask, and Athena throttles `GetQueryExecution`.
const STATUS_FRESHNESS: Duration = Duration::from_millis(200);
/// How long a cancel waits for Athena to confirm the query stopped.
const CANCEL_CONFIRMATION: Duration = Duration::from_secs(30);

/// Athena behind the [`QueryEngine`] interface.
pub struct AthenaEngine {
    clients: AwsClients,
    options: AwsOptions,
    pricing: Pricing,
    row_limit: usize,
    runs: Mutex<HashMap<QueryId, Arc<Run>>>,
}

/// What is remembered about one submitted query.
#[derive(Default)]
struct Run {
    last: Mutex<Option<(Instant, QueryStatus)>>,
    /// The finished execution, kept for fetching its results.
    execution: Mutex<Option<QueryExecution>>,
    /// Rows handed out so far, to stop at the row limit across pages.
    fetched: AtomicUsize,
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
        }
    }

    fn run(&self, id: &QueryId) -> Arc<Run> {
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
        if status.state.is_terminal() {
            if status.state == QueryState::Succeeded
                && let Some(athena) = status.stats.athena.as_mut()
            {
                athena.runtime = self.runtime_statistics(id).await;
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

    /// The result columns, from the first `GetQueryResults` page.
    async fn result_columns(&self, id: &QueryId) -> Result<Vec<ResultColumn>, QueryError> {
        let output = self
            .clients
            .athena
            .get_query_results()
            .query_execution_id(&id.0)
            .max_results(1)
            .send()
            .await
            .map_err(|e| service_error(&describe(&e, "Athena GetQueryResults")))?;
        Ok(columns_of(output.result_set()))
    }

    /// The fast path: the whole result CSV from S3, streamed through arrow-csv.
    async fn results_from_csv(
        &self,
        location: &S3Location,
        schema: SchemaRef,
        max_rows: usize,
    ) -> Result<(Vec<RecordBatch>, bool, u64), super::AwsCallError> {
        let what = format!("S3 GetObject on {location}");
        let object = self
            .clients
            .s3
            .get_object()
            .bucket(&location.bucket)
            .key(&location.key)
            .send()
            .await
            .map_err(|e| describe(&e, &what))?;
        let mut body = object.body;
        let mut reader = CsvResultReader::new(schema, max_rows).map_err(|e| csv_error(&e))?;
        let mut complete = true;
        let mut bytes = 0_u64;
        while let Some(chunk) = body.try_next().await.map_err(|e| super::AwsCallError {
            code: None,
            message: format!("{what} broke off: {e}"),
        })? {
            bytes += chunk.len() as u64;
            if !reader.push(&chunk).map_err(|e| csv_error(&e))? {
                complete = false;
                break;
            }
        }
        let (batches, truncated) = reader.finish(complete).map_err(|e| csv_error(&e))?;
        Ok((batches, truncated, bytes))
    }

    /// The API path: one `GetQueryResults` call (Athena's pages hold at most 1,000 rows),
    /// continuing from `token`.
    async fn results_from_api(
        &self,
        id: &QueryId,
        token: Option<&str>,
        max_rows: usize,
        skip_header: bool,
    ) -> Result<(SchemaRef, RecordBatch, Option<String>), QueryError> {
        let header = usize::from(token.is_none() && skip_header);
        let output = self
            .clients
            .athena
            .get_query_results()
            .query_execution_id(&id.0)
            .set_next_token(token.map(str::to_owned))
            .max_results(API_PAGE_ROWS.min(max_rows.saturating_add(header)) as i32)
            .send()
            .await
            .map_err(|e| service_error(&describe(&e, "Athena GetQueryResults")))?;
        let result_set = output.result_set();
        let schema = schema_of(&columns_of(result_set));
        let rows: Vec<Vec<Option<String>>> = result_set
            .map(aws_sdk_athena::types::ResultSet::rows)
            .unwrap_or_default()
            .iter()
            .skip(header)
            .map(|row| {
                row.data()
                    .iter()
                    .map(|d| d.var_char_value().map(str::to_owned))
                    .collect()
            })
            .collect();
        let batch = rows_to_batch(&schema, &rows).map_err(|e| csv_error(&e))?;
        Ok((schema, batch, output.next_token().map(str::to_owned)))
    }
}

#[async_trait]
impl QueryEngine for AthenaEngine {
    async fn submit(&self, sql: &str, context: &QueryContext) -> Result<QueryId, QueryError> {
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
        let id = QueryId(output.query_execution_id().unwrap_or_default().to_owned());
        self.run(&id);
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
        let started = Instant::now();
        let mut delay = Duration::from_millis(50);
        while started.elapsed() < CANCEL_CONFIRMATION {
            if self.status(id).await?.state.is_terminal() {
                return Ok(());
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(1));
        }
        Err(QueryError::new(
            QueryErrorKind::Execution,
            format!("Athena accepted the stop of {id} but has not confirmed it after 30 s"),
        ))
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
                    let schema = schema_of(&self.result_columns(id).await?);
                    match self
                        .results_from_csv(&location, Arc::clone(&schema), max_rows)
                        .await
                    {
                        Ok((batches, truncated, bytes)) => {
                            let rows = batches.iter().map(RecordBatch::num_rows).sum::<usize>();
                            run.fetched.fetch_add(rows, Ordering::Relaxed);
                            return Ok(ResultPage {
                                schema,
                                batches,
                                next_token: None,
                                truncated,
                                fetch: Some(ResultFetch {
                                    path: FetchPath::S3Csv,
                                    fallback_reason: None,
                                    rows: rows as u64,
                                    bytes: Some(bytes),
                                    ms: started.elapsed().as_millis() as u64,
                                }),
                            });
                        }
                        Err(e) => {
                            tracing::info!("result CSV not readable, using GetQueryResults: {e}");
                            fallback_reason = Some(e.message);
                        }
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
        let mut delay = Duration::from_millis(100);
        loop {
            let status = self.status(id).await?;
            if status.state.is_terminal() {
                return Ok(status);
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 3 / 2).min(Duration::from_secs(2));
        }
    }
}

fn non_negative(n: i64) -> u64 {
    n.max(0) as u64
}

fn service_error(error: &super::AwsCallError) -> QueryError {
    QueryError::new(QueryErrorKind::Execution, error.message.clone())
}

fn csv_error(error: &datafusion::arrow::error::ArrowError) -> super::AwsCallError {
    super::AwsCallError {
        code: None,
        message: format!("the result could not be read as the columns Athena declared: {error}"),
    }
}

impl From<super::AwsCallError> for QueryError {
    fn from(error: super::AwsCallError) -> Self {
        service_error(&error)
    }
}

fn columns_of(result_set: Option<&aws_sdk_athena::types::ResultSet>) -> Vec<ResultColumn> {
    result_set
        .and_then(|r| r.result_set_metadata())
        .map(aws_sdk_athena::types::ResultSetMetadata::column_info)
        .unwrap_or_default()
        .iter()
        .map(|c| ResultColumn {
            name: c.name().to_owned(),
            athena_type: c.r#type().to_owned(),
            precision: c.precision(),
            scale: c.scale(),
        })
        .collect()
}

fn flatten_stages(stage: &QueryStage, depth: usize, out: &mut Vec<StageStats>) {
    out.push(StageStats {
        id: stage.stage_id().unwrap_or_default(),
        depth,
        state: stage.state().map(str::to_owned),
        input_rows: stage.input_rows().map(non_negative),
        input_bytes: stage.input_bytes().map(non_negative),
        output_rows: stage.output_rows().map(non_negative),
        output_bytes: stage.output_bytes().map(non_negative),
        execution_ms: stage.execution_time().map(non_negative),
    });
    for sub in stage.sub_stages() {
        flatten_stages(sub, depth + 1, out);
    }
}

/// The state and statistics of an execution as quarry's plain model.
fn status_of(id: &QueryId, execution: &QueryExecution, pricing: Pricing) -> QueryStatus {
    let status = execution.status();
    let state = match status.and_then(|s| s.state()) {
        Some(QueryExecutionState::Queued) | None => QueryState::Queued,
        Some(QueryExecutionState::Succeeded) => QueryState::Succeeded,
        Some(QueryExecutionState::Failed) => QueryState::Failed,
        Some(QueryExecutionState::Cancelled) => QueryState::Cancelled,
        Some(_) => QueryState::Running,
    };
    let statistics = execution.statistics();
    let ms = |value: Option<i64>| value.map(non_negative);
    let bytes_scanned =
        ms(statistics
            .and_then(aws_sdk_athena::types::QueryExecutionStatistics::data_scanned_in_bytes))
        .unwrap_or(0);
    // DDL and failed queries are free; everything else pays at least the minimum.
    let billed = matches!(execution.statement_type(), Some(StatementType::Dml))
        && state != QueryState::Failed;
    let billed_bytes = if billed {
        pricing.billed_bytes(bytes_scanned)
    } else {
        0
    };
    let query_stats = QueryStats {
        engine: EngineKind::Athena,
        bytes_scanned,
        billed_bytes,
        cost_usd: if billed {
            pricing.cost_usd(bytes_scanned)
        } else {
            0.0
        },
        queue_ms: ms(statistics.and_then(aws_sdk_athena::types::QueryExecutionStatistics::query_queue_time_in_millis)),
        planning_ms: ms(statistics.and_then(aws_sdk_athena::types::QueryExecutionStatistics::query_planning_time_in_millis)).unwrap_or(0),
        execution_ms: ms(statistics.and_then(aws_sdk_athena::types::QueryExecutionStatistics::engine_execution_time_in_millis)).unwrap_or(0),
        total_ms: ms(statistics.and_then(aws_sdk_athena::types::QueryExecutionStatistics::total_execution_time_in_millis)).unwrap_or(0),
        result_reused: statistics
            .and_then(|s| s.result_reuse_information())
            .is_some_and(aws_sdk_athena::types::ResultReuseInformation::reused_previous_result),
        athena: Some(AthenaStats {
            query_execution_id: id.0.clone(),
            workgroup: execution.work_group().map(str::to_owned),
            statement_type: execution.statement_type().map(|t| t.as_str().to_owned()),
            service_pre_processing_ms: ms(
                statistics.and_then(aws_sdk_athena::types::QueryExecutionStatistics::service_pre_processing_time_in_millis)
            ),
            service_processing_ms: ms(
                statistics.and_then(aws_sdk_athena::types::QueryExecutionStatistics::service_processing_time_in_millis)
            ),
            runtime: None,
        }),
        ..QueryStats::default()
    };
    let error = (state == QueryState::Failed).then(|| {
        let athena_error = status.and_then(|s| s.athena_error());
        let message = athena_error
            .and_then(|e| e.error_message())
            .or_else(|| status.and_then(|s| s.state_change_reason()))
            .unwrap_or("Athena reported the query failed without a reason")
            .to_owned();
        let position = sql_position(&message);
        let kind = if message.contains("mismatched input")
            || message.contains("extraneous input")
            || message.contains("SYNTAX_ERROR")
            || message.contains("no viable alternative")
        {
            QueryErrorKind::Syntax
        } else if athena_error.and_then(aws_sdk_athena::types::AthenaError::error_category)
            == Some(2)
        {
            // Category 2 is "user": bad names, types, permissions on data.
            QueryErrorKind::Planning
        } else {
            QueryErrorKind::Execution
        };
        QueryError {
            kind,
            message,
            position,
        }
    });
    QueryStatus {
        id: id.clone(),
        state,
        stats: query_stats,
        error,
    }
}

/// `line 3:15` in Athena's (Trino's) messages.
fn sql_position(message: &str) -> Option<SqlPosition> {
    let at = message.find("line ")?;
    let rest = &message[at + 5..];
    let (line, rest) = rest.split_once(':')?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some(SqlPosition {
        line: line.trim().parse().ok()?,
        column: column.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_come_from_trino_messages() {
        assert_eq!(
            sql_position("SYNTAX_ERROR: line 3:15: Column 'x' cannot be resolved"),
            Some(SqlPosition {
                line: 3,
                column: 15
            })
        );
        assert_eq!(
            sql_position("line 1:8: mismatched input 'form'"),
            Some(SqlPosition { line: 1, column: 8 })
        );
        assert_eq!(sql_position("Insufficient permissions"), None);
        assert_eq!(sql_position("pipeline 2: broken"), None);
    }
}
