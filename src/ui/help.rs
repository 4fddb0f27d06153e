//! The help overlay: every binding, grouped by pane.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::theme::Theme;
use crate::app::Focus;
use crate::app::keys::{Binding, Scope};

/// Draws the overlay centred in `area`.
pub fn draw(frame: &mut Frame, area: Rect, bindings: &[Binding], theme: &Theme) {
    let width = area.width.saturating_sub(4).min(76);
    let height = area.height.saturating_sub(2);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + 1,
        width,
        height,
    };
    frame.render_widget(Clear, popup);
    let mut lines = Vec::new();
    for (title, scope) in [
        ("Everywhere", Scope::Global),
        ("Editor (other keys edit text)", Scope::Pane(Focus::Editor)),
        ("Catalog", Scope::Pane(Focus::Catalog)),
        ("Results", Scope::Pane(Focus::Results)),
    ] {
        lines.push(Line::styled(title, theme.header));
        for binding in bindings.iter().filter(|b| b.scope == scope) {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("  {:<12}", binding.press.to_string()),
                    theme.keyword,
                ),
                Span::styled(binding.description, theme.text),
            ]));
        }
        lines.push(Line::default());
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused)
        .title(" Keys · Esc or F1 closes ");
    frame.render_widget(Paragraph::new(lines).block(block).style(theme.text), popup);
}
