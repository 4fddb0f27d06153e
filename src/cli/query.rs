//! `quarry query`: the engine headless. Results go to standard output in the format asked for,
//! statistics to standard error; `--explain` and `--compare` answer without or with both
//! engines.

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;
use std::sync::Arc;

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
    let keep_as = match args
        .save_as
        .as_deref()
        .map(super::save_as::kept_name)
        .transpose()
    {
        Ok(name) => name,
        Err(message) => return fail(EXIT_USAGE, &message),
    };
    // A kept result holds every row; --max-rows then bounds only what is printed.
    let engine_rows = if keep_as.is_some() {
        usize::MAX
    } else {
        row_limit
    };
    let Opened {
        engine,
        database,
        catalog,
        alternate,
        cache,
        title,
        ..
    } = match open_source(choice, config, engine_rows, args.threads).await {
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
        // The estimate reads the statement with its values written in (never run).
        let bound = match parameter_values(&sql, &args.params)
            .and_then(|values| crate::sql::params::bound_text(&sql, &values))
        {
            Ok(bound) => bound,
            Err(e) => return fail(EXIT_USAGE, &e),
        };
        let explanation =
            crate::estimate::explain(catalog.as_ref(), &bound, database.as_deref(), pricing).await;
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
    let context = QueryContext {
        database,
        unload_requested: args.unload,
        ..QueryContext::default()
    };
    let athena = matches!(choice.aws, Some((_, EngineChoice::Athena)));
    if args.plan && !args.analyze {
        return plan_only(engine.as_ref(), &context, &sql, athena).await;
    }
    let statements = crate::sql::statements::split(&sql);
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
    if statements.len() > 1 && !args.format.is_text() {
        return fail(
            EXIT_USAGE,
            &format!(
                "{} holds one result and the SQL has {} statements: run them one at a time",
                args.format,
                statements.len()
            ),
        );
    }
    let keep = match keep_as {
        None => None,
        Some(_) if statements.len() > 1 => {
            return fail(
                EXIT_USAGE,
                &format!(
                    "--save-as keeps one result and the SQL has {} statements",
                    statements.len()
                ),
            );
        }
        Some(name) => match cache {
            Some(cache) => Some(super::save_as::Keep {
                name,
                cache,
                catalog: Arc::clone(&catalog),
                source: title,
                pricing: Pricing {
                    usd_per_tb: config.price_per_tb_usd,
                },
            }),
            None => return fail(EXIT_USAGE, &"the cache lake cannot be opened (see above)"),
        },
    };
    // Each `quarry query` is a session of its own in the ledger.
    let run = Run {
        engine: engine.as_ref(),
        context: &context,
        args,
        to_terminal,
        ledger_path: crate::ledger::ledger_path(&config::data_dir()),
        session: crate::ledger::new_session_id(),
        keep,
        print_rows: row_limit,
    };
    if statements.len() <= 1 {
        return match run.statement(&sql, None, None).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(failure) => failure.exit(),
        };
    }
    // Several statements: each result after a header naming it, each its own statistics.
    let total = statements.len();
    let mut failed = 0;
    for (index, statement) in statements.iter().enumerate() {
        let header = statement_header(index, total, statement);
        if index > 0 {
            println!();
        }
        println!("{}", crate::text::escape_control(&header));
        say!("{header}");
        match run
            .statement(&statement.sql, Some(statement), Some(&header))
            .await
        {
            Ok(()) => {}
            Err(Failure::Interrupted) => return Failure::Interrupted.exit(),
            Err(failure) => {
                failed += 1;
                if !args.continue_on_error {
                    let left = total - index - 1;
                    let exit = failure.exit();
                    if left > 0 {
                        say!(
                            "quarry: stopped: {left} statement(s) not run (--continue-on-error runs them)"
                        );
                    }
                    return exit;
                }
                let _ = failure.exit();
            }
        }
    }
    if failed > 0 {
        say!("quarry: {failed} of {total} statements failed");
        return ExitCode::from(EXIT_QUERY_ERROR);
    }
    ExitCode::SUCCESS
}

/// The values `--param` gives for `sql`'s parameters, in the order they are asked for: a
/// `name=VALUE` fills that name, the others fill the rest in order.
fn parameter_values(
    sql: &str,
    given: &[String],
) -> Result<Vec<crate::sql::params::ParamValue>, String> {
    use crate::sql::params::{ParamValue, slots};
    let slots = slots(sql);
    if slots.is_empty() {
        return Ok(Vec::new());
    }
    let mut named = std::collections::HashMap::new();
    let mut in_order = Vec::new();
    for value in given {
        match value.split_once('=') {
            Some((name, value)) if slots.iter().any(|s| s == name.trim()) => {
                named.insert(name.trim().to_owned(), value.to_owned());
            }
            _ => in_order.push(value.clone()),
        }
    }
    let mut in_order = in_order.into_iter();
    let values = slots
        .iter()
        .map(|slot| {
            named
                .remove(slot)
                .or_else(|| in_order.next())
                .map(|v| ParamValue::parse(&v))
                .ok_or_else(|| {
                    let name = if slot.bytes().all(|b| b.is_ascii_digit()) {
                        format!("? number {slot}")
                    } else {
                        format!(":{slot}")
                    };
                    format!(
                        "the SQL needs a value for {name}: give --param VALUE (in order) or --param NAME=VALUE; its parameters are {}",
                        slots.join(", ")
                    )
                })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if in_order.next().is_some() {
        return Err(format!(
            "more --param values than the SQL's {} parameter(s) ({})",
            slots.len(),
            slots.join(", ")
        ));
    }
    Ok(values)
}

/// `--plan` without `--analyze`: the plan, not run. Local: the physical plan of DataFusion's
/// `EXPLAIN`; Athena: `EXPLAIN (TYPE DISTRIBUTED)`, its fragments as Athena prints them.
async fn plan_only(
    engine: &dyn crate::backend::QueryEngine,
    context: &QueryContext,
    sql: &str,
    athena: bool,
) -> ExitCode {
    let text = match crate::backend::explain_plan(engine, context, sql, athena).await {
        Ok(text) => text,
        Err(e) => return fail(EXIT_QUERY_ERROR, &describe_error(&e)),
    };
    print!("{}", crate::text::escape_control_keep_lines(&text));
    ExitCode::SUCCESS
}

/// `--chart`: the result drawn as text, as the TUI draws it, sized to the flags or the
/// terminal.
fn chart_text(
    rows: &SharedRows,
    kind: &str,
    width: Option<u16>,
    height: Option<u16>,
) -> Result<String, String> {
    use crate::chart::{ChartKind, build, spec_for, suggest};
    let spec = match ChartKind::parse(kind) {
        Some(kind) => spec_for(&rows.schema, kind),
        None => suggest(&rows.schema),
    }
    .ok_or("nothing to chart: the result has no number column")?;
    let terminal = crossterm::terminal::size().ok();
    let width = width
        .or(terminal.map(|t| t.0))
        .unwrap_or(100)
        .clamp(20, 1_000);
    let height = height
        .or(terminal.map(|t| t.1.saturating_sub(2)))
        .unwrap_or(30)
        .clamp(6, 500);
    let data = build(rows, &spec, usize::from(width))?;
    Ok(crate::ui::chart::to_text(&data, width, height))
}

/// `-- [2/3] line 4: SELECT source, count(*) …`: which statement a result belongs to.
fn statement_header(
    index: usize,
    total: usize,
    statement: &crate::sql::statements::Statement,
) -> String {
    let first_line = statement
        .sql
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("--"))
        .unwrap_or("");
    let mut shown: String = first_line.chars().take(72).collect();
    if shown.len() < first_line.len() || statement.sql.trim().lines().count() > 1 {
        shown.push_str(" …");
    }
    format!(
        "-- [{}/{total}] line {}: {shown}",
        index + 1,
        statement.start.line
    )
}

/// Why a statement did not print its result.
pub(super) enum Failure {
    /// Ctrl-C: nothing more runs.
    Interrupted,
    /// A failure with its exit code and message.
    Error(u8, String),
}

impl Failure {
    /// Says why on stderr and gives the exit code.
    fn exit(self) -> ExitCode {
        match self {
            Self::Interrupted => fail(EXIT_INTERRUPTED, &"query cancelled"),
            Self::Error(code, message) => fail(code, &message),
        }
    }
}

/// What every statement of one `quarry query` shares.
struct Run<'a> {
    engine: &'a dyn crate::backend::QueryEngine,
    context: &'a QueryContext,
    args: &'a QueryArgs,
    to_terminal: bool,
    ledger_path: std::path::PathBuf,
    session: String,
    /// `--save-as`: where the result is kept.
    keep: Option<super::save_as::Keep>,
    /// Rows printed at most (the engine keeps them all when the result is kept).
    print_rows: usize,
}

impl Run<'_> {
    /// Runs one statement: its rows to stdout, its statistics to stderr, its cost to the
    /// ledger.
    /// `within` places the statement in the SQL text, so an error names the text's line.
    async fn statement(
        &self,
        sql: &str,
        within: Option<&crate::sql::statements::Statement>,
        header: Option<&str>,
    ) -> Result<(), Failure> {
        let (engine, args) = (self.engine, self.args);
        let values =
            parameter_values(sql, &args.params).map_err(|e| Failure::Error(EXIT_USAGE, e))?;
        let (sql, parameters) = crate::sql::params::positional(sql, &values)
            .map_err(|e| Failure::Error(EXIT_USAGE, e))?;
        let context = QueryContext {
            parameters,
            ..self.context.clone()
        };
        let id = engine
            .submit(&sql, &context)
            .await
            .map_err(|e| Failure::Error(EXIT_QUERY_ERROR, e.to_string()))?;
        let status = tokio::select! {
            status = engine.wait(&id) => status,
            _ = tokio::signal::ctrl_c() => {
                let _ = engine.cancel(&id).await;
                let _ = engine.wait(&id).await;
                return Err(Failure::Interrupted);
            }
        };
        let status = status.map_err(|e| Failure::Error(EXIT_QUERY_ERROR, e.to_string()))?;
        match status.state {
            QueryState::Succeeded => {}
            QueryState::Cancelled => return Err(Failure::Interrupted),
            _ => {
                let error = status.error.map_or_else(
                    || "query failed".to_owned(),
                    |mut e| {
                        if let (Some(statement), Some(at)) = (within, e.position) {
                            let at = statement.to_buffer(crate::sql::statements::Position {
                                line: at.line,
                                column: at.column,
                            });
                            e.position = Some(crate::backend::SqlPosition {
                                line: at.line,
                                column: at.column,
                            });
                        }
                        describe_error(&e)
                    },
                );
                return Err(Failure::Error(EXIT_QUERY_ERROR, error));
            }
        }
        if args.analyze {
            // The plan with its measurements instead of the rows.
            let plan = match engine.plan(&id).await {
                Ok(Some(plan)) => Some(plan),
                _ => crate::backend::PlanNode::of_athena_run(&status.stats),
            };
            let text = plan.map_or_else(
                || "the engine gave no plan for this query\n".to_owned(),
                |p| p.text(),
            );
            print!("{}", crate::text::escape_control_keep_lines(&text));
        }
        let page = crate::backend::all_results(engine, &id)
            .await
            .map_err(|e| Failure::Error(EXIT_QUERY_ERROR, e.to_string()))?;
        let mut final_stats = status.stats.clone();
        final_stats.absorb_fetch(&page);
        if let Some(keep) = &self.keep {
            keep.keep(&sql, self.context.database.as_deref(), &final_stats, &page)
                .await?;
        }
        let mut page = page;
        if self.keep.is_some() {
            page.truncated |= super::save_as::cut_to(&mut page.batches, self.print_rows);
        }
        let rows = SharedRows::unordered(page.schema.clone(), page.batches.clone());
        let written = match &args.chart {
            _ if args.analyze => Ok(()),
            Some(kind) => {
                let text = chart_text(&rows, kind, args.width, args.height)
                    .map_err(|e| Failure::Error(EXIT_USAGE, e))?;
                let mut out = std::io::stdout().lock();
                out.write_all(text.as_bytes()).and_then(|()| out.flush())
            }
            None => export::write_rows(
                std::io::BufWriter::new(std::io::stdout()),
                args.format,
                &rows,
                self.to_terminal,
                &|_| {},
            )
            .and_then(|mut out| out.flush()),
        };
        if let Err(e) = written
            && e.kind() != std::io::ErrorKind::BrokenPipe
        {
            return Err(Failure::Error(
                EXIT_QUERY_ERROR,
                format!("cannot write results: {e}"),
            ));
        }
        self.record(&final_stats, header);
        if page.truncated {
            let shown: usize = page.batches.iter().map(RecordBatch::num_rows).sum();
            say!(
                "note: printed the first {} of {} rows; raise --max-rows to see more",
                thousands(shown as u64),
                thousands(final_stats.rows)
            );
        }
        Ok(())
    }

    /// The ledger entry and the statistics on stderr (a line, or JSON with `--stats-json`).
    fn record(&self, final_stats: &crate::backend::QueryStats, header: Option<&str>) {
        let ledger_path = &self.ledger_path;
        if (final_stats.billed_bytes > 0 || final_stats.saved_usd.is_some())
            && let Err(e) = crate::ledger::append(
                ledger_path,
                &crate::ledger::LedgerEntry::for_stats(&self.session, final_stats),
            )
        {
            say!(
                "quarry: the cost ledger {} was not updated: {e}",
                ledger_path.display()
            );
        }
        if self.args.stats_json {
            /// The statistics with the ledger's totals after this query.
            #[derive(serde::Serialize)]
            struct StatsWithLedger<'a> {
                /// The statement's header when the SQL holds several.
                #[serde(skip_serializing_if = "Option::is_none")]
                statement: Option<&'a str>,
                #[serde(flatten)]
                stats: &'a crate::backend::QueryStats,
                ledger: Option<crate::ledger::LedgerSummary>,
            }
            let ledger = crate::ledger::read(ledger_path).ok().map(|entries| {
                crate::ledger::LedgerSummary::of(&entries, &self.session, &crate::ledger::today())
            });
            let json = serde_json::to_string(&StatsWithLedger {
                statement: header,
                stats: final_stats,
                ledger,
            })
            .unwrap_or_default();
            // JSON escaping keeps it JSON; `say!` would turn its escapes into Rust's.
            eprintln!("{}", crate::text::escape_json_for_terminal(&json));
        } else {
            say!("{}", stats_line(final_stats));
        }
    }
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
    let context = QueryContext {
        database,
        ..QueryContext::default()
    };
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
