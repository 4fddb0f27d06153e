//! `/` in the results: rows filtered off the UI thread, "n of N", `n`/`N` between matching
//! cells, and sort, copy and export working on the rows the filter keeps. Expected rows are
//! worked out by hand from the literal rows each query returns.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

use std::sync::{Arc, Mutex};

use crate::common::tui::{app_on, press, render, run_to_finish, settle};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use quarry::app::results::CellText;
use quarry::app::{AppState, Focus};
use quarry::tui::{App, Clipboard};

/// Eight log lines with their status and latency.
const ROWS: &str = "SELECT * FROM (VALUES
    (1, 'GET /api/users', 200, 12.5),
    (2, 'POST /api/login', 401, 3.0),
    (3, 'GET /health', 200, 0.5),
    (4, 'Timeout talking to db', 504, 30000.0),
    (5, 'GET /api/orders', 500, 250.25),
    (6, 'timeout reading body', 408, 10000.0),
    (7, 'GET /API/legacy', 301, 1.0),
    (8, NULL, 200, 2.0)
) AS t(id, message, status, latency_ms)";

async fn results_of(sql: &str) -> App {
    let lake = crate::common::small_lake();
    let mut app = app_on(lake.path(), "test lake", sql);
    run_to_finish(&mut app).await;
    app.key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::ALT));
    assert_eq!(app.state.focus, Focus::Results);
    // The lake's folder may go: the rows are in memory.
    std::mem::forget(lake);
    app
}

fn filter_settled(state: &AppState) -> bool {
    state
        .results
        .as_ref()
        .is_some_and(|g| g.filter.pending.is_none())
}

/// Types `/pattern` and Enter, and waits for the rows.
async fn filter(app: &mut App, pattern: &str) {
    press(app, KeyCode::Char('/'));
    let typed = app
        .state
        .results
        .as_ref()
        .unwrap()
        .filter
        .text
        .chars()
        .count();
    for _ in 0..typed {
        press(app, KeyCode::Backspace);
    }
    app.type_text(pattern);
    press(app, KeyCode::Enter);
    settle(app, filter_settled).await;
}

fn ids(app: &App) -> Vec<i64> {
    let grid = app.state.results.as_ref().unwrap();
    (0..grid.rows)
        .map(|row| match grid.cell(row, 0) {
            CellText::Value(v) => v.parse().unwrap(),
            CellText::Null => panic!("id is never NULL"),
        })
        .collect()
}

#[tokio::test]
async fn a_substring_is_smart_case_across_every_column() {
    let mut app = results_of(ROWS).await;
    filter(&mut app, "timeout").await;
    assert_eq!(ids(&app), [4, 6]); // lower case: either case matches
    filter(&mut app, "Timeout").await;
    assert_eq!(ids(&app), [4]); // a capital: exact case
    filter(&mut app, "api").await;
    assert_eq!(ids(&app), [1, 2, 5, 7]);
    // Numbers are searched as shown: the decimal 30000.0 reads "30000.00".
    filter(&mut app, "00.0").await;
    assert_eq!(ids(&app), [4, 6]);
    let screen = render(&app, 120, 20);
    assert!(screen.contains("2 of 8 rows match"), "{screen}");
}

#[tokio::test]
async fn a_column_prefix_scopes_and_slashes_make_a_regex() {
    let mut app = results_of(ROWS).await;
    filter(&mut app, "status:200").await;
    assert_eq!(ids(&app), [1, 3, 8]);
    filter(&mut app, "status:/^5\\d\\d$/").await;
    assert_eq!(ids(&app), [4, 5]);
    filter(&mut app, "/^get .*(users|orders)$/").await;
    assert_eq!(ids(&app), [1, 5]);
    // Not a column name: the colon is part of the text looked for.
    filter(&mut app, "GET:").await;
    assert!(ids(&app).is_empty());
    assert!(render(&app, 120, 20).contains("0 of 8 rows match"));
}

#[tokio::test]
async fn a_bad_regex_says_why_and_keeps_the_rows() {
    let mut app = results_of(ROWS).await;
    filter(&mut app, "/(unclosed/").await;
    let grid = app.state.results.as_ref().unwrap();
    assert!(grid.filter.error.is_some());
    assert_eq!(grid.rows, 8);
    let screen = render(&app, 120, 30);
    assert!(screen.contains("not a pattern"), "{screen}");
}

#[tokio::test]
async fn esc_clears_the_filter_and_every_row_returns() {
    let mut app = results_of(ROWS).await;
    filter(&mut app, "api").await;
    assert_eq!(app.state.results.as_ref().unwrap().rows, 4);
    press(&mut app, KeyCode::Char('/'));
    press(&mut app, KeyCode::Esc);
    settle(&mut app, filter_settled).await;
    assert_eq!(ids(&app), [1, 2, 3, 4, 5, 6, 7, 8]);
}

#[tokio::test]
async fn n_and_capital_n_move_between_matching_cells() {
    let mut app = results_of(ROWS).await;
    filter(&mut app, "/^(200|GET /health)$/").await;
    assert_eq!(ids(&app), [1, 3, 8]);
    let at = |app: &App| {
        let grid = app.state.results.as_ref().unwrap();
        (grid.row, grid.column)
    };
    // Cursor at (0, 0); matches: (0, status), (1, message), (1, status), (2, status).
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(at(&app), (0, 2));
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(at(&app), (1, 1));
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(at(&app), (1, 2));
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(at(&app), (2, 2));
    press(&mut app, KeyCode::Char('n')); // wraps
    assert_eq!(at(&app), (0, 2));
    press(&mut app, KeyCode::Char('N')); // wraps back
    assert_eq!(at(&app), (2, 2));
}

#[tokio::test]
async fn sort_copy_and_export_see_only_the_filtered_rows() {
    let copies: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut app = results_of(ROWS).await;
    app.set_clipboard(Clipboard::Memory(Arc::clone(&copies)));
    filter(&mut app, "/^(GET|POST)/").await;
    assert_eq!(ids(&app), [1, 2, 3, 5, 7]);
    // Sort by latency, descending: 250.25, 12.5, 3.0, 1.0, 0.5.
    for _ in 0..3 {
        press(&mut app, KeyCode::Right);
    }
    press(&mut app, KeyCode::Char('s'));
    settle(&mut app, |s| {
        s.results.as_ref().unwrap().sorting.is_none() && filter_settled(s)
    })
    .await;
    press(&mut app, KeyCode::Char('s'));
    settle(&mut app, |s| {
        s.results.as_ref().unwrap().sorting.is_none() && filter_settled(s)
    })
    .await;
    assert_eq!(ids(&app), [5, 1, 2, 7, 3]);
    // Filtering again keeps the sort.
    filter(&mut app, "GET").await;
    assert_eq!(ids(&app), [5, 1, 7, 3]);
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Char('c'));
    settle(&mut app, |s| s.notice.is_some()).await;
    assert_eq!(
        copies.lock().unwrap()[0],
        "message\nGET /api/orders\nGET /api/users\nGET /API/legacy\nGET /health"
    );
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("filtered.csv");
    press(&mut app, KeyCode::Char('e'));
    let suggested = app.state.prompt().unwrap().text.chars().count();
    for _ in 0..suggested {
        press(&mut app, KeyCode::Backspace);
    }
    app.type_text(&path.display().to_string());
    press(&mut app, KeyCode::Enter);
    settle(&mut app, |s| s.export.is_none()).await;
    let csv = std::fs::read_to_string(&path).unwrap();
    let first: Vec<&str> = csv.lines().map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(first, ["id", "5", "1", "7", "3"]);
}

#[tokio::test]
async fn ten_thousand_rows_filter_to_the_counts_worked_out_by_hand() {
    // x from 1 to 10,000; tag 'seven' on multiples of 7: 1,428 of them.
    let mut app = results_of(
        "SELECT x, CASE WHEN x % 7 = 0 THEN 'seven' ELSE 'other' END AS tag \
         FROM UNNEST(sequence(1, 10000)) AS t(x) ORDER BY x",
    )
    .await;
    settle(&mut app, |s| {
        s.results
            .as_ref()
            .is_some_and(|g| !g.loading_more && g.loaded == 10_000)
    })
    .await;
    filter(&mut app, "tag:seven").await;
    let grid = app.state.results.as_ref().unwrap();
    assert_eq!(grid.rows, 1_428);
    assert_eq!(grid.loaded, 10_000);
    assert_eq!(ids(&app)[..3], [7, 14, 21]);
    // Numbers ending in 777: 777, 1777, …, 9777 (10 of them).
    filter(&mut app, "x:/777$/").await;
    assert_eq!(app.state.results.as_ref().unwrap().rows, 10);
}
