//! One-line summaries of query statistics, shared by the headless command and the TUI.

use std::fmt::Write as _;

use crate::backend::{EngineKind, QueryStats};
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
    parts.extend(athena_would_scan(stats));
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
    if stats.engine == EngineKind::Athena {
        parts.push(format!(
            "{} billed by Athena ({})",
            usd(stats.cost_usd),
            human_bytes(stats.billed_bytes)
        ));
        if stats.result_reused {
            parts.push("reused a previous result".to_owned());
        }
    } else if let Some(saved) = stats.saved_usd {
        parts.push(format!(
            "$0 on kept tables (saved {} on Athena)",
            usd(saved)
        ));
    } else {
        parts.push(format!("{} on Athena", usd(stats.cost_usd)));
    }
    if stats.engine == EngineKind::Local && stats.result_reused {
        parts.push("result reused: same files as the last run".to_owned());
    }
    if let Some(fetch) = &stats.fetch {
        parts.push(format!("results via {}", fetch.path));
    }
    parts.join(" · ")
}

/// `Athena would scan 1.3 MB`, for a local run that read visibly less or more than Athena
/// would: said next to the bytes read, so the dollar figure (Athena's) is not read as the price
/// of those bytes.
pub fn athena_would_scan(stats: &QueryStats) -> Option<String> {
    stats
        .athena_scan_bytes
        .filter(|&athena| human_bytes(athena) != human_bytes(stats.bytes_scanned))
        .map(|athena| format!("Athena would scan {}", human_bytes(athena)))
}

/// Bytes exactly and every timing: the numbers to compare runs by, most telling first (the
/// line is cut at the pane's width).
pub fn exact_line(stats: &QueryStats) -> String {
    let mut parts = vec![
        format!("{} bytes scanned", thousands(stats.bytes_scanned)),
        format!("{} billed", thousands(stats.billed_bytes)),
    ];
    if let Some(athena) = stats
        .athena_scan_bytes
        .filter(|&a| a != stats.bytes_scanned)
    {
        parts.insert(1, format!("{} on Athena", thousands(athena)));
    }
    let fetch = stats.fetch.as_ref().map(|fetch| {
        let mut text = format!("results via {} in {} ms", fetch.path, fetch.ms);
        match (fetch.files, fetch.bytes) {
            (Some(files), Some(bytes)) => {
                let _ = write!(text, " ({} files, {})", files, human_bytes(bytes));
            }
            (_, Some(bytes)) => {
                let _ = write!(text, " ({})", human_bytes(bytes));
            }
            _ => {}
        }
        if let Some(reason) = fetch.reason.as_ref().or(fetch.fallback_reason.as_ref()) {
            let _ = write!(text, " because {reason}");
        }
        text
    });
    match &stats.athena {
        Some(athena) => {
            let ms = |label: &str, value: Option<u64>| value.map(|v| format!("{label} {v} ms"));
            parts.extend(fetch);
            parts.extend(
                [
                    ms("total", Some(stats.total_ms)),
                    ms("queue", stats.queue_ms),
                    ms("pre-processing", athena.service_pre_processing_ms),
                    ms("planning", Some(stats.planning_ms)),
                    ms("engine", Some(stats.execution_ms)),
                    ms("post-processing", athena.service_processing_ms),
                ]
                .into_iter()
                .flatten(),
            );
            if let Some(runtime) = &athena.runtime {
                if let Some(rows) = runtime.input_rows {
                    parts.push(format!("{} rows read", thousands(rows)));
                }
                if !runtime.stages.is_empty() {
                    parts.push(format!("{} stages", runtime.stages.len()));
                }
            }
            parts.push(format!("id {}", athena.query_execution_id));
        }
        None => {
            parts.extend([
                if stats.files_total > 0 {
                    format!(
                        "{}/{} files",
                        thousands(stats.files_scanned),
                        thousands(stats.files_total)
                    )
                } else {
                    // A remote catalog's tables are not counted up front.
                    format!("{} files", thousands(stats.files_scanned))
                },
                format!("{} row groups pruned", thousands(stats.row_groups_pruned)),
                format!("planning {} ms", stats.planning_ms),
                format!("execution {} ms", stats.execution_ms),
                format!("total {} ms", stats.total_ms),
            ]);
            parts.extend(fetch);
        }
    }
    parts.join(" · ")
}

/// A comparison of one query on two engines, as lines: one per engine (its statistics, or how
/// it failed), then the verdict.
pub fn comparison_lines(comparison: &crate::backend::compare::Comparison) -> Vec<String> {
    use crate::backend::QueryState;
    let mut lines: Vec<String> = comparison
        .sides
        .iter()
        .map(|side| {
            let outcome = match &side.status {
                Ok(status) if status.state == QueryState::Succeeded => stats_line(&status.stats),
                Ok(status) => match &status.error {
                    Some(error) => format!("{:?}: {error}", status.state).to_lowercase(),
                    None => format!("{:?}", status.state).to_lowercase(),
                },
                Err(error) => format!("failed: {error}"),
            };
            format!("{}: {outcome}", side.engine)
        })
        .collect();
    lines.push(match &comparison.verdict {
        Ok(()) => format!(
            "✓ the answers match ({} rows)",
            thousands(comparison.sides[0].rows.len() as u64)
        ),
        Err(why) => format!("✗ {why}"),
    });
    lines
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
    fn a_local_run_names_athenas_figure_when_it_differs() {
        let mut stats = QueryStats {
            bytes_scanned: 5_600,
            athena_scan_bytes: Some(170_000),
            rows: 1,
            ..QueryStats::default()
        };
        let line = stats_line(&stats);
        assert!(
            line.starts_with("scanned 5.5 KB · Athena would scan 166 KB · "),
            "{line}"
        );
        stats.athena_scan_bytes = Some(5_601);
        assert!(!stats_line(&stats).contains("Athena would scan"));
        assert!(exact_line(&stats).starts_with("5,600 bytes scanned · 5,601 on Athena"));
    }

    #[test]
    fn athena_runs_say_what_was_billed_and_how_results_came() {
        let stats = QueryStats {
            engine: EngineKind::Athena,
            bytes_scanned: 5_000,
            billed_bytes: 10 * 1_048_576,
            cost_usd: 0.000_047_68,
            rows: 2,
            total_ms: 1_500,
            queue_ms: Some(120),
            athena: Some(crate::backend::AthenaStats {
                query_execution_id: "q-1".to_owned(),
                service_pre_processing_ms: Some(30),
                ..crate::backend::AthenaStats::default()
            }),
            fetch: Some(crate::backend::ResultFetch {
                path: crate::backend::FetchPath::S3Csv,
                fallback_reason: None,
                reason: None,
                files: None,
                rows: 2,
                bytes: Some(40),
                ms: 12,
            }),
            ..QueryStats::default()
        };
        let line = stats_line(&stats);
        assert!(
            line.contains("$0.000048 billed by Athena (10 MB)"),
            "{line}"
        );
        assert!(line.ends_with("results via S3 CSV"), "{line}");
        let exact = exact_line(&stats);
        assert!(
            exact.contains("queue 120 ms · pre-processing 30 ms"),
            "{exact}"
        );
        assert!(exact.contains("id q-1"), "{exact}");
        assert!(
            exact.contains("results via S3 CSV in 12 ms (40 B)"),
            "{exact}"
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
