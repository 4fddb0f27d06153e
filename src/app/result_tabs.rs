//! One result per statement: F6 on a buffer of several statements runs them one after
//! another, each into a tab of its own with its own statistics or error. The tab shown keeps
//! its run in `AppState::phase` and `AppState::results`, as a single run does; the others are
//! parked here.

use std::collections::VecDeque;

use crate::sql::statements::{self, Statement};

use super::action::Effect;
use super::hints::{self, RunKind};
use super::results::ResultGrid;
use super::state::{AppState, QueryPhase};

/// A statement's run, while its tab is not the one shown.
#[derive(Debug, Default)]
pub struct ResultTab {
    /// The statement's number and its first words, for the tab bar.
    pub label: String,
    /// Its run; `None` while the tab is shown (the run is in the state).
    pub phase: Option<QueryPhase>,
    pub results: Option<ResultGrid>,
}

/// The tabs of the last run of several statements.
#[derive(Debug, Default)]
pub struct ResultTabs {
    pub tabs: Vec<ResultTab>,
    /// The tab shown.
    pub shown: usize,
    /// Statements still to run, in order.
    pub queue: VecDeque<Statement>,
}

impl ResultTabs {
    /// True while statements of the buffer are still running or queued.
    pub fn running(&self, state_running: bool) -> bool {
        !self.queue.is_empty() || (state_running && !self.tabs.is_empty())
    }
}

/// F6: every statement of the buffer, each into its own tab. A buffer of one statement runs as
/// F5 does, into the one result.
pub fn run_all(state: &mut AppState) -> Vec<Effect> {
    let found = statements::split(&state.editor.buffer().text());
    if found.len() <= 1 {
        state.result_tabs = ResultTabs::default();
        return super::run::run(state, true);
    }
    let mut effects = super::run::cancel_running(state);
    state.result_tabs = ResultTabs {
        tabs: Vec::new(),
        shown: 0,
        queue: found.into(),
    };
    effects.extend(next(state));
    effects
}

/// Starts the next queued statement in a new tab (the cost guard may ask first).
pub fn next(state: &mut AppState) -> Vec<Effect> {
    let Some(statement) = state.result_tabs.queue.pop_front() else {
        return Vec::new();
    };
    park(state);
    let number = state.result_tabs.tabs.len() + 1;
    state.result_tabs.tabs.push(ResultTab {
        label: label(number, &statement.sql),
        ..ResultTab::default()
    });
    state.result_tabs.shown = number - 1;
    state.results = None;
    state.phase = QueryPhase::Idle;
    if let Some(effects) = super::parameters::ask(state, &statement, RunKind::Run) {
        return effects;
    }
    if let Err(effects) = hints::guard(state, &statement, RunKind::Run) {
        return effects;
    }
    super::run::start(state, statement)
}

/// After a statement of the batch finished: the next one, unless this one failed or was
/// cancelled (the rest is not run, and the notice says so).
pub fn statement_finished(state: &mut AppState) -> Vec<Effect> {
    let tabs = &mut state.result_tabs;
    if tabs.queue.is_empty() {
        return Vec::new();
    }
    match &state.phase {
        QueryPhase::Finished { .. } => next(state),
        QueryPhase::Failed { .. } | QueryPhase::Cancelled { .. } => {
            let left = tabs.queue.len();
            tabs.queue.clear();
            let what = if matches!(state.phase, QueryPhase::Failed { .. }) {
                "failed"
            } else {
                "was cancelled"
            };
            state.notice = Some(format!(
                "statement {} {what}: {left} after it not run",
                tabs.shown + 1
            ));
            Vec::new()
        }
        QueryPhase::Idle | QueryPhase::Running { .. } => Vec::new(),
    }
}

/// `]` / `[`: shows the next or previous statement's result.
pub fn cycle(state: &mut AppState, step: isize) -> Vec<Effect> {
    // The running statement's answers go to the shown tab: it stays shown until they are in.
    if state.is_running() && !state.result_tabs.tabs.is_empty() {
        state.notice = Some("the statements are still running: wait, or Esc cancels".to_owned());
        return Vec::new();
    }
    let count = state.result_tabs.tabs.len();
    if count < 2 {
        state.notice = Some("one result: F6 on several statements gives one tab each".into());
        return Vec::new();
    }
    let target = (state.result_tabs.shown as isize + step).rem_euclid(count as isize) as usize;
    park(state);
    let tab = &mut state.result_tabs.tabs[target];
    state.phase = tab.phase.take().unwrap_or(QueryPhase::Idle);
    state.results = tab.results.take();
    state.result_tabs.shown = target;
    Vec::new()
}

/// Moves the shown run into its tab.
fn park(state: &mut AppState) {
    let shown = state.result_tabs.shown;
    if let Some(tab) = state.result_tabs.tabs.get_mut(shown) {
        tab.phase = Some(std::mem::replace(&mut state.phase, QueryPhase::Idle));
        tab.results = state.results.take();
    }
}

/// A parked grid that later pages of its result belong to.
pub fn parked_grid(state: &mut AppState, ticket: u64) -> Option<&mut ResultGrid> {
    state
        .result_tabs
        .tabs
        .iter_mut()
        .filter_map(|t| t.results.as_mut())
        .find(|g| g.id == ticket)
}

/// `2 SELECT source, count(*) …`: the number and the statement's first words.
fn label(number: usize, sql: &str) -> String {
    let words: String = sql
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("--"))
        .collect::<Vec<_>>()
        .join(" ");
    let mut short: String = words.chars().take(24).collect();
    if short.len() < words.len() {
        short.push('…');
    }
    format!("{number} {short}")
}

/// The phase of tab `index`, wherever it is kept.
pub fn phase_of(state: &AppState, index: usize) -> Option<&QueryPhase> {
    if index == state.result_tabs.shown {
        Some(&state.phase)
    } else {
        state.result_tabs.tabs.get(index)?.phase.as_ref()
    }
}
