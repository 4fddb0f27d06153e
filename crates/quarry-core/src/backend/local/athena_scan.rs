//! What Athena would scan for a query the local engine ran. DataFusion can read far less than
//! Athena: its dynamic filters (the running top-k of `ORDER BY … LIMIT`, the running min/max of
//! an aggregate, a hash join's build side) skip row groups and files that Athena reads. Athena
//! bills the column chunks of the partitions its static predicates keep, less the row groups
//! those predicates prune by min/max statistics. This module computes that figure from the
//! executed plan: the files each scan was planned with (partition pruning is static), the
//! columns it reads, and the row groups its predicate prunes once the dynamic filters are taken
//! out. The footers usually come from DataFusion's metadata cache, filled by the run itself.

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::datasource::physical_plan::parquet::metadata::DFParquetMetadata;
use datafusion::datasource::physical_plan::parquet::{
    ParquetAccessPlan, ParquetFileMetrics, RowGroupAccessPlanFilter,
};
use datafusion::datasource::physical_plan::{FileScanConfig, ParquetSource};
use datafusion::datasource::source::DataSourceExec;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::runtime_env::RuntimeEnv;
use datafusion::physical_expr::expressions::{DynamicFilterPhysicalExpr, lit};
use datafusion::physical_expr::utils::collect_columns;
use datafusion::physical_optimizer::pruning::{PruningPredicate, PruningPredicateBuilder};
use datafusion::physical_plan::metrics::ExecutionPlanMetricsSet;
use datafusion::physical_plan::{ExecutionPlan, PhysicalExpr};
use futures::StreamExt;
use parquet::arrow::parquet_to_arrow_schema;
use parquet::file::metadata::{PageIndexPolicy, ParquetMetaData};

use super::estimate::top_level_name;
use super::scan_metrics;

/// Footers fetched at once when the cache lacks them.
const FOOTER_FETCHES: usize = 16;

/// Bytes Athena would scan for `plan`: the sum over its Parquet scans.
pub async fn athena_bytes(plan: &Arc<dyn ExecutionPlan>, runtime: &RuntimeEnv) -> Result<u64> {
    let mut scans = Vec::new();
    collect_scans(plan, &mut scans);
    let mut total = 0;
    for scan in scans {
        total += scan_bytes(scan, runtime).await?;
    }
    Ok(total)
}

fn collect_scans<'a>(
    plan: &'a Arc<dyn ExecutionPlan>,
    scans: &mut Vec<&'a Arc<dyn ExecutionPlan>>,
) {
    if plan.downcast_ref::<DataSourceExec>().is_some() {
        scans.push(plan);
    }
    for child in plan.children() {
        collect_scans(child, scans);
    }
}

/// The bytes one scan node reads, as Athena would read them.
async fn scan_bytes(node: &Arc<dyn ExecutionPlan>, runtime: &RuntimeEnv) -> Result<u64> {
    let read_here = scan_metrics::bytes_scanned(node);
    let Some(config) = node
        .downcast_ref::<DataSourceExec>()
        .and_then(|scan| scan.data_source().downcast_ref::<FileScanConfig>())
    else {
        return Ok(read_here);
    };
    if config.file_source.downcast_ref::<ParquetSource>().is_none() {
        return Ok(read_here);
    }
    // A limit without a filter stops Athena early too: what was read here is the better model.
    if config.limit.is_some() {
        return Ok(read_here);
    }
    let table_schema = Arc::clone(config.file_source.table_schema().table_schema());
    let partition_columns: HashSet<String> = config
        .table_partition_cols()
        .iter()
        .map(|f| f.name().to_lowercase())
        .collect();
    let static_predicate = config
        .file_source
        .filter()
        .map(|p| without_dynamic_filters(&p));
    let mut columns: HashSet<String> = HashSet::new();
    if let Some(projection) = config.file_source.projection() {
        for item in projection.iter() {
            columns.extend(
                collect_columns(&item.expr)
                    .iter()
                    .map(|c| c.name().to_lowercase()),
            );
        }
    } else {
        columns.extend(
            table_schema
                .fields()
                .iter()
                .map(|f| f.name().to_lowercase()),
        );
    }
    if let Some(predicate) = &static_predicate {
        columns.extend(
            collect_columns(predicate)
                .iter()
                .map(|c| c.name().to_lowercase()),
        );
    }
    columns.retain(|c| !partition_columns.contains(c));
    let pruning = static_predicate
        .and_then(|p| {
            PruningPredicateBuilder::new()
                .with_file_schema(Arc::clone(&table_schema))
                .try_build(p)
                .ok()
        })
        .filter(|p| !p.always_true());
    let store = runtime.object_store(&config.object_store_url)?;
    let cache = runtime.cache_manager.get_file_metadata_cache();
    // DataFusion splits big files into byte ranges across groups; Athena reads a file once.
    let mut seen = HashSet::new();
    let files: Vec<_> = config
        .file_groups
        .iter()
        .flat_map(datafusion::datasource::physical_plan::FileGroup::files)
        .filter(|file| seen.insert(file.object_meta.location.clone()))
        .map(|file| file.object_meta.clone())
        .collect();
    // Footers missing from the cache (files the run never opened) are fetched a few at a time:
    // on S3 each is a request. Each fetch owns what it needs, so the stream is `Send`.
    let (pruning, columns) = (pruning.map(Arc::new), Arc::new(columns));
    let fetches: Vec<_> = files
        .into_iter()
        .map(|file| {
            let (store, cache) = (Arc::clone(&store), Arc::clone(&cache));
            let (pruning, columns) = (pruning.clone(), Arc::clone(&columns));
            async move {
                let metadata = DFParquetMetadata::new(store.as_ref(), &file)
                    .with_file_metadata_cache(Some(cache))
                    .with_page_index_policy(Some(PageIndexPolicy::Skip))
                    .fetch_metadata()
                    .await?;
                let kept = kept_row_groups(&metadata, pruning.as_deref(), file.location.as_ref());
                Ok::<u64, DataFusionError>(
                    kept.iter()
                        .flat_map(|&i| metadata.row_group(i).columns())
                        .filter(|chunk| columns.contains(&top_level_name(chunk)))
                        .map(|chunk| chunk.compressed_size().max(0) as u64)
                        .sum(),
                )
            }
        })
        .collect();
    let mut sizes = futures::stream::iter(fetches).buffer_unordered(FOOTER_FETCHES);
    let mut total = 0;
    while let Some(bytes) = sizes.next().await {
        total += bytes?;
    }
    Ok(total)
}

/// `predicate` with every dynamic filter replaced by `true`: what the query's text decides.
fn without_dynamic_filters(predicate: &Arc<dyn PhysicalExpr>) -> Arc<dyn PhysicalExpr> {
    Arc::clone(predicate)
        .transform_up(|expr| {
            Ok(
                if expr.downcast_ref::<DynamicFilterPhysicalExpr>().is_some() {
                    Transformed::yes(lit(true))
                } else {
                    Transformed::no(expr)
                },
            )
        })
        .map_or_else(|_| lit(true), |t| t.data)
}

/// The row groups of a file that `pruning` keeps (all of them without a predicate, or when the
/// statistics cannot be read: Athena reads what it cannot rule out).
fn kept_row_groups(
    metadata: &ParquetMetaData,
    pruning: Option<&PruningPredicate>,
    file_name: &str,
) -> Vec<usize> {
    let count = metadata.num_row_groups();
    let Some(pruning) = pruning else {
        return (0..count).collect();
    };
    let parquet_schema = metadata.file_metadata().schema_descr();
    let Ok(arrow_schema) = parquet_to_arrow_schema(
        parquet_schema,
        metadata.file_metadata().key_value_metadata(),
    ) else {
        return (0..count).collect();
    };
    // The predicate was built on the table's schema; a file that drifted from it (a column
    // missing, moved or of another type) cannot be pruned with it, so it is read whole.
    let matches_table = collect_columns(pruning.orig_expr()).iter().all(|column| {
        arrow_schema
            .fields()
            .get(column.index())
            .is_some_and(|field| {
                field.name() == column.name()
                    && pruning
                        .schema()
                        .field_with_name(column.name())
                        .is_ok_and(|table| {
                            // Views and plain arrays of one type are the same column.
                            super::athena_type_name(table.data_type())
                                == super::athena_type_name(field.data_type())
                        })
            })
    });
    if !matches_table {
        return (0..count).collect();
    }
    let mut filter = RowGroupAccessPlanFilter::new(ParquetAccessPlan::new_all(count));
    // The filter reports into metrics; these are thrown away, the query's own are untouched.
    let metrics = ParquetFileMetrics::new(0, file_name, &ExecutionPlanMetricsSet::new());
    filter.prune_by_statistics(
        &arrow_schema,
        parquet_schema,
        metadata.row_groups(),
        pruning,
        &metrics,
    );
    filter.row_group_indexes().collect()
}
