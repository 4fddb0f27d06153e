//! What a query reads, from sqlparser's AST: the tables it scans (through aliases, CTEs,
//! subqueries, joins and set operations), the columns it uses of each, and the conditions that
//! apply to each table — so the partition keys they restrict, and the ones no engine can prune
//! on, can be told apart before the query runs.
//!
//! [`analyze`] knows nothing of the catalog. [`TableUse::partition_filter`] takes a table's
//! partition keys and turns its conditions into a [`KeyPred`] for pruning plus the problems
//! found on the way; [`hints::hints`] words those for the user.

mod conditions;
mod depth;
pub mod hints;
pub mod predicate;
mod scope;

use std::collections::BTreeSet;

use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

pub use hints::{Fix, Hint, HintCode, hints};
pub use predicate::{Blocker, CmpOp, ColumnRef, Conjoin, KeyPred, KeyValue, Literal, Pred};

use crate::statements::Position;

/// A range of a statement's text, 1-based, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: Position,
    pub end: Position,
}

/// A partition key's type, as far as pruning cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    String,
    Integer,
    Date,
    /// Anything else; conditions on it are not used for pruning.
    Other,
}

impl KeyType {
    /// The type of a catalog type name (`string`, `varchar(10)`, `int`, `bigint`, `date`).
    pub fn from_type_name(name: &str) -> Self {
        let name = name.trim().to_ascii_lowercase();
        let base = name.split('(').next().unwrap_or_default().trim();
        match base {
            "string" | "varchar" | "char" | "utf8" | "largeutf8" | "utf8view" => Self::String,
            "int" | "integer" | "bigint" | "smallint" | "tinyint" | "int8" | "int16" | "int32"
            | "int64" | "uint8" | "uint16" | "uint32" | "uint64" => Self::Integer,
            "date" | "date32" => Self::Date,
            _ => Self::Other,
        }
    }

    /// How hints name the type.
    pub fn describe(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Integer => "integer",
            Self::Date => "date",
            Self::Other => "typed",
        }
    }
}

/// One partition key of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionKey {
    pub name: String,
    pub key_type: KeyType,
}

impl PartitionKey {
    /// A key named `name` of catalog type `type_name`.
    pub fn new(name: &str, type_name: &str) -> Self {
        Self {
            name: name.to_ascii_lowercase(),
            key_type: KeyType::from_type_name(type_name),
        }
    }
}

/// The columns a query reads of one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnsUsed {
    /// `SELECT *` or `t.*`.
    All,
    /// Lowercased names. Unqualified names in a join are counted for every table, so this can
    /// name columns the table does not have; intersect with the table's columns.
    Some(BTreeSet<String>),
}

impl ColumnsUsed {
    /// True when `column` is read.
    pub fn includes(&self, column: &str) -> bool {
        match self {
            Self::All => true,
            Self::Some(names) => names.contains(&column.to_ascii_lowercase()),
        }
    }
}

/// One scan of a table by a statement. A table read twice (a self-join, both sides of a
/// `UNION`, a CTE referenced twice) is two uses: Athena reads it twice.
#[derive(Debug, Clone, PartialEq)]
pub struct TableUse {
    /// The name as written, lowercased: `[table]`, `[database, table]` or
    /// `[catalog, database, table]`.
    pub name: Vec<String>,
    pub alias: Option<String>,
    /// Where the name is in the statement.
    pub span: Span,
    /// Every condition that filters this scan's rows, on this table's columns (unqualified).
    pub filter: Pred,
    pub columns: ColumnsUsed,
    /// The use came with `SELECT *` (or `t.*`).
    pub star: bool,
}

impl TableUse {
    /// The table's own name (last part).
    pub fn table(&self) -> &str {
        self.name.last().map_or("", String::as_str)
    }

    /// The database part, when written.
    pub fn database(&self) -> Option<&str> {
        (self.name.len() >= 2).then(|| self.name[self.name.len() - 2].as_str())
    }

    /// How the query refers to the table: its alias, else its name as written.
    pub fn reference(&self) -> String {
        self.alias.clone().unwrap_or_else(|| self.name.join("."))
    }

    /// This use's conditions on `keys`, for pruning, and what stood in the way.
    pub fn partition_filter(&self, keys: &[PartitionKey]) -> (KeyPred, Vec<hints::KeyProblem>) {
        hints::project(&self.filter, keys)
    }
}

/// What one statement reads.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementAnalysis {
    pub tables: Vec<TableUse>,
    /// The statement ends in `LIMIT`/`FETCH`: an engine may stop reading early, so what it
    /// reads can be less than the tables' columns.
    pub limited: bool,
    /// An expression nests past [`MAX_EXPRESSION_DEPTH`]; the statement was not analyzed.
    pub too_deep: bool,
}

/// Longest SQL analyzed; longer text (generated SQL, pasted data) gets no hints.
pub const MAX_ANALYZED_BYTES: usize = 64 * 1024;
/// Deepest expression analyzed. The parser builds `a AND b AND …` chains without a depth limit,
/// and walking a chain thousands deep would exhaust the stack.
pub const MAX_EXPRESSION_DEPTH: usize = 256;

/// Analyzes every statement of `sql`. Text that does not parse yields nothing: while the user
/// types, most text is unfinished, and silence is the right answer. So does text past
/// [`MAX_ANALYZED_BYTES`], and a statement with expressions deeper than
/// [`MAX_EXPRESSION_DEPTH`] is reported as reading no table.
pub fn analyze(sql: &str) -> Vec<StatementAnalysis> {
    if sql.len() > MAX_ANALYZED_BYTES {
        return Vec::new();
    }
    let Ok(statements) = Parser::parse_sql(&GenericDialect {}, sql) else {
        return Vec::new();
    };
    statements
        .iter()
        .map(|statement| {
            let too_deep = depth::deeper_than(statement, MAX_EXPRESSION_DEPTH);
            StatementAnalysis {
            too_deep,
            tables: if too_deep {
                Vec::new()
            } else {
                scope::tables_of(statement)
            },
            limited: matches!(
                statement,
                sqlparser::ast::Statement::Query(q) if q.limit_clause.is_some() || q.fetch.is_some()
            ),
        }
        })
        .collect()
}
