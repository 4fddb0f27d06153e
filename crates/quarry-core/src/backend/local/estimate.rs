//! Scan estimates for the local lake: match partitions by their folder values, then add up
//! the column chunks the query reads from Parquet footers — the byte ranges DataFusion fetches.
//! With many files, a spread sample of footers gives the share of each file the columns take,
//! scaled to the matched files' sizes. Footers are cached by path, size and modification time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use parquet::file::metadata::{ColumnChunkMetaData, ParquetMetaData, ParquetMetaDataReader};

use super::discovery;
use crate::backend::{CatalogError, EstimateBasis, ScanEstimate, ScanRequest};

/// Footers read per estimate at most; beyond this many files the sample is spread evenly.
pub const FOOTER_SAMPLE: usize = 256;

/// Compressed bytes per top-level column of one Parquet file.
#[derive(Debug, Clone, Default)]
pub struct FooterSummary {
    pub file_bytes: u64,
    /// Lowercased top-level column name → bytes of its column chunks in all row groups.
    pub columns: HashMap<String, u64>,
}

impl FooterSummary {
    fn read(path: &Path) -> Result<Self, String> {
        let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
        let file_bytes = file.metadata().map_err(|e| e.to_string())?.len();
        let metadata = ParquetMetaDataReader::new()
            .parse_and_finish(&file)
            .map_err(|e| e.to_string())?;
        Ok(Self::of(file_bytes, &metadata))
    }

    /// The summary of a file of `file_bytes` with this footer.
    pub fn of(file_bytes: u64, metadata: &ParquetMetaData) -> Self {
        let mut columns: HashMap<String, u64> = HashMap::new();
        for row_group in metadata.row_groups() {
            for chunk in row_group.columns() {
                *columns.entry(top_level_name(chunk)).or_default() +=
                    chunk.compressed_size().max(0) as u64;
            }
        }
        Self {
            file_bytes,
            columns,
        }
    }

    /// Bytes of the columns `request` reads.
    pub fn bytes_read(&self, request: &ScanRequest) -> u64 {
        self.columns
            .iter()
            .filter(|(name, _)| request.reads(name))
            .map(|(_, bytes)| bytes)
            .sum()
    }
}

/// The lowercased top-level column a column chunk belongs to (`resources` for
/// `resources.list.element.arn`): what Athena's and the estimate's byte counts are kept by.
pub fn top_level_name(chunk: &ColumnChunkMetaData) -> String {
    chunk
        .column_path()
        .parts()
        .first()
        .map(|p| p.to_lowercase())
        .unwrap_or_default()
}

/// A cached footer with the file size and modification time it was read at.
type CachedFooter = (u64, Option<SystemTime>, Arc<FooterSummary>);

/// Footers already read, keyed by path; a changed size or time reads the file again.
#[derive(Debug, Default)]
pub struct FooterCache {
    entries: Mutex<HashMap<PathBuf, CachedFooter>>,
}

impl FooterCache {
    fn get(&self, path: &Path) -> Option<Arc<FooterSummary>> {
        let metadata = std::fs::metadata(path).ok()?;
        let (size, modified) = (metadata.len(), metadata.modified().ok());
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((s, m, summary)) = entries.get(path)
            && *s == size
            && *m == modified
        {
            return Some(Arc::clone(summary));
        }
        // Unreadable files are left out of the sample; the query will report them.
        let summary = Arc::new(FooterSummary::read(path).ok()?);
        entries.insert(path.to_path_buf(), (size, modified, Arc::clone(&summary)));
        Some(summary)
    }
}

/// Estimates a scan of the table in `dir` with partition keys `keys`.
pub fn estimate(
    dir: &Path,
    keys: &[String],
    request: &ScanRequest,
    footers: &FooterCache,
) -> Result<ScanEstimate, CatalogError> {
    let (folders, partitions_total, partitions_matched) = if keys.is_empty() {
        (vec![dir.to_path_buf()], 0, 0)
    } else {
        let (all, _) = discovery::list_partitions(dir, keys, &[], None, usize::MAX - 1)?;
        let total = all.len() as u64;
        let matched: Vec<PathBuf> = all
            .into_iter()
            .filter(|p| request.partitions.matches(&p.values))
            .map(|p| PathBuf::from(p.location))
            .collect();
        let count = matched.len() as u64;
        (matched, total, count)
    };
    let mut files: Vec<(PathBuf, u64)> = Vec::new();
    for folder in &folders {
        let (entries, _) = discovery::list_entries(folder).map_err(|source| CatalogError::Io {
            path: folder.clone(),
            source,
        })?;
        files.extend(
            entries
                .into_iter()
                .filter(|f| discovery::is_parquet(f))
                .map(|f| {
                    let size = crate::lake::file_size(&f);
                    (f, size)
                }),
        );
    }
    let object_bytes: u64 = files.iter().map(|(_, size)| size).sum();
    let sample = spread_sample(&files, FOOTER_SAMPLE);
    let mut sampled_file_bytes = 0_u64;
    let mut sampled_read_bytes = 0_u64;
    let mut sampled = 0_u64;
    for (path, _) in sample {
        if let Some(summary) = footers.get(path) {
            sampled += 1;
            sampled_file_bytes += summary.file_bytes;
            sampled_read_bytes += summary.bytes_read(request);
        }
    }
    let bytes = if sampled as usize == files.len() {
        sampled_read_bytes
    } else if sampled_file_bytes == 0 {
        object_bytes
    } else {
        (object_bytes as f64 * sampled_read_bytes as f64 / sampled_file_bytes as f64).round() as u64
    };
    Ok(ScanEstimate {
        partitions_matched,
        partitions_total,
        files: files.len() as u64,
        object_bytes,
        bytes,
        basis: EstimateBasis::Footers {
            sampled,
            files: files.len() as u64,
        },
    })
}

/// At most `limit` items spread evenly over `items` (all of them when there are few).
pub fn spread_sample<T>(items: &[T], limit: usize) -> Vec<&T> {
    if items.len() <= limit {
        return items.iter().collect();
    }
    (0..limit)
        .map(|i| &items[i * items.len() / limit])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::spread_sample;

    #[test]
    fn samples_spread_from_first_to_near_last() {
        let items: Vec<u32> = (0..1000).collect();
        let sample = spread_sample(&items, 4);
        assert_eq!(sample, [&0, &250, &500, &750]);
        assert_eq!(spread_sample(&items[..3], 4).len(), 3);
    }
}
