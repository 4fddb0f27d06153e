//! `quarry doctor`: the lake doctor on the chosen source's tables, findings printed for people
//! or as one JSON object, catalog fixes applied after a confirmation, and an exit code that
//! says whether errors remain.

use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use serde::Serialize;

use crate::backend::{Catalog, TableName};
use crate::config::Config;
use crate::doctor::{FixAction, Report, Severity};
use crate::text::{escape_control, escape_json_for_terminal};

use super::args::{DoctorArgs, DoctorFormat};
use super::exit::{EXIT_FINDINGS, EXIT_QUERY_ERROR, EXIT_USAGE, fail, say};
use super::source::{SourceChoice, open_catalog};

/// What `--format json` prints: every table's report and the totals.
#[derive(Serialize)]
struct Output {
    tables: Vec<Report>,
    /// Tables that could not be examined, with why.
    failed: Vec<Failure>,
    /// Fixes applied with `--fix`, each with what the catalog said.
    fixed: Vec<Applied>,
    errors: usize,
    warnings: usize,
    info: usize,
}

#[derive(Serialize)]
struct Failure {
    table: String,
    error: String,
}

#[derive(Serialize)]
struct Applied {
    table: String,
    code: &'static str,
    action: FixAction,
    result: String,
}

/// Runs `quarry doctor`.
pub(super) async fn run(args: &DoctorArgs, choice: &SourceChoice, _config: &Config) -> ExitCode {
    if args.fix && !args.yes && !std::io::stdin().is_terminal() {
        return fail(
            EXIT_USAGE,
            &"--fix asks before each change and standard input is not a terminal: add --yes to \
              apply without asking",
        );
    }
    let catalog = match open_catalog(choice).await {
        Ok(catalog) => catalog,
        Err(code) => return code,
    };
    let names = match tables(args, choice, catalog.as_ref()).await {
        Ok(names) => names,
        Err(message) => return fail(EXIT_USAGE, &message),
    };
    let mut output = Output {
        tables: Vec::new(),
        failed: Vec::new(),
        fixed: Vec::new(),
        errors: 0,
        warnings: 0,
        info: 0,
    };
    for name in names {
        let report = match catalog.doctor(&name).await {
            Ok(report) => report,
            Err(e) => {
                say!("quarry: cannot examine {name}: {e}");
                output.failed.push(Failure {
                    table: name.to_string(),
                    error: e.to_string(),
                });
                continue;
            }
        };
        let report = if args.fix {
            fix(args, catalog.as_ref(), &name, report, &mut output.fixed).await
        } else {
            report
        };
        if args.format == DoctorFormat::Text {
            print_report(&report);
        }
        output.errors += report.count(Severity::Error);
        output.warnings += report.count(Severity::Warning);
        output.info += report.count(Severity::Info);
        output.tables.push(report);
    }
    match args.format {
        DoctorFormat::Json => match serde_json::to_string_pretty(&output) {
            Ok(json) => println!("{}", escape_json_for_terminal(&json)),
            Err(e) => return fail(EXIT_QUERY_ERROR, &format!("cannot write JSON: {e}")),
        },
        DoctorFormat::Text if output.tables.len() > 1 => println!(
            "{} tables: {} errors, {} warnings, {} info",
            output.tables.len(),
            output.errors,
            output.warnings,
            output.info
        ),
        DoctorFormat::Text => {}
    }
    if output.errors > 0 {
        ExitCode::from(EXIT_FINDINGS)
    } else if !output.failed.is_empty() {
        ExitCode::from(EXIT_QUERY_ERROR)
    } else {
        ExitCode::SUCCESS
    }
}

/// The tables named on the command line, else every table of `--database` (or of every
/// database).
async fn tables(
    args: &DoctorArgs,
    choice: &SourceChoice,
    catalog: &dyn Catalog,
) -> Result<Vec<TableName>, String> {
    if !args.tables.is_empty() {
        return args
            .tables
            .iter()
            .map(|name| super::source::table_name(name, choice.database.as_deref()))
            .collect();
    }
    let databases = match &choice.database {
        Some(db) => vec![db.clone()],
        None => catalog
            .databases()
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|d| d.name)
            .collect(),
    };
    let mut names = Vec::new();
    for database in databases {
        names.extend(catalog.tables(&database).await.map_err(|e| e.to_string())?);
    }
    Ok(names)
}

/// Offers each finding's catalog fix, applies the accepted ones and examines the table again.
async fn fix(
    args: &DoctorArgs,
    catalog: &dyn Catalog,
    name: &TableName,
    report: Report,
    fixed: &mut Vec<Applied>,
) -> Report {
    let mut changed = false;
    for finding in &report.findings {
        let Some(action) = finding.fix.as_ref().and_then(|f| f.action.as_ref()) else {
            continue;
        };
        let question = format!("{name}: {} ({})?", action.describe(), finding.code);
        if !args.yes && !confirm(&question) {
            say!("skipped: {question}");
            continue;
        }
        match catalog.apply_fix(name, action).await {
            Ok(result) => {
                say!("{name}: {result}");
                changed = true;
                fixed.push(Applied {
                    table: name.to_string(),
                    code: finding.code,
                    action: action.clone(),
                    result,
                });
            }
            Err(e) => say!("quarry: {name}: {} failed: {e}", action.describe()),
        }
    }
    if !changed {
        return report;
    }
    match catalog.doctor(name).await {
        Ok(after) => after,
        Err(e) => {
            say!("quarry: cannot examine {name} again after the fixes: {e}");
            report
        }
    }
}

/// Asks on the terminal; only `y` or `yes` agrees.
fn confirm(question: &str) -> bool {
    eprint!("{} [y/N] ", escape_control(question));
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_lowercase().as_str(), "y" | "yes")
}

/// One table's findings for people, worst first, names from the lake escaped.
fn print_report(report: &Report) {
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}", report.table, report.location);
    let _ = writeln!(out, "  read: {}", report.examined_line());
    for finding in &report.findings {
        let _ = writeln!(
            out,
            "  {:<7}  {}  {}",
            finding.severity.label(),
            finding.code,
            finding.title
        );
        for line in finding.detail_lines() {
            let _ = writeln!(out, "           {line}");
        }
    }
    let _ = write!(out, "  {}\n\n", report.tally());
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(crate::text::escape_control_keep_lines(&out).as_bytes());
}
