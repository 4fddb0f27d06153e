//! Writing results for `quarry query`: an aligned table for people, CSV/JSON/NDJSON for tools.

use std::io::{self, Write};

use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use unicode_width::UnicodeWidthStr;

use crate::text::{escape_control, escape_control_keep_lines};

/// How `quarry query` prints results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns with a header, numbers right-aligned, NULL spelled out.
    Table,
    Csv,
    /// One JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
}

/// Longest cell shown in table output; longer values end with `…`.
const MAX_CELL_WIDTH: usize = 80;

/// Writes `batches` in `format`. `to_terminal` escapes control characters that CSV would
/// otherwise pass through raw (JSON escapes them by its own rules; tables always escape).
pub fn write_results(
    out: &mut dyn Write,
    format: OutputFormat,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    to_terminal: bool,
) -> io::Result<()> {
    match format {
        OutputFormat::Table => write_table(out, schema, batches),
        OutputFormat::Csv => {
            let mut buffer = Vec::new();
            {
                let mut writer = arrow::csv::WriterBuilder::new()
                    .with_header(true)
                    .build(&mut buffer);
                if batches.is_empty() {
                    writer
                        .write(&RecordBatch::new_empty(schema.clone()))
                        .map_err(io::Error::other)?;
                }
                for batch in batches {
                    writer.write(batch).map_err(io::Error::other)?;
                }
            }
            if to_terminal {
                out.write_all(
                    escape_control_keep_lines(&String::from_utf8_lossy(&buffer)).as_bytes(),
                )
            } else {
                out.write_all(&buffer)
            }
        }
        OutputFormat::Json => {
            let mut writer = arrow::json::ArrayWriter::new(&mut *out);
            for batch in batches {
                writer.write(batch).map_err(io::Error::other)?;
            }
            writer.finish().map_err(io::Error::other)?;
            if batches.iter().all(|b| b.num_rows() == 0) {
                // arrow's writer prints nothing for no rows; an empty array is still JSON.
                out.write_all(b"[]")?;
            }
            out.write_all(b"\n")
        }
        OutputFormat::Ndjson => {
            let mut writer = arrow::json::LineDelimitedWriter::new(&mut *out);
            for batch in batches {
                writer.write(batch).map_err(io::Error::other)?;
            }
            writer.finish().map_err(io::Error::other)
        }
    }
}

fn write_table(out: &mut dyn Write, schema: &SchemaRef, batches: &[RecordBatch]) -> io::Result<()> {
    let options = FormatOptions::default().with_null("NULL");
    let headers: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| escape_control(f.name()).into_owned())
        .collect();
    let right_aligned: Vec<bool> = schema
        .fields()
        .iter()
        .map(|f| is_numeric(f.data_type()))
        .collect();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()
            .map_err(io::Error::other)?;
        for row in 0..batch.num_rows() {
            rows.push(
                formatters
                    .iter()
                    .map(|f| truncate(&escape_control(&f.value(row).to_string()), MAX_CELL_WIDTH))
                    .collect(),
            );
        }
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let line = |out: &mut dyn Write, cells: &[String], align_right: &[bool]| -> io::Result<()> {
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
    };
    line(out, &headers, &vec![false; headers.len()])?;
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    writeln!(out, "{}", rule.join("─┼─"))?;
    for row in &rows {
        line(out, row, &right_aligned)?;
    }
    Ok(())
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

/// Numbers read best right-aligned.
pub fn is_numeric(data_type: &DataType) -> bool {
    data_type.is_numeric() || matches!(data_type, DataType::Dictionary(_, v) if v.is_numeric())
}
