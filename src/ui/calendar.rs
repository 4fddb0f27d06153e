//! The partition calendar: a heat map of bytes per day, weeks across and weekdays down with
//! the months named above, so a missing day (the partition Lambda missed an S3 event) or a day
//! far from the others shows at a glance. The cursor and the selection are the browser's.

use chrono::{Datelike, Duration, NaiveDate};
use ratatui_core::layout::Rect;
use ratatui_core::style::{Modifier, Style};
use ratatui_core::terminal::Frame;
use ratatui_core::text::{Line, Span};
use ratatui_widgets::paragraph::Paragraph;

use super::theme::Theme;
use crate::app::partitions::calendar::{CalendarMetric, RowCounts};
use crate::app::partitions::{CalendarDay, PartitionBrowser};
use crate::text::{human_bytes, thousands};

/// Intensity marks: a day's bytes in quarters of the largest day's.
const SHADES: [&str; 4] = ["░", "▒", "▓", "█"];
const WEEKDAYS: [&str; 7] = ["Mon", "", "Wed", "", "Fri", "", "Sun"];

/// Whether a day's bytes are far from the typical day's: over 3× the median or under a third.
fn outlier(bytes: u64, median: u64) -> bool {
    median > 0 && (bytes > median.saturating_mul(3) || bytes.saturating_mul(3) < median)
}

/// Draws the calendar of `browser` into `area`.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    browser: &PartitionBrowser,
    theme: &Theme,
    focused: bool,
) {
    let days = browser.calendar_days();
    // Rows shade only once counted; until then the days shade by bytes and the summary says why.
    let rows_ready = matches!(browser.row_counts, RowCounts::Counted(_));
    let files = match browser.calendar_metric {
        CalendarMetric::Rows if !rows_ready => CalendarMetric::Bytes,
        metric => metric,
    };
    let rows = browser.rows();
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        let text = "no year/month/day partitions to draw";
        frame.render_widget(Paragraph::new(Line::styled(text, theme.muted)), area);
        return;
    };
    let mut sizes: Vec<u64> = days
        .iter()
        .filter_map(|d| d.totals.map(|t| measure(d, &t, files)))
        .collect();
    sizes.sort_unstable();
    let median = sizes
        .get(sizes.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or(0);
    let largest = sizes.last().copied().unwrap_or(0).max(1);
    // Weeks start on Monday; the view scrolls by weeks to keep the cursor's week in sight.
    let week_start =
        first.date - Duration::days(i64::from(first.date.weekday().num_days_from_monday()));
    let weeks = ((last.date - week_start).num_days() / 7 + 1) as usize;
    let cursor = browser.cursor.min(days.len() - 1);
    let cursor_week = ((days[cursor].date - week_start).num_days() / 7) as usize;
    let visible = (usize::from(area.width).saturating_sub(5) / 2).max(1);
    let left = cursor_week
        .saturating_sub(visible.saturating_sub(1))
        .min(weeks.saturating_sub(visible));
    let week_of = |week: usize| week_start + Duration::days(7 * week as i64);

    let mut lines = Vec::new();
    // Month names above the week a month starts in.
    let mut months = String::from("     ");
    for week in left..(left + visible).min(weeks) {
        let start = week_of(week);
        let label = (0..7)
            .map(|d| start + Duration::days(d))
            .find(|d| d.day() == 1)
            .map(|d| d.format("%b").to_string());
        match label {
            Some(name) if months.chars().count() <= 5 + 2 * (week - left) => {
                let pad = 5 + 2 * (week - left) - months.chars().count();
                months.push_str(&" ".repeat(pad));
                months.push_str(&name);
            }
            _ => {}
        }
    }
    lines.push(Line::styled(months, theme.muted));
    for (weekday, name) in WEEKDAYS.iter().enumerate() {
        let mut spans = vec![Span::styled(format!("{name:<4} "), theme.muted)];
        for week in left..(left + visible).min(weeks) {
            let date = week_of(week) + Duration::days(weekday as i64);
            let index = (date - first.date).num_days();
            let Some(day) = usize::try_from(index).ok().and_then(|i| days.get(i)) else {
                spans.push(Span::raw("  "));
                continue;
            };
            let i = index as usize;
            let (mark, mut style) = match day.totals {
                None => ("·", theme.error.add_modifier(Modifier::BOLD)),
                Some(t) => {
                    let value = measure(day, &t, files);
                    let quarters = (value as f64 / largest as f64 * 4.0).ceil() as usize;
                    let shade = quarters.clamp(1, 4) - 1;
                    let style = if outlier(value, median) {
                        theme.warning
                    } else {
                        theme.keyword
                    };
                    (SHADES[shade], style)
                }
            };
            if rows.get(i).is_some_and(|r| r.selected) {
                style = style.patch(theme.selection);
            }
            if i == cursor && focused {
                style = style.add_modifier(Modifier::REVERSED);
            }
            spans.push(Span::styled(mark, style));
            spans.push(Span::raw(" "));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::default());
    lines.push(summary(&days, median, files, theme));
    match (&browser.calendar_metric, &browser.row_counts) {
        (CalendarMetric::Rows, RowCounts::Counting(_)) => lines.push(Line::styled(
            "counting rows: reading every file's footer (shaded by bytes meanwhile)…",
            theme.muted,
        )),
        (CalendarMetric::Rows, RowCounts::Failed(why)) => lines.push(Line::styled(
            format!(
                "rows could not be counted: {}",
                crate::text::escape_control(why)
            ),
            theme.error,
        )),
        _ => {}
    }
    lines.push(cursor_line(&days[cursor], median, files, theme));
    lines.push(Line::styled(
        "←→ day · ↑↓ week · Space mark · v range · Enter adds the days to the WHERE · t view",
        theme.muted,
    ));
    frame.render_widget(Paragraph::new(lines), area);
}

/// `365 days · 2 missing · 3 outliers · ░▒▓█ bytes per day`.
fn summary<'a>(
    days: &[CalendarDay],
    median: u64,
    files: CalendarMetric,
    theme: &Theme,
) -> Line<'a> {
    let missing = days.iter().filter(|d| d.totals.is_none()).count();
    let outliers = days
        .iter()
        .filter(|d| {
            d.totals
                .is_some_and(|t| outlier(measure(d, &t, files), median))
        })
        .count();
    Line::from(vec![
        Span::styled(
            format!("{} days · ", thousands(days.len() as u64)),
            theme.text,
        ),
        Span::styled(
            format!("{missing} missing"),
            if missing > 0 { theme.error } else { theme.text },
        ),
        Span::styled(" · ", theme.text),
        Span::styled(
            format!("{outliers} outlier{}", if outliers == 1 { "" } else { "s" }),
            if outliers > 0 {
                theme.warning
            } else {
                theme.text
            },
        ),
        Span::styled(
            format!(
                " (over 3× or under ⅓ of the median day, {})",
                amount(median, files)
            ),
            theme.muted,
        ),
        Span::styled(
            format!(
                "   ░▒▓█ {} per day, quarters of the largest (m switches) · ",
                match files {
                    CalendarMetric::Bytes => "bytes",
                    CalendarMetric::Files => "files",
                    CalendarMetric::Rows => "rows",
                }
            ),
            theme.muted,
        ),
        Span::styled("·", theme.error),
        Span::styled(" no partition", theme.muted),
    ])
}

/// The cursor's day: its partition's files and bytes, or why nothing is there.
fn cursor_line<'a>(
    day: &CalendarDay,
    median: u64,
    files: CalendarMetric,
    theme: &Theme,
) -> Line<'a> {
    let date = format_day(day.date);
    match day.totals {
        None => Line::styled(
            format!(
                "{date}: no partition — Athena returns nothing for this day; if its objects are \
                 in S3, register it (ALTER TABLE … ADD PARTITION, or MSCK REPAIR TABLE)"
            ),
            theme.error,
        ),
        Some(t) => {
            let mut text = format!(
                "{date}: {} file{} · {}",
                thousands(t.files),
                if t.files == 1 { "" } else { "s" },
                human_bytes(t.bytes)
            );
            if let Some(rows) = day.rows {
                text = format!("{text} · {} rows", thousands(rows));
            }
            if outlier(measure(day, &t, files), median) {
                text = format!(
                    "{text} · far from the median day ({})",
                    amount(median, files)
                );
            }
            Line::styled(text, Style::default().patch(theme.text))
        }
    }
}

fn format_day(date: NaiveDate) -> String {
    date.format("%Y-%m-%d %a").to_string()
}

/// What the calendar shades a day by: its bytes, files or rows.
fn measure(day: &CalendarDay, totals: &crate::app::partitions::Totals, by: CalendarMetric) -> u64 {
    match by {
        CalendarMetric::Bytes => totals.bytes,
        CalendarMetric::Files => totals.files,
        CalendarMetric::Rows => day.rows.unwrap_or(0),
    }
}

/// `1.2 MB`, `3 files` or `20,000 rows`.
fn amount(value: u64, by: CalendarMetric) -> String {
    let counted = |word: &str| {
        format!(
            "{} {word}{}",
            thousands(value),
            if value == 1 { "" } else { "s" }
        )
    };
    match by {
        CalendarMetric::Bytes => human_bytes(value),
        CalendarMetric::Files => counted("file"),
        CalendarMetric::Rows => counted("row"),
    }
}
