//! Handing an editor buffer to `$VISUAL` / `$EDITOR`: the screen is suspended (main screen,
//! cooked mode) while the editor runs, then restored. The text comes back to `update` as
//! [`Action::EditedExternally`](crate::app::Action), which replaces the buffer as one undoable
//! change and refreshes the hints like any other edit.

use std::io;
use std::path::PathBuf;

use crossterm::cursor::Hide;
use crossterm::terminal::{Clear, ClearType, EnterAlternateScreen, enable_raw_mode};

use crate::app::ExternalEdit;

/// The command users expect: `$VISUAL`, then `$EDITOR`, then `vi`.
pub fn editor_command() -> String {
    std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .ok()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".to_owned())
}

/// Runs the editor on `text` with the screen suspended. The caller stops reading keys first,
/// so none meant for the editor reaches the TUI. An error is the terminal's, not the editor's.
pub async fn edit(
    terminal: &mut super::terminal::Terminal,
    text: String,
) -> io::Result<ExternalEdit> {
    let command = editor_command();
    super::terminal::restore()?;
    let outcome = tokio::task::spawn_blocking(move || run_editor(&command, &text))
        .await
        .map_err(io::Error::other)?;
    enable_raw_mode()?;
    crossterm::execute!(
        io::stdout(),
        EnterAlternateScreen,
        Clear(ClearType::All),
        Hide
    )?;
    // Both buffers blank: the next frame is drawn in full onto the cleared screen. (Terminal::
    // clear would ask the terminal for the cursor position, which not every terminal answers.)
    terminal.swap_buffers();
    terminal.swap_buffers();
    Ok(outcome)
}

/// Writes `text` to a temporary `.sql` file, runs `command` on it through the shell (so
/// `EDITOR="code --wait"` works as it does for git), and reads it back. Blocks until the
/// editor exits.
pub fn run_editor(command: &str, text: &str) -> ExternalEdit {
    let failed = |why: String| ExternalEdit::Failed {
        command: command.to_owned(),
        why,
    };
    let dir = match tempfile::Builder::new().prefix("quarry-edit-").tempdir() {
        Ok(dir) => dir,
        Err(e) => return failed(format!("cannot create a temporary file: {e}")),
    };
    let path: PathBuf = dir.path().join("query.sql");
    if let Err(e) = std::fs::write(&path, text) {
        return failed(format!("cannot write {}: {e}", path.display()));
    }
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{command} \"$1\""))
        .arg("quarry-editor")
        .arg(&path)
        .status();
    match status {
        Ok(status) if status.success() => match std::fs::read_to_string(&path) {
            Ok(text) => ExternalEdit::Edited {
                command: command.to_owned(),
                text,
            },
            Err(e) => failed(format!("cannot read the edited file back: {e}")),
        },
        Ok(status) => failed(format!("exited with {status}; the buffer is unchanged")),
        Err(e) => failed(format!("cannot run it: {e}; set $EDITOR")),
    }
}
