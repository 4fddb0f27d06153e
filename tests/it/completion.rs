//! Completion in the real app: the popup offers the columns of the table behind an alias,
//! loads them when the catalog has not yet, and Tab replaces the typed word.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

use crate::common::tui::{app_on, has_tables, press, render, run_to_finish, settle};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use quarry::app::AppState;

fn offered(state: &AppState) -> Vec<String> {
    state
        .completion
        .as_ref()
        .map(|c| c.candidates.iter().map(|c| c.text.clone()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn an_alias_offers_its_tables_columns_even_before_they_are_loaded() {
    let lake = crate::common::small_lake();
    let mut app = app_on(
        lake.path(),
        "test lake",
        "SELECT \nFROM logs l JOIN sources s ON l.source = s.source",
    );
    settle(&mut app, has_tables).await;
    press(&mut app, KeyCode::End); // after "SELECT "
    app.type_text("l.");
    // logs' columns were never opened in the catalog: completion asks for them.
    settle(&mut app, |s| offered(s).contains(&"message".to_owned())).await;
    assert_eq!(
        offered(&app.state),
        [
            "day",
            "logtype",
            "message",
            "month",
            "source",
            "timestamp",
            "year"
        ]
    );
    app.type_text("me");
    assert_eq!(offered(&app.state), ["message"]);
    press(&mut app, KeyCode::Tab);
    assert!(app.state.completion.is_none());
    app.type_text(", s.t");
    settle(&mut app, |s| offered(s).len() == 2).await;
    assert_eq!(offered(&app.state), ["team", "tier"]);
    press(&mut app, KeyCode::Down); // tier
    press(&mut app, KeyCode::Tab);
    assert_eq!(
        app.state.editor.buffer().text(),
        "SELECT l.message, s.tier\nFROM logs l JOIN sources s ON l.source = s.source"
    );
    run_to_finish(&mut app).await;
    assert_eq!(
        app.state.results.as_ref().unwrap().rows,
        u64::from(crate::common::DAYS * crate::common::ROWS_PER_DAY) as usize
    );
}

#[tokio::test]
async fn keywords_and_functions_complete_and_esc_or_a_space_closes_the_popup() {
    let lake = crate::common::small_lake();
    let mut app = app_on(lake.path(), "test lake", "");
    settle(&mut app, has_tables).await;
    app.type_text("SEL");
    assert_eq!(offered(&app.state), ["SELECT"]);
    press(&mut app, KeyCode::Esc);
    assert!(app.state.completion.is_none());
    app.type_text("ECT approx_dis");
    // The engine's own function list, not a hand-kept one.
    assert!(
        offered(&app.state).contains(&"approx_distinct".to_owned()),
        "{:?}",
        offered(&app.state)
    );
    app.type_text(" ");
    assert!(app.state.completion.is_none());
    // Ctrl-Space opens it on an empty word.
    app.key(KeyEvent::new(KeyCode::Char(' '), KeyModifiers::CONTROL));
    assert!(offered(&app.state).len() > 20);
    assert_eq!(app.state.editor.buffer().text(), "SELECT approx_dis ");
}

#[tokio::test]
async fn the_popup_is_drawn_under_the_cursor() {
    let lake = crate::common::small_lake();
    let mut app = app_on(lake.path(), "test lake", "SELECT \nFROM logs AS l");
    settle(&mut app, has_tables).await;
    press(&mut app, KeyCode::End);
    app.type_text("l.");
    settle(&mut app, |s| offered(s).len() == 7).await;
    app.type_text("m");
    insta::assert_snapshot!("completion_popup", render(&app, 100, 24));
}
