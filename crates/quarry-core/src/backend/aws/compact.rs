//! Compaction of a Glue partition on S3. S3 cannot rename a set of objects at once, so the
//! switch is the catalog's: the rewritten files go under a new prefix
//! (`<table>/.quarry-compact/<run>/<partition>/`), then one `UpdatePartition` points the
//! partition there, then the old objects are deleted. Readers that go through the catalog
//! (Athena, Spark with Glue, quarry) see the old files or the new ones, never both. A journal
//! object beside the new files says how far a run got; [`GlueCatalog::recover_compactions`]
//! (run by `quarry compact` and `quarry doctor` before anything else) deletes the old objects
//! of a run that switched, and the new ones of a run that did not.

use std::path::PathBuf;

use aws_sdk_glue::types::PartitionInput;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use futures::stream::{self, StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};

use super::errors::describe;
use super::glue::{GlueCatalog, service};
use super::s3::S3Location;
use crate::backend::{CatalogError, TableName};
use crate::lake::compact::{Compacted, merge_sorted, output_names, rows_per_file};

/// Objects read or written at once.
const TRANSFERS: usize = 16;
/// `DeleteObjects` takes at most this many keys.
const DELETE_BATCH: usize = 1000;
/// The staging folder under the table's location.
const STAGING: &str = ".quarry-compact/";

#[derive(Debug, Serialize, Deserialize)]
struct Journal {
    values: Vec<String>,
    old_location: String,
    old_keys: Vec<String>,
    new_location: String,
}

impl GlueCatalog {
    /// Rewrites the partition `values` of `name` into files near `target_bytes`, rows in time
    /// order. `None` when it holds fewer than two data files.
    pub async fn compact_partition(
        &self,
        name: &TableName,
        values: &[String],
        target_bytes: u64,
    ) -> Result<Option<Compacted>, CatalogError> {
        let info = self.table_info(name).await?;
        let table = parse(&info.location)?;
        let partition = self.partition(name, values).await?.ok_or_else(|| {
            CatalogError::Service(format!("{name} has no partition {}", values.join("/")))
        })?;
        let descriptor = partition.storage_descriptor().cloned().unwrap_or_else(|| {
            aws_sdk_glue::types::StorageDescriptor::builder().build()
        });
        let old_location = descriptor.location().unwrap_or_default().to_owned();
        let old = parse(&old_location)?;
        let (objects, _) = self.list(&old.bucket, &old.prefix(), false).await?;
        let data: Vec<(String, u64)> = objects
            .into_iter()
            .filter(|(key, size, _)| *size > 0 && is_data(key))
            .map(|(key, size, _)| (key, size))
            .collect();
        if data.len() < 2 {
            return Ok(None);
        }
        let relative = crate::doctor::partition_path(&info.partition_keys, values);
        let run = format!(
            "{}{STAGING}{}-{}/",
            table.prefix(),
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f"),
            std::process::id()
        );
        let new_prefix = format!("{run}{relative}/");
        let journal = Journal {
            values: values.to_vec(),
            old_location: old_location.clone(),
            old_keys: data.iter().map(|(k, _)| k.clone()).collect(),
            new_location: format!("s3://{}/{new_prefix}", table.bucket),
        };
        let journal_key = format!("{run}journal.json");
        self.put(
            &table.bucket,
            &journal_key,
            serde_json::to_vec(&journal).map_err(|e| CatalogError::Service(e.to_string()))?,
        )
        .await?;

        let bytes_before: u64 = data.iter().map(|(_, s)| s).sum();
        let fetched: Vec<(PathBuf, bytes::Bytes)> = stream::iter(data.iter().cloned())
            .map(|(key, _)| {
                let bucket = old.bucket.clone();
                async move {
                    let body = self.get(&bucket, &key).await?;
                    Ok::<_, CatalogError>((PathBuf::from(format!("s3://{bucket}/{key}")), body))
                }
            })
            .buffered(TRANSFERS)
            .try_collect()
            .await?;
        let place = PathBuf::from(&old_location);
        let (batch, ordered_by) = tokio::task::spawn_blocking(move || merge_sorted(&place, fetched))
            .await
            .map_err(|e| CatalogError::Service(e.to_string()))?
            .map_err(|e| CatalogError::Service(e.to_string()))?;
        let rows = batch.num_rows() as u64;
        let per_file = rows_per_file(rows, bytes_before, target_bytes);
        let old_names: Vec<String> = data
            .iter()
            .map(|(k, _)| k.rsplit('/').next().unwrap_or(k).to_owned())
            .collect();
        let names = output_names(&old_names, rows.div_ceil(per_file).max(1) as usize);
        let mut bytes_after = 0;
        for (index, file) in names.iter().enumerate() {
            let start = (index as u64 * per_file).min(rows);
            let slice = batch.slice(start as usize, per_file.min(rows - start) as usize);
            let body = crate::lake::writer::parquet_bytes(&slice.schema(), &[slice])
                .map_err(|e| CatalogError::Service(e.to_string()))?;
            bytes_after += body.len() as u64;
            self.put(&table.bucket, &format!("{new_prefix}{file}"), body)
                .await?;
        }
        // The switch: one call, after which catalog readers see only the new files.
        let mut switched = descriptor.clone();
        switched.location = Some(journal.new_location.clone());
        self.glue
            .update_partition()
            .database_name(&name.database)
            .table_name(&name.name)
            .set_partition_value_list(Some(values.to_vec()))
            .partition_input(
                PartitionInput::builder()
                    .set_values(Some(values.to_vec()))
                    .storage_descriptor(switched)
                    .set_parameters(partition.parameters().cloned())
                    .build(),
            )
            .send()
            .await
            .map_err(|e| service(&describe(&e, &format!("Glue UpdatePartition on {name}"))))?;
        self.retire(&table.bucket, &old.bucket, &journal.old_keys, &journal_key)
            .await?;
        Ok(Some(Compacted {
            partition: relative,
            files_before: data.len() as u64,
            bytes_before,
            files_after: names.len() as u64,
            bytes_after,
            rows,
            ordered_by,
        }))
    }

    /// Settles every run of `name` a kill left: one that switched loses its old objects, one
    /// that did not loses its new ones. Returns a line per run settled.
    pub async fn recover_compactions(&self, name: &TableName) -> Result<Vec<String>, CatalogError> {
        let info = self.table_info(name).await?;
        let table = parse(&info.location)?;
        let (objects, _) = self
            .list(&table.bucket, &format!("{}{STAGING}", table.prefix()), false)
            .await?;
        let mut settled = Vec::new();
        for (key, _, _) in objects.iter().filter(|(k, _, _)| k.ends_with("/journal.json")) {
            let run = key.trim_end_matches("journal.json").to_owned();
            let journal: Option<Journal> = self
                .get(&table.bucket, key)
                .await
                .ok()
                .and_then(|body| serde_json::from_slice(&body).ok());
            let Some(journal) = journal else {
                self.delete_objects(&table.bucket, std::slice::from_ref(key)).await?;
                continue;
            };
            let location = self.partition_location(name, &journal.values).await?;
            let old = parse(&journal.old_location)?;
            if location.as_deref() == Some(journal.new_location.as_str()) {
                self.retire(&table.bucket, &old.bucket, &journal.old_keys, key)
                    .await?;
                settled.push(format!("finished the compaction of {}", journal.values.join("/")));
            } else {
                let staged: Vec<String> = objects
                    .iter()
                    .map(|(k, _, _)| k.clone())
                    .filter(|k| k.starts_with(&run))
                    .collect();
                self.delete_objects(&table.bucket, &staged).await?;
                settled.push(format!("undid the compaction of {}", journal.values.join("/")));
            }
        }
        Ok(settled)
    }

    /// One partition as Glue holds it, if it exists.
    async fn partition(
        &self,
        name: &TableName,
        values: &[String],
    ) -> Result<Option<aws_sdk_glue::types::Partition>, CatalogError> {
        let output = self
            .glue
            .get_partition()
            .database_name(&name.database)
            .table_name(&name.name)
            .set_partition_values(Some(values.to_vec()))
            .send()
            .await
            .map_err(|e| service(&describe(&e, &format!("Glue GetPartition on {name}"))))?;
        Ok(output.partition().cloned())
    }

    async fn partition_location(
        &self,
        name: &TableName,
        values: &[String],
    ) -> Result<Option<String>, CatalogError> {
        Ok(self
            .partition(name, values)
            .await?
            .and_then(|p| p.storage_descriptor().and_then(|s| s.location()).map(str::to_owned)))
    }

    /// Deletes the old objects, then the journal (last: until it goes, recovery can finish).
    async fn retire(
        &self,
        journal_bucket: &str,
        bucket: &str,
        old_keys: &[String],
        journal_key: &str,
    ) -> Result<(), CatalogError> {
        self.delete_objects(bucket, old_keys).await?;
        self.delete_objects(journal_bucket, &[journal_key.to_owned()]).await
    }

    async fn delete_objects(&self, bucket: &str, keys: &[String]) -> Result<(), CatalogError> {
        for chunk in keys.chunks(DELETE_BATCH) {
            let objects: Vec<ObjectIdentifier> = chunk
                .iter()
                .filter_map(|k| ObjectIdentifier::builder().key(k).build().ok())
                .collect();
            let delete = Delete::builder()
                .set_objects(Some(objects))
                .quiet(true)
                .build()
                .map_err(|e| CatalogError::Service(e.to_string()))?;
            self.s3
                .delete_objects()
                .bucket(bucket)
                .delete(delete)
                .send()
                .await
                .map_err(|e| service(&describe(&e, &format!("S3 DeleteObjects in {bucket}"))))?;
        }
        Ok(())
    }

    async fn put(&self, bucket: &str, key: &str, body: Vec<u8>) -> Result<(), CatalogError> {
        self.s3
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(body.into())
            .send()
            .await
            .map_err(|e| service(&describe(&e, &format!("S3 PutObject on s3://{bucket}/{key}"))))?;
        Ok(())
    }

    async fn get(&self, bucket: &str, key: &str) -> Result<bytes::Bytes, CatalogError> {
        let output = self
            .s3
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| service(&describe(&e, &format!("S3 GetObject on s3://{bucket}/{key}"))))?;
        let body = output
            .body
            .collect()
            .await
            .map_err(|e| CatalogError::Service(format!("reading s3://{bucket}/{key}: {e}")))?;
        Ok(body.into_bytes())
    }
}

fn parse(location: &str) -> Result<S3Location, CatalogError> {
    S3Location::parse(location)
        .ok_or_else(|| CatalogError::Service(format!("{location} is not an s3:// address")))
}

/// Whether Athena reads the object as data: not hidden, not a folder marker.
fn is_data(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or(key);
    !(key.ends_with('/')
        || key.ends_with("_$folder$")
        || name.starts_with('.')
        || name.starts_with('_'))
}
