//! Everything the screen shows, as plain data.

use crate::backend::{QueryError, QueryStats};
use crate::sql::statements::Statement;

use super::action::{Focus, Ticket};
use super::catalog_tree::CatalogTree;
use super::completion::Completion;
use super::editor::{Buffer, Editor};
use super::overlay::Overlay;
use super::partitions::PartitionBrowser;
use super::results::ResultGrid;

/// The query the user ran last, and where it stands.
#[derive(Debug, Clone)]
pub enum QueryPhase {
    Idle,
    Running {
        ticket: Ticket,
        statement: Statement,
        stats: QueryStats,
        cancelling: bool,
    },
    Finished {
        stats: QueryStats,
    },
    Failed {
        error: QueryError,
        stats: Option<QueryStats>,
    },
    Cancelled {
        stats: QueryStats,
    },
}

/// An export being written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportProgress {
    pub path: std::path::PathBuf,
    pub rows_written: u64,
    pub rows_total: u64,
    /// The grid held only the first rows of the query's result.
    pub truncated: bool,
}

/// Bytes and dollars of every query this session.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SessionTotals {
    pub queries: u64,
    /// What Athena scanned, or would have for the local runs.
    pub bytes_scanned: u64,
    pub cost_usd: f64,
}

/// The whole app state.
#[derive(Debug)]
pub struct AppState {
    pub focus: Focus,
    /// The one thing drawn over the panes, which gets every key (see [`Overlay`]).
    pub(crate) overlay: Option<Overlay>,
    /// "local lake ~/…/demo-lake", shown in the title.
    pub source_label: String,
    pub catalog: CatalogTree,
    pub editor: Editor,
    /// The completion popup, while open.
    pub completion: Option<Completion>,
    /// True while columns completion asked for are loading; their arrival refreshes it.
    pub completion_awaits_columns: bool,
    /// The engine's function names, offered by completion.
    pub functions: Vec<String>,
    pub phase: QueryPhase,
    pub results: Option<ResultGrid>,
    /// A cache lake is open beside the source: `K` can keep results.
    pub cache_lake: bool,
    /// The source can copy partitions into the cache lake (S3: the AWS source).
    pub can_copy: bool,
    /// A measured copy waiting for its confirmation.
    pub copy_plan: Option<std::sync::Arc<crate::cache::copy::CopyPlan>>,
    /// The copy running, and how far it got.
    pub copying: Option<crate::cache::copy::CopyProgress>,
    /// One tab per statement of the last F6 over several statements.
    pub result_tabs: super::result_tabs::ResultTabs,
    /// The plan of the last local run (its ticket), with its measurements.
    pub last_plan: Option<(super::action::Ticket, crate::backend::PlanNode)>,
    /// Query parameters: values being asked for and those remembered.
    pub parameters: super::parameters::Parameters,
    /// The last partition browser opened; kept when hidden so reopening it is instant.
    pub partitions: Option<PartitionBrowser>,
    /// True while the browser is shown in the results' place.
    pub show_partitions: bool,
    /// A table whose browser opens once its details arrive.
    pub pending_partitions: Option<crate::backend::TableName>,
    pub session: SessionTotals,
    pub export: Option<ExportProgress>,
    /// Where Ctrl-S offers to save a new query.
    pub user_queries_dir: std::path::PathBuf,
    /// True when the source keeps named queries (Athena), so Alt-S can save one.
    pub named_queries: bool,
    /// Where exports go unless the user types another path.
    pub export_dir: std::path::PathBuf,
    /// A one-line message in the status bar (e.g. why an action did nothing).
    pub notice: Option<String>,
    /// Hints and the scan estimate of the statement under the cursor.
    pub hints: super::hints::HintState,
    pub cost_guard: super::hints::CostGuard,
    /// This process's id in the ledger.
    pub session_id: String,
    pub spinner: usize,
    pub next_ticket: Ticket,
    pub quit: bool,
}

impl AppState {
    /// A fresh state with `first` in the editor.
    pub fn new(source_label: impl Into<String>, first: Buffer) -> Self {
        Self {
            focus: Focus::Editor,
            overlay: None,
            source_label: source_label.into(),
            catalog: CatalogTree::default(),
            editor: Editor::new(first),
            completion: None,
            completion_awaits_columns: false,
            functions: Vec::new(),
            phase: QueryPhase::Idle,
            results: None,
            cache_lake: false,
            can_copy: false,
            copy_plan: None,
            copying: None,
            result_tabs: super::result_tabs::ResultTabs::default(),
            parameters: super::parameters::Parameters::default(),
            last_plan: None,
            partitions: None,
            show_partitions: false,
            pending_partitions: None,
            session: SessionTotals::default(),
            export: None,
            export_dir: std::path::PathBuf::from("."),
            user_queries_dir: std::path::PathBuf::from("saved-queries"),
            named_queries: false,
            notice: None,
            hints: super::hints::HintState::default(),
            cost_guard: super::hints::CostGuard::default(),
            session_id: crate::ledger::new_session_id(),
            spinner: 0,
            next_ticket: 1,
            quit: false,
        }
    }

    /// True while a query runs.
    pub fn is_running(&self) -> bool {
        matches!(self.phase, QueryPhase::Running { .. })
    }
}

/// The query a fresh editor starts with on a lake whose tables are known.
pub fn starter_query(table: Option<&str>) -> String {
    match table {
        Some(table) => format!(
            "-- F5 runs the statement under the cursor; F1 lists every key.\nSELECT *\nFROM {table}\nLIMIT 100;\n"
        ),
        None => {
            "-- F5 runs the statement under the cursor; F1 lists every key.\nSELECT 1;\n".to_owned()
        }
    }
}

/// One query run on both engines of the source, as the overlay shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComparisonView {
    pub ticket: Ticket,
    /// The statement compared, as typed.
    pub sql: String,
    /// A line per engine and the verdict; `None` while the engines run.
    pub report: Option<Vec<String>>,
    /// Whether the answers matched, once known.
    pub matched: Option<bool>,
}
