//! Athena partition projection: partitions computed from `projection.*` table properties
//! instead of read from the catalog.
//!
//! Each key's values are listed once (an enum list, an integer range, a date range); the
//! partitions are their cartesian product, walked by index so a table with millions of
//! projected partitions is paged without holding them.

use std::collections::BTreeMap;

use chrono::{Duration, Months, NaiveDate, NaiveDateTime};

/// The projected values of every partition key, in key order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection {
    keys: Vec<String>,
    values: Vec<Vec<String>>,
    /// `storage.location.template`, where `${key}` stands for each key's value, when set.
    template: Option<String>,
}

/// Why a projection cannot be enumerated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProjectionError {
    #[error(
        "partition key {0} is projected as `injected`: its values come from each query's WHERE \
         clause, so the partitions cannot be listed"
    )]
    Injected(String),
    #[error("projection property {property} is {problem}")]
    Bad { property: String, problem: String },
}

impl Projection {
    /// Reads the projection of a table from its properties; `Ok(None)` when projection is off.
    /// `now` resolves `NOW±N` date ranges.
    pub fn from_properties(
        properties: &BTreeMap<String, String>,
        keys: &[String],
        now: NaiveDateTime,
    ) -> Result<Option<Self>, ProjectionError> {
        let enabled = properties
            .get("projection.enabled")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
        if !enabled {
            return Ok(None);
        }
        let mut values = Vec::with_capacity(keys.len());
        for key in keys {
            let get = |name: &str| properties.get(&format!("projection.{key}.{name}"));
            let kind = get("type").map(|t| t.trim().to_ascii_lowercase());
            let key_values = match kind.as_deref() {
                Some("enum") => enum_values(key, get("values"))?,
                Some("integer") => {
                    integer_values(key, get("range"), get("interval"), get("digits"))?
                }
                Some("date") => date_values(
                    key,
                    get("range"),
                    get("format"),
                    get("interval"),
                    get("interval.unit"),
                    now,
                )?,
                Some("injected") => return Err(ProjectionError::Injected(key.clone())),
                other => {
                    return Err(bad(
                        &format!("projection.{key}.type"),
                        &format!(
                            "{}; expected enum, integer, date or injected",
                            other.map_or_else(|| "missing".to_owned(), |t| format!("`{t}`"))
                        ),
                    ));
                }
            };
            values.push(key_values);
        }
        Ok(Some(Self {
            keys: keys.to_vec(),
            values,
            template: properties.get("storage.location.template").cloned(),
        }))
    }

    /// Number of projected partitions.
    pub fn count(&self) -> u64 {
        self.values
            .iter()
            .map(|v| v.len() as u64)
            .fold(1_u64, u64::saturating_mul)
    }

    /// Keeps only partitions whose first keys equal `prefix`.
    #[must_use]
    pub fn restricted_to(&self, prefix: &[String]) -> Self {
        let mut restricted = self.clone();
        for (values, wanted) in restricted.values.iter_mut().zip(prefix) {
            values.retain(|v| v == wanted);
        }
        restricted
    }

    /// The values of the partition at `index`, in key order; the last key varies fastest.
    pub fn partition_at(&self, mut index: u64) -> Vec<String> {
        let mut out = vec![String::new(); self.values.len()];
        for (slot, values) in out.iter_mut().zip(&self.values).rev() {
            let len = values.len() as u64;
            slot.clone_from(&values[(index % len) as usize]);
            index /= len;
        }
        out
    }

    /// Where a partition's files are: the template with its values filled in, or Hive-style
    /// `key=value/` folders under the table location.
    pub fn location(&self, table_location: &str, values: &[String]) -> String {
        match &self.template {
            Some(template) => self
                .keys
                .iter()
                .zip(values)
                .fold(template.clone(), |text, (key, value)| {
                    text.replace(&format!("${{{key}}}"), value)
                }),
            None => {
                let mut location = table_location.trim_end_matches('/').to_owned();
                for (key, value) in self.keys.iter().zip(values) {
                    location.push('/');
                    location.push_str(key);
                    location.push('=');
                    location.push_str(value);
                }
                location.push('/');
                location
            }
        }
    }
}

fn bad(property: &str, problem: &str) -> ProjectionError {
    ProjectionError::Bad {
        property: property.to_owned(),
        problem: problem.to_owned(),
    }
}

fn enum_values(key: &str, values: Option<&String>) -> Result<Vec<String>, ProjectionError> {
    let list: Vec<String> = values
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect())
        .unwrap_or_default();
    if list.is_empty() || list.iter().any(String::is_empty) {
        return Err(bad(
            &format!("projection.{key}.values"),
            "missing or has an empty value",
        ));
    }
    Ok(list)
}

fn integer_values(
    key: &str,
    range: Option<&String>,
    interval: Option<&String>,
    digits: Option<&String>,
) -> Result<Vec<String>, ProjectionError> {
    let property = format!("projection.{key}.range");
    let (low, high) = range
        .and_then(|r| r.split_once(','))
        .and_then(|(a, b)| Some((a.trim().parse::<i64>().ok()?, b.trim().parse::<i64>().ok()?)))
        .ok_or_else(|| bad(&property, "not two integers like `1,31`"))?;
    let step = parse_positive(key, "interval", interval)?;
    let width = match digits {
        Some(d) => d
            .trim()
            .parse::<usize>()
            .map_err(|_| bad(&format!("projection.{key}.digits"), "not a whole number"))?,
        None => 0,
    };
    if high < low {
        return Err(bad(&property, "a range whose end is before its start"));
    }
    let mut out = Vec::new();
    let mut value = low;
    while value <= high {
        out.push(if value < 0 {
            format!("-{:0width$}", value.unsigned_abs())
        } else {
            format!("{value:0width$}")
        });
        value += step;
    }
    Ok(out)
}

fn parse_positive(key: &str, name: &str, text: Option<&String>) -> Result<i64, ProjectionError> {
    match text {
        None => Ok(1),
        Some(t) => t
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                bad(
                    &format!("projection.{key}.{name}"),
                    "not a positive whole number",
                )
            }),
    }
}

/// Units a date projection steps by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Years,
    Months,
    Weeks,
    Days,
    Hours,
    Minutes,
    Seconds,
}

fn parse_unit(text: &str) -> Option<Unit> {
    let upper = text.trim().to_ascii_uppercase();
    Some(match upper.trim_end_matches('S') {
        "YEAR" => Unit::Years,
        "MONTH" => Unit::Months,
        "WEEK" => Unit::Weeks,
        "DAY" => Unit::Days,
        "HOUR" => Unit::Hours,
        "MINUTE" => Unit::Minutes,
        "SECOND" => Unit::Seconds,
        _ => return None,
    })
}

fn step(at: NaiveDateTime, unit: Unit, amount: i64) -> Option<NaiveDateTime> {
    let months = |n: i64| -> Option<NaiveDateTime> {
        let m = Months::new(u32::try_from(n.unsigned_abs()).ok()?);
        if n >= 0 {
            at.checked_add_months(m)
        } else {
            at.checked_sub_months(m)
        }
    };
    match unit {
        Unit::Years => months(amount.checked_mul(12)?),
        Unit::Months => months(amount),
        Unit::Weeks => at.checked_add_signed(Duration::try_weeks(amount)?),
        Unit::Days => at.checked_add_signed(Duration::try_days(amount)?),
        Unit::Hours => at.checked_add_signed(Duration::try_hours(amount)?),
        Unit::Minutes => at.checked_add_signed(Duration::try_minutes(amount)?),
        Unit::Seconds => at.checked_add_signed(Duration::try_seconds(amount)?),
    }
}

/// The chrono format of a Java `DateTimeFormatter` pattern, for the letters projections use.
fn chrono_format(pattern: &str) -> Result<String, String> {
    let mut out = String::new();
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            let end = chars[i + 1..]
                .iter()
                .position(|&q| q == '\'')
                .ok_or("has an unclosed quote")?;
            out.extend(&chars[i + 1..i + 1 + end]);
            i += end + 2;
            continue;
        }
        let run = chars[i..].iter().take_while(|&&d| d == c).count();
        let spec = match (c, run) {
            ('y' | 'u', 4) => "%Y",
            ('y' | 'u', 2) => "%y",
            ('M', 2) => "%m",
            ('M', 1) => "%-m",
            ('d', 2) => "%d",
            ('d', 1) => "%-d",
            ('H', 2) => "%H",
            ('H', 1) => "%-H",
            ('m', 2) => "%M",
            ('s', 2) => "%S",
            _ if c.is_ascii_alphabetic() => {
                return Err(format!(
                    "uses `{}`, which quarry cannot expand",
                    c.to_string().repeat(run)
                ));
            }
            _ => {
                out.extend(&chars[i..i + run]);
                i += run;
                continue;
            }
        };
        out.push_str(spec);
        i += run;
    }
    Ok(out)
}

/// The finest unit a pattern shows, the default step of a date projection.
fn finest_unit(pattern: &str) -> Unit {
    if pattern.contains('s') {
        Unit::Seconds
    } else if pattern.contains('m') {
        Unit::Minutes
    } else if pattern.contains('H') {
        Unit::Hours
    } else if pattern.contains('d') {
        Unit::Days
    } else if pattern.contains('M') {
        Unit::Months
    } else {
        Unit::Years
    }
}

/// Parses one end of a date range: a date in the projection's format, or `NOW`, `NOW-3YEARS`,
/// `NOW+1DAY`.
fn range_end(text: &str, format: &str, now: NaiveDateTime) -> Option<NaiveDateTime> {
    let text = text.trim();
    if let Some(offset) = text.strip_prefix("NOW") {
        if offset.is_empty() {
            return Some(now);
        }
        let (sign, rest) = match offset.as_bytes().first()? {
            b'+' => (1, &offset[1..]),
            b'-' => (-1, &offset[1..]),
            _ => return None,
        };
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        let amount: i64 = rest[..digits].parse().ok()?;
        let unit = parse_unit(&rest[digits..])?;
        return step(now, unit, sign * amount);
    }
    // chrono needs a day and a month to make a date and a minute to make a time; formats
    // without them (`yyyy-MM`, `yyyy`, `yyyy-MM-dd-HH`) get them filled in.
    let (mut text, mut format) = (text.to_owned(), format.to_owned());
    let has = |format: &str, spec: &str| {
        format.contains(spec) || format.contains(&spec.replace('%', "%-"))
    };
    for (spec, fill) in [("%d", "|01"), ("%m", "|01")] {
        if !has(&format, spec) {
            text.push_str(fill);
            format.push('|');
            format.push_str(spec);
        }
    }
    if has(&format, "%H") {
        if !has(&format, "%M") {
            text.push_str("|00");
            format.push_str("|%M");
        }
        return NaiveDateTime::parse_from_str(&text, &format).ok();
    }
    NaiveDate::parse_from_str(&text, &format)
        .ok()?
        .and_hms_opt(0, 0, 0)
}

/// Most values a single date key may project; beyond it the range is surely a mistake.
const MAX_DATE_VALUES: usize = 10_000_000;

fn date_values(
    key: &str,
    range: Option<&String>,
    format: Option<&String>,
    interval: Option<&String>,
    unit: Option<&String>,
    now: NaiveDateTime,
) -> Result<Vec<String>, ProjectionError> {
    let format_property = format!("projection.{key}.format");
    let pattern = format.ok_or_else(|| bad(&format_property, "missing"))?;
    let chrono_pattern = chrono_format(pattern).map_err(|p| bad(&format_property, &p))?;
    let range_property = format!("projection.{key}.range");
    let (start, end) = range
        .and_then(|r| r.split_once(','))
        .and_then(|(a, b)| {
            Some((
                range_end(a, &chrono_pattern, now)?,
                range_end(b, &chrono_pattern, now)?,
            ))
        })
        .ok_or_else(|| {
            bad(
                &range_property,
                "not two dates in the projection's format, or NOW±N<unit>",
            )
        })?;
    let amount = parse_positive(key, "interval", interval)?;
    let unit = match unit {
        Some(u) => parse_unit(u).ok_or_else(|| {
            bad(
                &format!("projection.{key}.interval.unit"),
                "not a time unit",
            )
        })?,
        None => finest_unit(pattern),
    };
    let mut out = Vec::new();
    let mut at = start;
    while at <= end {
        out.push(at.format(&chrono_pattern).to_string());
        if out.len() > MAX_DATE_VALUES {
            return Err(bad(
                &range_property,
                "a range of more than ten million steps",
            ));
        }
        at = step(at, unit, amount).ok_or_else(|| bad(&range_property, "out of range"))?;
    }
    // A format coarser than the step (yyyy with a DAYS step) repeats values; keep each once.
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn keys(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2023, 9, 8)
            .unwrap()
            .and_hms_opt(21, 43, 37)
            .unwrap()
    }

    #[test]
    fn off_unless_enabled() {
        let p = props(&[("projection.year.type", "integer")]);
        assert_eq!(
            Projection::from_properties(&p, &keys(&["year"]), now()),
            Ok(None)
        );
    }

    #[test]
    fn integer_ranges_pad_digits_and_multiply_with_enums() {
        let p = props(&[
            ("projection.enabled", "true"),
            ("projection.year.type", "integer"),
            ("projection.year.range", "2022,2023"),
            ("projection.month.type", "integer"),
            ("projection.month.range", "1,12"),
            ("projection.month.digits", "2"),
            ("projection.source.type", "enum"),
            ("projection.source.values", "app, db"),
        ]);
        let projection =
            Projection::from_properties(&p, &keys(&["year", "month", "source"]), now())
                .unwrap()
                .unwrap();
        assert_eq!(projection.count(), 2 * 12 * 2);
        assert_eq!(projection.partition_at(0), ["2022", "01", "app"]);
        assert_eq!(projection.partition_at(1), ["2022", "01", "db"]);
        assert_eq!(projection.partition_at(47), ["2023", "12", "db"]);
        let only_2023 = projection.restricted_to(&keys(&["2023"]));
        assert_eq!(only_2023.count(), 24);
        assert_eq!(only_2023.partition_at(0), ["2023", "01", "app"]);
        assert_eq!(
            projection.location("s3://lake/logs", &keys(&["2023", "09", "app"])),
            "s3://lake/logs/year=2023/month=09/source=app/"
        );
    }

    #[test]
    fn date_ranges_relative_to_now_follow_the_format_and_unit() {
        let p = props(&[
            ("projection.enabled", "true"),
            ("projection.dt.type", "date"),
            ("projection.dt.range", "NOW-2DAYS,NOW"),
            ("projection.dt.format", "yyyy/MM/dd"),
            ("storage.location.template", "s3://lake/logs/${dt}/"),
        ]);
        let projection = Projection::from_properties(&p, &keys(&["dt"]), now())
            .unwrap()
            .unwrap();
        assert_eq!(projection.count(), 3);
        assert_eq!(projection.partition_at(0), ["2023/09/06"]);
        assert_eq!(projection.partition_at(2), ["2023/09/08"]);
        assert_eq!(
            projection.location("s3://ignored", &keys(&["2023/09/08"])),
            "s3://lake/logs/2023/09/08/"
        );
    }

    #[test]
    fn absolute_date_ranges_with_hours_and_intervals() {
        let p = props(&[
            ("projection.enabled", "true"),
            ("projection.h.type", "date"),
            ("projection.h.range", "2023-09-08-00,2023-09-08-23"),
            ("projection.h.format", "yyyy-MM-dd-HH"),
            ("projection.h.interval", "6"),
            ("projection.h.interval.unit", "HOURS"),
        ]);
        let projection = Projection::from_properties(&p, &keys(&["h"]), now())
            .unwrap()
            .unwrap();
        let all: Vec<_> = (0..projection.count())
            .map(|i| projection.partition_at(i).remove(0))
            .collect();
        assert_eq!(
            all,
            [
                "2023-09-08-00",
                "2023-09-08-06",
                "2023-09-08-12",
                "2023-09-08-18"
            ]
        );
    }

    #[test]
    fn monthly_ranges_step_by_calendar_months() {
        let p = props(&[
            ("projection.enabled", "true"),
            ("projection.m.type", "date"),
            ("projection.m.range", "NOW-1YEARS,NOW"),
            ("projection.m.format", "yyyy-MM"),
        ]);
        let projection = Projection::from_properties(&p, &keys(&["m"]), now())
            .unwrap()
            .unwrap();
        assert_eq!(projection.count(), 13);
        assert_eq!(projection.partition_at(0), ["2022-09"]);
        assert_eq!(projection.partition_at(12), ["2023-09"]);
    }

    #[test]
    fn injected_and_broken_projections_say_why() {
        let injected = props(&[
            ("projection.enabled", "true"),
            ("projection.device.type", "injected"),
        ]);
        assert!(matches!(
            Projection::from_properties(&injected, &keys(&["device"]), now()),
            Err(ProjectionError::Injected(k)) if k == "device"
        ));
        let broken = props(&[
            ("projection.enabled", "true"),
            ("projection.year.type", "integer"),
            ("projection.year.range", "2023"),
        ]);
        let error = Projection::from_properties(&broken, &keys(&["year"]), now()).unwrap_err();
        assert!(
            error.to_string().contains("projection.year.range"),
            "{error}"
        );
        let missing_type = props(&[("projection.enabled", "true")]);
        let error =
            Projection::from_properties(&missing_type, &keys(&["year"]), now()).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("projection.year.type is missing"),
            "{error}"
        );
    }
}
