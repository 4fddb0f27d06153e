//! Trino's JSON functions beyond extraction, as the AWS pages use them on `CloudTrail` JSON
//! strings: `json_array_length`, `json_array_contains`, `json_size`, and `json_parse` /
//! `json_format`, which locally keep JSON as its compact text (quarry has no JSON type).

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Int64Array, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::ScalarUDF;
use serde_json::Value;

use super::text::{parse_path, walk};
use super::udf::{TrinoFunction, collect, fail};

/// The JSON functions, each with its lenient twin.
pub fn functions() -> Vec<ScalarUDF> {
    use DataType::{Boolean, Int64, Utf8};
    [
        TrinoFunction::udf("json_array_length", &[Utf8], 1, Int64, json_array_length),
        TrinoFunction::udf(
            "json_array_contains",
            &[Utf8, Utf8],
            2,
            Boolean,
            json_array_contains,
        ),
        TrinoFunction::udf("json_size", &[Utf8, Utf8], 2, Int64, json_size),
        TrinoFunction::udf("json_parse", &[Utf8], 1, Utf8, json_parse),
        TrinoFunction::udf("json_format", &[Utf8], 1, Utf8, json_format),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The parsed JSON of each row; NULL for NULL input and, as in Trino, for text that is not JSON.
fn each_json<T, A>(
    texts: &StringArray,
    mut f: impl FnMut(usize, Value) -> Result<Option<T>>,
) -> Result<ArrayRef>
where
    A: Array + FromIterator<Option<T>> + 'static,
{
    collect::<T, A>(texts.len(), |row| {
        if texts.is_null(row) {
            return Ok(None);
        }
        match serde_json::from_str::<Value>(texts.value(row)) {
            Ok(json) => f(row, json),
            Err(_) => Ok(None),
        }
    })
}

fn json_array_length(args: &[ArrayRef], _lenient: bool) -> Result<ArrayRef> {
    each_json::<i64, Int64Array>(args[0].as_string::<i32>(), |_, json| {
        Ok(json.as_array().map(|items| items.len() as i64))
    })
}

/// True when an element equals `value`: a string element by its text, a number by its value,
/// a boolean by `true`/`false`.
fn json_array_contains(args: &[ArrayRef], _lenient: bool) -> Result<ArrayRef> {
    let wanted = args[1].as_string::<i32>();
    each_json::<bool, BooleanArray>(args[0].as_string::<i32>(), |row, json| {
        if wanted.is_null(row) {
            return Ok(None);
        }
        let Some(items) = json.as_array() else {
            return Ok(None);
        };
        let target = wanted.value(row);
        let number = target.parse::<f64>().ok();
        Ok(Some(items.iter().any(|item| match item {
            Value::String(s) => s == target,
            Value::Number(n) => n.as_f64().is_some_and(|n| Some(n) == number),
            Value::Bool(b) => b.to_string() == target,
            _ => false,
        })))
    })
}

/// The number of members or elements at the path; 0 for a scalar, NULL when absent.
fn json_size(args: &[ArrayRef], lenient: bool) -> Result<ArrayRef> {
    let paths = args[1].as_string::<i32>();
    each_json::<i64, Int64Array>(args[0].as_string::<i32>(), |row, json| {
        if paths.is_null(row) {
            return Ok(None);
        }
        let path = paths.value(row);
        let Some(steps) = parse_path(path) else {
            return fail(lenient, || format!("invalid JSON path: {path:?}"));
        };
        Ok(walk(&json, &steps).map(|value| match value {
            Value::Array(items) => items.len() as i64,
            Value::Object(members) => members.len() as i64,
            _ => 0,
        }))
    })
}

/// Text that is not JSON fails here, as `json_parse` does in Trino.
fn json_parse(args: &[ArrayRef], lenient: bool) -> Result<ArrayRef> {
    let texts = args[0].as_string::<i32>();
    collect::<String, StringArray>(texts.len(), |row| {
        if texts.is_null(row) {
            return Ok(None);
        }
        match serde_json::from_str::<Value>(texts.value(row)) {
            Ok(json) => Ok(Some(json.to_string())),
            Err(why) => fail(lenient, || {
                format!("json_parse: cannot convert to JSON: {why}")
            }),
        }
    })
}

fn json_format(args: &[ArrayRef], _lenient: bool) -> Result<ArrayRef> {
    each_json::<String, StringArray>(args[0].as_string::<i32>(), |_, json| {
        Ok(Some(json.to_string()))
    })
}
