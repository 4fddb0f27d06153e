//! One query's life on the engine's executor: plan, stream the rows, and record the final
//! state and statistics whatever the outcome.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};
use std::time::Instant;

use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::DataFusionError;
use datafusion::execution::context::{SQLOptions, SessionContext};
use datafusion::logical_expr::LogicalPlan;
use datafusion::physical_plan::execute_stream;
use futures::StreamExt;

use super::super::athena_scan;
use super::super::dialect;
use super::super::errors::query_error;
use super::super::scan_metrics::{self, ScanSummary};
use super::reuse::{self, FilesRead, Reusable, ReuseKey};
use super::{CATALOG_NAME, QueryRun, ResultSet, Shared};
use crate::backend::{EngineKind, QueryError, QueryErrorKind, QueryState, QueryStats, TableName};
use crate::cost::Pricing;
use crate::sql::params::ParamValue;
use datafusion::scalar::ScalarValue;

/// Plans and runs one query, keeping rows up to the display limit and counting the rest.
pub(super) async fn execute(
    shared: &Shared,
    run: &QueryRun,
    sql: &str,
    database: Option<&str>,
    parameters: &[ParamValue],
) -> Result<Executed, QueryError> {
    // `?` becomes `$1`, `$2`, … and the values are bound to the plan, not written into the SQL.
    let numbered;
    let sql = if parameters.is_empty() {
        sql
    } else {
        numbered = crate::sql::params::numbered(sql);
        numbered.as_str()
    };
    let ctx = match database {
        Some(db) => {
            let mut state = shared.ctx.state();
            db.clone_into(&mut state.config_mut().options_mut().catalog.default_schema);
            SessionContext::new_with_state(state)
        }
        None => shared.ctx.clone(),
    };
    let default_db = ctx
        .state()
        .config()
        .options()
        .catalog
        .default_schema
        .clone();
    if let Some(remote) = &shared.remote {
        remote.register_referenced(&ctx, sql, &default_db).await?;
    }
    let read_only = SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false);
    let planning = Instant::now();
    let mut logical = dialect::plan(&ctx, sql, read_only)
        .await
        .map_err(|e| shared.explain(&e))?;
    if !parameters.is_empty() {
        logical = logical
            .with_param_values(parameters.iter().map(scalar).collect::<Vec<_>>())
            .map_err(|e| shared.explain(&e))?;
    }
    let frame = ctx
        .execute_logical_plan(logical)
        .await
        .map_err(|e| shared.explain(&e))?;
    let tables = referenced_tables(frame.logical_plan(), &default_db);
    let repeatable = shared.options.reuse_results && reuse::repeatable(frame.logical_plan());
    let plan = frame
        .create_physical_plan()
        .await
        .map_err(|e| shared.explain(&e))?;
    let planning_ms = elapsed_ms(planning);
    *run.plan.lock().unwrap_or_else(PoisonError::into_inner) =
        Some((Arc::clone(&plan), scan_metrics::shape(&plan)));
    let reuse = repeatable
        .then(|| reuse::files_read(&plan))
        .flatten()
        .map(|files| (ReuseKey::new(sql, &default_db, parameters), files));
    if let Some((key, files)) = &reuse
        && let Some(earlier) = shared.reuse.find(key, *files)
    {
        return Ok(Executed {
            result: earlier.result,
            tables,
            planning_ms,
            execution_ms: 0,
            reused: Some(earlier.stats),
            reuse: None,
        });
    }
    run.status.send_modify(|s| s.state = QueryState::Running);

    let executing = Instant::now();
    let schema = plan.schema();
    let mut stream = execute_stream(plan, ctx.task_ctx()).map_err(|e| shared.explain(&e))?;
    let limit = shared.options.row_limit;
    let mut kept = Vec::new();
    let mut kept_rows = 0;
    let mut rows = 0;
    while let Some(batch) = stream.next().await {
        let batch = batch.map_err(|e| shared.explain(&e))?;
        rows += batch.num_rows();
        if kept_rows < limit {
            let take = batch.num_rows().min(limit - kept_rows);
            kept_rows += take;
            kept.push(if take == batch.num_rows() {
                batch
            } else {
                batch.slice(0, take)
            });
        }
        run.rows.store(rows as u64, Ordering::Relaxed);
    }
    let result = ResultSet {
        schema,
        batches: kept,
        truncated: rows > kept_rows,
    };
    Ok(Executed {
        result: Arc::new(result),
        tables,
        planning_ms,
        execution_ms: elapsed_ms(executing),
        reused: None,
        reuse,
    })
}

/// What a successful run produced.
pub(super) struct Executed {
    result: Arc<ResultSet>,
    tables: Vec<TableName>,
    planning_ms: u64,
    execution_ms: u64,
    /// The statistics of the earlier run whose rows these are, when they were reused.
    reused: Option<QueryStats>,
    /// Where this run's rows are kept for reuse, when they may be.
    reuse: Option<(ReuseKey, FilesRead)>,
}

/// A parameter as DataFusion's value: whole numbers as BIGINT, other numbers as DOUBLE, text
/// as VARCHAR.
fn scalar(value: &ParamValue) -> ScalarValue {
    match value {
        ParamValue::Number(n) => n.parse::<i64>().map_or_else(
            |_| ScalarValue::Float64(n.parse::<f64>().ok()),
            |i| ScalarValue::Int64(Some(i)),
        ),
        ParamValue::Text(t) => ScalarValue::Utf8(Some(t.clone())),
    }
}

/// Records the final state and statistics, whatever the outcome.
pub(super) async fn finish(
    shared: &Arc<Shared>,
    run: &QueryRun,
    outcome: Result<Executed, QueryError>,
) {
    let plan = run
        .plan
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let mut stats = QueryStats {
        engine: EngineKind::Local,
        ..QueryStats::default()
    };
    if let Some((plan, shape)) = &plan {
        apply_scan(
            &mut stats,
            scan_metrics::summarize(plan, *shape),
            shared.options.pricing,
        );
    }
    // A local lake knows its tables' sizes (a walk of their folders, on another core while the
    // figure below is computed); a remote catalog's would cost a listing.
    let totals = match (&outcome, shared.catalog.clone()) {
        (Ok(done), Some(catalog)) => {
            let tables = done.tables.clone();
            Some(tokio::task::spawn_blocking(move || {
                tables
                    .iter()
                    .filter_map(|t| catalog.table_blocking(t).ok())
                    .filter_map(|info| info.totals)
                    .fold((0, 0, 0), |(p, f, b), t| {
                        (p + t.partitions, f + t.files, b + t.bytes)
                    })
            }))
        }
        _ => None,
    };
    if let Some(earlier) = outcome.as_ref().ok().and_then(|done| done.reused.as_ref()) {
        // The files, partitions, rows and what Athena would scan are the earlier run's; this
        // run read nothing and, like Athena's own result reuse, costs nothing.
        stats = QueryStats {
            result_reused: true,
            bytes_scanned: 0,
            billed_bytes: 0,
            cost_usd: 0.0,
            row_groups_pruned: 0,
            row_groups_matched: 0,
            ..earlier.clone()
        };
    } else if let (Some((plan, _)), Ok(_)) = (&plan, &outcome) {
        // Without the figure (a footer that cannot be read now) the local one stands.
        // A panic in DataFusion's pruning code must not leave the run unfinished (a caller
        // waiting for it would wait forever): it only costs the figure.
        let figure = futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(
            athena_scan::athena_bytes(plan, &shared.ctx.runtime_env()),
        ))
        .await;
        if let Ok(Ok(bytes)) = figure {
            stats.athena_scan_bytes = Some(bytes);
            stats.billed_bytes = shared.options.pricing.billed_bytes(bytes);
            stats.cost_usd = shared.options.pricing.cost_usd(bytes);
        }
    }
    if !stats.result_reused {
        stats.rows = run.rows.load(Ordering::Relaxed);
    }
    stats.total_ms = elapsed_ms(run.started);
    let (final_state, error) = match outcome {
        Ok(done) => {
            stats.planning_ms = done.planning_ms;
            stats.execution_ms = done.execution_ms;
            if let Some(totals) = totals {
                let totals = totals.await.unwrap_or_default();
                (stats.partitions_total, stats.files_total) = (totals.0, totals.1);
                stats.bytes_total = Some(totals.2);
            }
            if let Some((key, files)) = done.reuse {
                let reusable = Reusable {
                    result: Arc::clone(&done.result),
                    stats: stats.clone(),
                };
                shared.reuse.keep(key, files, reusable);
            }
            *run.result.lock().unwrap_or_else(PoisonError::into_inner) = Some(done.result);
            (QueryState::Succeeded, None)
        }
        Err(error) if error.kind == QueryErrorKind::Cancelled => {
            (QueryState::Cancelled, Some(error))
        }
        Err(error) => {
            // Athena does not bill failed queries.
            (stats.billed_bytes, stats.cost_usd) = (0, 0.0);
            (QueryState::Failed, Some(error))
        }
    };
    run.status.send_modify(|s| {
        s.state = final_state;
        s.stats = stats;
        s.error = error;
    });
}

pub(super) fn apply_scan(stats: &mut QueryStats, scan: ScanSummary, pricing: Pricing) {
    stats.bytes_scanned = scan.bytes_scanned;
    stats.billed_bytes = pricing.billed_bytes(scan.bytes_scanned);
    stats.cost_usd = pricing.cost_usd(scan.bytes_scanned);
    stats.files_scanned = scan.files;
    stats.partitions_scanned = scan.partitions;
    stats.row_groups_pruned = scan.row_groups_pruned;
    stats.row_groups_matched = scan.row_groups_matched;
}

impl Shared {
    /// A DataFusion error as the user should read it, naming the lake's tables when one is
    /// unknown and why a table could not be read when that is the cause.
    fn explain(&self, err: &DataFusionError) -> QueryError {
        let mut error = query_error(err);
        if let Some(message) = dialect::explain_missing_function(&error.message) {
            error.message = message;
        }
        let lower = error.message.to_lowercase();
        if error.kind == QueryErrorKind::Planning
            && lower.contains("table")
            && lower.contains("not found")
        {
            let broken = self
                .unqueryable
                .iter()
                .find(|(name, _)| lower.contains(&name.to_lowercase()));
            error.message = match broken {
                Some((name, reason)) => format!("table {name} cannot be queried: {reason}"),
                None if self.remote.is_some() => format!(
                    "{} (the catalog has no such table; the catalog pane lists them)",
                    error.message.replace(&format!("{CATALOG_NAME}."), "")
                ),
                None => format!(
                    "{} (tables in this lake: {})",
                    error.message.replace(&format!("{CATALOG_NAME}."), ""),
                    if self.queryable.is_empty() {
                        "none".to_owned()
                    } else {
                        self.queryable.join(", ")
                    }
                ),
            };
        }
        error
    }
}

/// The lake tables a plan reads, subqueries included, resolved against the default database.
fn referenced_tables(plan: &LogicalPlan, default_db: &str) -> Vec<TableName> {
    let mut names = BTreeSet::new();
    let _ = plan.apply_with_subqueries(|node| {
        if let LogicalPlan::TableScan(scan) = node {
            let db = scan.table_name.schema().unwrap_or(default_db).to_owned();
            names.insert((db, scan.table_name.table().to_owned()));
        }
        Ok(TreeNodeRecursion::Continue)
    });
    names
        .into_iter()
        .map(|(db, table)| TableName::new(db, table))
        .collect()
}

pub(super) fn elapsed_ms(since: Instant) -> u64 {
    since.elapsed().as_millis() as u64
}
