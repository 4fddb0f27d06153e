//! One-line summaries of query statistics, shared by the headless command and the TUI.

use crate::backend::QueryStats;
use crate::text::{human_bytes, seconds, thousands, usd};

/// `scanned 1.2 MB of 113 MB · 1/365 partitions · 12,345 rows · 0.04 s · $0.00005 on Athena`.
pub fn stats_line(stats: &QueryStats) -> String {
    let mut parts = Vec::new();
    parts.push(match stats.bytes_total {
        Some(total) if total > 0 => {
            format!(
                "scanned {} of {}",
                human_bytes(stats.bytes_scanned),
                human_bytes(total)
            )
        }
        _ => format!("scanned {}", human_bytes(stats.bytes_scanned)),
    });
    if stats.partitions_total > 0 {
        parts.push(format!(
            "{}/{} partitions",
            thousands(stats.partitions_scanned),
            thousands(stats.partitions_total)
        ));
    } else if stats.files_total > 0 {
        parts.push(format!(
            "{}/{} files",
            thousands(stats.files_scanned),
            thousands(stats.files_total)
        ));
    }
    parts.push(format!("{} rows", thousands(stats.rows)));
    parts.push(seconds(stats.total_ms));
    parts.push(format!("{} on Athena", usd(stats.cost_usd)));
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_reads_as_the_issue_describes() {
        let stats = QueryStats {
            bytes_scanned: 1_258_291,
            bytes_total: Some(118_489_088),
            partitions_scanned: 1,
            partitions_total: 365,
            rows: 12_345,
            total_ms: 40,
            cost_usd: 0.000_047_68,
            ..QueryStats::default()
        };
        assert_eq!(
            stats_line(&stats),
            "scanned 1.2 MB of 113 MB · 1/365 partitions · 12,345 rows · 0.04 s · $0.000048 on Athena"
        );
    }

    #[test]
    fn unpartitioned_tables_show_files() {
        let stats = QueryStats {
            files_scanned: 1,
            files_total: 1,
            rows: 3,
            ..QueryStats::default()
        };
        assert!(stats_line(&stats).contains("1/1 files"));
    }
}
