//! Compaction of a local partition: its small files rewritten into few files near a target
//! size, rows in time order, switched in so that no reader — quarry, DuckDB, Spark, anything
//! listing the folder — ever counts a row twice.
//!
//! The new files are written outside the table (under the lake's hidden `.quarry-compact`
//! folder, on the same filesystem), then the new folder and the partition folder are swapped
//! in one `renameat2(RENAME_EXCHANGE)`: a reader lists either every old file or every new
//! one. A journal beside the staged files says how far a run got; [`recover`] (which every
//! quarry command opening the lake runs) finishes or undoes a run that was killed, so after it
//! every row is counted exactly once and nothing is left behind.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::compute::{SortOptions, concat_batches, sort_to_indices, take_record_batch};
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::arrow::record_batch::{RecordBatch, RecordBatchReader};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::reader::ChunkReader;
use serde::{Deserialize, Serialize};

use super::writer::lake_writer_properties;
use crate::backend::local::discovery::{is_parquet, list_entries};

/// The hidden folder under the lake root where runs stage their files and journals.
pub const STAGING: &str = ".quarry-compact";
/// Names of columns taken as the rows' time, in order of preference, when no column has a
/// timestamp type.
const TIME_NAMES: &[&str] = &[
    "timestamp",
    "ts",
    "time",
    "event_time",
    "eventtime",
    "@timestamp",
];

/// What one partition's compaction did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Compacted {
    /// `year=2023/month=03/day=14`.
    pub partition: String,
    pub files_before: u64,
    pub bytes_before: u64,
    pub files_after: u64,
    pub bytes_after: u64,
    pub rows: u64,
    /// The column the rows are ordered by, when one was found.
    pub ordered_by: Option<String>,
}

/// Why a partition was not compacted.
#[derive(Debug, thiserror::Error)]
pub enum CompactError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{0}: unreadable Parquet ({1}); `quarry doctor` shows which files")]
    Unreadable(PathBuf, String),
    #[error(
        "{0}: its files disagree on the schema; compaction keeps every file's columns as they \
         are, so fix the drift first (`quarry doctor`)"
    )]
    Drift(PathBuf),
}

/// How far a run got, as its journal records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Stage {
    /// New files being written; the partition is untouched.
    Writing,
    /// Every new file is written and durable; the swap may or may not have happened.
    Staged,
}

#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    stage: Stage,
    partition_dir: PathBuf,
    old_files: Vec<String>,
    new_files: Vec<String>,
}

/// Compacts the partition folder `partition_dir` (below `table_dir`, in the lake at `root`)
/// into files near `target_bytes`. `None` when it holds fewer than two data files.
pub fn compact_partition(
    root: &Path,
    table_dir: &Path,
    partition_dir: &Path,
    target_bytes: u64,
) -> Result<Option<Compacted>, CompactError> {
    let io_at = |path: &Path| {
        let path = path.to_path_buf();
        move |source| CompactError::Io { path, source }
    };
    let (files, _) = list_entries(partition_dir).map_err(io_at(partition_dir))?;
    let old: Vec<PathBuf> = files.into_iter().filter(|f| is_parquet(f)).collect();
    if old.len() < 2 {
        return Ok(None);
    }
    let bytes_before: u64 = old.iter().map(|f| super::file_size(f)).sum();
    let job = root.join(STAGING).join(job_name());
    let staged = job.join("new");
    fs::create_dir_all(&staged).map_err(io_at(&staged))?;
    let mut journal = Journal {
        stage: Stage::Writing,
        partition_dir: partition_dir.to_path_buf(),
        old_files: old.iter().map(|f| name_of(f)).collect(),
        new_files: Vec::new(),
    };
    write_journal(&job, &journal).map_err(io_at(&job))?;

    let (batch, ordered_by) = read_sorted(partition_dir, &old)?;
    let rows = batch.num_rows() as u64;
    let per_file = rows_per_file(rows, bytes_before, target_bytes);
    let names = output_names(&journal.old_files, rows.div_ceil(per_file).max(1) as usize);
    let mut bytes_after = 0;
    for (index, name) in names.iter().enumerate() {
        let start = index as u64 * per_file;
        let length = per_file.min(rows - start.min(rows));
        let path = staged.join(name);
        write_durably(&path, &batch.slice(start as usize, length as usize))
            .map_err(io_at(&path))?;
        bytes_after += super::file_size(&path);
    }
    File::open(&staged)
        .and_then(|d| d.sync_all())
        .map_err(io_at(&staged))?;
    journal.stage = Stage::Staged;
    journal.new_files.clone_from(&names);
    write_journal(&job, &journal).map_err(io_at(&job))?;
    switch(&job, &journal).map_err(io_at(partition_dir))?;
    Ok(Some(Compacted {
        partition: relative(table_dir, partition_dir),
        files_before: old.len() as u64,
        bytes_before,
        files_after: names.len() as u64,
        bytes_after,
        rows,
        ordered_by,
    }))
}

/// Finishes or undoes every run under `root`'s staging folder that did not end (a kill, a
/// crash, a full disk). Returns one line per run it settled.
pub fn recover(root: &Path) -> io::Result<Vec<String>> {
    let staging = root.join(STAGING);
    let Ok(entries) = fs::read_dir(&staging) else {
        return Ok(Vec::new());
    };
    let mut settled = Vec::new();
    for entry in entries.flatten() {
        let job = entry.path();
        let journal: Option<Journal> = fs::read(job.join("journal.json"))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok());
        match journal {
            Some(journal) if journal.stage == Stage::Staged => {
                switch(&job, &journal)?;
                settled.push(format!(
                    "finished the compaction of {}",
                    journal.partition_dir.display()
                ));
            }
            // Killed while writing: the partition was never touched.
            _ => {
                fs::remove_dir_all(&job)?;
                settled.push(format!(
                    "removed an unfinished compaction ({})",
                    job.display()
                ));
            }
        }
    }
    Ok(settled)
}

/// Swaps the staged folder in (unless that already happened) and removes the run. Safe to run
/// again at any point: what the partition folder holds says whether the swap happened.
fn switch(job: &Path, journal: &Journal) -> io::Result<()> {
    let staged = job.join("new");
    let target = &journal.partition_dir;
    let holds = |dir: &Path, names: &[String]| -> bool {
        let (files, _) = list_entries(dir).unwrap_or_default();
        let present: BTreeSet<String> = files
            .iter()
            .filter(|f| is_parquet(f))
            .map(|f| name_of(f))
            .collect();
        present == names.iter().cloned().collect()
    };
    if !target.exists() {
        // Killed between the two renames of the fallback swap.
        fs::rename(&staged, target)?;
    } else if staged.exists() && !holds(target, &journal.new_files) {
        exchange(&staged, target)?;
    }
    if let Some(parent) = target.parent() {
        File::open(parent)?.sync_all()?;
    }
    // `new` now holds the old files (or nothing): the run is over.
    fs::remove_dir_all(job)
}

/// Swaps two folders in one step where the filesystem can; else two renames, between which the
/// partition is briefly absent (a reader then misses its rows, never counts them twice).
fn exchange(staged: &Path, target: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, staged, CWD, target, RenameFlags::EXCHANGE) {
            Ok(()) => return Ok(()),
            Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
            Err(e) => return Err(e.into()),
        }
    }
    let aside = staged.with_file_name("old");
    fs::rename(target, &aside)?;
    fs::rename(staged, target)?;
    fs::rename(&aside, staged)
}

/// Every row of `files`, ordered by their time column (stable: ties keep file order).
fn read_sorted(
    dir: &Path,
    files: &[PathBuf],
) -> Result<(RecordBatch, Option<String>), CompactError> {
    let mut sources = Vec::with_capacity(files.len());
    for file in files {
        let handle =
            File::open(file).map_err(|e| CompactError::Unreadable(file.clone(), e.to_string()))?;
        sources.push((file.clone(), handle));
    }
    merge_sorted(dir, sources)
}

/// Every row of `sources` (each a name for messages and the file's bytes), in one batch ordered
/// by the time column (stable: ties keep the sources' order). Files whose schemas differ are
/// refused: a rewrite must not change any file's columns.
pub fn merge_sorted<R: ChunkReader + 'static>(
    place: &Path,
    sources: Vec<(PathBuf, R)>,
) -> Result<(RecordBatch, Option<String>), CompactError> {
    let mut schema: Option<SchemaRef> = None;
    let mut batches = Vec::new();
    for (name, source) in sources {
        let unreadable = |e: String| CompactError::Unreadable(name.clone(), e);
        let reader = ParquetRecordBatchReaderBuilder::try_new(source)
            .and_then(ParquetRecordBatchReaderBuilder::build)
            .map_err(|e| unreadable(e.to_string()))?;
        let file_schema = reader.schema();
        match &schema {
            None => schema = Some(Arc::clone(&file_schema)),
            Some(first) if first.fields() != file_schema.fields() => {
                return Err(CompactError::Drift(place.to_path_buf()));
            }
            Some(_) => {}
        }
        for batch in reader {
            batches.push(batch.map_err(|e| unreadable(e.to_string()))?);
        }
    }
    let schema = schema.unwrap_or_else(|| Arc::new(datafusion::arrow::datatypes::Schema::empty()));
    let all = concat_batches(&schema, &batches)
        .map_err(|e| CompactError::Unreadable(place.to_path_buf(), e.to_string()))?;
    let Some(column) = time_column(&schema) else {
        return Ok((all, None));
    };
    let order = sort_to_indices(
        all.column(column),
        Some(SortOptions {
            descending: false,
            nulls_first: false,
        }),
        None,
    )
    .and_then(|indices| take_record_batch(&all, &indices))
    .map_err(|e| CompactError::Unreadable(place.to_path_buf(), e.to_string()))?;
    Ok((order, Some(schema.field(column).name().clone())))
}

/// The first timestamp-typed column, else the first column named like a time.
fn time_column(schema: &SchemaRef) -> Option<usize> {
    let fields = schema.fields();
    fields
        .iter()
        .position(|f| matches!(f.data_type(), DataType::Timestamp(..)))
        .or_else(|| {
            TIME_NAMES.iter().find_map(|wanted| {
                fields.iter().position(|f| {
                    f.name().eq_ignore_ascii_case(wanted)
                        && (f.data_type().is_integer()
                            || matches!(f.data_type(), DataType::Date32 | DataType::Date64))
                })
            })
        })
}

/// Rows per output file so each lands near `target_bytes`, from the input's bytes per row.
pub fn rows_per_file(rows: u64, bytes: u64, target_bytes: u64) -> u64 {
    if rows == 0 || bytes == 0 {
        return rows.max(1);
    }
    (u128::from(target_bytes) * u128::from(rows) / u128::from(bytes))
        .clamp(1, u128::from(rows.max(1))) as u64
}

/// Output names. Files `quarry serve` wrote carry the record numbers they hold
/// (`part-<first>-<last>.parquet`) and serve starts numbering past the highest it finds, so
/// the last output keeps the merged range's name and the others a suffixed one.
pub fn output_names(old: &[String], count: usize) -> Vec<String> {
    let ranges: Option<Vec<(u64, u64)>> = old.iter().map(|n| serve_range(n)).collect();
    match ranges {
        Some(ranges) if !ranges.is_empty() => {
            let first = ranges.iter().map(|r| r.0).min().unwrap_or(0);
            let last = ranges.iter().map(|r| r.1).max().unwrap_or(0);
            (0..count)
                .map(|i| {
                    if i + 1 == count {
                        format!("part-{first:020}-{last:020}.parquet")
                    } else {
                        format!("part-{first:020}-{last:020}-c{i:04}.parquet")
                    }
                })
                .collect()
        }
        _ => {
            let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
            (0..count)
                .map(|i| format!("part-compacted-{stamp}-{i:05}.parquet"))
                .collect()
        }
    }
}

/// `(first, last)` of a `quarry serve` file name.
fn serve_range(name: &str) -> Option<(u64, u64)> {
    let middle = name.strip_prefix("part-")?.strip_suffix(".parquet")?;
    let (first, last) = middle.split_once('-')?;
    if first.len() != 20 || last.len() != 20 {
        return None;
    }
    Some((first.parse().ok()?, last.parse().ok()?))
}

fn write_durably(path: &Path, batch: &RecordBatch) -> io::Result<()> {
    let file = File::create(path)?;
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(lake_writer_properties()))
        .map_err(io::Error::other)?;
    writer.write(batch).map_err(io::Error::other)?;
    let file = writer.into_inner().map_err(io::Error::other)?;
    file.sync_all()
}

/// Replaces the run's journal in one rename, durably.
fn write_journal(job: &Path, journal: &Journal) -> io::Result<()> {
    let temp = job.join("journal.json.tmp");
    let bytes = serde_json::to_vec_pretty(journal).map_err(io::Error::other)?;
    let mut file = File::create(&temp)?;
    io::Write::write_all(&mut file, &bytes)?;
    file.sync_all()?;
    fs::rename(&temp, job.join("journal.json"))?;
    File::open(job)?.sync_all()
}

fn job_name() -> String {
    format!(
        "{}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.f"),
        std::process::id()
    )
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn relative(table_dir: &Path, dir: &Path) -> String {
    dir.strip_prefix(table_dir)
        .unwrap_or(dir)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}
