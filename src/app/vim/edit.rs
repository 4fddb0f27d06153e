//! What normal and visual commands do to the buffer: where motions land, operators over
//! ranges and lines, putting, joining, and `.`.

use ratatui_textarea::{Input, Key};

use super::command::{Command, Motion, Target};
use super::motion::{Pos, Span, Text};
use super::{Mode, Register, Vim, cursor, jump, open_ex_line};
use crate::app::action::Effect;
use crate::app::editor::Buffer;
use crate::app::state::AppState;

/// Where `motion` lands from `from`, and how an operator spans to it; `None` when it cannot
/// move (a failed `f`, `h` at the start of a line).
fn land(
    vim: &mut Vim,
    text: &Text,
    from: Pos,
    motion: Motion,
    count: Option<usize>,
) -> Option<(Pos, Span)> {
    let times = count.unwrap_or(1);
    let repeat = |step: &dyn Fn(Pos) -> Pos| (0..times).fold(from, |p, _| step(p));
    if !matches!(motion, Motion::Up | Motion::Down) {
        vim.want_col = None;
    }
    let vertical = |vim: &mut Vim, row: usize| {
        let want = *vim.want_col.get_or_insert(from.col);
        Pos::new(row, want.min(text.last_col(row)))
    };
    Some(match motion {
        Motion::Left if from.col == 0 => return None,
        Motion::Left => (
            Pos::new(from.row, from.col.saturating_sub(times)),
            Span::Exclusive,
        ),
        Motion::Right => (
            Pos::new(from.row, (from.col + times).min(text.len(from.row))),
            Span::Exclusive,
        ),
        Motion::Up if from.row == 0 => return None,
        Motion::Up => (
            vertical(vim, from.row.saturating_sub(times)),
            Span::Linewise,
        ),
        Motion::Down if from.row + 1 >= text.rows() => return None,
        Motion::Down => (
            vertical(vim, (from.row + times).min(text.rows() - 1)),
            Span::Linewise,
        ),
        Motion::WordForward(big) => (repeat(&|p| text.word_forward(p, big)), Span::Exclusive),
        Motion::WordEnd(big) => (repeat(&|p| text.word_end(p, big)), Span::Inclusive),
        Motion::WordBack(big) => (repeat(&|p| text.word_backward(p, big)), Span::Exclusive),
        Motion::LineStart => (Pos::new(from.row, 0), Span::Exclusive),
        Motion::FirstNonBlank => (text.first_non_blank(from.row), Span::Exclusive),
        Motion::LineEnd => {
            let row = (from.row + times - 1).min(text.rows() - 1);
            (Pos::new(row, text.last_col(row)), Span::Inclusive)
        }
        Motion::FirstLine | Motion::LastLine => {
            let last = text.rows() - 1;
            let row = match (motion, count) {
                (_, Some(n)) => (n - 1).min(last),
                (Motion::FirstLine, None) => 0,
                _ => last,
            };
            (text.first_non_blank(row), Span::Linewise)
        }
        Motion::Find {
            target,
            forward,
            till,
        } => {
            vim.last_find = Some((target, forward, till));
            find(text, from, target, forward, till, times)?
        }
        Motion::RepeatFind { reverse } => {
            let (target, forward, till) = vim.last_find?;
            let forward = forward != reverse;
            // `;` after `t` looks past the character it stopped before.
            let from = match (till, forward) {
                (true, true) => Pos::new(from.row, from.col + 1),
                (true, false) => Pos::new(from.row, from.col.saturating_sub(1)),
                _ => from,
            };
            find(text, from, target, forward, till, times)?
        }
        Motion::Bracket => (text.matching_bracket(from)?, Span::Inclusive),
    })
}

fn find(
    text: &Text,
    from: Pos,
    target: char,
    forward: bool,
    till: bool,
    times: usize,
) -> Option<(Pos, Span)> {
    let mut p = from;
    for _ in 0..times {
        p = text.find(p, target, forward, till)?;
    }
    Some((
        p,
        if forward {
            Span::Inclusive
        } else {
            Span::Exclusive
        },
    ))
}

/// Runs a command.
pub fn run(state: &mut AppState, command: Command) -> Vec<Effect> {
    let buffer = state.editor.buffer_mut();
    let text = Text::new(buffer.textarea.lines());
    let (row, col) = cursor(buffer);
    let here = Pos::new(row, col);
    let Some(vim) = state.editor.vim.as_mut() else {
        return Vec::new();
    };
    let buffer = &mut state.editor.buffers[state.editor.active];
    match command {
        Command::Move(motion, count) => {
            if let Some((to, _)) = land(vim, &text, here, motion, count) {
                jump(buffer, to);
            }
            Vec::new()
        }
        Command::Operate { op, target, count } => {
            operate(vim, buffer, &text, here, op, target, count)
        }
        Command::OnSelection(op) => {
            let linewise = vim.mode == Mode::VisualLine;
            let (start, end) = vim.selection(&text, here).unwrap_or((here, here));
            vim.mode = Mode::Normal;
            if linewise {
                apply_lines(vim, buffer, &text, op, start.row, end.row)
            } else {
                apply(vim, buffer, &text, op, start, end)
            }
        }
        Command::Visual { linewise } => {
            let wanted = if linewise {
                Mode::VisualLine
            } else {
                Mode::Visual
            };
            if vim.mode == wanted {
                vim.mode = Mode::Normal;
            } else {
                if vim.mode == Mode::Normal {
                    vim.anchor = here;
                }
                vim.mode = wanted;
            }
            Vec::new()
        }
        Command::SwapAnchor => {
            let anchor = std::mem::replace(&mut vim.anchor, here);
            jump(buffer, anchor);
            Vec::new()
        }
        Command::Put { before, count } => {
            put(buffer, &text, here, &vim.register, before, count);
            Vec::new()
        }
        Command::Undo(times) | Command::Redo(times) => {
            let before = buffer.text();
            for _ in 0..times {
                if matches!(command, Command::Undo(_)) {
                    buffer.undo();
                } else {
                    buffer.redo();
                }
            }
            // As in vim, the cursor goes where the text changed.
            if let Some(at) = first_difference(&before, &buffer.text()) {
                jump(buffer, at);
            }
            Vec::new()
        }
        Command::Repeat(count) => repeat(state, count),
        Command::Replace { with, count } => {
            if col + count <= text.len(row) {
                delete(buffer, here, Pos::new(row, col + count));
                buffer.textarea.insert_str(with.to_string().repeat(count));
                jump(buffer, Pos::new(row, col + count - 1));
            }
            Vec::new()
        }
        Command::Insert(kind) => {
            vim.mode = Mode::Insert;
            match kind {
                'a' => jump(buffer, Pos::new(row, (col + 1).min(text.len(row)))),
                'I' => jump(buffer, text.first_non_blank(row)),
                'A' => jump(buffer, Pos::new(row, text.len(row))),
                'o' => {
                    jump(buffer, Pos::new(row, text.len(row)));
                    buffer.textarea.insert_newline();
                }
                'O' => {
                    jump(buffer, Pos::new(row, 0));
                    buffer.textarea.insert_newline();
                    jump(buffer, Pos::new(row, 0));
                }
                _ => {}
            }
            Vec::new()
        }
        Command::ToggleCase(count) => {
            let end = (col + count).min(text.len(row));
            let toggled: String = buffer.textarea.lines()[row]
                .chars()
                .skip(col)
                .take(end - col)
                .map(|c| {
                    if c.is_uppercase() {
                        c.to_lowercase().collect::<String>()
                    } else {
                        c.to_uppercase().collect()
                    }
                })
                .collect();
            delete(buffer, here, Pos::new(row, end));
            buffer.textarea.insert_str(toggled);
            Vec::new()
        }
        Command::Join(count) => {
            for _ in 0..count.max(2) - 1 {
                join(buffer);
            }
            Vec::new()
        }
        Command::Search => crate::app::editor_tools::start_search(state),
        Command::SearchAgain(forward) => {
            crate::app::editor_tools::search_again(state, forward);
            Vec::new()
        }
        Command::Ex => open_ex_line(state),
    }
}

/// An operator with a motion, an object or `dd`-style lines.
fn operate(
    vim: &mut Vim,
    buffer: &mut Buffer,
    text: &Text,
    here: Pos,
    op: char,
    target: Target,
    count: Option<usize>,
) -> Vec<Effect> {
    let times = count.unwrap_or(1);
    match target {
        Target::Lines => {
            let last = (here.row + times - 1).min(text.rows() - 1);
            apply_lines(vim, buffer, text, op, here.row, last)
        }
        Target::Object { around, kind } => {
            if kind == 'p' {
                let (start, end) = text.paragraph_object(here.row, around);
                return apply_lines(vim, buffer, text, op, start, end);
            }
            let range = match kind {
                'w' | 'W' => text.word_object(here, around),
                '"' | '\'' | '`' => text.quote_object(here, kind, around),
                '(' | ')' | 'b' => text.bracket_object(here, '(', around),
                '[' | ']' => text.bracket_object(here, '[', around),
                _ => text.bracket_object(here, '{', around),
            };
            match range {
                // `di(` around whole lines takes the lines, as vim does.
                Some((start, end))
                    if !around
                        && "()b[]{}B".contains(kind)
                        && start.col == 0
                        && start.row > 0
                        && end.col + 1 >= text.len(end.row)
                        && end.row + 1 < text.rows()
                        && text.first_non_blank(end.row + 1).col == 0 =>
                {
                    apply_lines(vim, buffer, text, op, start.row, end.row)
                }
                Some((start, end)) => {
                    let end = Pos::new(end.row, end.col + 1);
                    apply(vim, buffer, text, op, start, end)
                }
                None => Vec::new(),
            }
        }
        Target::Motion(motion) => {
            // `cw` on a word changes to its end, as `ce` does (vim's own exception).
            let motion = match motion {
                Motion::WordForward(big)
                    if op == 'c'
                        && text
                            .chars(here.row)
                            .get(here.col)
                            .is_some_and(|c| !c.is_whitespace()) =>
                {
                    Motion::WordEnd(big)
                }
                other => other,
            };
            let Some((to, span)) = land(vim, text, here, motion, count) else {
                return Vec::new();
            };
            match span {
                Span::Linewise => apply_lines(
                    vim,
                    buffer,
                    text,
                    op,
                    here.row.min(to.row),
                    here.row.max(to.row),
                ),
                _ => {
                    let (start, mut end) = (here.min(to), here.max(to));
                    if span == Span::Inclusive {
                        end.col = (end.col + 1).min(text.len(end.row));
                    } else if matches!(motion, Motion::WordForward(_)) && end.row > here.row {
                        // `dw` on a line's last word stops at the line's end.
                        end = Pos::new(here.row, text.len(here.row));
                    }
                    apply(vim, buffer, text, op, start, end)
                }
            }
        }
    }
}

/// `op` on the characters from `start` to `end` (exclusive).
fn apply(
    vim: &mut Vim,
    buffer: &mut Buffer,
    text: &Text,
    op: char,
    start: Pos,
    end: Pos,
) -> Vec<Effect> {
    let taken = text.slice(start, end);
    let mut effects = Vec::new();
    match op {
        'y' => {
            effects.push(yank(vim, taken, false));
            jump(buffer, start);
        }
        '~' => {
            let toggled: String = taken
                .chars()
                .map(|c| {
                    if c.is_uppercase() {
                        c.to_ascii_lowercase()
                    } else {
                        c.to_ascii_uppercase()
                    }
                })
                .collect();
            delete(buffer, start, end);
            buffer.textarea.insert_str(toggled);
            jump(buffer, start);
        }
        _ => {
            vim.register = Register {
                text: taken,
                linewise: false,
            };
            delete(buffer, start, end);
            if op == 'c' {
                vim.mode = Mode::Insert;
            }
        }
    }
    effects
}

/// `op` on lines `first..=last`.
fn apply_lines(
    vim: &mut Vim,
    buffer: &mut Buffer,
    text: &Text,
    op: char,
    first: usize,
    last: usize,
) -> Vec<Effect> {
    let lines: Vec<String> = buffer.textarea.lines()[first..=last].to_vec();
    let taken = format!("{}\n", lines.join("\n"));
    match op {
        'y' => {
            let col = cursor(buffer).1;
            jump(buffer, Pos::new(first, col.min(text.last_col(first))));
            return vec![yank(vim, taken, true)];
        }
        'c' => {
            vim.register = Register {
                text: taken,
                linewise: true,
            };
            delete(buffer, Pos::new(first, 0), Pos::new(last, text.len(last)));
            vim.mode = Mode::Insert;
        }
        '~' => {
            let end = Pos::new(last, text.len(last));
            return apply(vim, buffer, text, '~', Pos::new(first, 0), end);
        }
        _ => {
            vim.register = Register {
                text: taken,
                linewise: true,
            };
            if last + 1 < text.rows() {
                delete(buffer, Pos::new(first, 0), Pos::new(last + 1, 0));
            } else if first > 0 {
                delete(
                    buffer,
                    Pos::new(first - 1, text.len(first - 1)),
                    Pos::new(last, text.len(last)),
                );
            } else {
                delete(buffer, Pos::new(0, 0), Pos::new(last, text.len(last)));
            }
            let after = Text::new(buffer.textarea.lines());
            jump(buffer, after.first_non_blank(first.min(after.rows() - 1)));
        }
    }
    Vec::new()
}

/// Keeps yanked text for `p` and puts it on the system clipboard (OSC 52).
fn yank(vim: &mut Vim, text: String, linewise: bool) -> Effect {
    let what = if linewise {
        let lines = text.lines().count();
        format!("{lines} line{} (yank)", if lines == 1 { "" } else { "s" })
    } else {
        let chars = text.chars().count();
        format!(
            "{chars} character{} (yank)",
            if chars == 1 { "" } else { "s" }
        )
    };
    vim.register = Register {
        text: text.clone(),
        linewise,
    };
    Effect::Copy { text, what }
}

/// Deletes from `start` to `end` (exclusive) through the text model, so undo restores it.
fn delete(buffer: &mut Buffer, start: Pos, end: Pos) {
    buffer.textarea.cancel_selection();
    if start == end {
        jump(buffer, start);
        return;
    }
    jump(buffer, start);
    buffer.textarea.start_selection();
    jump(buffer, end);
    buffer.textarea.cut();
    jump(buffer, start);
}

/// Where two texts first differ.
fn first_difference(a: &str, b: &str) -> Option<Pos> {
    let mut at = Pos::default();
    let (mut a, mut b) = (a.chars(), b.chars());
    loop {
        match (a.next(), b.next()) {
            (None, None) => return None,
            (x, y) if x != y => return Some(at),
            (Some('\n'), _) => at = Pos::new(at.row + 1, 0),
            _ => at.col += 1,
        }
    }
}

/// `p` (after) and `P` (before): lines below or above, characters after or at the cursor.
fn put(
    buffer: &mut Buffer,
    text: &Text,
    here: Pos,
    register: &Register,
    before: bool,
    count: usize,
) {
    if register.text.is_empty() {
        return;
    }
    let pasted = register.text.repeat(count);
    if register.linewise {
        let row = if before {
            jump(buffer, Pos::new(here.row, 0));
            buffer.textarea.insert_str(&pasted);
            here.row
        } else if here.row + 1 < text.rows() {
            jump(buffer, Pos::new(here.row + 1, 0));
            buffer.textarea.insert_str(&pasted);
            here.row + 1
        } else {
            jump(buffer, Pos::new(here.row, text.len(here.row)));
            buffer
                .textarea
                .insert_str(format!("\n{}", pasted.trim_end_matches('\n')));
            here.row + 1
        };
        let after = Text::new(buffer.textarea.lines());
        jump(buffer, after.first_non_blank(row));
    } else {
        let at = if before || text.len(here.row) == 0 {
            here.col
        } else {
            here.col + 1
        };
        jump(buffer, Pos::new(here.row, at));
        buffer.textarea.insert_str(&pasted);
        let (row, col) = cursor(buffer);
        jump(buffer, Pos::new(row, col.saturating_sub(1)));
    }
}

/// `J`: the next line joined to this one with one space.
fn join(buffer: &mut Buffer) {
    let text = Text::new(buffer.textarea.lines());
    let row = cursor(buffer).0;
    if row + 1 >= text.rows() {
        return;
    }
    let next = text.first_non_blank(row + 1);
    let next_blank = next.col >= text.len(row + 1);
    let at = Pos::new(row, text.len(row));
    delete(
        buffer,
        at,
        if next_blank {
            Pos::new(row + 1, text.len(row + 1))
        } else {
            next
        },
    );
    if text.len(row) > 0 && !next_blank && text.chars(row + 1).get(next.col) != Some(&')') {
        buffer.textarea.insert_str(" ");
    }
    jump(buffer, at);
}

/// `.`: the last change's keys again (with a new count when one is given).
fn repeat(state: &mut AppState, count: Option<usize>) -> Vec<Effect> {
    let Some(vim) = state.editor.vim.as_mut() else {
        return Vec::new();
    };
    let mut keys = vim.last_change.clone();
    if let Some(n) = count {
        let digits = keys
            .iter()
            .take_while(|k| matches!(k.key, Key::Char(c) if c.is_ascii_digit()))
            .count();
        keys.splice(
            ..digits,
            n.to_string().chars().map(|c| Input {
                key: Key::Char(c),
                ..Input::default()
            }),
        );
    }
    vim.replaying = true;
    let mut effects = Vec::new();
    for key in keys {
        effects.extend(super::input(state, key));
    }
    if let Some(vim) = state.editor.vim.as_mut() {
        vim.replaying = false;
    }
    effects
}
