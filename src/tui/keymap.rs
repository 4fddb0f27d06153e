//! crossterm key events → actions, through the binding table in `app::keys`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::keys::{Binding, Key, KeyPress, lookup};
use crate::app::{Action, AppState, Focus, TextEdit};

/// The action for a key press in the current state, if any.
pub fn action_for(state: &AppState, bindings: &[Binding], event: KeyEvent) -> Option<Action> {
    let press = key_press(event);
    if state.prompt.is_some() {
        return prompt_key(event).map(Action::FilterInput);
    }
    if state.confirmation.is_some() {
        return match event.code {
            KeyCode::Enter | KeyCode::Char('y' | 'Y') => Some(Action::ConfirmRun),
            KeyCode::Esc | KeyCode::Char('n' | 'N') => Some(Action::DismissConfirmation),
            _ => None,
        };
    }
    if state.ledger.is_some() {
        // Any key closes the overlay.
        return Some(Action::ToggleLedger);
    }
    if state.comparison.is_some() {
        // Any key closes the overlay (and cancels a comparison still running).
        return Some(Action::CloseComparison);
    }
    if state.picker.is_some() {
        return picker_key(event);
    }
    if state.inspector.is_some() {
        return Some(match press.map(|p| p.key) {
            Some(Key::Up | Key::Char('k')) => Action::InspectorScroll(-1),
            Some(Key::Down | Key::Char('j')) => Action::InspectorScroll(1),
            Some(Key::PageUp) => Action::InspectorScroll(-10),
            Some(Key::PageDown | Key::Char(' ')) => Action::InspectorScroll(10),
            Some(Key::Char('y')) => Action::ResultsCopy(crate::app::action::CopyScope::Cell),
            _ => Action::InspectorClose,
        });
    }
    if state.show_help {
        let scroll = match press.map(|p| p.key) {
            Some(Key::Up) => Some(-1),
            Some(Key::Down) => Some(1),
            Some(Key::PageUp) => Some(-10),
            Some(Key::PageDown) => Some(10),
            _ => None,
        };
        if let Some(lines) = scroll {
            return Some(Action::ScrollHelp(lines));
        }
    }
    if let Some(action) = completion_key(state, event) {
        return Some(action);
    }
    if let Some(edit) = filter_edit(state, event) {
        return Some(Action::FilterInput(edit));
    }
    if let Some(press) = press
        && let Some(binding) = lookup(bindings, state.focus, press)
    {
        return Some(binding.action.clone());
    }
    if state.show_help {
        // Any other key closes the overlay rather than acting behind it.
        return Some(Action::ToggleHelp);
    }
    (state.focus == Focus::Editor).then(|| Action::EditorInput(event.into()))
}

/// While the completion popup is open, it takes the keys that move in it, Tab (accept) and
/// Esc; everything else edits text and refreshes the popup.
fn completion_key(state: &AppState, event: KeyEvent) -> Option<Action> {
    if state.completion.is_none() || state.focus != Focus::Editor || !event.modifiers.is_empty() {
        return None;
    }
    match event.code {
        KeyCode::Up => Some(Action::CompletionMove(-1)),
        KeyCode::Down => Some(Action::CompletionMove(1)),
        KeyCode::PageUp => Some(Action::CompletionMove(-8)),
        KeyCode::PageDown => Some(Action::CompletionMove(8)),
        KeyCode::Tab => Some(Action::CompletionAccept),
        KeyCode::Esc => Some(Action::CompletionClose),
        _ => None,
    }
}

/// The picker takes every key: moving, opening, closing, and text for its filter.
fn picker_key(event: KeyEvent) -> Option<Action> {
    if event
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return None;
    }
    Some(match event.code {
        KeyCode::Up => Action::PickerMove(-1),
        KeyCode::Down => Action::PickerMove(1),
        KeyCode::PageUp => Action::PickerMove(-10),
        KeyCode::PageDown => Action::PickerMove(10),
        KeyCode::Enter => Action::PickerOpen,
        KeyCode::Esc => Action::PickerClose,
        KeyCode::Char(c) => Action::FilterInput(TextEdit::Push(c)),
        KeyCode::Backspace => Action::FilterInput(TextEdit::Pop),
        _ => return None,
    })
}

/// Text keys for a one-line input (the prompt, a filter line); other keys give `None`.
fn prompt_key(event: KeyEvent) -> Option<TextEdit> {
    if event
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
    {
        return None;
    }
    match event.code {
        KeyCode::Char(c) => Some(TextEdit::Push(c)),
        KeyCode::Backspace => Some(TextEdit::Pop),
        KeyCode::Enter => Some(TextEdit::Finish),
        KeyCode::Esc => Some(TextEdit::Abort),
        _ => None,
    }
}

/// While a pane's filter line is open, text keys edit it; arrows still move the cursor.
fn filter_edit(state: &AppState, event: KeyEvent) -> Option<TextEdit> {
    let editing = match state.focus {
        Focus::Catalog => state.catalog.editing_filter,
        Focus::Partitions => state.partitions.as_ref().is_some_and(|b| b.editing_filter),
        Focus::Editor | Focus::Results => false,
    };
    if editing { prompt_key(event) } else { None }
}

/// The terminal-independent form of a key event.
pub fn key_press(event: KeyEvent) -> Option<KeyPress> {
    let key = match event.code {
        KeyCode::Char(c) => Key::Char(if event.modifiers.contains(KeyModifiers::CONTROL) {
            c.to_ascii_lowercase()
        } else {
            c
        }),
        KeyCode::F(n) => Key::F(n),
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Esc,
        KeyCode::Backspace => Key::Backspace,
        KeyCode::Tab => Key::Tab,
        KeyCode::BackTab => Key::BackTab,
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Left => Key::Left,
        KeyCode::Right => Key::Right,
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        KeyCode::Home => Key::Home,
        KeyCode::End => Key::End,
        _ => return None,
    };
    Some(KeyPress {
        key,
        ctrl: event.modifiers.contains(KeyModifiers::CONTROL),
        alt: event.modifiers.contains(KeyModifiers::ALT),
    })
}
