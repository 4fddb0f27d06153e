//! A bordered box of lines centred over the screen: the cost guard's question, the ledger, the
//! comparison of two engines.

use ratatui_core::layout::Rect;
use ratatui_core::terminal::Frame;
use ratatui_core::text::Line;
use ratatui_widgets::block::Block;
use ratatui_widgets::borders::Borders;
use ratatui_widgets::clear::Clear;
use ratatui_widgets::paragraph::{Paragraph, Wrap};

use super::centred;
use super::theme::Theme;

/// Draws `lines` in a box of `width` × `height` (shrunk to fit) centred over `area`, titled
/// `title`, clearing what is beneath it. Long lines wrap.
pub(super) fn draw(
    frame: &mut Frame,
    area: Rect,
    (width, height): (u16, u16),
    title: &str,
    lines: Vec<Line>,
    theme: &Theme,
) {
    let popup = centred(area, width, height);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .style(theme.text)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border_focused)
                    .title(title),
            ),
        popup,
    );
}
