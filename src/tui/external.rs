//! Handing the editor buffer to `$VISUAL` / `$EDITOR`: the screen is suspended (main screen,
//! cooked mode) while the editor runs, then restored, and the edited text replaces the buffer
//! as one undoable change.

use std::io;
use std::path::PathBuf;

use crossterm::cursor::Hide;
use crossterm::terminal::{Clear, ClearType, EnterAlternateScreen, enable_raw_mode};

use crate::app::AppState;

/// The command users expect: `$VISUAL`, then `$EDITOR`, then `vi`.
fn editor_command() -> String {
    std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .ok()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".to_owned())
}

/// Runs the editor on the active buffer. The caller drops its event stream first, so no key
/// meant for the editor is read by the TUI.
pub async fn edit(terminal: &mut ratatui::DefaultTerminal, state: &mut AppState) -> io::Result<()> {
    let command = editor_command();
    let path: PathBuf = std::env::temp_dir().join(format!(
        "quarry-{}-{}.sql",
        std::process::id(),
        state.editor.active
    ));
    let original = state.editor.buffer().text_for_file();
    tokio::fs::write(&path, &original).await?;
    ratatui::try_restore()?;
    // Through the shell, so `EDITOR="code --wait"` works as it does for git.
    let shell_command = command.clone();
    let file = path.clone();
    let status = tokio::task::spawn_blocking(move || {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{shell_command} \"$1\""))
            .arg("quarry-editor")
            .arg(&file)
            .status()
    })
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
    let edited = tokio::fs::read_to_string(&path).await;
    let _ = tokio::fs::remove_file(&path).await;
    state.notice = Some(match (status, edited) {
        (Ok(status), Ok(text)) if status.success() => {
            if text == original {
                format!("{command}: no changes")
            } else {
                state.editor.buffer_mut().compound(|buffer| {
                    buffer.textarea.select_all();
                    buffer
                        .textarea
                        .insert_str(text.strip_suffix('\n').unwrap_or(&text));
                });
                format!("edited in {command} (Ctrl-Z undoes)")
            }
        }
        (Ok(status), _) => format!("{command} exited with {status}; the buffer is unchanged"),
        (Err(e), _) => format!("cannot run {command}: {e}; set $EDITOR"),
    });
    Ok(())
}
