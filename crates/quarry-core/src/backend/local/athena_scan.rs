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

use datafusion::arrow::array::{ArrayRef, BooleanArray, UInt64Array};
use datafusion::arrow::datatypes::Schema;
use datafusion::common::pruning::PruningStatistics;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{Column, ScalarValue};
use datafusion::datasource::physical_plan::parquet::metadata::DFParquetMetadata;
use datafusion::datasource::physical_plan::{FileScanConfig, ParquetSource};
use datafusion::datasource::source::DataSourceExec;
use datafusion::error::Result;
use datafusion::execution::runtime_env::RuntimeEnv;
use datafusion::physical_expr::expressions::{DynamicFilterPhysicalExpr, lit};
use datafusion::physical_expr::utils::collect_columns;
use datafusion::physical_optimizer::pruning::{PruningPredicate, PruningPredicateBuilder};
use datafusion::physical_plan::{ExecutionPlan, PhysicalExpr};
use futures::StreamExt;
use parquet::arrow::arrow_reader::statistics::StatisticsConverter;
use parquet::arrow::{ARROW_SCHEMA_META_KEY, parquet_to_arrow_schema};
use parquet::file::metadata::{PageIndexPolicy, ParquetMetaData, RowGroupMetaData};
use parquet::schema::types::SchemaDescriptor;

use super::estimate::top_level_name;
use super::scan_metrics;

/// Footers fetched at once when the cache lacks them.
const FOOTER_FETCHES: usize = 16;

/// Bytes Athena would scan for `plan`: the sum over its Parquet scans.
pub async fn athena_bytes(plan: &Arc<dyn ExecutionPlan>, runtime: &RuntimeEnv) -> Result<u64> {
    let mut total = 0;
    for scan in scan_metrics::scan_nodes(plan) {
        // What the scan read here is the model only where Athena's own reading cannot be
        // computed; walking its metrics (a dozen per file) is not free on thousands of files.
        total += match scan_bytes(scan, runtime).await? {
            Some(bytes) => bytes,
            None => scan_metrics::bytes_scanned(scan),
        };
    }
    Ok(total)
}

/// The bytes one scan node reads, as Athena would read them; `None` where what it read here is
/// the better figure.
async fn scan_bytes(node: &Arc<dyn ExecutionPlan>, runtime: &RuntimeEnv) -> Result<Option<u64>> {
    let Some(config) = node
        .downcast_ref::<DataSourceExec>()
        .and_then(|scan| scan.data_source().downcast_ref::<FileScanConfig>())
    else {
        return Ok(None);
    };
    if config.file_source.downcast_ref::<ParquetSource>().is_none() {
        return Ok(None);
    }
    // A limit without a filter stops Athena early too: what was read here is the better model.
    if config.limit.is_some() {
        return Ok(None);
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
    let fetches: Vec<_> = files
        .into_iter()
        .map(|file| {
            let (store, cache) = (Arc::clone(&store), Arc::clone(&cache));
            async move {
                DFParquetMetadata::new(store.as_ref(), &file)
                    .with_file_metadata_cache(Some(cache))
                    .with_page_index_policy(Some(PageIndexPolicy::Skip))
                    .fetch_metadata()
                    .await
            }
        })
        .collect();
    let mut footers = Vec::with_capacity(fetches.len());
    let mut arriving = futures::stream::iter(fetches).buffer_unordered(FOOTER_FETCHES);
    while let Some(footer) = arriving.next().await {
        footers.push(footer?);
    }
    let kept_chunks = |metadata: &ParquetMetaData, row_group: usize| -> u64 {
        metadata
            .row_group(row_group)
            .columns()
            .iter()
            .filter(|chunk| columns.contains(&top_level_name(chunk)))
            .map(|chunk| chunk.compressed_size().max(0) as u64)
            .sum()
    };
    let mut total = 0;
    for group in same_schema_groups(&footers) {
        let kept = pruning
            .as_ref()
            .and_then(|pruning| kept_row_groups(&group, pruning));
        let mut index = 0;
        for metadata in &group {
            for row_group in 0..metadata.num_row_groups() {
                if kept.as_ref().is_none_or(|kept| kept[index]) {
                    total += kept_chunks(metadata, row_group);
                }
                index += 1;
            }
        }
    }
    Ok(Some(total))
}

/// `footers` grouped by file schema (a Firehose table's files share one, or a few after drift),
/// so each group's row groups are pruned in one vectorised pass instead of file by file.
fn same_schema_groups(footers: &[Arc<ParquetMetaData>]) -> Vec<Vec<&ParquetMetaData>> {
    let mut groups: Vec<Vec<&ParquetMetaData>> = Vec::new();
    for footer in footers {
        let same = |other: &&ParquetMetaData| {
            let (a, b) = (footer.file_metadata(), other.file_metadata());
            // The embedded Arrow schema decides the Arrow types as much as the Parquet one.
            a.schema_descr() == b.schema_descr()
                && arrow_schema_hint(a.key_value_metadata())
                    == arrow_schema_hint(b.key_value_metadata())
        };
        match groups.iter_mut().find(|group| same(&group[0])) {
            Some(group) => group.push(footer),
            None => groups.push(vec![footer]),
        }
    }
    groups
}

fn arrow_schema_hint(metadata: Option<&Vec<parquet::file::metadata::KeyValue>>) -> Option<&str> {
    metadata?
        .iter()
        .find(|kv| kv.key == ARROW_SCHEMA_META_KEY)
        .and_then(|kv| kv.value.as_deref())
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

/// Which row groups of `files` (one schema; every row group of every file, in order) `pruning`
/// keeps; `None` keeps them all (statistics that cannot be read: Athena reads what it cannot
/// rule out).
fn kept_row_groups(files: &[&ParquetMetaData], pruning: &PruningPredicate) -> Option<Vec<bool>> {
    let first = files.first()?.file_metadata();
    let parquet_schema = first.schema_descr();
    let arrow_schema = parquet_to_arrow_schema(parquet_schema, first.key_value_metadata()).ok()?;
    // The predicate was built on the table's schema; files that drifted from it (a column
    // missing, moved or of another type) cannot be pruned with it, so they are read whole.
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
        return None;
    }
    let statistics = RowGroupStatistics {
        row_groups: files.iter().flat_map(|file| file.row_groups()).collect(),
        arrow_schema: &arrow_schema,
        parquet_schema,
    };
    pruning.prune(&statistics).ok()
}

/// Min/max/null-count statistics of many files' row groups as one set of containers, read the
/// way DataFusion's own row-group pruning reads them.
struct RowGroupStatistics<'a> {
    row_groups: Vec<&'a RowGroupMetaData>,
    arrow_schema: &'a Schema,
    parquet_schema: &'a SchemaDescriptor,
}

impl RowGroupStatistics<'_> {
    fn converter(&self, column: &Column) -> Option<StatisticsConverter<'_>> {
        StatisticsConverter::try_new(&column.name, self.arrow_schema, self.parquet_schema)
            .ok()
            .map(|converter| converter.with_missing_null_counts_as_zero(true))
    }
}

impl PruningStatistics for RowGroupStatistics<'_> {
    fn min_values(&self, column: &Column) -> Option<ArrayRef> {
        self.converter(column)?
            .row_group_mins(self.row_groups.iter().copied())
            .ok()
    }

    fn max_values(&self, column: &Column) -> Option<ArrayRef> {
        self.converter(column)?
            .row_group_maxes(self.row_groups.iter().copied())
            .ok()
    }

    fn num_containers(&self) -> usize {
        self.row_groups.len()
    }

    fn null_counts(&self, column: &Column) -> Option<ArrayRef> {
        self.converter(column)?
            .row_group_null_counts(self.row_groups.iter().copied())
            .ok()
            .map(|counts| Arc::new(counts) as ArrayRef)
    }

    fn row_counts(&self) -> Option<ArrayRef> {
        let counts: UInt64Array = self
            .row_groups
            .iter()
            .map(|row_group| Some(row_group.num_rows() as u64))
            .collect();
        Some(Arc::new(counts))
    }

    fn contained(&self, _column: &Column, _values: &HashSet<ScalarValue>) -> Option<BooleanArray> {
        None
    }
}
