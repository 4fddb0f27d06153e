//! Tables of a remote catalog (Glue) for the local engine: registered with DataFusion the
//! first time a query names them, reading their S3 location through `object_store`, so a query
//! can be tried on this machine for free before paying Athena to run it.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use datafusion::arrow::datatypes::{DataType, Schema};
use datafusion::catalog::MemorySchemaProvider;
use datafusion::common::TableReference;
use datafusion::datasource::file_format::parquet::{ParquetFormat, transform_schema_to_view};
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::execution::context::SessionContext;
use object_store::ObjectStore;

use super::engine::CATALOG_NAME;
use super::errors::query_error;
use crate::backend::{Catalog, CatalogError, QueryError, QueryErrorKind, TableName};

/// Makes object stores for the buckets remote tables live in.
pub trait ObjectStoreFactory: Send + Sync + fmt::Debug {
    /// A store for `bucket`.
    fn store_for(&self, bucket: &str) -> Result<Arc<dyn ObjectStore>, String>;
}

/// A remote catalog's tables, registered on first use.
pub struct RemoteTables {
    catalog: Arc<dyn Catalog>,
    stores: Arc<dyn ObjectStoreFactory>,
    /// `db.table` names registered so far; a lock held across registration so two queries do
    /// not register one table twice.
    registered: tokio::sync::Mutex<HashSet<String>>,
    buckets: Mutex<HashSet<String>>,
}

impl RemoteTables {
    /// Tables from `catalog`, read through stores from `stores`.
    pub fn new(catalog: Arc<dyn Catalog>, stores: Arc<dyn ObjectStoreFactory>) -> Self {
        Self {
            catalog,
            stores,
            registered: tokio::sync::Mutex::new(HashSet::new()),
            buckets: Mutex::new(HashSet::new()),
        }
    }

    /// Registers every table `sql` names that is not registered yet. SQL that does not parse
    /// registers nothing; planning then reports the syntax error with its position.
    pub async fn register_referenced(
        &self,
        ctx: &SessionContext,
        sql: &str,
        default_db: &str,
    ) -> Result<(), QueryError> {
        let state = ctx.state();
        let dialect = state.config().options().sql_parser.dialect;
        let Ok(statement) = state.sql_to_statement(sql, &dialect) else {
            return Ok(());
        };
        let Ok(references) = state.resolve_table_references(&statement) else {
            return Ok(());
        };
        let mut registered = self.registered.lock().await;
        for reference in references {
            let Some(name) = table_name(&reference, default_db) else {
                continue;
            };
            let key = name.to_string();
            if registered.contains(&key) {
                continue;
            }
            if self.register(ctx, &name).await? {
                registered.insert(key);
            }
        }
        Ok(())
    }

    /// Registers one table; `false` when the catalog does not have it (planning then says the
    /// table is unknown).
    async fn register(&self, ctx: &SessionContext, name: &TableName) -> Result<bool, QueryError> {
        let info = match self.catalog.table(name).await {
            Ok(info) => info,
            Err(CatalogError::TableNotFound(_) | CatalogError::DatabaseNotFound(_)) => {
                return Ok(false);
            }
            Err(e) => {
                return Err(QueryError::new(
                    QueryErrorKind::Planning,
                    format!("cannot read {name} from the catalog: {e}"),
                ));
            }
        };
        let not_local = |why: String| {
            QueryError::new(
                QueryErrorKind::Planning,
                format!("{name} cannot run on the local engine: {why}; run it on Athena"),
            )
        };
        if !info.format.starts_with("parquet") {
            return Err(not_local(format!(
                "it is stored as {}, and the local engine reads Parquet tables",
                info.format
            )));
        }
        let location = normalise_location(&info.location)
            .ok_or_else(|| not_local(format!("its location {:?} is not in S3", info.location)))?;
        let bucket = location
            .trim_start_matches("s3://")
            .split('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        self.ensure_store(ctx, &bucket).map_err(&not_local)?;
        let state = ctx.state();
        let parquet_options = state.table_options().parquet.clone();
        let format = ParquetFormat::default().with_options(parquet_options);
        // Firehose names its files without an extension, so every object is data. Objects
        // outside `key=value/` folders (Athena's `_$folder$` markers) are not listed.
        let listing = ListingOptions::new(Arc::new(format))
            .with_file_extension("")
            .with_table_partition_cols(
                info.partition_keys
                    .iter()
                    .map(|k| (k.name.clone(), DataType::Utf8))
                    .collect(),
            );
        let url = ListingTableUrl::parse(&location).map_err(|e| not_local(e.to_string()))?;
        // The file schema from the newest partition's files, not from every file of the
        // table: a Firehose table holds thousands, and inferring over all of them costs a GET
        // per file before the first query. Older files missing a newer column read it as NULL
        // (the drift guard), as Athena does.
        let sample = match self.newest_partition(name).await {
            Some(newest) => listing.infer_schema(&state, &newest).await.ok(),
            None => None,
        }
        .filter(|schema| !schema.fields().is_empty());
        let mut urls = vec![url];
        urls.extend(compacted_runs(ctx, &location).await);
        let config = ListingTableConfig::new_with_multi_paths(urls).with_listing_options(listing);
        let config = match sample {
            Some(schema) => config.with_schema(schema),
            None => config.infer_schema(&state).await.map_err(|e| {
                not_local(format!(
                    "no Parquet schema could be read under {location} ({})",
                    query_error(&e).message
                ))
            })?,
        };
        let schema = config
            .file_schema
            .as_ref()
            .map(|s| Arc::new(transform_schema_to_view(&Schema::clone(s))));
        let config = match schema {
            Some(schema) => config.with_schema(schema),
            None => config,
        }
        .with_expr_adapter_factory(Arc::new(super::DriftGuardFactory));
        let table = ListingTable::try_new(config).map_err(|e| not_local(e.to_string()))?;
        let df_catalog = ctx.catalog(CATALOG_NAME).ok_or_else(|| {
            QueryError::new(
                QueryErrorKind::Execution,
                "DataFusion lost its default catalog",
            )
        })?;
        if df_catalog.schema(&name.database).is_none() {
            df_catalog
                .register_schema(&name.database, Arc::new(MemorySchemaProvider::new()))
                .map_err(|e| query_error(&e))?;
        }
        ctx.register_table(
            format!("{CATALOG_NAME}.{}.{}", name.database, name.name).as_str(),
            Arc::new(table),
        )
        .map_err(|e| query_error(&e))?;
        Ok(true)
    }

    /// The location of `name`'s last partition in key order (the newest day of a
    /// `year/month/day` table), when it has partitions.
    async fn newest_partition(&self, name: &TableName) -> Option<ListingTableUrl> {
        let mut token: Option<String> = None;
        let mut last = None;
        loop {
            let page = self
                .catalog
                .partitions(
                    name,
                    &crate::backend::PartitionFilter::default(),
                    token.as_deref(),
                    1000,
                )
                .await
                .ok()?;
            if let Some(partition) = page.partitions.last() {
                last = Some(partition.location.clone());
            }
            token = page.next_token;
            if token.is_none() {
                break;
            }
        }
        let location = normalise_location(&last?)?;
        let folder = if location.ends_with('/') {
            location
        } else {
            format!("{location}/")
        };
        ListingTableUrl::parse(&folder).ok()
    }

    fn ensure_store(&self, ctx: &SessionContext, bucket: &str) -> Result<(), String> {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.contains(bucket) {
            return Ok(());
        }
        let store = self.stores.store_for(bucket)?;
        let url = url::Url::parse(&format!("s3://{bucket}")).map_err(|e| e.to_string())?;
        ctx.runtime_env().register_object_store(&url, store);
        buckets.insert(bucket.to_owned());
        Ok(())
    }
}

/// The finished runs of `quarry compact` on S3 under the table's location: each holds
/// `key=value/` folders that Glue partitions now point at, while their old folders are gone.
/// A run still holding its journal is left out: until recovery settles it, the partition's old
/// files are the ones to read, and reading both would count rows twice.
async fn compacted_runs(ctx: &SessionContext, location: &str) -> Vec<ListingTableUrl> {
    let Ok(url) = url::Url::parse(location) else {
        return Vec::new();
    };
    let Ok(store_url) = datafusion::execution::object_store::ObjectStoreUrl::parse(format!(
        "{}://{}",
        url.scheme(),
        url.host_str().unwrap_or_default()
    )) else {
        return Vec::new();
    };
    let Ok(store) = ctx.runtime_env().object_store(&store_url) else {
        return Vec::new();
    };
    let staging =
        object_store::path::Path::from(format!("{}/.quarry-compact", url.path().trim_matches('/')));
    let Ok(listed) = store.list_with_delimiter(Some(&staging)).await else {
        return Vec::new();
    };
    let mut runs = Vec::new();
    for run in listed.common_prefixes {
        let journal = run.clone().join("journal.json");
        if matches!(
            object_store::ObjectStoreExt::head(&store, &journal).await,
            Err(object_store::Error::NotFound { .. })
        ) && let Ok(run_url) = ListingTableUrl::parse(format!(
            "{}://{}/{run}/",
            url.scheme(),
            url.host_str().unwrap_or_default()
        )) {
            runs.push(run_url);
        }
    }
    runs
}

/// The catalog table a reference names, or `None` for DataFusion's own schemas.
fn table_name(reference: &TableReference, default_db: &str) -> Option<TableName> {
    if let Some(catalog) = reference.catalog()
        && !catalog.eq_ignore_ascii_case(CATALOG_NAME)
    {
        return None;
    }
    let database = reference.schema().unwrap_or(default_db);
    if database.eq_ignore_ascii_case("information_schema") {
        return None;
    }
    Some(TableName::new(database, reference.table()))
}

/// `s3://bucket/prefix/` from the `s3://`, `s3a://` or `s3n://` forms Hive tables use.
fn normalise_location(location: &str) -> Option<String> {
    let rest = ["s3://", "s3a://", "s3n://"]
        .iter()
        .find_map(|scheme| location.strip_prefix(scheme))?;
    let mut url = format!("s3://{rest}");
    if !url.ends_with('/') {
        url.push('/');
    }
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_against_the_default_database() {
        let bare = TableReference::bare("logs");
        assert_eq!(
            table_name(&bare, "logs_db"),
            Some(TableName::new("logs_db", "logs"))
        );
        let full = TableReference::full("AwsDataCatalog", "db", "t");
        assert_eq!(table_name(&full, "x"), Some(TableName::new("db", "t")));
        assert_eq!(
            table_name(&TableReference::full("other", "db", "t"), "x"),
            None
        );
        assert_eq!(
            table_name(
                &TableReference::partial("information_schema", "tables"),
                "x"
            ),
            None
        );
    }

    #[test]
    fn hive_schemes_become_s3_folders() {
        assert_eq!(
            normalise_location("s3a://lake/logs").as_deref(),
            Some("s3://lake/logs/")
        );
        assert_eq!(normalise_location("/data/logs"), None);
    }
}
