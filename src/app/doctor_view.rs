//! The doctor overlay (`D` on a table in the catalog): the lake doctor's findings on one table,
//! worst first, the selected one's evidence and fix below. `a` applies a catalog fix after a
//! `y`, `e` opens the fix's SQL (or command) in a new editor tab, `r` examines again. The
//! examination runs as a task; an answer for an older request is dropped.

use crate::backend::TableName;
use crate::doctor::{FixAction, Report};
use std::fmt::Write as _;

use super::action::{Effect, Focus, Ticket};
use super::editor::Buffer;
use super::overlay::Overlay;
use super::state::AppState;

/// The doctor on one table, as the overlay shows it.
#[derive(Debug, Clone)]
pub struct DoctorView {
    pub table: TableName,
    /// The examination or fix in flight; answers carrying another are stale.
    pub request: Ticket,
    pub phase: DoctorPhase,
    /// The selected finding.
    pub cursor: usize,
    /// A fix waiting for `y`.
    pub confirming: Option<FixAction>,
    /// What the last fix did, or why it failed.
    pub message: Option<String>,
}

/// Where the examination is.
#[derive(Debug, Clone)]
pub enum DoctorPhase {
    /// Reading the catalog, the listings and the footers.
    Examining,
    /// Changing the catalog.
    Applying(String),
    Done(Box<Report>),
    Failed(String),
}

/// What a key does in the overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoctorKey {
    Move(isize),
    /// Ask to apply the selected finding's catalog fix.
    Apply,
    /// Answer the question: yes or no.
    Confirm(bool),
    /// Open the fix's SQL in a new editor tab.
    Edit,
    /// Examine the table again.
    Again,
}

/// Messages for the overlay: keys and the background answers.
#[derive(Debug, Clone)]
pub enum DoctorMessage {
    /// `D` in the catalog: examine the selected table.
    Open,
    Key(DoctorKey),
    Examined {
        request: Ticket,
        result: Result<Box<Report>, String>,
    },
    Applied {
        request: Ticket,
        result: Result<String, String>,
    },
}

impl DoctorView {
    /// The report, once it arrived.
    pub fn report(&self) -> Option<&Report> {
        match &self.phase {
            DoctorPhase::Done(report) => Some(report),
            _ => None,
        }
    }
}

/// Changes the overlay for one message.
pub fn update(state: &mut AppState, message: DoctorMessage) -> Vec<Effect> {
    match message {
        DoctorMessage::Open => open(state),
        DoctorMessage::Key(key) => key_pressed(state, key),
        DoctorMessage::Examined { request, result } => {
            if let Some(view) = view_for(state, request) {
                view.phase = match result {
                    Ok(report) => DoctorPhase::Done(report),
                    Err(e) => DoctorPhase::Failed(e),
                };
                view.cursor = 0;
            }
            Vec::new()
        }
        DoctorMessage::Applied { request, result } => {
            let Some(view) = view_for(state, request) else {
                return Vec::new();
            };
            view.message = Some(match result {
                Ok(done) => done,
                Err(e) => format!("the fix failed: {e}"),
            });
            // Examine again, so what is shown is what the catalog now holds.
            let table = view.table.clone();
            examine(state, table)
        }
    }
}

fn view_for(state: &mut AppState, request: Ticket) -> Option<&mut DoctorView> {
    match &mut state.overlay {
        Some(Overlay::Doctor(view)) if view.request == request => Some(view),
        _ => None,
    }
}

fn open(state: &mut AppState) -> Vec<Effect> {
    use super::catalog_tree::RowKind;
    let Some(RowKind::Table(table) | RowKind::Column { table, .. }) =
        state.catalog.selected_row().map(|r| r.kind)
    else {
        state.notice = Some("select a table to examine".to_owned());
        return Vec::new();
    };
    examine(state, table)
}

/// Opens (or refreshes) the overlay on `table` and starts the examination.
fn examine(state: &mut AppState, table: TableName) -> Vec<Effect> {
    let request = state.next_ticket;
    state.next_ticket += 1;
    let message = match &state.overlay {
        Some(Overlay::Doctor(view)) if view.table == table => view.message.clone(),
        _ => None,
    };
    let mut effects = match &state.overlay {
        Some(Overlay::Doctor(_)) => Vec::new(),
        _ => state.open_overlay(Overlay::Doctor(DoctorView {
            table: table.clone(),
            request,
            phase: DoctorPhase::Examining,
            cursor: 0,
            confirming: None,
            message: None,
        })),
    };
    if let Some(Overlay::Doctor(view)) = &mut state.overlay {
        view.table = table.clone();
        view.request = request;
        view.phase = DoctorPhase::Examining;
        view.confirming = None;
        view.message = message;
    }
    effects.push(Effect::Examine { request, table });
    effects
}

fn key_pressed(state: &mut AppState, key: DoctorKey) -> Vec<Effect> {
    let Some(Overlay::Doctor(view)) = &mut state.overlay else {
        return Vec::new();
    };
    match key {
        DoctorKey::Move(delta) => {
            let last = view
                .report()
                .map_or(0, |r| r.findings.len().saturating_sub(1));
            view.cursor = view.cursor.saturating_add_signed(delta).min(last);
            view.confirming = None;
            Vec::new()
        }
        DoctorKey::Apply => {
            let action = view
                .report()
                .and_then(|r| r.findings.get(view.cursor))
                .and_then(|f| f.fix.as_ref())
                .and_then(|fix| fix.action.clone());
            match action {
                Some(action) => view.confirming = Some(action),
                None => {
                    view.message = Some(
                        "this finding has no catalog fix quarry can apply: e opens what fixes it"
                            .to_owned(),
                    );
                }
            }
            Vec::new()
        }
        DoctorKey::Confirm(false) => {
            view.confirming = None;
            Vec::new()
        }
        DoctorKey::Confirm(true) => {
            let Some(action) = view.confirming.take() else {
                return Vec::new();
            };
            view.phase = DoctorPhase::Applying(action.describe());
            let (table, request) = (view.table.clone(), view.request);
            vec![Effect::ApplyFix {
                request,
                table,
                action,
            }]
        }
        DoctorKey::Edit => {
            let Some(finding) = view.report().and_then(|r| r.findings.get(view.cursor)) else {
                return Vec::new();
            };
            let Some(fix) = &finding.fix else {
                view.message = Some("this finding has no fix to edit".to_owned());
                return Vec::new();
            };
            let mut text = format!(
                "-- {}: {}\n-- fix: {}\n",
                finding.code, finding.title, fix.summary
            );
            if let Some(command) = &fix.command {
                let _ = writeln!(text, "-- run in a shell: {command}");
            }
            for sql in &fix.sql {
                let _ = writeln!(text, "{sql};");
            }
            let name = format!("fix {}", view.table.name);
            let effects = state.close_overlay();
            state.editor.open(Buffer::new(name, &text));
            state.focus = Focus::Editor;
            effects
        }
        DoctorKey::Again => {
            let table = view.table.clone();
            examine(state, table)
        }
    }
}
