//! Sums what the Parquet scans of an executed plan read, the way datafusion-dft does: walk the
//! physical plan, read each scan's metrics and file list.

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::datasource::physical_plan::FileScanConfig;
use datafusion::datasource::source::DataSourceExec;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::metrics::MetricValue;

/// What the scans of one plan read. Counters are live: they grow while the plan runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanSummary {
    pub bytes_scanned: u64,
    pub files: u64,
    pub partitions: u64,
    pub row_groups_pruned: u64,
    pub row_groups_matched: u64,
}

/// Walks `plan` and sums its scans.
pub fn summarize(plan: &Arc<dyn ExecutionPlan>) -> ScanSummary {
    let mut summary = ScanSummary::default();
    let mut files = HashSet::new();
    let mut partitions = HashSet::new();
    visit(plan, &mut summary, &mut files, &mut partitions);
    summary.files = files.len() as u64;
    summary.partitions = partitions.len() as u64;
    summary
}

/// The `bytes_scanned` metric of one scan node (0 before it runs).
pub fn bytes_scanned(node: &Arc<dyn ExecutionPlan>) -> u64 {
    node.metrics().map_or(0, |metrics| {
        metrics
            .iter()
            .filter_map(|m| match m.value() {
                MetricValue::Count { name, count } if name == "bytes_scanned" => {
                    Some(count.value() as u64)
                }
                _ => None,
            })
            .sum()
    })
}

fn visit(
    plan: &Arc<dyn ExecutionPlan>,
    summary: &mut ScanSummary,
    files: &mut HashSet<String>,
    partitions: &mut HashSet<String>,
) {
    if let Some(scan) = plan.downcast_ref::<DataSourceExec>() {
        if let Some(config) = scan.data_source().downcast_ref::<FileScanConfig>() {
            for group in &config.file_groups {
                for file in group.files() {
                    let path = file.object_meta.location.to_string();
                    if !file.partition_values.is_empty() {
                        // The partition is the file's folder: distinct per table and value set.
                        let folder = path.rsplit_once('/').map_or("", |(dir, _)| dir).to_owned();
                        partitions.insert(folder);
                    }
                    files.insert(path);
                }
            }
        }
        summary.bytes_scanned += bytes_scanned(plan);
        if let Some(metrics) = plan.metrics() {
            for metric in metrics.iter() {
                match metric.value() {
                    MetricValue::PruningMetrics {
                        name,
                        pruning_metrics,
                    } if name == "row_groups_pruned_statistics" => {
                        summary.row_groups_pruned += pruning_metrics.pruned() as u64;
                        summary.row_groups_matched += pruning_metrics.matched() as u64;
                    }
                    _ => {}
                }
            }
        }
    }
    for child in plan.children() {
        visit(child, summary, files, partitions);
    }
}
