//! crossterm key events → actions. The overlay on top, if any, takes every key; then the
//! completion popup, a pane's filter line, the bindings, and the editor's text.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::bindings::{Binding, Command, Scope, lookup};
use crate::app::keys::{Key, KeyPress};
use crate::app::{Action, AppState, Focus, Overlay, TextEdit};

/// The action for a key press in the current state, if any.
pub fn action_for(state: &AppState, bindings: &[Binding], event: KeyEvent) -> Option<Action> {
    let press = key_press(event);
    if let Some(overlay) = state.overlay() {
        return overlay_key(overlay, bindings, event, press);
    }
    if let Some(action) = completion_key(state, event) {
        return Some(action);
    }
    // While a pane's filter line is open, text keys edit it; arrows still move the cursor.
    if crate::app::browse::editing_filter(state)
        && let Some(edit) = prompt_key(event)
    {
        return Some(Action::FilterInput(edit));
    }
    // Vim's normal and visual modes take plain keys and Ctrl-R (redo) before the bindings.
    if state.focus == Focus::Editor
        && let Some(vim) = &state.editor.vim
        && vim.claims(&event.into())
    {
        return Some(Action::EditorInput(event.into()));
    }
    if let Some(press) = press
        && let Some(binding) = lookup(bindings, state.focus, press)
    {
        return Some(binding.action());
    }
    (state.focus == Focus::Editor).then(|| Action::EditorInput(event.into()))
}

/// The commands that open an overlay: from any overlay but a prompt or a confirmation (which wait
/// for their text or answer), their keys open theirs in its place (F7 in the help shows the
/// ledger, Ctrl-O in the history shows the saved queries).
const OPENERS: [Command; 4] = [
    Command::help,
    Command::ledger,
    Command::history,
    Command::saved_queries,
];

/// Keys while `overlay` is on top. Nothing reaches the panes underneath.
fn overlay_key(
    overlay: &Overlay,
    bindings: &[Binding],
    event: KeyEvent,
    press: Option<KeyPress>,
) -> Option<Action> {
    let key = press.map(|p| p.key);
    let opener = || {
        let press = press?;
        bindings
            .iter()
            .find(|b| b.scope == Scope::Global && b.press == press && OPENERS.contains(&b.command))
            .map(Binding::action)
    };
    // A plain character is text for a picker's filter, never an opener.
    let typed = matches!(key, Some(Key::Char(_)))
        && event.modifiers.difference(KeyModifiers::SHIFT).is_empty();
    if !matches!(overlay, Overlay::Prompt(_) | Overlay::Confirmation(_))
        && !typed
        && let Some(open) = opener()
    {
        return Some(open);
    }
    match overlay {
        // ↑ / ↓ offer a parameter's earlier values.
        Overlay::Prompt(_) if matches!(event.code, KeyCode::Up | KeyCode::Down) => {
            Some(Action::PromptHistory(if event.code == KeyCode::Up {
                -1
            } else {
                1
            }))
        }
        Overlay::Prompt(_) => prompt_key(event).map(Action::FilterInput),
        Overlay::Picker(_) => picker_key(event),
        Overlay::Confirmation(_) => match event.code {
            KeyCode::Enter | KeyCode::Char('y' | 'Y') => Some(Action::ConfirmRun),
            KeyCode::Esc | KeyCode::Char('n' | 'N') => Some(Action::CloseOverlay),
            _ => None,
        },
        Overlay::Help { .. } => Some(match key {
            Some(Key::Up) => Action::ScrollHelp(-1),
            Some(Key::Down) => Action::ScrollHelp(1),
            Some(Key::PageUp) => Action::ScrollHelp(-10),
            Some(Key::PageDown) => Action::ScrollHelp(10),
            _ => Action::CloseOverlay,
        }),
        Overlay::Inspector(_) => Some(match key {
            Some(Key::Up | Key::Char('k')) => Action::InspectorScroll(-1),
            Some(Key::Down | Key::Char('j')) => Action::InspectorScroll(1),
            Some(Key::PageUp) => Action::InspectorScroll(-10),
            Some(Key::PageDown | Key::Char(' ')) => Action::InspectorScroll(10),
            Some(Key::Char('y')) => Action::ResultsCopy(crate::app::action::CopyScope::Cell),
            _ => Action::CloseOverlay,
        }),
        Overlay::Plan(_) => {
            use crate::app::plan_view::PlanKey;
            Some(Action::PlanKey(match key {
                Some(Key::Up | Key::Char('k')) => PlanKey::Move(-1),
                Some(Key::Down | Key::Char('j')) => PlanKey::Move(1),
                Some(Key::PageUp) => PlanKey::Move(-10),
                Some(Key::PageDown) => PlanKey::Move(10),
                Some(Key::Left | Key::Char('h')) => PlanKey::Fold,
                Some(Key::Right | Key::Char('l')) => PlanKey::Unfold,
                Some(Key::Enter) => PlanKey::ToggleMetrics,
                _ => return Some(Action::CloseOverlay),
            }))
        }
        Overlay::Doctor(view) => doctor_key(key, view.confirming.is_some()),
        // Any other key closes these (a comparison still running is cancelled).
        Overlay::Ledger(_) | Overlay::Comparison(_) => Some(Action::CloseOverlay),
    }
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
        KeyCode::Esc => Action::CloseOverlay,
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

/// Keys in the doctor overlay; while a fix waits for its yes, only `y` agrees.
fn doctor_key(key: Option<Key>, confirming: bool) -> Option<Action> {
    use crate::app::doctor_view::{DoctorKey, DoctorMessage};
    let doctor = |key| Some(Action::Doctor(DoctorMessage::Key(key)));
    if confirming {
        return doctor(DoctorKey::Confirm(matches!(key, Some(Key::Char('y')))));
    }
    match key {
        Some(Key::Up | Key::Char('k')) => doctor(DoctorKey::Move(-1)),
        Some(Key::Down | Key::Char('j')) => doctor(DoctorKey::Move(1)),
        Some(Key::PageUp) => doctor(DoctorKey::Move(-10)),
        Some(Key::PageDown) => doctor(DoctorKey::Move(10)),
        Some(Key::Char('a')) => doctor(DoctorKey::Apply),
        Some(Key::Char('e')) => doctor(DoctorKey::Edit),
        Some(Key::Char('r')) => doctor(DoctorKey::Again),
        _ => Some(Action::CloseOverlay),
    }
}
