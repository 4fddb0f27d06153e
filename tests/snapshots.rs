//! Snapshots of rendered screens (ratatui `TestBackend`), driven through the real app on a
//! generated lake. Timings are pinned before drawing so snapshots only change when the screen
//! does.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic by design

mod common;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use quarry::app::catalog_tree::RowKind;
use quarry::app::editor::Buffer;
use quarry::app::state::starter_query;
use quarry::app::{AppState, QueryPhase};
use quarry::backend::QueryContext;
use quarry::backend::local::{EngineOptions, LocalCatalog, LocalEngine};
use quarry::tui::{App, Services};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn app_on(lake: &std::path::Path, text: &str) -> App {
    let catalog = Arc::new(LocalCatalog::open(lake).unwrap());
    let engine = LocalEngine::open(Arc::clone(&catalog), EngineOptions::default()).unwrap();
    let services = Services {
        catalog: Arc::new(catalog),
        engine: Arc::new(engine),
        context: QueryContext {
            database: Some("logs_db".to_owned()),
        },
    };
    App::new(
        AppState::new("local lake demo", Buffer::new("query 1", text)),
        services,
    )
}

fn press(app: &mut App, code: KeyCode) {
    app.key(KeyEvent::new(code, KeyModifiers::NONE));
}

async fn settle(app: &mut App, done: impl Fn(&AppState) -> bool) {
    tokio::time::timeout(Duration::from_secs(30), app.settle_until(done))
        .await
        .expect("the app never settled");
}

fn has_tables(state: &AppState) -> bool {
    state
        .catalog
        .rows()
        .iter()
        .any(|r| matches!(r.kind, RowKind::Table(_)))
}

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

fn render(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    let theme = quarry::ui::theme::Theme::default();
    terminal
        .draw(|f| quarry::ui::draw(f, &app.state, app.bindings(), &theme))
        .unwrap();
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn start_screen() {
    let lake = common::small_lake();
    let mut app = app_on(lake.path(), &starter_query(Some("logs_db.logs")));
    settle(&mut app, has_tables).await;
    insta::assert_snapshot!(render(&app, 100, 24));
}

#[tokio::test]
async fn catalog_with_a_table_expanded() {
    let lake = common::small_lake();
    let mut app = app_on(lake.path(), "");
    settle(&mut app, has_tables).await;
    press(&mut app, KeyCode::BackTab);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Right);
    settle(&mut app, |s| {
        s.catalog
            .rows()
            .iter()
            .any(|r| matches!(r.kind, RowKind::Column { .. }))
    })
    .await;
    insta::assert_snapshot!(render(&app, 120, 24));
}

#[tokio::test]
async fn results_with_statistics() {
    let lake = common::small_lake();
    let mut app = app_on(
        lake.path(),
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
    let lake = common::small_lake();
    let mut app = app_on(lake.path(), "SELECT source,\n       levell\nFROM logs");
    settle(&mut app, has_tables).await;
    press(&mut app, KeyCode::F(5));
    settle(&mut app, |s| !s.is_running()).await;
    insta::assert_snapshot!(render(&app, 100, 24));
}

#[tokio::test]
async fn help_overlay() {
    let lake = common::small_lake();
    let mut app = app_on(lake.path(), "");
    settle(&mut app, has_tables).await;
    press(&mut app, KeyCode::F(1));
    insta::assert_snapshot!(render(&app, 160, 45));
}
