//! Starting, cancelling and finishing queries: the part of `update` that follows one run.

use crate::backend::{QueryErrorKind, QueryState};
use crate::sql::statements::{Position, Statement};

use super::action::{Effect, Focus};
use super::hints::{self, RunKind};
use super::overlay::Overlay;
use super::picker::HistoryEntry;
use super::results::ResultGrid;
use super::state::{AppState, ComparisonView, QueryPhase};

pub(super) fn running_ticket(state: &AppState) -> Option<u64> {
    match state.phase {
        QueryPhase::Running { ticket, .. } => Some(ticket),
        _ => None,
    }
}

/// Starts the statement under the cursor (or the whole buffer). A run while another runs
/// cancels the first: its answers carry the old ticket and are dropped.
pub(super) fn run(state: &mut AppState, whole_buffer: bool) -> Vec<Effect> {
    run_as(state, whole_buffer, RunKind::Run)
}

/// [`run`] for the statement under the cursor, the result asked of Athena through `UNLOAD`.
pub(super) fn run_unloaded(state: &mut AppState) -> Vec<Effect> {
    run_as(state, false, RunKind::Unload)
}

fn run_as(state: &mut AppState, whole_buffer: bool, kind: RunKind) -> Vec<Effect> {
    // A single run replaces the tabs of the last run of several statements.
    if state.result_tabs.queue.is_empty() {
        state.result_tabs = super::result_tabs::ResultTabs::default();
    }
    let buffer = state.editor.buffer();
    // The whole buffer is one statement here (F6 gives several statements a tab each).
    let statement = if whole_buffer {
        crate::sql::statements::split(&buffer.text())
            .into_iter()
            .next()
    } else {
        buffer.statement_to_run()
    };
    let Some(statement) = statement else {
        state.notice = Some("nothing to run: the buffer holds no SQL".to_owned());
        return Vec::new();
    };
    if let Some(effects) = super::parameters::ask(state, &statement, kind) {
        return effects;
    }
    if let Err(effects) = hints::guard(state, &statement, kind) {
        return effects;
    }
    start_kind(state, statement, kind)
}

/// Compares the statement under the cursor on both engines, after the cost guard: Athena's
/// side is billed like any run.
pub(super) fn compare(state: &mut AppState) -> Vec<Effect> {
    let Some(statement) = state.editor.buffer().statement_to_run() else {
        state.notice = Some("nothing to compare: the buffer holds no SQL".to_owned());
        return Vec::new();
    };
    if !crate::sql::params::slots(&statement.sql).is_empty() {
        state.notice = Some(
            "the comparison does not take parameters: write the values in to compare".to_owned(),
        );
        return Vec::new();
    }
    if let Err(effects) = hints::guard(state, &statement, RunKind::Compare) {
        return effects;
    }
    start_compare(state, statement)
}

pub(super) fn start_kind(state: &mut AppState, statement: Statement, kind: RunKind) -> Vec<Effect> {
    match kind {
        RunKind::Run => start(state, statement),
        RunKind::Unload => start_with(state, statement, true),
        RunKind::Compare => start_compare(state, statement),
    }
}

/// Opens the comparison overlay and starts the comparison; an earlier one still running is
/// cancelled, and its answer (an older ticket) dropped.
fn start_compare(state: &mut AppState, statement: Statement) -> Vec<Effect> {
    let ticket = state.next_ticket;
    state.next_ticket += 1;
    state.notice = None;
    let mut effects = state.open_overlay(Overlay::Comparison(ComparisonView {
        ticket,
        sql: statement.sql.clone(),
        report: None,
        matched: None,
    }));
    effects.push(Effect::Compare {
        ticket,
        sql: statement.sql,
    });
    effects
}

/// Starts `statement` (the cost guard has had its say).
pub(super) fn start(state: &mut AppState, statement: Statement) -> Vec<Effect> {
    start_with(state, statement, false)
}

/// [`start`], `unload` asking for the result through Athena's `UNLOAD`.
fn start_with(state: &mut AppState, statement: Statement, unload: bool) -> Vec<Effect> {
    let mut effects = cancel_running(state);
    let ticket = state.next_ticket;
    state.next_ticket += 1;
    state.notice = None;
    // The results take the lower pane back from the partition browser.
    state.show_partitions = false;
    if state.focus == Focus::Partitions {
        state.focus = Focus::Results;
    }
    // A statement whose values were asked for runs as SQL with `?` and the values apart.
    let (sql, parameters) = match state.parameters.bound(&statement.sql) {
        Some((sql, values)) => (sql.clone(), values.clone()),
        None => (statement.sql.clone(), Vec::new()),
    };
    effects.push(Effect::RunQuery {
        ticket,
        sql,
        parameters,
        unload,
    });
    state.phase = QueryPhase::Running {
        ticket,
        statement,
        stats: crate::backend::QueryStats::default(),
        cancelling: false,
    };
    effects
}

pub(super) fn cancel_running(state: &mut AppState) -> Vec<Effect> {
    match &mut state.phase {
        QueryPhase::Running {
            ticket, cancelling, ..
        } if !*cancelling => {
            *cancelling = true;
            vec![Effect::CancelQuery { ticket: *ticket }]
        }
        _ => Vec::new(),
    }
}

/// The history record of a finished run.
pub(super) fn history(
    app: &AppState,
    sql: &str,
    outcome: &str,
    stats: Option<&crate::backend::QueryStats>,
    error: Option<&crate::backend::QueryError>,
) -> Effect {
    let stats = stats.cloned().unwrap_or_default();
    Effect::RecordHistory(HistoryEntry {
        time: chrono::Local::now().to_rfc3339(),
        source: app.source_label.clone(),
        sql: sql.to_owned(),
        state: outcome.to_owned(),
        bytes_scanned: stats.bytes_scanned,
        cost_usd: stats.cost_usd,
        rows: stats.rows,
        total_ms: stats.total_ms,
        error: error.map(|e| e.message.clone()),
        result_reused: stats.result_reused,
    })
}

/// Adds a later page of results to the grid it belongs to (shown, or parked in a tab).
pub(super) fn results_appended(
    state: &mut AppState,
    ticket: u64,
    page: Result<crate::backend::ResultPage, String>,
) -> Vec<Effect> {
    let shown = state.results.as_ref().is_some_and(|g| g.id == ticket);
    let page = match page {
        Ok(page) => page,
        Err(e) => {
            if let Some(grid) = grid_for(state, ticket, shown) {
                grid.loading_more = false;
                state.notice = Some(format!("the rest of the results could not be read: {e}"));
            }
            return Vec::new();
        }
    };
    let loaded = match grid_for(state, ticket, shown) {
        Some(grid) => grid.loaded,
        None => return Vec::new(), // a newer query's grid
    };
    if shown && let QueryPhase::Finished { stats } = &mut state.phase {
        if let (Some(fetch), Some(more)) = (stats.fetch.as_mut(), page.fetch.as_ref()) {
            fetch.rows = more.rows;
            fetch.ms += more.ms;
        }
        if page.next_token.is_none() && !page.truncated {
            stats.rows = (loaded + page_rows(&page)) as u64;
        }
    }
    let more_coming = page.next_token.is_some();
    let refilter = grid_for(state, ticket, shown)
        .is_some_and(|grid| grid.append(page.batches, more_coming, page.truncated));
    if refilter && shown {
        return super::results_filter::refresh(state);
    }
    Vec::new()
}

fn grid_for(state: &mut AppState, ticket: u64, shown: bool) -> Option<&mut ResultGrid> {
    if shown {
        state.results.as_mut()
    } else {
        super::result_tabs::parked_grid(state, ticket)
    }
}

fn page_rows(page: &crate::backend::ResultPage) -> usize {
    page.batches
        .iter()
        .map(datafusion::arrow::record_batch::RecordBatch::num_rows)
        .sum()
}

pub(super) fn finish(
    state: &mut AppState,
    ticket: u64,
    status: &crate::backend::QueryStatus,
    page: Option<Result<crate::backend::ResultPage, String>>,
) -> Vec<Effect> {
    let QueryPhase::Running {
        ticket: current,
        statement,
        ..
    } = &state.phase
    else {
        return Vec::new();
    };
    if *current != ticket {
        return Vec::new();
    }
    let statement = statement.clone();
    let mut final_stats = status.stats.clone();
    let page = match page {
        Some(Ok(page)) => {
            final_stats.absorb_fetch(&page);
            Some(page)
        }
        Some(Err(e)) => {
            state.notice = Some(format!(
                "the query succeeded but its results could not be read: {e}"
            ));
            None
        }
        None => None,
    };
    let outcome = match status.state {
        QueryState::Succeeded => "succeeded",
        QueryState::Cancelled => "cancelled",
        _ => "failed",
    };
    let record = history(
        state,
        &statement.sql,
        outcome,
        Some(&final_stats),
        status.error.as_ref(),
    );
    let mut effects = vec![record];
    if status.state != QueryState::Failed {
        state.session.queries += 1;
        // Next to Athena's dollars, Athena's bytes (a local run may have read less); a reused
        // result read nothing.
        if !final_stats.result_reused {
            state.session.bytes_scanned += final_stats.athena_bytes();
        }
        state.session.cost_usd += final_stats.cost_usd;
        if final_stats.billed_bytes > 0 || final_stats.saved_usd.is_some() {
            effects.push(Effect::RecordLedger(crate::ledger::LedgerEntry::for_stats(
                &state.session_id,
                &final_stats,
            )));
        }
    }
    state.phase = match status.state {
        QueryState::Succeeded => {
            if let Some(page) = page {
                let more_coming = page.next_token.is_some();
                let mut grid = ResultGrid::new(
                    ticket,
                    page.schema,
                    page.batches,
                    final_stats.rows,
                    page.truncated,
                );
                grid.loading_more = more_coming;
                grid.sql = Some(statement.sql.clone());
                state.results = Some(grid);
            }
            QueryPhase::Finished { stats: final_stats }
        }
        QueryState::Cancelled => QueryPhase::Cancelled { stats: final_stats },
        _ => {
            let mut error = status.error.clone().unwrap_or_else(|| {
                crate::backend::QueryError::new(
                    QueryErrorKind::Execution,
                    "the query failed without a message",
                )
            });
            if let Some(position) = error.position {
                // Engine positions are inside the statement; show and jump to the buffer's.
                let absolute = statement.to_buffer(Position {
                    line: position.line,
                    column: position.column,
                });
                state.editor.buffer_mut().move_cursor_to(absolute);
                error.position = Some(crate::backend::SqlPosition {
                    line: absolute.line,
                    column: absolute.column,
                });
            }
            state.focus = Focus::Editor;
            QueryPhase::Failed {
                error,
                stats: Some(final_stats),
            }
        }
    };
    effects.extend(super::result_tabs::statement_finished(state));
    effects
}
