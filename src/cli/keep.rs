//! `quarry keep`: a partition range of a Glue table copied from S3 into the cache lake under the
//! same name (`cache::copy`), the size said before anything moves, progress while it copies,
//! resumable after Ctrl-C or a kill; `--check` compares the copy with S3.

use std::io::IsTerminal;
use std::process::ExitCode;

use crate::backend::TableName;
use crate::cache::copy::{CopyProgress, PlanError, Staleness, staleness};
use crate::config::Config;
use crate::doctor::plural;
use crate::text::{human_bytes, thousands};

use super::args::KeepArgs;
use super::exit::{EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_QUERY_ERROR, EXIT_USAGE, fail, say};
use super::source::{Opened, SourceChoice, open_source};

/// Runs `quarry keep`.
pub(super) async fn run(args: &KeepArgs, choice: &SourceChoice, config: &Config) -> ExitCode {
    if choice.aws.is_none() {
        return fail(
            EXIT_USAGE,
            &"quarry keep copies partitions from S3: pass --aws (a local lake's tables are local \
              already; keep a query's result with `quarry query --save-as`)",
        );
    }
    let name = match super::source::table_name(&args.table, choice.database.as_deref()) {
        Ok(name) => name,
        Err(message) => return fail(EXIT_USAGE, &message),
    };
    let Opened { cache, stores, .. } = match open_source(choice, config, 1, None).await {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let (Some(cache), Some(stores)) = (cache, stores) else {
        return fail(
            EXIT_USAGE,
            &"the cache lake or S3 cannot be opened (see above)",
        );
    };
    let plan = match cache
        .plan_copy(stores.as_ref(), &name, &args.condition)
        .await
    {
        Ok(plan) => plan,
        Err(e @ PlanError::Request(_)) => return fail(EXIT_USAGE, &e),
        Err(e @ PlanError::Source(_)) => return fail(EXIT_QUERY_ERROR, &e),
    };
    let folder = cache.lake().table_folder(&name);
    let stale = staleness(&folder, &plan);
    let fetch = stale.added.len() + stale.changed.len();
    let here = plan.objects.len() - fetch;
    say!(
        "{name}: {} of {} partitions match `{}`: {}, {}{}",
        thousands(plan.matched.len() as u64),
        thousands(plan.source_partitions.len() as u64),
        plan.condition,
        plural(plan.objects.len() as u64, "file"),
        human_bytes(plan.bytes()),
        if here > 0 {
            format!(" ({} already here)", plural(here as u64, "file"))
        } else {
            String::new()
        }
    );
    if args.check {
        return report_staleness(&name, &folder, &stale);
    }
    if args.dry_run {
        return ExitCode::SUCCESS;
    }
    let to_terminal = std::io::stderr().is_terminal();
    let progress = move |p: CopyProgress| {
        if to_terminal {
            eprint!(
                "\r\x1b[Kcopied {} of {} files, {} of {}",
                thousands(p.files_done),
                thousands(p.files_total),
                human_bytes(p.bytes_done),
                human_bytes(p.bytes_total)
            );
        }
    };
    let copy = cache.copy_partitions(stores.as_ref(), &plan, &progress);
    let report = tokio::select! {
        report = copy => report,
        _ = tokio::signal::ctrl_c() => {
            if to_terminal {
                eprintln!();
            }
            let copied = crate::cache::copy::copied_objects(&folder).len();
            say!(
                "interrupted with {} of {} copied: run the same command again to resume",
                thousands(copied as u64),
                plural(plan.objects.len() as u64, "file")
            );
            return ExitCode::from(EXIT_INTERRUPTED);
        }
    };
    if to_terminal {
        eprintln!();
    }
    let report = match report {
        Ok(report) => report,
        Err(e) => {
            return fail(
                EXIT_QUERY_ERROR,
                &format!("{e}; what was copied stays, and the same command resumes"),
            );
        }
    };
    let fetched = report.progress.files_done - report.progress.files_skipped;
    say!(
        "kept {} of {name} in {}: {} fetched, {} already here, {} removed; SQL on {name} whose \
         partition condition stays within `{}` now runs locally for $0",
        plural(plan.matched.len() as u64, "partition"),
        folder.display(),
        plural(fetched, "file"),
        thousands(report.progress.files_skipped),
        thousands(report.removed),
        plan.condition
    );
    for evicted in &report.evicted {
        say!(
            "evicted {} ({}) to keep the cache under [cache] budget_mb",
            evicted.name,
            human_bytes(evicted.bytes)
        );
    }
    ExitCode::SUCCESS
}

fn report_staleness(name: &TableName, folder: &std::path::Path, stale: &Staleness) -> ExitCode {
    if crate::cache::copy::copy_header(folder).is_none() {
        say!("{name} has no copy here yet: run without --check to make one");
        return ExitCode::from(EXIT_FINDINGS);
    }
    if stale.is_fresh() {
        say!("the copy of {name} matches S3 (every ETag and size)");
        return ExitCode::SUCCESS;
    }
    for (what, urls) in [
        ("changed on S3", &stale.changed),
        ("new on S3", &stale.added),
        ("gone from S3", &stale.removed),
    ] {
        if !urls.is_empty() {
            say!(
                "{} {what}, e.g. {}",
                plural(urls.len() as u64, "file"),
                urls[0]
            );
        }
    }
    if !stale.new_partitions.is_empty() {
        say!(
            "{} registered since the copy, e.g. {}",
            plural(stale.new_partitions.len() as u64, "partition"),
            stale.new_partitions[0].join("/")
        );
    }
    say!("the copy is stale: run the same command without --check to refresh it");
    ExitCode::from(EXIT_FINDINGS)
}
