//! The partition browser pane: the table's details on top, then its partitions as a tree or
//! a flat list with counts, and the filter line at the bottom.

use ratatui_core::layout::{Constraint, Layout, Rect};
use ratatui_core::terminal::Frame;
use ratatui_core::text::{Line, Span};
use ratatui_widgets::paragraph::Paragraph;

use super::scroll_to_show;
use super::theme::Theme;
use crate::app::AppState;
use crate::app::partitions::{Loading, PartitionBrowser, PartitionRow, PartitionView, Totals};
use crate::text::{escape_control, human_bytes, thousands};

/// Draws the browser of `state.partitions`.
pub fn draw(frame: &mut Frame, inner: Rect, state: &AppState, theme: &Theme, focused: bool) {
    let Some(browser) = &state.partitions else {
        return;
    };
    let details = details(browser, theme);
    let footer_height = u16::from(browser.editing_filter || !browser.filter.is_empty());
    let [top, list, bottom] = Layout::vertical([
        Constraint::Length(details.len() as u16),
        Constraint::Min(1),
        Constraint::Length(footer_height),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(details), top);
    if browser.view == PartitionView::Calendar {
        super::calendar::draw(frame, list, browser, theme, focused);
    } else {
        draw_rows(frame, list, browser, theme, focused);
    }
    if footer_height > 0 {
        let cursor = if browser.editing_filter { "▏" } else { "" };
        let line = Line::from(vec![
            Span::styled("/", theme.keyword),
            Span::styled(
                format!("{}{cursor}", escape_control(&browser.filter)),
                theme.text,
            ),
            Span::styled(
                format!(
                    "   {} of {} partitions match",
                    thousands(browser.row_count() as u64),
                    thousands(browser.total().partitions)
                ),
                theme.muted,
            ),
        ]);
        frame.render_widget(Paragraph::new(line), bottom);
    }
}

/// Location, format, keys and totals: the table details view.
fn details<'a>(browser: &PartitionBrowser, theme: &Theme) -> Vec<Line<'a>> {
    let info = &browser.info;
    let label = |text: &'static str| Span::styled(text, theme.muted);
    let keys = if browser.keys.is_empty() {
        "none (the table is not partitioned)".to_owned()
    } else {
        browser.keys.join(" → ")
    };
    let total = browser.total();
    let sizing = if browser.size_requested == 0 {
        Span::raw("")
    } else {
        Span::styled(
            format!(
                " · sized {} of {} from S3",
                thousands(browser.sized() as u64),
                thousands(total.partitions)
            ),
            theme.muted,
        )
    };
    let progress = match &browser.loading {
        Loading::Partial => Span::styled(" (loading…)", theme.warning),
        Loading::Complete => Span::raw(""),
        Loading::Capped => Span::styled(
            format!(
                " (the first {} are listed)",
                thousands(crate::app::partitions::MAX_LISTED as u64)
            ),
            theme.warning,
        ),
        Loading::Failed(e) => Span::styled(format!(" ({})", escape_control(e)), theme.error),
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                escape_control(&browser.table.to_string()).into_owned(),
                theme.keyword,
            ),
            label("  "),
            Span::styled(escape_control(&info.format).into_owned(), theme.text),
            label("  "),
            Span::styled(escape_control(&info.location).into_owned(), theme.muted),
        ]),
        Line::from(vec![
            label("keys "),
            Span::styled(escape_control(&keys).into_owned(), theme.text),
            label(" · "),
            Span::styled(
                match browser.catalog_count {
                    Some(count) if count != total.partitions => {
                        format!("{} of {}", thousands(total.partitions), thousands(count))
                    }
                    _ => thousands(total.partitions),
                },
                theme.text,
            ),
            label(" partitions · "),
            Span::styled(thousands(total.files), theme.text),
            label(" files · "),
            Span::styled(
                format!(
                    "{} ({} bytes)",
                    human_bytes(total.bytes),
                    thousands(total.bytes)
                ),
                theme.text,
            ),
            sizing,
            progress,
        ]),
    ];
    let kept = |key: &str| info.properties.get(key).map_or("", String::as_str);
    if info.properties.contains_key("kept.sql") {
        // A kept result: where it came from and what it cost, so querying it is trusted.
        let one_line = kept("kept.sql")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        lines.push(Line::from(vec![
            label("kept "),
            Span::styled(
                escape_control(&format!(
                    "{} rows from {} · {} · kept {} · paid {} ({} billed)",
                    kept("kept.rows"),
                    kept("kept.engine"),
                    kept("kept.source"),
                    kept("kept.at")
                        .get(..16)
                        .unwrap_or_default()
                        .replace('T', " "),
                    crate::text::usd(kept("kept.cost_usd").parse().unwrap_or(0.0)),
                    human_bytes(kept("kept.billed_bytes").parse().unwrap_or(0))
                ))
                .into_owned(),
                theme.text,
            ),
        ]));
        lines.push(Line::from(vec![
            label("sql  "),
            Span::styled(escape_control(&one_line).into_owned(), theme.muted),
        ]));
        if !kept("kept.partitions").is_empty() {
            lines.push(Line::from(vec![
                label("read "),
                Span::styled(
                    escape_control(kept("kept.partitions")).into_owned(),
                    theme.muted,
                ),
            ]));
        }
    } else if !info.properties.is_empty() {
        let properties: Vec<String> = info
            .properties
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        lines.push(Line::from(vec![
            label("properties "),
            Span::styled(
                escape_control(&properties.join(", ")).into_owned(),
                theme.muted,
            ),
        ]));
    }
    if !info.problems.is_empty() {
        lines.push(Line::styled(
            format!(
                "⚠ {} problem(s): {}",
                info.problems.len(),
                escape_control(&info.problems[0])
            ),
            theme.warning,
        ));
    }
    lines
}

fn draw_rows(
    frame: &mut Frame,
    area: Rect,
    browser: &PartitionBrowser,
    theme: &Theme,
    focused: bool,
) {
    let height = area.height as usize;
    if height == 0 {
        return;
    }
    let count = browser.row_count();
    if count == 0 {
        let text = match (&browser.loading, browser.keys.is_empty()) {
            (_, true) => "no partitions: queries read every file of the table",
            (Loading::Partial, false) => "loading partitions…",
            _ if !browser.filter.is_empty() => "no partition matches the filter",
            _ => "no partitions with data files",
        };
        frame.render_widget(Paragraph::new(Line::styled(text, theme.muted)), area);
        return;
    }
    let cursor = browser.cursor.min(count - 1);
    let top = scroll_to_show(browser.view_top.get(), cursor, height);
    browser.view_top.set(top);
    let rows = browser.rows_in(top, height);
    let label_width = rows
        .iter()
        .map(|row| label(browser, row).chars().count())
        .max()
        .unwrap_or(0);
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .map(|(offset, row)| {
            let index = top + offset;
            let text = label(browser, row);
            let padding = label_width.saturating_sub(text.chars().count());
            let mut spans = vec![
                Span::styled(if row.selected { "● " } else { "  " }, theme.success),
                Span::styled(escape_control(&text).into_owned(), theme.text),
                Span::raw(" ".repeat(padding)),
            ];
            spans.extend(counts(
                row.totals,
                row.path.len() < browser.keys.len(),
                theme,
            ));
            let mut line = Line::from(spans);
            if index == cursor && focused {
                line = line.patch_style(theme.selection);
            }
            line
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// `▸ month=09` in the tree (indented by depth), `year=2024/month=09/day=01` in the list.
fn label(browser: &PartitionBrowser, row: &PartitionRow) -> String {
    match browser.view {
        PartitionView::Tree => {
            let depth = row.path.len().saturating_sub(1);
            let marker = match row.expanded {
                Some(true) => "▾ ",
                Some(false) => "▸ ",
                None => "  ",
            };
            let key = browser.keys.get(depth).map_or("?", String::as_str);
            let value = row.path.last().map_or("", String::as_str);
            format!("{}{marker}{key}={value}", "  ".repeat(depth))
        }
        PartitionView::Flat | PartitionView::Calendar => {
            crate::app::partitions::partition_path(&browser.keys, &row.path)
        }
    }
}

/// Partitions (inner nodes only), files and bytes, in fixed-width columns.
fn counts<'a>(totals: Totals, inner_node: bool, theme: &Theme) -> Vec<Span<'a>> {
    let partitions = if inner_node {
        format!(
            "{:>7} {}",
            thousands(totals.partitions),
            plural(totals.partitions, "part", "parts")
        )
    } else {
        String::new()
    };
    vec![Span::styled(
        format!(
            "  {partitions:>13}  {:>6} {:<5}  {:>10}",
            thousands(totals.files),
            plural(totals.files, "file", "files"),
            human_bytes(totals.bytes)
        ),
        theme.muted,
    )]
}

fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}
