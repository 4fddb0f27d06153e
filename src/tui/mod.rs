//! The terminal runtime: owns the terminal, turns events into actions, runs effects, draws.

mod app;
mod effects;
pub mod keymap;

use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;

pub use app::App;
pub use effects::{Clipboard, EffectRunner, Services};

use crate::app::{Action, AppState};
use crate::ui::{self, theme::Theme};

/// Spinner and live statistics refresh while a query runs.
const TICK: Duration = Duration::from_millis(100);

/// Runs the TUI until the user quits. The terminal is restored on every exit path: normal
/// return, error, and panic (ratatui's init installs a hook that restores before unwinding).
pub async fn run(state: AppState, services: Services, theme: Theme) -> std::io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let result = event_loop(&mut terminal, state, services, theme).await;
    ratatui::try_restore()?;
    result
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    state: AppState,
    services: Services,
    theme: Theme,
) -> std::io::Result<()> {
    let mut app = App::new(state, services);
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    let mut dirty = true;
    while !app.state.quit {
        if dirty {
            terminal.draw(|frame| ui::draw(frame, &app.state, app.bindings(), &theme))?;
            dirty = false;
        }
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => app.key(key),
                Some(Ok(Event::Paste(text))) => {
                    app.state.editor.buffer_mut().textarea.insert_str(text);
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                None => app.dispatch(Action::Quit),
            },
            Some(action) = app.next_action() => app.dispatch(action),
            _ = tick.tick() => {
                if !app.state.is_running() {
                    continue; // nothing moves on screen while idle
                }
                app.dispatch(Action::Tick);
            }
        }
        dirty = true;
    }
    Ok(())
}
