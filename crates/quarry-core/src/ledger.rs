//! The cost ledger: every query that scanned data, with bytes and dollars, one JSON line each
//! in `ledger.jsonl` beside the history; and its totals per session, per day and per
//! workgroup, for the TUI's overlay and `quarry query --stats-json`.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::backend::{EngineKind, QueryStats};

/// The ledger's workgroup for runs on kept tables (the local engine over the cache lake).
pub const KEPT_WORKGROUP: &str = "kept";

/// Days of per-day totals the summary keeps (newest first).
const DAYS_SHOWN: usize = 14;

/// One billed (or, on the local engine, would-be billed) query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// RFC 3339, local time.
    pub time: String,
    /// `YYYY-MM-DD`, local time, for per-day totals.
    pub day: String,
    /// Which quarry process ran it.
    pub session: String,
    /// `athena` or `local`.
    pub engine: String,
    /// The Athena workgroup; `local` for the local engine.
    pub workgroup: String,
    pub bytes_scanned: u64,
    pub billed_bytes: u64,
    pub cost_usd: f64,
    #[serde(default)]
    pub query_id: Option<String>,
    /// A run on kept tables: what Athena would have billed for it (the run cost nothing).
    #[serde(default)]
    pub saved_usd: f64,
}

impl LedgerEntry {
    /// The entry for a finished query's statistics, now.
    pub fn for_stats(session: &str, stats: &QueryStats) -> Self {
        let now = chrono::Local::now();
        let athena = stats.engine == EngineKind::Athena;
        Self {
            time: now.to_rfc3339(),
            day: now.format("%Y-%m-%d").to_string(),
            session: session.to_owned(),
            engine: if athena { "athena" } else { "local" }.to_owned(),
            workgroup: match (&stats.athena, stats.saved_usd) {
                (Some(a), _) => a.workgroup.clone().unwrap_or_else(|| "primary".to_owned()),
                (None, Some(_)) => KEPT_WORKGROUP.to_owned(),
                (None, None) => "local".to_owned(),
            },
            // A local run counts what Athena would have scanned, as its dollars do.
            bytes_scanned: stats.athena_bytes(),
            billed_bytes: stats.billed_bytes,
            cost_usd: stats.cost_usd,
            query_id: stats.athena.as_ref().map(|a| a.query_execution_id.clone()),
            saved_usd: stats.saved_usd.unwrap_or(0.0),
        }
    }
}

/// Queries, bytes and dollars added up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Totals {
    pub queries: u64,
    pub bytes_scanned: u64,
    pub billed_bytes: u64,
    pub cost_usd: f64,
    /// What runs on kept tables would have cost on Athena.
    pub saved_usd: f64,
    /// Runs on kept tables among `queries`.
    pub kept_runs: u64,
}

impl Totals {
    fn add(&mut self, entry: &LedgerEntry) {
        self.queries += 1;
        self.bytes_scanned += entry.bytes_scanned;
        self.billed_bytes += entry.billed_bytes;
        self.cost_usd += entry.cost_usd;
        self.saved_usd += entry.saved_usd;
        self.kept_runs += u64::from(entry.workgroup == KEPT_WORKGROUP);
    }
}

/// The ledger's totals.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LedgerSummary {
    pub session: Totals,
    pub today: Totals,
    pub all_time: Totals,
    /// Per day, newest first, at most two weeks.
    pub days: Vec<(String, Totals)>,
    /// Per workgroup, all time.
    pub workgroups: BTreeMap<String, Totals>,
}

impl LedgerSummary {
    /// Adds up `entries` for `session` and the day `today` (`YYYY-MM-DD`).
    pub fn of(entries: &[LedgerEntry], session: &str, today: &str) -> Self {
        let mut summary = Self::default();
        let mut days: BTreeMap<String, Totals> = BTreeMap::new();
        for entry in entries {
            summary.all_time.add(entry);
            if entry.session == session {
                summary.session.add(entry);
            }
            if entry.day == today {
                summary.today.add(entry);
            }
            days.entry(entry.day.clone()).or_default().add(entry);
            summary
                .workgroups
                .entry(entry.workgroup.clone())
                .or_default()
                .add(entry);
        }
        summary.days = days.into_iter().rev().take(DAYS_SHOWN).collect();
        summary
    }
}

/// The ledger file under the data folder.
pub fn ledger_path(data_dir: &Path) -> PathBuf {
    data_dir.join("ledger.jsonl")
}

/// Appends one entry (see [`crate::jsonl`] for what a crash may and may not do to it).
pub fn append(path: &Path, entry: &LedgerEntry) -> io::Result<()> {
    crate::jsonl::append(path, entry)
}

/// Every entry; a missing file is an empty ledger and unreadable lines are skipped.
pub fn read(path: &Path) -> io::Result<Vec<LedgerEntry>> {
    crate::jsonl::read_all(path)
}

/// Today's date as the ledger writes it.
pub fn today() -> String {
    chrono::Local::now().format("%Y-%m-%d").to_string()
}

/// An id for this process's session.
pub fn new_session_id() -> String {
    format!(
        "{}-{}",
        chrono::Local::now().format("%Y%m%dT%H%M%S"),
        std::process::id()
    )
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::io::Write;

    use super::*;

    fn entry(session: &str, day: &str, workgroup: &str, bytes: u64, usd: f64) -> LedgerEntry {
        LedgerEntry {
            time: format!("{day}T12:00:00+00:00"),
            day: day.to_owned(),
            session: session.to_owned(),
            engine: "athena".to_owned(),
            workgroup: workgroup.to_owned(),
            bytes_scanned: bytes,
            billed_bytes: bytes.max(10 << 20),
            cost_usd: usd,
            query_id: None,
            saved_usd: 0.0,
        }
    }

    #[test]
    fn totals_split_by_session_day_and_workgroup() {
        let entries = [
            entry("a", "2026-11-25", "primary", 100, 0.5),
            entry("b", "2026-11-26", "analysts", 200, 0.25),
            entry("b", "2026-11-26", "primary", 300, 0.125),
        ];
        let summary = LedgerSummary::of(&entries, "b", "2026-11-26");
        assert_eq!(summary.session.queries, 2);
        assert_eq!(summary.session.bytes_scanned, 500);
        assert!((summary.today.cost_usd - 0.375).abs() < 1e-12);
        assert_eq!(summary.all_time.queries, 3);
        assert_eq!(summary.days[0].0, "2026-11-26");
        assert_eq!(summary.days[1].1.bytes_scanned, 100);
        assert_eq!(summary.workgroups["primary"].bytes_scanned, 400);
        assert_eq!(summary.workgroups["analysts"].queries, 1);
    }

    #[test]
    fn the_file_round_trips_and_skips_torn_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = ledger_path(dir.path());
        append(&path, &entry("a", "2026-11-25", "primary", 1, 0.1)).unwrap();
        let mut file = fs::OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"{\"time\": \"torn").unwrap();
        drop(file);
        append(&path, &entry("a", "2026-11-26", "primary", 2, 0.2)).unwrap();
        let bytes: Vec<u64> = read(&path)
            .unwrap()
            .iter()
            .map(|e| e.bytes_scanned)
            .collect();
        assert_eq!(
            bytes,
            [1, 2],
            "the torn line is skipped and takes nothing with it"
        );
        assert!(read(&dir.path().join("missing")).unwrap().is_empty());
    }
}
