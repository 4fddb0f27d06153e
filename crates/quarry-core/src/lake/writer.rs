//! Writing Parquet files so readers never see half a file: write a hidden temp file, fsync,
//! then rename into place.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::{EnabledStatistics, WriterProperties};

/// Rows per row group: small enough that min/max statistics on a sorted timestamp prune within
/// a day's file, large enough that footers stay small.
pub const ROW_GROUP_ROWS: usize = 10_000;

/// Writer settings for lake files: Snappy like Firehose's Parquet conversion, dictionaries,
/// page-level statistics and the page index so readers can prune.
pub fn lake_writer_properties() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_created_by("quarry".to_owned())
        .build()
}

/// Writes `batches` to `path` atomically, creating parent folders.
pub fn write_parquet_atomic(
    path: &Path,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> io::Result<()> {
    let parent = parent_of(path)?;
    fs::create_dir_all(parent)?;
    let temp = temp_path(path);
    let result = write_file(&temp, schema, batches).and_then(|()| fs::rename(&temp, path));
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    } else if let Ok(dir) = File::open(parent) {
        // Persist the rename itself.
        let _ = dir.sync_all();
    }
    result
}

/// Writes `batches` to `path` for a writer that must never replace a published file (the
/// ingest path, whose file names say which records they hold): each folder it creates is made
/// durable in its parent, the file appears by a hard link that fails with
/// [`io::ErrorKind::AlreadyExists`] when `path` exists, and a failed folder fsync is an
/// error, not a warning — the caller's log keeps the records until this returns `Ok`.
pub fn publish_parquet_new(
    path: &Path,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> io::Result<()> {
    let parent = parent_of(path)?;
    create_dirs_durably(parent)?;
    let temp = temp_path(path);
    let result = write_file(&temp, schema, batches).and_then(|()| link_new(&temp, path));
    // The temporary name goes either way; only the final name is the published file.
    let _ = fs::remove_file(&temp);
    result?;
    File::open(parent)?.sync_all()
}

/// Gives `temp` the name `path` unless `path` exists. A hard link does that atomically; on a
/// file system without hard links (some network and FUSE mounts) a rename after a check is the
/// fallback — only another writer racing between the two could then be replaced.
fn link_new(temp: &Path, path: &Path) -> io::Result<()> {
    match fs::hard_link(temp, path) {
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::Unsupported | io::ErrorKind::PermissionDenied
            ) && !path.exists() =>
        {
            fs::rename(temp, path)
        }
        other => other,
    }
}

/// The folder a Parquet file goes in.
fn parent_of(path: &Path) -> io::Result<&Path> {
    path.parent()
        .ok_or_else(|| io::Error::other("a Parquet path needs a parent folder"))
}

/// `create_dir_all`, fsyncing each new folder's parent so the folder survives a crash.
fn create_dirs_durably(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let parent = dir
        .parent()
        .ok_or_else(|| io::Error::other("cannot create a root folder"))?;
    create_dirs_durably(parent)?;
    match fs::create_dir(dir) {
        Ok(()) => File::open(parent)?.sync_all(),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

fn write_file(temp: &Path, schema: &SchemaRef, batches: &[RecordBatch]) -> io::Result<()> {
    let file = File::create(temp)?;
    let mut writer = ArrowWriter::try_new(file, schema.clone(), Some(lake_writer_properties()))
        .map_err(io::Error::other)?;
    for batch in batches {
        writer.write(batch).map_err(io::Error::other)?;
    }
    let file = writer.into_inner().map_err(io::Error::other)?;
    file.sync_all()
}

/// `batches` as the bytes of one Parquet file (for object stores, where one PUT is atomic).
pub fn parquet_bytes(schema: &SchemaRef, batches: &[RecordBatch]) -> io::Result<Vec<u8>> {
    let mut writer =
        ArrowWriter::try_new(Vec::new(), schema.clone(), Some(lake_writer_properties()))
            .map_err(io::Error::other)?;
    for batch in batches {
        writer.write(batch).map_err(io::Error::other)?;
    }
    writer.into_inner().map_err(io::Error::other)
}

/// Hidden (leading dot) and without the `.parquet` suffix, so no reader lists it.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp"))
}
