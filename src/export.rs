//! Writing a result grid's rows to a file: CSV, TSV, JSON, NDJSON or Parquet, in the grid's
//! display order, atomically (a `.part` file renamed at the end) with progress callbacks.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use datafusion::arrow::array::UInt32Array;
use datafusion::arrow::compute::{concat_batches, take_record_batch};
use datafusion::arrow::record_batch::RecordBatch;

use crate::app::results::SharedRows;

/// Rows written between progress reports (and per reordered chunk).
const CHUNK_ROWS: usize = 8_192;

/// File formats for export, chosen by the file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Tsv,
    Json,
    Ndjson,
    Parquet,
}

impl ExportFormat {
    /// The format a path's extension asks for.
    pub fn from_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match extension.as_str() {
            "csv" => Self::Csv,
            "tsv" | "tab" => Self::Tsv,
            "json" => Self::Json,
            "ndjson" | "jsonl" => Self::Ndjson,
            "parquet" => Self::Parquet,
            _ => return None,
        })
    }
}

/// Writes `rows` to `path`; `progress` gets the rows written so far. Returns the file size.
pub fn export(rows: &SharedRows, path: &Path, progress: &dyn Fn(u64)) -> io::Result<u64> {
    let format = ExportFormat::from_path(path).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{}: the extension picks the format; use .csv, .tsv, .json, .ndjson or .parquet",
                path.display()
            ),
        )
    })?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let temp = part_path(path);
    let result = write(rows, &temp, format, progress).and_then(|()| fs::rename(&temp, path));
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result?;
    Ok(fs::metadata(path)?.len())
}

fn part_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    path.with_file_name(name)
}

fn write(
    rows: &SharedRows,
    temp: &Path,
    format: ExportFormat,
    progress: &dyn Fn(u64),
) -> io::Result<()> {
    let file = BufWriter::new(File::create(temp)?);
    let mut sink = Sink::new(file, format, rows)?;
    let mut written = 0u64;
    for_each_chunk(rows, &mut |batch| {
        sink.write(batch)?;
        written += batch.num_rows() as u64;
        progress(written);
        Ok(())
    })?;
    sink.finish(written > 0)
}

/// Calls `each` with the rows in display order, at most [`CHUNK_ROWS`] at a time when sorted.
fn for_each_chunk(
    rows: &SharedRows,
    each: &mut dyn FnMut(&RecordBatch) -> io::Result<()>,
) -> io::Result<()> {
    let Some(order) = &rows.order else {
        for batch in rows.batches.iter() {
            each(batch)?;
        }
        return Ok(());
    };
    let all = concat_batches(&rows.schema, rows.batches.iter()).map_err(io::Error::other)?;
    for chunk in order.chunks(CHUNK_ROWS) {
        let indices = UInt32Array::from(chunk.to_vec());
        let batch = take_record_batch(&all, &indices).map_err(io::Error::other)?;
        each(&batch)?;
    }
    Ok(())
}

/// One writer per format, behind one interface.
enum Sink<W: Write + Send> {
    Csv(arrow::csv::Writer<W>),
    Json(arrow::json::ArrayWriter<W>),
    Ndjson(arrow::json::LineDelimitedWriter<W>),
    Parquet(parquet::arrow::ArrowWriter<W>),
}

impl<W: Write + Send> Sink<W> {
    fn new(out: W, format: ExportFormat, rows: &SharedRows) -> io::Result<Self> {
        Ok(match format {
            ExportFormat::Csv | ExportFormat::Tsv => {
                let delimiter = if format == ExportFormat::Tsv {
                    b'\t'
                } else {
                    b','
                };
                let mut writer = arrow::csv::WriterBuilder::new()
                    .with_header(true)
                    .with_delimiter(delimiter)
                    .build(out);
                // The header comes with the first batch; write it even for no rows.
                writer
                    .write(&RecordBatch::new_empty(rows.schema.clone()))
                    .map_err(io::Error::other)?;
                Self::Csv(writer)
            }
            ExportFormat::Json => Self::Json(arrow::json::ArrayWriter::new(out)),
            ExportFormat::Ndjson => Self::Ndjson(arrow::json::LineDelimitedWriter::new(out)),
            ExportFormat::Parquet => Self::Parquet(
                parquet::arrow::ArrowWriter::try_new(out, rows.schema.clone(), None)
                    .map_err(io::Error::other)?,
            ),
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> io::Result<()> {
        match self {
            Self::Csv(w) => w.write(batch).map_err(io::Error::other),
            Self::Json(w) => w.write(batch).map_err(io::Error::other),
            Self::Ndjson(w) => w.write(batch).map_err(io::Error::other),
            Self::Parquet(w) => w.write(batch).map_err(io::Error::other),
        }
    }

    fn finish(self, wrote_rows: bool) -> io::Result<()> {
        match self {
            Self::Csv(w) => w.into_inner().flush(),
            Self::Json(mut w) => {
                w.finish().map_err(io::Error::other)?;
                let mut out = w.into_inner();
                // arrow writes nothing for no rows; an empty array is still JSON.
                if !wrote_rows {
                    out.write_all(b"[]")?;
                }
                out.write_all(b"\n")?;
                out.flush()
            }
            Self::Ndjson(mut w) => {
                w.finish().map_err(io::Error::other)?;
                w.into_inner().flush()
            }
            Self::Parquet(w) => {
                let mut out = w.into_inner().map_err(io::Error::other)?;
                out.flush()
            }
        }
    }
}
