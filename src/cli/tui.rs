//! Starting the TUI: the demo lake on first run, the source, the editor's buffers (files named
//! on the command line, the last session, a crash's rescue), and what happens at the end.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::backend::QueryContext;
use crate::config::{self, Config, EngineChoice};
use crate::cost::Pricing;
use crate::lake::demo::DemoOptions;
use crate::tui::EngineSlot;

use super::exit::{EXIT_CRASH, EXIT_USAGE, fail, say};
use super::source::{ONE_ENGINE_LOCALLY, Opened, SourceChoice, open_source};
use super::{appearance, launch};

/// Opens the TUI on `lake`, generating the demo lake first when it is the default and missing.
pub(super) async fn run_tui(choice: &SourceChoice, config: &Config, files: &[PathBuf]) -> ExitCode {
    let lake = &choice.lake;
    if choice.aws.is_none() && choice.is_default_lake && !lake.exists() {
        say!(
            "First run: generating the demo lake in {} (once).",
            lake.display()
        );
        let code = super::run_demo(&DemoOptions::new(lake.clone()));
        if code != ExitCode::SUCCESS {
            return code;
        }
    }
    let Opened {
        catalog,
        engine,
        title,
        database,
        workspace,
        alternate,
        cache,
        stores,
    } = match open_source(choice, config, config.row_limit, None).await {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let first_table = match &database {
        Some(db) => catalog
            .tables(db)
            .await
            .ok()
            .and_then(|t| t.into_iter().next())
            .map(|t| t.to_string()),
        None => None,
    };
    let (theme, bindings) = match (appearance::theme(config), appearance::bindings(config)) {
        (Ok(theme), Ok(bindings)) => (theme, bindings),
        (Err(e), _) | (_, Err(e)) => return fail(EXIT_USAGE, &e),
    };
    let starter = crate::app::state::starter_query(first_table.as_deref());
    let session_files = crate::session::SessionFiles::under(&config::data_dir());
    let opening = match launch::open_editor(files, &session_files, &starter) {
        Ok(opening) => opening,
        Err(e) => return fail(EXIT_USAGE, &e),
    };
    let mut state = crate::app::AppState::new(
        title.clone(),
        crate::app::editor::Buffer::new("query 1", ""),
    );
    state.editor = opening.editor;
    state.notice = opening.notice;
    state.parameters.remember(opening.parameters);
    state.user_queries_dir.clone_from(&session_files.queries);
    state.named_queries = choice.aws.is_some();
    state.cache_lake = cache.is_some();
    state.can_copy = stores.is_some();
    if config.editor.mode == crate::config::EditorMode::Vim {
        state.editor.vim = Some(crate::app::vim::Vim::default());
    }
    state.cost_guard.enabled = config.cost_guard.enabled;
    state.cost_guard.max_bytes = config.cost_guard.max_bytes;
    state.cost_guard.max_usd = config.cost_guard.max_usd;
    if let Ok(dir) = std::env::current_dir() {
        state.export_dir = dir;
    }
    let chosen = choice
        .aws
        .as_ref()
        .map_or(EngineChoice::Local, |(_, kind)| *kind);
    let alternate = match alternate {
        Some(Ok(other)) => Ok(EngineSlot {
            name: other.kind.label().to_owned(),
            title: other.title,
            engine: other.engine,
        }),
        Some(Err(why)) => Err(why),
        None => Err(ONE_ENGINE_LOCALLY.to_owned()),
    };
    let services = crate::tui::Services {
        catalog,
        engine: EngineSlot {
            name: chosen.label().to_owned(),
            title,
            engine,
        },
        alternate,
        context: QueryContext {
            database,
            ..QueryContext::default()
        },
        clipboard: crate::tui::Clipboard::Terminal,
        files: Some(session_files.clone()),
        workspace,
        cache,
        stores,
        pricing: Pricing {
            usd_per_tb: config.price_per_tb_usd,
        },
    };
    match crate::tui::run(state, services, theme, bindings).await {
        Ok(crate::tui::Ending::Quit(state)) => {
            if let Err(e) = launch::save_session(&state, &session_files) {
                say!("quarry: the open buffers were not kept for next time: {e}");
            }
            ExitCode::SUCCESS
        }
        Ok(crate::tui::Ending::Panicked(state)) => {
            match launch::rescue(&state, &session_files) {
                Ok(path) => say!(
                    "quarry crashed (a bug: please report the message above). Your open buffers \
                     were saved to {} and reopen on the next start.",
                    path.display()
                ),
                Err(e) => say!("quarry crashed, and saving the open buffers failed: {e}"),
            }
            ExitCode::from(EXIT_CRASH)
        }
        Err(e) => fail(EXIT_USAGE, &format!("terminal error: {e}")),
    }
}
