//! Everything that can happen to the app: user intents from the keymap and answers from
//! background tasks. `update` turns each into state changes and [`Effect`]s.

use std::path::PathBuf;

use ratatui_textarea::Input;

use super::picker::{HistoryEntry, PickerKind, QueryItem};
use super::results::{SharedRows, SortKey};
use super::results_filter::RowMatcher;
use std::sync::Arc;

use crate::backend::{
    Database, PartitionPage, QueryError, QueryStats, QueryStatus, ResultPage, TableInfo, TableName,
};

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    Catalog,
    #[default]
    Editor,
    Results,
    /// The partition browser, shown in the results' place while open.
    Partitions,
}

impl Focus {
    /// The pane after this one in Tab order.
    #[must_use]
    pub fn next(self) -> Self {
        match self {
            Self::Catalog => Self::Editor,
            Self::Editor => Self::Results,
            Self::Results | Self::Partitions => Self::Catalog,
        }
    }

    /// The pane before this one in Tab order.
    #[must_use]
    pub fn previous(self) -> Self {
        match self {
            Self::Catalog => Self::Results,
            Self::Editor => Self::Catalog,
            Self::Results | Self::Partitions => Self::Editor,
        }
    }
}

/// A ticket identifies one run request; answers carrying an older ticket are stale.
pub type Ticket = u64;

/// A key typed into a pane's one-line filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEdit {
    Push(char),
    Pop,
    /// Keep the filter and leave the line.
    Finish,
    /// Clear the filter and leave the line.
    Abort,
}

/// What a copy takes from the results grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyScope {
    Cell,
    /// The cursor row, tab-separated.
    Row,
    /// The cursor column with its name, one value per line.
    Column,
}

impl TextEdit {
    /// Applies a typed character or a backspace to `text`; Finish and Abort leave it as it is
    /// (what they mean depends on the line). Control characters are never inserted.
    pub fn apply_to(self, text: &mut String) {
        match self {
            Self::Push(c) if !c.is_control() => text.push(c),
            Self::Pop => {
                text.pop();
            }
            Self::Push(_) | Self::Finish | Self::Abort => {}
        }
    }
}

/// An event for [`super::update`].
#[derive(Debug, Clone)]
pub enum Action {
    Quit,
    FocusNext,
    FocusPrevious,
    Focus(Focus),
    ToggleHelp,
    /// Scroll the help overlay by lines.
    ScrollHelp(i16),
    /// Close whatever overlay is open (a running comparison is cancelled, a held run
    /// dropped).
    CloseOverlay,
    /// Text pasted into the terminal (bracketed paste), for the editor or the open prompt.
    Paste(String),
    /// `$EDITOR` returned with the text of editor buffer `buffer`.
    EditedExternally {
        buffer: usize,
        outcome: ExternalEdit,
    },
    /// Run the statement under the cursor (or the selection, or the whole buffer).
    RunQuery,
    /// Run the statement under the cursor, its result fetched through Athena's `UNLOAD`.
    RunUnload,
    /// Run the whole buffer.
    RunAll,
    CancelQuery,
    /// A key for the editor's text model.
    EditorInput(Input),
    /// Open the completion popup for the word at the cursor (even an empty one).
    Complete,
    CompletionMove(isize),
    /// Replace the word with the selected completion.
    CompletionAccept,
    CompletionClose,
    /// Pretty-print the statement under the cursor.
    FormatSql,
    StartSearch,
    /// Jump to the next (`true`) or previous match.
    SearchAgain(bool),
    /// Open the buffer in `$VISUAL`/`$EDITOR`.
    EditExternally,
    EditorUndo,
    EditorRedo,
    NewBuffer,
    /// Focus the next (+1) or previous (-1) editor tab.
    CycleBuffer(isize),
    CatalogMove(isize),
    CatalogExpand,
    CatalogCollapse,
    /// Insert the selected catalog item's qualified name at the editor cursor.
    CatalogInsertName,
    /// `SELECT * … LIMIT 100` on the selected table, run at once.
    CatalogPreview,
    /// Start typing a filter on table names.
    CatalogStartFilter,
    /// Open the partition browser (with the table's details) on the selected table.
    CatalogOpenPartitions,
    PartitionsMove(isize),
    PartitionsExpand,
    PartitionsCollapse,
    /// Switch between the tree and the flat list.
    PartitionsToggleView,
    /// Mark or unmark the node under the cursor.
    PartitionsMark,
    /// Start or end a range selection.
    PartitionsRange,
    /// The calendar's shades: bytes or files per day.
    PartitionsCalendarMetric,
    PartitionsStartFilter,
    /// Add the selection's condition to the editor's query.
    PartitionsInsertFilter,
    /// Drop the selection, or close the browser when nothing is selected.
    PartitionsClose,
    /// A key for the focused pane's filter line.
    FilterInput(TextEdit),
    /// An earlier (-1) or later (+1) value in the prompt, where it keeps some.
    PromptHistory(isize),
    ResultsMove {
        rows: isize,
        columns: isize,
    },
    ResultsHome,
    ResultsEnd,
    /// Sort by the cursor column: ascending, descending, then the query's order.
    ResultsSort,
    ResultsSorted {
        grid: u64,
        sort: SortKey,
        order: Result<Vec<u32>, String>,
    },
    /// Open the results' filter line (`/`).
    ResultsStartFilter,
    /// The rows a filter job kept, in display order.
    ResultsFiltered {
        grid: u64,
        generation: u64,
        matcher: Arc<RowMatcher>,
        rows: Result<Vec<u32>, String>,
    },
    /// Show the next (+1) or previous (-1) statement's result.
    ResultsTab(isize),
    /// Show the rows as a chart, or the grid again.
    ResultsChart,
    /// Show the plan the shown result ran with.
    ResultsPlan,
    /// A key in the plan overlay.
    PlanKey(super::plan_view::PlanKey),
    /// Rows per partition (values, rows) for the calendar, or why they could not be counted.
    PartitionRowsCounted {
        request: Ticket,
        result: Result<Vec<(Vec<String>, u64)>, String>,
    },
    /// The doctor overlay: `D` in the catalog, its keys, and the examinations' answers.
    Doctor(super::doctor_view::DoctorMessage),
    /// A finished local run's plan with its measurements.
    PlanArrived {
        ticket: Ticket,
        plan: Box<crate::backend::PlanNode>,
    },
    /// Start or drop a range on the chart.
    ChartMark,
    /// Another kind of chart, or other columns.
    ResultsChartChange(super::chart_view::ChartChange),
    /// A chart worked out in the background.
    /// (grid, generation, the chart or why not).
    ChartBuilt(Box<(u64, u64, Result<Arc<crate::chart::ChartData>, String>)>),
    /// The plan of the statement under the cursor, without running it.
    ExplainStatement,
    /// That plan, as the engine wrote it, or why there is none.
    PlanExplained(Result<Box<crate::backend::PlanNode>, String>),
    /// The cursor to the next (`true`) or previous cell matching the filter.
    ResultsJumpToMatch(bool),
    /// Show the cursor cell in full (JSON pretty-printed).
    ResultsInspect,
    InspectorScroll(i16),
    /// Copy to the terminal's clipboard (OSC 52).
    ResultsCopy(CopyScope),
    Copied(Result<String, String>),
    /// Ask where to export the rows; the extension picks the format.
    ResultsExport,
    ExportProgress {
        rows: u64,
    },
    ExportFinished(Result<String, String>),
    /// Ask the DB.TABLE to keep the result as in the cache lake.
    ResultsKeep,
    /// A keep ended: the table and what was written, or why not.
    ResultKept(Result<(TableName, String), String>),
    /// Keep the partition browser's selection locally (or stop the copy running).
    PartitionsKeep,
    /// What copying the selection would fetch, or why it cannot be copied.
    CopyPlanned(Result<Arc<crate::cache::copy::CopyPlan>, String>),
    /// The copy fetched one more file.
    CopyProgressed(crate::cache::copy::CopyProgress),
    /// The copy ended: what it did, or why it stopped.
    CopyFinished(Result<String, String>),
    /// Open the history or saved-queries overlay.
    OpenPicker(PickerKind),
    PickerLoaded {
        kind: PickerKind,
        items: Result<Vec<QueryItem>, String>,
    },
    PickerMove(isize),
    /// Open the selected item in a new editor buffer.
    PickerOpen,
    /// Save the editor buffer to its file (asking for one when it has none).
    SaveBuffer,
    /// A buffer write finished; `Ok` holds the text written.
    FileSaved {
        buffer: usize,
        path: PathBuf,
        result: Result<String, String>,
    },
    /// Time passes: advances the spinner while a query runs.
    Tick,
    DatabasesLoaded(Result<Vec<Database>, String>),
    TablesLoaded {
        database: String,
        tables: Result<Vec<TableName>, String>,
    },
    TableLoaded {
        name: TableName,
        info: Result<Box<TableInfo>, String>,
    },
    PartitionsLoaded {
        request: u64,
        page: Result<PartitionPage, String>,
    },
    QueryProgress {
        ticket: Ticket,
        stats: Box<QueryStats>,
    },
    /// A query ended; `page` is its first page of results when it succeeded.
    QueryFinished {
        ticket: Ticket,
        status: Box<QueryStatus>,
        page: Option<Result<ResultPage, String>>,
    },
    /// The source's count of a table's partitions.
    PartitionsCounted {
        request: u64,
        count: Result<Option<u64>, String>,
    },
    /// A partition's measured size.
    PartitionSized {
        request: u64,
        values: Vec<String>,
        files: u64,
        bytes: u64,
    },
    /// Save the statement under the cursor as an Athena named query (asks for a name).
    SaveNamedQuery,
    /// Athena answered a named-query save: its id, or why not.
    NamedQuerySaved(Result<String, String>),
    /// Items from a second, slower source of the open picker (Athena's named queries or recent
    /// executions), added after the local ones.
    PickerMore {
        kind: PickerKind,
        items: Result<Vec<QueryItem>, String>,
    },
    /// A later page of a finished query's results.
    ResultsAppended {
        ticket: Ticket,
        page: Result<ResultPage, String>,
    },
    QueryFailedToStart {
        ticket: Ticket,
        error: QueryError,
    },
    /// Apply the first hint's quick fix to the statement under the cursor.
    ApplyHintFix,
    /// The analysis and estimate of a statement, for request `generation`.
    Explained {
        generation: u64,
        explanation: std::sync::Arc<crate::estimate::Explanation>,
    },
    /// Run the query the cost guard held.
    ConfirmRun,
    /// Open or close the cost ledger overlay.
    ToggleLedger,
    LedgerLoaded(Result<Vec<crate::ledger::LedgerEntry>, String>),
    /// The Athena workgroup's per-query scan limit, if it has one.
    WorkgroupCutoff(Option<u64>),
    /// Run the statement under the cursor on both engines (Athena and the local engine) and
    /// compare their answers.
    CompareEngines,
    /// A comparison ended: a line per engine and the verdict.
    Compared {
        ticket: Ticket,
        report: Vec<String>,
        matched: bool,
    },
    /// Run the next queries on the source's other engine (Athena ↔ the local engine).
    SwitchEngine,
    /// The engine queries now run on, or why there is no other.
    EngineSwitched(Result<EngineInUse, String>),
}

/// How a hand-off to `$VISUAL`/`$EDITOR` ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternalEdit {
    /// The editor saved this text.
    Edited { command: String, text: String },
    /// The editor exited with an error status or could not start; the buffer stays.
    Failed { command: String, why: String },
}

/// The engine queries run on after a switch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineInUse {
    /// "athena", "local engine".
    pub name: String,
    /// The screen's title with it.
    pub title: String,
    /// Its function names, for completion.
    pub functions: Vec<String>,
}

/// Work `update` asks the runtime to do; the answers come back as actions.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    LoadDatabases,
    LoadTables(String),
    LoadTable(TableName),
    LoadPartitions {
        request: u64,
        table: TableName,
        token: Option<String>,
        page_size: usize,
    },
    RunQuery {
        ticket: Ticket,
        sql: String,
        /// Values for the SQL's `?`, passed to the engine apart from it.
        parameters: Vec<crate::sql::params::ParamValue>,
        /// Ask Athena for the result through `UNLOAD` (other engines ignore it).
        unload: bool,
    },
    CancelQuery {
        ticket: Ticket,
    },
    SortResults {
        grid: u64,
        sort: SortKey,
        rows: SharedRows,
    },
    /// Ask the engine for a statement's plan without running it.
    ExplainPlan {
        sql: String,
    },
    /// Work out a chart of the rows shown.
    BuildChart {
        grid: u64,
        generation: u64,
        rows: SharedRows,
        spec: crate::chart::ChartSpec,
    },
    /// Work out which rows match a filter; a newer generation makes older jobs stop.
    FilterResults {
        grid: u64,
        generation: u64,
        rows: SharedRows,
        matcher: Arc<RowMatcher>,
    },
    /// Put text on the clipboard; `what` describes it for the notice.
    Copy {
        text: String,
        what: String,
    },
    Export {
        rows: SharedRows,
        path: PathBuf,
    },
    /// Measure copying the partitions of `table` that `condition` matches into the cache lake.
    PlanCopy {
        table: TableName,
        condition: String,
    },
    /// Copy a measured plan into the cache lake, reporting progress.
    RunCopy(Arc<crate::cache::copy::CopyPlan>),
    /// Stop the copy running (what it copied stays; the next copy resumes).
    StopCopy,
    /// Keep the rows as the table `name` of the cache lake, with the run's SQL and statistics
    /// as its provenance.
    KeepResult {
        name: TableName,
        rows: SharedRows,
        sql: String,
        stats: Box<crate::backend::QueryStats>,
    },
    /// Write an editor buffer's text to its file.
    WriteFile {
        buffer: usize,
        path: PathBuf,
        text: String,
    },
    /// Append a finished run to the history file.
    RecordHistory(HistoryEntry),
    LoadPicker(PickerKind),
    /// Count a table's partitions the fast way the source has, if any.
    CountPartitions {
        request: u64,
        table: TableName,
    },
    /// Measure partitions' files and bytes (sources whose listings lack them).
    SizePartitions {
        request: u64,
        partitions: Vec<(Vec<String>, String)>,
    },
    /// Analyze and estimate a statement; debounced unless `immediate`.
    Explain {
        generation: u64,
        sql: String,
        immediate: bool,
    },
    /// Record a finished query's bytes and dollars in the ledger.
    RecordLedger(crate::ledger::LedgerEntry),
    /// Read the ledger's totals for the overlay.
    LoadLedger,
    /// Run `sql` on both engines and compare the answers.
    Compare {
        ticket: Ticket,
        sql: String,
    },
    CancelCompare {
        ticket: Ticket,
    },
    /// Count the rows of every partition of `table` from the footers.
    CountPartitionRows {
        request: Ticket,
        table: TableName,
    },
    /// Run the lake doctor on `table`.
    Examine {
        request: Ticket,
        table: TableName,
    },
    /// Stop examination `request` (its overlay closed).
    CancelExamine {
        request: Ticket,
    },
    /// Apply a doctor's catalog fix.
    ApplyFix {
        request: Ticket,
        table: TableName,
        action: crate::doctor::FixAction,
    },
    /// Swap the engine queries run on with the source's other one.
    SwitchEngine,
    /// Suspend the screen and open editor buffer `buffer`'s `text` in `$VISUAL`/`$EDITOR`.
    EditExternally {
        buffer: usize,
        text: String,
    },
    /// Save SQL as an Athena named query.
    SaveNamedQuery {
        name: String,
        sql: String,
        database: Option<String>,
    },
    Quit,
}
