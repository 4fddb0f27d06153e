//! More of Trino's text functions: `regexp_extract_all`, `regexp_split`, `format` (Java's
//! `%s %d %f %.Nf %%`) and `typeof`, with Trino's type names.

use std::fmt::Write as _;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListBuilder, StringArray, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Int64Type};
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::common::{Result, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use super::text::compile_regex;
use super::udf::{LastCompiled, TrinoFunction, fail};
use crate::export::athena_text::trino_type;

/// `array(varchar)`.
fn text_list() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)))
}

/// The functions (the fixed-signature ones with their lenient twins).
pub fn functions() -> Vec<ScalarUDF> {
    use DataType::{Int64, Utf8};
    let mut functions: Vec<ScalarUDF> = [
        TrinoFunction::udf(
            "regexp_extract_all",
            &[Utf8, Utf8, Int64],
            2,
            text_list(),
            regexp_extract_all,
        ),
        TrinoFunction::udf("regexp_split", &[Utf8, Utf8], 2, text_list(), regexp_split),
    ]
    .into_iter()
    .flatten()
    .collect();
    for kind in [Free::Format, Free::TypeOf] {
        functions.push(ScalarUDF::new_from_impl(FreeFunction {
            kind,
            signature: match kind {
                Free::Format => Signature::variadic_any(Volatility::Immutable),
                Free::TypeOf => Signature::any(1, Volatility::Immutable),
            },
        }));
    }
    functions
}

/// One row's list of texts per `each`, over the text and pattern arguments.
fn regex_lists(
    args: &[ArrayRef],
    lenient: bool,
    name: &str,
    each: impl Fn(&regex::Regex, &str, usize) -> Result<Vec<String>, String>,
) -> Result<ArrayRef> {
    let (texts, patterns) = (args[0].as_string::<i32>(), args[1].as_string::<i32>());
    let groups = args.get(2).map(AsArray::as_primitive::<Int64Type>);
    let mut out = ListBuilder::new(StringBuilder::new());
    let mut compiled = LastCompiled::default();
    for row in 0..texts.len() {
        if texts.is_null(row) || patterns.is_null(row) || groups.is_some_and(|g| g.is_null(row)) {
            out.append_null();
            continue;
        }
        let re = match compiled.get(patterns.value(row), compile_regex) {
            Ok(re) => re,
            Err(why) => {
                fail::<()>(lenient, || format!("{name}: {why}"))?;
                out.append_null();
                continue;
            }
        };
        let group = groups.map_or(0, |g| g.value(row));
        let group = usize::try_from(group).unwrap_or(usize::MAX);
        match each(re, texts.value(row), group) {
            Ok(items) => {
                for item in items {
                    out.values().append_value(item);
                }
                out.append(true);
            }
            Err(why) => {
                fail::<()>(lenient, || format!("{name}: {why}"))?;
                out.append_null();
            }
        }
    }
    Ok(Arc::new(out.finish()))
}

/// Every match (or one group of it); a group that did not take part is skipped.
fn regexp_extract_all(args: &[ArrayRef], lenient: bool) -> Result<ArrayRef> {
    regex_lists(args, lenient, "regexp_extract_all", |re, text, group| {
        if group >= re.captures_len() {
            return Err(format!(
                "pattern has {} groups, not {group}",
                re.captures_len() - 1
            ));
        }
        Ok(re
            .captures_iter(text)
            .filter_map(|c| c.get(group).map(|m| m.as_str().to_owned()))
            .collect())
    })
}

fn regexp_split(args: &[ArrayRef], lenient: bool) -> Result<ArrayRef> {
    regex_lists(args, lenient, "regexp_split", |re, text, _| {
        Ok(re.split(text).map(str::to_owned).collect())
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Free {
    Format,
    TypeOf,
}

/// The functions whose arguments are of any type and number.
#[derive(Debug, PartialEq, Eq, Hash)]
struct FreeFunction {
    kind: Free,
    signature: Signature,
}

impl ScalarUDFImpl for FreeFunction {
    fn name(&self) -> &str {
        match self.kind {
            Free::Format => "format",
            Free::TypeOf => "typeof",
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        match self.kind {
            Free::TypeOf => {
                let name = trino_type(args.arg_fields[0].data_type());
                Ok(ColumnarValue::Array(Arc::new(StringArray::from(vec![
                    name;
                    rows
                ]))))
            }
            Free::Format => {
                let arrays = ColumnarValue::values_to_arrays(&args.args)?;
                let Some((pattern, values)) = arrays.split_first() else {
                    return exec_err!("format takes a pattern and its values");
                };
                let patterns = datafusion::arrow::compute::cast(pattern, &DataType::Utf8)?;
                let patterns = patterns.as_string::<i32>();
                let options = FormatOptions::default();
                let formatters = values
                    .iter()
                    .map(|v| ArrayFormatter::try_new(v.as_ref(), &options))
                    .collect::<Result<Vec<_>, _>>()?;
                let mut out = StringBuilder::new();
                for row in 0..rows {
                    if patterns.is_null(row) {
                        out.append_null();
                        continue;
                    }
                    let texts: Vec<Option<String>> = values
                        .iter()
                        .zip(&formatters)
                        .map(|(v, f)| v.is_valid(row).then(|| f.value(row).to_string()))
                        .collect();
                    match java_format(patterns.value(row), &texts) {
                        Ok(text) => out.append_value(text),
                        Err(why) => return exec_err!("format: {why}"),
                    }
                }
                Ok(ColumnarValue::Array(Arc::new(out.finish())))
            }
        }
    }
}

/// Java's `String.format` for the conversions log queries use: `%s`, `%d`, `%f`, `%.Nf`, `%%`
/// (`null` for NULL, as Java prints it).
pub fn java_format(pattern: &str, values: &[Option<String>]) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut next = values.iter();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut precision = String::new();
        if chars.peek() == Some(&'.') {
            chars.next();
            while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                precision.push(*d);
                chars.next();
            }
        }
        let conversion = chars.next().ok_or("the pattern ends in %")?;
        if conversion == '%' {
            out.push('%');
            continue;
        }
        let value = next
            .next()
            .ok_or_else(|| format!("no value for %{conversion}"))?;
        let Some(value) = value else {
            out.push_str("null");
            continue;
        };
        match conversion {
            's' | 'S' => out.push_str(value),
            'd' => {
                let n: i64 = value
                    .parse()
                    .map_err(|_| format!("%d needs an integer, not {value:?}"))?;
                out.push_str(&n.to_string());
            }
            'f' => {
                let x: f64 = value
                    .parse()
                    .map_err(|_| format!("%f needs a number, not {value:?}"))?;
                let digits: usize = precision.parse().unwrap_or(6);
                let _ = write!(out, "{x:.digits$}");
            }
            other => return Err(format!("%{other} is not implemented locally")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_speaks_javas_common_conversions() {
        let values = [
            Some("ec2".to_owned()),
            Some("42".to_owned()),
            Some("3.14159".to_owned()),
            None,
        ];
        assert_eq!(
            java_format("%s: %d calls, %.2f%% (%s)", &values).unwrap(),
            "ec2: 42 calls, 3.14% (null)"
        );
        assert!(java_format("%x", &values).unwrap_err().contains("%x"));
        assert!(java_format("%s %s %s %s %s", &values).is_err());
    }

    #[test]
    fn type_names_are_trinos() {
        let row = DataType::Struct(
            vec![
                Field::new("arn", DataType::Utf8View, true),
                Field::new("n", DataType::Int32, true),
            ]
            .into(),
        );
        assert_eq!(
            trino_type(&DataType::List(Arc::new(Field::new_list_field(row, true)))),
            "array(row(arn varchar, n integer))"
        );
    }
}
