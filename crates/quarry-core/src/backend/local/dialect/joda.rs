//! Trino's Joda-pattern and ISO-8601 functions: `parse_datetime` and `format_datetime` (the
//! patterns the AWS documentation's examples use, such as ALB's
//! `'yyyy-MM-dd''T''HH:mm:ss.SSSSSS''Z'`), `to_iso8601` and `from_iso8601_date`. A Joda pattern
//! is translated to chrono's notation once per distinct pattern; letters quarry does not know
//! are refused by name rather than guessed.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Date32Array, StringArray, TimestampMillisecondArray,
};
use datafusion::arrow::datatypes::{DataType, Date32Type, TimestampMillisecondType};
use datafusion::common::Result;
use datafusion::logical_expr::ScalarUDF;

use super::udf::{LastCompiled, TIMESTAMP, TrinoFunction, collect, fail};

/// The functions, each with its lenient twin.
pub fn functions() -> Vec<ScalarUDF> {
    use DataType::{Date32, Utf8};
    [
        TrinoFunction::udf(
            "parse_datetime",
            &[Utf8, Utf8],
            2,
            TIMESTAMP,
            parse_datetime,
        ),
        TrinoFunction::udf(
            "format_datetime",
            &[TIMESTAMP, Utf8],
            2,
            Utf8,
            format_datetime,
        ),
        TrinoFunction::udf("to_iso8601", &[TIMESTAMP], 1, Utf8, to_iso8601),
        TrinoFunction::udf("from_iso8601_date", &[Utf8], 1, Date32, from_iso8601_date),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A Joda pattern in chrono's notation, and whether it reads a zone offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub chrono: String,
    pub has_offset: bool,
}

/// Translates a Joda pattern; the error names the letter that has no translation.
pub fn joda_pattern(joda: &str) -> Result<Pattern, String> {
    let mut chrono = String::with_capacity(joda.len() + 8);
    let mut has_offset = false;
    let chars: Vec<char> = joda.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // '' is a quote; 'text' is literal text, in which '' is a quote too.
            if chars.get(i + 1) == Some(&'\'') {
                chrono.push('\'');
                i += 2;
                continue;
            }
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        chrono.push('\'');
                        i += 2;
                        continue;
                    }
                    break;
                }
                push_literal(&mut chrono, chars[i]);
                i += 1;
            }
            // Joda takes an unterminated quote as text to the end, and the ALB page's
            // pattern ends that way: …ss.SSSSSS'Z
            i += 1;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            push_literal(&mut chrono, c);
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|&&x| x == c).count();
        i += run;
        let spec = match (c, run) {
            ('y' | 'Y' | 'u', 2) => "%y",
            ('y' | 'Y' | 'u', _) => "%Y",
            ('x', _) => "%G",
            ('M', 1) => "%-m",
            ('M', 2) => "%m",
            ('M', 3) => "%b",
            ('M', _) => "%B",
            ('d', 1) => "%-d",
            ('d', _) => "%d",
            ('D', _) => "%j",
            ('H', 1) => "%-H",
            ('H', _) => "%H",
            ('k', _) => "%k",
            ('h', 1) => "%-I",
            ('h', _) => "%I",
            ('m', 1) => "%-M",
            ('m', _) => "%M",
            ('s', 1) => "%-S",
            ('s', _) => "%S",
            ('S', 3) => "%3f",
            ('S', 6) => "%6f",
            ('S', 9) => "%9f",
            ('a', _) => "%p",
            ('E', 1..=3) => "%a",
            ('E', _) => "%A",
            ('e', _) => "%u",
            ('w', _) => "%V",
            ('Z', 1) => {
                has_offset = true;
                "%z"
            }
            ('Z', 2) => {
                has_offset = true;
                "%:z"
            }
            _ => {
                let letters: String = std::iter::repeat_n(c, run).collect();
                return Err(format!(
                    "the pattern letter {letters:?} is not implemented locally (fractions take \
                     3, 6 or 9 S; zones Z or ZZ)"
                ));
            }
        };
        chrono.push_str(spec);
    }
    Ok(Pattern { chrono, has_offset })
}

fn push_literal(out: &mut String, c: char) {
    if c == '%' {
        out.push_str("%%");
    } else {
        out.push(c);
    }
}

/// Parses `input` with a translated pattern, in UTC; an offset in the text moves it to UTC.
fn parse_with(input: &str, pattern: &Pattern) -> Option<NaiveDateTime> {
    // Parsing takes what formatting pads, and Joda reads `Z` as a zero offset.
    let chrono = pattern.chrono.replace("%-", "%");
    if pattern.has_offset {
        let input = match input.strip_suffix('Z') {
            Some(rest) => format!("{rest}+0000"),
            None => input.to_owned(),
        };
        let chrono = chrono.replace("%:z", "%z");
        return DateTime::parse_from_str(&input, &chrono)
            .ok()
            .map(|t| t.with_timezone(&Utc).naive_utc());
    }
    if let Ok(at) = NaiveDateTime::parse_from_str(input, &chrono) {
        return Some(at);
    }
    NaiveDate::parse_from_str(input, &chrono)
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

fn parse_datetime(args: &[ArrayRef], lenient: bool) -> Result<ArrayRef> {
    let (texts, patterns) = (args[0].as_string::<i32>(), args[1].as_string::<i32>());
    let mut cache = LastCompiled::default();
    collect::<i64, TimestampMillisecondArray>(texts.len(), |row| {
        if texts.is_null(row) || patterns.is_null(row) {
            return Ok(None);
        }
        let (input, joda) = (texts.value(row), patterns.value(row));
        let pattern = match cache.get(joda, joda_pattern) {
            Ok(pattern) => pattern,
            Err(why) => return fail(lenient, || format!("parse_datetime: {why}")),
        };
        match parse_with(input, pattern) {
            Some(at) => Ok(Some(at.and_utc().timestamp_millis())),
            None => fail(lenient, || {
                format!("parse_datetime: invalid format: {input:?} does not match {joda:?}")
            }),
        }
    })
}

fn format_datetime(args: &[ArrayRef], lenient: bool) -> Result<ArrayRef> {
    let (times, patterns) = (
        args[0].as_primitive::<TimestampMillisecondType>(),
        args[1].as_string::<i32>(),
    );
    let mut cache = LastCompiled::default();
    collect::<String, StringArray>(times.len(), |row| {
        if times.is_null(row) || patterns.is_null(row) {
            return Ok(None);
        }
        let pattern = match cache.get(patterns.value(row), joda_pattern) {
            Ok(pattern) => pattern,
            Err(why) => return fail(lenient, || format!("format_datetime: {why}")),
        };
        Ok(DateTime::<Utc>::from_timestamp_millis(times.value(row))
            .map(|t| t.format(&pattern.chrono).to_string()))
    })
}

/// `2024-02-26T10:11:12.123Z`: quarry's timestamps are UTC, which Trino writes as `Z`.
fn to_iso8601(args: &[ArrayRef], _lenient: bool) -> Result<ArrayRef> {
    if args[0].data_type() == &DataType::Date32 {
        // A date is written as one.
        let dates = args[0].as_primitive::<Date32Type>();
        return collect::<String, StringArray>(dates.len(), |row| {
            Ok(dates
                .is_valid(row)
                .then(|| dates.value_as_date(row))
                .flatten()
                .map(|d| d.format("%Y-%m-%d").to_string()))
        });
    }
    let times = args[0].as_primitive::<TimestampMillisecondType>();
    collect::<String, StringArray>(times.len(), |row| {
        if times.is_null(row) {
            return Ok(None);
        }
        Ok(DateTime::<Utc>::from_timestamp_millis(times.value(row))
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()))
    })
}

/// A date as Trino reads ISO-8601: `2024-02-29`, also with a time after it (dropped).
fn from_iso8601_date(args: &[ArrayRef], lenient: bool) -> Result<ArrayRef> {
    let texts = args[0].as_string::<i32>();
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    collect::<i32, Date32Array>(texts.len(), |row| {
        if texts.is_null(row) {
            return Ok(None);
        }
        let input = texts.value(row).trim();
        let date_part = input.split_once('T').map_or(input, |(d, _)| d);
        match NaiveDate::parse_from_str(date_part, "%Y-%m-%d") {
            Ok(date) => Ok(i32::try_from((date - epoch).num_days()).ok()),
            Err(_) => fail(lenient, || {
                format!("from_iso8601_date: invalid format: {input:?}")
            }),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").unwrap()
    }

    #[test]
    fn the_alb_page_pattern_parses_its_timestamps() {
        // The page writes 'yyyy-MM-dd''T''HH:mm:ss.SSSSSS''Z' in SQL: this once unquoted.
        let quoted = joda_pattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").unwrap();
        assert_eq!(quoted.chrono, "%Y-%m-%dT%H:%M:%S.%6fZ");
        assert_eq!(
            joda_pattern("h 'o''clock' ''").unwrap().chrono,
            "%-I o'clock '"
        );
        assert_eq!(
            parse_with("2024-02-26T10:11:12.123456Z", &quoted),
            Some(at("2024-02-26 10:11:12.123456"))
        );
        // As the page writes it, the last quote is never closed: Z is still literal text.
        let page = joda_pattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z").unwrap();
        assert_eq!(page, quoted);
    }

    #[test]
    fn offsets_move_the_time_to_utc() {
        let pattern = joda_pattern("dd/MMM/yyyy:HH:mm:ss Z").unwrap();
        assert!(pattern.has_offset);
        assert_eq!(
            parse_with("08/Sep/2023:21:43:37 +0200", &pattern),
            Some(at("2023-09-08 19:43:37"))
        );
        let iso = joda_pattern("yyyy-MM-dd'T'HH:mm:ssZZ").unwrap();
        assert_eq!(
            parse_with("2023-09-08T21:43:37Z", &iso),
            Some(at("2023-09-08 21:43:37"))
        );
        assert_eq!(
            parse_with("2023-09-08T21:43:37-05:00", &iso),
            Some(at("2023-09-09 02:43:37"))
        );
    }

    #[test]
    fn formatting_names_months_and_days() {
        let pattern = joda_pattern("EEEE, d MMMM yyyy HH:mm 'h' '%'").unwrap();
        assert_eq!(
            at("2023-09-08 21:43:37")
                .format(&pattern.chrono)
                .to_string(),
            "Friday, 8 September 2023 21:43 h %"
        );
        assert!(
            joda_pattern("yyyy G")
                .unwrap_err()
                .contains("\"G\" is not implemented")
        );
    }
}
