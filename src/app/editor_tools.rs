//! `update` for the editor's tools: format the statement, search, and hand the buffer to
//! `$EDITOR`.

use super::state::{AppState, Prompt, PromptKind};

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
pub fn start_search(state: &mut AppState) {
    let last = state
        .editor
        .buffer()
        .textarea
        .search_pattern()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    state.prompt = Some(Prompt {
        kind: PromptKind::Search,
        label: "search (regex, case-insensitive with (?i))".to_owned(),
        text: last,
    });
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
