//! Any source with the cache lake beside it: one [`Catalog`] listing both, one [`QueryEngine`]
//! sending a query that reads only kept tables to the local engine over the cache (for $0, its
//! statistics saying what Athena would have billed) and every other query to the source.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;

use super::copy::{CopyPlan, CopyProgress, CopyReport};
use super::{CacheLake, KeptTable, Provenance};
use crate::backend::local::{EngineOptions, LocalCatalog, LocalEngine, ObjectStoreFactory};
use crate::backend::{
    Catalog, CatalogError, Database, PartitionFilter, PartitionPage, PlanNode, QueryContext,
    QueryEngine, QueryError, QueryErrorKind, QueryId, QueryStatus, ResultPage, ScanEstimate,
    ScanRequest, TableInfo, TableName,
};
use crate::doctor::{FixAction, Report};

/// Query ids of runs on the cache carry this prefix, so they never meet the source's.
const KEPT_ID: &str = "kept:";

/// The cache lake as the engine sees it right now; replaced whole after each keep.
struct Opened {
    catalog: Arc<LocalCatalog>,
    engine: Arc<LocalEngine>,
}

/// What the source and its alternate engine share: the cache lake and its open engine.
struct Shared {
    lake: CacheLake,
    options: EngineOptions,
    opened: RwLock<Arc<Opened>>,
}

impl Shared {
    fn open(lake: &CacheLake, options: &EngineOptions) -> Result<Opened, String> {
        let catalog = Arc::new(LocalCatalog::open(lake.root()).map_err(|e| e.to_string())?);
        let engine =
            LocalEngine::open(Arc::clone(&catalog), options.clone()).map_err(|e| e.message)?;
        Ok(Opened {
            catalog,
            engine: Arc::new(engine),
        })
    }

    fn current(&self) -> Arc<Opened> {
        Arc::clone(&self.opened.read().unwrap_or_else(PoisonError::into_inner))
    }
}

/// The kept tables one query reads.
#[derive(Debug, Clone, Default)]
struct KeptRun {
    /// Kept results: each is worth what its own run cost.
    results: Vec<TableName>,
    /// Copied partition ranges read: Athena would bill what the query scans of them.
    copies: Vec<TableName>,
}

/// A source with the cache lake beside it.
pub struct CachedSource {
    catalog: Arc<dyn Catalog>,
    engine: Arc<dyn QueryEngine>,
    shared: Arc<Shared>,
    /// What each run on the cache read, for the savings its statistics report.
    kept_runs: Mutex<HashMap<QueryId, KeptRun>>,
    /// Bytes the cache may hold; least recently used tables are evicted past it.
    budget: u64,
}

impl CachedSource {
    /// `catalog` and `engine` with the cache lake at `lake` beside them; the cache's engine uses
    /// `options` (its row limit, threads and price).
    pub fn new(
        catalog: Arc<dyn Catalog>,
        engine: Arc<dyn QueryEngine>,
        lake: CacheLake,
        options: EngineOptions,
    ) -> Result<Self, String> {
        let opened = Shared::open(&lake, &options)?;
        Ok(Self {
            catalog,
            engine,
            shared: Arc::new(Shared {
                lake,
                options,
                opened: RwLock::new(Arc::new(opened)),
            }),
            kept_runs: Mutex::new(HashMap::new()),
            budget: u64::MAX,
        })
    }

    /// The same source with the cache held to `bytes` (least recently used tables evicted).
    #[must_use]
    pub fn with_budget(mut self, bytes: u64) -> Self {
        self.budget = bytes;
        self
    }

    /// The same source and cache with another engine (the AWS source's alternate).
    #[must_use]
    pub fn with_engine(&self, engine: Arc<dyn QueryEngine>) -> Self {
        Self {
            catalog: Arc::clone(&self.catalog),
            engine,
            shared: Arc::clone(&self.shared),
            kept_runs: Mutex::new(HashMap::new()),
            budget: self.budget,
        }
    }

    /// The cache lake.
    pub fn lake(&self) -> &CacheLake {
        &self.shared.lake
    }

    /// True when `name` is a kept result (not a copy of a source table's partitions, which the
    /// catalog describes as the source does).
    pub fn is_kept(&self, name: &TableName) -> bool {
        self.shared
            .current()
            .catalog
            .table_dir(name)
            .is_ok_and(|folder| super::copy::copy_header(folder).is_none())
    }

    /// Plans copying the partitions of the source's `table` that `condition` matches.
    pub async fn plan_copy(
        &self,
        stores: &dyn ObjectStoreFactory,
        table: &TableName,
        condition: &str,
    ) -> Result<CopyPlan, super::copy::PlanError> {
        super::copy::plan_copy(self.catalog.as_ref(), stores, table, condition).await
    }

    /// Runs `plan` into the cache lake, then opens the copy for queries; a copy interrupted
    /// (the future dropped) resumes on the next call with the same plan.
    pub async fn copy_partitions(
        &self,
        stores: &dyn ObjectStoreFactory,
        plan: &CopyPlan,
        progress: &(dyn Fn(CopyProgress) + Sync),
    ) -> Result<CopyReport, String> {
        let mut report = super::copy::run_copy(plan, stores, &self.shared.lake, progress).await?;
        report.evicted = super::budget::enforce(&self.shared.lake, self.budget, &plan.table)
            .map_err(|e| format!("the cache's budget could not be kept: {e}"))?;
        self.reopen().await?;
        Ok(report)
    }

    /// Opens the cache lake again, so tables written since are queryable.
    async fn reopen(&self) -> Result<(), String> {
        let shared = Arc::clone(&self.shared);
        tokio::task::spawn_blocking(move || {
            let reopened = Shared::open(&shared.lake, &shared.options)?;
            *shared
                .opened
                .write()
                .unwrap_or_else(PoisonError::into_inner) = Arc::new(reopened);
            Ok(())
        })
        .await
        .map_err(|e| e.to_string())?
    }

    /// Keeps a result as the table `name` and opens it for queries at once. A name the source
    /// itself has is refused: queries on it would silently stop reaching the source.
    pub async fn keep(
        &self,
        name: &TableName,
        schema: SchemaRef,
        batches: Vec<RecordBatch>,
        provenance: Provenance,
    ) -> Result<KeptTable, String> {
        if self.catalog.table(name).await.is_ok() {
            return Err(format!(
                "{name} is a table of the source; keep the result under another name"
            ));
        }
        let shared = Arc::clone(&self.shared);
        let name = name.clone();
        let budget = self.budget;
        let kept = tokio::task::spawn_blocking(move || {
            let mut kept = shared
                .lake
                .keep(&name, &schema, &batches, &provenance)
                .map_err(|e| e.to_string())?;
            kept.evicted = super::budget::enforce(&shared.lake, budget, &name)
                .map_err(|e| format!("the cache's budget could not be kept: {e}"))?;
            Ok::<_, String>(kept)
        })
        .await
        .map_err(|e| e.to_string())??;
        self.reopen().await?;
        Ok(kept)
    }

    /// The kept tables `sql` reads when it can run on the cache, or `None` when it reads a
    /// table of the source (or none). A copied table counts only when the query's partition
    /// condition matches no partition the copy lacks. Reading a kept result together with a
    /// source table is an error: one engine cannot see the other's tables.
    fn kept_tables(
        &self,
        sql: &str,
        context: &QueryContext,
    ) -> Result<Option<KeptRun>, QueryError> {
        let opened = self.shared.current();
        let mut run = KeptRun::default();
        let mut elsewhere: Option<TableName> = None;
        let mut any = false;
        for statement in quarry_sql::analyze::analyze(sql) {
            for table in &statement.tables {
                any = true;
                let name = TableName {
                    database: table
                        .database()
                        .map(str::to_owned)
                        .or_else(|| context.database.clone())
                        .unwrap_or_else(|| "default".to_owned())
                        .to_ascii_lowercase(),
                    name: table.table().to_ascii_lowercase(),
                };
                let Ok(folder) = opened.catalog.table_dir(&name) else {
                    elsewhere.get_or_insert(name);
                    continue;
                };
                match super::copy::copy_header(folder) {
                    None => run.results.push(name),
                    Some(header) => {
                        let keys: Vec<quarry_sql::analyze::PartitionKey> = header
                            .keys
                            .iter()
                            .map(|(k, t)| quarry_sql::analyze::PartitionKey::new(k, t))
                            .collect();
                        let (pred, _) = table.partition_filter(&keys);
                        if super::copy::covers(&header, &pred) {
                            run.copies.push(name);
                        } else {
                            elsewhere.get_or_insert(name);
                        }
                    }
                }
            }
        }
        match (elsewhere, run.results.first()) {
            _ if !any => Ok(None),
            (None, _) => Ok(Some(run)),
            // Copies not covering the query: the source answers it (no kept result involved).
            (Some(_), None) => Ok(None),
            (Some(other), Some(kept)) => Err(QueryError::new(
                QueryErrorKind::Planning,
                format!(
                    "{kept} is kept locally and {other} is not: a query reads the kept tables or \
                     the source's, not both (keep what it needs of {other} first)"
                ),
            )),
        }
    }

    fn cache_id(id: &QueryId) -> Option<QueryId> {
        id.0.strip_prefix(KEPT_ID)
            .map(|inner| QueryId(inner.to_owned()))
    }

    /// A run on the cache: free, and what Athena billed for the kept tables' own runs saved.
    fn kept_status(&self, id: &QueryId, mut status: QueryStatus) -> QueryStatus {
        let run = self
            .kept_runs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .cloned()
            .unwrap_or_default();
        let results: f64 = run
            .results
            .iter()
            .filter_map(|name| self.shared.lake.provenance(name))
            .map(|p| p.cost_usd)
            .sum();
        // On copies, Athena would have billed what this query scans: the local engine's own
        // figure of Athena's bytes.
        let copies = if run.copies.is_empty() {
            0.0
        } else {
            status.stats.cost_usd
        };
        let saved = results + copies;
        status.id = id.clone();
        status.stats.billed_bytes = 0;
        status.stats.cost_usd = 0.0;
        status.stats.athena_scan_bytes = None;
        status.stats.saved_usd = Some(saved);
        status
    }
}

#[async_trait]
impl QueryEngine for CachedSource {
    async fn submit(&self, sql: &str, context: &QueryContext) -> Result<QueryId, QueryError> {
        let Some(run) = self.kept_tables(sql, context)? else {
            return self.engine.submit(sql, context).await;
        };
        let opened = self.shared.current();
        for name in run.results.iter().chain(&run.copies) {
            if let Ok(folder) = opened.catalog.table_dir(name) {
                super::budget::touch(folder);
            }
        }
        let inner = opened.engine.submit(sql, context).await?;
        let id = QueryId(format!("{KEPT_ID}{}", inner.0));
        self.kept_runs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.clone(), run);
        Ok(id)
    }

    async fn status(&self, id: &QueryId) -> Result<QueryStatus, QueryError> {
        match Self::cache_id(id) {
            Some(inner) => {
                let status = self.shared.current().engine.status(&inner).await?;
                Ok(self.kept_status(id, status))
            }
            None => self.engine.status(id).await,
        }
    }

    async fn cancel(&self, id: &QueryId) -> Result<(), QueryError> {
        match Self::cache_id(id) {
            Some(inner) => self.shared.current().engine.cancel(&inner).await,
            None => self.engine.cancel(id).await,
        }
    }

    async fn results(
        &self,
        id: &QueryId,
        page_token: Option<&str>,
        max_rows: usize,
    ) -> Result<ResultPage, QueryError> {
        match Self::cache_id(id) {
            Some(inner) => {
                self.shared
                    .current()
                    .engine
                    .results(&inner, page_token, max_rows)
                    .await
            }
            None => self.engine.results(id, page_token, max_rows).await,
        }
    }

    async fn release(&self, id: &QueryId) {
        match Self::cache_id(id) {
            Some(inner) => {
                self.kept_runs
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(id);
                self.shared.current().engine.release(&inner).await;
            }
            None => self.engine.release(id).await,
        }
    }

    async fn plan(&self, id: &QueryId) -> Result<Option<PlanNode>, QueryError> {
        match Self::cache_id(id) {
            Some(inner) => self.shared.current().engine.plan(&inner).await,
            None => self.engine.plan(id).await,
        }
    }

    fn function_names(&self) -> Vec<String> {
        self.engine.function_names()
    }

    async fn wait(&self, id: &QueryId) -> Result<QueryStatus, QueryError> {
        match Self::cache_id(id) {
            Some(inner) => {
                let status = self.shared.current().engine.wait(&inner).await?;
                Ok(self.kept_status(id, status))
            }
            None => self.engine.wait(id).await,
        }
    }
}

#[async_trait]
impl Catalog for CachedSource {
    async fn databases(&self) -> Result<Vec<Database>, CatalogError> {
        let mut databases = self.catalog.databases().await?;
        let kept = self.shared.current().catalog.databases().await?;
        for database in kept {
            if !databases.iter().any(|d| d.name == database.name) {
                databases.push(Database {
                    description: Some("results kept locally: queried for $0".to_owned()),
                    ..database
                });
            }
        }
        databases.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(databases)
    }

    async fn tables(&self, database: &str) -> Result<Vec<TableName>, CatalogError> {
        let kept = self
            .shared
            .current()
            .catalog
            .tables(database)
            .await
            .unwrap_or_default();
        let mut tables = match self.catalog.tables(database).await {
            Ok(tables) => tables,
            Err(_) if !kept.is_empty() => Vec::new(),
            Err(e) => return Err(e),
        };
        for name in kept {
            if !tables.contains(&name) {
                tables.push(name);
            }
        }
        tables.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(tables)
    }

    async fn table(&self, name: &TableName) -> Result<TableInfo, CatalogError> {
        if !self.is_kept(name) {
            let mut info = self.catalog.table(name).await?;
            let opened = self.shared.current();
            if let Some(header) = opened
                .catalog
                .table_dir(name)
                .ok()
                .and_then(super::copy::copy_header)
            {
                info.properties.insert(
                    "kept.copy".to_owned(),
                    format!(
                        "{} of {} partitions kept locally ({}), copied {}",
                        header.copied_partitions.len(),
                        header.source_partitions.len(),
                        header.condition,
                        header
                            .started_at
                            .get(..16)
                            .unwrap_or_default()
                            .replace('T', " ")
                    ),
                );
            }
            return Ok(info);
        }
        let mut info = self.shared.current().catalog.table(name).await?;
        if let Some(provenance) = self.shared.lake.provenance(name) {
            let properties = [
                ("kept.sql", provenance.sql),
                ("kept.engine", provenance.engine),
                ("kept.source", provenance.source),
                ("kept.at", provenance.kept_at),
                ("kept.billed_bytes", provenance.billed_bytes.to_string()),
                ("kept.cost_usd", provenance.cost_usd.to_string()),
                ("kept.rows", provenance.rows.to_string()),
                ("kept.partitions", provenance.partitions.join("; ")),
            ];
            info.properties
                .extend(properties.into_iter().map(|(k, v)| (k.to_owned(), v)));
        }
        Ok(info)
    }

    async fn partitions(
        &self,
        name: &TableName,
        filter: &PartitionFilter,
        page_token: Option<&str>,
        page_size: usize,
    ) -> Result<PartitionPage, CatalogError> {
        if self.is_kept(name) {
            let catalog = Arc::clone(&self.shared.current().catalog);
            catalog
                .partitions(name, filter, page_token, page_size)
                .await
        } else {
            self.catalog
                .partitions(name, filter, page_token, page_size)
                .await
        }
    }

    async fn partition_count(&self, name: &TableName) -> Result<Option<u64>, CatalogError> {
        if self.is_kept(name) {
            self.shared.current().catalog.partition_count(name).await
        } else {
            self.catalog.partition_count(name).await
        }
    }

    async fn partition_size(&self, location: &str) -> Result<Option<(u64, u64)>, CatalogError> {
        let path = location.strip_prefix("file://").unwrap_or(location);
        if std::path::Path::new(path).starts_with(self.shared.lake.root()) {
            self.shared.current().catalog.partition_size(location).await
        } else {
            self.catalog.partition_size(location).await
        }
    }

    async fn estimate_scan(
        &self,
        request: &ScanRequest,
    ) -> Result<Option<ScanEstimate>, CatalogError> {
        if self.is_kept(&request.table) {
            self.shared.current().catalog.estimate_scan(request).await
        } else {
            self.catalog.estimate_scan(request).await
        }
    }

    async fn doctor(&self, name: &TableName) -> Result<Report, CatalogError> {
        if self.is_kept(name) {
            self.shared.current().catalog.doctor(name).await
        } else {
            self.catalog.doctor(name).await
        }
    }

    async fn partition_rows(
        &self,
        name: &TableName,
    ) -> Result<Vec<(Vec<String>, u64)>, CatalogError> {
        if self.is_kept(name) {
            self.shared.current().catalog.partition_rows(name).await
        } else {
            self.catalog.partition_rows(name).await
        }
    }

    async fn apply_fix(
        &self,
        name: &TableName,
        action: &FixAction,
    ) -> Result<String, CatalogError> {
        self.catalog.apply_fix(name, action).await
    }
}
