//! Finding statements in an editor buffer: which text to run for "the statement under the
//! cursor", and where it starts so engine error positions map back to the buffer.

use sqlparser::dialect::GenericDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

/// A 1-based line and column (characters), as SQL engines report positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: u64,
    pub column: u64,
}

/// One statement of a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement's text, without the terminating semicolon.
    pub sql: String,
    /// Where its first character is in the buffer.
    pub start: Position,
}

impl Statement {
    /// Where the statement's last character ends in the buffer (exclusive).
    pub fn end(&self) -> Position {
        let lines: Vec<&str> = self.sql.split('\n').collect();
        let last = lines.last().map_or(0, |l| l.chars().count()) as u64;
        self.to_buffer(Position {
            line: lines.len() as u64,
            column: last + 1,
        })
    }

    /// Maps a position inside this statement's text to the buffer.
    pub fn to_buffer(&self, inner: Position) -> Position {
        if inner.line <= 1 {
            Position {
                line: self.start.line,
                column: self.start.column + inner.column.saturating_sub(1),
            }
        } else {
            Position {
                line: self.start.line + inner.line - 1,
                column: inner.column,
            }
        }
    }
}

/// Splits `text` at top-level semicolons (not those in strings or comments), dropping empty
/// statements. Text that does not tokenize (an unclosed quote while typing) is one statement.
pub fn split(text: &str) -> Vec<Statement> {
    let Ok(tokens) = Tokenizer::new(&GenericDialect {}, text).tokenize_with_location() else {
        return whole(text).into_iter().collect();
    };
    let mut statements = Vec::new();
    let mut first: Option<Position> = None;
    let mut last_end: Option<Position> = None;
    for token in &tokens {
        let start = Position {
            line: token.span.start.line,
            column: token.span.start.column,
        };
        let end = Position {
            line: token.span.end.line,
            column: token.span.end.column,
        };
        match &token.token {
            Token::SemiColon => {
                if let (Some(s), Some(e)) = (first.take(), last_end.take()) {
                    statements.push(Statement {
                        sql: slice(text, s, e),
                        start: s,
                    });
                }
            }
            Token::Whitespace(_) | Token::EOF => {}
            _ => {
                first.get_or_insert(start);
                last_end = Some(end);
            }
        }
    }
    if let (Some(s), Some(e)) = (first, last_end) {
        statements.push(Statement {
            sql: slice(text, s, e),
            start: s,
        });
    }
    statements
}

/// The statement the cursor is in: the one whose text or terminating semicolon is at or after
/// the cursor, else the last one. `cursor` is 1-based.
pub fn at_cursor(text: &str, cursor: Position) -> Option<Statement> {
    let statements = split(text);
    let mut chosen = None;
    for statement in statements {
        let starts_after_cursor = statement.start > cursor;
        if starts_after_cursor && chosen.is_some() {
            break;
        }
        chosen = Some(statement);
        if starts_after_cursor {
            break;
        }
    }
    chosen
}

fn whole(text: &str) -> Option<Statement> {
    let trimmed = text.trim_start();
    if trimmed.trim().is_empty() {
        return None;
    }
    let skipped = &text[..text.len() - trimmed.len()];
    let line = skipped.matches('\n').count() as u64 + 1;
    let column = skipped.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    Some(Statement {
        sql: trimmed.trim_end().to_owned(),
        start: Position { line, column },
    })
}

/// Text from `start` (inclusive) to `end` (exclusive), both 1-based positions.
fn slice(text: &str, start: Position, end: Position) -> String {
    let from = byte_offset(text, start);
    let to = byte_offset(text, end);
    text.get(from..to.max(from)).unwrap_or_default().to_owned()
}

/// The byte offset of a 1-based position in `text` (the end when past it).
pub(crate) fn byte_offset(text: &str, position: Position) -> usize {
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        if index as u64 + 1 == position.line {
            let column = position.column.saturating_sub(1) as usize;
            return offset
                + line
                    .char_indices()
                    .nth(column)
                    .map_or(line.len(), |(i, _)| i);
        }
        offset += line.len();
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u64, column: u64) -> Position {
        Position { line, column }
    }

    #[test]
    fn semicolons_in_strings_and_comments_do_not_split() {
        let text = "SELECT ';' AS a; -- one; two\nSELECT 2 /* ; */ + 1;\n\n";
        let sqls: Vec<String> = split(text).into_iter().map(|s| s.sql).collect();
        assert_eq!(sqls, ["SELECT ';' AS a", "SELECT 2 /* ; */ + 1"]);
    }

    #[test]
    fn the_cursor_picks_its_statement() {
        let text = "SELECT 1;\n\nSELECT 2\nFROM t;\nSELECT 3";
        assert_eq!(at_cursor(text, pos(1, 3)).unwrap().sql, "SELECT 1");
        // On the blank line after the first statement: still the first.
        assert_eq!(at_cursor(text, pos(2, 1)).unwrap().sql, "SELECT 1");
        assert_eq!(at_cursor(text, pos(4, 2)).unwrap().sql, "SELECT 2\nFROM t");
        assert_eq!(at_cursor(text, pos(5, 9)).unwrap().sql, "SELECT 3");
        assert!(at_cursor("  \n ", pos(1, 1)).is_none());
    }

    #[test]
    fn positions_map_back_to_the_buffer() {
        let text = "SELECT 1;\n  SELECT x,\n  y FROM t";
        let statement = at_cursor(text, pos(3, 3)).unwrap();
        assert_eq!(statement.start, pos(2, 3));
        assert_eq!(statement.to_buffer(pos(1, 8)), pos(2, 10));
        assert_eq!(statement.to_buffer(pos(2, 3)), pos(3, 3));
    }

    #[test]
    fn unclosed_quotes_run_as_one_statement() {
        let statements = split("\n  SELECT 'oops; FROM t");
        assert_eq!(statements.len(), 1);
        assert_eq!(statements[0].start, pos(2, 3));
        assert_eq!(statements[0].sql, "SELECT 'oops; FROM t");
    }
}
