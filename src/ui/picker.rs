//! The history and saved-queries overlay: filter line, matching items, and the SQL of the
//! selected one.

use ratatui_core::layout::{Constraint, Layout, Rect};
use ratatui_core::terminal::Frame;
use ratatui_core::text::{Line, Span};
use ratatui_widgets::block::Block;
use ratatui_widgets::borders::Borders;
use ratatui_widgets::clear::Clear;
use ratatui_widgets::paragraph::Paragraph;

use super::scroll_to_show;
use super::theme::Theme;
use crate::app::picker::{Picker, PickerKind};
use crate::text::{escape_control, escape_control_keep_lines, thousands};

/// Draws the picker over `area`.
pub fn draw(frame: &mut Frame, area: Rect, picker: &Picker, theme: &Theme) {
    let popup = Rect {
        x: area.x + 2.min(area.width / 10),
        y: area.y + 1.min(area.height / 10),
        width: area.width.saturating_sub(4).max(10).min(area.width),
        height: area.height.saturating_sub(2).max(6).min(area.height),
    };
    let title = match picker.kind {
        PickerKind::History => " History · type to filter · Enter opens in a new tab · Esc ",
        PickerKind::SavedQueries => " Saved queries · type to filter · Enter opens · Esc ",
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused)
        .title(title);
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let preview_height = (inner.height / 3).max(3);
    let [filter_line, list, preview] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(preview_height),
    ])
    .areas(inner);
    let matching = picker.matching();
    let total = picker.items.as_ref().map_or(0, Vec::len);
    let status = match (&picker.items, &picker.error) {
        (None, _) => "loading…".to_owned(),
        (_, Some(e)) => escape_control(e).into_owned(),
        _ => format!(
            "{} of {}",
            thousands(matching.len() as u64),
            thousands(total as u64)
        ),
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("/ ", theme.keyword),
            Span::styled(format!("{}▏", escape_control(&picker.filter)), theme.text),
            Span::styled(format!("   {status}"), theme.muted),
        ])),
        filter_line,
    );
    let height = list.height as usize;
    let top = scroll_to_show(0, picker.selected, height.max(1));
    let lines: Vec<Line> = matching
        .iter()
        .enumerate()
        .skip(top)
        .take(height)
        .map(|(index, item)| {
            let mut line = Line::from(vec![
                Span::styled(escape_control(&item.title).into_owned(), theme.text),
                Span::styled(format!("  {}", escape_control(&item.detail)), theme.muted),
            ]);
            if index == picker.selected {
                line = line.patch_style(theme.selection);
            }
            line
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
    if let Some(item) = matching.get(picker.selected) {
        let sql: Vec<Line> = escape_control_keep_lines(&item.sql)
            .replace('\t', "    ")
            .lines()
            .map(|l| Line::styled(l.to_owned(), theme.muted))
            .collect();
        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(theme.border);
        frame.render_widget(Paragraph::new(sql).block(block), preview);
    }
}
