//! Driving the TUI app headless: an app over a lake, keys, settling, and the drawn screen.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use quarry::app::AppState;
use quarry::app::catalog_tree::RowKind;
use quarry::app::editor::Buffer;
use quarry::backend::QueryContext;
use quarry::backend::local::{EngineOptions, LocalCatalog, LocalEngine};
use quarry::tui::{App, Clipboard, EngineSlot, Services};
use ratatui_core::backend::TestBackend;
use ratatui_core::terminal::Terminal;

/// An app over `lake` whose editor holds `text`, with `logs_db` as the default database.
pub fn app_on(lake: &Path, label: &str, text: &str) -> App {
    app_with_files(lake, label, text, None)
}

/// Like [`app_on`], keeping history and saved queries in `files`.
pub fn app_with_files(
    lake: &Path,
    label: &str,
    text: &str,
    files: Option<quarry::session::SessionFiles>,
) -> App {
    build(lake, label, text, files, None)
}

/// Like [`app_on`], with a second local engine over the same lake to compare with (F8) or
/// switch to (F9), as the AWS source has Athena and the local engine.
pub fn app_with_second_engine(lake: &Path, text: &str) -> App {
    build(lake, "two engines", text, None, Some(lake))
}

/// Like [`app_with_second_engine`], the second engine reading `second_lake`.
pub fn app_with_engines(lake: &Path, second_lake: &Path, text: &str) -> App {
    build(lake, "two engines", text, None, Some(second_lake))
}

fn build(
    lake: &Path,
    label: &str,
    text: &str,
    files: Option<quarry::session::SessionFiles>,
    second_lake: Option<&Path>,
) -> App {
    build_with(lake, label, text, files, second_lake, None)
}

fn build_with(
    lake: &Path,
    label: &str,
    text: &str,
    files: Option<quarry::session::SessionFiles>,
    second_lake: Option<&Path>,
    cache: Option<&Path>,
) -> App {
    let catalog = Arc::new(LocalCatalog::open(lake).unwrap());
    let engine = LocalEngine::open(Arc::clone(&catalog), EngineOptions::default()).unwrap();
    let alternate = if let Some(second_lake) = second_lake {
        let second_catalog = Arc::new(LocalCatalog::open(second_lake).unwrap());
        let second = LocalEngine::open(second_catalog, EngineOptions::default()).unwrap();
        Ok(EngineSlot {
            name: "second engine".to_owned(),
            title: "the second engine's title".to_owned(),
            engine: Arc::new(second),
        })
    } else {
        Err("the local source has one engine".to_owned())
    };
    let catalog: Arc<dyn quarry::backend::Catalog> = Arc::new(catalog);
    let engine: Arc<dyn quarry::backend::QueryEngine> = Arc::new(engine);
    let cache = cache.map(|dir| {
        Arc::new(
            quarry::cache::CachedSource::new(
                Arc::clone(&catalog),
                Arc::clone(&engine),
                quarry::cache::CacheLake::open(dir).unwrap(),
                EngineOptions::default(),
            )
            .unwrap(),
        )
    });
    let (catalog, engine) = match &cache {
        Some(cached) => (Arc::clone(cached) as _, Arc::clone(cached) as _),
        None => (catalog, engine),
    };
    let services = Services {
        catalog,
        engine: EngineSlot {
            name: "local engine".to_owned(),
            title: label.to_owned(),
            engine,
        },
        context: QueryContext {
            database: Some("logs_db".to_owned()),
            ..QueryContext::default()
        },
        clipboard: Clipboard::Memory(Arc::default()),
        workspace: None,
        files,
        pricing: quarry::cost::Pricing::default(),
        alternate,
        cache: cache.clone(),
        stores: None,
    };
    let mut state = AppState::new(label, Buffer::new("query 1", text));
    state.cache_lake = cache.is_some();
    // Hints and the cost guard answer in the background; tests of other things keep them off
    // so every screen and run is deterministic (tests/it/estimate.rs turns them on).
    state.hints.enabled = false;
    state.cost_guard.enabled = false;
    App::new(state, services)
}

/// Like [`app_on`], with the cache lake at `cache` beside the lake (as the real app has): `K`
/// keeps results there and queries on kept tables run on its engine.
pub fn app_with_cache(lake: &Path, cache: &Path, text: &str) -> App {
    build_with(lake, "lake with cache", text, None, None, Some(cache))
}

/// Like [`app_on`], with editor hints and the cost guard on (as in the real app).
pub fn app_with_hints(lake: &Path, label: &str, text: &str) -> App {
    let mut app = app_on(lake, label, text);
    app.state.hints.enabled = true;
    app.state.cost_guard.enabled = true;
    app
}

/// Presses a key without modifiers.
pub fn press(app: &mut App, code: KeyCode) {
    app.key(KeyEvent::new(code, KeyModifiers::NONE));
}

/// Presses Ctrl and a letter.
pub fn ctrl(app: &mut App, c: char) {
    app.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

/// Applies background answers until `done`, failing after 30 s instead of hanging.
pub async fn settle(app: &mut App, done: impl Fn(&AppState) -> bool) {
    if tokio::time::timeout(Duration::from_secs(30), app.settle_until(done))
        .await
        .is_err()
    {
        panic!(
            "the app never settled: {:?}, notice {:?}, title {:?}",
            app.state.phase, app.state.notice, app.state.source_label
        );
    }
}

/// F5, then waits for the run to end and checks it succeeded.
pub async fn run_to_finish(app: &mut App) {
    press(app, KeyCode::F(5));
    settle(app, |s| !s.is_running()).await;
    assert!(
        matches!(app.state.phase, quarry::app::QueryPhase::Finished { .. }),
        "{:?}",
        app.state.phase
    );
}

/// True once the catalog lists tables.
pub fn has_tables(state: &AppState) -> bool {
    state
        .catalog
        .rows()
        .iter()
        .any(|r| matches!(r.kind, RowKind::Table(_)))
}

/// From the editor: focus the catalog, open the first table and wait for its columns.
pub async fn open_first_table(app: &mut App) {
    settle(app, has_tables).await;
    press(app, KeyCode::BackTab); // editor → catalog
    press(app, KeyCode::Down); // the database → its first table
    press(app, KeyCode::Right);
    settle(app, |s| {
        s.catalog
            .rows()
            .iter()
            .any(|r| matches!(r.kind, RowKind::Column { .. }))
    })
    .await;
}

/// The screen as text, trailing spaces trimmed.
pub fn render(app: &App, width: u16, height: u16) -> String {
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
