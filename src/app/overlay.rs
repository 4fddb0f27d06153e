//! What is drawn over the panes. At most one thing is: the keymap gives it every key and the
//! drawing puts it on top, both reading the same [`AppState::overlay`], so what is seen is what
//! gets the keys. Opening one over another goes through [`AppState::open_overlay`], which
//! closes the first the way closing it by hand would.

use crate::ledger::LedgerSummary;

use super::action::Effect;
use super::hints::{Confirmation, DateFilterTarget};
use super::picker::Picker;
use super::state::{AppState, ComparisonView};

/// The cell inspector: one value in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspector {
    pub title: String,
    pub text: String,
    pub scroll: u16,
}

/// What a one-line prompt asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptKind {
    /// A file to export the results to.
    Export,
    /// A file to save the editor buffer to.
    SaveBuffer,
    /// A pattern to find in the editor buffer.
    Search,
    /// A vim `:` command (`w`, `q`, `wq`, a line number).
    ExCommand,
    /// A value for a query parameter.
    Parameter,
    /// The name of an Athena named query to save the statement as.
    NamedQuery,
    /// Dates to filter a table's year/month/day partitions to (the "no filter" quick fix).
    DateRange(DateFilterTarget),
    /// The DB.TABLE to keep the result as in the cache lake.
    KeepAs,
    /// Enter confirms copying the measured partitions into the cache lake.
    ConfirmCopy,
}

/// A one-line question at the bottom of the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub label: String,
    pub text: String,
}

/// The one thing over the panes.
#[derive(Debug, Clone)]
pub enum Overlay {
    /// Every key, by pane; `scroll` is the first line shown.
    Help {
        scroll: u16,
    },
    Inspector(Inspector),
    /// A query's plan, as a tree to walk.
    Plan(super::plan_view::PlanView),
    /// The lake doctor's findings on one table.
    Doctor(super::doctor_view::DoctorView),
    /// The history or saved-queries list.
    Picker(Picker),
    /// The cost ledger; `None` while its totals load.
    Ledger(Option<LedgerSummary>),
    /// One statement run on both engines.
    Comparison(ComparisonView),
    /// A run the cost guard holds until the user confirms.
    Confirmation(Confirmation),
    Prompt(Prompt),
}

impl AppState {
    /// The overlay shown, if any.
    pub fn overlay(&self) -> Option<&Overlay> {
        self.overlay.as_ref()
    }

    /// Shows `overlay`, closing the one open before (see [`AppState::close_overlay`]).
    pub fn open_overlay(&mut self, overlay: Overlay) -> Vec<Effect> {
        let effects = self.close_overlay();
        // A popup over the editor would sit under the overlay and still take keys after it.
        self.completion = None;
        self.overlay = Some(overlay);
        effects
    }

    /// Closes the overlay shown. A comparison still running is cancelled; a held run is
    /// dropped, and the status line says so.
    pub fn close_overlay(&mut self) -> Vec<Effect> {
        match self.overlay.take() {
            Some(Overlay::Comparison(view)) if view.report.is_none() => {
                vec![Effect::CancelCompare {
                    ticket: view.ticket,
                }]
            }
            Some(Overlay::Doctor(view))
                if matches!(view.phase, super::doctor_view::DoctorPhase::Examining) =>
            {
                vec![Effect::CancelExamine {
                    request: view.request,
                }]
            }
            Some(Overlay::Confirmation(_)) => {
                self.notice = Some("not run: the cost guard stopped it".to_owned());
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// The open prompt.
    pub fn prompt(&self) -> Option<&Prompt> {
        match &self.overlay {
            Some(Overlay::Prompt(prompt)) => Some(prompt),
            _ => None,
        }
    }

    /// The open picker.
    pub fn picker(&self) -> Option<&Picker> {
        match &self.overlay {
            Some(Overlay::Picker(picker)) => Some(picker),
            _ => None,
        }
    }

    /// The open picker, to change.
    pub fn picker_mut(&mut self) -> Option<&mut Picker> {
        match &mut self.overlay {
            Some(Overlay::Picker(picker)) => Some(picker),
            _ => None,
        }
    }

    /// The open cell inspector.
    pub fn inspector(&self) -> Option<&Inspector> {
        match &self.overlay {
            Some(Overlay::Inspector(inspector)) => Some(inspector),
            _ => None,
        }
    }

    /// The open engine comparison.
    pub fn comparison(&self) -> Option<&ComparisonView> {
        match &self.overlay {
            Some(Overlay::Comparison(view)) => Some(view),
            _ => None,
        }
    }

    /// The run waiting for the user's yes.
    pub fn confirmation(&self) -> Option<&Confirmation> {
        match &self.overlay {
            Some(Overlay::Confirmation(confirmation)) => Some(confirmation),
            _ => None,
        }
    }

    /// Whether the help overlay is shown.
    pub fn help_shown(&self) -> bool {
        matches!(self.overlay, Some(Overlay::Help { .. }))
    }
}
