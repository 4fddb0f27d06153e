//! The accept loop in front of the routes, with the limits a public endpoint needs and
//! `axum::serve` does not offer: a header read timeout, an idle keep-alive timeout, a cap on
//! connections below the file-descriptor limit (the longest-idle connection makes room for a
//! new one, so a flood of idle sockets cannot lock out a client that sends a request), and a
//! graceful shutdown with a bound. HTTP/1.1 only: there are no HTTP/2 streams to escape the
//! per-request limits.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use super::metrics::Metrics;

/// Time and count limits of the HTTP side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetLimits {
    /// A request's headers must arrive within this.
    pub header_timeout: Duration,
    /// A whole body must arrive within this…
    pub body_timeout: Duration,
    /// …and no gap between two of its chunks may be longer than this.
    pub body_idle_timeout: Duration,
    /// A keep-alive connection with no request is closed after this.
    pub idle_timeout: Duration,
    /// Open connections at most (`None`: from the file-descriptor limit).
    pub max_connections: Option<usize>,
    /// On stop, requests in flight get this long to finish.
    pub shutdown_grace: Duration,
}

impl Default for NetLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            body_idle_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_mins(1),
            max_connections: None,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// File descriptors kept for the log, the lake and the runtime.
const RESERVED_FDS: usize = 64;

/// Connections at most: the configured cap, never above the file-descriptor limit less a
/// reserve (raising the soft limit to the hard one first).
pub fn connection_cap(configured: Option<usize>) -> usize {
    let limit = rlimit::increase_nofile_limit(u64::MAX)
        .ok()
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(1024);
    let most = limit.saturating_sub(RESERVED_FDS).max(16);
    configured.map_or(most.min(16_384), |n| n.clamp(1, most))
}

/// One open connection: whether a request is being handled, since when it has been idle,
/// and how to close it.
struct Connection {
    busy: Arc<AtomicU64>,
    idle_since: Arc<Mutex<Instant>>,
    close: Arc<Notify>,
    evicted: Arc<AtomicBool>,
}

#[derive(Default)]
struct Connections {
    open: HashMap<u64, Connection>,
    next_id: u64,
}

impl Connections {
    /// Closes the connection idle the longest, if any is idle; true when one was.
    fn evict_idle(&mut self) -> bool {
        let oldest = self
            .open
            .iter()
            .filter(|(_, c)| {
                c.busy.load(Ordering::Acquire) == 0 && !c.evicted.load(Ordering::Acquire)
            })
            .min_by_key(|(_, c)| *c.idle_since.lock().unwrap_or_else(PoisonError::into_inner))
            .map(|(id, _)| *id);
        let Some(id) = oldest else {
            return false;
        };
        if let Some(connection) = self.open.get(&id) {
            connection.evicted.store(true, Ordering::Release);
            connection.close.notify_one();
        }
        true
    }
}

/// Serves `router` on `listener` until `stop` turns true, then lets requests in flight finish
/// for at most `limits.shutdown_grace`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: NetLimits,
    metrics: Arc<Metrics>,
    mut stop: watch::Receiver<bool>,
) {
    let cap = connection_cap(limits.max_connections);
    let connections = Arc::new(Mutex::new(Connections::default()));
    let mut tasks = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.changed() => break,
        };
        while tasks.try_join_next().is_some() {}
        let (stream, _) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of descriptors or a reset before accept: wait a little, never spin.
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let mut open = connections.lock().unwrap_or_else(PoisonError::into_inner);
        if open.open.len() >= cap && !open.evict_idle() {
            metrics.connections_refused.fetch_add(1, Ordering::Relaxed);
            drop(stream);
            continue;
        }
        let id = open.next_id;
        open.next_id += 1;
        let connection = Connection {
            busy: Arc::default(),
            idle_since: Arc::new(Mutex::new(Instant::now())),
            close: Arc::default(),
            evicted: Arc::default(),
        };
        let task = ConnectionTask {
            busy: Arc::clone(&connection.busy),
            idle_since: Arc::clone(&connection.idle_since),
            close: Arc::clone(&connection.close),
        };
        open.open.insert(id, connection);
        metrics
            .connections
            .store(open.open.len() as u64, Ordering::Relaxed);
        drop(open);
        let router = router.clone();
        let registry = Arc::clone(&connections);
        let metrics = Arc::clone(&metrics);
        let stop = stop.clone();
        tasks.spawn(async move {
            task.run(stream, router, limits, &metrics, stop).await;
            let mut open = registry.lock().unwrap_or_else(PoisonError::into_inner);
            open.open.remove(&id);
            metrics
                .connections
                .store(open.open.len() as u64, Ordering::Relaxed);
        });
    }
    drop(listener);
    let deadline = tokio::time::sleep(limits.shutdown_grace);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            next = tasks.join_next() => if next.is_none() { break },
            () = &mut deadline => {
                tracing::warn!("{} connections still open after the shutdown grace; closing them", tasks.len());
                tasks.abort_all();
                break;
            }
        }
    }
}

struct ConnectionTask {
    busy: Arc<AtomicU64>,
    idle_since: Arc<Mutex<Instant>>,
    close: Arc<Notify>,
}

impl ConnectionTask {
    async fn run(
        self,
        stream: tokio::net::TcpStream,
        router: Router,
        limits: NetLimits,
        metrics: &Metrics,
        mut stop: watch::Receiver<bool>,
    ) {
        let busy = Arc::clone(&self.busy);
        let idle_since = Arc::clone(&self.idle_since);
        // Counts the request as in flight from its headers to its answer.
        let service = tower::ServiceBuilder::new()
            .map_request(move |request| {
                busy.fetch_add(1, Ordering::AcqRel);
                request
            })
            .service(router);
        let busy = Arc::clone(&self.busy);
        let service = tower::ServiceExt::map_response(service, move |response| {
            busy.fetch_sub(1, Ordering::AcqRel);
            *idle_since.lock().unwrap_or_else(PoisonError::into_inner) = Instant::now();
            response
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .keep_alive(true);
        let connection =
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        tokio::pin!(connection);
        let mut stopping = false;
        loop {
            let idle_for = self.idle_for();
            let idle_left = if self.busy.load(Ordering::Acquire) == 0 {
                limits.idle_timeout.saturating_sub(idle_for)
            } else {
                limits.idle_timeout
            };
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result
                        && e.is_timeout()
                    {
                        metrics.timeouts.fetch_add(1, Ordering::Relaxed);
                    }
                    return;
                }
                () = self.close.notified() => return,
                () = tokio::time::sleep(idle_left) => {
                    if self.busy.load(Ordering::Acquire) == 0 && self.idle_for() >= limits.idle_timeout {
                        metrics.timeouts.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                }
                _ = stop.changed(), if !stopping => {
                    stopping = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }

    fn idle_for(&self) -> Duration {
        self.idle_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .elapsed()
    }
}
