//! Plain-data models shared by every source. Nothing here knows about a UI or an SDK.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A database (Glue database, or a first-level folder of a local lake).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Database {
    pub name: String,
    pub description: Option<String>,
    pub location: Option<String>,
}

/// A table's name, cheap to list before its details are loaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableName {
    pub database: String,
    pub name: String,
}

impl TableName {
    /// Creates a name from its two parts.
    pub fn new(database: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            database: database.into(),
            name: name.into(),
        }
    }
}

impl fmt::Display for TableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.database, self.name)
    }
}

/// One column of a table: data columns and partition keys share this shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    /// The type as the source spells it (`string`, `bigint`, `Utf8`, …).
    pub data_type: String,
    pub comment: Option<String>,
    pub nullable: bool,
}

/// Everything known about a table once its details are loaded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableInfo {
    pub name: TableName,
    /// Data columns, in file order.
    pub columns: Vec<Column>,
    /// Partition keys, outermost first (`year`, `month`, `day`).
    pub partition_keys: Vec<Column>,
    /// Where the data lives (`file:///…` or `s3://…`).
    pub location: String,
    /// Storage format (`parquet`), or the SerDe for Glue tables.
    pub format: String,
    pub properties: BTreeMap<String, String>,
    /// Totals when the source can tell them cheaply (local lakes can; Glue cannot).
    pub totals: Option<TableTotals>,
    /// Problems found while reading the table; a table with problems may still be queryable.
    pub problems: Vec<String>,
}

/// Size of a whole table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableTotals {
    pub partitions: u64,
    pub files: u64,
    pub bytes: u64,
}

/// One partition: the values of the partition keys, in key order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partition {
    pub values: Vec<String>,
    pub location: String,
    /// Number of data files, when known.
    pub files: Option<u64>,
    /// Bytes of data files, when known.
    pub bytes: Option<u64>,
    /// True when the partition comes from partition projection rather than the catalog.
    pub projected: bool,
}

/// Which partitions to list: equality on a prefix of keys keeps paging cheap for a tree view.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartitionFilter {
    /// Values for the first `prefix.len()` partition keys.
    pub prefix: Vec<String>,
}

/// A page of partitions and the token to ask for the next one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartitionPage {
    pub partitions: Vec<Partition>,
    pub next_token: Option<String>,
}

/// Identifies a submitted query for status, results and cancel.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct QueryId(pub String);

impl fmt::Display for QueryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a query runs and what it may default to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryContext {
    /// Database used for unqualified table names.
    pub database: Option<String>,
    /// Values for the statement's `?` placeholders, in order. They reach the engine apart
    /// from the SQL: Athena's `ExecutionParameters`, DataFusion's parameter values.
    pub parameters: Vec<crate::sql::params::ParamValue>,
    /// Fetch the result through Athena's `UNLOAD` whatever the configured mode (engines without
    /// it ignore this).
    pub unload_requested: bool,
}

/// Lifecycle of a query, the same words Athena uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryState {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl QueryState {
    /// True once the query will not change state again.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Cancelled)
    }
}

/// Which engine ran a query.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineKind {
    #[default]
    Local,
    Athena,
}

impl fmt::Display for EngineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Local => "local (DataFusion)",
            Self::Athena => "Athena",
        })
    }
}

/// Statistics of one query: live while it runs, final once it ends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueryStats {
    pub engine: EngineKind,
    /// Bytes the engine read from storage (Parquet scan metrics locally, Athena's
    /// `DataScannedInBytes` remotely).
    pub bytes_scanned: u64,
    /// Local runs: what Athena would scan for the same query — the partitions and row groups
    /// its static predicates keep, the columns it reads, none of the local engine's dynamic
    /// filters. Billed bytes and cost are computed from it. `None` for Athena's own runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub athena_scan_bytes: Option<u64>,
    /// Bytes Athena would bill: rounded up to the MB with a 10 MB minimum.
    pub billed_bytes: u64,
    /// What the billed bytes cost at the configured price per TB.
    pub cost_usd: f64,
    /// Time waiting in a queue, when the engine has one.
    pub queue_ms: Option<u64>,
    pub planning_ms: u64,
    pub execution_ms: u64,
    pub total_ms: u64,
    /// Rows the query produced (all of them, even past the display limit).
    pub rows: u64,
    pub files_scanned: u64,
    pub files_total: u64,
    pub partitions_scanned: u64,
    pub partitions_total: u64,
    /// Row groups skipped thanks to min/max statistics.
    pub row_groups_pruned: u64,
    /// Row groups that were read.
    pub row_groups_matched: u64,
    /// Bytes of the tables the query referenced, when known.
    pub bytes_total: Option<u64>,
    /// True when the result was served from a result cache (Athena result reuse).
    pub result_reused: bool,
    /// What Athena reports beyond the common fields, when Athena ran the query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub athena: Option<AthenaStats>,
    /// How the results were fetched, once they were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetch: Option<ResultFetch>,
    /// A run on tables kept in the local cache: what Athena would have billed to answer it
    /// (the kept tables' own runs). The run itself costs nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved_usd: Option<f64>,
}

impl ResultPage {
    /// Adds the page that followed this one: its rows, its token, and its fetch cost.
    pub fn append(&mut self, next: ResultPage) {
        self.batches.extend(next.batches);
        self.next_token = next.next_token;
        self.truncated = next.truncated;
        match (&mut self.fetch, next.fetch) {
            (Some(fetch), Some(more)) => {
                fetch.rows = fetch.rows.max(more.rows);
                fetch.ms += more.ms;
                fetch.bytes = match (fetch.bytes, more.bytes) {
                    (Some(a), Some(b)) => Some(a + b),
                    (a, b) => a.or(b),
                };
            }
            (fetch @ None, more) => *fetch = more,
            (Some(_), None) => {}
        }
    }
}

impl QueryStats {
    /// The bytes Athena bills from: its own figure for an Athena run, what it would scan for a
    /// local one.
    pub fn athena_bytes(&self) -> u64 {
        self.athena_scan_bytes.unwrap_or(self.bytes_scanned)
    }

    /// Takes in how a result page was fetched. A complete fetch counted every row, which is
    /// the surest count there is (Athena's runtime statistics may be missing or late).
    pub fn absorb_fetch(&mut self, page: &ResultPage) {
        if let Some(fetch) = &page.fetch {
            if !page.truncated && page.next_token.is_none() {
                self.rows = fetch.rows;
            }
            self.fetch = Some(fetch.clone());
        }
    }
}

/// Athena's own statistics of one query execution.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AthenaStats {
    pub query_execution_id: String,
    pub workgroup: Option<String>,
    /// `DDL`, `DML` or `UTILITY`.
    pub statement_type: Option<String>,
    pub service_pre_processing_ms: Option<u64>,
    pub service_processing_ms: Option<u64>,
    /// From `GetQueryRuntimeStatistics`, when Athena has them for the query.
    pub runtime: Option<RuntimeStats>,
}

/// Rows and bytes in and out of a query, and its stages, from `GetQueryRuntimeStatistics`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RuntimeStats {
    pub input_rows: Option<u64>,
    pub input_bytes: Option<u64>,
    pub output_rows: Option<u64>,
    pub output_bytes: Option<u64>,
    /// Stages in plan order (the output stage first), with their depth in the stage tree.
    pub stages: Vec<StageStats>,
}

/// One stage of a distributed query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageStats {
    pub id: i64,
    pub depth: usize,
    pub state: Option<String>,
    pub input_rows: Option<u64>,
    pub input_bytes: Option<u64>,
    pub output_rows: Option<u64>,
    pub output_bytes: Option<u64>,
    pub execution_ms: Option<u64>,
}

/// One operator (local engine) or stage (Athena) of a query's plan, with what it measured.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanNode {
    /// `DataSourceExec`, `AggregateExec`, `stage 2`.
    pub operator: String,
    /// What it does, in the engine's words (`mode=Final, gby=[logtype@0]`).
    pub detail: String,
    /// `(name, value)` pairs as people read them: `output_rows = 1,500`.
    pub metrics: Vec<(String, String)>,
    pub children: Vec<PlanNode>,
}

impl PlanNode {
    /// The tree as text: one line per node under box-drawing branches, its measurements on the
    /// next line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, "", "");
        out
    }

    fn write(&self, out: &mut String, first: &str, rest: &str) {
        out.push_str(first);
        out.push_str(&self.operator);
        if !self.detail.is_empty() {
            out.push_str(": ");
            out.push_str(&self.detail);
        }
        out.push('\n');
        if !self.metrics.is_empty() {
            let joined: Vec<String> = self
                .metrics
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            let bar = if self.children.is_empty() {
                "   "
            } else {
                "│  "
            };
            out.push_str(rest);
            out.push_str(bar);
            out.push_str("· ");
            out.push_str(&joined.join(" · "));
            out.push('\n');
        }
        for (i, child) in self.children.iter().enumerate() {
            let last = i + 1 == self.children.len();
            let (branch, indent) = if last {
                ("└─ ", "   ")
            } else {
                ("├─ ", "│  ")
            };
            child.write(out, &format!("{rest}{branch}"), &format!("{rest}{indent}"));
        }
    }

    /// An indented plan (DataFusion's `EXPLAIN`, Athena's `EXPLAIN (TYPE DISTRIBUTED)`) as a
    /// tree: a line indented deeper than the one above is its child. `Name: detail` lines split
    /// at the first colon.
    pub fn from_indented(text: &str) -> Option<Self> {
        let mut root = PlanNode {
            operator: "plan".to_owned(),
            ..PlanNode::default()
        };
        // The indents of the chain of last-added nodes below the root.
        let mut open: Vec<usize> = Vec::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let indent = line.len() - line.trim_start().len();
            while open.last().is_some_and(|i| *i >= indent) {
                open.pop();
            }
            let (operator, detail) = match line.trim().split_once(": ") {
                Some((name, detail)) if !name.contains(' ') => (name.to_owned(), detail.to_owned()),
                _ => (line.trim().to_owned(), String::new()),
            };
            let mut parent = &mut root;
            for _ in 0..open.len() {
                parent = parent.children.last_mut()?;
            }
            parent.children.push(PlanNode {
                operator,
                detail,
                ..PlanNode::default()
            });
            open.push(indent);
        }
        match root.children.len() {
            0 => None,
            1 => root.children.pop(),
            _ => Some(root),
        }
    }

    /// The stage tree of an Athena run's statistics, when Athena gave its runtime statistics.
    pub fn of_athena_run(stats: &QueryStats) -> Option<Self> {
        let runtime = stats.athena.as_ref()?.runtime.as_ref()?;
        Self::from_stages(&runtime.stages)
    }

    /// Athena's runtime statistics' stages (flattened with their depth) as a tree.
    pub fn from_stages(stages: &[StageStats]) -> Option<Self> {
        fn build(stages: &[StageStats], at: &mut usize, depth: usize) -> Vec<PlanNode> {
            let mut nodes = Vec::new();
            while let Some(stage) = stages.get(*at).filter(|s| s.depth == depth) {
                *at += 1;
                let mut metrics = Vec::new();
                let mut put = |name: &str, value: Option<String>| {
                    if let Some(value) = value {
                        metrics.push((name.to_owned(), value));
                    }
                };
                put("input_rows", stage.input_rows.map(crate::text::thousands));
                put(
                    "input_bytes",
                    stage.input_bytes.map(crate::text::human_bytes),
                );
                put("output_rows", stage.output_rows.map(crate::text::thousands));
                put(
                    "output_bytes",
                    stage.output_bytes.map(crate::text::human_bytes),
                );
                put("execution", stage.execution_ms.map(|ms| format!("{ms} ms")));
                nodes.push(PlanNode {
                    operator: format!("stage {}", stage.id),
                    detail: stage.state.clone().unwrap_or_default(),
                    metrics,
                    children: build(stages, at, depth + 1),
                });
            }
            nodes
        }
        let mut at = 0;
        build(stages, &mut at, stages.first()?.depth)
            .into_iter()
            .next()
    }
}

/// Which way results were fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FetchPath {
    /// Straight from the engine's memory (local engine).
    InMemory,
    /// The result CSV from S3 (`GetObject`), parsed with arrow-csv.
    S3Csv,
    /// Athena's `GetQueryResults`, page by page.
    ResultsApi,
    /// Parquet files written by Athena's `UNLOAD`, read with arrow.
    Unload,
}

impl fmt::Display for FetchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InMemory => "in memory",
            Self::S3Csv => "S3 CSV",
            Self::ResultsApi => "GetQueryResults",
            Self::Unload => "UNLOAD Parquet",
        })
    }
}

/// How a result was fetched and what it took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultFetch {
    pub path: FetchPath,
    /// Why the faster path was not used, when it was not.
    pub fallback_reason: Option<String>,
    /// Why this path was chosen, when it was a choice (UNLOAD).
    #[serde(default)]
    pub reason: Option<String>,
    /// Files read (UNLOAD writes several).
    #[serde(default)]
    pub files: Option<u64>,
    pub rows: u64,
    /// Bytes downloaded (CSV size, Parquet files), when known.
    pub bytes: Option<u64>,
    pub ms: u64,
}

/// The current state of a query with its statistics so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryStatus {
    pub id: QueryId,
    pub state: QueryState,
    pub stats: QueryStats,
    /// Set when `state` is `Failed`.
    pub error: Option<super::QueryError>,
}

/// A page of results as Arrow batches.
#[derive(Debug, Clone)]
pub struct ResultPage {
    pub schema: datafusion::arrow::datatypes::SchemaRef,
    pub batches: Vec<datafusion::arrow::record_batch::RecordBatch>,
    /// Token for the next page; `None` when this was the last one.
    pub next_token: Option<String>,
    /// True when the engine stopped keeping rows at the display limit.
    pub truncated: bool,
    /// How the rows were fetched, when the engine reports it.
    pub fetch: Option<ResultFetch>,
}
