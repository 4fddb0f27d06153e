//! Athena's own saved work: named queries and the workgroup's recent executions.

use aws_sdk_athena::types::QueryExecution;
use chrono::{DateTime, Utc};

use crate::history::{QueryItem, first_sql_line};
use crate::text::{human_bytes, seconds};

use super::errors::{AwsCallError, describe};
use crate::backend::QueryState;

/// Athena's batch calls take at most this many ids.
const BATCH: usize = 50;

/// A query saved in Athena.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedQuery {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub database: String,
    pub sql: String,
}

/// One of the workgroup's recent executions.
#[derive(Debug, Clone, PartialEq)]
pub struct RecentExecution {
    pub id: String,
    pub sql: String,
    pub state: QueryState,
    pub submitted: Option<DateTime<Utc>>,
    pub bytes_scanned: Option<u64>,
    pub total_ms: Option<u64>,
    pub error: Option<String>,
}

/// Named queries and recent executions of one workgroup.
#[derive(Clone, Debug)]
pub struct Workspace {
    athena: aws_sdk_athena::Client,
    workgroup: String,
}

impl Workspace {
    /// The workspace of `workgroup`.
    pub fn new(athena: aws_sdk_athena::Client, workgroup: impl Into<String>) -> Self {
        Self {
            athena,
            workgroup: workgroup.into(),
        }
    }

    /// The workgroup's `BytesScannedCutoffPerQuery`, when it sets one: Athena cancels a query
    /// once it has scanned that much.
    pub async fn bytes_scanned_cutoff(&self) -> Result<Option<u64>, AwsCallError> {
        let output = self
            .athena
            .get_work_group()
            .work_group(&self.workgroup)
            .send()
            .await
            .map_err(|e| describe(&e, "Athena GetWorkGroup"))?;
        Ok(output
            .work_group()
            .and_then(|w| w.configuration())
            .and_then(aws_sdk_athena::types::WorkGroupConfiguration::bytes_scanned_cutoff_per_query)
            .map(|b| b.max(0) as u64))
    }

    /// Every named query of the workgroup, sorted by name.
    pub async fn named_queries(&self) -> Result<Vec<NamedQuery>, AwsCallError> {
        let mut ids = Vec::new();
        let mut pages = self
            .athena
            .list_named_queries()
            .work_group(&self.workgroup)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| describe(&e, "Athena ListNamedQueries"))?;
            ids.extend(page.named_query_ids().iter().cloned());
        }
        let mut queries = Vec::new();
        for chunk in ids.chunks(BATCH) {
            let batch = self
                .athena
                .batch_get_named_query()
                .set_named_query_ids(Some(chunk.to_vec()))
                .send()
                .await;
            match batch {
                Ok(output) => queries.extend(output.named_queries().iter().map(named_query)),
                // Athena-compatible services without the batch call (moto, LocalStack) still
                // answer the single one.
                Err(e) => {
                    tracing::debug!("BatchGetNamedQuery failed, asking one by one: {e}");
                    let singles = chunk.iter().map(|id| async move {
                        self.athena
                            .get_named_query()
                            .named_query_id(id)
                            .send()
                            .await
                            .map_err(|e| describe(&e, "Athena GetNamedQuery"))
                    });
                    for output in futures::future::try_join_all(singles).await? {
                        queries.extend(output.named_query().map(named_query));
                    }
                }
            }
        }
        queries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(queries)
    }

    /// Saves `sql` as a named query; returns its id.
    pub async fn save_named_query(
        &self,
        name: &str,
        database: &str,
        sql: &str,
    ) -> Result<String, AwsCallError> {
        let output = self
            .athena
            .create_named_query()
            .name(name)
            .database(database)
            .query_string(sql)
            .work_group(&self.workgroup)
            .send()
            .await
            .map_err(|e| describe(&e, "Athena CreateNamedQuery"))?;
        Ok(output.named_query_id().unwrap_or_default().to_owned())
    }

    /// The workgroup's most recent executions, newest first, at most `limit`.
    pub async fn recent_executions(
        &self,
        limit: usize,
    ) -> Result<Vec<RecentExecution>, AwsCallError> {
        let mut ids = Vec::new();
        let mut pages = self
            .athena
            .list_query_executions()
            .work_group(&self.workgroup)
            .max_results(BATCH as i32)
            .into_paginator()
            .send();
        while ids.len() < limit
            && let Some(output) = pages.next().await
        {
            let output = output.map_err(|e| describe(&e, "Athena ListQueryExecutions"))?;
            ids.extend(output.query_execution_ids().iter().cloned());
        }
        ids.truncate(limit);
        let mut executions = Vec::new();
        for chunk in ids.chunks(BATCH) {
            let batch = self
                .athena
                .batch_get_query_execution()
                .set_query_execution_ids(Some(chunk.to_vec()))
                .send()
                .await;
            match batch {
                Ok(output) => executions.extend(output.query_executions().iter().map(recent)),
                Err(e) => {
                    tracing::debug!("BatchGetQueryExecution failed, asking one by one: {e}");
                    let singles = chunk.iter().map(|id| async move {
                        self.athena
                            .get_query_execution()
                            .query_execution_id(id)
                            .send()
                            .await
                            .map_err(|e| describe(&e, "Athena GetQueryExecution"))
                    });
                    for output in futures::future::try_join_all(singles).await? {
                        executions.extend(output.query_execution().map(recent));
                    }
                }
            }
        }
        executions.sort_by_key(|e| std::cmp::Reverse(e.submitted));
        Ok(executions)
    }
}

fn named_query(q: &aws_sdk_athena::types::NamedQuery) -> NamedQuery {
    NamedQuery {
        id: q.named_query_id().unwrap_or_default().to_owned(),
        name: q.name().to_owned(),
        description: q.description().map(str::to_owned),
        database: q.database().to_owned(),
        sql: q.query_string().to_owned(),
    }
}

fn recent(execution: &QueryExecution) -> RecentExecution {
    use aws_sdk_athena::types::QueryExecutionState as S;
    let status = execution.status();
    let statistics = execution.statistics();
    RecentExecution {
        id: execution
            .query_execution_id()
            .unwrap_or_default()
            .to_owned(),
        sql: execution.query().unwrap_or_default().to_owned(),
        state: match status.and_then(|s| s.state()) {
            Some(S::Succeeded) => QueryState::Succeeded,
            Some(S::Failed) => QueryState::Failed,
            Some(S::Cancelled) => QueryState::Cancelled,
            Some(S::Running) => QueryState::Running,
            _ => QueryState::Queued,
        },
        submitted: status
            .and_then(|s| s.submission_date_time())
            .and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos())),
        bytes_scanned: statistics
            .and_then(aws_sdk_athena::types::QueryExecutionStatistics::data_scanned_in_bytes)
            .map(|b| b.max(0) as u64),
        total_ms: statistics
            .and_then(
                aws_sdk_athena::types::QueryExecutionStatistics::total_execution_time_in_millis,
            )
            .map(|b| b.max(0) as u64),
        error: status
            .and_then(|s| s.athena_error())
            .and_then(|e| e.error_message())
            .or_else(|| status.and_then(|s| s.state_change_reason()))
            .map(str::to_owned),
    }
}
/// Recent executions listed beside the local history.
const RECENT_LISTED: usize = 50;

#[async_trait::async_trait]
impl crate::backend::SavedWork for Workspace {
    async fn named_queries(&self) -> Result<Vec<QueryItem>, String> {
        Ok(Workspace::named_queries(self)
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|q| QueryItem {
                title: q.name,
                detail: match q.description.filter(|d| !d.is_empty()) {
                    Some(d) => format!("{d} · Athena named query in {}", q.database),
                    None => format!("Athena named query in {}", q.database),
                },
                sql: q.sql,
                path: None,
            })
            .collect())
    }

    async fn recent_runs(&self) -> Result<Vec<QueryItem>, String> {
        Ok(self
            .recent_executions(RECENT_LISTED)
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|e| {
                let when = e
                    .submitted
                    .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
                    .unwrap_or_default();
                let state = format!("{:?}", e.state).to_lowercase();
                let outcome = match &e.error {
                    Some(error) => format!("{state} · {}", error.lines().next().unwrap_or("")),
                    None => format!(
                        "{state} · {} · {}",
                        human_bytes(e.bytes_scanned.unwrap_or(0)),
                        seconds(e.total_ms.unwrap_or(0))
                    ),
                };
                QueryItem {
                    title: first_sql_line(&e.sql),
                    detail: format!("{when} · Athena {} · {outcome}", e.id),
                    sql: e.sql,
                    path: None,
                }
            })
            .collect())
    }

    async fn save_named_query(
        &self,
        name: &str,
        database: &str,
        sql: &str,
    ) -> Result<String, String> {
        Workspace::save_named_query(self, name, database, sql)
            .await
            .map_err(|e| e.to_string())
    }

    async fn scan_cutoff(&self) -> Result<Option<u64>, String> {
        self.bytes_scanned_cutoff().await.map_err(|e| e.message)
    }
}

