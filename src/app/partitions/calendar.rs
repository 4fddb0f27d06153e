//! The partition browser's calendar: every day from the first `year/month/day` partition to the
//! last, the days without a partition included (a day the partition Lambda missed is a gap
//! here, where the tree just skips it). Its rows are days in order, so the browser's marks and
//! range work on them unchanged and a selection becomes the same partition condition.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use super::{PartitionBrowser, PartitionRow, Totals};
use crate::app::action::Effect;
use crate::app::state::AppState;

/// What the calendar shades a day by (`m` cycles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CalendarMetric {
    #[default]
    Bytes,
    Files,
    /// From the footers, counted the first time this is chosen.
    Rows,
}

/// Rows per partition, read from every footer the first time the calendar shades by rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum RowCounts {
    #[default]
    NotAsked,
    /// Request `0` is reading the footers.
    Counting(u64),
    Counted(HashMap<Vec<String>, u64>),
    Failed(String),
}

/// `m` in the calendar: bytes → files → rows → bytes. Rows are counted off the UI thread the
/// first time (every footer of the table is read).
pub fn cycle_metric(state: &mut AppState) -> Vec<Effect> {
    let request = state.next_ticket;
    let Some(browser) = state.partitions.as_mut() else {
        return Vec::new();
    };
    browser.calendar_metric = match browser.calendar_metric {
        CalendarMetric::Bytes => CalendarMetric::Files,
        CalendarMetric::Files => CalendarMetric::Rows,
        CalendarMetric::Rows => CalendarMetric::Bytes,
    };
    let ask = browser.calendar_metric == CalendarMetric::Rows
        && matches!(
            browser.row_counts,
            RowCounts::NotAsked | RowCounts::Failed(_)
        );
    if !ask {
        return Vec::new();
    }
    browser.row_counts = RowCounts::Counting(request);
    let table = browser.table.clone();
    state.next_ticket += 1;
    vec![Effect::CountPartitionRows { request, table }]
}

/// The row counts arrived (dropped when the browser moved on to another request or table).
pub fn rows_counted(
    state: &mut AppState,
    request: u64,
    result: Result<Vec<(Vec<String>, u64)>, String>,
) -> Vec<Effect> {
    if let Some(browser) = state.partitions.as_mut()
        && browser.row_counts == RowCounts::Counting(request)
    {
        browser.row_counts = match result {
            Ok(rows) => RowCounts::Counted(rows.into_iter().collect()),
            Err(e) => RowCounts::Failed(e),
        };
    }
    Vec::new()
}

/// One day of the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDay {
    pub date: NaiveDate,
    /// The partition's values for the day, spelled as the table spells them.
    pub path: Vec<String>,
    /// Its files and bytes; `None` when no partition holds the day.
    pub totals: Option<Totals>,
    /// Its rows, once counted.
    pub rows: Option<u64>,
}

/// Days shown at most (ten years), so a malformed key cannot make the view endless.
const MAX_DAYS: i64 = 3_660;

impl PartitionBrowser {
    /// Whether the table's first three keys are year, month and day.
    pub fn has_calendar(&self) -> bool {
        let names: Vec<String> = self.keys.iter().take(3).map(|k| k.to_lowercase()).collect();
        names == ["year", "month", "day"]
    }

    /// Every day from the first partition's to the last one's.
    pub fn calendar_days(&self) -> Vec<CalendarDay> {
        if !self.has_calendar() {
            return Vec::new();
        }
        let dated: Vec<(NaiveDate, &Totals)> = self
            .leaves
            .iter()
            .filter_map(|(values, totals)| Some((date_of(values)?, totals)))
            .collect();
        let (Some(first), Some(last)) = (
            dated.iter().map(|d| d.0).min(),
            dated.iter().map(|d| d.0).max(),
        ) else {
            return Vec::new();
        };
        // Spell new days as the partitions do: zero-padded months and days, or not.
        let padded = self
            .leaves
            .first()
            .is_some_and(|(values, _)| values.get(1).is_some_and(|m| m.len() == 2));
        let mut rows = HashMap::<NaiveDate, u64>::new();
        if let RowCounts::Counted(counts) = &self.row_counts {
            for (values, n) in counts {
                if let Some(date) = date_of(values) {
                    *rows.entry(date).or_default() += n;
                }
            }
        }
        let mut by_day = HashMap::<NaiveDate, Totals>::new();
        for (date, totals) in dated {
            let day = by_day.entry(date).or_default();
            day.partitions += totals.partitions;
            day.files += totals.files;
            day.bytes += totals.bytes;
        }
        let days = (last - first).num_days().min(MAX_DAYS);
        (0..=days)
            .filter_map(|offset| first.checked_add_days(chrono::Days::new(offset as u64)))
            .map(|date| CalendarDay {
                path: spell(date, padded),
                totals: by_day.get(&date).copied(),
                rows: rows.get(&date).copied(),
                date,
            })
            .collect()
    }

    /// → and ← in the calendar: the next or previous day.
    pub(super) fn step_day(&mut self, delta: isize) {
        let count = self.row_count();
        self.cursor = self
            .cursor
            .saturating_add_signed(delta)
            .min(count.saturating_sub(1));
    }

    /// The calendar's days as browser rows (a missing day counts nothing).
    pub(super) fn calendar_rows(&self) -> Vec<PartitionRow> {
        self.calendar_days()
            .into_iter()
            .map(|day| PartitionRow {
                path: day.path,
                totals: day.totals.unwrap_or_default(),
                expanded: None,
                selected: false,
            })
            .collect()
    }
}

fn date_of(values: &[String]) -> Option<NaiveDate> {
    let number = |i: usize| values.get(i)?.trim().parse::<u32>().ok();
    NaiveDate::from_ymd_opt(i32::try_from(number(0)?).ok()?, number(1)?, number(2)?)
}

fn spell(date: NaiveDate, padded: bool) -> Vec<String> {
    if padded {
        vec![
            format!("{:04}", date.year()),
            format!("{:02}", date.month()),
            format!("{:02}", date.day()),
        ]
    } else {
        vec![
            date.year().to_string(),
            date.month().to_string(),
            date.day().to_string(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::browser;
    use super::super::{Loading, PartitionView};

    #[test]
    fn a_day_without_a_partition_is_a_gap_that_can_still_be_selected() {
        // 2024-02-28 and 2024-03-01 hold data; the leap day between them has no partition.
        let mut b = browser(&[("2024", "02", "28"), ("2024", "03", "01")], true);
        assert_eq!(b.loading, Loading::Complete);
        let days = b.calendar_days();
        let shown: Vec<(String, bool)> = days
            .iter()
            .map(|d| (d.path.join("-"), d.totals.is_some()))
            .collect();
        assert_eq!(
            shown,
            [
                ("2024-02-28".to_owned(), true),
                ("2024-02-29".to_owned(), false),
                ("2024-03-01".to_owned(), true)
            ]
        );
        // t reaches the calendar after the flat list; a range from the gap to the next day.
        b.toggle_view();
        b.toggle_view();
        assert_eq!(b.view, PartitionView::Calendar);
        b.move_by(-7); // a page up: back to the first day
        b.expand(); // → the next day
        b.toggle_range();
        b.expand();
        assert_eq!(b.cursor, 2);
        // The gap stays a day of its own; March, whose only day is chosen, becomes the month.
        assert_eq!(
            b.condition().as_deref(),
            Some(
                "(year = '2024' AND month = '02' AND day = '29' OR year = '2024' AND month = '03')"
            )
        );
    }

    #[test]
    fn up_and_down_move_a_week() {
        let days: Vec<(String, String, String)> = (1..=20)
            .map(|d| ("2024".to_owned(), "01".to_owned(), format!("{d:02}")))
            .collect();
        let refs: Vec<(&str, &str, &str)> = days
            .iter()
            .map(|(y, m, d)| (y.as_str(), m.as_str(), d.as_str()))
            .collect();
        let mut b = browser(&refs, true);
        b.view = PartitionView::Calendar;
        b.move_by(1);
        assert_eq!(b.cursor, 7);
        b.move_by(20); // a page: four weeks, stopped at the last day
        assert_eq!(b.cursor, 19);
        assert!(!b.has_calendar() || b.calendar_days().len() == 20);
    }
}
