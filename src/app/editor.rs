//! Editor buffers: ratatui-textarea's text model (cursor, selection, undo/redo, search) per tab.
//! This is the one place `app/` uses a UI crate's type, because the editing model is that crate.

use ratatui_textarea::{CursorMove, TextArea};

use crate::sql::statements::{self, Position, Statement};

/// One editor tab.
#[derive(Debug, Clone)]
pub struct Buffer {
    pub title: String,
    /// The file this buffer was opened from or saved to.
    pub path: Option<std::path::PathBuf>,
    /// The text as last read from or written to `path`; differs from the text when modified.
    pub saved_text: Option<String>,
    pub textarea: TextArea<'static>,
    /// First line drawn; view memory kept by the drawing code so scrolling is stable.
    pub view_top: std::cell::Cell<usize>,
    /// First column drawn.
    pub view_left: std::cell::Cell<usize>,
    /// Edits made of several text-model steps (replace = delete + insert), so one undo takes
    /// back all of them.
    compounds: Vec<Compound>,
    /// Vim's visual selection (start, exclusive end), which the text model does not hold.
    pub visual: Option<((usize, usize), (usize, usize))>,
}

/// The text before and after a compound edit.
#[derive(Debug, Clone)]
struct Compound {
    before: String,
    after: String,
}

/// Compound edits remembered for undo.
const MAX_COMPOUNDS: usize = 100;

impl Buffer {
    /// A buffer holding `text`.
    pub fn new(title: impl Into<String>, text: &str) -> Self {
        let mut textarea = TextArea::new(text.lines().map(str::to_owned).collect());
        textarea.set_max_histories(500);
        textarea.set_tab_length(4);
        Self {
            title: title.into(),
            path: None,
            saved_text: None,
            textarea,
            view_top: 0.into(),
            view_left: 0.into(),
            compounds: Vec::new(),
            visual: None,
        }
    }

    /// A buffer for a file's text.
    pub fn from_file(path: std::path::PathBuf, text: &str) -> Self {
        let title = path
            .file_stem()
            .map_or_else(|| "query".to_owned(), |s| s.to_string_lossy().into_owned());
        let mut buffer = Self::new(title, text);
        buffer.saved_text = Some(buffer.text_for_file());
        buffer.path = Some(path);
        buffer
    }

    /// The text as written to a file: lines joined, ending with a newline.
    pub fn text_for_file(&self) -> String {
        let mut text = self.text();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text
    }

    /// True when a file-backed buffer has changes not yet saved.
    pub fn modified(&self) -> bool {
        self.path.is_some() && self.saved_text.as_deref() != Some(self.text_for_file().as_str())
    }

    /// The whole text.
    pub fn text(&self) -> String {
        self.textarea.lines().join("\n")
    }

    /// The 1-based cursor position.
    pub fn cursor(&self) -> Position {
        let ratatui_textarea::DataCursor(row, column) = self.textarea.cursor();
        Position {
            line: row as u64 + 1,
            column: column as u64 + 1,
        }
    }

    /// The selection (vim's visual one, or the text model's), as (start, exclusive end).
    pub fn selection(&self) -> Option<((usize, usize), (usize, usize))> {
        self.visual.or_else(|| self.textarea.selection_range())
    }

    /// The selection if there is one, else the statement under the cursor.
    pub fn statement_to_run(&self) -> Option<Statement> {
        if let Some(((r1, c1), (r2, c2))) = self.selection() {
            let lines = self.textarea.lines();
            let mut text = String::new();
            for (row, line) in lines.iter().enumerate().take(r2 + 1).skip(r1) {
                let chars: Vec<char> = line.chars().collect();
                let from = if row == r1 { c1.min(chars.len()) } else { 0 };
                let to = if row == r2 {
                    c2.min(chars.len())
                } else {
                    chars.len()
                };
                if row > r1 {
                    text.push('\n');
                }
                text.extend(&chars[from..to.max(from)]);
            }
            let start = Position {
                line: r1 as u64 + 1,
                column: c1 as u64 + 1,
            };
            return statements::split(&text)
                .into_iter()
                .next()
                .map(|s| Statement {
                    start: Statement {
                        sql: String::new(),
                        start,
                    }
                    .to_buffer(s.start),
                    sql: s.sql,
                });
        }
        statements::at_cursor(&self.text(), self.cursor())
    }

    /// Replaces the text from `start` to `end` (1-based, end exclusive) as one undoable edit.
    pub fn replace_range(&mut self, start: Position, end: Position, text: &str) {
        self.compound(|buffer| {
            buffer.textarea.cancel_selection();
            buffer.move_cursor_to(start);
            buffer.textarea.start_selection();
            buffer.move_cursor_to(end);
            buffer.textarea.insert_str(text);
        });
    }

    /// Records that the text went from `before` to what it is now in one change (vim's
    /// commands, an insert session), so one undo takes all of it back.
    pub fn note_change(&mut self, before: String) {
        let after = self.text();
        if before != after {
            if self.compounds.len() == MAX_COMPOUNDS {
                self.compounds.remove(0);
            }
            self.compounds.push(Compound { before, after });
        }
    }

    /// Runs several edits that one undo (and one redo) should treat as one.
    pub fn compound(&mut self, edits: impl FnOnce(&mut Self)) {
        let before = self.text();
        edits(self);
        self.note_change(before);
    }

    /// Undoes the last edit, all steps of a compound one at once.
    pub fn undo(&mut self) {
        self.history_step(true);
    }

    /// Redoes the last undone edit, all steps of a compound at once.
    pub fn redo(&mut self) {
        self.history_step(false);
    }

    /// One undo (`back`) or redo. When the text is one end of a compound edit, steps repeat
    /// until it reaches the other end.
    fn history_step(&mut self, back: bool) {
        let now = self.text();
        let target = self
            .compounds
            .iter()
            .rev()
            .find(|c| {
                if back {
                    c.after == now
                } else {
                    c.before == now
                }
            })
            .map(|c| {
                if back {
                    c.before.clone()
                } else {
                    c.after.clone()
                }
            });
        // Bounded: a compound is a handful of steps; the cap guards a history cut short.
        for _ in 0..1_000 {
            let moved = if back {
                self.textarea.undo()
            } else {
                self.textarea.redo()
            };
            if !moved || target.as_ref().is_none_or(|t| self.text() == *t) {
                break;
            }
        }
    }

    /// Moves the cursor to a 1-based position (clamped to the text).
    pub fn move_cursor_to(&mut self, position: Position) {
        let row = position.line.saturating_sub(1).min(u64::from(u16::MAX)) as u16;
        let column = position.column.saturating_sub(1).min(u64::from(u16::MAX)) as u16;
        self.textarea.move_cursor(CursorMove::Jump(row, column));
    }
}

/// The editor's tabs.
#[derive(Debug, Clone)]
pub struct Editor {
    pub buffers: Vec<Buffer>,
    pub active: usize,
    /// Vim mode's state, when `[editor] mode = "vim"`.
    pub vim: Option<super::vim::Vim>,
}

impl Editor {
    /// An editor with one buffer.
    pub fn new(first: Buffer) -> Self {
        Self {
            buffers: vec![first],
            active: 0,
            vim: None,
        }
    }

    /// The focused buffer.
    pub fn buffer(&self) -> &Buffer {
        &self.buffers[self.active]
    }

    /// The focused buffer, mutably.
    pub fn buffer_mut(&mut self) -> &mut Buffer {
        &mut self.buffers[self.active]
    }

    /// Opens a new tab and focuses it.
    pub fn open(&mut self, buffer: Buffer) {
        self.buffers.push(buffer);
        self.active = self.buffers.len() - 1;
        self.leave_visual();
    }

    /// Focuses the next (+1) or previous (-1) tab, wrapping around.
    pub fn cycle(&mut self, step: isize) {
        let n = self.buffers.len() as isize;
        self.active = (self.active as isize + step).rem_euclid(n) as usize;
        self.leave_visual();
    }

    /// Back to vim's normal mode from visual mode (another tab, a new buffer).
    pub fn leave_visual(&mut self) {
        if let Some(vim) = self.vim.as_mut() {
            vim.reset();
        }
        for buffer in &mut self.buffers {
            buffer.visual = None;
        }
    }
}
