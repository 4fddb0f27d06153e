//! The lake doctor: what breaks a Firehose → S3 → Glue → Athena pipeline quietly, found before
//! Athena bills for the empty or failed query. It compares three views of one table — the
//! catalog's (table schema, registered partitions and their schemas, projection), the storage's
//! (every object under the table's location) and the files' own (each Parquet footer) — and
//! says what disagrees, with the evidence and the fix.
//!
//! The checks are plain functions of those views ([`diagnose`]); the sources gather them
//! (`local.rs` for a lake folder, the AWS backend for Glue and S3).

mod checks;
mod drift;
pub mod local;
pub mod objects;
mod storage;
mod text;

use serde::Serialize;

pub use drift::{Compatibility, compatibility};
pub use storage::{FileFooter, Inventory, ObjectKind, StoredObject, StoredPartition};

use crate::backend::{Column, TableInfo};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is wrong for readers.
    Info,
    /// Costs money or time, or hides data from some readers.
    Warning,
    /// Athena fails, or answers without rows it should have.
    Error,
}

impl Severity {
    /// `error`, `warning`, `info`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// One problem found, with what shows it and what fixes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable identifier (`partition-not-registered`, `schema-type-changed`, …) for scripts.
    pub code: &'static str,
    pub severity: Severity,
    /// One line: what is wrong.
    pub title: String,
    /// The error Athena raises because of it, when it raises one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub athena_error: Option<String>,
    pub evidence: Evidence,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// What shows a finding: the partitions and objects involved, counts, columns, sizes.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Evidence {
    /// Partitions as `year=2023/month=03/day=14`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub partitions: Vec<String>,
    /// Objects or folders, as locations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// Columns and the types each side gives them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<ColumnEvidence>,
    /// Named numbers (`files`, `median_file_bytes`, …), in a stable order (an object in JSON).
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "counts_as_object"
    )]
    pub counts: Vec<(String, u64)>,
    /// Sentences that do not fit the fields above.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

fn counts_as_object<S: serde::Serializer>(
    counts: &[(String, u64)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(counts.iter().map(|(name, n)| (name, n)))
}

/// One column as two sides see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnEvidence {
    pub name: String,
    /// The type the table (or the catalog) declares; `None` when it lacks the column.
    pub table_type: Option<String>,
    /// The type the files (or a partition) give it; `None` when they lack it.
    pub found_type: Option<String>,
    /// Files (or partitions) that show this.
    pub count: u64,
}

/// What fixes a finding: SQL to run, a quarry command, and what quarry can apply itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Fix {
    /// One line saying what to do.
    pub summary: String,
    /// Athena SQL that fixes it, one statement per entry.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sql: Vec<String>,
    /// A quarry command that fixes it (`quarry compact …`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// What `quarry doctor --fix` (and the TUI) can apply, after confirmation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<FixAction>,
}

/// A catalog change quarry applies for a fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FixAction {
    /// Register these partitions (Glue `BatchCreatePartition`), with the table's storage
    /// descriptor and these locations.
    AddPartitions { partitions: Vec<PartitionSpec> },
    /// Forget these partitions (Glue `BatchDeletePartition`); no object is touched.
    DropPartitions { partitions: Vec<PartitionSpec> },
    /// Register these partitions again with the table's schema (delete, then create).
    ReregisterPartitions { partitions: Vec<PartitionSpec> },
}

impl FixAction {
    /// The partitions the action changes.
    pub fn partitions(&self) -> &[PartitionSpec] {
        match self {
            Self::AddPartitions { partitions }
            | Self::DropPartitions { partitions }
            | Self::ReregisterPartitions { partitions } => partitions,
        }
    }

    /// `register 3 partitions`, for confirmations.
    pub fn describe(&self) -> String {
        let n = self.partitions().len();
        let s = if n == 1 { "" } else { "s" };
        match self {
            Self::AddPartitions { .. } => format!("register {n} partition{s} in Glue"),
            Self::DropPartitions { .. } => format!("remove {n} partition{s} from Glue"),
            Self::ReregisterPartitions { .. } => {
                format!("register {n} partition{s} again with the table's schema")
            }
        }
    }
}

/// One partition: its key values and where its objects are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartitionSpec {
    pub values: Vec<String>,
    pub location: String,
}

/// The catalog's side of a table: what readers are told.
#[derive(Debug, Clone)]
pub struct CatalogView {
    pub table: TableInfo,
    pub registered: Registered,
}

/// How the catalog knows a table's partitions.
#[derive(Debug, Clone)]
pub enum Registered {
    /// The folders are the catalog (a local lake): nothing to register.
    Folders,
    /// Partitions registered one by one (Glue), each with its own columns when it has them.
    Partitions(Vec<RegisteredPartition>),
    /// Partition projection: the partitions the table's properties compute, when few enough
    /// to list (`None` past the limit), and the projection's property text for messages.
    Projected {
        partitions: Option<Vec<Vec<String>>>,
        ranges: Vec<(String, String)>,
    },
}

/// A partition as the catalog registers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredPartition {
    pub values: Vec<String>,
    pub location: String,
    /// The partition's own storage descriptor columns; empty when it has none.
    pub columns: Vec<Column>,
}

/// Everything the doctor found on one table.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `database.table`.
    pub table: String,
    pub location: String,
    /// What was looked at, so "no findings" can be believed.
    pub examined: Examined,
    /// Worst first.
    pub findings: Vec<Finding>,
}

/// Counts of what a doctor run read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Examined {
    pub partitions_on_storage: u64,
    /// `None` when the folders are the catalog.
    pub partitions_in_catalog: Option<u64>,
    pub objects: u64,
    pub data_files: u64,
    pub bytes: u64,
    pub footers_read: u64,
    pub rows: u64,
}

impl Report {
    /// The worst severity found, if anything was found.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// How many findings have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// Compares the catalog's view with the storage's and the footers', worst findings first.
pub fn diagnose(catalog: &CatalogView, storage: &Inventory) -> Report {
    let mut findings = Vec::new();
    checks::registration(catalog, storage, &mut findings);
    drift::footers_against_table(catalog, storage, &mut findings);
    drift::partitions_against_table(catalog, &mut findings);
    objects::corrupt_footers(catalog, storage, &mut findings);
    objects::stray_objects(catalog, storage, &mut findings);
    objects::empty_partitions(catalog, storage, &mut findings);
    objects::small_files(catalog, storage, &mut findings);
    objects::missing_days(storage, &mut findings);
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let table = &catalog.table;
    Report {
        table: table.name.to_string(),
        location: table.location.clone(),
        examined: Examined {
            partitions_on_storage: storage.partitions.len() as u64,
            partitions_in_catalog: match &catalog.registered {
                Registered::Folders => None,
                Registered::Partitions(list) => Some(list.len() as u64),
                Registered::Projected { partitions, .. } => {
                    partitions.as_ref().map(|p| p.len() as u64)
                }
            },
            objects: storage.object_count(),
            data_files: storage.data_files().count() as u64,
            bytes: storage.data_files().map(|o| o.size).sum(),
            footers_read: storage.data_files().filter(|o| o.footer.is_some()).count() as u64,
            rows: storage.data_files().filter_map(StoredObject::rows).sum(),
        },
        findings,
    }
}

/// `year=2023/month=03/day=14` for these keys and values.
pub fn partition_path(keys: &[Column], values: &[String]) -> String {
    keys.iter()
        .zip(values)
        .map(|(k, v)| format!("{}={v}", k.name))
        .collect::<Vec<_>>()
        .join("/")
}

/// `(year='2023', month='03', day='14')`, Athena's partition spec.
pub fn partition_spec_sql(keys: &[Column], values: &[String]) -> String {
    let parts: Vec<String> = keys
        .iter()
        .zip(values)
        .map(|(k, v)| {
            let numeric = matches!(
                k.data_type.as_str(),
                "int" | "integer" | "bigint" | "smallint" | "tinyint"
            );
            if numeric {
                format!("{} = {v}", k.name)
            } else {
                format!("{} = '{}'", k.name, v.replace('\'', "''"))
            }
        })
        .collect();
    format!("({})", parts.join(", "))
}

/// `1 file`, `1,204 files`.
pub fn plural(n: u64, word: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{} {word}{s}", crate::text::thousands(n))
}

/// The singular or plural form of a word for `n` things.
pub fn verb(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// A location with a trailing slash, so joining a relative path is plain concatenation.
pub fn folder(location: &str) -> String {
    if location.ends_with('/') {
        location.to_owned()
    } else {
        format!("{location}/")
    }
}
