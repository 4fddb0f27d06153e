//! The results grid's model: Arrow batches with a cursor. Cells are formatted only when drawn,
//! so a million rows cost no more per frame than a hundred.

use std::cell::Cell;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use unicode_width::UnicodeWidthStr;

use crate::output::is_numeric;
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

/// A finished query's rows and the grid cursor.
#[derive(Debug, Clone)]
pub struct ResultGrid {
    pub schema: SchemaRef,
    batches: Vec<RecordBatch>,
    /// Row index where each batch starts, for binary search.
    starts: Vec<usize>,
    pub rows: usize,
    /// Rows the query produced in all, which can exceed `rows` when truncated.
    pub total_rows: u64,
    pub truncated: bool,
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
    /// Builds the grid, sizing columns from the header and a sample of rows.
    pub fn new(
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
                .map(|f| escape_control(f.name()).width().max(4))
                .collect(),
            schema,
            batches,
            starts,
            rows,
            total_rows,
            truncated,
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

    /// Number of columns.
    pub fn columns(&self) -> usize {
        self.widths.len()
    }

    /// A cell's text, control characters escaped.
    pub fn cell(&self, row: usize, column: usize) -> CellText {
        let Some((batch, index)) = self.locate(row) else {
            return CellText::Null;
        };
        let array = batch.column(column);
        // Logical nulls: a NullArray (e.g. `SELECT NULL`) has no validity buffer yet is all null.
        if array
            .logical_nulls()
            .is_some_and(|nulls| nulls.is_null(index))
        {
            return CellText::Null;
        }
        let options = FormatOptions::default();
        match ArrayFormatter::try_new(array.as_ref(), &options) {
            Ok(formatter) => {
                CellText::Value(escape_control(&formatter.value(index).to_string()).into_owned())
            }
            Err(e) => CellText::Value(format!("<{e}>")),
        }
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

    fn locate(&self, row: usize) -> Option<(&RecordBatch, usize)> {
        if row >= self.rows {
            return None;
        }
        let batch = self.starts.partition_point(|start| *start <= row) - 1;
        Some((&self.batches[batch], row - self.starts[batch]))
    }
}
