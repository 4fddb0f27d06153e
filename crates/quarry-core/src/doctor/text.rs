//! Findings as lines of text, for `quarry doctor` and the TUI's doctor overlay alike. The lines
//! quote names from the lake (paths, columns): callers escape them before a terminal sees them.

use super::{Evidence, Finding, Report};
use crate::text::{human_bytes, thousands};

/// Items named per list before the rest are counted.
const LISTED: usize = 6;

impl Report {
    /// `365 partitions on storage, 1,204 files (3.1 GiB), 1,204 footers, 12,345 rows`.
    pub fn examined_line(&self) -> String {
        let e = &self.examined;
        let catalog = match e.partitions_in_catalog {
            Some(n) => format!(" ({} in the catalog)", thousands(n)),
            None => String::new(),
        };
        format!(
            "{} on storage{catalog}, {} ({}), {} read, {}",
            super::plural(e.partitions_on_storage, "partition"),
            super::plural(e.data_files, "data file"),
            human_bytes(e.bytes),
            super::plural(e.footers_read, "footer"),
            super::plural(e.rows, "row"),
        )
    }

    /// `2 errors, 1 warning, 3 info` (or `no findings`).
    pub fn tally(&self) -> String {
        use super::Severity;
        if self.findings.is_empty() {
            return "no findings".to_owned();
        }
        format!(
            "{}, {}, {} info",
            super::plural(self.count(Severity::Error) as u64, "error"),
            super::plural(self.count(Severity::Warning) as u64, "warning"),
            self.count(Severity::Info)
        )
    }
}

impl Finding {
    /// The evidence and the fix, one line each, lists shortened to a few items.
    pub fn detail_lines(&self) -> Vec<String> {
        let mut lines = evidence_lines(&self.evidence);
        if let Some(error) = &self.athena_error {
            lines.push(format!("Athena: {error}"));
        }
        if let Some(fix) = &self.fix {
            lines.push(format!("fix: {}", fix.summary));
            if let Some(command) = &fix.command {
                lines.push(format!("  $ {command}"));
            }
            for statement in &fix.sql {
                lines.extend(statement.lines().map(|l| format!("  {l}")));
            }
            if let Some(action) = &fix.action {
                lines.push(format!(
                    "  quarry can {} (doctor --fix, or a in the TUI)",
                    action.describe()
                ));
            }
        }
        lines
    }
}

fn evidence_lines(evidence: &Evidence) -> Vec<String> {
    let mut lines = Vec::new();
    if !evidence.partitions.is_empty() {
        lines.push(format!("partitions: {}", listed(&evidence.partitions)));
    }
    for column in &evidence.columns {
        let side = |t: &Option<String>| t.clone().unwrap_or_else(|| "—".to_owned());
        lines.push(format!(
            "column {}: table {}, found {} ({})",
            column.name,
            side(&column.table_type),
            side(&column.found_type),
            thousands(column.count)
        ));
    }
    if !evidence.counts.is_empty() {
        let counts: Vec<String> = evidence
            .counts
            .iter()
            .map(|(name, n)| {
                if name.ends_with("bytes") {
                    format!("{name} {}", human_bytes(*n))
                } else {
                    format!("{name} {}", thousands(*n))
                }
            })
            .collect();
        lines.push(counts.join(" · "));
    }
    lines.extend(evidence.notes.iter().cloned());
    if !evidence.paths.is_empty() {
        lines.push(format!("e.g. {}", listed(&evidence.paths)));
    }
    lines
}

fn listed(items: &[String]) -> String {
    let shown: Vec<&str> = items.iter().take(LISTED).map(String::as_str).collect();
    match items.len().saturating_sub(LISTED) {
        0 => shown.join(", "),
        more => format!("{} and {} more", shown.join(", "), thousands(more as u64)),
    }
}
