//! Reading a folder of Hive-partitioned Parquet: which folders are databases and tables, what
//! the partition keys are, and what is wrong with a messy layout.
//!
//! Everything here is synchronous filesystem work; the async catalog runs it on blocking threads.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

use datafusion::arrow::datatypes::SchemaRef;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use crate::backend::{CatalogError, Partition, TableTotals};
use crate::lake::file_size;

/// The database that holds tables sitting directly in the lake folder.
pub const DEFAULT_DATABASE: &str = "default";

/// How many examples of one kind of problem are named before the rest are only counted.
const EXAMPLES_PER_PROBLEM: usize = 3;

/// Where each database and table of a lake lives.
#[derive(Debug, Clone, Default)]
pub struct LakeLayout {
    /// Database name → table name → table folder.
    pub databases: BTreeMap<String, BTreeMap<String, PathBuf>>,
}

/// Lists databases and tables. Cheap: it reads the first two folder levels only.
pub fn discover_layout(root: &Path) -> Result<LakeLayout, CatalogError> {
    let metadata = fs::metadata(root).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => CatalogError::LakeMissing(root.to_path_buf()),
        _ => CatalogError::Io {
            path: root.to_path_buf(),
            source,
        },
    })?;
    if !metadata.is_dir() {
        return Err(CatalogError::LakeNotADirectory(root.to_path_buf()));
    }
    let mut layout = LakeLayout::default();
    for dir in visible_subdirs(root)? {
        let name = file_name(&dir);
        if looks_like_table(&dir) {
            layout
                .databases
                .entry(DEFAULT_DATABASE.to_owned())
                .or_default()
                .insert(name, dir);
        } else {
            let tables = layout.databases.entry(name).or_default();
            for table_dir in visible_subdirs(&dir)? {
                tables.insert(file_name(&table_dir), table_dir);
            }
        }
    }
    Ok(layout)
}

/// What a quick look at a table folder finds: enough to register it with the engine.
#[derive(Debug, Clone)]
pub struct TableProbe {
    pub partition_keys: Vec<String>,
    pub schema: SchemaRef,
    /// Problems met on the way (e.g. a corrupt first file that was skipped).
    pub problems: Vec<String>,
}

/// Folders a probe may open looking for a footer that reads before it gives up.
const PROBE_FOLDER_LIMIT: usize = 10_000;

/// Finds the schema from the first Parquet footer that reads, depth first through the
/// partition folders in order, and the partition keys from the folders leading to it. Usually
/// touches a handful of entries; a first folder holding no Parquet (only a writer's hidden
/// temp file after a crash, say) or only corrupt files is passed over, not taken as the table's
/// shape. The newest file's footer (the last in order) is read too and merged in: a column a
/// producer added since shows up (older files read it as NULL), and a column widened since
/// (int to bigint) takes the wider type.
pub fn probe_table(dir: &Path) -> Result<TableProbe, String> {
    let mut probe = Probe::default();
    let mut keys = Vec::new();
    match probe.visit(dir, &mut keys) {
        Some(schema) => {
            let mut newest = Probe {
                newest_first: true,
                ..Probe::default()
            };
            let schema = match newest.visit(dir, &mut Vec::new()) {
                Some(last) => merge_newer(&schema, &last),
                None => schema,
            };
            Ok(TableProbe {
                partition_keys: keys,
                schema,
                problems: probe.problems,
            })
        }
        None if probe.problems.is_empty() => Err("holds no Parquet files".to_owned()),
        None => Err(probe.problems.join("; ")),
    }
}

/// `older` with the columns only `newer` has appended (nullable: older files lack them) and
/// the columns `newer` widened taken from it.
fn merge_newer(older: &SchemaRef, newer: &SchemaRef) -> SchemaRef {
    use crate::doctor::{Compatibility, compatibility};
    use datafusion::arrow::datatypes::{Field, Schema};
    let type_of = |f: &Field| super::athena_type_name(f.data_type());
    let mut fields: Vec<Field> = older
        .fields()
        .iter()
        .map(|field| match newer.field_with_name(field.name()) {
            Ok(wider)
                if compatibility(&type_of(field), &type_of(wider)) == Compatibility::Widening =>
            {
                wider.clone().with_nullable(true)
            }
            _ => Field::clone(field),
        })
        .collect();
    for field in newer.fields() {
        if older.field_with_name(field.name()).is_err() {
            fields.push(Field::clone(field).with_nullable(true));
        }
    }
    std::sync::Arc::new(Schema::new_with_metadata(fields, older.metadata().clone()))
}

#[derive(Default)]
struct Probe {
    problems: Vec<String>,
    folders: usize,
    /// Walk folders and files in reverse order: the newest file first.
    newest_first: bool,
}

impl Probe {
    /// The schema of the first readable footer at or below `dir`, with `keys` extended by the
    /// partition keys of the folders down to it.
    fn visit(&mut self, dir: &Path, keys: &mut Vec<String>) -> Option<SchemaRef> {
        self.folders += 1;
        if self.folders > PROBE_FOLDER_LIMIT {
            return None;
        }
        let (mut files, mut subdirs) = match list_entries(dir) {
            Ok(entries) => entries,
            Err(e) => {
                self.problems
                    .push(format!("cannot list {}: {e}", dir.display()));
                return None;
            }
        };
        if self.newest_first {
            files.reverse();
            subdirs.reverse();
        }
        for file in files.iter().filter(|p| is_parquet(p)) {
            match read_schema(file) {
                Ok(schema) => return Some(schema),
                Err(e) => self.problems.push(e),
            }
        }
        for subdir in &subdirs {
            let Some((key, _)) = parse_partition_dir(subdir) else {
                continue;
            };
            keys.push(key);
            if let Some(schema) = self.visit(subdir, keys) {
                return Some(schema);
            }
            keys.pop();
        }
        None
    }
}

/// The Arrow schema stored in a Parquet footer.
pub fn read_schema(file: &Path) -> Result<SchemaRef, String> {
    let handle = File::open(file).map_err(|e| format!("cannot open {}: {e}", file.display()))?;
    ParquetRecordBatchReaderBuilder::try_new(handle)
        .map(|b| b.schema().clone())
        .map_err(|e| format!("corrupt Parquet footer in {}: {e}", file.display()))
}

/// The result of walking a whole table folder.
#[derive(Debug, Clone, Default)]
pub struct TableScan {
    pub partition_keys: Vec<String>,
    pub totals: TableTotals,
    pub problems: Vec<String>,
}

/// Walks every folder of a table: counts partitions, files and bytes and collects layout
/// problems (mixed keys, stray files, empty folders). Never fails: problems are reported.
pub fn scan_table(dir: &Path, expected_keys: &[String]) -> TableScan {
    let mut walk = Walk {
        keys: expected_keys.to_vec(),
        ..Walk::default()
    };
    walk.visit(dir, 0);
    let mut problems = walk.problems.into_report();
    if walk.totals.files == 0 && problems.is_empty() {
        problems.push("holds no Parquet files".to_owned());
    }
    TableScan {
        partition_keys: walk.keys,
        totals: walk.totals,
        problems,
    }
}

#[derive(Default)]
struct Walk {
    keys: Vec<String>,
    totals: TableTotals,
    problems: ProblemLog,
}

impl Walk {
    fn visit(&mut self, dir: &Path, depth: usize) {
        let (files, subdirs) = match list_entries(dir) {
            Ok(entries) => entries,
            Err(e) => return self.problems.add("unreadable folders", e.to_string()),
        };
        let mut parquet_files = 0;
        let mut parquet_bytes = 0;
        for file in &files {
            if is_parquet(file) {
                parquet_files += 1;
                parquet_bytes += file_size(file);
            } else {
                self.problems
                    .add("non-Parquet files ignored", file.display().to_string());
            }
        }
        if parquet_files > 0 {
            if depth < self.keys.len() {
                self.problems.add(
                    "Parquet files above the partition folders (not readable as partitions)",
                    dir.display().to_string(),
                );
            } else {
                self.totals.files += parquet_files;
                self.totals.bytes += parquet_bytes;
                if !self.keys.is_empty() {
                    self.totals.partitions += 1;
                }
            }
        }
        if subdirs.is_empty() && parquet_files == 0 && files.is_empty() && depth > 0 {
            self.problems
                .add("empty folders", dir.display().to_string());
        }
        for sub in subdirs {
            let Some((key, _)) = parse_partition_dir(&sub) else {
                self.problems.add(
                    "folders that are not key=value partitions ignored",
                    sub.display().to_string(),
                );
                continue;
            };
            match self.keys.get(depth) {
                Some(expected) if *expected == key => self.visit(&sub, depth + 1),
                Some(expected) => self.problems.add(
                    "mixed partition keys (folder skipped)",
                    format!("{} (expected {expected}=…)", sub.display()),
                ),
                None if parquet_files > 0 => self.problems.add(
                    "partition folders mixed with data files (folder skipped)",
                    sub.display().to_string(),
                ),
                None => {
                    self.keys.push(key);
                    self.visit(&sub, depth + 1);
                }
            }
        }
    }
}

/// Problems grouped by kind, with a few examples each, so a huge messy tree gives a short report.
#[derive(Default)]
struct ProblemLog {
    kinds: BTreeMap<&'static str, (usize, Vec<String>)>,
}

impl ProblemLog {
    fn add(&mut self, kind: &'static str, example: String) {
        let (count, examples) = self.kinds.entry(kind).or_default();
        *count += 1;
        if examples.len() < EXAMPLES_PER_PROBLEM {
            examples.push(example);
        }
    }

    fn into_report(self) -> Vec<String> {
        self.kinds
            .into_iter()
            .map(|(kind, (count, examples))| {
                let more = count - examples.len();
                let tail = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                format!("{count} {kind}: {}{tail}", examples.join(", "))
            })
            .collect()
    }
}

/// One page of partitions in key order, resuming after `after` (a relative partition path).
pub fn list_partitions(
    dir: &Path,
    keys: &[String],
    prefix: &[String],
    after: Option<&str>,
    page_size: usize,
) -> Result<(Vec<Partition>, Option<String>), CatalogError> {
    let after: Vec<String> = after
        .map(|token| token.split('/').map(str::to_owned).collect())
        .unwrap_or_default();
    if !after.is_empty() && after.len() != keys.len() {
        return Err(CatalogError::BadPageToken(after.join("/")));
    }
    let mut pager = Pager {
        keys,
        prefix,
        page_size,
        found: Vec::new(),
    };
    pager.visit(dir, 0, &after, &mut Vec::new())?;
    let more = pager.found.len() > page_size;
    pager.found.truncate(page_size);
    let next = if more {
        pager.found.last().map(|p| relative_path(keys, &p.values))
    } else {
        None
    };
    Ok((pager.found, next))
}

struct Pager<'a> {
    keys: &'a [String],
    prefix: &'a [String],
    page_size: usize,
    found: Vec<Partition>,
}

impl Pager<'_> {
    /// Depth-first over sorted folders; `after` holds the components still to skip past.
    fn visit(
        &mut self,
        dir: &Path,
        depth: usize,
        after: &[String],
        values: &mut Vec<String>,
    ) -> Result<(), CatalogError> {
        if self.found.len() > self.page_size {
            return Ok(());
        }
        let (files, subdirs) = list_entries(dir).map_err(|source| CatalogError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        if depth == self.keys.len() {
            let parquet: Vec<&PathBuf> = files.iter().filter(|f| is_parquet(f)).collect();
            if !parquet.is_empty() {
                let bytes = parquet.iter().map(|f| file_size(f)).sum();
                self.found.push(Partition {
                    values: values.clone(),
                    location: format!("{}/", dir.display()),
                    files: Some(parquet.len() as u64),
                    bytes: Some(bytes),
                    projected: false,
                });
            }
            return Ok(());
        }
        let key = &self.keys[depth];
        let wanted = self.prefix.get(depth);
        for sub in subdirs {
            let Some((sub_key, value)) = parse_partition_dir(&sub) else {
                continue;
            };
            if sub_key != *key || wanted.is_some_and(|w| *w != value) {
                continue;
            }
            let component = format!("{key}={value}");
            let rest = match after.first() {
                Some(skip) if component < *skip => continue,
                // The last component equal to the token's is the partition already returned.
                Some(skip) if component == *skip && after.len() == 1 => continue,
                Some(skip) if component == *skip => &after[1..],
                _ => &[],
            };
            values.push(value);
            self.visit(&sub, depth + 1, rest, values)?;
            values.pop();
            if self.found.len() > self.page_size {
                break;
            }
        }
        Ok(())
    }
}

/// `year=2023/month=09/day=08` for the given values.
pub fn relative_path(keys: &[String], values: &[String]) -> String {
    keys.iter()
        .zip(values)
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("/")
}

/// `("year", "2023")` for a folder named `year=2023`.
pub fn parse_partition_dir(dir: &Path) -> Option<(String, String)> {
    let name = dir.file_name()?.to_str()?;
    let (key, value) = name.split_once('=')?;
    (!key.is_empty()).then(|| (key.to_owned(), value.to_owned()))
}

/// Data files are named `*.parquet`; files being written carry another suffix until renamed.
pub fn is_parquet(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

fn looks_like_table(dir: &Path) -> bool {
    let Ok((files, subdirs)) = list_entries(dir) else {
        return false;
    };
    files.iter().any(|f| is_parquet(f)) || subdirs.iter().any(|d| parse_partition_dir(d).is_some())
}

fn visible_subdirs(dir: &Path) -> Result<Vec<PathBuf>, CatalogError> {
    list_entries(dir)
        .map(|(_, dirs)| dirs)
        .map_err(|source| CatalogError::Io {
            path: dir.to_path_buf(),
            source,
        })
}

/// Sorted files and folders of `dir`, leaving out hidden and bookkeeping entries (`.x`, `_x`)
/// that Spark, Hive and Firehose leave behind.
pub fn list_entries(dir: &Path) -> std::io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || name.starts_with('_') {
            continue;
        }
        if entry.file_type()?.is_dir() {
            dirs.push(entry.path());
        } else {
            files.push(entry.path());
        }
    }
    files.sort();
    dirs.sort();
    Ok((files, dirs))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
