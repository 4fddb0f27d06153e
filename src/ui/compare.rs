//! The comparison overlay: one statement on both engines, a line per engine (rows, bytes
//! scanned, time, cost) and whether the answers match.

use ratatui_core::layout::Rect;
use ratatui_core::terminal::Frame;
use ratatui_core::text::Line;

use super::dialog;
use super::theme::Theme;
use crate::app::state::ComparisonView;
use crate::text::escape_control;

/// Lines of the statement shown above the report.
const SQL_LINES: usize = 3;

pub fn draw(frame: &mut Frame, area: Rect, view: &ComparisonView, theme: &Theme) {
    let mut lines: Vec<Line> = view
        .sql
        .lines()
        .take(SQL_LINES)
        .map(|l| Line::styled(escape_control(l).into_owned(), theme.muted))
        .collect();
    if view.sql.lines().count() > SQL_LINES {
        lines.push(Line::styled("…", theme.muted));
    }
    lines.push(Line::raw(""));
    match &view.report {
        None => lines.push(Line::styled(
            "running on both engines… (any key cancels)",
            theme.text,
        )),
        Some(report) => {
            let (verdict, engines) = match report.split_last() {
                Some((verdict, engines)) => (verdict.as_str(), engines),
                None => ("", &[][..]),
            };
            for line in engines {
                lines.push(Line::styled(escape_control(line).into_owned(), theme.text));
            }
            let style = if view.matched == Some(true) {
                theme.success
            } else {
                theme.error
            };
            lines.push(Line::raw(""));
            lines.push(Line::styled(escape_control(verdict).into_owned(), style));
        }
    }
    let width = area.width.saturating_sub(4).clamp(20, 120);
    let height = (lines.len() as u16 + 4).clamp(6, area.height);
    dialog::draw(
        frame,
        area,
        (width, height),
        " Compare engines · any key closes ",
        lines,
        theme,
    );
}
