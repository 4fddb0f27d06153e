//! `quarry serve`: the front half of the seed's pattern in one process. The Logs API route
//! takes JSON records, a write-ahead log makes them durable before the 200, buffers flush them
//! like Firehose into Parquet `year=/month=/day=` partitions of a table — in a local lake, or
//! in S3 with each new partition registered in Glue — and the new partition shows up in the
//! catalog (a local lake lists its folders; Glue gets `BatchCreatePartition`).

mod destination;
#[cfg(feature = "aws")]
mod glue;
mod http;
mod metrics;
mod sink;
pub mod stream;
pub mod wal;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use quarry_records::{Limits, StreamDef};
pub use sink::BufferHints;

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
    /// Where the write-ahead log lives; default `<lake>/.quarry-ingest/<db>.<table>/`, or for
    /// S3 `<local data dir>/quarry/ingest/<bucket>/<db>.<table>/`.
    pub state_dir: Option<PathBuf>,
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
    options.stream.validate().map_err(ServeError::Stream)?;
    if !options.bind.ip().is_loopback() && options.api_key.is_none() {
        return Err(ServeError::KeyRequired(options.bind));
    }
    let (destination, default_state) = open_destination(&options).await?;
    let wal_dir = options
        .state_dir
        .clone()
        .unwrap_or(default_state)
        .join("wal");
    let metrics = Arc::new(Metrics::default());
    let sink = Arc::new(Sink::new(
        &options.stream,
        destination,
        options.hints,
        Arc::clone(&metrics),
    ));
    let committed = Arc::clone(&sink);
    let (wal, logged) = Wal::open(&wal_dir, move |first, rows| committed.add(first, rows))
        .map_err(|source| ServeError::Wal {
            path: wal_dir.clone(),
            source,
        })?;
    let replayed = sink
        .replay(logged)
        .await
        .map_err(|e| ServeError::Destination(format!("listing published files: {e}")))?;
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
        metrics,
        in_flight: tokio::sync::Semaphore::new(http::MAX_IN_FLIGHT),
    });
    let app = http::router(ingest, &options.route);
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let mut flusher_stop = stop.subscribe();
    let tick =
        (options.hints.interval / 5).clamp(Duration::from_millis(50), Duration::from_secs(1));
    let flusher_sink = Arc::clone(&sink);
    let flusher_wal = wal.clone();
    let flusher = tokio::spawn(async move {
        loop {
            tokio::select! {
                () = tokio::time::sleep(tick) => {
                    let watermark = flusher_sink.flush(false).await;
                    flusher_wal.release_before(watermark);
                }
                _ = flusher_stop.changed() => break,
            }
        }
    });
    let destination = sink.destination().describe();
    let done = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = stopped.changed().await;
        });
        if let Err(e) = serve.await {
            tracing::error!("the HTTP server stopped: {e}");
        }
        let _ = flusher.await;
        // Everything acknowledged goes to Parquet before the process ends.
        let watermark = sink.flush(true).await;
        wal.release_before(watermark);
    });
    Ok(Server {
        addr,
        destination,
        replayed,
        stop,
        done,
    })
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
