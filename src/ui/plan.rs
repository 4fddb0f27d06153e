//! The plan overlay: operators as a tree with fold markers, each one's measurements under it.

use ratatui_core::layout::Rect;
use ratatui_core::style::Modifier;
use ratatui_core::terminal::Frame;
use ratatui_core::text::{Line, Span};
use ratatui_widgets::block::Block;
use ratatui_widgets::borders::Borders;
use ratatui_widgets::clear::Clear;
use ratatui_widgets::paragraph::Paragraph;

use super::scroll_to_show;
use super::theme::Theme;
use crate::app::plan_view::PlanView;
use crate::text::escape_control;

/// Draws the plan over most of `area`.
pub fn draw(frame: &mut Frame, area: Rect, view: &PlanView, theme: &Theme) {
    let width = area.width.saturating_sub(6).max(20).min(area.width);
    let height = area.height.saturating_sub(4).max(5).min(area.height);
    let popup = super::centred(area, width, height);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused)
        .title(format!(
            " {} · ↑↓ move · ← fold · → unfold · Enter measurements · Esc ",
            escape_control(&view.title)
        ));
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block.style(theme.text), popup);
    let rows = view.rows();
    // A measured plan takes two lines an operator; a plan not run, one.
    let measured = rows.iter().any(|(_, r)| !r.node.metrics.is_empty());
    let per_row = if view.metrics && measured { 2 } else { 1 };
    let visible = (usize::from(inner.height) / per_row).max(1);
    let top = scroll_to_show(view.top.get(), view.cursor, visible);
    view.top.set(top);
    let mut lines = Vec::new();
    for (index, (_, row)) in rows.iter().enumerate().skip(top).take(visible) {
        let indent = "  ".repeat(row.depth);
        let marker = match (row.node.children.is_empty(), row.folded) {
            (true, _) => "· ",
            (false, true) => "▸ ",
            (false, false) => "▾ ",
        };
        let mut operator = Span::styled(
            escape_control(&row.node.operator).into_owned(),
            theme.keyword.add_modifier(Modifier::BOLD),
        );
        if index == view.cursor {
            operator = operator.patch_style(theme.selection);
        }
        let hidden = if row.folded {
            format!("  ({} below)", count(row.node) - 1)
        } else {
            String::new()
        };
        lines.push(Line::from(vec![
            Span::raw(format!("{indent}{marker}")),
            operator,
            Span::styled(format!(" {}", escape_control(&row.node.detail)), theme.text),
            Span::styled(hidden, theme.muted),
        ]));
        if view.metrics && !row.node.metrics.is_empty() {
            let measured: Vec<String> = row
                .node
                .metrics
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            lines.push(Line::styled(
                format!("{indent}    {}", escape_control(&measured.join(" · "))),
                theme.muted,
            ));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn count(node: &crate::backend::PlanNode) -> usize {
    1 + node.children.iter().map(count).sum::<usize>()
}
