//! Keeping a result in the cache lake, off the UI thread: the partitions it covered from its
//! scan estimate, the Parquet files, then the cache's engine reopened with the new table.

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use crate::app::action::Action;
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
