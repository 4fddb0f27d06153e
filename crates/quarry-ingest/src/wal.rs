//! The write-ahead log: a request is acknowledged only once its records are in the log and the
//! log is fsynced. One writer thread does group commit: it takes every append waiting, writes
//! them, syncs once, then answers them all.
//!
//! Each committed append is handed to `on_commit` on the writer thread, in sequence order,
//! before its request is answered: buffers therefore hold a partition's records in log order,
//! which is what lets a file's `first-last` name stand for exactly the records it holds.
//!
//! The log is segment files `wal-<first seq>.log` of frames `[len u32][crc32 u32][JSON]`. Each
//! record gets a sequence number. A torn frame at the end of the last segment (a crash
//! mid-write) is cut off on open; segments whose records are all in Parquet are deleted.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
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

/// A logged record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(rename = "s")]
    pub seq: u64,
    #[serde(flatten)]
    pub row: Row,
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
    queue: mpsc::Sender<Append>,
    segments: Arc<Mutex<Vec<Segment>>>,
    bytes: Arc<AtomicU64>,
}

impl Wal {
    /// Opens the log in `dir`, returning it with every record it holds (for replay, which must
    /// be done before the first append). `on_commit` gets each durable append's first
    /// sequence number and rows, in order.
    pub fn open(
        dir: &Path,
        on_commit: impl Fn(u64, Vec<Row>) + Send + 'static,
    ) -> io::Result<(Self, Vec<Entry>)> {
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
        let mut entries = Vec::new();
        let mut segments = Vec::new();
        let count = paths.len();
        for (i, path) in paths.into_iter().enumerate() {
            let (found, valid_bytes) = read_segment(&path)?;
            let last = i + 1 == count;
            let on_disk = fs::metadata(&path)?.len();
            if valid_bytes < on_disk {
                if last {
                    // A crash mid-write: the tail was never acknowledged.
                    OpenOptions::new()
                        .write(true)
                        .open(&path)?
                        .set_len(valid_bytes)?;
                } else {
                    tracing::warn!("{}: damaged after byte {valid_bytes}", path.display());
                }
            }
            segments.push(Segment {
                path,
                last_seq: found.last().map_or(0, |e| e.seq),
                bytes: valid_bytes,
            });
            entries.extend(found);
        }
        let next_seq = entries.iter().map(|e| e.seq).max().map_or(1, |s| s + 1);
        if segments.is_empty() {
            segments.push(new_segment(dir, next_seq)?);
        }
        let bytes = Arc::new(AtomicU64::new(segments.iter().map(|s| s.bytes).sum()));
        let segments = Arc::new(Mutex::new(segments));
        let (queue, appends) = mpsc::channel(QUEUE);
        let writer = Writer {
            dir: dir.to_path_buf(),
            next_seq,
            segments: Arc::clone(&segments),
            bytes: Arc::clone(&bytes),
            failed: None,
            on_commit: Box::new(on_commit),
        };
        std::thread::Builder::new()
            .name("quarry-wal".to_owned())
            .spawn(move || writer.run(appends))?;
        Ok((
            Self {
                queue,
                segments,
                bytes,
            },
            entries,
        ))
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

    /// Deletes closed segments whose records all have sequence numbers below `seq` (they are
    /// in Parquet).
    pub fn release_before(&self, seq: u64) {
        let mut segments = self.segments.lock().unwrap_or_else(PoisonError::into_inner);
        let open = segments.len().saturating_sub(1);
        let mut kept = Vec::new();
        for (i, segment) in segments.drain(..).enumerate() {
            if i < open && segment.last_seq < seq {
                match fs::remove_file(&segment.path) {
                    Ok(()) => {
                        self.bytes.fetch_sub(segment.bytes, Ordering::Relaxed);
                        continue;
                    }
                    Err(e) => tracing::warn!("cannot delete {}: {e}", segment.path.display()),
                }
            }
            kept.push(segment);
        }
        *segments = kept;
    }

    /// Bytes on disk in the log.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

struct Writer {
    dir: PathBuf,
    next_seq: u64,
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
                let _ = append.reply.send(answer);
            }
            if result.is_ok() {
                self.next_seq = seq;
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
                let entry = Entry {
                    seq,
                    row: row.clone(),
                };
                let payload = serde_json::to_vec(&entry).map_err(io::Error::other)?;
                frames.extend_from_slice(&(payload.len() as u32).to_le_bytes());
                frames.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
                frames.extend_from_slice(&payload);
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
    File::create(&path)?.sync_all()?;
    if let Ok(folder) = File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(Segment {
        path,
        last_seq: 0,
        bytes: 0,
    })
}

/// The entries of a segment and how many of its bytes are whole, valid frames.
fn read_segment(path: &Path) -> io::Result<(Vec<Entry>, u64)> {
    let mut data = Vec::new();
    File::open(path)?.read_to_end(&mut data)?;
    let mut entries = Vec::new();
    let mut at = 0_usize;
    while let Some(header) = data.get(at..at + 8) {
        let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let crc = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        let Some(payload) = data.get(at + 8..at + 8 + len) else {
            break;
        };
        if crc32fast::hash(payload) != crc {
            break;
        }
        let Ok(entry) = serde_json::from_slice::<Entry>(payload) else {
            break;
        };
        entries.push(entry);
        at += 8 + len;
    }
    Ok((entries, at as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quarry_records::Cell;

    fn row(text: &str) -> Row {
        Row {
            partition: "year=2023/month=09/day=08".to_owned(),
            cells: vec![Cell::Text(text.to_owned()), Cell::Int(1), Cell::Null],
        }
    }

    #[tokio::test]
    async fn appends_survive_a_reopen_and_a_torn_tail_is_cut() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (wal, replay) = Wal::open(dir.path(), |_, _| {}).unwrap();
            assert!(replay.is_empty());
            assert_eq!(wal.append(vec![row("a"), row("b")]).await.unwrap(), 1);
            assert_eq!(wal.append(vec![row("c")]).await.unwrap(), 3);
        }
        let segment = fs::read_dir(dir.path())
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let whole = fs::metadata(&segment).unwrap().len();
        // Half a frame, as a crash mid-write leaves it.
        OpenOptions::new()
            .append(true)
            .open(&segment)
            .unwrap()
            .write_all(&[40, 0, 0, 0, 1, 2])
            .unwrap();
        let (wal, replay) = Wal::open(dir.path(), |_, _| {}).unwrap();
        let seqs: Vec<u64> = replay.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [1, 2, 3]);
        assert_eq!(replay[2].row, row("c"));
        assert_eq!(
            fs::metadata(&segment).unwrap().len(),
            whole,
            "the torn tail is cut"
        );
        assert_eq!(
            wal.append(vec![row("d")]).await.unwrap(),
            4,
            "numbering goes on"
        );
    }

    #[tokio::test]
    async fn concurrent_appends_get_distinct_ranges_handed_over_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let handed = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&handed);
        let (wal, _) = Wal::open(dir.path(), move |first, rows: Vec<Row>| {
            sink.lock().unwrap().push((first, rows.len() as u64));
        })
        .unwrap();
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let wal = wal.clone();
                tokio::spawn(async move {
                    let n = i % 3 + 1;
                    let first = wal.append(vec![row("x"); n]).await.unwrap();
                    (first, n as u64)
                })
            })
            .collect();
        let mut ranges = Vec::new();
        for task in tasks {
            ranges.push(task.await.unwrap());
        }
        // The hook saw every append, in sequence order, before its caller got the answer.
        assert_eq!(*handed.lock().unwrap(), {
            let mut sorted = ranges.clone();
            sorted.sort_unstable();
            sorted
        });
        ranges.sort_unstable();
        let mut expected = 1;
        for (first, n) in ranges {
            assert_eq!(first, expected);
            expected += n;
        }
        drop(wal);
        let (_, replay) = Wal::open(dir.path(), |_, _| {}).unwrap();
        assert_eq!(replay.len() as u64, expected - 1);
    }
}
