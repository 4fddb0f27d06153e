//! The command line's shape: flags, subcommands and their help texts.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::export::Format;

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
    Serve(Box<ServeArgs>),
    /// Find what breaks queries before Athena bills for them: unregistered partitions, schema
    /// drift, small files, stray objects, corrupt footers, days without data.
    Doctor(DoctorArgs),
    /// Rewrite a table's small files into few files near a target size, rows in time order,
    /// switched in so no reader ever counts a row twice (local lake).
    Compact(CompactArgs),
    /// Copy a partition range of a Glue table from S3 into the cache lake under the same name,
    /// so the same SQL runs locally for $0 (resumable; `--check` compares it with S3).
    Keep(KeepArgs),
}

/// `quarry keep`'s flags.
#[derive(Debug, Args)]
pub struct KeepArgs {
    /// The table (`DB.TABLE`, or `TABLE` in --database).
    #[arg(value_name = "DB.TABLE")]
    pub table: String,
    /// The partitions to copy, as SQL on the partition keys (`year = '2023' AND month = '03'`;
    /// `true` for every partition).
    #[arg(long = "where", value_name = "CONDITION")]
    pub condition: String,
    /// Print what would be copied (partitions, files, bytes) and stop.
    #[arg(long, conflicts_with = "check")]
    pub dry_run: bool,
    /// Compare the copy with S3 (`ETag`s, sizes, new partitions) without copying; exit 4 when
    /// it is stale. Run without --check to refresh it.
    #[arg(long)]
    pub check: bool,
}

/// `quarry compact`'s flags.
#[derive(Debug, Args)]
pub struct CompactArgs {
    /// The table (`DB.TABLE`, or `TABLE` in --database).
    #[arg(value_name = "DB.TABLE")]
    pub table: String,
    /// Only these partitions (`year=2023/month=05/day=03`); default: every partition.
    #[arg(long = "partition", value_name = "KEY=VALUE/…")]
    pub partitions: Vec<String>,
    /// The size each new file aims at.
    #[arg(long, default_value_t = 128, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..))]
    pub target_file_size: u64,
}

/// `quarry doctor`'s flags.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Tables to examine (`DB.TABLE`, or `TABLE` in --database). Default: every table of
    /// --database, else of every database.
    #[arg(value_name = "DB.TABLE")]
    pub tables: Vec<String>,
    /// `text` for people, `json` for one object holding every table's findings.
    #[arg(long, value_enum, default_value = "text")]
    pub format: DoctorFormat,
    /// Apply the catalog fixes found (register partitions, remove empty ones, register again
    /// with the table's schema), each after a confirmation on the terminal.
    #[arg(long)]
    pub fix: bool,
    /// With --fix: apply without asking.
    #[arg(long, requires = "fix")]
    pub yes: bool,
}

/// How `quarry doctor` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DoctorFormat {
    Text,
    Json,
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
    /// Memory of all buffers together at most (rows in memory take about three times their
    /// data); past this, requests get 429 with Retry-After.
    #[arg(long, default_value_t = 1024, value_name = "MIB")]
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
    #[arg(long, default_value = "auto", value_parser = time_format_parser())]
    pub timestamp_format: crate::ingest::stream::TimeFormat,
    /// Where the write-ahead log lives. Default: <lake>/.quarry-ingest/<db.table>/ (for S3,
    /// the local data folder's quarry/ingest/<bucket>/<db.table>/).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Compact a day's partition into few files (as `quarry compact` does) once its day ended
    /// this many hours ago (UTC), in the background between flushes; local lake only.
    #[arg(long, value_name = "HOURS")]
    pub compact_closed_after: Option<u64>,
    /// Write Parquet to this S3 prefix (the table's folder) instead of the local lake.
    #[arg(long, value_name = "s3://BUCKET/PREFIX")]
    pub s3: Option<String>,
    /// Partitions with records buffered at once at most (Firehose's active partitions);
    /// records of another partition past it fail with `PartitionLimitExceeded`.
    #[arg(long, default_value_t = 500, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    pub max_active_partitions: usize,
    /// A record's day may be at most this many days before today (`PartitionOutsideWindow`).
    #[arg(long, default_value_t = 3650, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(0..=36_500))]
    pub max_record_age_days: u32,
    /// A record's day may be at most this many days after today.
    #[arg(long, default_value_t = 1830, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(0..=36_500))]
    pub max_future_days: u32,
    /// Seconds a request's headers may take.
    #[arg(long, default_value_t = 10, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_timeout: u64,
    /// Seconds a request's body may take (a body that stalls for 5 s is given up on sooner).
    #[arg(long, default_value_t = 30, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub body_timeout: u64,
    /// Seconds a keep-alive connection may sit without a request.
    #[arg(long, default_value_t = 60, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub idle_timeout: u64,
    /// Open connections at most (default: from the file-descriptor limit, at most 16384).
    #[arg(long, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    pub max_connections: Option<usize>,
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
    /// Parquet files per day, as Firehose writes one per buffer flush (the day's rows are
    /// split in time order, so answers do not change).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub files_per_partition: u32,
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
    #[arg(long, default_value = "table", value_parser = format_parser())]
    pub format: Format,
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
    /// With several statements, run the rest after one fails (the exit code still says a
    /// statement failed). Without it, the first failure stops the run.
    #[arg(long)]
    pub continue_on_error: bool,
    /// Print the result as a chart instead of rows: `line` (a number over time, a line per
    /// category), `bar` (a number per category) or `hist` (one number's spread); without a
    /// value, the kind the columns suggest.
    #[arg(long, value_name = "KIND", num_args = 0..=1, default_missing_value = "auto",
          value_parser = ["auto", "line", "bar", "hist"])]
    pub chart: Option<String>,
    /// The chart's width in columns. Default: the terminal's, else 100.
    #[arg(long, value_name = "N", requires = "chart")]
    pub width: Option<u16>,
    /// The chart's height in lines. Default: the terminal's less two, else 30.
    #[arg(long, value_name = "N", requires = "chart")]
    pub height: Option<u16>,
    /// Print the query's plan instead of its rows, without running it: DataFusion's physical
    /// plan on the local engine, `EXPLAIN (TYPE DISTRIBUTED)` on Athena.
    #[arg(long, conflicts_with_all = ["chart", "explain", "compare"])]
    pub plan: bool,
    /// With `--plan`: run the query and print the plan with what each part measured (rows,
    /// time, bytes, files and row groups pruned; Athena's stages from its runtime statistics).
    #[arg(long, requires = "plan")]
    pub analyze: bool,
    /// A value for the SQL's parameters: `?` in order, or `name=VALUE` for `:name` and
    /// `${name}`. Numbers stay numbers; quote text that looks like one (`'2023'`). Values
    /// reach the engine apart from the SQL (Athena's `ExecutionParameters`), never spliced in.
    #[arg(long = "param", value_name = "VALUE")]
    pub params: Vec<String>,
    /// On Athena: fetch the result through `UNLOAD` as Parquet whatever `unload` under [aws]
    /// says (a query with ORDER BY still reads the result CSV: UNLOAD's files lose the order).
    #[arg(long)]
    pub unload: bool,
    /// Keep the whole result as the table DB.TABLE in the cache lake (`[cache] dir`): it
    /// appears in the catalog with its SQL, engine, time, bytes paid and partitions, and
    /// queries on it run on the local engine for $0, with either source.
    #[arg(long, value_name = "DB.TABLE", conflicts_with_all = ["explain", "compare", "plan", "chart"])]
    pub save_as: Option<String>,
}

/// `--format`'s parser: the writer stack's format names, listed in `--help`.
pub fn format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Format::ALL.map(Format::name))
        .map(|name| Format::from_name(&name).unwrap_or(Format::Table))
}

/// `--timestamp-format`'s parser: the names stream definitions use, listed in `--help`.
fn time_format_parser()
-> impl clap::builder::TypedValueParser<Value = crate::ingest::stream::TimeFormat> {
    use crate::ingest::stream::TimeFormat;
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(TimeFormat::NAMED.map(|(name, _)| name))
        .map(|name| TimeFormat::from_name(&name).unwrap_or(TimeFormat::Auto))
}
