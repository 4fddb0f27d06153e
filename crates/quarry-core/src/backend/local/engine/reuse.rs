//! Answering a query run again from its previous result when nothing it reads has changed.
//!
//! Athena offers result reuse bounded by age, because it cannot know whether the data moved.
//! The local engine can: a run is planned as usual (which lists the table's files, so files
//! Firehose or `quarry serve` added since are seen), and if the plan's scans read exactly the
//! files of an earlier run of the same text (same paths, sizes and modification times) and the
//! query calls no function whose value changes between runs (`now()`, `random()`), the earlier
//! rows are the answer. Only the execution is skipped; the listing is the validation.

use std::collections::VecDeque;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfig};
use datafusion::datasource::source::DataSourceExec;
use datafusion::logical_expr::expr::WindowFunctionDefinition;
use datafusion::logical_expr::{Expr, LogicalPlan, Volatility};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::empty::EmptyExec;
use datafusion::physical_plan::placeholder_row::PlaceholderRowExec;

use super::ResultSet;
use crate::backend::QueryStats;
use crate::sql::params::ParamValue;

/// Results kept for reuse at most.
const KEPT_RESULTS: usize = 16;
/// Memory of kept results at most (a result bigger than this is never kept).
const KEPT_BYTES: usize = 256 << 20;

/// What identifies a query: its text, default database and parameter values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ReuseKey(String);

impl ReuseKey {
    pub(super) fn new(sql: &str, database: &str, parameters: &[ParamValue]) -> Self {
        Self(format!("{database}\u{0}{sql}\u{0}{parameters:?}"))
    }
}

/// The files a plan's scans read, as one fingerprint: each file's path, size, modification
/// time and entity tag, in no particular order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FilesRead {
    files: usize,
    fingerprint: u64,
}

/// The files `plan` reads, or `None` when its answer depends on more than files (a table held
/// in memory, the information schema): those are never reused.
pub(super) fn files_read(plan: &Arc<dyn ExecutionPlan>) -> Option<FilesRead> {
    let mut per_file = Vec::new();
    let mut stack = vec![plan];
    while let Some(node) = stack.pop() {
        let children = node.children();
        if children.is_empty() {
            if let Some(config) = node
                .downcast_ref::<DataSourceExec>()
                .and_then(|scan| scan.data_source().downcast_ref::<FileScanConfig>())
            {
                for file in config.file_groups.iter().flat_map(FileGroup::files) {
                    let meta = &file.object_meta;
                    let mut hasher = DefaultHasher::new();
                    (meta.location.as_ref(), meta.size, meta.last_modified).hash(&mut hasher);
                    meta.e_tag.hash(&mut hasher);
                    per_file.push(hasher.finish());
                }
            } else if node.downcast_ref::<EmptyExec>().is_none()
                && node.downcast_ref::<PlaceholderRowExec>().is_none()
            {
                return None;
            }
        }
        stack.extend(children);
    }
    if per_file.is_empty() {
        // Nothing read from files: cheap to run, nothing to gain.
        return None;
    }
    // Large files are split across partitions: the same file may appear more than once.
    per_file.sort_unstable();
    let mut all = DefaultHasher::new();
    per_file.hash(&mut all);
    Some(FilesRead {
        files: per_file.len(),
        fingerprint: all.finish(),
    })
}

/// True when every function `plan` calls returns the same value for the same input on every
/// run: no `now()`, `current_date`, `random()` or `uuid()`, in subqueries either.
pub(super) fn repeatable(plan: &LogicalPlan) -> bool {
    let mut repeatable = true;
    let _ = plan.apply_with_subqueries(|node| {
        node.apply_expressions(|expr| {
            expr.apply(|e| {
                if volatility(e).is_some_and(|v| v != Volatility::Immutable) {
                    repeatable = false;
                    return Ok(TreeNodeRecursion::Stop);
                }
                Ok(TreeNodeRecursion::Continue)
            })
        })?;
        Ok(if repeatable {
            TreeNodeRecursion::Continue
        } else {
            TreeNodeRecursion::Stop
        })
    });
    repeatable
}

fn volatility(expr: &Expr) -> Option<Volatility> {
    match expr {
        Expr::ScalarFunction(f) => Some(f.func.signature().volatility),
        Expr::AggregateFunction(f) => Some(f.func.signature().volatility),
        Expr::WindowFunction(w) => Some(match &w.fun {
            WindowFunctionDefinition::AggregateUDF(f) => f.signature().volatility,
            WindowFunctionDefinition::WindowUDF(f) => f.signature().volatility,
        }),
        _ => None,
    }
}

/// An earlier run's answer and statistics.
#[derive(Clone)]
pub(super) struct Reusable {
    pub result: Arc<ResultSet>,
    pub stats: QueryStats,
}

struct Kept {
    key: ReuseKey,
    files: FilesRead,
    bytes: usize,
    reusable: Reusable,
}

/// The last few results, newest last, within a memory budget.
#[derive(Default)]
pub(super) struct ResultReuse {
    kept: Mutex<VecDeque<Kept>>,
}

impl ResultReuse {
    /// The kept answer to `key` over exactly `files`, if any.
    pub(super) fn find(&self, key: &ReuseKey, files: FilesRead) -> Option<Reusable> {
        self.lock()
            .iter()
            .rev()
            .find(|kept| &kept.key == key && kept.files == files)
            .map(|kept| kept.reusable.clone())
    }

    /// Keeps `reusable` as the answer to `key` over `files`, replacing an older answer to the
    /// same text and dropping the oldest results past the budget.
    pub(super) fn keep(&self, key: ReuseKey, files: FilesRead, reusable: Reusable) {
        let bytes: usize = reusable
            .result
            .batches
            .iter()
            .map(datafusion::arrow::record_batch::RecordBatch::get_array_memory_size)
            .sum();
        if bytes > KEPT_BYTES {
            return;
        }
        let mut kept = self.lock();
        kept.retain(|k| k.key != key);
        kept.push_back(Kept {
            key,
            files,
            bytes,
            reusable,
        });
        let mut total: usize = kept.iter().map(|k| k.bytes).sum();
        while kept.len() > KEPT_RESULTS || total > KEPT_BYTES {
            let Some(oldest) = kept.pop_front() else {
                break;
            };
            total -= oldest.bytes;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Kept>> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
