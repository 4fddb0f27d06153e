//! The doctor on a local lake folder: the folders are the catalog, so it compares the table
//! quarry registers (its schema from the footers) with every file under the folder.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use parquet::file::metadata::ParquetMetaDataReader;

use super::{CatalogView, FileFooter, Inventory, Registered, Report, diagnose};
use crate::backend::TableInfo;

/// Walks `dir` (the table `info` describes), reads every data file's footer on all cores and
/// diagnoses the table. Blocking: callers on async threads run it with `spawn_blocking`.
pub fn examine(dir: &Path, info: &TableInfo) -> Report {
    let storage = inventory(dir, info);
    diagnose(
        &CatalogView {
            table: info.clone(),
            registered: Registered::Folders,
        },
        &storage,
    )
}

/// Every object under `dir` with its footer read, grouped by the table's partition keys.
pub fn inventory(dir: &Path, info: &TableInfo) -> Inventory {
    let mut listing = Vec::new();
    let mut empty = Vec::new();
    walk(dir, dir, &mut listing, &mut empty);
    listing.sort();
    let keys: Vec<String> = info.partition_keys.iter().map(|k| k.name.clone()).collect();
    let listing = listing
        .into_iter()
        .map(|(key, size)| (key, size, None))
        .collect();
    let mut storage =
        Inventory::from_listing(&format!("{}/", dir.display()), &keys, listing, empty);
    let candidates = storage.footer_candidates();
    let paths: Vec<PathBuf> = candidates
        .iter()
        .map(|&i| dir.join(&storage.objects[i].key))
        .collect();
    for (index, footer) in candidates.into_iter().zip(read_footers(&paths)) {
        storage.objects[index].footer = Some(footer);
    }
    storage
}

/// Files (key relative to `root`, size) and folders with nothing in them, depth first.
fn walk(root: &Path, dir: &Path, files: &mut Vec<(String, u64)>, empty: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut any = false;
    for entry in entries.flatten() {
        any = true;
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(root, &path, files, empty);
        } else if let Ok(meta) = entry.metadata() {
            files.push((relative(root, &path), meta.len()));
        }
    }
    if !any && dir != root {
        empty.push(relative(root, dir));
    }
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Footers of `paths`, in order, read by one thread per core.
pub fn read_footers(paths: &[PathBuf]) -> Vec<Result<FileFooter, String>> {
    let results: Vec<Mutex<Option<Result<FileFooter, String>>>> =
        paths.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(2, std::num::NonZero::get)
        .min(paths.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(i) else { break };
                    let footer = read_footer(path);
                    *results[i]
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(footer);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .unwrap_or_else(|| Err("not read".to_owned()))
        })
        .collect()
}

/// One file's footer.
pub fn read_footer(path: &Path) -> Result<FileFooter, String> {
    let file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let metadata = ParquetMetaDataReader::new()
        .parse_and_finish(&file)
        .map_err(|e| e.to_string())?;
    FileFooter::of(&metadata)
}
