//! A date range as a condition on `year`/`month`/`day` partition keys that engines can prune
//! on: whole years as `year = '2023'`, whole months as `year = … AND month = …`, partial months
//! as a `day BETWEEN`, joined with `OR`. Never a function of the keys, which would not prune.

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// Parses `2023-09-01`.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().splitn(3, '-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u32 = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.parse().ok()?;
        let date = Self { year, month, day };
        ((1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && (1..=9999).contains(&year))
        .then_some(date)
    }
}

/// Days in a month of the Gregorian calendar.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Parses `2023-09-01` or `2023-09-01..2023-09-15` (either order) into a range.
pub fn parse_range(text: &str) -> Option<(Date, Date)> {
    let (from, to) = match text.split_once("..") {
        Some((a, b)) => (Date::parse(a)?, Date::parse(b)?),
        None => {
            let day = Date::parse(text)?;
            (day, day)
        }
    };
    Some((from.min(to), from.max(to)))
}

/// How the table's keys spell dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateKeys {
    pub year: String,
    pub month: String,
    pub day: Option<String>,
    /// Integer keys are compared with bare numbers, string keys with zero-padded strings.
    pub integer: bool,
    /// `alias.` when the query names the table with an alias.
    pub qualifier: Option<String>,
}

impl DateKeys {
    /// The keys named year, month and (optionally) day, if the table has them.
    pub fn find(keys: &[String], integer: bool, qualifier: Option<String>) -> Option<Self> {
        let named = |wanted: &str| {
            keys.iter()
                .find(|k| k.eq_ignore_ascii_case(wanted))
                .cloned()
        };
        Some(Self {
            year: named("year")?,
            month: named("month")?,
            day: named("day"),
            integer,
            qualifier,
        })
    }

    fn column(&self, key: &str) -> String {
        match &self.qualifier {
            Some(q) => format!("{q}.{key}"),
            None => key.to_owned(),
        }
    }

    fn value(&self, n: i64, width: usize) -> String {
        if self.integer {
            n.to_string()
        } else {
            format!("'{n:0width$}'")
        }
    }

    /// The condition selecting every day from `from` to `to`, inclusive.
    pub fn condition(&self, from: Date, to: Date) -> String {
        let mut branches = Vec::new();
        let mut year = from.year;
        while year <= to.year {
            let first_month = if year == from.year { from.month } else { 1 };
            let last_month = if year == to.year { to.month } else { 12 };
            let whole_year = first_month == 1
                && last_month == 12
                && (year != from.year || from.day == 1)
                && (year != to.year || to.day == 31);
            let year_eq = format!(
                "{} = {}",
                self.column(&self.year),
                self.value(year.into(), 4)
            );
            if whole_year {
                branches.push(year_eq);
                year += 1;
                continue;
            }
            for month in first_month..=last_month {
                let first_day = if (year, month) == (from.year, from.month) {
                    from.day
                } else {
                    1
                };
                let last_day = if (year, month) == (to.year, to.month) {
                    to.day
                } else {
                    days_in_month(year, month)
                };
                let month_eq = format!(
                    "{} = {}",
                    self.column(&self.month),
                    self.value(month.into(), 2)
                );
                let whole_month = first_day == 1 && last_day == days_in_month(year, month);
                let days = match &self.day {
                    Some(day) if !whole_month => Some(if first_day == last_day {
                        format!("{} = {}", self.column(day), self.value(first_day.into(), 2))
                    } else {
                        format!(
                            "{} BETWEEN {} AND {}",
                            self.column(day),
                            self.value(first_day.into(), 2),
                            self.value(last_day.into(), 2)
                        )
                    }),
                    _ => None,
                };
                let mut parts = vec![year_eq.clone(), month_eq];
                parts.extend(days);
                branches.push(parts.join(" AND "));
            }
            year += 1;
        }
        if branches.len() == 1 {
            branches.remove(0)
        } else {
            let wrapped: Vec<String> = branches.iter().map(|b| format!("({b})")).collect();
            format!("({})", wrapped.join(" OR "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> DateKeys {
        DateKeys::find(
            &["year".to_owned(), "month".to_owned(), "day".to_owned()],
            false,
            None,
        )
        .unwrap()
    }

    fn range(text: &str) -> String {
        let (from, to) = parse_range(text).unwrap();
        keys().condition(from, to)
    }

    #[test]
    fn one_day_is_three_equalities() {
        assert_eq!(
            range("2023-09-08"),
            "year = '2023' AND month = '09' AND day = '08'"
        );
    }

    #[test]
    fn ranges_split_by_month_and_use_whole_months_and_years() {
        assert_eq!(
            range("2023-09-25..2023-10-31"),
            "((year = '2023' AND month = '09' AND day BETWEEN '25' AND '30') OR (year = '2023' AND month = '10'))"
        );
        assert_eq!(
            range("2024-02-10..2022-01-01"),
            "((year = '2022') OR (year = '2023') OR (year = '2024' AND month = '01') OR (year = '2024' AND month = '02' AND day BETWEEN '01' AND '10'))"
        );
    }

    #[test]
    fn integer_keys_and_aliases() {
        let keys = DateKeys::find(
            &["year".to_owned(), "month".to_owned()],
            true,
            Some("l".to_owned()),
        )
        .unwrap();
        let (from, to) = parse_range("2024-02-01..2024-02-29").unwrap();
        assert_eq!(keys.condition(from, to), "l.year = 2024 AND l.month = 2");
    }

    #[test]
    fn bad_dates_do_not_parse() {
        assert!(parse_range("2023-02-29").is_none());
        assert!(parse_range("2024-02-29").is_some());
        assert!(parse_range("2023-13-01").is_none());
        assert!(parse_range("yesterday").is_none());
    }
}
