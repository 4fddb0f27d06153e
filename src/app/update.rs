//! `update(state, action) -> effects`: the only place state changes.

use crate::backend::TableName;

use super::action::{Action, Effect, Focus};
use super::browse;
use super::catalog_tree::{LoadRequest, RowKind};
use super::chart_view;
use super::completion;
use super::editor::Buffer;
use super::editor_tools;
use super::files;
use super::grid_actions;
use super::hints;
use super::overlay::Overlay;
use super::picker::Picker;
use super::results_filter;
use super::run::{
    cancel_running, compare, finish, history, results_appended, run, running_ticket, start_kind,
};
use super::state::{AppState, QueryPhase};
use super::vim;

/// Databases with at most this many tables have every table's details loaded up front.
const PREFETCH_TABLES: usize = 50;

/// Applies one action and returns the work the runtime must start.
pub fn update(state: &mut AppState, action: Action) -> Vec<Effect> {
    // Answers from the background and the clock cannot change the editor's text.
    let may_edit = !matches!(
        action,
        Action::Tick
            | Action::QueryProgress { .. }
            | Action::Explained { .. }
            | Action::PartitionSized { .. }
            | Action::ResultsAppended { .. }
    );
    let mut effects = apply(state, action);
    if may_edit {
        effects.extend(hints::refresh(state));
    }
    effects
}

fn apply(state: &mut AppState, action: Action) -> Vec<Effect> {
    match action {
        Action::Quit => {
            state.quit = true;
            let mut effects = cancel_running(state);
            effects.push(Effect::Quit);
            effects
        }
        Action::FocusNext => focus(state, state.focus.next()),
        Action::FocusPrevious => focus(state, state.focus.previous()),
        Action::Focus(target) => focus(state, target),
        Action::ToggleHelp => {
            if state.help_shown() {
                state.close_overlay()
            } else {
                state.open_overlay(Overlay::Help { scroll: 0 })
            }
        }
        Action::ScrollHelp(lines) => {
            if let Some(Overlay::Help { scroll }) = &mut state.overlay {
                *scroll = scroll.saturating_add_signed(lines);
            }
            Vec::new()
        }
        Action::CloseOverlay => state.close_overlay(),
        Action::Paste(text) => editor_tools::paste(state, &text),
        Action::EditedExternally { buffer, outcome } => {
            editor_tools::edited_externally(state, buffer, outcome);
            Vec::new()
        }
        Action::RunQuery => run(state, false),
        Action::RunUnload => super::run::run_unloaded(state),
        Action::RunAll => super::result_tabs::run_all(state),
        Action::CancelQuery => {
            if !state.is_running() {
                state.editor.buffer_mut().textarea.cancel_selection();
            }
            cancel_running(state)
        }
        Action::EditorInput(input) if state.editor.vim.is_some() => vim::input(state, input),
        Action::EditorInput(input) => {
            // Typing a word (or a qualifier's dot) keeps the popup current; other keys close it.
            let refreshes = match input.key {
                ratatui_textarea::Key::Char(_) => !input.ctrl && !input.alt,
                ratatui_textarea::Key::Backspace => state.completion.is_some(),
                _ => false,
            };
            state.editor.buffer_mut().textarea.input(input);
            if refreshes {
                completion::refresh(state, false)
            } else {
                state.completion = None;
                Vec::new()
            }
        }
        Action::Complete => completion::refresh(state, true),
        Action::FormatSql => {
            editor_tools::format(state);
            Vec::new()
        }
        Action::StartSearch => editor_tools::start_search(state),
        Action::SearchAgain(forward) => {
            editor_tools::search_again(state, forward);
            Vec::new()
        }
        Action::EditExternally => {
            let buffer = state.editor.active;
            vec![Effect::EditExternally {
                buffer,
                text: state.editor.buffer().text_for_file(),
            }]
        }
        Action::CompletionMove(delta) => {
            completion::move_selection(state, delta);
            Vec::new()
        }
        Action::CompletionAccept => {
            completion::accept(state);
            Vec::new()
        }
        Action::CompletionClose => {
            state.completion = None;
            Vec::new()
        }
        Action::EditorUndo => {
            state.editor.buffer_mut().undo();
            Vec::new()
        }
        Action::EditorRedo => {
            state.editor.buffer_mut().redo();
            Vec::new()
        }
        Action::NewBuffer => {
            let n = state.editor.buffers.len() + 1;
            state.editor.open(Buffer::new(format!("query {n}"), ""));
            state.focus = Focus::Editor;
            Vec::new()
        }
        Action::CycleBuffer(step) => {
            state.editor.cycle(step);
            Vec::new()
        }
        Action::CatalogMove(delta) => {
            state.catalog.move_by(delta);
            Vec::new()
        }
        Action::CatalogExpand => state
            .catalog
            .expand()
            .map(load_effect)
            .into_iter()
            .collect(),
        Action::CatalogCollapse => {
            state.catalog.collapse();
            Vec::new()
        }
        Action::CatalogInsertName => {
            if let Some(name) = selected_name(state) {
                state.editor.buffer_mut().textarea.insert_str(name);
                state.focus = Focus::Editor;
            }
            Vec::new()
        }
        Action::CatalogPreview => preview(state),
        Action::CatalogStartFilter => {
            state.catalog.editing_filter = true;
            Vec::new()
        }
        Action::CatalogOpenPartitions => browse::open(state),
        Action::PartitionsMove(delta) => {
            browse::with_browser(state, |b| b.move_by(delta));
            Vec::new()
        }
        key @ (Action::PartitionsExpand
        | Action::PartitionsCollapse
        | Action::PartitionsToggleView
        | Action::PartitionsMark
        | Action::PartitionsRange) => {
            browse::with_browser(state, |b| match key {
                Action::PartitionsExpand => b.expand(),
                Action::PartitionsCollapse => b.collapse(),
                Action::PartitionsToggleView => b.toggle_view(),
                Action::PartitionsMark => b.toggle_mark(),
                Action::PartitionsRange => b.toggle_range(),
                _ => {}
            });
            Vec::new()
        }
        Action::PartitionsCalendarMetric => super::partitions::calendar::cycle_metric(state),
        Action::PartitionRowsCounted { request, result } => {
            super::partitions::calendar::rows_counted(state, request, result)
        }
        Action::PartitionsStartFilter => {
            browse::with_browser(state, |b| b.editing_filter = true);
            Vec::new()
        }
        Action::PartitionsInsertFilter => {
            browse::insert_filter(state);
            Vec::new()
        }
        Action::PartitionsClose => {
            browse::close(state);
            Vec::new()
        }
        Action::FilterInput(edit) => {
            if state.prompt().is_some() {
                return super::prompts::prompt_input(state, edit);
            }
            if let Some(picker) = state.picker_mut() {
                edit.apply_to(&mut picker.filter);
                picker.move_by(0);
                return Vec::new();
            }
            if state.focus == Focus::Results {
                return results_filter::input(state, edit);
            }
            browse::filter_input(state, edit);
            Vec::new()
        }
        Action::PartitionsLoaded { request, page } => browse::page_loaded(state, request, page),
        // On a chart, ← and → move its cursor and Enter makes its range a filter.
        Action::ResultsMove { columns, .. } if chart_view::shown(state) => {
            chart_view::move_cursor(state, columns)
        }
        Action::ResultsInspect if chart_view::shown(state) => chart_view::range_to_filter(state),
        Action::ResultsMove { rows, columns } => {
            if let Some(grid) = &mut state.results {
                grid.move_by(rows, columns);
            }
            Vec::new()
        }
        Action::ResultsHome => {
            if let Some(grid) = &mut state.results {
                grid.row = 0;
            }
            Vec::new()
        }
        Action::ResultsEnd => {
            if let Some(grid) = &mut state.results {
                grid.row = grid.rows.saturating_sub(1);
            }
            Vec::new()
        }
        Action::ResultsSort => grid_actions::sort(state),
        Action::ResultsSorted { grid, sort, order } => {
            grid_actions::sorted(state, grid, sort, order)
        }
        Action::ResultsStartFilter => {
            results_filter::start(state);
            Vec::new()
        }
        Action::ResultsFiltered {
            grid,
            generation,
            matcher,
            rows,
        } => results_filter::filtered(state, grid, generation, matcher, rows),
        Action::ResultsChart => super::chart_view::toggle(state),
        Action::ChartMark => super::chart_view::mark(state),
        Action::ResultsChartChange(what) => super::chart_view::change(state, what),
        Action::ChartBuilt(built) => chart_view::built(state, built.0, built.1, built.2),
        Action::ExplainStatement => grid_actions::explain_statement(state),
        Action::PlanExplained(plan) => grid_actions::plan_explained(state, plan),
        Action::PromptHistory(step) => {
            super::parameters::offer_another(state, step);
            Vec::new()
        }
        Action::ResultsTab(step) => super::result_tabs::cycle(state, step),
        Action::PlanArrived { ticket, plan } => grid_actions::plan_arrived(state, ticket, *plan),
        Action::ResultsPlan => grid_actions::show_plan(state),
        Action::PlanKey(key) => grid_actions::plan_key(state, key),
        Action::Doctor(message) => super::doctor_view::update(state, message),
        Action::ResultsJumpToMatch(forward) => {
            results_filter::jump(state, forward);
            Vec::new()
        }
        Action::ResultsInspect => grid_actions::inspect(state),
        Action::InspectorScroll(lines) => {
            if let Some(Overlay::Inspector(inspector)) = &mut state.overlay {
                inspector.scroll = inspector.scroll.saturating_add_signed(lines);
            }
            Vec::new()
        }
        Action::ResultsCopy(scope) => grid_actions::copy(state, scope),
        Action::Copied(result) => {
            state.notice = Some(match result {
                Ok(what) => format!("copied {what} to the clipboard"),
                Err(e) => format!("copy failed: {e}"),
            });
            Vec::new()
        }
        Action::ResultsKeep => super::keep::ask(state),
        Action::ResultKept(result) => super::keep::finished(state, result),
        Action::PartitionsKeep => super::keep::ask_copy(state),
        Action::CopyPlanned(result) => super::keep::copy_planned(state, result),
        Action::CopyProgressed(progress) => {
            super::keep::copy_progressed(state, progress);
            Vec::new()
        }
        Action::CopyFinished(result) => super::keep::copy_finished(state, result),
        Action::ResultsExport => {
            let dir = state.export_dir.clone();
            grid_actions::ask_export(state, &dir)
        }
        Action::ExportProgress { rows } => {
            if let Some(export) = &mut state.export {
                export.rows_written = rows;
            }
            Vec::new()
        }
        Action::ExportFinished(result) => {
            grid_actions::export_finished(state, result);
            Vec::new()
        }
        Action::SaveBuffer => files::save(state),
        Action::SaveNamedQuery => files::ask_named_query(state),
        Action::PartitionsCounted { request, count } => {
            browse::partitions_counted(state, request, count);
            Vec::new()
        }
        Action::PartitionSized {
            request,
            values,
            files,
            bytes,
        } => {
            browse::partition_sized(state, request, &values, files, bytes);
            Vec::new()
        }
        Action::NamedQuerySaved(result) => {
            state.notice = Some(match result {
                Ok(id) => format!("saved as an Athena named query (id {id})"),
                Err(e) => format!("not saved in Athena: {e}"),
            });
            Vec::new()
        }
        Action::PickerMore { kind, items } => {
            if let Some(picker) = state.picker_mut().filter(|p| p.kind == kind) {
                picker.receive_remote(items);
            }
            Vec::new()
        }
        Action::FileSaved {
            buffer,
            path,
            result,
        } => {
            files::saved(state, buffer, &path, result);
            Vec::new()
        }
        Action::Tick => {
            if state.is_running() {
                state.spinner = state.spinner.wrapping_add(1);
            }
            Vec::new()
        }
        Action::DatabasesLoaded(result) => state
            .catalog
            .set_databases(result)
            .map(load_effect)
            .into_iter()
            .collect(),
        Action::TablesLoaded { database, tables } => {
            // Details of a small database's tables load at once in the background, so columns
            // complete and table details open without a wait; a big catalog loads on demand.
            let prefetch: Vec<TableName> = match &tables {
                Ok(names) if names.len() <= PREFETCH_TABLES => names.clone(),
                _ => Vec::new(),
            };
            state.catalog.set_tables(&database, tables);
            prefetch
                .iter()
                .filter_map(|name| state.catalog.request_table(name))
                .map(load_effect)
                .collect()
        }
        Action::TableLoaded { name, info } => {
            state.catalog.set_table(&name, info);
            let mut effects = browse::table_loaded(state, &name);
            if state.completion.is_some() || state.completion_awaits_columns {
                effects.extend(completion::refresh(state, false));
            }
            effects
        }
        Action::QueryProgress { ticket, stats } => {
            if let QueryPhase::Running {
                ticket: current,
                stats: live,
                ..
            } = &mut state.phase
                && *current == ticket
            {
                *live = *stats;
            }
            Vec::new()
        }
        Action::QueryFinished {
            ticket,
            status,
            page,
        } => finish(state, ticket, &status, page),
        Action::ResultsAppended { ticket, page } => results_appended(state, ticket, page),
        Action::ApplyHintFix => hints::apply_fix(state),
        Action::Explained {
            generation,
            explanation,
        } => match hints::received(state, generation, explanation) {
            Some((statement, kind)) => start_kind(state, statement, kind),
            None => Vec::new(),
        },
        Action::ConfirmRun => match state.overlay.take() {
            Some(Overlay::Confirmation(confirmation)) => {
                start_kind(state, confirmation.statement, confirmation.kind)
            }
            other => {
                state.overlay = other;
                Vec::new()
            }
        },
        Action::CompareEngines => compare(state),
        Action::SwitchEngine => vec![Effect::SwitchEngine],
        Action::EngineSwitched(Ok(now)) => {
            state.source_label = now.title;
            state.functions = now.functions;
            state.notice = Some(format!("engine: {} (F9 switches back)", now.name));
            Vec::new()
        }
        Action::EngineSwitched(Err(why)) => {
            state.notice = Some(format!("cannot switch engines: {why}"));
            Vec::new()
        }
        Action::Compared {
            ticket,
            report,
            matched,
        } => {
            if let Some(Overlay::Comparison(view)) = &mut state.overlay
                && view.ticket == ticket
            {
                view.report = Some(report);
                view.matched = Some(matched);
            }
            Vec::new()
        }
        Action::ToggleLedger => {
            if matches!(state.overlay, Some(Overlay::Ledger(_))) {
                state.close_overlay()
            } else {
                let mut effects = state.open_overlay(Overlay::Ledger(None));
                effects.push(Effect::LoadLedger);
                effects
            }
        }
        Action::LedgerLoaded(entries) => {
            let Some(Overlay::Ledger(slot)) = &mut state.overlay else {
                return Vec::new(); // closed meanwhile
            };
            match entries {
                Ok(entries) => {
                    *slot = Some(crate::ledger::LedgerSummary::of(
                        &entries,
                        &state.session_id,
                        &crate::ledger::today(),
                    ));
                    Vec::new()
                }
                Err(e) => {
                    state.notice = Some(format!("cannot read the cost ledger: {e}"));
                    state.close_overlay()
                }
            }
        }
        Action::WorkgroupCutoff(cutoff) => {
            state.cost_guard.workgroup_cutoff = cutoff;
            Vec::new()
        }
        Action::QueryFailedToStart { ticket, error } => {
            let QueryPhase::Running { statement, .. } = &state.phase else {
                return Vec::new();
            };
            if running_ticket(state) != Some(ticket) {
                return Vec::new();
            }
            let record = history(state, &statement.sql, "failed", None, Some(&error));
            state.phase = QueryPhase::Failed { error, stats: None };
            vec![record]
        }
        Action::OpenPicker(kind) => {
            let mut effects = state.open_overlay(Overlay::Picker(Picker::loading(kind)));
            effects.push(Effect::LoadPicker(kind));
            effects
        }
        Action::PickerLoaded { kind, items } => {
            if let Some(picker) = state.picker_mut().filter(|p| p.kind == kind) {
                picker.receive_local(items);
            }
            Vec::new()
        }
        Action::PickerMove(delta) => {
            if let Some(picker) = state.picker_mut() {
                picker.move_by(delta);
            }
            Vec::new()
        }
        Action::PickerOpen => {
            let item = state.picker().and_then(|p| p.current().cloned());
            if item.is_some() {
                state.close_overlay();
            }
            if let Some(item) = item {
                let mut buffer = match &item.path {
                    Some(path) => Buffer::from_file(path.clone(), &item.sql),
                    None => Buffer::new(item.title.chars().take(24).collect::<String>(), &item.sql),
                };
                buffer
                    .textarea
                    .move_cursor(ratatui_textarea::CursorMove::Bottom);
                state.editor.open(buffer);
                state.focus = Focus::Editor;
            }
            Vec::new()
        }
    }
}

fn focus(state: &mut AppState, target: Focus) -> Vec<Effect> {
    // The lower pane shows either the results or the partition browser; focus follows it.
    state.focus = match target {
        Focus::Results if state.show_partitions => Focus::Partitions,
        Focus::Partitions if !state.show_partitions => Focus::Results,
        other => other,
    };
    state.completion = None;
    state.completion_awaits_columns = false;
    Vec::new()
}

fn load_effect(request: LoadRequest) -> Effect {
    match request {
        LoadRequest::Tables(db) => Effect::LoadTables(db),
        LoadRequest::Table(name) => Effect::LoadTable(name),
    }
}

/// The qualified name of the selected table, or a column's name.
fn selected_name(state: &AppState) -> Option<String> {
    match state.catalog.selected_row()?.kind {
        RowKind::Database(name) | RowKind::Column { name, .. } => Some(name),
        RowKind::Table(name) => Some(name.to_string()),
        RowKind::Note { .. } => None,
    }
}

fn preview(state: &mut AppState) -> Vec<Effect> {
    let Some(RowKind::Table(table) | RowKind::Column { table, .. }) =
        state.catalog.selected_row().map(|r| r.kind)
    else {
        state.notice = Some("select a table to preview".to_owned());
        return Vec::new();
    };
    let sql = format!("SELECT *\nFROM {table}\nLIMIT 100");
    state.editor.open(Buffer::new(table.name.clone(), &sql));
    state.focus = Focus::Editor;
    run(state, true)
}
