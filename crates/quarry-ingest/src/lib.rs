//! `quarry serve`: the front half of the seed's pattern in one process. The Logs API route
//! takes JSON records, a write-ahead log makes them durable before the 200, buffers flush them
//! like Firehose into Parquet `year=/month=/day=` partitions of a table — in a local lake, or
//! in S3 with each new partition registered in Glue — and the new partition shows up in the
//! catalog (a local lake lists its folders; Glue gets `BatchCreatePartition`).

mod columns;
mod compaction;
mod destination;
#[cfg(feature = "aws")]
mod glue;
mod http;
mod lock;
mod metrics;
mod server;
mod sink;
pub mod stream;
pub mod wal;

pub use compaction::ClosedCompaction;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub use quarry_records::{Limits, StreamDef};
pub use server::NetLimits;
pub use sink::{BufferHints, PartitionLimits};
pub use wal::Damage;

use destination::Destination;
#[cfg(feature = "aws")]
use destination::S3Destination;
#[cfg(feature = "aws")]
use glue::GluePartitions;
use metrics::Metrics;
use quarry_records::Converter;
use sink::Sink;
use wal::Wal;

#[cfg(feature = "aws")]
use quarry_core::backend::aws::S3Location;
#[cfg(feature = "aws")]
use quarry_core::backend::local::ObjectStoreFactory;

/// Where a stream's Parquet goes.
#[derive(Debug, Clone)]
pub enum Target {
    /// A local lake folder (the table is `<lake>/<database>/<table>/`).
    Lake(PathBuf),
    /// `location` (`s3://bucket/prefix/`, the table's folder) through `object_store`; with
    /// `glue`, each new partition is registered in the Glue table (created if missing), whose
    /// own location is used when `location` is `None`.
    #[cfg(feature = "aws")]
    S3 {
        clients: quarry_core::backend::aws::AwsClients,
        location: Option<String>,
        glue: bool,
    },
}

/// Everything `quarry serve` needs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub target: Target,
    pub stream: StreamDef,
    pub bind: SocketAddr,
    /// The seed's API Gateway route.
    pub route: String,
    pub hints: BufferHints,
    pub limits: Limits,
    pub api_key: Option<String>,
    /// Timeouts and the connection cap of the HTTP side.
    pub net: NetLimits,
    /// The active-partition limit and the window of days records may fall in.
    pub partitions: PartitionLimits,
    /// Where the write-ahead log lives; default `<lake>/.quarry-ingest/<db>.<table>/`, or for
    /// S3 `<local data dir>/quarry/ingest/<bucket>/<db>.<table>/`.
    pub state_dir: Option<PathBuf>,
    /// Compact closed partitions of a local lake table in the background.
    pub compact_closed: Option<ClosedCompaction>,
}

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "binding {0} exposes the endpoint beyond this machine: give --api-key (clients send it as x-api-key)"
    )]
    KeyRequired(SocketAddr),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("an empty API key would let any request in: give a key with at least one character")]
    EmptyKey,
    #[error("--route {0:?}: {1}")]
    Route(String, &'static str),
    #[error(transparent)]
    Locked(#[from] lock::LockError),
    #[error("the write-ahead log in {path} cannot be opened: {source}")]
    Wal {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Stream(String),
    #[error("{0}")]
    Destination(String),
}

/// A started server: its address, and a handle to stop it (flushing every buffer first).
pub struct Server {
    pub addr: SocketAddr,
    /// Where the Parquet goes, for people.
    pub destination: String,
    /// Records the log held at start that were not in Parquet yet.
    pub replayed: usize,
    /// Damage found in the log at start (kept aside, read past).
    pub damage: Vec<Damage>,
    stop: tokio::sync::watch::Sender<bool>,
    done: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Stops taking requests, writes every buffer to Parquet, and returns.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.done.await;
    }
}

/// The folder of the stream's table in the lake.
pub fn table_dir(lake: &Path, stream: &StreamDef) -> PathBuf {
    lake.join(&stream.database).join(&stream.table)
}

/// Opens the destination and the log (replaying what it holds), binds, and serves in the
/// background.
pub async fn start(options: ServeOptions) -> Result<Server, ServeError> {
    // Boxed: the start-up's state is large, and callers' futures should not carry it inline.
    Box::pin(start_inner(options)).await
}

async fn start_inner(options: ServeOptions) -> Result<Server, ServeError> {
    options.stream.validate().map_err(ServeError::Stream)?;
    check_route(&options.route)?;
    if options.api_key.as_deref().is_some_and(str::is_empty) {
        return Err(ServeError::EmptyKey);
    }
    if !options.bind.ip().is_loopback() && options.api_key.is_none() {
        return Err(ServeError::KeyRequired(options.bind));
    }
    let (destination, default_state) = open_destination(&options).await?;
    let state_dir = options.state_dir.clone().unwrap_or(default_state);
    let held = lock::StreamLock::acquire(
        &lock_paths(&options, &state_dir),
        &format!(
            "pid {} on {} since {}",
            std::process::id(),
            options.bind,
            chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
        ),
    )?;
    if let Target::Lake(lake) = &options.target {
        // A compaction a kill left half-way is settled before anything is written.
        for line in quarry_core::lake::compact::recover(lake)
            .map_err(|e| ServeError::Destination(format!("settling a compaction: {e}")))?
        {
            tracing::info!("{line}");
        }
    }
    let wal_dir = state_dir.join("wal");
    let metrics = Arc::new(Metrics::default());
    let sink = Arc::new(Sink::new(
        &options.stream,
        destination,
        options.hints,
        Arc::clone(&metrics),
    ));
    // Numbers go on past every published file, so a lost log cannot reuse a file's name.
    let floor = sink
        .destination()
        .highest_published()
        .await
        .map_err(|e| ServeError::Destination(format!("listing published files: {e}")))?
        + 1;
    let committed = Arc::clone(&sink);
    let opened = Wal::open(&wal_dir, floor, move |first, rows| {
        committed.add(first, rows);
    })
    .map_err(|source| ServeError::Wal {
        path: wal_dir.clone(),
        source,
    })?;
    for damage in &opened.damage {
        metrics.wal_damage.fetch_add(1, Ordering::Relaxed);
        metrics
            .wal_damaged_bytes
            .fetch_add(damage.bytes, Ordering::Relaxed);
    }
    let replayed = sink
        .replay(&opened.replay)
        .await
        .map_err(ServeError::Destination)?;
    let wal = opened.wal;
    let listener = tokio::net::TcpListener::bind(options.bind)
        .await
        .map_err(|source| ServeError::Bind {
            addr: options.bind,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Bind {
        addr: options.bind,
        source,
    })?;
    let ingest = Arc::new(http::Ingest {
        converter: Converter::new(options.stream.clone()),
        sink: Arc::clone(&sink),
        wal: wal.clone(),
        limits: options.limits,
        api_key: options.api_key.clone(),
        metrics: Arc::clone(&metrics),
        net: options.net,
        partitions: options.partitions,
        in_flight: tokio::sync::Semaphore::new(http::MAX_IN_FLIGHT),
        body_memory: Arc::new(tokio::sync::Semaphore::new(http::BODY_MEMORY)),
        parse_memory: tokio::sync::Semaphore::new(http::PARSE_MEMORY),
    });
    let app = http::router(ingest, &options.route);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let compactor = match (&options.target, options.compact_closed) {
        (Target::Lake(lake), Some(settings)) => Some(compaction::Compactor::new(
            lake,
            &table_dir(lake, &options.stream),
            settings,
        )),
        _ => None,
    };
    let flusher = tokio::spawn(flush_loop(
        Arc::clone(&sink),
        wal.clone(),
        options.hints.interval,
        compactor,
        stop.subscribe(),
    ));
    let destination = sink.destination().describe();
    let net = options.net;
    let done = tokio::spawn(async move {
        server::serve(listener, app, net, metrics, stopped).await;
        let _ = flusher.await;
        // Everything acknowledged goes to Parquet before the process ends.
        flush_once(&sink, &wal, true).await;
        // Held until every buffer is in Parquet.
        drop(held);
    });
    Ok(Server {
        addr,
        destination,
        replayed,
        damage: opened.damage,
        stop,
        done,
    })
}

/// Writes due buffers every tick until `stop`.
async fn flush_loop(
    sink: Arc<Sink>,
    wal: Wal,
    interval: Duration,
    mut compactor: Option<compaction::Compactor>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let tick = (interval / 5).clamp(Duration::from_millis(50), Duration::from_secs(1));
    loop {
        tokio::select! {
            () = tokio::time::sleep(tick) => {
                if !flush_once(&sink, &wal, false).await {
                    return;
                }
                // Between two flush rounds no flush writes any partition.
                if let Some(compactor) = &mut compactor {
                    compactor.step(sink.metrics()).await;
                }
            }
            _ = stop.changed() => return,
        }
    }
}

/// One flush round and the log released below what is still unpublished. A panic in it marks
/// the sink failing (`/healthz` 503, requests 503) instead of silently ending the flusher;
/// returns false then.
async fn flush_once(sink: &Sink, wal: &Wal, everything: bool) -> bool {
    use futures::FutureExt;
    // Read before the buffers: every record below it has reached them.
    let logged = wal.next_seq();
    match std::panic::AssertUnwindSafe(sink.flush(everything))
        .catch_unwind()
        .await
    {
        Ok(unpublished) => {
            wal.release_before(unpublished.min(logged));
            true
        }
        Err(_) => {
            sink.fail("the flusher crashed; the records stay in the write-ahead log".to_owned());
            false
        }
    }
}

/// Names the built-in routes take, and what a route may hold (axum would panic on an
/// overlap or a `{`).
fn check_route(route: &str) -> Result<(), ServeError> {
    let bad = |why| Err(ServeError::Route(route.to_owned(), why));
    if !route.starts_with('/') {
        return bad("a route starts with /");
    }
    if route.len() > 1024 {
        return bad("a route has at most 1024 characters");
    }
    if !route
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/-_.~".contains(&b))
    {
        return bad("use letters, digits, /, -, _, . and ~");
    }
    if route.contains("//") || route.ends_with('/') {
        return bad("no empty path segments or trailing /");
    }
    if ["/healthz", "/metrics"].contains(&route) || route.starts_with("/v1/streams/") {
        return bad("this path is one of quarry serve's own routes");
    }
    Ok(())
}

/// The locks a server takes: its log folder, and for a local lake the table itself (so two
/// servers with different `--state-dir` still cannot write one table).
fn lock_paths(options: &ServeOptions, state_dir: &Path) -> Vec<PathBuf> {
    let mut paths = vec![state_dir.join("serve.lock")];
    match &options.target {
        Target::Lake(lake) => {
            let table = lake
                .join(".quarry-ingest")
                .join(format!("{}.lock", options.stream.qualified()));
            if !paths.contains(&table) {
                paths.push(table);
            }
        }
        // Another machine's server on the same prefix is stopped by the conditional PUT.
        #[cfg(feature = "aws")]
        Target::S3 { .. } => {}
    }
    paths
}

/// The destination, and the default folder of its write-ahead log.
#[cfg_attr(not(feature = "aws"), allow(clippy::unused_async))] // only S3 awaits
async fn open_destination(options: &ServeOptions) -> Result<(Destination, PathBuf), ServeError> {
    let stream = &options.stream;
    match &options.target {
        Target::Lake(lake) => Ok((
            Destination::Local(table_dir(lake, stream)),
            lake.join(".quarry-ingest").join(stream.qualified()),
        )),
        #[cfg(feature = "aws")]
        Target::S3 {
            clients,
            location,
            glue,
        } => open_s3(options, clients, location.as_deref(), *glue).await,
    }
}

/// A table prefix in S3, its partitions registered in Glue when `glue` (the table created
/// there if missing, and its location used when `location` is `None`).
#[cfg(feature = "aws")]
async fn open_s3(
    options: &ServeOptions,
    clients: &quarry_core::backend::aws::AwsClients,
    location: Option<&str>,
    glue: bool,
) -> Result<(Destination, PathBuf), ServeError> {
    let stream = &options.stream;
    let (glue, location) = if glue {
        let table = GluePartitions::open(clients.glue.clone(), stream, location)
            .await
            .map_err(ServeError::Destination)?;
        if table.created {
            tracing::info!(
                "created the Glue table {} at {}",
                stream.qualified(),
                table.location
            );
        }
        let registry: Box<dyn destination::PartitionRegistry> = Box::new(table.partitions);
        (Some(registry), table.location)
    } else {
        let location = location.map(str::to_owned).ok_or_else(|| {
            ServeError::Destination("give --s3 s3://bucket/prefix, or --glue".to_owned())
        })?;
        (None, location)
    };
    let parsed = S3Location::parse(&location).ok_or_else(|| {
        ServeError::Destination(format!("{location} is not an s3://bucket/prefix address"))
    })?;
    let stores = clients.stores().ok_or_else(|| {
        ServeError::Destination("no AWS credentials to write to S3 with".to_owned())
    })?;
    let store = stores
        .store_for(&parsed.bucket)
        .map_err(ServeError::Destination)?;
    let state = dirs::data_local_dir()
        .unwrap_or_else(std::env::temp_dir)
        .join("quarry/ingest")
        .join(&parsed.bucket)
        .join(stream.qualified());
    Ok((
        Destination::S3(Box::new(S3Destination {
            store,
            location: format!("s3://{}/{}", parsed.bucket, parsed.prefix()),
            prefix: parsed.prefix(),
            glue,
            known: std::sync::Mutex::default(),
            unregistered: std::sync::Mutex::default(),
        })),
        state,
    ))
}
