//! Request bodies into records: one JSON object, a JSON array of objects, or newline-delimited
//! JSON. A malformed record fails alone (its index, code and message go back to the client);
//! only a body that cannot be split into records, or is over the limits, fails as a whole.

use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// Firehose's limits, configurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest record (Firehose: 1,000 KiB).
    pub max_record_bytes: usize,
    /// Most records per request (PutRecordBatch: 500).
    pub max_records: usize,
    /// Largest request body (PutRecordBatch: 4 MiB).
    pub max_request_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_record_bytes: 1_000 * 1024,
            max_records: 500,
            max_request_bytes: 4 << 20,
        }
    }
}

/// Why one record was refused (PutRecordBatch's per-record `ErrorCode` and `ErrorMessage`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    pub code: &'static str,
    pub message: String,
}

impl RecordError {
    /// An error with `code` and `message`.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Why a whole request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("the body is {bytes} bytes; the limit is {limit} bytes per request")]
    TooLarge { bytes: usize, limit: usize },
    #[error("the body holds {records} records; the limit is {limit} per request")]
    TooManyRecords { records: usize, limit: usize },
    #[error("the body is empty: send a JSON object, a JSON array of objects, or NDJSON")]
    Empty,
    #[error("the body is not JSON: {0}")]
    NotJson(String),
}

/// A record as sent: its JSON object, or why it is not one.
pub type Decoded = Result<Map<String, Value>, RecordError>;

/// Splits `body` into records.
pub fn decode(body: &[u8], limits: &Limits) -> Result<Vec<Decoded>, RequestError> {
    if body.len() > limits.max_request_bytes {
        return Err(RequestError::TooLarge {
            bytes: body.len(),
            limit: limits.max_request_bytes,
        });
    }
    let text =
        std::str::from_utf8(body).map_err(|e| RequestError::NotJson(format!("not UTF-8 ({e})")))?;
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if trimmed.trim_end().is_empty() {
        return Err(RequestError::Empty);
    }
    let records = if trimmed.starts_with('[') {
        let items: Vec<&RawValue> =
            serde_json::from_str(trimmed).map_err(|e| RequestError::NotJson(e.to_string()))?;
        count_ok(items.len(), limits)?;
        items
            .into_iter()
            .map(|raw| record(raw.get(), limits))
            .collect()
    } else if let Ok(Value::Object(object)) = serde_json::from_str::<Value>(trimmed) {
        // One object, even pretty-printed over several lines.
        vec![size_checked(object, trimmed.trim_end().len(), limits)]
    } else {
        let lines: Vec<&str> = trimmed
            .split('\n')
            .map(|l| l.trim_end_matches('\r'))
            .filter(|l| !l.trim().is_empty())
            .collect();
        count_ok(lines.len(), limits)?;
        lines.into_iter().map(|line| record(line, limits)).collect()
    };
    Ok(records)
}

fn count_ok(records: usize, limits: &Limits) -> Result<(), RequestError> {
    if records > limits.max_records {
        return Err(RequestError::TooManyRecords {
            records,
            limit: limits.max_records,
        });
    }
    Ok(())
}

fn record(text: &str, limits: &Limits) -> Decoded {
    if text.len() > limits.max_record_bytes {
        return Err(too_big(text.len(), limits));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(other) => Err(RecordError::new(
            "NotAnObject",
            format!("a record must be a JSON object, not {}", kind(&other)),
        )),
        Err(e) => Err(RecordError::new("InvalidJson", e.to_string())),
    }
}

fn size_checked(object: Map<String, Value>, bytes: usize, limits: &Limits) -> Decoded {
    if bytes > limits.max_record_bytes {
        return Err(too_big(bytes, limits));
    }
    Ok(object)
}

fn too_big(bytes: usize, limits: &Limits) -> RecordError {
    RecordError::new(
        "RecordTooLarge",
        format!(
            "the record is {bytes} bytes; the limit is {} bytes",
            limits.max_record_bytes
        ),
    )
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(body: &str) -> Vec<Result<usize, &'static str>> {
        decode(body.as_bytes(), &Limits::default())
            .unwrap()
            .into_iter()
            .map(|r| r.map(|m| m.len()).map_err(|e| e.code))
            .collect()
    }

    #[test]
    fn one_object_an_array_and_ndjson() {
        assert_eq!(codes("{\"a\": 1, \"b\": 2}"), [Ok(2)]);
        assert_eq!(codes("{\n  \"a\": 1\n}\n"), [Ok(1)]);
        assert_eq!(
            codes("[{\"a\": 1}, 3, {}]"),
            [Ok(1), Err("NotAnObject"), Ok(0)]
        );
        assert_eq!(
            codes("{\"a\": 1}\n\n{\"a\": \r\n{\"b\": 2}\r\n"),
            [Ok(1), Err("InvalidJson"), Ok(1)]
        );
    }

    #[test]
    fn limits_refuse_the_request_or_the_record() {
        let limits = Limits {
            max_record_bytes: 20,
            max_records: 2,
            max_request_bytes: 100,
        };
        let errors = decode(b"{\"a\": \"0123456789012345\"}\n{}", &limits).unwrap();
        assert_eq!(errors[0].as_ref().unwrap_err().code, "RecordTooLarge");
        assert!(errors[1].is_ok());
        assert!(matches!(
            decode(b"[{}, {}, {}]", &limits),
            Err(RequestError::TooManyRecords { records: 3, .. })
        ));
        assert!(matches!(
            decode(&[b' '; 101], &limits),
            Err(RequestError::TooLarge { .. })
        ));
        assert_eq!(decode(b" \n ", &limits), Err(RequestError::Empty));
        assert!(matches!(
            decode(b"[{]", &limits),
            Err(RequestError::NotJson(_))
        ));
    }
}
