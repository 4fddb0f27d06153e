//! Scan estimates before running against what the local engine then reads, on a demo lake that
//! spans a month boundary; `quarry query --explain`; and the editor's hints, quick fixes and
//! cost guard driven by keys.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic by design

use std::sync::Arc;

use chrono::NaiveDate;
use crossterm::event::KeyCode;
use quarry::backend::local::LocalCatalog;
use quarry::cost::Pricing;
use quarry::estimate::explain;
use quarry::lake::demo::{self, DemoOptions};

use crate::common::tui::{app_with_hints, ctrl, has_tables, press, render, settle};
use crate::common::{engine, run};

/// Six days from 2023-09-28: three in September, three in October.
fn month_boundary_lake() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut options = DemoOptions::new(dir.path().to_path_buf());
    options.start = NaiveDate::from_ymd_opt(2023, 9, 28).unwrap();
    options.days = 6;
    options.rows_per_day = 2_000;
    options.seed = 11;
    demo::generate(&options, &|_| {}).unwrap();
    dir
}

#[tokio::test]
async fn estimates_match_what_the_engine_reads() {
    let lake = month_boundary_lake();
    let catalog = Arc::new(LocalCatalog::open(lake.path()).unwrap());
    let engine = engine(lake.path(), 100);
    // (query, partitions it must match)
    let cases = [
        ("SELECT * FROM logs", 6),
        ("SELECT * FROM logs WHERE year = '2023' AND month = '10'", 3),
        (
            "SELECT * FROM logs WHERE year = '2023' AND month = '09' AND day = '29'",
            1,
        ),
        ("SELECT message FROM logs", 6),
        (
            "SELECT source, count(*) FROM logs WHERE month = '09' GROUP BY source",
            3,
        ),
    ];
    for (sql, partitions) in cases {
        let explanation = explain(&catalog, sql, Some("logs_db"), Pricing::default()).await;
        let status = run(&engine, sql).await;
        let actual = status.stats.bytes_scanned;
        assert!(actual > 0, "{sql} read nothing");
        let ratio = explanation.estimated_bytes as f64 / actual as f64;
        assert!(
            (0.8..=1.25).contains(&ratio),
            "{sql}: estimated {} bytes, read {actual} (ratio {ratio:.3})",
            explanation.estimated_bytes
        );
        assert_eq!(explanation.partitions_matched, partitions, "{sql}");
        assert_eq!(
            explanation.partitions_matched, status.stats.partitions_scanned,
            "{sql}: the engine pruned to a different set"
        );
        assert_eq!(explanation.partitions_total, 6);
    }
}

#[tokio::test]
async fn a_projection_estimates_a_fraction_of_the_full_scan() {
    let lake = month_boundary_lake();
    let catalog = Arc::new(LocalCatalog::open(lake.path()).unwrap());
    let all = explain(
        &catalog,
        "SELECT * FROM logs",
        Some("logs_db"),
        Pricing::default(),
    )
    .await;
    let one = explain(
        &catalog,
        "SELECT logtype FROM logs",
        Some("logs_db"),
        Pricing::default(),
    )
    .await;
    assert!(one.estimated_bytes > 0);
    assert!(
        one.estimated_bytes * 3 < all.estimated_bytes,
        "one short column of four should be well under a third: {} of {}",
        one.estimated_bytes,
        all.estimated_bytes
    );
    // Athena bills at least 10 MB a query, whatever the estimate.
    assert_eq!(one.billed_bytes, 10 << 20);
}

#[test]
fn explain_prints_one_json_object_with_stable_codes() {
    let lake = month_boundary_lake();
    let output = assert_cmd::Command::cargo_bin("quarry")
        .unwrap()
        .env("QUARRY_CONFIG", "/dev/null")
        .arg("query")
        .arg("--lake")
        .arg(lake.path())
        .args([
            "--explain",
            "--format",
            "json",
            "SELECT message FROM logs WHERE year = 2023 AND month = '10'",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let codes: Vec<&str> = json["hints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["key_type_mismatch"]);
    assert!(
        json["hints"][0]["message"]
            .as_str()
            .unwrap()
            .contains("write year = '2023'")
    );
    // The mismatched year prunes nothing; the month still does.
    assert_eq!(json["partitions_matched"], 3);
    assert_eq!(json["partitions_total"], 6);
    assert!(json["estimated_bytes"].as_u64().unwrap() > 0);
    assert!(json["estimated_cost_usd"].as_f64().unwrap() > 0.0);
}

#[tokio::test]
async fn the_type_fix_quotes_the_literal_and_the_hint_goes_away() {
    let lake = month_boundary_lake();
    let mut app = app_with_hints(
        lake.path(),
        "local lake",
        "SELECT message\nFROM logs\nWHERE year = 2023 AND month = '09'",
    );
    // The statement is analyzed once the app starts, without a key.
    settle(&mut app, |s| s.hints.current.is_some()).await;
    let codes = |app: &quarry::tui::App| -> Vec<&'static str> {
        app.state
            .hints
            .current
            .as_ref()
            .map(|(_, e)| e.hints.iter().map(|h| h.code).collect())
            .unwrap_or_default()
    };
    assert_eq!(codes(&app), ["key_type_mismatch"]);
    ctrl(&mut app, 'g');
    assert_eq!(
        app.state.editor.buffer().text(),
        "SELECT message\nFROM logs\nWHERE year = '2023' AND month = '09'"
    );
    let generation = app.state.hints.generation;
    settle(&mut app, |s| {
        s.hints.generation == generation
            && s.hints
                .current
                .as_ref()
                .is_some_and(|(st, _)| st.sql.contains("'2023'"))
    })
    .await;
    assert!(codes(&app).is_empty(), "{:?}", codes(&app));
    // One undo takes the fix back.
    ctrl(&mut app, 'z');
    assert!(app.state.editor.buffer().text().contains("year = 2023"));
}

#[tokio::test]
async fn the_filter_fix_asks_for_dates_and_adds_a_pruning_condition() {
    let lake = month_boundary_lake();
    let mut app = app_with_hints(lake.path(), "local lake", "SELECT count(*) FROM logs");
    settle(&mut app, |s| s.hints.current.is_some()).await;
    ctrl(&mut app, 'g');
    assert!(app.state.prompt().is_some(), "the date prompt opens");
    app.type_text("2023-09-30..2023-10-01\n");
    assert_eq!(
        app.state.editor.buffer().text(),
        "SELECT count(*) FROM logs WHERE ((year = '2023' AND month = '09' AND day = '30') OR (year = '2023' AND month = '10' AND day = '01'))"
    );
    settle(&mut app, |s| {
        s.hints
            .current
            .as_ref()
            .is_some_and(|(st, _)| st.sql.contains("WHERE"))
    })
    .await;
    let (_, explanation) = app.state.hints.current.as_ref().unwrap();
    assert!(explanation.hints.is_empty(), "{:?}", explanation.hints);
    assert_eq!(explanation.partitions_matched, 2);
}

#[tokio::test]
async fn the_cost_guard_holds_a_big_run_until_confirmed() {
    let lake = month_boundary_lake();
    let mut app = app_with_hints(lake.path(), "local lake", "SELECT * FROM logs");
    app.state.cost_guard.max_bytes = 1_000;
    settle(&mut app, has_tables).await;
    press(&mut app, KeyCode::F(5));
    settle(&mut app, |s| s.confirmation().is_some()).await;
    assert!(!app.state.is_running(), "nothing runs before the answer");
    press(&mut app, KeyCode::Esc);
    assert!(app.state.confirmation().is_none());
    assert!(!app.state.is_running());
    press(&mut app, KeyCode::F(5));
    settle(&mut app, |s| s.confirmation().is_some()).await;
    press(&mut app, KeyCode::Enter);
    assert!(app.state.is_running(), "Enter runs it");
    settle(&mut app, |s| !s.is_running()).await;
}

#[tokio::test]
async fn snapshot_of_a_hint_and_of_the_cost_guard() {
    let lake = month_boundary_lake();
    let mut app = app_with_hints(lake.path(), "local lake demo", "SELECT * FROM logs");
    app.state.cost_guard.max_bytes = 1_000;
    settle(&mut app, |s| s.hints.current.is_some()).await;
    insta::assert_snapshot!("editor_hint", render(&app, 110, 22));
    press(&mut app, KeyCode::F(5));
    settle(&mut app, |s| s.confirmation().is_some()).await;
    insta::assert_snapshot!("cost_guard", render(&app, 110, 22));
}

#[tokio::test]
async fn the_filter_fix_takes_the_partition_browsers_selection() {
    use crossterm::event::{KeyEvent, KeyModifiers};
    let lake = month_boundary_lake();
    let mut app = app_with_hints(lake.path(), "local lake", "SELECT count(*) FROM logs");
    settle(&mut app, |s| s.hints.current.is_some()).await;
    press(&mut app, KeyCode::BackTab); // editor → catalog
    press(&mut app, KeyCode::Down); // the database → its first table, logs
    press(&mut app, KeyCode::Char('o'));
    settle(&mut app, |s| {
        s.partitions
            .as_ref()
            .is_some_and(|b| b.loading == quarry::app::partitions::Loading::Complete)
    })
    .await;
    press(&mut app, KeyCode::Char('t')); // flat list: 09/28, 09/29, 09/30, 10/01, …
    press(&mut app, KeyCode::Char(' ')); // mark 09/28
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Char(' ')); // and 10/01
    app.key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::ALT)); // back to the editor
    ctrl(&mut app, 'g');
    assert!(
        app.state.prompt().is_none(),
        "no date prompt with a selection"
    );
    let text = app.state.editor.buffer().text();
    assert!(
        text.starts_with("SELECT count(*) FROM logs WHERE "),
        "{text}"
    );
    assert!(
        text.contains("day = '28'") && text.contains("day = '01'"),
        "{text}"
    );
    settle(&mut app, |s| {
        s.hints
            .current
            .as_ref()
            .is_some_and(|(st, _)| st.sql.contains("WHERE"))
    })
    .await;
    let (_, explanation) = app.state.hints.current.as_ref().unwrap();
    assert_eq!(explanation.partitions_matched, 2);
}

#[tokio::test]
async fn the_type_fix_pads_numbers_like_the_stored_partition_values() {
    let lake = month_boundary_lake();
    let catalog = Arc::new(LocalCatalog::open(lake.path()).unwrap());
    let explanation = explain(
        &catalog,
        "SELECT count(*) FROM logs WHERE year = '2023' AND month = 9",
        Some("logs_db"),
        Pricing::default(),
    )
    .await;
    let hint = &explanation.hints[0];
    assert_eq!(hint.code, "key_type_mismatch");
    assert!(
        hint.message.ends_with("write month = '09'"),
        "{}",
        hint.message
    );
    assert_eq!(
        hint.hint.fix,
        Some(quarry::sql::analyze::Fix::Replace {
            span: hint.hint.span.unwrap(),
            text: "'09'".to_owned(),
        })
    );
}
