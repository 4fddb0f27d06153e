//! Filtering the results grid: the pattern typed after `/`, the rows it keeps (worked out off
//! the UI thread, in parallel, and abandoned as soon as a newer pattern is typed), and `n`/`N`
//! jumping between the cells that match.

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use regex::{Regex, RegexBuilder};

use crate::export::athena_text::ColumnText;

use super::action::{Effect, TextEdit};
use super::results::{ResultGrid, SharedRows};
use super::state::AppState;

/// The results' filter line and what it shows.
#[derive(Debug, Clone, Default)]
pub struct GridFilter {
    /// The line as typed.
    pub text: String,
    /// True while keys go to the line.
    pub editing: bool,
    /// The job the grid waits for; answers of older ones are dropped.
    pub pending: Option<u64>,
    /// The pattern whose matching rows are shown.
    pub applied: Option<Arc<RowMatcher>>,
    /// Why the line is not a pattern (a bad regular expression).
    pub error: Option<String>,
}

/// A parsed filter line: what to look for, and where.
#[derive(Debug, Clone)]
pub struct RowMatcher {
    regex: Regex,
    /// The text looked for, when the line is not a regular expression: columns whose cells
    /// cannot hold one of its characters (a word in a timestamp) are not read at all.
    literal: Option<String>,
    /// The one column searched; `None` searches them all.
    pub column: Option<usize>,
    /// The line it was parsed from.
    pub text: String,
}

/// Two matchers parsed from the same line against the same columns are the same.
impl PartialEq for RowMatcher {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.column == other.column
    }
}

impl RowMatcher {
    /// Parses a filter line against the grid's column names. `text` finds a substring;
    /// `/text/` is a regular expression; either is case-insensitive unless it holds a capital
    /// letter (smart case, as in vim and ripgrep); `column:…` searches one column when
    /// `column` is one of the grid's names (so `10:30` still finds a time of day).
    pub fn parse(line: &str, columns: &[&str]) -> Result<Self, String> {
        let (column, pattern) = match line.split_once(':') {
            Some((name, rest)) => match columns.iter().position(|c| c.eq_ignore_ascii_case(name)) {
                Some(index) => (Some(index), rest),
                None => (None, line),
            },
            None => (None, line),
        };
        let (source, literal) = match pattern.strip_prefix('/').and_then(|p| p.strip_suffix('/')) {
            Some(expression) if !expression.is_empty() => (expression.to_owned(), None),
            _ => (regex::escape(pattern), Some(pattern.to_lowercase())),
        };
        let regex = RegexBuilder::new(&source)
            .case_insensitive(!pattern.chars().any(char::is_uppercase))
            .size_limit(1 << 22)
            .build()
            .map_err(|e| match e {
                regex::Error::Syntax(text) => text.lines().last().unwrap_or("").trim().to_owned(),
                other => other.to_string(),
            })?;
        Ok(Self {
            regex,
            literal,
            column,
            text: line.to_owned(),
        })
    }

    /// Whether a cell's text matches.
    pub fn matches(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    /// Whether column `column` is searched.
    pub fn searches(&self, column: usize) -> bool {
        self.column.is_none_or(|c| c == column)
    }

    /// True when no cell of this type can hold the text looked for: numbers, dates and
    /// timestamps are written with digits and a few signs only.
    fn cannot_hold(&self, data_type: &DataType) -> bool {
        let Some(literal) = &self.literal else {
            return false;
        };
        let alphabet = match data_type {
            t if t.is_integer() => "0123456789-",
            DataType::Decimal128(..) | DataType::Decimal256(..) => "0123456789-.",
            DataType::Date32 | DataType::Date64 => "0123456789-",
            DataType::Timestamp(_, None) => "0123456789-:. ",
            DataType::Boolean => "truefals",
            _ => return false,
        };
        literal.chars().any(|c| !alphabet.contains(c))
    }

    /// Which rows of `batch` hold a match.
    fn batch_mask(&self, batch: &RecordBatch) -> Result<Vec<bool>, String> {
        let mut mask = vec![false; batch.num_rows()];
        let mut text = String::new();
        for (index, column) in batch.columns().iter().enumerate() {
            if !self.searches(index) || self.cannot_hold(column.data_type()) {
                continue;
            }
            let cells = ColumnText::new(column.as_ref()).map_err(|e| e.to_string())?;
            for (row, found) in mask.iter_mut().enumerate() {
                if !*found
                    && let Some(cell) = cells.text(row, &mut text).map_err(|e| e.to_string())?
                {
                    *found = self.regex.is_match(cell);
                }
            }
        }
        Ok(mask)
    }
}

/// The rows of `rows` that match, in `rows`' display order; `None` once `wanted` says the
/// answer is no longer needed. CPU work for a background thread: batches are shared out
/// between the cores.
pub fn matching_rows(
    rows: &SharedRows,
    matcher: &RowMatcher,
    wanted: &(dyn Fn() -> bool + Sync),
) -> Result<Option<Vec<u32>>, String> {
    let batches = rows.batches.as_slice();
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(batches.len().max(1));
    let per_thread = batches.len().div_ceil(threads.max(1)).max(1);
    let masks: Vec<Result<Option<Vec<Vec<bool>>>, String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = batches
            .chunks(per_thread)
            .map(|chunk| {
                scope.spawn(move || {
                    let mut masks = Vec::with_capacity(chunk.len());
                    for batch in chunk {
                        if !wanted() {
                            return Ok(None);
                        }
                        masks.push(matcher.batch_mask(batch)?);
                    }
                    Ok(Some(masks))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err("filter failed".to_owned())))
            .collect()
    });
    let mut hits = Vec::with_capacity(rows.batches.iter().map(RecordBatch::num_rows).sum());
    for chunk in masks {
        match chunk? {
            Some(chunk) => chunk.into_iter().for_each(|m| hits.extend(m)),
            None => return Ok(None),
        }
    }
    let keep = |row: u32| hits[row as usize];
    Ok(Some(match &rows.order {
        Some(order) => order.iter().copied().filter(|&r| keep(r)).collect(),
        None => (0..hits.len() as u32).filter(|&r| keep(r)).collect(),
    }))
}

/// `/` in the results: opens the filter line (with the last pattern, to refine it).
pub fn start(state: &mut AppState) {
    if let Some(grid) = state.results.as_mut() {
        grid.filter.editing = true;
    }
}

/// A key for the results' filter line: every change starts a new filter job.
pub fn input(state: &mut AppState, edit: TextEdit) -> Vec<Effect> {
    let Some(grid) = state.results.as_mut() else {
        return Vec::new();
    };
    let before = grid.filter.text.clone();
    match edit {
        TextEdit::Push(_) | TextEdit::Pop => edit.apply_to(&mut grid.filter.text),
        TextEdit::Finish => grid.filter.editing = false,
        TextEdit::Abort => {
            grid.filter.editing = false;
            grid.filter.text.clear();
        }
    }
    if grid.filter.text == before {
        return Vec::new();
    }
    let generation = state.next_ticket;
    state.next_ticket += 1;
    refilter(grid, generation).into_iter().collect()
}

/// Works the applied filter out again after the rows or their order changed.
pub fn refresh(state: &mut AppState) -> Vec<Effect> {
    let generation = state.next_ticket;
    state.next_ticket += 1;
    state
        .results
        .as_mut()
        .and_then(|grid| refilter(grid, generation))
        .into_iter()
        .collect()
}

/// Starts working out the rows the filter line keeps (or shows every row when it is empty).
/// Called again when the rows or their order change under an applied filter.
pub fn refilter(grid: &mut ResultGrid, generation: u64) -> Option<Effect> {
    grid.filter.error = None;
    if grid.filter.text.is_empty() {
        grid.filter.pending = None;
        grid.show_matches(None);
        return None;
    }
    let names = grid.column_names();
    match RowMatcher::parse(&grid.filter.text, &names) {
        Ok(matcher) => {
            grid.filter.pending = Some(generation);
            Some(Effect::FilterResults {
                grid: grid.id,
                generation,
                rows: grid.all_rows(),
                matcher: Arc::new(matcher),
            })
        }
        Err(e) => {
            grid.filter.pending = None;
            grid.filter.error = Some(e);
            None
        }
    }
}

/// A filter job's answer, shown if it is the one the grid waits for.
pub fn filtered(
    state: &mut AppState,
    grid_id: u64,
    generation: u64,
    matcher: Arc<RowMatcher>,
    rows: Result<Vec<u32>, String>,
) -> Vec<Effect> {
    let Some(grid) = state
        .results
        .as_mut()
        .filter(|g| g.id == grid_id && g.filter.pending == Some(generation))
    else {
        return Vec::new();
    };
    grid.filter.pending = None;
    match rows {
        Ok(rows) => grid.show_matches(Some((matcher, rows))),
        Err(e) => grid.filter.error = Some(e),
    }
    // A chart shown draws the rows the filter keeps.
    super::chart_view::rebuild(grid, generation)
        .into_iter()
        .collect()
}

/// `n` / `N`: the cursor to the next (or previous) cell that matches the filter, in reading
/// order, wrapping around.
pub fn jump(state: &mut AppState, forward: bool) {
    let Some(grid) = state.results.as_mut() else {
        return;
    };
    let Some(matcher) = grid.filter.applied.clone() else {
        state.notice =
            Some("no filter: / filters the rows, then n and N move between matches".into());
        return;
    };
    let columns = grid.columns();
    let cells = grid.rows * columns;
    if cells == 0 {
        return;
    }
    let here = grid.row * columns + grid.column;
    // Every row shown holds a match, so this looks at two rows' cells at most.
    for step in 1..=cells {
        let cell = if forward {
            (here + step) % cells
        } else {
            (here + cells - step % cells) % cells
        };
        let (row, column) = (cell / columns, cell % columns);
        if matcher.searches(column)
            && grid
                .raw_cell(row, column)
                .is_some_and(|text| matcher.matches(&text))
        {
            grid.row = row;
            grid.column = column;
            return;
        }
    }
}
