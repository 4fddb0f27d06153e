//! Errors the backends report. Each reads as a sentence that tells the user what to do.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// A 1-based position in the SQL text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SqlPosition {
    pub line: u64,
    pub column: u64,
}

/// What went wrong with a query, in groups a caller can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryErrorKind {
    /// The SQL does not parse.
    Syntax,
    /// The SQL parses but names something that does not exist or does not type-check.
    Planning,
    /// The engine failed while running (I/O, corrupt data, resources).
    Execution,
    /// The user cancelled the query.
    Cancelled,
    /// The query id is not known to the engine.
    UnknownQuery,
}

/// A query failure with the engine's message and, when known, where in the SQL it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct QueryError {
    pub kind: QueryErrorKind,
    pub message: String,
    pub position: Option<SqlPosition>,
}

impl QueryError {
    /// Builds an error without a position.
    pub fn new(kind: QueryErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            position: None,
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(p) => write!(f, "{} (line {}, column {})", self.message, p.line, p.column),
            None => f.write_str(&self.message),
        }
    }
}

/// A failure to read the catalog.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error(
        "the lake folder {0} does not exist; create it with `quarry demo --dir {0}` or pass --lake DIR"
    )]
    LakeMissing(PathBuf),
    #[error("{0} is not a folder; pass the folder that holds the databases with --lake DIR")]
    LakeNotADirectory(PathBuf),
    #[error("database {0} not found")]
    DatabaseNotFound(String),
    #[error("table {0} not found")]
    TableNotFound(String),
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("partition page token {0:?} is not valid for this table")]
    BadPageToken(String),
    /// A remote catalog failed; the text is a full sentence naming what to do.
    #[error("{0}")]
    Service(String),
}
