//! Buffers per partition, flushed like Firehose's buffering hints (a size or an interval,
//! whichever comes first) into Parquet files published atomically, named after the WAL
//! sequence numbers they hold: `part-<first>-<last>.parquet`. On restart, a logged record is
//! replayed unless a published file of its partition already covers its number — so every
//! acknowledged record lands in Parquet exactly once (see [`Sink::replay`] for the one case
//! where it may land twice).

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;

use super::columns::{cell_kind, column, fits};
use super::destination::{self, Destination};
use super::metrics::Metrics;
use super::stream::{ColumnType, StreamDef};
use super::wal::Replay;
use chrono::NaiveDate;
use quarry_records::{Prepared, RecordError, Row};

/// When a partition's buffer is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferHints {
    pub size_bytes: usize,
    pub interval: Duration,
    /// Memory of all buffers together at most (rows as they sit in memory, about three times
    /// their data); past this, requests get 429 until flushes catch up.
    pub max_buffered_bytes: usize,
}

/// Bounds on partitions, like Firehose's dynamic partitioning: records of a partition past
/// these fail one by one instead of making folders without end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionLimits {
    /// Partitions with records buffered at once at most (Firehose's active partitions).
    pub max_active: usize,
    /// A record's day may be at most this many days before today…
    pub max_age_days: u32,
    /// …and at most this many days after it.
    pub max_future_days: u32,
}

impl Default for PartitionLimits {
    fn default() -> Self {
        Self {
            max_active: 500,
            max_age_days: 3650,
            max_future_days: 1830,
        }
    }
}

impl Default for BufferHints {
    fn default() -> Self {
        Self {
            size_bytes: 64 << 20,
            interval: Duration::from_mins(1),
            max_buffered_bytes: 1 << 30,
        }
    }
}

/// Buffered rows with their sequence numbers, in log order.
type Rows = Vec<(u64, Row)>;

struct PartitionBuffer {
    rows: Rows,
    /// Data bytes, for the size hint.
    bytes: usize,
    /// Memory the rows take, for the cap on all buffers (kept here so taking a buffer does
    /// not walk its rows again under the lock).
    memory: usize,
    since: Option<Instant>,
    /// When the partition was admitted (an empty buffer is a reservation).
    reserved_at: Instant,
}

impl Default for PartitionBuffer {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            bytes: 0,
            memory: 0,
            since: None,
            reserved_at: Instant::now(),
        }
    }
}

/// Buffer memory at which replay writes what it has read so far.
const REPLAY_FLUSH_BYTES: usize = 256 << 20;

/// How long an admitted partition waits for its records before its slot is freed.
const RESERVATION: Duration = Duration::from_secs(30);

/// The day of a `year=YYYY/month=MM/day=DD` partition.
pub(crate) fn partition_day(partition: &str) -> Option<NaiveDate> {
    let mut parts = partition.split('/');
    let mut value = |key: &str| -> Option<u32> {
        parts
            .next()?
            .strip_prefix(key)?
            .strip_prefix('=')?
            .parse()
            .ok()
    };
    let (year, month, day) = (value("year")?, value("month")?, value("day")?);
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

#[derive(Default)]
struct Buffers {
    partitions: HashMap<String, PartitionBuffer>,
    bytes: usize,
    /// First sequence numbers of flushes being written, still needed in the log.
    in_flight: Vec<u64>,
    /// Files whose write failed, tried again with the same rows (and so the same name) before
    /// anything else. A write that failed but landed (an S3 PUT whose answer was lost, a
    /// folder fsync that failed after the link) then meets its own file: since numbers never
    /// repeat, a file of that name holds exactly these records, and the retry counts as done.
    retry: Vec<(String, Rows)>,
    /// Rows whose first write met a file of the same name that another writer made: never
    /// overwritten, kept (and so kept in the log) until an operator looks.
    conflicts: Vec<(String, Rows)>,
}

/// The table folder records are written into, and its buffers.
pub struct Sink {
    destination: Destination,
    schema: SchemaRef,
    columns: Vec<ColumnType>,
    hints: BufferHints,
    buffers: Mutex<Buffers>,
    metrics: Arc<Metrics>,
    /// Why the sink cannot go on (a name conflict, a flusher that died): `/healthz` reports
    /// it and new requests get 503, since records acknowledged now could not be published.
    failure: Mutex<Option<String>>,
}

impl Sink {
    /// A sink writing `stream` under `table_dir`.
    pub fn new(
        stream: &StreamDef,
        destination: Destination,
        hints: BufferHints,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            destination,
            schema: super::stream::schema(stream),
            columns: stream.columns.iter().map(|c| c.column_type).collect(),
            hints,
            buffers: Mutex::default(),
            metrics,
            failure: Mutex::default(),
        }
    }

    /// Why the sink stopped publishing, if it has.
    pub fn failure(&self) -> Option<String> {
        self.failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Marks the sink as unable to publish; the first reason is kept.
    pub fn fail(&self, why: String) {
        tracing::error!("the sink stopped publishing: {why}");
        self.metrics.failing.store(1, Ordering::Relaxed);
        self.failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert(why);
    }

    /// Fails, one by one, the records of `prepared` whose partition is outside the day
    /// window or would take the active partitions past the limit; the partitions admitted are
    /// reserved until the next flush round.
    pub fn admit(&self, prepared: &mut Prepared, limits: &PartitionLimits, today: NaiveDate) {
        let earliest = today - chrono::Days::new(u64::from(limits.max_age_days));
        let latest = today + chrono::Days::new(u64::from(limits.max_future_days));
        let mut buffers = self.lock();
        prepared.refuse(|row| {
            let Some(day) = partition_day(&row.partition) else {
                return Err(RecordError::new(
                    "InvalidPartition",
                    format!("{} is not a year=/month=/day= partition", row.partition),
                ));
            };
            if day < earliest || day > latest {
                return Err(RecordError::new(
                    "PartitionOutsideWindow",
                    format!(
                        "the record's day {day} is outside {earliest} to {latest} \
                         (--max-record-age-days, --max-future-days)"
                    ),
                ));
            }
            if !buffers.partitions.contains_key(&row.partition) {
                if buffers.partitions.len() >= limits.max_active {
                    return Err(RecordError::new(
                        "PartitionLimitExceeded",
                        format!(
                            "{} partitions are being buffered, the limit (--max-active-partitions); \
                             retry once they flush",
                            limits.max_active
                        ),
                    ));
                }
                buffers
                    .partitions
                    .insert(row.partition.clone(), PartitionBuffer::default());
            }
            Ok(())
        });
    }

    /// True when the buffers are full and new records must wait.
    pub fn is_full(&self) -> bool {
        self.lock().bytes >= self.hints.max_buffered_bytes
    }

    /// Adds rows logged from sequence number `first_seq` on; called in log order.
    pub fn add(&self, first_seq: u64, rows: Vec<Row>) {
        let mut buffers = self.lock();
        for (i, row) in rows.into_iter().enumerate() {
            push(&mut buffers, first_seq + i as u64, row);
        }
        self.metrics
            .buffered_bytes
            .store(buffers.bytes as u64, Ordering::Relaxed);
    }

    /// What the sink counts.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Where the files go.
    pub fn destination(&self) -> &Destination {
        &self.destination
    }

    /// Buffers the logged entries that no published file holds yet, one log segment at a
    /// time (flushing whenever the buffers fill, so a large log never has to fit in memory);
    /// returns how many.
    ///
    /// Exactly once holds because a file's name says which records it holds, a file is
    /// published whole and numbers never repeat. A record logged by an earlier stream
    /// definition that no longer fits (another number of columns, a value of another type)
    /// stops the start with an error that says what to do: it is never dropped or turned into
    /// NULLs silently.
    pub async fn replay(&self, replay: &Replay) -> Result<usize, String> {
        if let Some((&width, &count)) = replay
            .widths
            .iter()
            .find(|(w, _)| **w != self.columns.len())
        {
            return Err(format!(
                "the write-ahead log holds {count} records with {width} values, but the stream \
                 now has {} columns: a changed definition cannot take them. Start once with the \
                 definition they were logged with to publish them, or move the log folder aside",
                self.columns.len()
            ));
        }
        let mut published: HashMap<String, Vec<(u64, u64)>> = HashMap::new();
        for partition in &replay.partitions {
            let ranges = self
                .destination
                .published_ranges(partition)
                .await
                .map_err(|e| format!("listing published files of {partition}: {e}"))?;
            published.insert(partition.clone(), ranges);
        }
        let mut replayed = 0;
        for index in 0..replay.segment_count() {
            let entries = replay
                .segment(index)
                .map_err(|e| format!("reading the write-ahead log: {e}"))?;
            {
                let mut buffers = self.lock();
                for entry in entries {
                    if let Some(why) = self.misfit(&entry.row) {
                        return Err(format!(
                            "record {} in the write-ahead log no longer fits the stream: {why}. \
                             Start once with the definition it was logged with, or move the log \
                             folder aside",
                            entry.seq
                        ));
                    }
                    let covered = published.get(&entry.row.partition).is_some_and(|ranges| {
                        ranges.iter().any(|(a, b)| (*a..=*b).contains(&entry.seq))
                    });
                    if !covered {
                        push(&mut buffers, entry.seq, entry.row);
                        replayed += 1;
                    }
                }
            }
            // Replay flushes early: a large log then costs a few segments of memory, not the
            // whole buffer budget the live server may use.
            if self.lock().bytes >= REPLAY_FLUSH_BYTES.min(self.hints.max_buffered_bytes) {
                self.flush(true).await;
            }
        }
        Ok(replayed)
    }

    /// Why `row` cannot be written as the stream's columns, if it cannot.
    fn misfit(&self, row: &Row) -> Option<String> {
        if row.cells.len() != self.columns.len() {
            return Some(format!(
                "it has {} values for {} columns",
                row.cells.len(),
                self.columns.len()
            ));
        }
        self.columns
            .iter()
            .zip(&row.cells)
            .zip(&self.schema.fields)
            .find(|((column_type, cell), _)| !fits(cell, **column_type))
            .map(|((column_type, cell), field)| {
                format!(
                    "column {} is {} but the record holds {}",
                    field.name(),
                    column_type.athena_name(),
                    cell_kind(cell)
                )
            })
    }

    /// Writes every buffer that is due (all of them with `everything`) and returns the lowest
    /// sequence number not yet in Parquet: the log may let go of everything below it. A failed
    /// write is tried again, as the same file, on the next round.
    pub async fn flush(&self, everything: bool) -> u64 {
        self.destination.retry_registrations().await;
        let due = self.take_due(everything);
        for (partition, rows, retried) in due {
            let first = rows.first().map_or(0, |r| r.0);
            let result = self.write(&partition, &rows).await;
            let mut buffers = self.lock();
            buffers.in_flight.retain(|s| *s != first);
            match result {
                Ok(bytes) => {
                    self.metrics.flushes.fetch_add(1, Ordering::Relaxed);
                    self.metrics.files.fetch_add(1, Ordering::Relaxed);
                    self.metrics
                        .parquet_bytes
                        .fetch_add(bytes, Ordering::Relaxed);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && retried => {
                    // An earlier attempt landed after all: the file holds exactly these rows.
                    self.metrics.flushes.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    self.metrics.flush_errors.fetch_add(1, Ordering::Relaxed);
                    buffers.bytes += weight(&rows);
                    buffers.conflicts.push((partition.clone(), rows));
                    drop(buffers);
                    self.fail(format!(
                        "{partition}: {e}, written by another writer of this table; it was not \
                         replaced and the records stay in the write-ahead log"
                    ));
                }
                Err(e) => {
                    self.metrics.flush_errors.fetch_add(1, Ordering::Relaxed);
                    tracing::error!("writing {partition} failed, will retry: {e}");
                    buffers.bytes += weight(&rows);
                    buffers.retry.push((partition, rows));
                }
            }
        }
        let watermark = {
            let buffers = self.lock();
            self.metrics
                .buffered_bytes
                .store(buffers.bytes as u64, Ordering::Relaxed);
            buffers
                .partitions
                .values()
                .filter_map(|b| b.rows.first().map(|r| r.0))
                .chain(buffers.in_flight.iter().copied())
                .chain(
                    buffers
                        .retry
                        .iter()
                        .chain(&buffers.conflicts)
                        .filter_map(|(_, rows)| rows.first().map(|r| r.0)),
                )
                .min()
        };
        watermark.unwrap_or(u64::MAX)
    }

    /// The buffers to write now, each with whether it is a retry.
    fn take_due(&self, everything: bool) -> Vec<(String, Rows, bool)> {
        let mut buffers = self.lock();
        // Reservations whose records never came (their log write failed) free their slot.
        buffers
            .partitions
            .retain(|_, b| !b.rows.is_empty() || b.reserved_at.elapsed() < RESERVATION);
        let due: Vec<String> = buffers
            .partitions
            .iter()
            .filter(|(_, b)| {
                !b.rows.is_empty()
                    && (everything
                        || b.bytes >= self.hints.size_bytes
                        || b.since.is_some_and(|t| t.elapsed() >= self.hints.interval))
            })
            .map(|(p, _)| p.clone())
            .collect();
        let mut taken = Vec::new();
        for (partition, rows) in std::mem::take(&mut buffers.retry) {
            buffers.bytes -= weight(&rows);
            if let Some(first) = rows.first() {
                buffers.in_flight.push(first.0);
            }
            taken.push((partition, rows, true));
        }
        for partition in due {
            if let Some(buffer) = buffers.partitions.remove(&partition) {
                buffers.bytes -= buffer.memory;
                if let Some(first) = buffer.rows.first() {
                    buffers.in_flight.push(first.0);
                }
                taken.push((partition, buffer.rows, false));
            }
        }
        taken
    }

    /// Writes one partition's rows as one Parquet file; returns its size.
    async fn write(&self, partition: &str, rows: &[(u64, Row)]) -> std::io::Result<u64> {
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else {
            return Ok(0);
        };
        let batch = self.batch(rows).map_err(std::io::Error::other)?;
        let name = destination::file_name(first.0, last.0);
        self.destination
            .publish(partition, &name, &self.schema, batch)
            .await
    }

    fn batch(&self, rows: &[(u64, Row)]) -> Result<RecordBatch, String> {
        // Checked here too, so a row that slipped past every check is an error, not a panic
        // that would take the flusher down.
        if let Some((seq, why)) = rows
            .iter()
            .find_map(|(seq, row)| Some((seq, self.misfit(row)?)))
        {
            return Err(format!("record {seq} does not fit the stream: {why}"));
        }
        let arrays: Vec<ArrayRef> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, column_type)| {
                column(*column_type, rows.iter().filter_map(|r| r.1.cells.get(i)))
            })
            .collect();
        RecordBatch::try_new(Arc::clone(&self.schema), arrays).map_err(|e| e.to_string())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Buffers> {
        self.buffers.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn push(buffers: &mut Buffers, seq: u64, row: Row) {
    let weight = row.weight();
    let buffer = buffers.partitions.entry(row.partition.clone()).or_default();
    buffer.since.get_or_insert_with(Instant::now);
    // The size hint counts data, as Firehose's does; the memory cap counts memory.
    buffer.bytes += row.data_bytes();
    buffer.memory += weight;
    buffer.rows.push((seq, row));
    buffers.bytes += weight;
}

fn weight(rows: &[(u64, Row)]) -> usize {
    rows.iter().map(|(_, row)| row.weight()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use quarry_records::Cell;

    const DAY: &str = "year=2023/month=09/day=08";

    fn row(message: &str) -> Row {
        Row {
            partition: DAY.to_owned(),
            cells: vec![
                Cell::Text("s".to_owned()),
                Cell::Null,
                Cell::Int(1_694_209_417_035),
                Cell::Text(message.to_owned()),
            ],
        }
    }

    fn files(dir: &std::path::Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[tokio::test]
    async fn a_failed_write_is_retried_as_the_same_file_and_holds_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let table = dir.path().join("logs");
        let sink = Sink::new(
            &StreamDef::seed_logs(),
            Destination::Local(table.clone()),
            BufferHints::default(),
            Arc::default(),
        );
        sink.add(1, vec![row("a"), row("b")]);
        // A file where the partition folder should go makes the write fail.
        std::fs::create_dir_all(&table).unwrap();
        std::fs::write(table.join("year=2023"), b"in the way").unwrap();
        assert_eq!(
            sink.flush(true).await,
            1,
            "nothing published: the log keeps record 1"
        );
        sink.add(3, vec![row("c")]);
        std::fs::remove_file(table.join("year=2023")).unwrap();
        assert_eq!(sink.flush(true).await, u64::MAX, "everything published");
        assert_eq!(
            files(&table.join(DAY)),
            [
                "part-00000000000000000001-00000000000000000002.parquet",
                "part-00000000000000000003-00000000000000000003.parquet"
            ]
        );
    }
}
