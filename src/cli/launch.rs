//! Opening and closing a TUI session: the editor's first buffers (files from the command
//! line, else the last session's buffers, else a starter query; plus any buffers rescued from
//! a crash), and keeping the buffers when the session ends.

use std::path::{Path, PathBuf};

use crate::app::AppState;
use crate::app::editor::{Buffer, Editor};
use crate::session::{self, SavedBuffer, SavedSession, SessionFiles};

/// The editor to start with, and a notice for the status bar.
pub struct Opening {
    pub editor: Editor,
    pub notice: Option<String>,
    /// Parameter values remembered by the last session.
    pub parameters: std::collections::HashMap<String, Vec<String>>,
}

/// Builds the first editor. `files` that do not exist yet open empty and are created on
/// Ctrl-S, as in other editors; files that exist but cannot be read are an error.
pub fn open_editor(
    files: &[PathBuf],
    session_files: &SessionFiles,
    starter: &str,
) -> Result<Opening, String> {
    let mut buffers = Vec::new();
    let mut active = 0;
    let mut parameters = std::collections::HashMap::new();
    for path in files {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let mut buffer = Buffer::from_file(path.clone(), &text);
        if text.is_empty() {
            buffer.saved_text = None; // new file: modified until saved
        }
        buffers.push(buffer);
    }
    if buffers.is_empty()
        && let Some(last) = session::read_session(&session_files.session)
    {
        active = last.active;
        buffers.extend(last.buffers.into_iter().map(restore));
        parameters.extend(last.parameters);
    }
    if buffers.is_empty() {
        buffers.push(Buffer::new("query 1", starter));
    }
    let mut notice = None;
    if let Some(rescued) = session::take_recovery(&session_files.recovery) {
        notice = Some(format!(
            "reopened {} buffer(s) saved when quarry crashed at {}",
            rescued.buffers.len(),
            rescued
                .time
                .get(..19)
                .unwrap_or(&rescued.time)
                .replace('T', " ")
        ));
        for saved in rescued.buffers {
            let mut buffer = restore(saved);
            buffer.title = format!("recovered {}", buffer.title);
            buffers.push(buffer);
        }
    }
    let mut buffers = buffers.into_iter();
    let first = buffers
        .next()
        .unwrap_or_else(|| Buffer::new("query 1", starter));
    let mut editor = Editor::new(first);
    for buffer in buffers {
        editor.buffers.push(buffer);
    }
    editor.active = active.min(editor.buffers.len() - 1);
    Ok(Opening {
        editor,
        notice,
        parameters,
    })
}

/// A buffer as it was: text (possibly unsaved) and its file.
fn restore(saved: SavedBuffer) -> Buffer {
    let mut buffer = Buffer::new(saved.title, &saved.text);
    if let Some(path) = saved.path {
        // Unsaved changes stay unsaved: compare with the file as it is now.
        buffer.saved_text = std::fs::read_to_string(&path).ok();
        buffer.path = Some(path);
    }
    buffer
}

/// The editor's buffers as plain data.
pub fn snapshot(state: &AppState) -> SavedSession {
    SavedSession {
        buffers: state
            .editor
            .buffers
            .iter()
            .map(|b| SavedBuffer {
                title: b.title.clone(),
                path: b.path.clone(),
                text: b.text(),
            })
            .collect(),
        active: state.editor.active,
        time: chrono::Local::now().to_rfc3339(),
        parameters: state
            .parameters
            .remembered()
            .iter()
            .map(|(sql, values)| (sql.clone(), values.clone()))
            .collect(),
    }
}

/// Keeps the buffers for the next start.
pub fn save_session(state: &AppState, files: &SessionFiles) -> std::io::Result<()> {
    session::write_session(&files.session, &snapshot(state))
}

/// Writes the buffers of a crashed session to the recovery file; returns its path.
pub fn rescue<'a>(state: &AppState, files: &'a SessionFiles) -> std::io::Result<&'a Path> {
    session::write_session(&files.recovery, &snapshot(state))?;
    Ok(&files.recovery)
}
