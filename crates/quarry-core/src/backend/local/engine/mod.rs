//! The local engine: DataFusion over the lake's Parquet, with Athena's cost rule applied to the
//! bytes DataFusion's scans report.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use async_trait::async_trait;
use datafusion::arrow::datatypes::{DataType, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::MemorySchemaProvider;
use datafusion::datasource::file_format::parquet::{ParquetFormat, transform_schema_to_view};
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::cache::cache_manager::CacheManagerConfig;
use datafusion::execution::context::{SessionConfig, SessionContext};
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::physical_optimizer::optimizer::PhysicalOptimizer;
use datafusion::physical_plan::ExecutionPlan;

use super::dialect;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::catalog::LocalCatalog;
use super::discovery;
use super::errors::query_error;
use super::inline_files::InlineLocalFiles;
use super::remote::{ObjectStoreFactory, RemoteTables};
use super::scan_metrics::{self, ScanShape};
use crate::backend::{
    EngineKind, QueryContext, QueryEngine, QueryError, QueryErrorKind, QueryId, QueryState,
    QueryStats, QueryStatus, ResultPage,
};
use crate::cost::Pricing;

mod reuse;
mod run;

use run::{apply_scan, elapsed_ms, execute, finish};

/// Stack of each query thread.
const ENGINE_STACK_BYTES: usize = 256 << 20;

/// The catalog name tables live under, so Athena's fully qualified names work unchanged.
pub const CATALOG_NAME: &str = "awsdatacatalog";

/// Tuning and limits of the local engine.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    pub pricing: Pricing,
    /// Rows kept for display; rows past it are counted, not kept.
    pub row_limit: usize,
    /// Parallelism; `None` uses every core.
    pub target_partitions: Option<usize>,
    /// Answer a query run again with its earlier rows when it reads exactly the same files
    /// (paths, sizes, modification times) and calls nothing like `now()` or `random()`.
    pub reuse_results: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            pricing: Pricing::default(),
            row_limit: 1_000_000,
            target_partitions: None,
            reuse_results: true,
        }
    }
}

/// State shared by the engine and its running queries.
struct Shared {
    ctx: SessionContext,
    /// The lake, when the tables are a local lake's (for table totals in statistics).
    catalog: Option<Arc<LocalCatalog>>,
    /// A remote catalog's tables, registered as queries name them.
    remote: Option<RemoteTables>,
    options: EngineOptions,
    /// Tables that could not be registered, with the reason, for clear errors.
    unqueryable: BTreeMap<String, String>,
    queryable: Vec<String>,
    /// Earlier results, for queries run again over unchanged files.
    reuse: reuse::ResultReuse,
}

/// DataFusion over a [`LocalCatalog`].
pub struct LocalEngine {
    shared: Arc<Shared>,
    queries: Mutex<HashMap<QueryId, Arc<QueryRun>>>,
    next_id: AtomicU64,
    /// Queries execute here, apart from the caller's runtime: some operators (a nested-loop
    /// join, say) compute for long stretches without yielding, and must never starve the tasks
    /// that draw the screen or deliver a cancel. `None` only while dropping.
    executor: Option<tokio::runtime::Runtime>,
}

impl Drop for LocalEngine {
    fn drop(&mut self) {
        // Dropping a runtime from async code panics; shutting it down in the background does not.
        if let Some(executor) = self.executor.take() {
            executor.shutdown_background();
        }
        free_in_background(std::mem::take(
            self.queries
                .get_mut()
                .unwrap_or_else(PoisonError::into_inner),
        ));
    }
}

/// Frees `value` on a thread of its own. A finished run holds its plan, and a plan over a
/// Firehose table holds a dozen metrics per file: freeing a month of them takes tens of
/// milliseconds that neither the next query nor the end of `quarry query` should wait for (the
/// process may exit first; the memory is then the system's to take back).
fn free_in_background<T: Send + 'static>(value: T) {
    // Without a thread, the closure (and the value) is dropped right here.
    let _ = std::thread::Builder::new()
        .name("quarry-free".into())
        .spawn(move || drop(value));
}

/// One submitted query.
struct QueryRun {
    cancel: CancellationToken,
    started: Instant,
    status: watch::Sender<QueryStatus>,
    /// The physical plan once planned (its metrics give live bytes scanned), with the files
    /// and partitions its scans were planned with.
    plan: Mutex<Option<(Arc<dyn ExecutionPlan>, ScanShape)>>,
    rows: AtomicU64,
    result: Mutex<Option<Arc<ResultSet>>>,
}

struct ResultSet {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    truncated: bool,
}

impl LocalEngine {
    /// Registers every table of the lake with DataFusion. Tables that cannot be read are left
    /// out and named in the errors of queries that use them.
    pub fn open(catalog: Arc<LocalCatalog>, options: EngineOptions) -> Result<Self, QueryError> {
        // Listing a local folder is cheap, and a lake that `quarry serve` (or Firehose) writes
        // into gains files while the TUI runs: never cache listings.
        let ctx = session(&options, None);
        let parquet_options = ctx.state().table_options().parquet.clone();
        let df_catalog = ctx.catalog(CATALOG_NAME).ok_or_else(|| {
            QueryError::new(
                QueryErrorKind::Execution,
                "DataFusion lost its default catalog",
            )
        })?;

        let mut unqueryable = BTreeMap::new();
        let mut queryable = Vec::new();
        for (name, dir) in catalog.table_dirs() {
            if df_catalog.schema(&name.database).is_none() {
                df_catalog
                    .register_schema(&name.database, Arc::new(MemorySchemaProvider::new()))
                    .map_err(|e| query_error(&e))?;
            }
            let registered = discovery::probe_table(dir).and_then(|probe| {
                let format = ParquetFormat::default().with_options(parquet_options.clone());
                let listing = ListingOptions::new(Arc::new(format))
                    .with_file_extension(".parquet")
                    .with_table_partition_cols(
                        probe
                            .partition_keys
                            .iter()
                            .map(|k| (k.clone(), DataType::Utf8))
                            .collect(),
                    );
                let url = ListingTableUrl::parse(format!("{}/", dir.display()))
                    .map_err(|e| e.to_string())?;
                let schema = Arc::new(transform_schema_to_view(&Schema::clone(&probe.schema)));
                let config = ListingTableConfig::new(url)
                    .with_listing_options(listing)
                    .with_schema(schema)
                    .with_expr_adapter_factory(Arc::new(super::DriftGuardFactory));
                let table = ListingTable::try_new(config).map_err(|e| e.to_string())?;
                ctx.register_table(
                    format!("{CATALOG_NAME}.{}.{}", name.database, name.name).as_str(),
                    Arc::new(table),
                )
                .map_err(|e| e.to_string())
            });
            match registered {
                Ok(_) => queryable.push(name.to_string()),
                Err(reason) => {
                    unqueryable.insert(name.to_string(), reason);
                }
            }
        }
        Self::start(Shared {
            ctx,
            catalog: Some(catalog),
            remote: None,
            options,
            unqueryable,
            queryable,
            reuse: reuse::ResultReuse::default(),
        })
    }

    /// An engine over a remote catalog's tables (Glue), each registered from its S3 location
    /// the first time a query names it.
    pub fn open_remote(
        catalog: Arc<dyn crate::backend::Catalog>,
        stores: Arc<dyn ObjectStoreFactory>,
        options: EngineOptions,
    ) -> Result<Self, QueryError> {
        // S3 listings cost requests; new files show up within this long, as in Athena. A scan
        // reads one file at a time per partition, footer then data: on S3, where each is a
        // round trip, the partitions (not the cores) bound how many requests are in flight.
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let remote = EngineOptions {
            target_partitions: Some(
                options
                    .target_partitions
                    .unwrap_or(cores)
                    .max(REMOTE_SCAN_PARTITIONS),
            ),
            ..options.clone()
        };
        let ctx = session(&remote, Some(REMOTE_LISTING_TTL));
        Self::start(Shared {
            ctx,
            catalog: None,
            remote: Some(RemoteTables::new(catalog, stores)),
            options,
            unqueryable: BTreeMap::new(),
            queryable: Vec::new(),
            reuse: reuse::ResultReuse::default(),
        })
    }

    fn start(shared: Shared) -> Result<Self, QueryError> {
        let threads = shared
            .options
            .target_partitions
            .unwrap_or_else(|| {
                std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
            })
            .max(1);
        let executor = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("quarry-datafusion")
            // Planning recurses over the expression tree, and the parser builds `a AND b AND …`
            // chains of any length; a big stack (reserved, not committed) keeps a generated
            // query from aborting the process.
            .thread_stack_size(ENGINE_STACK_BYTES)
            .enable_all()
            .build()
            .map_err(|e| {
                QueryError::new(
                    QueryErrorKind::Execution,
                    format!("cannot start the query threads: {e}"),
                )
            })?;
        Ok(Self {
            executor: Some(executor),
            shared: Arc::new(shared),
            queries: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
        })
    }
}

/// Memory for decoded Parquet footers kept between queries.
const FOOTER_CACHE_BYTES: usize = 256 << 20;
/// Memory for per-file statistics kept between queries.
const STATISTICS_CACHE_BYTES: usize = 64 << 20;

/// Partitions of a scan over S3 at least: each keeps one file's requests in flight.
const REMOTE_SCAN_PARTITIONS: usize = 16;

/// How long an S3 listing of a table is reused before it is listed again.
const REMOTE_LISTING_TTL: std::time::Duration = std::time::Duration::from_secs(30);

/// A DataFusion session tuned for lakes (Parquet pushdown, small footer reads, scans kept
/// visible in the statistics, footers cached). `listing_ttl` caches file listings that long
/// (`None`: not at all — DataFusion's own default keeps them forever, which hides files added
/// later).
fn session(options: &EngineOptions, listing_ttl: Option<std::time::Duration>) -> SessionContext {
    let mut config = SessionConfig::new()
        .with_information_schema(true)
        .with_default_catalog_and_schema(CATALOG_NAME, discovery::DEFAULT_DATABASE);
    if let Some(n) = options.target_partitions {
        config = config.with_target_partitions(n.max(1));
    }
    let opts = config.options_mut();
    opts.execution.parquet.pushdown_filters = true;
    opts.execution.parquet.reorder_filters = true;
    opts.execution.parquet.enable_page_index = true;
    // The default 512 KiB hint reads whole files of a daily-partitioned lake just to plan;
    // footers of lake files are a few KiB.
    opts.execution.parquet.metadata_size_hint = Some(16 * 1024);
    opts.sql_parser.collect_spans = true;
    // `100.0` is a DECIMAL in Trino; the dialect's analyzer rule gives quotients Trino's scale.
    opts.sql_parser.parse_float_as_decimal = true;
    // Answering count(*) from footer statistics hides the scan, and with it which files and
    // partitions the query touched; a scan with an empty projection costs next to nothing.
    let mut rules: Vec<_> = PhysicalOptimizer::new()
        .rules
        .into_iter()
        .filter(|rule| rule.name() != "aggregate_statistics")
        .collect();
    rules.push(Arc::new(super::yielding::YieldingJoins));
    // Decoded footers and per-file statistics are kept between queries (checked against each
    // file's size and modification time), so a second query on a table does not read its
    // footers again. DataFusion's defaults (50 and 20 MiB) hold a few thousand small files'
    // footers; a year of a Firehose lake holds tens of thousands, and an evicted footer is a
    // read and a decode on the next query.
    let caches = CacheManagerConfig::default()
        .with_metadata_cache_limit(FOOTER_CACHE_BYTES)
        .with_file_statistics_cache_limit(STATISTICS_CACHE_BYTES);
    let caches = match listing_ttl {
        Some(ttl) => caches.with_list_files_cache_ttl(Some(ttl)),
        None => caches.with_list_files_cache_limit(0),
    };
    let runtime = RuntimeEnvBuilder::new()
        .with_cache_manager(caches)
        .build_arc()
        .unwrap_or_default();
    if let Ok(file_url) = url::Url::parse("file://") {
        runtime.register_object_store(&file_url, Arc::new(InlineLocalFiles::new()));
    }
    let state = SessionStateBuilder::new()
        .with_config(config)
        .with_runtime_env(runtime)
        .with_default_features()
        .with_physical_optimizer_rules(rules)
        .build();
    let ctx = SessionContext::new_with_state(state);
    dialect::register(&ctx);
    ctx
}

impl LocalEngine {
    /// Tables that could not be registered, with the reason.
    pub fn unqueryable_tables(&self) -> &BTreeMap<String, String> {
        &self.shared.unqueryable
    }

    fn run(&self, id: &QueryId) -> Result<Arc<QueryRun>, QueryError> {
        self.queries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .cloned()
            .ok_or_else(|| {
                QueryError::new(
                    QueryErrorKind::UnknownQuery,
                    format!("query {id} is not known"),
                )
            })
    }
}

#[async_trait]
impl QueryEngine for LocalEngine {
    fn function_names(&self) -> Vec<String> {
        let state = self.shared.ctx.state();
        let mut names: Vec<String> = state
            .scalar_functions()
            .keys()
            .chain(state.aggregate_functions().keys())
            .chain(state.window_functions().keys())
            .cloned()
            .collect();
        names.sort();
        names.dedup();
        names
    }

    async fn submit(&self, sql: &str, context: &QueryContext) -> Result<QueryId, QueryError> {
        let id = QueryId(format!(
            "local-{}",
            self.next_id.fetch_add(1, Ordering::Relaxed)
        ));
        let initial = QueryStatus {
            id: id.clone(),
            state: QueryState::Queued,
            stats: QueryStats {
                engine: EngineKind::Local,
                ..QueryStats::default()
            },
            error: None,
        };
        let run = Arc::new(QueryRun {
            cancel: CancellationToken::new(),
            started: Instant::now(),
            status: watch::Sender::new(initial),
            plan: Mutex::new(None),
            rows: AtomicU64::new(0),
            result: Mutex::new(None),
        });
        self.queries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.clone(), Arc::clone(&run));
        let shared = Arc::clone(&self.shared);
        let sql = sql.to_owned();
        let database = context.database.clone();
        let parameters = context.parameters.clone();
        let executor = self
            .executor
            .as_ref()
            .ok_or_else(|| {
                QueryError::new(QueryErrorKind::Execution, "the engine is shutting down")
            })?
            .handle()
            .clone();
        tokio::spawn(async move {
            let mut work = {
                let (shared, run) = (Arc::clone(&shared), Arc::clone(&run));
                executor.spawn(async move {
                    execute(&shared, &run, &sql, database.as_deref(), &parameters).await
                })
            };
            // Cancel answers at once even if the work is mid-computation; aborting stops the
            // work at its next await.
            let outcome = tokio::select! {
                biased;
                () = run.cancel.cancelled() => {
                    work.abort();
                    Err(QueryError::new(QueryErrorKind::Cancelled, "query cancelled"))
                }
                joined = &mut work => joined.unwrap_or_else(|e| {
                    Err(QueryError::new(QueryErrorKind::Execution, format!("the query task failed: {e}")))
                }),
            };
            finish(&shared, &run, outcome).await;
        });
        Ok(id)
    }

    async fn status(&self, id: &QueryId) -> Result<QueryStatus, QueryError> {
        let run = self.run(id)?;
        let mut status = run.status.borrow().clone();
        if !status.state.is_terminal() {
            let plan = run
                .plan
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone();
            if let Some((plan, shape)) = plan {
                apply_scan(
                    &mut status.stats,
                    scan_metrics::summarize(&plan, shape),
                    self.shared.options.pricing,
                );
            }
            status.stats.rows = run.rows.load(Ordering::Relaxed);
            status.stats.total_ms = elapsed_ms(run.started);
        }
        Ok(status)
    }

    async fn cancel(&self, id: &QueryId) -> Result<(), QueryError> {
        self.run(id)?.cancel.cancel();
        Ok(())
    }

    async fn results(
        &self,
        id: &QueryId,
        page_token: Option<&str>,
        max_rows: usize,
    ) -> Result<ResultPage, QueryError> {
        let run = self.run(id)?;
        let result = run
            .result
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| {
                QueryError::new(
                    QueryErrorKind::UnknownQuery,
                    format!("query {id} has no results (not finished, or failed)"),
                )
            })?;
        let offset: usize = match page_token {
            None => 0,
            Some(token) => token.parse().map_err(|_| {
                QueryError::new(
                    QueryErrorKind::UnknownQuery,
                    format!("page token {token:?} is not valid"),
                )
            })?,
        };
        let (batches, end) = slice_rows(&result.batches, offset, max_rows.max(1));
        let total: usize = result.batches.iter().map(RecordBatch::num_rows).sum();
        Ok(ResultPage {
            schema: Arc::clone(&result.schema),
            batches,
            next_token: (end < total).then(|| end.to_string()),
            truncated: result.truncated,
            fetch: None,
        })
    }

    async fn release(&self, id: &QueryId) {
        let run = self
            .queries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id);
        if let Some(run) = run {
            free_in_background(run);
        }
    }

    async fn plan(&self, id: &QueryId) -> Result<Option<crate::backend::PlanNode>, QueryError> {
        let run = self.run(id)?;
        let plan = run
            .plan
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        Ok(plan.map(|(plan, _)| super::plan_tree::plan_node(plan.as_ref())))
    }

    async fn wait(&self, id: &QueryId) -> Result<QueryStatus, QueryError> {
        let run = self.run(id)?;
        let mut updates = run.status.subscribe();
        let status = updates
            .wait_for(|s| s.state.is_terminal())
            .await
            .map_err(|_| {
                QueryError::new(
                    QueryErrorKind::Execution,
                    "the query task ended without a result",
                )
            })?;
        Ok(status.clone())
    }
}

/// Rows `offset..offset + max_rows` of `batches`, zero-copy, and the end offset.
fn slice_rows(
    batches: &[RecordBatch],
    offset: usize,
    max_rows: usize,
) -> (Vec<RecordBatch>, usize) {
    let mut out = Vec::new();
    let mut skip = offset;
    let mut wanted = max_rows;
    for batch in batches {
        if wanted == 0 {
            break;
        }
        let n = batch.num_rows();
        if skip >= n {
            skip -= n;
            continue;
        }
        let take = (n - skip).min(wanted);
        out.push(batch.slice(skip, take));
        wanted -= take;
        skip = 0;
    }
    (out, offset + (max_rows - wanted))
}
