//! Adding a condition to a query's WHERE clause: with `AND` into an existing one (wrapping it
//! in parentheses when it has a top-level `OR`), or as a new `WHERE` after the `FROM` clause.
//! The result is a list of insertions, so the editor applies them as ordinary (undoable) edits.

use sqlparser::dialect::GenericDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::statements::Position;

/// Text to insert at a 1-based position of the statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insertion {
    pub at: Position,
    pub text: String,
}

/// Keywords that end a `WHERE` clause (or mark where a new one goes) at the top level.
const CLAUSE_AFTER_WHERE: &[Keyword] = &[
    Keyword::GROUP,
    Keyword::HAVING,
    Keyword::WINDOW,
    Keyword::QUALIFY,
    Keyword::ORDER,
    Keyword::LIMIT,
    Keyword::OFFSET,
    Keyword::FETCH,
    Keyword::UNION,
    Keyword::EXCEPT,
    Keyword::INTERSECT,
];

/// The insertions that add `condition` to `statement`, last position first so applying them
/// in order keeps the earlier positions valid. `None` when the statement has no top-level
/// `FROM` (nothing to filter) or does not tokenize.
///
/// Only the first top-level `SELECT` of a `UNION` is changed: the filter is about one table,
/// and the user can move it.
pub fn add_condition(statement: &str, condition: &str) -> Option<Vec<Insertion>> {
    let tokens = Tokenizer::new(&GenericDialect {}, statement)
        .tokenize_with_location()
        .ok()?;
    let top = top_level(&tokens);
    let multiline = statement.trim().contains('\n');
    let from = top.iter().position(|t| is_keyword(t, Keyword::FROM))?;
    let end = top[from..]
        .iter()
        .position(|t| CLAUSE_AFTER_WHERE.iter().any(|k| is_keyword(t, *k)))
        .map_or(top.len(), |i| from + i);
    let where_at = top[from..end]
        .iter()
        .position(|t| is_keyword(t, Keyword::WHERE))
        .map(|i| from + i);
    let last_before_end = last_meaningful_before(&tokens, top.get(end).copied())?;
    let after_last = position(last_before_end.span.end);
    let Some(where_at) = where_at else {
        let separator = if multiline { "\n" } else { " " };
        return Some(vec![Insertion {
            at: after_last,
            text: format!("{separator}WHERE {condition}"),
        }]);
    };
    let separator = if multiline { "\n  " } else { " " };
    let and = Insertion {
        at: after_last,
        text: format!("{separator}AND {condition}"),
    };
    let where_token = top[where_at];
    if !has_top_level_or(&tokens, where_token, top.get(end).copied()) {
        return Some(vec![and]);
    }
    let first_of_condition = tokens
        .iter()
        .skip_while(|t| !std::ptr::eq(*t, where_token))
        .skip(1)
        .find(|t| meaningful(t))?;
    Some(vec![
        Insertion {
            at: after_last,
            text: format!("){}", and.text),
        },
        Insertion {
            at: position(first_of_condition.span.start),
            text: "(".to_owned(),
        },
    ])
}

/// True when `statement` mentions `name` as a word (a table name, possibly qualified).
pub fn mentions(statement: &str, name: &str) -> bool {
    let Ok(tokens) = Tokenizer::new(&GenericDialect {}, statement).tokenize() else {
        return false;
    };
    tokens
        .iter()
        .any(|t| matches!(t, Token::Word(w) if w.value.eq_ignore_ascii_case(name)))
}

/// Tokens at parenthesis depth 0, up to the end of the first top-level query of a set
/// operation's operands (the `UNION` keyword itself is kept as the end marker).
fn top_level(tokens: &[TokenWithSpan]) -> Vec<&TokenWithSpan> {
    let mut depth = 0usize;
    let mut top = Vec::new();
    for token in tokens {
        match token.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ if depth == 0 && meaningful(token) => top.push(token),
            _ => {}
        }
    }
    top
}

/// The last non-whitespace, non-comment token before `end` (or before the end of input).
fn last_meaningful_before<'a>(
    tokens: &'a [TokenWithSpan],
    end: Option<&TokenWithSpan>,
) -> Option<&'a TokenWithSpan> {
    let stop = end.map_or(tokens.len(), |end| {
        tokens
            .iter()
            .position(|t| std::ptr::eq(t, end))
            .unwrap_or(tokens.len())
    });
    tokens[..stop].iter().rev().find(|t| meaningful(t))
}

fn has_top_level_or(
    tokens: &[TokenWithSpan],
    where_token: &TokenWithSpan,
    end: Option<&TokenWithSpan>,
) -> bool {
    let mut depth = 0usize;
    let mut inside = false;
    for token in tokens {
        if std::ptr::eq(token, where_token) {
            inside = true;
            continue;
        }
        if end.is_some_and(|end| std::ptr::eq(token, end)) {
            break;
        }
        if !inside {
            continue;
        }
        match token.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ if depth == 0 && is_keyword(token, Keyword::OR) => return true,
            _ => {}
        }
    }
    false
}

fn meaningful(token: &TokenWithSpan) -> bool {
    !matches!(
        token.token,
        Token::Whitespace(_) | Token::EOF | Token::SemiColon
    )
}

fn is_keyword(token: &TokenWithSpan, keyword: Keyword) -> bool {
    matches!(&token.token, Token::Word(w) if w.keyword == keyword && w.quote_style.is_none())
}

/// The expression behind output column `column` of the statement's first `SELECT` (its
/// alias's expression, or the column itself), written as SQL: what a condition on a result
/// column must say in the `WHERE`, where aliases mean nothing.
pub fn output_expression(statement: &str, column: &str) -> Option<String> {
    use sqlparser::ast::{Expr, SelectItem, SetExpr, Statement};
    let parsed = sqlparser::parser::Parser::parse_sql(&GenericDialect {}, statement).ok()?;
    let Some(Statement::Query(query)) = parsed.into_iter().next() else {
        return None;
    };
    let SetExpr::Select(select) = *query.body else {
        return None;
    };
    select.projection.iter().find_map(|item| match item {
        SelectItem::ExprWithAlias { expr, alias } if alias.value.eq_ignore_ascii_case(column) => {
            Some(expr.to_string())
        }
        SelectItem::UnnamedExpr(Expr::Identifier(name))
            if name.value.eq_ignore_ascii_case(column) =>
        {
            Some(name.to_string())
        }
        SelectItem::UnnamedExpr(Expr::CompoundIdentifier(parts))
            if parts
                .last()
                .is_some_and(|p| p.value.eq_ignore_ascii_case(column)) =>
        {
            Some(item.to_string())
        }
        _ => None,
    })
}

fn position(location: sqlparser::tokenizer::Location) -> Position {
    Position {
        line: location.line,
        column: location.column,
    }
}

/// Applies insertions (as returned by [`add_condition`]) to a string, for tests and headless
/// use; the editor applies them through its own edit operations instead.
pub fn apply(statement: &str, insertions: &[Insertion]) -> String {
    let mut text = statement.to_owned();
    for insertion in insertions {
        let offset = super::statements::byte_offset(&text, insertion.at);
        text.insert_str(offset, &insertion.text);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn added(sql: &str, condition: &str) -> String {
        apply(sql, &add_condition(sql, condition).unwrap())
    }

    #[test]
    fn a_query_without_where_gets_one_before_its_later_clauses() {
        assert_eq!(
            added("SELECT * FROM logs LIMIT 10", "year = '2024'"),
            "SELECT * FROM logs WHERE year = '2024' LIMIT 10"
        );
        assert_eq!(
            added(
                "SELECT logtype, count(*)\nFROM logs l\nGROUP BY 1\nORDER BY 2 DESC",
                "l.year = '2024'"
            ),
            "SELECT logtype, count(*)\nFROM logs l\nWHERE l.year = '2024'\nGROUP BY 1\nORDER BY 2 DESC"
        );
        assert_eq!(
            added("SELECT * FROM logs -- all of it\n", "day = '01'"),
            "SELECT * FROM logs WHERE day = '01' -- all of it\n",
            "the condition goes before a trailing comment, not into it"
        );
    }

    #[test]
    fn an_existing_where_is_extended_with_and() {
        assert_eq!(
            added(
                "SELECT * FROM logs WHERE level = 'ERROR' LIMIT 5",
                "month = '09'"
            ),
            "SELECT * FROM logs WHERE level = 'ERROR' AND month = '09' LIMIT 5"
        );
        // Subqueries and CTE bodies are not the top level.
        assert_eq!(
            added(
                "WITH x AS (SELECT * FROM a WHERE b LIMIT 1) SELECT * FROM x WHERE c IN (SELECT d FROM e WHERE f)",
                "g"
            ),
            "WITH x AS (SELECT * FROM a WHERE b LIMIT 1) SELECT * FROM x WHERE c IN (SELECT d FROM e WHERE f) AND g"
        );
    }

    #[test]
    fn a_top_level_or_is_wrapped_so_the_filter_applies_to_all_of_it() {
        assert_eq!(
            added(
                "SELECT * FROM logs WHERE a = 1 OR b = 2 ORDER BY 1",
                "day = '01'"
            ),
            "SELECT * FROM logs WHERE (a = 1 OR b = 2) AND day = '01' ORDER BY 1"
        );
        // An OR inside parentheses needs no wrapping.
        assert_eq!(
            added("SELECT * FROM logs WHERE (a OR b)", "c"),
            "SELECT * FROM logs WHERE (a OR b) AND c"
        );
    }

    #[test]
    fn only_the_first_operand_of_a_union_is_changed() {
        assert_eq!(
            added("SELECT a FROM x UNION ALL SELECT a FROM y", "k = '1'"),
            "SELECT a FROM x WHERE k = '1' UNION ALL SELECT a FROM y"
        );
    }

    #[test]
    fn statements_without_from_cannot_be_filtered() {
        assert!(add_condition("SELECT 1", "a").is_none());
        assert!(add_condition("SELECT (SELECT 1 FROM t)", "a").is_none());
    }

    #[test]
    fn keywords_in_strings_and_quoted_names_are_not_clauses() {
        assert_eq!(
            added(
                "SELECT \"where\" FROM logs WHERE message = 'ORDER BY x'",
                "c"
            ),
            "SELECT \"where\" FROM logs WHERE message = 'ORDER BY x' AND c"
        );
        assert!(mentions("SELECT * FROM lake.Logs l", "logs"));
        assert!(!mentions("SELECT 'logs' FROM other", "logs"));
    }

    #[test]
    fn a_result_column_leads_back_to_its_expression() {
        let sql = "SELECT date_trunc('hour', from_unixtime(\"timestamp\" / 1000)) AS hour, l.logtype, count(*) AS n FROM logs_db.logs l GROUP BY 1, 2";
        assert_eq!(
            output_expression(sql, "hour").as_deref(),
            Some("date_trunc('hour', from_unixtime(\"timestamp\" / 1000))")
        );
        assert_eq!(
            output_expression(sql, "logtype").as_deref(),
            Some("l.logtype")
        );
        assert_eq!(output_expression(sql, "missing"), None);
    }
}
