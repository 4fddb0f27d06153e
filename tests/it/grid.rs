//! The results grid's tools through the real app: sort, inspector, copy, export, and saving a
//! buffer with Ctrl-S.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

use std::sync::{Arc, Mutex};

use crate::common::tui::{app_on, ctrl, has_tables, press, render, run_to_finish, settle};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use quarry::app::Focus;
use quarry::app::results::CellText;
use quarry::tui::{App, Clipboard};

async fn run_to_results(app: &mut App) {
    settle(app, has_tables).await;
    run_to_finish(app).await;
    app.key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT));
    assert_eq!(app.state.focus, Focus::Results);
}

fn column_values(app: &App, column: usize) -> Vec<String> {
    let grid = app.state.results.as_ref().unwrap();
    (0..grid.rows)
        .map(|row| match grid.cell(row, column) {
            CellText::Value(v) => v,
            CellText::Null => "NULL".to_owned(),
        })
        .collect()
}

/// Replaces the prompt's suggested text with `text` and confirms, as a user would.
fn answer_prompt(app: &mut App, text: &str) {
    let suggested = app.state.prompt().unwrap().text.chars().count();
    for _ in 0..suggested {
        press(app, KeyCode::Backspace);
    }
    app.type_text(text);
    press(app, KeyCode::Enter);
}

#[tokio::test]
async fn s_sorts_ascending_then_descending_then_restores_the_query_order() {
    let lake = crate::common::small_lake();
    let mut app = app_on(
        lake.path(),
        "test lake",
        "SELECT source, count(*) AS n FROM logs GROUP BY source ORDER BY source",
    );
    run_to_results(&mut app).await;
    let original = column_values(&app, 1);
    let numbers = |app: &App| -> Vec<u64> {
        column_values(app, 1)
            .iter()
            .map(|v| v.parse().unwrap())
            .collect()
    };
    let mut expected: Vec<u64> = original.iter().map(|v| v.parse().unwrap()).collect();
    expected.sort_unstable();
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Char('s'));
    settle(&mut app, |s| s.results.as_ref().unwrap().sorting.is_none()).await;
    assert_eq!(numbers(&app), expected);
    assert!(render(&app, 120, 30).contains("n ▲"));
    press(&mut app, KeyCode::Char('s'));
    settle(&mut app, |s| s.results.as_ref().unwrap().sorting.is_none()).await;
    expected.reverse();
    assert_eq!(numbers(&app), expected);
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(column_values(&app, 1), original);
}

#[tokio::test]
async fn the_inspector_pretty_prints_json_and_escapes_control_characters() {
    let lake = crate::common::small_lake();
    let mut app = app_on(
        lake.path(),
        "test lake",
        r#"SELECT '{"service":"api","tags":["a","b"]}' AS payload, concat('red', chr(27), '[31m!') AS evil"#,
    );
    run_to_results(&mut app).await;
    press(&mut app, KeyCode::Enter);
    let inspector = app.state.inspector().unwrap();
    assert_eq!(
        inspector.text,
        "{\n  \"service\": \"api\",\n  \"tags\": [\n    \"a\",\n    \"b\"\n  ]\n}"
    );
    press(&mut app, KeyCode::Esc);
    assert!(app.state.inspector().is_none());
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Enter);
    let screen = render(&app, 100, 30);
    assert!(!screen.contains('\u{1b}'), "raw escape on screen");
    assert!(
        screen.contains("red\\u{1b}[31m!") || screen.contains("red\\x1b[31m!"),
        "{screen}"
    );
}

#[tokio::test]
async fn y_copies_a_cell_and_c_a_column_through_the_clipboard() {
    let lake = crate::common::small_lake();
    let copies: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut app = app_on(
        lake.path(),
        "test lake",
        "SELECT source, count(*) AS n FROM logs GROUP BY source ORDER BY source",
    );
    app.set_clipboard(Clipboard::Memory(Arc::clone(&copies)));
    run_to_results(&mut app).await;
    let sources = column_values(&app, 0);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('y'));
    settle(&mut app, |s| {
        s.notice.as_deref().is_some_and(|n| n.starts_with("copied"))
    })
    .await;
    press(&mut app, KeyCode::Char('c'));
    app.state.notice = None;
    settle(&mut app, |s| s.notice.is_some()).await;
    let copies = copies.lock().unwrap();
    assert_eq!(copies[0], sources[1]);
    assert_eq!(copies[1], format!("source\n{}", sources.join("\n")));
}

#[tokio::test]
async fn e_exports_the_sorted_rows_to_parquet_and_csv_in_the_background() {
    let lake = crate::common::small_lake();
    let out = tempfile::tempdir().unwrap();
    let mut app = app_on(
        lake.path(),
        "test lake",
        "SELECT source, count(*) AS n FROM logs GROUP BY source",
    );
    run_to_results(&mut app).await;
    press(&mut app, KeyCode::Char('s')); // by source, ascending
    settle(&mut app, |s| s.results.as_ref().unwrap().sorting.is_none()).await;
    let shown = column_values(&app, 0);
    for name in ["rows.parquet", "rows.csv"] {
        press(&mut app, KeyCode::Char('e'));
        answer_prompt(&mut app, &out.path().join(name).display().to_string());
        settle(&mut app, |s| s.export.is_none()).await;
        assert!(
            app.state.notice.as_deref().unwrap().starts_with("exported"),
            "{:?}",
            app.state.notice
        );
    }
    let from_parquet: Vec<String> =
        crate::common::string_column(&out.path().join("rows.parquet"), "source");
    assert_eq!(from_parquet, shown);
    let csv = std::fs::read_to_string(out.path().join("rows.csv")).unwrap();
    let first_fields: Vec<&str> = csv.lines().map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(first_fields[0], "source");
    assert_eq!(
        first_fields[1..],
        shown.iter().map(String::as_str).collect::<Vec<_>>()[..]
    );
    // No leftover partial files.
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 2);
}

#[tokio::test]
async fn ctrl_s_saves_a_new_buffer_with_a_header_then_writes_in_place() {
    let lake = crate::common::small_lake();
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_on(lake.path(), "test lake", "SELECT 1");
    app.state.user_queries_dir = dir.path().to_path_buf();
    ctrl(&mut app, 's');
    let suggested = app.state.prompt().unwrap().text.clone();
    assert_eq!(
        suggested,
        dir.path().join("query-1.sql").display().to_string()
    );
    answer_prompt(
        &mut app,
        &dir.path().join("answer.sql").display().to_string(),
    );
    settle(&mut app, |s| {
        s.notice.as_deref().is_some_and(|n| n.starts_with("saved"))
    })
    .await;
    let path = dir.path().join("answer.sql");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "-- name: answer\n-- description: \nSELECT 1\n"
    );
    assert!(!app.state.editor.buffer().modified());
    // The header went above the cursor: it is still on "SELECT 1".
    assert_eq!(app.state.editor.buffer().cursor().line, 3);
    press(&mut app, KeyCode::End);
    app.type_text(" + 1");
    assert!(app.state.editor.buffer().modified());
    assert!(render(&app, 100, 24).contains("answer ●"));
    app.state.notice = None;
    ctrl(&mut app, 's');
    assert!(
        app.state.prompt().is_none(),
        "a buffer with a file saves in place"
    );
    settle(&mut app, |s| s.notice.is_some()).await;
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .ends_with("SELECT 1 + 1\n")
    );
}

#[tokio::test]
async fn cells_read_as_the_athena_console_prints_them() {
    let lake = crate::common::small_lake();
    let mut app = app_on(
        lake.path(),
        "test lake",
        "SELECT map(ARRAY['a', 'b'], ARRAY[1, 2]) AS m, ARRAY[1, NULL] AS l, \
         TIMESTAMP '2024-02-26 10:11:12.345' AS t, CAST(1e7 AS DOUBLE) AS d, 0.25E0 AS q, \
         count(*) * 100.0 / 7 AS share FROM logs",
    );
    run_to_results(&mut app).await;
    let row: Vec<String> = (0..6).map(|c| column_values(&app, c)[0].clone()).collect();
    assert_eq!(
        row,
        [
            "{a=1, b=2}",
            "[1, null]",
            "2024-02-26 10:11:12.345",
            "1.0E7",
            "0.25",
            // 9,000 rows × 100.0 / 7, to one digit as Trino's decimal division keeps it.
            "128571.4",
        ]
    );
}
