//! `update` for the partition browser and the pane filter lines: opening a table's
//! partitions, paging them in, and turning a selection into a WHERE condition in the editor.

use crate::backend::{PartitionPage, TableName};
use crate::sql::filter;

use super::action::{Effect, Focus, TextEdit};
use super::catalog_tree::{LoadRequest, RowKind};
use super::editor::Buffer;
use super::partitions::{Loading, MAX_LISTED, PartitionBrowser};
use super::state::AppState;

/// The first page is small so the browser shows at once; later pages are larger so a
/// 100,000-partition table loads in a few dozen round trips.
const FIRST_PAGE: usize = 500;
const NEXT_PAGE: usize = 5_000;

/// Opens the browser on the table under the catalog cursor, loading its details first when
/// they are not known yet.
pub fn open(state: &mut AppState) -> Vec<Effect> {
    let Some(RowKind::Table(table) | RowKind::Column { table, .. }) =
        state.catalog.selected_row().map(|r| r.kind)
    else {
        state.notice = Some("select a table to browse its partitions".to_owned());
        return Vec::new();
    };
    if state
        .partitions
        .as_ref()
        .is_some_and(|b| b.table == table && !matches!(b.loading, Loading::Failed(_)))
    {
        state.show_partitions = true;
        state.focus = Focus::Partitions;
        return Vec::new();
    }
    if state.catalog.table_info(&table).is_none() {
        state.pending_partitions = Some(table);
        return match state.catalog.expand() {
            Some(LoadRequest::Table(name)) => vec![Effect::LoadTable(name)],
            _ => Vec::new(), // already on its way
        };
    }
    start(state, &table)
}

/// Called when a table's details arrive: opens the browser if the user asked for it.
pub fn table_loaded(state: &mut AppState, name: &TableName) -> Vec<Effect> {
    if state.pending_partitions.as_ref() == Some(name) {
        state.pending_partitions = None;
        if state.catalog.table_info(name).is_some() {
            return start(state, name);
        }
    }
    Vec::new()
}

fn start(state: &mut AppState, table: &TableName) -> Vec<Effect> {
    let Some(info) = state.catalog.table_info(table).cloned() else {
        return Vec::new();
    };
    let request = state.next_ticket;
    state.next_ticket += 1;
    let mut browser = PartitionBrowser::new(info, request);
    let unpartitioned = browser.keys.is_empty();
    if unpartitioned {
        browser.loading = Loading::Complete;
    }
    state.partitions = Some(browser);
    state.show_partitions = true;
    state.focus = Focus::Partitions;
    if unpartitioned {
        return Vec::new();
    }
    vec![
        Effect::LoadPartitions {
            request,
            table: table.clone(),
            token: None,
            page_size: FIRST_PAGE,
        },
        Effect::CountPartitions {
            request,
            table: table.clone(),
        },
    ]
}

/// Records the source's own count of a table's partitions.
pub fn partitions_counted(state: &mut AppState, request: u64, count: Result<Option<u64>, String>) {
    if let Some(browser) = state.partitions.as_mut().filter(|b| b.request == request) {
        match count {
            Ok(count) => browser.catalog_count = count,
            Err(e) => tracing::warn!("partitions not counted: {e}"),
        }
    }
}

/// Partitions per browser whose size is measured (an S3 listing each on Glue).
pub const SIZE_BUDGET: usize = 2_000;

/// Records a measured partition size in the browser it was asked for.
pub fn partition_sized(
    state: &mut AppState,
    request: u64,
    values: &[String],
    files: u64,
    bytes: u64,
) {
    if let Some(browser) = state.partitions.as_mut().filter(|b| b.request == request) {
        browser.set_size(values, files, bytes);
    }
}

/// Adds an arrived page and asks for the next one while the browser is the same.
pub fn page_loaded(
    state: &mut AppState,
    request: u64,
    page: Result<PartitionPage, String>,
) -> Vec<Effect> {
    let Some(browser) = state.partitions.as_mut().filter(|b| b.request == request) else {
        return Vec::new(); // a browser since replaced
    };
    match page {
        Ok(page) => {
            browser.add_page(&page.partitions, page.next_token.is_none());
            // Sources that list partitions without sizes (Glue) measure them on request; the
            // first SIZE_BUDGET are measured, so a huge table does not cost a listing per
            // partition.
            let to_size: Vec<(Vec<String>, String)> = page
                .partitions
                .iter()
                .filter(|p| p.bytes.is_none() && !p.location.is_empty())
                .take(SIZE_BUDGET.saturating_sub(browser.size_requested))
                .map(|p| (p.values.clone(), p.location.clone()))
                .collect();
            browser.size_requested += to_size.len();
            let capped = browser.total().partitions >= MAX_LISTED as u64;
            if capped && page.next_token.is_some() {
                browser.loading = Loading::Capped;
            }
            let mut effects: Vec<Effect> = page
                .next_token
                .filter(|_| !capped)
                .map(|token| Effect::LoadPartitions {
                    request,
                    table: browser.table.clone(),
                    token: Some(token),
                    page_size: NEXT_PAGE,
                })
                .into_iter()
                .collect();
            if !to_size.is_empty() {
                effects.push(Effect::SizePartitions {
                    request,
                    partitions: to_size,
                });
            }
            effects
        }
        Err(e) => {
            browser.loading = Loading::Failed(e);
            Vec::new()
        }
    }
}

/// Applies `change` to the open browser, if any.
pub fn with_browser(state: &mut AppState, change: impl FnOnce(&mut PartitionBrowser)) {
    if let Some(browser) = state.partitions.as_mut() {
        change(browser);
    }
}

/// Esc in the browser: leave the filter line, then drop the selection, then close.
pub fn close(state: &mut AppState) {
    let Some(browser) = state.partitions.as_mut() else {
        state.show_partitions = false;
        return;
    };
    if browser.anchor.is_some() || !browser.marked.is_empty() {
        browser.clear_selection();
    } else {
        state.show_partitions = false;
        state.focus = Focus::Results;
    }
}

/// Adds the selection's condition to the statement under the editor cursor, or writes a new
/// query when that statement is about another table (or there is none).
pub fn insert_filter(state: &mut AppState) {
    let Some(browser) = state.partitions.as_ref() else {
        return;
    };
    let Some(condition) = browser.condition() else {
        state.notice = Some("no partitions to filter on yet".to_owned());
        return;
    };
    let table = browser.table.clone();
    let buffer = state.editor.buffer_mut();
    let statement = buffer
        .statement_to_run()
        .filter(|s| filter::mentions(&s.sql, &table.name));
    let added = statement.and_then(|s| {
        let insertions = filter::add_condition(&s.sql, &condition)?;
        buffer.compound(|buffer| {
            buffer.textarea.cancel_selection();
            for insertion in insertions {
                buffer.move_cursor_to(s.to_buffer(insertion.at));
                buffer.textarea.insert_str(&insertion.text);
            }
        });
        Some(())
    });
    if added.is_none() {
        let sql = format!("SELECT *\nFROM {table}\nWHERE {condition}\nLIMIT 100");
        if buffer.text().trim().is_empty() {
            buffer.compound(|buffer| {
                buffer.textarea.select_all();
                buffer.textarea.insert_str(&sql);
            });
        } else {
            state.editor.open(Buffer::new(table.name.clone(), &sql));
        }
    }
    state.notice = Some(format!("filter added: {condition}"));
    state.show_partitions = false;
    state.focus = Focus::Editor;
}

/// Whether the focused pane's one-line filter is taking text.
pub fn editing_filter(state: &AppState) -> bool {
    match state.focus {
        Focus::Catalog => state.catalog.editing_filter,
        Focus::Partitions => state.partitions.as_ref().is_some_and(|b| b.editing_filter),
        Focus::Results => state.results.as_ref().is_some_and(|g| g.filter.editing),
        Focus::Editor => false,
    }
}

/// A key for the focused pane's filter line.
pub fn filter_input(state: &mut AppState, edit: TextEdit) {
    let (text, editing) = match state.focus {
        Focus::Catalog => (
            state.catalog.filter.clone(),
            &mut state.catalog.editing_filter,
        ),
        Focus::Partitions => match state.partitions.as_mut() {
            Some(browser) => (browser.filter.clone(), &mut browser.editing_filter),
            None => return,
        },
        Focus::Editor | Focus::Results => return,
    };
    let mut text = text;
    match edit {
        TextEdit::Push(_) | TextEdit::Pop => edit.apply_to(&mut text),
        TextEdit::Finish => *editing = false,
        TextEdit::Abort => {
            *editing = false;
            text.clear();
        }
    }
    match state.focus {
        Focus::Catalog => state.catalog.set_filter(text),
        _ => with_browser(state, |b| {
            if b.filter != text {
                b.set_filter(text);
            }
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{Column, Partition, TableInfo};

    #[test]
    fn listing_stops_at_the_limit_and_says_so() {
        let key = |name: &str| Column {
            name: name.to_owned(),
            data_type: "string".to_owned(),
            comment: None,
            nullable: true,
        };
        let info = TableInfo {
            name: TableName::new("db", "huge"),
            columns: Vec::new(),
            partition_keys: vec![key("id")],
            location: "s3://lake/huge/".to_owned(),
            format: "parquet".to_owned(),
            properties: std::collections::BTreeMap::new(),
            totals: None,
            problems: Vec::new(),
        };
        let mut state = AppState::new("test", Buffer::new("query 1", ""));
        state.partitions = Some(PartitionBrowser::new(info, 7));
        let page = |from: usize, to: usize| PartitionPage {
            partitions: (from..to)
                .map(|i| Partition {
                    values: vec![format!("{i:07}")],
                    location: String::new(),
                    files: Some(1),
                    bytes: Some(10),
                    projected: false,
                })
                .collect(),
            next_token: Some("more".to_owned()),
        };
        let below = page_loaded(&mut state, 7, Ok(page(0, MAX_LISTED - 1)));
        assert!(matches!(below.as_slice(), [Effect::LoadPartitions { .. }]));
        let at_limit = page_loaded(&mut state, 7, Ok(page(MAX_LISTED - 1, MAX_LISTED + 10)));
        assert!(at_limit.is_empty(), "no further page is asked for");
        let browser = state.partitions.as_ref().unwrap();
        assert_eq!(browser.loading, Loading::Capped);
        assert_eq!(browser.total().partitions, MAX_LISTED as u64 + 10);
    }
}
