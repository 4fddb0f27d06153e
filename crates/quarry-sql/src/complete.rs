//! Completion candidates for the word at the cursor: columns of the tables the statement reads
//! (through their aliases: `l.` after `FROM logs l` offers logs' columns), tables, databases,
//! keywords and the engine's functions.

use sqlparser::dialect::GenericDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, Tokenizer};

/// What a candidate is; drawn as a tag and used to order the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CandidateKind {
    Column,
    Alias,
    Table,
    Database,
    Keyword,
    Function,
}

/// One completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// What replaces the word being typed.
    pub text: String,
    pub kind: CandidateKind,
    /// A column's type and table, a table's database.
    pub detail: String,
}

/// A table the completer knows, with its columns when they are loaded.
#[derive(Debug, Clone, Default)]
pub struct KnownTable {
    pub database: String,
    pub name: String,
    /// `(name, type)`; `None` until the table's details are loaded.
    pub columns: Option<Vec<(String, String)>>,
}

/// Everything completion draws from.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    pub databases: Vec<String>,
    pub tables: Vec<KnownTable>,
    pub functions: Vec<String>,
}

/// The word being completed: `qualifier.prefix` or just `prefix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordAtCursor {
    pub qualifier: Option<String>,
    pub prefix: String,
}

/// A table the statement reads, and the alias it goes by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableReference {
    pub database: Option<String>,
    pub name: String,
    pub alias: Option<String>,
}

/// The keywords offered, in the case they are inserted.
const KEYWORDS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "GROUP BY",
    "ORDER BY",
    "HAVING",
    "LIMIT",
    "OFFSET",
    "JOIN",
    "LEFT JOIN",
    "RIGHT JOIN",
    "FULL JOIN",
    "CROSS JOIN",
    "INNER JOIN",
    "ON",
    "USING",
    "AS",
    "AND",
    "OR",
    "NOT",
    "IN",
    "IS NULL",
    "IS NOT NULL",
    "BETWEEN",
    "LIKE",
    "ILIKE",
    "DISTINCT",
    "UNION ALL",
    "UNION",
    "INTERSECT",
    "EXCEPT",
    "WITH",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "ASC",
    "DESC",
    "NULLS FIRST",
    "NULLS LAST",
    "OVER",
    "PARTITION BY",
    "ROWS BETWEEN",
    "CAST",
    "TRY_CAST",
    "INTERVAL",
    "TRUE",
    "FALSE",
    "NULL",
    "EXPLAIN",
    "EXPLAIN ANALYZE",
    "SHOW TABLES",
    "DESCRIBE",
    "UNNEST",
    "LATERAL",
    "FILTER",
    "EXISTS",
    "ALL",
    "ANY",
];

/// The identifier being typed just before `cursor` (a byte offset into `text`).
pub fn word_at(text: &str, cursor: usize) -> WordAtCursor {
    let before = &text[..cursor.min(text.len())];
    let prefix_start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_identifier_char(*c))
        .last()
        .map_or(before.len(), |(i, _)| i);
    let prefix = before[prefix_start..].to_owned();
    let qualifier = before[..prefix_start].strip_suffix('.').and_then(|head| {
        let start = head
            .char_indices()
            .rev()
            .take_while(|(_, c)| is_identifier_char(*c))
            .last()
            .map(|(i, _)| i)?;
        Some(head[start..].to_owned())
    });
    WordAtCursor { qualifier, prefix }
}

fn is_identifier_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The tables a statement reads in its `FROM` and `JOIN` clauses, with aliases. Text that does
/// not tokenize (an open quote while typing) reads no tables.
pub fn references(statement: &str) -> Vec<TableReference> {
    let Ok(tokens) = Tokenizer::new(&GenericDialect {}, statement).tokenize() else {
        return Vec::new();
    };
    let tokens: Vec<Token> = tokens
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)))
        .collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let starts_list = matches!(&tokens[i], Token::Word(w)
            if matches!(w.keyword, Keyword::FROM | Keyword::JOIN) && w.quote_style.is_none());
        i += 1;
        if !starts_list {
            continue;
        }
        // `FROM a x, b y`: a comma continues the list.
        while let Some((reference, next)) = table_reference(&tokens, i) {
            found.push(reference);
            i = next;
            if tokens.get(i) != Some(&Token::Comma) {
                break;
            }
            i += 1;
        }
    }
    found
}

/// `name`, `db.name`, each optionally followed by `[AS] alias`, starting at `i`.
fn table_reference(tokens: &[Token], mut i: usize) -> Option<(TableReference, usize)> {
    let first = plain_word(tokens.get(i)?)?;
    i += 1;
    let (database, name) = if tokens.get(i) == Some(&Token::Period) {
        let second = plain_word(tokens.get(i + 1)?)?;
        i += 2;
        (Some(first), second)
    } else {
        (None, first)
    };
    if matches!(tokens.get(i), Some(Token::Word(w)) if w.keyword == Keyword::AS) {
        i += 1;
    }
    let alias = match tokens.get(i) {
        Some(Token::Word(w)) if w.keyword == Keyword::NoKeyword || w.quote_style.is_some() => {
            i += 1;
            Some(w.value.clone())
        }
        _ => None,
    };
    Some((
        TableReference {
            database,
            name,
            alias,
        },
        i,
    ))
}

/// An identifier that can name a table (not `(`, not a clause keyword like `WHERE`).
fn plain_word(token: &Token) -> Option<String> {
    match token {
        Token::Word(w) if w.quote_style.is_some() => Some(w.value.clone()),
        Token::Word(w)
            if !matches!(
                w.keyword,
                Keyword::SELECT
                    | Keyword::WHERE
                    | Keyword::LATERAL
                    | Keyword::UNNEST
                    | Keyword::ON
                    | Keyword::GROUP
                    | Keyword::ORDER
            ) =>
        {
            Some(w.value.clone())
        }
        _ => None,
    }
}

/// Candidates for `word` in a statement reading `referenced`, best first. Unless asked
/// `explicitly`, an unqualified empty word offers nothing, so typing a space opens no popup.
pub fn candidates(
    word: &WordAtCursor,
    referenced: &[TableReference],
    vocabulary: &Vocabulary,
    explicit: bool,
) -> Vec<Candidate> {
    let mut out = match &word.qualifier {
        Some(qualifier) => qualified(qualifier, referenced, vocabulary),
        None if word.prefix.is_empty() && !explicit => return Vec::new(),
        None => unqualified(referenced, vocabulary),
    };
    let prefix = word.prefix.to_lowercase();
    out.retain(|c| {
        let text = c.text.to_lowercase();
        text.starts_with(&prefix) && text != prefix
    });
    out.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| a.text.cmp(&b.text)));
    out.dedup_by(|a, b| a.text == b.text && a.kind == b.kind);
    out
}

fn qualified(
    qualifier: &str,
    referenced: &[TableReference],
    vocabulary: &Vocabulary,
) -> Vec<Candidate> {
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    let by_alias = referenced.iter().find(|r| {
        r.alias.as_deref().is_some_and(|a| same(a, qualifier))
            || (r.alias.is_none() && same(&r.name, qualifier))
    });
    if let Some(reference) = by_alias {
        return columns_of(reference, vocabulary);
    }
    if vocabulary.databases.iter().any(|d| same(d, qualifier)) {
        return vocabulary
            .tables
            .iter()
            .filter(|t| same(&t.database, qualifier))
            .map(|t| Candidate {
                text: t.name.clone(),
                kind: CandidateKind::Table,
                detail: t.database.clone(),
            })
            .collect();
    }
    let table = TableReference {
        database: None,
        name: qualifier.to_owned(),
        alias: None,
    };
    columns_of(&table, vocabulary)
}

fn unqualified(referenced: &[TableReference], vocabulary: &Vocabulary) -> Vec<Candidate> {
    let mut out = Vec::new();
    for reference in referenced {
        out.extend(columns_of(reference, vocabulary));
        if let Some(alias) = &reference.alias {
            out.push(Candidate {
                text: alias.clone(),
                kind: CandidateKind::Alias,
                detail: reference.name.clone(),
            });
        }
    }
    out.extend(vocabulary.tables.iter().map(|t| Candidate {
        text: t.name.clone(),
        kind: CandidateKind::Table,
        detail: t.database.clone(),
    }));
    out.extend(vocabulary.databases.iter().map(|d| Candidate {
        text: d.clone(),
        kind: CandidateKind::Database,
        detail: String::new(),
    }));
    out.extend(KEYWORDS.iter().map(|k| Candidate {
        text: (*k).to_owned(),
        kind: CandidateKind::Keyword,
        detail: String::new(),
    }));
    out.extend(vocabulary.functions.iter().map(|f| Candidate {
        text: f.clone(),
        kind: CandidateKind::Function,
        detail: String::new(),
    }));
    out
}

/// The known table a reference names (its database, when given, must match too).
pub fn resolve<'a>(
    reference: &TableReference,
    vocabulary: &'a Vocabulary,
) -> Option<&'a KnownTable> {
    vocabulary.tables.iter().find(|t| {
        t.name.eq_ignore_ascii_case(&reference.name)
            && reference
                .database
                .as_deref()
                .is_none_or(|d| t.database.eq_ignore_ascii_case(d))
    })
}

fn columns_of(reference: &TableReference, vocabulary: &Vocabulary) -> Vec<Candidate> {
    let Some(table) = resolve(reference, vocabulary) else {
        return Vec::new();
    };
    table
        .columns
        .iter()
        .flatten()
        .map(|(name, data_type)| Candidate {
            text: name.clone(),
            kind: CandidateKind::Column,
            detail: format!("{data_type} · {}", table.name),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary() -> Vocabulary {
        let columns = |names: &[&str]| {
            Some(
                names
                    .iter()
                    .map(|n| ((*n).to_owned(), "string".to_owned()))
                    .collect(),
            )
        };
        Vocabulary {
            databases: vec!["logs_db".to_owned()],
            tables: vec![
                KnownTable {
                    database: "logs_db".to_owned(),
                    name: "logs".to_owned(),
                    columns: columns(&["source", "logtype", "message", "year"]),
                },
                KnownTable {
                    database: "logs_db".to_owned(),
                    name: "sources".to_owned(),
                    columns: columns(&["source", "team", "tier"]),
                },
            ],
            functions: vec!["sum".to_owned(), "substr".to_owned()],
        }
    }

    fn texts(statement: &str, cursor_marker: &str) -> Vec<String> {
        let cursor = statement.find(cursor_marker).unwrap();
        let statement = statement.replacen(cursor_marker, "", 1);
        candidates(
            &word_at(&statement, cursor),
            &references(&statement),
            &vocabulary(),
            false,
        )
        .into_iter()
        .map(|c| c.text)
        .collect()
    }

    #[test]
    fn an_alias_offers_its_tables_columns() {
        assert_eq!(
            texts("SELECT l.| FROM logs l", "|"),
            ["logtype", "message", "source", "year"]
        );
        assert_eq!(
            texts(
                "SELECT s.t| FROM logs AS l JOIN logs_db.sources s ON l.source = s.source",
                "|"
            ),
            ["team", "tier"]
        );
        // Without an alias the table name qualifies.
        assert_eq!(texts("SELECT logs.me| FROM logs", "|"), ["message"]);
    }

    #[test]
    fn a_database_offers_its_tables() {
        assert_eq!(texts("SELECT * FROM logs_db.|", "|"), ["logs", "sources"]);
    }

    #[test]
    fn a_bare_prefix_offers_columns_first_then_tables_keywords_and_functions() {
        assert_eq!(
            texts("SELECT s| FROM logs l, sources", "|"),
            [
                "source",
                "sources",
                "SELECT",
                "SHOW TABLES",
                "substr",
                "sum"
            ]
        );
    }

    #[test]
    fn nothing_is_offered_for_an_empty_word_or_an_exact_match() {
        assert!(texts("SELECT |", "|").is_empty());
        assert!(texts("SELECT * FROM sources|", "|").is_empty());
        assert_eq!(texts("SELECT * FROM logs|", "|"), ["logs_db"]);
    }

    #[test]
    fn references_read_from_and_join_lists() {
        let found = references(
            "SELECT * FROM logs_db.logs AS l LEFT JOIN sources s ON true, (SELECT 1) x WHERE a",
        );
        let names: Vec<(Option<&str>, &str, Option<&str>)> = found
            .iter()
            .map(|r| (r.database.as_deref(), r.name.as_str(), r.alias.as_deref()))
            .collect();
        assert_eq!(
            names,
            [
                (Some("logs_db"), "logs", Some("l")),
                (None, "sources", Some("s"))
            ]
        );
        assert_eq!(
            word_at("SELECT l.mess", 13),
            WordAtCursor {
                qualifier: Some("l".to_owned()),
                prefix: "mess".to_owned()
            }
        );
    }
}
