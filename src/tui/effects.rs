//! Runs effects as tokio tasks against the backend and sends their answers back as actions.
//! Nothing here blocks the event loop.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use crate::app::{Action, Effect, Ticket};
use crate::backend::{
    Catalog, PartitionFilter, QueryContext, QueryEngine, QueryId, QueryState, SavedWork,
};

/// S3 listings in flight at once while sizing partitions.
const SIZE_CONCURRENCY: usize = 8;

/// How long the editor must be still before its statement is analyzed again.
const HINT_DEBOUNCE: Duration = Duration::from_millis(250);

/// How often a running query's statistics are refreshed on screen.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// The backend a session talks to.
#[derive(Clone)]
pub struct Services {
    pub catalog: Arc<dyn Catalog>,
    /// The engine queries run on.
    pub engine: EngineSlot,
    pub context: QueryContext,
    pub clipboard: Clipboard,
    /// History, session and saved-query files; `None` keeps nothing on disk.
    pub files: Option<crate::session::SessionFiles>,
    /// The source's own saved work (Athena's named queries and recent executions).
    pub workspace: Option<Arc<dyn SavedWork>>,
    /// Prices estimates the way Athena bills.
    pub pricing: crate::cost::Pricing,
    /// The source's other engine, to compare with or switch to (the AWS source has Athena and
    /// the local engine), or why there is none.
    pub alternate: Result<EngineSlot, String>,
    /// The cache lake beside the source, where `K` keeps a result; `None` without one.
    pub cache: Option<Arc<crate::cache::CachedSource>>,
    /// S3 object stores of the AWS source, for copying partitions into the cache.
    pub stores: Option<Arc<dyn crate::backend::local::ObjectStoreFactory>>,
}

/// An engine and how the screen names it.
#[derive(Clone)]
pub struct EngineSlot {
    /// What it is called in comparisons and notices ("athena", "local engine").
    pub name: String,
    /// The title while it runs the queries ("AWS eu-west-1 · Athena workgroup primary").
    pub title: String,
    pub engine: Arc<dyn QueryEngine>,
}

pub use super::clipboard::Clipboard;

/// Starts effects and remembers which engine query belongs to which ticket.
pub struct EffectRunner {
    services: Services,
    actions: UnboundedSender<Action>,
    queries: Arc<Mutex<Tickets>>,
    /// The newest explanation asked for; older ones stop, even mid-way through catalog calls.
    latest_explain: tokio::sync::watch::Sender<u64>,
    /// The newest results filter asked for; older jobs stop between batches.
    latest_filter: Arc<std::sync::atomic::AtomicU64>,
    /// Comparisons running, to cancel by ticket.
    comparisons: Arc<Mutex<HashMap<Ticket, tokio_util::sync::CancellationToken>>>,
    /// Doctor examinations running, to stop by request.
    examinations: super::doctor_work::Running,
    /// A buffer to open in `$EDITOR`: the event loop owns the terminal, so it runs the editor.
    external_edit: Option<(usize, String)>,
    /// The partition copy running, to stop it.
    copy: Option<tokio::task::AbortHandle>,
}

#[derive(Default)]
struct Tickets {
    /// Each running query with the engine it runs on (the user may switch engines meanwhile).
    running: HashMap<Ticket, (QueryId, Arc<dyn QueryEngine>)>,
    /// Cancels that arrived before the engine gave the query an id.
    cancel_early: HashSet<Ticket>,
    /// The newest query; older ones stop fetching result pages.
    latest: Ticket,
}

impl EffectRunner {
    /// A runner that reports on `actions`.
    pub fn new(services: Services, actions: UnboundedSender<Action>) -> Self {
        Self {
            services,
            actions,
            queries: Arc::default(),
            latest_explain: tokio::sync::watch::Sender::new(0),
            latest_filter: Arc::default(),
            comparisons: Arc::default(),
            examinations: Arc::default(),
            external_edit: None,
            copy: None,
        }
    }

    /// The `$EDITOR` hand-off asked for, once.
    pub fn take_external_edit(&mut self) -> Option<(usize, String)> {
        self.external_edit.take()
    }

    /// Replaces where copies go.
    pub fn set_clipboard(&mut self, clipboard: Clipboard) {
        self.services.clipboard = clipboard;
    }

    /// Starts every effect; returns at once.
    pub fn run(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            self.start(effect);
        }
    }

    fn start(&mut self, effect: Effect) {
        let catalog = Arc::clone(&self.services.catalog);
        let tx = self.actions.clone();
        match effect {
            Effect::LoadDatabases => {
                tokio::spawn(async move {
                    let result = catalog.databases().await.map_err(|e| e.to_string());
                    let _ = tx.send(Action::DatabasesLoaded(result));
                });
            }
            Effect::LoadTables(database) => {
                tokio::spawn(async move {
                    let tables = catalog.tables(&database).await.map_err(|e| e.to_string());
                    let _ = tx.send(Action::TablesLoaded { database, tables });
                });
            }
            Effect::LoadTable(name) => {
                tokio::spawn(async move {
                    let info = catalog
                        .table(&name)
                        .await
                        .map(Box::new)
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Action::TableLoaded { name, info });
                });
            }
            Effect::LoadPartitions {
                request,
                table,
                token,
                page_size,
            } => {
                tokio::spawn(async move {
                    let page = catalog
                        .partitions(
                            &table,
                            &PartitionFilter::default(),
                            token.as_deref(),
                            page_size,
                        )
                        .await
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Action::PartitionsLoaded { request, page });
                });
            }
            Effect::RunQuery {
                ticket,
                sql,
                parameters,
                unload,
            } => self.spawn_query(ticket, sql, parameters, unload),
            Effect::Compare { ticket, sql } => self.spawn_compare(ticket, sql),
            effect @ (Effect::Examine { .. }
            | Effect::CancelExamine { .. }
            | Effect::CountPartitionRows { .. }
            | Effect::ApplyFix { .. }) => {
                super::doctor_work::start(effect, catalog, tx, &self.examinations);
            }
            Effect::CancelCompare { ticket } => {
                let token = self
                    .comparisons
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(&ticket);
                if let Some(token) = token {
                    token.cancel();
                }
            }
            Effect::ExplainPlan { sql } => {
                super::grid_work::explain(
                    self.services.engine.clone(),
                    self.services.context.clone(),
                    sql,
                    tx,
                );
            }
            effect @ (Effect::SortResults { .. }
            | Effect::BuildChart { .. }
            | Effect::FilterResults { .. }) => {
                super::grid_work::start(effect, tx, &self.latest_filter);
            }
            Effect::Copy { text, what } => {
                let clipboard = self.services.clipboard.clone();
                tokio::task::spawn_blocking(move || {
                    let result = clipboard
                        .put(&text)
                        .map(|()| what)
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Action::Copied(result));
                });
            }
            Effect::Export { rows, path } => {
                tokio::task::spawn_blocking(move || {
                    let progress = |written| {
                        let _ = tx.send(Action::ExportProgress { rows: written });
                    };
                    let result = crate::export::export(&rows, &path, &progress)
                        .map(crate::text::human_bytes)
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Action::ExportFinished(result));
                });
            }
            Effect::KeepResult {
                name,
                rows,
                sql,
                stats,
            } => super::keep_work::spawn_keep(&self.services, tx, name, rows, sql, *stats),
            effect @ (Effect::PlanCopy { .. } | Effect::RunCopy(_) | Effect::StopCopy) => {
                super::keep_work::copy_effect(&self.services, tx, &mut self.copy, effect);
            }
            Effect::Explain {
                generation,
                sql,
                immediate,
            } => self.spawn_explain(generation, sql, immediate),
            effect @ (Effect::RecordLedger(_)
            | Effect::LoadLedger
            | Effect::RecordHistory(_)
            | Effect::LoadPicker(_)) => {
                super::records_work::records_effect(&self.services, tx, effect);
            }
            Effect::CountPartitions { request, table } => {
                tokio::spawn(async move {
                    let count = catalog
                        .partition_count(&table)
                        .await
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Action::PartitionsCounted { request, count });
                });
            }
            Effect::SizePartitions {
                request,
                partitions,
            } => {
                tokio::spawn(async move {
                    use futures::StreamExt as _;
                    let catalog = &catalog;
                    let mut sizes = futures::stream::iter(partitions)
                        .map(|(values, location)| async move {
                            (values, catalog.partition_size(&location).await)
                        })
                        .buffer_unordered(SIZE_CONCURRENCY);
                    while let Some((values, size)) = sizes.next().await {
                        match size {
                            Ok(Some((files, bytes))) => {
                                let _ = tx.send(Action::PartitionSized {
                                    request,
                                    values,
                                    files,
                                    bytes,
                                });
                            }
                            Ok(None) => break,
                            Err(e) => {
                                tracing::warn!("partition size unknown: {e}");
                            }
                        }
                    }
                });
            }
            Effect::SaveNamedQuery {
                name,
                sql,
                database,
            } => {
                let workspace = self.services.workspace.clone();
                let database = database
                    .or_else(|| self.services.context.database.clone())
                    .unwrap_or_else(|| "default".to_owned());
                tokio::spawn(async move {
                    let result = match workspace {
                        Some(workspace) => workspace.save_named_query(&name, &database, &sql).await,
                        None => Err("named queries need the AWS source (--aws)".to_owned()),
                    };
                    let _ = tx.send(Action::NamedQuerySaved(result));
                });
            }
            Effect::WriteFile { buffer, path, text } => {
                tokio::spawn(async move {
                    let result = write_file(&path, &text).await.map(|()| text);
                    let _ = tx.send(Action::FileSaved {
                        buffer,
                        path,
                        result,
                    });
                });
            }
            Effect::CancelQuery { ticket } => {
                let running = {
                    let mut tickets = self.queries.lock().unwrap_or_else(PoisonError::into_inner);
                    let running = tickets.running.get(&ticket).cloned();
                    if running.is_none() {
                        tickets.cancel_early.insert(ticket);
                    }
                    running
                };
                if let Some((id, engine)) = running {
                    tokio::spawn(async move {
                        let _ = engine.cancel(&id).await;
                    });
                }
            }
            Effect::SwitchEngine => {
                let switched = match &mut self.services.alternate {
                    Ok(other) => {
                        std::mem::swap(&mut self.services.engine, other);
                        let now = &self.services.engine;
                        Ok(crate::app::action::EngineInUse {
                            name: now.name.clone(),
                            title: now.title.clone(),
                            functions: now.engine.function_names(),
                        })
                    }
                    Err(why) => Err(why.clone()),
                };
                let _ = self.actions.send(Action::EngineSwitched(switched));
            }
            Effect::EditExternally { buffer, text } => self.external_edit = Some((buffer, text)),
            Effect::Quit => {}
        }
    }

    /// Analyzes and estimates `sql` after the debounce, unless a newer request came in.
    fn spawn_explain(&self, generation: u64, sql: String, immediate: bool) {
        self.latest_explain.send_replace(generation);
        let mut latest = self.latest_explain.subscribe();
        let catalog = Arc::clone(&self.services.catalog);
        let database = self.services.context.database.clone();
        let pricing = self.services.pricing;
        let tx = self.actions.clone();
        tokio::spawn(async move {
            let work = async {
                if !immediate {
                    tokio::time::sleep(HINT_DEBOUNCE).await;
                }
                crate::estimate::explain(catalog.as_ref(), &sql, database.as_deref(), pricing).await
            };
            // A newer request drops this one, with whatever Glue or S3 calls it has in flight.
            let superseded = latest.wait_for(|newest| *newest != generation);
            tokio::select! {
                explanation = work => {
                    let _ = tx.send(Action::Explained {
                        generation,
                        explanation: Arc::new(explanation),
                    });
                }
                _ = superseded => {}
            }
        });
    }

    /// Asks the workgroup for its per-query scan limit, for the cost guard.
    pub fn load_workgroup_cutoff(&self) {
        let Some(workspace) = self.services.workspace.clone() else {
            return;
        };
        let tx = self.actions.clone();
        tokio::spawn(async move {
            match workspace.scan_cutoff().await {
                Ok(cutoff) => {
                    let _ = tx.send(Action::WorkgroupCutoff(cutoff));
                }
                Err(e) => tracing::warn!("workgroup limit unknown: {e}"),
            }
        });
    }

    /// Runs `sql` on both engines; the report comes back as [`Action::Compared`].
    fn spawn_compare(&self, ticket: Ticket, sql: String) {
        let tx = self.actions.clone();
        let (other_name, other) = match &self.services.alternate {
            Ok(slot) => (slot.name.clone(), Arc::clone(&slot.engine)),
            Err(why) => {
                let _ = tx.send(Action::Compared {
                    ticket,
                    report: vec![format!("✗ cannot compare: {why}")],
                    matched: false,
                });
                return;
            }
        };
        let engine = Arc::clone(&self.services.engine.engine);
        let engine_name = self.services.engine.name.clone();
        let context = self.services.context.clone();
        let token = tokio_util::sync::CancellationToken::new();
        self.comparisons
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(ticket, token.clone());
        let comparisons = Arc::clone(&self.comparisons);
        tokio::spawn(async move {
            let comparison = crate::backend::compare::compare(
                [(engine_name.as_str(), engine), (other_name.as_str(), other)],
                &sql,
                &context,
                &token,
            )
            .await;
            comparisons
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&ticket);
            let _ = tx.send(Action::Compared {
                ticket,
                report: crate::summary::comparison_lines(&comparison),
                matched: comparison.verdict.is_ok(),
            });
        });
    }

    fn spawn_query(
        &self,
        ticket: Ticket,
        sql: String,
        parameters: Vec<crate::sql::params::ParamValue>,
        unload: bool,
    ) {
        let engine = Arc::clone(&self.services.engine.engine);
        let context = QueryContext {
            parameters,
            unload_requested: unload,
            ..self.services.context.clone()
        };
        let tx = self.actions.clone();
        let tickets = Arc::clone(&self.queries);
        tickets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .latest = ticket;
        tokio::spawn(async move {
            let id = match engine.submit(&sql, &context).await {
                Ok(id) => id,
                Err(error) => {
                    let _ = tx.send(Action::QueryFailedToStart { ticket, error });
                    return;
                }
            };
            let cancel_now = {
                let mut t = tickets.lock().unwrap_or_else(PoisonError::into_inner);
                t.running.insert(ticket, (id.clone(), Arc::clone(&engine)));
                t.cancel_early.remove(&ticket)
            };
            if cancel_now {
                let _ = engine.cancel(&id).await;
            }
            let mut progress = tokio::time::interval(PROGRESS_INTERVAL);
            let wait = engine.wait(&id);
            tokio::pin!(wait);
            let status = loop {
                tokio::select! {
                    status = &mut wait => break status,
                    _ = progress.tick() => {
                        if let Ok(status) = engine.status(&id).await {
                            let _ = tx.send(Action::QueryProgress { ticket, stats: Box::new(status.stats) });
                        }
                    }
                }
            };
            tickets
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .running
                .remove(&ticket);
            let status = match status {
                Ok(status) => status,
                Err(error) => {
                    engine.release(&id).await;
                    let _ = tx.send(Action::QueryFailedToStart { ticket, error });
                    return;
                }
            };
            if status.state == QueryState::Succeeded
                && let Ok(Some(plan)) = engine.plan(&id).await
            {
                let _ = tx.send(Action::PlanArrived {
                    ticket,
                    plan: Box::new(plan),
                });
            }
            let page = if status.state == QueryState::Succeeded {
                Some(
                    engine
                        .results(&id, None, usize::MAX)
                        .await
                        .map_err(|e| e.to_string()),
                )
            } else {
                None
            };
            let mut token = page
                .as_ref()
                .and_then(|p| p.as_ref().ok())
                .and_then(|p| p.next_token.clone());
            let _ = tx.send(Action::QueryFinished {
                ticket,
                status: Box::new(status),
                page,
            });
            // Paging engines (Athena's GetQueryResults) hand out the rest page by page; each
            // goes to the grid as it arrives, until a newer query replaces this one.
            while let Some(next) = token.take() {
                let superseded = tickets
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .latest
                    != ticket;
                if superseded {
                    break;
                }
                let page = engine
                    .results(&id, Some(&next), usize::MAX)
                    .await
                    .map_err(|e| e.to_string());
                token = page.as_ref().ok().and_then(|p| p.next_token.clone());
                let _ = tx.send(Action::ResultsAppended { ticket, page });
            }
            engine.release(&id).await;
        });
    }
}

/// Writes a query file, creating its folder; the message names the file.
async fn write_file(path: &std::path::Path, text: &str) -> Result<(), String> {
    let describe = |e: std::io::Error| format!("{}: {e}", path.display());
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(parent).await.map_err(describe)?;
    }
    tokio::fs::write(path, text).await.map_err(describe)
}
