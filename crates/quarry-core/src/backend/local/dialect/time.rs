//! Trino's date and time functions as Athena users write them on logs: `from_unixtime`,
//! `to_unixtime`, `date_parse` and `date_format` (MySQL-style patterns), `from_iso8601_timestamp`,
//! `date_add` and `date_diff` with unit strings. Timestamps are UTC at millisecond precision.

use std::sync::Arc;

use chrono::{DateTime, Datelike, Months, NaiveDateTime, Utc};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, Int64Array, StringArray, TimestampMillisecondArray,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type, TimestampMillisecondType};
use datafusion::common::Result;
use datafusion::logical_expr::ScalarUDF;

use super::udf::{TIMESTAMP, TrinoFunction, collect, fail};

/// The time functions, each with its lenient twin.
pub fn functions() -> Vec<ScalarUDF> {
    use DataType::{Float64, Int64, Utf8};
    [
        TrinoFunction::udf("from_unixtime", &[Float64], 1, TIMESTAMP, from_unixtime),
        TrinoFunction::udf("to_unixtime", &[TIMESTAMP], 1, Float64, to_unixtime),
        TrinoFunction::udf("date_parse", &[Utf8, Utf8], 2, TIMESTAMP, date_parse),
        TrinoFunction::udf("date_format", &[TIMESTAMP, Utf8], 2, Utf8, date_format),
        TrinoFunction::udf(
            "from_iso8601_timestamp",
            &[Utf8],
            1,
            TIMESTAMP,
            from_iso8601,
        ),
        TrinoFunction::udf_keeping_date(
            "date_add",
            &[Utf8, Int64, TIMESTAMP],
            3,
            TIMESTAMP,
            date_add,
            Some(2),
        ),
        TrinoFunction::udf(
            "date_diff",
            &[Utf8, TIMESTAMP, TIMESTAMP],
            3,
            Int64,
            date_diff,
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn millis(array: &ArrayRef) -> &TimestampMillisecondArray {
    array.as_primitive::<TimestampMillisecondType>()
}

fn text(array: &ArrayRef) -> &StringArray {
    array.as_string::<i32>()
}

fn value<A: Array>(array: &A, row: usize) -> Option<usize> {
    array.is_valid(row).then_some(row)
}

fn at(ms: i64) -> Option<NaiveDateTime> {
    DateTime::<Utc>::from_timestamp_millis(ms).map(|t| t.naive_utc())
}

fn from_unixtime(args: &[ArrayRef], lenient: bool) -> Result<ArrayRef> {
    let seconds = args[0].as_primitive::<Float64Type>();
    collect::<i64, TimestampMillisecondArray>(seconds.len(), |row| {
        let Some(row) = value(seconds, row) else {
            return Ok(None);
        };
        let ms = seconds.value(row) * 1000.0;
        if ms.is_finite() && ms.abs() < 8.64e18 {
            // Trino truncates to its millisecond precision.
            Ok(Some(ms.floor() as i64))
        } else {
            fail(lenient, || {
                format!("from_unixtime: {} is out of range", seconds.value(row))
            })
        }
    })
}

fn to_unixtime(args: &[ArrayRef], _lenient: bool) -> Result<ArrayRef> {
    let times = millis(&args[0]);
    collect::<f64, Float64Array>(times.len(), |row| {
        Ok(value(times, row).map(|row| times.value(row) as f64 / 1000.0))
    })
}

fn date_parse(args: &[ArrayRef], lenient: bool) -> Result<ArrayRef> {
    let (texts, formats) = (text(&args[0]), text(&args[1]));
    collect::<i64, TimestampMillisecondArray>(texts.len(), |row| {
        let (Some(_), Some(_)) = (value(texts, row), value(formats, row)) else {
            return Ok(None);
        };
        let (input, format) = (texts.value(row), formats.value(row));
        match parse_mysql(input, format) {
            Some(at) => Ok(Some(at.and_utc().timestamp_millis())),
            None => fail(lenient, || {
                format!("date_parse: invalid format: {input:?} does not match {format:?}")
            }),
        }
    })
}

fn date_format(args: &[ArrayRef], lenient: bool) -> Result<ArrayRef> {
    let (times, formats) = (millis(&args[0]), text(&args[1]));
    collect::<String, StringArray>(times.len(), |row| {
        let (Some(_), Some(_)) = (value(times, row), value(formats, row)) else {
            return Ok(None);
        };
        let format = formats.value(row);
        let Some(pattern) = chrono_pattern(format) else {
            return fail(lenient, || {
                format!("date_format: {format:?} is not a supported pattern")
            });
        };
        Ok(at(times.value(row)).map(|t| t.format(&pattern).to_string()))
    })
}

fn from_iso8601(args: &[ArrayRef], lenient: bool) -> Result<ArrayRef> {
    let texts = text(&args[0]);
    collect::<i64, TimestampMillisecondArray>(texts.len(), |row| {
        let Some(row) = value(texts, row) else {
            return Ok(None);
        };
        let input = texts.value(row);
        match iso8601(input) {
            Some(at) => Ok(Some(at.timestamp_millis())),
            None => fail(lenient, || {
                format!("from_iso8601_timestamp: invalid format: {input:?}")
            }),
        }
    })
}

/// ISO-8601 as Trino reads it: a date, or a date and time with an optional fraction and zone
/// (`Z`, `+02:00`, `+0200`); no zone is UTC.
fn iso8601(input: &str) -> Option<DateTime<Utc>> {
    let input = input.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(input) {
        return Some(at.with_timezone(&Utc));
    }
    for pattern in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(at) = DateTime::parse_from_str(input, pattern) {
            return Some(at.with_timezone(&Utc));
        }
    }
    for pattern in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(input, pattern) {
            return Some(at.and_utc());
        }
    }
    chrono::NaiveDate::parse_from_str(input, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// A unit of `date_add` / `date_diff`.
#[derive(Clone, Copy)]
enum Unit {
    Fixed(i64),
    Months(u32),
}

fn unit(name: &str) -> Option<Unit> {
    Some(match name.trim().to_ascii_lowercase().as_str() {
        "millisecond" => Unit::Fixed(1),
        "second" => Unit::Fixed(1_000),
        "minute" => Unit::Fixed(60_000),
        "hour" => Unit::Fixed(3_600_000),
        "day" => Unit::Fixed(86_400_000),
        "week" => Unit::Fixed(7 * 86_400_000),
        "month" => Unit::Months(1),
        "quarter" => Unit::Months(3),
        "year" => Unit::Months(12),
        _ => return None,
    })
}

const UNITS: &str = "millisecond, second, minute, hour, day, week, month, quarter, year";

fn date_add(args: &[ArrayRef], lenient: bool) -> Result<ArrayRef> {
    if args[2].data_type() == &DataType::Date32 {
        // A date moves as its midnight does and stays a date (Trino's rule for dates).
        let midnight = cast(&args[2], &TIMESTAMP)?;
        let moved = date_add(
            &[Arc::clone(&args[0]), Arc::clone(&args[1]), midnight],
            lenient,
        )?;
        return Ok(cast(&moved, &DataType::Date32)?);
    }
    let (units, amounts, times) = (
        text(&args[0]),
        args[1].as_primitive::<Int64Type>(),
        millis(&args[2]),
    );
    collect::<i64, TimestampMillisecondArray>(times.len(), |row| {
        let (Some(_), Some(_), Some(_)) =
            (value(units, row), value(amounts, row), value(times, row))
        else {
            return Ok(None);
        };
        let name = units.value(row);
        let Some(unit) = unit(name) else {
            return fail(lenient, || {
                format!("date_add: {name:?} is not a unit ({UNITS})")
            });
        };
        let (amount, start) = (amounts.value(row), times.value(row));
        let moved = match unit {
            Unit::Fixed(ms) => amount.checked_mul(ms).and_then(|d| start.checked_add(d)),
            Unit::Months(per) => at(start).and_then(|t| {
                let months = amount.checked_mul(i64::from(per))?;
                let shifted = if months >= 0 {
                    t.checked_add_months(Months::new(u32::try_from(months).ok()?))
                } else {
                    t.checked_sub_months(Months::new(u32::try_from(-months).ok()?))
                };
                shifted.map(|t| t.and_utc().timestamp_millis())
            }),
        };
        match moved {
            Some(ms) => Ok(Some(ms)),
            None => fail(lenient, || {
                format!("date_add: {amount} {name} is out of range")
            }),
        }
    })
}

/// Whole units from the first time to the second, as Trino counts them: fixed units by
/// elapsed time truncated toward zero; months, quarters and years by the calendar, a month
/// counting only once its day and time of day are reached.
fn date_diff(args: &[ArrayRef], lenient: bool) -> Result<ArrayRef> {
    let (units, starts, ends) = (text(&args[0]), millis(&args[1]), millis(&args[2]));
    collect::<i64, Int64Array>(starts.len(), |row| {
        let (Some(_), Some(_), Some(_)) = (value(units, row), value(starts, row), value(ends, row))
        else {
            return Ok(None);
        };
        let name = units.value(row);
        let Some(unit) = unit(name) else {
            return fail(lenient, || {
                format!("date_diff: {name:?} is not a unit ({UNITS})")
            });
        };
        let (start, end) = (starts.value(row), ends.value(row));
        Ok(match unit {
            Unit::Fixed(ms) => Some((end - start) / ms),
            Unit::Months(per) => match (at(start), at(end)) {
                (Some(a), Some(b)) => Some(whole_months(a, b) / i64::from(per)),
                _ => None,
            },
        })
    })
}

fn whole_months(a: NaiveDateTime, b: NaiveDateTime) -> i64 {
    let (earlier, later, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
    let mut months = i64::from(later.year() - earlier.year()) * 12 + i64::from(later.month())
        - i64::from(earlier.month());
    // Not a whole month yet when the later time is before the earlier's day and time of day
    // in its month (clamped to the month's last day, as Joda does).
    let anniversary = earlier.checked_add_months(Months::new(months.max(0) as u32));
    if anniversary.is_some_and(|t| t > later) {
        months -= 1;
    }
    sign * months.max(0)
}

/// A MySQL-style pattern (`%Y-%m-%d %H:%i:%s`) as a chrono pattern, or `None` for specifiers
/// Trino does not support either.
fn chrono_pattern(mysql: &str) -> Option<String> {
    let mut out = String::with_capacity(mysql.len() + 8);
    let mut chars = mysql.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            // A literal percent sign in chrono is `%%`; other text passes through.
            out.push(c);
            continue;
        }
        let spec = chars.next()?;
        out.push_str(match spec {
            'a' => "%a",
            'b' => "%b",
            'c' => "%-m",
            'd' => "%d",
            'e' => "%-d",
            'f' => "%6f",
            'H' => "%H",
            'h' | 'I' => "%I",
            'i' => "%M",
            'j' => "%j",
            'k' => "%-H",
            'l' => "%-I",
            'M' => "%B",
            'm' => "%m",
            'p' => "%p",
            'r' => "%I:%M:%S %p",
            'S' | 's' => "%S",
            'T' => "%H:%M:%S",
            'v' => "%V",
            'W' => "%A",
            'x' => "%G",
            'Y' => "%Y",
            'y' => "%y",
            '%' => "%%",
            _ => return None,
        });
    }
    Some(out)
}

/// Parses `input` with a MySQL-style pattern; a date alone is midnight.
fn parse_mysql(input: &str, format: &str) -> Option<NaiveDateTime> {
    let pattern = chrono_pattern(format)?
        // Parsing accepts what formatting pads.
        .replace("%6f", "%.f")
        .replace("%-", "%");
    if let Ok(at) = NaiveDateTime::parse_from_str(input, &pattern) {
        return Some(at);
    }
    chrono::NaiveDate::parse_from_str(input, &pattern)
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn months_count_only_when_reached() {
        // Jan 31 plus a month is Feb 28 (clamped), as Joda counts for Trino.
        assert_eq!(
            whole_months(t("2023-01-31 00:00:00"), t("2023-02-27 23:59:59")),
            0
        );
        assert_eq!(
            whole_months(t("2023-01-31 00:00:00"), t("2023-02-28 00:00:00")),
            1
        );
        assert_eq!(
            whole_months(t("2023-01-15 12:00:00"), t("2023-02-15 11:59:59")),
            0
        );
        assert_eq!(
            whole_months(t("2023-01-15 12:00:00"), t("2024-01-15 12:00:00")),
            12
        );
        assert_eq!(
            whole_months(t("2024-01-15 12:00:00"), t("2023-01-15 12:00:01")),
            -11
        );
    }

    #[test]
    fn mysql_patterns_format_and_parse() {
        let at = t("2023-09-08 21:43:37");
        let format = |p: &str| at.format(&chrono_pattern(p).unwrap()).to_string();
        assert_eq!(format("%Y-%m-%d %H:%i:%s"), "2023-09-08 21:43:37");
        assert_eq!(format("%c/%e/%y %l%p"), "9/8/23 9PM");
        assert_eq!(format("%W %M %j"), "Friday September 251");
        assert_eq!(
            parse_mysql("2023-09-08 21:43", "%Y-%m-%d %H:%i"),
            Some(t("2023-09-08 21:43:00"))
        );
        assert_eq!(
            parse_mysql("08/09/2023", "%d/%m/%Y"),
            Some(t("2023-09-08 00:00:00"))
        );
        assert_eq!(parse_mysql("2023-13-01", "%Y-%m-%d"), None);
    }
}
