//! Snapshots of rendered screens (ratatui `TestBackend`), driven through the real app on a
//! generated lake. Timings are pinned before drawing so snapshots only change when the screen
//! does.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

use crate::common::tui::{app_on, has_tables, open_first_table, press, render, settle};
use crossterm::event::KeyCode;
use quarry::app::state::starter_query;
use quarry::app::{AppState, QueryPhase};

/// Sets timings to fixed values: they are measured, so they differ run to run.
fn pin_timings(state: &mut AppState) {
    let pin = |stats: &mut quarry::backend::QueryStats| {
        stats.planning_ms = 3;
        stats.execution_ms = 9;
        stats.total_ms = 12;
    };
    match &mut state.phase {
        QueryPhase::Finished { stats }
        | QueryPhase::Cancelled { stats }
        | QueryPhase::Failed {
            stats: Some(stats), ..
        } => {
            pin(stats);
        }
        _ => {}
    }
}

#[tokio::test]
async fn start_screen() {
    let lake = crate::common::small_lake();
    let mut app = app_on(
        lake.path(),
        "local lake demo",
        &starter_query(Some("logs_db.logs")),
    );
    settle(&mut app, has_tables).await;
    insta::assert_snapshot!(render(&app, 100, 24));
}

#[tokio::test]
async fn catalog_with_a_table_expanded() {
    let lake = crate::common::small_lake();
    let mut app = app_on(lake.path(), "local lake demo", "");
    open_first_table(&mut app).await;
    insta::assert_snapshot!(render(&app, 120, 24));
}

#[tokio::test]
async fn results_with_statistics() {
    let lake = crate::common::small_lake();
    let mut app = app_on(
        lake.path(),
        "local lake demo",
        "SELECT logtype, count(*) AS n, NULL AS nothing\nFROM logs\nGROUP BY logtype\nORDER BY n DESC",
    );
    settle(&mut app, has_tables).await;
    press(&mut app, KeyCode::F(5));
    settle(&mut app, |s| !s.is_running()).await;
    pin_timings(&mut app.state);
    insta::assert_snapshot!(render(&app, 160, 30));
}

#[tokio::test]
async fn error_display() {
    let lake = crate::common::small_lake();
    let mut app = app_on(
        lake.path(),
        "local lake demo",
        "SELECT source,\n       levell\nFROM logs",
    );
    settle(&mut app, has_tables).await;
    press(&mut app, KeyCode::F(5));
    settle(&mut app, |s| !s.is_running()).await;
    insta::assert_snapshot!(render(&app, 100, 24));
}

#[tokio::test]
async fn help_overlay() {
    let lake = crate::common::small_lake();
    let mut app = app_on(lake.path(), "local lake demo", "");
    settle(&mut app, has_tables).await;
    press(&mut app, KeyCode::F(1));
    insta::assert_snapshot!(render(&app, 160, 45));
}

/// The app on `lake` with the logs table's partition browser open and loaded, its location
/// pinned (it is a temp folder) so snapshots are about the layout.
async fn browser_on(lake: &std::path::Path) -> quarry::tui::App {
    let mut app = app_on(lake, "local lake demo", "SELECT * FROM logs");
    settle(&mut app, has_tables).await;
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('o'));
    settle(&mut app, |s| {
        s.partitions
            .as_ref()
            .is_some_and(|b| b.loading == quarry::app::partitions::Loading::Complete)
    })
    .await;
    "/lake/logs_db/logs/".clone_into(&mut app.state.partitions.as_mut().unwrap().info.location);
    app
}

#[tokio::test]
async fn partition_tree() {
    let lake = crate::common::small_lake();
    let mut app = browser_on(lake.path()).await;
    press(&mut app, KeyCode::Right); // year=2023
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Right); // month=01
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char('v'));
    press(&mut app, KeyCode::Down); // days 02 and 03 selected
    insta::assert_snapshot!(render(&app, 120, 24));
}

#[tokio::test]
async fn partition_calendar() {
    let lake = crate::common::small_lake();
    // The partition Lambda "missed" 2023-01-03: its folder is gone.
    std::fs::remove_dir_all(lake.path().join("logs_db/logs/year=2023/month=01/day=03")).unwrap();
    let mut app = browser_on(lake.path()).await;
    press(&mut app, KeyCode::Char('t'));
    press(&mut app, KeyCode::Char('t')); // tree → list → calendar
    press(&mut app, KeyCode::Right);
    press(&mut app, KeyCode::Right); // the missing day
    insta::assert_snapshot!(render(&app, 120, 36));
    // m: the days shaded by their files; the missing day's line says so in files too.
    press(&mut app, KeyCode::Char('m'));
    let screen = render(&app, 200, 36);
    assert!(screen.contains("files per day"), "{screen}");
    assert!(screen.contains("median day, 1 file)"), "{screen}");
    // m again: rows per day, counted from every footer off the UI thread; the cursor's day (the
    // 4th, after the missing 3rd) holds the demo's rows for a day, read back with the parquet crate.
    press(&mut app, KeyCode::Char('m'));
    press(&mut app, KeyCode::Right);
    settle(&mut app, |s| {
        s.partitions.as_ref().is_some_and(|b| {
            matches!(
                b.row_counts,
                quarry::app::partitions::calendar::RowCounts::Counted(_)
            )
        })
    })
    .await;
    let day_four = lake.path().join("logs_db/logs/year=2023/month=01/day=04");
    let expected: u64 = crate::common::parquet_files(&day_four)
        .iter()
        .map(|f| {
            use parquet::file::reader::FileReader;
            let reader =
                parquet::file::reader::SerializedFileReader::new(std::fs::File::open(f).unwrap())
                    .unwrap();
            reader.metadata().file_metadata().num_rows() as u64
        })
        .sum();
    let screen = render(&app, 200, 36);
    assert!(screen.contains("rows per day"), "{screen}");
    let rows = format!("{} rows", quarry::text::thousands(expected));
    assert!(screen.contains("2023-01-04 Wed: 1 file"), "{screen}");
    assert!(screen.contains(&rows), "{rows} in {screen}");
}

#[tokio::test]
async fn ledger_with_days_drawn() {
    use quarry::session::SessionFiles;
    let lake = crate::common::small_lake();
    let data = tempfile::tempdir().unwrap();
    let files = SessionFiles::under(data.path());
    std::fs::create_dir_all(files.ledger.parent().unwrap()).unwrap();
    // Three days of Athena use: $0.02 on 4 GB, nothing on the 29th, $0.005 on 1 GB, $0.01 on 2 GB.
    let entry = |day: &str, gb: u64, usd: f64| {
        format!(
            r#"{{"time":"{day}T10:00:00+00:00","day":"{day}","session":"earlier","engine":"athena","workgroup":"primary","bytes_scanned":{b},"billed_bytes":{b},"cost_usd":{usd}}}"#,
            b = gb << 30
        )
    };
    let lines = [
        entry("2026-11-28", 4, 0.02),
        entry("2026-11-30", 1, 0.005),
        entry("2026-12-01", 2, 0.01),
    ];
    std::fs::write(&files.ledger, lines.join("\n") + "\n").unwrap();
    let mut app =
        crate::common::tui::app_with_files(lake.path(), "test lake", "SELECT 1", Some(files));
    settle(&mut app, has_tables).await;
    press(&mut app, KeyCode::F(7));
    settle(&mut app, |s| {
        matches!(s.overlay(), Some(quarry::app::Overlay::Ledger(Some(_))))
    })
    .await;
    insta::assert_snapshot!(render(&app, 100, 30));
}

#[tokio::test]
async fn plan_tree() {
    let lake = crate::common::small_lake();
    let mut app = app_on(
        lake.path(),
        "local lake demo",
        "SELECT logtype, count(*) AS n FROM logs WHERE day = '02' GROUP BY 1",
    );
    settle(&mut app, has_tables).await;
    app.key(crossterm::event::KeyEvent::new(
        KeyCode::Char('p'),
        crossterm::event::KeyModifiers::ALT,
    ));
    settle(&mut app, |s| {
        matches!(s.overlay(), Some(quarry::app::Overlay::Plan(_)))
    })
    .await;
    press(&mut app, KeyCode::Down);
    // The lake is a temp folder: its path is pinned so the snapshot is about the tree.
    let folder = lake.path().display().to_string();
    let screen = render(&app, 160, 24).replace(folder.trim_start_matches('/'), "lake");
    insta::assert_snapshot!(screen);
}
