//! The terminal runtime: owns the terminal, turns events into actions, runs effects, draws.

mod app;
mod clipboard;
mod doctor_work;
mod effects;
pub mod external;
mod grid_work;
mod input;
mod keep_work;
pub mod keymap;
mod records_work;
pub mod terminal;

use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEventKind};

pub use app::App;
pub use effects::{Clipboard, EffectRunner, EngineSlot, Services};

use crate::app::{Action, AppState};
use crate::ui::{self, theme::Theme};

/// Spinner and live statistics refresh while a query runs.
const TICK: Duration = Duration::from_millis(100);

/// How a TUI session ended.
pub enum Ending {
    /// The user quit; the final state, for saving the session.
    Quit(Box<AppState>),
    /// A bug panicked; the state as it was, for rescuing the buffers. The terminal is
    /// already restored and the panic message printed.
    Panicked(Box<AppState>),
}

/// Runs the TUI until the user quits. The terminal is restored on every exit path: normal
/// return, error, and panic (`terminal::init` installs a hook that restores before the message
/// is printed); a panic also hands back the state so no buffer is lost.
pub async fn run(
    state: AppState,
    services: Services,
    theme: Theme,
    bindings: Vec<crate::app::bindings::Binding>,
) -> std::io::Result<Ending> {
    use futures::FutureExt;
    let mut terminal = terminal::init()?;
    let mut app = App::new(state, services);
    app.set_bindings(bindings);
    let outcome = std::panic::AssertUnwindSafe(event_loop(&mut terminal, &mut app, theme))
        .catch_unwind()
        .await;
    match outcome {
        Ok(result) => {
            terminal::restore()?;
            result.map(|()| Ending::Quit(Box::new(app.into_state())))
        }
        // The panic hook has restored the terminal already; leaving the alternate
        // screen twice would move the cursor back over the panic message.
        Err(_) => Ok(Ending::Panicked(Box::new(app.into_state()))),
    }
}

async fn event_loop(
    terminal: &mut terminal::Terminal,
    app: &mut App,
    theme: Theme,
) -> std::io::Result<()> {
    // A way to prove crash recovery end to end (the PTY test uses it); off unless asked for.
    let crash_key = std::env::var_os("QUARRY_DEBUG_PANIC").is_some();
    let mut input = input::Input::start();
    let mut tick = tokio::time::interval(TICK);
    let mut dirty = true;
    while !app.state.quit {
        if dirty {
            terminal.draw(|frame| ui::draw(frame, &app.state, app.bindings(), &theme))?;
            dirty = false;
        }
        tokio::select! {
            event = input.next() => match event {
                Some(Ok(Event::Key(key))) if crash_key && key.code == KeyCode::F(12) => {
                    panic!("deliberate crash: F12 with QUARRY_DEBUG_PANIC set");
                }
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => {
                    tracing::trace!(?key, "key");
                    app.key(key);
                }
                Some(Ok(Event::Paste(text))) => app.dispatch(Action::Paste(text)),
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
        if let Some((buffer, text)) = app.take_external_edit() {
            input.pause().await; // the editor reads the keys now
            let edited = external::edit(terminal, text).await;
            input.resume();
            app.dispatch(Action::EditedExternally {
                buffer,
                outcome: edited?,
            });
        }
        dirty = true;
    }
    Ok(())
}
