//! Query parameters: `?` (Athena's prepared-statement form), and `:name` / `${name}` in saved
//! queries. Finding them skips strings, quoted names and comments, so `'10:30'` and `a::int`
//! are not parameters. Values are typed (a number, or text) and become literals only through
//! [`ParamValue::literal`], which quotes text safely; engines receive them apart from the SQL.

use std::ops::Range;

/// One placeholder in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder {
    /// Byte range in the SQL.
    pub span: Range<usize>,
    /// The name for `:name` and `${name}`; `None` for `?`.
    pub name: Option<String>,
}

/// A parameter's value, typed as the user gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamValue {
    /// A number as written (`42`, `-1.5`, `2e3`).
    Number(String),
    /// Text, without quotes.
    Text(String),
}

impl ParamValue {
    /// Reads a value as typed: a number stays a number; `'quoted'` is text (so `'2023'` is the
    /// text 2023, with `''` for a quote inside); anything else is text as it stands.
    pub fn parse(input: &str) -> Self {
        let trimmed = input.trim();
        if is_number(trimmed) {
            return Self::Number(trimmed.to_owned());
        }
        if trimmed.len() >= 2 && trimmed.starts_with('\'') && trimmed.ends_with('\'') {
            return Self::Text(trimmed[1..trimmed.len() - 1].replace("''", "'"));
        }
        Self::Text(input.to_owned())
    }

    /// The SQL literal: numbers as written, text in single quotes with quotes doubled. This is
    /// what Athena's `ExecutionParameters` take, and all an injection attempt ever becomes.
    pub fn literal(&self) -> String {
        match self {
            Self::Number(n) => n.clone(),
            Self::Text(t) => format!("'{}'", t.replace('\'', "''")),
        }
    }
}

/// `42`, `-1.5`, `2e3`: digits, an optional fraction and exponent (not `1.`, `.5` or `0x10`).
fn is_number(text: &str) -> bool {
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let body = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (body, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (mantissa, None),
    };
    all_digits(whole) && fraction.is_none_or(all_digits) && exponent.is_none_or(all_digits)
}

/// Every placeholder, in order.
pub fn find(sql: &str) -> Vec<Placeholder> {
    let bytes = sql.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'\'' | b'"' | b'`') => {
                // To the closing quote; a doubled quote is one quote inside.
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == quote {
                        if bytes.get(i + 1) == Some(&quote) {
                            i += 1;
                        } else {
                            break;
                        }
                    }
                    i += 1;
                }
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'?' => found.push(Placeholder {
                span: i..i + 1,
                name: None,
            }),
            b':' if bytes.get(i + 1) == Some(&b':') => i += 1, // a `::` cast
            b':' if i == 0 || !ident(bytes[i - 1]) => {
                let end = (i + 1..bytes.len())
                    .find(|&j| !ident(bytes[j]))
                    .unwrap_or(bytes.len());
                if end > i + 1 && !bytes[i + 1].is_ascii_digit() {
                    found.push(Placeholder {
                        span: i..end,
                        name: Some(sql[i + 1..end].to_owned()),
                    });
                    i = end - 1;
                }
            }
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                if let Some(close) = sql[i..].find('}') {
                    let name = sql[i + 2..i + close].trim();
                    if !name.is_empty() && name.bytes().all(ident) {
                        found.push(Placeholder {
                            span: i..i + close + 1,
                            name: Some(name.to_owned()),
                        });
                        i += close;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// The parameters to ask for, in order: each `?` on its own (named `1`, `2`, … by position
/// among the `?`), each name once.
pub fn slots(sql: &str) -> Vec<String> {
    let mut slots: Vec<String> = Vec::new();
    let mut positional = 0;
    for placeholder in find(sql) {
        match placeholder.name {
            Some(name) => {
                if !slots.contains(&name) {
                    slots.push(name);
                }
            }
            None => {
                positional += 1;
                slots.push(positional.to_string());
            }
        }
    }
    slots
}

/// The SQL with every placeholder as `?` and the values in the order the `?` appear: what
/// Athena's `StartQueryExecution` takes (a named parameter used twice is passed twice).
/// `values` answer [`slots`], in its order.
pub fn positional(sql: &str, values: &[ParamValue]) -> Result<(String, Vec<ParamValue>), String> {
    let slots = slots(sql);
    if values.len() != slots.len() {
        return Err(format!(
            "the statement has {} parameter(s) ({}) and {} value(s) were given",
            slots.len(),
            slots.join(", "),
            values.len()
        ));
    }
    let mut text = String::with_capacity(sql.len());
    let mut ordered = Vec::new();
    let mut last = 0;
    let mut positional = 0;
    for placeholder in find(sql) {
        let slot = match &placeholder.name {
            Some(name) => slots.iter().position(|s| s == name),
            None => {
                positional += 1;
                slots.iter().position(|s| *s == positional.to_string())
            }
        };
        let value = values[slot.unwrap_or(0)].clone();
        text.push_str(&sql[last..placeholder.span.start]);
        text.push('?');
        last = placeholder.span.end;
        ordered.push(value);
    }
    text.push_str(&sql[last..]);
    Ok((text, ordered))
}

/// The SQL with each `?` numbered `$1`, `$2`, … (DataFusion's placeholders).
pub fn numbered(sql: &str) -> String {
    let mut text = String::with_capacity(sql.len() + 8);
    let mut last = 0;
    for (index, placeholder) in find(sql).iter().enumerate() {
        text.push_str(&sql[last..placeholder.span.start]);
        text.push('$');
        text.push_str(&(index + 1).to_string());
        last = placeholder.span.end;
    }
    text.push_str(&sql[last..]);
    text
}

/// The SQL with the values written in as literals: only for analysis (hints, the scan
/// estimate), never to run.
pub fn bound_text(sql: &str, values: &[ParamValue]) -> Result<String, String> {
    let (text, ordered) = positional(sql, values)?;
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (placeholder, value) in find(&text).iter().zip(&ordered) {
        out.push_str(&text[last..placeholder.span.start]);
        out.push_str(&value.literal());
        last = placeholder.span.end;
    }
    out.push_str(&text[last..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_outside_strings_casts_and_comments() {
        let sql = "SELECT ':x', \"a?b\", t::int -- :y ?\nFROM t /* ${z} */ WHERE a = ? AND b = :month AND c = ${day} AND d = :month";
        let names: Vec<Option<String>> = find(sql).into_iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            [
                None,
                Some("month".to_owned()),
                Some("day".to_owned()),
                Some("month".to_owned())
            ]
        );
        assert_eq!(slots(sql), ["1", "month", "day"]);
    }

    #[test]
    fn values_are_typed_and_quoted_safely() {
        assert_eq!(ParamValue::parse("42"), ParamValue::Number("42".into()));
        assert_eq!(
            ParamValue::parse("-1.5e3"),
            ParamValue::Number("-1.5e3".into())
        );
        assert_eq!(ParamValue::parse("'2023'"), ParamValue::Text("2023".into()));
        assert_eq!(ParamValue::parse("1."), ParamValue::Text("1.".into()));
        assert_eq!(ParamValue::parse("0x10"), ParamValue::Text("0x10".into()));
        let attack = ParamValue::parse("'; DROP TABLE x; --");
        assert_eq!(attack.literal(), "'''; DROP TABLE x; --'");
        let bound = bound_text("SELECT * FROM t WHERE a = ?", &[attack]).unwrap();
        // One literal: the statement still ends where it did.
        assert_eq!(crate::statements::split(&bound).len(), 1);
        assert_eq!(bound, "SELECT * FROM t WHERE a = '''; DROP TABLE x; --'");
    }

    #[test]
    fn named_parameters_become_question_marks_in_order() {
        let sql = "SELECT * FROM t WHERE m = :month AND d = ? AND m2 = :month";
        let values = [
            ParamValue::Text("05".into()),
            ParamValue::Number("3".into()),
        ];
        let (text, ordered) = positional(sql, &values).unwrap();
        assert_eq!(text, "SELECT * FROM t WHERE m = ? AND d = ? AND m2 = ?");
        assert_eq!(
            ordered,
            [values[0].clone(), values[1].clone(), values[0].clone()]
        );
        assert_eq!(
            numbered(&text),
            "SELECT * FROM t WHERE m = $1 AND d = $2 AND m2 = $3"
        );
        assert!(positional(sql, &values[..1]).is_err());
    }
}
