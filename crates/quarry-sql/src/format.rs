//! Formatting one statement with sqlparser's pretty printer: keywords upper case, one clause
//! per line, nested parts indented.

use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

/// The statement pretty-printed. Refuses statements with comments (the printer would drop
/// them) and text that does not parse (the message says where).
pub fn format_statement(sql: &str) -> Result<String, String> {
    let tokens = Tokenizer::new(&GenericDialect {}, sql)
        .tokenize()
        .map_err(|e| e.to_string())?;
    let has_comment = tokens.iter().any(|t| {
        matches!(
            t,
            Token::Whitespace(
                Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_)
            )
        )
    });
    if has_comment {
        return Err(
            "not formatted: the statement has comments, which formatting would drop".to_owned(),
        );
    }
    let statements =
        Parser::parse_sql(&GenericDialect {}, sql).map_err(|e| format!("not formatted: {e}"))?;
    match statements.as_slice() {
        [statement] => Ok(format!("{statement:#}")),
        _ => Err("not formatted: select one statement".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_keeps_the_meaning_and_spreads_clauses_over_lines() {
        let sql = "select source, count(*) n from logs l join sources s on l.source=s.source where year='2023' and (month='01' or month='02') group by source order by n desc limit 5";
        let formatted = format_statement(sql).unwrap();
        assert!(formatted.lines().count() >= 5, "{formatted}");
        assert!(
            formatted.contains("SELECT") && formatted.contains("GROUP BY"),
            "{formatted}"
        );
        // Same statement before and after.
        let before = Parser::parse_sql(&GenericDialect {}, sql).unwrap();
        let after = Parser::parse_sql(&GenericDialect {}, &formatted).unwrap();
        assert_eq!(before, after);
        // Formatting is stable.
        assert_eq!(format_statement(&formatted).unwrap(), formatted);
    }

    #[test]
    fn comments_and_bad_sql_are_refused() {
        assert!(
            format_statement("SELECT 1 -- why")
                .unwrap_err()
                .contains("comments")
        );
        assert!(
            format_statement("SELEC 1")
                .unwrap_err()
                .starts_with("not formatted")
        );
    }
}
