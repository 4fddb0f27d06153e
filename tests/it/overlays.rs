//! One overlay at a time, and text that arrives from outside the keymap (a paste, `$EDITOR`)
//! going through `update` like typing: on the headless app with the real keymap and effects.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

use crossterm::event::KeyCode;
use quarry::app::{Action, Overlay};
use quarry::tui::App;

use crate::common::tui::{app_on, app_with_hints, ctrl, press, render, run_to_finish, settle};

/// Which overlay is open, by name, for readable assertions.
fn overlay(app: &App) -> &'static str {
    match app.state.overlay() {
        None => "none",
        Some(Overlay::Help { .. }) => "help",
        Some(Overlay::Inspector(_)) => "inspector",
        Some(Overlay::Plan(_)) => "plan",
        Some(Overlay::Doctor(_)) => "doctor",
        Some(Overlay::Picker(_)) => "picker",
        Some(Overlay::Ledger(_)) => "ledger",
        Some(Overlay::Comparison(_)) => "comparison",
        Some(Overlay::Confirmation(_)) => "confirmation",
        Some(Overlay::Prompt(_)) => "prompt",
    }
}

#[tokio::test]
async fn an_overlay_opened_over_another_replaces_it_and_esc_closes_what_is_seen() {
    let lake = crate::common::small_lake();
    let mut app = app_on(lake.path(), "test lake", "SELECT 1 AS one");
    // F1 then F7: the ledger takes the help's place (it used to open under the help, and Esc
    // then closed the invisible ledger).
    press(&mut app, KeyCode::F(1));
    assert_eq!(overlay(&app), "help");
    press(&mut app, KeyCode::F(7));
    assert_eq!(overlay(&app), "ledger");
    settle(&mut app, |s| {
        matches!(s.overlay(), Some(Overlay::Ledger(Some(_))))
    })
    .await;
    let shown = render(&app, 80, 24);
    assert!(shown.contains("Cost ledger"), "{shown}");
    assert!(!shown.contains("Keys ·"), "the help is gone: {shown}");
    press(&mut app, KeyCode::Esc);
    assert_eq!(overlay(&app), "none");
    let shown = render(&app, 80, 24);
    assert!(
        !shown.contains("Cost ledger") && !shown.contains("Keys ·"),
        "{shown}"
    );

    // Ledger → help → history: each replaces the last; Esc closes the one on top, and nothing
    // is left underneath.
    press(&mut app, KeyCode::F(7));
    press(&mut app, KeyCode::F(1));
    assert_eq!(overlay(&app), "help");
    ctrl(&mut app, 'r');
    assert_eq!(overlay(&app), "picker");
    assert!(render(&app, 80, 24).contains("History"));
    // From the history, Ctrl-O shows the saved queries in its place, and F1 the help.
    ctrl(&mut app, 'o');
    assert_eq!(overlay(&app), "picker");
    let shown = render(&app, 80, 24);
    assert!(
        shown.contains("Saved queries ·") && !shown.contains("History ·"),
        "{shown}"
    );
    press(&mut app, KeyCode::F(1));
    assert_eq!(overlay(&app), "help");
    press(&mut app, KeyCode::Esc);
    assert_eq!(overlay(&app), "none");

    // A key the help does not use closes it and does nothing behind it: F5 runs nothing.
    press(&mut app, KeyCode::F(1));
    press(&mut app, KeyCode::F(5));
    assert_eq!(overlay(&app), "none");
    assert!(!app.state.is_running(), "F5 acted behind the help");

    // A prompt takes every key: F1 neither opens the help nor leaves the prompt.
    ctrl(&mut app, 'f');
    assert_eq!(overlay(&app), "prompt");
    press(&mut app, KeyCode::F(1));
    assert_eq!(overlay(&app), "prompt");
    press(&mut app, KeyCode::Esc);
    assert_eq!(overlay(&app), "none");

    // The cell inspector gives way to the ledger the same way.
    run_to_finish(&mut app).await;
    app.dispatch(Action::Focus(quarry::app::Focus::Results));
    press(&mut app, KeyCode::Enter);
    assert_eq!(overlay(&app), "inspector");
    press(&mut app, KeyCode::F(7));
    assert_eq!(overlay(&app), "ledger");
    press(&mut app, KeyCode::F(7));
    assert_eq!(overlay(&app), "none");
}

/// The `year=…/month=…/day=…` values of the lake's first day partition, read from its folders.
fn first_day(lake: &std::path::Path) -> (String, String, String) {
    let first = |dir: &std::path::Path, key: &str| -> String {
        let mut values: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                let name = e.unwrap().file_name().to_string_lossy().into_owned();
                name.strip_prefix(&format!("{key}=")).map(str::to_owned)
            })
            .collect();
        values.sort();
        values.remove(0)
    };
    let table = lake.join("logs_db/logs");
    let year = first(&table, "year");
    let month = first(&table.join(format!("year={year}")), "month");
    let day = first(&table.join(format!("year={year}/month={month}")), "day");
    (year, month, day)
}

/// Waits until the estimate is for SQL that does or does not contain `WHERE`, and gives its
/// partition counts: the old estimate must not pass for the new text's.
async fn estimate_for(app: &mut App, filtered: bool) -> (u64, u64) {
    settle(app, |s| {
        s.hints
            .current
            .as_ref()
            .is_some_and(|(statement, _)| statement.sql.contains("WHERE") == filtered)
    })
    .await;
    let (_, explanation) = app.state.hints.current.as_ref().unwrap();
    (explanation.partitions_matched, explanation.partitions_total)
}

#[tokio::test]
async fn an_editor_that_removes_the_filter_refreshes_the_estimate() {
    let lake = crate::common::small_lake();
    let (year, month, day) = first_day(lake.path());
    let sql = format!(
        "SELECT count(*) AS n\nFROM logs\nWHERE year = '{year}' AND month = '{month}' AND day = '{day}'"
    );
    let mut app = app_with_hints(lake.path(), "test lake", &sql);
    let days = u64::from(crate::common::DAYS);
    assert_eq!(estimate_for(&mut app, true).await, (1, days));

    // Ctrl-E asks the runtime to run the editor; the event loop hands it the same text.
    ctrl(&mut app, 'e');
    let (buffer, text) = app
        .take_external_edit()
        .expect("Ctrl-E asks for the editor");
    assert_eq!(buffer, 0);
    assert_eq!(text, format!("{sql}\n"));
    // A real editor process, as the event loop runs it: sed deletes the WHERE line.
    let outcome = quarry::tui::external::run_editor("sed -i '/WHERE/d'", &text);
    app.dispatch(Action::EditedExternally { buffer, outcome });
    assert_eq!(
        app.state.editor.buffer().text(),
        "SELECT count(*) AS n\nFROM logs"
    );
    assert!(
        app.state
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("Ctrl-Z undoes")),
        "{:?}",
        app.state.notice
    );
    // The estimate is for the new text: every partition, as the folders count them.
    assert_eq!(estimate_for(&mut app, false).await, (days, days));
    let shown = render(&app, 160, 40);
    assert!(
        shown.contains(&format!("{days} of {days} partitions")),
        "{shown}"
    );
    // One undo brings the filter back, and the estimate with it.
    ctrl(&mut app, 'z');
    assert_eq!(app.state.editor.buffer().text(), sql);
    assert_eq!(estimate_for(&mut app, true).await, (1, days));

    // An editor that fails leaves the buffer as it was and says why.
    ctrl(&mut app, 'e');
    let (buffer, text) = app.take_external_edit().unwrap();
    let outcome = quarry::tui::external::run_editor("false", &text);
    app.dispatch(Action::EditedExternally { buffer, outcome });
    assert_eq!(app.state.editor.buffer().text(), sql);
    assert!(
        app.state
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("unchanged")),
        "{:?}",
        app.state.notice
    );
}

#[tokio::test]
async fn a_paste_goes_where_typing_would_and_refreshes_the_estimate() {
    let lake = crate::common::small_lake();
    let (year, _, _) = first_day(lake.path());
    let mut app = app_with_hints(lake.path(), "test lake", "");
    // Into the editor, as one undoable insertion, line endings made Unix.
    app.dispatch(Action::Paste(format!(
        "SELECT count(*)\r\nFROM logs\r\nWHERE year = '{year}'"
    )));
    assert_eq!(
        app.state.editor.buffer().text(),
        format!("SELECT count(*)\nFROM logs\nWHERE year = '{year}'")
    );
    let days = u64::from(crate::common::DAYS);
    let (matched, total) = estimate_for(&mut app, true).await;
    assert_eq!(total, days);
    assert!(matched >= 1 && matched <= days, "{matched}");
    ctrl(&mut app, 'z');
    assert_eq!(app.state.editor.buffer().text(), "");

    // Into the open prompt, on one line, and not into the editor behind it.
    ctrl(&mut app, 'f');
    app.dispatch(Action::Paste("err\nor".to_owned()));
    assert_eq!(app.state.prompt().unwrap().text, "err or");
    assert_eq!(app.state.editor.buffer().text(), "");
    press(&mut app, KeyCode::Esc);

    // Over the help, nothing: the overlay on top takes input, and it takes no text.
    press(&mut app, KeyCode::F(1));
    app.dispatch(Action::Paste("SELECT 2".to_owned()));
    assert_eq!(app.state.editor.buffer().text(), "");
}

#[tokio::test]
async fn every_bindable_command_is_in_the_help_with_its_keys() {
    let lake = crate::common::small_lake();
    let mut app = app_on(lake.path(), "test lake", "SELECT 1");
    press(&mut app, KeyCode::F(1));
    let shown = render(&app, 160, 120);
    for command in quarry::app::bindings::Command::ALL {
        let bindings: Vec<_> = app
            .bindings()
            .iter()
            .filter(|b| b.command == *command)
            .collect();
        assert!(!bindings.is_empty(), "{} has no key", command.name());
        // One help line per pane it is bound in: its keys, then what it does.
        let mut scopes = Vec::new();
        for binding in &bindings {
            if !scopes.contains(&binding.scope) {
                scopes.push(binding.scope);
            }
        }
        for scope in scopes {
            let keys: Vec<String> = bindings
                .iter()
                .filter(|b| b.scope == scope)
                .map(|b| b.press.to_string())
                .collect();
            let entry = format!("{:<16}{}", keys.join(" / "), command.description());
            assert!(
                shown.contains(&format!("  {entry}")),
                "{} ({scope:?}) is not in the help as {entry:?}:\n{shown}",
                command.name()
            );
        }
    }
}
