//! Turns DataFusion errors into [`QueryError`]s a person can act on.

use datafusion::error::DataFusionError;

use crate::backend::{QueryError, QueryErrorKind, SqlPosition};

/// Maps a DataFusion error to a kind, a message without DataFusion's internal prefixes, and the
/// position in the SQL (from DataFusion's diagnostics, else from the parser's message).
pub fn query_error(err: &DataFusionError) -> QueryError {
    let diagnostic_position = err
        .diagnostic()
        .and_then(|d| d.span)
        .map(|span| SqlPosition {
            line: span.start.line,
            column: span.start.column,
        });
    let root = err.find_root();
    let (kind, message) = match root {
        DataFusionError::SQL(parser_error, _) => (QueryErrorKind::Syntax, parser_error.to_string()),
        DataFusionError::Plan(_) | DataFusionError::SchemaError(..) => {
            (QueryErrorKind::Planning, root.message().into_owned())
        }
        DataFusionError::NotImplemented(_) => (
            QueryErrorKind::Planning,
            format!("not supported by the local engine: {}", root.message()),
        ),
        _ => (QueryErrorKind::Execution, root.message().into_owned()),
    };
    let message = clean_message(&message);
    let position = diagnostic_position.or_else(|| position_in_text(&message));
    QueryError {
        kind,
        message: strip_position(&message),
        position,
    }
}

/// sqlparser appends `at Line: 3, Column: 7` to its messages.
fn position_in_text(message: &str) -> Option<SqlPosition> {
    let start = message.rfind("Line: ")?;
    let rest = &message[start + "Line: ".len()..];
    let (line, rest) = rest.split_once(", Column: ")?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some(SqlPosition {
        line: line.trim().parse().ok()?,
        column: column.parse().ok()?,
    })
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at Line: ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// Drops the prefixes DataFusion nests ("sql parser error: ", "Error during planning: ") and
/// trailing whitespace so the message reads as one sentence.
fn clean_message(message: &str) -> String {
    let mut text = message.trim();
    for prefix in [
        "sql parser error: ",
        "SQL error: ",
        "Error during planning: ",
        "Schema error: ",
    ] {
        if let Some(rest) = text.strip_prefix(prefix) {
            text = rest;
        }
    }
    text.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_positions_are_read_from_the_message() {
        let p = position_in_text("Expected: an expression, found: FROM at Line: 3, Column: 12")
            .unwrap();
        assert_eq!((p.line, p.column), (3, 12));
        assert!(position_in_text("no position here").is_none());
        assert_eq!(
            strip_position("Expected: x, found: y at Line: 1, Column: 2"),
            "Expected: x, found: y"
        );
    }
}
