//! The terminal quarry draws on: raw mode and the alternate screen on the way in, both undone
//! on the way out — on a normal return, on an error and from the panic hook, so a crash never
//! leaves the user's shell in raw mode.

use std::io::{self, Stdout, stdout};

use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui_crossterm::CrosstermBackend;

/// The terminal the TUI draws on.
pub type Terminal = ratatui_core::terminal::Terminal<CrosstermBackend<Stdout>>;

/// Takes over the terminal: installs the restoring panic hook first (so a failure half-way in
/// still restores), then raw mode and the alternate screen.
pub fn init() -> io::Result<Terminal> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // Restored before the message is printed, or the message lands on the alternate
        // screen and vanishes with it.
        let _ = restore();
        previous(info);
    }));
    enable_raw_mode()?;
    let entered = execute!(stdout(), EnterAlternateScreen)
        .and_then(|()| ratatui_core::terminal::Terminal::new(CrosstermBackend::new(stdout())));
    if entered.is_err() {
        // Half-way in is still out of cooked mode: give the shell its terminal back.
        let _ = restore();
    }
    entered
}

/// Gives the terminal back as it was: cooked mode, main screen.
pub fn restore() -> io::Result<()> {
    disable_raw_mode()?;
    execute!(stdout(), LeaveAlternateScreen)?;
    Ok(())
}
