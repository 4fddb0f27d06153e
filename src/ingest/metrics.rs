//! Counters for `GET /metrics` (Prometheus text format), with records and bytes per second over
//! the last ten seconds.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Seconds the per-second rates average over.
const RATE_WINDOW: u64 = 10;

/// Everything the ingest path counts.
#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    pub requests: AtomicU64,
    pub records_accepted: AtomicU64,
    pub records_rejected: AtomicU64,
    pub bytes_accepted: AtomicU64,
    pub unknown_keys: AtomicU64,
    pub throttled: AtomicU64,
    pub unavailable: AtomicU64,
    pub flushes: AtomicU64,
    pub flush_errors: AtomicU64,
    pub files: AtomicU64,
    pub parquet_bytes: AtomicU64,
    pub buffered_bytes: AtomicU64,
    /// Per second since start: (second, records, bytes), the last few.
    recent: Mutex<Vec<(u64, u64, u64)>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            requests: AtomicU64::new(0),
            records_accepted: AtomicU64::new(0),
            records_rejected: AtomicU64::new(0),
            bytes_accepted: AtomicU64::new(0),
            unknown_keys: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            unavailable: AtomicU64::new(0),
            flushes: AtomicU64::new(0),
            flush_errors: AtomicU64::new(0),
            files: AtomicU64::new(0),
            parquet_bytes: AtomicU64::new(0),
            buffered_bytes: AtomicU64::new(0),
            recent: Mutex::new(Vec::new()),
        }
    }
}

impl Metrics {
    /// Counts `records` accepted with `bytes` of request body.
    pub fn accepted(&self, records: u64, bytes: u64) {
        self.records_accepted.fetch_add(records, Ordering::Relaxed);
        self.bytes_accepted.fetch_add(bytes, Ordering::Relaxed);
        let second = self.started.elapsed().as_secs();
        let mut recent = self
            .recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match recent.last_mut() {
            Some(last) if last.0 == second => {
                last.1 += records;
                last.2 += bytes;
            }
            _ => recent.push((second, records, bytes)),
        }
        recent.retain(|(s, _, _)| s + RATE_WINDOW > second);
    }

    /// Records and bytes per second over the last full seconds of the window.
    pub fn rates(&self) -> (f64, f64) {
        let now = self.started.elapsed().as_secs();
        let recent = self
            .recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let window = now.clamp(1, RATE_WINDOW) as f64;
        let (records, bytes) = recent
            .iter()
            .filter(|(s, _, _)| s + RATE_WINDOW > now)
            .fold((0, 0), |(r, b), (_, records, bytes)| {
                (r + records, b + bytes)
            });
        (records as f64 / window, bytes as f64 / window)
    }

    /// The Prometheus exposition, with the WAL's size passed in.
    pub fn render(&self, wal_bytes: u64) -> String {
        let (records_per_second, bytes_per_second) = self.rates();
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, value: String| {
            let _ = writeln!(out, "# HELP quarry_ingest_{name} {help}");
            let _ = writeln!(out, "# TYPE quarry_ingest_{name} {kind}");
            let _ = writeln!(out, "quarry_ingest_{name} {value}");
        };
        metric(
            "requests_total",
            "counter",
            "HTTP requests to the record routes.",
            get(&self.requests).to_string(),
        );
        metric(
            "records_accepted_total",
            "counter",
            "Records acknowledged (in the WAL).",
            get(&self.records_accepted).to_string(),
        );
        metric(
            "records_rejected_total",
            "counter",
            "Records refused one by one.",
            get(&self.records_rejected).to_string(),
        );
        metric(
            "bytes_accepted_total",
            "counter",
            "Request bytes of acknowledged requests.",
            get(&self.bytes_accepted).to_string(),
        );
        metric(
            "unknown_keys_total",
            "counter",
            "Record keys that matched no column (dropped).",
            get(&self.unknown_keys).to_string(),
        );
        metric(
            "throttled_total",
            "counter",
            "Requests answered 429 (buffers full).",
            get(&self.throttled).to_string(),
        );
        metric(
            "unavailable_total",
            "counter",
            "Requests answered 503 (WAL write failed).",
            get(&self.unavailable).to_string(),
        );
        metric(
            "flushes_total",
            "counter",
            "Buffers written to Parquet.",
            get(&self.flushes).to_string(),
        );
        metric(
            "flush_errors_total",
            "counter",
            "Buffer writes that failed (retried).",
            get(&self.flush_errors).to_string(),
        );
        metric(
            "files_total",
            "counter",
            "Parquet files published.",
            get(&self.files).to_string(),
        );
        metric(
            "parquet_bytes_total",
            "counter",
            "Bytes of Parquet published.",
            get(&self.parquet_bytes).to_string(),
        );
        metric(
            "buffered_bytes",
            "gauge",
            "Bytes of records waiting in buffers.",
            get(&self.buffered_bytes).to_string(),
        );
        metric(
            "wal_bytes",
            "gauge",
            "Bytes in the write-ahead log.",
            wal_bytes.to_string(),
        );
        metric(
            "records_per_second",
            "gauge",
            "Acknowledged records per second, last 10 s.",
            format!("{records_per_second:.1}"),
        );
        metric(
            "bytes_per_second",
            "gauge",
            "Acknowledged request bytes per second, last 10 s.",
            format!("{bytes_per_second:.1}"),
        );
        out
    }
}
