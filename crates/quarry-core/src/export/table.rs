//! The aligned table people read: a header, a rule, numbers right-aligned, NULL spelled out,
//! control characters escaped and long cells cut with `…`.

use std::io::{self, Write};

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use unicode_width::UnicodeWidthStr;

use super::is_numeric;
use crate::text::escape_control;

/// Longest cell shown; longer values end with `…`.
const MAX_CELL_WIDTH: usize = 80;

/// Collects rows (columns are as wide as their widest cell, so nothing is written before the
/// last row) and writes them aligned.
pub(super) struct TableWriter<W: Write> {
    out: W,
    headers: Vec<String>,
    right_aligned: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl<W: Write> TableWriter<W> {
    pub(super) fn new(out: W, schema: &SchemaRef) -> Self {
        Self {
            out,
            headers: schema
                .fields()
                .iter()
                .map(|f| escape_control(f.name()).into_owned())
                .collect(),
            right_aligned: schema
                .fields()
                .iter()
                .map(|f| is_numeric(f.data_type()))
                .collect(),
            rows: Vec::new(),
        }
    }

    pub(super) fn write(&mut self, batch: &RecordBatch) -> io::Result<()> {
        let options = FormatOptions::default().with_null("NULL");
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()
            .map_err(io::Error::other)?;
        for row in 0..batch.num_rows() {
            self.rows.push(
                formatters
                    .iter()
                    .map(|f| truncate(&escape_control(&f.value(row).to_string()), MAX_CELL_WIDTH))
                    .collect(),
            );
        }
        Ok(())
    }

    pub(super) fn finish(mut self) -> io::Result<W> {
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.width());
            }
        }
        let left = vec![false; self.headers.len()];
        write_line(&mut self.out, &widths, &self.headers, &left)?;
        let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
        writeln!(self.out, "{}", rule.join("─┼─"))?;
        for row in &self.rows {
            write_line(&mut self.out, &widths, row, &self.right_aligned)?;
        }
        Ok(self.out)
    }
}

fn write_line(
    out: &mut impl Write,
    widths: &[usize],
    cells: &[String],
    align_right: &[bool],
) -> io::Result<()> {
    let mut text = String::new();
    for (i, cell) in cells.iter().enumerate() {
        let pad = " ".repeat(widths[i].saturating_sub(cell.width()));
        text.push_str(if i == 0 { "" } else { " │ " });
        if align_right[i] {
            text.push_str(&pad);
            text.push_str(cell);
        } else {
            text.push_str(cell);
            if i + 1 < cells.len() {
                text.push_str(&pad);
            }
        }
    }
    writeln!(out, "{}", text.trim_end())
}

fn truncate(text: &str, max: usize) -> String {
    if text.width() <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    for c in text.chars() {
        if out.width() + 1 >= max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}
