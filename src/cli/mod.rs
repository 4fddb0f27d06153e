//! The command line: `quarry` (the TUI), `quarry query`, `quarry demo` and `quarry serve`.
//! [`args`] is the shape of the flags, [`exit`] the exit codes, [`source`] opens what they
//! choose; each command has a module of its own.

mod appearance;
pub mod args;
mod compact;
mod doctor;
pub mod exit;
mod keep;
mod launch;
mod query;
mod save_as;
mod serve;
mod source;
mod tui;

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;

use crate::config::{self, Config, SourceKind};
use crate::lake::demo::{self, DemoOptions};
use crate::text::{human_bytes, seconds, thousands};

use args::{Cli, Command};
use exit::{EXIT_USAGE, fail, say};
use source::{SourceChoice, aws_options, engine_choice};

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(path) = &cli.log_file
        && let Err(e) = init_logging(path)
    {
        say!("quarry: cannot open log file {}: {e}", path.display());
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
            files_per_partition: args.files_per_partition,
            seed: args.seed,
            threads: None,
        }),
        Some(Command::Query(args)) => runtime.block_on(query::run_query(&args, &choice, &config)),
        Some(Command::Serve(args)) => runtime.block_on(serve::run(&args, &choice.lake, &aws)),
        Some(Command::Doctor(args)) => runtime.block_on(doctor::run(&args, &choice, &config)),
        Some(Command::Compact(args)) => compact::run(&args, &choice),
        Some(Command::Keep(args)) => runtime.block_on(keep::run(&args, &choice, &config)),
        None => runtime.block_on(tui::run_tui(&choice, &config, &cli.files)),
    }
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

/// `quarry demo`, and the TUI's first run: writes the demo lake with a progress bar.
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
            say!(
                "wrote {} rows in {} partitions, {} files ({}) to {} in {}",
                thousands(summary.rows),
                thousands(u64::from(options.days)),
                thousands(summary.files),
                human_bytes(summary.bytes),
                options.dir.display(),
                seconds(started.elapsed().as_millis() as u64)
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(EXIT_USAGE, &e),
    }
}
