//! The catalog sidebar.

use ratatui_core::layout::{Constraint, Layout, Rect};
use ratatui_core::terminal::Frame;
use ratatui_core::text::{Line, Span};
use ratatui_widgets::paragraph::Paragraph;

use super::theme::Theme;
use crate::app::AppState;
use crate::app::catalog_tree::RowKind;
use crate::text::escape_control;

/// Draws the tree, scrolled so the cursor is visible.
pub fn draw(frame: &mut Frame, inner: Rect, state: &AppState, theme: &Theme, focused: bool) {
    let catalog = &state.catalog;
    let inner = if catalog.editing_filter || !catalog.filter.is_empty() {
        let [tree, filter_line] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
        let cursor = if catalog.editing_filter { "▏" } else { "" };
        let line = Line::from(vec![
            Span::styled("/", theme.keyword),
            Span::styled(
                format!("{}{cursor}", escape_control(&catalog.filter)),
                theme.text,
            ),
        ]);
        frame.render_widget(Paragraph::new(line), filter_line);
        tree
    } else {
        inner
    };
    let rows = state.catalog.rows();
    let height = inner.height as usize;
    let selected = state.catalog.selected.min(rows.len().saturating_sub(1));
    let top = selected.saturating_sub(height.saturating_sub(1));
    let mut lines = Vec::new();
    for (index, row) in rows.iter().enumerate().skip(top).take(height) {
        let indent = "  ".repeat(row.depth as usize);
        let marker = match row.expanded {
            Some(true) => "▾ ",
            Some(false) => "▸ ",
            None => "  ",
        };
        let mut spans = vec![Span::styled(format!("{indent}{marker}"), theme.muted)];
        match &row.kind {
            RowKind::Database(name) => spans.push(Span::styled(
                escape_control(name).into_owned(),
                theme.keyword,
            )),
            RowKind::Table(name) => spans.push(Span::styled(
                escape_control(&name.name).into_owned(),
                theme.text,
            )),
            RowKind::Column {
                name,
                data_type,
                partition_key,
                comment,
                ..
            } => {
                spans.push(Span::styled(escape_control(name).into_owned(), theme.text));
                spans.push(Span::styled(
                    format!(" {}", escape_control(data_type)),
                    theme.muted,
                ));
                if *partition_key {
                    spans.push(Span::styled(" ◆key", theme.warning));
                }
                if let Some(comment) = comment.as_deref().filter(|c| !c.is_empty()) {
                    spans.push(Span::styled(
                        format!(" — {}", escape_control(comment)),
                        theme.comment,
                    ));
                }
            }
            RowKind::Note { text, warning } => {
                let style = if *warning { theme.warning } else { theme.muted };
                spans.push(Span::styled(escape_control(text).into_owned(), style));
            }
        }
        let mut line = Line::from(spans);
        if index == selected && focused {
            line = line.patch_style(theme.selection);
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
