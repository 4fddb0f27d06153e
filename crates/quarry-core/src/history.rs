//! The query history: one JSON line per run in `history.jsonl` (through [`crate::jsonl`]),
//! and the listing a history or saved-query list shows for each query.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::text::{human_bytes, seconds, thousands, usd};

/// Most history entries a listing reads (the newest).
const HISTORY_SHOWN: usize = 5_000;

/// One run, as recorded in the history file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// RFC 3339 local time the run finished.
    pub time: String,
    /// Which source ran it (`local lake ~/…`, `athena eu-west-1 …`).
    pub source: String,
    pub sql: String,
    /// `succeeded`, `failed` or `cancelled`.
    pub state: String,
    pub bytes_scanned: u64,
    pub cost_usd: f64,
    pub rows: u64,
    pub total_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The rows were an earlier run's (Athena's result reuse, or the local engine's over
    /// unchanged files).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub result_reused: bool,
}

/// One query in a list of queries (a past run, a saved file, an Athena named query).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryItem {
    pub title: String,
    pub detail: String,
    pub sql: String,
    /// The file a saved query lives in, when the user may write it back.
    pub path: Option<PathBuf>,
}

/// Appends one run to the history file.
pub fn append_history(path: &Path, entry: &HistoryEntry) -> io::Result<()> {
    crate::jsonl::append(path, entry)
}

/// The newest runs first. A missing file is an empty history; lines that do not parse (a
/// crash mid-write, a newer version) are skipped.
pub fn read_history(path: &Path) -> io::Result<Vec<QueryItem>> {
    let entries: Vec<HistoryEntry> = crate::jsonl::read_all(path)?;
    Ok(entries
        .iter()
        .rev()
        .take(HISTORY_SHOWN)
        .map(HistoryEntry::to_item)
        .collect())
}

/// The first line of SQL that is not blank or a comment: a run's title in a listing.
pub fn first_sql_line(sql: &str) -> String {
    sql.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("--"))
        .unwrap_or_default()
        .to_owned()
}

impl HistoryEntry {
    /// The listing line for this run.
    pub fn to_item(&self) -> QueryItem {
        let first_line = first_sql_line(&self.sql);
        let outcome = match &self.error {
            Some(error) => format!("{} · {}", self.state, error.lines().next().unwrap_or("")),
            None => format!(
                "{} · {} rows · {} · {} · {}{}",
                self.state,
                thousands(self.rows),
                human_bytes(self.bytes_scanned),
                usd(self.cost_usd),
                seconds(self.total_ms),
                if self.result_reused { " · reused" } else { "" }
            ),
        };
        QueryItem {
            title: first_line,
            detail: format!(
                "{} · {} · {outcome}",
                self.time.get(..19).unwrap_or(&self.time).replace('T', " "),
                self.source
            ),
            sql: self.sql.clone(),
            path: None,
        }
    }
}

/// The `-- name:` and `-- description:` header of a saved query, if present.
pub fn saved_query_header(sql: &str) -> (Option<String>, Option<String>) {
    let mut name = None;
    let mut description = None;
    for line in sql.lines().take_while(|l| l.trim_start().starts_with("--")) {
        let line = line.trim_start().trim_start_matches('-').trim();
        if let Some(v) = line.strip_prefix("name:") {
            name = Some(v.trim().to_owned());
        } else if let Some(v) = line.strip_prefix("description:") {
            description = Some(v.trim().to_owned());
        }
    }
    (name, description)
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::io::Write;

    use super::*;

    fn entry(sql: &str) -> HistoryEntry {
        HistoryEntry {
            time: "2026-11-27T10:00:00+00:00".to_owned(),
            source: "local lake".to_owned(),
            sql: sql.to_owned(),
            state: "succeeded".to_owned(),
            bytes_scanned: 2048,
            cost_usd: 0.0,
            rows: 3,
            total_ms: 12,
            error: None,
            result_reused: false,
        }
    }

    #[test]
    fn history_appends_and_reads_newest_first_skipping_broken_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/history.jsonl");
        append_history(&path, &entry("SELECT 1")).unwrap();
        fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"half\n")
            .unwrap();
        append_history(&path, &entry("-- note\nSELECT 2")).unwrap();
        let items = read_history(&path).unwrap();
        let titles: Vec<&str> = items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["SELECT 2", "SELECT 1"]);
        assert!(items[0].detail.contains("3 rows"), "{}", items[0].detail);
        assert!(read_history(&dir.path().join("none")).unwrap().is_empty());
    }

    #[test]
    fn a_line_torn_by_a_crash_does_not_take_the_next_run_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.jsonl");
        append_history(&path, &entry("SELECT 1")).unwrap();
        // A crash mid-append: the start of an entry, no newline.
        fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"time\":\"2026-11-27T10:")
            .unwrap();
        append_history(&path, &entry("SELECT 3")).unwrap();
        let items = read_history(&path).unwrap();
        let titles: Vec<&str> = items.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["SELECT 3", "SELECT 1"]);
    }

    #[test]
    fn headers_name_and_describe_saved_queries() {
        let (name, description) =
            saved_query_header("-- name: Top errors\n-- description: The worst ones.\nSELECT 1");
        assert_eq!(name.as_deref(), Some("Top errors"));
        assert_eq!(description.as_deref(), Some("The worst ones."));
        assert_eq!(saved_query_header("SELECT 1 -- name: no"), (None, None));
    }
}
