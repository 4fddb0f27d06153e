//! Joins without an equality condition (cross joins, nested loops) can compute for minutes
//! between two polls of their inputs, and tokio aborts a task only where it yields: a cancelled
//! `a CROSS JOIN b CROSS JOIN c` would keep the engine's threads busy and the next query
//! waiting. Wrapped in DataFusion's `CooperativeExec`, every batch such a join emits spends
//! tokio's cooperative budget, so the task yields every few batches and a cancel lands there.

use std::sync::Arc;

use datafusion::common::Result;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::config::ConfigOptions;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::coop::CooperativeExec;
use datafusion::physical_plan::joins::{CrossJoinExec, NestedLoopJoinExec};

/// The physical optimizer rule; register it last.
#[derive(Debug, Default)]
pub struct YieldingJoins;

impl PhysicalOptimizerRule for YieldingJoins {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            if node.is::<NestedLoopJoinExec>() || node.is::<CrossJoinExec>() {
                let wrapped: Arc<dyn ExecutionPlan> = Arc::new(CooperativeExec::new(node));
                Ok(Transformed::yes(wrapped))
            } else {
                Ok(Transformed::no(node))
            }
        })
        .map(|transformed| transformed.data)
    }

    fn name(&self) -> &'static str {
        "quarry_yielding_joins"
    }

    fn schema_check(&self) -> bool {
        true
    }
}
