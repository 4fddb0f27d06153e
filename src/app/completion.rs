//! `update` for the completion popup: which candidates fit the word at the editor cursor, and
//! replacing that word with the chosen one.

use crate::sql::complete::{self, Candidate, KnownTable, Vocabulary};
use crate::sql::statements;

use super::action::Effect;
use super::catalog_tree::LoadRequest;
use super::state::AppState;

/// Most candidates kept; the popup scrolls through them.
const MAX_CANDIDATES: usize = 200;

/// The open popup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub candidates: Vec<Candidate>,
    pub selected: usize,
    /// Characters of the word typed so far, replaced on accept.
    pub prefix_chars: usize,
}

/// Recomputes the popup for the word at the cursor. `explicit` (Ctrl-Space) offers everything
/// even before a letter is typed. Returns loads for tables the statement reads whose columns
/// are not known yet; their arrival recomputes the popup.
pub fn refresh(state: &mut AppState, explicit: bool) -> Vec<Effect> {
    let buffer = state.editor.buffer();
    let ratatui_textarea::DataCursor(row, column) = buffer.textarea.cursor();
    let line = buffer
        .textarea
        .lines()
        .get(row)
        .cloned()
        .unwrap_or_default();
    let byte = line
        .char_indices()
        .nth(column)
        .map_or(line.len(), |(i, _)| i);
    let word = complete::word_at(&line, byte);
    let statement = statements::at_cursor(&buffer.text(), buffer.cursor())
        .map(|s| s.sql)
        .unwrap_or_default();
    let referenced = complete::references(&statement);
    let vocabulary = vocabulary(state);
    let mut effects = Vec::new();
    state.completion_awaits_columns = false;
    for reference in &referenced {
        if let Some(table) = complete::resolve(reference, &vocabulary)
            && table.columns.is_none()
        {
            state.completion_awaits_columns = true;
            let name = crate::backend::TableName::new(&table.database, &table.name);
            if let Some(LoadRequest::Table(name)) = state.catalog.request_table(&name) {
                effects.push(Effect::LoadTable(name));
            }
        }
    }
    let mut candidates = complete::candidates(&word, &referenced, &vocabulary, explicit);
    candidates.truncate(MAX_CANDIDATES);
    state.completion = (!candidates.is_empty()).then(|| Completion {
        candidates,
        selected: 0,
        prefix_chars: word.prefix.chars().count(),
    });
    effects
}

/// Moves the popup's selection, wrapping around.
pub fn move_selection(state: &mut AppState, delta: isize) {
    if let Some(popup) = &mut state.completion {
        let n = popup.candidates.len() as isize;
        popup.selected = (popup.selected as isize + delta).rem_euclid(n.max(1)) as usize;
    }
}

/// Replaces the typed word with the selected candidate and closes the popup.
pub fn accept(state: &mut AppState) {
    let Some(popup) = state.completion.take() else {
        return;
    };
    let Some(candidate) = popup.candidates.get(popup.selected) else {
        return;
    };
    state.editor.buffer_mut().compound(|buffer| {
        for _ in 0..popup.prefix_chars {
            buffer.textarea.delete_char();
        }
        buffer.textarea.insert_str(&candidate.text);
    });
}

/// What completion knows: the catalog's databases, tables and loaded columns, and the
/// engine's functions.
fn vocabulary(state: &AppState) -> Vocabulary {
    let tables = state
        .catalog
        .table_names()
        .into_iter()
        .map(|name| {
            let columns = state.catalog.table_info(&name).map(|info| {
                info.columns
                    .iter()
                    .chain(&info.partition_keys)
                    .map(|c| (c.name.clone(), c.data_type.clone()))
                    .collect()
            });
            KnownTable {
                database: name.database,
                name: name.name,
                columns,
            }
        })
        .collect();
    Vocabulary {
        databases: state.catalog.database_names(),
        tables,
        functions: state.functions.clone(),
    }
}
