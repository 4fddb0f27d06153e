//! `quarry serve` from the command line: the stream's table from the lake or Glue (or a
//! definition file, or the seed's table), the server started, and a clean stop on Ctrl-C or
//! SIGTERM that writes every buffer first.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[cfg(feature = "aws")]
use crate::backend::aws::AwsClients;
use crate::backend::aws::AwsOptions;
use crate::backend::local::LocalCatalog;
use crate::backend::{Catalog, TableInfo, TableName};
use crate::ingest::stream::{Partitioning, StreamDef};
use crate::ingest::{BufferHints, Limits, ServeOptions, Target};

use super::args::ServeArgs;
use super::exit::{EXIT_USAGE, fail, say};

/// The size flags in bytes: buffer size, buffers in all, record, request.
fn sizes(args: &ServeArgs) -> Result<(usize, usize, usize, usize), String> {
    Ok((
        mib("--buffer-size", args.buffer_size, 16 << 10)?,
        mib("--max-buffered", args.max_buffered, 1 << 20)?,
        kib("--max-record-size", args.max_record_size, 64 << 10)?,
        mib("--max-request-size", args.max_request_size, 1 << 10)?,
    ))
}

/// `value` MiB in bytes: 1 to `most` MiB, so a huge flag cannot wrap to 0 (every request
/// refused) or past what the machine could hold.
fn mib(flag: &str, value: usize, most: usize) -> Result<usize, String> {
    if (1..=most).contains(&value) {
        Ok(value << 20)
    } else {
        Err(format!("{flag} {value}: give 1 to {most} MiB"))
    }
}

/// `value` KiB in bytes, 1 to `most` KiB.
fn kib(flag: &str, value: usize, most: usize) -> Result<usize, String> {
    if (1..=most).contains(&value) {
        Ok(value << 10)
    } else {
        Err(format!("{flag} {value}: give 1 to {most} KiB"))
    }
}

/// Without the AWS SDK there are no clients: every `Option<AwsClients>` is `None`.
#[cfg(not(feature = "aws"))]
enum AwsClients {}

/// Runs the server until Ctrl-C or SIGTERM.
pub async fn run(args: &ServeArgs, lake: &Path, aws: &AwsOptions) -> ExitCode {
    let to_s3 = args.s3.is_some() || args.glue;
    let clients = if to_s3 {
        match connect(aws).await {
            Ok(clients) => Some(clients),
            Err(e) => return fail(EXIT_USAGE, &e),
        }
    } else {
        None
    };
    let stream = match stream_for(args, lake, clients.as_ref()).await {
        Ok(stream) => stream,
        Err(e) => return fail(EXIT_USAGE, &e),
    };
    let target = match clients {
        Some(clients) => s3_target(clients, args),
        None => Target::Lake(lake.to_path_buf()),
    };
    let sizes = sizes(args);
    let (buffer_size, max_buffered, max_record_size, max_request_size) = match sizes {
        Ok(sizes) => sizes,
        Err(e) => return fail(EXIT_USAGE, &e),
    };
    if args.max_records == 0 || args.max_records > 100_000 {
        return fail(
            EXIT_USAGE,
            &"--max-records: give 1 to 100000 records per request",
        );
    }
    let options = ServeOptions {
        target,
        stream,
        bind: args.bind,
        route: args.route.clone(),
        hints: BufferHints {
            size_bytes: buffer_size,
            interval: Duration::from_secs(args.buffer_interval.max(1)),
            max_buffered_bytes: max_buffered,
        },
        limits: Limits {
            max_record_bytes: max_record_size,
            max_records: args.max_records,
            max_request_bytes: max_request_size,
        },
        api_key: args.api_key.clone(),
        net: crate::ingest::NetLimits {
            header_timeout: Duration::from_secs(args.header_timeout.max(1)),
            body_timeout: Duration::from_secs(args.body_timeout.max(1)),
            idle_timeout: Duration::from_secs(args.idle_timeout.max(1)),
            max_connections: args.max_connections,
            ..crate::ingest::NetLimits::default()
        },
        partitions: crate::ingest::PartitionLimits {
            max_active: args.max_active_partitions,
            max_age_days: args.max_record_age_days,
            max_future_days: args.max_future_days,
        },
        state_dir: args.state_dir.clone(),
        compact_closed: args
            .compact_closed_after
            .map(|hours| crate::ingest::ClosedCompaction {
                after: Duration::from_hours(hours),
                target_bytes: 128 << 20,
                scan_every: Duration::from_mins(1),
            }),
    };
    let table = options.stream.qualified();
    let stop = StopSignals::install();
    let server = match crate::ingest::start(options).await {
        Ok(server) => server,
        Err(e) => return fail(EXIT_USAGE, &e),
    };
    say!(
        "quarry serve: {table} on http://{addr}{route} and http://{addr}/v1/streams/{table}/records \
         → {dest} (flush at {size} MiB or {interval} s){replayed}",
        addr = server.addr,
        route = args.route,
        dest = server.destination,
        size = args.buffer_size,
        interval = args.buffer_interval,
        replayed = if server.replayed > 0 {
            format!(
                "; replayed {} records from the write-ahead log",
                server.replayed
            )
        } else {
            String::new()
        }
    );
    for damage in &server.damage {
        say!(
            "quarry serve: the write-ahead log was damaged: {damage}; the records after it were kept"
        );
    }
    stop.wait().await;
    say!("quarry serve: stopping; writing buffered records to Parquet");
    server.shutdown().await;
    ExitCode::SUCCESS
}

/// Ctrl-C and SIGTERM, registered when made: made before the server starts, so a stop sent
/// the moment the banner appears still finds its handler (and flushes).
struct StopSignals {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl StopSignals {
    fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Self {
                signals: signal(SignalKind::terminate())
                    .and_then(|term| Ok((term, signal(SignalKind::interrupt())?)))
                    .ok(),
            }
        }
        #[cfg(not(unix))]
        Self {}
    }

    async fn wait(self) {
        #[cfg(unix)]
        if let Some((mut term, mut interrupt)) = self.signals {
            tokio::select! {
                _ = term.recv() => {}
                _ = interrupt.recv() => {}
            }
            return;
        }
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The stream definition: `--stream FILE`, else the catalog's table (Glue with `--glue`, else
/// the lake), else the seed's table.
async fn stream_for(
    args: &ServeArgs,
    lake: &Path,
    clients: Option<&AwsClients>,
) -> Result<StreamDef, String> {
    if let Some(file) = &args.stream {
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read stream definition {}: {e}", file.display()))?;
        return StreamDef::from_toml(&text).map_err(|e| format!("{}: {e}", file.display()));
    }
    let (database, table) = args
        .table
        .split_once('.')
        .ok_or_else(|| format!("--table {}: write it as DATABASE.TABLE", args.table))?;
    let name = TableName::new(database, table);
    let partitioning = if args.timestamp_column == "arrival" {
        Partitioning::Arrival
    } else {
        Partitioning::Field {
            column: args.timestamp_column.clone(),
            format: args.timestamp_format,
        }
    };
    let found = match clients {
        Some(aws) if args.glue => glue_table(aws, &name).await?,
        Some(_) => None,
        None => match LocalCatalog::open(lake) {
            Ok(catalog) => Arc::new(catalog).table(&name).await.ok(),
            Err(_) => None,
        },
    };
    match found {
        Some(info) => crate::ingest::stream::from_table(&info, partitioning),
        None if args.table == "logs_db.logs" => {
            let def = StreamDef {
                partitioning,
                ..StreamDef::seed_logs()
            };
            def.validate()?;
            Ok(def)
        }
        None => Err(format!(
            "there is no table {}: create it, or describe it with --stream FILE",
            args.table
        )),
    }
}

#[cfg(feature = "aws")]
async fn connect(aws: &AwsOptions) -> Result<AwsClients, String> {
    AwsClients::connect(aws).await.map_err(|e| e.to_string())
}

#[cfg(not(feature = "aws"))]
#[allow(clippy::unused_async)] // the same signature as the aws build's
async fn connect(_: &AwsOptions) -> Result<AwsClients, String> {
    Err(super::source::BUILT_WITHOUT_AWS.to_owned())
}

#[cfg(feature = "aws")]
fn s3_target(clients: AwsClients, args: &ServeArgs) -> Target {
    Target::S3 {
        clients,
        location: args.s3.clone(),
        glue: args.glue,
    }
}

#[cfg(not(feature = "aws"))]
#[allow(clippy::needless_pass_by_value)] // the same signature as the aws build's
fn s3_target(clients: AwsClients, _: &ServeArgs) -> Target {
    match clients {}
}

/// The Glue table the stream writes, if Glue has it.
#[cfg(feature = "aws")]
async fn glue_table(aws: &AwsClients, name: &TableName) -> Result<Option<TableInfo>, String> {
    use crate::backend::CatalogError;
    let catalog = crate::backend::aws::GlueCatalog::new(aws.glue.clone(), aws.s3.clone());
    match catalog.table(name).await {
        Ok(info) => Ok(Some(info)),
        Err(CatalogError::TableNotFound(_) | CatalogError::DatabaseNotFound(_)) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(not(feature = "aws"))]
#[allow(clippy::unused_async)] // the same signature as the aws build's
async fn glue_table(aws: &AwsClients, _: &TableName) -> Result<Option<TableInfo>, String> {
    match *aws {}
}
