//! The results grid: sticky header, only visible cells formatted, NULL distinct, numbers
//! right-aligned; or the error of the last run.

use ratatui_core::layout::Rect;
use ratatui_core::style::Modifier;
use ratatui_core::terminal::Frame;
use ratatui_core::text::{Line, Span};
use ratatui_widgets::paragraph::{Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::scroll_to_show;
use super::theme::Theme;
use crate::app::results::{CellText, ResultGrid};
use crate::app::{AppState, QueryPhase};
use crate::text::{escape_control, thousands};

/// Draws the results pane: the statements' tabs when F6 ran several, then the shown one's
/// rows or error.
pub fn draw(frame: &mut Frame, area: Rect, state: &AppState, theme: &Theme, focused: bool) {
    let mut inner = area;
    if state.result_tabs.tabs.len() > 1 && area.height > 2 {
        let bar = Rect { height: 1, ..area };
        frame.render_widget(Paragraph::new(tab_bar(state, theme)), bar);
        inner = Rect {
            y: area.y + 1,
            height: area.height - 1,
            ..area
        };
    }
    if let QueryPhase::Failed { error, .. } = &state.phase {
        // Engine messages may span lines; each line is still escaped.
        let mut lines: Vec<Line> = error
            .message
            .lines()
            .map(|l| Line::styled(escape_control(l).into_owned(), theme.error))
            .collect();
        if let Some(p) = error.position {
            lines.push(Line::styled(
                format!(
                    "at line {}, column {} (the cursor is there)",
                    p.line, p.column
                ),
                theme.muted,
            ));
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        return;
    }
    match &state.results {
        Some(grid) => {
            // The status bar has the short form; here the exact numbers, when there is room.
            let detail = match &state.phase {
                QueryPhase::Finished { stats } if inner.height > 6 => {
                    Some(crate::summary::exact_line(stats))
                }
                _ => None,
            };
            let grid_area = Rect {
                height: inner.height - u16::from(detail.is_some()),
                ..inner
            };
            match &grid.chart {
                Some(view) => draw_chart(frame, grid_area, grid, view, theme),
                None => draw_grid(frame, grid_area, grid, theme, focused),
            }
            if let Some(line) = detail {
                let bottom = Rect {
                    y: inner.y + inner.height - 1,
                    height: 1,
                    ..inner
                };
                frame.render_widget(Paragraph::new(Line::styled(line, theme.muted)), bottom);
            }
        }
        None => {
            let hint = if state.is_running() {
                "running…"
            } else {
                "no results yet: F5 runs the statement under the cursor"
            };
            frame.render_widget(Paragraph::new(Line::styled(hint, theme.muted)), inner);
        }
    }
}

/// `1 ✓ SELECT 1 │ 2 ✗ SELECT nope │ 3 … SELECT …  ] [ switch`: each statement's state, the
/// shown one highlighted.
fn tab_bar<'a>(state: &AppState, theme: &Theme) -> Line<'a> {
    let tabs = &state.result_tabs;
    let mut spans = Vec::new();
    for (index, tab) in tabs.tabs.iter().enumerate() {
        if index > 0 {
            spans.push(Span::styled(" │ ", theme.muted));
        }
        let (mark, style) = match crate::app::result_tabs::phase_of(state, index) {
            Some(QueryPhase::Finished { .. }) => ("✓", theme.success),
            Some(QueryPhase::Failed { .. }) => ("✗", theme.error),
            Some(QueryPhase::Cancelled { .. }) => ("⊘", theme.warning),
            Some(QueryPhase::Running { .. }) => ("…", theme.keyword),
            Some(QueryPhase::Idle) | None => ("·", theme.muted),
        };
        let style = if index == tabs.shown {
            theme.selection.add_modifier(Modifier::BOLD)
        } else {
            style
        };
        spans.push(Span::styled(
            format!(" {mark} {} ", escape_control(&tab.label)),
            style,
        ));
    }
    if !tabs.queue.is_empty() {
        spans.push(Span::styled(
            format!("  +{} queued", tabs.queue.len()),
            theme.muted,
        ));
    }
    spans.push(Span::styled("  ] [ switch", theme.muted));
    Line::from(spans)
}

/// The chart in the grid's place, or why there is none yet; its keys on the last line.
fn draw_chart(
    frame: &mut Frame,
    area: Rect,
    grid: &ResultGrid,
    view: &crate::app::chart_view::ChartView,
    theme: &Theme,
) {
    if area.height < 3 {
        return;
    }
    let plot = Rect {
        height: area.height - 1,
        ..area
    };
    match (&view.data, &view.error) {
        (_, Some(error)) => frame.render_widget(
            Paragraph::new(Line::styled(
                format!("cannot draw this chart: {}", escape_control(error)),
                theme.error,
            )),
            plot,
        ),
        (Some(data), None) => {
            let marks: Vec<f64> = if data.spec.kind == crate::chart::ChartKind::Line {
                std::iter::once(view.cursor)
                    .chain(view.anchor)
                    .map(|step| crate::app::chart_view::ChartView::x_at(data, step))
                    .collect()
            } else {
                Vec::new()
            };
            super::chart::draw_with_marks(frame.buffer_mut(), plot, data, &marks, theme);
        }
        (None, None) => frame.render_widget(
            Paragraph::new(Line::styled(
                format!("drawing {} rows…", thousands(grid.rows as u64)),
                theme.muted,
            )),
            plot,
        ),
    }
    let busy = if view.pending.is_some() && view.data.is_some() {
        " · redrawing…"
    } else {
        ""
    };
    let keys = Rect {
        y: area.y + area.height - 1,
        height: 1,
        ..area
    };
    frame.render_widget(
        Paragraph::new(Line::styled(
            format!(
                "g grid · t kind · x v b columns · ←→ cursor · Space range · Enter filters the query to it{busy}"
            ),
            theme.muted,
        )),
        keys,
    );
}

/// Draws a grid into `area`; public for the render benchmark.
pub fn draw_grid(frame: &mut Frame, area: Rect, grid: &ResultGrid, theme: &Theme, focused: bool) {
    if area.height < 3 || area.width < 4 {
        return;
    }
    let body_rows = area.height as usize - 2; // header and footer lines
    let top = scroll_to_show(grid.top.get(), grid.row, body_rows);
    grid.top.set(top);
    let left = visible_left(grid, area.width as usize);
    grid.left.set(left);

    let mut lines = Vec::with_capacity(area.height as usize);
    let mut header = Vec::new();
    for column in left..grid.columns() {
        let mut name = escape_control(grid.schema.field(column).name()).into_owned();
        let arrow = match (grid.sort, grid.sorting) {
            (_, Some(key)) if key.column == column => " …",
            (Some(key), _) if key.column == column && key.descending => " ▼",
            (Some(key), _) if key.column == column => " ▲",
            _ => "",
        };
        name.push_str(arrow);
        if column > left {
            header.push(Span::styled(" │ ", theme.muted));
        }
        header.push(Span::styled(
            fit(&name, grid.widths[column], false),
            theme.header,
        ));
    }
    lines.push(Line::from(header));
    for row in top..(top + body_rows).min(grid.rows) {
        let mut spans = Vec::new();
        for column in left..grid.columns() {
            if column > left {
                spans.push(Span::styled(" │ ", theme.muted));
            }
            let width = grid.widths[column];
            let mut span = match grid.cell(row, column) {
                CellText::Null => {
                    Span::styled(fit("NULL", width, grid.numeric[column]), theme.null)
                }
                CellText::Value(v) if grid.numeric[column] => {
                    Span::styled(fit(&v, width, true), theme.result_number)
                }
                CellText::Value(v) => Span::styled(fit(&v, width, false), theme.text),
            };
            if let Some(matcher) = &grid.filter.applied
                && matcher.searches(column)
                && grid
                    .raw_cell(row, column)
                    .is_some_and(|text| matcher.matches(&text))
            {
                span = span.patch_style(
                    theme
                        .warning
                        .add_modifier(Modifier::UNDERLINED | Modifier::BOLD),
                );
            }
            if row == grid.row {
                span = span.patch_style(theme.selection);
                if column == grid.column && focused {
                    span = span.patch_style(
                        ratatui_core::style::Style::new().add_modifier(Modifier::REVERSED),
                    );
                }
            }
            spans.push(span);
        }
        lines.push(Line::from(spans));
    }
    while lines.len() < area.height as usize - 1 {
        lines.push(Line::default());
    }
    let more = if grid.loading_more {
        " · loading more rows…".to_owned()
    } else if grid.truncated {
        format!(
            " · more rows available: showing {} of {}",
            thousands(grid.rows as u64),
            thousands(grid.total_rows)
        )
    } else {
        String::new()
    };
    let position = if grid.rows == 0 {
        "no rows".to_owned()
    } else {
        format!(
            "row {} of {}",
            thousands(grid.row as u64 + 1),
            thousands(grid.rows as u64)
        )
    };
    let filter = &grid.filter;
    if filter.editing
        || filter.applied.is_some()
        || filter.pending.is_some()
        || filter.error.is_some()
    {
        lines.push(filter_line(grid, theme));
    } else {
        lines.push(Line::styled(
            format!(
                "{position} · column {} of {}{more}",
                grid.column + 1,
                grid.columns()
            ),
            theme.muted,
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// The footer while a filter is typed or applied: the pattern, then "n of N rows", "filtering…"
/// or why the pattern is not one.
fn filter_line<'a>(grid: &ResultGrid, theme: &Theme) -> Line<'a> {
    let filter = &grid.filter;
    let cursor = if filter.editing { "▏" } else { "" };
    let mut spans = vec![
        Span::styled("/", theme.keyword),
        Span::styled(
            format!("{}{cursor}  ", escape_control(&filter.text)),
            theme.text,
        ),
    ];
    let (text, style) = if let Some(error) = &filter.error {
        (
            format!("not a pattern: {}", escape_control(error)),
            theme.error,
        )
    } else if filter.pending.is_some() {
        (
            format!("filtering {} rows…", thousands(grid.loaded as u64)),
            theme.muted,
        )
    } else if filter.applied.is_some() {
        let row = if grid.rows == 0 {
            String::new()
        } else {
            format!("row {} · ", thousands(grid.row as u64 + 1))
        };
        (
            format!(
                "{row}{} of {} rows match · n/N next/previous · / edit · Esc clears",
                thousands(grid.rows as u64),
                thousands(grid.loaded as u64)
            ),
            if grid.rows == 0 {
                theme.warning
            } else {
                theme.muted
            },
        )
    } else {
        (
            "text, /regex/ or column:text · Enter keeps · Esc clears".to_owned(),
            theme.muted,
        )
    };
    spans.push(Span::styled(text, style));
    Line::from(spans)
}

/// The first column drawn: the previous one if the cursor column still fits, else the
/// leftmost column that lets the cursor column fit.
fn visible_left(grid: &ResultGrid, width: usize) -> usize {
    let fits = |left: usize| {
        grid.widths[left..=grid.column]
            .iter()
            .map(|w| w + 3)
            .sum::<usize>()
            <= width
    };
    let mut left = grid.left.get().min(grid.column);
    while left < grid.column && !fits(left) {
        left += 1;
    }
    left
}

/// Pads or cuts `text` to exactly `width` columns.
fn fit(text: &str, width: usize, right: bool) -> String {
    let shown = text.width();
    if shown > width {
        let mut out = String::new();
        for c in text.chars() {
            if out.width() + c.to_string().width() >= width {
                break;
            }
            out.push(c);
        }
        out.push('…');
        return format!("{out:<width$}");
    }
    let pad = " ".repeat(width - shown);
    if right {
        format!("{pad}{text}")
    } else {
        format!("{text}{pad}")
    }
}
