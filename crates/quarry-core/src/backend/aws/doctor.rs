//! The lake doctor on a Glue table: its partitions (with their own columns) from Glue, every
//! object under its location from S3 listings made concurrently per top-level partition
//! folder, and every data file's footer from ranged GETs, many in flight. Fixes the doctor
//! offers for the catalog are applied here with Glue's batch calls.

use std::sync::PoisonError;

use aws_sdk_glue::types::{PartitionInput, PartitionValueList, StorageDescriptor};
use futures::stream::{self, StreamExt, TryStreamExt};

use super::errors::describe;
use super::glue::{GLUE_MAX_PAGE, GlueCatalog, projection_of, service};
use super::s3::S3Location;
use crate::backend::{CatalogError, Column, TableInfo, TableName};
use crate::doctor::{
    CatalogView, FileFooter, FixAction, Inventory, PartitionSpec, Registered, RegisteredPartition,
    Report, diagnose,
};

/// Listings in flight at once (one per top-level partition folder).
const LISTINGS_IN_FLIGHT: usize = 8;
/// Footers read at once: each is one ranged GET (two for a big footer).
const FOOTERS_IN_FLIGHT: usize = 32;
/// Projected partitions enumerated at most to compare with storage.
const MAX_PROJECTED: u64 = 1_000_000;
/// Glue's `BatchCreatePartition` takes at most 100 partitions, `BatchDeletePartition` 25.
const CREATE_BATCH: usize = 100;
const DELETE_BATCH: usize = 25;

impl GlueCatalog {
    /// The doctor on one table, read fresh from Glue and S3.
    pub(super) async fn examine(&self, name: &TableName) -> Result<Report, CatalogError> {
        self.forget(name);
        // A compaction a kill left half-way is settled first, so what is examined is whole.
        for line in self.recover_compactions(name).await? {
            tracing::info!("{name}: {line}");
        }
        let (catalog, storage) = self.views(name).await?;
        Ok(diagnose(&catalog, &storage))
    }

    /// Rows per partition, from every footer (partitions a compaction moved included).
    pub(super) async fn partition_rows(
        &self,
        name: &TableName,
    ) -> Result<Vec<(Vec<String>, u64)>, CatalogError> {
        Ok(self.views(name).await?.1.partition_rows())
    }

    /// The catalog's view of a table and the storage's, footers read.
    async fn views(&self, name: &TableName) -> Result<(CatalogView, Inventory), CatalogError> {
        let info = self.table_info(name).await?;
        let registered = match projection_of(&info) {
            Ok(Some(projection)) => Registered::Projected {
                partitions: (projection.count() <= MAX_PROJECTED)
                    .then(|| (0..projection.count()).map(|i| projection.partition_at(i)).collect()),
                ranges: info
                    .properties
                    .iter()
                    .filter(|(k, _)| k.starts_with("projection.") && k.to_ascii_lowercase().ends_with(".range"))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            },
            Ok(None) if info.partition_keys.is_empty() => Registered::Folders,
            Ok(None) => Registered::Partitions(self.registered_partitions(name).await?),
            Err(e) => return Err(CatalogError::Service(format!("{name}: {e}"))),
        };
        // Partitions the catalog keeps under another folder of the table (a compaction's).
        let table_folder = crate::doctor::folder(&info.location);
        let relocated: Vec<(String, Vec<String>)> = match &registered {
            Registered::Partitions(list) => list
                .iter()
                .filter_map(|p| {
                    let folder = crate::doctor::folder(&p.location);
                    let relative = folder.strip_prefix(&table_folder)?.trim_end_matches('/');
                    (relative != crate::doctor::partition_path(&info.partition_keys, &p.values))
                        .then(|| (relative.to_owned(), p.values.clone()))
                })
                .collect(),
            _ => Vec::new(),
        };
        let storage = self.inventory(&info, &relocated).await?;
        Ok((
            CatalogView {
                table: TableInfo::clone(&info),
                registered,
            },
            storage,
        ))
    }

    /// Every partition Glue holds for the table, with its own columns.
    async fn registered_partitions(
        &self,
        name: &TableName,
    ) -> Result<Vec<RegisteredPartition>, CatalogError> {
        let mut pages = self
            .glue
            .get_partitions()
            .database_name(&name.database)
            .table_name(&name.name)
            .max_results(GLUE_MAX_PAGE as i32)
            .into_paginator()
            .send();
        let mut partitions = Vec::new();
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|e| service(&describe(&e, &format!("Glue GetPartitions on {name}"))))?;
            for partition in page.partitions() {
                let storage = partition.storage_descriptor();
                partitions.push(RegisteredPartition {
                    values: partition.values().to_vec(),
                    location: storage
                        .and_then(StorageDescriptor::location)
                        .unwrap_or_default()
                        .to_owned(),
                    columns: storage
                        .map(StorageDescriptor::columns)
                        .unwrap_or_default()
                        .iter()
                        .map(|c| Column {
                            name: c.name().to_owned(),
                            data_type: c.r#type().unwrap_or_default().to_owned(),
                            comment: None,
                            nullable: true,
                        })
                        .collect(),
                });
            }
        }
        Ok(partitions)
    }

    /// Every object under the table's location with the data files' footers read.
    async fn inventory(
        &self,
        info: &TableInfo,
        relocated: &[(String, Vec<String>)],
    ) -> Result<Inventory, CatalogError> {
        let location = S3Location::parse(&info.location).ok_or_else(|| {
            CatalogError::Service(format!(
                "{}: its location {} is not an s3:// address",
                info.name, info.location
            ))
        })?;
        let prefix = location.prefix();
        // One delimited listing finds the top-level folders; each is then listed whole, several
        // at once, instead of one long sequence of 1,000-key pages.
        let (mut objects, folders) = self.list(&location.bucket, &prefix, true).await?;
        let nested: Vec<Vec<(String, u64, Option<String>)>> = stream::iter(folders)
            .map(|folder| {
                let bucket = location.bucket.clone();
                async move { self.list(&bucket, &folder, false).await.map(|(o, _)| o) }
            })
            .buffer_unordered(LISTINGS_IN_FLIGHT)
            .try_collect()
            .await?;
        objects.extend(nested.into_iter().flatten());
        objects.sort();
        let listing = objects
            .into_iter()
            .filter_map(|(key, size, etag)| {
                let relative = key.strip_prefix(&prefix)?.to_owned();
                (!relative.is_empty()).then_some((relative, size, etag))
            })
            .collect();
        let keys: Vec<String> = info.partition_keys.iter().map(|k| k.name.clone()).collect();
        let mut storage = Inventory::with_relocated(
            &location.to_string(),
            &keys,
            listing,
            Vec::new(),
            relocated,
        );
        let candidates = storage.footer_candidates();
        let reads: Vec<(usize, String, u64)> = candidates
            .iter()
            .map(|&i| {
                let object = &storage.objects[i];
                (i, format!("{prefix}{}", object.key), object.size)
            })
            .collect();
        let footers: Vec<(usize, Result<FileFooter, String>)> = stream::iter(reads)
            .map(|(index, key, size)| {
                let bucket = location.bucket.clone();
                async move {
                    let footer = match self.read_metadata(&bucket, &key, size).await {
                        Ok(metadata) => FileFooter::of(&metadata),
                        Err(e) => Err(e.message),
                    };
                    (index, footer)
                }
            })
            .buffer_unordered(FOOTERS_IN_FLIGHT)
            .collect()
            .await;
        for (index, footer) in footers {
            storage.objects[index].footer = Some(footer);
        }
        Ok(storage)
    }

    /// Objects (key, size, `ETag`) under `prefix`, and with `delimited` the folders one level
    /// down instead of what is in them.
    pub(super) async fn list(
        &self,
        bucket: &str,
        prefix: &str,
        delimited: bool,
    ) -> Result<(Vec<(String, u64, Option<String>)>, Vec<String>), CatalogError> {
        let mut request = self.s3.list_objects_v2().bucket(bucket).prefix(prefix);
        if delimited {
            request = request.delimiter("/");
        }
        let mut pages = request.into_paginator().send();
        let (mut objects, mut folders) = (Vec::new(), Vec::new());
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                service(&describe(&e, &format!("S3 ListObjectsV2 on s3://{bucket}/{prefix}")))
            })?;
            for object in page.contents() {
                objects.push((
                    object.key().unwrap_or_default().to_owned(),
                    object.size().unwrap_or(0).max(0) as u64,
                    object.e_tag().map(str::to_owned),
                ));
            }
            folders.extend(
                page.common_prefixes()
                    .iter()
                    .filter_map(|p| p.prefix().map(str::to_owned)),
            );
        }
        Ok((objects, folders))
    }

    /// Applies a doctor's fix with Glue's batch calls.
    pub(super) async fn apply(
        &self,
        name: &TableName,
        action: &FixAction,
    ) -> Result<String, CatalogError> {
        let result = match action {
            FixAction::AddPartitions { partitions } => self.create(name, partitions).await?,
            FixAction::DropPartitions { partitions } => self.delete(name, partitions).await?,
            FixAction::ReregisterPartitions { partitions } => {
                self.delete(name, partitions).await?;
                self.create(name, partitions).await?
            }
        };
        self.forget(name);
        Ok(result)
    }

    /// `BatchCreatePartition` with the table's storage descriptor at each partition's location.
    async fn create(
        &self,
        name: &TableName,
        partitions: &[PartitionSpec],
    ) -> Result<String, CatalogError> {
        let descriptor = self
            .glue_table(name)
            .await?
            .storage_descriptor()            .cloned()
            .unwrap_or_else(|| StorageDescriptor::builder().build());
        let mut failed = Vec::new();
        for chunk in partitions.chunks(CREATE_BATCH) {
            let inputs: Vec<PartitionInput> = chunk
                .iter()
                .map(|p| {
                    let mut storage = descriptor.clone();
                    storage.location = Some(p.location.clone());
                    PartitionInput::builder()
                        .set_values(Some(p.values.clone()))
                        .storage_descriptor(storage)
                        .build()
                })
                .collect();
            let output = self
                .glue
                .batch_create_partition()
                .database_name(&name.database)
                .table_name(&name.name)
                .set_partition_input_list(Some(inputs))
                .send()
                .await
                .map_err(|e| service(&describe(&e, &format!("Glue BatchCreatePartition on {name}"))))?;
            failed.extend(output.errors().iter().map(refusal));
        }
        outcome("registered", partitions.len(), &failed)
    }

    /// `BatchDeletePartition`; the objects are not touched.
    async fn delete(
        &self,
        name: &TableName,
        partitions: &[PartitionSpec],
    ) -> Result<String, CatalogError> {
        let mut failed = Vec::new();
        for chunk in partitions.chunks(DELETE_BATCH) {
            let values: Vec<PartitionValueList> = chunk
                .iter()
                .filter_map(|p| {
                    PartitionValueList::builder()
                        .set_values(Some(p.values.clone()))
                        .build()
                        .ok()
                })
                .collect();
            let output = self
                .glue
                .batch_delete_partition()
                .database_name(&name.database)
                .table_name(&name.name)
                .set_partitions_to_delete(Some(values))
                .send()
                .await
                .map_err(|e| service(&describe(&e, &format!("Glue BatchDeletePartition on {name}"))))?;
            failed.extend(output.errors().iter().map(refusal));
        }
        outcome("removed", partitions.len(), &failed)
    }

    /// Forgets the cached table and sizes, so the next look reads Glue and S3 again.
    fn forget(&self, name: &TableName) {
        self.tables
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&(name.database.clone(), name.name.clone()));
        self.sizes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// `2023/01/07: why`, for a partition a Glue batch call refused.
fn refusal(error: &aws_sdk_glue::types::PartitionError) -> String {
    format!(
        "{}: {}",
        error.partition_values().join("/"),
        error
            .error_detail()
            .and_then(|d| d.error_message())
            .unwrap_or("refused")
    )
}

/// `registered 3 partitions`, or an error naming the ones Glue refused.
fn outcome(done: &str, asked: usize, failed: &[String]) -> Result<String, CatalogError> {
    if failed.is_empty() {
        return Ok(format!(
            "{done} {}",
            crate::doctor::plural(asked as u64, "partition")
        ));
    }
    Err(CatalogError::Service(format!(
        "Glue refused {} of {asked}: {}",
        failed.len(),
        failed.join("; ")
    )))
}
