//! Athena results as Arrow: column types from `ColumnInfo`, rows from `GetQueryResults`, and
//! the result CSV streamed through arrow-csv.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, StringArray};
use datafusion::arrow::compute::{CastOptions, cast_with_options};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchOptions};

/// A result column as Athena describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultColumn {
    pub name: String,
    /// Athena's type name (`varchar`, `bigint`, `decimal`, `timestamp`, `array(varchar)`, …).
    pub athena_type: String,
    pub precision: i32,
    pub scale: i32,
}

/// The Arrow type a column of `athena_type` is read as. Types Arrow cannot hold faithfully
/// from Athena's text form (arrays, maps, rows, JSON, time zones, intervals) stay text.
pub fn arrow_type_of(athena_type: &str, precision: i32, scale: i32) -> DataType {
    let base = athena_type
        .split('(')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match base.as_str() {
        "boolean" => DataType::Boolean,
        "tinyint" => DataType::Int8,
        "smallint" => DataType::Int16,
        "integer" | "int" => DataType::Int32,
        "bigint" => DataType::Int64,
        "real" | "float" => DataType::Float32,
        "double" => DataType::Float64,
        "decimal" if (1..=38).contains(&precision) && (0..=precision).contains(&scale) => {
            DataType::Decimal128(precision as u8, scale as i8)
        }
        "date" => DataType::Date32,
        "timestamp" if !athena_type.contains("zone") => {
            DataType::Timestamp(TimeUnit::Millisecond, None)
        }
        _ => DataType::Utf8,
    }
}

/// The Arrow schema of a result.
pub fn schema_of(columns: &[ResultColumn]) -> SchemaRef {
    Arc::new(Schema::new(
        columns
            .iter()
            .map(|c| {
                Field::new(
                    &c.name,
                    arrow_type_of(&c.athena_type, c.precision, c.scale),
                    true,
                )
            })
            .collect::<Vec<_>>(),
    ))
}

/// Builds a batch from rows of text values: `None` is SQL NULL, `Some("")` an empty string.
pub fn rows_to_batch(
    schema: &SchemaRef,
    rows: &[Vec<Option<String>>],
) -> Result<RecordBatch, ArrowError> {
    let cast = CastOptions {
        safe: false,
        ..CastOptions::default()
    };
    let columns = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let text: StringArray = rows
                .iter()
                .map(|row| row.get(i).and_then(Option::as_deref))
                .collect();
            let text: ArrayRef = Arc::new(text);
            if field.data_type() == &DataType::Utf8 {
                Ok(text)
            } else {
                cast_with_options(&text, field.data_type(), &cast)
                    .map_err(|e| ArrowError::CastError(format!("column {}: {e}", field.name())))
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    // The row count is given so a result without columns (some statements declare none) is
    // still a batch.
    RecordBatch::try_new_with_options(
        Arc::clone(schema),
        columns,
        &RecordBatchOptions::new().with_row_count(Some(rows.len())),
    )
}

/// Stands for an unquoted empty field (a NULL) in the marked CSV. A NUL byte never appears in
/// Athena's text output, so no real value can be mistaken for it.
const NULL_SENTINEL: &[u8] = b"\0null\0";

/// Marks NULLs in Athena's result CSV before arrow-csv reads it.
///
/// Athena quotes every value and writes NULL as an empty unquoted field, so `,""` is an empty
/// string and `,,` a NULL. arrow-csv decides NULL from a field's text alone, after quotes are
/// gone, and would read both as NULL; this pass, fed chunk by chunk, replaces each unquoted
/// empty field with a sentinel the decoder's null pattern matches.
#[derive(Debug, Default)]
pub struct CsvNullMarker {
    in_quotes: bool,
    /// True when the next byte starts a field.
    at_field_start: bool,
    seen_any: bool,
    last_was_newline: bool,
}

impl CsvNullMarker {
    /// A marker at the start of a file.
    pub fn new() -> Self {
        Self {
            at_field_start: true,
            ..Self::default()
        }
    }

    /// Appends `chunk` to `out` with NULL fields marked.
    pub fn mark(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        out.reserve(chunk.len());
        let mut rest = chunk;
        while !rest.is_empty() {
            self.seen_any = true;
            self.last_was_newline = false;
            if self.in_quotes {
                // Athena quotes every value, so most bytes are inside quotes: jump to the
                // closing quote instead of looking at each byte.
                match memchr::memchr(b'"', rest) {
                    Some(at) => {
                        out.extend_from_slice(&rest[..=at]);
                        self.in_quotes = false;
                        rest = &rest[at + 1..];
                    }
                    None => {
                        out.extend_from_slice(rest);
                        rest = &[];
                    }
                }
                continue;
            }
            let byte = rest[0];
            match byte {
                b',' | b'\n' | b'\r' => {
                    if self.at_field_start {
                        out.extend_from_slice(NULL_SENTINEL);
                    }
                    // After `\r` the `\n` of a CRLF ends nothing new.
                    self.at_field_start = byte != b'\r';
                    self.last_was_newline = byte == b'\n';
                }
                b'"' => {
                    self.in_quotes = true;
                    self.at_field_start = false;
                }
                _ => self.at_field_start = false,
            }
            out.push(byte);
            rest = &rest[1..];
        }
    }

    /// Ends the file: a last line without a newline may end in a NULL field.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        if self.seen_any && self.at_field_start && !self.last_was_newline {
            out.extend_from_slice(NULL_SENTINEL);
        }
        self.at_field_start = false;
    }
}

/// Streams Athena's result CSV into Arrow batches, keeping at most `row_limit` rows.
pub struct CsvResultReader {
    marker: CsvNullMarker,
    decoder: datafusion::arrow::csv::reader::Decoder,
    batches: Vec<RecordBatch>,
    rows: usize,
    row_limit: usize,
    /// True once rows were read and left out.
    dropped: bool,
    marked: Vec<u8>,
}

impl CsvResultReader {
    /// A reader for a file with a header line and columns typed by `schema`.
    pub fn new(schema: SchemaRef, row_limit: usize) -> Result<Self, ArrowError> {
        let null = regex::Regex::new("^\u{0}null\u{0}$")
            .map_err(|e| ArrowError::ParseError(e.to_string()))?;
        let decoder = datafusion::arrow::csv::ReaderBuilder::new(schema)
            .with_header(true)
            .with_header_validation(false)
            .with_null_regex(null)
            .with_batch_size(8192)
            .build_decoder();
        Ok(Self {
            marker: CsvNullMarker::new(),
            decoder,
            batches: Vec::new(),
            rows: 0,
            row_limit,
            dropped: false,
            marked: Vec::new(),
        })
    }

    /// Feeds the next chunk; returns false once the row limit is reached (stop downloading).
    pub fn push(&mut self, chunk: &[u8]) -> Result<bool, ArrowError> {
        let mut marked = std::mem::take(&mut self.marked);
        marked.clear();
        self.marker.mark(chunk, &mut marked);
        let more = self.decode(&marked)?;
        self.marked = marked;
        Ok(more)
    }

    fn decode(&mut self, mut data: &[u8]) -> Result<bool, ArrowError> {
        loop {
            if self.rows >= self.row_limit {
                return Ok(false);
            }
            let read = self.decoder.decode(data)?;
            data = &data[read..];
            if self.decoder.capacity() == 0 {
                self.flush()?;
            } else if data.is_empty() {
                return Ok(true);
            } else if read == 0 {
                self.flush()?;
            }
        }
    }

    fn flush(&mut self) -> Result<(), ArrowError> {
        if let Some(batch) = self.decoder.flush()? {
            let room = self.row_limit - self.rows;
            let batch = if batch.num_rows() > room {
                self.dropped = true;
                batch.slice(0, room)
            } else {
                batch
            };
            self.rows += batch.num_rows();
            if batch.num_rows() > 0 {
                self.batches.push(batch);
            }
        }
        Ok(())
    }

    /// Ends the file and returns the batches and whether rows were left out.
    pub fn finish(mut self, complete: bool) -> Result<(Vec<RecordBatch>, bool), ArrowError> {
        if complete {
            let mut tail = Vec::new();
            self.marker.finish(&mut tail);
            self.decode(&tail)?;
            // An empty buffer tells the decoder the input ended, closing an unterminated line.
            self.decode(&[])?;
            self.flush()?;
        }
        Ok((self.batches, !complete || self.dropped))
    }

    /// Rows kept so far.
    pub fn rows(&self) -> usize {
        self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Array, AsArray};
    use datafusion::arrow::datatypes::Int64Type;

    fn columns(spec: &[(&str, &str)]) -> Vec<ResultColumn> {
        spec.iter()
            .map(|(name, ty)| ResultColumn {
                name: (*name).to_owned(),
                athena_type: (*ty).to_owned(),
                precision: if *ty == "decimal" { 10 } else { 0 },
                scale: if *ty == "decimal" { 2 } else { 0 },
            })
            .collect()
    }

    #[test]
    fn athena_types_map_to_arrow_types() {
        assert_eq!(arrow_type_of("bigint", 19, 0), DataType::Int64);
        assert_eq!(arrow_type_of("varchar", 2_147_483_647, 0), DataType::Utf8);
        assert_eq!(arrow_type_of("decimal", 10, 2), DataType::Decimal128(10, 2));
        assert_eq!(arrow_type_of("decimal", 0, 0), DataType::Utf8);
        assert_eq!(
            arrow_type_of("timestamp", 3, 0),
            DataType::Timestamp(TimeUnit::Millisecond, None)
        );
        assert_eq!(
            arrow_type_of("timestamp with time zone", 3, 0),
            DataType::Utf8
        );
        assert_eq!(arrow_type_of("array(varchar)", 0, 0), DataType::Utf8);
        assert_eq!(arrow_type_of("real", 0, 0), DataType::Float32);
    }

    #[test]
    fn rows_without_columns_still_make_a_batch() {
        let schema = schema_of(&[]);
        let batch = rows_to_batch(&schema, &[vec![], vec![]]).unwrap();
        assert_eq!((batch.num_columns(), batch.num_rows()), (0, 2));
    }

    #[test]
    fn api_rows_keep_null_apart_from_empty_and_parse_types() {
        let schema = schema_of(&columns(&[
            ("s", "varchar"),
            ("n", "bigint"),
            ("d", "decimal"),
        ]));
        let rows = vec![
            vec![Some(String::new()), Some("7".into()), Some("1.25".into())],
            vec![None, None, None],
        ];
        let batch = rows_to_batch(&schema, &rows).unwrap();
        let s = batch.column(0).as_string::<i32>();
        assert!(s.is_valid(0) && s.value(0).is_empty());
        assert!(s.is_null(1));
        assert_eq!(batch.column(1).as_primitive::<Int64Type>().value(0), 7);
        assert!(batch.column(1).is_null(1));
        let bad = rows_to_batch(&schema, &[vec![None, Some("x".into()), None]]).unwrap_err();
        assert!(bad.to_string().contains("column n"), "{bad}");
    }

    fn read_csv(text: &[u8], chunk: usize, limit: usize) -> (Vec<RecordBatch>, bool) {
        let schema = schema_of(&columns(&[("s", "varchar"), ("n", "bigint")]));
        let mut reader = CsvResultReader::new(schema, limit).unwrap();
        let mut complete = true;
        for piece in text.chunks(chunk) {
            if !reader.push(piece).unwrap() {
                complete = false;
                break;
            }
        }
        reader.finish(complete).unwrap()
    }

    fn strings(batches: &[RecordBatch]) -> Vec<Option<String>> {
        batches
            .iter()
            .flat_map(|b| {
                let column = b.column(0).as_string::<i32>().clone();
                (0..column.len())
                    .map(move |i| column.is_valid(i).then(|| column.value(i).to_owned()))
            })
            .collect()
    }

    #[test]
    fn csv_keeps_quotes_commas_newlines_and_nulls_whatever_the_chunking() {
        let text =
            b"\"s\",\"n\"\n\"a,b\",\"1\"\n\"\",\n,\"3\"\n\"say \"\"hi\"\"\nthere\",\"4\"\n\"end\",";
        for chunk in [1, 2, 3, 7, 1000] {
            let (batches, truncated) = read_csv(text, chunk, usize::MAX);
            assert!(!truncated);
            assert_eq!(
                strings(&batches),
                [
                    Some("a,b".to_owned()),
                    Some(String::new()),
                    None,
                    Some("say \"hi\"\nthere".to_owned()),
                    Some("end".to_owned()),
                ],
                "chunk size {chunk}"
            );
            let numbers: Vec<Option<i64>> = batches
                .iter()
                .flat_map(|b| {
                    b.column(1)
                        .as_primitive::<Int64Type>()
                        .iter()
                        .collect::<Vec<_>>()
                })
                .collect();
            assert_eq!(numbers, [Some(1), None, Some(3), Some(4), None]);
        }
    }

    #[test]
    fn csv_with_crlf_and_a_single_null_column_row() {
        let (batches, _) = read_csv(b"\"s\",\"n\"\r\n,\r\n\"x\",\"2\"\r\n", 4, usize::MAX);
        assert_eq!(strings(&batches), [None, Some("x".to_owned())]);
    }

    #[test]
    fn csv_stops_at_the_row_limit_and_says_so() {
        let mut text = b"\"s\",\"n\"\n".to_vec();
        for i in 0..20_000 {
            text.extend_from_slice(format!("\"r{i}\",\"{i}\"\n").as_bytes());
        }
        let (batches, truncated) = read_csv(&text, 4096, 10_000);
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        assert_eq!(rows, 10_000);
        assert!(truncated);
        assert_eq!(strings(&batches)[9_999].as_deref(), Some("r9999"));
    }
}
