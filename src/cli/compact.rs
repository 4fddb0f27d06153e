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
    if choice.aws.is_some() {
        return fail(
            EXIT_USAGE,
            &"quarry compact rewrites local lake tables; on S3 it is not built yet (run it on a \
              local copy, or let Athena's CTAS/INSERT rewrite the partition)",
        );
    }
    // Opening the catalog settles any compaction a kill left unfinished.
    let catalog = match LocalCatalog::open(&choice.lake) {
        Ok(catalog) => catalog,
        Err(e) => return fail(EXIT_USAGE, &e),
    };
    let name = match args.table.split_once('.') {
        Some((db, table)) => TableName::new(db, table),
        None => match &choice.database {
            Some(db) => TableName::new(db, &args.table),
            None => {
                return fail(
                    EXIT_USAGE,
                    &format!(
                        "{}: name the database (DB.TABLE) or pass --database",
                        args.table
                    ),
                );
            }
        },
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
    let mut done: Vec<Compacted> = Vec::new();
    let mut failed = 0;
    for dir in &partitions {
        match compact_partition(catalog.root(), &table_dir, dir, target) {
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
        partitions.len(),
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
