//! Reading a finished Athena query's rows: the UNLOAD files, the result CSV, or
//! `GetQueryResults` pages; and what the fetch starts with, asked for while the query's runtime
//! statistics are (one round trip less before the rows come).

use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};

use aws_sdk_athena::types::{QueryExecution, StatementType};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use tokio::time::Instant;

use super::athena::{AthenaEngine, Run, service_error};
use super::errors::describe;
use super::execution::columns_of;
use super::results::{CsvResultReader, ResultColumn, rows_to_batch, schema_of};
use super::s3::S3Location;
use super::unload::{FetchPlan, read_files, remove_files, unloaded_files};
use crate::backend::local::ObjectStoreFactory;
use crate::backend::{FetchPath, QueryError, QueryErrorKind, QueryId, ResultFetch, ResultPage};

/// Rows per `GetQueryResults` call: Athena's maximum.
const API_PAGE_ROWS: usize = 1000;

/// What the fetch needs first, asked for early.
pub(super) enum Prefetched {
    /// UNLOAD's files.
    Files(Result<Vec<(String, u64)>, super::AwsCallError>),
    /// The result's columns, for reading the result CSV.
    Columns(Result<Vec<ResultColumn>, QueryError>),
}

pub(super) fn csv_error(error: &datafusion::arrow::error::ArrowError) -> super::AwsCallError {
    super::AwsCallError {
        code: None,
        message: format!("the result could not be read as the columns Athena declared: {error}"),
    }
}

impl AthenaEngine {
    /// The result columns, from the first `GetQueryResults` page.
    pub(super) async fn result_columns(&self, id: &QueryId) -> Result<Vec<ResultColumn>, QueryError> {
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

    /// Asks for what fetching the result starts with (UNLOAD's file list, or the columns the
    /// result CSV is typed by) while the runtime statistics are asked for.
    pub(super) async fn prefetch(&self, id: &QueryId, execution: &QueryExecution) {
        let run = self.run(id);
        let plan = run.plan.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let prefetched = match plan {
            FetchPlan::Unload { target, .. } => {
                Prefetched::Files(unloaded_files(&self.clients, &target).await)
            }
            FetchPlan::AsWritten { .. }
                if execution.statement_type() == Some(&StatementType::Dml)
                    && execution
                        .result_configuration()
                        .and_then(|r| r.output_location())
                        .is_some() =>
            {
                Prefetched::Columns(self.result_columns(id).await)
            }
            FetchPlan::AsWritten { .. } => return,
        };
        *run.prefetched.lock().unwrap_or_else(PoisonError::into_inner) = Some(prefetched);
    }

    /// The result CSV as the first page, or why it cannot be used (then the caller pages
    /// through `GetQueryResults`).
    pub(super) async fn page_from_csv(
        &self,
        id: &QueryId,
        location: &S3Location,
        max_rows: usize,
        run: &Run,
        started: Instant,
    ) -> Result<Result<ResultPage, String>, QueryError> {
        let prefetched = run
            .prefetched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let columns = match prefetched {
            Some(Prefetched::Columns(columns)) => columns?,
            _ => self.result_columns(id).await?,
        };
        if columns.is_empty() {
            return Ok(Err("the statement declared no result columns".to_owned()));
        }
        let schema = schema_of(&columns);
        match self
            .results_from_csv(location, Arc::clone(&schema), max_rows)
            .await
        {
            Ok((batches, truncated, bytes)) => {
                let rows = batches.iter().map(RecordBatch::num_rows).sum::<usize>();
                run.fetched.fetch_add(rows, Ordering::Relaxed);
                Ok(Ok(ResultPage {
                    schema,
                    batches,
                    next_token: None,
                    truncated,
                    fetch: Some(ResultFetch {
                        path: FetchPath::S3Csv,
                        fallback_reason: None,
                        reason: None,
                        files: None,
                        rows: rows as u64,
                        bytes: Some(bytes),
                        ms: started.elapsed().as_millis() as u64,
                    }),
                }))
            }
            Err(e) => {
                tracing::info!("result CSV not readable, using GetQueryResults: {e}");
                Ok(Err(e.message))
            }
        }
    }

    /// The fast path: the whole result CSV from S3, streamed through arrow-csv.
    pub(super) async fn results_from_csv(
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

    /// The UNLOAD path: every Parquet file under `target`, read with arrow (up to the row
    /// limit), then removed unless the policy keeps them. `None` when UNLOAD wrote nothing: an
    /// empty result has no file to take its columns from.
    pub(super) async fn page_from_unload(
        &self,
        target: &S3Location,
        reason: String,
        max_rows: usize,
        run: &Run,
        started: Instant,
    ) -> Result<Option<ResultPage>, QueryError> {
        let prefetched = run
            .prefetched
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let files = match prefetched {
            Some(Prefetched::Files(files)) => files?,
            _ => unloaded_files(&self.clients, target).await?,
        };
        if files.is_empty() {
            return Ok(None);
        }
        let store = self
            .clients
            .stores()
            .ok_or_else(|| {
                QueryError::new(
                    QueryErrorKind::Execution,
                    "no AWS credentials to read the unloaded files with",
                )
            })?
            .store_for(&target.bucket)
            .map_err(|e| QueryError::new(QueryErrorKind::Execution, e))?;
        let unloaded = read_files(store, &files, max_rows).await?;
        let file_count = files.len() as u64;
        if !self.options.unload.keep_files {
            // Removed in the background: the rows are here, and the user need not wait for S3.
            let clients = self.clients.clone();
            let target = target.clone();
            tokio::spawn(async move {
                if let Err(e) = remove_files(&clients, &target.bucket, &files).await {
                    tracing::warn!("unloaded files left in {target}: {}", e.message);
                }
            });
        }
        let rows = unloaded.batches.iter().map(RecordBatch::num_rows).sum::<usize>();
        run.fetched.fetch_add(rows, Ordering::Relaxed);
        Ok(Some(ResultPage {
            schema: unloaded.schema,
            batches: unloaded.batches,
            next_token: None,
            truncated: unloaded.truncated,
            fetch: Some(ResultFetch {
                path: FetchPath::Unload,
                fallback_reason: None,
                reason: Some(reason),
                files: Some(file_count),
                rows: rows as u64,
                bytes: Some(unloaded.bytes),
                ms: started.elapsed().as_millis() as u64,
            }),
        }))
    }

    /// The API path: one `GetQueryResults` call (Athena's pages hold at most 1,000 rows),
    /// continuing from `token`.
    pub(super) async fn results_from_api(
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
