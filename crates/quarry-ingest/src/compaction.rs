//! Closed partitions compacted in the background (`--compact-closed-after`): a day's folder
//! that will take no more flushes in the normal run of things (its day ended long enough ago)
//! and holds several files is rewritten into few, with `quarry compact`'s crash-safe switch.
//!
//! It runs in the flush loop, between two flush rounds, so no flush writes the partition
//! while it is rewritten: a late record for that day waits in its buffer (memory is bounded as
//! always) and lands as a new file afterwards, to be folded in on a later pass. The merged
//! file keeps the name `part-<first>-<last>.parquet` over the numbers it holds, so replay after
//! a crash still knows those records are published.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use chrono::Utc;
use quarry_core::backend::local::discovery::{is_parquet, list_entries};
use quarry_core::lake::compact;

use super::metrics::Metrics;

/// When and how closed partitions are compacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosedCompaction {
    /// A partition is closed this long after its day ended (UTC).
    pub after: Duration,
    /// The size the new files aim at.
    pub target_bytes: u64,
    /// How often the table's folders are looked at for closed partitions.
    pub scan_every: Duration,
}

/// The background compactor of one local table.
pub(crate) struct Compactor {
    lake: PathBuf,
    table_dir: PathBuf,
    settings: ClosedCompaction,
    next_scan: Instant,
}

impl Compactor {
    pub(crate) fn new(lake: &Path, table_dir: &Path, settings: ClosedCompaction) -> Self {
        Self {
            lake: lake.to_path_buf(),
            table_dir: table_dir.to_path_buf(),
            settings,
            next_scan: Instant::now(),
        }
    }

    /// Compacts the oldest closed partition holding several files, if the scan is due and one
    /// exists. Called between flush rounds only.
    pub(crate) async fn step(&mut self, metrics: &Metrics) {
        if Instant::now() < self.next_scan {
            return;
        }
        let (lake, table, settings) = (self.lake.clone(), self.table_dir.clone(), self.settings);
        let outcome = tokio::task::spawn_blocking(move || {
            let candidate = closed_partitions(&table, settings.after)
                .into_iter()
                .next()?;
            Some(compact::compact_partition(
                &lake,
                &table,
                &candidate,
                settings.target_bytes,
            ))
        })
        .await;
        match outcome {
            Ok(Some(Ok(Some(done)))) => {
                metrics.compactions.fetch_add(1, Ordering::Relaxed);
                metrics
                    .files_compacted
                    .fetch_add(done.files_before, Ordering::Relaxed);
                tracing::info!(
                    "compacted {}: {} files into {}",
                    done.partition,
                    done.files_before,
                    done.files_after
                );
                // More may be waiting: look again on the next tick.
            }
            Ok(Some(Err(e))) => {
                tracing::warn!("background compaction skipped a partition: {e}");
                self.next_scan = Instant::now() + self.settings.scan_every;
            }
            _ => self.next_scan = Instant::now() + self.settings.scan_every,
        }
    }
}

/// Partition folders (`year=/month=/day=`) whose day ended at least `after` ago and that hold
/// two or more data files, oldest first.
fn closed_partitions(table: &Path, after: Duration) -> Vec<PathBuf> {
    let now = Utc::now().naive_utc();
    let mut found = Vec::new();
    let mut walk = vec![(table.to_path_buf(), Vec::new())];
    while let Some((dir, values)) = walk.pop() {
        let Ok((files, folders)) = list_entries(&dir) else {
            continue;
        };
        if values.len() == 3 {
            let day = super::sink::partition_day(&values.join("/"));
            let closed = day
                .and_then(|d| d.succ_opt())
                .and_then(|next| next.and_hms_opt(0, 0, 0))
                .is_some_and(|end| {
                    now - end >= chrono::Duration::from_std(after).unwrap_or_default()
                });
            if closed && files.iter().filter(|f| is_parquet(f)).count() >= 2 {
                found.push((day, dir));
            }
            continue;
        }
        for folder in folders {
            let name = folder
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mut deeper = values.clone();
            deeper.push(name);
            walk.push((folder, deeper));
        }
    }
    found.sort();
    found.into_iter().map(|(_, dir)| dir).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_is_closed_after_its_end_plus_the_grace() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("year=2020/month=02/day=29");
        let today = Utc::now().date_naive();
        let fresh = dir.path().join(format!(
            "year={}/month={:02}/day={:02}",
            today.format("%Y"),
            today.format("%m"),
            today.format("%d")
        ));
        for folder in [&old, &fresh] {
            std::fs::create_dir_all(folder).unwrap();
            for name in ["part-1.parquet", "part-2.parquet"] {
                std::fs::write(folder.join(name), b"x").unwrap();
            }
        }
        let single = dir.path().join("year=2020/month=03/day=01");
        std::fs::create_dir_all(&single).unwrap();
        std::fs::write(single.join("part-3.parquet"), b"x").unwrap();
        assert_eq!(
            closed_partitions(dir.path(), Duration::from_hours(1)),
            [old]
        );
    }
}
