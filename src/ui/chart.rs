//! A result drawn as a chart: lines in braille dots (a series per category, a legend), bars
//! for categories, a histogram; axes with round ticks and their column names. The same drawing
//! fills the results pane and, as plain text, `quarry query --chart`.

use ratatui_core::buffer::Buffer;
use ratatui_core::layout::{Constraint, Rect};
use ratatui_core::style::{Color, Style};
use ratatui_core::symbols::Marker;
use ratatui_core::text::{Line, Span};
use ratatui_core::widgets::Widget;
use ratatui_widgets::barchart::{Bar, BarChart};
use ratatui_widgets::chart::{Axis, Chart, Dataset, GraphType, LegendPosition};
use ratatui_widgets::paragraph::Paragraph;

use super::theme::Theme;
use crate::chart::{ChartData, ChartKind};
use crate::text::{escape_control, thousands};

/// Series colours, from the theme so every theme reads well.
fn palette(theme: &Theme) -> [Style; 8] {
    [
        theme.keyword,
        theme.string,
        theme.function,
        theme.warning,
        theme.number,
        theme.success,
        theme.error,
        theme.operator,
    ]
}

/// Draws `data` into `area`: a caption line, then the chart.
pub fn draw(buffer: &mut Buffer, area: Rect, data: &ChartData, theme: &Theme) {
    draw_with_marks(buffer, area, data, &[], theme);
}

/// Draws `data` with vertical marks at the x values `marks` (a line chart's cursor and the
/// start of a range being picked).
pub fn draw_with_marks(
    buffer: &mut Buffer,
    area: Rect,
    data: &ChartData,
    marks: &[f64],
    theme: &Theme,
) {
    if area.height < 4 || area.width < 20 {
        return;
    }
    Paragraph::new(Line::styled(caption(data), theme.muted))
        .render(Rect { height: 1, ..area }, buffer);
    let plot = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    match data.spec.kind {
        ChartKind::Line => line(buffer, plot, data, marks, theme),
        ChartKind::Bar => bars(buffer, plot, data, theme, true),
        ChartKind::Histogram => bars(buffer, plot, data, theme, false),
    }
}

/// `line · errors by hour (UTC), a line per source · 8,760 rows · 3 NULL left out`.
pub fn caption(data: &ChartData) -> String {
    let kind = data.spec.kind.name();
    let per = match data.spec.kind {
        ChartKind::Line if data.series.len() > 1 => ", a line per value of the category",
        _ => "",
    };
    let what = match data.spec.kind {
        ChartKind::Histogram => format!("spread of {}", data.x.title),
        _ => format!("{} by {}{per}", data.y.title, data.x.title),
    };
    let mut parts = vec![format!(
        "{kind} · {what} · {} rows",
        thousands(data.rows as u64)
    )];
    if data.skipped > 0 {
        parts.push(format!(
            "{} NULL or not numbers left out",
            thousands(data.skipped as u64)
        ));
    }
    if data.hidden > 0 {
        let unit = if data.spec.kind == ChartKind::Line {
            "series"
        } else {
            "bars"
        };
        parts.push(format!("{} smaller {unit} not drawn", data.hidden));
    }
    if data.spec.kind == ChartKind::Histogram {
        let tallest = data.bars.iter().map(|b| b.1).fold(0.0, f64::max);
        parts.push(format!("tallest bar {} rows", thousands(tallest as u64)));
    }
    let mut text = parts.join(" · ");
    if data.thinned {
        text.push_str(" · lowest and highest point per dot");
    }
    escape_control(&text).into_owned()
}

fn labels(axis: &crate::chart::Axis) -> Vec<Span<'static>> {
    axis.ticks
        .iter()
        .map(|t| Span::raw(escape_control(&t.label).into_owned()))
        .collect()
}

/// The axis again with as many ticks as fit `cells` (labels need room to be read).
fn refit(axis: &crate::chart::Axis, cells: u16, per_label: u16) -> crate::chart::Axis {
    let target = usize::from((cells / per_label).max(2));
    if axis.time {
        crate::chart::scale::time_axis(&axis.title, axis.min, axis.max, target)
    } else {
        crate::chart::scale::number_axis(&axis.title, axis.min, axis.max, target)
    }
}

fn line(buffer: &mut Buffer, area: Rect, data: &ChartData, marks: &[f64], theme: &Theme) {
    let colours = palette(theme);
    // Room per label: `09-03 14:00` and a gap; the y labels take about 10 cells on the left.
    let label_width = if data.x.time { 16 } else { 10 };
    let (x, y) = (
        refit(&data.x, area.width.saturating_sub(12), label_width),
        refit(&data.y, area.height.saturating_sub(2), 3),
    );
    let several = data.series.len() > 1;
    let mark_lines: Vec<[(f64, f64); 2]> =
        marks.iter().map(|x| [(*x, y.min), (*x, y.max)]).collect();
    let mut datasets: Vec<Dataset> = mark_lines
        .iter()
        .map(|points| {
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(theme.warning)
                .data(points)
        })
        .collect();
    let series: Vec<Dataset> = data
        .series
        .iter()
        .enumerate()
        .map(|(i, series)| {
            let dataset = Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(colours[i % colours.len()])
                .data(&series.points);
            if several {
                dataset.name(escape_control(&series.name).into_owned())
            } else {
                dataset
            }
        })
        .collect();
    datasets.extend(series);
    Chart::new(datasets)
        .style(theme.text)
        .x_axis(
            Axis::default()
                .title(Span::styled(
                    escape_control(&x.title).into_owned(),
                    theme.header,
                ))
                .bounds([x.min, x.max])
                .labels(labels(&x))
                .style(theme.muted),
        )
        .y_axis(
            Axis::default()
                .title(Span::styled(
                    escape_control(&y.title).into_owned(),
                    theme.header,
                ))
                .bounds([y.min, y.max])
                .labels(labels(&y))
                .style(theme.muted),
        )
        .legend_position(Some(LegendPosition::TopRight))
        .hidden_legend_constraints((Constraint::Ratio(1, 2), Constraint::Ratio(1, 2)))
        .render(area, buffer);
}

/// Bars hold whole numbers: values are scaled so the largest is a million, and each bar says
/// its real value.
fn bars(buffer: &mut Buffer, area: Rect, data: &ChartData, theme: &Theme, horizontal: bool) {
    let largest = data.bars.iter().map(|b| b.1.abs()).fold(0.0, f64::max);
    let factor = if largest > 0.0 { 1e6 / largest } else { 1.0 };
    let step = crate::chart::scale::nice_step(largest, 5);
    let colour = palette(theme)[0];
    let bars: Vec<Bar> = data
        .bars
        .iter()
        .map(|(label, value)| {
            Bar::default()
                .value((value.max(0.0) * factor).round() as u64)
                // Vertical bars are too narrow for their numbers; the caption gives the scale.
                .text_value(if horizontal {
                    crate::chart::scale::compact(*value, step / 10.0)
                } else {
                    String::new()
                })
                .label(Line::from(escape_control(label).into_owned()))
                .style(colour)
                .value_style(theme.text.patch(Style::new().fg(Color::Reset)))
        })
        .collect();
    let count = bars.len().max(1) as u16;
    let chart = if horizontal {
        BarChart::horizontal(bars).bar_width(1).bar_gap(0)
    } else {
        // As wide as fits, at least one cell, with a gap only when there is room.
        let gap = u16::from(area.width / count >= 4);
        let width = (area.width / count).saturating_sub(gap).max(1);
        BarChart::vertical(bars).bar_width(width).bar_gap(gap)
    };
    chart
        .label_style(theme.muted)
        .style(theme.text)
        .render(area, buffer);
}

/// The chart as text lines `width` × `height`, for `quarry query --chart`: Unicode dots and
/// blocks, no colours.
pub fn to_text(data: &ChartData, width: u16, height: u16) -> String {
    let area = Rect::new(0, 0, width, height);
    let mut buffer = Buffer::empty(area);
    draw(&mut buffer, area, data, &Theme::default());
    let mut text = String::new();
    for y in 0..height {
        let mut line = String::new();
        for x in 0..width {
            line.push_str(buffer[(x, y)].symbol());
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}
