//! The Glue Data Catalog as a [`Catalog`]: databases, tables, and partitions paged with
//! `NextToken`, filtered by a Glue expression, or computed from partition projection.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use aws_sdk_glue::types::{Column as GlueColumn, Segment, Table};
use futures::future::try_join_all;

use super::errors::{AwsCallError, describe};
use super::projection::{Projection, ProjectionError};
use super::s3::{S3Location, prefix_size};
use crate::backend::{
    Catalog, CatalogError, Column, Database, Partition, PartitionFilter, PartitionPage,
    ScanEstimate, ScanRequest, TableInfo, TableName,
};

/// Glue's largest `GetPartitions` page.
pub(super) const GLUE_MAX_PAGE: usize = 1000;
/// Parallel cursors for whole-table partition scans.
const SEGMENTS: i32 = 4;

/// Glue tables and partitions; S3 for partition sizes.
pub struct GlueCatalog {
    pub(super) glue: aws_sdk_glue::Client,
    pub(super) s3: aws_sdk_s3::Client,
    pub(super) tables: Mutex<HashMap<(String, String), Arc<TableInfo>>>,
    /// Files and bytes per partition location, filled as partitions are sized.
    pub(super) sizes: Mutex<HashMap<String, (u64, u64)>>,
    /// Parquet footers read from S3 for scan estimates, by object key and size.
    pub(super) footers: Mutex<HashMap<(String, u64), Arc<crate::backend::local::FooterSummary>>>,
}

impl GlueCatalog {
    /// A catalog over the account's default Glue catalog.
    pub fn new(glue: aws_sdk_glue::Client, s3: aws_sdk_s3::Client) -> Self {
        Self {
            glue,
            s3,
            tables: Mutex::new(HashMap::new()),
            sizes: Mutex::new(HashMap::new()),
            footers: Mutex::new(HashMap::new()),
        }
    }

    fn cached(&self, name: &TableName) -> Option<Arc<TableInfo>> {
        self.tables
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&(name.database.clone(), name.name.clone()))
            .cloned()
    }

    fn remember(&self, info: TableInfo) -> Arc<TableInfo> {
        let info = Arc::new(info);
        self.tables
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                (info.name.database.clone(), info.name.name.clone()),
                Arc::clone(&info),
            );
        info
    }

    pub(super) async fn table_info(
        &self,
        name: &TableName,
    ) -> Result<Arc<TableInfo>, CatalogError> {
        if let Some(info) = self.cached(name) {
            return Ok(info);
        }
        let table = self.glue_table(name).await?;
        Ok(self.remember(table_info(&name.database, &table)))
    }

    /// The table as Glue returns it (`GetTable`), uncached.
    pub(super) async fn glue_table(&self, name: &TableName) -> Result<Table, CatalogError> {
        let output = self
            .glue
            .get_table()
            .database_name(&name.database)
            .name(&name.name)
            .send()
            .await
            .map_err(|e| {
                let error = describe(&e, &format!("Glue GetTable on {name}"));
                if error.is_not_found() {
                    CatalogError::TableNotFound(name.to_string())
                } else {
                    CatalogError::Service(error.message)
                }
            })?;
        output
            .table()
            .cloned()
            .ok_or_else(|| CatalogError::TableNotFound(name.to_string()))
    }

    /// Counts the partitions matching `expression` with parallel segment scans, holding one
    /// page per segment at a time. Segments are disjoint in Glue; a service that ignores
    /// `Segment` (some emulators) answers every segment alike, which shows as the same first
    /// partition in each, and then one segment's count is the count.
    pub async fn count_partitions(
        &self,
        name: &TableName,
        expression: Option<&str>,
    ) -> Result<u64, CatalogError> {
        let scans = (0..SEGMENTS).map(|segment| async move {
            let mut count = 0_u64;
            let mut first: Option<Vec<String>> = None;
            let mut pages = self
                .glue
                .get_partitions()
                .database_name(&name.database)
                .table_name(&name.name)
                .set_expression(expression.map(str::to_owned))
                .segment(segment_of(segment)?)
                .max_results(GLUE_MAX_PAGE as i32)
                // Values are all a count needs.
                .exclude_column_schema(true)
                .into_paginator()
                .send();
            while let Some(output) = pages.next().await {
                let output = output.map_err(|e| {
                    service(&describe(&e, &format!("Glue GetPartitions on {name}")))
                })?;
                count += output.partitions().len() as u64;
                if first.is_none() {
                    first = output.partitions().first().map(|p| p.values().to_vec());
                }
            }
            Ok::<_, CatalogError>((count, first))
        });
        let segments = try_join_all(scans).await?;
        let ignored = segments[0].1.is_some() && segments.iter().all(|s| s.1 == segments[0].1);
        if ignored {
            return Ok(segments[0].0);
        }
        Ok(segments.iter().map(|s| s.0).sum())
    }

    /// Files and bytes under a partition's location, from an S3 listing cached per location.
    pub async fn location_size(&self, location: &str) -> Result<(u64, u64), CatalogError> {
        if let Some(size) = self
            .sizes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(location)
        {
            return Ok(*size);
        }
        let parsed = S3Location::parse(location).ok_or_else(|| {
            CatalogError::Service(format!(
                "partition location {location} is not an s3:// address"
            ))
        })?;
        let size = prefix_size(&self.s3, &parsed)
            .await
            .map_err(|e| service(&e))?;
        self.sizes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(location.to_owned(), size);
        Ok(size)
    }

    fn projected_page(
        info: &TableInfo,
        projection: &Projection,
        filter: &PartitionFilter,
        page_token: Option<&str>,
        page_size: usize,
    ) -> Result<PartitionPage, CatalogError> {
        let projection = projection.restricted_to(&filter.prefix);
        let start: u64 = match page_token {
            None => 0,
            Some(token) => token
                .parse()
                .map_err(|_| CatalogError::BadPageToken(token.to_owned()))?,
        };
        let end = projection
            .count()
            .min(start.saturating_add(page_size as u64));
        let partitions = (start..end)
            .map(|index| {
                let values = projection.partition_at(index);
                Partition {
                    location: projection.location(&info.location, &values),
                    values,
                    files: None,
                    bytes: None,
                    projected: true,
                }
            })
            .collect();
        Ok(PartitionPage {
            partitions,
            next_token: (end < projection.count()).then(|| end.to_string()),
        })
    }
}

fn segment_of(number: i32) -> Result<Segment, CatalogError> {
    Segment::builder()
        .segment_number(number)
        .total_segments(SEGMENTS)
        .build()
        .map_err(|e| CatalogError::Service(format!("bad Glue segment: {e}")))
}

pub(super) fn service(error: &AwsCallError) -> CatalogError {
    CatalogError::Service(error.message.clone())
}

#[async_trait]
impl Catalog for GlueCatalog {
    async fn databases(&self) -> Result<Vec<Database>, CatalogError> {
        let mut pages = self.glue.get_databases().into_paginator().send();
        let mut databases = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| service(&describe(&e, "Glue GetDatabases")))?;
            databases.extend(page.database_list().iter().map(|d| Database {
                name: d.name().to_owned(),
                description: d.description().map(str::to_owned),
                location: d.location_uri().map(str::to_owned),
            }));
        }
        databases.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(databases)
    }

    async fn tables(&self, database: &str) -> Result<Vec<TableName>, CatalogError> {
        let mut pages = self
            .glue
            .get_tables()
            .database_name(database)
            .into_paginator()
            .send();
        let mut names = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                let error = describe(&e, &format!("Glue GetTables in {database}"));
                if error.is_not_found() {
                    CatalogError::DatabaseNotFound(database.to_owned())
                } else {
                    service(&error)
                }
            })?;
            // GetTables returns whole definitions: keep them so opening a table costs nothing.
            for table in page.table_list() {
                let info = self.remember(table_info(database, table));
                names.push(info.name.clone());
            }
        }
        names.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(names)
    }

    async fn table(&self, name: &TableName) -> Result<TableInfo, CatalogError> {
        Ok(TableInfo::clone(&*self.table_info(name).await?))
    }

    async fn partitions(
        &self,
        name: &TableName,
        filter: &PartitionFilter,
        page_token: Option<&str>,
        page_size: usize,
    ) -> Result<PartitionPage, CatalogError> {
        let info = self.table_info(name).await?;
        match projection_of(&info) {
            Ok(Some(projection)) => {
                return Self::projected_page(&info, &projection, filter, page_token, page_size);
            }
            Ok(None) => {}
            Err(e) => return Err(CatalogError::Service(format!("{name}: {e}"))),
        }
        let output = self
            .glue
            .get_partitions()
            .database_name(&name.database)
            .table_name(&name.name)
            .set_expression(glue_expression(&info.partition_keys, &filter.prefix))
            .set_next_token(page_token.map(str::to_owned))
            .max_results(page_size.clamp(1, GLUE_MAX_PAGE) as i32)
            .exclude_column_schema(true)
            .send()
            .await
            .map_err(|e| service(&describe(&e, &format!("Glue GetPartitions on {name}"))))?;
        let mut partitions: Vec<Partition> = output
            .partitions()
            .iter()
            .map(|p| Partition {
                values: p.values().to_vec(),
                location: p
                    .storage_descriptor()
                    .and_then(|s| s.location())
                    .unwrap_or_default()
                    .to_owned(),
                files: None,
                bytes: None,
                projected: false,
            })
            .collect();
        {
            let sizes = self.sizes.lock().unwrap_or_else(PoisonError::into_inner);
            for partition in &mut partitions {
                if let Some((files, bytes)) = sizes.get(&partition.location) {
                    partition.files = Some(*files);
                    partition.bytes = Some(*bytes);
                }
            }
        }
        Ok(PartitionPage {
            partitions,
            next_token: output.next_token().map(str::to_owned),
        })
    }

    async fn partition_count(&self, name: &TableName) -> Result<Option<u64>, CatalogError> {
        let info = self.table_info(name).await?;
        match projection_of(&info) {
            Ok(Some(projection)) => Ok(Some(projection.count())),
            Ok(None) => self.count_partitions(name, None).await.map(Some),
            Err(e) => Err(CatalogError::Service(format!("{name}: {e}"))),
        }
    }

    async fn partition_size(&self, location: &str) -> Result<Option<(u64, u64)>, CatalogError> {
        self.location_size(location).await.map(Some)
    }

    async fn doctor(&self, name: &TableName) -> Result<crate::doctor::Report, CatalogError> {
        self.examine(name).await
    }

    async fn partition_rows(
        &self,
        name: &TableName,
    ) -> Result<Vec<(Vec<String>, u64)>, CatalogError> {
        self.partition_rows(name).await
    }

    async fn apply_fix(
        &self,
        name: &TableName,
        action: &crate::doctor::FixAction,
    ) -> Result<String, CatalogError> {
        self.apply(name, action).await
    }

    async fn estimate_scan(
        &self,
        request: &ScanRequest,
    ) -> Result<Option<ScanEstimate>, CatalogError> {
        self.estimate(request).await.map(Some)
    }
}

/// A Glue `Expression` selecting partitions whose first keys equal `prefix`: numbers bare for
/// numeric keys, quoted strings (quotes doubled) for the rest. `None` selects everything.
pub fn glue_expression(keys: &[Column], prefix: &[String]) -> Option<String> {
    let terms: Vec<String> = keys
        .iter()
        .zip(prefix)
        .map(|(key, value)| {
            let numeric = matches!(
                key.data_type
                    .split('(')
                    .next()
                    .unwrap_or_default()
                    .to_ascii_lowercase()
                    .as_str(),
                "tinyint"
                    | "smallint"
                    | "int"
                    | "integer"
                    | "bigint"
                    | "float"
                    | "double"
                    | "decimal"
            );
            if numeric && value.parse::<f64>().is_ok_and(f64::is_finite) {
                format!("{} = {value}", key.name)
            } else {
                format!("{} = {}", key.name, quarry_sql::analyze::predicate::quote(value))
            }
        })
        .collect();
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

fn columns(glue: &[GlueColumn]) -> Vec<Column> {
    glue.iter()
        .map(|c| Column {
            name: c.name().to_owned(),
            data_type: c.r#type().unwrap_or("string").to_owned(),
            comment: c.comment().map(str::to_owned),
            nullable: true,
        })
        .collect()
}

/// `parquet (ParquetHiveSerDe)` from a SerDe class and input format.
fn format_of(serde: Option<&str>, input_format: Option<&str>) -> String {
    let both = format!(
        "{} {}",
        serde.unwrap_or_default(),
        input_format.unwrap_or_default()
    )
    .to_ascii_lowercase();
    let kind = [
        ("parquet", "parquet"),
        ("orc", "orc"),
        ("avro", "avro"),
        ("json", "json"),
        ("opencsv", "csv"),
        ("lazysimple", "text"),
        ("iceberg", "iceberg"),
    ]
    .iter()
    .find(|(needle, _)| both.contains(needle))
    .map_or("unknown", |(_, kind)| kind);
    match serde.and_then(|s| s.rsplit('.').next()) {
        Some(class) => format!("{kind} ({class})"),
        None => kind.to_owned(),
    }
}

fn table_info(database: &str, table: &Table) -> TableInfo {
    let storage = table.storage_descriptor();
    let serde = storage.and_then(|s| s.serde_info());
    let mut properties: BTreeMap<String, String> = table
        .parameters()
        .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    if let Some(parameters) = serde.and_then(|s| s.parameters()) {
        for (key, value) in parameters {
            properties.insert(format!("serde.{key}"), value.clone());
        }
    }
    if let Some(kind) = table.table_type() {
        properties.insert("table_type".to_owned(), kind.to_owned());
    }
    let location = storage
        .and_then(|s| s.location())
        .unwrap_or_default()
        .to_owned();
    let mut problems = Vec::new();
    if location.is_empty() && table.table_type() != Some("VIRTUAL_VIEW") {
        problems.push("the table has no storage location".to_owned());
    }
    let mut info = TableInfo {
        name: TableName::new(table.database_name().unwrap_or(database), table.name()),
        columns: columns(
            storage
                .map(aws_sdk_glue::types::StorageDescriptor::columns)
                .unwrap_or_default(),
        ),
        partition_keys: columns(table.partition_keys()),
        location,
        format: format_of(
            serde.and_then(|s| s.serialization_library()),
            storage.and_then(|s| s.input_format()),
        ),
        properties,
        totals: None,
        problems,
    };
    if let Err(e) = projection_of(&info) {
        info.problems.push(e.to_string());
    }
    info
}

/// The table's partition projection as of now, when it has one.
pub(super) fn projection_of(info: &TableInfo) -> Result<Option<Projection>, ProjectionError> {
    let keys: Vec<String> = info.partition_keys.iter().map(|k| k.name.clone()).collect();
    Projection::from_properties(&info.properties, &keys, chrono::Utc::now().naive_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, data_type: &str) -> Column {
        Column {
            name: name.to_owned(),
            data_type: data_type.to_owned(),
            comment: None,
            nullable: true,
        }
    }

    #[test]
    fn expressions_quote_strings_and_leave_numbers_bare() {
        let keys = [
            key("year", "string"),
            key("month", "int"),
            key("src", "varchar(10)"),
        ];
        assert_eq!(glue_expression(&keys, &[]), None);
        assert_eq!(
            glue_expression(&keys, &["2023".into(), "9".into(), "o'brien".into()]).as_deref(),
            Some("year = '2023' AND month = 9 AND src = 'o''brien'")
        );
        // A numeric key given a non-number still makes a valid (if empty) filter.
        assert_eq!(
            glue_expression(&[key("n", "bigint")], &["x".into()]).as_deref(),
            Some("n = 'x'")
        );
    }

    #[test]
    fn formats_name_the_kind_and_the_serde_class() {
        assert_eq!(
            format_of(
                Some("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"),
                None
            ),
            "parquet (ParquetHiveSerDe)"
        );
        assert_eq!(
            format_of(Some("org.openx.data.jsonserde.JsonSerDe"), None),
            "json (JsonSerDe)"
        );
        assert_eq!(format_of(None, None), "unknown");
    }
}
