//! The doctor overlay: what was read, the findings worst first, and the selected finding's
//! evidence, Athena error and fix. Names from the lake are escaped before they are drawn.

use ratatui_core::layout::Rect;
use ratatui_core::style::Modifier;
use ratatui_core::terminal::Frame;
use ratatui_core::text::{Line, Span};
use ratatui_widgets::block::Block;
use ratatui_widgets::borders::Borders;
use ratatui_widgets::clear::Clear;
use ratatui_widgets::paragraph::{Paragraph, Wrap};

use super::theme::Theme;
use crate::app::doctor_view::{DoctorPhase, DoctorView};
use crate::doctor::Severity;
use crate::text::escape_control;

/// Draws the doctor over most of `area`.
pub fn draw(frame: &mut Frame, area: Rect, view: &DoctorView, theme: &Theme) {
    let width = area.width.saturating_sub(4).max(20).min(area.width);
    let height = area.height.saturating_sub(2).max(8).min(area.height);
    let popup = super::centred(area, width, height);
    let keys = if view.confirming.is_some() {
        "y apply · any other key: no"
    } else {
        "↑↓ finding · a apply fix · e edit fix · r again · Esc"
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused)
        .title(format!(
            " doctor · {} · {keys} ",
            escape_control(&view.table.to_string())
        ));
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block.style(theme.text), popup);
    let mut lines: Vec<Line> = Vec::new();
    if let Some(message) = &view.message {
        lines.push(Line::styled(
            escape_control(message).into_owned(),
            theme.success,
        ));
    }
    let report = match &view.phase {
        DoctorPhase::Examining => {
            lines.push(Line::styled(
                "examining: the catalog, every object's listing, every footer…",
                theme.muted,
            ));
            return frame.render_widget(Paragraph::new(lines), inner);
        }
        DoctorPhase::Applying(what) => {
            lines.push(Line::styled(format!("applying: {what}…"), theme.muted));
            return frame.render_widget(Paragraph::new(lines), inner);
        }
        DoctorPhase::Failed(error) => {
            lines.push(Line::styled(
                format!("cannot examine: {}", escape_control(error)),
                theme.error,
            ));
            return frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
        DoctorPhase::Done(report) => report,
    };
    lines.push(Line::styled(
        escape_control(&format!(
            "read {} · {}",
            report.examined_line(),
            report.tally()
        ))
        .into_owned(),
        theme.muted,
    ));
    if report.findings.is_empty() {
        lines.push(Line::styled(
            "nothing wrong: the catalog, the objects and every footer agree",
            theme.success,
        ));
        return frame.render_widget(Paragraph::new(lines), inner);
    }
    // The list takes up to half the height; the selected finding's detail the rest.
    let list_height = (usize::from(inner.height) / 2).max(3);
    let first = view.cursor.saturating_sub(list_height.saturating_sub(1));
    for (index, finding) in report
        .findings
        .iter()
        .enumerate()
        .skip(first)
        .take(list_height)
    {
        let style = match finding.severity {
            Severity::Error => theme.error,
            Severity::Warning => theme.warning,
            Severity::Info => theme.muted,
        };
        let mut title = Span::raw(format!(
            " {}  {}",
            finding.code,
            escape_control(&finding.title)
        ));
        if index == view.cursor {
            title = title.patch_style(theme.selection);
        }
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:<7}", finding.severity.label()),
                style.add_modifier(Modifier::BOLD),
            ),
            title,
        ]));
    }
    lines.push(Line::raw(""));
    if let Some(finding) = report.findings.get(view.cursor) {
        for detail in finding.detail_lines() {
            let style = if detail.starts_with("Athena:") {
                theme.error
            } else if detail.starts_with("fix:") {
                theme.success
            } else if detail.starts_with("  ") {
                theme.keyword
            } else {
                theme.text
            };
            lines.push(Line::styled(escape_control(&detail).into_owned(), style));
        }
    }
    if let Some(action) = &view.confirming {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("{}? y applies it", action.describe()),
            theme.warning.add_modifier(Modifier::BOLD),
        ));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
