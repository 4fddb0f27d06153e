//! Editor tools through the real app: formatting the statement under the cursor (undoable,
//! same meaning) and regex search with next/previous.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

use crate::common::tui::{app_on, ctrl, has_tables, press, run_to_finish, settle};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

#[tokio::test]
async fn alt_f_formats_only_the_statement_under_the_cursor_and_undo_restores_it() {
    let lake = crate::common::small_lake();
    let original = "SELECT 1;\nselect source,count(*) n from logs where year='2023' group by source order by n desc;\nSELECT 3;";
    let mut app = app_on(lake.path(), "test lake", original);
    settle(&mut app, has_tables).await;
    press(&mut app, KeyCode::Down);
    app.key(KeyEvent::new(KeyCode::Char('f'), KeyModifiers::ALT));
    let text = app.state.editor.buffer().text();
    let statements: Vec<&str> = text.split(';').map(str::trim).collect();
    assert_eq!(statements[0], "SELECT 1");
    assert_eq!(statements[2], "SELECT 3");
    assert!(statements[1].lines().count() > 3, "{text}");
    let parse = |sql: &str| Parser::parse_sql(&GenericDialect {}, sql).unwrap();
    assert_eq!(
        parse(statements[1]),
        parse(original.split(';').nth(1).unwrap())
    );
    // The formatted statement still runs.
    run_to_finish(&mut app).await;
    let formatted = app.state.editor.buffer().text();
    ctrl(&mut app, 'z');
    assert_eq!(
        app.state.editor.buffer().text(),
        original,
        "one undo takes it all back"
    );
    ctrl(&mut app, 'y');
    assert_eq!(
        app.state.editor.buffer().text(),
        formatted,
        "one redo brings it back"
    );
}

#[tokio::test]
async fn ctrl_f_finds_a_pattern_and_f3_walks_the_matches() {
    let lake = crate::common::small_lake();
    let text = "SELECT l.source\nFROM logs l\nJOIN sources s ON l.source = s.source";
    let mut app = app_on(lake.path(), "test lake", text);
    ctrl(&mut app, 'f');
    app.type_text("source");
    press(&mut app, KeyCode::Enter);
    let at = |app: &quarry::tui::App| {
        let c = app.state.editor.buffer().cursor();
        (c.line, c.column)
    };
    assert_eq!(at(&app), (1, 10));
    press(&mut app, KeyCode::F(3));
    assert_eq!(at(&app), (3, 6), "\"sources\" matches too");
    press(&mut app, KeyCode::F(3));
    assert_eq!(at(&app), (3, 21));
    app.key(KeyEvent::new(KeyCode::F(3), KeyModifiers::ALT));
    assert_eq!(at(&app), (3, 6));
    ctrl(&mut app, 'f');
    for _ in 0.."source".len() {
        press(&mut app, KeyCode::Backspace);
    }
    app.type_text("(unclosed");
    press(&mut app, KeyCode::Enter);
    assert!(
        app.state
            .notice
            .as_deref()
            .unwrap()
            .contains("not a regular expression"),
        "{:?}",
        app.state.notice
    );
    assert_eq!(app.state.editor.buffer().text(), text);
}
