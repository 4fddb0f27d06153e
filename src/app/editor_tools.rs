//! `update` for the editor's tools: format the statement, search, paste, and take the text
//! `$EDITOR` hands back.

use super::action::{Effect, ExternalEdit, Focus, TextEdit};
use super::overlay::{Overlay, Prompt, PromptKind};
use super::state::AppState;

/// Pretty-prints the statement under the cursor (or the selection) in place.
pub fn format(state: &mut AppState) {
    let buffer = state.editor.buffer_mut();
    let Some(statement) = buffer.statement_to_run() else {
        state.notice = Some("nothing to format".to_owned());
        return;
    };
    match crate::sql::format::format_statement(&statement.sql) {
        Ok(formatted) if formatted == statement.sql => {}
        Ok(formatted) => {
            buffer.replace_range(statement.start, statement.end(), &formatted);
            state.notice = Some("formatted (Ctrl-Z undoes)".to_owned());
        }
        Err(e) => state.notice = Some(e),
    }
}

/// Opens the search prompt, holding the last pattern.
pub fn start_search(state: &mut AppState) -> Vec<Effect> {
    let last = state
        .editor
        .buffer()
        .textarea
        .search_pattern()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    state.open_overlay(Overlay::Prompt(Prompt {
        kind: PromptKind::Search,
        label: "search (regex, case-insensitive with (?i))".to_owned(),
        text: last,
    }))
}

/// Sets the pattern and jumps to the first match at or after the cursor.
pub fn search(state: &mut AppState, pattern: &str) {
    let textarea = &mut state.editor.buffer_mut().textarea;
    if let Err(e) = textarea.set_search_pattern(pattern) {
        state.notice = Some(format!("not a regular expression: {e}"));
        return;
    }
    if !pattern.is_empty() && !textarea.search_forward(true) {
        state.notice = Some(format!("no match for {pattern:?}"));
    }
}

/// Jumps to the next (or previous) match, wrapping around.
pub fn search_again(state: &mut AppState, forward: bool) {
    let textarea = &mut state.editor.buffer_mut().textarea;
    if textarea.search_pattern().is_none() {
        start_search(state);
        return;
    }
    let found = if forward {
        textarea.search_forward(false)
    } else {
        textarea.search_back(false)
    };
    if !found {
        state.notice = Some("no match".to_owned());
    }
}

/// Pasted text goes where typing would: into the open prompt or picker filter (one line,
/// control characters dropped), a pane's filter line, or the focused editor as one undoable
/// insertion. Anything else is not a place for text, and the status line says where to go.
pub fn paste(state: &mut AppState, text: &str) -> Vec<Effect> {
    let one_line = || {
        text.chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .map(TextEdit::Push)
    };
    match &mut state.overlay {
        Some(Overlay::Prompt(prompt)) => {
            one_line().for_each(|edit| edit.apply_to(&mut prompt.text));
            return Vec::new();
        }
        Some(Overlay::Picker(picker)) => {
            one_line().for_each(|edit| edit.apply_to(&mut picker.filter));
            picker.move_by(0);
            return Vec::new();
        }
        Some(_) => return Vec::new(), // the overlay on top takes input, and it takes no text
        None => {}
    }
    match state.focus {
        Focus::Editor => {
            let text = text.replace("\r\n", "\n").replace('\r', "\n");
            state.completion = None;
            state.editor.buffer_mut().compound(|buffer| {
                buffer.textarea.insert_str(&text);
            });
        }
        Focus::Catalog | Focus::Partitions if super::browse::editing_filter(state) => {
            one_line().for_each(|edit| super::browse::filter_input(state, edit));
        }
        Focus::Catalog | Focus::Partitions | Focus::Results => {
            state.notice = Some("paste goes into the editor: focus it first (Alt-2)".to_owned());
        }
    }
    Vec::new()
}

/// `$EDITOR` came back: its text replaces buffer `index` as one undoable change.
pub fn edited_externally(state: &mut AppState, index: usize, outcome: ExternalEdit) {
    let Some(buffer) = state.editor.buffers.get_mut(index) else {
        return; // the buffer is gone
    };
    state.notice = Some(match outcome {
        ExternalEdit::Edited { command, text } => {
            if text == buffer.text_for_file() {
                format!("{command}: no changes")
            } else {
                buffer.compound(|buffer| {
                    buffer.textarea.select_all();
                    buffer
                        .textarea
                        .insert_str(text.strip_suffix('\n').unwrap_or(&text));
                });
                format!("edited in {command} (Ctrl-Z undoes)")
            }
        }
        ExternalEdit::Failed { command, why } => format!("{command}: {why}"),
    });
}
