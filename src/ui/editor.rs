//! The editor pane: tabs, line numbers, SQL highlighting, selection and cursor, drawn from the
//! buffer's text model.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use sqlparser::dialect::GenericDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

use super::scroll_to_show;
use super::theme::Theme;
use crate::app::AppState;
use crate::app::editor::Buffer;

/// Draws the editor inside its frame.
pub fn draw(frame: &mut Frame, inner: Rect, state: &AppState, theme: &Theme, focused: bool) {
    if inner.height < 2 || inner.width < 8 {
        return;
    }
    let tabs = tab_line(state, theme);
    frame.render_widget(Paragraph::new(tabs), Rect { height: 1, ..inner });
    let body = Rect {
        y: inner.y + 1,
        height: inner.height - 1,
        ..inner
    };
    draw_buffer(frame, body, state.editor.buffer(), theme, focused);
}

fn tab_line(state: &AppState, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, buffer) in state.editor.buffers.iter().enumerate() {
        let style = if i == state.editor.active {
            theme.selection.add_modifier(Modifier::BOLD)
        } else {
            theme.muted
        };
        spans.push(Span::styled(
            format!(" {} ", crate::text::escape_control(&buffer.title)),
            style,
        ));
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

fn draw_buffer(frame: &mut Frame, area: Rect, buffer: &Buffer, theme: &Theme, focused: bool) {
    let lines = buffer.textarea.lines();
    let cursor = buffer.textarea.cursor();
    let (cursor_row, cursor_col) = (cursor.0, cursor.1);
    let gutter = lines.len().to_string().len() + 1;
    let height = area.height as usize;
    let text_width = (area.width as usize).saturating_sub(gutter + 1).max(1);
    let top = scroll_to_show(buffer.view_top.get(), cursor_row, height);
    buffer.view_top.set(top);
    let left = scroll_to_show(buffer.view_left.get(), cursor_col, text_width);
    buffer.view_left.set(left);
    let styles = highlight(lines, theme);
    let selection = buffer.textarea.selection_range();
    let mut out = Vec::with_capacity(height);
    for row in top..(top + height).min(lines.len()) {
        let mut spans = vec![Span::styled(
            format!("{:>width$} ", row + 1, width = gutter - 1),
            theme.muted,
        )];
        let chars: Vec<char> = lines[row].chars().collect();
        for (col, c) in chars.iter().enumerate().skip(left).take(text_width) {
            let mut style = styles[row].get(col).copied().unwrap_or(theme.text);
            if in_selection(selection, row, col) {
                style = style.patch(theme.selection);
            }
            if focused && row == cursor_row && col == cursor_col {
                style = style.add_modifier(Modifier::REVERSED);
            }
            spans.push(Span::styled(
                crate::text::escape_control(&c.to_string()).into_owned(),
                style,
            ));
        }
        if focused && row == cursor_row && cursor_col >= chars.len() && cursor_col >= left {
            spans.push(Span::styled(
                " ",
                theme.text.add_modifier(Modifier::REVERSED),
            ));
        }
        out.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(out), area);
}

fn in_selection(
    selection: Option<((usize, usize), (usize, usize))>,
    row: usize,
    col: usize,
) -> bool {
    selection.is_some_and(|(start, end)| (row, col) >= start && (row, col) < end)
}

/// A style per character per line, from sqlparser's tokens. Text that does not tokenize (an
/// unclosed quote while typing) is drawn plain.
pub fn highlight(lines: &[String], theme: &Theme) -> Vec<Vec<Style>> {
    let mut styles: Vec<Vec<Style>> = lines
        .iter()
        .map(|l| vec![theme.text; l.chars().count()])
        .collect();
    let text = lines.join("\n");
    let Ok(tokens) = Tokenizer::new(&GenericDialect {}, &text).tokenize_with_location() else {
        return styles;
    };
    for (i, token) in tokens.iter().enumerate() {
        let next_is_paren = tokens[i + 1..]
            .iter()
            .find(|t| !matches!(t.token, Token::Whitespace(_)))
            .is_some_and(|t| t.token == Token::LParen);
        let style = match &token.token {
            Token::Word(w) if next_is_paren && w.quote_style.is_none() => theme.function,
            Token::Word(w) if w.keyword != Keyword::NoKeyword && w.quote_style.is_none() => {
                theme.keyword
            }
            Token::Number(..) => theme.number,
            Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::NationalStringLiteral(_)
            | Token::EscapedStringLiteral(_)
            | Token::HexStringLiteral(_) => theme.string,
            Token::Whitespace(
                Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_),
            ) => theme.comment,
            Token::Word(_) | Token::Whitespace(_) | Token::EOF => continue,
            _ => theme.operator,
        };
        paint(&mut styles, token.span.start, token.span.end, style);
    }
    styles
}

/// Styles characters from `start` up to `end` (1-based line/column locations).
fn paint(
    styles: &mut [Vec<Style>],
    start: sqlparser::tokenizer::Location,
    end: sqlparser::tokenizer::Location,
    style: Style,
) {
    let (mut line, mut col) = (start.line as usize, start.column as usize);
    while (line, col) < (end.line as usize, end.column as usize) {
        let Some(row) = styles.get_mut(line.wrapping_sub(1)) else {
            return;
        };
        match row.get_mut(col.wrapping_sub(1)) {
            Some(cell) => {
                *cell = style;
                col += 1;
            }
            None => {
                line += 1;
                col = 1;
            }
        }
    }
}
