//! The editor pane: tabs, line numbers, SQL highlighting, selection and cursor, drawn from the
//! buffer's text model.

use ratatui_core::layout::Rect;
use ratatui_core::style::{Modifier, Style};
use ratatui_core::terminal::Frame;
use ratatui_core::text::{Line, Span};
use ratatui_widgets::block::Block;
use ratatui_widgets::borders::Borders;
use ratatui_widgets::clear::Clear;
use ratatui_widgets::paragraph::Paragraph;
use sqlparser::dialect::GenericDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

use super::scroll_to_show;
use super::theme::Theme;
use crate::app::AppState;
use crate::app::editor::Buffer;
use crate::sql::complete::CandidateKind;
use crate::text::escape_control;

/// Draws the editor inside its frame.
pub fn draw(frame: &mut Frame, inner: Rect, state: &AppState, theme: &Theme, focused: bool) {
    if inner.height < 2 || inner.width < 8 {
        return;
    }
    let tabs = tab_line(state, theme);
    frame.render_widget(Paragraph::new(tabs), Rect { height: 1, ..inner });
    let mut body = Rect {
        y: inner.y + 1,
        height: inner.height - 1,
        ..inner
    };
    // The last line tells what the statement will scan, once the editor has room for it.
    if body.height >= 3
        && let Some(hint) = super::cost::hint_line(state, theme)
    {
        body.height -= 1;
        frame.render_widget(
            Paragraph::new(hint),
            Rect {
                y: body.y + body.height,
                height: 1,
                ..body
            },
        );
    }
    let cursor = draw_buffer(frame, body, state.editor.buffer(), theme, focused);
    if focused && let (Some(popup), Some(cursor)) = (&state.completion, cursor) {
        draw_completion(frame, body, cursor, popup, theme);
    }
}

/// Most rows the popup shows at once.
const POPUP_ROWS: usize = 8;

/// The candidates in a box under the cursor (above it when there is no room below).
fn draw_completion(
    frame: &mut Frame,
    body: Rect,
    (x, y): (u16, u16),
    popup: &crate::app::completion::Completion,
    theme: &Theme,
) {
    let rows = popup.candidates.len().min(POPUP_ROWS);
    let first = popup.selected.saturating_sub(rows - 1);
    let shown = &popup.candidates[first..first + rows];
    let text_width = shown
        .iter()
        .map(|c| c.text.chars().count())
        .max()
        .unwrap_or(0);
    let detail_width = shown
        .iter()
        .map(|c| c.detail.chars().count())
        .max()
        .unwrap_or(0);
    let width = (text_width + detail_width + 10).min(body.width as usize) as u16;
    let height = rows as u16 + 2;
    let below = y + 1 + height <= body.y + body.height;
    // Candidates line up with the word being typed: border and tag, then the text.
    let word_start = x.saturating_sub(popup.prefix_chars as u16 + 5).max(body.x);
    let area = Rect {
        x: word_start.min((body.x + body.width).saturating_sub(width)),
        y: if below {
            y + 1
        } else {
            y.saturating_sub(height).max(body.y)
        },
        width,
        height: height.min(body.height),
    };
    let lines: Vec<Line> = shown
        .iter()
        .enumerate()
        .map(|(offset, candidate)| {
            let tag = match candidate.kind {
                CandidateKind::Column => "col",
                CandidateKind::Alias => "als",
                CandidateKind::Table => "tbl",
                CandidateKind::Database => "db ",
                CandidateKind::Keyword => "kw ",
                CandidateKind::Function => "fn ",
            };
            let mut line = Line::from(vec![
                Span::styled(format!("{tag} "), theme.muted),
                Span::styled(
                    format!("{:<text_width$} ", escape_control(&candidate.text)),
                    theme.text,
                ),
                Span::styled(escape_control(&candidate.detail).into_owned(), theme.muted),
            ]);
            if first + offset == popup.selected {
                line = line.patch_style(theme.selection);
            }
            line
        })
        .collect();
    let title = format!(" {}/{} · Tab ", popup.selected + 1, popup.candidates.len());
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border_focused)
        .title(title);
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(lines).block(block).style(theme.text), area);
}

fn tab_line(state: &AppState, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, buffer) in state.editor.buffers.iter().enumerate() {
        let style = if i == state.editor.active {
            theme.selection.add_modifier(Modifier::BOLD)
        } else {
            theme.muted
        };
        let modified = if buffer.modified() { " ●" } else { "" };
        spans.push(Span::styled(
            format!(" {}{modified} ", crate::text::escape_control(&buffer.title)),
            style,
        ));
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

/// Draws the buffer; returns the cursor's screen position when it is visible.
fn draw_buffer(
    frame: &mut Frame,
    area: Rect,
    buffer: &Buffer,
    theme: &Theme,
    focused: bool,
) -> Option<(u16, u16)> {
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
    let selection = buffer.selection();
    let mut out = Vec::with_capacity(height);
    for row in top..(top + height).min(lines.len()) {
        let mut spans = vec![Span::styled(
            format!("{:>width$} ", row + 1, width = gutter - 1),
            theme.muted,
        )];
        let chars: Vec<char> = lines[row].chars().collect();
        let found = search_matches(buffer, &lines[row]);
        for (col, c) in chars.iter().enumerate().skip(left).take(text_width) {
            let mut style = styles[row].get(col).copied().unwrap_or(theme.text);
            if in_selection(selection, row, col) {
                style = style.patch(theme.selection);
            }
            if found
                .iter()
                .any(|(start, end)| (*start..*end).contains(&col))
            {
                style = style
                    .add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
                    .patch(theme.warning);
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
    let visible = cursor_row >= top && cursor_row < top + height && cursor_col >= left;
    visible.then(|| {
        (
            area.x + (gutter + cursor_col - left).min(area.width as usize - 1) as u16,
            area.y + (cursor_row - top) as u16,
        )
    })
}

/// Character ranges of the search pattern's matches in one line.
fn search_matches(buffer: &Buffer, line: &str) -> Vec<(usize, usize)> {
    let Some(pattern) = buffer.textarea.search_pattern() else {
        return Vec::new();
    };
    let column = |byte: usize| line[..byte].chars().count();
    pattern
        .find_iter(line)
        .filter(|m| !m.is_empty())
        .map(|m| (column(m.start()), column(m.end())))
        .collect()
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
