//! JSON records into typed rows the way Firehose's OpenX JSON SerDe converts them: keys match
//! columns case-insensitively with surrounding spaces trimmed (the seed sends `" source"`),
//! strings become numbers where that is unambiguous (`"1694209417035"` → bigint), unknown keys
//! are dropped and counted, and a record that cannot be converted fails alone.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::decode::RecordError;
use crate::stream::{ColumnType, Partitioning, StreamDef, TimeFormat};

/// A typed cell. Written as the plain JSON value; read back by a visitor rather than
/// `#[serde(untagged)]`, which buffers every value first (replaying a large log is mostly this).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CellVisitor;
        impl serde::de::Visitor<'_> for CellVisitor {
            type Value = Cell;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("null, a boolean, a number or a string")
            }
            fn visit_unit<E>(self) -> Result<Cell, E> {
                Ok(Cell::Null)
            }
            fn visit_none<E>(self) -> Result<Cell, E> {
                Ok(Cell::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Cell, E> {
                Ok(Cell::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Cell, E> {
                Ok(Cell::Int(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Cell, E> {
                i64::try_from(v)
                    .map(Cell::Int)
                    .map_err(|_| E::custom("an integer past the bigint range"))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Cell, E> {
                Ok(Cell::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Cell, E> {
                Ok(Cell::Text(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Cell, E> {
                Ok(Cell::Text(v))
            }
        }
        deserializer.deserialize_any(CellVisitor)
    }
}

/// A converted record: its partition (`year=2023/month=09/day=08`) and its cells in column
/// order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    #[serde(rename = "p")]
    pub partition: String,
    #[serde(rename = "c")]
    pub cells: Vec<Cell>,
}

impl Row {
    /// The row's size as data (text, 8 bytes per other value, the partition): what a buffer
    /// size hint counts, as Firehose counts the records' bytes.
    pub fn data_bytes(&self) -> usize {
        self.cells
            .iter()
            .map(|c| match c {
                Cell::Text(s) => s.len() + 8,
                _ => 8,
            })
            .sum::<usize>()
            + self.partition.len()
    }

    /// The bytes the row takes in a buffer: its cells as laid out in memory, the text they
    /// point to, its partition string and the row itself (a count of only the text
    /// undercounted a buffer about four times).
    pub fn weight(&self) -> usize {
        let text: usize = self
            .cells
            .iter()
            .map(|c| match c {
                Cell::Text(s) => s.capacity(),
                _ => 0,
            })
            .sum();
        std::mem::size_of::<(u64, Self)>()
            + self.cells.capacity() * std::mem::size_of::<Cell>()
            + text
            + self.partition.capacity()
    }
}

/// Converts records for one stream.
#[derive(Debug, Clone)]
pub struct Converter {
    def: StreamDef,
    /// Lowercased column names, in column order.
    names: Vec<String>,
    timestamp: Option<(usize, TimeFormat)>,
}

/// A converted record and how many of its keys matched no column.
pub type Converted = Result<(Row, usize), RecordError>;

impl Converter {
    /// A converter for `def`.
    pub fn new(def: StreamDef) -> Self {
        let names: Vec<String> = def.columns.iter().map(|c| c.name.to_lowercase()).collect();
        let timestamp = match &def.partitioning {
            Partitioning::Field { column, format } => names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(column))
                .map(|i| (i, *format)),
            Partitioning::Arrival => None,
        };
        Self {
            def,
            names,
            timestamp,
        }
    }

    /// The stream being converted for.
    pub fn stream(&self) -> &StreamDef {
        &self.def
    }

    /// Converts one record that arrived at `arrival`.
    pub fn convert(&self, record: &Map<String, Value>, arrival: DateTime<Utc>) -> Converted {
        let mut cells = vec![Cell::Null; self.names.len()];
        let mut seen = vec![false; self.names.len()];
        let mut unknown = 0;
        for (key, value) in record {
            let normalized = key.trim().to_lowercase();
            let Some(index) = self.names.iter().position(|n| *n == normalized) else {
                unknown += 1;
                continue;
            };
            if seen[index] {
                return Err(RecordError::new(
                    "DuplicateKey",
                    format!(
                        "two keys name column {:?} (keys match columns ignoring case and spaces)",
                        self.names[index]
                    ),
                ));
            }
            seen[index] = true;
            let column = &self.def.columns[index];
            cells[index] = coerce(value, column.column_type).map_err(|why| {
                RecordError::new("ConversionError", format!("{}: {why}", column.name))
            })?;
        }
        let day = match self.timestamp {
            None => arrival.date_naive(),
            Some((index, format)) => {
                let raw = record
                    .iter()
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case(&self.names[index]))
                    .map(|(_, v)| v);
                match raw.and_then(|v| instant(v, format)) {
                    Some(at) => at.date_naive(),
                    None => {
                        return Err(RecordError::new(
                            "MissingTimestamp",
                            format!(
                                "the record has no usable {:?} to partition by",
                                self.def.columns[index].name
                            ),
                        ));
                    }
                }
            }
        };
        Ok((
            Row {
                partition: partition_of(day),
                cells,
            },
            unknown,
        ))
    }
}

/// `year=2023/month=09/day=08`.
pub fn partition_of(day: NaiveDate) -> String {
    format!(
        "year={:04}/month={:02}/day={:02}",
        day.year(),
        day.month(),
        day.day()
    )
}

fn coerce(value: &Value, column_type: ColumnType) -> Result<Cell, String> {
    if value.is_null() {
        return Ok(Cell::Null);
    }
    match column_type {
        ColumnType::String => Ok(Cell::Text(match value {
            Value::String(s) => s.clone(),
            // OpenX writes other JSON as its text.
            other => other.to_string(),
        })),
        ColumnType::Bigint | ColumnType::Int => {
            let n = integer(value).ok_or_else(|| format!("{value} is not an integer"))?;
            if column_type == ColumnType::Int && i32::try_from(n).is_err() {
                return Err(format!("{n} does not fit an int"));
            }
            Ok(Cell::Int(n))
        }
        ColumnType::Double => match value {
            Value::Number(n) => n.as_f64().map(Cell::Float).ok_or_else(|| format!("{n}")),
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(Cell::Float)
                .ok_or_else(|| format!("{s:?} is not a number")),
            other => Err(format!("{other} is not a number")),
        },
        ColumnType::Boolean => match value {
            Value::Bool(b) => Ok(Cell::Bool(*b)),
            Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok(Cell::Bool(true)),
            Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok(Cell::Bool(false)),
            other => Err(format!("{other} is not a boolean")),
        },
    }
}

/// An integer from a JSON number or a string of digits (never from a fraction).
fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The instant a timestamp field names.
fn instant(value: &Value, format: TimeFormat) -> Option<DateTime<Utc>> {
    let from_millis = DateTime::<Utc>::from_timestamp_millis;
    let from_secs = |s: i64| DateTime::<Utc>::from_timestamp(s, 0);
    let text = value.as_str().map(str::trim);
    match format {
        TimeFormat::EpochMs => integer(value).and_then(from_millis),
        TimeFormat::EpochS => integer(value).and_then(from_secs),
        TimeFormat::Iso8601 => text.and_then(iso8601),
        TimeFormat::Auto => match integer(value) {
            // 10^11 seconds is the year 5138; 10^11 milliseconds is 1973.
            Some(n) if n.abs() >= 100_000_000_000 => from_millis(n),
            Some(n) => from_secs(n),
            None => text.and_then(iso8601),
        },
    }
}

fn iso8601(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    // Without a zone (UTC assumed), with a space or a T, or a bare date.
    for pattern in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(at) = chrono::NaiveDateTime::parse_from_str(text, pattern) {
            return Some(at.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(json: &str) -> Converted {
        let record: Map<String, Value> = serde_json::from_str(json).unwrap();
        let arrival = DateTime::parse_from_rfc3339("2026-11-27T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        Converter::new(StreamDef::seed_logs()).convert(&record, arrival)
    }

    #[test]
    fn the_seeds_record_with_a_spaced_key_and_a_string_timestamp() {
        let (row, unknown) = convert(
            r#"{" source": "financialSystem", "logtype": "error", "timestamp": "1694209417035", "message": "ooops, something went wrong"}"#,
        )
        .unwrap();
        assert_eq!(unknown, 0);
        // 1694209417035 ms is 2023-09-08T21:43:37Z.
        assert_eq!(row.partition, "year=2023/month=09/day=08");
        assert_eq!(
            row.cells,
            [
                Cell::Text("financialSystem".into()),
                Cell::Text("error".into()),
                Cell::Int(1_694_209_417_035),
                Cell::Text("ooops, something went wrong".into()),
            ]
        );
    }

    #[test]
    fn case_unknown_keys_types_and_timestamps() {
        let (row, unknown) =
            convert(r#"{"SOURCE": 7, "Timestamp": 1694209417, "extra": true, "more": null}"#)
                .unwrap();
        assert_eq!(unknown, 2);
        assert_eq!(row.cells[0], Cell::Text("7".into()));
        assert_eq!(row.cells[3], Cell::Null);
        assert_eq!(
            row.partition, "year=2023/month=09/day=08",
            "seconds, by size"
        );
        assert_eq!(
            convert(r#"{"timestamp": 1.5}"#).unwrap_err().code,
            "ConversionError"
        );
        assert_eq!(
            convert(r#"{"timestamp": "soon"}"#).unwrap_err().code,
            "ConversionError"
        );
        assert_eq!(
            convert(r#"{"message": "no time"}"#).unwrap_err().code,
            "MissingTimestamp"
        );
        assert_eq!(
            convert(r#"{"source": "a", " Source ": "b", "timestamp": 1}"#)
                .unwrap_err()
                .code,
            "DuplicateKey"
        );
    }

    #[test]
    fn iso_timestamps_in_a_string_column() {
        let mut def = StreamDef::seed_logs();
        def.columns[2].column_type = ColumnType::String;
        let converter = Converter::new(def);
        let arrival = Utc::now();
        for (text, partition) in [
            ("2024-02-29T23:59:59+00:00", "year=2024/month=02/day=29"),
            ("2024-02-29T23:59:59-02:00", "year=2024/month=03/day=01"),
            ("2023-12-31 08:00:00", "year=2023/month=12/day=31"),
            ("2023-01-05", "year=2023/month=01/day=05"),
        ] {
            let record: Map<String, Value> =
                serde_json::from_value(serde_json::json!({ "timestamp": text })).unwrap();
            let (row, _) = converter.convert(&record, arrival).unwrap();
            assert_eq!(row.partition, partition, "{text}");
        }
    }
}
