//! The one-line prompt at the bottom of the screen: keys edit its text, Enter hands the text
//! to what asked for it.

use super::action::{Effect, TextEdit};
use super::overlay::{Overlay, PromptKind};
use super::state::AppState;
use super::{editor_tools, files, grid_actions, hints, vim};

/// A key for the open prompt; Enter acts on its text.
pub(super) fn prompt_input(state: &mut AppState, edit: TextEdit) -> Vec<Effect> {
    let Some(Overlay::Prompt(prompt)) = &mut state.overlay else {
        return Vec::new();
    };
    match edit {
        TextEdit::Push(_) | TextEdit::Pop => edit.apply_to(&mut prompt.text),
        TextEdit::Abort => {
            if prompt.kind == PromptKind::Parameter {
                super::parameters::abandoned(state);
            }
            return state.close_overlay();
        }
        TextEdit::Finish => {
            let Some(Overlay::Prompt(prompt)) = state.overlay.take() else {
                return Vec::new();
            };
            let path = crate::text::expand_home(prompt.text.trim());
            return match prompt.kind {
                PromptKind::Export => grid_actions::start_export(state, path),
                PromptKind::SaveBuffer => files::save_as(state, path),
                PromptKind::NamedQuery => files::save_named_query(state, prompt.text.trim()),
                PromptKind::DateRange(target) => {
                    hints::date_range_entered(state, target, &prompt.text);
                    Vec::new()
                }
                PromptKind::Search => {
                    editor_tools::search(state, &prompt.text);
                    Vec::new()
                }
                PromptKind::ExCommand => vim::ex_command(state, &prompt.text),
                PromptKind::Parameter => super::parameters::entered(state, &prompt.text),
                PromptKind::KeepAs => super::keep::entered(state, &prompt.text),
                PromptKind::ConfirmCopy => super::keep::copy_confirmed(state),
            };
        }
    }
    Vec::new()
}
