//! Trino's text functions used on log messages: `json_extract_scalar`, `json_extract` (`JSONPath`:
//! `$`, `.key`, `["key"]`, `[index]`), `regexp_extract`, `split_part` (NULL past the last field,
//! where DataFusion's gives ''), the `url_extract_*` family and `url_decode`/`url_encode`.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringArray};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::Result;
use datafusion::logical_expr::ScalarUDF;
use serde_json::Value;

use super::udf::{LastCompiled, TrinoFunction, collect, fail};

/// The text functions, each with its lenient twin.
pub fn functions() -> Vec<ScalarUDF> {
    use DataType::{Int64, Utf8};
    [
        TrinoFunction::udf(
            "json_extract_scalar",
            &[Utf8, Utf8],
            2,
            Utf8,
            json_extract_scalar,
        ),
        TrinoFunction::udf("json_extract", &[Utf8, Utf8], 2, Utf8, json_extract),
        TrinoFunction::udf(
            "regexp_extract",
            &[Utf8, Utf8, Int64],
            2,
            Utf8,
            regexp_extract,
        ),
        TrinoFunction::udf("split_part", &[Utf8, Utf8, Int64], 3, Utf8, split_part),
        TrinoFunction::udf("url_extract_host", &[Utf8], 1, Utf8, |a, l| {
            url_part(a, l, url_host)
        }),
        TrinoFunction::udf("url_extract_path", &[Utf8], 1, Utf8, |a, l| {
            url_part(a, l, |u| Some(u.path().to_owned()))
        }),
        TrinoFunction::udf("url_extract_query", &[Utf8], 1, Utf8, |a, l| {
            url_part(a, l, |u| Some(u.query().unwrap_or_default().to_owned()))
        }),
        TrinoFunction::udf("url_extract_protocol", &[Utf8], 1, Utf8, |a, l| {
            url_part(a, l, |u| Some(u.scheme().to_owned()))
        }),
        TrinoFunction::udf("url_decode", &[Utf8], 1, Utf8, url_decode),
        TrinoFunction::udf("url_encode", &[Utf8], 1, Utf8, url_encode),
        TrinoFunction::udf(
            "url_extract_parameter",
            &[Utf8, Utf8],
            2,
            Utf8,
            url_extract_parameter,
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// One step of a `JSONPath`.
#[derive(Debug, PartialEq)]
pub(super) enum Step {
    Key(String),
    Index(usize),
}

/// Parses the `JSONPath` subset Trino's functions take.
pub(super) fn parse_path(path: &str) -> Option<Vec<Step>> {
    let mut rest = path.trim().strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let key = &after[..end];
            if key.is_empty() {
                return None;
            }
            steps.push(Step::Key(key.to_owned()));
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            let inside = after[..end].trim();
            let step = if let Some(quoted) = inside
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .or_else(|| inside.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
            {
                Step::Key(quoted.to_owned())
            } else {
                Step::Index(inside.parse().ok()?)
            };
            steps.push(step);
            rest = &after[end + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
}

pub(super) fn walk<'a>(mut value: &'a Value, steps: &[Step]) -> Option<&'a Value> {
    for step in steps {
        value = match (step, value) {
            (Step::Key(key), Value::Object(map)) => map.get(key)?,
            (Step::Index(i), Value::Array(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(value)
}

/// Applies `pick` to the value at the path of each row's JSON; invalid JSON is NULL (as in
/// Trino), an invalid path an error.
fn extract(
    args: &[ArrayRef],
    lenient: bool,
    pick: fn(&Value) -> Option<String>,
) -> Result<ArrayRef> {
    let (texts, paths) = (args[0].as_string::<i32>(), args[1].as_string::<i32>());
    collect::<String, StringArray>(texts.len(), |row| {
        if texts.is_null(row) || paths.is_null(row) {
            return Ok(None);
        }
        let path = paths.value(row);
        let Some(steps) = parse_path(path) else {
            return fail(lenient, || format!("invalid JSON path: {path:?}"));
        };
        let Ok(json) = serde_json::from_str::<Value>(texts.value(row)) else {
            return Ok(None);
        };
        Ok(walk(&json, &steps).and_then(pick))
    })
}

fn json_extract_scalar(args: &[ArrayRef], lenient: bool) -> Result<ArrayRef> {
    extract(args, lenient, |value| match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    })
}

fn json_extract(args: &[ArrayRef], lenient: bool) -> Result<ArrayRef> {
    extract(args, lenient, |value| Some(value.to_string()))
}

/// A regular expression, or why it is not one.
pub(super) fn compile_regex(pattern: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(pattern).map_err(|e| format!("invalid pattern {pattern:?}: {e}"))
}

fn regexp_extract(args: &[ArrayRef], lenient: bool) -> Result<ArrayRef> {
    let (texts, patterns) = (args[0].as_string::<i32>(), args[1].as_string::<i32>());
    let groups = args.get(2).map(AsArray::as_primitive::<Int64Type>);
    let mut compiled = LastCompiled::default();
    collect::<String, StringArray>(texts.len(), |row| {
        if texts.is_null(row) || patterns.is_null(row) || groups.is_some_and(|g| g.is_null(row)) {
            return Ok(None);
        }
        let re = match compiled.get(patterns.value(row), compile_regex) {
            Ok(re) => re,
            Err(why) => return fail(lenient, || format!("regexp_extract: {why}")),
        };
        let group = groups.map_or(0, |g| g.value(row));
        if group < 0 || group as usize >= re.captures_len() {
            return fail(lenient, || {
                format!(
                    "regexp_extract: pattern has {} groups, not {group}",
                    re.captures_len() - 1
                )
            });
        }
        Ok(re
            .captures(texts.value(row))
            .and_then(|c| c.get(group as usize))
            .map(|m| m.as_str().to_owned()))
    })
}

/// `split_part(text, delimiter, index)`: fields count from 1; past the last one is NULL.
fn split_part(args: &[ArrayRef], lenient: bool) -> Result<ArrayRef> {
    let (texts, delimiters) = (args[0].as_string::<i32>(), args[1].as_string::<i32>());
    let indexes = args[2].as_primitive::<Int64Type>();
    collect::<String, StringArray>(texts.len(), |row| {
        if texts.is_null(row) || delimiters.is_null(row) || indexes.is_null(row) {
            return Ok(None);
        }
        let index = indexes.value(row);
        let delimiter = delimiters.value(row);
        if index < 1 {
            return fail(lenient, || {
                "split_part: index must be greater than zero".to_owned()
            });
        }
        let text = texts.value(row);
        let field = if delimiter.is_empty() {
            // Trino splits an empty delimiter into characters.
            text.chars().nth(index as usize - 1).map(String::from)
        } else {
            text.split(delimiter)
                .nth(index as usize - 1)
                .map(str::to_owned)
        };
        Ok(field)
    })
}

fn url_host(url: &url::Url) -> Option<String> {
    url.host_str().map(str::to_owned)
}

/// One part of each row's URL; text that is not a URL gives NULL, as in Trino.
fn url_part(
    args: &[ArrayRef],
    _lenient: bool,
    part: fn(&url::Url) -> Option<String>,
) -> Result<ArrayRef> {
    let texts = args[0].as_string::<i32>();
    collect::<String, StringArray>(texts.len(), |row| {
        if texts.is_null(row) {
            return Ok(None);
        }
        Ok(url::Url::parse(texts.value(row))
            .ok()
            .as_ref()
            .and_then(part))
    })
}

/// `+` is a space and `%XX` a byte, as Java's `URLDecoder` (Trino's) reads them; bytes that are
/// not UTF-8 fail, as there.
fn url_decode(args: &[ArrayRef], lenient: bool) -> Result<ArrayRef> {
    let texts = args[0].as_string::<i32>();
    collect::<String, StringArray>(texts.len(), |row| {
        if texts.is_null(row) {
            return Ok(None);
        }
        let spaced = texts.value(row).replace('+', " ");
        match percent_encoding::percent_decode_str(&spaced).decode_utf8() {
            Ok(text) => Ok(Some(text.into_owned())),
            Err(_) => fail(lenient, || {
                format!(
                    "url_decode: {:?} does not decode to UTF-8",
                    texts.value(row)
                )
            }),
        }
    })
}

/// Form encoding, as Java's `URLEncoder`: letters, digits and `.-*_` stay, a space is `+`.
fn url_encode(args: &[ArrayRef], _lenient: bool) -> Result<ArrayRef> {
    let texts = args[0].as_string::<i32>();
    collect::<String, StringArray>(texts.len(), |row| {
        Ok(texts
            .is_valid(row)
            .then(|| url::form_urlencoded::byte_serialize(texts.value(row).as_bytes()).collect()))
    })
}

/// The first value of the query parameter `name`, decoded.
fn url_extract_parameter(args: &[ArrayRef], _lenient: bool) -> Result<ArrayRef> {
    let (texts, names) = (args[0].as_string::<i32>(), args[1].as_string::<i32>());
    collect::<String, StringArray>(texts.len(), |row| {
        if texts.is_null(row) || names.is_null(row) {
            return Ok(None);
        }
        let Ok(url) = url::Url::parse(texts.value(row)) else {
            return Ok(None);
        };
        let name = names.value(row);
        Ok(url
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_paths() {
        let json: Value =
            serde_json::from_str(r#"{"a": {"b c": [1, {"d": true}]}, "n": 1.50}"#).unwrap();
        let at = |path: &str| walk(&json, &parse_path(path).unwrap()).cloned();
        assert_eq!(at("$.a[\"b c\"][1].d"), Some(Value::Bool(true)));
        assert_eq!(at("$.a['b c'][0]"), Some(serde_json::json!(1)));
        assert_eq!(at("$.a.x"), None);
        assert_eq!(at("$.n").map(|v| v.to_string()), Some("1.5".to_owned()));
        assert_eq!(parse_path("a.b"), None);
        assert_eq!(parse_path("$..b"), None);
        assert_eq!(parse_path("$[x]"), None);
    }
}
