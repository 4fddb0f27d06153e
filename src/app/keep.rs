//! `K` in the results: keep the result as a table of the cache lake, under a name the user
//! gives, so the same session (and `quarry query`) can query it on the local engine for $0.
//! `K` in the partition browser (AWS source): copy the selected partitions into the cache lake
//! under the table's own name, measured and confirmed first, with progress, stoppable.

use super::action::Effect;
use super::overlay::{Overlay, Prompt, PromptKind};
use super::state::{AppState, QueryPhase};
use crate::backend::TableName;
use crate::cache::copy::{CopyPlan, CopyProgress};
use crate::text::thousands;

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

/// `K` in the partition browser (AWS source): measure what keeping the selected partitions
/// locally copies, then ask. While a copy runs, `K` stops it (the next one resumes).
pub fn ask_copy(state: &mut AppState) -> Vec<Effect> {
    if state.copying.is_some() {
        return vec![Effect::StopCopy];
    }
    if !state.cache_lake || !state.can_copy {
        state.notice = Some(
            "partitions are copied from S3: open the AWS source (--aws) with a cache lake"
                .to_owned(),
        );
        return Vec::new();
    }
    let Some(browser) = &state.partitions else {
        return Vec::new();
    };
    let Some(condition) = browser.condition() else {
        state.notice = Some("select partitions first (Space marks, v a range)".to_owned());
        return Vec::new();
    };
    state.notice = Some(format!("measuring what keeping `{condition}` copies…"));
    vec![Effect::PlanCopy {
        table: browser.table.clone(),
        condition,
    }]
}

/// The copy was measured: ask before anything moves.
pub fn copy_planned(
    state: &mut AppState,
    result: Result<std::sync::Arc<CopyPlan>, String>,
) -> Vec<Effect> {
    let plan = match result {
        Ok(plan) => plan,
        Err(e) => {
            state.notice = Some(format!("cannot keep those partitions: {e}"));
            return Vec::new();
        }
    };
    let label = format!(
        "keep {} of {} partitions of {} locally: {}, {}? Enter copies (K stops it)",
        thousands(plan.matched.len() as u64),
        thousands(plan.source_partitions.len() as u64),
        plan.table,
        crate::doctor::plural(plan.objects.len() as u64, "file"),
        crate::text::human_bytes(plan.bytes())
    );
    state.copy_plan = Some(plan);
    state.notice = None;
    state.open_overlay(Overlay::Prompt(Prompt {
        kind: PromptKind::ConfirmCopy,
        label,
        text: String::new(),
    }))
}

/// Enter on the question: start the copy.
pub fn copy_confirmed(state: &mut AppState) -> Vec<Effect> {
    let Some(plan) = state.copy_plan.take() else {
        return Vec::new();
    };
    state.copying = Some(CopyProgress {
        files_total: plan.objects.len() as u64,
        bytes_total: plan.bytes(),
        ..CopyProgress::default()
    });
    vec![Effect::RunCopy(plan)]
}

/// A file more was copied.
pub fn copy_progressed(state: &mut AppState, progress: CopyProgress) {
    if state.copying.is_none() {
        return;
    }
    state.copying = Some(progress);
    state.notice = Some(format!(
        "keeping partitions locally: {} of {} files, {} of {} (K stops)",
        thousands(progress.files_done),
        thousands(progress.files_total),
        crate::text::human_bytes(progress.bytes_done),
        crate::text::human_bytes(progress.bytes_total)
    ));
}

/// The copy ended, stopped or failed; a finished one adds the table's copy to the catalog.
pub fn copy_finished(state: &mut AppState, result: Result<String, String>) -> Vec<Effect> {
    state.copying = None;
    match result {
        Ok(what) => {
            state.notice = Some(what);
            vec![Effect::LoadDatabases]
        }
        Err(e) => {
            state.notice = Some(e);
            Vec::new()
        }
    }
}
