//! `update` for the results grid's tools: sorting, the cell inspector, copying and export.

use std::path::PathBuf;

use super::action::{CopyScope, Effect};
use super::overlay::{Inspector, Overlay, Prompt, PromptKind};
use super::results::{ResultGrid, SortKey};
use super::state::AppState;
use crate::export::athena_text::trino_type;

/// Largest copy sent to the terminal; OSC 52 payloads past this are cut by many terminals.
const MAX_COPY_BYTES: usize = 1 << 20;

/// Sorts by the cursor column (or undoes the sort) in the background.
pub fn sort(state: &mut AppState) -> Vec<Effect> {
    let Some(grid) = state.results.as_mut() else {
        return Vec::new();
    };
    match grid.next_sort() {
        None => {
            if grid.apply_sort(None, None) {
                return super::results_filter::refresh(state);
            }
            Vec::new()
        }
        Some(sort) => {
            grid.sorting = Some(sort);
            let mut rows = grid.shared();
            rows.order = None;
            vec![Effect::SortResults {
                grid: grid.id,
                sort,
                rows,
            }]
        }
    }
}

/// A sort's answer: applied if it is for the grid shown and the sort last asked for.
pub fn sorted(
    state: &mut AppState,
    grid_id: u64,
    sort: SortKey,
    order: Result<Vec<u32>, String>,
) -> Vec<Effect> {
    let Some(grid) = state
        .results
        .as_mut()
        .filter(|g| g.id == grid_id && g.sorting == Some(sort))
    else {
        return Vec::new();
    };
    match order {
        Ok(order) => {
            if grid.apply_sort(Some(sort), Some(order)) {
                return super::results_filter::refresh(state);
            }
        }
        Err(e) => {
            grid.sorting = None;
            state.notice = Some(format!("could not sort: {e}"));
        }
    }
    Vec::new()
}

/// Keeps the plan a local run arrived with, for `p`.
pub fn plan_arrived(
    state: &mut AppState,
    ticket: u64,
    plan: crate::backend::PlanNode,
) -> Vec<Effect> {
    state.last_plan = Some((ticket, plan));
    Vec::new()
}

/// `p`: the plan the shown rows came from, as a tree with each operator's (local) or stage's
/// (Athena) measurements, in the scrollable inspector.
pub fn show_plan(state: &mut AppState) -> Vec<Effect> {
    let id = state.results.as_ref().map(|g| g.id);
    let local = state
        .last_plan
        .as_ref()
        .filter(|(ticket, _)| Some(*ticket) == id)
        .map(|(_, plan)| plan.clone());
    let athena = || match &state.phase {
        super::state::QueryPhase::Finished { stats } => {
            crate::backend::PlanNode::of_athena_run(stats)
        }
        _ => None,
    };
    let Some(plan) = local.or_else(athena) else {
        state.notice = Some("no plan for these rows: run a query first (F5)".to_owned());
        return Vec::new();
    };
    state.open_overlay(Overlay::Plan(super::plan_view::PlanView::new(
        "Plan of the last run, with what each part measured",
        plan,
    )))
}

/// Alt-P in the editor: the plan of the statement under the cursor, asked of the engine
/// without running it.
pub fn explain_statement(state: &mut AppState) -> Vec<Effect> {
    match state.editor.buffer().statement_to_run() {
        Some(statement) => {
            state.notice = Some("asking the engine for the plan…".to_owned());
            vec![Effect::ExplainPlan {
                sql: state.parameters.for_analysis(&statement.sql),
            }]
        }
        None => {
            state.notice = Some("no statement under the cursor".to_owned());
            Vec::new()
        }
    }
}

/// The plan asked for arrived: shown as a tree to walk.
pub fn plan_explained(
    state: &mut AppState,
    plan: Result<Box<crate::backend::PlanNode>, String>,
) -> Vec<Effect> {
    match plan {
        Ok(plan) => {
            state.notice = None;
            state.open_overlay(Overlay::Plan(super::plan_view::PlanView::new(
                "Plan of the statement, not run",
                *plan,
            )))
        }
        Err(e) => {
            state.notice = Some(format!("no plan: {e}"));
            Vec::new()
        }
    }
}

/// A key in the plan overlay.
pub fn plan_key(state: &mut AppState, key: super::plan_view::PlanKey) -> Vec<Effect> {
    if let Some(Overlay::Plan(view)) = &mut state.overlay {
        view.key(key);
    }
    Vec::new()
}

/// Opens the inspector on the cursor cell.
pub fn inspect(state: &mut AppState) -> Vec<Effect> {
    let Some(grid) = &state.results else {
        return Vec::new();
    };
    if grid.rows == 0 {
        return Vec::new();
    }
    let field = grid.schema.field(grid.column);
    let text = match grid.raw_cell(grid.row, grid.column) {
        None => "NULL".to_owned(),
        Some(value) => pretty_json(&value).unwrap_or(value),
    };
    state.open_overlay(Overlay::Inspector(Inspector {
        title: format!(
            "{} · {} · row {}",
            field.name(),
            trino_type(field.data_type()),
            grid.row + 1
        ),
        text,
        scroll: 0,
    }))
}

/// JSON objects and arrays pretty-printed; anything else is shown as it is.
fn pretty_json(value: &str) -> Option<String> {
    let trimmed = value.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return None;
    }
    let parsed: serde_json::Value = serde_json::from_str(value).ok()?;
    serde_json::to_string_pretty(&parsed).ok()
}

/// Copies a cell, the cursor row or the cursor column.
pub fn copy(state: &mut AppState, scope: CopyScope) -> Vec<Effect> {
    let Some(grid) = &state.results else {
        return Vec::new();
    };
    if grid.rows == 0 {
        state.notice = Some("nothing to copy: no rows".to_owned());
        return Vec::new();
    }
    let value = |row, column| grid.raw_cell(row, column).unwrap_or_default();
    let (text, what) = match scope {
        CopyScope::Cell => (value(grid.row, grid.column), "1 cell".to_owned()),
        CopyScope::Row => (
            (0..grid.columns())
                .map(|c| value(grid.row, c))
                .collect::<Vec<_>>()
                .join("\t"),
            format!("row {}", grid.row + 1),
        ),
        CopyScope::Column => column_text(grid),
    };
    if text.len() > MAX_COPY_BYTES {
        state.notice = Some(format!(
            "not copied: {what} is {} bytes, more than terminals accept; export it instead (e)",
            text.len()
        ));
        return Vec::new();
    }
    vec![Effect::Copy { text, what }]
}

fn column_text(grid: &ResultGrid) -> (String, String) {
    let mut text = grid.schema.field(grid.column).name().clone();
    for row in 0..grid.rows {
        text.push('\n');
        text.push_str(&grid.raw_cell(row, grid.column).unwrap_or_default());
        if text.len() > MAX_COPY_BYTES {
            break; // the caller refuses it; no need to build the rest
        }
    }
    let what = format!(
        "column {} ({} values)",
        grid.schema.field(grid.column).name(),
        grid.rows
    );
    (text, what)
}

/// Opens the export prompt with a path that does not exist yet.
pub fn ask_export(state: &mut AppState, default_dir: &std::path::Path) -> Vec<Effect> {
    if state.results.is_none() {
        state.notice = Some("nothing to export: run a query first".to_owned());
        return Vec::new();
    }
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    let path = default_dir.join(format!("quarry-{stamp}.csv"));
    state.open_overlay(Overlay::Prompt(Prompt {
        kind: PromptKind::Export,
        label: "export to (.csv .tsv .json .ndjson .parquet .txt)".to_owned(),
        text: path.display().to_string(),
    }))
}

/// Starts writing the rows to `path`.
pub fn start_export(state: &mut AppState, path: PathBuf) -> Vec<Effect> {
    let Some(grid) = &state.results else {
        return Vec::new();
    };
    if crate::export::Format::from_path(&path).is_none() {
        state.notice = Some(format!(
            "{}: the extension picks the format (.csv .tsv .json .ndjson .parquet .txt)",
            path.display()
        ));
        return Vec::new();
    }
    state.export = Some(super::state::ExportProgress {
        path: path.clone(),
        rows_written: 0,
        rows_total: grid.rows as u64,
        truncated: grid.truncated,
    });
    vec![Effect::Export {
        rows: grid.shared(),
        path,
    }]
}

/// An export's end: a notice with where the file is, or why it is not.
pub fn export_finished(state: &mut AppState, result: Result<String, String>) {
    let Some(export) = state.export.take() else {
        return;
    };
    state.notice = Some(match result {
        Ok(size) => {
            let partial = if export.truncated {
                " (the rows shown: the query had more; raise row_limit for all)"
            } else {
                ""
            };
            format!(
                "exported {} rows to {} ({size}){partial}",
                crate::text::thousands(export.rows_total),
                export.path.display()
            )
        }
        Err(e) => format!("export failed: {e}"),
    });
}
