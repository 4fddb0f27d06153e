//! `update(state, action) -> effects`: the only place state changes.

use crate::backend::{QueryErrorKind, QueryState, TableName};
use crate::sql::statements::Position;

use super::action::{Action, Effect, Focus, TextEdit};
use super::browse;
use super::catalog_tree::{LoadRequest, RowKind};
use super::completion;
use super::editor::Buffer;
use super::editor_tools;
use super::files;
use super::grid_actions;
use super::hints::{self, RunKind};
use super::partitions::PartitionBrowser;
use super::picker::{HistoryEntry, Picker};
use super::results::ResultGrid;
use super::state::PromptKind;
use super::state::{AppState, QueryPhase};

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
            state.show_help = !state.show_help;
            state.help_scroll = 0;
            Vec::new()
        }
        Action::ScrollHelp(lines) => {
            state.help_scroll = state.help_scroll.saturating_add_signed(lines);
            Vec::new()
        }
        Action::RunQuery => run(state, false),
        Action::RunAll => run(state, true),
        Action::CancelQuery => {
            if state.show_help {
                state.show_help = false;
            } else if !state.is_running() {
                state.editor.buffer_mut().textarea.cancel_selection();
            }
            cancel_running(state)
        }
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
        Action::StartSearch => {
            editor_tools::start_search(state);
            Vec::new()
        }
        Action::SearchAgain(forward) => {
            editor_tools::search_again(state, forward);
            Vec::new()
        }
        Action::EditExternally => {
            state.external_edit = true;
            Vec::new()
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
        Action::PartitionsExpand => {
            browse::with_browser(state, PartitionBrowser::expand);
            Vec::new()
        }
        Action::PartitionsCollapse => {
            browse::with_browser(state, PartitionBrowser::collapse);
            Vec::new()
        }
        Action::PartitionsToggleView => {
            browse::with_browser(state, PartitionBrowser::toggle_view);
            Vec::new()
        }
        Action::PartitionsMark => {
            browse::with_browser(state, PartitionBrowser::toggle_mark);
            Vec::new()
        }
        Action::PartitionsRange => {
            browse::with_browser(state, PartitionBrowser::toggle_range);
            Vec::new()
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
            if state.prompt.is_some() {
                return prompt_input(state, edit);
            }
            if let Some(picker) = &mut state.picker {
                edit.apply_to(&mut picker.filter);
                picker.move_by(0);
                return Vec::new();
            }
            browse::filter_input(state, edit);
            Vec::new()
        }
        Action::PartitionsLoaded { request, page } => browse::page_loaded(state, request, page),
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
            grid_actions::sorted(state, grid, sort, order);
            Vec::new()
        }
        Action::ResultsInspect => {
            grid_actions::inspect(state);
            Vec::new()
        }
        Action::InspectorScroll(lines) => {
            if let Some(inspector) = &mut state.inspector {
                inspector.scroll = inspector.scroll.saturating_add_signed(lines);
            }
            Vec::new()
        }
        Action::InspectorClose => {
            state.inspector = None;
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
        Action::ResultsExport => {
            let dir = state.export_dir.clone();
            grid_actions::ask_export(state, &dir);
            Vec::new()
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
            if let Some(picker) = state.picker.as_mut().filter(|p| p.kind == kind) {
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
        Action::ResultsAppended { ticket, page } => {
            results_appended(state, ticket, page);
            Vec::new()
        }
        Action::ApplyHintFix => {
            hints::apply_fix(state);
            Vec::new()
        }
        Action::Explained {
            generation,
            explanation,
        } => match hints::received(state, generation, explanation) {
            Some((statement, kind)) => start_kind(state, statement, kind),
            None => Vec::new(),
        },
        Action::ConfirmRun => match state.confirmation.take() {
            Some(confirmation) => start_kind(state, confirmation.statement, confirmation.kind),
            None => Vec::new(),
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
            if let Some(view) = &mut state.comparison
                && view.ticket == ticket
            {
                view.report = Some(report);
                view.matched = Some(matched);
            }
            Vec::new()
        }
        Action::CloseComparison => match state.comparison.take() {
            Some(view) if view.report.is_none() => vec![Effect::CancelCompare {
                ticket: view.ticket,
            }],
            _ => Vec::new(),
        },
        Action::DismissConfirmation => {
            if state.confirmation.take().is_some() {
                state.notice = Some("not run: the cost guard stopped it".to_owned());
            }
            Vec::new()
        }
        Action::ToggleLedger => {
            if state.ledger.take().is_some() {
                Vec::new()
            } else {
                state.ledger = Some(None);
                vec![Effect::LoadLedger]
            }
        }
        Action::LedgerLoaded(entries) => {
            match entries {
                Ok(entries) if state.ledger.is_some() => {
                    let summary = crate::ledger::LedgerSummary::of(
                        &entries,
                        &state.session_id,
                        &crate::ledger::today(),
                    );
                    state.ledger = Some(Some(summary));
                }
                Ok(_) => {}
                Err(e) => {
                    state.ledger = None;
                    state.notice = Some(format!("cannot read the cost ledger: {e}"));
                }
            }
            Vec::new()
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
            state.picker = Some(Picker::loading(kind));
            state.show_help = false;
            vec![Effect::LoadPicker(kind)]
        }
        Action::PickerLoaded { kind, items } => {
            if let Some(picker) = state.picker.as_mut().filter(|p| p.kind == kind) {
                picker.receive_local(items);
            }
            Vec::new()
        }
        Action::PickerMove(delta) => {
            if let Some(picker) = &mut state.picker {
                picker.move_by(delta);
            }
            Vec::new()
        }
        Action::PickerOpen => {
            if let Some(item) = state.picker.take().and_then(|p| p.current().cloned()) {
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
        Action::PickerClose => {
            state.picker = None;
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
    state.show_help = false;
    state.completion = None;
    state.completion_awaits_columns = false;
    Vec::new()
}

/// A key for the open prompt; Enter acts on its text.
fn prompt_input(state: &mut AppState, edit: TextEdit) -> Vec<Effect> {
    let Some(prompt) = state.prompt.as_mut() else {
        return Vec::new();
    };
    match edit {
        TextEdit::Push(_) | TextEdit::Pop => edit.apply_to(&mut prompt.text),
        TextEdit::Abort => state.prompt = None,
        TextEdit::Finish => {
            let Some(prompt) = state.prompt.take() else {
                return Vec::new();
            };
            let path = crate::text::expand_home(prompt.text.trim());
            return match prompt.kind {
                PromptKind::Export => grid_actions::start_export(state, path),
                PromptKind::SaveBuffer => files::save_as(state, path),
                PromptKind::NamedQuery => files::save_named_query(state, prompt.text.trim()),
                PromptKind::DateRange => {
                    hints::date_range_entered(state, &prompt.text);
                    Vec::new()
                }
                PromptKind::Search => {
                    editor_tools::search(state, &prompt.text);
                    Vec::new()
                }
            };
        }
    }
    Vec::new()
}

fn load_effect(request: LoadRequest) -> Effect {
    match request {
        LoadRequest::Tables(db) => Effect::LoadTables(db),
        LoadRequest::Table(name) => Effect::LoadTable(name),
    }
}

fn running_ticket(state: &AppState) -> Option<u64> {
    match state.phase {
        QueryPhase::Running { ticket, .. } => Some(ticket),
        _ => None,
    }
}

/// Starts the statement under the cursor (or the whole buffer). A run while another runs
/// cancels the first: its answers carry the old ticket and are dropped.
fn run(state: &mut AppState, whole_buffer: bool) -> Vec<Effect> {
    let buffer = state.editor.buffer();
    let statement = if whole_buffer {
        crate::sql::statements::split(&buffer.text())
            .into_iter()
            .next()
            .map(|mut first| {
                buffer
                    .text()
                    .trim()
                    .trim_end_matches(';')
                    .clone_into(&mut first.sql);
                first
            })
    } else {
        buffer.statement_to_run()
    };
    let Some(statement) = statement else {
        state.notice = Some("nothing to run: the buffer holds no SQL".to_owned());
        return Vec::new();
    };
    if let Err(effects) = hints::guard(state, &statement, RunKind::Run) {
        return effects;
    }
    start(state, statement)
}

/// Compares the statement under the cursor on both engines, after the cost guard: Athena's
/// side is billed like any run.
fn compare(state: &mut AppState) -> Vec<Effect> {
    let Some(statement) = state.editor.buffer().statement_to_run() else {
        state.notice = Some("nothing to compare: the buffer holds no SQL".to_owned());
        return Vec::new();
    };
    if let Err(effects) = hints::guard(state, &statement, RunKind::Compare) {
        return effects;
    }
    start_compare(state, statement)
}

fn start_kind(
    state: &mut AppState,
    statement: crate::sql::statements::Statement,
    kind: RunKind,
) -> Vec<Effect> {
    match kind {
        RunKind::Run => start(state, statement),
        RunKind::Compare => start_compare(state, statement),
    }
}

/// Opens the comparison overlay and starts the comparison; an earlier one still running is
/// cancelled, and its answer (an older ticket) dropped.
fn start_compare(
    state: &mut AppState,
    statement: crate::sql::statements::Statement,
) -> Vec<Effect> {
    let mut effects = Vec::new();
    if let Some(old) = state.comparison.take()
        && old.report.is_none()
    {
        effects.push(Effect::CancelCompare { ticket: old.ticket });
    }
    let ticket = state.next_ticket;
    state.next_ticket += 1;
    state.notice = None;
    state.comparison = Some(super::state::ComparisonView {
        ticket,
        sql: statement.sql.clone(),
        report: None,
        matched: None,
    });
    effects.push(Effect::Compare {
        ticket,
        sql: statement.sql,
    });
    effects
}

/// Starts `statement` (the cost guard has had its say).
fn start(state: &mut AppState, statement: crate::sql::statements::Statement) -> Vec<Effect> {
    let mut effects = cancel_running(state);
    let ticket = state.next_ticket;
    state.next_ticket += 1;
    state.notice = None;
    // The results take the lower pane back from the partition browser.
    state.show_partitions = false;
    if state.focus == Focus::Partitions {
        state.focus = Focus::Results;
    }
    effects.push(Effect::RunQuery {
        ticket,
        sql: statement.sql.clone(),
    });
    state.phase = QueryPhase::Running {
        ticket,
        statement,
        stats: crate::backend::QueryStats::default(),
        cancelling: false,
    };
    effects
}

fn cancel_running(state: &mut AppState) -> Vec<Effect> {
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
fn history(
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
    })
}

/// Adds a later page of results to the grid it belongs to.
fn results_appended(
    state: &mut AppState,
    ticket: u64,
    page: Result<crate::backend::ResultPage, String>,
) {
    let Some(grid) = state.results.as_mut().filter(|g| g.id == ticket) else {
        return; // a newer query's grid
    };
    match page {
        Ok(page) => {
            if let QueryPhase::Finished { stats } = &mut state.phase {
                if let (Some(fetch), Some(more)) = (stats.fetch.as_mut(), page.fetch.as_ref()) {
                    fetch.rows = more.rows;
                    fetch.ms += more.ms;
                }
                if page.next_token.is_none() && !page.truncated {
                    stats.rows = (grid.rows + page_rows(&page)) as u64;
                }
            }
            let more_coming = page.next_token.is_some();
            grid.append(page.batches, more_coming, page.truncated);
        }
        Err(e) => {
            grid.loading_more = false;
            state.notice = Some(format!("the rest of the results could not be read: {e}"));
        }
    }
}

fn page_rows(page: &crate::backend::ResultPage) -> usize {
    page.batches
        .iter()
        .map(datafusion::arrow::record_batch::RecordBatch::num_rows)
        .sum()
}

fn finish(
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
        state.session.bytes_scanned += final_stats.bytes_scanned;
        state.session.cost_usd += final_stats.cost_usd;
        if final_stats.billed_bytes > 0 {
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
    effects
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
