//! The results grid's model: Arrow batches with a cursor. Cells are formatted only when drawn,
//! so a million rows cost no more per frame than a hundred.

use std::cell::Cell;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef};
use datafusion::arrow::compute::{SortOptions, concat, sort_to_indices};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use unicode_width::UnicodeWidthStr;

use crate::export::athena_text::value_text;
use crate::export::is_numeric;
use crate::text::escape_control;

/// Widest a column is drawn; the cell inspector shows the rest.
pub const MAX_COLUMN_WIDTH: usize = 40;
/// Rows sampled to size columns.
const WIDTH_SAMPLE_ROWS: usize = 1_000;

/// One cell as drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellText {
    Null,
    Value(String),
}

pub use crate::export::SharedRows;

/// How the grid is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub column: usize,
    pub descending: bool,
}

/// A finished query's rows and the grid cursor.
#[derive(Debug, Clone)]
pub struct ResultGrid {
    /// The run that produced these rows; sort answers for another grid are dropped.
    pub id: u64,
    pub schema: SchemaRef,
    batches: Arc<Vec<RecordBatch>>,
    /// Display row → data row, when sorted or filtered.
    order: Option<Arc<Vec<u32>>>,
    /// Every data row in the sort's order, when sorted; a filter picks from it.
    sort_order: Option<Arc<Vec<u32>>>,
    pub sort: Option<SortKey>,
    /// A sort being computed in the background.
    pub sorting: Option<SortKey>,
    /// Row index where each batch starts, for binary search.
    starts: Vec<usize>,
    /// Rows shown: every row received, or those the filter keeps.
    pub rows: usize,
    /// Rows received.
    pub loaded: usize,
    /// The `/` filter line and the pattern applied.
    pub filter: super::results_filter::GridFilter,
    /// The chart shown in the grid's place (`g`).
    pub chart: Option<super::chart_view::ChartView>,
    /// The statement that produced the rows, for conditions written from them.
    pub sql: Option<String>,
    /// Rows the query produced in all, which can exceed `rows` when truncated.
    pub total_rows: u64,
    pub truncated: bool,
    /// True while later pages of the result are still arriving.
    pub loading_more: bool,
    pub widths: Vec<usize>,
    pub numeric: Vec<bool>,
    pub row: usize,
    pub column: usize,
    /// First row drawn; kept by the view so scrolling is stable.
    pub top: Cell<usize>,
    /// First column drawn.
    pub left: Cell<usize>,
}

impl ResultGrid {
    /// Adds rows that arrived after the grid was built. A sort would no longer cover every
    /// row, so it is dropped; the cursor stays where it was. True when a filter is applied and
    /// must be worked out again to cover the new rows.
    #[must_use]
    pub fn append(
        &mut self,
        batches: Vec<RecordBatch>,
        more_coming: bool,
        truncated: bool,
    ) -> bool {
        let added: usize = batches.iter().map(RecordBatch::num_rows).sum();
        let all = Arc::make_mut(&mut self.batches);
        for batch in batches {
            self.starts.push(self.loaded);
            self.loaded += batch.num_rows();
            all.push(batch);
        }
        if added > 0 && self.sort_order.is_some() {
            self.sort_order = None;
            self.sort = None;
        }
        self.total_rows = self.total_rows.max(self.loaded as u64);
        self.loading_more = more_coming;
        self.truncated = truncated;
        if self.filter.applied.is_some() || self.filter.pending.is_some() {
            return added > 0;
        }
        self.order = self.sort_order.clone();
        self.rows = self.loaded;
        false
    }

    /// Builds the grid, sizing columns from the header and a sample of rows.
    pub fn new(
        id: u64,
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
        total_rows: u64,
        truncated: bool,
    ) -> Self {
        let mut starts = Vec::with_capacity(batches.len());
        let mut rows = 0;
        for batch in &batches {
            starts.push(rows);
            rows += batch.num_rows();
        }
        let numeric = schema
            .fields()
            .iter()
            .map(|f| is_numeric(f.data_type()))
            .collect();
        let mut grid = Self {
            widths: schema
                .fields()
                .iter()
                // Two spare columns for the sort arrow.
                .map(|f| escape_control(f.name()).width().max(4) + 2)
                .collect(),
            id,
            schema,
            batches: Arc::new(batches),
            order: None,
            sort_order: None,
            sort: None,
            sorting: None,
            starts,
            rows,
            loaded: rows,
            filter: super::results_filter::GridFilter::default(),
            chart: None,
            sql: None,
            total_rows,
            truncated,
            loading_more: false,
            numeric,
            row: 0,
            column: 0,
            top: Cell::new(0),
            left: Cell::new(0),
        };
        for row in 0..rows.min(WIDTH_SAMPLE_ROWS) {
            for column in 0..grid.widths.len() {
                let width = match grid.cell(row, column) {
                    CellText::Null => 4,
                    CellText::Value(v) => v.width(),
                };
                grid.widths[column] = grid.widths[column].max(width).min(MAX_COLUMN_WIDTH);
            }
        }
        grid
    }

    /// The columns' names, as a filter line names them.
    pub fn column_names(&self) -> Vec<&str> {
        self.schema
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect()
    }

    /// Number of columns.
    pub fn columns(&self) -> usize {
        self.widths.len()
    }

    /// A cell's text, control characters escaped.
    pub fn cell(&self, row: usize, column: usize) -> CellText {
        match self.raw_cell(row, column) {
            None => CellText::Null,
            Some(text) => CellText::Value(escape_control(&text).into_owned()),
        }
    }

    /// A cell's full text as the engine formats it, unescaped (`None` for NULL): for the
    /// inspector, which escapes when drawing, and for copying.
    pub fn raw_cell(&self, row: usize, column: usize) -> Option<String> {
        let (batch, index) = self.locate(row)?;
        let array = batch.column(column);
        if array
            .logical_nulls()
            .is_some_and(|nulls| nulls.is_null(index))
        {
            return None;
        }
        // As the Athena console prints values: `{k=v}` maps, `2024-02-26 10:11:12.123`, `1.0E7`.
        Some(match value_text(array.as_ref(), index) {
            Ok(text) => text,
            Err(e) => format!("<{e}>"),
        })
    }

    /// Moves the cursor, staying inside the grid.
    pub fn move_by(&mut self, rows: isize, columns: isize) {
        self.row = self
            .row
            .saturating_add_signed(rows)
            .min(self.rows.saturating_sub(1));
        self.column = self
            .column
            .saturating_add_signed(columns)
            .min(self.columns().saturating_sub(1));
    }

    /// The rows shown, in display order, for copying and export off the UI thread.
    pub fn shared(&self) -> SharedRows {
        SharedRows {
            schema: self.schema.clone(),
            batches: Arc::clone(&self.batches),
            order: self.order.clone(),
        }
    }

    /// Every row received, in the sort's order, for a filter to pick from.
    pub fn all_rows(&self) -> SharedRows {
        SharedRows {
            schema: self.schema.clone(),
            batches: Arc::clone(&self.batches),
            order: self.sort_order.clone(),
        }
    }

    /// The sort after pressing sort on the cursor column: ascending, then descending, then
    /// back to the query's order (`None`).
    pub fn next_sort(&self) -> Option<SortKey> {
        match self.sort {
            Some(SortKey {
                column,
                descending: false,
            }) if column == self.column => Some(SortKey {
                column,
                descending: true,
            }),
            Some(SortKey { column, .. }) if column == self.column => None,
            _ => Some(SortKey {
                column: self.column,
                descending: false,
            }),
        }
    }

    /// Shows the rows in `order` (from [`sort_order`]), or in the query's order. True when a
    /// filter is applied and must pick its rows again in the new order.
    #[must_use]
    pub fn apply_sort(&mut self, sort: Option<SortKey>, order: Option<Vec<u32>>) -> bool {
        self.sort = sort;
        self.sorting = None;
        self.sort_order = order.map(Arc::new);
        if self.filter.applied.is_some() || self.filter.pending.is_some() {
            return true;
        }
        self.order = self.sort_order.clone();
        false
    }

    /// Shows the rows a filter kept (data rows in display order), or every row for `None`;
    /// the cursor goes to the first row.
    pub fn show_matches(
        &mut self,
        matches: Option<(Arc<super::results_filter::RowMatcher>, Vec<u32>)>,
    ) {
        match matches {
            Some((pattern, kept)) => {
                self.rows = kept.len();
                self.order = Some(Arc::new(kept));
                self.filter.applied = Some(pattern);
            }
            None => {
                self.rows = self.loaded;
                self.order = self.sort_order.clone();
                self.filter.applied = None;
            }
        }
        self.row = 0;
        self.top.set(0);
    }

    /// The array and index holding display row `row`.
    fn locate(&self, row: usize) -> Option<(&RecordBatch, usize)> {
        if row >= self.rows {
            return None;
        }
        let row = match &self.order {
            Some(order) => *order.get(row)? as usize,
            None => row,
        };
        let batch = self.starts.partition_point(|start| *start <= row) - 1;
        Some((&self.batches[batch], row - self.starts[batch]))
    }
}

/// Display order for `rows` sorted by `key` (NULLs last either way); CPU work for a
/// background task, since a million strings take a noticeable moment.
pub fn sort_order(rows: &SharedRows, key: SortKey) -> Result<Vec<u32>, String> {
    let arrays: Vec<&dyn Array> = rows
        .batches
        .iter()
        .map(|b| b.column(key.column).as_ref())
        .collect();
    if arrays.is_empty() {
        return Ok(Vec::new());
    }
    let column: ArrayRef = concat(&arrays).map_err(|e| e.to_string())?;
    let options = SortOptions {
        descending: key.descending,
        nulls_first: false,
    };
    let indices = sort_to_indices(&column, Some(options), None).map_err(|e| e.to_string())?;
    Ok(indices.values().to_vec())
}
