//! `CAST(json AS ARRAY(MAP(VARCHAR, VARCHAR)))`, the way the AWS pages turn `CloudTrail` JSON
//! strings into rows they can UNNEST. Neither sqlparser nor DataFusion knows Trino's
//! parenthesised types, so the SQL text is rewritten before parsing: a `CAST` (or `TRY_CAST`) to
//! an `ARRAY(…)`, `MAP(…)` or `ROW(…)` type becomes `__json_cast(e, 'type')`, which decodes
//! JSON text into that arrow type with arrow's JSON reader (numbers read as text where the
//! type says varchar, as Trino casts them), and casts values that are arrays already.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, new_null_array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Fields, Schema, TimeUnit};
use datafusion::arrow::json::ReaderBuilder;
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature,
    Volatility,
};

/// `__json_cast` and its lenient twin (`TRY_CAST`).
pub fn functions() -> Vec<ScalarUDF> {
    [false, true]
        .into_iter()
        .map(|lenient| {
            ScalarUDF::new_from_impl(JsonCast {
                lenient,
                signature: Signature::any(2, Volatility::Immutable),
            })
        })
        .collect()
}

/// `sql` with every CAST to a parenthesised Trino type turned into a `__json_cast` call.
/// Text inside quotes is left alone.
pub fn rewrite_casts(sql: &str) -> String {
    let lower = sql.to_ascii_lowercase();
    // Most SQL has no such cast: leave it untouched without scanning it.
    if !lower.contains("cast") || !["array", "map", "row"].iter().any(|t| lower.contains(t)) {
        return sql.to_owned();
    }
    let mut out = sql.to_owned();
    let mut from = 0;
    while let Some((start, end, replacement)) = next_cast(&out, from) {
        out.replace_range(start..end, &replacement);
        from = start + 1;
    }
    out
}

/// The next CAST at or after `from` whose type is parenthesised: its span and replacement.
fn next_cast(sql: &str, from: usize) -> Option<(usize, usize, String)> {
    let lower = sql.to_ascii_lowercase();
    let mut search = from;
    loop {
        let found = lower[search..].find("cast")? + search;
        search = found + 4;
        if in_quotes(sql, found) {
            continue;
        }
        let before = lower[..found].chars().next_back();
        let lenient = lower[..found].ends_with("try_");
        let start = if lenient { found - 4 } else { found };
        let boundary = lower[..start].chars().next_back();
        if boundary.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            || (!lenient && before == Some('_'))
        {
            continue;
        }
        let open = found + 4 + lower[found + 4..].len() - lower[found + 4..].trim_start().len();
        if !lower[open..].starts_with('(') {
            continue;
        }
        let close = matching_paren(sql, open)?;
        let inner = &sql[open + 1..close];
        let Some(as_at) = top_level_as(inner) else {
            continue;
        };
        let type_text = inner[as_at + 2..].trim();
        let head = type_text.to_ascii_lowercase();
        if !["array", "map", "row"].iter().any(|t| {
            head.strip_prefix(t)
                .is_some_and(|rest| rest.trim_start().starts_with('('))
        }) {
            continue;
        }
        let name = if lenient {
            "__try___json_cast"
        } else {
            "__json_cast"
        };
        let replacement = format!(
            "{name}({}, '{}')",
            inner[..as_at].trim(),
            type_text.replace('\'', "''")
        );
        return Some((start, close + 1, replacement));
    }
}

/// True when byte `at` of `sql` is inside a quoted string or identifier, or a comment (whose
/// apostrophes are prose, not quotes).
fn in_quotes(sql: &str, at: usize) -> bool {
    #[derive(PartialEq)]
    enum State {
        Code,
        Quoted(char),
        LineComment,
        BlockComment,
    }
    let mut state = State::Code;
    let mut chars = sql.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if i >= at {
            break;
        }
        let next = chars.peek().map(|&(_, n)| n);
        state = match (&state, c, next) {
            (State::Code, '\'' | '"', _) => State::Quoted(c),
            (State::Code, '-', Some('-')) => State::LineComment,
            (State::Code, '/', Some('*')) => State::BlockComment,
            (State::Quoted(q), c, _) if c == *q => State::Code,
            (State::LineComment, '\n', _) => State::Code,
            (State::BlockComment, '*', Some('/')) => {
                chars.next();
                State::Code
            }
            _ => continue,
        };
    }
    state != State::Code
}

/// The index of the parenthesis closing the one at `open`, quotes skipped.
fn matching_paren(sql: &str, open: usize) -> Option<usize> {
    let mut depth = 0_i32;
    let mut quote: Option<char> = None;
    for (i, c) in sql[open..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The last ` AS ` of `inner` outside parentheses and quotes (the cast's own).
fn top_level_as(inner: &str) -> Option<usize> {
    let lower = inner.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut depth = 0_i32;
    let mut quote: Option<u8> = None;
    let mut found = None;
    for i in 0..bytes.len() {
        let c = bytes[i];
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, b'\'' | b'"') => quote = Some(c),
            (None, b'(') => depth += 1,
            (None, b')') => depth -= 1,
            (None, b'a')
                if depth == 0
                    && lower[i..].starts_with("as")
                    && i > 0
                    && bytes[i - 1].is_ascii_whitespace()
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_whitespace) =>
            {
                found = Some(i);
            }
            _ => {}
        }
    }
    found
}

/// A Trino type name as an arrow type.
pub fn trino_type(text: &str) -> Result<DataType, String> {
    let mut parser = TypeParser {
        text: text.trim(),
        at: 0,
    };
    let parsed = parser.parse()?;
    parser.skip_space();
    if parser.at != parser.text.len() {
        return Err(format!(
            "unexpected {:?} in type {text:?}",
            &parser.text[parser.at..]
        ));
    }
    Ok(parsed)
}

struct TypeParser<'a> {
    text: &'a str,
    at: usize,
}

impl TypeParser<'_> {
    fn skip_space(&mut self) {
        while self.text[self.at..].starts_with(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn word(&mut self) -> String {
        self.skip_space();
        let rest = &self.text[self.at..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        self.at += len;
        rest[..len].to_ascii_lowercase()
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        if self.text[self.at..].starts_with(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// The numbers of `(p, s)`, if there are some.
    fn numbers(&mut self) -> Vec<String> {
        let mut numbers = Vec::new();
        if self.eat('(') {
            loop {
                numbers.push(self.word());
                if !self.eat(',') {
                    break;
                }
            }
            self.eat(')');
        }
        numbers
    }

    fn parse(&mut self) -> Result<DataType, String> {
        let name = self.word();
        Ok(match name.as_str() {
            "varchar" | "char" | "json" => {
                self.numbers();
                DataType::Utf8
            }
            "bigint" => DataType::Int64,
            "integer" | "int" => DataType::Int32,
            "smallint" => DataType::Int16,
            "tinyint" => DataType::Int8,
            "double" => DataType::Float64,
            "real" => DataType::Float32,
            "boolean" => DataType::Boolean,
            "date" => DataType::Date32,
            "timestamp" => {
                self.numbers();
                DataType::Timestamp(TimeUnit::Millisecond, None)
            }
            "decimal" => {
                let numbers = self.numbers();
                let number = |i: usize, default: u8| {
                    numbers
                        .get(i)
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(default)
                };
                DataType::Decimal128(number(0, 38), number(1, 0) as i8)
            }
            "array" => {
                if !self.eat('(') {
                    return Err("array needs (type)".to_owned());
                }
                let item = self.parse()?;
                self.eat(')');
                DataType::List(Arc::new(Field::new_list_field(item, true)))
            }
            "map" => {
                if !self.eat('(') {
                    return Err("map needs (key, value)".to_owned());
                }
                let key = self.parse()?;
                self.eat(',');
                let value = self.parse()?;
                self.eat(')');
                let entries = Fields::from(vec![
                    Field::new("key", key, false),
                    Field::new("value", value, true),
                ]);
                DataType::Map(
                    Arc::new(Field::new("entries", DataType::Struct(entries), false)),
                    false,
                )
            }
            "row" => {
                if !self.eat('(') {
                    return Err("row needs (name type, …)".to_owned());
                }
                let mut fields = Vec::new();
                loop {
                    let save = self.at;
                    let first = self.word();
                    self.skip_space();
                    let next_is_type =
                        self.text[self.at..].starts_with(|c: char| c.is_ascii_alphabetic());
                    let (name, data_type) = if next_is_type {
                        (first, self.parse()?)
                    } else {
                        self.at = save;
                        (format!("field{}", fields.len()), self.parse()?)
                    };
                    fields.push(Field::new(name, data_type, true));
                    if !self.eat(',') {
                        break;
                    }
                }
                self.eat(')');
                DataType::Struct(Fields::from(fields))
            }
            other => return Err(format!("the type {other:?} is not implemented locally")),
        })
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct JsonCast {
    lenient: bool,
    signature: Signature,
}

impl ScalarUDFImpl for JsonCast {
    fn name(&self) -> &str {
        if self.lenient {
            "__try___json_cast"
        } else {
            "__json_cast"
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        plan_err!("CAST to a Trino type needs the type as text")
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<Arc<Field>> {
        let Some(Some(ScalarValue::Utf8(Some(text)))) = args.scalar_arguments.get(1) else {
            return plan_err!("CAST to a Trino type needs the type as text");
        };
        match trino_type(text) {
            Ok(data_type) => Ok(Arc::new(Field::new("cast", data_type, true))),
            Err(why) => plan_err!("CAST(… AS {text}): {why}"),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let target = args.return_field.data_type().clone();
        let input = args.args[0].to_array(args.number_rows)?;
        let result = match input.data_type() {
            DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 => {
                let texts = cast(&input, &DataType::Utf8)?;
                decode(texts.as_string::<i32>(), &target, self.lenient)?
            }
            _ => cast(&input, &target)?,
        };
        Ok(ColumnarValue::Array(result))
    }
}

/// JSON texts decoded into `target`; text that is not JSON of that shape fails, or is NULL
/// when `lenient`.
fn decode(
    texts: &datafusion::arrow::array::StringArray,
    target: &DataType,
    lenient: bool,
) -> Result<ArrayRef> {
    let schema = Arc::new(Schema::new(vec![Field::new("v", target.clone(), true)]));
    let mut lines = String::new();
    for row in 0..texts.len() {
        if texts.is_null(row) {
            lines.push_str("{\"v\":null}\n");
        } else {
            lines.push_str("{\"v\":");
            lines.push_str(texts.value(row));
            lines.push_str("}\n");
        }
    }
    let whole = || -> Result<ArrayRef, String> {
        let mut decoder = ReaderBuilder::new(Arc::clone(&schema))
            .with_coerce_primitive(true)
            .with_batch_size(texts.len().max(1))
            .build_decoder()
            .map_err(|e| e.to_string())?;
        decoder
            .decode(lines.as_bytes())
            .map_err(|e| e.to_string())?;
        match decoder.flush().map_err(|e| e.to_string())? {
            Some(batch) if batch.num_rows() == texts.len() => Ok(Arc::clone(batch.column(0))),
            _ => Err("a value is not one JSON document".to_owned()),
        }
    };
    match whole() {
        Ok(array) => Ok(array),
        Err(why) if !lenient => exec_err!("cannot cast JSON to {target}: {why}"),
        Err(_) => {
            // Row by row, so the bad values alone become NULL.
            let mut pieces: Vec<ArrayRef> = Vec::with_capacity(texts.len());
            for row in 0..texts.len() {
                let one = texts.slice(row, 1);
                let piece =
                    decode(&one, target, false).unwrap_or_else(|_| new_null_array(target, 1));
                pieces.push(piece);
            }
            let refs: Vec<&dyn Array> = pieces.iter().map(AsRef::as_ref).collect();
            Ok(datafusion::arrow::compute::concat(&refs)?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casts_to_parenthesised_types_become_calls() {
        assert_eq!(
            rewrite_casts(
                "SELECT CAST(json_extract(p, '$.items') AS ARRAY(MAP(VARCHAR, VARCHAR))) FROM t"
            ),
            "SELECT __json_cast(json_extract(p, '$.items'), 'ARRAY(MAP(VARCHAR, VARCHAR))') FROM t"
        );
        assert_eq!(
            rewrite_casts("SELECT try_cast(x AS row(a bigint, b varchar)), CAST(y AS BIGINT)"),
            "SELECT __try___json_cast(x, 'row(a bigint, b varchar)'), CAST(y AS BIGINT)"
        );
        // Quoted text is not SQL; a comment's apostrophe is not a quote.
        let quoted = "SELECT 'CAST(x AS ARRAY(VARCHAR))' AS s, broadcast(a)";
        assert_eq!(rewrite_casts(quoted), quoted);
        assert_eq!(
            rewrite_casts("-- Trino's rows\nSELECT CAST(r AS ROW(a BIGINT))"),
            "-- Trino's rows\nSELECT __json_cast(r, 'ROW(a BIGINT)')"
        );
    }

    #[test]
    fn trino_types_read_as_arrow_types() {
        assert_eq!(
            trino_type("array(row(instanceId varchar, state bigint))")
                .unwrap()
                .to_string(),
            trino_type("ARRAY(ROW(instanceId VARCHAR(20), state BIGINT))")
                .unwrap()
                .to_string()
        );
        assert!(matches!(
            trino_type("map(varchar, array(double))").unwrap(),
            DataType::Map(..)
        ));
        assert!(trino_type("ipaddress").unwrap_err().contains("ipaddress"));
    }
}
