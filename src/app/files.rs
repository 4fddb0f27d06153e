//! `update` for editor buffers backed by files: Ctrl-S writes a buffer to its file, or asks
//! where to save it (in the user's saved-queries folder by default).

use std::path::PathBuf;

use super::action::Effect;
use super::overlay::{Overlay, Prompt, PromptKind};
use super::state::AppState;

/// Ctrl-S: writes the buffer to its file, or asks for a path when it has none.
pub fn save(state: &mut AppState) -> Vec<Effect> {
    let index = state.editor.active;
    let buffer = state.editor.buffer();
    if let Some(path) = &buffer.path {
        return vec![Effect::WriteFile {
            buffer: index,
            path: path.clone(),
            text: buffer.text_for_file(),
        }];
    }
    let name = slug(&buffer.title);
    let text = state
        .user_queries_dir
        .join(format!("{name}.sql"))
        .display()
        .to_string();
    state.open_overlay(Overlay::Prompt(Prompt {
        kind: PromptKind::SaveBuffer,
        label: "save query as".to_owned(),
        text,
    }))
}

/// Alt-S: asks for the name to save the statement under the cursor as, in Athena.
pub fn ask_named_query(state: &mut AppState) -> Vec<Effect> {
    if !state.named_queries {
        state.notice =
            Some("named queries live in Athena: start quarry with --aws to save one".to_owned());
        return Vec::new();
    }
    let title = state.editor.buffer().title.clone();
    state.open_overlay(Overlay::Prompt(Prompt {
        kind: PromptKind::NamedQuery,
        label: "save in Athena as".to_owned(),
        text: title,
    }))
}

/// Sends the statement under the cursor to Athena as a named query called `name`.
pub fn save_named_query(state: &mut AppState, name: &str) -> Vec<Effect> {
    let Some(statement) = state.editor.buffer().statement_to_run() else {
        state.notice = Some("there is no statement under the cursor to save".to_owned());
        return Vec::new();
    };
    if name.is_empty() {
        state.notice = Some("a named query needs a name".to_owned());
        return Vec::new();
    }
    vec![Effect::SaveNamedQuery {
        name: name.to_owned(),
        sql: statement.sql.clone(),
        database: None,
    }]
}

/// Saves the active buffer to `path`, which becomes its file. A query saved without a
/// header gets one, so the saved-queries list can name it.
pub fn save_as(state: &mut AppState, path: PathBuf) -> Vec<Effect> {
    let index = state.editor.active;
    let buffer = state.editor.buffer_mut();
    if !buffer.text().trim_start().starts_with("-- name:") {
        let name = path.file_stem().map_or_else(
            || buffer.title.clone(),
            |s| s.to_string_lossy().replace('-', " "),
        );
        let ratatui_textarea::DataCursor(row, column) = buffer.textarea.cursor();
        buffer
            .textarea
            .move_cursor(ratatui_textarea::CursorMove::Top);
        buffer
            .textarea
            .move_cursor(ratatui_textarea::CursorMove::Head);
        buffer
            .textarea
            .insert_str(format!("-- name: {name}\n-- description: \n"));
        // The cursor stays on the text the user was editing, two lines further down now.
        buffer
            .textarea
            .move_cursor(ratatui_textarea::CursorMove::Jump(
                (row + 2).min(u16::MAX as usize) as u16,
                column.min(u16::MAX as usize) as u16,
            ));
    }
    buffer.path = Some(path.clone());
    if let Some(stem) = path.file_stem() {
        buffer.title = stem.to_string_lossy().into_owned();
    }
    vec![Effect::WriteFile {
        buffer: index,
        path,
        text: buffer.text_for_file(),
    }]
}

/// A write finished: the buffer is clean if its text is still what was written.
pub fn saved(
    state: &mut AppState,
    buffer: usize,
    path: &std::path::Path,
    result: Result<String, String>,
) {
    match result {
        Ok(text) => {
            if let Some(b) = state.editor.buffers.get_mut(buffer)
                && b.path.as_deref() == Some(path)
            {
                b.saved_text = Some(text);
            }
            state.notice = Some(format!("saved {}", path.display()));
        }
        Err(e) => state.notice = Some(format!("not saved: {e}")),
    }
}

/// A file name from a buffer title: lower case, words joined by dashes.
fn slug(title: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        "query".to_owned()
    } else {
        words.join("-")
    }
}
