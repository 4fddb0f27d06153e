//! A partition range of a catalog table copied from S3 into the cache lake under the same
//! database and table names, so the same SQL runs locally unchanged.
//!
//! The plan comes first (partitions matched by a condition on the keys, every object listed
//! with its size and `ETag`: the size estimate), then the copy: objects fetched several at a time,
//! each written to a hidden temporary file, fsynced and renamed to a name fixed by its source,
//! and recorded in an append-only log. A copy killed at any point resumes by skipping what the
//! log holds with the same `ETag` and size: nothing is fetched twice, nothing duplicated. The
//! header (`.quarry-copy.json`) also keeps the source's partitions at copy time, which is what
//! tells a later query whether the copy covers it.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use futures::stream::{self, StreamExt, TryStreamExt};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};
use serde::{Deserialize, Serialize};

use super::CacheLake;
use crate::backend::local::ObjectStoreFactory;
use crate::backend::{Catalog, Column, PartitionFilter, TableName};

/// Header of a copied table: where it came from and which partitions the source had.
pub const COPY_HEADER: &str = ".quarry-copy.json";
/// Log of copied objects, one JSON line each.
pub const COPY_LOG: &str = ".quarry-copied.jsonl";
/// Temporary files being written end with this; they are removed when a copy starts again.
const PART_SUFFIX: &str = ".quarry-part";
/// Listings and downloads in flight at once.
const IN_FLIGHT: usize = 8;
/// Partitions asked of the catalog per page.
const PARTITION_PAGE: usize = 1000;

/// One object to copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceObject {
    /// `s3://bucket/key`.
    pub url: String,
    pub size: u64,
    pub etag: Option<String>,
    /// Where it goes, relative to the copied table's folder (`year=2023/month=03/x.parquet`).
    pub local: String,
}

/// What a copy will do, before it does it.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyPlan {
    pub table: TableName,
    pub keys: Vec<Column>,
    /// The condition on the partition keys, as given.
    pub condition: String,
    /// Every partition the source has (values), matched or not.
    pub source_partitions: Vec<Vec<String>>,
    /// The partitions matched.
    pub matched: Vec<Vec<String>>,
    pub objects: Vec<SourceObject>,
}

impl CopyPlan {
    /// Bytes of every object matched.
    pub fn bytes(&self) -> u64 {
        self.objects.iter().map(|o| o.size).sum()
    }
}

/// The header written beside a copied table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CopyHeader {
    pub table: String,
    pub condition: String,
    /// Partition keys as (name, catalog type).
    pub keys: Vec<(String, String)>,
    pub source_partitions: Vec<Vec<String>>,
    pub copied_partitions: Vec<Vec<String>>,
    /// RFC 3339, when the copy (or its last refresh) started.
    pub started_at: String,
}

/// How far a copy got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CopyProgress {
    pub files_done: u64,
    pub files_total: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
    /// Files already here from an earlier (interrupted) run, not fetched again.
    pub files_skipped: u64,
}

/// What a finished copy did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyReport {
    pub progress: CopyProgress,
    /// Local files whose object is gone (or changed name) and were removed.
    pub removed: u64,
    /// Tables evicted to keep the cache within its budget.
    pub evicted: Vec<super::budget::Evicted>,
}

/// Objects of the copy that differ from the source now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Staleness {
    /// Same place, other `ETag` or size.
    pub changed: Vec<String>,
    /// In the source, not copied.
    pub added: Vec<String>,
    /// Copied, gone from the source.
    pub removed: Vec<String>,
    /// Partitions the condition matches now that the copy lacks.
    pub new_partitions: Vec<Vec<String>>,
}

impl Staleness {
    /// True when the copy matches the source.
    pub fn is_fresh(&self) -> bool {
        self.changed.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.new_partitions.is_empty()
    }
}

/// Why a copy could not be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The request cannot be a copy (no partitions, a condition on no partition key): the
    /// user's to change.
    #[error("{0}")]
    Request(String),
    /// The catalog or S3 failed.
    #[error("{0}")]
    Source(String),
}

/// Plans copying the partitions of `table` that `condition` (SQL on its partition keys, e.g.
/// `year = '2023' AND month = '03'`) matches: lists them in the catalog and their objects.
pub async fn plan_copy(
    catalog: &dyn Catalog,
    stores: &dyn ObjectStoreFactory,
    table: &TableName,
    condition: &str,
) -> Result<CopyPlan, PlanError> {
    let info = catalog
        .table(table)
        .await
        .map_err(|e| PlanError::Source(e.to_string()))?;
    if info.partition_keys.is_empty() {
        return Err(PlanError::Request(format!(
            "{table} has no partitions to choose from: keep a query's result instead \
             (`quarry query --save-as`)"
        )));
    }
    let pred =
        condition_on_keys(table, &info.partition_keys, condition).map_err(PlanError::Request)?;
    let mut source_partitions = Vec::new();
    let mut matched = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = catalog
            .partitions(
                table,
                &PartitionFilter::default(),
                token.as_deref(),
                PARTITION_PAGE,
            )
            .await
            .map_err(|e| PlanError::Source(e.to_string()))?;
        for partition in page.partitions {
            if pred.may_match(&partition.values) {
                matched.push((partition.values.clone(), partition.location.clone()));
            }
            source_partitions.push(partition.values);
        }
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    let keys = info.partition_keys.clone();
    let listed: Vec<Vec<SourceObject>> = stream::iter(matched.iter().cloned())
        .map(|(values, location)| {
            let keys = keys.clone();
            async move { list_partition(stores, &keys, &values, &location).await }
        })
        .buffered(IN_FLIGHT)
        .try_collect()
        .await
        .map_err(PlanError::Source)?;
    Ok(CopyPlan {
        table: table.clone(),
        keys: info.partition_keys,
        condition: condition.to_owned(),
        source_partitions,
        matched: matched.into_iter().map(|(values, _)| values).collect(),
        objects: listed.into_iter().flatten().collect(),
    })
}

/// The condition as a predicate on partition values, read the way the estimate reads a query.
fn condition_on_keys(
    table: &TableName,
    keys: &[Column],
    condition: &str,
) -> Result<quarry_sql::analyze::KeyPred, String> {
    let sql = format!("SELECT * FROM {table} WHERE {condition}");
    let analysis = quarry_sql::analyze::analyze(&sql);
    let table_use = analysis
        .first()
        .and_then(|a| a.tables.first())
        .ok_or_else(|| format!("`{condition}` is not a condition quarry can read"))?;
    let keys: Vec<quarry_sql::analyze::PartitionKey> = keys
        .iter()
        .map(|k| quarry_sql::analyze::PartitionKey::new(&k.name, &k.data_type))
        .collect();
    let (pred, _) = table_use.partition_filter(&keys);
    if !pred.restricts() && !condition.trim().eq_ignore_ascii_case("true") {
        return Err(format!(
            "`{condition}` restricts no partition key of {table} ({}); say `true` to copy every \
             partition",
            keys.iter()
                .map(|k| k.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(pred)
}

async fn list_partition(
    stores: &dyn ObjectStoreFactory,
    keys: &[Column],
    values: &[String],
    location: &str,
) -> Result<Vec<SourceObject>, String> {
    let (bucket, prefix) = split_s3(location)?;
    let store = stores.store_for(&bucket)?;
    let folder = crate::doctor::partition_path(keys, values);
    let listed: Vec<object_store::ObjectMeta> = store
        .list(Some(&ObjectPath::from(prefix.as_str())))
        .try_collect()
        .await
        .map_err(|e| format!("listing {location}: {e}"))?;
    let mut objects: Vec<SourceObject> = listed
        .into_iter()
        .filter(|meta| {
            let name = meta.location.filename().unwrap_or_default();
            // Only the partition's own files: hidden and `_` files (markers, staging) and
            // sub-folders are not its data, as Athena reads it.
            meta.size > 0
                && !name.starts_with('.')
                && !name.starts_with('_')
                && !name.ends_with("$folder$")
                && meta.location.as_ref().len() > prefix.len()
                && !meta.location.as_ref()[prefix.len()..]
                    .trim_start_matches('/')
                    .contains('/')
        })
        .map(|meta| {
            let name = meta.location.filename().unwrap_or_default().to_owned();
            // The local engine reads `*.parquet`; Firehose names objects without an extension.
            let local_name = if name.ends_with(".parquet") {
                name
            } else {
                format!("{name}.parquet")
            };
            SourceObject {
                url: format!("s3://{bucket}/{}", meta.location),
                size: meta.size,
                etag: meta.e_tag,
                local: format!("{folder}/{local_name}"),
            }
        })
        .collect();
    objects.sort_by(|a, b| a.local.cmp(&b.local));
    Ok(objects)
}

fn split_s3(location: &str) -> Result<(String, String), String> {
    let rest = ["s3://", "s3a://", "s3n://"]
        .iter()
        .find_map(|scheme| location.strip_prefix(scheme))
        .ok_or_else(|| format!("{location} is not on S3: only S3 partitions can be copied"))?;
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    Ok((bucket.to_owned(), key.trim_end_matches('/').to_owned()))
}

/// Runs `plan` into the cache lake: fetches what is not there yet, removes local files whose
/// object is gone, and reports progress after each file. Dropping the future interrupts it; the
/// next run resumes.
pub async fn run_copy(
    plan: &CopyPlan,
    stores: &dyn ObjectStoreFactory,
    cache: &CacheLake,
    progress: &(dyn Fn(CopyProgress) + Sync),
) -> Result<CopyReport, String> {
    let folder = cache.table_folder(&plan.table);
    fs::create_dir_all(&folder).map_err(|e| e.to_string())?;
    remove_leftovers(&folder);
    let copied = copied_objects(&folder);
    write_header(&folder, plan).map_err(|e| format!("{}: {e}", folder.display()))?;

    let wanted: BTreeSet<&str> = plan.objects.iter().map(|o| o.local.as_str()).collect();
    let mut removed = 0;
    for (local, _) in copied
        .iter()
        .filter(|(local, _)| !wanted.contains(local.as_str()))
    {
        if fs::remove_file(folder.join(local)).is_ok() {
            removed += 1;
        }
    }
    let (here, to_fetch): (Vec<&SourceObject>, Vec<&SourceObject>) =
        plan.objects.iter().partition(|object| {
            copied.get(&object.local).is_some_and(|before| {
                before.etag == object.etag
                    && before.size == object.size
                    && crate::lake::file_size(&folder.join(&object.local)) == object.size
            })
        });
    let mut state = CopyProgress {
        files_total: plan.objects.len() as u64,
        bytes_total: plan.bytes(),
        files_skipped: here.len() as u64,
        files_done: here.len() as u64,
        bytes_done: here.iter().map(|o| o.size).sum(),
    };
    progress(state);
    // Owned objects: the futures borrow nothing from the plan, so a copy can run in a task.
    let owned: Vec<SourceObject> = to_fetch.into_iter().cloned().collect();
    let mut fetches = stream::iter(owned)
        .map(|object| {
            let folder = folder.clone();
            async move { fetch(stores, &object, &folder).await.map(|()| object) }
        })
        .buffer_unordered(IN_FLIGHT);
    while let Some(done) = fetches.next().await {
        let object = done?;
        crate::jsonl::append(&folder.join(COPY_LOG), &object).map_err(|e| e.to_string())?;
        state.files_done += 1;
        state.bytes_done += object.size;
        progress(state);
    }
    Ok(CopyReport {
        progress: state,
        removed,
        evicted: Vec::new(),
    })
}

/// One object to its local file: temporary name, fsync, rename, folder fsync.
async fn fetch(
    stores: &dyn ObjectStoreFactory,
    object: &SourceObject,
    folder: &Path,
) -> Result<(), String> {
    let (bucket, key) = split_s3(&object.url)?;
    let store: Arc<dyn ObjectStore> = stores.store_for(&bucket)?;
    let mut body = store
        .get(&ObjectPath::from(key.as_str()))
        .await
        .map_err(|e| format!("reading {}: {e}", object.url))?
        .into_stream();
    let target = folder.join(&object.local);
    let parent = target.parent().map(Path::to_path_buf).unwrap_or_default();
    fs::create_dir_all(&parent).map_err(|e| e.to_string())?;
    let temp = parent.join(format!(
        ".{}{PART_SUFFIX}",
        target.file_name().unwrap_or_default().to_string_lossy()
    ));
    let mut file = fs::File::create(&temp).map_err(|e| e.to_string())?;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| format!("reading {}: {e}", object.url))?;
        file.write_all(&chunk).map_err(|e| e.to_string())?;
    }
    file.sync_all().map_err(|e| e.to_string())?;
    drop(file);
    fs::rename(&temp, &target).map_err(|e| e.to_string())?;
    if let Ok(dir) = fs::File::open(&parent) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Temporary files an interrupted copy left.
fn remove_leftovers(folder: &Path) {
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(PART_SUFFIX) {
                let _ = fs::remove_file(path);
            }
        }
    }
}

/// The objects the log says were copied (the last line per local file wins).
pub fn copied_objects(folder: &Path) -> BTreeMap<String, SourceObject> {
    crate::jsonl::read_all::<SourceObject>(&folder.join(COPY_LOG))
        .unwrap_or_default()
        .into_iter()
        .map(|object| (object.local.clone(), object))
        .collect()
}

/// The header of a copied table, when `folder` holds one.
pub fn copy_header(folder: &Path) -> Option<CopyHeader> {
    serde_json::from_slice(&fs::read(folder.join(COPY_HEADER)).ok()?).ok()
}

fn write_header(folder: &Path, plan: &CopyPlan) -> io::Result<()> {
    let header = CopyHeader {
        table: plan.table.to_string(),
        condition: plan.condition.clone(),
        keys: plan
            .keys
            .iter()
            .map(|k| (k.name.clone(), k.data_type.clone()))
            .collect(),
        source_partitions: plan.source_partitions.clone(),
        copied_partitions: plan.matched.clone(),
        started_at: chrono::Local::now().to_rfc3339(),
    };
    let temp = folder.join(format!("{COPY_HEADER}{PART_SUFFIX}"));
    fs::write(
        &temp,
        serde_json::to_vec_pretty(&header).map_err(io::Error::other)?,
    )?;
    fs::File::open(&temp)?.sync_all()?;
    fs::rename(&temp, folder.join(COPY_HEADER))
}

/// How the copy in `folder` differs from `plan` (a fresh plan with the same condition).
pub fn staleness(folder: &Path, plan: &CopyPlan) -> Staleness {
    let copied = copied_objects(folder);
    let header = copy_header(folder);
    let mut stale = Staleness::default();
    for object in &plan.objects {
        match copied.get(&object.local) {
            None => stale.added.push(object.url.clone()),
            Some(before) if before.etag != object.etag || before.size != object.size => {
                stale.changed.push(object.url.clone());
            }
            Some(_) => {}
        }
    }
    let wanted: BTreeSet<&str> = plan.objects.iter().map(|o| o.local.as_str()).collect();
    stale.removed = copied
        .values()
        .filter(|o| !wanted.contains(o.local.as_str()))
        .map(|o| o.url.clone())
        .collect();
    let had: BTreeSet<&Vec<String>> = header
        .as_ref()
        .map(|h| h.copied_partitions.iter().collect())
        .unwrap_or_default();
    stale.new_partitions = plan
        .matched
        .iter()
        .filter(|values| !had.contains(values))
        .cloned()
        .collect();
    stale
}

/// True when every partition of the source (as the copy saw it) that `pred` may match was
/// copied: a query with that condition reads the same data here as on the source.
pub fn covers(header: &CopyHeader, pred: &quarry_sql::analyze::KeyPred) -> bool {
    let copied: BTreeSet<&Vec<String>> = header.copied_partitions.iter().collect();
    header
        .source_partitions
        .iter()
        .filter(|values| pred.may_match(values))
        .all(|values| copied.contains(values))
}
