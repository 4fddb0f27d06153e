//! The TUI app without a terminal: real keys through the real keymap, update and effects, on a
//! generated lake with DataFusion; screens drawn into ratatui's `TestBackend`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

use crate::common::tui::{
    app_on, ctrl, has_tables, open_first_table, press, render, run_to_finish, settle,
};
use crossterm::event::KeyCode;
use quarry::app::catalog_tree::RowKind;
use quarry::app::results::CellText;
use quarry::app::{Focus, QueryPhase};

#[tokio::test]
async fn catalog_opens_a_table_and_shows_partition_keys() {
    let lake = crate::common::small_lake();
    let mut app = app_on(lake.path(), "test lake", "");
    // The only database opens by itself and lists its tables.
    open_first_table(&mut app).await;
    assert_eq!(app.state.focus, Focus::Catalog);
    let keys: Vec<String> = app
        .state
        .catalog
        .rows()
        .into_iter()
        .filter_map(|r| match r.kind {
            RowKind::Column {
                name,
                partition_key: true,
                ..
            } => Some(name),
            _ => None,
        })
        .collect();
    assert_eq!(keys, ["year", "month", "day"]);
    let shown = render(&app, 160, 30);
    assert!(shown.contains("year string ◆key"), "{shown}");
}

#[tokio::test]
async fn typing_and_running_the_seed_query_shows_the_counts() {
    let lake = crate::common::small_lake();
    let expected = crate::common::count_values(
        &lake.path().join("logs_db/logs/year=2023/month=01"),
        "logtype",
    );
    let mut app = app_on(lake.path(), "test lake", "");
    app.type_text("SELECT logtype, count(*) AS n\nFROM logs\nWHERE year = '2023' AND month = '01'\nGROUP BY logtype\nORDER BY logtype");
    press(&mut app, KeyCode::F(5));
    assert!(app.state.is_running());
    settle(&mut app, |s| !s.is_running()).await;
    assert!(
        matches!(app.state.phase, QueryPhase::Finished { .. }),
        "{:?}",
        app.state.phase
    );
    let grid = app.state.results.as_ref().unwrap();
    let mut got = std::collections::BTreeMap::new();
    for row in 0..grid.rows {
        let (CellText::Value(name), CellText::Value(n)) = (grid.cell(row, 0), grid.cell(row, 1))
        else {
            panic!()
        };
        got.insert(name, n.parse::<u64>().unwrap());
    }
    assert_eq!(got, expected);
    assert_eq!(app.state.session.queries, 1);
    let shown = render(&app, 120, 30);
    assert!(shown.contains("✓ scanned"), "{shown}");
    assert!(
        shown.contains(&format!(
            "{}/{} partitions",
            crate::common::DAYS,
            crate::common::DAYS
        )),
        "{shown}"
    );
}

#[tokio::test]
async fn a_long_query_is_cancelled_with_esc() {
    let lake = crate::common::small_lake();
    let mut app = app_on(lake.path(), "test lake", crate::common::ENDLESS_QUERY);
    press(&mut app, KeyCode::F(5));
    press(&mut app, KeyCode::Esc);
    settle(&mut app, |s| !s.is_running()).await;
    assert!(
        matches!(app.state.phase, QueryPhase::Cancelled { .. }),
        "{:?}",
        app.state.phase
    );
    // The buffer is untouched and a new run works.
    assert!(
        app.state
            .editor
            .buffer()
            .text()
            .starts_with("SELECT count(*) FROM logs a")
    );
}

#[tokio::test]
async fn a_second_run_replaces_the_first_and_stale_answers_are_dropped() {
    let lake = crate::common::small_lake();
    let mut app = app_on(
        lake.path(),
        "test lake",
        &format!("{};\nSELECT 42 AS answer;", crate::common::ENDLESS_QUERY),
    );
    press(&mut app, KeyCode::F(5)); // the cursor is on line 1: the endless query
    ctrl(&mut app, 'n');
    app.type_text("SELECT 7 AS seven");
    run_to_finish(&mut app).await;
    let grid = app.state.results.as_ref().unwrap();
    assert_eq!(grid.schema.field(0).name(), "seven");
    assert_eq!(grid.cell(0, 0), CellText::Value("7".to_owned()));
}

#[tokio::test]
async fn an_error_shows_line_and_column_moves_the_cursor_and_keeps_the_text() {
    let lake = crate::common::small_lake();
    let text = "SELECT 1;\nSELECT source,\n       levell\nFROM logs;";
    let mut app = app_on(lake.path(), "test lake", text);
    // Put the cursor in the second statement.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::F(5));
    settle(&mut app, |s| !s.is_running()).await;
    let QueryPhase::Failed { error, .. } = &app.state.phase else {
        panic!("{:?}", app.state.phase)
    };
    let position = error.position.unwrap();
    assert_eq!((position.line, position.column), (3, 8), "{error}");
    assert_eq!(app.state.editor.buffer().cursor().line, 3);
    assert_eq!(app.state.editor.buffer().cursor().column, 8);
    assert_eq!(app.state.editor.buffer().text(), text);
    let shown = render(&app, 100, 30);
    assert!(
        shown.contains("levell") && shown.contains("line 3, column 8"),
        "{shown}"
    );
}

#[tokio::test]
async fn preview_opens_a_new_buffer_and_runs_it() {
    let lake = crate::common::small_lake();
    let mut app = app_on(lake.path(), "test lake", "-- my work");
    settle(&mut app, has_tables).await;
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('p'));
    settle(&mut app, |s| !s.is_running()).await;
    assert_eq!(app.state.editor.buffers.len(), 2);
    assert_eq!(app.state.editor.buffers[0].text(), "-- my work");
    let grid = app.state.results.as_ref().unwrap();
    assert_eq!(grid.rows, 100);
}

#[tokio::test]
async fn the_screen_fits_80_by_24_and_250_by_70() {
    let lake = crate::common::small_lake();
    let mut app = app_on(
        lake.path(),
        "test lake",
        "SELECT source, count(*) AS n FROM logs GROUP BY source ORDER BY n DESC",
    );
    press(&mut app, KeyCode::F(5));
    settle(&mut app, |s| !s.is_running() && has_tables(s)).await;
    for (w, h) in [(80, 24), (250, 70)] {
        let shown = render(&app, w, h);
        assert!(
            shown.contains("Catalog") && shown.contains("Editor") && shown.contains("Results"),
            "{shown}"
        );
        assert!(
            shown.contains("F5 run") && shown.contains("Ctrl-Q quit"),
            "{w}x{h}: {shown}"
        );
        assert!(
            shown.contains("financialSystem") || shown.contains("orderService"),
            "{shown}"
        );
    }
}

#[tokio::test]
async fn slash_filters_the_catalog_by_table_name_and_esc_clears_it() {
    let lake = crate::common::small_lake();
    let mut app = app_on(lake.path(), "test lake", "");
    settle(&mut app, has_tables).await;
    press(&mut app, KeyCode::BackTab);
    let tables = |app: &quarry::tui::App| -> Vec<String> {
        app.state
            .catalog
            .rows()
            .into_iter()
            .filter_map(|r| match r.kind {
                RowKind::Table(name) => Some(name.name),
                _ => None,
            })
            .collect()
    };
    assert_eq!(tables(&app), ["logs", "sources"]);
    press(&mut app, KeyCode::Char('/'));
    app.type_text("SOUR");
    assert_eq!(tables(&app), ["sources"]);
    press(&mut app, KeyCode::Enter);
    // Keys act on the tree again: `p` previews the one table left.
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('p'));
    assert!(
        app.state
            .editor
            .buffer()
            .text()
            .contains("FROM logs_db.sources")
    );
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::Char('/'));
    press(&mut app, KeyCode::Esc);
    assert_eq!(tables(&app), ["logs", "sources"]);
}

#[tokio::test]
async fn f8_compares_the_statement_on_two_engines_and_any_key_closes() {
    let lake = crate::common::small_lake();
    let mut app = crate::common::tui::app_with_second_engine(
        lake.path(),
        "SELECT logtype, count(*) AS n FROM logs GROUP BY logtype",
    );
    press(&mut app, KeyCode::F(8));
    assert!(
        app.state.comparison().is_some(),
        "F8 opens the overlay at once"
    );
    settle(&mut app, |s| {
        s.comparison().is_some_and(|c| c.report.is_some())
    })
    .await;
    let shown = render(&app, 160, 30);
    assert!(shown.contains("✓ the answers match (4 rows)"), "{shown}");
    assert!(shown.contains("local engine: scanned"), "{shown}");
    assert!(shown.contains("second engine: scanned"), "{shown}");
    press(&mut app, KeyCode::Char('x'));
    assert!(app.state.comparison().is_none());
    assert_eq!(
        app.state.editor.buffer().text(),
        "SELECT logtype, count(*) AS n FROM logs GROUP BY logtype",
        "the closing key is not typed into the editor"
    );
}

#[tokio::test]
async fn f8_on_the_local_source_says_what_comparing_needs() {
    let lake = crate::common::small_lake();
    let mut app = app_on(lake.path(), "test lake", "SELECT 1");
    press(&mut app, KeyCode::F(8));
    settle(&mut app, |s| {
        s.comparison().is_some_and(|c| c.report.is_some())
    })
    .await;
    let shown = render(&app, 160, 30);
    assert!(
        shown.contains("cannot compare: the local source has one engine"),
        "{shown}"
    );
}

// Several threads, so progress is reported while the cross join keeps one busy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn f9_switches_engines_and_a_cancel_still_reaches_the_querys_engine() {
    let lake = crate::common::small_lake();
    // The second engine reads a copy of the lake without its first day.
    let second = tempfile::tempdir().unwrap();
    let copied = std::process::Command::new("cp")
        .arg("-r")
        .arg(lake.path().join("logs_db"))
        .arg(second.path())
        .status()
        .unwrap();
    assert!(copied.success());
    let table = second.path().join("logs_db/logs");
    let first_day = crate::common::parquet_files(&table)[0]
        .parent()
        .unwrap()
        .to_path_buf();
    std::fs::remove_dir_all(&first_day).unwrap();
    let rows_in = |dir: &std::path::Path| -> u64 {
        crate::common::count_values(dir, "source").values().sum()
    };
    let (all, fewer) = (rows_in(&lake.path().join("logs_db/logs")), rows_in(&table));
    assert!(fewer < all);

    let mut app = crate::common::tui::app_with_engines(
        lake.path(),
        second.path(),
        crate::common::ENDLESS_QUERY,
    );
    // A query on the first engine, then a switch while it runs: Esc must still stop it.
    press(&mut app, KeyCode::F(5));
    running_for(&mut app, 1).await;
    press(&mut app, KeyCode::F(9));
    settle(&mut app, |s| s.source_label == "the second engine's title").await;
    assert!(
        app.state
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("engine: second engine")),
        "{:?}",
        app.state.notice
    );
    press(&mut app, KeyCode::Esc);
    settle(&mut app, |s| {
        matches!(s.phase, QueryPhase::Cancelled { .. })
    })
    .await;

    // The next query runs on the second engine's lake.
    run_in_new_tab(&mut app, "SELECT count(*) AS n FROM logs").await;
    let shown = render(&app, 160, 30);
    assert!(
        shown.contains(&fewer.to_string()),
        "{fewer} rows expected: {shown}"
    );

    // And back.
    press(&mut app, KeyCode::F(9));
    settle(&mut app, |s| s.source_label == "two engines").await;
    press(&mut app, KeyCode::F(5));
    settle(&mut app, |s| matches!(s.phase, QueryPhase::Finished { .. })).await;
    let shown = render(&app, 160, 30);
    assert!(
        shown.contains(&all.to_string()),
        "{all} rows expected: {shown}"
    );
}

#[tokio::test]
async fn f9_on_the_local_source_says_why_not() {
    let lake = crate::common::small_lake();
    let mut app = app_on(lake.path(), "test lake", "SELECT 1");
    press(&mut app, KeyCode::F(9));
    settle(&mut app, |s| s.notice.is_some()).await;
    assert_eq!(
        app.state.notice.as_deref(),
        Some("cannot switch engines: the local source has one engine")
    );
    assert_eq!(app.state.source_label, "test lake");
}

// Several threads, so progress is reported while the cross join keeps one busy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_cancelled_mid_computation_frees_the_engine_for_the_next() {
    let lake = crate::common::small_lake();
    let mut app = app_on(lake.path(), "test lake", crate::common::ENDLESS_QUERY);
    press(&mut app, KeyCode::F(5));
    running_for(&mut app, 500).await;
    press(&mut app, KeyCode::Esc);
    settle(&mut app, |s| {
        matches!(s.phase, QueryPhase::Cancelled { .. })
    })
    .await;
    run_in_new_tab(&mut app, "SELECT count(*) AS n FROM logs").await;
}

/// Waits until the running query reports `ms` of progress: the engine has given it an id and
/// is computing.
async fn running_for(app: &mut quarry::tui::App, ms: u64) {
    settle(
        app,
        |s| matches!(&s.phase, QueryPhase::Running { stats, .. } if stats.total_ms >= ms),
    )
    .await;
}

/// Opens `sql` in a new editor tab, runs it, and waits for it to finish.
async fn run_in_new_tab(app: &mut quarry::tui::App, sql: &str) {
    app.state
        .editor
        .open(quarry::app::editor::Buffer::new("query", sql));
    press(app, KeyCode::F(5));
    settle(app, |s| matches!(s.phase, QueryPhase::Finished { .. })).await;
}
