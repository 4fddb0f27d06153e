//! Key-macro tests, helix-style: a buffer with the cursor marked `|`, the keys typed, and the
//! buffer and cursor expected, each worked out by hand from what vim does.

use ratatui_textarea::{Input, Key};

use super::{Mode, Vim};
use crate::app::action::{Action, Effect};
use crate::app::editor::Buffer;
use crate::app::state::AppState;

/// Keys from a macro string: `<Esc>`, `<C-r>`, `<CR>`, `<BS>`, else one character each.
fn keys(text: &str) -> Vec<Input> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let named = [
            ("<Esc>", Key::Esc, false),
            ("<C-r>", Key::Char('r'), true),
            ("<CR>", Key::Enter, false),
            ("<BS>", Key::Backspace, false),
        ]
        .into_iter()
        .find(|(name, ..)| rest.starts_with(name));
        if let Some((name, key, ctrl)) = named {
            out.push(Input {
                key,
                ctrl,
                ..Input::default()
            });
            rest = &rest[name.len()..];
        } else {
            out.push(Input {
                key: Key::Char(c),
                ..Input::default()
            });
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// A vim editor holding `marked` (the cursor where `|` is).
fn state(marked: &str) -> AppState {
    let (row, line) = marked
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains('|'))
        .expect("a | marks the cursor");
    let col = line[..line.find('|').unwrap_or(0)].chars().count();
    let mut state = AppState::new("test", Buffer::new("q", &marked.replacen('|', "", 1)));
    state.editor.vim = Some(Vim::default());
    super::jump(state.editor.buffer_mut(), super::motion::Pos::new(row, col));
    state
}

/// The buffer with `|` at the cursor.
fn marked(state: &AppState) -> String {
    let buffer = state.editor.buffer();
    let (row, col) = super::cursor(buffer);
    let mut lines: Vec<String> = buffer.textarea.lines().to_vec();
    let at = lines[row]
        .char_indices()
        .nth(col)
        .map_or(lines[row].len(), |(i, _)| i);
    lines[row].insert(at, '|');
    lines.join("\n")
}

fn type_keys(state: &mut AppState, macro_text: &str) -> Vec<Effect> {
    keys(macro_text)
        .into_iter()
        .flat_map(|input| crate::app::update(state, Action::EditorInput(input)))
        .collect()
}

/// Each case: before, keys, after.
fn check(cases: &[(&str, &str, &str)]) {
    let mut failures = Vec::new();
    for (before, typed, after) in cases {
        let mut s = state(before);
        type_keys(&mut s, typed);
        let got = marked(&s);
        if got != *after {
            failures.push(format!(
                "{before:?} + {typed:?}: expected {after:?}, got {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn motions() {
    check(&[
        ("|SELECT a FROM t", "w", "SELECT |a FROM t"),
        ("SELECT a |FROM t", "b", "SELECT |a FROM t"),
        ("|SELECT a", "e", "SELEC|T a"),
        ("|count(x) y", "w", "count|(x) y"),
        ("|count(x) y", "W", "count(x) |y"),
        ("SELECT |a", "0", "|SELECT a"),
        ("  x = |1", "^", "  |x = 1"),
        ("|abc def", "$", "abc de|f"),
        ("|a\nb\nc", "G", "a\nb\n|c"),
        ("a\nb\n|c", "gg", "|a\nb\nc"),
        ("|a\nb\nc", "2G", "a\n|b\nc"),
        ("|f(x, y)", "f,", "f(x|, y)"),
        ("|f(x, y)", "t,", "f(|x, y)"),
        ("f(x, y|)", "F(", "f|(x, y)"),
        ("f(x, y|)", "T(", "f(|x, y)"),
        ("|a,b,c", "f,;", "a,b|,c"),
        ("a,b,|c", "F,,", "a,b|,c"),
        ("|(a (b) c)", "%", "(a (b) c|)"),
        ("(a (b) c|)", "%", "|(a (b) c)"),
        ("|abc", "3l", "ab|c"),
        ("|a\nb\nc", "2j", "a\nb\n|c"),
        ("abcdef\n|x\nabcdef", "kllj", "abcdef\n|x\nabcdef"),
        ("abc|def\nx\nabcdef", "jj", "abcdef\nx\nabc|def"),
        ("|one\n\ntwo", "ww", "one\n\n|two"),
    ]);
}

#[test]
fn operators_with_motions() {
    check(&[
        ("SELECT |a, b FROM t", "dw", "SELECT |, b FROM t"),
        ("SELECT |a FROM t", "x", "SELECT | FROM t"),
        ("|abcdef", "3x", "|def"),
        ("ab|c", "x", "a|b"),
        ("|a\nb\nc", "dd", "|b\nc"),
        ("a\nb\n|c", "dd", "a\n|b"),
        ("|a\nb\nc", "2dd", "|c"),
        ("|a\nb\nc", "dj", "|c"),
        ("|one two three", "d2w", "|three"),
        ("|one two three", "2dw", "|three"),
        ("|abc", "D", "|"),
        ("ab|cdef", "C12<Esc>", "ab1|2"),
        (
            "SELECT |count(x) FROM t",
            "cwsum<Esc>",
            "SELECT su|m(x) FROM t",
        ),
        ("|a b", "dt ", "| b"),
        ("|a(b)c", "df)", "|c"),
        ("|x = 1\n", "d$", "|"),
        ("a |b c", "db", "|b c"),
        ("|last\nnext", "wdw", "last\n|"),
        ("|word\nnext", "dw", "|\nnext"),
    ]);
}

#[test]
fn text_objects() {
    check(&[
        ("WHERE a = |'x' AND b", "ci'y<Esc>", "WHERE a = '|y' AND b"),
        ("x = \"a|bc\" y", "di\"", "x = \"|\" y"),
        ("x = \"a|bc\" y", "da\"", "x = | y"),
        ("sum(|a + b)", "di(", "sum(|)"),
        ("sum(|a + b)", "da(", "su|m"),
        ("f(g(|x), y)", "dib", "f(g(|), y)"),
        ("|hello world", "diw", "| world"),
        ("|hello world", "daw", "|world"),
        ("a\n|b\nc\n\nd", "dip", "|\nd"),
        ("a\n|b\n\nd", "dap", "|d"),
        ("f(\n  |x,\n  y\n)", "di(", "f(\n|)"),
        ("|hello world", "yiwP", "hell|ohello world"),
    ]);
}

#[test]
fn put_undo_redo_repeat() {
    check(&[
        ("|abc", "yyp", "abc\n|abc"),
        ("|abc", "ylp", "a|abc"),
        ("|abc", "yyP", "|abc\nabc"),
        ("|abc def", "dwP", "abc| def"),
        ("|abc", "xu", "|abc"),
        ("|abc", "xu<C-r>", "|bc"),
        ("|a b c", "dw..", "|"),
        ("|abc def", "cwxyz<Esc>u", "|abc def"),
        ("|abc def", "cwxyz<Esc>w.", "xyz xy|z"),
        ("|a\nb\nc\nd", "dd2.", "|d"),
        ("|abc", "yy3p", "abc\n|abc\nabc\nabc"),
        ("|ab", "xp", "b|a"),
    ]);
}

#[test]
fn single_key_edits_and_inserts() {
    check(&[
        ("|abc", "rX", "|Xbc"),
        ("|abc", "2rX", "X|Xc"),
        ("|abc", "~~", "AB|c"),
        ("|a\nb", "J", "a| b"),
        ("|abc", "oxyz<Esc>", "abc\nxy|z"),
        ("|abc", "Oxyz<Esc>", "xy|z\nabc"),
        ("a|bc", "Az<Esc>", "abc|z"),
        ("  a|bc", "Iz<Esc>", "  |zabc"),
        ("a|bc", "iz<Esc>", "a|zbc"),
        ("a|bc", "az<Esc>", "ab|zc"),
        ("|abc", "$i!<Esc>", "ab|!c"),
        ("|abc", "sX<Esc>", "|Xbc"),
        ("|abc\ndef", "Sx<Esc>", "|x\ndef"),
        ("|ab", "ix<CR>y<Esc>", "x\n|yab"),
        ("|abc", "ixy<BS><Esc>", "|xabc"),
    ]);
}

#[test]
fn visual_modes() {
    check(&[
        ("|abc def", "ved", "| def"),
        ("|abc def", "vey$p", "abc defab|c"),
        ("|a\nb\nc", "Vjd", "|c"),
        ("|a\nb\nc", "Vjyjp", "a\nb\n|a\nb\nc"),
        ("a |b c", "v<Esc>x", "a | c"),
        ("|abcd", "lvlohd", "|d"),
        ("|abc", "vU", "|abc"),
        ("|abc def", "vec!<Esc>", "|! def"),
        ("|ab\ncd", "Vj~", "|AB\nCD"),
    ]);
}

#[test]
fn modes_and_pending_keys_show() {
    let mut s = state("|abc");
    type_keys(&mut s, "2d");
    let vim = s.editor.vim.as_ref().unwrap();
    assert_eq!(
        (vim.mode, vim.pending_text().as_str()),
        (Mode::Normal, "2d")
    );
    type_keys(&mut s, "<Esc>i");
    assert_eq!(s.editor.vim.as_ref().unwrap().mode, Mode::Insert);
    type_keys(&mut s, "<Esc>V");
    assert_eq!(s.editor.vim.as_ref().unwrap().mode, Mode::VisualLine);
    // The visual selection is what F5 runs.
    assert_eq!(s.editor.buffer().selection(), Some(((0, 0), (0, 3))));
}

#[test]
fn the_bindings_keep_their_keys() {
    let vim = Vim::default();
    let plain = |key| Input {
        key,
        ..Input::default()
    };
    assert!(vim.claims(&plain(Key::Char('d'))));
    assert!(vim.claims(&Input {
        key: Key::Char('r'),
        ctrl: true,
        ..Input::default()
    }));
    assert!(!vim.claims(&plain(Key::F(5))));
    assert!(!vim.claims(&Input {
        key: Key::Enter,
        ctrl: true,
        ..Input::default()
    }));
    assert!(!vim.claims(&Input {
        key: Key::Char('2'),
        alt: true,
        ..Input::default()
    }));
    // Esc cancels a query when there is nothing for vim to leave.
    assert!(!vim.claims(&plain(Key::Esc)));
    let insert = Vim {
        mode: Mode::Insert,
        ..Vim::default()
    };
    assert!(insert.claims(&plain(Key::Esc)));
    assert!(!insert.claims(&Input {
        key: Key::Char('r'),
        ctrl: true,
        ..Input::default()
    }));
}

#[test]
fn yanks_go_to_the_terminal_clipboard() {
    let mut s = state("|SELECT 1\nFROM t");
    let effects = type_keys(&mut s, "yj");
    assert!(effects.contains(&Effect::Copy {
        text: "SELECT 1\nFROM t\n".to_owned(),
        what: "2 lines (yank)".to_owned(),
    }));
}

#[test]
fn colon_commands_save_quit_and_go_to_a_line() {
    let mut s = state("|a\nb\nc");
    type_keys(&mut s, ":");
    assert!(s.prompt().is_some());
    s.overlay = None;
    let effects = super::ex_command(&mut s, "3");
    assert!(effects.is_empty());
    assert_eq!(marked(&s), "a\nb\n|c");
    super::ex_command(&mut s, "q");
    assert!(s.quit);
    super::ex_command(&mut s, "frobnicate");
    assert!(
        s.notice
            .as_deref()
            .unwrap()
            .contains("not an editor command")
    );
}
