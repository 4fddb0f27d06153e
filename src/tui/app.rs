//! The app without a terminal: state, key handling and effects. The event loop wraps it with
//! a terminal; tests drive it directly with keys and wait on its action channel.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc::{self, UnboundedReceiver};

use super::effects::{EffectRunner, Services};
use super::keymap;
use crate::app::bindings::{Binding, default_bindings};
use crate::app::{Action, AppState, Effect, update};

/// A running app.
pub struct App {
    pub state: AppState,
    bindings: Vec<Binding>,
    runner: EffectRunner,
    actions: UnboundedReceiver<Action>,
}

impl App {
    /// Starts an app and asks for the catalog's databases.
    pub fn new(mut state: AppState, services: Services) -> Self {
        let (tx, actions) = mpsc::unbounded_channel();
        state.functions = services.engine.engine.function_names();
        let mut runner = EffectRunner::new(services, tx);
        state.catalog.start_loading();
        runner.run(vec![Effect::LoadDatabases]);
        runner.load_workgroup_cutoff();
        Self {
            state,
            bindings: default_bindings(),
            runner,
            actions,
        }
    }

    /// The state, ending the app.
    pub fn into_state(self) -> AppState {
        self.state
    }

    /// Sends copies somewhere else (a headless app keeps them in memory).
    pub fn set_clipboard(&mut self, clipboard: super::effects::Clipboard) {
        self.runner.set_clipboard(clipboard);
    }

    /// Replaces the key bindings (from `config.toml`).
    pub fn set_bindings(&mut self, bindings: Vec<Binding>) {
        self.bindings = bindings;
    }

    /// The key bindings in force.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// Handles one key press.
    pub fn key(&mut self, event: KeyEvent) {
        if let Some(action) = keymap::action_for(&self.state, &self.bindings, event) {
            self.dispatch(action);
        }
    }

    /// Types text into whatever has focus, one key per character (newlines as Enter).
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let code = if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            };
            self.key(KeyEvent::new(code, KeyModifiers::NONE));
        }
    }

    /// Applies an action and starts its effects.
    pub fn dispatch(&mut self, action: Action) {
        let effects = update(&mut self.state, action);
        self.runner.run(effects);
    }

    /// Waits for the next answer from a background task and applies it.
    pub async fn apply_next(&mut self) -> bool {
        match self.actions.recv().await {
            Some(action) => {
                self.dispatch(action);
                true
            }
            None => false,
        }
    }

    /// Applies answers until `done` holds.
    pub async fn settle_until(&mut self, done: impl Fn(&AppState) -> bool) {
        while !done(&self.state) {
            if !self.apply_next().await {
                return;
            }
        }
    }

    /// The buffer `update` asked to open in `$EDITOR` (index and text), once. The event loop
    /// suspends the screen for it; headless tests run the editor themselves.
    pub fn take_external_edit(&mut self) -> Option<(usize, String)> {
        self.runner.take_external_edit()
    }

    /// Receives the next action, for the event loop's `select!`.
    pub async fn next_action(&mut self) -> Option<Action> {
        self.actions.recv().await
    }
}
