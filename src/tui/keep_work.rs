//! Keeping in the cache lake, off the UI thread: a result (the partitions it covered from its
//! scan estimate, the Parquet files, the cache's engine reopened with the new table), and a
//! partition range copied from S3 (measured, then copied with progress, abortable).

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use crate::app::action::{Action, Effect};
use crate::backend::{QueryStats, TableName};
use crate::export::SharedRows;

use super::effects::Services;

/// Keeps `rows` as `name` and answers with [`Action::ResultKept`].
pub(super) fn spawn_keep(
    services: &Services,
    tx: UnboundedSender<Action>,
    name: TableName,
    rows: SharedRows,
    sql: String,
    stats: QueryStats,
) {
    let Some(cache) = services.cache.clone() else {
        let _ = tx.send(Action::ResultKept(Err("there is no cache lake".to_owned())));
        return;
    };
    let catalog = Arc::clone(&services.catalog);
    let database = services.context.database.clone();
    let pricing = services.pricing;
    let source = services.engine.title.clone();
    tokio::spawn(async move {
        let explanation =
            crate::estimate::explain(catalog.as_ref(), &sql, database.as_deref(), pricing).await;
        let provenance =
            crate::cache::Provenance::of_run(&sql, &stats, &source, Some(&explanation));
        let batches = Vec::clone(&rows.batches);
        let result = cache
            .keep(&name, rows.schema.clone(), batches, provenance)
            .await
            .map(|kept| {
                let what = format!(
                    "kept {} rows as {} ({}, {}); queries on it run locally for $0",
                    crate::text::thousands(kept.rows),
                    kept.name,
                    crate::doctor::plural(kept.files as u64, "file"),
                    crate::text::human_bytes(kept.bytes)
                );
                let what = match kept.evicted.len() {
                    0 => what,
                    n => format!(
                        "{what}; evicted {} least recently used to stay in budget",
                        crate::doctor::plural(n as u64, "table")
                    ),
                };
                (kept.name, what)
            });
        let _ = tx.send(Action::ResultKept(result));
    });
}

/// The partition copy's effects: measure, run (abortable through `running`), stop.
pub(super) fn copy_effect(
    services: &Services,
    tx: UnboundedSender<Action>,
    running: &mut Option<tokio::task::AbortHandle>,
    effect: Effect,
) {
    let (Some(cache), Some(stores)) = (services.cache.clone(), services.stores.clone()) else {
        let _ = tx.send(Action::CopyFinished(Err(
            "partitions are copied from S3: open the AWS source (--aws)".to_owned(),
        )));
        return;
    };
    match effect {
        Effect::PlanCopy { table, condition } => {
            tokio::spawn(async move {
                let plan = cache
                    .plan_copy(stores.as_ref(), &table, &condition)
                    .await
                    .map(Arc::new)
                    .map_err(|e| e.to_string());
                let _ = tx.send(Action::CopyPlanned(plan));
            });
        }
        Effect::RunCopy(plan) => {
            let task = tokio::spawn(async move {
                let progress_tx = tx.clone();
                let progress = move |p| {
                    let _ = progress_tx.send(Action::CopyProgressed(p));
                };
                let result = cache
                    .copy_partitions(stores.as_ref(), &plan, &progress)
                    .await
                    .map(|report| {
                        let fetched = report.progress.files_done - report.progress.files_skipped;
                        format!(
                            "kept {} of {} locally ({} fetched, {} already here, {} removed): the \
                             same SQL within `{}` now runs for $0{}",
                            crate::doctor::plural(plan.matched.len() as u64, "partition"),
                            plan.table,
                            crate::doctor::plural(fetched, "file"),
                            report.progress.files_skipped,
                            report.removed,
                            plan.condition,
                            match report.evicted.len() {
                                0 => String::new(),
                                n => format!(
                                    "; evicted {} to stay in budget",
                                    crate::doctor::plural(n as u64, "table")
                                ),
                            }
                        )
                    })
                    .map_err(|e| format!("copy failed: {e} (what was copied stays; K resumes)"));
                let _ = tx.send(Action::CopyFinished(result));
            });
            *running = Some(task.abort_handle());
        }
        Effect::StopCopy => {
            if let Some(task) = running.take() {
                task.abort();
            }
            let _ = tx.send(Action::CopyFinished(Err(
                "copy stopped: what was copied stays, and K on the same partitions resumes"
                    .to_owned(),
            )));
        }
        _ => {}
    }
}
