//! `g` in the results: the rows shown (sorted, filtered) as a chart. The chart is worked out
//! off the UI thread; `t` changes its kind, `x`, `v` and `b` the columns it draws (the
//! horizontal one, the value, the category splitting a line chart).

use std::sync::Arc;

use crate::chart::{self, ChartData, ChartKind, ChartSpec, Role};

use super::action::Effect;
use super::results::ResultGrid;
use super::state::AppState;

/// Plot width the chart is prepared for, in cells: lines keep two points per dot across, so
/// this covers terminals up to this wide at full resolution.
pub const PLOT_WIDTH: usize = 240;

/// The chart shown in the results' place.
#[derive(Debug, Clone)]
pub struct ChartView {
    pub spec: ChartSpec,
    /// The chart drawn, once worked out.
    pub data: Option<Arc<ChartData>>,
    /// The job the view waits for.
    pub pending: Option<u64>,
    /// Why the columns chosen cannot be drawn.
    pub error: Option<String>,
}

/// What `t`, `x`, `v` and `b` change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartChange {
    Kind,
    X,
    Value,
    Series,
}

/// `g`: shows the chart the columns suggest, or the grid again.
pub fn toggle(state: &mut AppState) -> Vec<Effect> {
    let generation = ticket(state);
    let Some(grid) = state.results.as_mut() else {
        state.notice = Some("no results to chart yet: F5 runs a query".to_owned());
        return Vec::new();
    };
    if grid.chart.take().is_some() {
        return Vec::new();
    }
    let Some(spec) = chart::suggest(&grid.schema) else {
        state.notice = Some("nothing to chart: the result has no number column".to_owned());
        return Vec::new();
    };
    grid.chart = Some(ChartView {
        spec,
        data: None,
        pending: None,
        error: None,
    });
    rebuild(grid, generation).into_iter().collect()
}

/// `t` / `x` / `v` / `b`: the next kind, or the next column that fits the role.
pub fn change(state: &mut AppState, what: ChartChange) -> Vec<Effect> {
    let generation = ticket(state);
    let Some(grid) = state.results.as_mut() else {
        return Vec::new();
    };
    let schema = Arc::clone(&grid.schema);
    let Some(view) = grid.chart.as_mut() else {
        state.notice = Some("g shows the chart first".to_owned());
        return Vec::new();
    };
    let columns = schema.fields().len();
    let next_column = |from: usize, fits: &dyn Fn(Role) -> bool| {
        (1..=columns)
            .map(|step| (from + step) % columns)
            .find(|&c| fits(chart::role(&schema, c)))
    };
    let spec = &mut view.spec;
    match what {
        ChartChange::Kind => {
            spec.kind = match spec.kind {
                ChartKind::Line => ChartKind::Bar,
                ChartKind::Bar => ChartKind::Histogram,
                ChartKind::Histogram => ChartKind::Line,
            };
        }
        ChartChange::X => {
            if let Some(c) = next_column(spec.x, &|_| true) {
                spec.x = c;
            }
        }
        ChartChange::Value => {
            if let Some(c) = next_column(spec.y, &|r| r == Role::Number) {
                spec.y = c;
            }
        }
        ChartChange::Series => {
            // Through the category columns, then none.
            let from = spec.series.unwrap_or(columns - 1);
            spec.series = next_column(from, &|r| r == Role::Category)
                .filter(|c| spec.series.is_none_or(|s| *c > s));
        }
    }
    rebuild(grid, generation).into_iter().collect()
}

/// Works the chart out again for the rows the grid shows now.
pub fn rebuild(grid: &mut ResultGrid, generation: u64) -> Option<Effect> {
    let rows = grid.shared();
    let view = grid.chart.as_mut()?;
    view.pending = Some(generation);
    view.error = None;
    Some(Effect::BuildChart {
        grid: grid.id,
        generation,
        rows,
        spec: view.spec,
    })
}

/// A chart worked out: shown if it is the one the view waits for.
pub fn built(
    state: &mut AppState,
    grid_id: u64,
    generation: u64,
    data: Result<Arc<ChartData>, String>,
) {
    let Some(view) = state
        .results
        .as_mut()
        .filter(|g| g.id == grid_id)
        .and_then(|g| g.chart.as_mut())
        .filter(|v| v.pending == Some(generation))
    else {
        return;
    };
    view.pending = None;
    match data {
        Ok(data) => view.data = Some(data),
        Err(e) => {
            view.data = None;
            view.error = Some(e);
        }
    }
}

fn ticket(state: &mut AppState) -> u64 {
    let ticket = state.next_ticket;
    state.next_ticket += 1;
    ticket
}
