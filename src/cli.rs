//! Command line: flags, config, and the `demo` and `query` commands.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use datafusion::arrow::record_batch::RecordBatch;

use crate::backend::aws::{AthenaEngine, AwsClients, AwsOptions, GlueCatalog, Workspace};
use crate::backend::local::{EngineOptions, LocalCatalog, LocalEngine, discovery};
use crate::backend::{Catalog, QueryContext, QueryEngine, QueryErrorKind, QueryState};
use crate::config::{self, Config, EngineChoice, SourceKind};
use crate::cost::Pricing;
use crate::lake::demo::{self, DemoOptions};
use crate::output::{self, OutputFormat};
use crate::summary::stats_line;
use crate::text::{human_bytes, seconds, thousands};
use crate::tui::EngineSlot;

/// Exit code for a query that failed.
const EXIT_QUERY_ERROR: u8 = 1;
/// Exit code for bad usage: flags, missing files, missing lake.
pub(crate) const EXIT_USAGE: u8 = 2;
/// Exit code after a crash, as Rust's own panics use.
const EXIT_CRASH: u8 = 101;
/// Why the local source has nothing to compare with or switch to.
const ONE_ENGINE_LOCALLY: &str = "the local lake has one engine; Athena and the local engine over \
     the same Glue tables need the AWS source (--aws)";
/// `--compare`: the two engines' answers differ (or a side failed).
const EXIT_DIFFERENT: u8 = 3;
/// Exit code after Ctrl-C, as shells expect.
const EXIT_INTERRUPTED: u8 = 130;

/// A terminal workbench for S3 + Glue + Athena data lakes, with an embedded local lake.
#[derive(Debug, Parser)]
#[command(name = "quarry", version)]
pub struct Cli {
    /// SQL files to open as editor tabs (the first is focused); Ctrl-S writes them back.
    #[arg(value_name = "FILE.sql")]
    pub files: Vec<PathBuf>,
    /// Lake folder (Hive-partitioned Parquet). Default: config `lake`, else the demo lake.
    #[arg(long, global = true, env = "QUARRY_LAKE", value_name = "DIR")]
    pub lake: Option<PathBuf>,
    /// Config file. Default: `$XDG_CONFIG_HOME/quarry/config.toml`.
    #[arg(long, global = true, env = "QUARRY_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write logs to this file (level from `RUST_LOG`, default info).
    #[arg(long, global = true, value_name = "FILE")]
    pub log_file: Option<PathBuf>,
    /// Database for unqualified table names. Default: `[aws] database`, else the source's only
    /// database, if it has one.
    #[arg(long, short = 'd', global = true)]
    pub database: Option<String>,
    #[command(flatten)]
    pub aws: AwsFlags,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The AWS source's flags; each overrides its `[aws]` key in `config.toml`.
#[derive(Debug, Args, Default)]
pub struct AwsFlags {
    /// Use the AWS source: Glue Data Catalog, Athena and S3 (also `source = "aws"` in config).
    #[arg(long, global = true)]
    pub aws: bool,
    /// AWS profile (default: `AWS_PROFILE`, else the default profile).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS region (default: `AWS_REGION`, else the profile's).
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// Athena workgroup [default: primary].
    #[arg(long, global = true, value_name = "NAME")]
    pub workgroup: Option<String>,
    /// Where Athena writes results (default: the workgroup's setting).
    #[arg(long, global = true, value_name = "s3://BUCKET/PREFIX/")]
    pub output_location: Option<String>,
    /// Athena data catalog [default: `AwsDataCatalog`].
    #[arg(long, global = true, value_name = "NAME")]
    pub catalog: Option<String>,
    /// One endpoint for Glue, Athena and S3 (an emulator such as moto).
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Engine for SQL on the AWS source [default: athena].
    #[arg(long, global = true, value_enum)]
    pub engine: Option<crate::config::EngineChoice>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate the demo lake: the seed's Logs API records, partitioned by year/month/day.
    Demo(DemoArgs),
    /// Run SQL without the TUI: results to stdout, statistics to stderr.
    Query(QueryArgs),
    /// Take JSON records over HTTP like the seed's Logs API + Firehose, into lake partitions.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The table records go to; the seed route feeds it.
    #[arg(long, default_value = "logs_db.logs", value_name = "DB.TABLE")]
    pub table: String,
    /// Address to listen on. Anything but loopback needs --api-key.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    pub bind: std::net::SocketAddr,
    /// The seed's API Gateway route (also served: POST /v1/streams/{table}/records).
    #[arg(long, default_value = "/dev/recipe-apigw-athena", value_name = "PATH")]
    pub route: String,
    /// Flush a partition's buffer when it holds this many MiB (Firehose's size hint).
    #[arg(long, default_value_t = 64, value_name = "MIB")]
    pub buffer_size: usize,
    /// Flush a partition's buffer this many seconds after its first record (1 or more).
    #[arg(long, default_value_t = 60, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub buffer_interval: u64,
    /// All buffers together at most; past this, requests get 429 with Retry-After.
    #[arg(long, default_value_t = 256, value_name = "MIB")]
    pub max_buffered: usize,
    /// Require this key in the x-api-key header (like an API Gateway usage plan).
    #[arg(
        long,
        env = "QUARRY_API_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub api_key: Option<String>,
    /// Most records per request.
    #[arg(long, default_value_t = 500, value_name = "N")]
    pub max_records: usize,
    /// Largest record, KiB.
    #[arg(long, default_value_t = 1000, value_name = "KIB")]
    pub max_record_size: usize,
    /// Largest request, MiB.
    #[arg(long, default_value_t = 4, value_name = "MIB")]
    pub max_request_size: usize,
    /// A TOML stream definition (database, table, columns, timestamp) for a table the lake
    /// does not have yet.
    #[arg(long, value_name = "FILE")]
    pub stream: Option<PathBuf>,
    /// The record field that decides the partition; `arrival` partitions by arrival time.
    #[arg(long, default_value = "timestamp", value_name = "COLUMN")]
    pub timestamp_column: String,
    /// How that field is written.
    #[arg(long, value_enum, default_value_t = crate::ingest::stream::TimeFormat::Auto)]
    pub timestamp_format: crate::ingest::stream::TimeFormat,
    /// Where the write-ahead log lives. Default: <lake>/.quarry-ingest/<db.table>/ (for S3,
    /// the local data folder's quarry/ingest/<bucket>/<db.table>/).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Write Parquet to this S3 prefix (the table's folder) instead of the local lake.
    #[arg(long, value_name = "s3://BUCKET/PREFIX")]
    pub s3: Option<String>,
    /// Register each new partition in the Glue table (created at --s3 if Glue lacks it); the
    /// table's columns and location come from Glue when it exists.
    #[arg(long)]
    pub glue: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder to write. Default: the demo lake under the user data folder.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// First day.
    #[arg(long, default_value = "2023-01-01", value_name = "YYYY-MM-DD")]
    pub start: NaiveDate,
    /// Number of days (one partition each).
    #[arg(long, default_value_t = 365)]
    pub days: u32,
    /// Records per day.
    #[arg(long, default_value_t = 20_000)]
    pub rows_per_day: u32,
    /// Random seed; the same seed always writes the same lake.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// SQL to run. Without it, SQL is read from -f FILE or standard input.
    pub sql: Option<String>,
    /// Read SQL from this file.
    #[arg(short, long, value_name = "FILE", conflicts_with = "sql")]
    pub file: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Print the final statistics as one JSON object on stderr instead of the summary line,
    /// with the cost ledger's totals (this run, today, all time, per day and workgroup).
    #[arg(long)]
    pub stats_json: bool,
    /// Rows to print at most; larger results are counted and reported. Default: config `row_limit`.
    #[arg(long, value_name = "N")]
    pub max_rows: Option<usize>,
    /// Engine threads. Default: every core.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Print what the query would scan (tables, partitions, columns, bytes, dollars) and the
    /// partition-filter hints, without running it. With `--format json`, one JSON object.
    #[arg(long)]
    pub explain: bool,
    /// Run on both engines of the AWS source (Athena and the local engine over the same Glue
    /// tables) and report whether the answers match and what each scanned. Exit code 3 when
    /// they differ.
    #[arg(long, conflicts_with = "explain")]
    pub compare: bool,
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(path) = &cli.log_file
        && let Err(e) = init_logging(path)
    {
        eprintln!("quarry: cannot open log file {}: {e}", path.display());
        return ExitCode::from(EXIT_USAGE);
    }
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(e) => return fail(EXIT_USAGE, &e),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(EXIT_USAGE, &format!("cannot start the async runtime: {e}")),
    };
    let lake = cli
        .lake
        .clone()
        .or_else(|| config.lake.clone())
        .unwrap_or_else(config::default_lake_dir);
    let choice = SourceChoice {
        aws: (cli.aws.aws || config.source == SourceKind::Aws)
            .then(|| (aws_options(&cli, &config), engine_choice(&cli, &config))),
        is_default_lake: cli.lake.is_none() && config.lake.is_none(),
        lake,
        database: cli.database.clone(),
    };
    let aws = aws_options(&cli, &config);
    match cli.command {
        Some(Command::Demo(args)) => run_demo(&DemoOptions {
            dir: args.dir.clone().unwrap_or_else(config::default_lake_dir),
            start: args.start,
            days: args.days,
            rows_per_day: args.rows_per_day,
            seed: args.seed,
            threads: None,
        }),
        Some(Command::Query(args)) => runtime.block_on(run_query(&args, &choice, &config)),
        Some(Command::Serve(args)) => {
            runtime.block_on(crate::serve_cli::run(&args, &choice.lake, &aws))
        }
        None => runtime.block_on(run_tui(&choice, &config, &cli.files)),
    }
}

/// Which source to open, from flags and config.
struct SourceChoice {
    /// Set for the AWS source.
    aws: Option<(AwsOptions, EngineChoice)>,
    lake: PathBuf,
    is_default_lake: bool,
    /// `--database`.
    database: Option<String>,
}

/// A source opened: its catalog, its engine, and what to call it.
struct Opened {
    catalog: Arc<dyn Catalog>,
    engine: Arc<dyn QueryEngine>,
    title: String,
    database: Option<String>,
    /// Athena's named queries and recent executions, on the AWS source.
    workspace: Option<crate::backend::aws::Workspace>,
    /// On the AWS source, the engine not chosen (to compare with or switch to), or why it
    /// cannot open.
    alternate: Option<Result<Alternate, String>>,
}

/// An engine and which of the two it is.
type ChosenEngine = (EngineChoice, Arc<dyn QueryEngine>);

/// The AWS source's engine not chosen at start.
struct Alternate {
    kind: EngineChoice,
    engine: Arc<dyn QueryEngine>,
    /// The TUI's title while it runs the queries.
    title: String,
}

/// AWS settings: flags first, then `[aws]` in config, then defaults.
fn aws_options(cli: &Cli, config: &Config) -> AwsOptions {
    let flags = &cli.aws;
    let file = &config.aws;
    let pick = |flag: &Option<String>, key: &Option<String>| flag.clone().or_else(|| key.clone());
    let defaults = AwsOptions::default();
    AwsOptions {
        profile: pick(&flags.profile, &file.profile),
        region: pick(&flags.region, &file.region),
        workgroup: pick(&flags.workgroup, &file.workgroup).unwrap_or(defaults.workgroup),
        output_location: pick(&flags.output_location, &file.output_location),
        catalog: pick(&flags.catalog, &file.catalog).unwrap_or(defaults.catalog),
        database: pick(&cli.database, &file.database),
        endpoint_url: pick(&flags.endpoint_url, &file.endpoint_url),
        result_reuse_minutes: file.result_reuse_minutes,
    }
}

fn engine_choice(cli: &Cli, config: &Config) -> EngineChoice {
    cli.aws
        .engine
        .or(config.aws.engine)
        .unwrap_or(EngineChoice::Athena)
}

/// Opens the chosen source; failures are reported and returned as the exit code.
async fn open_source(
    choice: &SourceChoice,
    config: &Config,
    row_limit: usize,
    threads: Option<usize>,
) -> Result<Opened, ExitCode> {
    let pricing = Pricing {
        usd_per_tb: config.price_per_tb_usd,
    };
    let Some((options, engine)) = &choice.aws else {
        let (catalog, engine) = open_local(&choice.lake, config, row_limit, threads)?;
        let catalog: Arc<dyn Catalog> = Arc::new(catalog);
        let database = match &choice.database {
            Some(db) => Some(db.clone()),
            None => default_database(catalog.as_ref()).await,
        };
        return Ok(Opened {
            catalog,
            engine: Arc::new(engine),
            title: format!("local lake {}", tilde(&choice.lake)),
            database,
            workspace: None,
            alternate: None,
        });
    };
    let clients = AwsClients::connect(options)
        .await
        .map_err(|e| fail(EXIT_USAGE, &e))?;
    let title_for = |kind: EngineChoice| match kind {
        EngineChoice::Athena => format!(
            "AWS {} · Athena workgroup {}",
            clients.region, options.workgroup
        ),
        EngineChoice::Local => format!("AWS {} · Glue · local engine", clients.region),
    };
    let title = title_for(*engine);
    let catalog: Arc<dyn Catalog> =
        Arc::new(GlueCatalog::new(clients.glue.clone(), clients.s3.clone()));
    let database = match &options.database {
        Some(db) => Some(db.clone()),
        None => default_database(catalog.as_ref()).await,
    };
    let workspace = Workspace::new(clients.athena.clone(), options.workgroup.clone());
    let engine_options = EngineOptions {
        pricing,
        row_limit,
        target_partitions: threads,
    };
    let build = |kind: EngineChoice| -> Result<Arc<dyn QueryEngine>, String> {
        match kind {
            EngineChoice::Athena => Ok(Arc::new(AthenaEngine::new(
                clients.clone(),
                options.clone(),
                pricing,
                row_limit,
            ))),
            EngineChoice::Local => {
                let stores = clients
                    .stores()
                    .ok_or("the local engine needs AWS credentials to read S3")?;
                let local = LocalEngine::open_remote(
                    Arc::clone(&catalog),
                    Arc::new(stores),
                    engine_options.clone(),
                )
                .map_err(|e| e.to_string())?;
                Ok(Arc::new(local))
            }
        }
    };
    let chosen = build(*engine).map_err(|e| fail(EXIT_USAGE, &e))?;
    let other = match engine {
        EngineChoice::Athena => EngineChoice::Local,
        EngineChoice::Local => EngineChoice::Athena,
    };
    let alternate = build(other).map(|engine| Alternate {
        kind: other,
        engine,
        title: title_for(other),
    });
    Ok(Opened {
        catalog,
        engine: chosen,
        title,
        database,
        workspace: Some(workspace),
        alternate: Some(alternate),
    })
}

pub(crate) fn fail(code: u8, message: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("quarry: {message}");
    ExitCode::from(code)
}

fn init_logging(path: &Path) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Arc::new(file))
        .init();
    Ok(())
}

/// Opens the TUI on `lake`, generating the demo lake first when it is the default and missing.
async fn run_tui(choice: &SourceChoice, config: &Config, files: &[PathBuf]) -> ExitCode {
    let lake = &choice.lake;
    if choice.aws.is_none() && choice.is_default_lake && !lake.exists() {
        eprintln!(
            "First run: generating the demo lake in {} (once).",
            lake.display()
        );
        let code = run_demo(&DemoOptions::new(lake.clone()));
        if code != ExitCode::SUCCESS {
            return code;
        }
    }
    let Opened {
        catalog,
        engine,
        title,
        database,
        workspace,
        alternate,
    } = match open_source(choice, config, config.row_limit, None).await {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let first_table = match &database {
        Some(db) => catalog
            .tables(db)
            .await
            .ok()
            .and_then(|t| t.into_iter().next())
            .map(|t| t.to_string()),
        None => None,
    };
    let (theme, bindings) = match (config.load_theme(), config.bindings()) {
        (Ok(theme), Ok(bindings)) => (theme, bindings),
        (Err(e), _) | (_, Err(e)) => return fail(EXIT_USAGE, &e),
    };
    let starter = crate::app::state::starter_query(first_table.as_deref());
    let session_files = crate::session::SessionFiles::under(&config::data_dir());
    let opening = match crate::launch::open_editor(files, &session_files, &starter) {
        Ok(opening) => opening,
        Err(e) => return fail(EXIT_USAGE, &e),
    };
    let mut state = crate::app::AppState::new(
        title.clone(),
        crate::app::editor::Buffer::new("query 1", ""),
    );
    state.editor = opening.editor;
    state.notice = opening.notice;
    state.user_queries_dir.clone_from(&session_files.queries);
    state.named_queries = choice.aws.is_some();
    state.cost_guard.enabled = config.cost_guard.enabled;
    state.cost_guard.max_bytes = config.cost_guard.max_bytes;
    state.cost_guard.max_usd = config.cost_guard.max_usd;
    if let Ok(dir) = std::env::current_dir() {
        state.export_dir = dir;
    }
    let chosen = choice
        .aws
        .as_ref()
        .map_or(EngineChoice::Local, |(_, kind)| *kind);
    let alternate = match alternate {
        Some(Ok(other)) => Ok(EngineSlot {
            name: other.kind.label().to_owned(),
            title: other.title,
            engine: other.engine,
        }),
        Some(Err(why)) => Err(why),
        None => Err(ONE_ENGINE_LOCALLY.to_owned()),
    };
    let services = crate::tui::Services {
        catalog,
        engine: EngineSlot {
            name: chosen.label().to_owned(),
            title,
            engine,
        },
        alternate,
        context: QueryContext { database },
        clipboard: crate::tui::Clipboard::Terminal,
        files: Some(session_files.clone()),
        workspace,
        pricing: Pricing {
            usd_per_tb: config.price_per_tb_usd,
        },
    };
    match crate::tui::run(state, services, theme, bindings).await {
        Ok(crate::tui::Ending::Quit(state)) => {
            if let Err(e) = crate::launch::save_session(&state, &session_files) {
                eprintln!("quarry: the open buffers were not kept for next time: {e}");
            }
            ExitCode::SUCCESS
        }
        Ok(crate::tui::Ending::Panicked(state)) => {
            match crate::launch::rescue(&state, &session_files) {
                Ok(path) => eprintln!(
                    "quarry crashed (a bug: please report the message above). Your open buffers \
                     were saved to {} and reopen on the next start.",
                    path.display()
                ),
                Err(e) => eprintln!("quarry crashed, and saving the open buffers failed: {e}"),
            }
            ExitCode::from(EXIT_CRASH)
        }
        Err(e) => fail(EXIT_USAGE, &format!("terminal error: {e}")),
    }
}

/// `~/…` for paths under the home folder, to keep titles short.
fn tilde(path: &Path) -> String {
    match dirs::home_dir().and_then(|home| path.strip_prefix(home).ok().map(Path::to_path_buf)) {
        Some(rest) => format!("~/{}", rest.display()),
        None => path.display().to_string(),
    }
}

fn run_demo(options: &DemoOptions) -> ExitCode {
    let bar = indicatif::ProgressBar::new(u64::from(options.days));
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "writing partitions {bar:40} {pos}/{len} days {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = Instant::now();
    let result = demo::generate(options, &|done| bar.set_position(done));
    bar.finish_and_clear();
    match result {
        Ok(summary) => {
            eprintln!(
                "wrote {} rows in {} partitions ({}) to {} in {}",
                thousands(summary.rows),
                thousands(u64::from(options.days)),
                human_bytes(summary.bytes),
                options.dir.display(),
                seconds(started.elapsed().as_millis() as u64)
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(EXIT_USAGE, &e),
    }
}

async fn run_query(args: &QueryArgs, choice: &SourceChoice, config: &Config) -> ExitCode {
    let sql = match read_sql(args) {
        Ok(sql) => sql,
        Err(message) => return fail(EXIT_USAGE, &message),
    };
    let row_limit = args.max_rows.unwrap_or(config.row_limit).max(1);
    let Opened {
        engine,
        database,
        catalog,
        alternate,
        ..
    } = match open_source(choice, config, row_limit, args.threads).await {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    if args.compare {
        let chosen = choice
            .aws
            .as_ref()
            .map_or(EngineChoice::Local, |(_, kind)| *kind);
        return run_compare(&sql, (chosen, engine), alternate, database).await;
    }
    if args.explain {
        let pricing = Pricing {
            usd_per_tb: config.price_per_tb_usd,
        };
        let explanation =
            crate::estimate::explain(catalog.as_ref(), &sql, database.as_deref(), pricing).await;
        if matches!(args.format, OutputFormat::Json | OutputFormat::Ndjson) {
            println!(
                "{}",
                serde_json::to_string_pretty(&explanation).unwrap_or_default()
            );
        } else {
            print!("{}", explanation.report());
        }
        return ExitCode::SUCCESS;
    }
    let context = QueryContext { database };
    let id = match engine.submit(&sql, &context).await {
        Ok(id) => id,
        Err(e) => return fail(EXIT_QUERY_ERROR, &e),
    };
    let status = tokio::select! {
        status = engine.wait(&id) => status,
        _ = tokio::signal::ctrl_c() => {
            let _ = engine.cancel(&id).await;
            engine.wait(&id).await
        }
    };
    let status = match status {
        Ok(status) => status,
        Err(e) => return fail(EXIT_QUERY_ERROR, &e),
    };
    match status.state {
        QueryState::Succeeded => {}
        QueryState::Cancelled => return fail(EXIT_INTERRUPTED, &"query cancelled"),
        _ => {
            let error = status
                .error
                .map_or_else(|| "query failed".to_owned(), |e| describe_error(&e));
            return fail(EXIT_QUERY_ERROR, &error);
        }
    }
    let page = match crate::backend::all_results(engine.as_ref(), &id).await {
        Ok(page) => page,
        Err(e) => return fail(EXIT_QUERY_ERROR, &e),
    };
    let mut final_stats = status.stats.clone();
    final_stats.absorb_fetch(&page);
    let stdout = std::io::stdout();
    let to_terminal = stdout.is_terminal();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = output::write_results(
        &mut out,
        args.format,
        &page.schema,
        &page.batches,
        to_terminal,
    )
    .and_then(|()| out.flush());
    if let Err(e) = written
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return fail(EXIT_QUERY_ERROR, &format!("cannot write results: {e}"));
    }
    // Each `quarry query` is a session of its own in the ledger.
    let ledger_path = crate::ledger::ledger_path(&config::data_dir());
    let session = crate::ledger::new_session_id();
    if final_stats.billed_bytes > 0
        && let Err(e) = crate::ledger::append(
            &ledger_path,
            &crate::ledger::LedgerEntry::for_stats(&session, &final_stats),
        )
    {
        eprintln!(
            "quarry: the cost ledger {} was not updated: {e}",
            ledger_path.display()
        );
    }
    if args.stats_json {
        /// The statistics with the ledger's totals after this query.
        #[derive(serde::Serialize)]
        struct StatsWithLedger<'a> {
            #[serde(flatten)]
            stats: &'a crate::backend::QueryStats,
            ledger: Option<crate::ledger::LedgerSummary>,
        }
        let ledger = crate::ledger::read(&ledger_path).ok().map(|entries| {
            crate::ledger::LedgerSummary::of(&entries, &session, &crate::ledger::today())
        });
        eprintln!(
            "{}",
            serde_json::to_string(&StatsWithLedger {
                stats: &final_stats,
                ledger,
            })
            .unwrap_or_default()
        );
    } else {
        eprintln!("{}", stats_line(&final_stats));
    }
    if page.truncated {
        let shown: usize = page.batches.iter().map(RecordBatch::num_rows).sum();
        eprintln!(
            "note: printed the first {} of {} rows; raise --max-rows to see more",
            thousands(shown as u64),
            thousands(final_stats.rows)
        );
    }
    ExitCode::SUCCESS
}

/// Opens the lake's catalog and a DataFusion engine over it; failures are reported and
/// returned as the exit code.
fn open_local(
    lake: &Path,
    config: &Config,
    row_limit: usize,
    threads: Option<usize>,
) -> Result<(Arc<LocalCatalog>, LocalEngine), ExitCode> {
    let catalog = Arc::new(LocalCatalog::open(lake).map_err(|e| fail(EXIT_USAGE, &e))?);
    let options = EngineOptions {
        pricing: Pricing {
            usd_per_tb: config.price_per_tb_usd,
        },
        row_limit,
        target_partitions: threads,
    };
    let engine =
        LocalEngine::open(Arc::clone(&catalog), options).map_err(|e| fail(EXIT_QUERY_ERROR, &e))?;
    Ok((catalog, engine))
}

/// `quarry query --compare`: the query on both engines, a line per engine and the verdict.
async fn run_compare(
    sql: &str,
    chosen: ChosenEngine,
    alternate: Option<Result<Alternate, String>>,
    database: Option<String>,
) -> ExitCode {
    let other = match alternate {
        Some(Ok(other)) => (other.kind, other.engine),
        Some(Err(why)) => return fail(EXIT_USAGE, &format!("cannot compare: {why}")),
        None => return fail(EXIT_USAGE, &format!("cannot compare: {ONE_ENGINE_LOCALLY}")),
    };
    let cancel = tokio_util::sync::CancellationToken::new();
    let context = QueryContext { database };
    let comparison = crate::backend::compare::compare(
        [(chosen.0.label(), chosen.1), (other.0.label(), other.1)],
        sql,
        &context,
        &cancel,
    );
    tokio::pin!(comparison);
    let comparison = tokio::select! {
        comparison = &mut comparison => comparison,
        _ = tokio::signal::ctrl_c() => {
            // Both queries are cancelled (Athena's too) before quarry exits.
            cancel.cancel();
            comparison.await;
            return fail(EXIT_INTERRUPTED, &"comparison cancelled");
        }
    };
    for line in crate::summary::comparison_lines(&comparison) {
        println!("{line}");
    }
    if comparison.verdict.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_DIFFERENT)
    }
}

fn describe_error(error: &crate::backend::QueryError) -> String {
    let label = match error.kind {
        QueryErrorKind::Syntax => "syntax error",
        QueryErrorKind::Planning => "query error",
        _ => "query failed",
    };
    format!("{label}: {error}")
}

fn read_sql(args: &QueryArgs) -> Result<String, String> {
    let sql = if let Some(sql) = &args.sql {
        sql.clone()
    } else if let Some(file) = &args.file {
        std::fs::read_to_string(file)
            .map_err(|e| format!("cannot read SQL file {}: {e}", file.display()))?
    } else if std::io::stdin().is_terminal() {
        return Err("give SQL as an argument, with -f FILE, or on standard input".to_owned());
    } else {
        let mut sql = String::new();
        std::io::stdin()
            .read_to_string(&mut sql)
            .map_err(|e| format!("cannot read SQL from standard input: {e}"))?;
        sql
    };
    if sql.trim().is_empty() {
        return Err("the SQL is empty".to_owned());
    }
    Ok(sql)
}

/// The source's only named database, so `FROM logs` works on the demo lake.
async fn default_database(catalog: &dyn Catalog) -> Option<String> {
    let databases = catalog.databases().await.ok()?;
    let named: Vec<_> = databases
        .iter()
        .filter(|d| d.name != discovery::DEFAULT_DATABASE)
        .collect();
    match named.as_slice() {
        [only] => Some(only.name.clone()),
        _ => None,
    }
}
