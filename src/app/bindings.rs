//! Key bindings as data. Every command a key can do is declared once, in [`commands!`]: its
//! name (the one `config.toml`'s `[keys]` table uses, taken from the declaration itself), the
//! [`Action`] it sends and the line the help shows. The default keys are a table of one line
//! per key. The keymap, the help overlay, the footer and `[keys]` all read these, so there is
//! nothing to keep in step by hand.

use super::action::{Action, CopyScope, Focus};
use super::chart_view::ChartChange;
use super::doctor_view::DoctorMessage;
use super::keys::{Key, KeyPress};
use super::picker::PickerKind;

/// Declares the commands: `name => action, "help line";`. The variant *is* the name users
/// write in `[keys]`, so the two cannot drift apart.
macro_rules! commands {
    ($($name:ident => $action:expr, $description:literal;)+) => {
        /// Everything a key can be bound to.
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Command {
            $(#[doc = $description] $name,)+
        }

        impl Command {
            /// Every command, in declaration order.
            pub const ALL: &[Command] = &[$(Command::$name,)+];

            /// The name `[keys]` knows it by.
            pub fn name(self) -> &'static str {
                match self {
                    $(Command::$name => stringify!($name),)+
                }
            }

            /// What the help overlay says it does.
            pub fn description(self) -> &'static str {
                match self {
                    $(Command::$name => $description,)+
                }
            }

            /// The action it sends.
            pub fn action(self) -> Action {
                match self {
                    $(Command::$name => $action,)+
                }
            }
        }
    };
}

commands! {
    run => Action::RunQuery, "run the statement under the cursor (or the selection)";
    run_unload => Action::RunUnload, "run it, the result through Athena's UNLOAD (Parquet)";
    run_all => Action::RunAll, "run the whole buffer";
    cancel => Action::CancelQuery, "cancel the running query";
    next_pane => Action::FocusNext, "focus the next pane";
    previous_pane => Action::FocusPrevious, "focus the previous pane";
    focus_catalog => Action::Focus(Focus::Catalog), "focus the catalog";
    focus_editor => Action::Focus(Focus::Editor), "focus the editor";
    focus_results => Action::Focus(Focus::Results), "focus the results";
    help => Action::ToggleHelp, "show or hide this help";
    ledger => Action::ToggleLedger, "show or hide the cost ledger (session, day, workgroup)";
    compare => Action::CompareEngines, "run on Athena and locally: do the answers match?";
    switch_engine => Action::SwitchEngine, "run the next queries on the other engine (Athena ↔ local)";
    history => Action::OpenPicker(PickerKind::History), "search the history of runs";
    saved_queries => Action::OpenPicker(PickerKind::SavedQueries), "open a saved query";
    save => Action::SaveBuffer, "save the buffer to its file (asks the first time)";
    quit => Action::Quit, "quit";
    complete => Action::Complete, "complete the word (also as you type; Tab accepts)";
    format => Action::FormatSql, "format the statement (sqlparser's pretty printer)";
    search => Action::StartSearch, "search the buffer (regex)";
    search_next => Action::SearchAgain(true), "next match";
    search_previous => Action::SearchAgain(false), "previous match";
    fix_hint => Action::ApplyHintFix, "quick fix for the hint (partition filter, literal type)";
    save_named_query => Action::SaveNamedQuery, "save the statement as an Athena named query (AWS source)";
    external_editor => Action::EditExternally, "edit the buffer in $VISUAL / $EDITOR";
    new_tab => Action::NewBuffer, "new editor tab";
    next_tab => Action::CycleBuffer(1), "next editor tab";
    previous_tab => Action::CycleBuffer(-1), "previous editor tab";
    undo => Action::EditorUndo, "undo";
    redo => Action::EditorRedo, "redo";
    catalog_up => Action::CatalogMove(-1), "move up";
    catalog_down => Action::CatalogMove(1), "move down";
    catalog_page_up => Action::CatalogMove(-10), "move up a page";
    catalog_page_down => Action::CatalogMove(10), "move down a page";
    catalog_open => Action::CatalogExpand, "open a database or table";
    catalog_close => Action::CatalogCollapse, "close, or go to the parent";
    preview => Action::CatalogPreview, "preview the table (SELECT * … LIMIT 100)";
    insert_name => Action::CatalogInsertName, "insert the name into the editor";
    partitions => Action::CatalogOpenPartitions, "open the table's details and partitions";
    doctor => Action::Doctor(DoctorMessage::Open), "examine the table: partitions, schema drift, small files";
    catalog_filter => Action::CatalogStartFilter, "filter tables by name (Enter keeps, Esc clears)";
    partitions_up => Action::PartitionsMove(-1), "move up";
    partitions_down => Action::PartitionsMove(1), "move down";
    partitions_page_up => Action::PartitionsMove(-20), "up a page";
    partitions_page_down => Action::PartitionsMove(20), "down a page";
    partitions_open => Action::PartitionsExpand, "open a node";
    partitions_close_node => Action::PartitionsCollapse, "close a node, or go to its parent";
    insert_filter => Action::PartitionsInsertFilter, "add the selection to the query's WHERE clause";
    partitions_mark => Action::PartitionsMark, "mark or unmark a node";
    partitions_range => Action::PartitionsRange, "start or end a range selection";
    partitions_view => Action::PartitionsToggleView, "tree, flat list, calendar of days";
    calendar_metric => Action::PartitionsCalendarMetric, "calendar: shade days by bytes or by files";
    partitions_filter => Action::PartitionsStartFilter, "filter the flat list (Enter keeps, Esc clears)";
    partitions_close => Action::PartitionsClose, "clear the selection, then close the browser";
    results_up => Action::ResultsMove { rows: -1, columns: 0 }, "previous row";
    results_down => Action::ResultsMove { rows: 1, columns: 0 }, "next row";
    results_left => Action::ResultsMove { rows: 0, columns: -1 }, "previous column";
    results_right => Action::ResultsMove { rows: 0, columns: 1 }, "next column";
    results_page_up => Action::ResultsMove { rows: -20, columns: 0 }, "up 20 rows";
    results_page_down => Action::ResultsMove { rows: 20, columns: 0 }, "down 20 rows";
    results_first => Action::ResultsHome, "first row";
    results_last => Action::ResultsEnd, "last row";
    inspect => Action::ResultsInspect, "inspect the cell (full value, JSON pretty-printed)";
    sort => Action::ResultsSort, "sort by this column: ascending, descending, off";
    copy_cell => Action::ResultsCopy(CopyScope::Cell), "copy the cell to the clipboard (OSC 52)";
    copy_row => Action::ResultsCopy(CopyScope::Row), "copy the row, tab-separated";
    copy_column => Action::ResultsCopy(CopyScope::Column), "copy the column, one value per line";
    export => Action::ResultsExport, "export the rows (CSV, TSV, JSON, NDJSON, Parquet, table)";
    keep => Action::ResultsKeep, "keep the result locally as a table: query it again for $0";
    keep_partitions => Action::PartitionsKeep, "copy these partitions locally: same SQL for $0 (AWS)";
    results_filter => Action::ResultsStartFilter, "filter rows: text, /regex/, column:text (smart case)";
    next_match => Action::ResultsJumpToMatch(true), "next cell matching the filter";
    next_result => Action::ResultsTab(1), "next statement's result (after F6 on several)";
    chart => Action::ResultsChart, "chart the rows shown (lines, bars, histogram), or the grid";
    plan => Action::ResultsPlan, "the plan the rows came from, with what each part measured";
    explain => Action::ExplainStatement, "the statement's plan as a tree, without running it";
    chart_kind => Action::ResultsChartChange(ChartChange::Kind), "chart: line → bars → histogram";
    chart_mark => Action::ChartMark, "chart: start a time range (←→ size it, Enter filters)";
    chart_x => Action::ResultsChartChange(ChartChange::X), "chart: the next column across";
    chart_value => Action::ResultsChartChange(ChartChange::Value), "chart: the next number column drawn";
    chart_series => Action::ResultsChartChange(ChartChange::Series), "chart: a line per value of the next category, or one";
    previous_result => Action::ResultsTab(-1), "previous statement's result";
    previous_match => Action::ResultsJumpToMatch(false), "previous cell matching the filter";
}

impl Command {
    /// The command `[keys]` calls `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.name() == name)
    }
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    Pane(Focus),
}

/// One binding: a key in a scope does a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub scope: Scope,
    pub press: KeyPress,
    pub command: Command,
    /// Short label for the footer, when the binding is shown there.
    pub footer: Option<&'static str>,
}

impl Binding {
    /// The action the key sends.
    pub fn action(&self) -> Action {
        self.command.action()
    }

    /// The help line of its command.
    pub fn description(&self) -> &'static str {
        self.command.description()
    }
}

const GLOBAL: Scope = Scope::Global;
const EDITOR: Scope = Scope::Pane(Focus::Editor);
const CATALOG: Scope = Scope::Pane(Focus::Catalog);
const RESULTS: Scope = Scope::Pane(Focus::Results);
const PARTITIONS: Scope = Scope::Pane(Focus::Partitions);

const fn plain(key: Key) -> KeyPress {
    KeyPress::plain(key)
}
const fn ctrl(key: Key) -> KeyPress {
    KeyPress::ctrl(key)
}
const fn alt(key: Key) -> KeyPress {
    KeyPress::alt(key)
}

/// The default keys, most important first within each scope; a footer label marks the key the
/// footer shows for its command.
#[rustfmt::skip]
const DEFAULT_KEYS: &[(Scope, KeyPress, Command, Option<&str>)] = {
    use Command as C;
    use Key::{BackTab, Char, Down, End, Enter, Esc, F, Home, Left, PageDown, PageUp, Right, Tab, Up};
    &[
        (GLOBAL, plain(F(5)), C::run, Some("run")),
        (GLOBAL, ctrl(Enter), C::run, None),
        (GLOBAL, plain(F(6)), C::run_all, None),
        (GLOBAL, alt(Char('u')), C::run_unload, None),
        (GLOBAL, plain(Esc), C::cancel, Some("cancel")),
        (GLOBAL, ctrl(Char('c')), C::cancel, None),
        (GLOBAL, plain(Tab), C::next_pane, None),
        (GLOBAL, plain(BackTab), C::previous_pane, None),
        (GLOBAL, alt(Char('1')), C::focus_catalog, None),
        (GLOBAL, alt(Char('2')), C::focus_editor, None),
        (GLOBAL, alt(Char('3')), C::focus_results, None),
        (GLOBAL, plain(F(1)), C::help, Some("help")),
        (GLOBAL, plain(F(7)), C::ledger, None),
        (GLOBAL, plain(F(8)), C::compare, None),
        (GLOBAL, plain(F(9)), C::switch_engine, None),
        (GLOBAL, ctrl(Char('r')), C::history, Some("history")),
        (GLOBAL, ctrl(Char('o')), C::saved_queries, Some("saved")),
        (GLOBAL, ctrl(Char('s')), C::save, None),
        (GLOBAL, ctrl(Char('q')), C::quit, Some("quit")),
        (EDITOR, ctrl(Char(' ')), C::complete, Some("complete")),
        (EDITOR, alt(Char('f')), C::format, Some("format")),
        (EDITOR, ctrl(Char('f')), C::search, Some("search")),
        (EDITOR, plain(F(3)), C::search_next, None),
        (EDITOR, alt(F(3)), C::search_previous, None),
        (EDITOR, ctrl(Char('g')), C::fix_hint, Some("fix hint")),
        (EDITOR, alt(Char('s')), C::save_named_query, None),
        (EDITOR, alt(Char('p')), C::explain, None),
        (EDITOR, ctrl(Char('e')), C::external_editor, Some("$EDITOR")),
        (EDITOR, ctrl(Char('n')), C::new_tab, None),
        (EDITOR, alt(Right), C::next_tab, None),
        (EDITOR, alt(Left), C::previous_tab, None),
        (EDITOR, ctrl(Char('z')), C::undo, None),
        (EDITOR, ctrl(Char('y')), C::redo, None),
        (CATALOG, plain(Char('?')), C::help, None),
        (CATALOG, plain(Up), C::catalog_up, None),
        (CATALOG, plain(Down), C::catalog_down, None),
        (CATALOG, plain(Char('k')), C::catalog_up, None),
        (CATALOG, plain(Char('j')), C::catalog_down, None),
        (CATALOG, plain(PageUp), C::catalog_page_up, None),
        (CATALOG, plain(PageDown), C::catalog_page_down, None),
        (CATALOG, plain(Right), C::catalog_open, Some("open")),
        (CATALOG, plain(Enter), C::catalog_open, None),
        (CATALOG, plain(Left), C::catalog_close, Some("close")),
        (CATALOG, plain(Char('p')), C::preview, Some("preview")),
        (CATALOG, plain(Char('i')), C::insert_name, Some("insert")),
        (CATALOG, plain(Char('o')), C::partitions, Some("partitions")),
        (CATALOG, plain(Char('/')), C::catalog_filter, Some("filter")),
        (CATALOG, plain(Char('D')), C::doctor, Some("doctor")),
        (PARTITIONS, plain(Char('?')), C::help, None),
        (PARTITIONS, plain(Up), C::partitions_up, None),
        (PARTITIONS, plain(Down), C::partitions_down, None),
        (PARTITIONS, plain(Char('k')), C::partitions_up, None),
        (PARTITIONS, plain(Char('j')), C::partitions_down, None),
        (PARTITIONS, plain(PageUp), C::partitions_page_up, None),
        (PARTITIONS, plain(PageDown), C::partitions_page_down, None),
        (PARTITIONS, plain(Right), C::partitions_open, None),
        (PARTITIONS, plain(Left), C::partitions_close_node, None),
        (PARTITIONS, plain(Enter), C::insert_filter, Some("insert filter")),
        (PARTITIONS, plain(Char(' ')), C::partitions_mark, Some("mark")),
        (PARTITIONS, plain(Char('v')), C::partitions_range, Some("range")),
        (PARTITIONS, plain(Char('t')), C::partitions_view, Some("view")),
        (PARTITIONS, plain(Char('m')), C::calendar_metric, None),
        (PARTITIONS, plain(Char('K')), C::keep_partitions, Some("keep locally")),
        (PARTITIONS, plain(Char('/')), C::partitions_filter, Some("filter")),
        (PARTITIONS, plain(Esc), C::partitions_close, Some("close")),
        (RESULTS, plain(Char('?')), C::help, None),
        (RESULTS, plain(Up), C::results_up, None),
        (RESULTS, plain(Down), C::results_down, None),
        (RESULTS, plain(Left), C::results_left, None),
        (RESULTS, plain(Right), C::results_right, None),
        (RESULTS, plain(PageUp), C::results_page_up, Some("page up")),
        (RESULTS, plain(PageDown), C::results_page_down, Some("page down")),
        (RESULTS, plain(Home), C::results_first, Some("first")),
        (RESULTS, plain(End), C::results_last, None),
        (RESULTS, plain(Enter), C::inspect, Some("inspect")),
        (RESULTS, plain(Char('s')), C::sort, Some("sort")),
        (RESULTS, plain(Char('y')), C::copy_cell, Some("copy")),
        (RESULTS, plain(Char('Y')), C::copy_row, None),
        (RESULTS, plain(Char('c')), C::copy_column, None),
        (RESULTS, plain(Char('e')), C::export, Some("export")),
        (RESULTS, plain(Char('K')), C::keep, Some("keep")),
        (RESULTS, plain(Char('/')), C::results_filter, Some("filter")),
        (RESULTS, plain(Char('n')), C::next_match, None),
        (RESULTS, plain(Char('N')), C::previous_match, None),
        (RESULTS, plain(Char(']')), C::next_result, None),
        (RESULTS, plain(Char('[')), C::previous_result, None),
        (RESULTS, plain(Char('g')), C::chart, Some("chart")),
        (RESULTS, plain(Char('p')), C::plan, None),
        (RESULTS, plain(Char('t')), C::chart_kind, None),
        (RESULTS, plain(Char(' ')), C::chart_mark, None),
        (RESULTS, plain(Char('x')), C::chart_x, None),
        (RESULTS, plain(Char('v')), C::chart_value, None),
        (RESULTS, plain(Char('b')), C::chart_series, None),
    ]
};

/// The default bindings.
pub fn default_bindings() -> Vec<Binding> {
    DEFAULT_KEYS
        .iter()
        .map(|&(scope, press, command, footer)| Binding {
            scope,
            press,
            command,
            footer,
        })
        .collect()
}

/// Every name `[keys]` accepts.
pub fn action_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Command::ALL.iter().map(|c| c.name()).collect();
    names.sort_unstable();
    names
}

/// The bindings with the keys of some commands replaced: each named command gets exactly the
/// given keys, in the scope it had (its first binding's). Two commands on one key in one
/// scope is an error naming both.
pub fn rebind(
    mut bindings: Vec<Binding>,
    overrides: &[(String, Vec<KeyPress>)],
) -> Result<Vec<Binding>, String> {
    for (name, presses) in overrides {
        let Some(command) = Command::from_name(name) else {
            return Err(format!(
                "[keys] {name}: no such action; the actions are {}",
                action_names().join(", ")
            ));
        };
        let template = bindings
            .iter()
            .find(|b| b.command == command)
            .cloned()
            .unwrap_or(Binding {
                scope: Scope::Global,
                press: KeyPress::plain(Key::Esc),
                command,
                footer: None,
            });
        bindings.retain(|b| b.command != command);
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
                a.command.name(),
                b.command.name()
            ));
        }
    }
    Ok(bindings)
}

/// The binding for `press` in pane `focus`: the pane's own first, then the global one.
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
    fn every_command_has_a_unique_name_and_a_default_key() {
        let bindings = default_bindings();
        let mut names = std::collections::HashSet::new();
        for command in Command::ALL {
            assert!(names.insert(command.name()), "{} twice", command.name());
            assert_eq!(Command::from_name(command.name()), Some(*command));
            assert!(
                bindings.iter().any(|b| b.command == *command),
                "{} has no key",
                command.name()
            );
        }
    }

    #[test]
    fn the_names_users_already_wrote_still_work() {
        for name in [
            "run",
            "run_all",
            "cancel",
            "next_pane",
            "help",
            "quit",
            "save",
            "history",
            "saved_queries",
            "complete",
            "external_editor",
            "preview",
            "partitions",
            "insert_filter",
            "fix_hint",
            "ledger",
            "compare",
            "switch_engine",
            "sort",
            "inspect",
            "export",
            "copy_cell",
            "copy_row",
            "copy_column",
        ] {
            assert!(Command::from_name(name).is_some(), "{name}");
        }
        assert!(matches!(
            Command::from_name("copy_row").map(Command::action),
            Some(Action::ResultsCopy(CopyScope::Row))
        ));
    }

    #[test]
    fn rebinding_replaces_an_actions_keys_and_refuses_clashes() {
        let overrides = vec![(
            "run".to_owned(),
            vec![KeyPress::plain(Key::F(10)), KeyPress::ctrl(Key::Char('e'))],
        )];
        let bindings = rebind(default_bindings(), &overrides).unwrap();
        let f10 = lookup(&bindings, Focus::Editor, KeyPress::plain(Key::F(10))).unwrap();
        assert!(matches!(f10.action(), Action::RunQuery));
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
        // Movement keys are commands too: vim users can move the results with other keys.
        let moved = vec![(
            "results_down".to_owned(),
            vec![KeyPress::plain(Key::Char('J'))],
        )];
        let bindings = rebind(default_bindings(), &moved).unwrap();
        let n = lookup(&bindings, Focus::Results, KeyPress::plain(Key::Char('J'))).unwrap();
        assert!(matches!(
            n.action(),
            Action::ResultsMove {
                rows: 1,
                columns: 0
            }
        ));
    }

    #[test]
    fn pane_bindings_win_over_global_ones() {
        let bindings = default_bindings();
        let question = KeyPress::plain(Key::Char('?'));
        assert!(matches!(
            lookup(&bindings, Focus::Catalog, question)
                .unwrap()
                .action(),
            Action::ToggleHelp
        ));
        // In the editor `?` is text, not a binding.
        assert!(lookup(&bindings, Focus::Editor, question).is_none());
        assert!(matches!(
            lookup(&bindings, Focus::Editor, KeyPress::plain(Key::F(5)))
                .unwrap()
                .action(),
            Action::RunQuery
        ));
    }
}
