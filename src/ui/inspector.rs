//! The cell inspector: one value in full, wrapped and scrollable, control characters escaped.

use ratatui_core::layout::Rect;
use ratatui_core::terminal::Frame;
use ratatui_core::text::Line;
use ratatui_widgets::block::Block;
use ratatui_widgets::borders::Borders;
use ratatui_widgets::clear::Clear;
use ratatui_widgets::paragraph::{Paragraph, Wrap};

use super::theme::Theme;
use crate::app::overlay::Inspector;
use crate::text::escape_control_keep_lines;

/// Draws the inspector over most of `area`.
pub fn draw(frame: &mut Frame, area: Rect, inspector: &Inspector, theme: &Theme) {
    let width = (area.width.saturating_sub(8)).max(20).min(area.width);
    let height = (area.height.saturating_sub(6)).max(5).min(area.height);
    let popup = super::centred(area, width, height);
    // Tabs would be drawn as one cell by some terminals and as a jump by others.
    let text = escape_control_keep_lines(&inspector.text).replace('\t', "    ");
    let lines: Vec<Line> = text
        .lines()
        .map(|l| Line::styled(l.to_owned(), theme.text))
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused)
        .title(format!(
            " {} · ↑↓ scroll · y copy · any other key closes ",
            crate::text::escape_control(&inspector.title)
        ));
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .style(theme.text)
            .wrap(Wrap { trim: false })
            .scroll((inspector.scroll, 0)),
        popup,
    );
}
