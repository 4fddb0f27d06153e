//! The storage's side of a table: every object under its location, grouped by partition folder,
//! with the footer of each data file once the source has read it.

use std::collections::{BTreeMap, HashMap};

use parquet::arrow::parquet_to_arrow_schema;
use parquet::file::metadata::ParquetMetaData;
use serde::Serialize;

use crate::backend::local::athena_type_name;

/// What an object is to a reader of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    /// Read by every engine: a name without a leading `.` or `_`, Parquet by its name (or with
    /// no extension, as some writers leave them).
    Data,
    /// Read by Athena (every object not hidden is) but not Parquet by its name: JSON, CSV,
    /// a `.tmp` left by a writer.
    Stray,
    /// Hidden from Athena and Hive by a leading `.` or `_` (`_SUCCESS`, a writer's temp file).
    Hidden,
    /// A zero-byte folder marker (`key/`, `key_$folder$`).
    Marker,
}

/// One object under the table's location.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredObject {
    /// The key relative to the table's location (`year=2023/month=03/day=14/a.parquet`).
    pub key: String,
    pub size: u64,
    /// The store's version tag (S3 `ETag`), when it has one.
    pub etag: Option<String>,
    pub kind: ObjectKind,
    /// The footer, once read: `Err` says why it does not read.
    pub footer: Option<Result<FileFooter, String>>,
}

impl StoredObject {
    /// Rows in the file, when its footer read.
    pub fn rows(&self) -> Option<u64> {
        match &self.footer {
            Some(Ok(footer)) => Some(footer.rows),
            _ => None,
        }
    }

    /// The file name, the last part of the key.
    pub fn name(&self) -> &str {
        self.key.rsplit('/').next().unwrap_or(&self.key)
    }
}

/// What a Parquet footer says about its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFooter {
    /// Top-level columns as (name, Athena type), in file order.
    pub columns: Vec<(String, String)>,
    pub rows: u64,
    pub row_groups: u64,
}

impl FileFooter {
    /// The summary of a decoded footer; `Err` when its schema does not map to Arrow.
    pub fn of(metadata: &ParquetMetaData) -> Result<Self, String> {
        let file = metadata.file_metadata();
        let schema = parquet_to_arrow_schema(file.schema_descr(), file.key_value_metadata())
            .map_err(|e| format!("unreadable schema: {e}"))?;
        Ok(Self {
            columns: schema
                .fields()
                .iter()
                .map(|f| (f.name().clone(), athena_type_name(f.data_type())))
                .collect(),
            rows: file.num_rows().max(0) as u64,
            row_groups: metadata.num_row_groups() as u64,
        })
    }
}

/// One partition folder and the objects in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPartition {
    pub values: Vec<String>,
    /// `year=2023/month=03/day=14`.
    pub path: String,
    /// Indexes into [`Inventory::objects`].
    pub objects: Vec<usize>,
}

/// Every object under a table's location, by partition.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// The table's location, ending in `/`.
    pub location: String,
    pub keys: Vec<String>,
    pub objects: Vec<StoredObject>,
    /// Partitions in key order (a folder holding only hidden files or markers included).
    pub partitions: Vec<StoredPartition>,
    /// Objects not at partition depth (above the partition folders, or under folders that are
    /// not `key=value` of the table's keys).
    pub outside: Vec<usize>,
    /// Folders with nothing in them at all (only a filesystem has these).
    pub empty_folders: Vec<String>,
}

impl Inventory {
    /// Groups a listing (key relative to `location`, size, tag) by the table's partition keys.
    pub fn from_listing(
        location: &str,
        keys: &[String],
        listing: Vec<(String, u64, Option<String>)>,
        empty_folders: Vec<String>,
    ) -> Self {
        Self::with_relocated(location, keys, listing, empty_folders, &[])
    }

    /// [`Inventory::from_listing`], with partitions the catalog keeps away from their
    /// `key=value` folder (a compaction's new prefix): `(folder relative to the location,
    /// values)`. Their objects group under those values, whatever the folder is called.
    pub fn with_relocated(
        location: &str,
        keys: &[String],
        listing: Vec<(String, u64, Option<String>)>,
        empty_folders: Vec<String>,
        relocated: &[(String, Vec<String>)],
    ) -> Self {
        // By folder, so each object costs one lookup however many partitions moved.
        let relocated: HashMap<&str, &Vec<String>> = relocated
            .iter()
            .map(|(folder, values)| (folder.trim_end_matches('/'), values))
            .collect();
        let mut objects = Vec::with_capacity(listing.len());
        let mut partitions: BTreeMap<String, StoredPartition> = BTreeMap::new();
        let mut outside = Vec::new();
        for (key, size, etag) in listing {
            let index = objects.len();
            let parts: Vec<&str> = key.split('/').collect();
            let folders = &parts[..parts.len() - 1];
            let moved = key
                .rsplit_once('/')
                .and_then(|(folder, _)| relocated.get(folder).copied());
            let kind = match moved {
                // Only the name counts: the folder is the catalog's choice.
                Some(_) => kind_of(parts[parts.len() - 1], size),
                None => kind_of(&key, size),
            };
            let values: Option<Vec<String>> = if let Some(values) = moved {
                Some(values.clone())
            } else {
                (folders.len() == keys.len())
                    .then(|| {
                        folders
                            .iter()
                            .zip(keys)
                            .map(|(folder, key)| {
                                let (k, v) = folder.split_once('=')?;
                                k.eq_ignore_ascii_case(key).then(|| v.to_owned())
                            })
                            .collect()
                    })
                    .flatten()
            };
            match values {
                Some(values) if !keys.is_empty() => {
                    let path = folders.join("/");
                    partitions
                        .entry(path.clone())
                        .or_insert_with(|| StoredPartition {
                            values,
                            path,
                            objects: Vec::new(),
                        })
                        .objects
                        .push(index);
                }
                _ if keys.is_empty() && folders.is_empty() => {}
                // A marker for a partition folder itself (`year=2023/month=03/day=14/`).
                _ if kind == ObjectKind::Marker => {}
                _ => outside.push(index),
            }
            objects.push(StoredObject {
                key,
                size,
                etag,
                kind,
                footer: None,
            });
        }
        Self {
            location: super::folder(location),
            keys: keys.to_vec(),
            objects,
            partitions: partitions.into_values().collect(),
            outside,
            empty_folders,
        }
    }

    /// Objects whose footers are worth reading: data files, and stray files that might be
    /// Parquet after all are left alone (their names say they are not).
    pub fn footer_candidates(&self) -> Vec<usize> {
        self.objects
            .iter()
            .enumerate()
            .filter(|(_, o)| o.kind == ObjectKind::Data)
            .map(|(i, _)| i)
            .collect()
    }

    /// Data files (Parquet by name) anywhere under the location.
    pub fn data_files(&self) -> impl Iterator<Item = &StoredObject> {
        self.objects.iter().filter(|o| o.kind == ObjectKind::Data)
    }

    /// How many objects the listing held.
    pub fn object_count(&self) -> u64 {
        self.objects.len() as u64
    }

    /// The data files of one partition.
    pub fn partition_data<'a>(
        &'a self,
        partition: &'a StoredPartition,
    ) -> impl Iterator<Item = &'a StoredObject> + 'a {
        partition
            .objects
            .iter()
            .map(|&i| &self.objects[i])
            .filter(|o| o.kind == ObjectKind::Data)
    }

    /// Rows per partition: the sum of its data files' footer row counts.
    pub fn partition_rows(&self) -> Vec<(Vec<String>, u64)> {
        self.partitions
            .iter()
            .map(|p| {
                let rows = self.partition_data(p).filter_map(StoredObject::rows).sum();
                (p.values.clone(), rows)
            })
            .collect()
    }

    /// The full location of an object.
    pub fn location_of(&self, object: &StoredObject) -> String {
        format!("{}{}", self.location, object.key)
    }
}

/// Classifies an object by its name and size, as Athena and Hive treat them.
fn kind_of(key: &str, size: u64) -> ObjectKind {
    if key.ends_with('/') || key.ends_with("_$folder$") {
        return ObjectKind::Marker;
    }
    let name = key.rsplit('/').next().unwrap_or(key);
    let hidden_folder = key
        .split('/')
        .rev()
        .skip(1)
        .any(|part| part.starts_with('.') || part.starts_with('_'));
    if name.starts_with('.') || name.starts_with('_') || hidden_folder {
        return ObjectKind::Hidden;
    }
    if size == 0 {
        return ObjectKind::Marker;
    }
    match name.rsplit_once('.') {
        None => ObjectKind::Data,
        Some((_, extension)) if extension.eq_ignore_ascii_case("parquet") => ObjectKind::Data,
        // Firehose names objects `stream-1-2023-03-14-10-00-00-uuid` and some writers add
        // a compression suffix before `.parquet`; a last part with a dash is not an extension.
        Some((_, extension)) if extension.contains('-') => ObjectKind::Data,
        Some(_) => ObjectKind::Stray,
    }
}
