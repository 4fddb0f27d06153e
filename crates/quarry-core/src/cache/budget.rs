//! The cache lake's size budget: after each keep or copy, whole tables are evicted least
//! recently used first until the cache fits. A table's last use is the time a query last ran on
//! it (a `.quarry-used` stamp), else when it was written.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::CacheLake;
use crate::backend::TableName;

/// Touched each time a query reads the table.
const USED_STAMP: &str = ".quarry-used";

/// A table evicted to fit the budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evicted {
    pub name: TableName,
    pub bytes: u64,
}

/// One kept table on disk.
#[derive(Debug, Clone)]
struct Entry {
    name: TableName,
    folder: PathBuf,
    bytes: u64,
    last_used: SystemTime,
}

/// Notes that a query read the table in `folder` now.
pub fn touch(folder: &Path) {
    if folder.is_dir()
        && let Err(e) = fs::write(folder.join(USED_STAMP), chrono::Local::now().to_rfc3339())
    {
        tracing::debug!("last use of {} not noted: {e}", folder.display());
    }
}

/// Bytes the cache lake holds, over every table.
pub fn cache_bytes(lake: &CacheLake) -> u64 {
    entries(lake.root()).iter().map(|e| e.bytes).sum()
}

/// Evicts least recently used tables until the cache holds at most `budget` bytes; `spare` (the
/// table just written) is never evicted, even when it alone is over the budget.
pub fn enforce(lake: &CacheLake, budget: u64, spare: &TableName) -> io::Result<Vec<Evicted>> {
    let mut entries = entries(lake.root());
    let mut total: u64 = entries.iter().map(|e| e.bytes).sum();
    entries.sort_by_key(|e| e.last_used);
    let mut evicted = Vec::new();
    for entry in entries {
        if total <= budget {
            break;
        }
        if &entry.name == spare {
            continue;
        }
        // Renamed aside first: a reader sees the table whole or not at all.
        let aside = lake.root().join(format!(
            ".evicting-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        fs::rename(&entry.folder, &aside)?;
        fs::remove_dir_all(&aside)?;
        total -= entry.bytes;
        evicted.push(Evicted {
            name: entry.name,
            bytes: entry.bytes,
        });
    }
    Ok(evicted)
}

fn entries(root: &Path) -> Vec<Entry> {
    let mut entries = Vec::new();
    for database in visible_dirs(root) {
        for table in visible_dirs(&database) {
            let name = TableName::new(file_name(&database), file_name(&table));
            let mut bytes = 0;
            let mut written = SystemTime::UNIX_EPOCH;
            let mut stack = vec![table.clone()];
            while let Some(dir) = stack.pop() {
                for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
                    let path = entry.path();
                    let Ok(meta) = entry.metadata() else { continue };
                    if meta.is_dir() {
                        stack.push(path);
                    } else {
                        bytes += meta.len();
                        written = written.max(meta.modified().unwrap_or(written));
                    }
                }
            }
            let last_used = fs::metadata(table.join(USED_STAMP))
                .and_then(|m| m.modified())
                .unwrap_or(written);
            entries.push(Entry {
                name,
                folder: table,
                bytes,
                last_used,
            });
        }
    }
    entries
}

fn visible_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && !file_name(p).starts_with(['.', '_']))
        .collect();
    dirs.sort();
    dirs
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
