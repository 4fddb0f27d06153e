//! Vim mode for the editor (`[editor] mode = "vim"`): normal, insert, visual and visual-line
//! modes over the same text model (ratatui-textarea) the default editor uses, so undo, the
//! search, completion and running a statement work the same in both.
//!
//! Normal-mode keys collect in `pending` until they make a command (`2d3w`, `ci(`, `f,`); the
//! grammar is in [`command`]. A change's keys (and the text typed after it) are kept for `.`,
//! and the whole change is one undo step, as in vim.

mod command;
mod edit;
pub mod motion;
#[cfg(test)]
mod tests;

use ratatui_textarea::{Input, Key};

use self::command::Parsed;
use self::motion::{Pos, Text};
use super::action::Effect;
use super::state::AppState;

/// The editing mode, shown in the status bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Normal,
    Insert,
    Visual,
    VisualLine,
}

impl Mode {
    /// The status bar's name for it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Normal => "NORMAL",
            Self::Insert => "INSERT",
            Self::Visual => "VISUAL",
            Self::VisualLine => "V-LINE",
        }
    }
}

/// What `y`, `d` and `c` last took, for `p` and `P`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Register {
    text: String,
    /// Whole lines (`yy`, `dj`, `V…y`): pasted below or above the cursor's line.
    linewise: bool,
}

/// The vim state of the editor (shared by its tabs).
#[derive(Debug, Clone, Default)]
pub struct Vim {
    pub mode: Mode,
    /// Normal-mode keys of a command not complete yet.
    pending: Vec<Input>,
    register: Register,
    /// The last `f`/`t`/`F`/`T`: target, forward, till; for `;` and `,`.
    last_find: Option<(char, bool, bool)>,
    /// The column `j` and `k` aim for (vim's "curswant").
    want_col: Option<usize>,
    /// Where visual mode started.
    anchor: Pos,
    /// The keys of the change being made, while it is being made.
    recording: Option<Vec<Input>>,
    /// The keys of the last complete change, for `.`.
    last_change: Vec<Input>,
    /// The text before the change being made: the change becomes one undo step.
    change_before: Option<String>,
    /// True while `.` replays a change, which must not record itself.
    replaying: bool,
}

impl Vim {
    /// Vim in normal mode with nothing pending (kept: the register, `.` and the last find).
    pub fn reset(&mut self) {
        if self.mode != Mode::Insert {
            self.mode = Mode::Normal;
        }
        self.pending.clear();
    }

    /// The keys typed of an incomplete command, for the status bar (`2d`, `ci`).
    pub fn pending_text(&self) -> String {
        self.pending.iter().map(key_text).collect()
    }

    /// Whether vim takes this key before the key bindings: in normal and visual modes every
    /// key but the function keys and the Ctrl/Alt chords vim has no use for (so F5, Ctrl-Enter
    /// and Alt-2 still work); Esc while there is something to leave; in insert mode, nothing
    /// the bindings want.
    pub fn claims(&self, input: &Input) -> bool {
        let leaving = self.mode != Mode::Normal || !self.pending.is_empty();
        match input.key {
            Key::Esc => leaving,
            Key::F(_) | Key::Tab | Key::Null => false,
            _ if self.mode == Mode::Insert => false,
            Key::Char('r') if input.ctrl => true,
            Key::Enter if input.ctrl => false,
            _ => !input.ctrl && !input.alt,
        }
    }

    /// The visual selection as the editor draws it: start and end (exclusive), or `None`.
    pub fn selection(&self, text: &Text, cursor: Pos) -> Option<(Pos, Pos)> {
        let (start, end) = (self.anchor.min(cursor), self.anchor.max(cursor));
        match self.mode {
            Mode::Visual => Some((
                start,
                Pos::new(end.row, (end.col + 1).min(text.len(end.row))),
            )),
            Mode::VisualLine => {
                Some((Pos::new(start.row, 0), Pos::new(end.row, text.len(end.row))))
            }
            Mode::Normal | Mode::Insert => None,
        }
    }
}

fn key_text(input: &Input) -> String {
    match input.key {
        Key::Char(c) if input.ctrl => format!("^{}", c.to_ascii_uppercase()),
        Key::Char(c) => c.to_string(),
        _ => String::new(),
    }
}

/// A key for the editor in vim mode: the whole of vim's side of `update`.
pub fn input(state: &mut AppState, input: Input) -> Vec<Effect> {
    let Some(vim) = state.editor.vim.as_mut() else {
        return Vec::new();
    };
    if let Some(keys) = vim.recording.as_mut() {
        keys.push(input.clone());
    }
    let effects = match vim.mode {
        Mode::Insert => insert_key(state, input),
        Mode::Normal | Mode::Visual | Mode::VisualLine => normal_key(state, input),
    };
    show_selection(state);
    effects
}

/// Hands the visual selection to the buffer, which draws it and runs it on F5.
fn show_selection(state: &mut AppState) {
    let Some(vim) = &state.editor.vim else {
        return;
    };
    let buffer = &state.editor.buffers[state.editor.active];
    // Typing in insert mode must not copy the buffer at every key: only visual modes select.
    if matches!(vim.mode, Mode::Normal | Mode::Insert) {
        if buffer.visual.is_some() {
            state.editor.buffers[state.editor.active].visual = None;
        }
        return;
    }
    let (row, col) = cursor(buffer);
    let text = Text::new(buffer.textarea.lines());
    let selection = vim
        .selection(&text, Pos::new(row, col))
        .map(|(s, e)| ((s.row, s.col), (e.row, e.col)));
    state.editor.buffers[state.editor.active].visual = selection;
}

/// Insert mode: Esc goes back to normal mode (the cursor steps back onto the last character
/// typed, as in vim); every other key edits as the default editor does.
fn insert_key(state: &mut AppState, input: Input) -> Vec<Effect> {
    if input.key != Key::Esc {
        let refreshes = matches!(input.key, Key::Char(_)) && !input.ctrl && !input.alt;
        state.editor.buffer_mut().textarea.input(input);
        return if refreshes {
            super::completion::refresh(state, false)
        } else {
            state.completion = None;
            Vec::new()
        };
    }
    state.completion = None;
    let buffer = state.editor.buffer_mut();
    let (row, col) = cursor(buffer);
    if col > 0 {
        jump(buffer, Pos::new(row, col - 1));
    }
    finish_change(state);
    Vec::new()
}

/// Normal and visual modes: collect keys until they make a command, then run it.
fn normal_key(state: &mut AppState, input: Input) -> Vec<Effect> {
    let Some(vim) = state.editor.vim.as_mut() else {
        return Vec::new();
    };
    if input.key == Key::Esc {
        vim.pending.clear();
        if matches!(vim.mode, Mode::Visual | Mode::VisualLine) {
            vim.mode = Mode::Normal;
        }
        vim.recording = None;
        return Vec::new();
    }
    vim.pending.push(input);
    let visual = matches!(vim.mode, Mode::Visual | Mode::VisualLine);
    match command::parse(&vim.pending, visual) {
        Parsed::Incomplete => Vec::new(),
        Parsed::Invalid => {
            vim.pending.clear();
            Vec::new()
        }
        Parsed::Complete(command) => {
            let keys = std::mem::take(&mut vim.pending);
            if command.changes_text() && !visual && !vim.replaying {
                vim.recording = Some(keys);
            }
            if command.changes_text() && vim.change_before.is_none() {
                vim.change_before = Some(state.editor.buffers[state.editor.active].text());
            }
            let effects = edit::run(state, command);
            if let Some(vim) = state.editor.vim.as_ref()
                && vim.mode != Mode::Insert
            {
                finish_change(state);
            }
            effects
        }
    }
}

/// A change is over (back in normal mode): one undo step for all of it, its keys kept for `.`.
fn finish_change(state: &mut AppState) {
    let Some(vim) = state.editor.vim.as_mut() else {
        return;
    };
    vim.mode = match vim.mode {
        Mode::Insert => Mode::Normal,
        other => other,
    };
    if let Some(keys) = vim.recording.take() {
        vim.last_change = keys;
    }
    if let Some(before) = vim.change_before.take() {
        state.editor.buffer_mut().note_change(before);
    }
    clamp_cursor(state);
}

/// Normal mode never rests past a line's last character.
fn clamp_cursor(state: &mut AppState) {
    let Some(vim) = &state.editor.vim else {
        return;
    };
    if vim.mode == Mode::Insert {
        return;
    }
    let buffer = state.editor.buffer_mut();
    let (row, col) = cursor(buffer);
    let len = buffer.textarea.lines()[row].chars().count();
    if len > 0 && col >= len {
        jump(buffer, Pos::new(row, len - 1));
    }
}

/// The cursor as (line, character).
fn cursor(buffer: &super::editor::Buffer) -> (usize, usize) {
    let ratatui_textarea::DataCursor(row, col) = buffer.textarea.cursor();
    (row, col)
}

fn jump(buffer: &mut super::editor::Buffer, to: Pos) {
    let clamp = |n: usize| n.min(usize::from(u16::MAX)) as u16;
    buffer
        .textarea
        .move_cursor(ratatui_textarea::CursorMove::Jump(
            clamp(to.row),
            clamp(to.col),
        ));
}

/// `:` commands: `w` saves (as Ctrl-S), `q` quits, `wq` and `x` both, a number goes to that
/// line.
pub fn ex_command(state: &mut AppState, line: &str) -> Vec<Effect> {
    let command = line.trim().trim_start_matches(':');
    if let Ok(number) = command.parse::<usize>() {
        let buffer = state.editor.buffer_mut();
        let last = buffer.textarea.lines().len().saturating_sub(1);
        let row = number.saturating_sub(1).min(last);
        let text = Text::new(buffer.textarea.lines());
        jump(buffer, text.first_non_blank(row));
        return Vec::new();
    }
    match command {
        "w" => super::update(state, super::Action::SaveBuffer),
        "q" | "q!" | "qa" | "qa!" => super::update(state, super::Action::Quit),
        "wq" | "x" => {
            let mut effects = super::update(state, super::Action::SaveBuffer);
            effects.extend(super::update(state, super::Action::Quit));
            effects
        }
        "" => Vec::new(),
        other => {
            state.notice = Some(format!(
                "not an editor command: {}",
                crate::text::escape_control(other)
            ));
            Vec::new()
        }
    }
}

/// Opens the `:` line.
fn open_ex_line(state: &mut AppState) -> Vec<Effect> {
    state.open_overlay(super::overlay::Overlay::Prompt(super::overlay::Prompt {
        kind: super::overlay::PromptKind::ExCommand,
        label: ":".to_owned(),
        text: String::new(),
    }))
}
