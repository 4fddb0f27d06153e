//! The history, the ledger and the saved-query lists: read and appended on the blocking pool,
//! never on the UI thread; the source's own saved work (Athena's) asked for beside them.

use tokio::sync::mpsc::UnboundedSender;

use crate::app::picker::PickerKind;
use crate::app::{Action, Effect};

use super::effects::Services;

/// Starts one records effect; others are ignored.
pub(super) fn records_effect(services: &Services, tx: UnboundedSender<Action>, effect: Effect) {
    match effect {
        Effect::RecordLedger(entry) => {
            if let Some(files) = &services.files {
                let path = files.ledger.clone();
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = crate::ledger::append(&path, &entry) {
                        tracing::warn!("ledger not recorded in {}: {e}", path.display());
                    }
                });
            }
        }
        Effect::LoadLedger => {
            let path = services.files.as_ref().map(|f| f.ledger.clone());
            tokio::task::spawn_blocking(move || {
                let entries = match path {
                    Some(path) => crate::ledger::read(&path).map_err(|e| e.to_string()),
                    None => Ok(Vec::new()),
                };
                let _ = tx.send(Action::LedgerLoaded(entries));
            });
        }
        Effect::RecordHistory(entry) => {
            if let Some(files) = &services.files {
                let path = files.history.clone();
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = crate::history::append_history(&path, &entry) {
                        tracing::warn!("history not recorded in {}: {e}", path.display());
                    }
                });
            }
        }
        Effect::LoadPicker(kind) => {
            let files = services.files.clone();
            let list_tx = tx.clone();
            tokio::task::spawn_blocking(move || {
                let items = match (kind, files) {
                    (PickerKind::History, Some(files)) => {
                        crate::history::read_history(&files.history)
                    }
                    (PickerKind::History, None) => Ok(Vec::new()),
                    (PickerKind::SavedQueries, Some(files)) => {
                        crate::session::saved_queries(&files.queries)
                    }
                    (PickerKind::SavedQueries, None) => Ok(crate::session::built_in_queries()),
                };
                let items = items.map_err(|e| e.to_string());
                let _ = list_tx.send(Action::PickerLoaded { kind, items });
            });
            if let Some(workspace) = services.workspace.clone() {
                tokio::spawn(async move {
                    let items = match kind {
                        PickerKind::SavedQueries => workspace.named_queries().await,
                        PickerKind::History => workspace.recent_runs().await,
                    };
                    let _ = tx.send(Action::PickerMore { kind, items });
                });
            }
        }
        _ => {}
    }
}
