//! `K` in the results: keep the result as a table of the cache lake, under a name the user
//! gives, so the same session (and `quarry query`) can query it on the local engine for $0.

use super::action::Effect;
use super::overlay::{Overlay, Prompt, PromptKind};
use super::state::{AppState, QueryPhase};
use crate::backend::TableName;

/// The database a kept result goes to unless the user names another.
pub const DEFAULT_KEPT_DATABASE: &str = "kept";

/// Opens the prompt for the kept table's name, or says why the result cannot be kept.
pub fn ask(state: &mut AppState) -> Vec<Effect> {
    let why_not = match (&state.results, state.cache_lake) {
        (_, false) => Some(
            "there is no cache lake to keep results in ([cache] dir in config.toml)".to_owned(),
        ),
        (None, _) => Some("nothing to keep: run a query first".to_owned()),
        (Some(grid), _) if grid.sql.is_none() => {
            Some("this result has no SQL to keep it with (run it from the editor)".to_owned())
        }
        (Some(grid), _) if grid.truncated || grid.loading_more => Some(format!(
            "only the first {} rows are here (row_limit): keep every row with `quarry query \
             --save-as DB.TABLE`",
            crate::text::thousands(grid.rows as u64)
        )),
        _ => None,
    };
    if let Some(why) = why_not {
        state.notice = Some(why);
        return Vec::new();
    }
    let stamp = chrono::Local::now().format("%Y%m%d_%H%M%S");
    state.open_overlay(Overlay::Prompt(Prompt {
        kind: PromptKind::KeepAs,
        label: "keep the result locally as DB.TABLE (queries on it run for $0)".to_owned(),
        text: format!("{DEFAULT_KEPT_DATABASE}.result_{stamp}"),
    }))
}

/// The name was entered: keep the grid's rows under it.
pub fn entered(state: &mut AppState, text: &str) -> Vec<Effect> {
    let text = text.trim().to_ascii_lowercase();
    let name = match text.split_once('.') {
        Some((database, table)) if !database.is_empty() && !table.is_empty() => {
            TableName::new(database, table)
        }
        None if !text.is_empty() => TableName::new(DEFAULT_KEPT_DATABASE, text.as_str()),
        _ => {
            state.notice = Some(format!("`{text}` is not DB.TABLE (e.g. kept.errors_march)"));
            return Vec::new();
        }
    };
    let Some(grid) = &state.results else {
        return Vec::new();
    };
    let run_stats = match &state.phase {
        QueryPhase::Finished { stats } => stats.clone(),
        _ => crate::backend::QueryStats::default(),
    };
    state.notice = Some(format!(
        "keeping {} rows as {name}…",
        crate::text::thousands(grid.rows as u64)
    ));
    vec![Effect::KeepResult {
        name,
        rows: grid.shared(),
        sql: grid.sql.clone().unwrap_or_default(),
        stats: Box::new(run_stats),
    }]
}

/// The keep ended: say where, and show the new table in the catalog.
pub fn finished(state: &mut AppState, result: Result<(TableName, String), String>) -> Vec<Effect> {
    match result {
        Ok((name, what)) => {
            state.notice = Some(what);
            vec![Effect::LoadDatabases, Effect::LoadTables(name.database)]
        }
        Err(e) => {
            state.notice = Some(format!("not kept: {e}"));
            Vec::new()
        }
    }
}
