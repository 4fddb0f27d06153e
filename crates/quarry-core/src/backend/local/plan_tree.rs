//! A finished local query's physical plan as quarry's plain [`PlanNode`] tree: each operator
//! with DataFusion's one-line description and its measurements (rows out, compute time, bytes
//! and files scanned, row groups pruned), summed over the operator's partitions.

use datafusion::physical_plan::metrics::MetricValue;
use datafusion::physical_plan::{ExecutionPlan, displayable};

use crate::backend::PlanNode;
use crate::text::{human_bytes, thousands};

/// The plan under `plan`, with its metrics.
pub fn plan_node(plan: &dyn ExecutionPlan) -> PlanNode {
    let detail = displayable(plan).one_line().to_string();
    let detail = detail
        .strip_prefix(&format!("{}: ", plan.name()))
        .unwrap_or(detail.trim())
        .trim()
        .to_owned();
    let mut metrics = Vec::new();
    if let Some(set) = plan.metrics() {
        for metric in set
            .aggregate_by_name()
            .sorted_for_display()
            .timestamps_removed()
            .iter()
        {
            if let Some(shown) = shown(metric.value()) {
                metrics.push(shown);
            }
        }
    }
    PlanNode {
        operator: plan.name().to_owned(),
        detail,
        metrics,
        children: plan
            .children()
            .into_iter()
            .map(|c| plan_node(c.as_ref()))
            .collect(),
    }
}

/// A metric as `(name, value)` for people; `None` for zeros and for the ones that say little.
fn shown(value: &MetricValue) -> Option<(String, String)> {
    let name = value.name();
    let text = match value {
        MetricValue::OutputRows(count) => thousands(count.value() as u64),
        MetricValue::OutputBytes(count) if count.value() > 0 => human_bytes(count.value() as u64),
        MetricValue::ElapsedCompute(time) | MetricValue::Time { time, .. } => millis(time.value()),
        MetricValue::Count { count, .. } if count.value() > 0 => {
            if name.contains("bytes") {
                human_bytes(count.value() as u64)
            } else {
                thousands(count.value() as u64)
            }
        }
        MetricValue::PruningMetrics {
            pruning_metrics, ..
        } => {
            let (pruned, matched) = (pruning_metrics.pruned(), pruning_metrics.matched());
            if pruned + matched == 0 {
                return None;
            }
            format!(
                "{} pruned, {} matched",
                thousands(pruned as u64),
                thousands(matched as u64)
            )
        }
        _ => return None,
    };
    // Times too short to read say nothing.
    (text != "0.00 ms").then(|| (name.to_owned(), text))
}

fn millis(nanos: usize) -> String {
    let ms = nanos as f64 / 1e6;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.0} ms")
    }
}
