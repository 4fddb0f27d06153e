//! Query parameters on the local engine and in the TUI: values bound through DataFusion's
//! parameters (never written into the SQL), asked for once per parameter, remembered, and an
//! injection attempt kept as one literal. Expected counts come from the parquet crate.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

use crossterm::event::KeyCode;
use datafusion::arrow::array::AsArray;
use datafusion::arrow::datatypes::Int64Type;
use quarry::app::results::CellText;
use quarry::app::{AppState, QueryPhase};
use quarry::backend::{QueryContext, QueryEngine, QueryState};
use quarry::sql::params::{ParamValue, positional};
use quarry::tui::App;

use crate::common::tui::{app_on, has_tables, press, settle};

#[tokio::test]
async fn a_local_run_binds_values_through_datafusion() {
    let lake = crate::common::small_lake();
    let expected = crate::common::count_values(&lake.path().join("logs_db/logs"), "source");
    let (source, count) = expected.iter().next().unwrap();
    let engine = crate::common::engine(lake.path(), 1_000);
    let sql = "SELECT count(*) AS n, :source AS s FROM logs WHERE source = :source AND 1 < ?";
    let (text, parameters) = positional(
        sql,
        &[ParamValue::Text(source.clone()), ParamValue::parse("2")],
    )
    .unwrap();
    let context = QueryContext {
        database: Some("logs_db".to_owned()),
        parameters,
        ..QueryContext::default()
    };
    let id = engine.submit(&text, &context).await.unwrap();
    let status = engine.wait(&id).await.unwrap();
    assert_eq!(status.state, QueryState::Succeeded, "{:?}", status.error);
    let page = quarry::backend::all_results(&engine, &id).await.unwrap();
    let batch = &page.batches[0];
    let n = batch.column(0).as_primitive::<Int64Type>().value(0);
    let s = batch.column(1).as_string::<i32>().value(0).to_owned();
    assert_eq!((n as u64, s), (*count, source.clone()));
}

fn first_row(state: &AppState) -> Vec<String> {
    let grid = state.results.as_ref().unwrap();
    (0..grid.columns())
        .map(|c| match grid.cell(0, c) {
            CellText::Value(v) => v,
            CellText::Null => "NULL".to_owned(),
        })
        .collect()
}

fn asking(state: &AppState) -> Option<String> {
    state.prompt().map(|p| p.text.clone())
}

/// Replaces the offered value with `value` and confirms.
fn answer(app: &mut App, value: &str) {
    let offered = asking(&app.state).unwrap().chars().count();
    for _ in 0..offered {
        press(app, KeyCode::Backspace);
    }
    app.type_text(value);
    press(app, KeyCode::Enter);
}

async fn finished(app: &mut App) {
    settle(app, |s| {
        matches!(
            s.phase,
            QueryPhase::Finished { .. } | QueryPhase::Failed { .. }
        ) && s.prompt().is_none()
    })
    .await;
}

#[tokio::test]
async fn the_tui_asks_for_each_value_remembers_them_and_keeps_text_one_literal() {
    let lake = crate::common::small_lake();
    let mut app = app_on(
        lake.path(),
        "test lake",
        "SELECT :label AS label, ? + 1 AS next, length(:label) AS n",
    );
    settle(&mut app, has_tables).await;
    press(&mut app, KeyCode::F(5));
    assert_eq!(asking(&app.state).as_deref(), Some(""), "first value asked");
    let label = app.state.prompt().unwrap().label.clone();
    assert!(label.starts_with(":label (1 of 2)"), "{label}");
    answer(&mut app, "'; DROP TABLE logs; --");
    answer(&mut app, "41");
    finished(&mut app).await;
    assert_eq!(
        first_row(&app.state),
        ["'; DROP TABLE logs; --", "42", "22"]
    );

    // Run again: the values are offered; Enter twice runs with them.
    press(&mut app, KeyCode::F(5));
    assert_eq!(
        asking(&app.state).as_deref(),
        Some("'; DROP TABLE logs; --")
    );
    press(&mut app, KeyCode::Enter);
    assert_eq!(asking(&app.state).as_deref(), Some("41"));
    answer(&mut app, "1.5");
    finished(&mut app).await;
    assert_eq!(first_row(&app.state)[1], "2.5");

    // ↑ and ↓ go through the values given before.
    let runs = app.state.session.queries;
    press(&mut app, KeyCode::F(5));
    press(&mut app, KeyCode::Enter);
    assert_eq!(asking(&app.state).as_deref(), Some("1.5"));
    press(&mut app, KeyCode::Up);
    assert_eq!(asking(&app.state).as_deref(), Some("41"));
    press(&mut app, KeyCode::Up); // the oldest stays
    assert_eq!(asking(&app.state).as_deref(), Some("41"));
    press(&mut app, KeyCode::Down);
    assert_eq!(asking(&app.state).as_deref(), Some("1.5"));

    // Esc on a value: nothing runs.
    press(&mut app, KeyCode::Esc);
    assert!(app.state.prompt().is_none());
    assert_eq!(app.state.session.queries, runs);
    assert!(app.state.notice.as_deref().unwrap().contains("not run"));
}
