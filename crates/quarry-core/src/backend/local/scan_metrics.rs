//! Sums what the Parquet scans of an executed plan read, the way datafusion-dft does: walk the
//! physical plan, read each scan's metrics and file list.

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::datasource::physical_plan::{FileGroup, FileScanConfig};
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

/// The files and partitions a plan's scans were planned with: fixed once the plan is built, so
/// counted once (a Firehose table's month is thousands of paths) and not on every progress poll.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanShape {
    pub files: u64,
    pub partitions: u64,
}

/// Counts the distinct files and partition folders of `plan`'s scans.
pub fn shape(plan: &Arc<dyn ExecutionPlan>) -> ScanShape {
    let mut files = HashSet::new();
    let mut partitions = HashSet::new();
    for scan in scans(plan) {
        let Some(config) = scan.data_source().downcast_ref::<FileScanConfig>() else {
            continue;
        };
        for file in config.file_groups.iter().flat_map(FileGroup::files) {
            let path = file.object_meta.location.as_ref();
            if !file.partition_values.is_empty() {
                // The partition is the file's folder: distinct per table and value set.
                partitions.insert(path.rsplit_once('/').map_or("", |(dir, _)| dir));
            }
            files.insert(path);
        }
    }
    ScanShape {
        files: files.len() as u64,
        partitions: partitions.len() as u64,
    }
}

/// Sums the live counters of `plan`'s scans onto their `shape`.
pub fn summarize(plan: &Arc<dyn ExecutionPlan>, shape: ScanShape) -> ScanSummary {
    let mut summary = ScanSummary {
        files: shape.files,
        partitions: shape.partitions,
        ..ScanSummary::default()
    };
    for scan in scans(plan) {
        // One metrics set per scan and poll: it holds a dozen metrics per file read so far.
        let Some(metrics) = scan.metrics() else {
            continue;
        };
        for metric in metrics.iter() {
            match metric.value() {
                MetricValue::Count { name, count } if name == "bytes_scanned" => {
                    summary.bytes_scanned += count.value() as u64;
                }
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

/// The scan nodes of `plan`, depth first, as plan nodes (their metrics are the node's).
pub fn scan_nodes(plan: &Arc<dyn ExecutionPlan>) -> Vec<&Arc<dyn ExecutionPlan>> {
    let mut found = Vec::new();
    let mut stack = vec![plan];
    while let Some(node) = stack.pop() {
        if node.downcast_ref::<DataSourceExec>().is_some() {
            found.push(node);
        }
        stack.extend(node.children().into_iter().rev());
    }
    found
}

fn scans(plan: &Arc<dyn ExecutionPlan>) -> impl Iterator<Item = &DataSourceExec> {
    scan_nodes(plan)
        .into_iter()
        .filter_map(|node| node.downcast_ref::<DataSourceExec>())
}
