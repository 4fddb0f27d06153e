//! The local lake as a [`Catalog`]: databases and tables are folders, columns come from Parquet
//! footers, partitions from `key=value` folder names.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use datafusion::arrow::datatypes::{DataType, SchemaRef};

use super::discovery::{self, LakeLayout, TableProbe};
use super::estimate::{self, FooterCache};
use crate::backend::{
    Catalog, CatalogError, Column, Database, PartitionFilter, PartitionPage, ScanEstimate,
    ScanRequest, TableInfo, TableName,
};

/// A folder of Hive-partitioned Parquet, read with no setup.
#[derive(Debug)]
pub struct LocalCatalog {
    root: PathBuf,
    layout: LakeLayout,
    /// Table details are expensive (a full folder walk), so each is computed once.
    details: Mutex<HashMap<(String, String), Arc<TableInfo>>>,
    /// Parquet footers read for scan estimates.
    footers: Arc<FooterCache>,
}

impl LocalCatalog {
    /// Opens the lake at `root`, listing its databases and tables.
    pub fn open(root: &Path) -> Result<Self, CatalogError> {
        let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        let layout = discovery::discover_layout(&root)?;
        // A compaction killed mid-way is finished (or undone) before anything reads the lake.
        match crate::lake::compact::recover(&root) {
            Ok(settled) => settled.iter().for_each(|line| tracing::info!("{line}")),
            Err(e) => tracing::warn!("cannot settle an unfinished compaction: {e}"),
        }
        Ok(Self {
            root,
            layout,
            details: Mutex::new(HashMap::new()),
            footers: Arc::default(),
        })
    }

    /// The lake folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Every table with its folder, for engines that register them all.
    pub fn table_dirs(&self) -> impl Iterator<Item = (TableName, &Path)> {
        self.layout.databases.iter().flat_map(|(db, tables)| {
            tables
                .iter()
                .map(move |(name, dir)| (TableName::new(db, name), dir.as_path()))
        })
    }

    /// The folder of one table.
    pub fn table_dir(&self, name: &TableName) -> Result<&Path, CatalogError> {
        let tables = self
            .layout
            .databases
            .get(&name.database)
            .ok_or_else(|| CatalogError::DatabaseNotFound(name.database.clone()))?;
        tables
            .get(&name.name)
            .map(PathBuf::as_path)
            .ok_or_else(|| CatalogError::TableNotFound(name.to_string()))
    }

    /// Table details, computed synchronously (callers on async threads use [`Catalog::table`]).
    pub fn table_blocking(&self, name: &TableName) -> Result<Arc<TableInfo>, CatalogError> {
        let key = (name.database.clone(), name.name.clone());
        if let Some(info) = self
            .details
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return Ok(Arc::clone(info));
        }
        let dir = self.table_dir(name)?;
        let info = Arc::new(describe_table(name, dir));
        self.details
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, Arc::clone(&info));
        Ok(info)
    }

    /// Forgets cached details so the next look walks the folders again (new partitions).
    pub fn refresh(&self) {
        self.details
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

fn describe_table(name: &TableName, dir: &Path) -> TableInfo {
    let probe = discovery::probe_table(dir);
    let keys = probe
        .as_ref()
        .map(|p| p.partition_keys.clone())
        .unwrap_or_default();
    let scan = discovery::scan_table(dir, &keys);
    let mut problems = Vec::new();
    let columns = match &probe {
        Ok(TableProbe {
            schema,
            problems: skipped,
            ..
        }) => {
            problems.extend(skipped.iter().cloned());
            columns_of(schema)
        }
        Err(reason) => {
            problems.push(format!("cannot be queried: {reason}"));
            Vec::new()
        }
    };
    problems.extend(scan.problems);
    let partition_keys = scan
        .partition_keys
        .iter()
        .map(|k| Column {
            name: k.clone(),
            data_type: "string".to_owned(),
            comment: None,
            nullable: false,
        })
        .collect();
    let mut properties = BTreeMap::new();
    properties.insert("classification".to_owned(), "parquet".to_owned());
    properties.insert(
        "partitioning".to_owned(),
        "hive (key=value folders)".to_owned(),
    );
    TableInfo {
        name: name.clone(),
        columns,
        partition_keys,
        location: format!("file://{}/", dir.display()),
        format: "parquet".to_owned(),
        properties,
        totals: Some(scan.totals),
        problems,
    }
}

/// Columns with Athena-style type names, so both sources read the same in the UI.
pub fn columns_of(schema: &SchemaRef) -> Vec<Column> {
    schema
        .fields()
        .iter()
        .map(|f| Column {
            name: f.name().clone(),
            data_type: athena_type_name(f.data_type()),
            comment: f.metadata().get("comment").cloned(),
            nullable: f.is_nullable(),
        })
        .collect()
}

/// The Athena (Hive DDL) spelling of an Arrow type.
pub fn athena_type_name(data_type: &DataType) -> String {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "string".to_owned(),
        DataType::Int8 => "tinyint".to_owned(),
        DataType::Int16 => "smallint".to_owned(),
        DataType::Int32 => "int".to_owned(),
        DataType::Int64 => "bigint".to_owned(),
        DataType::UInt8 | DataType::UInt16 | DataType::UInt32 | DataType::UInt64 => {
            format!("bigint /* {data_type} */")
        }
        DataType::Float32 => "float".to_owned(),
        DataType::Float64 => "double".to_owned(),
        DataType::Boolean => "boolean".to_owned(),
        DataType::Date32 | DataType::Date64 => "date".to_owned(),
        DataType::Timestamp(_, _) => "timestamp".to_owned(),
        DataType::Decimal128(p, s) | DataType::Decimal256(p, s) => format!("decimal({p},{s})"),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => "binary".to_owned(),
        DataType::List(f) | DataType::LargeList(f) => {
            format!("array<{}>", athena_type_name(f.data_type()))
        }
        DataType::Struct(fields) => {
            let inner: Vec<String> = fields
                .iter()
                .map(|f| format!("{}:{}", f.name(), athena_type_name(f.data_type())))
                .collect();
            format!("struct<{}>", inner.join(","))
        }
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => format!(
                "map<{},{}>",
                athena_type_name(kv[0].data_type()),
                athena_type_name(kv[1].data_type())
            ),
            other => other.to_string(),
        },
        other => other.to_string().to_lowercase(),
    }
}

#[async_trait]
impl Catalog for Arc<LocalCatalog> {
    async fn databases(&self) -> Result<Vec<Database>, CatalogError> {
        Ok(self
            .layout
            .databases
            .keys()
            .map(|name| Database {
                name: name.clone(),
                description: None,
                location: Some(if name == discovery::DEFAULT_DATABASE {
                    format!("file://{}/", self.root.display())
                } else {
                    format!("file://{}/{name}/", self.root.display())
                }),
            })
            .collect())
    }

    async fn tables(&self, database: &str) -> Result<Vec<TableName>, CatalogError> {
        let tables = self
            .layout
            .databases
            .get(database)
            .ok_or_else(|| CatalogError::DatabaseNotFound(database.to_owned()))?;
        Ok(tables.keys().map(|t| TableName::new(database, t)).collect())
    }

    async fn table(&self, name: &TableName) -> Result<TableInfo, CatalogError> {
        let this = Arc::clone(self);
        let name = name.clone();
        blocking(move || this.table_blocking(&name).map(|info| (*info).clone())).await
    }

    async fn partitions(
        &self,
        name: &TableName,
        filter: &PartitionFilter,
        page_token: Option<&str>,
        page_size: usize,
    ) -> Result<PartitionPage, CatalogError> {
        let this = Arc::clone(self);
        let name = name.clone();
        let prefix = filter.prefix.clone();
        let token = page_token.map(str::to_owned);
        blocking(move || {
            let dir = this.table_dir(&name)?;
            let keys: Vec<String> = discovery::probe_table(dir)
                .map(|p| p.partition_keys)
                .unwrap_or_default();
            if keys.is_empty() {
                return Ok(PartitionPage::default());
            }
            let (partitions, next_token) = discovery::list_partitions(
                dir,
                &keys,
                &prefix,
                token.as_deref(),
                page_size.max(1),
            )?;
            Ok(PartitionPage {
                partitions,
                next_token,
            })
        })
        .await
    }

    async fn estimate_scan(
        &self,
        request: &ScanRequest,
    ) -> Result<Option<ScanEstimate>, CatalogError> {
        let this = Arc::clone(self);
        let request = request.clone();
        blocking(move || {
            let dir = this.table_dir(&request.table)?;
            let keys: Vec<String> = discovery::probe_table(dir)
                .map(|p| p.partition_keys)
                .unwrap_or_default();
            estimate::estimate(dir, &keys, &request, &this.footers).map(Some)
        })
        .await
    }

    async fn partition_rows(
        &self,
        name: &TableName,
    ) -> Result<Vec<(Vec<String>, u64)>, CatalogError> {
        let this = Arc::clone(self);
        let name = name.clone();
        blocking(move || {
            let dir = this.table_dir(&name)?.to_path_buf();
            let info = this.table_blocking(&name)?;
            Ok(crate::doctor::local::inventory(&dir, &info).partition_rows())
        })
        .await
    }

    async fn doctor(&self, name: &TableName) -> Result<crate::doctor::Report, CatalogError> {
        let this = Arc::clone(self);
        let name = name.clone();
        blocking(move || {
            let dir = this.table_dir(&name)?.to_path_buf();
            // Fresh details: the doctor is asked because the folders changed.
            this.details
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&(name.database.clone(), name.name.clone()));
            let info = this.table_blocking(&name)?;
            Ok(crate::doctor::local::examine(&dir, &info))
        })
        .await
    }
}

/// Runs filesystem work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, CatalogError> + Send + 'static,
) -> Result<T, CatalogError> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|join| {
            Err(CatalogError::Io {
                path: PathBuf::new(),
                source: std::io::Error::other(join.to_string()),
            })
        })
}
