//! F6 on a buffer of several statements: one result tab per statement, each with its own
//! statistics or error; a failure stops the rest; `]` and `[` switch tabs. The expected rows
//! are the literals each statement selects.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

use crate::common::tui::{app_on, press, render, settle};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use quarry::app::results::CellText;
use quarry::app::{AppState, QueryPhase};
use quarry::tui::App;

fn batch_done(state: &AppState) -> bool {
    state.result_tabs.queue.is_empty() && !state.is_running()
}

fn first_cell(app: &App) -> Option<String> {
    match app.state.results.as_ref()?.cell(0, 0) {
        CellText::Value(v) => Some(v),
        CellText::Null => None,
    }
}

async fn run_all(app: &mut App) {
    settle(app, crate::common::tui::has_tables).await;
    app.key(KeyEvent::new(KeyCode::F(6), KeyModifiers::NONE));
    settle(app, batch_done).await;
}

#[tokio::test]
async fn each_statement_gets_a_tab_with_its_own_rows_and_statistics() {
    let lake = crate::common::small_lake();
    let mut app = app_on(
        lake.path(),
        "test lake",
        "SELECT 'one' AS a;\nSELECT 'two' AS b, 2 AS n;\n\nSELECT count(*) AS c FROM logs",
    );
    run_all(&mut app).await;
    let tabs = &app.state.result_tabs;
    assert_eq!(tabs.tabs.len(), 3);
    assert_eq!(tabs.shown, 2, "the last statement's result is shown");
    let QueryPhase::Finished { stats } = &app.state.phase else {
        panic!("{:?}", app.state.phase)
    };
    assert_eq!(stats.rows, 1);
    assert!(stats.files_scanned > 0, "the third statement read the lake");
    app.key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT));
    press(&mut app, KeyCode::Char(']')); // wraps to the first
    assert_eq!(first_cell(&app).as_deref(), Some("one"));
    let QueryPhase::Finished { stats } = &app.state.phase else {
        panic!()
    };
    assert_eq!(stats.files_scanned, 0, "the first statement read no file");
    press(&mut app, KeyCode::Char(']'));
    assert_eq!(first_cell(&app).as_deref(), Some("two"));
    assert_eq!(app.state.results.as_ref().unwrap().columns(), 2);
    press(&mut app, KeyCode::Char('['));
    press(&mut app, KeyCode::Char('['));
    assert_eq!(app.state.result_tabs.shown, 2);
    let screen = render(&app, 140, 30);
    assert!(screen.contains("✓ 1 SELECT 'one' AS a"), "{screen}");
    assert!(screen.contains("✓ 3 SELECT count(*) AS c FRO…"), "{screen}");
}

#[tokio::test]
async fn a_failing_statement_keeps_its_error_and_stops_the_rest() {
    let lake = crate::common::small_lake();
    let mut app = app_on(
        lake.path(),
        "test lake",
        "SELECT 1 AS a;\nSELECT no_such_column FROM logs;\nSELECT 3 AS c",
    );
    run_all(&mut app).await;
    assert_eq!(app.state.result_tabs.tabs.len(), 2, "the third never ran");
    let QueryPhase::Failed { error, .. } = &app.state.phase else {
        panic!("{:?}", app.state.phase)
    };
    assert!(
        error.message.contains("no_such_column"),
        "{}",
        error.message
    );
    // The error's line is the buffer's (the statement starts on line 2).
    assert_eq!(error.position.map(|p| p.line), Some(2));
    assert!(
        app.state
            .notice
            .as_deref()
            .unwrap()
            .contains("1 after it not run")
    );
    app.key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT));
    press(&mut app, KeyCode::Char('['));
    assert_eq!(first_cell(&app).as_deref(), Some("1"));
    assert!(matches!(app.state.phase, QueryPhase::Finished { .. }));
}

#[tokio::test]
async fn f5_after_the_tabs_shows_one_result_again() {
    let lake = crate::common::small_lake();
    let mut app = app_on(lake.path(), "test lake", "SELECT 1 AS a;\nSELECT 2 AS b");
    run_all(&mut app).await;
    assert_eq!(app.state.result_tabs.tabs.len(), 2);
    crate::common::tui::run_to_finish(&mut app).await;
    assert!(app.state.result_tabs.tabs.is_empty());
}
