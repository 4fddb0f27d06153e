//! The write-ahead log: a request is acknowledged only once its records are in the log and the
//! log is fsynced. One writer thread does group commit: it takes every append waiting, writes
//! them, syncs once, then answers them all.
//!
//! Each committed append is handed to `on_commit` on the writer thread, in sequence order,
//! before its request is answered: buffers therefore hold a partition's records in log order,
//! which is what lets a file's `first-last` name stand for exactly the records it holds.
//!
//! The log is segment files `wal-<first seq>.log` of frames (see [`segment`]). Each record gets
//! a sequence number that never repeats for the table: numbering starts past the highest
//! number in the log, in the damaged bytes and in the published files (the caller's `floor`),
//! so losing the log folder cannot make a new record reuse a published file's name. A torn
//! frame at the end of the newest segment (a crash mid-write) is cut off on open; damage
//! anywhere is kept aside in `damaged/`, reported, and read past. Segments whose records are
//! all in Parquet are deleted, the open one included.

mod segment;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};

use quarry_records::Row;

/// A segment is closed and a new one started past this size.
const SEGMENT_BYTES: u64 = 64 << 20;
/// Appends waiting for the writer at most; more wait for room (backpressure).
const QUEUE: usize = 1024;

/// A logged record, as the frame `{"s": seq, "p": partition, "c": [cells]}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "Frame")]
pub struct Entry {
    pub seq: u64,
    pub row: Row,
}

/// An entry's fields side by side (`#[serde(flatten)]` would buffer every frame first).
#[derive(Deserialize)]
struct Frame {
    s: u64,
    p: String,
    c: Vec<quarry_records::Cell>,
}

impl From<Frame> for Entry {
    fn from(frame: Frame) -> Self {
        Self {
            seq: frame.s,
            row: Row {
                partition: frame.p,
                cells: frame.c,
            },
        }
    }
}

/// A frame written straight from a row, without copying it.
#[derive(Serialize)]
struct FrameRef<'a> {
    s: u64,
    p: &'a str,
    c: &'a [quarry_records::Cell],
}

/// Bytes of the log that could not be read back, kept for inspection.
#[derive(Debug, Clone)]
pub struct Damage {
    pub segment: PathBuf,
    /// Where in the segment the damaged stretch starts, and its length.
    pub offset: u64,
    pub bytes: u64,
    /// The copy kept under `damaged/`.
    pub kept: PathBuf,
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} bytes of {} at byte {} could not be read (kept as {})",
            self.bytes,
            self.segment.display(),
            self.offset,
            self.kept.display()
        )
    }
}

/// The records a log held when it was opened, read back one segment at a time (replay never
/// holds more than one segment's records besides the buffers).
#[derive(Debug, Default)]
pub struct Replay {
    /// Segments and how many of their bytes were good at open.
    segments: Vec<(PathBuf, u64)>,
    /// Records in them.
    pub records: u64,
    /// Partitions they belong to.
    pub partitions: BTreeSet<String>,
    /// How many records have each number of values (a changed stream definition shows here).
    pub widths: BTreeMap<usize, u64>,
}

impl Replay {
    /// How many segments there are to read.
    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }

    /// The entries of segment `index`, in log order.
    pub fn segment(&self, index: usize) -> io::Result<Vec<Entry>> {
        let Some((path, good)) = self.segments.get(index) else {
            return Ok(Vec::new());
        };
        let mut data = segment::read(path)?;
        data.truncate(usize::try_from(*good).unwrap_or(usize::MAX));
        Ok(segment::entries(&data))
    }
}

/// An opened log: the log itself, what it holds for replay, and any damage found.
pub struct Opened {
    pub wal: Wal,
    pub replay: Replay,
    pub damage: Vec<Damage>,
}

struct Append {
    rows: Vec<Row>,
    reply: oneshot::Sender<io::Result<u64>>,
}

#[derive(Debug)]
struct Segment {
    path: PathBuf,
    /// Highest sequence number in it (0 when empty).
    last_seq: u64,
    bytes: u64,
}

/// The log, shared by the request handlers (appends) and the flusher (truncation).
#[derive(Clone)]
pub struct Wal {
    dir: PathBuf,
    queue: mpsc::Sender<Append>,
    segments: Arc<Mutex<Vec<Segment>>>,
    bytes: Arc<AtomicU64>,
    /// The number the next record will get; every record below it has been handed over.
    next_seq: Arc<AtomicU64>,
}

impl Wal {
    /// Opens the log in `dir`. Numbering starts at `floor` at least (one past the highest
    /// number already published). `on_commit` gets each durable append's first sequence
    /// number and rows, in order. Replay must be done before the first append.
    pub fn open(
        dir: &Path,
        floor: u64,
        on_commit: impl Fn(u64, Vec<Row>) + Send + 'static,
    ) -> io::Result<Opened> {
        fs::create_dir_all(dir)?;
        let mut paths: Vec<PathBuf> = fs::read_dir(dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("wal-"))
                    && p.extension().is_some_and(|e| e == "log")
            })
            .collect();
        paths.sort();
        let mut replay = Replay::default();
        let mut damage = Vec::new();
        let mut segments = Vec::new();
        let mut highest = 0;
        let count = paths.len();
        for (i, path) in paths.into_iter().enumerate() {
            let data = segment::read(&path)?;
            let scan = segment::scan(&data, i + 1 == count);
            for gap in &scan.gaps {
                match gap {
                    segment::Gap::TornTail(range) => tracing::info!(
                        "{}: cut {} bytes of an unfinished write",
                        path.display(),
                        range.len()
                    ),
                    segment::Gap::Damaged(range) => {
                        let bytes = &data[range.clone()];
                        highest = highest.max(segment::seqs_mentioned(bytes).unwrap_or(0));
                        let kept =
                            segment::keep_aside(&dir.join("damaged"), &path, range.start, bytes)?;
                        let found = Damage {
                            segment: path.clone(),
                            offset: range.start as u64,
                            bytes: range.len() as u64,
                            kept,
                        };
                        tracing::warn!("write-ahead log damaged: {found}");
                        damage.push(found);
                    }
                }
            }
            let good = if scan.gaps.is_empty() {
                data.len() as u64
            } else if scan.is_clean() {
                let good = scan.frames.last().map_or(0, |(r, _)| r.end) as u64;
                segment::truncate(&path, good)?;
                good
            } else {
                segment::rewrite(&path, &data, &scan.frames)?
            };
            let last_seq = scan.last_seq().unwrap_or(0);
            highest = highest.max(last_seq);
            for (_, head) in &scan.frames {
                replay.records += 1;
                if !replay.partitions.contains(&head.partition) {
                    replay.partitions.insert(head.partition.clone());
                }
                *replay.widths.entry(head.width()).or_default() += 1;
            }
            replay.segments.push((path.clone(), good));
            segments.push(Segment {
                path,
                last_seq,
                bytes: good,
            });
        }
        let next_seq = (highest + 1).max(floor).max(1);
        if segments.is_empty() {
            segments.push(new_segment(dir, next_seq)?);
        }
        let bytes = Arc::new(AtomicU64::new(segments.iter().map(|s| s.bytes).sum()));
        let segments = Arc::new(Mutex::new(segments));
        let next = Arc::new(AtomicU64::new(next_seq));
        let (queue, appends) = mpsc::channel(QUEUE);
        let writer = Writer {
            dir: dir.to_path_buf(),
            next_seq,
            handed_over: Arc::clone(&next),
            segments: Arc::clone(&segments),
            bytes: Arc::clone(&bytes),
            failed: None,
            on_commit: Box::new(on_commit),
        };
        std::thread::Builder::new()
            .name("quarry-wal".to_owned())
            .spawn(move || writer.run(appends))?;
        Ok(Opened {
            wal: Self {
                dir: dir.to_path_buf(),
                queue,
                segments,
                bytes,
                next_seq: next,
            },
            replay,
            damage,
        })
    }

    /// Logs `rows` durably; returns the first one's sequence number (the rest follow in order).
    pub async fn append(&self, rows: Vec<Row>) -> io::Result<u64> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Append { rows, reply })
            .await
            .map_err(|_| io::Error::other("the write-ahead log has stopped"))?;
        answer
            .await
            .map_err(|_| io::Error::other("the write-ahead log has stopped"))?
    }

    /// The number the next record will get. Read it *before* asking the buffers what they
    /// still hold: every record below it has reached them by then, so
    /// `min(this, buffers' lowest)` is a safe mark for [`Wal::release_before`].
    pub fn next_seq(&self) -> u64 {
        self.next_seq.load(Ordering::Acquire)
    }

    /// Deletes segments whose records all have sequence numbers below `seq` (they are in
    /// Parquet). The open segment goes too when everything in it is published: a fresh one
    /// takes its place, so published records do not linger in the log.
    pub fn release_before(&self, seq: u64) {
        let mut segments = self.segments.lock().unwrap_or_else(PoisonError::into_inner);
        let open = segments.len().saturating_sub(1);
        if segments
            .get(open)
            .is_some_and(|s| s.bytes > 0 && s.last_seq < seq)
        {
            let first = segments[open].last_seq + 1;
            match new_segment(&self.dir, first) {
                Ok(fresh) => segments.push(fresh),
                Err(e) => tracing::warn!("cannot start a new log segment: {e}"),
            }
        }
        let open = segments.len().saturating_sub(1);
        let mut kept = Vec::new();
        let mut deleted = false;
        for (i, segment) in segments.drain(..).enumerate() {
            if i < open && segment.last_seq < seq {
                match fs::remove_file(&segment.path) {
                    Ok(()) => {
                        self.bytes.fetch_sub(segment.bytes, Ordering::Relaxed);
                        deleted = true;
                        continue;
                    }
                    Err(e) => tracing::warn!("cannot delete {}: {e}", segment.path.display()),
                }
            }
            kept.push(segment);
        }
        *segments = kept;
        if deleted && let Err(e) = segment::sync_dir(&self.dir) {
            // Only the deletion might not survive a crash: replay would find the records
            // published and skip them.
            tracing::warn!("cannot sync {}: {e}", self.dir.display());
        }
    }

    /// Bytes on disk in the log.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

struct Writer {
    dir: PathBuf,
    next_seq: u64,
    /// Shared copy of `next_seq`, stored once the records below it are handed over.
    handed_over: Arc<AtomicU64>,
    segments: Arc<Mutex<Vec<Segment>>>,
    bytes: Arc<AtomicU64>,
    /// Set after a write that could not be undone; every later append fails.
    failed: Option<String>,
    on_commit: Box<dyn Fn(u64, Vec<Row>) + Send>,
}

impl Writer {
    fn run(mut self, mut appends: mpsc::Receiver<Append>) {
        while let Some(first) = appends.blocking_recv() {
            let mut batch = vec![first];
            while let Ok(more) = appends.try_recv() {
                batch.push(more);
            }
            let result = self.commit(&batch);
            let mut seq = self.next_seq;
            let mut replies = Vec::with_capacity(batch.len());
            for append in batch {
                let answer = match &result {
                    Ok(()) => {
                        let start = seq;
                        seq += append.rows.len() as u64;
                        (self.on_commit)(start, append.rows);
                        Ok(start)
                    }
                    Err(e) => Err(io::Error::new(e.kind(), e.to_string())),
                };
                replies.push((append.reply, answer));
            }
            if result.is_ok() {
                self.next_seq = seq;
                self.handed_over.store(seq, Ordering::Release);
            }
            for (reply, answer) in replies {
                let _ = reply.send(answer);
            }
        }
    }

    /// Writes and syncs every row of `batch`, numbered from `next_seq` on.
    fn commit(&mut self, batch: &[Append]) -> io::Result<()> {
        if let Some(why) = &self.failed {
            return Err(io::Error::other(why.clone()));
        }
        let mut frames = Vec::new();
        let mut seq = self.next_seq;
        for append in batch {
            for row in &append.rows {
                segment::encode(seq, row, &mut frames)?;
                seq += 1;
            }
        }
        let mut segments = self.segments.lock().unwrap_or_else(PoisonError::into_inner);
        if segments.last().is_some_and(|s| s.bytes >= SEGMENT_BYTES) {
            segments.push(new_segment(&self.dir, self.next_seq)?);
        }
        let Some(segment) = segments.last_mut() else {
            return Err(io::Error::other("the write-ahead log has no segment"));
        };
        let written = OpenOptions::new()
            .append(true)
            .open(&segment.path)
            .and_then(|mut file| {
                file.write_all(&frames)?;
                file.sync_data()
            });
        if let Err(e) = written {
            // Take back whatever part of the batch reached the file, so the log stays a clean
            // sequence of frames; if that fails too, stop taking appends.
            let undone = OpenOptions::new()
                .write(true)
                .open(&segment.path)
                .and_then(|f| f.set_len(segment.bytes).and_then(|()| f.sync_data()));
            if let Err(undo) = undone {
                self.failed = Some(format!(
                    "the write-ahead log {} could not be repaired after a failed write ({e}; {undo})",
                    segment.path.display()
                ));
            }
            return Err(e);
        }
        segment.bytes += frames.len() as u64;
        segment.last_seq = seq - 1;
        self.bytes.fetch_add(frames.len() as u64, Ordering::Relaxed);
        Ok(())
    }
}

fn new_segment(dir: &Path, first_seq: u64) -> io::Result<Segment> {
    let path = dir.join(format!("wal-{first_seq:020}.log"));
    // Never truncate a segment that exists: its records may not be published yet.
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)?
        .sync_all()?;
    segment::sync_dir(dir)?;
    Ok(Segment {
        path,
        last_seq: 0,
        bytes: 0,
    })
}

#[cfg(test)]
mod tests;
