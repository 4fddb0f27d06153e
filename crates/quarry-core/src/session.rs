//! Files quarry keeps between runs, under the user data folder: where the history and the
//! ledger live, the open buffers of the last session, and the recovery file written after a
//! crash. Also the saved-query lists: the examples built in and the user's own folder.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::history::{QueryItem, saved_query_header};

/// The example queries shipped in `saved-queries/`, built in so they work from any folder.
const BUILT_IN_QUERIES: [(&str, &str); 4] = [
    (
        "logs-by-type-for-a-month.sql",
        include_str!("../../../saved-queries/logs-by-type-for-a-month.sql"),
    ),
    (
        "error-rate-per-day.sql",
        include_str!("../../../saved-queries/error-rate-per-day.sql"),
    ),
    (
        "top-error-messages.sql",
        include_str!("../../../saved-queries/top-error-messages.sql"),
    ),
    (
        "busiest-sources-per-hour.sql",
        include_str!("../../../saved-queries/busiest-sources-per-hour.sql"),
    ),
];

/// Where the session's files live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFiles {
    pub history: PathBuf,
    pub session: PathBuf,
    pub recovery: PathBuf,
    /// The user's saved queries (`*.sql`).
    pub queries: PathBuf,
    /// Bytes and dollars of every query (see [`crate::ledger`]).
    pub ledger: PathBuf,
}

impl SessionFiles {
    /// The files under `data_dir`.
    pub fn under(data_dir: &Path) -> Self {
        Self {
            history: data_dir.join("history.jsonl"),
            session: data_dir.join("session.json"),
            recovery: data_dir.join("recovery.json"),
            queries: data_dir.join("saved-queries"),
            ledger: crate::ledger::ledger_path(data_dir),
        }
    }
}

/// One editor buffer as kept between runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedBuffer {
    pub title: String,
    #[serde(default)]
    pub path: Option<PathBuf>,
    pub text: String,
}

/// The editor as kept between runs (or rescued from a crash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedSession {
    pub buffers: Vec<SavedBuffer>,
    #[serde(default)]
    pub active: usize,
    /// When it was written (RFC 3339).
    #[serde(default)]
    pub time: String,
    /// The values last given to each statement's parameters, offered again next time.
    #[serde(default)]
    pub parameters: std::collections::BTreeMap<String, Vec<String>>,
}

/// The user's saved queries (sorted by file name), then the built-in examples.
pub fn saved_queries(user_dir: &Path) -> io::Result<Vec<QueryItem>> {
    let mut items = Vec::new();
    match fs::read_dir(user_dir) {
        Ok(entries) => {
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "sql"))
                .collect();
            files.sort();
            for file in files {
                let sql = fs::read_to_string(&file)?;
                items.push(saved_item(&file.display().to_string(), &sql, Some(file)));
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    items.extend(built_in_queries());
    Ok(items)
}

/// The examples shipped with quarry.
pub fn built_in_queries() -> Vec<QueryItem> {
    BUILT_IN_QUERIES
        .iter()
        .map(|(name, sql)| saved_item(&format!("example {name}"), sql, None))
        .collect()
}

fn saved_item(origin: &str, sql: &str, path: Option<PathBuf>) -> QueryItem {
    let (name, description) = saved_query_header(sql);
    let fallback = || {
        path.as_deref()
            .and_then(Path::file_stem)
            .map_or_else(|| origin.to_owned(), |s| s.to_string_lossy().into_owned())
    };
    QueryItem {
        title: name.unwrap_or_else(fallback),
        detail: match description {
            Some(d) if !d.is_empty() => format!("{d} · {origin}"),
            _ => origin.to_owned(),
        },
        sql: sql.to_owned(),
        path,
    }
}

/// Writes a session file atomically (temp file, then rename), so a crash mid-write leaves the
/// previous one.
pub fn write_session(path: &Path, session: &SavedSession) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let temp = path.with_extension("json.part");
    let text = serde_json::to_string_pretty(session).map_err(io::Error::other)?;
    fs::write(&temp, text)?;
    fs::rename(&temp, path)
}

/// Reads a session file; `None` when there is none or it does not parse.
pub fn read_session(path: &Path) -> Option<SavedSession> {
    let text = fs::read_to_string(path).ok()?;
    serde_json::from_str(&text).ok()
}

/// Reads and removes the recovery file, so it is offered once.
pub fn take_recovery(path: &Path) -> Option<SavedSession> {
    let session = read_session(path)?;
    let _ = fs::remove_file(path);
    Some(session)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_queries_list_the_users_files_then_the_examples() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("b.sql"), "SELECT 2").unwrap();
        fs::write(
            dir.path().join("a.sql"),
            "-- name: First\n-- description: one\nSELECT 1",
        )
        .unwrap();
        fs::write(dir.path().join("notes.txt"), "not a query").unwrap();
        let items = saved_queries(dir.path()).unwrap();
        let titles: Vec<&str> = items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "First",
                "b",
                "Log types for a month",
                "Error rate per day",
                "Top error messages",
                "Busiest sources per hour"
            ]
        );
        assert_eq!(
            items[0].path.as_deref(),
            Some(dir.path().join("a.sql").as_path())
        );
        assert!(items[2].path.is_none(), "examples are not written back");
    }

    #[test]
    fn sessions_round_trip_and_recovery_is_taken_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("recovery.json");
        let session = SavedSession {
            buffers: vec![SavedBuffer {
                title: "query 1".to_owned(),
                path: None,
                text: "SELECT 'ünïcode'".to_owned(),
            }],
            active: 0,
            time: String::new(),
            parameters: [("SELECT ?".to_owned(), vec!["'05'".to_owned()])].into(),
        };
        write_session(&path, &session).unwrap();
        assert_eq!(take_recovery(&path), Some(session));
        assert_eq!(take_recovery(&path), None);
    }
}
