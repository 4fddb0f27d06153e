//! Work that reads every footer of a table: the doctor overlay's examinations and catalog
//! fixes, and the calendar's rows per day, as tokio tasks. An examination
//! reads every footer of a table, so it can take a while on S3: closing the overlay aborts it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::mpsc::UnboundedSender;

use crate::app::action::{Action, Effect, Ticket};
use crate::app::doctor_view::DoctorMessage;
use crate::backend::Catalog;

/// Examinations running, by request, to abort when their overlay closes.
pub type Running = Arc<Mutex<HashMap<Ticket, tokio::task::AbortHandle>>>;

/// Starts (or stops) one doctor effect.
pub fn start(
    effect: Effect,
    catalog: Arc<dyn Catalog>,
    tx: UnboundedSender<Action>,
    running: &Running,
) {
    match effect {
        Effect::Examine { request, table } => {
            let done = Arc::clone(running);
            let task = tokio::spawn(async move {
                let result = catalog
                    .doctor(&table)
                    .await
                    .map(Box::new)
                    .map_err(|e| e.to_string());
                done.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(&request);
                let _ = tx.send(Action::Doctor(DoctorMessage::Examined { request, result }));
            });
            running
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(request, task.abort_handle());
        }
        Effect::CancelExamine { request } => {
            if let Some(task) = running
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&request)
            {
                task.abort();
            }
        }
        Effect::ApplyFix {
            request,
            table,
            action,
        } => {
            tokio::spawn(async move {
                let result = catalog
                    .apply_fix(&table, &action)
                    .await
                    .map_err(|e| e.to_string());
                let _ = tx.send(Action::Doctor(DoctorMessage::Applied { request, result }));
            });
        }
        Effect::CountPartitionRows { request, table } => {
            tokio::spawn(async move {
                let result = catalog
                    .partition_rows(&table)
                    .await
                    .map_err(|e| e.to_string());
                let _ = tx.send(Action::PartitionRowsCounted { request, result });
            });
        }
        _ => {}
    }
}
