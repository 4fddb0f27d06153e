//! The cache lake: results kept as Parquet tables in a local lake folder
//! (`$XDG_DATA_HOME/quarry/cache` by default), each with its provenance, so a result paid for
//! once on Athena (or computed once locally) can be queried again and again on the local
//! engine for $0. [`CachedSource`] puts its tables beside any source's.
//!
//! A kept table is a folder `<db>/<table>/` of Parquet files and a hidden
//! `.quarry-provenance.json`, written under a hidden staging folder and renamed into place, so
//! a reader (quarry or any other) sees the old table or the new one, never half of either.

pub mod budget;
pub mod copy;
mod source;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use serde::{Deserialize, Serialize};

pub use source::CachedSource;

use crate::backend::TableName;

/// The provenance file in each kept table's folder (hidden: lake readers skip it).
pub const PROVENANCE_FILE: &str = ".quarry-provenance.json";
/// Rows per Parquet file of a kept result: several files let the engine scan in parallel.
const ROWS_PER_FILE: usize = 1_000_000;

/// Where a kept table came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The SQL whose result this is, as it was run.
    pub sql: String,
    /// `athena` or `local`.
    pub engine: String,
    /// The source it ran on (`s3://…` workgroup and region, or the lake folder).
    pub source: String,
    /// RFC 3339, when it was kept.
    pub kept_at: String,
    /// Bytes the run was billed for (Athena), or Athena would have billed (local engine).
    pub billed_bytes: u64,
    /// What those bytes cost: what running the SQL again on Athena would cost.
    pub cost_usd: f64,
    /// The partitions the SQL read, as `table: year=…/month=…` ranges, when known.
    #[serde(default)]
    pub partitions: Vec<String>,
    pub rows: u64,
}

impl Provenance {
    /// The provenance of a result of `sql` that ran with `stats` on `source`, kept now; the
    /// partitions come from the query's scan estimate.
    pub fn of_run(
        sql: &str,
        stats: &crate::backend::QueryStats,
        source: &str,
        explanation: Option<&crate::estimate::Explanation>,
    ) -> Self {
        Self {
            sql: sql.trim().to_owned(),
            engine: match (stats.engine, stats.saved_usd) {
                (_, Some(_)) => "kept tables".to_owned(),
                (engine, None) => engine.to_string(),
            },
            source: source.to_owned(),
            kept_at: chrono::Local::now().to_rfc3339(),
            billed_bytes: stats.billed_bytes,
            // A result of kept tables is worth what their own runs cost.
            cost_usd: stats.saved_usd.unwrap_or(stats.cost_usd),
            partitions: explanation.map(partitions_covered).unwrap_or_default(),
            rows: stats.rows,
        }
    }
}

/// Per table a query read: its partition condition and how many partitions it matched.
pub fn partitions_covered(explanation: &crate::estimate::Explanation) -> Vec<String> {
    explanation
        .tables
        .iter()
        .map(|scan| {
            let condition = scan
                .partition_filter
                .clone()
                .unwrap_or_else(|| "every partition".to_owned());
            match &scan.estimate {
                Some(e) if e.partitions_total > 0 => format!(
                    "{}: {condition} ({} of {} partitions)",
                    scan.table, e.partitions_matched, e.partitions_total
                ),
                _ => format!("{}: {condition}", scan.table),
            }
        })
        .collect()
}

/// A table that was kept, as the save reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptTable {
    pub name: TableName,
    pub folder: PathBuf,
    pub files: usize,
    pub bytes: u64,
    pub rows: u64,
    /// Tables evicted to keep the cache within its budget.
    pub evicted: Vec<budget::Evicted>,
}

/// The cache lake's folder and the writes into it.
#[derive(Debug, Clone)]
pub struct CacheLake {
    root: PathBuf,
}

impl CacheLake {
    /// The cache lake at `root`, created when missing.
    pub fn open(root: &Path) -> io::Result<Self> {
        fs::create_dir_all(root)?;
        Ok(Self {
            root: root.to_path_buf(),
        })
    }

    /// The cache lake's folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder of the kept table `name` (whether or not it exists).
    pub fn table_folder(&self, name: &TableName) -> PathBuf {
        self.root.join(&name.database).join(&name.name)
    }

    /// The provenance of `name`, when it is a kept result.
    pub fn provenance(&self, name: &TableName) -> Option<Provenance> {
        let text = fs::read(self.table_folder(name).join(PROVENANCE_FILE)).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Keeps `batches` as the table `name`, replacing a table of that name kept before.
    pub fn keep(
        &self,
        name: &TableName,
        schema: &SchemaRef,
        batches: &[RecordBatch],
        provenance: &Provenance,
    ) -> io::Result<KeptTable> {
        check_name(&name.database)?;
        check_name(&name.name)?;
        check_columns(schema)?;
        let staging = self.root.join(format!(
            ".staging-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        let result = self.write_and_place(name, schema, batches, provenance, &staging);
        let _ = fs::remove_dir_all(&staging);
        result
    }

    fn write_and_place(
        &self,
        name: &TableName,
        schema: &SchemaRef,
        batches: &[RecordBatch],
        provenance: &Provenance,
        staging: &Path,
    ) -> io::Result<KeptTable> {
        let built = staging.join(&name.name);
        fs::create_dir_all(&built)?;
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        let mut files = 0;
        let mut bytes = 0;
        for (index, chunk) in chunks(batches, ROWS_PER_FILE).iter().enumerate() {
            let path = built.join(format!("part-{index:05}.parquet"));
            crate::lake::writer::write_parquet_atomic(&path, schema, chunk)?;
            files += 1;
            bytes += crate::lake::file_size(&path);
        }
        let provenance = Provenance {
            rows: rows as u64,
            ..provenance.clone()
        };
        let text = serde_json::to_vec_pretty(&provenance).map_err(io::Error::other)?;
        fs::write(built.join(PROVENANCE_FILE), text)?;
        fs::File::open(&built)?.sync_all()?;

        let folder = self.table_folder(name);
        fs::create_dir_all(self.root.join(&name.database))?;
        // The old table moves aside first; then the new one takes its name in one rename.
        let retired = staging.join(".retired");
        if folder.exists() {
            fs::rename(&folder, &retired)?;
        }
        fs::rename(&built, &folder)?;
        fs::File::open(self.root.join(&name.database))?.sync_all()?;
        Ok(KeptTable {
            name: name.clone(),
            folder,
            files,
            bytes,
            rows: rows as u64,
            evicted: Vec::new(),
        })
    }
}

/// Database and table names as Athena and the lake folders take them.
fn check_name(name: &str) -> io::Result<()> {
    let fine = !name.is_empty()
        && name.len() <= 255
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with('_');
    if fine {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "`{name}` cannot name a kept table: use lower-case letters, digits and `_` \
                 (DB.TABLE, e.g. kept.errors_march)"
            ),
        ))
    }
}

/// A table cannot hold two columns of one name (`SELECT a.id, b.id`): say which.
fn check_columns(schema: &SchemaRef) -> io::Result<()> {
    let mut seen = std::collections::HashSet::new();
    for field in schema.fields() {
        if !seen.insert(field.name().to_ascii_lowercase()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "the result has two columns named `{}`: give them different names with AS \
                     before keeping it",
                    field.name()
                ),
            ));
        }
    }
    Ok(())
}

/// `batches` split into runs of at most `rows` rows (at least one run, so an empty result still
/// writes a file holding its columns).
fn chunks(batches: &[RecordBatch], rows: usize) -> Vec<Vec<RecordBatch>> {
    let mut out: Vec<Vec<RecordBatch>> = vec![Vec::new()];
    let mut in_last = 0;
    for batch in batches {
        let mut offset = 0;
        while offset < batch.num_rows() {
            if in_last == rows {
                out.push(Vec::new());
                in_last = 0;
            }
            let take = (rows - in_last).min(batch.num_rows() - offset);
            if let Some(last) = out.last_mut() {
                last.push(batch.slice(offset, take));
            }
            in_last += take;
            offset += take;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_what_athena_and_folders_accept() {
        assert!(check_name("kept").is_ok());
        assert!(check_name("errors_2023_03").is_ok());
        for bad in ["", "Kept", "a-b", "../x", "a.b", "_hidden"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
