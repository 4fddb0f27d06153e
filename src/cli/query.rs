//! `quarry query`: the engine headless. Results go to standard output in the format asked for,
//! statistics to standard error; `--explain` and `--compare` answer without or with both
//! engines.

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use datafusion::arrow::record_batch::RecordBatch;

use crate::backend::{QueryContext, QueryState};
use crate::config::{self, Config, EngineChoice};
use crate::cost::Pricing;
use crate::export::{self, Format, SharedRows};
use crate::summary::stats_line;
use crate::text::thousands;

use super::args::QueryArgs;
use super::exit::{
    EXIT_DIFFERENT, EXIT_INTERRUPTED, EXIT_QUERY_ERROR, EXIT_USAGE, describe_error, fail, say,
};
use super::source::{
    Alternate, ChosenEngine, ONE_ENGINE_LOCALLY, Opened, SourceChoice, open_source,
};

pub(super) async fn run_query(
    args: &QueryArgs,
    choice: &SourceChoice,
    config: &Config,
) -> ExitCode {
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
        if matches!(args.format, Format::Json | Format::Ndjson) {
            let json = serde_json::to_string_pretty(&explanation).unwrap_or_default();
            println!("{}", crate::text::escape_json_for_terminal(&json));
        } else {
            print!(
                "{}",
                crate::text::escape_control_keep_lines(&explanation.report())
            );
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
    if to_terminal && !args.format.is_text() {
        return fail(
            EXIT_USAGE,
            &format!(
                "{} is binary: redirect it to a file (> out.parquet)",
                args.format
            ),
        );
    }
    let rows = SharedRows::unordered(page.schema.clone(), page.batches.clone());
    let written = export::write_rows(
        std::io::BufWriter::new(stdout),
        args.format,
        &rows,
        to_terminal,
        &|_| {},
    )
    .and_then(|mut out| out.flush());
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
        say!(
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
        let json = serde_json::to_string(&StatsWithLedger {
            stats: &final_stats,
            ledger,
        })
        .unwrap_or_default();
        // JSON escaping keeps it JSON; `say!` would turn its escapes into Rust's.
        eprintln!("{}", crate::text::escape_json_for_terminal(&json));
    } else {
        say!("{}", stats_line(&final_stats));
    }
    if page.truncated {
        let shown: usize = page.batches.iter().map(RecordBatch::num_rows).sum();
        say!(
            "note: printed the first {} of {} rows; raise --max-rows to see more",
            thousands(shown as u64),
            thousands(final_stats.rows)
        );
    }
    ExitCode::SUCCESS
}

/// `quarry query --compare`: the query on both engines, a line per engine and the verdict.
pub(super) async fn run_compare(
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
        println!("{}", crate::text::escape_control_keep_lines(&line));
    }
    if comparison.verdict.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_DIFFERENT)
    }
}

pub(super) fn read_sql(args: &QueryArgs) -> Result<String, String> {
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
