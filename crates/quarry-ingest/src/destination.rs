//! Where flushed Parquet goes: a local lake folder, or an S3 prefix through `object_store` with
//! each new partition registered in Glue by `BatchCreatePartition` (the seed's partition
//! Lambda). Files are named after the log sequence numbers they hold, so listing a partition
//! tells which logged records are already published.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use futures::TryStreamExt;
use object_store::ObjectStore;
use object_store::path::Path as ObjectPath;

/// A catalog that learns of new partitions: Glue's `BatchCreatePartition`, as the seed's
/// partition Lambda calls it.
#[async_trait::async_trait]
pub trait PartitionRegistry: Send + Sync {
    /// The table partitions are registered in, for people.
    fn table_name(&self) -> String;
    /// Registers `partition` (`year=…/month=…/day=…`) at `location`.
    async fn register(&self, partition: &str, location: &str) -> Result<(), String>;
}

/// The target of a stream's Parquet files.
pub enum Destination {
    /// A table folder in a local lake; the catalog sees new partitions by listing folders.
    Local(PathBuf),
    /// A table prefix in S3. The sink writes any object store; only the `aws` build makes one.
    #[cfg_attr(not(feature = "aws"), allow(dead_code))]
    S3(Box<S3Destination>),
}

/// A table's prefix in a bucket, and the Glue table its partitions are registered in.
pub struct S3Destination {
    pub store: Arc<dyn ObjectStore>,
    /// `s3://bucket/prefix/`, the table's location.
    pub location: String,
    /// The key prefix inside the bucket, ending in `/` (or empty for a whole bucket).
    pub prefix: String,
    pub glue: Option<Box<dyn PartitionRegistry>>,
    /// Partitions known to hold a published file (registration is skipped for them).
    pub known: Mutex<HashSet<String>>,
    /// Partitions whose registration failed, tried again on every flush round.
    pub unregistered: Mutex<HashSet<String>>,
}

impl Destination {
    /// Where files go, for the start-up line.
    pub fn describe(&self) -> String {
        match self {
            Self::Local(dir) => dir.display().to_string(),
            Self::S3(s3) => match &s3.glue {
                Some(glue) => format!(
                    "{} (partitions registered in Glue {})",
                    s3.location,
                    glue.table_name()
                ),
                None => s3.location.clone(),
            },
        }
    }

    /// Registers again the partitions whose registration failed (S3 with Glue only).
    pub async fn retry_registrations(&self) {
        let Self::S3(s3) = self else {
            return;
        };
        let pending: Vec<String> = s3
            .unregistered
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain()
            .collect();
        for partition in pending {
            s3.register(&partition).await;
        }
    }

    /// The sequence ranges `(first, last)` of the files already published in `partition`.
    pub async fn published_ranges(&self, partition: &str) -> io::Result<Vec<(u64, u64)>> {
        match self {
            Self::Local(dir) => {
                let dir = dir.join(partition);
                let names = tokio::task::spawn_blocking(move || file_names(&dir))
                    .await
                    .map_err(io::Error::other)?;
                Ok(names.iter().filter_map(|n| range_of(n)).collect())
            }
            Self::S3(s3) => s3.ranges_under(&format!("{}{partition}", s3.prefix)).await,
        }
    }

    /// The highest record number in any published file of the table (0 when there is none):
    /// the log numbers past it, whatever happened to the log's own folder.
    pub async fn highest_published(&self) -> io::Result<u64> {
        match self {
            Self::Local(dir) => {
                let dir = dir.clone();
                tokio::task::spawn_blocking(move || highest_in_folder(&dir, 0))
                    .await
                    .map_err(io::Error::other)?
            }
            Self::S3(s3) => Ok(s3
                .ranges_under(&s3.prefix)
                .await?
                .into_iter()
                .map(|(_, last)| last)
                .max()
                .unwrap_or(0)),
        }
    }

    /// Publishes `batch` as `file_name` in `partition` whole or not at all, never replacing a
    /// file of that name (the error is then [`io::ErrorKind::AlreadyExists`]), registers the
    /// partition when this is its first file, and returns the file's size.
    pub async fn publish(
        &self,
        partition: &str,
        file_name: &str,
        schema: &SchemaRef,
        batch: RecordBatch,
    ) -> io::Result<u64> {
        match self {
            Self::Local(dir) => {
                let path = dir.join(partition).join(file_name);
                let schema = Arc::clone(schema);
                tokio::task::spawn_blocking(move || {
                    quarry_core::lake::writer::publish_parquet_new(&path, &schema, &[batch])?;
                    Ok(quarry_core::lake::file_size(&path))
                })
                .await
                .map_err(io::Error::other)?
            }
            Self::S3(s3) => {
                let schema = Arc::clone(schema);
                let bytes = tokio::task::spawn_blocking(move || {
                    quarry_core::lake::writer::parquet_bytes(&schema, &[batch])
                })
                .await
                .map_err(io::Error::other)??;
                let size = bytes.len() as u64;
                // One PUT: S3 shows the object whole or not at all.
                let key = ObjectPath::from(format!("{}{partition}/{file_name}", s3.prefix));
                // `If-None-Match: *`: a second writer's file of the same name is refused.
                let create = object_store::PutOptions::from(object_store::PutMode::Create);
                match s3.store.put_opts(&key, bytes.into(), create).await {
                    Ok(_) => {}
                    Err(object_store::Error::AlreadyExists { path, .. }) => {
                        return Err(io::Error::new(
                            io::ErrorKind::AlreadyExists,
                            format!("{path} exists"),
                        ));
                    }
                    Err(e) => return Err(io::Error::other(e)),
                }
                s3.register(partition).await;
                Ok(size)
            }
        }
    }
}

impl S3Destination {
    /// The record ranges of the `part-…` files under `prefix` (the whole bucket when empty).
    async fn ranges_under(&self, prefix: &str) -> io::Result<Vec<(u64, u64)>> {
        let prefix = (!prefix.is_empty()).then(|| ObjectPath::from(prefix));
        let objects: Vec<_> = self
            .store
            .list(prefix.as_ref())
            .try_collect()
            .await
            .map_err(io::Error::other)?;
        Ok(objects
            .iter()
            .filter_map(|o| o.location.filename().and_then(range_of))
            .collect())
    }

    /// Registers `partition` in Glue unless it is known to be there. A failure is logged and
    /// tried again on the next flush round: the data is safe in S3 either way, and
    /// `MSCK REPAIR TABLE` would find it too.
    async fn register(&self, partition: &str) {
        let Some(glue) = &self.glue else {
            return;
        };
        if self.is_known(partition) {
            return;
        }
        let location = format!("{}{partition}/", self.location);
        match glue.register(partition, &location).await {
            Ok(()) => {
                self.known
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(partition.to_owned());
            }
            Err(e) => {
                tracing::error!("registering {partition} in Glue failed, will retry: {e}");
                self.unregistered
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(partition.to_owned());
            }
        }
    }

    fn is_known(&self, partition: &str) -> bool {
        self.known
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(partition)
    }
}

/// `part-<first>-<last>.parquet` → `(first, last)`.
fn range_of(name: &str) -> Option<(u64, u64)> {
    let range = name.strip_prefix("part-")?.strip_suffix(".parquet")?;
    let (first, last) = range.split_once('-')?;
    Some((first.parse().ok()?, last.parse().ok()?))
}

/// The highest record number in `part-…` files at most three folders (`year=/month=/day=`)
/// below `dir`. A missing folder is an empty table.
fn highest_in_folder(dir: &Path, depth: usize) -> io::Result<u64> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut highest = 0;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if entry.file_type()?.is_dir() {
            if depth < 3 {
                highest = highest.max(highest_in_folder(&entry.path(), depth + 1)?);
            }
        } else if let Some((_, last)) = range_of(&name) {
            highest = highest.max(last);
        }
    }
    Ok(highest)
}

fn file_names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The Parquet file name for records `first..=last`.
pub fn file_name(first: u64, last: u64) -> String {
    format!("part-{first:020}-{last:020}.parquet")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_carry_their_ranges() {
        assert_eq!(range_of(&file_name(7, 1_000_000)), Some((7, 1_000_000)));
        for other in [
            "part-1.parquet",
            ".part-1-2.parquet.tmp",
            "part-a-2.parquet",
            "x.parquet",
        ] {
            assert_eq!(range_of(other), None, "{other}");
        }
    }
}
