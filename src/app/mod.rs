//! The app model: state, actions, effects and `update`. No drawing and no I/O here.

pub mod action;
pub mod bindings;
pub mod browse;
pub mod catalog_tree;
pub mod chart_view;
pub mod completion;
pub mod doctor_view;
pub mod editor;
mod editor_tools;
mod files;
mod grid_actions;
pub mod hints;
pub mod keep;
pub mod keys;
pub mod overlay;
pub mod parameters;
pub mod partitions;
pub mod picker;
pub mod plan_view;
mod prompts;
pub mod result_tabs;
pub mod results;
pub mod results_filter;
mod run;
pub mod state;
mod update;
pub mod vim;

pub use action::{Action, Effect, ExternalEdit, Focus, TextEdit, Ticket};
pub use overlay::Overlay;
pub use state::{AppState, QueryPhase, SessionTotals};
pub use update::update;
