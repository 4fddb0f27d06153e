//! Writing rows out, for `quarry query` (to stdout) and the TUI's export (to a file): one
//! stack, so both offer the same formats — an aligned table, CSV, TSV, JSON, NDJSON and
//! Parquet — and write them the same way. Files are written atomically (a `.part` file renamed
//! at the end) with progress callbacks.

pub mod athena_text;
mod table;

use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::UInt32Array;
use datafusion::arrow::compute::{concat_batches, take_record_batch};
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;

use crate::text::{escape_control_keep_lines, escape_json_for_terminal};
use table::TableWriter;

/// Rows written between progress reports (and per reordered chunk).
const CHUNK_ROWS: usize = 8_192;

/// The formats rows can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns with a header, numbers right-aligned, NULL spelled out.
    Table,
    Csv,
    /// Tab-separated, with a header.
    Tsv,
    /// One JSON array of objects.
    Json,
    /// One JSON object per line.
    Ndjson,
    Parquet,
}

impl Format {
    /// Every format, in the order help texts list them.
    pub const ALL: [Self; 6] = [
        Self::Table,
        Self::Csv,
        Self::Tsv,
        Self::Json,
        Self::Ndjson,
        Self::Parquet,
    ];

    /// The name flags and messages use.
    pub fn name(self) -> &'static str {
        match self {
            Self::Table => "table",
            Self::Csv => "csv",
            Self::Tsv => "tsv",
            Self::Json => "json",
            Self::Ndjson => "ndjson",
            Self::Parquet => "parquet",
        }
    }

    /// The format called `name` (as [`Format::name`] spells it).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The format a path's extension asks for (`.txt` is the aligned table).
    pub fn from_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match extension.as_str() {
            "txt" => Self::Table,
            "csv" => Self::Csv,
            "tsv" | "tab" => Self::Tsv,
            "json" => Self::Json,
            "ndjson" | "jsonl" => Self::Ndjson,
            "parquet" => Self::Parquet,
            _ => return None,
        })
    }

    /// Whether the format is text a terminal may show.
    pub fn is_text(self) -> bool {
        self != Self::Parquet
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A query's rows, shared with background work (sorting, export) without copying.
#[derive(Clone)]
pub struct SharedRows {
    pub schema: SchemaRef,
    pub batches: Arc<Vec<RecordBatch>>,
    /// Display order as row indices, when sorted.
    pub order: Option<Arc<Vec<u32>>>,
}

impl SharedRows {
    /// Rows in the order the batches hold them.
    pub fn unordered(schema: SchemaRef, batches: Vec<RecordBatch>) -> Self {
        Self {
            schema,
            batches: Arc::new(batches),
            order: None,
        }
    }
}

impl fmt::Debug for SharedRows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SharedRows({} batches)", self.batches.len())
    }
}

/// Same rows means the same allocation: effects compare without touching the data.
impl PartialEq for SharedRows {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.batches, &other.batches)
            && match (&self.order, &other.order) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            }
    }
}

impl Eq for SharedRows {}

/// Numbers read best right-aligned.
pub fn is_numeric(data_type: &DataType) -> bool {
    data_type.is_numeric() || matches!(data_type, DataType::Dictionary(_, v) if v.is_numeric())
}

/// Writes `rows` to `path` in the format its extension names; `progress` gets the rows written
/// so far. Returns the file size.
pub fn export(rows: &SharedRows, path: &Path, progress: &dyn Fn(u64)) -> io::Result<u64> {
    let format = Format::from_path(path).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{}: the extension picks the format; use .csv, .tsv, .json, .ndjson, .parquet \
                 or .txt",
                path.display()
            ),
        )
    })?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let temp = part_path(path);
    let result = File::create(&temp)
        .and_then(|file| write_rows(BufWriter::new(file), format, rows, false, progress))
        .and_then(|mut out| out.flush())
        .and_then(|()| fs::rename(&temp, path));
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

/// Writes `rows` in display order to `out` and hands it back. `to_terminal` escapes the
/// control characters that CSV and TSV would otherwise pass through raw, and the DEL, C1 and
/// bidirectional controls JSON may carry raw (the table always escapes).
pub fn write_rows<W: Write + Send>(
    out: W,
    format: Format,
    rows: &SharedRows,
    to_terminal: bool,
    progress: &dyn Fn(u64),
) -> io::Result<W> {
    if to_terminal
        && matches!(
            format,
            Format::Csv | Format::Tsv | Format::Json | Format::Ndjson
        )
    {
        // Escaping needs whole characters, so the text is escaped once it is complete.
        let buffer = write_rows(Vec::new(), format, rows, false, progress)?;
        let text = String::from_utf8_lossy(&buffer);
        let safe = if matches!(format, Format::Json | Format::Ndjson) {
            escape_json_for_terminal(&text)
        } else {
            escape_control_keep_lines(&text)
        };
        let mut out = out;
        out.write_all(safe.as_bytes())?;
        return Ok(out);
    }
    let mut sink = Sink::new(out, format, &rows.schema)?;
    let mut written = 0u64;
    for_each_chunk(rows, &mut |batch| {
        sink.write(batch)?;
        written += batch.num_rows() as u64;
        progress(written);
        Ok(())
    })?;
    sink.finish()
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
    Table(TableWriter<W>),
    Csv(arrow::csv::Writer<W>),
    Json(arrow::json::ArrayWriter<W>),
    Ndjson(arrow::json::LineDelimitedWriter<W>),
    Parquet(parquet::arrow::ArrowWriter<W>),
}

impl<W: Write + Send> Sink<W> {
    fn new(out: W, format: Format, schema: &SchemaRef) -> io::Result<Self> {
        Ok(match format {
            Format::Table => Self::Table(TableWriter::new(out, schema)),
            Format::Csv | Format::Tsv => {
                let delimiter = if format == Format::Tsv { b'\t' } else { b',' };
                let mut writer = arrow::csv::WriterBuilder::new()
                    .with_header(true)
                    .with_delimiter(delimiter)
                    .with_timestamp_format(athena_text::TIMESTAMP_FORMAT.to_owned())
                    .build(out);
                // The header comes with the first batch; write it even for no rows.
                writer
                    .write(&RecordBatch::new_empty(athena_text::flat_schema(schema)))
                    .map_err(io::Error::other)?;
                Self::Csv(writer)
            }
            Format::Json => Self::Json(arrow::json::ArrayWriter::new(out)),
            Format::Ndjson => Self::Ndjson(arrow::json::LineDelimitedWriter::new(out)),
            Format::Parquet => Self::Parquet(
                parquet::arrow::ArrowWriter::try_new(out, schema.clone(), None)
                    .map_err(io::Error::other)?,
            ),
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> io::Result<()> {
        match self {
            Self::Table(w) => w.write(batch),
            Self::Csv(w) => athena_text::flatten(batch)
                .and_then(|flat| w.write(&flat))
                .map_err(io::Error::other),
            Self::Json(w) => w.write(batch).map_err(io::Error::other),
            Self::Ndjson(w) => w.write(batch).map_err(io::Error::other),
            Self::Parquet(w) => w.write(batch).map_err(io::Error::other),
        }
    }

    fn finish(self) -> io::Result<W> {
        match self {
            Self::Table(w) => w.finish(),
            Self::Csv(w) => Ok(w.into_inner()),
            Self::Json(mut w) => {
                w.finish().map_err(io::Error::other)?;
                // arrow closes the array itself, `[]` for no rows; the newline ends the file.
                let mut out = w.into_inner();
                out.write_all(b"\n")?;
                Ok(out)
            }
            Self::Ndjson(mut w) => {
                w.finish().map_err(io::Error::other)?;
                Ok(w.into_inner())
            }
            Self::Parquet(w) => w.into_inner().map_err(io::Error::other),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Int64Array, StringArray};
    use datafusion::arrow::datatypes::{Field, Schema};

    use super::*;

    fn rows(order: Option<Vec<u32>>) -> SharedRows {
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int64, true),
            Field::new("s", DataType::Utf8, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int64Array::from(vec![Some(1), None, Some(30)])),
                Arc::new(StringArray::from(vec![Some("a,b"), Some("x\u{1b}y"), None])),
            ],
        )
        .unwrap();
        SharedRows {
            schema,
            batches: Arc::new(vec![batch]),
            order: order.map(Arc::new),
        }
    }

    fn text(format: Format, rows: &SharedRows, to_terminal: bool) -> String {
        String::from_utf8(write_rows(Vec::new(), format, rows, to_terminal, &|_| {}).unwrap())
            .unwrap()
    }

    #[test]
    fn every_text_format_writes_the_rows_in_display_order() {
        let sorted = rows(Some(vec![2, 0, 1]));
        assert_eq!(
            text(Format::Csv, &sorted, false),
            "n,s\n30,\n1,\"a,b\"\n,x\u{1b}y\n"
        );
        assert_eq!(
            text(Format::Tsv, &sorted, false),
            "n\ts\n30\t\n1\ta,b\n\tx\u{1b}y\n"
        );
        assert_eq!(
            text(Format::Ndjson, &sorted, false),
            "{\"n\":30}\n{\"n\":1,\"s\":\"a,b\"}\n{\"s\":\"x\\u001by\"}\n"
        );
        assert_eq!(
            text(Format::Json, &sorted, false),
            "[{\"n\":30},{\"n\":1,\"s\":\"a,b\"},{\"s\":\"x\\u001by\"}]\n"
        );
    }

    #[test]
    fn the_table_aligns_numbers_right_and_spells_null() {
        let table = text(Format::Table, &rows(None), false);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "n    │ s");
        assert_eq!(lines[1], "─────┼─────────");
        assert_eq!(lines[2], "   1 │ a,b");
        assert_eq!(lines[3], "NULL │ x\\u{1b}y");
        assert_eq!(lines[4], "  30 │ NULL");
    }

    #[test]
    fn csv_to_a_terminal_escapes_control_characters() {
        let csv = text(Format::Csv, &rows(None), true);
        assert!(!csv.contains('\u{1b}'), "{csv:?}");
        assert!(csv.contains("x\\u{1b}y"), "{csv:?}");
    }

    #[test]
    fn empty_results_are_still_valid_json_and_parquet() {
        use parquet::file::reader::FileReader;

        let empty = SharedRows::unordered(rows(None).schema, Vec::new());
        assert_eq!(text(Format::Json, &empty, false), "[]\n");
        assert_eq!(text(Format::Csv, &empty, false), "n,s\n");
        let bytes = write_rows(Vec::new(), Format::Parquet, &empty, false, &|_| {}).unwrap();
        let reader =
            parquet::file::reader::SerializedFileReader::new(bytes::Bytes::from(bytes)).unwrap();
        assert_eq!(reader.metadata().file_metadata().num_rows(), 0);
        assert_eq!(
            reader
                .metadata()
                .file_metadata()
                .schema_descr()
                .num_columns(),
            2
        );
    }

    #[test]
    fn files_take_their_format_from_the_extension_and_appear_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/rows.parquet");
        let size = export(&rows(None), &path, &|_| {}).unwrap();
        assert_eq!(size, fs::metadata(&path).unwrap().len());
        assert!(!part_path(&path).exists());
        let file = File::open(&path).unwrap();
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        let count: usize = reader.map(|b| b.unwrap().num_rows()).sum();
        assert_eq!(count, 3);
        let err = export(&rows(None), &dir.path().join("rows.xlsx"), &|_| {}).unwrap_err();
        assert!(err.to_string().contains("use .csv"), "{err}");
    }
}
