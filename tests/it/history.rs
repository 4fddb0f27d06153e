//! History and saved queries through the real app: runs are recorded to the history file, the
//! overlays search them, and Enter opens the SQL in a new tab.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

use crate::common::tui::{app_with_files, ctrl, has_tables, press, render, settle};
use crossterm::event::KeyCode;
use quarry::app::QueryPhase;
use quarry::session::SessionFiles;
use quarry::tui::App;

async fn run(app: &mut App, sql: &str) {
    ctrl(app, 'n');
    app.type_text(sql);
    press(app, KeyCode::F(5));
    settle(app, |s| !s.is_running()).await;
}

/// History lines are appended by a background task: wait (10 s at most) until `n` are there.
async fn wait_for_history_lines(path: &std::path::Path, n: usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !std::fs::read_to_string(path).is_ok_and(|t| t.lines().count() == n) {
        assert!(
            std::time::Instant::now() < deadline,
            "history never had {n} lines"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn runs_are_recorded_searched_and_reopened() {
    let lake = crate::common::small_lake();
    let data = tempfile::tempdir().unwrap();
    let files = SessionFiles::under(data.path());
    let mut app = app_with_files(lake.path(), "test lake", "", Some(files.clone()));
    settle(&mut app, has_tables).await;
    run(&mut app, "SELECT count(*) AS n FROM logs").await;
    run(&mut app, "SELECT levell FROM logs").await;
    assert!(matches!(app.state.phase, QueryPhase::Failed { .. }));
    wait_for_history_lines(&files.history, 2).await;
    ctrl(&mut app, 'r');
    settle(&mut app, |s| s.picker().is_some_and(|p| p.items.is_some())).await;
    let picker = app.state.picker().unwrap();
    let titles: Vec<&str> = picker.matching().iter().map(|i| i.title.as_str()).collect();
    assert_eq!(
        titles,
        ["SELECT levell FROM logs", "SELECT count(*) AS n FROM logs"]
    );
    let details: Vec<&str> = picker
        .matching()
        .iter()
        .map(|i| i.detail.as_str())
        .collect();
    assert!(
        details[0].contains("failed") && details[0].contains("levell"),
        "{details:?}"
    );
    assert!(
        details[1].contains("succeeded") && details[1].contains("1 rows"),
        "{details:?}"
    );
    app.type_text("count");
    assert_eq!(app.state.picker().unwrap().matching().len(), 1);
    let screen = render(&app, 120, 30);
    assert!(
        screen.contains("History") && screen.contains("1 of 2"),
        "{screen}"
    );
    let tabs = app.state.editor.buffers.len();
    press(&mut app, KeyCode::Enter);
    assert!(app.state.picker().is_none());
    assert_eq!(app.state.editor.buffers.len(), tabs + 1);
    assert_eq!(
        app.state.editor.buffer().text(),
        "SELECT count(*) AS n FROM logs"
    );
}

#[tokio::test]
async fn every_shipped_saved_query_runs_on_the_demo_lake() {
    let lake = crate::common::small_lake();
    let data = tempfile::tempdir().unwrap();
    let files = SessionFiles::under(data.path());
    std::fs::create_dir_all(&files.queries).unwrap();
    std::fs::write(
        files.queries.join("mine.sql"),
        "-- name: Mine\nSELECT 1 AS one\n",
    )
    .unwrap();
    let mut app = app_with_files(lake.path(), "test lake", "", Some(files.clone()));
    settle(&mut app, has_tables).await;
    ctrl(&mut app, 'o');
    settle(&mut app, |s| s.picker().is_some_and(|p| p.items.is_some())).await;
    let count = app.state.picker().unwrap().matching().len();
    assert_eq!(count, 5, "the user's query and the four examples");
    press(&mut app, KeyCode::Esc);
    for index in 0..count {
        ctrl(&mut app, 'o');
        settle(&mut app, |s| s.picker().is_some_and(|p| p.items.is_some())).await;
        for _ in 0..index {
            press(&mut app, KeyCode::Down);
        }
        let title = app.state.picker().unwrap().current().unwrap().title.clone();
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::F(6)); // the whole buffer
        // Parameterised examples ask for the month the small lake holds.
        while let Some(prompt) = app.state.prompt() {
            let value = if prompt.label.starts_with(":year") {
                "'2023'"
            } else {
                "'01'"
            };
            app.type_text(value);
            press(&mut app, KeyCode::Enter);
        }
        settle(&mut app, |s| !s.is_running()).await;
        assert!(
            matches!(app.state.phase, QueryPhase::Finished { .. }),
            "{title}: {:?}",
            app.state.phase
        );
    }
    // The user's own query opened with its file, so Ctrl-S writes it back.
    assert_eq!(
        app.state.editor.buffers[1].path.as_deref(),
        Some(files.queries.join("mine.sql").as_path())
    );
}
