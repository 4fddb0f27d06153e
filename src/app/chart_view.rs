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
    /// A position across the chart, in [`STEPS`]ths of its span (← →).
    pub cursor: usize,
    /// Where a range picked with Space starts.
    pub anchor: Option<usize>,
}

/// Positions across a chart the cursor stops at.
pub const STEPS: usize = 60;

impl ChartView {
    /// The x value at a step.
    pub fn x_at(data: &ChartData, step: usize) -> f64 {
        data.x.min + (data.x.max - data.x.min) * step as f64 / STEPS as f64
    }
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
        cursor: 0,
        anchor: None,
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
) -> Vec<Effect> {
    let Some(view) = state
        .results
        .as_mut()
        .filter(|g| g.id == grid_id)
        .and_then(|g| g.chart.as_mut())
        .filter(|v| v.pending == Some(generation))
    else {
        return Vec::new();
    };
    view.pending = None;
    match data {
        Ok(data) => view.data = Some(data),
        Err(e) => {
            view.data = None;
            view.error = Some(e);
        }
    }
    Vec::new()
}

/// Whether the results show a chart.
pub fn shown(state: &AppState) -> bool {
    state.results.as_ref().is_some_and(|g| g.chart.is_some())
}

/// ← / → on a chart: the cursor a step across.
pub fn move_cursor(state: &mut AppState, steps: isize) -> Vec<Effect> {
    if let Some(view) = state.results.as_mut().and_then(|g| g.chart.as_mut()) {
        view.cursor = view.cursor.saturating_add_signed(steps).min(STEPS);
    }
    Vec::new()
}

/// Space on a chart: starts a range at the cursor, or drops it.
pub fn mark(state: &mut AppState) -> Vec<Effect> {
    if let Some(view) = state.results.as_mut().and_then(|g| g.chart.as_mut()) {
        view.anchor = match view.anchor {
            Some(_) => None,
            None => Some(view.cursor),
        };
    }
    Vec::new()
}

/// Enter on a line chart over time: the range (or the cursor's step) becomes a `WHERE` on the
/// time column's expression and on the date partition keys, so the next run reads only those
/// days; the estimate under the editor follows.
pub fn range_to_filter(state: &mut AppState) -> Vec<Effect> {
    let Some(grid) = state.results.as_ref() else {
        return Vec::new();
    };
    let Some(view) = grid.chart.as_ref() else {
        return Vec::new();
    };
    let Some(data) = view.data.clone() else {
        return Vec::new();
    };
    if data.spec.kind != ChartKind::Line || !data.x.time {
        state.notice = Some("a range becomes a filter on a line chart over time".to_owned());
        return Vec::new();
    }
    let (low, high) = match view.anchor {
        Some(anchor) => (anchor.min(view.cursor), anchor.max(view.cursor)),
        None => (view.cursor.min(STEPS - 1), view.cursor.min(STEPS - 1) + 1),
    };
    let (from, to) = (ChartView::x_at(&data, low), ChartView::x_at(&data, high));
    let column = grid.schema.field(data.spec.x).name().clone();
    let Some(sql) = grid.sql.clone() else {
        return Vec::new();
    };
    let Some(expression) = crate::sql::filter::output_expression(&sql, &column) else {
        state.notice = Some(format!(
            "cannot tell which expression makes the column {column}"
        ));
        return Vec::new();
    };
    let at = |ms: f64| chrono::DateTime::from_timestamp_millis(ms as i64).map(|t| t.naive_utc());
    let (Some(from), Some(to)) = (at(from), at(to)) else {
        return Vec::new();
    };
    let mut conditions = Vec::new();
    // The date keys, from the estimate of the statement the rows came from.
    if let Some((statement, explanation)) = &state.hints.current
        && statement.sql == sql
    {
        let day = |t: chrono::NaiveDateTime| crate::sql::dates::Date {
            year: chrono::Datelike::year(&t),
            month: chrono::Datelike::month(&t),
            day: chrono::Datelike::day(&t),
        };
        conditions.extend(super::hints::date_key_conditions(
            explanation,
            day(from),
            day(to),
        ));
    }
    conditions.push(format!(
        "{expression} BETWEEN TIMESTAMP '{}' AND TIMESTAMP '{}'",
        from.format("%Y-%m-%d %H:%M:%S"),
        to.format("%Y-%m-%d %H:%M:%S")
    ));
    let condition = conditions.join(" AND ");
    let buffer = state.editor.buffer();
    let statement = buffer
        .statement_to_run()
        .filter(|s| s.sql == sql)
        .or_else(|| {
            crate::sql::statements::split(&buffer.text())
                .into_iter()
                .find(|s| s.sql == sql)
        });
    match statement {
        Some(statement) => {
            super::hints::add_filter(state, &statement, &condition);
            state.focus = super::action::Focus::Editor;
            // The estimate of the statement as it now reads.
            super::hints::refresh(state)
        }
        None => {
            state.notice =
                Some("the statement these rows came from is no longer in the editor".to_owned());
            Vec::new()
        }
    }
}

fn ticket(state: &mut AppState) -> u64 {
    let ticket = state.next_ticket;
    state.next_ticket += 1;
    ticket
}
