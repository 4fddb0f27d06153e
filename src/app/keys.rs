//! Key bindings as data: one table drives both the keymap and the help overlay, so they cannot
//! drift apart.

use std::fmt;

use super::action::{Action, CopyScope, Focus};
use super::picker::PickerKind;

/// A key, independent of the terminal library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Backspace,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
}

/// A key with its modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyPress {
    pub key: Key,
    pub ctrl: bool,
    pub alt: bool,
}

impl KeyPress {
    /// The key alone.
    pub const fn plain(key: Key) -> Self {
        Self {
            key,
            ctrl: false,
            alt: false,
        }
    }

    /// The key with Ctrl.
    pub const fn ctrl(key: Key) -> Self {
        Self {
            key,
            ctrl: true,
            alt: false,
        }
    }

    /// The key with Alt.
    pub const fn alt(key: Key) -> Self {
        Self {
            key,
            ctrl: false,
            alt: true,
        }
    }
}

impl fmt::Display for KeyPress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.key {
            Key::Char(' ') => f.write_str("Space"),
            Key::Char(c) => write!(f, "{}", if self.ctrl { c.to_ascii_uppercase() } else { c }),
            Key::F(n) => write!(f, "F{n}"),
            Key::Enter => f.write_str("Enter"),
            Key::Esc => f.write_str("Esc"),
            Key::Backspace => f.write_str("Backspace"),
            Key::Tab => f.write_str("Tab"),
            Key::BackTab => f.write_str("Shift-Tab"),
            Key::Up => f.write_str("↑"),
            Key::Down => f.write_str("↓"),
            Key::Left => f.write_str("←"),
            Key::Right => f.write_str("→"),
            Key::PageUp => f.write_str("PgUp"),
            Key::PageDown => f.write_str("PgDn"),
            Key::Home => f.write_str("Home"),
            Key::End => f.write_str("End"),
        }
    }
}

impl std::str::FromStr for KeyPress {
    type Err = String;

    /// Parses `F5`, `Ctrl-R`, `Alt-1`, `Ctrl-Enter`, `Esc`, `Shift-Tab`, `PgDn`, `Space`, `x`.
    fn from_str(text: &str) -> Result<Self, String> {
        let mut press = KeyPress::plain(Key::Esc);
        let mut rest = text.trim();
        loop {
            let lower = rest.to_ascii_lowercase();
            if lower.starts_with("ctrl-") || lower.starts_with("ctrl+") {
                press.ctrl = true;
                rest = &rest[5..];
            } else if lower.starts_with("alt-") || lower.starts_with("alt+") {
                press.alt = true;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let lower = rest.to_ascii_lowercase();
        press.key = match lower.as_str() {
            "enter" | "return" => Key::Enter,
            "esc" | "escape" => Key::Esc,
            "backspace" => Key::Backspace,
            "tab" => Key::Tab,
            "shift-tab" | "backtab" => Key::BackTab,
            "up" => Key::Up,
            "down" => Key::Down,
            "left" => Key::Left,
            "right" => Key::Right,
            "pgup" | "pageup" => Key::PageUp,
            "pgdn" | "pagedown" => Key::PageDown,
            "home" => Key::Home,
            "end" => Key::End,
            "space" => Key::Char(' '),
            f if f.starts_with('f')
                && f.len() > 1
                && f[1..].parse::<u8>().is_ok_and(|n| (1..=24).contains(&n)) =>
            {
                Key::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if !c.is_control() => Key::Char(if press.ctrl {
                        c.to_ascii_lowercase()
                    } else {
                        c
                    }),
                    _ => {
                        return Err(format!(
                            "{text:?} is not a key (examples: \"F5\", \"Ctrl-R\", \"Alt-1\", \"PgDn\", \"x\")"
                        ));
                    }
                }
            }
        };
        Ok(press)
    }
}

/// The name `config.toml`'s `[keys]` table uses for an action, for the actions a user may
/// rebind.
pub fn action_name(action: &Action) -> Option<&'static str> {
    Some(match action {
        Action::RunQuery => "run",
        Action::RunAll => "run_all",
        Action::CancelQuery => "cancel",
        Action::FocusNext => "next_pane",
        Action::FocusPrevious => "previous_pane",
        Action::Focus(Focus::Catalog) => "focus_catalog",
        Action::Focus(Focus::Editor) => "focus_editor",
        Action::Focus(Focus::Results) => "focus_results",
        Action::ToggleHelp => "help",
        Action::Quit => "quit",
        Action::SaveBuffer => "save",
        Action::SaveNamedQuery => "save_named_query",
        Action::OpenPicker(PickerKind::History) => "history",
        Action::OpenPicker(PickerKind::SavedQueries) => "saved_queries",
        Action::Complete => "complete",
        Action::NewBuffer => "new_tab",
        Action::CycleBuffer(1) => "next_tab",
        Action::CycleBuffer(-1) => "previous_tab",
        Action::EditorUndo => "undo",
        Action::FormatSql => "format",
        Action::StartSearch => "search",
        Action::SearchAgain(true) => "search_next",
        Action::SearchAgain(false) => "search_previous",
        Action::EditExternally => "external_editor",
        Action::EditorRedo => "redo",
        Action::CatalogPreview => "preview",
        Action::CatalogInsertName => "insert_name",
        Action::CatalogOpenPartitions => "partitions",
        Action::PartitionsInsertFilter => "insert_filter",
        Action::ApplyHintFix => "fix_hint",
        Action::ToggleLedger => "ledger",
        Action::CompareEngines => "compare",
        Action::SwitchEngine => "switch_engine",
        Action::ResultsSort => "sort",
        Action::ResultsInspect => "inspect",
        Action::ResultsExport => "export",
        Action::ResultsCopy(CopyScope::Cell) => "copy_cell",
        Action::ResultsCopy(CopyScope::Row) => "copy_row",
        Action::ResultsCopy(CopyScope::Column) => "copy_column",
        _ => return None,
    })
}

/// Every name `[keys]` accepts.
pub fn action_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = default_bindings()
        .iter()
        .filter_map(|b| action_name(&b.action))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// The bindings with the keys of some actions replaced: each named action gets exactly the
/// given keys, in the scope and with the help text it had. Two actions on one key in one
/// scope is an error naming both.
pub fn rebind(
    mut bindings: Vec<Binding>,
    overrides: &[(String, Vec<KeyPress>)],
) -> Result<Vec<Binding>, String> {
    for (name, presses) in overrides {
        let Some(template) = bindings
            .iter()
            .find(|b| action_name(&b.action) == Some(name.as_str()))
            .cloned()
        else {
            return Err(format!(
                "[keys] {name}: no such action; the actions are {}",
                action_names().join(", ")
            ));
        };
        bindings.retain(|b| action_name(&b.action) != Some(name.as_str()));
        for (i, press) in presses.iter().enumerate() {
            bindings.push(Binding {
                press: *press,
                footer: if i == 0 { template.footer } else { None },
                ..template.clone()
            });
        }
    }
    for (i, a) in bindings.iter().enumerate() {
        if let Some(b) = bindings[i + 1..]
            .iter()
            .find(|b| b.scope == a.scope && b.press == a.press)
        {
            return Err(format!(
                "[keys]: {} is bound to both {:?} and {:?}; give one of them another key",
                a.press,
                action_name(&a.action).unwrap_or(a.description),
                action_name(&b.action).unwrap_or(b.description)
            ));
        }
    }
    Ok(bindings)
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    Pane(Focus),
}

/// One binding: a key in a scope does an action.
#[derive(Debug, Clone)]
pub struct Binding {
    pub scope: Scope,
    pub press: KeyPress,
    pub action: Action,
    pub description: &'static str,
    /// Short label for the footer, when the binding is shown there.
    pub footer: Option<&'static str>,
}

/// The default bindings, most important first within each scope.
pub fn default_bindings() -> Vec<Binding> {
    use Key::{
        BackTab, Char, Down, End, Enter, Esc, F, Home, Left, PageDown, PageUp, Right, Tab, Up,
    };
    let g = Scope::Global;
    let catalog = Scope::Pane(Focus::Catalog);
    let editor = Scope::Pane(Focus::Editor);
    let results = Scope::Pane(Focus::Results);
    let partitions = Scope::Pane(Focus::Partitions);
    let b = |scope, press, action, description, footer| Binding {
        scope,
        press,
        action,
        description,
        footer,
    };
    vec![
        b(
            g,
            KeyPress::plain(F(5)),
            Action::RunQuery,
            "run the statement under the cursor (or the selection)",
            Some("run"),
        ),
        b(
            g,
            KeyPress::ctrl(Enter),
            Action::RunQuery,
            "run the statement (terminals that report Ctrl-Enter)",
            None,
        ),
        b(
            g,
            KeyPress::plain(F(6)),
            Action::RunAll,
            "run the whole buffer",
            None,
        ),
        b(
            g,
            KeyPress::plain(Esc),
            Action::CancelQuery,
            "cancel the running query",
            Some("cancel"),
        ),
        b(
            g,
            KeyPress::ctrl(Char('c')),
            Action::CancelQuery,
            "cancel the running query",
            None,
        ),
        b(
            g,
            KeyPress::plain(Tab),
            Action::FocusNext,
            "focus the next pane",
            None,
        ),
        b(
            g,
            KeyPress::plain(BackTab),
            Action::FocusPrevious,
            "focus the previous pane",
            None,
        ),
        b(
            g,
            KeyPress::alt(Char('1')),
            Action::Focus(Focus::Catalog),
            "focus the catalog",
            None,
        ),
        b(
            g,
            KeyPress::alt(Char('2')),
            Action::Focus(Focus::Editor),
            "focus the editor",
            None,
        ),
        b(
            g,
            KeyPress::alt(Char('3')),
            Action::Focus(Focus::Results),
            "focus the results",
            None,
        ),
        b(
            g,
            KeyPress::plain(F(1)),
            Action::ToggleHelp,
            "show or hide this help",
            Some("help"),
        ),
        b(
            g,
            KeyPress::plain(F(7)),
            Action::ToggleLedger,
            "show or hide the cost ledger (session, day, workgroup)",
            None,
        ),
        b(
            g,
            KeyPress::plain(F(8)),
            Action::CompareEngines,
            "run on Athena and locally: do the answers match?",
            None,
        ),
        b(
            g,
            KeyPress::plain(F(9)),
            Action::SwitchEngine,
            "run the next queries on the other engine (Athena ↔ local)",
            None,
        ),
        b(
            g,
            KeyPress::ctrl(Char('r')),
            Action::OpenPicker(PickerKind::History),
            "search the history of runs",
            Some("history"),
        ),
        b(
            g,
            KeyPress::ctrl(Char('o')),
            Action::OpenPicker(PickerKind::SavedQueries),
            "open a saved query",
            Some("saved"),
        ),
        b(
            g,
            KeyPress::ctrl(Char('s')),
            Action::SaveBuffer,
            "save the buffer to its file (asks the first time)",
            None,
        ),
        b(
            g,
            KeyPress::ctrl(Char('q')),
            Action::Quit,
            "quit",
            Some("quit"),
        ),
        b(
            editor,
            KeyPress::ctrl(Char(' ')),
            Action::Complete,
            "complete the word (also as you type; Tab accepts)",
            Some("complete"),
        ),
        b(
            editor,
            KeyPress::alt(Char('f')),
            Action::FormatSql,
            "format the statement (sqlparser's pretty printer)",
            Some("format"),
        ),
        b(
            editor,
            KeyPress::ctrl(Char('f')),
            Action::StartSearch,
            "search the buffer (regex)",
            Some("search"),
        ),
        b(
            editor,
            KeyPress::plain(F(3)),
            Action::SearchAgain(true),
            "next match",
            None,
        ),
        b(
            editor,
            KeyPress::alt(F(3)),
            Action::SearchAgain(false),
            "previous match",
            None,
        ),
        b(
            editor,
            KeyPress::ctrl(Char('g')),
            Action::ApplyHintFix,
            "quick fix for the hint (partition filter, literal type)",
            Some("fix hint"),
        ),
        b(
            editor,
            KeyPress::alt(Char('s')),
            Action::SaveNamedQuery,
            "save the statement as an Athena named query (AWS source)",
            None,
        ),
        b(
            editor,
            KeyPress::ctrl(Char('e')),
            Action::EditExternally,
            "edit the buffer in $VISUAL / $EDITOR",
            Some("$EDITOR"),
        ),
        b(
            editor,
            KeyPress::ctrl(Char('n')),
            Action::NewBuffer,
            "new editor tab",
            None,
        ),
        b(
            editor,
            KeyPress::alt(Right),
            Action::CycleBuffer(1),
            "next editor tab",
            None,
        ),
        b(
            editor,
            KeyPress::alt(Left),
            Action::CycleBuffer(-1),
            "previous editor tab",
            None,
        ),
        b(
            editor,
            KeyPress::ctrl(Char('z')),
            Action::EditorUndo,
            "undo",
            None,
        ),
        b(
            editor,
            KeyPress::ctrl(Char('y')),
            Action::EditorRedo,
            "redo",
            None,
        ),
        b(
            catalog,
            KeyPress::plain(Char('?')),
            Action::ToggleHelp,
            "show or hide this help",
            None,
        ),
        b(
            catalog,
            KeyPress::plain(Up),
            Action::CatalogMove(-1),
            "move up",
            None,
        ),
        b(
            catalog,
            KeyPress::plain(Down),
            Action::CatalogMove(1),
            "move down",
            None,
        ),
        b(
            catalog,
            KeyPress::plain(Char('k')),
            Action::CatalogMove(-1),
            "move up",
            None,
        ),
        b(
            catalog,
            KeyPress::plain(Char('j')),
            Action::CatalogMove(1),
            "move down",
            None,
        ),
        b(
            catalog,
            KeyPress::plain(PageUp),
            Action::CatalogMove(-10),
            "move up a page",
            None,
        ),
        b(
            catalog,
            KeyPress::plain(PageDown),
            Action::CatalogMove(10),
            "move down a page",
            None,
        ),
        b(
            catalog,
            KeyPress::plain(Right),
            Action::CatalogExpand,
            "open a database or table",
            Some("open"),
        ),
        b(
            catalog,
            KeyPress::plain(Enter),
            Action::CatalogExpand,
            "open a database or table",
            None,
        ),
        b(
            catalog,
            KeyPress::plain(Left),
            Action::CatalogCollapse,
            "close, or go to the parent",
            Some("close"),
        ),
        b(
            catalog,
            KeyPress::plain(Char('p')),
            Action::CatalogPreview,
            "preview the table (SELECT * … LIMIT 100)",
            Some("preview"),
        ),
        b(
            catalog,
            KeyPress::plain(Char('i')),
            Action::CatalogInsertName,
            "insert the name into the editor",
            Some("insert"),
        ),
        b(
            catalog,
            KeyPress::plain(Char('o')),
            Action::CatalogOpenPartitions,
            "open the table's details and partitions",
            Some("partitions"),
        ),
        b(
            catalog,
            KeyPress::plain(Char('/')),
            Action::CatalogStartFilter,
            "filter tables by name (Enter keeps, Esc clears)",
            Some("filter"),
        ),
        b(
            partitions,
            KeyPress::plain(Char('?')),
            Action::ToggleHelp,
            "show or hide this help",
            None,
        ),
        b(
            partitions,
            KeyPress::plain(Up),
            Action::PartitionsMove(-1),
            "move up",
            None,
        ),
        b(
            partitions,
            KeyPress::plain(Down),
            Action::PartitionsMove(1),
            "move down",
            None,
        ),
        b(
            partitions,
            KeyPress::plain(Char('k')),
            Action::PartitionsMove(-1),
            "move up",
            None,
        ),
        b(
            partitions,
            KeyPress::plain(Char('j')),
            Action::PartitionsMove(1),
            "move down",
            None,
        ),
        b(
            partitions,
            KeyPress::plain(PageUp),
            Action::PartitionsMove(-20),
            "up a page",
            None,
        ),
        b(
            partitions,
            KeyPress::plain(PageDown),
            Action::PartitionsMove(20),
            "down a page",
            None,
        ),
        b(
            partitions,
            KeyPress::plain(Right),
            Action::PartitionsExpand,
            "open a node",
            None,
        ),
        b(
            partitions,
            KeyPress::plain(Left),
            Action::PartitionsCollapse,
            "close a node, or go to its parent",
            None,
        ),
        b(
            partitions,
            KeyPress::plain(Enter),
            Action::PartitionsInsertFilter,
            "add the selection to the query's WHERE clause",
            Some("insert filter"),
        ),
        b(
            partitions,
            KeyPress::plain(Char(' ')),
            Action::PartitionsMark,
            "mark or unmark a node",
            Some("mark"),
        ),
        b(
            partitions,
            KeyPress::plain(Char('v')),
            Action::PartitionsRange,
            "start or end a range selection",
            Some("range"),
        ),
        b(
            partitions,
            KeyPress::plain(Char('t')),
            Action::PartitionsToggleView,
            "switch between tree and flat list",
            Some("tree/list"),
        ),
        b(
            partitions,
            KeyPress::plain(Char('/')),
            Action::PartitionsStartFilter,
            "filter the flat list (Enter keeps, Esc clears)",
            Some("filter"),
        ),
        b(
            partitions,
            KeyPress::plain(Esc),
            Action::PartitionsClose,
            "clear the selection, then close the browser",
            Some("close"),
        ),
        b(
            results,
            KeyPress::plain(Char('?')),
            Action::ToggleHelp,
            "show or hide this help",
            None,
        ),
        b(
            results,
            KeyPress::plain(Up),
            Action::ResultsMove {
                rows: -1,
                columns: 0,
            },
            "previous row",
            None,
        ),
        b(
            results,
            KeyPress::plain(Down),
            Action::ResultsMove {
                rows: 1,
                columns: 0,
            },
            "next row",
            None,
        ),
        b(
            results,
            KeyPress::plain(Left),
            Action::ResultsMove {
                rows: 0,
                columns: -1,
            },
            "previous column",
            None,
        ),
        b(
            results,
            KeyPress::plain(Right),
            Action::ResultsMove {
                rows: 0,
                columns: 1,
            },
            "next column",
            None,
        ),
        b(
            results,
            KeyPress::plain(PageUp),
            Action::ResultsMove {
                rows: -20,
                columns: 0,
            },
            "up 20 rows",
            Some("page up"),
        ),
        b(
            results,
            KeyPress::plain(PageDown),
            Action::ResultsMove {
                rows: 20,
                columns: 0,
            },
            "down 20 rows",
            Some("page down"),
        ),
        b(
            results,
            KeyPress::plain(Home),
            Action::ResultsHome,
            "first row",
            Some("first"),
        ),
        b(
            results,
            KeyPress::plain(End),
            Action::ResultsEnd,
            "last row",
            None,
        ),
        b(
            results,
            KeyPress::plain(Enter),
            Action::ResultsInspect,
            "inspect the cell (full value, JSON pretty-printed)",
            Some("inspect"),
        ),
        b(
            results,
            KeyPress::plain(Char('s')),
            Action::ResultsSort,
            "sort by this column: ascending, descending, off",
            Some("sort"),
        ),
        b(
            results,
            KeyPress::plain(Char('y')),
            Action::ResultsCopy(CopyScope::Cell),
            "copy the cell to the clipboard (OSC 52)",
            Some("copy"),
        ),
        b(
            results,
            KeyPress::plain(Char('Y')),
            Action::ResultsCopy(CopyScope::Row),
            "copy the row, tab-separated",
            None,
        ),
        b(
            results,
            KeyPress::plain(Char('c')),
            Action::ResultsCopy(CopyScope::Column),
            "copy the column, one value per line",
            None,
        ),
        b(
            results,
            KeyPress::plain(Char('e')),
            Action::ResultsExport,
            "export the rows (CSV, TSV, JSON, NDJSON, Parquet)",
            Some("export"),
        ),
    ]
}

/// The action bound to `press` in the pane with `focus`: the pane's binding wins over a
/// global one.
pub fn lookup(bindings: &[Binding], focus: Focus, press: KeyPress) -> Option<&Binding> {
    bindings
        .iter()
        .find(|b| b.scope == Scope::Pane(focus) && b.press == press)
        .or_else(|| {
            bindings
                .iter()
                .find(|b| b.scope == Scope::Global && b.press == press)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice_in_one_scope() {
        let bindings = default_bindings();
        for (i, a) in bindings.iter().enumerate() {
            for b in &bindings[i + 1..] {
                assert!(
                    !(a.scope == b.scope && a.press == b.press),
                    "{} bound twice in {:?}",
                    a.press,
                    a.scope
                );
            }
        }
    }

    #[test]
    fn keys_parse_from_config_text() {
        let parse = |t: &str| t.parse::<KeyPress>();
        assert_eq!(parse("F9").unwrap(), KeyPress::plain(Key::F(9)));
        assert_eq!(parse("ctrl-R").unwrap(), KeyPress::ctrl(Key::Char('r')));
        assert_eq!(parse("Alt-1").unwrap(), KeyPress::alt(Key::Char('1')));
        assert_eq!(parse("Ctrl-Enter").unwrap(), KeyPress::ctrl(Key::Enter));
        assert_eq!(parse("PgDn").unwrap(), KeyPress::plain(Key::PageDown));
        assert_eq!(parse("Space").unwrap(), KeyPress::plain(Key::Char(' ')));
        for bad in ["F99", "Hyper-x", "", "ab"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        // What the help shows parses back to the same key.
        for binding in default_bindings() {
            if binding.press.key != Key::Up
                && binding.press.key != Key::Down
                && binding.press.key != Key::Left
                && binding.press.key != Key::Right
            {
                assert_eq!(parse(&binding.press.to_string()).unwrap(), binding.press);
            }
        }
    }

    #[test]
    fn rebinding_replaces_an_actions_keys_and_refuses_clashes() {
        let overrides = vec![(
            "run".to_owned(),
            vec![KeyPress::plain(Key::F(10)), KeyPress::ctrl(Key::Char('e'))],
        )];
        let bindings = rebind(default_bindings(), &overrides).unwrap();
        let f10 = lookup(&bindings, Focus::Editor, KeyPress::plain(Key::F(10))).unwrap();
        assert!(matches!(f10.action, Action::RunQuery));
        assert_eq!(f10.footer, Some("run"));
        assert!(lookup(&bindings, Focus::Editor, KeyPress::plain(Key::F(5))).is_none());
        let clash = vec![("quit".to_owned(), vec![KeyPress::plain(Key::F(1))])];
        let err = rebind(default_bindings(), &clash).unwrap_err();
        assert!(
            err.contains("F1") && err.contains("help") && err.contains("quit"),
            "{err}"
        );
        let unknown = vec![("fly".to_owned(), vec![KeyPress::plain(Key::F(2))])];
        assert!(
            rebind(default_bindings(), &unknown)
                .unwrap_err()
                .contains("run_all")
        );
    }

    #[test]
    fn pane_bindings_win_over_global_ones() {
        let bindings = default_bindings();
        let question = KeyPress::plain(Key::Char('?'));
        assert!(matches!(
            lookup(&bindings, Focus::Catalog, question).unwrap().action,
            Action::ToggleHelp
        ));
        // In the editor `?` is text, not a binding.
        assert!(lookup(&bindings, Focus::Editor, question).is_none());
        assert!(matches!(
            lookup(&bindings, Focus::Editor, KeyPress::plain(Key::F(5)))
                .unwrap()
                .action,
            Action::RunQuery
        ));
    }
}
