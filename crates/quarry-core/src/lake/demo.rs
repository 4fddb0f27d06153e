//! The demo lake: the seed pattern's Logs API records, one or more Parquet files per day under
//! `logs_db/logs/year=YYYY/month=MM/day=DD/`, plus a small `logs_db/sources` table for joins.
//!
//! `files_per_partition` splits each day's rows, in time order, into that many files as
//! Firehose's buffer flushes would: the rows are the same whatever the split, so every layout
//! answers every query identically.
//!
//! Output is a pure function of the options: each day draws from its own seeded ChaCha stream,
//! so days can be written in parallel and the same seed always gives the same files.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use chrono::{Datelike, NaiveDate};
use datafusion::arrow::array::{ArrayRef, Int32Builder, Int64Builder, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::error::ArrowError;
use datafusion::arrow::record_batch::RecordBatch;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::writer::write_parquet_atomic;

/// A file at the lake root that marks it as generated, so regenerating may replace it.
pub const MARKER_FILE: &str = ".quarry-demo";

/// What to generate.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub dir: PathBuf,
    pub start: NaiveDate,
    pub days: u32,
    pub rows_per_day: u32,
    /// Files each day's rows are split into (Firehose writes one per buffer flush).
    pub files_per_partition: u32,
    pub seed: u64,
    /// Worker threads; `None` uses every core.
    pub threads: Option<usize>,
}

impl DemoOptions {
    /// The defaults: 365 days from 2023-01-01, 20,000 rows a day, seed 42.
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            start: NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default(),
            days: 365,
            rows_per_day: 20_000,
            files_per_partition: 1,
            seed: 42,
            threads: None,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub rows: u64,
    pub files: u64,
    pub bytes: u64,
}

/// Failures that leave the target folder as it was.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("{0} is not empty and was not made by `quarry demo`; choose an empty or new --dir")]
    NotADemoLake(PathBuf),
    #[error("writing the demo lake under {path} failed: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("--days and --rows-per-day must be at least 1")]
    Empty,
    #[error(
        "--files-per-partition must be between 1 and --rows-per-day ({rows_per_day}), got {files}"
    )]
    TooManyFiles { files: u32, rows_per_day: u32 },
    #[error(
        "the days from --start {0} on must fall in the years 1970 to 9999 (a partition's year has four digits)"
    )]
    OutOfRange(chrono::NaiveDate),
}

/// Sources and how often each logs, with its team and tier for `logs_db.sources`.
pub const SOURCES: [(&str, u32, &str, i32); 12] = [
    ("financialSystem", 14, "payments", 1),
    ("paymentGateway", 12, "payments", 1),
    ("orderService", 16, "commerce", 1),
    ("inventoryService", 10, "commerce", 2),
    ("shippingService", 7, "logistics", 2),
    ("authService", 13, "platform", 1),
    ("notificationService", 6, "platform", 3),
    ("searchService", 8, "discovery", 2),
    ("recommendationEngine", 4, "discovery", 3),
    ("userProfile", 5, "identity", 2),
    ("reportingJob", 2, "analytics", 3),
    ("webFrontend", 3, "web", 2),
];

/// Log types with their share in thousandths: info dominates, fatal is rare.
pub const LOGTYPES: [(&str, u32); 4] = [
    ("info", 720),
    ("warning", 190),
    ("error", 75),
    ("fatal", 15),
];

/// Message templates per log type; `{}` takes a number so messages have a long tail.
const MESSAGES: [&[&str]; 4] = [
    &[
        "request completed",
        "user logged in",
        "order {} created",
        "payment authorised",
        "cache refreshed",
        "health check ok",
        "session started",
        "batch {} processed",
        "email queued for delivery",
        "inventory synced",
    ],
    &[
        "slow response from upstream",
        "retrying request (attempt {})",
        "cache miss ratio above 40%",
        "deprecated API version used",
        "connection pool at 80% capacity",
        "rate limit approaching for client {}",
    ],
    &[
        "ooops, something went wrong",
        "payment declined by issuer",
        "timeout calling inventory service",
        "order {} not found",
        "invalid JSON in request body",
        "database deadlock detected, transaction rolled back",
        "upstream returned HTTP 503",
    ],
    &[
        "out of memory: worker killed",
        "database connection pool exhausted",
        "disk full on /var/lib/data",
        "unhandled exception in main loop",
    ],
];

/// Relative traffic by hour of day (UTC): quiet nights, busy afternoons.
const HOURLY_WEIGHT: [u32; 24] = [
    3, 2, 2, 2, 2, 3, 5, 8, 11, 13, 14, 14, 15, 15, 14, 14, 13, 12, 10, 8, 7, 6, 5, 4,
];

/// Schema of `logs_db.logs` data files (partition keys live in folder names).
pub fn logs_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("source", DataType::Utf8, true),
        Field::new("logtype", DataType::Utf8, true),
        Field::new("timestamp", DataType::Int64, true),
        Field::new("message", DataType::Utf8, true),
    ]))
}

/// Schema of `logs_db.sources`.
pub fn sources_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("source", DataType::Utf8, false),
        Field::new("team", DataType::Utf8, false),
        Field::new("tier", DataType::Int32, false),
    ]))
}

/// `year=2023/month=09/day=08` for a date.
pub fn partition_path(date: NaiveDate) -> String {
    format!(
        "year={:04}/month={:02}/day={:02}",
        date.year(),
        date.month(),
        date.day()
    )
}

/// Writes the demo lake, calling `progress(days_done)` as days finish.
pub fn generate(
    options: &DemoOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<DemoSummary, DemoError> {
    if options.days == 0 || options.rows_per_day == 0 {
        return Err(DemoError::Empty);
    }
    if options.files_per_partition == 0 || options.files_per_partition > options.rows_per_day {
        return Err(DemoError::TooManyFiles {
            files: options.files_per_partition,
            rows_per_day: options.rows_per_day,
        });
    }
    // Checked up front: adding days to a date near chrono's limits would panic, and
    // timestamps before 1970 or years of five digits are not what a lake holds.
    let last = options
        .start
        .checked_add_days(chrono::Days::new(u64::from(options.days) - 1));
    if options.start.year() < 1970 || last.is_none_or(|d| d.year() > 9999) {
        return Err(DemoError::OutOfRange(options.start));
    }
    prepare_dir(&options.dir)?;
    let table_dir = options.dir.join("logs_db").join("logs");
    let next_day = AtomicUsize::new(0);
    let done = AtomicU64::new(0);
    let bytes = AtomicU64::new(0);
    let threads = options
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, std::num::NonZero::get))
        .max(1);
    let failure = std::sync::Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let day = next_day.fetch_add(1, Ordering::Relaxed);
                    if day >= options.days as usize || failure.lock().map_or(true, |f| f.is_some())
                    {
                        break;
                    }
                    let date = options.start + chrono::Days::new(day as u64);
                    let dir = table_dir.join(partition_path(date));
                    let written = day_batch(options, day as u64, date)
                        .map_err(|e| (dir.clone(), io::Error::other(e)))
                        .and_then(|batch| write_day(&dir, &batch, options.files_per_partition));
                    match written {
                        Ok(day_bytes) => {
                            bytes.fetch_add(day_bytes, Ordering::Relaxed);
                            progress(done.fetch_add(1, Ordering::Relaxed) + 1);
                        }
                        Err((path, source)) => {
                            if let Ok(mut slot) = failure.lock() {
                                slot.get_or_insert(DemoError::Io { path, source });
                            }
                        }
                    }
                }
            });
        }
    });
    if let Some(error) = failure.into_inner().ok().flatten() {
        return Err(error);
    }
    let sources_path = options
        .dir
        .join("logs_db")
        .join("sources")
        .join("sources.parquet");
    sources_batch()
        .map_err(io::Error::other)
        .and_then(|batch| write_parquet_atomic(&sources_path, &sources_schema(), &[batch]))
        .map_err(|source| DemoError::Io {
            path: sources_path.clone(),
            source,
        })?;
    let sources_bytes = super::file_size(&sources_path);
    Ok(DemoSummary {
        rows: u64::from(options.days) * u64::from(options.rows_per_day),
        files: u64::from(options.days) * u64::from(options.files_per_partition) + 1,
        bytes: bytes.into_inner() + sources_bytes,
    })
}

/// Writes one day's rows as `files` consecutive slices, `part-00000.parquet` on; returns the
/// bytes written, or the file that failed.
fn write_day(dir: &Path, batch: &RecordBatch, files: u32) -> Result<u64, (PathBuf, io::Error)> {
    let rows = batch.num_rows();
    let files = files as usize;
    let mut bytes = 0;
    for i in 0..files {
        // Slice bounds spread the remainder so sizes differ by at most one row.
        let (start, end) = (i * rows / files, (i + 1) * rows / files);
        let path = dir.join(format!("part-{i:05}.parquet"));
        write_parquet_atomic(&path, &logs_schema(), &[batch.slice(start, end - start)])
            .map_err(|e| (path.clone(), e))?;
        bytes += super::file_size(&path);
    }
    Ok(bytes)
}

/// Refuses to write into a folder that holds something else; clears an earlier demo lake so a
/// shorter regeneration leaves no stale partitions.
fn prepare_dir(dir: &Path) -> Result<(), DemoError> {
    let io_error = |source| DemoError::Io {
        path: dir.to_path_buf(),
        source,
    };
    if dir.exists() {
        let has_entries = fs::read_dir(dir).map_err(io_error)?.next().is_some();
        if has_entries && !dir.join(MARKER_FILE).exists() {
            return Err(DemoError::NotADemoLake(dir.to_path_buf()));
        }
        let old = dir.join("logs_db");
        if old.exists() {
            fs::remove_dir_all(&old).map_err(io_error)?;
        }
    }
    fs::create_dir_all(dir).map_err(io_error)?;
    fs::write(
        dir.join(MARKER_FILE),
        "generated by `quarry demo`; safe to delete and regenerate\n",
    )
    .map_err(io_error)
}

/// One day of records, sorted by timestamp as Firehose delivers them.
fn day_batch(options: &DemoOptions, day: u64, date: NaiveDate) -> Result<RecordBatch, ArrowError> {
    let mut rng =
        ChaCha8Rng::seed_from_u64(options.seed ^ (day + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let day_start_ms = date
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp_millis();
    let incident = is_incident_day(options.seed, day);
    let n = options.rows_per_day as usize;
    let mut times: Vec<i64> = (0..n)
        .map(|_| day_start_ms + random_ms_of_day(&mut rng))
        .collect();
    times.sort_unstable();

    let mut source = StringBuilder::with_capacity(n, n * 14);
    let mut logtype = StringBuilder::with_capacity(n, n * 6);
    let mut timestamp = Int64Builder::with_capacity(n);
    let mut message = StringBuilder::with_capacity(n, n * 28);
    let source_total: u32 = SOURCES.iter().map(|s| s.1).sum();
    for ts in times {
        let src = pick_weighted(&mut rng, &SOURCES.map(|s| s.1), source_total);
        // An incident day quadruples errors from the payment sources.
        let boost = if incident && SOURCES[src].2 == "payments" {
            4
        } else {
            1
        };
        let weights = [
            LOGTYPES[0].1,
            LOGTYPES[1].1,
            LOGTYPES[2].1 * boost,
            LOGTYPES[3].1 * boost,
        ];
        let kind = pick_weighted(&mut rng, &weights, weights.iter().sum());
        let templates = MESSAGES[kind];
        let template = templates[rng.random_range(0..templates.len())];
        source.append_value(SOURCES[src].0);
        logtype.append_value(LOGTYPES[kind].0);
        timestamp.append_value(ts);
        if template.contains("{}") {
            message.append_value(template.replace("{}", &rng.random_range(1..500_u32).to_string()));
        } else {
            message.append_value(template);
        }
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(source.finish()),
        Arc::new(logtype.finish()),
        Arc::new(timestamp.finish()),
        Arc::new(message.finish()),
    ];
    RecordBatch::try_new(logs_schema(), columns)
}

/// Roughly one day in forty has an incident, chosen by the seed.
pub fn is_incident_day(seed: u64, day: u64) -> bool {
    ChaCha8Rng::seed_from_u64(seed.rotate_left(17) ^ day).random_range(0..40) == 0
}

fn random_ms_of_day(rng: &mut ChaCha8Rng) -> i64 {
    let hour = pick_weighted(rng, &HOURLY_WEIGHT, HOURLY_WEIGHT.iter().sum());
    hour as i64 * 3_600_000 + rng.random_range(0..3_600_000)
}

fn pick_weighted(rng: &mut ChaCha8Rng, weights: &[u32], total: u32) -> usize {
    let mut ticket = rng.random_range(0..total);
    for (i, w) in weights.iter().enumerate() {
        if ticket < *w {
            return i;
        }
        ticket -= w;
    }
    weights.len() - 1
}

fn sources_batch() -> Result<RecordBatch, ArrowError> {
    let mut source = StringBuilder::new();
    let mut team = StringBuilder::new();
    let mut tier = Int32Builder::new();
    for (name, _, owner, level) in SOURCES {
        source.append_value(name);
        team.append_value(owner);
        tier.append_value(level);
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(source.finish()),
        Arc::new(team.finish()),
        Arc::new(tier.finish()),
    ];
    RecordBatch::try_new(sources_schema(), columns)
}
