//! Counters for `GET /metrics` (Prometheus text format), with records and bytes per second over
//! the last ten seconds.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Seconds the per-second rates average over.
const RATE_WINDOW: u64 = 10;

/// Declares every counter once: its field, its Prometheus type and help line. The exposition
/// name is the field's, with `_total` for counters.
macro_rules! ingest_metrics {
    ($($field:ident: $kind:literal, $help:literal;)+) => {
        /// Everything the ingest path counts.
        #[derive(Debug)]
        pub struct Metrics {
            started: Instant,
            $(#[doc = $help] pub $field: AtomicU64,)+
            /// Per second since start: (second, records, bytes), the last few.
            recent: Mutex<Vec<(u64, u64, u64)>>,
        }

        impl Default for Metrics {
            fn default() -> Self {
                Self {
                    started: Instant::now(),
                    $($field: AtomicU64::new(0),)+
                    recent: Mutex::new(Vec::new()),
                }
            }
        }

        impl Metrics {
            /// Every declared metric with its type, help and current value.
            fn declared(&self) -> Vec<(&'static str, &'static str, &'static str, u64)> {
                vec![$((stringify!($field), $kind, $help, self.$field.load(Ordering::Relaxed)),)+]
            }
        }
    };
}

ingest_metrics! {
    requests: "counter", "HTTP requests to the record routes.";
    records_accepted: "counter", "Records acknowledged (in the WAL).";
    records_rejected: "counter", "Records refused one by one.";
    bytes_accepted: "counter", "Request bytes of acknowledged requests.";
    unknown_keys: "counter", "Record keys that matched no column (dropped).";
    throttled: "counter", "Requests answered 429 (buffers full).";
    unavailable: "counter", "Requests answered 503 (WAL write failed).";
    flushes: "counter", "Buffers written to Parquet.";
    flush_errors: "counter", "Buffer writes that failed (retried).";
    files: "counter", "Parquet files published.";
    parquet_bytes: "counter", "Bytes of Parquet published.";
    buffered_bytes: "gauge", "Bytes of records waiting in buffers.";
    wal_damage: "counter", "Damaged stretches of the write-ahead log found at start (kept in damaged/).";
    wal_damaged_bytes: "counter", "Bytes of the write-ahead log found damaged at start.";
    failing: "gauge", "1 while the sink cannot publish (see /healthz); requests get 503.";
    connections: "gauge", "Open client connections.";
    compactions: "counter", "Closed partitions compacted in the background.";
    files_compacted: "counter", "Files those compactions folded into fewer.";
    connections_refused: "counter", "Connections closed at once because the connection cap was reached.";
    timeouts: "counter", "Requests or connections closed for a header, body or idle timeout.";
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
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, value: String| {
            let suffix = if kind == "counter" { "_total" } else { "" };
            let _ = writeln!(out, "# HELP quarry_ingest_{name}{suffix} {help}");
            let _ = writeln!(out, "# TYPE quarry_ingest_{name}{suffix} {kind}");
            let _ = writeln!(out, "quarry_ingest_{name}{suffix} {value}");
        };
        for (name, kind, help, value) in self.declared() {
            metric(name, kind, help, value.to_string());
        }
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
