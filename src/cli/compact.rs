//! `quarry compact`: a local table's partitions rewritten into few files near a target size,
//! each switched in atomically (`lake::compact`), under the lock `quarry serve` takes for the
//! table so the two never write one partition at once.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::process::ExitCode;

use crate::backend::TableName;
use crate::backend::local::{LocalCatalog, discovery};
use crate::lake::compact::{Compacted, compact_partition};
use crate::text::{human_bytes, thousands};

use super::args::CompactArgs;
use super::exit::{EXIT_QUERY_ERROR, EXIT_USAGE, fail, say};
use super::source::SourceChoice;

/// Runs `quarry compact`.
pub(super) fn run(args: &CompactArgs, choice: &SourceChoice) -> ExitCode {
    if let Some((options, _)) = &choice.aws {
        return aws::run(args, options, choice.database.as_deref());
    }
    // Opening the catalog settles any compaction a kill left unfinished.
    let catalog = match LocalCatalog::open(&choice.lake) {
        Ok(catalog) => catalog,
        Err(e) => return fail(EXIT_USAGE, &e),
    };
    let name = match super::source::table_name(&args.table, choice.database.as_deref()) {
        Ok(name) => name,
        Err(message) => return fail(EXIT_USAGE, &message),
    };
    let table_dir = match catalog.table_dir(&name) {
        Ok(dir) => dir.to_path_buf(),
        Err(e) => return fail(EXIT_USAGE, &e),
    };
    let _lock = match lock_table(catalog.root(), &name) {
        Ok(lock) => lock,
        Err(message) => return fail(EXIT_USAGE, &message),
    };
    let partitions = match partition_dirs(&table_dir, &args.partitions) {
        Ok(dirs) => dirs,
        Err(message) => return fail(EXIT_USAGE, &message),
    };
    let target = args.target_file_size * 1024 * 1024;
    let results = partitions.iter().map(|dir| {
        compact_partition(catalog.root(), &table_dir, dir, target).map_err(|e| e.to_string())
    });
    report(&name, partitions.len(), results)
}

/// Prints each partition's result as it comes and the totals; the exit code says whether any
/// partition failed.
fn report(
    name: &TableName,
    asked: usize,
    results: impl Iterator<Item = Result<Option<Compacted>, String>>,
) -> ExitCode {
    let mut done: Vec<Compacted> = Vec::new();
    let mut failed = 0;
    for result in results {
        match result {
            Ok(Some(result)) => {
                say!(
                    "{}: {} files ({}) → {} ({}), {} rows{}",
                    result.partition,
                    result.files_before,
                    human_bytes(result.bytes_before),
                    crate::doctor::plural(result.files_after, "file"),
                    human_bytes(result.bytes_after),
                    thousands(result.rows),
                    result
                        .ordered_by
                        .as_ref()
                        .map(|c| format!(" in {c} order"))
                        .unwrap_or_default()
                );
                done.push(result);
            }
            Ok(None) => {}
            Err(e) => {
                say!("quarry: {e}");
                failed += 1;
            }
        }
    }
    let before: u64 = done.iter().map(|r| r.files_before).sum();
    let after: u64 = done.iter().map(|r| r.files_after).sum();
    let bytes_before: u64 = done.iter().map(|r| r.bytes_before).sum();
    let bytes_after: u64 = done.iter().map(|r| r.bytes_after).sum();
    println!(
        "{name}: compacted {} of {}: {} ({}) → {} ({}); a full scan of them now \
         takes at least {} reads where it took {}",
        crate::doctor::plural(done.len() as u64, "partition"),
        asked,
        crate::doctor::plural(before, "file"),
        human_bytes(bytes_before),
        crate::doctor::plural(after, "file"),
        human_bytes(bytes_after),
        thousands(after * 2),
        thousands(before * 2),
    );
    if failed > 0 {
        ExitCode::from(EXIT_QUERY_ERROR)
    } else {
        ExitCode::SUCCESS
    }
}

/// `quarry compact --aws`: Glue partitions rewritten on S3 and switched by `UpdatePartition`.
#[cfg(feature = "aws")]
mod aws {
    use std::process::ExitCode;

    use crate::backend::TableName;
    use crate::backend::aws::{AwsClients, AwsOptions, GlueCatalog};
    use crate::backend::{Catalog, PartitionFilter};

    use super::super::args::CompactArgs;
    use super::super::exit::{EXIT_USAGE, fail, say};

    pub(super) fn run(
        args: &CompactArgs,
        options: &AwsOptions,
        database: Option<&str>,
    ) -> ExitCode {
        let runtime = match tokio::runtime::Runtime::new() {
            Ok(runtime) => runtime,
            Err(e) => return fail(EXIT_USAGE, &format!("cannot start the async runtime: {e}")),
        };
        runtime.block_on(async {
            let clients = match AwsClients::connect(options).await {
                Ok(clients) => clients,
                Err(e) => return fail(EXIT_USAGE, &e),
            };
            let catalog = GlueCatalog::new(clients.glue.clone(), clients.s3.clone());
            let database = database.or(options.database.as_deref());
            let name = match super::super::source::table_name(&args.table, database) {
                Ok(name) => name,
                Err(message) => return fail(EXIT_USAGE, &message),
            };
            match catalog.recover_compactions(&name).await {
                Ok(lines) => lines.iter().for_each(|l| say!("{name}: {l}")),
                Err(e) => return fail(EXIT_USAGE, &e),
            }
            let values: Vec<Vec<String>> = if args.partitions.is_empty() {
                match all_partitions(&catalog, &name).await {
                    Ok(values) => values,
                    Err(e) => return fail(EXIT_USAGE, &e),
                }
            } else {
                args.partitions
                    .iter()
                    .map(|p| {
                        p.trim_matches('/')
                            .split('/')
                            .map(|part| part.split_once('=').map_or(part, |(_, v)| v).to_owned())
                            .collect()
                    })
                    .collect()
            };
            let target = args.target_file_size * 1024 * 1024;
            let mut results = Vec::new();
            for v in &values {
                results.push(
                    catalog
                        .compact_partition(&name, v, target)
                        .await
                        .map_err(|e| e.to_string()),
                );
            }
            super::report(&name, values.len(), results.into_iter())
        })
    }

    async fn all_partitions(
        catalog: &GlueCatalog,
        name: &TableName,
    ) -> Result<Vec<Vec<String>>, crate::backend::CatalogError> {
        let mut values = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = catalog
                .partitions(name, &PartitionFilter::default(), token.as_deref(), 1000)
                .await?;
            values.extend(page.partitions.into_iter().map(|p| p.values));
            match page.next_token {
                Some(next) => token = Some(next),
                None => return Ok(values),
            }
        }
    }
}

#[cfg(not(feature = "aws"))]
mod aws {
    use std::process::ExitCode;

    use crate::backend::aws::AwsOptions;

    use super::super::args::CompactArgs;
    use super::super::exit::{EXIT_USAGE, fail};

    pub(super) fn run(_: &CompactArgs, _: &AwsOptions, _: Option<&str>) -> ExitCode {
        fail(EXIT_USAGE, &super::super::source::BUILT_WITHOUT_AWS)
    }
}

/// Takes the lock `quarry serve` holds while it writes the table.
fn lock_table(root: &Path, name: &TableName) -> Result<File, String> {
    let path = root
        .join(".quarry-ingest")
        .join(format!("{}.{}.lock", name.database, name.name));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(TryLockError::WouldBlock) => Err(format!(
            "a quarry serve is writing {name} ({}); stop it first so the two never write one \
             partition at once",
            path.display()
        )),
        Err(TryLockError::Error(e)) => Err(format!("cannot lock {}: {e}", path.display())),
    }
}

/// The partition folders named, or every partition of the table.
fn partition_dirs(table_dir: &Path, named: &[String]) -> Result<Vec<std::path::PathBuf>, String> {
    if !named.is_empty() {
        return named
            .iter()
            .map(|p| {
                let dir = table_dir.join(p.trim_matches('/'));
                if dir.is_dir() {
                    Ok(dir)
                } else {
                    Err(format!("no partition {p} in {}", table_dir.display()))
                }
            })
            .collect();
    }
    let keys = discovery::probe_table(table_dir)
        .map(|p| p.partition_keys)
        .unwrap_or_default();
    if keys.is_empty() {
        return Ok(vec![table_dir.to_path_buf()]);
    }
    let (partitions, _) = discovery::list_partitions(table_dir, &keys, &[], None, usize::MAX - 1)
        .map_err(|e| e.to_string())?;
    Ok(partitions
        .into_iter()
        .map(|p| table_dir.join(discovery::relative_path(&keys, &p.values)))
        .collect())
}
