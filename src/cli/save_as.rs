//! `quarry query --save-as DB.TABLE`: the whole result kept in the cache lake with its
//! provenance, while at most `--max-rows` of it are printed.

use std::sync::Arc;

use datafusion::arrow::record_batch::RecordBatch;

use crate::cost::Pricing;
use crate::text::thousands;

use super::exit::{EXIT_QUERY_ERROR, say};
use super::query::Failure;

/// `--save-as`: the kept table's name and what keeping it needs.
pub(super) struct Keep {
    pub(super) name: crate::backend::TableName,
    pub(super) cache: Arc<crate::cache::CachedSource>,
    pub(super) catalog: Arc<dyn crate::backend::Catalog>,
    pub(super) source: String,
    pub(super) pricing: Pricing,
}

impl Keep {
    /// Keeps the result of `sql` and says so on stderr.
    pub(super) async fn keep(
        &self,
        sql: &str,
        database: Option<&str>,
        stats: &crate::backend::QueryStats,
        page: &crate::backend::ResultPage,
    ) -> Result<(), Failure> {
        let explanation =
            crate::estimate::explain(self.catalog.as_ref(), sql, database, self.pricing).await;
        let provenance =
            crate::cache::Provenance::of_run(sql, stats, &self.source, Some(&explanation));
        let kept = self
            .cache
            .keep(
                &self.name,
                page.schema.clone(),
                page.batches.clone(),
                provenance,
            )
            .await
            .map_err(|e| {
                Failure::Error(EXIT_QUERY_ERROR, format!("the result was not kept: {e}"))
            })?;
        say!(
            "kept {} rows as {} ({}, {}) in {}; queries on it run locally for $0",
            thousands(kept.rows),
            kept.name,
            crate::doctor::plural(kept.files as u64, "file"),
            crate::text::human_bytes(kept.bytes),
            kept.folder.display()
        );
        for evicted in &kept.evicted {
            say!(
                "evicted {} ({}) to keep the cache under [cache] budget_mb",
                evicted.name,
                crate::text::human_bytes(evicted.bytes)
            );
        }
        Ok(())
    }
}

/// `--save-as`'s DB.TABLE.
pub(super) fn kept_name(text: &str) -> Result<crate::backend::TableName, String> {
    match text.split_once('.') {
        Some((database, name)) if !database.is_empty() && !name.is_empty() => {
            Ok(crate::backend::TableName::new(
                database.to_ascii_lowercase(),
                name.to_ascii_lowercase(),
            ))
        }
        _ => Err(format!(
            "--save-as takes DB.TABLE (e.g. kept.errors_march), not `{text}`"
        )),
    }
}

/// Keeps at most `rows` rows of `batches`; true when some were left out.
pub(super) fn cut_to(batches: &mut Vec<RecordBatch>, rows: usize) -> bool {
    let mut left = rows;
    let mut cut = false;
    batches.retain_mut(|batch| {
        if left == 0 {
            cut = true;
            return false;
        }
        if batch.num_rows() > left {
            *batch = batch.slice(0, left);
            cut = true;
        }
        left -= batch.num_rows();
        true
    });
    cut
}
