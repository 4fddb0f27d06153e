//! Big Athena results as Parquet: the statement wrapped in `UNLOAD (…) TO 's3://…/' WITH
//! (format = 'PARQUET')`, the files Athena wrote listed and read with arrow, eight at a time
//! (up to 64 MiB in one GET decoded on the blocking pool; bigger ones by ranged GETs of the
//! footer and then the column chunks), types as Athena wrote them, then removed.
//!
//! Athena pages `GetQueryResults` 1,000 rows a call and writes its result CSV on one writer;
//! UNLOAD writes compressed, typed Parquet in parallel, which is what makes a million-row result
//! fetchable in seconds instead of minutes.

use std::ops::Range;
use std::sync::Arc;

use datafusion::arrow::datatypes::{Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use bytes::Bytes;
use futures::future::{BoxFuture, FutureExt};
use futures::stream::{self, StreamExt, TryStreamExt};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};
use parquet::arrow::arrow_reader::ArrowReaderOptions;
use parquet::arrow::async_reader::{AsyncFileReader, ParquetRecordBatchStreamBuilder};
use parquet::errors::ParquetError;
use parquet::file::metadata::{ParquetMetaData, ParquetMetaDataReader};
use quarry_sql::shape::{ResultShape, result_shape};

use super::errors::{AwsCallError, describe};
use super::s3::S3Location;
use super::{AwsClients, UnloadMode, UnloadPolicy};
use crate::text::thousands;

/// Files read at once: each is a footer GET and then one ranged GET per column chunk.
const FILES_IN_FLIGHT: usize = 8;
/// `DeleteObjects` takes at most this many keys a call.
const DELETE_BATCH: usize = 1000;

/// How a statement's result will be fetched, decided before it is submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum FetchPlan {
    /// Run as `unload_sql`; the result is the Parquet files under `target`.
    Unload {
        target: S3Location,
        unload_sql: String,
        reason: String,
    },
    /// Run as written; `reason` says why UNLOAD was not used, when it was considered.
    AsWritten { reason: Option<String> },
}

/// Chooses the fetch path for `sql` under `policy`; `requested` asks for UNLOAD whatever the
/// mode. `result_location` is where Athena writes results (`None`: the workgroup manages them),
/// `run_name` names this query's own folder under the unload location.
pub(super) fn plan_fetch(
    sql: &str,
    policy: &UnloadPolicy,
    requested: bool,
    result_location: Option<&str>,
    run_name: &str,
) -> FetchPlan {
    let as_written = |reason: String| FetchPlan::AsWritten {
        reason: Some(reason),
    };
    if policy.mode == UnloadMode::Never && !requested {
        return FetchPlan::AsWritten { reason: None };
    }
    let statement = sql.trim().trim_end_matches(';').trim_end();
    let auto = policy.mode == UnloadMode::Auto && !requested;
    match result_shape(statement) {
        Some(ResultShape::NotAQuery) => return FetchPlan::AsWritten { reason: None },
        Some(ResultShape::Query { ordered: true, .. }) => {
            return as_written(
                "the query has an ORDER BY, and UNLOAD writes several files whose order is \
                 lost"
                    .to_owned(),
            );
        }
        Some(ResultShape::Query {
            at_most: Some(rows),
            ..
        }) if auto && rows <= policy.min_rows => {
            return as_written(format!(
                "the query returns at most {} rows, under the UNLOAD threshold of {}",
                thousands(rows),
                thousands(policy.min_rows)
            ));
        }
        None if auto => {
            return as_written(
                "quarry could not read the statement's shape, so it is run as written".to_owned(),
            );
        }
        // An unbounded query, or one asked for explicitly (Athena is the judge of what it
        // cannot unload).
        Some(ResultShape::Query { .. }) | None => {}
    }
    let Some(base) = policy
        .location
        .clone()
        .or_else(|| result_location.map(|l| format!("{}quarry-unload/", with_slash(l))))
        .as_deref()
        .and_then(S3Location::parse)
    else {
        return as_written(
            "the workgroup keeps results itself and no unload location is set (`unload_location` \
             under [aws] in config.toml)"
                .to_owned(),
        );
    };
    let target = S3Location {
        key: format!("{}{run_name}/", base.prefix()),
        bucket: base.bucket,
    };
    let reason = if requested || policy.mode == UnloadMode::Always {
        "UNLOAD was asked for".to_owned()
    } else {
        format!(
            "the query's text does not bound its result under {} rows",
            thousands(policy.min_rows)
        )
    };
    FetchPlan::Unload {
        // The statement keeps its own lines (a trailing `--` comment cannot swallow the
        // closing parenthesis) and starts on line 2, which error positions are moved back by.
        unload_sql: format!(
            "UNLOAD (\n{statement}\n) TO '{target}' WITH (format = 'PARQUET', compression = \
             'SNAPPY')"
        ),
        target,
        reason,
    }
}

impl Default for FetchPlan {
    fn default() -> Self {
        Self::AsWritten { reason: None }
    }
}

fn with_slash(location: &str) -> String {
    if location.ends_with('/') {
        location.to_owned()
    } else {
        format!("{location}/")
    }
}

/// A name for one query's unload folder: the time and a random tail, so two runs (or two
/// quarry processes) never share one (UNLOAD refuses a folder that holds files).
pub(super) fn run_name() -> String {
    format!(
        "{}-{:08x}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.3f"),
        rand::random::<u32>()
    )
}

/// The Parquet files UNLOAD wrote under `target`, in key order, with their sizes.
pub(super) async fn unloaded_files(
    clients: &AwsClients,
    target: &S3Location,
) -> Result<Vec<(String, u64)>, AwsCallError> {
    let what = format!("S3 ListObjectsV2 on {target}");
    let mut files = Vec::new();
    let mut pages = clients
        .s3
        .list_objects_v2()
        .bucket(&target.bucket)
        .prefix(target.prefix())
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| describe(&e, &what))?;
        for object in page.contents() {
            let (Some(key), Some(size)) = (object.key(), object.size()) else {
                continue;
            };
            // Folder markers and empty objects hold no rows.
            if size > 0 && !key.ends_with('/') && !key.ends_with("$folder$") {
                files.push((key.to_owned(), size as u64));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Footer bytes fetched with the first read: most files' whole footer, so it takes one GET.
const FOOTER_PREFETCH: usize = 64 * 1024;

/// One unloaded object as arrow's async Parquet reader sees it: ranged GETs on the store.
struct UnloadedFile {
    store: Arc<dyn ObjectStore>,
    path: ObjectPath,
    size: u64,
}

impl AsyncFileReader for UnloadedFile {
    fn get_bytes(&mut self, range: Range<u64>) -> BoxFuture<'_, parquet::errors::Result<Bytes>> {
        async move {
            self.store
                .get_range(&self.path, range)
                .await
                .map_err(|e| ParquetError::External(Box::new(e)))
        }
        .boxed()
    }

    fn get_byte_ranges(
        &mut self,
        ranges: Vec<Range<u64>>,
    ) -> BoxFuture<'_, parquet::errors::Result<Vec<Bytes>>> {
        // object_store merges nearby ranges and fetches the rest concurrently.
        async move {
            self.store
                .get_ranges(&self.path, &ranges)
                .await
                .map_err(|e| ParquetError::External(Box::new(e)))
        }
        .boxed()
    }

    fn get_metadata<'a>(
        &'a mut self,
        _options: Option<&'a ArrowReaderOptions>,
    ) -> BoxFuture<'a, parquet::errors::Result<Arc<ParquetMetaData>>> {
        async move {
            let size = self.size;
            let metadata = ParquetMetaDataReader::new()
                .with_prefetch_hint(Some(FOOTER_PREFETCH))
                .load_and_finish(self, size)
                .await?;
            Ok(Arc::new(metadata))
        }
        .boxed()
    }
}

/// What reading the unloaded files gave.
pub(super) struct Unloaded {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
    pub truncated: bool,
    pub bytes: u64,
}

/// Reads `files` (key, size) from `bucket` into batches, in key order, keeping at most
/// `max_rows` rows.
pub(super) async fn read_files(
    store: Arc<dyn ObjectStore>,
    files: &[(String, u64)],
    max_rows: usize,
) -> Result<Unloaded, AwsCallError> {
    read_files_up_to(store, files, max_rows, WHOLE_FILE_BYTES).await
}

/// [`read_files`], fetching files up to `whole_bytes` in one GET.
async fn read_files_up_to(
    store: Arc<dyn ObjectStore>,
    files: &[(String, u64)],
    max_rows: usize,
    whole_bytes: u64,
) -> Result<Unloaded, AwsCallError> {
    let mut reads = stream::iter(files.iter().cloned())
        .map(|(key, size)| {
            let store = Arc::clone(&store);
            async move {
                let (schema, batches) = if size <= whole_bytes {
                    read_whole(store, &key).await?
                } else {
                    read_ranged(store, &key, size).await?
                };
                Ok::<_, AwsCallError>((schema, batches, size))
            }
        })
        .buffered(FILES_IN_FLIGHT);
    let mut schema: Option<SchemaRef> = None;
    let mut batches = Vec::new();
    let mut rows = 0;
    let mut bytes = 0;
    let mut truncated = false;
    while let Some(read) = reads.next().await {
        let (file_schema, file_batches, size) = read?;
        bytes += size;
        schema.get_or_insert(file_schema);
        for batch in file_batches {
            let room = max_rows - rows;
            if batch.num_rows() > room {
                batches.push(batch.slice(0, room));
                rows = max_rows;
                truncated = true;
                break;
            }
            rows += batch.num_rows();
            batches.push(batch);
        }
        if truncated {
            break;
        }
    }
    if !truncated && rows == max_rows {
        // Exactly at the limit: rows are left out only if a later file holds more.
        truncated = reads.next().await.is_some();
    }
    Ok(Unloaded {
        schema: schema.unwrap_or_else(|| Arc::new(Schema::empty())),
        batches,
        truncated,
        bytes,
    })
}

/// A file this small is fetched in one GET and decoded on the blocking pool: one round trip
/// instead of a footer read then the column chunks, and the files decode on every core at once.
/// Larger ones are read by ranges, holding a row group at a time.
const WHOLE_FILE_BYTES: u64 = 64 * 1024 * 1024;

async fn read_whole(
    store: Arc<dyn ObjectStore>,
    key: &str,
) -> Result<(SchemaRef, Vec<RecordBatch>), AwsCallError> {
    let body = store
        .get(&ObjectPath::from(key))
        .await
        .map_err(|e| fetch_error(key, &e))?
        .bytes()
        .await
        .map_err(|e| fetch_error(key, &e))?;
    let owned = key.to_owned();
    tokio::task::spawn_blocking(move || {
        let builder =
            parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(body)
                .map_err(|e| parquet_error(&owned, &e))?;
        let schema = Arc::clone(builder.schema());
        let batches = builder
            .with_batch_size(8192)
            .build()
            .map_err(|e| parquet_error(&owned, &e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| AwsCallError {
                code: None,
                message: format!("the unloaded file {owned} could not be read as Parquet: {e}"),
            })?;
        Ok((schema, batches))
    })
    .await
    .map_err(|e| AwsCallError {
        code: None,
        message: format!("reading {key} stopped: {e}"),
    })?
}

async fn read_ranged(
    store: Arc<dyn ObjectStore>,
    key: &str,
    size: u64,
) -> Result<(SchemaRef, Vec<RecordBatch>), AwsCallError> {
    let reader = UnloadedFile {
        store,
        path: ObjectPath::from(key),
        size,
    };
    let builder = ParquetRecordBatchStreamBuilder::new(reader)
        .await
        .map_err(|e| parquet_error(key, &e))?;
    let schema = Arc::clone(builder.schema());
    let batches: Vec<RecordBatch> = builder
        .with_batch_size(8192)
        .build()
        .map_err(|e| parquet_error(key, &e))?
        .try_collect()
        .await
        .map_err(|e| parquet_error(key, &e))?;
    Ok((schema, batches))
}

fn fetch_error(key: &str, error: &object_store::Error) -> AwsCallError {
    AwsCallError {
        code: None,
        message: format!("reading the unloaded file {key}: {error}"),
    }
}

/// Deletes the unloaded files once read.
pub(super) async fn remove_files(
    clients: &AwsClients,
    bucket: &str,
    files: &[(String, u64)],
) -> Result<(), AwsCallError> {
    use aws_sdk_s3::types::{Delete, ObjectIdentifier};
    for chunk in files.chunks(DELETE_BATCH) {
        let objects = chunk
            .iter()
            .map(|(key, _)| ObjectIdentifier::builder().key(key).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| AwsCallError {
                code: None,
                message: e.to_string(),
            })?;
        let delete = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .map_err(|e| AwsCallError {
                code: None,
                message: e.to_string(),
            })?;
        clients
            .s3
            .delete_objects()
            .bucket(bucket)
            .delete(delete)
            .send()
            .await
            .map_err(|e| describe(&e, &format!("S3 DeleteObjects in {bucket}")))?;
    }
    Ok(())
}

fn parquet_error(key: &str, error: &ParquetError) -> AwsCallError {
    AwsCallError {
        code: None,
        message: format!("the unloaded file {key} could not be read as Parquet: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn whole_and_ranged_reads_give_the_same_rows_in_key_order() {
        use datafusion::arrow::array::{Int64Array, StringArray};
        use object_store::memory::InMemory;
        let store: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
        let mut files = Vec::new();
        let mut written = Vec::new();
        for part in 0..3_i64 {
            let ids: Int64Array = (part * 5000..(part + 1) * 5000).collect();
            let names: StringArray = (0..5000).map(|i| Some(format!("n{}", i % 13))).collect();
            let batch = RecordBatch::try_from_iter([
                ("id", Arc::new(ids) as _),
                ("name", Arc::new(names) as _),
            ])
            .unwrap();
            let mut body = Vec::new();
            let mut writer =
                parquet::arrow::ArrowWriter::try_new(&mut body, batch.schema(), None).unwrap();
            writer.write(&batch).unwrap();
            writer.close().unwrap();
            let key = format!("unload/run/part-{part}");
            files.push((key.clone(), body.len() as u64));
            store
                .put(&ObjectPath::from(key.as_str()), body.into())
                .await
                .unwrap();
            written.push(batch);
        }
        let expected =
            datafusion::arrow::compute::concat_batches(&written[0].schema(), &written).unwrap();
        for whole in [u64::MAX, 0] {
            let read = read_files_up_to(Arc::clone(&store), &files, usize::MAX, whole)
                .await
                .unwrap();
            let all = datafusion::arrow::compute::concat_batches(&read.schema, &read.batches)
                .unwrap();
            assert_eq!(all, expected, "whole-file limit {whole}");
            assert!(!read.truncated);
        }
        // Cut inside the second file.
        let read = read_files_up_to(Arc::clone(&store), &files, 7_000, 0).await.unwrap();
        assert!(read.truncated);
        let all = datafusion::arrow::compute::concat_batches(&read.schema, &read.batches).unwrap();
        assert_eq!(all, expected.slice(0, 7_000));
    }

    fn policy(mode: UnloadMode) -> UnloadPolicy {
        UnloadPolicy {
            mode,
            ..UnloadPolicy::default()
        }
    }

    const RESULTS: Option<&str> = Some("s3://results/athena");

    #[test]
    fn unbounded_queries_unload_into_a_folder_of_their_own() {
        let plan = plan_fetch(
            "SELECT * FROM logs WHERE year = '2023';",
            &policy(UnloadMode::Auto),
            false,
            RESULTS,
            "run-1",
        );
        let FetchPlan::Unload {
            target, unload_sql, ..
        } = plan
        else {
            panic!("{plan:?}");
        };
        assert_eq!(target.to_string(), "s3://results/athena/quarry-unload/run-1/");
        assert_eq!(
            unload_sql,
            "UNLOAD (\nSELECT * FROM logs WHERE year = '2023'\n) TO \
             's3://results/athena/quarry-unload/run-1/' WITH (format = 'PARQUET', compression = \
             'SNAPPY')"
        );
    }

    #[test]
    fn small_ordered_and_non_queries_run_as_written() {
        let auto = policy(UnloadMode::Auto);
        let reason = |sql: &str, policy: &UnloadPolicy, requested: bool| match plan_fetch(
            sql, policy, requested, RESULTS, "r",
        ) {
            FetchPlan::AsWritten { reason } => reason,
            plan @ FetchPlan::Unload { .. } => panic!("{sql}: {plan:?}"),
        };
        assert!(reason("SELECT * FROM logs LIMIT 100", &auto, false).unwrap().contains("at most 100 rows"));
        assert!(reason("SELECT count(*) FROM logs", &auto, false).is_some());
        // The order must survive, even when asked for.
        assert!(reason("SELECT * FROM logs ORDER BY ts", &auto, true).unwrap().contains("ORDER BY"));
        assert_eq!(reason("CREATE TABLE t (a INT)", &policy(UnloadMode::Always), false), None);
        assert_eq!(reason("SELECT * FROM logs", &policy(UnloadMode::Never), false), None);
        // Managed results and no location of its own: nowhere to unload to.
        assert!(matches!(
            plan_fetch("SELECT * FROM logs", &auto, false, None, "r"),
            FetchPlan::AsWritten { reason: Some(r) } if r.contains("unload_location")
        ));
        // Asked for: a bounded query unloads anyway.
        assert!(matches!(
            plan_fetch("SELECT * FROM logs LIMIT 5", &policy(UnloadMode::Never), true, RESULTS, "r"),
            FetchPlan::Unload { .. }
        ));
    }
}
