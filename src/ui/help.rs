//! The help overlay: every binding, grouped by pane; keys that do the same thing share a line.

use ratatui_core::layout::{Constraint, Layout, Rect};
use ratatui_core::terminal::Frame;
use ratatui_core::text::{Line, Span};
use ratatui_widgets::block::Block;
use ratatui_widgets::borders::Borders;
use ratatui_widgets::clear::Clear;
use ratatui_widgets::paragraph::{Paragraph, Wrap};

use super::theme::Theme;
use crate::app::Focus;
use crate::app::bindings::{Binding, Scope};

const SECTIONS: [(&str, Scope); 5] = [
    ("Everywhere", Scope::Global),
    ("Editor (other keys edit text)", Scope::Pane(Focus::Editor)),
    ("Catalog", Scope::Pane(Focus::Catalog)),
    ("Results", Scope::Pane(Focus::Results)),
    ("Partitions", Scope::Pane(Focus::Partitions)),
];

/// Vim mode's commands (their keys are vim's, not bindings): key groups and what they do.
const VIM: [(&str, &str); 9] = [
    (
        "h j k l w b e 0 ^ $",
        "move; W B E by WORD; gg G, NG to line N",
    ),
    (
        "f t F T ; , %",
        "find on the line, repeat; matching bracket",
    ),
    ("d c y + motion", "delete, change, yank; dd cc yy; 3dw d2j"),
    (
        "iw aw i\" i' i( ip",
        "text objects after d c y (a\" a( ib i{ ap…)",
    ),
    ("i a I A o O", "insert modes; Esc back to normal"),
    ("x X D C Y s S r J ~", "one-key edits"),
    (
        "p P · u Ctrl-R · .",
        "put · undo / redo · repeat the last change",
    ),
    ("v V", "visual, visual-line; d c y ~, o swaps; F5 runs it"),
    ("/ n N · :w :q :N", "search · save, quit, go to line N"),
];

/// Draws the overlay over `area`, in two columns when there is room; with vim mode on, vim's
/// commands follow the editor's keys.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    scroll: u16,
    bindings: &[Binding],
    vim: bool,
    theme: &Theme,
) {
    let two_columns = area.width >= 110;
    // The whole width: at 160 columns the longest line (keys and description) still fits a
    // column; narrower, lines wrap rather than lose their end.
    let width = if two_columns {
        area.width.saturating_sub(4)
    } else {
        area.width.saturating_sub(2).min(76)
    };
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y,
        width,
        height: area.height,
    };
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused)
        .title(" Keys · ↑↓ scroll · Esc or F1 closes ");
    let inner = block.inner(popup);
    frame.render_widget(block.style(theme.text), popup);
    let mut sections: Vec<Vec<Line>> = SECTIONS
        .iter()
        .map(|(title, scope)| section(title, *scope, bindings, theme))
        .collect();
    if vim {
        let mut lines = vec![Line::styled("Vim mode (normal mode keys)", theme.header)];
        for (keys, description) in VIM {
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<22}"), theme.keyword),
                Span::styled(description, theme.text),
            ]));
        }
        lines.push(Line::default());
        sections[1].extend(lines);
    }
    if two_columns {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(inner);
        frame.render_widget(
            Paragraph::new(sections[..2].concat())
                .wrap(Wrap { trim: false })
                .scroll((scroll, 0)),
            left,
        );
        frame.render_widget(
            Paragraph::new(sections[2..].concat())
                .wrap(Wrap { trim: false })
                .scroll((scroll, 0)),
            right,
        );
    } else {
        frame.render_widget(
            Paragraph::new(sections.concat())
                .wrap(Wrap { trim: false })
                .scroll((scroll, 0)),
            inner,
        );
    }
}

fn section(
    title: &'static str,
    scope: Scope,
    bindings: &[Binding],
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut rows: Vec<(String, &'static str)> = Vec::new();
    for binding in bindings.iter().filter(|b| b.scope == scope) {
        match rows
            .iter_mut()
            .find(|(_, description)| *description == binding.description())
        {
            Some((keys, _)) => {
                keys.push_str(" / ");
                keys.push_str(&binding.press.to_string());
            }
            None => rows.push((binding.press.to_string(), binding.description())),
        }
    }
    let mut lines = vec![Line::styled(title, theme.header)];
    for (keys, description) in rows {
        lines.push(Line::from(vec![
            Span::styled(format!("  {keys:<16}"), theme.keyword),
            Span::styled(description, theme.text),
        ]));
    }
    lines.push(Line::default());
    lines
}
