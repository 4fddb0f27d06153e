//! The partition browser driven by keys through the real app: open a table's partitions, select
//! some, insert the filter into the editor's query, run it, and check the counts against the
//! Parquet files of exactly those partitions.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::tui::{app_on, has_tables, press, render, run_to_finish, settle};
use crossterm::event::KeyCode;
use quarry::app::partitions::Loading;
use quarry::app::results::CellText;
use quarry::app::{AppState, Focus};
use quarry::lake::demo::{self, DemoOptions};
use quarry::tui::App;

/// A lake whose six days cross a month boundary: 2023-01-29 … 2023-02-03.
fn lake_across_months() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut options = DemoOptions::new(dir.path().to_path_buf());
    options.days = 6;
    options.rows_per_day = 400;
    options.seed = 11;
    options.start = chrono::NaiveDate::from_ymd_opt(2023, 1, 29).unwrap();
    demo::generate(&options, &|_| {}).unwrap();
    dir
}

fn loaded(state: &AppState) -> bool {
    state
        .partitions
        .as_ref()
        .is_some_and(|b| b.loading == Loading::Complete)
}

/// From the editor: open the first table's partition browser and wait for every page.
async fn open_partitions(app: &mut App) {
    settle(app, has_tables).await;
    press(app, KeyCode::BackTab); // editor → catalog
    press(app, KeyCode::Down); // the database → its first table
    press(app, KeyCode::Char('o'));
    settle(app, loaded).await;
    assert_eq!(app.state.focus, Focus::Partitions);
}

/// Runs the editor's statement and returns its two columns as a map.
async fn run_counts(app: &mut App) -> BTreeMap<String, u64> {
    run_to_finish(app).await;
    let grid = app.state.results.as_ref().unwrap();
    (0..grid.rows)
        .map(|row| match (grid.cell(row, 0), grid.cell(row, 1)) {
            (CellText::Value(k), CellText::Value(n)) => (k, n.parse().unwrap()),
            other => panic!("{other:?}"),
        })
        .collect()
}

/// Logtype counts over the given day folders, read with the parquet crate alone.
fn expected_counts(lake: &Path, days: &[&str]) -> BTreeMap<String, u64> {
    let mut total = BTreeMap::new();
    for day in days {
        let dir = lake.join("logs_db/logs").join(day);
        for (k, n) in crate::common::count_values(&dir, "logtype") {
            *total.entry(k).or_insert(0) += n;
        }
    }
    total
}

const SEED_QUERY: &str =
    "SELECT logtype, count(*) AS n\nFROM logs\nGROUP BY logtype\nORDER BY logtype";

#[tokio::test]
async fn a_tree_range_becomes_a_where_clause_whose_counts_match_the_files() {
    let lake = crate::common::small_lake();
    let mut app = app_on(lake.path(), "test lake", SEED_QUERY);
    open_partitions(&mut app).await;
    let browser = app.state.partitions.as_ref().unwrap();
    assert_eq!(browser.total().partitions, u64::from(crate::common::DAYS));
    assert_eq!(
        browser.total().files,
        crate::common::parquet_files(&lake.path().join("logs_db/logs")).len() as u64
    );
    // year=2023 → open → month=01 → open → day=01, then a range over three days.
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('v'));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    let shown = render(&app, 120, 40);
    assert!(shown.contains("● ") && shown.contains("day=03"), "{shown}");
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.state.focus, Focus::Editor);
    assert_eq!(
        app.state.editor.buffer().text(),
        "SELECT logtype, count(*) AS n\nFROM logs\nWHERE year = '2023' AND month = '01' AND day BETWEEN '01' AND '03'\nGROUP BY logtype\nORDER BY logtype"
    );
    let got = run_counts(&mut app).await;
    let want = expected_counts(
        lake.path(),
        &[
            "year=2023/month=01/day=01",
            "year=2023/month=01/day=02",
            "year=2023/month=01/day=03",
        ],
    );
    assert_eq!(got, want);
    // Undo takes the whole insertion back.
    app.state.editor.buffer_mut().textarea.undo();
    assert_eq!(app.state.editor.buffer().text(), SEED_QUERY);
}

#[tokio::test]
async fn a_flat_range_across_months_filters_each_month_and_extends_an_existing_where() {
    let lake = lake_across_months();
    let query = "SELECT source, count(*) AS n FROM logs WHERE logtype = 'error' OR logtype = 'fatal' GROUP BY source";
    let mut app = app_on(lake.path(), "test lake", query);
    open_partitions(&mut app).await;
    press(&mut app, KeyCode::Char('t')); // flat list: 01/29, 01/30, 01/31, 02/01, 02/02, 02/03
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('v'));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down); // 01/31 … 02/02
    press(&mut app, KeyCode::Enter);
    let text = app.state.editor.buffer().text();
    assert_eq!(
        text,
        "SELECT source, count(*) AS n FROM logs WHERE (logtype = 'error' OR logtype = 'fatal') AND \
         (year = '2023' AND month = '01' AND day = '31' OR year = '2023' AND month = '02' AND day IN ('01', '02')) \
         GROUP BY source"
    );
    let got = run_counts(&mut app).await;
    // The independent count: the error and fatal rows of those days, per source.
    let days = [
        "year=2023/month=01/day=31",
        "year=2023/month=02/day=01",
        "year=2023/month=02/day=02",
    ];
    let mut want: BTreeMap<String, u64> = BTreeMap::new();
    for day in days {
        for file in crate::common::parquet_files(&lake.path().join("logs_db/logs").join(day)) {
            for (source, logtype) in crate::common::string_pairs(&file, "source", "logtype") {
                if logtype == "error" || logtype == "fatal" {
                    *want.entry(source).or_insert(0) += 1;
                }
            }
        }
    }
    assert_eq!(got, want);
}

#[tokio::test]
async fn whole_months_collapse_to_the_month_and_another_tables_query_gets_a_new_buffer() {
    let lake = lake_across_months();
    let mut app = app_on(lake.path(), "test lake", "SELECT 1");
    open_partitions(&mut app).await;
    press(&mut app, KeyCode::Char('/'));
    app.type_text("month=02");
    press(&mut app, KeyCode::Enter); // keep the filter, leave the line
    assert_eq!(app.state.partitions.as_ref().unwrap().row_count(), 3);
    press(&mut app, KeyCode::Char('v'));
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.state.editor.buffers.len(), 2);
    assert_eq!(app.state.editor.buffers[0].text(), "SELECT 1");
    assert_eq!(
        app.state.editor.buffer().text(),
        "SELECT *\nFROM logs_db.logs\nWHERE year = '2023' AND month = '02'\nLIMIT 100"
    );
}

#[tokio::test]
async fn esc_clears_the_selection_then_closes_and_reopening_is_instant() {
    let lake = crate::common::small_lake();
    let mut app = app_on(lake.path(), "test lake", SEED_QUERY);
    open_partitions(&mut app).await;
    let request = app.state.partitions.as_ref().unwrap().request;
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Esc);
    assert!(app.state.show_partitions, "the first Esc drops the mark");
    assert!(app.state.partitions.as_ref().unwrap().marked.is_empty());
    press(&mut app, KeyCode::Esc);
    assert!(!app.state.show_partitions);
    assert_eq!(app.state.focus, Focus::Results);
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::BackTab); // results → editor → catalog
    press(&mut app, KeyCode::Char('o'));
    assert_eq!(app.state.focus, Focus::Partitions);
    assert_eq!(app.state.partitions.as_ref().unwrap().request, request);
    let shown = render(&app, 120, 40);
    assert!(
        shown.contains("keys year → month → day")
            && shown.contains(&format!("{} partitions", crate::common::DAYS)),
        "{shown}"
    );
}
