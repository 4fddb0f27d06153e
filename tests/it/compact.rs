//! `quarry compact` killed with SIGKILL at many moments: after each kill the table's rows are
//! counted as any reader would count them (every non-hidden `*.parquet` under the table
//! folder, rows from the footers, read with the parquet crate alone), and again after the
//! recovery quarry runs by itself on its next command. Never a row twice; after recovery,
//! every row exactly once, per partition, and nothing left behind.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use parquet::file::reader::{FileReader, SerializedFileReader};
use quarry::lake::compact::STAGING;
use quarry::lake::demo::{self, DemoOptions};

const DAYS: u32 = 4;
const FILES: u32 = 30;

/// Rows per partition folder, as a reader listing the folder counts them.
fn rows_by_partition(table: &Path) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    let mut pending = vec![table.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name.starts_with('_') {
                continue;
            }
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if name.ends_with(".parquet") {
                let reader = SerializedFileReader::new(File::open(&path).unwrap()).unwrap();
                let rows = reader.metadata().file_metadata().num_rows() as u64;
                let folder = dir.strip_prefix(table).unwrap().display().to_string();
                *counts.entry(folder).or_default() += rows;
            }
        }
    }
    counts
}

fn files_in(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |e| {
        e.flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".parquet"))
            .count()
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn compact(lake: &Path) -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("quarry"));
    command
        .args(["compact", "--lake"])
        .arg(lake)
        .arg("logs_db.logs")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// A moment to kill at: when the run has reached a point, or after a share of a full run.
#[derive(Debug, Clone, Copy)]
enum Moment {
    /// `done` partitions switched, and the next one's run journal written.
    Staging { done: usize },
    /// `done` partitions switched, the next one's files all written and its journal says so.
    Staged { done: usize },
    /// This share of a full run's time after the start.
    After(f64),
}

fn partitions_done(dirs: &[PathBuf]) -> usize {
    dirs.iter().filter(|d| files_in(d) == 1).count()
}

fn journal_stage(lake: &Path) -> Option<String> {
    let staging = lake.join(STAGING);
    let job = std::fs::read_dir(staging).ok()?.flatten().next()?;
    let text = std::fs::read_to_string(job.path().join("journal.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["stage"].as_str().map(str::to_owned)
}

#[test]
fn compact_killed_at_24_moments_never_counts_a_row_twice_and_recovers_every_row_once() {
    let pristine = tempfile::tempdir().unwrap();
    let options = DemoOptions {
        days: DAYS,
        rows_per_day: 30_000,
        files_per_partition: FILES,
        threads: Some(1),
        ..DemoOptions::new(pristine.path().to_path_buf())
    };
    demo::generate(&options, &|_| {}).unwrap();
    let table = pristine.path().join("logs_db/logs");
    let expected = rows_by_partition(&table);
    assert_eq!(expected.len(), DAYS as usize);
    assert!(expected.values().all(|&rows| rows == 30_000));

    // One full run, timed, to spread the timed kills over it.
    let timing = tempfile::tempdir().unwrap();
    copy_dir(pristine.path(), timing.path());
    let started = Instant::now();
    assert!(compact(timing.path()).status().unwrap().success());
    let full = started.elapsed();
    assert_eq!(
        rows_by_partition(&timing.path().join("logs_db/logs")),
        expected
    );

    let mut moments = Vec::new();
    for done in 0..DAYS as usize {
        moments.push(Moment::Staging { done });
        moments.push(Moment::Staged { done });
    }
    for i in 0..16 {
        moments.push(Moment::After(f64::from(i) / 16.0));
    }
    assert!(moments.len() >= 20);
    let mut caught_mid_run = 0;
    for moment in moments {
        let lake = tempfile::tempdir().unwrap();
        copy_dir(pristine.path(), lake.path());
        let table = lake.path().join("logs_db/logs");
        let dirs: Vec<PathBuf> = expected.keys().map(|p| table.join(p)).collect();
        let mut child = compact(lake.path()).spawn().unwrap();
        let spawned = Instant::now();
        let deadline = Instant::now() + full * 20 + Duration::from_secs(30);
        loop {
            let reached = match moment {
                Moment::Staging { done } => {
                    partitions_done(&dirs) >= done
                        && journal_stage(lake.path()).as_deref() == Some("writing")
                }
                Moment::Staged { done } => {
                    partitions_done(&dirs) >= done
                        && journal_stage(lake.path()).as_deref() == Some("staged")
                }
                Moment::After(share) => spawned.elapsed() >= full.mul_f64(share),
            };
            let exited = child.try_wait().unwrap().is_some();
            if reached || exited || Instant::now() > deadline {
                break;
            }
            std::thread::yield_now();
        }
        let _ = child.kill();
        let _ = child.wait();
        if journal_stage(lake.path()).is_some() {
            caught_mid_run += 1;
        }
        assert_eq!(
            rows_by_partition(&table),
            expected,
            "right after the kill at {moment:?}: every reader sees each row once"
        );
        // The next command settles the unfinished run.
        let next = Command::new(assert_cmd::cargo::cargo_bin("quarry"))
            .args(["doctor", "--lake"])
            .arg(lake.path())
            .arg("logs_db.logs")
            .output()
            .unwrap();
        assert!(next.status.code().is_some());
        assert_eq!(
            rows_by_partition(&table),
            expected,
            "after recovery at {moment:?}"
        );
        let leftovers: Vec<_> = std::fs::read_dir(lake.path().join(STAGING))
            .map(|e| e.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        assert!(leftovers.is_empty(), "{moment:?} left {leftovers:?}");
        // And compaction still finishes the job from where it is.
        assert!(compact(lake.path()).status().unwrap().success());
        assert_eq!(rows_by_partition(&table), expected);
        assert!(dirs.iter().all(|d| files_in(d) == 1));
    }
    assert!(
        caught_mid_run >= 8,
        "only {caught_mid_run} kills landed mid-run"
    );
}
