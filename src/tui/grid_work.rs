//! The results grid's CPU work, each on the blocking pool so the event loop keeps drawing:
//! sorting, filtering (a newer filter stops an older one between batches) and charts; and the
//! plan of a statement asked of the engine without running it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::mpsc::UnboundedSender;

use crate::app::{Action, Effect};

/// Asks `slot`'s engine for the plan of `sql` (Athena's distributed plan on Athena) and sends it
/// back as a tree.
pub(super) fn explain(
    slot: super::effects::EngineSlot,
    context: crate::backend::QueryContext,
    sql: String,
    tx: UnboundedSender<Action>,
) {
    tokio::spawn(async move {
        let athena = slot.name == crate::config::EngineChoice::Athena.label();
        let plan = crate::backend::explain_plan(slot.engine.as_ref(), &context, &sql, athena)
            .await
            .map_err(|e| e.message)
            .and_then(|text| {
                crate::backend::PlanNode::from_indented(&text)
                    .map(Box::new)
                    .ok_or_else(|| "the engine wrote no plan".to_owned())
            });
        let _ = tx.send(Action::PlanExplained(plan));
    });
}

/// Starts `effect` (a sort, a filter or a chart) on the blocking pool; its answer comes back
/// as an action. `latest_filter` holds the newest filter's generation.
pub(super) fn start(effect: Effect, tx: UnboundedSender<Action>, latest_filter: &Arc<AtomicU64>) {
    match effect {
        Effect::SortResults { grid, sort, rows } => {
            tokio::task::spawn_blocking(move || {
                let order = crate::app::results::sort_order(&rows, sort);
                let _ = tx.send(Action::ResultsSorted { grid, sort, order });
            });
        }
        Effect::BuildChart {
            grid,
            generation,
            rows,
            spec,
        } => {
            tokio::task::spawn_blocking(move || {
                let data = crate::chart::build(&rows, &spec, crate::app::chart_view::PLOT_WIDTH)
                    .map(Arc::new);
                let _ = tx.send(Action::ChartBuilt(Box::new((grid, generation, data))));
            });
        }
        Effect::FilterResults {
            grid,
            generation,
            rows,
            matcher,
        } => {
            let latest = Arc::clone(latest_filter);
            latest.store(generation, Ordering::Relaxed);
            tokio::task::spawn_blocking(move || {
                let wanted = || latest.load(Ordering::Relaxed) == generation;
                let rows = match crate::app::results_filter::matching_rows(&rows, &matcher, &wanted)
                {
                    Ok(None) => return, // a newer filter was typed
                    Ok(Some(rows)) => Ok(rows),
                    Err(e) => Err(e),
                };
                let _ = tx.send(Action::ResultsFiltered {
                    grid,
                    generation,
                    matcher,
                    rows,
                });
            });
        }
        _ => {}
    }
}
