//! Local files for DataFusion's scans, read on the calling thread when the read is small.
//!
//! `object_store`'s `LocalFileSystem` hands every read to tokio's blocking pool and waits for
//! it. DataFusion's Parquet scan keeps a single read outstanding per stream, so on a lake of
//! many small files (Firehose writes one per buffer flush) each stream spends most of its time
//! parked while a pool thread opens a 6 KB file and wakes it again: the hand-offs, not the
//! reads, were the cost (BENCHMARKS.md has the profile). A read of a few hundred KiB from the
//! page cache takes microseconds, less than the hand-off, so reads up to [`INLINE_READ_LIMIT`]
//! run inline; bigger ones, and everything that is not a plain ranged read, go to
//! `LocalFileSystem` unchanged.
//!
//! Only the engine's own query threads read through this store, never the threads that draw
//! the screen.

use std::fmt;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use futures::stream::BoxStream;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetRange, GetResult, GetResultPayload, ListResult, MultipartUpload,
    ObjectMeta, ObjectStore, PutMultipartOptions, PutOptions, PutPayload, PutResult, RenameOptions,
    Result,
};

/// Reads of at most this many bytes in one call run on the calling thread.
pub const INLINE_READ_LIMIT: u64 = 1 << 20;

/// [`LocalFileSystem`] with small ranged reads served inline.
#[derive(Debug, Default)]
pub struct InlineLocalFiles {
    inner: Arc<LocalFileSystem>,
}

impl InlineLocalFiles {
    /// A store over the whole local file system, as DataFusion's default `file://` store.
    pub fn new() -> Self {
        Self::default()
    }

    fn read_inline(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        let path = self.inner.path_to_filesystem(location)?;
        let error = |source: std::io::Error| object_store::Error::Generic {
            store: "LocalFileSystem",
            source: Box::new(ReadError {
                path: path.clone(),
                source,
            }),
        };
        let mut file = File::open(&path).map_err(|e| not_found_or(e, location, &error))?;
        let size = file.metadata().map_err(error)?.len();
        ranges
            .iter()
            .map(|range| {
                if range.start > range.end || range.end > size {
                    return Err(object_store::Error::Generic {
                        store: "LocalFileSystem",
                        source: format!(
                            "range {}..{} is outside {} ({size} bytes)",
                            range.start,
                            range.end,
                            path.display()
                        )
                        .into(),
                    });
                }
                let mut buffer = vec![0; usize::try_from(range.end - range.start).unwrap_or(0)];
                file.seek(SeekFrom::Start(range.start)).map_err(error)?;
                file.read_exact(&mut buffer).map_err(error)?;
                Ok(Bytes::from(buffer))
            })
            .collect()
    }

    /// Object details as `LocalFileSystem` reports them, from an open file.
    fn meta(&self, location: &Path) -> Result<ObjectMeta> {
        let path = self.inner.path_to_filesystem(location)?;
        let metadata = std::fs::metadata(&path).map_err(|e| {
            not_found_or(e, location, &|source| object_store::Error::Generic {
                store: "LocalFileSystem",
                source: Box::new(ReadError {
                    path: path.clone(),
                    source,
                }),
            })
        })?;
        let modified = metadata.modified().ok();
        let micros = modified
            .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
            .unwrap_or_default()
            .as_micros();
        Ok(ObjectMeta {
            location: location.clone(),
            last_modified: modified.map(DateTime::<Utc>::from).unwrap_or_default(),
            size: metadata.len(),
            // The same shape as `LocalFileSystem`'s tags: inode, mtime and size in hex.
            e_tag: Some(format!(
                "{:x}-{micros:x}-{:x}",
                inode(&metadata),
                metadata.len()
            )),
            version: None,
        })
    }
}

/// A plain bounded read: no conditions, no version, not a HEAD.
fn small_bounded_range(options: &GetOptions) -> Option<Range<u64>> {
    let plain = !options.head
        && options.if_match.is_none()
        && options.if_none_match.is_none()
        && options.if_modified_since.is_none()
        && options.if_unmodified_since.is_none()
        && options.version.is_none();
    match &options.range {
        Some(GetRange::Bounded(range))
            if plain && range.end.saturating_sub(range.start) <= INLINE_READ_LIMIT =>
        {
            Some(range.clone())
        }
        _ => None,
    }
}

fn not_found_or(
    e: std::io::Error,
    location: &Path,
    other: &dyn Fn(std::io::Error) -> object_store::Error,
) -> object_store::Error {
    if e.kind() == std::io::ErrorKind::NotFound {
        object_store::Error::NotFound {
            path: location.to_string(),
            source: Box::new(e),
        }
    } else {
        other(e)
    }
}

#[cfg(unix)]
fn inode(metadata: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(metadata)
}

#[cfg(not(unix))]
fn inode(_: &std::fs::Metadata) -> u64 {
    0
}

#[derive(Debug, thiserror::Error)]
#[error("reading {}: {source}", path.display())]
struct ReadError {
    path: std::path::PathBuf,
    source: std::io::Error,
}

impl fmt::Display for InlineLocalFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InlineLocalFiles({})", self.inner)
    }
}

#[async_trait]
impl ObjectStore for InlineLocalFiles {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> Result<PutResult> {
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(&self, location: &Path, options: GetOptions) -> Result<GetResult> {
        let Some(range) = small_bounded_range(&options) else {
            return self.inner.get_opts(location, options).await;
        };
        let meta = self.meta(location)?;
        // As `LocalFileSystem` does: a range past the end is cut to the end of the file.
        let range = range.start..range.end.min(meta.size);
        let data = self.read_inline(location, std::slice::from_ref(&range))?;
        Ok(GetResult {
            payload: GetResultPayload::Stream(
                futures::stream::iter(data.into_iter().map(Ok)).boxed(),
            ),
            meta,
            range,
            attributes: object_store::Attributes::default(),
        })
    }

    async fn get_ranges(&self, location: &Path, ranges: &[Range<u64>]) -> Result<Vec<Bytes>> {
        let total: u64 = ranges.iter().map(|r| r.end.saturating_sub(r.start)).sum();
        if total > INLINE_READ_LIMIT {
            return self.inner.get_ranges(location, ranges).await;
        }
        self.read_inline(location, ranges)
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, Result<Path>>,
    ) -> BoxStream<'static, Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, Result<ObjectMeta>> {
        self.inner.list(prefix)
    }

    fn list_with_offset(
        &self,
        prefix: Option<&Path>,
        offset: &Path,
    ) -> BoxStream<'static, Result<ObjectMeta>> {
        self.inner.list_with_offset(prefix, offset)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(&self, from: &Path, to: &Path, options: CopyOptions) -> Result<()> {
        self.inner.copy_opts(from, to, options).await
    }

    async fn rename_opts(&self, from: &Path, to: &Path, options: RenameOptions) -> Result<()> {
        self.inner.rename_opts(from, to, options).await
    }
}

#[cfg(test)]
mod tests {
    use object_store::ObjectStoreExt;

    use super::*;

    /// A file of 10 KiB of distinct bytes, and its path as `object_store` names it.
    fn sample() -> (tempfile::TempDir, Path, Vec<u8>) {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..10_240u32).map(|i| (i % 251) as u8).collect();
        let file = dir.path().join("part-00000.parquet");
        std::fs::write(&file, &data).unwrap();
        let path = Path::from_filesystem_path(&file).unwrap();
        (dir, path, data)
    }

    #[tokio::test]
    async fn ranged_reads_match_the_file_and_local_file_system() {
        let (_dir, path, data) = sample();
        let inline = InlineLocalFiles::new();
        let plain = LocalFileSystem::new();
        let ranges = [0..10, 100..4_196, 10_000..10_240, 5..5];
        let got = inline.get_ranges(&path, &ranges).await.unwrap();
        let expected = plain.get_ranges(&path, &ranges).await.unwrap();
        assert_eq!(got, expected);
        for (range, bytes) in ranges.iter().zip(&got) {
            assert_eq!(
                bytes.as_ref(),
                &data[range.start as usize..range.end as usize]
            );
        }
        let one = inline.get_range(&path, 1_000..1_100).await.unwrap();
        assert_eq!(one.as_ref(), &data[1_000..1_100]);
    }

    #[tokio::test]
    async fn a_range_past_the_end_is_cut_like_local_file_system_does() {
        let (_dir, path, data) = sample();
        let options = || GetOptions {
            range: Some(GetRange::Bounded(10_000..20_000)),
            ..GetOptions::default()
        };
        let inline = InlineLocalFiles::new()
            .get_opts(&path, options())
            .await
            .unwrap();
        let plain = LocalFileSystem::new()
            .get_opts(&path, options())
            .await
            .unwrap();
        assert_eq!(inline.range, plain.range);
        assert_eq!(inline.meta.size, plain.meta.size);
        assert_eq!(
            inline.meta.e_tag, plain.meta.e_tag,
            "same ETag as LocalFileSystem"
        );
        assert_eq!(inline.bytes().await.unwrap().as_ref(), &data[10_000..]);
        assert!(
            InlineLocalFiles::new()
                .get_ranges(&path, std::slice::from_ref(&(10_000..20_000)))
                .await
                .is_err(),
            "a range past the end of the file is refused, not read short"
        );
    }

    #[tokio::test]
    async fn a_missing_file_is_not_found() {
        let (dir, _, _) = sample();
        let missing = Path::from_filesystem_path(dir.path())
            .unwrap()
            .join("gone.parquet");
        let err = InlineLocalFiles::new()
            .get_range(&missing, 0..10)
            .await
            .unwrap_err();
        assert!(matches!(err, object_store::Error::NotFound { .. }), "{err}");
    }
}
